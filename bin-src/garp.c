/*
 * garp - announce an address with gratuitous ARP (IPv4) or unsolicited
 * neighbour advertisements (IPv6), or probe that no other host holds it
 * (RFC 5227 ARP probes, RFC 4862 duplicate address detection).
 * See garp(8).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/types.h>
#include <unistd.h>

#include "addr.h"
#include "common.h"
#include "pkt.h"
#include "tm.h"

static const char usage_text[] =
    "usage: garp [-c COUNT] [-i INTERVAL] [-m request|reply|both] [-R]"
    " [-D] [-S] [-t TIMEOUT] [-v] -I IFACE ADDRESS\n";

/* One line per option, for -h and --help: see usage_help(). */
static const char help_text[] =
    "-c COUNT\tannouncements (default 5); with -D, most probes\n"
    "-i INTERVAL\ttime between rounds or probes, ms or s (default 200ms)\n"
    "-m request|reply|both\t"
    "IPv4: ARP packets to announce with (default both)\n"
    "-R\tIPv6: set the Router flag in the advertisements (RFC 4861 4.4)\n"
    "-D\tprobe that no host holds ADDRESS, do not announce\n"
    "-S\t-D: also count another host's probe for ADDRESS, as RFC 5227"
    " 2.1.1 and RFC 4862 5.4.3 do for a host probing at the same time\n"
    "-t TIMEOUT\t-D: how long to await an answer, ms or s (default 1s)\n"
    "-v\tsay on stderr each packet sent and what the probe found\n"
    "-I IFACE\tthe Ethernet interface (required)\n";
#define OPTS		"c:i:m:RDSt:vI:hV"

enum {
	MODE_REQUEST = 1,
	MODE_REPLY = 2,
	MODE_BOTH = 3
};

#define OWN_MAX 64

/* The whole run: what to send, where, and how often. */
struct garp {
	struct pkt_if	ifc;
	struct hk_addr	addr;
	char		addrstr[ADDR_STRLEN];
	unsigned long	count;		/* 0 with -D: as many as fit */
	uint64_t	interval_ms;
	uint64_t	timeout_ms;
	int		mode;
	int		router;		/* -R: RFC 4861 4.4 flag R */
	int		probe;
	int		simul;		/* -S: others' probes count */
	int		verbose;
	int		fd;
	/* The MACs of this host's interfaces: answers from them are ours. */
	unsigned char	own[OWN_MAX][PKT_MACLEN];
	size_t		nown;
};

static const unsigned char mac_bcast[PKT_MACLEN] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff
};
static const unsigned char mac_zero[PKT_MACLEN];

/* Sleeps until the monotonic clock reaches deadline (ms). */
static void
sleep_until(uint64_t deadline)
{
	uint64_t now;

	while ((now = tm_now_ms()) < deadline) {
		struct timespec ts;
		uint64_t d = deadline - now;

		ts.tv_sec = (time_t)(d / 1000);
		ts.tv_nsec = (long)(d % 1000) * 1000000L;
		(void)nanosleep(&ts, NULL);
	}
}

static void
send_or_die(struct garp *g, uint16_t ethertype, const unsigned char *dst,
    const void *buf, size_t len, const char *what)
{
	char m[PKT_MACSTRLEN];

	if (pkt_send(g->fd, g->ifc.index, ethertype, dst, buf, len) < 0)
		die(HK_EXIT_SYS, "cannot send %s for %s on %s:", what,
		    g->addrstr, g->ifc.name);
	if (g->verbose)
		warnf("sent %s for %s on %s from %s", what, g->addrstr,
		    g->ifc.name, pkt_mac_fmt(g->ifc.mac, m));
}

