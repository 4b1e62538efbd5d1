/*
 * hbown - the ownership rules of a two-node heartbeat cluster: which
 * node holds each resource group (one a haresources line).  Events come
 * as lines on stdin (hbrecv's events, ticks, commands, ping nodes, the
 * end of a resource action and its steps, a watch's probes), actions go
 * out as lines on stdout (announce, start, stop, renew, garp, watch,
 * unwatch, notify, status, transition, log, exit).  It does no other I/O and keeps no
 * clock of its own unless -C asks for one: the same lines give the same
 * actions.  hbnode(8) runs it; the table of states and events it
 * follows is hbnode(8), PROTOCOL, and every rule below carries the name
 * of its row there (N2, H4, ...).  See hbown(8).
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "hb.h"
#include "line.h"
#include "tm.h"

#define LINELEN		1024
#define MAXWORDS	32
#define NAMELEN		64
#define TEXTLEN		512
#define MAXGROUPS	6	/* haresources lines: as many as one heartbeat holds */
/*
 * Row W3: a probe of the watch (made while the peer was late) stands for
 * the probe of a takeover when nobody answered it and it ended at most
 * this long (ms) before the peer was declared dead.
 */
#define WATCH_FRESH	250

static const char usage_text[] =
    "usage: hbown [-BCU] [-a on|off|legacy] [-b GROUP] [-d DEADTIME] "
    "[-F REFRESH]\n"
    "             [-G DELAY] [-k HASH ...] [-l LEASE] [-P PINGNODES] [-S SETTLE]\n"
    "             [-T TICK]\n"
    "             -n NODE -p PEER -H HOME [-H HOME ...]\n";

static const char help_text[] =
    "-B\tbegin in an administrator's standby (kept over a restart)\n"
    "-b GROUP\tbegin group GROUP (1, 2, ...) alone in that standby\n"
    "-C\ttime from the clock (CLOCK_BOOTTIME) for lines without @MS\n"
    "-a on|off|legacy\tha.cf's auto_failback (default off; legacy is on)\n"
    "-d DEADTIME\tha.cf's deadtime; the hold-down is twice it, at least 2s"
    " (default 2s)\n"
    "-F REFRESH\tannounce the addresses again that often while held"
    " (default 0: never)\n"
    "-G DELAY\ta second announcement that long after the group is taken"
    " (default 5s; 0: none)\n"
    "-l LEASE\tthe address lease; renewed every quarter (default 2s)\n"
    "-S SETTLE\thow long a claim waits for the peer's (default 500ms)\n"
    "-T TICK\twith -C: a tick event of its own that often (hbnode: 250ms)\n"
    "-n NODE\tthis node's name\n"
    "-p PEER\tthe other node's name\n"
    "-H HOME\ta group's home node (first on its haresources line); once"
    " a group\n"
    "-P PINGNODES\thow many ping nodes (ha.cf ping, ping_group) are"
    " reported\n"
    "-k HASH\ta group's hash, one for each -H: pairs the peer's groups\n"
    "-U\tthe heartbeats are not signed (crc): a release they say is"
    " probed for\n";
#define OPTS		":BCUa:b:d:F:G:H:hk:l:n:P:p:S:T:V"

/* This node's status, as announced: active, or standing by. */
enum st { ST_ACTIVE, ST_STANDBY, ST_STOPPED };

/*
 * Why it stands by, which decides when the standby ends (rows S1-S4):
 * the administrator's (the standby command here, a takeover asked on
 * the peer), which lasts until a takeover here or until the peer can
 * no longer hold the group; a failback, which lasts until the peer
 * holds the group; a failure (a start that failed, an address, a link
 * or the lease lost), which holds off for the hold-down and while a
 * link of the group has no carrier; fewer ping nodes reached than the
 * peer reaches (ipfail's rule), which lasts until this node reaches as
 * many, or the peer is dead (rows I1-I3).
 */
enum sb { SB_NONE, SB_ADMIN, SB_GIVE, SB_FAIL, SB_PING };

/*
 * The reason a node stands by or lets the group go, announced as why=
 * so that the peer logs the true cause (hbnode(8), PROTOCOL); WHY_NONE
 * is not announced.
 */
enum why { WHY_NONE, WHY_STOP, WHY_STANDBY, WHY_TAKEOVER, WHY_FAILBACK,
	WHY_START, WHY_LEASE, WHY_ADDRESS, WHY_CARRIER, WHY_FATAL, WHY_SPLIT,
	WHY_PING };

static const char *const why_name[] = { "", "stop", "standby", "takeover",
	"failback", "start", "lease", "address", "carrier", "fatal", "split",
	"ping" };

/* What the peer's why= means, for this node's log. */
static const char *const why_text[] = {
	"%s is in standby",
	"%s is stopping",
	"standby was asked on %s",
	"%s gave it up for this node's takeover",
	"auto_failback: %s gave it back",
	"%s could not start it",
	"%s's lease ran out",
	"%s lost an address",
	"%s lost its LAN link",
	"%s is stopping after a failure",
	"split brain: %s let it go",
	"%s reaches fewer ping nodes",
};

/*
 * The group on this node.  CLAIM and START both go out as rsc=acq (the
 * claim waits for the peer's answer, START runs the scripts), STOP as
 * rsc=rel.
 */
enum rsc { R_NONE, R_CLAIM, R_START, R_HELD, R_STOP };

enum pstate { P_UNKNOWN, P_UP, P_DEAD };

static const char *const st_name[] = { "active", "standby", "stopped" };
static const char *const rsc_name[] = { "none", "acq", "acq", "held", "rel" };
static const char *const pstate_name[] = { "unknown", "up", "dead" };

struct cluster;

/* One resource group (one haresources line) as this node sees it. */
struct own {
	struct cluster	*c;
	int		id;		/* 1, 2, ...: its haresources line */
	char		label[32];	/* "the resource group", "group 2" */
	const char	*node, *peer, *home;
	int		failback;	/* auto_failback on */
	int		clock;		/* -C */
	uint64_t	lease;		/* ms, -l */
	uint64_t	renew_iv;	/* lease / 4 */
	uint64_t	holddown;	/* 2 * deadtime, at least 2000 */
	uint64_t	settle;		/* -S */
	uint64_t	deadprobe;	/* lease + 1500: the dead peer's lease */
	uint64_t	garp_delay;	/* -G: the second announcement */
	uint64_t	garp_refresh;	/* -F: announced again while held */
	uint64_t	deadtime;	/* -d */

	enum st		st;
	enum sb		sb;
	enum why	why_w;		/* announced as why= */
	enum rsc	rsc;
	int		ask;
	int		fails;		/* starts failed in a row */
	int		dirty;		/* the last stop failed: addresses may stay */
	int		nocarrier;	/* a link of the group has no carrier */

	enum pstate	pstate;
	char		pst[NAMELEN];	/* the peer's st=, rsc=, ask= */
	char		prsc[NAMELEN];
	int		pask;
	enum why	pwhy;
	int		preleased;	/* seen releasing, holding none since */
	int		late;		/* the peer's warn, not heard since */
	int		watching;	/* a watch action is out (rows W1-W3) */
	int		wres;		/* its last answer: 0 none, 1 free, 2 busy */
	uint64_t	wres_t;		/* came at */

	uint64_t	now;
	uint64_t	join_t;		/* the peer heard steadily since */
	uint64_t	held_since;
	uint64_t	last_renew;	/* the lease was last renewed at */
	uint64_t	renew_t;	/* the renew action out went out at */
	uint64_t	retry_t;	/* no claim before */
	uint64_t	claim_t;
	uint64_t	start_t;
	uint64_t	stop_t;		/* the stop action went out at */
	uint64_t	garp_t;		/* the next announcement, 0: none */
	int		garp_now;	/* announce again at once */
	int		renewing;	/* a renew action is out */
	int		gone;		/* shut down and released */
	char		sum[16];	/* -k: its haresources line's hash */
	int		ppos;		/* the peer's same group: 0, 1...; -1 none */
	int		pdiffers;	/* paired by line number, hashes differ */
	int		isolated;	/* row I4 holds it back */
	char		why[TEXTLEN];	/* the claim's or the stop's reason */
};

#define MAXPING		16

/*
 * The node: its groups, what is common to them (shutting down, the ping
 * nodes) and what goes out for all of them (one announcement, one
 * status).
 */
