/*
 * gwswitch - keep the default route on the first healthy uplink.
 * Health comes as lines on stdin (NAME up|degraded|down, or pingcheck -f
 * lines prefixed with the uplink's name); carrier, interfaces and a DHCP
 * client's gateway from rtnetlink events; the route is replaced in one
 * netlink request; flapping uplinks are damped (RFC 2439).  With -C the
 * rules run alone, events and time given as lines.  The rules are the
 * table of gwswitch(8), RULES: the core's functions name their rows.
 */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "addr.h"
#include "common.h"
#include "nl.h"
#include "sig.h"
#include "tm.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP	0x10000	/* linux/if.h; glibc's net/if.h lacks it */
#endif

#define MAXUP		16
#define NAMELEN		32
#define WHYLEN		16
#define LINELEN		512
#define MAXWORDS	16

/* -D's defaults: RFC 2439's figure of merit, scaled to seconds. */
#define DAMP_HALF	15000	/* ms */
#define DAMP_SUPPRESS	1500
#define DAMP_REUSE	750
#define DAMP_MAX	300000	/* ms */
#define DAMP_STEP	500	/* per level lost: up 2, degraded 1, unusable 0 */

static const char usage_text[] =
    "usage: gwswitch [-6Cn] [-1 NAME] [-D HALFLIFE[,SUPPRESS,REUSE,MAX]]\n"
    "                [-m METRIC] [-t TABLE] [-u COUNT]\n"
    "                NAME=[GATEWAY|dhcp]@IFACE ...\n";

/* One line per option, for -h and --help: see usage_help(). */
static const char help_text[] =
    "-6\tIPv6, for uplinks without a gateway address (default IPv4)\n"
    "-C\tthe rules alone: events and @MS time as lines, no netlink\n"
    "-D HALFLIFE[,SUPPRESS,REUSE,MAX]\tflap damping "
    "(default 15s,1500,750,300s; 0: off)\n"
    "-n\tdry run: print what would be done, change nothing\n"
    "-1 NAME\tset the default route through uplink NAME once, and exit\n"
    "-m METRIC\tmetric of the route to manage (default 0; for IPv6, 1024)\n"
    "-t TABLE\trouting table, a number or main (default main)\n"
    "-u COUNT\t"
    "good rounds after a carrier loss before it is used (default 5)\n";
#define OPTS		":1:6CD:hm:nt:u:V"

enum kind { K_GW, K_PTP, K_DHCP };	/* GATEWAY@, @IFACE, dhcp@ */
enum health { H_UNKNOWN, H_DOWN, H_DEGRADED, H_UP };

struct uplink {
	char		name[NAMELEN];
	char		ifname[IF_NAMESIZE];
	enum kind	kind;
	struct hk_addr	gw;
	int		gwknown;	/* a gateway (K_DHCP: learned), or K_PTP */
	int		ifindex;	/* 0: no such interface (yet) */
	enum health	health;
	char		why[WHYLEN];	/* why= of its last state line */
	int		carrier;	/* IFF_UP and IFF_LOWER_UP */
	int		held;		/* carrier was lost: needs a fresh verdict */
	int		refused;	/* the kernel refused a route via it */
	unsigned long	goodrounds;	/* pingcheck good rounds since held */
	int		level;		/* 2 up, 1 degraded, 0 unusable (P1) */
	double		pen;		/* the penalty at pen_t */
	uint64_t	pen_t;
	int		damped;
	uint64_t	release;	/* when a damped uplink is let go */
	int		failnext;	/* -C: the kernel refuses the next route */
};

struct gw {
	struct uplink	up[MAXUP];
	int		nup;
	int		family;
	uint32_t	table;
	uint32_t	metric;
	unsigned long	upcount;	/* -u: good rounds that lift a hold */
	int		dry;		/* -n */
	int		core;		/* -C */
	const char	*once;		/* -1 NAME */
	uint64_t	half;		/* -D: half-life in ms, 0: no damping */
	double		suppress, reuse, ceiling;
	uint64_t	maxsup;		/* ms */
	uint64_t	now;		/* ms: the clock, or -C's @MS */
	int		cur;		/* uplink carrying the route, or -1 */
	int		alldown;	/* all-down already reported */
	int		settled;	/* the first decision was made */
	int		outside;	/* the route was changed by someone else */
	int		started;	/* -C: a line other than route came */
	int		fakeidx;	/* -C: the last interface index given */
	struct nl	rq;		/* requests and dumps */
	struct nl	ev;		/* link and route events */
	char		buf[LINELEN];
	size_t		len;
	int		skipping;	/* discarding an overlong line */
	unsigned long	lineno;
};

static void	decide(struct gw *);

/* 2^x for 0 <= x <= 1100, without libm: whole part by doubling, the
 * rest by the series of e^(x ln 2), which converges fast below 0.7. */
static double
pow2(double x)
{
	double r = 1, t = 1, s = 1;
	int k;

	if (x > 1100)
		x = 1100;
	for (k = (int)x; k > 0; k--)
		r *= 2;
	x -= (int)x;
	for (k = 1; k < 24; k++) {
		t *= x * 0.69314718055994530942 / k;
		s += t;
	}
	return r * s;
}

/* log2(y) for y >= 1, bit by bit (squaring), without libm. */
static double
log2_(double y)
{
	double r = 0, b = 1;
	int i;

	while (y >= 2) {
		y /= 2;
		r += 1;
	}
	for (i = 0; i < 40; i++) {
		y *= y;
		b /= 2;
		if (y >= 2) {
			y /= 2;
			r += b;
		}
	}
	return r;
}

static int
valid_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n >= NAMELEN)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		    c == '.'))
			return 0;
	}
	/* An all-digit name would read like a pingcheck timestamp. */
	return strspn(s, "0123456789") < n;
}

