/*
 * pingcheck.c - ICMP echo checks of many hosts at once, from one socket
 * per address family under one poll() loop: a one-shot check speaking
 * mon's monitor protocol (or Nagios's with -N), or with -f a stream of
 * per-round lines and debounced state changes for one uplink: down, up,
 * or degraded when fewer than MIN hosts keep their loss and round-trip
 * time over a window of rounds under the limits, with the sockets
 * following -I's interface and address through rtnetlink.
 * See pingcheck(8).
 */
#include <errno.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <linux/errqueue.h>
#include <linux/if_addr.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "addr.h"
#include "common.h"
#include "mon.h"
#include "nl.h"
#include "sig.h"
#include "tm.h"

static const char usage_text[] =
    "usage: pingcheck [-Nv] [-c COUNT] [-i INTERVAL] [-t TIMEOUT] [-l MAXLOSS]"
    " [-I IFACE] [-S SRCADDR] [-g GATEWAY|any] [-w RTA,PL%] [-C RTA,PL%]"
    " HOST ...\n"
    "       pingcheck -f [-v] [-i INTERVAL] [-t TIMEOUT] [-d DOWN] [-u UP]"
    " [-a MIN] [-L FAIL[:RECOVER]] [-R FAIL[:RECOVER]] [-W WINDOW]"
    " [-I IFACE] [-S SRCADDR] [-g GATEWAY|any] HOST ...\n";

/* One line per option, for -h and --help: see usage_help(). */
static const char help_text[] =
    "-N\tNagios plugin mode: one line of output, Nagios's exit codes\n"
    "\twithout -N: mon's; line 1 names the failed hosts and is empty\n"
    "\twhen all passed (mon's summary line; scripts rely on it)\n"
    "-v\tsay on stderr which ICMP socket and echo id are used\n"
    "-c COUNT\trounds of requests, 1 to 10000 (default 3)\n"
    "-i INTERVAL\ttime between rounds, ms or s (default 200ms)\n"
    "-t TIMEOUT\thow long a reply is awaited, ms or s (default 1s)\n"
    "-l MAXLOSS\t"
    "a host fails above this loss, 0 to 100% (default: only at 100%)\n"
    "-I IFACE\tsend and receive on this interface only (default any);\n"
    "\twith -f it may be missing, come back and change its address\n"
    "-S SRCADDR\t"
    "source address, one of this host's (default: IFACE's or route's)\n"
    "-g GATEWAY\tprobe through this gateway on -I IFACE (default: the route)\n"
    "-g any\tthrough some gateway on IFACE, or none if it is point-to-point\n"
    "-w RTA,PL%\t-N: warning at RTA ms average or PL% loss (default none)\n"
    "-C RTA,PL%\t-N: critical at RTA ms average or PL% loss (default none)\n"
    "-f\tfollow: a stream of round lines and state lines (up, down,\n"
    "\tdegraded)\n"
    "-d DOWN\t-f: bad rounds in a row before down (default 3)\n"
    "-u UP\t-f: good rounds in a row before up (default 5)\n"
    "-a MIN\t-f: hosts that must answer for a good round (default 1)\n"
    "-L FAIL[:RECOVER]\t-f: a host is lossy when its loss over the window\n"
    "\treaches FAIL%, calm at RECOVER% or less (default FAIL/2)\n"
    "-R FAIL[:RECOVER]\t-f: a host is slow when its average round trip\n"
    "\tover the window reaches FAIL ms, calm at RECOVER ms or less\n"
    "\t(default FAIL/2); degraded when fewer than MIN hosts are neither,\n"
    "\tup again when MIN hosts are calm\n"
    "-W WINDOW\t-f: the time -L and -R look back over, ms or s (default 1s)\n";

#define OPTS		"a:c:C:d:fg:hi:I:l:L:NR:S:t:u:vVw:W:"
#define WIN		256	/* rounds whose replies are still awaited */
#define QWIN		1000	/* -W: rounds in the quality window, at most */
#define MAXCOUNT	10000
#define ROUTE_RECHECK_MS 1000
#define DRAIN_EVERY	64	/* requests sent between reads */
#define SEND_TRIES	4	/* failed sends before a request is lost */

enum pres { P_OK, P_NOREPLY, P_UNREACH, P_NOROUTE, P_LOSS, P_UNKNOWNHOST,
	P_ERROR };
static const char *const pres_word[] = {
	"ok", "no-reply", "unreachable", "no-route", "loss", "unknown-host",
	"error"
};

/* What each echo request carries after the ICMP header. */
struct payload {
	uint64_t	cookie;		/* this process's: replies are ours */
	uint32_t	target;
	uint32_t	round;
	uint64_t	sent_us;
};

/* -f: why a state changed (the words of the state lines). */
enum why { W_ROUNDS, W_NOIF, W_NOADDR, W_NOROUTE, W_LOSS, W_LATENCY,
	W_RECOVERED };
static const char *const why_word[] = {
	"rounds", "noif", "noaddr", "noroute", "loss", "latency", "recovered"
};

enum state { S_DOWN, S_UP, S_DEGRADED, S_UNKNOWN };
static const char *const state_word[] = { "down", "up", "degraded" };

/* -f -I: what stderr was last told about a family's socket. */
enum said { SAY_START, SAY_GONE, SAY_NOADDR, SAY_OK };

struct target {
	const char	*arg;
	struct hk_addr	a;
	struct sockaddr_storage ss;
	socklen_t	sslen;
	int		resolved;
	uint64_t	ans[WIN / 64];	/* answered or failed, by round % WIN */
	uint64_t	alive[WIN / 64];	/* answered, by round % WIN */
	uint64_t	icmperr[WIN / 64];	/* an ICMP error named it */
	unsigned	sent, recv, errs;
	unsigned	unreach;	/* lost, and said to be unreachable */
	uint64_t	rtt_min, rtt_max, rtt_sum;	/* microseconds */
	uint64_t	r_rtt[WIN];	/* -f: its reply's, by round % WIN */
	unsigned	q_alive;	/* -f: its replies in the window */
	uint64_t	q_rtt;		/* their sum, microseconds */
	int		route_ok;	/* -g: does its route go that way */
	uint64_t	route_at;	/* when route_ok was found (ms) */
	int		err;
};

struct round {
	uint64_t	sent_us;
	unsigned	alive, done;	/* answered; answered or failed */
	uint64_t	rtt_sum;
	enum why	why;		/* W_NO*: why nothing could be sent */
};

/* -f: a round as the quality window keeps it. */
struct qround {
	unsigned	sent, alive;
	uint64_t	rtt_sum;	/* of the alive, microseconds */
};

struct sock {
	int		fd;
	int		raw;		/* 0: unprivileged ICMP datagram */
	uint16_t	id;		/* echo id (the kernel's for dgram) */
	struct hk_addr	src;		/* bound to; family 0: none */
};

/*
 * What the kernel says of an interface: see iface_view.  Per family
 * (0 IPv4, 1 IPv6): the address to send from, and whether it is the
 * one asked to be kept.
 */
struct ifview {
	unsigned	index;		/* 0: there is none of that name */
	unsigned	flags;		/* IFF_* */
	struct hk_addr	a[2];		/* family 0: none usable */
	int		kept[2];
	/* iface_view's choosing: */
	struct hk_addr	keep[2];	/* family 0: none */
	int		rank[2];	/* of a[]; 0: none yet */
	uint32_t	age[2];		/* a[]'s creation, 1/100 s since boot */
};

struct pc {
	unsigned long	count;
	uint64_t	interval_ms, timeout_ms;
	long		maxloss;	/* -1: fail only when all are lost */
	const char	*ifname;
	unsigned	ifindex;	/* -f -I: 0 while IFACE is missing */
	unsigned	ifflags;	/* IFACE's IFF_* */
	struct hk_addr	src, gw;	/* -S, -g */
	int		have_src, have_gw, gw_any;
	int		nagios, follow, verbose;
	int		ifwatch;	/* -f -I: follow IFACE */
	int		used[2];	/* a target is IPv4, IPv6 */
	unsigned long	down_n, up_n, min_alive;
	double		w_rta, w_pl, c_rta, c_pl;	/* <0: none */
	struct sock	s4, s6;
	uint64_t	cookie;
	struct target	*t;
	size_t		nt;
	struct round	r[WIN];
	uint64_t	nsent;		/* rounds sent */
	uint64_t	nemitted;	/* -f: rounds reported */
	struct nl	nl;		/* -g: routes; -I: addresses (dumps) */
	int		nl_open;
	struct nl	ev;		/* -f -I: link and address events */
	int		ev_open;
	uint64_t	recheck_at;	/* -f -I: look at IFACE again (ms) */
	int		said_noif;
	enum said	said[2];	/* IPv4, IPv6 */
	int		wakefd;		/* sig_stop_pipe's */
	/* -f hysteresis */
	enum state	state;
	unsigned long	run_good, run_bad, run_rec;
	/* -f quality: thresholds in percent and ms, <0: none */
	double		l_fail, l_rec, r_fail, r_rec;
	uint64_t	window_ms;
	unsigned	qn;		/* rounds in the window, at most */
	unsigned	qlen, qpos;	/* rounds in it; the next slot */
	uint64_t	q_sent, q_alive, q_rtt;	/* its sums */
	struct qround	q[QWIN];
	uint64_t	*qt;		/* -L/-R: [slot * nt + target]: RTT */
};