struct cluster {
	struct own	g[MAXGROUPS];
	int		n;		/* groups */
	int		stopping;
	int		exited;		/* "exit" written: draining the input */
	uint64_t	exit_t;
	int		code;		/* exit status once stopped */
	char		why[TEXTLEN];	/* the stop's reason */
	int		pgroups;	/* the peer's groups= (0: not heard) */
	char		psum[MAXGROUPS][16];	/* the peer's sums= */
	int		npsum;		/* how many; 0: it says none */
	int		nping;		/* -P: ping nodes configured */
	char		pingname[MAXPING][NAMELEN];
	int		pingup[MAXPING];	/* -1 unknown, 0 down, 1 up */
	int		myping;		/* reached, -1 until all reported */
	int		pping;		/* the peer's ping=, -1: unknown */
	char		announced[HB_MAXLINE];
	char		status[TEXTLEN * 4];
};

/* Actions of the groups after the first are kept out of some logs. */
static int mute;

/*
 * -U: the heartbeats carry no proof of their sender (a crc key): anyone
 * on the LAN can say the peer released a group, so a release seen is
 * probed for like any other start (rows N3, C4).
 */
static int unsigned_hb;

static void
act(const char *fmt, ...)
{
	va_list ap;

	if (mute)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/*
 * For the hooks (hbnode(8), Hooks): "notify G EVENT TEXT", G the group
 * or "-" for the node's own events.
 */
static void
notify(int id, const char *ev, const char *text)
{
	if (id > 0)
		act("notify %d %s %s", id, ev, text);
	else
		act("notify - %s %s", ev, text);
}

/* "silent=MS" as people read it: "silent for 600 ms", "... 1.2 s". */
static void
silence(const char *w, char *out, size_t n)
{
	unsigned long ms;

	if (w == NULL || strncmp(w, "silent=", 7) != 0 ||
	    parse_ulong(w + 7, 0, ULONG_MAX, &ms) < 0)
		snprintf(out, n, "%s", w != NULL ? w : "");
	else if (ms < 1000)
		snprintf(out, n, "silent for %lu ms", ms);
	else
		snprintf(out, n, "silent for %lu.%lu s", ms / 1000,
		    ms % 1000 / 100);
}

/* Who holds group o: this node, the peer, or none. */
static const char *
holder(const struct own *o)
{
	if (o->rsc == R_HELD)
		return o->node;
	if (o->pstate == P_UP && strcmp(o->prsc, "held") == 0)
		return o->peer;
	return "none";
}

/*
 * The status all groups announce, in one line (hbnode(8), PROTOCOL):
 * the first group's as st= rsc= ask= [why=] [dirty=1], each other's as
 * gN=ST,RSC,ASK[,WHY][,dirty], then groups=N when there are several and
 * ping=K once every ping node has been reported.  Only a change goes
 * out.
 */
static void
announce(struct own *o)
{
	struct cluster *c = o->c;
	char m[sizeof(c->announced)];
	size_t k = 0;
	int i;

	for (i = 0; i < c->n && k < sizeof(m); i++) {
		const struct own *g = &c->g[i];
		int dirty = g->dirty && g->rsc == R_NONE;

		if (i == 0)
			k += (size_t)snprintf(m + k, sizeof(m) - k,
			    "%s rsc=%s ask=%d%s%s%s", st_name[g->st],
			    rsc_name[g->rsc], g->ask, g->why_w != WHY_NONE ?
			    " why=" : "", why_name[g->why_w], dirty ?
			    " dirty=1" : "");
		else
			k += (size_t)snprintf(m + k, sizeof(m) - k,
			    " g%d=%s,%s,%d%s%s%s", g->id, st_name[g->st],
			    rsc_name[g->rsc], g->ask, g->why_w != WHY_NONE ||
			    dirty ? "," : "", why_name[g->why_w], dirty ?
			    ",dirty" : "");
	}
	if (c->n > 1 && k < sizeof(m))
		k += (size_t)snprintf(m + k, sizeof(m) - k, " groups=%d", c->n);
	for (i = 0; i < c->n && c->g[i].sum[0] != '\0' && k < sizeof(m); i++)
		k += (size_t)snprintf(m + k, sizeof(m) - k, "%s%s",
		    i ? "." : " sums=", c->g[i].sum);
	if (c->nping > 0 && c->myping >= 0 && k < sizeof(m))
		snprintf(m + k, sizeof(m) - k, " ping=%d", c->myping);
	if (strcmp(m, c->announced) == 0)
		return;
	strcpy(c->announced, m);
	printf("announce %s\n", m);
}

/*
 * hbnode's status file, one "|" between its lines: with one group,
 * "node ...|peer ...|holder X"; with several, "node ...|peer ..." and a
 * "group N ..." line each.
 */
static void
status(struct own *o)
{
	struct cluster *c = o->c;
	char s[sizeof(c->status)];
	const struct own *g = &c->g[0];
	size_t k;
	int i;

	if (c->n == 1) {
		snprintf(s, sizeof(s), "node %s state=%s rsc=%s ask=%d home=%s|"
		    "peer %s state=%s st=%s rsc=%s ask=%d|holder %s", g->node,
		    st_name[g->st], rsc_name[g->rsc], g->ask, g->home, g->peer,
		    pstate_name[g->pstate], g->pst, g->prsc, g->pask,
		    holder(g));
	} else {
		k = (size_t)snprintf(s, sizeof(s), "node %s state=%s groups=%d|"
		    "peer %s state=%s", g->node, c->exited ? "stopped" :
		    "running", c->n, g->peer, pstate_name[g->pstate]);
		for (i = 0; i < c->n && k < sizeof(s); i++) {
			g = &c->g[i];
			if (g->ppos < 0)
				k += (size_t)snprintf(s + k, sizeof(s) - k,
				    "|group %d home=%s state=%s rsc=%s ask=%d "
				    "peer=absent holder %s", g->id, g->home,
				    st_name[g->st], rsc_name[g->rsc], g->ask,
				    holder(g));
			else
				k += (size_t)snprintf(s + k, sizeof(s) - k,
				    "|group %d home=%s state=%s rsc=%s ask=%d "
				    "peer=%s,%s,%d holder %s", g->id, g->home,
				    st_name[g->st], rsc_name[g->rsc], g->ask,
				    g->pst, g->prsc, g->pask, holder(g));
		}
	}
	if (c->nping > 0 && strlen(s) + 40 < sizeof(s))
		snprintf(s + strlen(s), sizeof(s) - strlen(s),
		    "|ping %d/%d peer=%d", c->myping < 0 ? 0 : c->myping,
		    c->nping, c->pping);
	if (strcmp(s, c->status) == 0)
		return;
	strcpy(c->status, s);
	printf("status %s\n", s);
}

/*
 * A failure's hold-down (row S2): the hold-down, doubled for each start
 * that failed in a row before this one in a service's script (not an
 * address's), up to 16 times, so that a node whose service cannot start
 * does not take the group back by failback every few seconds.
 */
static uint64_t
holdoff(const struct own *o)
{
	int k = o->fails > 1 ? o->fails - 1 : 0;

	return o->holddown << (k > 4 ? 4 : k);
}

/*
 * An administrator's standby outlives a restart of hbnode: "persist
 * standby" when one begins, "persist active" when it ends (hbnode keeps
 * it in LIBDIR and starts hbown with -B).
 */
static void
persist(struct own *o, enum sb kind)
{
	if (kind == SB_ADMIN && o->sb != SB_ADMIN)
		act("persist %d standby", o->id);
	else if (kind != SB_ADMIN && o->sb == SB_ADMIN)
		act("persist %d active", o->id);
}

static void
standby(struct own *o, enum sb kind, enum why why)
{
	persist(o, kind);
	o->st = ST_STANDBY;
	o->sb = kind;
	o->why_w = why;
	o->ask = 0;
	if (kind == SB_FAIL)
		o->retry_t = o->now + holdoff(o);
}

/* Active again: a standby has ended. */
static void
active(struct own *o)
{
	persist(o, SB_NONE);
	o->st = ST_ACTIVE;
	o->sb = SB_NONE;
	o->why_w = WHY_NONE;
}

/*
 * Rows W1-W2: while the peer is late (its warn, not heard since) and
 * could die, the group's addresses are probed (hbnode's watch), so that
 * a takeover has its probe's answer when the peer is declared dead, not
 * a probe's time after; the watch ends when the peer is heard again, the
 * group is started, or this node could not take it.
 */
static void
unwatch(struct own *o)
{
	if (!o->watching)
		return;
	o->watching = 0;
	o->wres = 0;
	act("unwatch %d", o->id);
}

static void
watch_check(struct own *o)
{
	int want = o->late && o->pstate == P_UP && !o->c->stopping &&
	    (o->rsc == R_NONE || o->rsc == R_CLAIM);

	if (want && !o->watching) {
		o->watching = 1;
		o->wres = 0;
		act("watch %d", o->id);
	} else if (!want) {
		unwatch(o);
	}
}

/*
 * The group's scripts, probing for the addresses' duplicates for probe
 * ms (0: one probe); an address the peer has just been seen to release
 * (its rsc= went from rel to none) needs none: "start none".
 */
static void
start(struct own *o, uint64_t probe, const char *why)
{
	/* row W3: nobody answered the watch's last probe, just now */
	int fresh = o->watching && o->wres == 1 &&
	    o->now - o->wres_t <= WATCH_FRESH;

	unwatch(o);
	o->dirty = 0;
	o->rsc = R_START;
	o->start_t = o->now;
	/*
	 * The scripts first, then the announcement (rsc=acq, which only
	 * informs: the claim, if any, is settled) and the log lines, which
	 * cost no takeover time so.
	 */
	/*
	 * "none" carries the time of the decision: a start carried out
	 * later than that (hbnode held up) probes after all.
	 */
	if ((probe == 0 && o->preleased && !unsigned_hb) || fresh)
		act("start %d none %llu", o->id, (unsigned long long)o->now);
	else
		act("start %d %llu", o->id, (unsigned long long)probe);
	announce(o);
	act("transition %s taking over %s (%s)", o->node, o->label, why);
	if (fresh)
		act("log debug %s: no probe: nobody answered for its "
		    "addresses %llu ms ago (probed since %s was late)",
		    o->label, (unsigned long long)(o->now - o->wres_t),
		    o->peer);
	else if (probe == 0 && o->preleased && !unsigned_hb)
		act("log debug %s: no probe: %s has just released it",
		    o->label, o->peer);
	notify(o->id, "taking", why);
}

static void
stop(struct own *o, const char *why)
{
	o->rsc = R_STOP;
	o->renewing = 0;
	o->stop_t = o->now;
	announce(o);
	act("stop %d", o->id);
	act("transition %s releasing %s (%s)", o->node, o->label, why);
	notify(o->id, "releasing", why);
}

/*
 * Row H6: a whole lease without a renewal (hbnode, or the machine, did
 * not run): the kernel has removed the address, and the peer may hold
 * the group by now.  Claim nothing: release and stand by.
 */
static void
lease_gone(struct own *o)
{
	act("transition %s renewed nothing for %llu ms, longer than its "
	    "lease: %s%s address is gone", o->node,
	    (unsigned long long)(o->now - o->last_renew), o->c->n > 1 ?
	    o->label : "its", o->c->n > 1 ? "'s" : "");
	standby(o, SB_FAIL, WHY_LEASE);
	snprintf(o->why, sizeof(o->why), "the lease ran out unrenewed (%s "
	    "or hbnode stopped)", o->node);
	notify(o->id, "fault", o->why);
	stop(o, o->why);
}

/*
 * ipfail's rule (rows I1-I3): -1 when this node reaches fewer ping nodes
 * than the peer says it does, 1 when more, 0 when as many or when either
 * count is not known yet.
 */
static int
pingcmp(const struct own *o)
{
	const struct cluster *c = o->c;

	if (c->nping == 0 || c->myping < 0 || c->pping < 0 ||
	    o->pstate != P_UP)
		return 0;
	return c->myping < c->pping ? -1 : c->myping > c->pping;
}

/*
 * Row I4: the peer is silent and this node reaches none of its ping
 * nodes (or has not heard from them yet): it is the likelier one to be
 * cut off, takes nothing and lets go what it holds (the peer, if alive
 * and reaching them, takes it).  Said once each time it begins.
 */
static int
isolated(struct own *o)
{
	struct cluster *c = o->c;

	if (c->nping == 0 || c->myping > 0) {
		o->isolated = 0;
		return 0;
	}
	/*
	 * The administrator's takeover wins (router down, peer dead), until
	 * the peer is heard again.
	 */
	if (o->ask || o->isolated == 2) {
		if (o->isolated != 2)
			act("log warn takeover asked: %s takes %s though no ping "
			    "node answers", o->node, o->label);
		o->isolated = 2;
		return 0;
	}
	if (o->isolated != 1 && o->rsc != R_HELD)
		act("transition %s takes no resource group from a silent %s: "
		    "%s", o->node, o->peer, c->myping < 0 ? "none of its ping "
		    "nodes is reported yet" : "it reaches none of its ping "
		    "nodes");
	o->isolated = 1;
	return 1;
}

/* The node that takes the group when nobody holds it; both compute it. */
static const char *
designated(const struct own *o)
{
	int pstandby = strcmp(o->pst, "standby") == 0;

	if (o->ask && !o->pask)
		return o->node;
	if (o->pask && !o->ask)
		return o->peer;
	if (o->st == ST_STANDBY && !pstandby)
		return o->peer;
	if (pstandby && o->st != ST_STANDBY)
		return o->node;
	if (pingcmp(o) != 0)					/* I2 */
		return pingcmp(o) > 0 ? o->node : o->peer;
	return o->home;
}

/*
 * Shutting down (rows X1-X4): release, then say so, then exit; with
 * several groups, each is released and the node says so once all are.
 */
static void
shutdown_step(struct own *o)
{
	struct cluster *c = o->c;
	int i;

	if (o->gone)
		return;
	switch (o->rsc) {
	case R_HELD:
		o->st = ST_STANDBY;
		o->why_w = c->code ? WHY_FATAL : WHY_STOP;
		snprintf(o->why, sizeof(o->why), "%s", c->why);
		stop(o, o->why);				/* X1 */
		return;
	case R_CLAIM:
		o->rsc = R_NONE;				/* X2 */
		break;
	case R_START:
	case R_STOP:
		return;						/* X3 */
	case R_NONE:
		break;
	}
	o->st = ST_STANDBY;					/* X4 */
	if (o->why_w != WHY_STOP && o->why_w != WHY_FATAL)
		o->why_w = c->code ? WHY_FATAL : WHY_STOP;
	o->ask = 0;
	o->gone = 1;
	announce(o);
	for (i = 0; i < c->n; i++)
		if (!c->g[i].gone)
			return;
	act("transition %s stopped (%s)", o->node, c->why);
	notify(0, "stopped", c->why);
	for (i = 0; i < c->n; i++)
		c->g[i].st = ST_STOPPED;
	c->exited = 1;
	status(o);
	act("exit %d", c->code);
	fflush(stdout);
	/*
	 * Not gone at once: the events that still come (hbrecv's) are read
	 * and dropped until the caller ends its programs, for 2 s at most
	 * (or the end of input), so that a writer does not find the reader
	 * gone.
	 */
	c->exit_t = o->now;
}

/*
 * The peer stands by of its own will (asked or given: it could take the
 * group) rather than failed or stopping.  When both nodes so stand by,
 * only the home node leaves its standby (row S4): both leaving at once
 * would both take the group.
 */
static int
peer_gives(const struct own *o)
{
	return o->pwhy == WHY_STANDBY || o->pwhy == WHY_TAKEOVER ||
	    o->pwhy == WHY_FAILBACK;
}

/* Why the peer stands by, in o->why, for the transition's reason. */
static void
peer_why(struct own *o)
{
	snprintf(o->why, sizeof(o->why), why_text[o->pwhy], o->peer);
}

static void
decide(struct own *o)
{
	int pup = o->pstate == P_UP;
	int pheld = pup && strcmp(o->prsc, "held") == 0;
	int pstandby = strcmp(o->pst, "standby") == 0;

	if (o->c->stopping) {
		unwatch(o);
		shutdown_step(o);
		return;
	}
	if (o->st == ST_STANDBY) {
		int given = o->sb == SB_ADMIN || o->sb == SB_GIVE;

		if ((o->sb == SB_PING && (pingcmp(o) >= 0 ||		/* I3 */
		    o->pstate == P_DEAD)) ||
		    (o->sb == SB_GIVE && pheld) ||			/* S1 */
		    (o->sb == SB_FAIL && o->now >= o->retry_t &&	/* S2 */
		    !o->nocarrier) ||
		    (given && o->pstate == P_DEAD) ||			/* S3 */
		    (given && pup && pstandby &&			/* S4 */
		    strcmp(o->prsc, "none") == 0 &&
		    (strcmp(o->node, o->home) == 0 || !peer_gives(o)))) {
			active(o);
			announce(o);
		}
	}
	switch (o->rsc) {
	case R_HELD:
		if (o->now - o->last_renew >= o->lease) {		/* H6 */
			lease_gone(o);
			break;
		}
		if (o->pstate == P_DEAD && isolated(o)) {		/* I4 */
			standby(o, SB_PING, WHY_PING);
			/* a flaky ping node must not bounce it: the hold-down */
			o->retry_t = o->now + holdoff(o);
			snprintf(o->why, sizeof(o->why), "cut off: %s is silent "
			    "and no ping node answers", o->peer);
			notify(o->id, "fault", o->why);
			stop(o, o->why);
		} else if (!pup)
			;
		else if (pheld && strcmp(o->node, o->home) != 0) {		/* H1 */
			snprintf(o->why, sizeof(o->why), "split brain: %s "
			    "holds it too; %s keeps it", o->peer, o->home);
			o->why_w = WHY_SPLIT;
			stop(o, o->why);
		} else if (o->pask && !o->ask) {			/* H2 */
			standby(o, SB_ADMIN, WHY_TAKEOVER);
			snprintf(o->why, sizeof(o->why), "%s asked for it "
			    "(takeover)", o->peer);
			stop(o, o->why);
		} else if (o->st == ST_STANDBY) {			/* H3 */
			stop(o, "standby");
		} else if (pingcmp(o) < 0 &&				/* I1 */
		    (strcmp(o->pst, "active") == 0 ||
		    o->pwhy == WHY_TAKEOVER)) {
			standby(o, SB_PING, WHY_PING);
			snprintf(o->why, sizeof(o->why), "%s reaches %d ping "
			    "node%s, %s %d", o->peer, o->c->pping,
			    o->c->pping == 1 ? "" : "s", o->node,
			    o->c->myping);
			stop(o, o->why);
		} else if (o->failback && strcmp(o->node, o->home) != 0 &&
		    pingcmp(o) == 0 &&
		    strcmp(o->pst, "active") == 0 &&			/* H4 */
		    o->join_t > o->held_since &&
		    o->now - o->join_t >= o->holddown) {
			standby(o, SB_GIVE, WHY_FAILBACK);
			snprintf(o->why, sizeof(o->why), "auto_failback: %s "
			    "is back", o->peer);
			stop(o, o->why);
		}
		if (o->rsc != R_HELD)
			break;
		if (o->garp_now || (o->garp_t != 0 &&			/* H10 */
		    o->now >= o->garp_t)) {
			if (o->garp_now)
				act("log info %s let the group go: announcing "
				    "its addresses again", o->peer);
			o->garp_now = 0;
			o->garp_t = o->garp_refresh ?
			    o->now + o->garp_refresh : 0;
			act("garp %d", o->id);
		}
		if (!o->renewing &&					/* H5 */
		    o->now - o->last_renew >= o->renew_iv) {
			o->renewing = 1;
			o->renew_t = o->now;
			act("renew %d", o->id);
		}
		break;
	case R_CLAIM:
		if (o->pstate == P_DEAD && isolated(o)) {		/* I4 */
			o->rsc = R_NONE;
			announce(o);
		} else if (o->pstate == P_DEAD) {			/* C1 */
			snprintf(o->why, sizeof(o->why), o->pwhy == WHY_STOP ?
			    "%s shut down" : "%s is dead", o->peer);
			start(o, o->deadprobe, o->why);
		} else if (strcmp(o->prsc, "held") == 0 ||		/* C2 */
		    strcmp(o->prsc, "rel") == 0 || pingcmp(o) < 0 ||	/* I2 */
		    o->nocarrier) {					/* C5 */
			o->rsc = R_NONE;
			announce(o);
		} else if (strcmp(o->prsc, "acq") == 0 &&		/* C3 */
		    strcmp(o->node, o->home) != 0) {
			act("log info both nodes claimed the group; %s (first "
			    "in haresources) wins", o->home);
			o->rsc = R_NONE;
			announce(o);
		} else if (o->now - o->claim_t >= o->settle ||		/* C4 */
		    pstandby) {
			if (pstandby)
				peer_why(o);
			start(o, 0, o->why);
		}
		break;
	case R_NONE:
		if (o->pstate == P_UNKNOWN || o->now < o->retry_t ||	/* N1 */
		    o->nocarrier)
			break;
		if (o->pstate == P_DEAD && isolated(o))			/* I4 */
			break;
		if (o->pstate == P_DEAD) {				/* N2 */
			/*
			 * Its address may still be on a peer whose software
			 * died: IPaddr probes until that lease has run out.
			 */
			snprintf(o->why, sizeof(o->why), o->ppos < 0 ? "%s's "
			    "haresources has not this group" : o->pwhy ==
			    WHY_STOP ? "%s shut down" : "%s is dead", o->peer);
			start(o, o->deadprobe, o->why);
		} else if (strcmp(o->prsc, "none") == 0 &&
		    strcmp(designated(o), o->node) == 0) {
			if (o->ask)
				snprintf(o->why, sizeof(o->why), "takeover");
			else if (pstandby)
				peer_why(o);
			else
				snprintf(o->why, sizeof(o->why), "nobody holds "
				    "it; %s is designated", o->node);
			/*
			 * A peer in standby never claims: no wait, and no
			 * claim announced before the start (N3).
			 */
			if (pstandby) {					/* N3 */
				start(o, 0, o->why);
				break;
			}
			o->rsc = R_CLAIM;
			o->claim_t = o->now;
			announce(o);
		}							/* N4 */
		break;
	case R_START:
	case R_STOP:
		break;
	}
	watch_check(o);						/* W1, W2 */
}

/*
 * st=, rsc=, ask=, why= of a status line from the peer; the rest is kept
 * out.  The peer turning active starts its steady time again (the
 * failback hold-down, row H4); letting the group go while this node
 * holds it (a split brain settled) asks for the addresses to be
 * announced again (row H10).
 */
static void
peer_fields(struct own *o, char **w, int n)
{
	int i, was_active = strcmp(o->pst, "active") == 0;
	int had = strcmp(o->prsc, "held") == 0 || strcmp(o->prsc, "rel") == 0;
	int dirty = 0;
	enum why pw = o->pwhy;

	o->pwhy = WHY_NONE;
	for (i = 0; i < n; i++) {
		/* only the values of the protocol: others are "?" */
		if (strncmp(w[i], "st=", 3) == 0)
			snprintf(o->pst, sizeof(o->pst), "%s",
			    strcmp(w[i] + 3, "active") == 0 ||
			    strcmp(w[i] + 3, "standby") == 0 ? w[i] + 3 : "?");
		else if (strncmp(w[i], "rsc=", 4) == 0)
			snprintf(o->prsc, sizeof(o->prsc), "%s",
			    strcmp(w[i] + 4, "none") == 0 ||
			    strcmp(w[i] + 4, "acq") == 0 ||
			    strcmp(w[i] + 4, "held") == 0 ||
			    strcmp(w[i] + 4, "rel") == 0 ? w[i] + 4 : "?");
		else if (strncmp(w[i], "ask=", 4) == 0)
			o->pask = strcmp(w[i] + 4, "1") == 0;
		else if (strcmp(w[i], "dirty=1") == 0)
			dirty = 1;	/* its stop failed: probe */
		else if (strncmp(w[i], "why=", 4) == 0) {
			size_t k;

			for (k = 1; k < sizeof(why_name) / sizeof(*why_name);
			    k++)
				if (strcmp(w[i] + 4, why_name[k]) == 0)
					o->pwhy = (enum why)k;
		}
	}
	if (!was_active && strcmp(o->pst, "active") == 0)
		o->join_t = o->now;
	if (strcmp(o->prsc, "none") != 0)
		o->preleased = strcmp(o->prsc, "rel") == 0;
	else if (had)
		/*
		 * held (or rel) then none: released, though the rel between
		 * went out in the same heartbeat as none (hbsend sends the
		 * latest status)
		 */
		o->preleased = 1;
	if (dirty)
		o->preleased = 0;
	if (had && strcmp(o->prsc, "held") != 0 &&
	    strcmp(o->prsc, "rel") != 0 && o->rsc == R_HELD)
		o->garp_now = 1;
	if (o->pwhy == WHY_STOP && pw != WHY_STOP)
		act("transition node %s: is shutting down", o->peer);
}

/* The words from w[0] on, joined by blanks. */
static void
join(char **w, int n, char *out, size_t len)
{
	size_t k = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < n && k < len; i++)
		k += (size_t)snprintf(out + k, len - k, "%s%s", i ? " " : "",
		    w[i]);
}