/* NAME=GATEWAY@IFACE, NAME=@IFACE, NAME=dhcp@IFACE; exits 2 when bad. */
static void
parse_uplink(struct gw *g, const char *arg)
{
	struct uplink *u = &g->up[g->nup];
	const char *eq, *at;
	char gwtext[ADDR_STRLEN + 1];
	size_t n;
	int i;

	eq = strchr(arg, '=');
	at = eq != NULL ? strrchr(eq, '@') : NULL;
	if (eq == NULL || at == NULL)
		usage_error(usage_text, "bad uplink '%s': want "
		    "NAME=GATEWAY@IFACE, NAME=@IFACE or NAME=dhcp@IFACE", arg);
	if (!valid_name(arg, (size_t)(eq - arg)))
		usage_error(usage_text, "bad uplink name in '%s': want 1-%d "
		    "letters, digits, '.', '_' or '-'", arg, NAMELEN - 1);
	memcpy(u->name, arg, (size_t)(eq - arg));
	u->name[eq - arg] = '\0';
	for (i = 0; i < g->nup; i++)
		if (strcmp(g->up[i].name, u->name) == 0)
			usage_error(usage_text, "uplink '%s' given twice",
			    u->name);
	n = (size_t)(at - eq - 1);
	if (n >= sizeof(gwtext))
		usage_error(usage_text, "bad gateway in '%s': want a numeric "
		    "IPv4 or IPv6 address, dhcp, or none", arg);
	memcpy(gwtext, eq + 1, n);
	gwtext[n] = '\0';
	if (n == 0) {
		u->kind = K_PTP;
		u->gwknown = 1;		/* none needed */
	} else if (strcmp(gwtext, "dhcp") == 0) {
		u->kind = K_DHCP;
	} else if (addr_parse(gwtext, &u->gw) < 0) {
		usage_error(usage_text, "bad gateway in '%s': want a numeric "
		    "IPv4 or IPv6 address, dhcp, or none", arg);
	} else {
		u->kind = K_GW;
		u->gwknown = 1;
		if (g->family == AF_UNSPEC)
			g->family = u->gw.family;
		else if (g->family != u->gw.family)
			usage_error(usage_text, "uplink '%s': every gateway "
			    "must be of the same family", u->name);
	}
	if (at[1] == '\0' || strlen(at + 1) >= IF_NAMESIZE ||
	    strchr(at + 1, '/') != NULL)
		usage_error(usage_text, "bad interface in '%s'", arg);
	strcpy(u->ifname, at + 1);
	u->health = H_UNKNOWN;
	g->nup++;
}

/* -D HALFLIFE[,SUPPRESS,REUSE,MAX]; -D 0 turns damping off. */
static void
parse_damp(struct gw *g, const char *arg)
{
	char buf[128], *f[5], *save = NULL, *p;
	unsigned long v;
	int n = 0;

	if (strlen(arg) >= sizeof(buf))
		usage_error(usage_text, "bad -D '%s'", arg);
	strcpy(buf, arg);
	for (p = strtok_r(buf, ",", &save); p != NULL && n < 5;
	    p = strtok_r(NULL, ",", &save))
		f[n++] = p;
	if (n == 0 || n > 4 || arg[strlen(arg) - 1] == ',' ||
	    strstr(arg, ",,") != NULL)
		usage_error(usage_text, "bad -D '%s': want "
		    "HALFLIFE[,SUPPRESS,REUSE,MAX]", arg);
	if (parse_dur(f[0], &g->half) == 0 && g->half == 0)
		return;
	g->half = opt_dur(usage_text, "half-life", f[0], 10);
	if (n > 1) {
		if (parse_ulong(f[1], 1, 1000000000, &v) < 0)
			usage_error(usage_text, "bad suppress limit '%s'",
			    f[1]);
		g->suppress = (double)v;
	}
	if (n > 2) {
		if (parse_ulong(f[2], 1, 1000000000, &v) < 0)
			usage_error(usage_text, "bad reuse limit '%s'", f[2]);
		g->reuse = (double)v;
	}
	if (n > 3)
		g->maxsup = opt_dur(usage_text, "max suppress time", f[3], 10);
	if (g->reuse >= g->suppress)
		usage_error(usage_text, "-D: the reuse limit (%.0f) must be "
		    "under the suppress limit (%.0f)", g->reuse, g->suppress);
	if ((double)g->maxsup / (double)g->half > 1000)
		usage_error(usage_text, "-D: MAX is over 1000 half-lives");
	g->ceiling = g->reuse * pow2((double)g->maxsup / (double)g->half);
	if (g->ceiling <= g->suppress)
		usage_error(usage_text, "-D: with MAX that short the penalty "
		    "never reaches the suppress limit");
}

static struct uplink *
find_uplink(struct gw *g, const char *name)
{
	int i;

	for (i = 0; i < g->nup; i++)
		if (strcmp(g->up[i].name, name) == 0)
			return &g->up[i];
	return NULL;
}

static const char *
gw_text(const struct uplink *u, char *buf, size_t len)
{
	if (u->kind == K_PTP || !u->gwknown)
		return "-";
	return addr_fmt(&u->gw, buf, len);
}

static void
print_route(const struct uplink *u)
{
	char gwbuf[ADDR_STRLEN];

	printf("route %s %s %s\n", u->name, gw_text(u, gwbuf, sizeof(gwbuf)),
	    u->ifname);
}

/* ---- the kernel's side ---------------------------------------------- */

struct onlink {
	struct uplink	*u;
	int		ok;		/* the gateway is on one of them */
	int		naddr;		/* addresses of the family */
};

/* Address dump callback: is the gateway inside one of the prefixes? */
static int
addr_cb(const struct nlmsghdr *h, void *arg)
{
	struct onlink *o = arg;
	struct ifaddrmsg *ifa = NLMSG_DATA(h);
	struct rtattr *tb[IFA_MAX + 1];
	struct hk_addr net;
	struct rtattr *a;

	if (h->nlmsg_type != RTM_NEWADDR ||
	    h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)))
		return 0;
	if ((int)ifa->ifa_index != o->u->ifindex ||
	    ifa->ifa_family != o->u->gw.family)
		return 0;
	nl_attr_parse(tb, IFA_MAX, IFA_RTA(ifa),
	    (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifa))));
	/* IFA_ADDRESS is the peer on point-to-point links: on-link too. */
	a = tb[IFA_ADDRESS] != NULL ? tb[IFA_ADDRESS] : tb[IFA_LOCAL];
	if (a == NULL || RTA_PAYLOAD(a) != addr_len(&o->u->gw))
		return 0;
	o->naddr++;
	memset(&net, 0, sizeof(net));
	net.family = ifa->ifa_family;
	net.prefix = ifa->ifa_prefixlen;
	memcpy(net.u.b, RTA_DATA(a), addr_len(&o->u->gw));
	if (addr_in_net(&net, &o->u->gw))
		o->ok = 1;
	return 0;
}

static int
is_linklocal6(const struct hk_addr *a)
{
	return a->family == AF_INET6 && a->u.b[0] == 0xfe &&
	    (a->u.b[1] & 0xc0) == 0x80;
}

/*
 * Exits 2 unless every gateway given lies on a subnet of its interface;
 * an interface not there yet, @IFACE and dhcp@IFACE uplinks are left to
 * the kernel's refusal.
 */