/* One round of announcements: a request and/or a reply, or one NA. */
static void
announce_once(struct garp *g)
{
	unsigned char buf[PKT_ND_MAXLEN];
	size_t len;

	if (g->addr.family == AF_INET) {
		/*
		 * Sender and target protocol address are both ours.  The
		 * reply repeats our MAC as target hardware address: Linux
		 * takes a reply as gratuitous only then (arp_is_garp).
		 */
		if (g->mode & MODE_REQUEST) {
			len = pkt_arp_build(buf, PKT_ARP_REQUEST, g->ifc.mac,
			    g->addr.u.v4, mac_zero, g->addr.u.v4);
			send_or_die(g, ETH_P_ARP, mac_bcast, buf, len,
			    "gratuitous ARP request");
		}
		if (g->mode & MODE_REPLY) {
			len = pkt_arp_build(buf, PKT_ARP_REPLY, g->ifc.mac,
			    g->addr.u.v4, g->ifc.mac, g->addr.u.v4);
			send_or_die(g, ETH_P_ARP, mac_bcast, buf, len,
			    "gratuitous ARP reply");
		}
	} else {
		struct in6_addr all;
		unsigned char dst[PKT_MACLEN];

		inet_pton(AF_INET6, "ff02::1", &all);
		pkt_mcast_mac(&all, dst);
		/*
		 * A neighbour that takes ADDRESS for a router and hears an
		 * NA without R drops the routes through it (RFC 4861
		 * 7.2.5; Linux: rt6_clean_tohost): -R keeps them.
		 */
		len = pkt_na_build(buf, &g->addr.u.v6, &all, &g->addr.u.v6,
		    PKT_NA_OVERRIDE | (g->router ? PKT_NA_ROUTER : 0),
		    g->ifc.mac);
		send_or_die(g, ETH_P_IPV6, dst, buf, len,
		    "unsolicited neighbour advertisement");
	}
}

static void
announce(struct garp *g)
{
	uint64_t t0 = tm_now_ms();
	unsigned long i;

	for (i = 0; i < g->count; i++) {
		if (i > 0)
			sleep_until(t0 + i * g->interval_ms);
		announce_once(g);
	}
}

static void
probe_once(struct garp *g)
{
	unsigned char buf[PKT_ND_MAXLEN];
	size_t len;

	if (g->addr.family == AF_INET) {
		struct in_addr any = { 0 };

		/* RFC 5227 2.1.1: sender 0.0.0.0, target hardware zero. */
		len = pkt_arp_build(buf, PKT_ARP_REQUEST, g->ifc.mac, any,
		    mac_zero, g->addr.u.v4);
		send_or_die(g, ETH_P_ARP, mac_bcast, buf, len, "ARP probe");
	} else {
		struct in6_addr snm;
		unsigned char dst[PKT_MACLEN];

		pkt_solicited_node(&g->addr.u.v6, &snm);
		pkt_mcast_mac(&snm, dst);
		len = pkt_ns_build(buf, &in6addr_any, &snm, &g->addr.u.v6,
		    NULL);
		send_or_die(g, ETH_P_IPV6, dst, buf, len,
		    "neighbour solicitation (DAD)");
	}
}

/*
 * Notes the MAC of every interface of this host (RFC 5227 2.1.1: "not
 * the hardware address of any of the host's interfaces"), so that a
 * second NIC on the same LAN answering for an address of ours is not
 * taken for another host.  IFACE's own MAC is always first.
 */
static void
own_macs(struct garp *g)
{
	struct ifaddrs *ifa0, *ifa;

	memcpy(g->own[0], g->ifc.mac, PKT_MACLEN);
	g->nown = 1;
	if (getifaddrs(&ifa0) < 0)
		return;
	for (ifa = ifa0; ifa != NULL && g->nown < OWN_MAX;
	    ifa = ifa->ifa_next) {
		const struct sockaddr_ll *sll =
		    (const struct sockaddr_ll *)(void *)ifa->ifa_addr;
		static const unsigned char zero[PKT_MACLEN];

		if (sll == NULL || sll->sll_family != AF_PACKET ||
		    sll->sll_halen != PKT_MACLEN ||
		    memcmp(sll->sll_addr, zero, PKT_MACLEN) == 0)
			continue;
		memcpy(g->own[g->nown++], sll->sll_addr, PKT_MACLEN);
	}
	freeifaddrs(ifa0);
}