/* Rows P1-P6: what the peer's events change; 0 when ignored. */
static int
peer_event(struct own *o, const char *ev, char **w, int n)
{
	char text[TEXTLEN];

	if (strcmp(ev, "link") == 0) {				/* P6 */
		join(w, n, text, sizeof(text));
		act("log info link %s", text);
		return 1;
	}
	if (strcmp(ev, "warn") == 0) {				/* P3 */
		silence(n > 1 ? w[1] : NULL, text, sizeof(text));
		if (n > 0 && strcmp(w[0], o->peer) == 0 &&
		    o->pwhy == WHY_STOP)
			act("log info node %s: silent since its shutdown (%s)",
			    o->peer, text);
		else
			act("log warn late heartbeat from node %s: %s",
			    n > 0 ? w[0] : "?", text);
		/* Not heard steadily: the failback hold-down starts again. */
		if (n > 0 && strcmp(w[0], o->peer) == 0) {
			o->join_t = o->now;
			o->late = o->pstate == P_UP;		/* W1 */
		}
		return 1;
	}
	if (strcmp(ev, "late") == 0) {				/* P7 */
		if (n == 0 || strcmp(w[0], o->peer) != 0)
			return 0;
		silence(n > 1 ? w[1] : NULL, text, sizeof(text));
		act("log info node %s: heard again (%s)", o->peer, text);
		o->late = 0;					/* W2 */
		return 1;
	}
	if (n == 0 || strcmp(w[0], o->peer) != 0) {		/* P5 */
		join(w, n, text, sizeof(text));
		act("log debug ignored: %s %s", ev, text);
		return 0;
	}
	if (strcmp(ev, "dead") == 0) {				/* P4 */
		if (strcmp(o->prsc, "held") == 0 && o->rsc == R_HELD)
			o->garp_now = 1;
		o->pstate = P_DEAD;
		o->late = 0;
		strcpy(o->prsc, "none");
		o->pask = 0;
		o->preleased = 0;
		silence(n > 1 ? w[1] : NULL, text, sizeof(text));
		if (o->pwhy == WHY_STOP)
			act("transition node %s: is down (it shut down; %s)",
			    o->peer, text);
		else
			act("transition node %s: is dead (%s)", o->peer, text);
		notify(0, "peer-dead", text);
		return 1;
	}
	/* up, restart, status: P1, P2; heard, so not late (W2) */
	o->late = 0;
	if (strcmp(ev, "restart") == 0 || o->pstate != P_UP) {
		o->isolated = 0;
		o->join_t = o->now;
		strcpy(o->pst, "active");
		strcpy(o->prsc, "none");
		o->pask = 0;
		o->pwhy = WHY_NONE;
		o->preleased = 0;
	}
	o->pstate = P_UP;
	peer_fields(o, w + 1, n - 1);
	join(w + 1, n - 1, text, sizeof(text));
	if (strcmp(ev, "up") == 0)
		act("transition node %s: is up (%s)", o->peer, text);
	else if (strcmp(ev, "restart") == 0)
		act("transition node %s: restarted (%s)", o->peer, text);
	if (strcmp(ev, "up") == 0 || strcmp(ev, "restart") == 0) {
		char known[TEXTLEN];
		int i, k = 0;

		/* the hooks get the protocol's fields only, not the peer's */
		known[0] = '\0';
		for (i = 1; i < n; i++)
			if (strncmp(w[i], "st=", 3) == 0 ||
			    strncmp(w[i], "gen=", 4) == 0)
				k += snprintf(known + k, sizeof(known) - (size_t)k,
				    "%s%.40s", k ? " " : "", w[i]);
		notify(0, "peer-up", known);
	}
	else
		act("log debug status %s %s", o->peer, text);
	return 1;
}