#define Q_LOST		UINT64_MAX	/* in qt: no reply */

static noreturn void
bad_usage(const struct pc *p, const char *fmt, const char *arg)
{
	char msg[512];

	snprintf(msg, sizeof(msg), fmt, arg);
	warnf("%s", msg);
	fputs(usage_text, stderr);
	if (p->nagios)
		printf("PING UNKNOWN - %s\n", msg);
	exit(p->nagios ? MON_NAG_UNKNOWN : HK_EXIT_USAGE);
}

/*
 * A time in milliseconds: a bare number is milliseconds, with a fraction
 * if need be, as check_ping reads it; else a duration ("1s").
 */
static int
parse_ms(const char *s, double *ms)
{
	uint64_t d;

	if (strspn(s, "0123456789.") == strlen(s)) {
		char *end;

		if (s[0] == '\0' || s[0] == '.' ||
		    strchr(s, '.') != strrchr(s, '.'))
			return -1;
		errno = 0;
		*ms = strtod(s, &end);
		return *end != '\0' || errno != 0 || *ms > 3600000 ? -1 : 0;
	}
	if (parse_dur(s, &d) < 0)
		return -1;
	*ms = (double)d;
	return 0;
}

/* A percentage, 0 to 100, a trailing '%' allowed. */
static int
parse_pct(const char *s, unsigned long *out)
{
	char buf[16];
	size_t l = strlen(s);

	if (l == 0 || l >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	if (buf[l - 1] == '%')
		buf[l - 1] = '\0';
	return parse_ulong(buf, 0, 100, out);
}

/* "100ms,20%" or "100,20%" (milliseconds, percent). */
static int
parse_thr(const char *s, double *rta, double *pl)
{
	char buf[64], *comma, *pct;
	unsigned long ul;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	if ((comma = strchr(buf, ',')) == NULL)
		return -1;
	*comma = '\0';
	if ((pct = strchr(comma + 1, '%')) != NULL) {
		if (pct[1] != '\0')
			return -1;
		*pct = '\0';
	}
	if (parse_ulong(comma + 1, 0, 100, &ul) < 0)
		return -1;
	*pl = (double)ul;
	return parse_ms(buf, rta);
}

/*
 * -L and -R: "FAIL[:RECOVER]", each read by parse, FAIL above 0 and
 * RECOVER below FAIL (half of it when not given), so that a window on
 * the line between the two cannot make the state flap.
 */
static int
parse_quality(const char *s, int pct, double *fail, double *rec)
{
	char buf[64], *colon;
	unsigned long ul;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	if ((colon = strchr(buf, ':')) != NULL)
		*colon = '\0';
	if (pct) {
		if (parse_pct(buf, &ul) < 0)
			return -1;
		*fail = (double)ul;
	} else if (parse_ms(buf, fail) < 0)
		return -1;
	if (*fail <= 0)
		return -1;
	*rec = *fail / 2;
	if (colon == NULL)
		return 0;
	if (pct) {
		if (parse_pct(colon + 1, &ul) < 0)
			return -1;
		*rec = (double)ul;
	} else if (parse_ms(colon + 1, rec) < 0)
		return -1;
	return *rec < *fail ? 0 : -1;
}

static uint16_t
cksum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (len == 1)
		sum += (uint32_t)(p[0] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/*
 * How fit an address is to send from: 1 best, 4 worst, 0 not at all
 * (still on trial for duplicates, or found to be one).  IPv6: a
 * link-local address last, a deprecated one (its preferred lifetime
 * over) before it, a temporary (privacy) one before that; the bit of
 * IFA_F_TEMPORARY means "secondary" for IPv4, where it does not count.
 */
static int
addr_rank(const struct hk_addr *a, uint32_t flags)
{
	if (flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED))
		return 0;
	if (a->family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&a->u.v6))
		return 4;
	if (flags & IFA_F_DEPRECATED)
		return 3;
	if (a->family == AF_INET6 && (flags & IFA_F_TEMPORARY))
		return 2;
	return 1;
}

/* iface_view's nl_dump callback: one address of some interface. */
static int
view_addr(const struct nlmsghdr *h, void *arg)
{
	struct ifview *v = arg;
	const struct ifaddrmsg *ifa = NLMSG_DATA(h);
	struct rtattr *tb[IFA_MAX + 1], *at;
	struct ifa_cacheinfo ci;
	struct hk_addr a;
	uint32_t flags, age = UINT32_MAX;
	int fi, rank;

	if (h->nlmsg_type != RTM_NEWADDR ||
	    h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)) ||
	    ifa->ifa_index != v->index ||
	    (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
		return 0;
	fi = ifa->ifa_family == AF_INET6;
	nl_attr_parse(tb, IFA_MAX, IFA_RTA(ifa), (int)IFA_PAYLOAD(h));
	/* On a point-to-point link IFA_ADDRESS is the peer's. */
	at = tb[IFA_LOCAL] != NULL ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	memset(&a, 0, sizeof(a));
	a.family = ifa->ifa_family;
	a.prefix = addr_maxprefix(a.family);
	if (at == NULL || RTA_PAYLOAD(at) != addr_len(&a))
		return 0;
	memcpy(a.u.b, RTA_DATA(at), addr_len(&a));
	flags = ifa->ifa_flags;
	if (tb[IFA_FLAGS] != NULL && RTA_PAYLOAD(tb[IFA_FLAGS]) == 4)
		memcpy(&flags, RTA_DATA(tb[IFA_FLAGS]), 4);
	if (tb[IFA_CACHEINFO] != NULL &&
	    RTA_PAYLOAD(tb[IFA_CACHEINFO]) >= sizeof(ci)) {
		memcpy(&ci, RTA_DATA(tb[IFA_CACHEINFO]), sizeof(ci));
		age = ci.cstamp;
		if (ci.ifa_prefered == 0)
			flags |= IFA_F_DEPRECATED;
	}
	if ((rank = addr_rank(&a, flags)) == 0)
		return 0;
	if (v->keep[fi].family == a.family &&
	    memcmp(v->keep[fi].u.b, a.u.b, addr_len(&a)) == 0)
		v->kept[fi] = 1;
	/* The oldest of the fittest; of a tie, the first listed. */
	if (v->rank[fi] == 0 || rank < v->rank[fi] ||
	    (rank == v->rank[fi] && age < v->age[fi])) {
		v->a[fi] = a;
		v->rank[fi] = rank;
		v->age[fi] = age;
	}
	return 0;
}

/*
 * -I's index and flags, and per family the address to send from when
 * choosing afresh: the fittest (see addr_rank), of those the oldest by
 * the kernel's creation time.  The kernel lists the newest IPv6 address
 * first, so "the first listed" would be whatever came last, a rogue
 * router advertisement's prefix too.  kept[] says whether keep[] (NULL:
 * none) is still there and usable, whatever its rank: see follow_iface.
 * -1 with errno when netlink fails; an interface that is not there is
 * index 0.
 */
static int
iface_view(struct pc *p, const struct hk_addr *keep, struct ifview *v)
{
	struct {
		struct nlmsghdr	n;
		struct ifaddrmsg a;
	} req;
	struct ifreq ifr;
	int fi, tries;

	memset(v, 0, sizeof(*v));
	if ((v->index = if_nametoindex(p->ifname)) == 0)
		return 0;
	/* Any socket answers SIOCGIFFLAGS; the netlink one is at hand. */
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", p->ifname);
	if (ioctl(p->nl.fd, SIOCGIFFLAGS, &ifr) < 0) {
		if (errno != ENODEV)
			return -1;
		v->index = 0;
		return 0;
	}
	v->flags = (unsigned short)ifr.ifr_flags;
	for (tries = 0;; tries++) {
		for (fi = 0; fi < 2; fi++) {
			memset(&v->a[fi], 0, sizeof(v->a[fi]));
			v->rank[fi] = v->kept[fi] = 0;
			if (keep != NULL)
				v->keep[fi] = keep[fi];
		}
		memset(&req, 0, sizeof(req));
		req.n.nlmsg_len = NLMSG_LENGTH(sizeof(req.a));
		req.n.nlmsg_type = RTM_GETADDR;
		req.a.ifa_family = AF_UNSPEC;
		if (nl_dump(&p->nl, &req.n, view_addr, v) == 0)
			return 0;
		/* EAGAIN: a change came during the dump. */
		if (errno != EAGAIN || tries == 2)
			return -1;
	}
}

static void
close_sock(struct sock *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->src.family = 0;
}

/*
 * Opens s for family, bound to -I's interface and to src (family 0: no
 * address).  A failure dies, but with -f -I an interface that is gone
 * (ENODEV) or an address that is not there (EADDRNOTAVAIL) is a state of
 * the uplink, not an error: -1 with errno then, and s closed.
 */
