/*
 * gwswitch - keep the default route on the first healthy uplink.
 * Health comes as lines on stdin (NAME up|down, or pingcheck -f lines
 * prefixed with the uplink's name), carrier loss from rtnetlink link
 * events; the route is replaced in one netlink request.  See gwswitch(8).
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

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP	0x10000	/* linux/if.h; glibc's net/if.h lacks it */
#endif

#define MAXUP		16
#define NAMELEN		32
#define LINELEN		512

static const char usage_text[] =
    "usage: gwswitch [-n] [-1 NAME] [-m METRIC] [-t TABLE] [-u COUNT]\n"
    "                NAME=GATEWAY@IFACE ...\n";

/* One line per option, for -h and --help: see usage_help(). */
static const char help_text[] =
    "-n\tdry run: print what would be done, change nothing\n"
    "-1 NAME\tset the default route through uplink NAME once, and exit\n"
    "-m METRIC\tmetric of the route to manage (default 0; for IPv6, 1024)\n"
    "-t TABLE\trouting table, a number or main (default main)\n"
    "-u COUNT\t"
    "good rounds after a carrier loss before it is used (default 5)\n";
#define OPTS		":1:hm:nt:u:V"

enum health { H_UNKNOWN, H_UP, H_DOWN };

struct uplink {
	char		name[NAMELEN];
	char		ifname[IF_NAMESIZE];
	struct hk_addr	gw;
	int		ifindex;
	enum health	health;
	int		carrier;	/* IFF_UP and IFF_LOWER_UP */
	int		held;		/* carrier was lost: needs a fresh up */
	int		refused;	/* the kernel refused a route via it */
	unsigned long	goodrounds;	/* pingcheck "up" rounds since held */
};

struct gw {
	struct uplink	up[MAXUP];
	int		nup;
	int		family;
	uint32_t	table;
	uint32_t	metric;
	unsigned long	upcount;	/* -u: good rounds that lift a hold */
	int		dry;		/* -n */
	const char	*once;		/* -1 NAME */
	int		cur;		/* uplink carrying the route, or -1 */
	int		alldown;	/* all-down already reported */
	struct nl	rq;		/* requests and dumps */
	struct nl	ev;		/* link events */
	char		buf[LINELEN];
	size_t		len;
	int		skipping;	/* discarding an overlong line */
	unsigned long	lineno;
};

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

/* NAME=GATEWAY@IFACE; exits 2 on anything malformed or unknown. */
static void
parse_uplink(struct gw *g, const char *arg)
{
	struct uplink *u = &g->up[g->nup];
	const char *eq, *at;
	char gwtext[ADDR_STRLEN + 1];
	int i;

	eq = strchr(arg, '=');
	at = eq != NULL ? strrchr(eq, '@') : NULL;
	if (eq == NULL || at == NULL)
		usage_error(usage_text, "bad uplink '%s': want NAME=GATEWAY@IFACE",
		    arg);
	if (!valid_name(arg, (size_t)(eq - arg)))
		usage_error(usage_text, "bad uplink name in '%s': want 1-%d "
		    "letters, digits, '.', '_' or '-'", arg, NAMELEN - 1);
	memcpy(u->name, arg, (size_t)(eq - arg));
	u->name[eq - arg] = '\0';
	for (i = 0; i < g->nup; i++)
		if (strcmp(g->up[i].name, u->name) == 0)
			usage_error(usage_text, "uplink '%s' given twice",
			    u->name);
	if ((size_t)(at - eq - 1) >= sizeof(gwtext) ||
	    (memcpy(gwtext, eq + 1, (size_t)(at - eq - 1)),
	    gwtext[at - eq - 1] = '\0', addr_parse(gwtext, &u->gw) < 0))
		usage_error(usage_text, "bad gateway in '%s': want a numeric "
		    "IPv4 or IPv6 address", arg);
	if (g->family == AF_UNSPEC)
		g->family = u->gw.family;
	else if (g->family != u->gw.family)
		usage_error(usage_text, "uplink '%s': every gateway must be "
		    "of the same family", u->name);
	if (at[1] == '\0' || strlen(at + 1) >= IF_NAMESIZE)
		usage_error(usage_text, "bad interface in '%s'", arg);
	strcpy(u->ifname, at + 1);
	u->ifindex = (int)if_nametoindex(u->ifname);
	if (u->ifindex == 0)
		die(HK_EXIT_USAGE, "uplink '%s': unknown interface '%s'",
		    u->name, u->ifname);
	u->health = H_UNKNOWN;
	g->nup++;
}