static void
check_onlink(struct gw *g)
{
	struct {
		struct nlmsghdr	h;
		struct ifaddrmsg i;
	} req;
	char gwbuf[ADDR_STRLEN];
	int i, r;

	for (i = 0; i < g->nup; i++) {
		struct onlink o = { &g->up[i], 0, 0 };

		if (g->up[i].kind != K_GW || g->up[i].ifindex == 0 ||
		    is_linklocal6(&g->up[i].gw))
			continue;
		do {
			memset(&req, 0, sizeof(req));
			req.h.nlmsg_len = NLMSG_LENGTH(sizeof(req.i));
			req.h.nlmsg_type = RTM_GETADDR;
			req.i.ifa_family = (unsigned char)g->family;
			o.ok = 0;
			o.naddr = 0;
			r = nl_dump(&g->rq, &req.h, addr_cb, &o);
		} while (r < 0 && errno == EAGAIN);
		if (r < 0)
			die(HK_EXIT_SYS, "reading addresses:");
		/*
		 * No address at all yet (no carrier, no lease: networkd and
		 * NetworkManager take it away with the carrier): not a
		 * mistake, a state; the kernel refuses the route until then.
		 */
		if (o.naddr == 0) {
			warnf("uplink '%s': %s has no address yet; down until "
			    "the kernel takes a route through it",
			    g->up[i].name, g->up[i].ifname);
			continue;
		}
		if (!o.ok)
			die(HK_EXIT_USAGE, "uplink '%s': gateway %s is not on "
			    "a subnet of %s", g->up[i].name,
			    addr_fmt(&g->up[i].gw, gwbuf, sizeof(gwbuf)),
			    g->up[i].ifname);
	}
}

/*
 * Replaces the default route with one through u, in one request: the
 * old route is swapped for the new, never deleted first.  An uplink
 * without a gateway gets "default dev IFACE", scope link.  0, or -1
 * with errno and the kernel's message in errmsg.
 */
static int
set_route(struct gw *g, const struct uplink *u, char *errmsg)
{
	struct {
		struct nlmsghdr	h;
		struct rtmsg	r;
		char		attrs[128];
	} req;
	int ptp = u->kind == K_PTP;

	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(req.r));
	req.h.nlmsg_type = RTM_NEWROUTE;
	req.h.nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	req.r.rtm_family = (unsigned char)g->family;
	req.r.rtm_dst_len = 0;
	req.r.rtm_table = g->table < 256 ? (unsigned char)g->table :
	    RT_TABLE_UNSPEC;
	req.r.rtm_protocol = RTPROT_STATIC;
	req.r.rtm_scope = ptp && g->family == AF_INET ? RT_SCOPE_LINK :
	    RT_SCOPE_UNIVERSE;
	req.r.rtm_type = RTN_UNICAST;
	if (errmsg != NULL)
		errmsg[0] = '\0';
	if (nl_attr_add_u32(&req.h, sizeof(req), RTA_TABLE, g->table) < 0 ||
	    (!ptp && nl_attr_add(&req.h, sizeof(req), RTA_GATEWAY, u->gw.u.b,
	    addr_len(&u->gw)) < 0) ||
	    nl_attr_add_u32(&req.h, sizeof(req), RTA_OIF,
	    (uint32_t)u->ifindex) < 0 ||
	    (g->metric != 0 && nl_attr_add_u32(&req.h, sizeof(req),
	    RTA_PRIORITY, g->metric) < 0))
		return -1;
	return nl_request(&g->rq, &req.h, errmsg);
}

/* ---- the rules (gwswitch(8), RULES) ---------------------------------- */

/* The penalty now: halved every half-life (P1). */
static double
penalty(const struct gw *g, const struct uplink *u)
{
	double x;

	if (u->pen == 0 || g->now <= u->pen_t)
		return u->pen;
	x = (double)(g->now - u->pen_t) / (double)g->half;
	return x > 1100 ? 0 : u->pen / pow2(x);
}

/* Present, carrier, no hold, a gateway (G1): what a verdict is about. */
static int
linked(const struct uplink *u)
{
	return u->ifindex != 0 && u->carrier && !u->held && u->gwknown;
}

/* C1: usable, and the route's holder counts as up before any verdict. */
static int
usable(const struct gw *g, int i)
{
	const struct uplink *u = &g->up[i];

	if (!linked(u) || u->refused)
		return 0;
	return u->health == H_UP || u->health == H_DEGRADED ||
	    (u->health == H_UNKNOWN && g->cur == i);
}

/* C1: the rank of a usable uplink (lower is better), or -1. */
static int
rank(const struct gw *g, int i)
{
	const struct uplink *u = &g->up[i];

	if (!usable(g, i))
		return -1;
	return ((u->health == H_DEGRADED) + 2 * u->damped) * MAXUP + i;
}

/* P1, P2: what a fall from one level to a lower one costs. */
static void
add_penalty(struct gw *g, struct uplink *u, int levels)
{
	double p = penalty(g, u) + (double)(DAMP_STEP * levels);

	if (p > g->ceiling)
		p = g->ceiling;
	u->pen = p;
	u->pen_t = g->now;
	if (!u->damped && p <= g->suppress)
		return;
	/* Decayed below the reuse limit after half * log2(p / reuse). */
	u->release = g->now + (uint64_t)((double)g->half *
	    log2_(p / g->reuse) + 0.999);
	if (u->release > g->now + g->maxsup)
		u->release = g->now + g->maxsup;
	if (!u->damped) {
		u->damped = 1;
		printf("damp %s penalty=%.0f reuse=%llu\n", u->name, p,
		    (unsigned long long)(u->release - g->now));
		warnf("%s: flapping: damped for %llu ms", u->name,
		    (unsigned long long)(u->release - g->now));
	}
}

/* P1: each uplink's level now; a fall is a flap. */
static void
account(struct gw *g)
{
	int i, lvl;

	for (i = 0; i < g->nup; i++) {
		struct uplink *u = &g->up[i];

		lvl = !linked(u) ? 0 : u->health == H_UP ? 2 :
		    u->health == H_DEGRADED ? 1 : 0;
		if (g->half != 0 && lvl < u->level)
			add_penalty(g, u, u->level - lvl);
		u->level = lvl;
	}
}