static int
open_sock(struct pc *p, int family, const struct hk_addr *src, struct sock *s)
{
	int proto = family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	struct sockaddr_storage ss;
	socklen_t sl;
	int one = 1, big = 1 << 20, e;

	s->fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    proto);
	s->raw = 0;
	s->src.family = 0;
	if (s->fd < 0 && (errno == EACCES || errno == EPERM ||
	    errno == EPROTONOSUPPORT)) {
		s->fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    proto);
		s->raw = 1;
		if (s->fd < 0 && (errno == EACCES || errno == EPERM))
			die(HK_EXIT_SYS, "cannot open an ICMP socket: needs "
			    "CAP_NET_RAW, or a group in "
			    "net.ipv4.ping_group_range:");
	}
	if (s->fd < 0)
		die(HK_EXIT_SYS, "socket:");
	if (setsockopt(s->fd, SOL_SOCKET, SO_RCVBUFFORCE, &big,
	    sizeof(big)) < 0)
		setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	/* A round to many hosts leaves in one burst. */
	if (setsockopt(s->fd, SOL_SOCKET, SO_SNDBUFFORCE, &big,
	    sizeof(big)) < 0)
		setsockopt(s->fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	/* A raw socket sees ICMP errors as packets; a datagram one needs this. */
	if (!s->raw && family == AF_INET)
		setsockopt(s->fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one));
	else if (!s->raw)
		setsockopt(s->fd, IPPROTO_IPV6, IPV6_RECVERR, &one,
		    sizeof(one));
	if (s->raw && family == AF_INET6) {
		struct icmp6_filter f;

		ICMP6_FILTER_SETBLOCKALL(&f);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
		ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &f);
		setsockopt(s->fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f));
	}
	if (p->ifname != NULL && setsockopt(s->fd, SOL_SOCKET,
	    SO_BINDTODEVICE, p->ifname, (socklen_t)strlen(p->ifname) + 1) < 0) {
		if (p->ifwatch && errno == ENODEV)
			goto soft;
		die(HK_EXIT_SYS, "bind to interface %s:", p->ifname);
	}
	if (src->family != 0) {
		sl = addr_to_sockaddr(src, 0, &ss);
		if (family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&src->u.v6))
			((struct sockaddr_in6 *)&ss)->sin6_scope_id =
			    p->ifindex;
		if (bind(s->fd, (struct sockaddr *)&ss, sl) < 0) {
			char b[ADDR_STRLEN];

			if (p->ifwatch && (errno == EADDRNOTAVAIL ||
			    errno == ENODEV))
				goto soft;
			/* Not one of ours: a bad -S, not a broken system. */
			die(errno == EADDRNOTAVAIL ? (p->nagios ?
			    MON_NAG_UNKNOWN : HK_EXIT_USAGE) : HK_EXIT_SYS,
			    "bind to %s:", addr_fmt(src, b, sizeof(b)));
		}
		s->src = *src;
	}
	if (s->raw) {
		uint16_t r;

		if (getrandom(&r, sizeof(r), 0) != sizeof(r))
			r = (uint16_t)getpid();
		s->id = r;
	} else {
		/* The kernel picks the id: the socket's "port". */
		if (src->family == 0) {
			memset(&ss, 0, sizeof(ss));
			ss.ss_family = (sa_family_t)family;
			sl = family == AF_INET ? sizeof(struct sockaddr_in) :
			    sizeof(struct sockaddr_in6);
			if (bind(s->fd, (struct sockaddr *)&ss, sl) < 0)
				die(HK_EXIT_SYS, "bind:");
		}
		sl = sizeof(ss);
		if (getsockname(s->fd, (struct sockaddr *)&ss, &sl) < 0)
			die(HK_EXIT_SYS, "getsockname:");
		s->id = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	}
	if (p->verbose)
		warnf("IPv%c: %s ICMP socket, echo id %u",
		    family == AF_INET ? '4' : '6',
		    s->raw ? "raw" : "unprivileged datagram", s->id);
	return 0;
soft:
	e = errno;
	close_sock(s);
	errno = e;
	return -1;
}

static struct sock *
sock_for(struct pc *p, int family)
{
	return family == AF_INET ? &p->s4 : &p->s6;
}

/*
 * -g: asks the kernel how a probe to t would leave, and whether that is
 * through the gateway and interface we were told.  1 yes, 0 no.
 */
static int
route_check(struct pc *p, struct target *t)
{
	const struct hk_addr *src = &sock_for(p, t->a.family)->src;
	struct {
		struct nlmsghdr n;
		struct rtmsg r;
		char buf[256];
	} req;
	char buf[NL_BUFSIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct rtattr *tb[RTA_MAX + 1];
	struct nlmsghdr *h;
	ssize_t n;
	int len, alen = (int)addr_len(&t->a);

	memset(&req, 0, sizeof(req));
	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	req.n.nlmsg_type = RTM_GETROUTE;
	req.n.nlmsg_flags = NLM_F_REQUEST;
	req.n.nlmsg_seq = ++p->nl.seq;
	req.r.rtm_family = (unsigned char)t->a.family;
	req.r.rtm_dst_len = (unsigned char)(alen * 8);
	nl_attr_add(&req.n, sizeof(req), RTA_DST, t->a.u.b, (size_t)alen);
	if (src->family == t->a.family) {
		req.r.rtm_src_len = (unsigned char)(alen * 8);
		nl_attr_add(&req.n, sizeof(req), RTA_SRC, src->u.b,
		    (size_t)alen);
	}
	if (p->ifindex != 0)
		nl_attr_add_u32(&req.n, sizeof(req), RTA_OIF, p->ifindex);
	if (send(p->nl.fd, &req, req.n.nlmsg_len, 0) < 0)
		return 0;
	for (;;) {
		n = recv(p->nl.fd, buf, sizeof(buf), 0);
		if (n < 0)
			return 0;
		len = (int)n;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, len);
		    h = NLMSG_NEXT(h, len)) {
			struct rtmsg *rm;
			uint32_t oif;

			if (h->nlmsg_seq != req.n.nlmsg_seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR)
				return 0;
			if (h->nlmsg_type != RTM_NEWROUTE)
				continue;
			rm = NLMSG_DATA(h);
			nl_attr_parse(tb, RTA_MAX, RTM_RTA(rm),
			    (int)RTM_PAYLOAD(h));
			if (tb[RTA_OIF] == NULL ||
			    RTA_PAYLOAD(tb[RTA_OIF]) != 4)
				return 0;
			memcpy(&oif, RTA_DATA(tb[RTA_OIF]), 4);
			if (p->ifindex != 0 && oif != p->ifindex)
				return 0;
			/*
			 * any: via a gateway, or on-link on a point-to-point
			 * link, never on-link where that means ARP for it.
			 */
			if (p->gw_any)
				return tb[RTA_GATEWAY] != NULL ||
				    tb[RTA_VIA] != NULL ||
				    (p->ifflags & IFF_POINTOPOINT) != 0;
			if (p->gw.family != t->a.family)
				return 1;
			if (tb[RTA_GATEWAY] == NULL)
				/* On-link: only the gateway itself. */
				return memcmp(t->a.u.b, p->gw.u.b,
				    (size_t)alen) == 0;
			return RTA_PAYLOAD(tb[RTA_GATEWAY]) == (size_t)alen &&
			    memcmp(RTA_DATA(tb[RTA_GATEWAY]), p->gw.u.b,
			    (size_t)alen) == 0;
		}
	}
}

static int
route_ok(struct pc *p, struct target *t)
{
	uint64_t now = tm_now_ms();
	int ok;

	if (!p->have_gw)
		return 1;
	if (t->route_at != 0 && now - t->route_at < ROUTE_RECHECK_MS)
		return t->route_ok;
	ok = route_check(p, t);
	if (!ok && (t->route_at == 0 || t->route_ok)) {
		char a[ADDR_STRLEN], g[ADDR_STRLEN + 8] = "";

		if (!p->gw_any)
			snprintf(g, sizeof(g), " via %s",
			    addr_fmt(&p->gw, a, sizeof(a)));
		else if (!(p->ifflags & IFF_POINTOPOINT))
			strcpy(g, " via a gateway");
		warnf("%s: route does not leave%s dev %s: not probed "
		    "(see pingcheck(8) for the policy routing -g needs)",
		    t->arg, g, p->ifname);
	}
	t->route_ok = ok;
	t->route_at = now;
	return ok;
}

static void	read_sock(struct pc *, struct sock *, int);

/*
 * Sends round p->nsent to every target.  The replies to the first
 * requests come back while the last are sent: reading them every
 * DRAIN_EVERY requests keeps them from overflowing the socket's receive
 * buffer (and being lost) when there are many targets.  A request that
 * cannot leave (no interface, no address, no route, a send that fails)
 * is lost at once, and settled (ans) so that no ICMP error names it;
 * when none could, the round keeps why.
 */