static struct uplink *
find_uplink(struct gw *g, const char *name, size_t n)
{
	int i;

	for (i = 0; i < g->nup; i++)
		if (strlen(g->up[i].name) == n &&
		    memcmp(g->up[i].name, name, n) == 0)
			return &g->up[i];
	return NULL;
}

struct onlink {
	struct uplink	*u;
	int		ok;
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

/* Exits 2 unless every gateway lies on a subnet of its interface. */
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
		struct onlink o = { &g->up[i], 0 };

		if (is_linklocal6(&g->up[i].gw))
			continue;
		do {
			memset(&req, 0, sizeof(req));
			req.h.nlmsg_len = NLMSG_LENGTH(sizeof(req.i));
			req.h.nlmsg_type = RTM_GETADDR;
			req.i.ifa_family = (unsigned char)g->family;
			o.ok = 0;
			r = nl_dump(&g->rq, &req.h, addr_cb, &o);
		} while (r < 0 && errno == EAGAIN);
		if (r < 0)
			die(HK_EXIT_SYS, "reading addresses:");
		if (!o.ok)
			die(HK_EXIT_USAGE, "uplink '%s': gateway %s is not on "
			    "a subnet of %s", g->up[i].name,
			    addr_fmt(&g->up[i].gw, gwbuf, sizeof(gwbuf)),
			    g->up[i].ifname);
	}
}

/* Notes the carrier of one of our interfaces; 1 when it changed. */
static int
set_carrier(struct gw *g, int ifindex, int carrier, int initial)
{
	int i, changed = 0;

	for (i = 0; i < g->nup; i++) {
		struct uplink *u = &g->up[i];

		if (u->ifindex != ifindex || (!initial && u->carrier == carrier))
			continue;
		u->carrier = carrier;
		changed = 1;
		if (!carrier) {
			/* Down at once; back only on fresh health. */
			u->held = 1;
			u->goodrounds = 0;
			if (!initial)
				warnf("%s: carrier lost on %s", u->name,
				    u->ifname);
		} else if (!initial) {
			warnf("%s: carrier back on %s", u->name, u->ifname);
		}
		u->refused = 0;
	}
	return changed;
}

/*
 * An uplink's interface is named: when an interface of that name comes
 * with another index (deleted and made again: a PPP link, a VLAN set up
 * anew), it is the uplink's from now on, without carrier until the
 * message says so and, like a carrier that returns, in need of fresh
 * health.
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
		warnf("%s: %s is a new interface now", u->name, u->ifname);
		u->ifindex = ifi->ifi_index;
		u->carrier = 0;
		u->held = 1;
		u->goodrounds = 0;
		u->refused = 0;
	}
}

static int
link_msg(struct gw *g, const struct nlmsghdr *h, int initial)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	struct rtattr *tb[IFLA_MAX + 1];
	int carrier;

	if ((h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK) ||
	    h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return 0;
	if (h->nlmsg_type == RTM_NEWLINK) {
		nl_attr_parse(tb, IFLA_MAX, IFLA_RTA(ifi),
		    (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi))));
		if (tb[IFLA_IFNAME] != NULL)
			follow_name(g, ifi, tb[IFLA_IFNAME]);
	}
	carrier = h->nlmsg_type == RTM_NEWLINK &&
	    (ifi->ifi_flags & IFF_UP) && (ifi->ifi_flags & IFF_LOWER_UP);
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

struct curroute {
	struct gw	*g;
	int		found;		/* a default route with our metric */
	int		idx;		/* the uplink it goes through, or -1 */
};