/*
 * Which groups "standby WHICH" or "takeover WHICH" means, heartbeat's
 * hb_standby words: all, local (the groups whose home is this node) or
 * foreign (those whose home is the peer).  Sets sel[]; the number chosen,
 * -1 for an unknown word.
 */
static int
select_groups(struct cluster *c, const char *which, int *sel)
{
	int i, k = 0, local = strcmp(which, "local") == 0;

	if (!local && strcmp(which, "foreign") != 0 &&
	    strcmp(which, "all") != 0)
		return -1;
	for (i = 0; i < c->n; i++) {
		const struct own *o = &c->g[i];
		int home = strcmp(o->home, o->node) == 0;

		sel[i] = strcmp(which, "all") == 0 || home == local;
		k += sel[i];
	}
	return k;
}

/* " 1 3": the numbers of the chosen groups, for the messages. */
static void
group_list(const struct cluster *c, const int *sel, char *out, size_t len)
{
	size_t k = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < c->n && k < len; i++)
		if (sel[i])
			k += (size_t)snprintf(out + k, len - k, " %d",
			    c->g[i].id);
}

/* Rows K1-K4: "cmd standby|takeover [all|local|foreign]", "cmd stop". */
static void
command(struct cluster *c, char **w, int n)
{
	const char *cmd = w[0], *which = n > 1 ? w[1] : "all";
	struct own *o = &c->g[0];
	int sel[MAXGROUPS], i, k;
	char list[MAXGROUPS * 4], what[TEXTLEN];

	if (strcmp(cmd, "stop") == 0) {				/* K4 */
		if (!c->stopping) {
			c->stopping = 1;
			c->code = 0;
			snprintf(c->why, sizeof(c->why), "stop asked");
		}
		return;
	}
	if (strcmp(cmd, "standby") != 0 && strcmp(cmd, "takeover") != 0) {
		act("log warn unknown command '%s'", cmd);
		return;
	}
	k = select_groups(c, which, sel);
	if (k < 0) {
		act("transition %s refused: '%s' is not all, local or foreign",
		    cmd, which);
		return;
	}
	if (k == 0) {
		act("transition %s refused: no %s resource group (home %s)",
		    cmd, which, strcmp(which, "local") == 0 ? o->node :
		    o->peer);
		return;
	}
	group_list(c, sel, list, sizeof(list));
	if (c->n == 1)
		snprintf(what, sizeof(what), "the group");
	else
		snprintf(what, sizeof(what), "group%s%s", k > 1 ? "s" : "",
		    list);
	if (strcmp(cmd, "standby") == 0) {
		if (o->pstate != P_UP) {				/* K1 */
			act("transition standby refused: %s is not up, nobody "
			    "would take %s", o->peer, what);
			return;
		}
		for (i = 0; i < c->n; i++) {
			o = &c->g[i];
			if (sel[i] && strcmp(o->pst, "standby") == 0 &&
			    o->st != ST_STANDBY) {
				act("transition standby refused: %s is in "
				    "standby too, nobody would take %s",
				    o->peer, c->n == 1 ? "the group" : o->label);
				return;
			}
		}
		act("transition standby asked: giving %s to %s", what,
		    o->peer);					/* K2 */
		for (i = 0; i < c->n; i++) {
			o = &c->g[i];
			if (!sel[i])
				continue;
			notify(o->id, "standby", "asked");
			standby(o, SB_ADMIN, WHY_STANDBY);
			if (o->rsc == R_CLAIM)
				o->rsc = R_NONE;
			announce(o);
		}
		return;
	}
	if (c->n == 1)						/* K3 */
		act("transition takeover asked");
	else
		act("transition takeover asked for %s", what);
	for (i = 0; i < c->n; i++) {
		o = &c->g[i];
		if (!sel[i])
			continue;
		notify(o->id, "takeover", "asked");
		active(o);
		o->retry_t = 0;
		o->fails = 0;
		if (o->rsc != R_HELD)
			o->ask = 1;
		announce(o);
	}
}