static int
is_own(const struct garp *g, const unsigned char *mac)
{
	size_t i;

	for (i = 0; i < g->nown; i++)
		if (memcmp(g->own[i], mac, PKT_MACLEN) == 0)
			return 1;
	return 0;
}

/*
 * Is this frame another host claiming our address?  For IPv4: any ARP
 * packet whose sender is the address (RFC 5227 2.1.1).  For IPv6: an
 * advertisement for it.  With -S also another host's probe for it
 * (RFC 5227 2.1.1) or DAD solicitation (RFC 4862 5.4.3): without, a
 * host that only probes, and never takes the address, cannot hold a
 * takeover off for as long as it keeps probing.  Frames from this
 * host's own MACs never count.  On a conflict, the holder's MAC goes to mac.
 */
static int
conflict(const struct garp *g, const unsigned char *buf, size_t len,
    const unsigned char *src, unsigned char *mac)
{
	if (g->addr.family == AF_INET) {
		struct pkt_arp a;

		if (pkt_arp_parse(buf, len, &a) < 0 ||
		    is_own(g, a.sha))
			return 0;
		if (a.spa.s_addr == g->addr.u.v4.s_addr || (g->simul &&
		    a.op == PKT_ARP_REQUEST && a.spa.s_addr == 0 &&
		    a.tpa.s_addr == g->addr.u.v4.s_addr)) {
			memcpy(mac, a.sha, PKT_MACLEN);
			return 1;
		}
		return 0;
	} else {
		struct pkt_nd nd;
		const unsigned char *who;

		if (pkt_nd_parse(buf, len, &nd) < 0 ||
		    !IN6_ARE_ADDR_EQUAL(&nd.target, &g->addr.u.v6))
			return 0;
		who = nd.has_lladdr ? nd.lladdr : src;
		if (is_own(g, who) || is_own(g, src))
			return 0;
		if (nd.type == PKT_ND_NA || (g->simul &&
		    IN6_IS_ADDR_UNSPECIFIED(&nd.src))) {
			memcpy(mac, who, PKT_MACLEN);
			return 1;
		}
		return 0;
	}
}

/*
 * Reads what is queued, at most a batch so that a flood of other
 * traffic cannot hold the deadline off; 1 with the holder's MAC on a
 * conflict.
 */
static int
drain(struct garp *g, unsigned char *mac)
{
	unsigned char buf[PKT_BUFSIZE], src[PKT_MACLEN];
	ssize_t n;
	int type, i;

	for (i = 0; i < 256; i++) {
		n = pkt_recv(g->fd, buf, sizeof(buf), src, &type);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			die(HK_EXIT_SYS, "cannot read from %s:", g->ifc.name);
		}
		if (type == PACKET_OUTGOING)
			continue;
		if (conflict(g, buf, (size_t)n, src, mac))
			return 1;
	}
	return 0;
}

/* 1 and the holder's MAC when someone answers for the address. */
static int
probe(struct garp *g, unsigned char *mac)
{
	uint64_t t0 = tm_now_ms(), deadline = t0 + g->timeout_ms, next = t0;
	unsigned long sent = 0;
	struct pollfd pfd = { .fd = g->fd, .events = POLLIN };

	for (;;) {
		uint64_t now = tm_now_ms(), until = deadline;

		/* What came in with the deadline still counts. */
		if (now >= deadline)
			return drain(g, mac);
		if (now >= next && (g->count == 0 || sent < g->count)) {
			probe_once(g);
			sent++;
			next = t0 + sent * g->interval_ms;
		}
		if ((g->count == 0 || sent < g->count) && next < until)
			until = next;
		if (poll(&pfd, 1, tm_poll_timeout(until)) < 0) {
			if (errno == EINTR)
				continue;
			die(HK_EXIT_SYS, "poll:");
		}
		if ((pfd.revents & POLLIN) && drain(g, mac))
			return 1;
		if (pfd.revents & (POLLERR | POLLNVAL))
			die(HK_EXIT_SYS, "error on the packet socket on %s",
			    g->ifc.name);
	}
}