static int
route_cb(const struct nlmsghdr *h, void *arg)
{
	struct curroute *c = arg;
	struct gw *g = c->g;
	struct rtmsg *rtm = NLMSG_DATA(h);
	struct rtattr *tb[RTA_MAX + 1];
	uint32_t table, metric = 0;
	int oif = 0, i;

	if (h->nlmsg_type != RTM_NEWROUTE ||
	    h->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)) || c->found)
		return 0;
	if (rtm->rtm_family != g->family || rtm->rtm_dst_len != 0 ||
	    rtm->rtm_type != RTN_UNICAST)
		return 0;
	nl_attr_parse(tb, RTA_MAX, RTM_RTA(rtm),
	    (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*rtm))));
	table = rtm->rtm_table;
	if (tb[RTA_TABLE] != NULL && RTA_PAYLOAD(tb[RTA_TABLE]) == 4)
		memcpy(&table, RTA_DATA(tb[RTA_TABLE]), 4);
	if (tb[RTA_PRIORITY] != NULL && RTA_PAYLOAD(tb[RTA_PRIORITY]) == 4)
		memcpy(&metric, RTA_DATA(tb[RTA_PRIORITY]), 4);
	if (table != g->table || metric != g->metric)
		return 0;
	c->found = 1;
	c->idx = -1;
	if (tb[RTA_OIF] != NULL && RTA_PAYLOAD(tb[RTA_OIF]) == 4)
		memcpy(&oif, RTA_DATA(tb[RTA_OIF]), 4);
	if (tb[RTA_GATEWAY] == NULL || tb[RTA_MULTIPATH] != NULL)
		return 0;
	for (i = 0; i < g->nup; i++) {
		struct uplink *u = &g->up[i];

		if (u->ifindex == oif &&
		    RTA_PAYLOAD(tb[RTA_GATEWAY]) == addr_len(&u->gw) &&
		    memcmp(RTA_DATA(tb[RTA_GATEWAY]), u->gw.u.b,
		    addr_len(&u->gw)) == 0) {
			c->idx = i;
			break;
		}
	}
	return 0;
}

/* Which uplink carries the default route of our table and metric now. */
static void
read_route(struct gw *g)
{
	struct {
		struct nlmsghdr	h;
		struct rtmsg	r;
		char		attrs[64];
	} req;
	struct curroute c;
	int r;

	do {
		memset(&req, 0, sizeof(req));
		req.h.nlmsg_len = NLMSG_LENGTH(sizeof(req.r));
		req.h.nlmsg_type = RTM_GETROUTE;
		req.r.rtm_family = (unsigned char)g->family;
		c.g = g;
		c.found = 0;
		c.idx = -1;
		r = nl_dump(&g->rq, &req.h, route_cb, &c);
	} while (r < 0 && errno == EAGAIN);
	if (r < 0)
		die(HK_EXIT_SYS, "reading routes:");
	g->cur = c.idx;
}

/*
 * Replaces the default route with one through u, in one request: the
 * old route is swapped for the new, never deleted first.  0, or -1
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

	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(req.r));
	req.h.nlmsg_type = RTM_NEWROUTE;
	req.h.nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	req.r.rtm_family = (unsigned char)g->family;
	req.r.rtm_dst_len = 0;
	req.r.rtm_table = g->table < 256 ? (unsigned char)g->table :
	    RT_TABLE_UNSPEC;
	req.r.rtm_protocol = RTPROT_STATIC;
	req.r.rtm_scope = RT_SCOPE_UNIVERSE;
	req.r.rtm_type = RTN_UNICAST;
	if (nl_attr_add_u32(&req.h, sizeof(req), RTA_TABLE, g->table) < 0 ||
	    nl_attr_add(&req.h, sizeof(req), RTA_GATEWAY, u->gw.u.b,
	    addr_len(&u->gw)) < 0 ||
	    nl_attr_add_u32(&req.h, sizeof(req), RTA_OIF,
	    (uint32_t)u->ifindex) < 0 ||
	    (g->metric != 0 && nl_attr_add_u32(&req.h, sizeof(req),
	    RTA_PRIORITY, g->metric) < 0)) {
		if (errmsg != NULL)
			errmsg[0] = '\0';
		return -1;
	}
	return nl_request(&g->rq, &req.h, errmsg);
}

static void
print_switch(struct gw *g, int from, int to)
{
	char gwbuf[ADDR_STRLEN];
	const struct uplink *u = &g->up[to];

	printf("switch %s %s\n", from >= 0 ? g->up[from].name : "-",
	    u->name);
	printf("route %s %s %s\n", u->name,
	    addr_fmt(&u->gw, gwbuf, sizeof(gwbuf)), u->ifname);
	fflush(stdout);
}

static int
usable(const struct gw *g, int i)
{
	const struct uplink *u = &g->up[i];

	if (!u->carrier || u->held || u->refused)
		return 0;
	/* Before any word on its health, the route's holder keeps it. */
	return u->health == H_UP || (u->health == H_UNKNOWN && g->cur == i);
}

