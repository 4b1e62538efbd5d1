/*
 * ptypair - a null-modem cable made of two pseudo-terminals, for tests:
 * what is written on one slave comes out of the other.  Prints the two
 * slave names on one line, then relays until SIGTERM; with -l DIR it also
 * makes the symlinks DIR/a and DIR/b (removed at exit), so that a new
 * cable can stand in for an old one under the same names.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "common.h"

static const char usage_text[] = "usage: ptypair [-l DIR]\n";
static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* One pty: the master, and the slave held open so it never hangs up. */
static int
open_pty(char *name, size_t size, int *slave)
{
	struct termios t;
	int m;

	m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0)
		die(3, "posix_openpt:");
	snprintf(name, size, "%s", ptsname(m));
	*slave = open(name, O_RDWR | O_NOCTTY);
	if (*slave < 0)
		die(3, "%s:", name);
	if (tcgetattr(*slave, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(*slave, TCSANOW, &t);
	}
	fcntl(m, F_SETFL, fcntl(m, F_GETFL) | O_NONBLOCK);
	return m;
}

int
main(int argc, char **argv)
{
	char a[PATH_MAX], b[PATH_MAX], la[PATH_MAX], lb[PATH_MAX], buf[4096];
	const char *dir = NULL;
	struct pollfd pfd[2];
	struct sigaction sa;
	int ma, mb, sa_fd, sb_fd, c, i;
	ssize_t r;

	hk_setprogname(argv[0]);
	while ((c = getopt(argc, argv, "hl:")) != -1) {
		if (c == 'h')
			usage_exit(usage_text, 0);
		else if (c == 'l')
			dir = optarg;
		else
			usage_exit(usage_text, 2);
	}
	ma = open_pty(a, sizeof(a), &sa_fd);
	mb = open_pty(b, sizeof(b), &sb_fd);
	if (dir != NULL) {
		snprintf(la, sizeof(la), "%s/a", dir);
		snprintf(lb, sizeof(lb), "%s/b", dir);
		unlink(la);
		unlink(lb);
		if (symlink(a, la) < 0 || symlink(b, lb) < 0)
			die(3, "symlink:");
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	printf("%s %s\n", a, b);
	fflush(stdout);
	pfd[0].fd = ma;
	pfd[1].fd = mb;
	while (!stop) {
		pfd[0].events = pfd[1].events = POLLIN;
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			die(3, "poll:");
		}
		for (i = 0; i < 2; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			r = read(pfd[i].fd, buf, sizeof(buf));
			/* What the far side cannot take is lost, as on a wire. */
			if (r > 0)
				(void)!write(pfd[1 - i].fd, buf, (size_t)r);
		}
	}
	if (dir != NULL) {
		unlink(la);
		unlink(lb);
	}
	(void)sa_fd;
	(void)sb_fd;
	return 0;
}