static void
send_round(struct pc *p)
{
	uint64_t k = p->nsent;
	struct round *r = &p->r[k % WIN];
	unsigned char pkt[sizeof(struct icmphdr) + sizeof(struct payload)];
	struct icmphdr *ic = (struct icmphdr *)pkt;
	struct payload pl;
	size_t i, nres = 0, noaddr = 0, noroute = 0;
	uint64_t bit = 1ULL << (k % 64);
	int tries;

	*r = (struct round){ .sent_us = tm_now_us(), .why = W_ROUNDS };
	for (i = 0; i < p->nt; i++) {
		p->t[i].ans[(k % WIN) / 64] &= ~bit;
		p->t[i].alive[(k % WIN) / 64] &= ~bit;
		p->t[i].icmperr[(k % WIN) / 64] &= ~bit;
	}
	p->nsent++;		/* replies read below count for round k */
	for (i = 0; i < p->nt; i++) {
		struct target *t = &p->t[i];
		struct sock *s;

		if (i % DRAIN_EVERY == DRAIN_EVERY - 1) {
			if (p->s4.fd >= 0)
				read_sock(p, &p->s4, AF_INET);
			if (p->s6.fd >= 0)
				read_sock(p, &p->s6, AF_INET6);
		}
		if (!t->resolved) {
			r->done++;
			continue;
		}
		t->sent++;
		nres++;
		s = sock_for(p, t->a.family);
		if (s->fd < 0) {
			/* -f -I: no interface, or no address of the family. */
			noaddr++;
			t->errs++;
			t->ans[(k % WIN) / 64] |= bit;
			r->done++;
			continue;
		}
		if (!route_ok(p, t)) {
			noroute++;
			t->errs++;
			t->ans[(k % WIN) / 64] |= bit;
			r->done++;
			continue;
		}
		memset(pkt, 0, sizeof(pkt));
		ic->type = t->a.family == AF_INET ? ICMP_ECHO :
		    ICMP6_ECHO_REQUEST;
		ic->un.echo.id = htons(s->id);
		ic->un.echo.sequence = htons((uint16_t)k);
		pl = (struct payload){ .cookie = p->cookie,
		    .target = (uint32_t)i, .round = (uint32_t)k,
		    .sent_us = tm_now_us() };
		memcpy(pkt + sizeof(*ic), &pl, sizeof(pl));
		if (s->raw && t->a.family == AF_INET)
			ic->checksum = cksum(pkt, sizeof(pkt));
		/*
		 * A send may fail with an ICMP error about an earlier probe,
		 * pending on the socket (and cleared by the failure), and
		 * anyone can send those: only SEND_TRIES failures in a row
		 * say that this one cannot leave.
		 */
		for (tries = 0; tries < SEND_TRIES; tries++)
			if (sendto(s->fd, pkt, sizeof(pkt), 0,
			    (struct sockaddr *)&t->ss, t->sslen) >= 0)
				break;
		if (tries == SEND_TRIES) {
			if (errno == ENETUNREACH || errno == EHOSTUNREACH ||
			    errno == ENETDOWN || errno == EHOSTDOWN)
				t->unreach++;
			else if (p->ifwatch && (errno == ENODEV ||
			    errno == ENXIO || errno == EADDRNOTAVAIL))
				;	/* IFACE changed: its event is coming */
			else if (errno != EAGAIN && errno != ENOBUFS) {
				if (t->err != errno)
					warnf("%s: send:", t->arg);
				t->err = errno;
			}
			t->errs++;
			t->ans[(k % WIN) / 64] |= bit;
			r->done++;
		}
	}
	if (nres > 0 && noaddr + noroute == nres)
		r->why = p->ifwatch && p->ifindex == 0 ? W_NOIF :
		    noaddr > 0 ? W_NOADDR : W_NOROUTE;
}

static struct target *
find_addr(struct pc *p, int family, const void *a)
{
	size_t i, alen = family == AF_INET ? 4 : 16;

	for (i = 0; i < p->nt; i++)
		if (p->t[i].resolved && p->t[i].a.family == family &&
		    memcmp(p->t[i].a.u.b, a, alen) == 0)
			return &p->t[i];
	return NULL;
}

/*
 * An echo reply [ic, ic+len) from address from: counted when it carries
 * our id and cookie, answers a round still awaited, and comes from the
 * target it was sent to.
 */
static void
got_reply(struct pc *p, const struct sock *s, const unsigned char *ic,
    size_t len, int family, const void *from)
{
	struct payload pl;
	struct target *t;
	struct round *r;
	uint64_t now = tm_now_us(), rtt, bit, round;
	uint16_t id;

	if (len < sizeof(struct icmphdr) + sizeof(pl))
		return;
	if (ic[0] != (family == AF_INET ? ICMP_ECHOREPLY : ICMP6_ECHO_REPLY))
		return;
	memcpy(&id, ic + 4, 2);
	if (ntohs(id) != s->id)
		return;
	memcpy(&pl, ic + sizeof(struct icmphdr), sizeof(pl));
	if (pl.cookie != p->cookie || pl.target >= p->nt || p->nsent == 0)
		return;
	/*
	 * The round: the latest sent whose low 32 bits match, so that -f
	 * still knows its replies after 2^32 rounds (50 days at -i 1ms).
	 */
	round = p->nsent - 1 - (uint32_t)((uint32_t)(p->nsent - 1) - pl.round);
	if (round >= p->nsent || p->nsent - round > WIN)
		return;
	t = &p->t[pl.target];
	if (t->a.family != family ||
	    memcmp(t->a.u.b, from, family == AF_INET ? 4 : 16) != 0)
		return;
	r = &p->r[round % WIN];
	bit = 1ULL << (round % 64);
	if (t->ans[(round % WIN) / 64] & bit)
		return;			/* a duplicate */
	if (pl.sent_us < r->sent_us || pl.sent_us > now)
		return;
	rtt = now - pl.sent_us;
	if (rtt > p->timeout_ms * 1000)
		return;			/* too late: already counted lost */
	t->ans[(round % WIN) / 64] |= bit;
	t->alive[(round % WIN) / 64] |= bit;
	/* An ICMP error about it was wrong (or forged): it is not lost. */
	if (t->icmperr[(round % WIN) / 64] & bit)
		t->unreach--;
	t->recv++;
	if (t->recv == 1 || rtt < t->rtt_min)
		t->rtt_min = rtt;
	if (rtt > t->rtt_max)
		t->rtt_max = rtt;
	t->rtt_sum += rtt;
	t->r_rtt[round % WIN] = rtt;
	r->alive++;
	r->done++;
	r->rtt_sum += rtt;
}

/*
 * An ICMP error about one of our probes: the echo request we sent, as
 * the error quotes it, is at [ic, ic+len), the probe went to dst.
 *
 * Anyone can send an ICMP error, and the echo id of an unprivileged
 * socket comes from a counter: so an error never settles a request.  It
 * only marks it (icmperr), and counts it in unreach, undone if the reply
 * comes in time after all; a request still without a reply at its
 * timeout is lost, as any, and "unreachable" rather than "no-reply"
 * when one was marked.  When the quote holds our payload (RFC 792 only
 * promises the echo header; Linux, RFC 1812 and RFC 4884 routers quote
 * more) its cookie, target and round must be ours, else it is ignored.
 */
static void
got_error(struct pc *p, const struct sock *s, const unsigned char *ic,
    size_t len, int family, const void *dst)
{
	struct payload pl;
	struct target *t;
	uint16_t id, seq;
	uint64_t round, bit, w;

	if (len < 8 || ic[0] != (family == AF_INET ? ICMP_ECHO :
	    ICMP6_ECHO_REQUEST))
		return;
	memcpy(&id, ic + 4, 2);
	memcpy(&seq, ic + 6, 2);
	if (ntohs(id) != s->id || (t = find_addr(p, family, dst)) == NULL ||
	    p->nsent == 0)
		return;
	/* The round: the latest sent whose low 16 bits match. */
	round = p->nsent - 1 - (uint16_t)((uint16_t)(p->nsent - 1) -
	    ntohs(seq));
	if (round >= p->nsent || p->nsent - round > WIN)
		return;
	memset(&pl, 0, sizeof(pl));
	memcpy(&pl, ic + 8, len - 8 < sizeof(pl) ? len - 8 : sizeof(pl));
	if (len >= 8 + sizeof(pl.cookie) && pl.cookie != p->cookie)
		return;
	if (len >= 8 + offsetof(struct payload, sent_us)) {
		if (pl.target >= p->nt || pl.round != (uint32_t)round)
			return;
		/* The same host may be given twice. */
		t = &p->t[pl.target];
		if (t->a.family != family ||
		    memcmp(t->a.u.b, dst, addr_len(&t->a)) != 0)
			return;
	}
	w = (round % WIN) / 64;
	bit = 1ULL << (round % 64);
	if ((t->ans[w] | t->icmperr[w]) & bit)
		return;		/* answered, failed, or marked already */
	if (tm_now_us() >= p->r[round % WIN].sent_us + p->timeout_ms * 1000)
		return;		/* lost already */
	t->icmperr[w] |= bit;
	t->unreach++;
}