/* P3: damped uplinks whose time has come are let go. */
static void
release(struct gw *g)
{
	int i, any = 0;

	for (i = 0; i < g->nup; i++) {
		struct uplink *u = &g->up[i];

		if (!u->damped || u->release > g->now)
			continue;
		u->damped = 0;
		any = 1;
		printf("undamp %s\n", u->name);
		warnf("%s: no longer damped", u->name);
	}
	if (any)
		decide(g);
}

/* The earliest release, or 0 for none. */
static uint64_t
next_release(const struct gw *g)
{
	uint64_t t = 0;
	int i;

	for (i = 0; i < g->nup; i++)
		if (g->up[i].damped && (t == 0 || g->up[i].release < t))
			t = g->up[i].release;
	return t;
}

/* The time moves on to t (never back); P3 first. */
static void
advance(struct gw *g, uint64_t t)
{
	if (t > g->now)
		g->now = t;
	release(g);
}

/* W rows: why the route left from (or -1) for to. */
static const char *
why_word(const struct gw *g, int from, int to, const char **detail)
{
	const struct uplink *f, *t = &g->up[to];

	*detail = NULL;
	if (!g->settled)
		return "start";
	if (g->outside)
		return "outside";
	if (from < 0)
		return "better";
	f = &g->up[from];
	if (f->ifindex == 0 || !f->carrier || f->held)
		return "carrier";
	if (f->refused)
		return "refused";
	if (f->why[0] != '\0')
		*detail = f->why;
	if (!usable(g, from))
		return "down";
	/* Damped: it would have kept the route, undamped. */
	if (f->damped && (f->health == H_DEGRADED) * MAXUP + from <
	    (t->health == H_DEGRADED) * MAXUP + to) {
		*detail = NULL;
		return "damped";
	}
	if (f->health == H_DEGRADED && t->health != H_DEGRADED)
		return "degraded";
	*detail = NULL;
	return "better";
}

/* The route via u: the kernel's answer, -C's pretend one, or -n's. */
static int
route_to(struct gw *g, struct uplink *u, char *errmsg)
{
	errmsg[0] = '\0';
	if (g->core && u->failnext) {
		u->failnext = 0;
		errno = ENETUNREACH;
		snprintf(errmsg, NL_ERRLEN, "refused as asked (-C)");
		return -1;
	}
	if (g->core || g->dry)
		return 0;
	return set_route(g, u, errmsg);
}

static void
refusal(struct uplink *u, const char *errmsg)
{
	warnf("%s: the kernel refused the route via %s: %s%s%s", u->name,
	    u->ifname, strerror(errno), errmsg[0] != '\0' ? ": " : "",
	    errmsg);
	u->refused = 1;
}

/*
 * C2-C6: puts the route on the best usable uplink (C1's rank), or
 * reports all-down.
 */
static void
decide(struct gw *g)
{
	char errmsg[NL_ERRLEN];
	const char *why, *detail;
	int i, r, best, bestr, wait;

	for (;;) {
		best = -1;
		bestr = INT_MAX;
		for (i = 0; i < g->nup; i++)
			if ((r = rank(g, i)) >= 0 && r < bestr) {
				best = i;
				bestr = r;
			}
		/*
		 * C2: one that has not spoken yet would rank first if up:
		 * wait for it rather than move the route twice at start.
		 */
		wait = 0;
		for (i = 0; i < g->nup; i++) {
			const struct uplink *u = &g->up[i];

			if (u->health == H_UNKNOWN && i != g->cur && linked(u) &&
			    !u->refused && 2 * u->damped * MAXUP + i < bestr)
				wait = 1;
		}
		if (wait)
			return;
		if (best < 0) {
			/* C3: said once, when every uplink has spoken. */
			if (!g->alldown) {
				g->alldown = 1;
				printf("all-down kept=%s\n", g->cur >= 0 ?
				    g->up[g->cur].name : "-");
				warnf("no uplink is up; the default route "
				    "stays as it is");
			}
			break;
		}
		g->alldown = 0;
		if (best == g->cur)		/* C4 */
			break;
		if (route_to(g, &g->up[best], errmsg) == 0) {	/* C5 */
			why = why_word(g, g->cur, best, &detail);
			printf("switch %s %s why=%s%s%s\n", g->cur >= 0 ?
			    g->up[g->cur].name : "-", g->up[best].name, why,
			    detail != NULL ? " detail=" : "",
			    detail != NULL ? detail : "");
			print_route(&g->up[best]);
			g->cur = best;
			break;
		}
		/* C6: leave this one aside until its state changes. */
		refusal(&g->up[best], errmsg);
	}
	g->settled = 1;
	g->outside = 0;
}