/* Puts the route on the first usable uplink, or reports all-down. */
static void
decide(struct gw *g)
{
	char errmsg[NL_ERRLEN];
	int i, best, known;

	for (;;) {
		best = -1;
		known = 1;
		for (i = 0; i < g->nup; i++) {
			if (usable(g, i)) {
				best = i;
				break;
			}
			if (g->up[i].health == H_UNKNOWN && g->up[i].carrier &&
			    !g->up[i].held)
				known = 0;
		}
		/*
		 * An uplink before the best one has not spoken yet: wait for
		 * it rather than move the route twice at start.
		 */
		if (best >= 0 && !known)
			return;
		if (best < 0) {
			/* Say it once, and only when every uplink has spoken. */
			if (known && !g->alldown) {
				g->alldown = 1;
				printf("all-down kept=%s\n", g->cur >= 0 ?
				    g->up[g->cur].name : "-");
				fflush(stdout);
				warnf("no uplink is up; the default route "
				    "stays as it is");
			}
			return;
		}
		g->alldown = 0;
		if (best == g->cur)
			return;
		if (g->dry || set_route(g, &g->up[best], errmsg) == 0) {
			print_switch(g, g->cur, best);
			g->cur = best;
			return;
		}
		/* Leave this one aside until its state changes, try the next. */
		warnf("%s: the kernel refused the route via %s: %s%s%s",
		    g->up[best].name, g->up[best].ifname, strerror(errno),
		    errmsg[0] != '\0' ? ": " : "", errmsg);
		g->up[best].refused = 1;
	}
}

/* One health line: NAME up|down, NAME state up|down, NAME TS up|down ... */
static void
health_line(struct gw *g, char *line)
{
	char *w[3], *save = NULL, *p;
	struct uplink *u;
	int n, v;

	g->lineno++;
	for (n = 0, p = strtok_r(line, " \t\r", &save); p != NULL && n < 3;
	    p = strtok_r(NULL, " \t\r", &save))
		w[n++] = p;
	if (n == 0)
		return;
	if (n < 2)
		goto bad;
	u = find_uplink(g, w[0], strlen(w[0]));
	if (u == NULL) {
		warnf("line %lu: unknown uplink '%.32s'", g->lineno, w[0]);
		return;
	}
	if (strcmp(w[1], "state") == 0 && n == 3) {
		p = w[2];
	} else if (w[1][strspn(w[1], "0123456789")] == '\0' && n == 3) {
		/* A pingcheck round: only lifts a carrier hold. */
		if (strcmp(w[2], "up") == 0) {
			if (u->held && u->carrier &&
			    ++u->goodrounds >= g->upcount) {
				u->held = 0;
				u->refused = 0;
				u->health = H_UP;
			}
		} else if (strcmp(w[2], "down") == 0) {
			u->goodrounds = 0;
		} else {
			goto bad;
		}
		return;
	} else if (n == 2) {
		p = w[1];
	} else {
		goto bad;
	}
	if (strcmp(p, "up") == 0)
		v = H_UP;
	else if (strcmp(p, "down") == 0)
		v = H_DOWN;
	else
		goto bad;
	u->health = v;
	u->refused = 0;
	if (v == H_UP && u->carrier)
		u->held = 0;
	if (v == H_DOWN)
		u->goodrounds = 0;
	return;
bad:
	warnf("line %lu: not a health line, ignored", g->lineno);
}

/* Reads what stdin has; 0 at end of input. */
static int
read_input(struct gw *g)
{
	ssize_t n;
	char *nl;

	n = read(STDIN_FILENO, g->buf + g->len, sizeof(g->buf) - 1 - g->len);
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 1 : -1;
	if (n == 0)
		return 0;
	g->len += (size_t)n;
	g->buf[g->len] = '\0';
	while ((nl = memchr(g->buf, '\n', g->len)) != NULL) {
		size_t used = (size_t)(nl - g->buf) + 1;

		*nl = '\0';
		if (g->skipping)
			g->skipping = 0;
		else if (strlen(g->buf) == used - 1)
			health_line(g, g->buf);
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

/* 1 when h adds or removes a default route of our table and family. */
static int
route_msg(const struct gw *g, const struct nlmsghdr *h)
{
	const struct rtmsg *rtm = NLMSG_DATA(h);
	struct rtattr *tb[RTA_MAX + 1];
	uint32_t table;

	if ((h->nlmsg_type != RTM_NEWROUTE && h->nlmsg_type != RTM_DELROUTE) ||
	    h->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)))
		return 0;
	if (rtm->rtm_family != g->family || rtm->rtm_dst_len != 0)
		return 0;
	nl_attr_parse(tb, RTA_MAX, RTM_RTA(rtm),
	    (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*rtm))));
	table = rtm->rtm_table;
	if (tb[RTA_TABLE] != NULL && RTA_PAYLOAD(tb[RTA_TABLE]) == 4)
		memcpy(&table, RTA_DATA(tb[RTA_TABLE]), 4);
	return table == g->table;
}