static void
read_errqueue(struct pc *p, struct sock *s, int family)
{
	unsigned char data[512], ctl[512];
	struct sockaddr_storage from;
	struct iovec iov = { data, sizeof(data) };
	struct msghdr m;
	struct cmsghdr *cm;
	ssize_t n;
	int i;

	for (i = 0; i < 1024; i++) {
		memset(&m, 0, sizeof(m));
		m.msg_name = &from;
		m.msg_namelen = sizeof(from);
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		m.msg_control = ctl;
		m.msg_controllen = sizeof(ctl);
		n = recvmsg(s->fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT);
		if (n < 0)
			return;
		for (cm = CMSG_FIRSTHDR(&m); cm != NULL;
		    cm = CMSG_NXTHDR(&m, cm)) {
			struct sock_extended_err ee;

			if (!((cm->cmsg_level == IPPROTO_IP &&
			    cm->cmsg_type == IP_RECVERR) ||
			    (cm->cmsg_level == IPPROTO_IPV6 &&
			    cm->cmsg_type == IPV6_RECVERR)) ||
			    cm->cmsg_len < CMSG_LEN(sizeof(ee)))
				continue;
			memcpy(&ee, CMSG_DATA(cm), sizeof(ee));
			if (ee.ee_origin != SO_EE_ORIGIN_ICMP &&
			    ee.ee_origin != SO_EE_ORIGIN_ICMP6)
				continue;
			if (family == AF_INET && m.msg_namelen >=
			    sizeof(struct sockaddr_in))
				got_error(p, s, data, (size_t)n, family,
				    &((struct sockaddr_in *)&from)->sin_addr);
			else if (family == AF_INET6 && m.msg_namelen >=
			    sizeof(struct sockaddr_in6))
				got_error(p, s, data, (size_t)n, family,
				    &((struct sockaddr_in6 *)&from)->sin6_addr);
		}
	}
}

/* Drains one socket. */
static void
read_sock(struct pc *p, struct sock *s, int family)
{
	unsigned char buf[2048];
	struct sockaddr_storage from;
	socklen_t fl;
	ssize_t n;
	int i;

	for (i = 0; i < 4096; i++) {
		fl = sizeof(from);
		n = recvfrom(s->fd, buf, sizeof(buf), MSG_DONTWAIT,
		    (struct sockaddr *)&from, &fl);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR)
				continue;
			/* A pending ICMP error: read it from the queue. */
			read_errqueue(p, s, family);
			continue;
		}
		if (family == AF_INET) {
			const void *src =
			    &((struct sockaddr_in *)&from)->sin_addr;
			size_t hl;

			if (fl < sizeof(struct sockaddr_in))
				continue;
			if (!s->raw) {
				got_reply(p, s, buf, (size_t)n, family, src);
				continue;
			}
			/* Raw: the IP header comes first. */
			if (n < 20 || (hl = (size_t)(buf[0] & 0x0f) * 4) < 20 ||
			    (size_t)n < hl + 8)
				continue;
			if (buf[hl] == ICMP_ECHOREPLY) {
				got_reply(p, s, buf + hl, (size_t)n - hl,
				    family, src);
			} else if (buf[hl] == ICMP_DEST_UNREACH) {
				/* Quoted: IP header, then our echo header. */
				const unsigned char *q = buf + hl + 8;
				size_t ql = (size_t)n - hl - 8, qhl, qtot;

				if (ql < 20 || (qhl = (size_t)(q[0] & 0x0f) *
				    4) < 20 || ql < qhl + 8 ||
				    q[9] != IPPROTO_ICMP)
					continue;
				/* The quote only, not an RFC 4884 extension. */
				qtot = (size_t)(q[2] << 8 | q[3]);
				if (qtot >= qhl + 8 && qtot < ql)
					ql = qtot;
				got_error(p, s, q + qhl, ql - qhl, family,
				    q + 16);
			}
		} else {
			const void *src =
			    &((struct sockaddr_in6 *)&from)->sin6_addr;

			if (fl < sizeof(struct sockaddr_in6) || n < 8)
				continue;
			if (buf[0] == ICMP6_ECHO_REPLY) {
				got_reply(p, s, buf, (size_t)n, family, src);
			} else if (s->raw && buf[0] == ICMP6_DST_UNREACH &&
			    n >= 8 + 40 + 8 && buf[8 + 6] == IPPROTO_ICMPV6) {
				size_t ql = (size_t)n - 48,
				    plen = (size_t)(buf[8 + 4] << 8 | buf[8 + 5]);

				if (plen >= 8 && plen < ql)
					ql = plen;
				got_error(p, s, buf + 48, ql, family,
				    buf + 8 + 24);
			}
		}
	}
	read_errqueue(p, s, family);
}

static int
host_failed(const struct pc *p, const struct target *t)
{
	if (!t->resolved || t->recv == 0)
		return 1;
	if (p->maxloss < 0)
		return 0;
	return (double)(t->sent - t->recv) * 100.0 / t->sent >
	    (double)p->maxloss;
}

static enum pres
host_res(const struct pc *p, const struct target *t)
{
	if (!t->resolved)
		return P_UNKNOWNHOST;
	if (t->recv > 0)
		return host_failed(p, t) ? P_LOSS : P_OK;
	if (t->err != 0 && t->unreach == 0)
		return P_ERROR;
	if (p->have_gw && !t->route_ok && t->unreach == 0)
		return P_NOROUTE;
	return t->unreach > 0 ? P_UNREACH : P_NOREPLY;
}

static unsigned
loss_pct(const struct target *t)
{
	if (t->sent == 0)
		return 100;
	return (unsigned)(((t->sent - t->recv) * 200u / t->sent + 1) / 2);
}

static void
detail(const struct pc *p, const struct target *t, char *buf, size_t len)
{
	char a[32], b[32], c[32];
	int n;

	n = snprintf(buf, len, "%s sent=%u recv=%u loss=%u%%",
	    pres_word[host_res(p, t)], t->sent, t->recv, loss_pct(t));
	if (t->recv > 0 && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " rtt=%s/%s/%sms",
		    mon_fmt_ms(a, sizeof(a), t->rtt_min),
		    mon_fmt_ms(b, sizeof(b), t->rtt_sum / t->recv),
		    mon_fmt_ms(c, sizeof(c), t->rtt_max));
}

static int
report_mon(const struct pc *p)
{
	char d[256];
	size_t i;
	int bad = 0;

	for (i = 0; i < p->nt; i++)
		if (host_failed(p, &p->t[i])) {
			printf("%s%s", bad ? " " : "", p->t[i].arg);
			bad = 1;
		}
	putchar('\n');
	for (i = 0; i < p->nt; i++) {
		detail(p, &p->t[i], d, sizeof(d));
		printf("%s: %s\n", p->t[i].arg, d);
	}
	return bad ? HK_EXIT_NO : HK_EXIT_OK;
}

static int
nag_state(const struct pc *p, const struct target *t)
{
	double rta = t->recv ? (double)t->rtt_sum / t->recv / 1000.0 : 0;
	double pl = loss_pct(t);

	if (host_failed(p, t) || (p->c_pl >= 0 && pl >= p->c_pl) ||
	    (p->c_rta >= 0 && t->recv && rta >= p->c_rta))
		return MON_NAG_CRITICAL;
	if ((p->w_pl >= 0 && pl >= p->w_pl) ||
	    (p->w_rta >= 0 && t->recv && rta >= p->w_rta))
		return MON_NAG_WARNING;
	return MON_NAG_OK;
}

static void
thr(char *buf, size_t len, double v)
{
	if (v < 0)
		buf[0] = '\0';
	else
		snprintf(buf, len, "%.3f", v);
}

static int
report_nagios(const struct pc *p)
{
	char d[256], lab[300], wr[32], cr[32], wp[32], cp[32], ms[32];
	int state = MON_NAG_OK, st, nbad = 0, first = 1;
	size_t i;

	for (i = 0; i < p->nt; i++) {
		st = nag_state(p, &p->t[i]);
		if (st > state)
			state = st;
		nbad += st != MON_NAG_OK;
	}
	printf("PING %s - ", mon_nag_word(state));
	if (nbad == 0 && p->nt == 1) {
		const struct target *t = &p->t[0];

		printf("%s: loss %u%%, rta %sms", t->arg, loss_pct(t),
		    mon_fmt_ms(ms, sizeof(ms), t->rtt_sum / t->recv));
	} else if (nbad == 0) {
		printf("%zu of %zu hosts ok", p->nt, p->nt);
	} else {
		printf("%d of %zu hosts not ok:", nbad, p->nt);
		for (i = 0; i < p->nt; i++) {
			if (nag_state(p, &p->t[i]) == MON_NAG_OK)
				continue;
			detail(p, &p->t[i], d, sizeof(d));
			printf("%s %s: %s", first ? "" : ",", p->t[i].arg, d);
			first = 0;
		}
	}
	thr(wr, sizeof(wr), p->w_rta);
	thr(cr, sizeof(cr), p->c_rta);
	thr(wp, sizeof(wp), p->w_pl);
	thr(cp, sizeof(cp), p->c_pl);
	putchar('|');
	for (i = 0; i < p->nt; i++) {
		const struct target *t = &p->t[i];

		if (p->nt == 1)
			snprintf(lab, sizeof(lab), "rta");
		else
			mon_nag_label(lab, sizeof(lab), t->arg, "_rta");
		if (t->recv > 0)
			printf("%s%s=%sms;%s;%s;0;", i ? " " : "", lab,
			    mon_fmt_ms(ms, sizeof(ms), t->rtt_sum / t->recv),
			    wr, cr);
		else
			printf("%s%s=U;%s;%s;0;", i ? " " : "", lab, wr, cr);
		if (p->nt == 1)
			snprintf(lab, sizeof(lab), "pl");
		else
			mon_nag_label(lab, sizeof(lab), t->arg, "_pl");
		printf(" %s=%u%%;%s;%s;0;100", lab, loss_pct(t), wp, cp);
	}
	putchar('\n');
	return state;
}