/* H1: a verdict: NAME up|degraded|down, NAME state up|... why=W. */
static void
ev_verdict(struct uplink *u, enum health h, const char *why)
{
	u->health = h;
	u->refused = 0;
	if (h != H_DOWN && u->carrier)
		u->held = 0;
	if (h == H_DOWN)
		u->goodrounds = 0;
	u->why[0] = '\0';
	if (why != NULL && strlen(why) < WHYLEN &&
	    strspn(why, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") == strlen(why))
		strcpy(u->why, why);
}

/* H2: a pingcheck round: lifts a carrier hold after COUNT good ones. */
static void
ev_round(struct gw *g, struct uplink *u, enum health h)
{
	if (h == H_DOWN) {
		u->goodrounds = 0;
		return;
	}
	if (u->held && u->carrier && ++u->goodrounds >= g->upcount) {
		u->held = 0;
		u->refused = 0;
		u->health = h;
	}
}

/* L1, L2: the carrier of u's interface; 1 when it changed. */
static int
ev_carrier(struct uplink *u, int carrier, int initial)
{
	if (!initial && u->carrier == carrier)
		return 0;
	u->carrier = carrier;
	if (!carrier) {
		/* Down at once; back only on a fresh verdict. */
		u->held = 1;
		u->goodrounds = 0;
		if (!initial)
			warnf("%s: carrier lost on %s", u->name, u->ifname);
	} else if (!initial) {
		warnf("%s: carrier back on %s", u->name, u->ifname);
	}
	u->refused = 0;
	return 1;
}

/* L3: u's interface is gone. */
static void
ev_gone(struct uplink *u)
{
	if (u->ifindex == 0)
		return;
	warnf("%s: %s is gone; down until it is back", u->name, u->ifname);
	u->ifindex = 0;
	u->carrier = 0;
	u->held = 1;
	u->goodrounds = 0;
	u->refused = 0;
}

/* L4: an interface of u's name came (first, or made again). */
static void
ev_new(struct uplink *u, int ifindex)
{
	warnf("%s: %s is a new interface now", u->name, u->ifname);
	u->ifindex = ifindex;
	u->carrier = 0;
	u->held = 1;
	u->goodrounds = 0;
	u->refused = 0;
}

/* G2: a DHCP client's gateway through u's interface. */
static void
ev_gateway(struct gw *g, struct uplink *u, const struct hk_addr *a)
{
	char errmsg[NL_ERRLEN], gwbuf[ADDR_STRLEN];

	if (u->gwknown && memcmp(u->gw.u.b, a->u.b, addr_len(a)) == 0)
		return;
	u->gw = *a;
	u->gwknown = 1;
	u->refused = 0;
	printf("gateway %s %s\n", u->name, addr_fmt(a, gwbuf, sizeof(gwbuf)));
	if (g->cur != u - g->up)
		return;
	/* The route follows at once (G3). */
	if (route_to(g, u, errmsg) == 0)
		print_route(u);
	else
		refusal(u, errmsg);
}

/* C7: the route now goes through idx (-1: none of ours), not by us. */
static void
ev_route(struct gw *g, int idx)
{
	if (idx == g->cur)
		return;
	warnf("the default route changed outside gwswitch: now %s",
	    idx >= 0 ? g->up[idx].name : "none of ours");
	g->cur = idx;
	g->outside = 1;
}

static int
health_word(const char *s, enum health *h)
{
	if (strcmp(s, "up") == 0)
		*h = H_UP;
	else if (strcmp(s, "degraded") == 0)
		*h = H_DEGRADED;
	else if (strcmp(s, "down") == 0)
		*h = H_DOWN;
	else
		return 0;
	return 1;
}

/* -C's own lines about an uplink: 1 when it was one. */
static int
core_line(struct gw *g, struct uplink *u, char **w, int n)
{
	struct hk_addr a;

	if (n == 2 && strcmp(w[0], "carrier") == 0 &&
	    (strcmp(w[1], "up") == 0 || strcmp(w[1], "down") == 0)) {
		if (u->ifindex == 0)
			warnf("line %lu: %s has no interface; carrier %s "
			    "ignored", g->lineno, u->name, w[1]);
		else
			ev_carrier(u, w[1][0] == 'u', 0);
	} else if (n == 2 && strcmp(w[0], "link") == 0 &&
	    strcmp(w[1], "gone") == 0) {
		ev_gone(u);
	} else if (n == 2 && strcmp(w[0], "link") == 0 &&
	    strcmp(w[1], "new") == 0) {
		ev_new(u, ++g->fakeidx);
	} else if (n == 2 && strcmp(w[0], "gateway") == 0) {
		if (u->kind != K_DHCP)
			warnf("line %lu: %s is not a dhcp uplink", g->lineno,
			    u->name);
		else if (addr_parse(w[1], &a) < 0 || a.family != g->family)
			warnf("line %lu: bad gateway '%.64s'", g->lineno,
			    w[1]);
		else
			ev_gateway(g, u, &a);
	} else if (n == 1 && strcmp(w[0], "refuse") == 0) {
		u->failnext = 1;
	} else {
		return 0;
	}
	return 1;
}

/* One line about uplink u (its name taken off): the H rows, -C's L/G. */
static void
uplink_line(struct gw *g, struct uplink *u, char **w, int n)
{
	const char *why = NULL;
	enum health h;
	int i;

	if (n == 1 && health_word(w[0], &h)) {
		ev_verdict(u, h, NULL);
	} else if (n >= 2 && strcmp(w[0], "state") == 0 &&
	    health_word(w[1], &h)) {
		for (i = 2; i < n; i++)
			if (strncmp(w[i], "why=", 4) == 0)
				why = w[i] + 4;
		ev_verdict(u, h, why);
	} else if (n >= 2 && w[0][strspn(w[0], "0123456789")] == '\0' &&
	    health_word(w[1], &h)) {
		ev_round(g, u, h);
	} else if (!g->core || !core_line(g, u, w, n)) {
		warnf("line %lu: not a health line, ignored", g->lineno);
	}
}

/* One input line: split, the time (-C), then the event, then C rows. */
static void
input_line(struct gw *g, char *line)
{
	char *w[MAXWORDS], *save = NULL, *p;
	struct uplink *u;
	unsigned long ms;
	int n = 0;

	g->lineno++;
	for (p = strtok_r(line, " \t\r", &save); p != NULL && n < MAXWORDS;
	    p = strtok_r(NULL, " \t\r", &save))
		w[n++] = p;
	if (g->core && n > 0 && w[0][0] == '@') {
		if (parse_ulong(w[0] + 1, 0, ULONG_MAX, &ms) < 0 ||
		    (uint64_t)ms < g->now) {
			warnf("line %lu: bad time '%.32s': want @MS, not going "
			    "back", g->lineno, w[0]);
			return;
		}
		advance(g, ms);
		memmove(w, w + 1, (size_t)(n - 1) * sizeof(*w));
		n--;
	}
	if (n == 0)
		return;
	u = find_uplink(g, w[0]);
	if (g->core && u == NULL && n == 2 && strcmp(w[0], "route") == 0) {
		int idx = -1;

		if (strcmp(w[1], "-") != 0) {
			if ((u = find_uplink(g, w[1])) == NULL) {
				warnf("line %lu: unknown uplink '%.32s'",
				    g->lineno, w[1]);
				return;
			}
			idx = (int)(u - g->up);
		}
		/* Before any other line: the route found at start. */
		if (!g->started)
			g->cur = idx;
		else
			ev_route(g, idx);
		goto done;
	}
	if (g->core && !g->started) {
		g->started = 1;
		decide(g);
	}
	if (g->core && u == NULL && n == 1 && strcmp(w[0], "tick") == 0)
		goto done;
	if (u == NULL) {
		warnf("line %lu: unknown uplink '%.32s'", g->lineno, w[0]);
		return;
	}
	uplink_line(g, u, w + 1, n - 1);
done:
	account(g);
	if (g->started || !g->core)
		decide(g);
}

/* Reads what stdin has, a line at a time; 0 at end of input. */
static int
read_input(struct gw *g)
{
	ssize_t n;
	char *nl;

	n = read(STDIN_FILENO, g->buf + g->len, sizeof(g->buf) - 1 - g->len);
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 1 : -1;
	if (n == 0) {
		/* A last line without its newline is a line. */
		if (g->len > 0 && !g->skipping) {
			g->buf[g->len] = '\0';
			if (strlen(g->buf) == g->len)
				input_line(g, g->buf);
		}
		g->len = 0;
		return 0;
	}
	g->len += (size_t)n;
	g->buf[g->len] = '\0';
	while ((nl = memchr(g->buf, '\n', g->len)) != NULL) {
		size_t used = (size_t)(nl - g->buf) + 1;

		*nl = '\0';
		if (g->skipping)
			g->skipping = 0;
		else if (strlen(g->buf) == used - 1)
			input_line(g, g->buf);
		else
			warnf("line %lu: NUL byte, ignored", ++g->lineno);
		memmove(g->buf, g->buf + used, g->len - used);
		g->len -= used;
	}
	if (g->len == sizeof(g->buf) - 1) {
		if (!g->skipping)
			warnf("line %lu: longer than %d bytes, ignored",
			    ++g->lineno, LINELEN - 2);
		g->skipping = 1;
		g->len = 0;
	}
	return 1;
}

/* ---- kernel events into the rules ------------------------------------ */

/* Notes the carrier of one of our interfaces; 1 when it changed. */
static int
set_carrier(struct gw *g, int ifindex, int carrier, int initial)
{
	int i, changed = 0;

	for (i = 0; i < g->nup; i++)
		if (g->up[i].ifindex == ifindex &&
		    ev_carrier(&g->up[i], carrier, initial))
			changed = 1;
	return changed;
}

/*
 * An uplink's interface is named: when an interface of that name comes
 * with another index (deleted and made again: a PPP link, a VLAN set up
 * anew; or there for the first time), it is the uplink's from now on,
 * without carrier until the message says so and, like a carrier that
 * returns, in need of a fresh verdict (L4).
 */
static void
follow_name(struct gw *g, const struct ifinfomsg *ifi, const struct rtattr *a)
{
	char name[IF_NAMESIZE];
	size_t n = RTA_PAYLOAD(a);
	int i;

	if (n >= sizeof(name))
		n = sizeof(name) - 1;
	memcpy(name, RTA_DATA(a), n);
	name[n] = '\0';
	for (i = 0; i < g->nup; i++) {
		struct uplink *u = &g->up[i];

		if (u->ifindex == ifi->ifi_index || strcmp(u->ifname, name) != 0)
			continue;
		ev_new(u, ifi->ifi_index);
	}
}

static int
link_msg(struct gw *g, const struct nlmsghdr *h, int initial)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	struct rtattr *tb[IFLA_MAX + 1];
	int carrier, i, changed = 0;

	if ((h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK) ||
	    h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)) || ifi->ifi_index <= 0)
		return 0;
	if (h->nlmsg_type == RTM_DELLINK) {
		for (i = 0; i < g->nup; i++)
			if (g->up[i].ifindex == ifi->ifi_index) {
				ev_gone(&g->up[i]);
				changed = 1;
			}
		return changed;
	}
	nl_attr_parse(tb, IFLA_MAX, IFLA_RTA(ifi),
	    (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi))));
	if (tb[IFLA_IFNAME] != NULL)
		follow_name(g, ifi, tb[IFLA_IFNAME]);
	carrier = (ifi->ifi_flags & IFF_UP) && (ifi->ifi_flags & IFF_LOWER_UP);
	return set_carrier(g, ifi->ifi_index, carrier, initial);
}

