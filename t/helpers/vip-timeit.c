/*
 * vip-timeit - benchmark helper for t/bench/vip.sh: runs commands one
 * after the other (fork, exec, wait; no shell), stops at the first that
 * fails, and prints the microseconds they took together, on the
 * monotonic clock.
 *
 *   vip-timeit CMD [ARG...] [-- CMD [ARG...]]...
 *
 * Exit 0 when every command succeeded, 1 when one failed, 3 when one
 * could not be run.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "tm.h"

static const char usage_text[] =
    "usage: vip-timeit CMD [ARG...] [-- CMD [ARG...]]...\n";

/* Runs argv[0..] (NULL-terminated); its exit status, or -1. */
static int
run(char *argv[])
{
	pid_t pid;
	int st;

	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		execvp(argv[0], argv);
		warnf("cannot run %s:", argv[0]);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

int
main(int argc, char *argv[])
{
	uint64_t t0, t1;
	int i, start, st;

	hk_setprogname(argv[0]);
	hk_check_stdout_at_exit();
	if (argc < 2)
		usage_error(usage_text, "missing command");
	t0 = tm_now_us();
	for (start = 1; start < argc; start = i + 1) {
		for (i = start; i < argc && strcmp(argv[i], "--") != 0; i++)
			continue;
		if (i == start)
			usage_error(usage_text, "empty command");
		argv[i == argc ? argc : i] = NULL;
		st = run(argv + start);
		if (st < 0)
			die(HK_EXIT_SYS, "cannot run %s:", argv[start]);
		if (st != 0) {
			warnf("%s exited %d", argv[start], st);
			return st == 127 ? HK_EXIT_SYS : HK_EXIT_NO;
		}
	}
	t1 = tm_now_us();
	printf("%llu\n", (unsigned long long)(t1 - t0));
	return HK_EXIT_OK;
}