/* -f: adds reported round k to the quality window, in all and per host. */
static void
q_add(struct pc *p, uint64_t k)
{
	const struct round *r = &p->r[k % WIN];
	struct qround *q = &p->q[p->qpos];
	int full = p->qlen == p->qn;
	size_t i;

	if (full) {
		p->q_sent -= q->sent;
		p->q_alive -= q->alive;
		p->q_rtt -= q->rtt_sum;
	} else
		p->qlen++;
	*q = (struct qround){ .sent = (unsigned)p->nt, .alive = r->alive,
	    .rtt_sum = r->rtt_sum };
	p->q_sent += q->sent;
	p->q_alive += q->alive;
	p->q_rtt += q->rtt_sum;
	for (i = 0; p->qt != NULL && i < p->nt; i++) {
		struct target *t = &p->t[i];
		uint64_t *v = &p->qt[(size_t)p->qpos * p->nt + i];

		if (full && *v != Q_LOST) {
			t->q_alive--;
			t->q_rtt -= *v;
		}
		*v = t->alive[(k % WIN) / 64] & (1ULL << (k % 64)) ?
		    t->r_rtt[k % WIN] : Q_LOST;
		if (*v != Q_LOST) {
			t->q_alive++;
			t->q_rtt += *v;
		}
	}
	p->qpos = (p->qpos + 1) % p->qn;
}

static void
q_empty(struct pc *p)
{
	size_t i;

	p->qlen = p->qpos = 0;
	p->q_sent = p->q_alive = p->q_rtt = 0;
	for (i = 0; i < p->nt; i++) {
		p->t[i].q_alive = 0;
		p->t[i].q_rtt = 0;
	}
}

enum { H_LOSSY = 1, H_SLOW = 2, H_CALM = 4 };

/*
 * -L/-R: a host over the window (not empty): lossy when its loss reaches
 * -L's FAIL, slow when its mean RTT reaches -R's; calm when both are at
 * most their RECOVER.  No reply at all: lossy, never calm.
 */
static int
q_host(const struct pc *p, const struct target *t)
{
	double loss, rtt;
	int f = 0;

	if (t->q_alive == 0)
		return H_LOSSY;
	loss = (double)(p->qlen - t->q_alive) * 100.0 / (double)p->qlen;
	rtt = (double)t->q_rtt / (double)t->q_alive / 1000.0;
	if (p->l_fail >= 0 && loss >= p->l_fail)
		f |= H_LOSSY;
	if (p->r_fail >= 0 && rtt >= p->r_fail)
		f |= H_SLOW;
	if ((p->l_fail < 0 || loss <= p->l_rec) &&
	    (p->r_fail < 0 || rtt <= p->r_rec))
		f |= H_CALM;
	return f;
}

/* The window's loss over all hosts, in percent, as printed. */
static unsigned
q_loss_pct(const struct pc *p)
{
	return p->q_sent ? (unsigned)(((p->q_sent - p->q_alive) * 200 /
	    p->q_sent + 1) / 2) : 100;
}

/*
 * -f: the state table of pingcheck(8), after round k (good or not,
 * cause why) went into the window.  Returns the why of a new state, or
 * -1 when it stays.
 */
static int
decide(struct pc *p, int good, enum why why)
{
	unsigned long ngood = 0, ncalm = 0;
	int lossy = 0, slow = 0, calm = 1, f;
	size_t i;

	/*
	 * Per host, then counted, as mwan3 does: one target down for
	 * maintenance does not degrade an uplink that MIN others vouch for.
	 */
	if (p->qt != NULL) {
		for (i = 0; i < p->nt; i++) {
			f = q_host(p, &p->t[i]);
			if (!(f & (H_LOSSY | H_SLOW)))
				ngood++;
			else if (f & H_LOSSY)
				lossy = 1;
			if (f & H_CALM)
				ncalm++;
		}
		if (p->qlen < p->qn || ngood >= p->min_alive)
			lossy = 0;
		else
			slow = !lossy;
		calm = ncalm >= p->min_alive;
	}

	if (good) {
		p->run_bad = 0;
		p->run_good++;
	} else {
		p->run_good = 0;
		p->run_bad++;
	}
	p->run_rec = calm ? p->run_rec + 1 : 0;
	/* Dead beats slow: from up, degraded or unknown. */
	if (!good && p->run_bad >= p->down_n && p->state != S_DOWN) {
		p->state = S_DOWN;
		return (int)why;
	}
	/* Back, or first seen: judged on the window as it stands. */
	if (good && p->run_good >= p->up_n &&
	    (p->state == S_DOWN || p->state == S_UNKNOWN)) {
		p->state = lossy || slow ? S_DEGRADED : S_UP;
		return lossy ? W_LOSS : slow ? W_LATENCY : W_ROUNDS;
	}
	if (p->state == S_UP && (lossy || slow)) {
		p->state = S_DEGRADED;
		return lossy ? W_LOSS : W_LATENCY;
	}
	/* RECOVER < FAIL: a window on the line does not flap. */
	if (p->state == S_DEGRADED && p->run_rec >= p->up_n) {
		p->state = S_UP;
		return W_RECOVERED;
	}
	return -1;
}

/* -L/-R: " lossy=HOST,..." of the hosts with that flag, if any. */
static void
q_list(const struct pc *p, int flag, const char *label)
{
	size_t i;
	int first = 1;

	for (i = 0; p->qt != NULL && i < p->nt; i++) {
		if (!(q_host(p, &p->t[i]) & flag))
			continue;
		printf("%s%s", first ? label : ",", p->t[i].arg);
		first = 0;
	}
}

/* -f: reports round k, applying the hysteresis and the quality rules. */
static void
emit_round(struct pc *p, uint64_t k)
{
	const struct round *r = &p->r[k % WIN];
	int good = r->alive >= p->min_alive, why, first = 1;
	unsigned n = (unsigned)p->nt;
	uint64_t bit = 1ULL << (k % 64);
	char ms[32];
	size_t i;

	printf("%llu %s alive=%u/%u loss=%u rtt=%s\n",
	    (unsigned long long)tm_wall_ms(), good ? "up" : "down", r->alive,
	    n, n ? ((n - r->alive) * 200u / n + 1) / 2 : 100,
	    r->alive ? mon_fmt_ms(ms, sizeof(ms), r->rtt_sum / r->alive) :
	    "-");
	q_add(p, k);
	if ((why = decide(p, good, r->why)) >= 0) {
		printf("state %s why=%s alive=%u/%u loss=%u rtt=%s",
		    state_word[p->state], why_word[why], r->alive, n,
		    q_loss_pct(p), p->q_alive ? mon_fmt_ms(ms, sizeof(ms),
		    p->q_rtt / p->q_alive) : "-");
		for (i = 0; i < p->nt; i++) {
			if (p->t[i].alive[(k % WIN) / 64] & bit)
				continue;
			printf("%s%s", first ? " failed=" : ",", p->t[i].arg);
			first = 0;
		}
		q_list(p, H_LOSSY, " lossy=");
		q_list(p, H_SLOW, " slow=");
		putchar('\n');
	}
	/*
	 * Down, a bad round empties the window: an uplink back from an
	 * outage is judged on the rounds since it came back.
	 */
	if (p->state == S_DOWN && !good) {
		q_empty(p);
		p->run_rec = 0;
	}
	fflush(stdout);
	if (ferror(stdout))
		die(HK_EXIT_SYS, "stdout:");
}

/* -f -I: IFACE's new index for the link-local targets' scope. */
static void
new_index(struct pc *p, unsigned index)
{
	size_t i;

	p->ifindex = index;
	for (i = 0; i < p->nt; i++) {
		struct target *t = &p->t[i];

		t->route_at = 0;	/* ask the kernel afresh */
		if (t->resolved && t->a.family == AF_INET6 &&
		    IN6_IS_ADDR_LINKLOCAL(&t->a.u.v6))
			((struct sockaddr_in6 *)&t->ss)->sin6_scope_id = index;
	}
}

/*
 * -f -I: makes the sockets follow IFACE.  None while it is missing or
 * has no usable address of the family; new ones, bound to it and to the
 * address iface_view chooses (or -S's), when it appears, is made again
 * under the same name (a new index), or the address they are bound to
 * goes or becomes unusable.  Only then: a new address, even one that
 * iface_view would rank higher, never moves them, so that a rogue
 * router advertisement's prefix (SLAAC), or one that deprecates ours,
 * cannot pull the probes onto addresses the ISP drops.  The requests
 * sent on the old sockets are lost.  Each change is said once.
 */