static int
link_cb(const struct nlmsghdr *h, void *arg)
{
	link_msg(arg, h, 1);
	return 0;
}

static void
read_links(struct gw *g)
{
	struct {
		struct nlmsghdr	h;
		struct ifinfomsg i;
	} req;
	int i, r;

	for (i = 0; i < g->nup; i++)
		g->up[i].carrier = 0;
	do {
		memset(&req, 0, sizeof(req));
		req.h.nlmsg_len = NLMSG_LENGTH(sizeof(req.i));
		req.h.nlmsg_type = RTM_GETLINK;
		req.i.ifi_family = AF_UNSPEC;
		r = nl_dump(&g->rq, &req.h, link_cb, g);
	} while (r < 0 && errno == EAGAIN);
	if (r < 0)
		die(HK_EXIT_SYS, "reading links:");
	for (i = 0; i < g->nup; i++)
		if (!g->up[i].carrier)
			g->up[i].held = 1;
}

/* A default route of our family, its attributes read. */
struct rt {
	uint32_t	table, metric;
	int		oif;
	int		hasgw;		/* one RTA_GATEWAY, no multipath */
	int		multi;
	struct hk_addr	gw;
};

/* 1 when h adds or removes a unicast default route of our family. */
static int
parse_rt(const struct gw *g, const struct nlmsghdr *h, struct rt *rt)
{
	const struct rtmsg *rtm = NLMSG_DATA(h);
	struct rtattr *tb[RTA_MAX + 1];

	if ((h->nlmsg_type != RTM_NEWROUTE && h->nlmsg_type != RTM_DELROUTE) ||
	    h->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)))
		return 0;
	if (rtm->rtm_family != g->family || rtm->rtm_dst_len != 0 ||
	    rtm->rtm_type != RTN_UNICAST)
		return 0;
	nl_attr_parse(tb, RTA_MAX, RTM_RTA(rtm),
	    (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*rtm))));
	memset(rt, 0, sizeof(*rt));
	rt->table = rtm->rtm_table;
	if (tb[RTA_TABLE] != NULL && RTA_PAYLOAD(tb[RTA_TABLE]) == 4)
		memcpy(&rt->table, RTA_DATA(tb[RTA_TABLE]), 4);
	if (tb[RTA_PRIORITY] != NULL && RTA_PAYLOAD(tb[RTA_PRIORITY]) == 4)
		memcpy(&rt->metric, RTA_DATA(tb[RTA_PRIORITY]), 4);
	if (tb[RTA_OIF] != NULL && RTA_PAYLOAD(tb[RTA_OIF]) == 4)
		memcpy(&rt->oif, RTA_DATA(tb[RTA_OIF]), 4);
	rt->multi = tb[RTA_MULTIPATH] != NULL;
	if (tb[RTA_GATEWAY] != NULL && !rt->multi &&
	    RTA_PAYLOAD(tb[RTA_GATEWAY]) == (g->family == AF_INET ? 4 : 16)) {
		rt->hasgw = 1;
		rt->gw.family = g->family;
		rt->gw.prefix = addr_maxprefix(g->family);
		memcpy(rt->gw.u.b, RTA_DATA(tb[RTA_GATEWAY]),
		    RTA_PAYLOAD(tb[RTA_GATEWAY]));
	}
	return 1;
}

/* The managed route: ours by table and metric. */
static int
rt_ours(const struct gw *g, const struct rt *rt)
{
	return rt->table == g->table && rt->metric == g->metric;
}

