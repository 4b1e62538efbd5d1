/*
 * common.c - program name, messages, usage, strict parsers.
 * This is the one lib module that prints and exits: that is its job.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

const char *progname = "hakit";

void
hk_setprogname(const char *argv0)
{
	const char *p;

	if (argv0 == NULL || *argv0 == '\0')
		return;
	p = strrchr(argv0, '/');
	progname = p != NULL ? p + 1 : argv0;
}

/* Adds what snprintf says it wrote to *len, at most up to size - 1. */
static void
grow(size_t *len, int r, size_t size)
{
	if (r > 0)
		*len += (size_t)r;
	if (*len > size - 1)
		*len = size - 1;
}

/*
 * The whole line in one write(2): programs that share a log (hbnode's
 * hbsend and hbrecv) must not cut each other's lines in the middle.  A
 * line longer than the buffer is cut short.
 */
void
vwarnf(const char *fmt, va_list ap)
{
	char buf[2048];
	int saved = errno;
	size_t n = strlen(fmt), len = 0, off = 0;
	ssize_t w;

	fflush(stdout);
	grow(&len, snprintf(buf, sizeof(buf), "%s: ", progname), sizeof(buf));
	grow(&len, vsnprintf(buf + len, sizeof(buf) - len, fmt, ap),
	    sizeof(buf));
	if (n > 0 && fmt[n - 1] == ':')
		grow(&len, snprintf(buf + len, sizeof(buf) - len, " %s",
		    strerror(saved)), sizeof(buf));
	buf[len++] = '\n';
	while (off < len) {
		w = write(STDERR_FILENO, buf + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	errno = saved;
}

void
warnf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnf(fmt, ap);
	va_end(ap);
}

noreturn void
die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnf(fmt, ap);
	va_end(ap);
	exit(status);
}

noreturn void
usage_exit(const char *text, int status)
{
	fputs(text, status == 0 ? stdout : stderr);
	exit(status);
}

noreturn void
usage_error(const char *text, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnf(fmt, ap);
	va_end(ap);
	usage_exit(text, HK_EXIT_USAGE);
}

/* The lines every program has, after its own. */
static const char help_common[] =
    "-h, --help\tprint this help and exit\n"
    "-V\tprint the version and exit\n";

/* Print opts' lines, "LEFT\tTEXT\n", with TEXT at column width + 4. */
static void
help_lines(const char *opts, int width)
{
	const char *p, *tab, *nl;

	for (p = opts; *p != '\0'; p = nl + (*nl != '\0')) {
		nl = p + strcspn(p, "\n");
		tab = memchr(p, '\t', (size_t)(nl - p));
		if (tab == NULL)
			tab = nl;
		printf("  %-*.*s", width, (int)(tab - p), p);
		if (tab < nl)
			printf("  %.*s", (int)(nl - tab - 1), tab + 1);
		putchar('\n');
	}
}

/* The widest part before a tab in opts, at least w. */
static int
help_width(const char *opts, int w)
{
	size_t n;

	for (; *opts != '\0'; opts += n + (opts[n] != '\0')) {
		n = strcspn(opts, "\n");
		if (strcspn(opts, "\t\n") > (size_t)w)
			w = (int)strcspn(opts, "\t\n");
	}
	return w;
}

noreturn void
usage_help(const char *usage, const char *opts)
{
	int w;

	w = help_width(help_common, help_width(opts, 0));
	fputs(usage, stdout);
	putchar('\n');
	help_lines(opts, w);
	help_lines(help_common, w);
	exit(HK_EXIT_OK);
}