static void
follow_iface(struct pc *p)
{
	struct ifview v;
	struct hk_addr keep[2];
	char b[ADDR_STRLEN];
	int fi;

	memset(keep, 0, sizeof(keep));
	if (p->s4.fd >= 0)
		keep[0] = p->s4.src;
	if (p->s6.fd >= 0)
		keep[1] = p->s6.src;
	if (iface_view(p, keep, &v) < 0) {
		warnf("%s: netlink:", p->ifname);
		p->recheck_at = tm_now_ms() + 1000;
		return;
	}
	p->recheck_at = 0;
	if (v.index == 0) {
		if (!p->said_noif)
			warnf("%s: no such interface: its probes count as "
			    "lost until it appears", p->ifname);
		p->said_noif = 1;
		close_sock(&p->s4);
		close_sock(&p->s6);
		p->said[0] = p->said[1] = SAY_GONE;
		p->ifindex = 0;
		return;
	}
	p->said_noif = 0;
	p->ifflags = v.flags;
	if (v.index != p->ifindex) {
		/* The old sockets are bound to the old device. */
		close_sock(&p->s4);
		close_sock(&p->s6);
		new_index(p, v.index);
	}
	for (fi = 0; fi < 2; fi++) {
		int family = fi ? AF_INET6 : AF_INET;
		struct sock *s = sock_for(p, family);
		struct hk_addr src = p->have_src ? p->src : v.a[fi];

		if (!p->used[fi])
			continue;
		/* Bound to the same device still: kept while it lasts. */
		if (!p->have_src && s->fd >= 0 && v.kept[fi])
			continue;
		if (s->fd >= 0 && s->src.family == src.family &&
		    memcmp(s->src.u.b, src.u.b, addr_len(&src)) == 0)
			continue;
		close_sock(s);
		if (src.family == 0 || open_sock(p, family, &src, s) < 0) {
			if (p->said[fi] == SAY_NOADDR)
				continue;
			if (src.family == 0)
				warnf("%s: no IPv%c address: its IPv%c probes "
				    "count as lost until it has one", p->ifname,
				    fi ? '6' : '4', fi ? '6' : '4');
			else
				warnf("%s: cannot send from %s: %s: its "
				    "probes count as lost until it can",
				    p->ifname, addr_fmt(&src, b, sizeof(b)),
				    strerror(errno));
			p->said[fi] = SAY_NOADDR;
			continue;
		}
		if (p->said[fi] != SAY_START || p->verbose)
			warnf("%s: probing from %s now", p->ifname,
			    addr_fmt(&src, b, sizeof(b)));
		p->said[fi] = SAY_OK;
	}
}

/* -f -I: whether a link or address event may be about IFACE. */
static int
event_hit(const struct pc *p, const struct nlmsghdr *h)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	const struct ifaddrmsg *ifa = NLMSG_DATA(h);
	struct rtattr *tb[IFLA_MAX + 1];

	if (h->nlmsg_type == RTM_NEWADDR || h->nlmsg_type == RTM_DELADDR)
		return h->nlmsg_len >= NLMSG_LENGTH(sizeof(*ifa)) &&
		    ifa->ifa_index == p->ifindex;
	if ((h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK) ||
	    h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return 0;
	if ((unsigned)ifi->ifi_index == p->ifindex)
		return 1;
	/* Another taking its name. */
	nl_attr_parse(tb, IFLA_MAX, IFLA_RTA(ifi), (int)IFLA_PAYLOAD(h));
	return tb[IFLA_IFNAME] != NULL && strncmp(RTA_DATA(tb[IFLA_IFNAME]),
	    p->ifname, RTA_PAYLOAD(tb[IFLA_IFNAME])) == 0;
}

/*
 * -f -I: reads the link and address events that came; 1 when one may be
 * about IFACE (or some were lost), so it must be looked at again.
 */
static int
read_events(struct pc *p)
{
	char buf[NL_BUFSIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct sockaddr_nl sa;
	socklen_t sl;
	struct nlmsghdr *h;
	ssize_t n;
	int i, len, hit = 0;

	for (i = 0; i < 256; i++) {
		sl = sizeof(sa);
		n = recvfrom(p->ev.fd, buf, sizeof(buf), MSG_DONTWAIT,
		    (struct sockaddr *)&sa, &sl);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			/* ENOBUFS: the kernel dropped some. */
			hit |= errno != EAGAIN && errno != EWOULDBLOCK;
			break;
		}
		if (sa.nl_pid != 0)
			continue;	/* only the kernel's */
		len = (int)n;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, len);
		    h = NLMSG_NEXT(h, len))
			hit |= event_hit(p, h);
	}
	return hit;
}

/*
 * The sockets for the families of the targets.  With -f -I they follow
 * the interface (see follow_iface); otherwise what they need must be
 * there at start.
 */
static void
open_socks(struct pc *p)
{
	struct ifview v;
	int fi;

	if (p->ifwatch) {
		/* Subscribed first: no change between the look and it. */
		if (nl_open(&p->ev, RTMGRP_LINK |
		    (p->used[0] ? RTMGRP_IPV4_IFADDR : 0) |
		    (p->used[1] ? RTMGRP_IPV6_IFADDR : 0)) < 0)
			die(HK_EXIT_SYS, "netlink:");
		p->ev_open = 1;
		p->ifindex = 0;
		follow_iface(p);
		return;
	}
	memset(&v, 0, sizeof(v));
	if (p->ifname != NULL && iface_view(p, NULL, &v) < 0)
		die(HK_EXIT_SYS, "%s: netlink:", p->ifname);
	p->ifflags = v.flags;
	for (fi = 0; fi < 2; fi++) {
		int family = fi ? AF_INET6 : AF_INET;
		struct hk_addr src = v.a[fi];

		if (!p->used[fi])
			continue;
		if (p->have_src)
			src = p->src;
		else if (p->ifname != NULL && src.family == 0)
			die(HK_EXIT_SYS, "no IPv%c address on %s to send from",
			    fi ? '6' : '4', p->ifname);
		open_sock(p, family, &src, sock_for(p, family));
	}
}

/*
 * The probing loop.  One-shot: count rounds, then wait for the last
 * replies.  -f: forever, reporting each round, in order, once every
 * target answered or its timeout passed.
 */
static void
run(struct pc *p)
{
	struct pollfd pfd[4];
	uint64_t next = tm_now_us(), now, wake, tmo_us = p->timeout_ms * 1000;
	uint64_t iv_us = p->interval_ms * 1000;
	int n, np, tmo;
	uint64_t k;

	for (;;) {
		if (sig_stop)
			return;
		if (p->recheck_at != 0 && tm_now_ms() >= p->recheck_at)
			follow_iface(p);
		now = tm_now_us();
		if ((p->follow || p->nsent < p->count) && now >= next) {
			send_round(p);
			next += iv_us;
			if (next <= now)	/* fell behind: do not burst */
				next = now + iv_us;
		}
		now = tm_now_us();
		if (p->follow) {
			while (p->nemitted < p->nsent) {
				const struct round *r =
				    &p->r[p->nemitted % WIN];

				if (r->done < p->nt &&
				    now < r->sent_us + tmo_us)
					break;
				emit_round(p, p->nemitted++);
			}
		} else if (p->nsent == p->count) {
			int pending = 0;

			for (k = p->nsent > WIN ? p->nsent - WIN : 0;
			    k < p->nsent; k++) {
				const struct round *r = &p->r[k % WIN];

				if (r->done < p->nt &&
				    now < r->sent_us + tmo_us)
					pending = 1;
			}
			if (!pending)
				return;
		}
		/* Sleep until the next send or the next expiry. */
		wake = (p->follow || p->nsent < p->count) ? next : UINT64_MAX;
		for (k = p->nsent > WIN ? p->nsent - WIN : 0; k < p->nsent;
		    k++) {
			const struct round *r = &p->r[k % WIN];

			if (r->done < p->nt && r->sent_us + tmo_us > now &&
			    r->sent_us + tmo_us < wake)
				wake = r->sent_us + tmo_us;
		}
		if (p->recheck_at != 0 && p->recheck_at * 1000 < wake)
			wake = p->recheck_at * 1000;
		tmo = wake == UINT64_MAX ? -1 : wake <= now ? 0 :
		    (int)((wake - now + 999) / 1000);
		np = 0;
		if (p->s4.fd >= 0)
			pfd[np++] = (struct pollfd){ .fd = p->s4.fd,
			    .events = POLLIN };
		if (p->s6.fd >= 0)
			pfd[np++] = (struct pollfd){ .fd = p->s6.fd,
			    .events = POLLIN };
		/* After the sockets: np stays theirs. */
		pfd[np] = (struct pollfd){ .fd = p->wakefd, .events = POLLIN };
		pfd[np + 1] = (struct pollfd){ .fd = p->ev_open ? p->ev.fd : -1,
		    .events = POLLIN };
		n = poll(pfd, (nfds_t)np + 2, tmo);
		if (n < 0 && errno != EINTR)
			die(HK_EXIT_SYS, "poll:");
		if (n <= 0)
			continue;
		for (k = 0; k < (uint64_t)np; k++) {
			if (pfd[k].revents == 0)
				continue;
			if (pfd[k].fd == p->s4.fd)
				read_sock(p, &p->s4, AF_INET);
			else
				read_sock(p, &p->s6, AF_INET6);
		}
		/* After the replies: those to the old sockets are read. */
		if (pfd[np + 1].revents != 0 && read_events(p))
			follow_iface(p);
	}
}

