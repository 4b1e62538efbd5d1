/*
 * common.h - what every hakit program shares: its name, the exit codes,
 * error and usage reporting, strict number and duration parsing.
 * The rules are written down in hakit(7).
 */
#ifndef HAKIT_COMMON_H
#define HAKIT_COMMON_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdnoreturn.h>

#ifndef HAKIT_VERSION
#define HAKIT_VERSION "0.1"
#endif

/* The exit codes of every program: see hakit(7). */
enum {
	HK_EXIT_OK = 0,		/* done; the condition is true */
	HK_EXIT_NO = 1,		/* the check ran and the answer is no */
	HK_EXIT_USAGE = 2,	/* bad option, value, config or key file */
	HK_EXIT_SYS = 3		/* permission, socket, netlink, kernel */
};

/* The largest duration parse_dur() accepts: 365 days, in milliseconds. */
#define HK_DUR_MAX_MS (365ULL * 24 * 3600 * 1000)

extern const char *progname;

void		hk_setprogname(const char *argv0);

/*
 * Messages go to stderr as "progname: text". A format ending in ':'
 * gets ": strerror(errno)" appended, so one call covers both cases.
 */
noreturn void	die(int status, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
void		warnf(const char *fmt, ...)
		    __attribute__((format(printf, 1, 2)));
void		vwarnf(const char *fmt, va_list ap);

/*
 * usage_exit: status 0 prints the usage text to stdout (-h), any other
 * status prints it to stderr.  usage_error: one line saying what is
 * wrong, then the usage text, then exit 2.
 */
noreturn void	usage_exit(const char *text, int status);
noreturn void	usage_error(const char *text, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
noreturn void	version_exit(void);

/*
 * usage_help: -h and --help.  The usage text, a blank line, then one
 * line per option, on stdout; exit 0.  opts holds one line per option,
 * "-c COUNT\tdescription\n": the part before the tab is aligned into a
 * column, and the lines for -h, --help and -V are added at the end.
 * usage_help_arg: call before getopt; when "--help" stands where an
 * option may (before the first operand or "--", not as an option's
 * value: optstring says which take one), calls usage_help.
 */
noreturn void	usage_help(const char *usage, const char *opts);

/*
 * Looks through argv as getopt(3) will, before it runs: 1 when the
 * option letter flag (0: none) or the argument word (NULL: none) stands
 * where an option may (before the first operand or "--", not as the
 * value of an option that optstring says takes one); 0 otherwise.
 */
int		opt_present(int argc, char *const argv[], const char *optstring,
		    int flag, const char *word);
void		usage_help_arg(int argc, char *const argv[],
		    const char *optstring, const char *usage,
		    const char *opts);

/*
 * Arrange for stdout to be flushed and checked at exit: a failed write
 * (EPIPE, ENOSPC) turns a success into exit 3.
 */
void		hk_check_stdout_at_exit(void);

/*
 * Strict parsers: no sign, no blank, no trailing junk, no overflow.
 * They return 0, or -1 with errno EINVAL (malformed) or ERANGE (out of
 * [min, max]).
 */
int		parse_ulong(const char *s, unsigned long min,
		    unsigned long max, unsigned long *out);

/*
 * Durations: "250ms", "2s", "1.5", "1m" (minutes), "1h", "1d"; a bare
 * number is seconds, as heartbeat and mon read it.  The result is in
 * milliseconds, rounded to the nearest; at most HK_DUR_MAX_MS.
 */
int		parse_dur(const char *s, uint64_t *ms);

/*
 * A duration option's value in ms, at least min ms; anything else is a
 * usage error naming what (e.g. "deadtime"): exit 2.
 */
uint64_t	opt_dur(const char *usage, const char *what, const char *s,
		    uint64_t min);

#endif
