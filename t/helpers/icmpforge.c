/*
 * icmpforge - test helper for t/41-pingcheck.bats: an off-path attacker
 * forging ICMP destination-unreachable errors about a pinger's echo
 * requests, which it never sees: it guesses their echo id (given) and
 * sequence numbers (one a round, from the time).
 *
 *   icmpforge [-q QUOTE[,QUOTE]] [-i INTERVAL] [-w WIDTH] [-p PAUSE]
 *       [-t DURATION] VICTIM TARGET ID[,ID] FIRST
 *
 * Every PAUSE (default 20ms) for DURATION (default 5s) it sends to
 * VICTIM, from a raw ICMP socket (the kernel makes the outer IP header,
 * from this host's address), host unreachable errors (IPv4 type 3 code
 * 1, IPv6 type 1 code 3) quoting an echo request of 32 bytes, as
 * pingcheck's, from VICTIM to TARGET: one for each echo ID and each
 * sequence number within WIDTH (default 3) of the one due now, FIRST at
 * start and one more each INTERVAL (default 100ms).  The quote ends
 * after the echo header and QUOTE bytes of its data (0 to 24, default
 * 0: the 8 bytes RFC 792 promises), random bytes where a cookie would
 * be; with two, one error of each.
 * stdout at the end: "sent N".  Exit status: 0; 2 usage; 3 system error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "common.h"
#include "pkt.h"
#include "tm.h"

static const char usage_text[] =
    "usage: icmpforge [-q QUOTE[,QUOTE]] [-i INTERVAL] [-w WIDTH] [-p PAUSE]"
    " [-t DURATION] VICTIM TARGET ID[,ID] FIRST\n";

#define ECHO_DATA	24	/* pingcheck's payload */
#define MAXIDS		2

/* "N" or "N,M": n values in [min, max]. */
static int
parse_list(const char *s, unsigned long max, unsigned long *v, int *n)
{
	char buf[32], *comma;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	*n = 1;
	if ((comma = strchr(buf, ',')) != NULL) {
		*comma = '\0';
		if (parse_ulong(comma + 1, 0, max, &v[1]) < 0)
			return -1;
		*n = 2;
	}
	return parse_ulong(buf, 0, max, &v[0]);
}

/*
 * The ICMP error into buf: its header, the quoted IP header, the echo
 * header with id and seq, quote bytes of random data.  Its length.
 */
static size_t
build(unsigned char *buf, const struct hk_addr *victim,
    const struct hk_addr *target, unsigned id, unsigned seq, size_t quote)
{
	unsigned char *q, *e;
	size_t iphl = victim->family == AF_INET ? 20 : 40, alen;
	uint16_t c;

	alen = addr_len(victim);
	memset(buf, 0, 8 + iphl + 8 + quote);
	q = buf + 8;
	e = q + iphl;
	if (victim->family == AF_INET) {
		buf[0] = 3;		/* destination unreachable */
		buf[1] = 1;		/* host */
		q[0] = 0x45;
		q[2] = 0;
		q[3] = 20 + 8 + ECHO_DATA;
		q[4] = (unsigned char)seq;	/* an IP id */
		q[6] = 0x40;		/* don't fragment */
		q[8] = 64;
		q[9] = 1;		/* ICMP */
		memcpy(q + 12, victim->u.b, alen);
		memcpy(q + 16, target->u.b, alen);
		c = pkt_csum(q, 20, 0);
		q[10] = (unsigned char)(c >> 8);
		q[11] = (unsigned char)c;
		e[0] = 8;		/* echo request */
	} else {
		buf[0] = 1;		/* destination unreachable */
		buf[1] = 3;		/* address */
		q[0] = 0x60;
		q[5] = 8 + ECHO_DATA;
		q[6] = 58;		/* ICMPv6 */
		q[7] = 64;
		memcpy(q + 8, victim->u.b, alen);
		memcpy(q + 24, target->u.b, alen);
		e[0] = 128;		/* echo request */
	}
	e[4] = (unsigned char)(id >> 8);
	e[5] = (unsigned char)id;
	e[6] = (unsigned char)(seq >> 8);
	e[7] = (unsigned char)seq;
	if (quote > 0 && getrandom(e + 8, quote, 0) != (ssize_t)quote)
		die(HK_EXIT_SYS, "getrandom:");
	/* The kernel sums ICMPv6 on a raw socket; IPv4's is ours. */
	if (victim->family == AF_INET) {
		c = pkt_csum(buf, 8 + iphl + 8 + quote, 0);
		buf[2] = (unsigned char)(c >> 8);
		buf[3] = (unsigned char)c;
	}
	return 8 + iphl + 8 + quote;
}