static void
resolve(struct pc *p)
{
	struct addrinfo *ai;
	size_t i;
	int e, fam = p->have_src ? p->src.family :
	    p->have_gw && !p->gw_any ? p->gw.family : AF_UNSPEC;

	for (i = 0; i < p->nt; i++) {
		struct target *t = &p->t[i];

		e = mon_resolve(t->arg, fam, SOCK_RAW, &ai);
		if (e != 0) {
			warnf("%s: %s", t->arg, gai_strerror(e));
			continue;
		}
		memcpy(&t->ss, ai->ai_addr, ai->ai_addrlen);
		t->sslen = ai->ai_addrlen;
		t->a.family = ai->ai_family;
		if (ai->ai_family == AF_INET) {
			t->a.u.v4 = ((struct sockaddr_in *)&t->ss)->sin_addr;
			t->a.prefix = 32;
		} else {
			t->a.u.v6 = ((struct sockaddr_in6 *)&t->ss)->sin6_addr;
			t->a.prefix = 128;
			if (IN6_IS_ADDR_LINKLOCAL(&t->a.u.v6) && p->ifindex)
				((struct sockaddr_in6 *)&t->ss)->sin6_scope_id =
				    p->ifindex;
		}
		freeaddrinfo(ai);
		t->resolved = 1;
		p->used[t->a.family == AF_INET6] = 1;
	}
}

int
main(int argc, char **argv)
{
	static struct pc p = {
		.count = 3,
		.interval_ms = 200,
		.timeout_ms = 1000,
		.maxloss = -1,
		.down_n = 3,
		.up_n = 5,
		.min_alive = 1,
		.w_rta = -1, .w_pl = -1, .c_rta = -1, .c_pl = -1,
		.s4 = { .fd = -1 },
		.s6 = { .fd = -1 },
		.ev = { .fd = -1 },
		.state = S_UNKNOWN,
		.l_fail = -1, .l_rec = -1, .r_fail = -1, .r_rec = -1,
		.window_ms = 1000,
	};
	unsigned long ul;
	size_t i;
	int opt, status, have_min = 0, have_q = 0, resolved = 0;

	hk_setprogname(argv[0]);
	usage_help_arg(argc, argv, OPTS, usage_text, help_text);
	p.nagios = mon_has_flag(argc, argv, OPTS, 'N');
	while ((opt = getopt(argc, argv, OPTS)) !=
	    -1) {
		switch (opt) {
		case 'a':
			if (parse_ulong(optarg, 1, 100000, &p.min_alive) < 0)
				bad_usage(&p, "bad minimum of live targets: %s",
				    optarg);
			have_min = 1;
			break;
		case 'c':
			if (parse_ulong(optarg, 1, MAXCOUNT, &p.count) < 0)
				bad_usage(&p, "bad count (1 to 10000): %s",
				    optarg);
			break;
		case 'C':
			if (parse_thr(optarg, &p.c_rta, &p.c_pl) < 0)
				bad_usage(&p, "bad critical threshold "
				    "(RTA,PL%%): %s", optarg);
			break;
		case 'd':
			if (parse_ulong(optarg, 1, 1000000, &p.down_n) < 0)
				bad_usage(&p, "bad down count: %s", optarg);
			break;
		case 'f':
			p.follow = 1;
			break;
		case 'g':
			p.gw_any = strcmp(optarg, "any") == 0;
			if (!p.gw_any && addr_parse(optarg, &p.gw) < 0)
				bad_usage(&p, "bad gateway address: %s", optarg);
			p.have_gw = 1;
			break;
		case 'h':
			usage_help(usage_text, help_text);
		case 'i':
			if (parse_dur(optarg, &p.interval_ms) < 0 ||
			    p.interval_ms == 0)
				bad_usage(&p, "bad interval: %s", optarg);
			break;
		case 'I':
			if (optarg[0] == '\0' || strlen(optarg) >= IFNAMSIZ)
				bad_usage(&p, "bad interface name: %s", optarg);
			p.ifname = optarg;
			break;
		case 'l':
			if (parse_pct(optarg, &ul) < 0)
				bad_usage(&p, "bad loss (0 to 100%%): %s",
				    optarg);
			p.maxloss = (long)ul;
			break;
		case 'L':
			if (parse_quality(optarg, 1, &p.l_fail, &p.l_rec) < 0)
				bad_usage(&p, "bad loss threshold "
				    "(FAIL[:RECOVER], percent, "
				    "0 <= RECOVER < FAIL <= 100): %s", optarg);
			have_q = 1;
			break;
		case 'N':
			p.nagios = 1;
			break;
		case 'R':
			if (parse_quality(optarg, 0, &p.r_fail, &p.r_rec) < 0)
				bad_usage(&p, "bad round-trip threshold "
				    "(FAIL[:RECOVER], ms, RECOVER < FAIL): %s",
				    optarg);
			have_q = 1;
			break;
		case 'S':
			if (addr_parse(optarg, &p.src) < 0)
				bad_usage(&p, "bad source address: %s", optarg);
			p.have_src = 1;
			break;
		case 't':
			if (parse_dur(optarg, &p.timeout_ms) < 0 ||
			    p.timeout_ms == 0)
				bad_usage(&p, "bad timeout: %s", optarg);
			break;
		case 'u':
			if (parse_ulong(optarg, 1, 1000000, &p.up_n) < 0)
				bad_usage(&p, "bad up count: %s", optarg);
			break;
		case 'v':
			p.verbose = 1;
			break;
		case 'V':
			version_exit();
		case 'w':
			if (parse_thr(optarg, &p.w_rta, &p.w_pl) < 0)
				bad_usage(&p, "bad warning threshold "
				    "(RTA,PL%%): %s", optarg);
			break;
		case 'W':
			if (parse_dur(optarg, &p.window_ms) < 0 ||
			    p.window_ms == 0)
				bad_usage(&p, "bad window: %s", optarg);
			have_q = 1;
			break;
		default:
			bad_usage(&p, "unknown option%s", "");
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		bad_usage(&p, "no host to ping%s", "");
	if (p.follow && p.nagios)
		bad_usage(&p, "-f and -N do not go together%s", "");
	if (have_min && p.min_alive > (unsigned long)argc)
		bad_usage(&p, "-a asks for more live targets than there are "
		    "hosts%s", "");
	if (have_q && !p.follow)
		bad_usage(&p, "-L, -R and -W go with -f only%s", "");
	if (p.have_src && p.have_gw && !p.gw_any &&
	    p.src.family != p.gw.family)
		bad_usage(&p, "source and gateway of different families%s",
		    "");
	if (p.have_gw && p.ifname == NULL)
		bad_usage(&p, "-g needs -I IFACE%s", "");
	/* With -f it may come later: see follow_iface. */
	p.ifwatch = p.follow && p.ifname != NULL;
	if (p.ifname != NULL && !p.ifwatch &&
	    (p.ifindex = if_nametoindex(p.ifname)) == 0)
		bad_usage(&p, "no such interface: %s", p.ifname);
	if (p.timeout_ms > (WIN - 8) * p.interval_ms)
		bad_usage(&p, "timeout too long for the interval (at most "
		    "248 intervals)%s", "");
	/* The window in rounds: max(1, WINDOW / INTERVAL, rounded). */
	if (p.window_ms / p.interval_ms > QWIN)
		bad_usage(&p, "window too long for the interval (at most "
		    "1000 rounds)%s", "");
	p.qn = (unsigned)((p.window_ms + p.interval_ms / 2) / p.interval_ms);
	if (p.qn == 0)
		p.qn = 1;
	if (p.qn > QWIN)
		p.qn = QWIN;
	if ((p.t = calloc((size_t)argc, sizeof(*p.t))) == NULL)
		die(HK_EXIT_SYS, "out of memory");
	p.nt = (size_t)argc;
	for (i = 0; i < p.nt; i++)
		p.t[i].arg = argv[i];
	if ((p.l_fail >= 0 || p.r_fail >= 0) &&
	    (p.qt = calloc((size_t)p.qn * p.nt, sizeof(*p.qt))) == NULL)
		die(HK_EXIT_SYS, "out of memory");
	if (getrandom(&p.cookie, sizeof(p.cookie), 0) != sizeof(p.cookie))
		p.cookie = tm_now_us() ^ ((uint64_t)getpid() << 32);
	/* -g: route questions; -I: address dumps (iface_view). */
	if (p.have_gw || p.ifname != NULL) {
		if (nl_open(&p.nl, 0) < 0)
			die(HK_EXIT_SYS, "netlink:");
		p.nl_open = 1;
	}

	hk_check_stdout_at_exit();
	if ((p.wakefd = sig_stop_pipe()) < 0)
		die(HK_EXIT_SYS, "pipe:");
	resolve(&p);
	for (i = 0; i < p.nt; i++)
		resolved += p.t[i].resolved;
	if (p.follow && resolved == 0)
		die(HK_EXIT_USAGE, "no host could be resolved");
	open_socks(&p);
	run(&p);
	if (p.follow)
		status = HK_EXIT_OK;
	else
		status = p.nagios ? report_nagios(&p) : report_mon(&p);
	if (p.s4.fd >= 0)
		close(p.s4.fd);
	if (p.s6.fd >= 0)
		close(p.s6.fd);
	if (p.nl_open)
		nl_close(&p.nl);
	if (p.ev_open)
		nl_close(&p.ev);
	free(p.qt);
	free(p.t);
	return status;
}