/*
 * G2: a route a DHCP client (or the kernel, from router advertisements)
 * put: main table, not ours, a gateway, through a dhcp uplink's
 * interface.  That uplink, or NULL.
 */
static struct uplink *
rt_client(struct gw *g, const struct rt *rt)
{
	int i;

	if (rt->table != RT_TABLE_MAIN || rt_ours(g, rt) || !rt->hasgw)
		return NULL;
	for (i = 0; i < g->nup; i++)
		if (g->up[i].kind == K_DHCP && g->up[i].ifindex != 0 &&
		    g->up[i].ifindex == rt->oif)
			return &g->up[i];
	return NULL;
}

struct dump {
	struct gw	*g;
	int		found;		/* our route, in r */
	struct rt	r;
	int		has[MAXUP];	/* a client's gateway per uplink */
	struct rt	client[MAXUP];
};

static int
route_cb(const struct nlmsghdr *h, void *arg)
{
	struct dump *d = arg;
	struct uplink *u;
	struct rt rt;
	int i;

	if (h->nlmsg_type != RTM_NEWROUTE || !parse_rt(d->g, h, &rt))
		return 0;
	if (rt_ours(d->g, &rt) && !d->found) {
		d->found = 1;
		d->r = rt;
	}
	if ((u = rt_client(d->g, &rt)) != NULL) {
		i = (int)(u - d->g->up);
		/* Of two, the one of lower metric: the one in use. */
		if (!d->has[i] || rt.metric < d->client[i].metric)
			d->client[i] = rt;
		d->has[i] = 1;
	}
	return 0;
}

/* The uplink the route r goes through, or -1. */
static int
match_route(struct gw *g, const struct rt *r, int start)
{
	char gwbuf[ADDR_STRLEN];
	int i;

	if (r->multi)
		return -1;
	for (i = 0; i < g->nup; i++) {
		struct uplink *u = &g->up[i];

		if (u->ifindex == 0 || u->ifindex != r->oif)
			continue;
		if (u->kind == K_PTP && !r->hasgw)
			return i;
		/* At start (G2), the route there gives a dhcp uplink's. */
		if (u->kind == K_DHCP && !u->gwknown && r->hasgw && start) {
			u->gw = r->gw;
			u->gwknown = 1;
			printf("gateway %s %s\n", u->name,
			    addr_fmt(&u->gw, gwbuf, sizeof(gwbuf)));
		}
		if (u->kind != K_PTP && u->gwknown && r->hasgw &&
		    memcmp(r->gw.u.b, u->gw.u.b, addr_len(&u->gw)) == 0)
			return i;
	}
	return -1;
}

/*
 * Which uplink carries the default route of our table and metric now,
 * and the gateways of the DHCP clients' routes.  At start the route is
 * taken as found; later a difference is someone else's doing (C7).
 */
static void
read_route(struct gw *g, int start)
{
	struct {
		struct nlmsghdr	h;
		struct rtmsg	r;
	} req;
	struct dump d;
	int r, i, idx;

	do {
		memset(&req, 0, sizeof(req));
		req.h.nlmsg_len = NLMSG_LENGTH(sizeof(req.r));
		req.h.nlmsg_type = RTM_GETROUTE;
		req.r.rtm_family = (unsigned char)g->family;
		memset(&d, 0, sizeof(d));
		d.g = g;
		r = nl_dump(&g->rq, &req.h, route_cb, &d);
	} while (r < 0 && errno == EAGAIN);
	if (r < 0)
		die(HK_EXIT_SYS, "reading routes:");
	idx = d.found ? match_route(g, &d.r, start) : -1;
	if (start)
		g->cur = idx;
	else
		ev_route(g, idx);
	/* After the dump: a gateway's change may set the route. */
	for (i = 0; i < g->nup; i++)
		if (d.has[i])
			ev_gateway(g, &g->up[i], &d.client[i].gw);
}

/*
 * Drains link and route events; 1 when one of our uplinks changed or a
 * default route of our table changed (ours, or someone else's doing:
 * the route is then read again and put right).  A DHCP client's route
 * gives its uplink's gateway at once (G2).
 */
static int
read_events(struct gw *g)
{
	char buf[NL_BUFSIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	int changed = 0, lost = 0;

	for (;;) {
		struct nlmsghdr *h;
		struct uplink *u;
		struct rt rt;
		ssize_t n;
		int len;

		n = recv(g->ev.fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			/*
			 * Events were lost.  The kernel says so before the
			 * events still queued, which are older than the lost
			 * ones: they are read and dropped, and the whole
			 * picture is asked for once the queue is empty.
			 */
			lost = 1;
			continue;
		}
		if (n < 0)
			break;
		if (lost)
			continue;
		len = (int)n;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, len);
		    h = NLMSG_NEXT(h, len)) {
			if (link_msg(g, h, 0))
				changed = 1;
			if (!parse_rt(g, h, &rt))
				continue;
			if (rt.table == g->table)
				changed = 1;
			/* A client's route gone: its gateway is kept. */
			if (h->nlmsg_type == RTM_NEWROUTE &&
			    (u = rt_client(g, &rt)) != NULL)
				ev_gateway(g, u, &rt.gw);
		}
	}
	if (lost) {
		/* The caller reads the route again too. */
		warnf("link and route events were lost: reading the links "
		    "again");
		read_links(g);
		changed = 1;
	}
	return changed;
}

static void
run_once(struct gw *g)
{
	char errmsg[NL_ERRLEN];
	struct uplink *u;

	u = find_uplink(g, g->once);
	if (u == NULL)
		die(HK_EXIT_USAGE, "-1 %s: no such uplink", g->once);
	if (g->cur == u - g->up)
		exit(HK_EXIT_OK);
	if (u->ifindex == 0)
		die(HK_EXIT_SYS, "%s: no interface %s", u->name, u->ifname);
	if (!u->gwknown)
		die(HK_EXIT_SYS, "%s: no gateway on %s known (no default "
		    "route of a DHCP client through it)", u->name, u->ifname);
	if (!g->dry && set_route(g, u, errmsg) < 0)
		die(HK_EXIT_SYS, "%s: the kernel refused the route via %s: "
		    "%s%s%s", u->name, u->ifname, strerror(errno),
		    errmsg[0] != '\0' ? ": " : "", errmsg);
	printf("switch %s %s why=asked\n", g->cur >= 0 ?
	    g->up[g->cur].name : "-", u->name);
	print_route(u);
	exit(HK_EXIT_OK);
}