int
main(int argc, char **argv)
{
	unsigned char buf[8 + 40 + 8 + ECHO_DATA];
	struct hk_addr victim, target;
	struct sockaddr_storage ss;
	struct timespec ts;
	socklen_t sl;
	unsigned long quote[2] = { 0, 0 }, id[MAXIDS], first, width = 3, sent = 0;
	uint64_t iv = 100, pause = 20, dur = 5000, t0, el;
	long cur, s;
	int opt, nq = 1, nid, fd, i, j;

	hk_setprogname(argv[0]);
	while ((opt = getopt(argc, argv, "i:p:q:t:w:")) != -1) {
		switch (opt) {
		case 'i':
			iv = opt_dur(usage_text, "interval", optarg, 1);
			break;
		case 'p':
			pause = opt_dur(usage_text, "pause", optarg, 1);
			break;
		case 'q':
			if (parse_list(optarg, ECHO_DATA, quote, &nq) < 0)
				usage_error(usage_text, "bad quote: %s", optarg);
			break;
		case 't':
			dur = opt_dur(usage_text, "duration", optarg, 1);
			break;
		case 'w':
			if (parse_ulong(optarg, 0, 100, &width) < 0)
				usage_error(usage_text, "bad width: %s", optarg);
			break;
		default:
			usage_exit(usage_text, HK_EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 4)
		usage_exit(usage_text, HK_EXIT_USAGE);
	if (addr_parse(argv[0], &victim) < 0 ||
	    addr_parse(argv[1], &target) < 0 ||
	    victim.family != target.family)
		usage_error(usage_text, "bad addresses: %s %s", argv[0],
		    argv[1]);
	if (parse_list(argv[2], 65535, id, &nid) < 0)
		usage_error(usage_text, "bad echo id: %s", argv[2]);
	if (parse_ulong(argv[3], 0, 65535, &first) < 0)
		usage_error(usage_text, "bad sequence: %s", argv[3]);
	fd = socket(victim.family, SOCK_RAW, victim.family == AF_INET ?
	    IPPROTO_ICMP : IPPROTO_ICMPV6);
	if (fd < 0)
		die(HK_EXIT_SYS, "socket:");
	sl = addr_to_sockaddr(&victim, 0, &ss);
	t0 = tm_now_ms();
	while ((el = tm_now_ms() - t0) < dur) {
		cur = (long)first + (long)(el / iv);
		for (s = cur - (long)width; s <= cur + (long)width; s++) {
			if (s < 0)
				continue;
			for (i = 0; i < nid; i++)
				for (j = 0; j < nq; j++) {
					size_t n = build(buf, &victim, &target,
					    (unsigned)id[i],
					    (unsigned)(s & 0xffff), quote[j]);

					if (sendto(fd, buf, n, 0,
					    (struct sockaddr *)&ss, sl) < 0) {
						if (errno != ENOBUFS &&
						    errno != EAGAIN)
							die(HK_EXIT_SYS,
							    "sendto:");
					} else
						sent++;
				}
		}
		ts.tv_sec = (time_t)(pause / 1000);
		ts.tv_nsec = (long)(pause % 1000) * 1000000;
		nanosleep(&ts, NULL);
	}
	printf("sent %lu\n", sent);
	return 0;
}