/* Rows A1-A3, R1, H7-H9: the end of a resource action. */
static void
done(struct own *o, char **w, int n)
{
	char text[TEXTLEN];

	text[0] = '\0';
	if (n > 2)
		join(w + 2, n - 2, text, sizeof(text));
	if (n >= 2 && strcmp(w[0], "start") == 0 && o->rsc == R_START) {
		if (strcmp(w[1], "ok") == 0) {				/* A1 */
			o->rsc = R_HELD;
			o->held_since = o->start_t;
			o->last_renew = o->now;
			o->renewing = 0;
			o->ask = 0;
			o->fails = 0;
			o->garp_now = 0;
			o->garp_t = o->garp_delay ? o->now + o->garp_delay :
			    o->garp_refresh ? o->now + o->garp_refresh : 0;
			announce(o);
			act("transition %s holds %s (acquired in %llu ms)",
			    o->node, o->label,
			    (unsigned long long)(o->now - o->start_t));
			notify(o->id, "master", "acquired");
		} else if (strcmp(w[1], "lost") == 0) {			/* A3 */
			/*
			 * Stopped (or starved) in the middle: the address
			 * went, and the peer may hold the group by now.
			 */
			standby(o, SB_FAIL, WHY_START);
			snprintf(o->why, sizeof(o->why), "%s lost its address "
			    "while its resources started", o->node);
			notify(o->id, "fault", o->why);
			stop(o, o->why);
		} else {						/* A2 */
			/*
			 * The script rolled back what it had started.  Only a
			 * service's failure counts for the doubled hold-down:
			 * an address is refused when another host answers for
			 * it, and a LAN host must not stretch the hold-down.
			 */
			act("transition %s could not start %s; releasing and "
			    "handing %s over", o->node, text[0] ? text :
			    o->label, o->c->n > 1 ? o->label : "the group");
			notify(o->id, "fault", text[0] ? text : "start failed");
			o->rsc = R_NONE;
			if (n > 2 && strcmp(w[2], "IPaddr") != 0)
				o->fails++;
			standby(o, SB_FAIL, WHY_START);
			announce(o);
		}
	} else if (n >= 2 && strcmp(w[0], "stop") == 0 && o->rsc == R_STOP) {
		o->rsc = R_NONE;					/* R1 */
		o->dirty = strcmp(w[1], "ok") != 0;
		if (o->sb == SB_FAIL)
			o->retry_t = o->now + holdoff(o);
		if (o->st == ST_ACTIVE)
			o->why_w = WHY_NONE;
		announce(o);
		act("transition %s released %s", o->node, o->label);
		act("log debug %s: released in %llu ms", o->label,
		    (unsigned long long)(o->now - o->stop_t));
		notify(o->id, "backup", o->dirty ? "released; a stop failed" :
		    "released");
	} else if (n >= 2 && strcmp(w[0], "renew") == 0 && o->renewing) {
		o->renewing = 0;
		if (o->rsc != R_HELD)
			return;
		if (strcmp(w[1], "ok") == 0) {				/* H5 */
			o->last_renew = o->renew_t;
		} else if (strcmp(w[1], "expired") == 0) {		/* H6 */
			/* hbnode found it so before this node's tick did */
			lease_gone(o);
		} else if (strcmp(w[1], "carrier") == 0) {		/* H8 */
			act("transition %s lost its LAN link (no carrier for "
			    "%s)", o->node, text);
			notify(o->id, "fault", "no carrier");
			standby(o, SB_FAIL, WHY_CARRIER);
			stop(o, "no carrier");
		} else {						/* H7 */
			act("transition %s lost %s", o->node, text);
			notify(o->id, "fault", text);
			standby(o, SB_FAIL, WHY_ADDRESS);
			stop(o, "address lost");
		}
	} else {
		join(w, n, text, sizeof(text));
		act("log debug ignored: done %d %s", o->id, text);
	}
}