/* What an uplink lacks at start, said once. */
static void
start_warnings(struct gw *g)
{
	int i;

	for (i = 0; i < g->nup; i++) {
		struct uplink *u = &g->up[i];

		if (u->ifindex == 0)
			warnf("%s: no interface %s yet; down until it appears",
			    u->name, u->ifname);
		else if (!u->gwknown)
			warnf("%s: no gateway on %s yet", u->name, u->ifname);
	}
}

int
main(int argc, char *argv[])
{
	struct gw g = {
		.family = AF_UNSPEC,
		.table = RT_TABLE_MAIN,
		.metric = 0,
		.upcount = 5,
		.half = DAMP_HALF,
		.suppress = DAMP_SUPPRESS,
		.reuse = DAMP_REUSE,
		.maxsup = DAMP_MAX,
		.cur = -1,
		.rq = { .fd = -1 },
		.ev = { .fd = -1 },
	};
	int wakefd, v6 = 0;
	unsigned long v;
	int c, r, i;

	hk_setprogname(argv[0]);
	usage_help_arg(argc, argv, OPTS, usage_text, help_text);
	while ((c = getopt(argc, argv, OPTS)) != -1) {
		switch (c) {
		case '1':
			g.once = optarg;
			break;
		case '6':
			v6 = 1;
			break;
		case 'C':
			g.core = 1;
			break;
		case 'D':
			parse_damp(&g, optarg);
			break;
		case 'h':
			usage_help(usage_text, help_text);
		case 'm':
			if (parse_ulong(optarg, 0, UINT32_MAX, &v) < 0)
				usage_error(usage_text, "bad metric '%s'",
				    optarg);
			g.metric = (uint32_t)v;
			break;
		case 'n':
			g.dry = 1;
			break;
		case 't':
			if (strcmp(optarg, "main") == 0)
				v = RT_TABLE_MAIN;
			else if (parse_ulong(optarg, 1, UINT32_MAX, &v) < 0 ||
			    v == RT_TABLE_UNSPEC || v == RT_TABLE_LOCAL)
				usage_error(usage_text, "bad table '%s': want "
				    "main or a number other than 255", optarg);
			g.table = (uint32_t)v;
			break;
		case 'u':
			if (parse_ulong(optarg, 1, 1000000, &v) < 0)
				usage_error(usage_text, "bad count '%s'",
				    optarg);
			g.upcount = v;
			break;
		case 'V':
			version_exit();
		case ':':
			usage_error(usage_text, "option '-%c' needs a value",
			    optopt);
		default:
			usage_error(usage_text, "unknown option '-%c'",
			    optopt);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage_error(usage_text, "no uplink given");
	if (argc > MAXUP)
		usage_error(usage_text, "at most %d uplinks", MAXUP);
	if (g.core && g.once != NULL)
		usage_error(usage_text, "-1 and -C do not go together");
	if (v6)
		g.family = AF_INET6;
	for (c = 0; c < argc; c++)
		parse_uplink(&g, argv[c]);
	if (g.family == AF_UNSPEC)
		g.family = AF_INET;
	for (i = 0; i < g.nup; i++)
		if (g.up[i].kind != K_GW)
			g.up[i].gw.family = g.family;
	if (g.half == 0)
		g.ceiling = 0;
	else if (g.ceiling == 0)
		g.ceiling = g.reuse * pow2((double)g.maxsup / (double)g.half);
	/*
	 * The kernel gives an IPv6 route of metric 0 its default, 1024
	 * (IP6_RT_PRIO_USER): that is the route to manage, or the route
	 * read back would never be ours.
	 */
	if (g.family == AF_INET6 && g.metric == 0)
		g.metric = 1024;
	setvbuf(stdout, NULL, _IOLBF, 0);
	hk_check_stdout_at_exit();

	if (g.core) {
		/* Every interface there, with carrier, no route (-C). */
		for (i = 0; i < g.nup; i++) {
			g.up[i].ifindex = ++g.fakeidx;
			g.up[i].carrier = 1;
		}
		start_warnings(&g);
	} else {
		for (i = 0; i < g.nup; i++)
			g.up[i].ifindex =
			    (int)if_nametoindex(g.up[i].ifname);
		if (nl_open(&g.rq, 0) < 0)
			die(HK_EXIT_SYS, "netlink socket:");
		check_onlink(&g);
		read_links(&g);
		read_route(&g, 1);
		if (g.once != NULL)
			run_once(&g);
		/* Every table's route events: a client's route is in main. */
		if (nl_open(&g.ev, RTMGRP_LINK | (g.family == AF_INET ?
		    RTMGRP_IPV4_ROUTE : RTMGRP_IPV6_ROUTE)) < 0)
			die(HK_EXIT_SYS, "netlink socket for link events:");
		/* Catch what changed between the first read and now. */
		read_links(&g);
		read_route(&g, 1);
		start_warnings(&g);
		g.now = tm_now_ms();
		account(&g);
		decide(&g);
	}

	if ((wakefd = sig_stop_pipe()) < 0)
		die(HK_EXIT_SYS, "pipe:");
	while (!sig_stop) {
		struct pollfd pfd[3] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = g.ev.fd, .events = POLLIN },
			{ .fd = wakefd, .events = POLLIN },
		};
		uint64_t t = g.core ? 0 : next_release(&g);

		if (poll(pfd, 3, t != 0 ? tm_poll_timeout(t) : -1) < 0) {
			if (errno == EINTR)
				continue;
			die(HK_EXIT_SYS, "poll:");
		}
		if (!g.core)
			advance(&g, tm_now_ms());
		if (pfd[1].revents & (POLLIN | POLLERR)) {
			/*
			 * An interface set down takes its routes along, and
			 * others may change the route: see what is there now.
			 * A dry run has only its own idea of the route.
			 */
			if (read_events(&g) && !g.dry)
				read_route(&g, 0);
			account(&g);
			decide(&g);
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			r = read_input(&g);
			if (r < 0)
				die(HK_EXIT_SYS, "reading standard input:");
			if (r == 0)
				break;
		}
		/*
		 * Whoever reads the lines (wanfailover's log and hooks) is
		 * gone: switching on unheard would leave its hooks unrun and
		 * its record wrong.  Say so and end, for the supervisor.
		 */
		if (ferror(stdout))
			die(HK_EXIT_SYS, "writing standard output: its reader "
			    "is gone");
	}
	if (g.core && !g.started)
		decide(&g);
	nl_close(&g.ev);
	nl_close(&g.rq);
	return HK_EXIT_OK;
}