/*
 * The kernel waits for an RCU grace period (some 15 ms) whenever a
 * packet socket is released, and a process's exit waits for its files
 * to be released.  A child that holds nothing else takes that wait over,
 * so that garp's exit, and the takeover that waits for it, need not.
 */
static void
close_fast(int fd)
{
	pid_t pid = fork();

	if (pid == 0) {
		(void)close_range(0, (unsigned)fd - 1, 0);
		(void)close_range((unsigned)fd + 1, ~0U, 0);
		close(fd);
		_exit(0);
	}
	close(fd);
}

static int
parse_mode(const char *s)
{
	if (strcmp(s, "request") == 0)
		return MODE_REQUEST;
	if (strcmp(s, "reply") == 0)
		return MODE_REPLY;
	if (strcmp(s, "both") == 0)
		return MODE_BOTH;
	return 0;
}

/* Refuses what no host can hold as its own unicast address. */
static int
addr_usable(const struct hk_addr *a)
{
	if (a->family == AF_INET) {
		uint32_t v = ntohl(a->u.v4.s_addr);

		return v != 0 && v != 0xffffffffU && (v >> 28) != 0xe &&
		    (v >> 24) != 127;
	}
	return !IN6_IS_ADDR_UNSPECIFIED(&a->u.v6) &&
	    !IN6_IS_ADDR_LOOPBACK(&a->u.v6) &&
	    !IN6_IS_ADDR_MULTICAST(&a->u.v6) &&
	    !IN6_IS_ADDR_V4MAPPED(&a->u.v6);
}