/*
 * Drains link and route events; 1 when one of our uplinks changed
 * carrier or a default route of our table changed (ours, or someone
 * else's doing: the route is then read again and put right).
 */
static int
read_events(struct gw *g)
{
	char buf[NL_BUFSIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	int changed = 0, lost = 0;

	for (;;) {
		struct nlmsghdr *h;
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
		    h = NLMSG_NEXT(h, len))
			if (link_msg(g, h, 0) || route_msg(g, h))
				changed = 1;
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

	u = find_uplink(g, g->once, strlen(g->once));
	if (u == NULL)
		die(HK_EXIT_USAGE, "-1 %s: no such uplink", g->once);
	if (g->cur == u - g->up)
		exit(HK_EXIT_OK);
	if (!g->dry && set_route(g, u, errmsg) < 0)
		die(HK_EXIT_SYS, "%s: the kernel refused the route via %s: "
		    "%s%s%s", u->name, u->ifname, strerror(errno),
		    errmsg[0] != '\0' ? ": " : "", errmsg);
	print_switch(g, g->cur, (int)(u - g->up));
	exit(HK_EXIT_OK);
}

int
main(int argc, char *argv[])
{
	struct gw g = {
		.family = AF_UNSPEC,
		.table = RT_TABLE_MAIN,
		.metric = 0,
		.upcount = 5,
		.cur = -1,
		.rq = { .fd = -1 },
		.ev = { .fd = -1 },
	};
	int wakefd;
	unsigned long v;
	int c, r;

	hk_setprogname(argv[0]);
	usage_help_arg(argc, argv, OPTS, usage_text, help_text);
	while ((c = getopt(argc, argv, OPTS)) != -1) {
		switch (c) {
		case '1':
			g.once = optarg;
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
	for (c = 0; c < argc; c++)
		parse_uplink(&g, argv[c]);
	/*
	 * The kernel gives an IPv6 route of metric 0 its default, 1024
	 * (IP6_RT_PRIO_USER): that is the route to manage, or the route
	 * read back would never be ours.
	 */
	if (g.family == AF_INET6 && g.metric == 0)
		g.metric = 1024;

	hk_check_stdout_at_exit();
	if (nl_open(&g.rq, 0) < 0)
		die(HK_EXIT_SYS, "netlink socket:");
	check_onlink(&g);
	read_links(&g);
	read_route(&g);
	if (g.once != NULL)
		run_once(&g);

	if (nl_open(&g.ev, RTMGRP_LINK | (g.family == AF_INET ?
	    RTMGRP_IPV4_ROUTE : RTMGRP_IPV6_ROUTE)) < 0)
		die(HK_EXIT_SYS, "netlink socket for link events:");
	/* Catch what changed between the first read and the subscription. */
	read_links(&g);

	if ((wakefd = sig_stop_pipe()) < 0)
		die(HK_EXIT_SYS, "pipe:");

	decide(&g);
	while (!sig_stop) {
		struct pollfd pfd[3] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = g.ev.fd, .events = POLLIN },
			{ .fd = wakefd, .events = POLLIN },
		};

		if (poll(pfd, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			die(HK_EXIT_SYS, "poll:");
		}
		if (pfd[1].revents & (POLLIN | POLLERR)) {
			/*
			 * An interface set down takes its routes along, and
			 * others may change the route: see what is there now.
			 * A dry run has only its own idea of the route.
			 */
			if (read_events(&g) && !g.dry) {
				int was = g.cur;

				read_route(&g);
				if (g.cur != was)
					warnf("the default route changed outside "
					    "gwswitch: now %s", g.cur >= 0 ?
					    g.up[g.cur].name : "none of ours");
			}
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			r = read_input(&g);
			if (r < 0)
				die(HK_EXIT_SYS, "reading standard input:");
			if (r == 0)
				break;
		}
		decide(&g);
	}
	nl_close(&g.ev);
	nl_close(&g.rq);
	return HK_EXIT_OK;
}
