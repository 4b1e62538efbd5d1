/*
 * mon.h - what the monitors (httpcheck, pingcheck) share: resolving the
 * hosts mon hands them, and the words of the mon and Nagios outputs.
 * The formats are in httpcheck(8) and pingcheck(8).
 */
#ifndef HAKIT_MON_H
#define HAKIT_MON_H

#include <netdb.h>
#include <stddef.h>
#include <stdint.h>

/* Nagios plugin states, which are also its exit codes. */
enum {
	MON_NAG_OK = 0,
	MON_NAG_WARNING = 1,
	MON_NAG_CRITICAL = 2,
	MON_NAG_UNKNOWN = 3
};

/*
 * Resolves host (a name or a numeric IPv4/IPv6 address, IPv6 without
 * brackets) for socktype; family AF_UNSPEC, AF_INET or AF_INET6.  Numeric
 * addresses never touch the resolver.  Returns 0 or a getaddrinfo error
 * (gai_strerror); *res is for freeaddrinfo.
 */
int		mon_resolve(const char *host, int family, int socktype,
		    struct addrinfo **res);

/* "OK", "WARNING", "CRITICAL", "UNKNOWN". */
const char	*mon_nag_word(int state);

/* Microseconds as milliseconds with three decimals ("12.345"), into buf. */
const char	*mon_fmt_ms(char *buf, size_t len, uint64_t us);

/*
 * A Nagios performance-data label for host: the host itself with any
 * character outside [A-Za-z0-9._:-] replaced by '_', then suffix.
 */
const char	*mon_nag_label(char *buf, size_t len, const char *host,
		    const char *suffix);

/*
 * Whether the options in argv (as getopt would read them with optstring,
 * up to the first operand) include flag.  Lets a program know, before
 * parsing, that -N asks for Nagios's exit codes even on a usage error.
 */
int		mon_has_flag(int argc, char *const argv[],
		    const char *optstring, int flag);

#endif
