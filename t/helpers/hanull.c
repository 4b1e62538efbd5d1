/*
 * hanull.c - a null-modem cable for the heartbeat tests: two pseudo-
 * terminals whose masters are joined, so that what one node writes on
 * its "serial port" the other reads on its own.  Prints the two device
 * names on one line, then relays until SIGTERM.  SIGUSR1 cuts the
 * cable (bytes are dropped both ways), SIGUSR2 mends it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "common.h"

static const char usage_text[] = "usage: hanull\n";

static volatile sig_atomic_t stop, cut;

static void
on_sig(int sig)
{
	if (sig == SIGUSR1)
		cut = 1;
	else if (sig == SIGUSR2)
		cut = 0;
	else
		stop = 1;
}

/* A pty master, its slave kept open (so the master never reads EIO when
 * no node has the port open) and set raw (no echo loops). */
static int
open_pty(char *name, size_t len, int *slave)
{
	struct termios t;
	int m;

	if ((m = posix_openpt(O_RDWR | O_NOCTTY)) == -1)
		return -1;
	if (grantpt(m) == -1 || unlockpt(m) == -1 ||
	    ptsname_r(m, name, len) != 0)
		return -1;
	if ((*slave = open(name, O_RDWR | O_NOCTTY)) == -1)
		return -1;
	if (tcgetattr(*slave, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(*slave, TCSANOW, &t);
	}
	fcntl(m, F_SETFL, O_NONBLOCK);
	return m;
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	struct pollfd p[2];
	char n0[64], n1[64], buf[4096];
	int m[2], s[2], i, o;
	ssize_t r;

	hk_setprogname(argv[0]);
	while ((o = getopt(argc, argv, "hV")) != -1) {
		switch (o) {
		case 'h':
			usage_exit(usage_text, HK_EXIT_OK);
		case 'V':
			version_exit();
		default:
			usage_error(usage_text, "unknown option");
		}
	}
	if (optind != argc)
		usage_error(usage_text, "unexpected argument: %s", argv[optind]);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sig;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	if ((m[0] = open_pty(n0, sizeof n0, &s[0])) == -1 ||
	    (m[1] = open_pty(n1, sizeof n1, &s[1])) == -1)
		die(HK_EXIT_SYS, "pseudo-terminal:");
	printf("%s %s\n", n0, n1);
	if (fflush(stdout) == EOF)
		die(HK_EXIT_SYS, "stdout:");
	while (!stop) {
		p[0].fd = m[0];
		p[1].fd = m[1];
		p[0].events = p[1].events = POLLIN;
		if (poll(p, 2, 1000) == -1) {
			if (errno == EINTR)
				continue;
			die(HK_EXIT_SYS, "poll:");
		}
		for (i = 0; i < 2; i++) {
			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = read(m[i], buf, sizeof buf);
			if (r <= 0)
				continue;
			/* a full peer loses bytes, as a real line would */
			if (!cut && write(m[1 - i], buf, (size_t)r) == -1 &&
			    errno != EAGAIN)
				die(HK_EXIT_SYS, "write:");
		}
	}
	return HK_EXIT_OK;
}