/* Group number word (1, 2, ...) of this node's groups, or NULL. */
static struct own *
group_of(struct cluster *c, const char *w)
{
	unsigned long id;

	if (parse_ulong(w, 1, (unsigned long)c->n, &id) < 0)
		return NULL;
	return &c->g[id - 1];
}

/*
 * The peer's fields for its group id (> 1): its "gN=ST,RSC,ASK[,WHY]
 * [,dirty]" as the words st= rsc= ask= why= dirty=1 in buf, their
 * pointers in out after the peer's name; their number.
 */
static int
peer_group_words(int id, char **w, int n, char *buf, size_t len, char **out)
{
	static const char *const key[] = { "st=", "rsc=", "ask=", "why=" };
	char tag[16], *p, *save = NULL, val[LINELEN];
	size_t k = 0, taglen;
	int i, m = 1, f = 0;

	out[0] = w[0];
	snprintf(tag, sizeof(tag), "g%d=", id);
	taglen = strlen(tag);
	for (i = 1; i < n; i++)
		if (strncmp(w[i], tag, taglen) == 0)
			break;
	if (i == n)
		return 1;
	snprintf(val, sizeof(val), "%s", w[i] + taglen);
	for (p = strtok_r(val, ",", &save); p != NULL && m < 6 && k < len;
	    p = strtok_r(NULL, ",", &save)) {
		int r;

		if (strcmp(p, "dirty") == 0)
			r = snprintf(buf + k, len - k, "dirty=1");
		else if (f < 4)
			r = snprintf(buf + k, len - k, "%s%s", key[f++], p);
		else
			continue;
		if (r < 0 || (size_t)r >= len - k)
			break;
		out[m++] = buf + k;
		k += (size_t)r + 1;
	}
	return m;
}

/* sums=H1.H2...: the peer's groups' hashes, in its order. */
static void
peer_sums(struct cluster *c, const char *v)
{
	char buf[MAXGROUPS * 16 + 1], *p, *save = NULL;

	c->npsum = 0;
	snprintf(buf, sizeof(buf), "%s", v);
	for (p = strtok_r(buf, ".", &save); p != NULL && c->npsum < MAXGROUPS;
	    p = strtok_r(NULL, ".", &save))
		snprintf(c->psum[c->npsum++], sizeof(c->psum[0]), "%.15s", p);
}

/*
 * Row G4: each group is the peer's group of the same hash (sums=), not
 * of the same line number, so that lines in another order still pair.
 * A group with no equal is paired with the peer's group of its line
 * number when that one has no equal either (the line was changed on one
 * node: one group all the same, said as an error); one left over is a
 * group the peer has not (its haresources lacks the line): the peer
 * cannot hold it, and this node takes it as from a dead peer.  Said
 * when it changes.  A peer without sums= (hbnode without -k) pairs by
 * line number.
 */
static void
match_groups(struct cluster *c, const char *peer)
{
	int used[MAXGROUPS] = { 0 }, pos[MAXGROUPS], i, j;

	for (i = 0; i < c->n; i++) {
		pos[i] = -1;
		if (c->npsum == 0 || c->g[i].sum[0] == '\0') {
			pos[i] = i;
			continue;
		}
		for (j = 0; j < c->npsum; j++)
			if (!used[j] && strcmp(c->psum[j], c->g[i].sum) == 0) {
				pos[i] = j;
				used[j] = 1;
				break;
			}
	}
	for (i = 0; i < c->n; i++)
		if (pos[i] < 0 && i < c->npsum && !used[i]) {
			pos[i] = i;
			used[i] = 1;
			pos[i] |= 0x100;	/* paired, but not equal */
		}
	for (i = 0; i < c->n; i++) {
		struct own *g = &c->g[i];
		int p = pos[i] & 0xff, differs = pos[i] >= 0 && pos[i] & 0x100;

		if (pos[i] < 0)
			p = -1;
		if (p == g->ppos && differs == g->pdiffers)
			continue;
		if (p < 0)
			act("log error %s's haresources has no line like this "
			    "node's line %d (home %s): %s cannot hold that group; "
			    "this node takes it as from a dead peer (make the two "
			    "files the same)", peer, g->id, g->home, peer);
		else if (differs)
			act("log error %s's haresources line %d differs from this "
			    "node's: taken as the same group all the same (make "
			    "the two files the same)", peer, g->id);
		else if (p != i)
			act("log warn %s's haresources has this node's line %d "
			    "as its line %d: paired so (make the two files the "
			    "same)", peer, g->id, p + 1);
		else
			act("log info %s's haresources line %d is this node's "
			    "again", peer, g->id);
		g->ppos = p;
		g->pdiffers = differs;
	}
}

/*
 * The node's own fields of the peer's status: groups= (a different
 * haresources is named once) and ping= (ipfail's rule, rows I1-I4).
 */