int
opt_present(int argc, char *const argv[], const char *optstring, int flag,
    const char *word)
{
	const char *a, *o;
	int i;

	for (i = 1; i < argc; i++) {
		a = argv[i];
		if (word != NULL && strcmp(a, word) == 0)
			return 1;
		if (a[0] != '-' || a[1] == '\0' || strcmp(a, "--") == 0)
			return 0;
		for (a++; *a != '\0'; a++) {
			if (flag != 0 && *a == flag)
				return 1;
			if (*a == ':' || (o = strchr(optstring, *a)) == NULL ||
			    o[1] != ':')
				continue;
			/* The rest of this word, or the next, is its value. */
			if (a[1] == '\0')
				i++;
			break;
		}
	}
	return 0;
}

void
usage_help_arg(int argc, char *const argv[], const char *optstring,
    const char *usage, const char *opts)
{
	if (opt_present(argc, argv, optstring, 0, "--help"))
		usage_help(usage, opts);
}

noreturn void
version_exit(void)
{
	printf("%s (hakit) %s\n", progname, HAKIT_VERSION);
	exit(HK_EXIT_OK);
}

static void
check_stdout(void)
{
	int bad;

	bad = fflush(stdout) != 0 || ferror(stdout);
	if (fclose(stdout) != 0)
		bad = 1;
	if (bad) {
		warnf("write error on stdout:");
		_exit(HK_EXIT_SYS);
	}
}

void
hk_check_stdout_at_exit(void)
{
	atexit(check_stdout);
}

int
parse_ulong(const char *s, unsigned long min, unsigned long max,
    unsigned long *out)
{
	unsigned long v = 0;
	const char *p;

	if (s == NULL || *s == '\0') {
		errno = EINVAL;
		return -1;
	}
	for (p = s; *p != '\0'; p++) {
		unsigned d;

		if (*p < '0' || *p > '9') {
			errno = EINVAL;
			return -1;
		}
		d = (unsigned)(*p - '0');
		if (v > (ULONG_MAX - d) / 10) {
			errno = ERANGE;
			return -1;
		}
		v = v * 10 + d;
	}
	if (v < min || v > max) {
		errno = ERANGE;
		return -1;
	}
	*out = v;
	return 0;
}

/* Microseconds in one of each unit; the bare number is seconds. */
static const struct {
	const char *name;
	uint64_t us;
} dur_units[] = {
	{ "ms", 1000ULL },
	{ "s", 1000000ULL },
	{ "m", 60000000ULL },
	{ "h", 3600000000ULL },
	{ "d", 86400000000ULL },
	{ "", 1000000ULL },
};

int
parse_dur(const char *s, uint64_t *ms)
{
	uint64_t whole = 0, frac = 0, scale = 1, unit = 0, us;
	const char *p = s;
	size_t i, digits = 0;

	if (s == NULL)
		goto bad;
	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		if (whole > (UINT64_MAX - 9) / 10)
			goto range;
		whole = whole * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		p++;
		for (; *p >= '0' && *p <= '9'; p++, digits++) {
			/* Digits past microseconds cannot matter. */
			if (scale < 1000000000ULL) {
				frac = frac * 10 + (uint64_t)(*p - '0');
				scale *= 10;
			}
		}
	}
	if (digits == 0)
		goto bad;
	for (i = 0; i < sizeof(dur_units) / sizeof(dur_units[0]); i++)
		if (strcmp(p, dur_units[i].name) == 0) {
			unit = dur_units[i].us;
			break;
		}
	if (unit == 0)
		goto bad;
	if (whole > HK_DUR_MAX_MS * 1000 / unit)
		goto range;
	us = whole * unit + frac * unit / scale;
	if (us > HK_DUR_MAX_MS * 1000)
		goto range;
	*ms = (us + 500) / 1000;
	return 0;
bad:
	errno = EINVAL;
	return -1;
range:
	errno = ERANGE;
	return -1;
}

uint64_t
opt_dur(const char *usage, const char *what, const char *s, uint64_t min)
{
	uint64_t ms;

	if (parse_dur(s, &ms) < 0 || ms < min)
		usage_error(usage, "bad %s '%s': want a duration of at "
		    "least %llums, e.g. 500ms or 10s", what, s,
		    (unsigned long long)min);
	return ms;
}