int
main(int argc, char *argv[])
{
	struct garp g = {
		.count = 5,
		.interval_ms = 200,
		.timeout_ms = 1000,
		.mode = MODE_BOTH,
		.fd = -1,
	};
	const char *ifname = NULL;
	int c, count_set = 0, mode_set = 0, timeout_set = 0;
	unsigned char mac[PKT_MACLEN];
	char macstr[PKT_MACSTRLEN];

	hk_setprogname(argv[0]);
	usage_help_arg(argc, argv, OPTS, usage_text, help_text);
	hk_check_stdout_at_exit();
	while ((c = getopt(argc, argv, OPTS)) != -1) {
		switch (c) {
		case 'c':
			if (parse_ulong(optarg, 1, 1000000, &g.count) < 0)
				usage_error(usage_text, "bad count '%s' "
				    "(1 to 1000000)", optarg);
			count_set = 1;
			break;
		case 'i':
			if (parse_dur(optarg, &g.interval_ms) < 0)
				usage_error(usage_text, "bad interval '%s':",
				    optarg);
			break;
		case 'm':
			if ((g.mode = parse_mode(optarg)) == 0)
				usage_error(usage_text, "bad mode '%s' "
				    "(request, reply or both)", optarg);
			mode_set = 1;
			break;
		case 'R':
			g.router = 1;
			break;
		case 'D':
			g.probe = 1;
			break;
		case 'S':
			g.simul = 1;
			break;
		case 't':
			if (parse_dur(optarg, &g.timeout_ms) < 0)
				usage_error(usage_text, "bad timeout '%s':",
				    optarg);
			if (g.timeout_ms == 0)
				usage_error(usage_text, "bad timeout '%s' "
				    "(must be more than 0)", optarg);
			timeout_set = 1;
			break;
		case 'v':
			g.verbose = 1;
			break;
		case 'I':
			ifname = optarg;
			break;
		case 'h':
			usage_help(usage_text, help_text);
		case 'V':
			version_exit();
		default:
			usage_exit(usage_text, HK_EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (ifname == NULL)
		usage_error(usage_text, "missing -I IFACE");
	if (argc < 1)
		usage_error(usage_text, "missing ADDRESS");
	if (argc > 1)
		usage_error(usage_text, "unexpected argument '%s'", argv[1]);
	if (addr_parse(argv[0], &g.addr) < 0)
		usage_error(usage_text, "bad address '%s' (a numeric IPv4 or "
		    "IPv6 address, no prefix)", argv[0]);
	if (!addr_usable(&g.addr))
		usage_error(usage_text, "'%s' is not a unicast address a host "
		    "can hold", argv[0]);
	addr_fmt(&g.addr, g.addrstr, sizeof(g.addrstr));
	if (timeout_set && !g.probe)
		usage_error(usage_text, "-t is the probe's timeout: it needs "
		    "-D");
	if (g.simul && !g.probe)
		usage_error(usage_text, "-S is for the probe: it needs -D");
	if (g.router && g.probe)
		usage_error(usage_text, "-R is for announcements: a probe "
		    "sends no advertisement");
	if (g.router && g.addr.family == AF_INET)
		usage_error(usage_text, "-R is for IPv6: ARP has no router "
		    "flag");
	if (mode_set && g.probe)
		usage_error(usage_text, "-m is for announcements: a probe is "
		    "always a request");
	if (mode_set && g.addr.family == AF_INET6)
		usage_error(usage_text, "-m is for ARP: IPv6 announces with "
		    "neighbour advertisements");
	if (g.probe && g.interval_ms == 0)
		usage_error(usage_text, "a probe needs an interval of more "
		    "than 0");
	if (g.probe && !count_set)
		g.count = 0;

	if (pkt_if_get(ifname, &g.ifc) < 0) {
		if (errno == ENODEV)
			usage_error(usage_text, "unknown interface '%s'",
			    ifname);
		if (errno == EPFNOSUPPORT)
			usage_error(usage_text, "%s is not an Ethernet "
			    "interface", ifname);
		die(HK_EXIT_SYS, "cannot read the address of %s:", ifname);
	}
	g.fd = pkt_open(g.ifc.index,
	    g.addr.family == AF_INET ? ETH_P_ARP : ETH_P_IPV6, g.probe);
	if (g.fd < 0)
		die(HK_EXIT_SYS, "cannot open a packet socket on %s:",
		    ifname);

	if (!g.probe) {
		announce(&g);
		close_fast(g.fd);
		return HK_EXIT_OK;
	}
	own_macs(&g);
	if (g.addr.family == AF_INET6) {
		struct in6_addr all, snm;
		unsigned char m[PKT_MACLEN];

		/*
		 * Hear advertisements to all-nodes, and with -S other
		 * hosts' DAD probes, even where the kernel has not joined
		 * the groups (IPv6 off on the interface).  Best effort.
		 */
		inet_pton(AF_INET6, "ff02::1", &all);
		pkt_mcast_mac(&all, m);
		(void)pkt_join(g.fd, g.ifc.index, m);
		if (g.simul) {
			pkt_solicited_node(&g.addr.u.v6, &snm);
			pkt_mcast_mac(&snm, m);
			(void)pkt_join(g.fd, g.ifc.index, m);
		}
	}
	c = probe(&g, mac);
	close_fast(g.fd);
	if (c) {
		pkt_mac_fmt(mac, macstr);
		printf("%s\n", macstr);
		if (g.verbose)
			warnf("%s is held by %s on %s", g.addrstr, macstr,
			    g.ifc.name);
		return HK_EXIT_NO;
	}
	if (g.verbose)
		warnf("no other host answered for %s on %s", g.addrstr,
		    g.ifc.name);
	return HK_EXIT_OK;
}