static void
peer_node_fields(struct cluster *c, char **w, int n)
{
	unsigned long v;
	int i, groups = 1, ping = -1, full = 0;

	for (i = 1; i < n; i++) {
		if (strncmp(w[i], "rsc=", 4) == 0)
			full = 1;
		if (strncmp(w[i], "groups=", 7) == 0 &&
		    parse_ulong(w[i] + 7, 1, MAXGROUPS * 8, &v) == 0)
			groups = (int)v;
		else if (strncmp(w[i], "ping=", 5) == 0 &&
		    parse_ulong(w[i] + 5, 0, MAXPING, &v) == 0)
			ping = (int)v;
		else if (strncmp(w[i], "sums=", 5) == 0)
			peer_sums(c, w[i] + 5);
	}
	if (full)
		match_groups(c, w[0]);
	/*
	 * hbsend's first heartbeats, before hbown's first announcement,
	 * carry no fields: no number of groups to compare yet.
	 */
	if (full && c->npsum == 0 && groups != c->pgroups && groups != c->n)
		act("log warn %s runs %d resource group%s, %s %d: their "
		    "haresources differ; the groups are matched by their line "
		    "number", w[0], groups, groups == 1 ? "" : "s",
		    c->g[0].node, c->n);
	if (full)
		c->pgroups = groups;
	if (ping != c->pping && c->nping > 0 && ping < 0)
		act("log info %s does not say how many ping nodes it reaches",
		    w[0]);
	else if (ping != c->pping && c->nping > 0)
		act("log info %s reaches %d ping node%s", w[0], ping,
		    ping == 1 ? "" : "s");
	c->pping = ping;
}

/* A peer's event, for every group; each group's own fields to each. */
static int
peer_all(struct cluster *c, const char *ev, char **w, int n)
{
	char buf[LINELEN], *gw[8];
	int i, r, status = strcmp(ev, "up") == 0 ||
	    strcmp(ev, "restart") == 0 || strcmp(ev, "status") == 0;
	int peer = n > 0 && strcmp(w[0], c->g[0].peer) == 0;

	if (peer && status)
		peer_node_fields(c, w, n);
	else if (peer && strcmp(ev, "dead") == 0)
		c->pping = -1;
	for (i = 0, r = 0; i < c->n; i++) {
		struct own *g = &c->g[i];
		char *silent[2] = { w[0], (char *)"silent=0" };

		mute = i > 0;
		if (!peer || !status || g->ppos == 0) {
			r |= peer_event(g, ev, w, n);
		} else if (g->ppos < 0) {
			/* logged as the peer's event, held as its death */
			if (i == 0) {
				struct own scratch = *g;

				r |= peer_event(&scratch, ev, w, n);
			}
			mute = 1;
			if (g->pstate != P_DEAD)
				peer_event(g, "dead", silent, 2);
		} else {
			int m = peer_group_words(g->ppos + 1, w, n, buf,
			    sizeof(buf), gw);

			if (i == 0) {
				struct own scratch = *g;

				/* the log says what came; the state is line's */
				r |= peer_event(&scratch, ev, w, n);
				mute = 1;
			}
			peer_event(g, ev, gw, m);
		}
		mute = 0;
	}
	return r;
}

/*
 * "ping NAME up|down": a ping node (ha.cf's ping or ping_group, as
 * hbnode's pingcheck sees it).  The count reached is known once each of
 * the -P nodes has been reported; a change is announced.
 */
static void
ping_event(struct cluster *c, char **w, int n)
{
	int i, up = 0, known = 0;

	if (n != 3 || (strcmp(w[2], "up") != 0 && strcmp(w[2], "down") != 0 &&
	    strcmp(w[2], "unknown") != 0) || strlen(w[1]) >= NAMELEN ||
	    c->nping == 0) {
		act("log warn bad ping event (want: ping NAME up|down|unknown, "
		    "with -P)");
		return;
	}
	for (i = 0; i < c->nping && c->pingname[i][0] != '\0'; i++)
		if (strcmp(c->pingname[i], w[1]) == 0)
			break;
	if (i == c->nping) {
		act("log warn ping node %s is one more than -P %d: ignored",
		    w[1], c->nping);
		return;
	}
	snprintf(c->pingname[i], NAMELEN, "%s", w[1]);
	c->pingup[i] = strcmp(w[2], "unknown") == 0 ? -1 :
	    strcmp(w[2], "up") == 0;
	for (i = 0; i < c->nping; i++) {
		if (c->pingup[i] >= 0)
			known++;
		up += c->pingup[i] == 1;
	}
	if (known < c->nping) {
		/* a watcher restarted: not known until it says again */
		if (c->myping >= 0)
			act("transition %s: ping node %s is not known for now",
			    c->g[0].node, w[1]);
		c->myping = -1;
		announce(&c->g[0]);
		return;
	}
	if (up == c->myping)
		return;
	act("transition %s reaches %d of its %d ping node%s (%s %s)",
	    c->g[0].node, up, c->nping, c->nping == 1 ? "" : "s", w[1], w[2]);
	c->myping = up;
	announce(&c->g[0]);
}

/* One event line; 0 when it changes nothing and needs no decision. */
static int
event(struct cluster *c, char **w, int n)
{
	char text[TEXTLEN];
	const char *ev = w[0];
	struct own *o;

	if (strcmp(ev, "tick") == 0) {
		act("tick");
		return 1;
	}
	if (strcmp(ev, "up") == 0 || strcmp(ev, "restart") == 0 ||
	    strcmp(ev, "status") == 0 || strcmp(ev, "warn") == 0 ||
	    strcmp(ev, "late") == 0 || strcmp(ev, "dead") == 0 ||
	    strcmp(ev, "link") == 0)
		return peer_all(c, ev, w + 1, n - 1);
	if (strcmp(ev, "cmd") == 0 && (n == 2 || n == 3)) {
		command(c, w + 1, n - 1);
		return 1;
	}
	if (strcmp(ev, "ping") == 0) {
		ping_event(c, w, n);
		return 1;
	}
	if (strcmp(ev, "fatal") == 0) {				/* K4 */
		join(w + 1, n - 1, text, sizeof(text));
		act("log error %s: releasing the group%s and stopping", text,
		    c->n > 1 ? "s" : "");
		if (!c->stopping) {
			c->stopping = 1;
			snprintf(c->why, sizeof(c->why), "%s", text);
		}
		c->code = HK_EXIT_SYS;
		return 1;
	}
	o = n > 1 ? group_of(c, w[1]) : NULL;
	if (o != NULL && strcmp(ev, "done") == 0) {
		done(o, w + 2, n - 2);
		return 1;
	}
	if (o != NULL && strcmp(ev, "probed") == 0 && n >= 3) {	/* W3 */
		if (!o->watching)
			return 0;	/* from before its unwatch */
		if (strcmp(w[2], "free") == 0) {
			o->wres = 1;
		} else if (strcmp(w[2], "busy") == 0) {
			if (o->wres != 2) {
				join(w + 3, n - 3, text, sizeof(text));
				act("log info %s is late and %s is still "
				    "answered (%s): a takeover would probe", o->peer,
				    o->c->n > 1 ? o->label : "an address",
				    text);
			}
			o->wres = 2;
		} else {
			o->wres = 0;
		}
		o->wres_t = o->now;
		return 0;
	}
	if (o != NULL && strcmp(ev, "step") == 0 && n >= 3 &&
	    (o->rsc == R_START || o->rsc == R_STOP)) {
		/* hbnode(8), DEBUG: where a takeover's or a release's time goes */
		join(w + 2, n - 2, text, sizeof(text));
		act("log debug %s %s: %s, +%llu ms", c->n > 1 ? o->label :
		    "the group", o->rsc == R_START ? "start" : "stop", text,
		    (unsigned long long)(o->now - (o->rsc == R_START ?
		    o->start_t : o->stop_t)));
		return 0;
	}
	if (o != NULL && strcmp(ev, "carrier") == 0) {		/* H9 */
		/* "carrier G up": every link of the group has it again */
		int was = o->nocarrier;

		o->nocarrier = !(n == 3 && strcmp(w[2], "up") == 0);
		/*
		 * Back on the LAN: a peer found dead while this node could
		 * hear nothing may be alive; a deadtime to hear it again
		 * before acting on that (row N1).
		 */
		if (was && !o->nocarrier && o->pstate == P_DEAD &&
		    o->retry_t < o->now + o->deadtime)
			o->retry_t = o->now + o->deadtime;
		if (o->nocarrier && o->rsc == R_HELD && !o->renewing) {
			o->renewing = 1;
			o->renew_t = o->now;
			act("renew %d", o->id);
		}
		return 1;
	}
	join(w, n, text, sizeof(text));
	act("log debug ignored: %s", text);
	return 0;
}

