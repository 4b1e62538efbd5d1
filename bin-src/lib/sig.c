/*
 * sig.c - the stop signals of every long-running program: a flag and a
 * self-pipe that wakes poll().  See sig.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "sig.h"

volatile sig_atomic_t sig_stop;
static int wake_wr = -1;

static void
on_stop_signal(int sig)
{
	int saved = errno;

	(void)sig;
	sig_stop = 1;
	if (wake_wr >= 0)
		(void)!write(wake_wr, "", 1);
	errno = saved;
}

/* fd moved above stderr (when stdin, stdout or stderr were closed). */
static int
above_stdio(int fd)
{
	int n;

	if (fd > STDERR_FILENO)
		return fd;
	n = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
	close(fd);
	return n;
}

int
sig_stop_pipe(void)
{
	struct sigaction sa, old;
	int fds[2];

	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) < 0)
		return -1;
	fds[0] = above_stdio(fds[0]);
	fds[1] = above_stdio(fds[1]);
	if (fds[0] < 0 || fds[1] < 0) {
		if (fds[0] >= 0)
			close(fds[0]);
		if (fds[1] >= 0)
			close(fds[1]);
		return -1;
	}
	wake_wr = fds[1];
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	/*
	 * SIGINT ignored on entry stays so: sh starts background jobs with
	 * it ignored (POSIX, Shell Command Language 2.11), so that a
	 * Ctrl-C reaches the script (hbnode stops cleanly) and not the
	 * programs it runs.
	 */
	if (sigaction(SIGINT, NULL, &old) < 0 || old.sa_handler != SIG_IGN)
		sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return fds[0];
}