/* Split line into words; a first word @MS sets the time. */
static int
split(struct own *o, char *line, char **w)
{
	unsigned long ms;
	char *p, *save = NULL;
	int n = 0;

	for (p = strtok_r(line, " \t", &save); p != NULL && n < MAXWORDS;
	    p = strtok_r(NULL, " \t", &save))
		w[n++] = p;
	if (n > 0 && w[0][0] == '@') {
		if (parse_ulong(w[0] + 1, 0, ULONG_MAX, &ms) < 0 ||
		    (uint64_t)ms < o->now) {
			warnf("bad time '%s': want @MS, not going back", w[0]);
			return 0;
		}
		o->now = ms;
		memmove(w, w + 1, (size_t)(n - 1) * sizeof(*w));
		n--;
	} else if (o->clock) {
		uint64_t t = tm_boot_ms();

		if (t > o->now)		/* never back, even after an @MS */
			o->now = t;
	}
	return n;
}

int
main(int argc, char *argv[])
{
	static struct cluster cl = { .n = 0, .myping = -1, .pping = -1 };
	struct own o = {
		.lease = 2000,
		.settle = 500,
		.garp_delay = 5000,
		.st = ST_ACTIVE,
		.rsc = R_NONE,
		.pstate = P_UNKNOWN,
		.pst = "active",
		.prsc = "none",
	};
	uint64_t deadtime = 2000;
	struct ln_reader rd = { .fd = STDIN_FILENO };
	char line[LN_MAX], *w[MAXWORDS];
	const char *home[MAXGROUPS], *sum[MAXGROUPS];
	int nsum = 0;
	int standby_all = 0, standby_one[MAXGROUPS] = { 0 };
	uint64_t tick = 0, next_tick = 0;
	unsigned long v;
	int c, i, n;

	hk_setprogname(argv[0]);
	usage_help_arg(argc, argv, OPTS, usage_text, help_text);
	while ((c = getopt(argc, argv, OPTS)) != -1) {
		switch (c) {
		case 'B':
			standby_all = 1;
			break;
		case 'b':
			if (parse_ulong(optarg, 1, MAXGROUPS, &v) < 0)
				usage_error(usage_text, "bad group '%s': want 1 "
				    "to %d", optarg, MAXGROUPS);
			standby_one[v - 1] = 1;
			break;
		case 'C':
			o.clock = 1;
			break;
		case 'U':
			unsigned_hb = 1;
			break;
		case 'a':
			/* ha.cf's legacy, as hbnode reads it, is on */
			if (strcmp(optarg, "on") == 0 ||
			    strcmp(optarg, "legacy") == 0)
				o.failback = 1;
			else if (strcmp(optarg, "off") != 0)
				usage_error(usage_text, "bad auto_failback "
				    "'%s': want on, off or legacy", optarg);
			break;
		case 'd':
			deadtime = opt_dur(usage_text, "deadtime", optarg, 1);
			break;
		case 'F':
			o.garp_refresh = opt_dur(usage_text, "refresh", optarg,
			    0);
			break;
		case 'G':
			o.garp_delay = opt_dur(usage_text, "delay", optarg, 0);
			break;
		case 'H':
			if (cl.n == MAXGROUPS)
				usage_error(usage_text, "more than %d groups "
				    "(-H)", MAXGROUPS);
			home[cl.n++] = optarg;
			break;
		case 'h':
			usage_help(usage_text, help_text);
		case 'k':
			if (nsum == MAXGROUPS || strlen(optarg) > 15 ||
			    optarg[strspn(optarg, "0123456789abcdef")] != '\0' ||
			    optarg[0] == '\0')
				usage_error(usage_text, "bad -k '%s': want one "
				    "hash (1-15 of 0-9a-f) a group", optarg);
			sum[nsum++] = optarg;
			break;
		case 'l':
			o.lease = opt_dur(usage_text, "lease", optarg, 4);
			break;
		case 'n':
			o.node = optarg;
			break;
		case 'P':
			if (parse_ulong(optarg, 0, MAXPING, &v) < 0)
				usage_error(usage_text, "bad number of ping "
				    "nodes '%s': want 0 to %d", optarg, MAXPING);
			cl.nping = (int)v;
			break;
		case 'p':
			o.peer = optarg;
			break;
		case 'S':
			o.settle = opt_dur(usage_text, "settle time", optarg, 0);
			break;
		case 'T':
			tick = opt_dur(usage_text, "tick", optarg, 10);
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
	if (optind != argc)
		usage_error(usage_text, "unexpected argument '%s'",
		    argv[optind]);
	if (o.node == NULL || o.peer == NULL || cl.n == 0)
		usage_error(usage_text, "-n, -p and -H are needed");
	if (!hb_valid_node(o.node) || !hb_valid_node(o.peer))
		usage_error(usage_text, "bad node name: want 1-%d letters, "
		    "digits, '.', '_' or '-'", HB_MAXNODE);
	if (strcmp(o.node, o.peer) == 0)
		usage_error(usage_text, "NODE and PEER are both '%s'", o.node);
	for (i = 0; i < cl.n; i++)
		if (strcmp(home[i], o.node) != 0 &&
		    strcmp(home[i], o.peer) != 0)
			usage_error(usage_text, "HOME '%s' is neither NODE nor "
			    "PEER", home[i]);
	if (nsum != 0 && nsum != cl.n)
		usage_error(usage_text, "%d -k for %d groups: one each, or none",
		    nsum, cl.n);
	for (i = cl.n; i < MAXGROUPS; i++)
		if (standby_one[i])
			usage_error(usage_text, "-b %d: there are %d groups",
			    i + 1, cl.n);
	o.renew_iv = o.lease / 4;
	o.holddown = deadtime * 2 < 2000 ? 2000 : deadtime * 2;
	o.deadtime = deadtime;
	if (tick && !o.clock)
		usage_error(usage_text, "-T needs -C: the ticks come from the "
		    "clock");
	if (o.garp_refresh != 0 && o.garp_refresh < 1000)
		usage_error(usage_text, "refresh under 1s: announcing the "
		    "addresses that often floods the LAN");
	o.deadprobe = o.lease + 1500;
	if (o.clock)
		o.now = tm_boot_ms();
	for (i = 0; i < MAXPING; i++)
		cl.pingup[i] = -1;
	for (i = 0; i < cl.n; i++) {
		struct own *g = &cl.g[i];

		*g = o;
		g->c = &cl;
		g->id = i + 1;
		g->home = home[i];
		g->ppos = i;
		if (nsum)
			snprintf(g->sum, sizeof(g->sum), "%s", sum[i]);
		if (cl.n == 1)
			snprintf(g->label, sizeof(g->label), "the resource "
			    "group");
		else
			snprintf(g->label, sizeof(g->label), "resource group "
			    "%d", g->id);
		if (standby_all || standby_one[i]) {
			g->st = ST_STANDBY;
			g->sb = SB_ADMIN;
			g->why_w = WHY_STANDBY;
		}
	}

	hk_check_stdout_at_exit();
	/* Line buffered: each action reaches hbnode as it is decided. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	announce(&cl.g[0]);
	status(&cl.g[0]);
	if (tick)
		next_tick = tm_boot_ms() + tick;
	for (;;) {
		size_t len;
		int r;

		r = ln_next(&rd, line, &len, next_tick);
		if (r == -2)
			die(HK_EXIT_SYS, "read:");
		if (r == 2) {
			warnf("line longer than %d bytes dropped", LN_MAX - 2);
			continue;
		}
		if (r < 0)
			break;
		if (r == 0) {
			/* -T: this tick is due; one, however late */
			uint64_t t = tm_boot_ms();

			next_tick = t + tick;
			if (t > cl.g[0].now)
				cl.g[0].now = t;
			w[0] = (char *)"tick";
			n = 1;
		} else {
			if (memchr(line, '\0', len) != NULL) {
				warnf("line with a NUL byte dropped");
				continue;
			}
			line[len] = '\0';
			n = split(&cl.g[0], line, w);
			if (n == 0)
				continue;
		}
		for (i = 1; i < cl.n; i++)
			cl.g[i].now = cl.g[0].now;
		if (cl.exited) {
			if (cl.g[0].now >= cl.exit_t + 2000)
				break;
			continue;
		}
		if (event(&cl, w, n))
			for (i = 0; i < cl.n && !cl.exited; i++)
				decide(&cl.g[i]);
		status(&cl.g[0]);
		if (ferror(stdout))
			die(HK_EXIT_SYS, "write:");
	}
	return 0;
}
