/*
 * hbmond - mon's scheduling and alert rules, for hbmon(8): when each
 * service's monitor runs, and which alerts its results call, given
 * interval, alertafter, alertevery, numalerts, upalerts, periods,
 * dependencies (depend, dep_behavior, dep_memory), the disabled
 * watches, services and hosts, and the commands of hbmonctl(8).
 * Configuration records (hbmon's parser's) and events (monitor results,
 * ticks, commands) come as lines on stdin; actions (run, kill, alert,
 * state, dtlog, log, reply, reload) go out as lines on stdout.  It does
 * no other I/O and keeps no clock of its own unless -C asks for one:
 * the same lines give the same actions.  The state table is in
 * hbmond(8), RULES; every rule below carries the name of its row there
 * (S1, F2, A3, D1, ...).
 *
 * A service is UNTESTED until its first result, then OK or FAILING:
 *
 *   state     event                       next      actions
 *   any       slot due, idle (S1)         same      run
 *   any       slot due, running (S2)      same      -, waits for the end
 *   any       slot due, maxprocs (S3)     same      -, waits for a slot
 *   any       exclude_period (S4)         same      -, next slot
 *   any       depend fails, dep m (S5)    same      -, waits until it holds
 *   any       no host left (S6)           same      log, next slot
 *   UNT/OK    done exit 0 (R1)            OK        state
 *   UNT/OK    done exit N (R2)            FAILING   log, rules A1-A9
 *   FAILING   done exit N (R3)            FAILING   rules A1-A9
 *   FAILING   done exit 0 (R4)            OK        log, dtlog, U1-U3
 *
 * A failure's alerts, for each period (none when a row says so):
 *   A1 watch or service disabled   A2 dep_behavior a, depend failed
 *   A3 numalerts sent              A4 alertevery: too soon, same summary
 *   A5 alertafter N: fewer         A6 alertafter TIME, N TIME: not yet
 *   A7 period not now              A8 exit=LO-HI: another exit status
 * Upalerts: U1 only after a failure alert (no_comp_alerts: once),
 *   U2 upalertafter: failing long enough, U3 an upalert ends the failure.
 * Dependencies: D1 a dependency holds when not failing, D2 nor failed
 *   within its dep_memory, D3 and its own depend of the same kind holds;
 *   D4 unknown names, loops, chains deeper than dep_recur_limit: refused;
 *   D5 hm: hosts named by failing dependencies left out.
 * Commands (cmd ID ...): C1 status, C2 disable|enable watch|service|host,
 *   C3 test alert|upalert|startupalert|monitor, C4 reset, C5 reload,
 *   C6 anything else refused.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "line.h"
#include "tm.h"

#define MAXWORDS	48
#define MAXSVC		64
#define MAXPER		8
#define MAXAL		16	/* alerts of each kind in one period */
#define MAXHOST		32
#define MAXOFF		32	/* hosts or watches disabled */
#define NAMELEN		64
#define SPECLEN		256
#define SUMLEN		256
#define MAXTOK		64	/* a depend expression's tokens */

static const char usage_text[] =
    "usage: hbmond [-C] [-T TICK] [-c NAME]\n"
    "       hbmond -n [-c NAME]\n"
    "       hbmond -p PERIOD [-w YYYY-MM-DDTHH:MM:SS]\n";

static const char help_text[] =
    "-C\ttime from the clock for lines without @MS\n"
    "-T TICK\twith -C: a tick of its own that often (hbmon: 100ms)\n"
    "-c NAME\tthe configuration's name in messages (default mon.cf)\n"
    "-n\tcheck the configuration records on stdin, then exit\n"
    "-p PERIOD\tis now (or -w's time) inside PERIOD? exit 0 yes, 1 no\n"
    "-w TIME\twith -p: the local time to look at instead of now\n";
#define OPTS		":Cc:hnp:T:Vw:"

/* mon's opstatus values, as MON_OPSTATUS passes them */
enum { OP_FAIL = 0, OP_OK = 1, OP_UNTESTED = 7 };

/* dep_behavior: alerts (a), monitor (m), hosts of the monitor (hm) */
enum { DEP_A, DEP_M, DEP_HM };
static const char *const dep_name[] = { "a", "m", "hm" };

/* alertevery's modes */
enum { EV_SUMMARY, EV_STRICT, EV_DETAIL, EV_IGNORE };

/* a depend expression in postfix: operands and operators */
enum { T_SVC, T_CONST, T_NOT, T_AND, T_OR, T_LP };

struct tok {
	int	t;
	int	v;		/* T_SVC: the service's index; T_CONST: 0/1 */
};

struct alertdef {
	char	kind;		/* a (alert), u (upalert), s (startupalert) */
	int	k;		/* its number in the period, for hbmon */
	int	lo, hi;		/* exit=LO-HI; lo -1: any */
};

struct period {
	char		label[NAMELEN];
	char		spec[SPECLEN];	/* "" always */
	uint64_t	every;		/* alertevery, ms; 0 none */
	int		emode;
	unsigned long	aftern;		/* alertafter N */
	uint64_t	afterms;	/* alertafter TIME */
	unsigned long	numalerts;
	uint64_t	upafter;	/* upalertafter */
	int		nocomp;		/* no_comp_alerts */
	struct alertdef	al[3 * MAXAL];
	int		nal;
	/* state */
	int		sent;		/* failure alerts in this episode */
	uint64_t	last;		/* the last alert's time, 0 none */
	uint64_t	first;		/* alertafter TIME's start, 0 none */
	unsigned long	count;		/* failures since first */
	int		ncupsent;	/* no_comp_alerts: upalerts sent */
};

struct svc {
	int		id;		/* hbmon's number for it */
	int		line;		/* its service line */
	char		group[NAMELEN], name[NAMELEN];
	uint64_t	interval, finterval, delay;
	char		exclper[SPECLEN];
	int		depb;
	uint64_t	depmem;
	char		dep[SPECLEN];	/* the expression, as written */
	int		depline;
	struct tok	rpn[MAXTOK];
	int		nrpn;
	char		host[MAXHOST][NAMELEN];	/* monitor's hosts */
	int		nhost;
	int		nohosts;	/* ";;": no hosts appended */
	int		allowempty;
	struct period	p[MAXPER];
	int		np;
	/* state */
	int		op, lastop;
	int		retval;
	unsigned long	consec, runs, alerts;
	long long	first_failure;	/* wall s, -1 none */
	long long	last_failure, last_success, last_check;
	uint64_t	fail_start;	/* this failure began, ms */
	uint64_t	failed_at;	/* the last failed run, ms; 0 never */
	char		sum[SUMLEN];	/* the last run's summary */
	char		failsum[SUMLEN];	/* the failure output's */
	char		lastfailsum[SUMLEN];	/* the last failed run's */
	unsigned long	failck;		/* its checksum */
	int		hasfail;
	int		running;
	uint64_t	next, active;
	int		started;	/* its first slot has been set */
	int		disabled;
	int		depok;		/* -1 not evaluated */
	int		depwait;	/* S5 said so */
	int		nohostlog;	/* S6 said so */
};

struct conf {
	struct svc	s[MAXSVC];
	int		n;
	unsigned long	maxprocs;
	unsigned long	recur;		/* dep_recur_limit */
	int		startup_reset;	/* startupalerts_on_reset */
};

struct mon {
	struct conf	c, nc;		/* running, being read */
	int		reading;	/* between reload/reset and end */
	int		held;		/* a reload is asked: no run until it
					 * comes, or resume */
	int		resetting;	/* reset, not reload */
	int		started;
	int		bad;		/* the config being read has errors */
	const char	*cfname;
	char		watchoff[MAXOFF][NAMELEN];
	int		nwatchoff;
	char		hostoff[MAXOFF][NAMELEN];
	int		nhostoff;
	int		clock;
	uint64_t	now;
	long long	wall0;		/* wall ms at wall_at */
	uint64_t	wall_at;
	int		nrunning;
};

/* SIGTERM, SIGINT: stop at the next line or tick (-T), status 0. */
static volatile sig_atomic_t stop;

static void
on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

/* ------------------------------------------------------------ output */

static void
out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* A record error: "NAME:LINE: text" on stderr; the config is refused. */
static void
cferr(struct mon *m, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: ", m->cfname, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	m->bad = 1;
}

/* Unix time now, in s: the wall clock at the last wall event plus the
 * monotonic time since (a wall-clock jump moves no schedule). */
static long long
wall(const struct mon *m)
{
	return (m->wall0 + (long long)(m->now - m->wall_at)) / 1000;
}

static void
tstr(char *b, size_t n, long long t)
{
	if (t < 0)
		snprintf(b, n, "-");
	else
		snprintf(b, n, "%lld", t);
}

/* mon's summary rule: the first line, "(NO SUMMARY)" when blank. */
static const char *
summary(const char *s)
{
	return s[strspn(s, " \t")] == '\0' ? "(NO SUMMARY)" : s;
}

/* ------------------------------------------------------------ periods */

/* Week of the month, weeks starting on Sunday, the 1st in week 1. */
static int
week_of_month(const struct tm *t)
{
	int first = ((t->tm_wday - (t->tm_mday - 1)) % 7 + 7) % 7;

	return (t->tm_mday - 1 + first) / 7 + 1;
}

static int
hit(const char *sc, long a, long b, const struct tm *t)
{
	long v;

	if (strcmp(sc, "yr") == 0) {
		v = t->tm_year + 1900;
		if (a <= 99)
			a += 100 * (v / 100);
		if (b <= 99)
			b += 100 * (v / 100);
		if (a > b) {
			long x = a;

			a = b;
			b = x;
		}
	} else if (strcmp(sc, "mo") == 0)
		v = t->tm_mon + 1;
	else if (strcmp(sc, "md") == 0)
		v = t->tm_mday;
	else if (strcmp(sc, "wd") == 0)
		v = t->tm_wday + 1;
	else if (strcmp(sc, "hr") == 0)
		v = t->tm_hour;
	else if (strcmp(sc, "min") == 0)
		v = t->tm_min;
	else if (strcmp(sc, "sec") == 0)
		v = t->tm_sec;
	else if (strcmp(sc, "yd") == 0)
		v = t->tm_yday + 1;
	else if (strcmp(sc, "wk") == 0)
		v = week_of_month(t);
	else
		return -1;
	if (a <= b)
		return v >= a && v <= b;
	return v >= a || v <= b;	/* a range that wraps */
}

/*
 * Is t inside spec, a Time::Period period as hbmon's parser normalises
 * it: "" always, "none" never, else sub-periods joined by ";", each
 * "SCALE=A-B,A-B SCALE=..." with numbers (wd 1 = Sunday)?  1 yes, 0 no,
 * -1 malformed.  A sub-period holds when each of its scales has a range
 * that holds (Time::Period's rule).
 */
static int
in_period(const char *spec, const struct tm *t)
{
	char buf[SPECLEN], *sub, *s1 = NULL;

	if (spec[0] == '\0')
		return 1;
	if (strcmp(spec, "none") == 0)
		return 0;
	snprintf(buf, sizeof(buf), "%s", spec);
	for (sub = strtok_r(buf, ";", &s1); sub != NULL;
	    sub = strtok_r(NULL, ";", &s1)) {
		char *sc, *s2 = NULL;
		int all = 1;

		for (sc = strtok_r(sub, " ", &s2); sc != NULL;
		    sc = strtok_r(NULL, " ", &s2)) {
			char *r, *s3 = NULL, *eq = strchr(sc, '=');
			int ok = 0;

			if (eq == NULL)
				return -1;
			*eq = '\0';
			for (r = strtok_r(eq + 1, ",", &s3); r != NULL;
			    r = strtok_r(NULL, ",", &s3)) {
				char *e;
				long a = strtol(r, &e, 10), b;
				int h;

				if (*e != '-')
					return -1;
				b = strtol(e + 1, &e, 10);
				if (*e != '\0' || (h = hit(sc, a, b, t)) < 0)
					return -1;
				ok |= h;
			}
			all &= ok;
		}
		if (all)
			return 1;
	}
	return 0;
}

static int
now_in(const struct mon *m, const char *spec)
{
	time_t w = (time_t)wall(m);
	struct tm t;

	if (spec[0] == '\0')
		return 1;
	localtime_r(&w, &t);
	return in_period(spec, &t) == 1;
}

/* ------------------------------------------------------------ depend */

static struct svc *
find_svc(struct conf *c, const char *g, const char *s)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->s[i].group, g) == 0 &&
		    strcmp(c->s[i].name, s) == 0)
			return &c->s[i];
	return NULL;
}

static int
is_word_char(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-';
}

/*
 * Compile s's depend expression into postfix (shunting-yard): operands
 * WATCH:SERVICE, 0 and 1; !, not; &&, and; ||, or; parentheses.  A
 * subset of the Perl expression mon evaluates, with the same meaning;
 * "and", "or" and "not" bind as "&&", "||" and "!" do.  0 or -1 after a
 * message.
 */
static int
dep_compile(struct mon *m, struct conf *c, struct svc *s)
{
	struct tok st[MAXTOK];
	const char *p = s->dep;
	int nst = 0, want_operand = 1;

	s->nrpn = 0;
	while (*p != '\0') {
		struct tok t;
		size_t n;

		if (*p == ' ' || *p == '\t') {
			p++;
			continue;
		}
		if (s->nrpn >= MAXTOK - 1 || nst >= MAXTOK - 1) {
			cferr(m, s->depline, "depend: more than %d terms",
			    MAXTOK / 2);
			return -1;
		}
		n = 0;
		while (is_word_char((unsigned char)p[n]) || p[n] == ':')
			n++;
		if (*p == '(') {
			if (!want_operand)
				goto bad;
			st[nst++] = (struct tok){ T_LP, 0 };
			p++;
			continue;
		}
		if (*p == ')') {
			if (want_operand)
				goto bad;
			while (nst > 0 && st[nst - 1].t != T_LP)
				s->rpn[s->nrpn++] = st[--nst];
			if (nst == 0)
				goto bad;
			nst--;
			p++;
			/* a ! before the parenthesis applies to all of it */
			while (nst > 0 && st[nst - 1].t == T_NOT)
				s->rpn[s->nrpn++] = st[--nst];
			continue;
		}
		if (*p == '!' || (n == 3 && strncmp(p, "not", 3) == 0)) {
			if (!want_operand)
				goto bad;
			st[nst++] = (struct tok){ T_NOT, 0 };
			p += *p == '!' ? 1 : 3;
			continue;
		}
		if (strncmp(p, "&&", 2) == 0 || strncmp(p, "||", 2) == 0 ||
		    (n == 3 && strncmp(p, "and", 3) == 0) ||
		    (n == 2 && strncmp(p, "or", 2) == 0)) {
			int op = (*p == '&' || *p == 'a') ? T_AND : T_OR;

			if (want_operand)
				goto bad;
			/* ! binds tighter than &&, && than || */
			while (nst > 0 && st[nst - 1].t != T_LP &&
			    (st[nst - 1].t == T_NOT || st[nst - 1].t == T_AND ||
			    op == T_OR))
				s->rpn[s->nrpn++] = st[--nst];
			st[nst++] = (struct tok){ op, 0 };
			p += (*p == '&' || *p == '|') ? 2 : n;
			want_operand = 1;
			continue;
		}
		if (n == 0 || !want_operand)
			goto bad;
		if (n == 1 && (*p == '0' || *p == '1'))
			t = (struct tok){ T_CONST, *p - '0' };
		else {
			char g[NAMELEN], sv[NAMELEN];
			const char *colon = memchr(p, ':', n);
			struct svc *d;

			if (colon == NULL || colon == p || colon == p + n - 1 ||
			    memchr(colon + 1, ':', (size_t)(p + n - colon - 1)) ||
			    (size_t)(colon - p) >= NAMELEN ||
			    (size_t)(p + n - colon - 1) >= NAMELEN)
				goto bad;
			snprintf(g, sizeof(g), "%.*s", (int)(colon - p), p);
			snprintf(sv, sizeof(sv), "%.*s",
			    (int)(p + n - colon - 1), colon + 1);
			if ((d = find_svc(c, g, sv)) == NULL) {
				cferr(m, s->depline, "depend: %s:%s is not a "
				    "service (watch %s, service %s)", g, sv, g,
				    sv);
				return -1;
			}
			t = (struct tok){ T_SVC, (int)(d - c->s) };
		}
		s->rpn[s->nrpn++] = t;
		p += n;
		want_operand = 0;
		/* unary operators apply to what follows them */
		while (nst > 0 && st[nst - 1].t == T_NOT)
			s->rpn[s->nrpn++] = st[--nst];
	}
	if (want_operand && s->nrpn + nst > 0)
		goto bad;
	while (nst > 0) {
		if (st[nst - 1].t == T_LP)
			goto bad;
		s->rpn[s->nrpn++] = st[--nst];
	}
	return 0;
bad:
	cferr(m, s->depline, "depend: cannot read \"%s\" at \"%.20s\" "
	    "(WATCH:SERVICE, SELF:SERVICE, !, &&, ||, parentheses)", s->dep,
	    p);
	return -1;
}

static int dep_eval(struct mon *, struct svc *, int, unsigned long);

/*
 * A dependency's value (rows D1-D3): it holds when its service is not
 * failing (OK or untested), has not failed within its dep_memory, and,
 * when it has a depend of the same dep_behavior itself, that holds too.
 * -1 when the chain is deeper than dep_recur_limit.
 */
static int
dep_value(struct mon *m, struct svc *d, int type, unsigned long depth)
{
	int v = d->op != OP_FAIL &&
	    !(d->failed_at != 0 && d->failed_at + d->depmem > m->now);

	if (d->nrpn > 0 && d->depb == type) {
		int sub = dep_eval(m, d, type, depth + 1);

		if (sub < 0)
			return -1;
		v = v && sub;
	}
	return v;
}

/* s's depend expression: 1 holds, 0 fails, -1 too deep (D4). */
static int
dep_eval(struct mon *m, struct svc *s, int type, unsigned long depth)
{
	int st[MAXTOK], n = 0, i;

	if (depth > m->c.recur)
		return -1;
	for (i = 0; i < s->nrpn; i++) {
		const struct tok *t = &s->rpn[i];

		switch (t->t) {
		case T_SVC:
			st[n] = dep_value(m, &m->c.s[t->v], type, depth);
			if (st[n++] < 0)
				return -1;
			break;
		case T_CONST:
			st[n++] = t->v;
			break;
		case T_NOT:
			st[n - 1] = !st[n - 1];
			break;
		case T_AND:
			n--;
			st[n - 1] = st[n - 1] && st[n];
			break;
		default:
			n--;
			st[n - 1] = st[n - 1] || st[n];
			break;
		}
	}
	return n == 1 ? st[0] : 1;
}

/* dep_ok for type: 1 holds (or no depend of that type), 0 fails, -1. */
static int
dep_ok(struct mon *m, struct svc *s, int type)
{
	int v;

	if (s->nrpn == 0 || s->depb != type)
		return 1;
	if ((v = dep_eval(m, s, type, 0)) < 0)
		out("log notice %s/%s: depend \"%s\" is nested deeper than "
		    "dep_recur_limit %lu: not evaluated", s->group, s->name,
		    s->dep, m->c.recur);
	return v;
}

/* ------------------------------------------------------------ alerts */

/* The index of name in list (n names); n when it is not there. */
static int
list_find(const char list[][NAMELEN], int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], name) == 0)
			break;
	return i;
}

static int
watch_off(const struct mon *m, const char *g)
{
	return list_find(m->watchoff, m->nwatchoff, g) < m->nwatchoff;
}

static int
host_off(const struct mon *m, const char *h)
{
	return list_find(m->hostoff, m->nhostoff, h) < m->nhostoff;
}

static void
alert_out(struct mon *m, struct svc *s, int j, int k, const char *type,
    int retval)
{
	char ff[24], lf[24], ls[24];

	tstr(ff, sizeof(ff), s->first_failure);
	tstr(lf, sizeof(lf), s->last_failure);
	tstr(ls, sizeof(ls), s->last_success);
	out("alert %d %d %d %s retval=%d opstatus=%d last_opstatus=%d t=%lld "
	    "first_failure=%s last_failure=%s last_success=%s depend=%s",
	    s->id, j + 1, k, type, retval, s->op, s->lastop, wall(m), ff, lf,
	    ls, s->depok < 0 ? "-" : s->depok ? "1" : "0");
	s->alerts++;
}

/*
 * Is a failure alert of period p due (rows A3-A6, in mon's order:
 * numalerts, alertevery, then alertafter)?  sum and ck: this run's
 * summary and output checksum.
 */
static int
failure_due(struct mon *m, struct svc *s, struct period *p, const char *sum,
    unsigned long ck)
{
	if (p->numalerts > 0 && (unsigned long)p->sent >= p->numalerts)
		return 0;				/* A3 */
	if (p->every > 0 && p->last > 0 && m->now - p->last < p->every) {
		switch (p->emode) {			/* A4 */
		case EV_STRICT:
		case EV_IGNORE:
			return 0;
		case EV_DETAIL:
			if (s->hasfail && s->failck == ck)
				return 0;
			break;
		default:
			if (strcmp(summary(s->hasfail ? s->failsum : ""),
			    summary(sum)) == 0)
				return 0;
		}
	}
	if (p->aftern > 0 && p->afterms == 0)		/* A5 */
		return s->consec >= p->aftern;
	if (p->aftern == 0 && p->afterms > 0) {		/* A6 */
		if (p->first == 0)
			p->first = m->now;
		return m->now - p->first > p->afterms;
	}
	if (p->aftern > 0) {				/* A6: N within TIME */
		p->count++;
		if (p->first > 0 && m->now - p->first <= p->afterms &&
		    p->count < p->aftern)
			return 0;
		if (p->first == 0 || m->now - p->first > p->afterms)
			p->count = 1;
		if (p->count == 1)
			p->first = m->now;
		return p->count >= p->aftern;
	}
	return 1;
}

/*
 * mon's do_alert for every period of s: which alerts of kind type
 * (failure, up, startup) are called now.  sum, ck: the run's summary
 * and checksum (failure).
 */
static void
do_alert(struct mon *m, struct svc *s, const char *type, int retval,
    const char *sum, unsigned long ck)
{
	char kind = type[0] == 'u' ? 'u' : type[0] == 's' ? 's' : 'a';
	int j, k;

	if (s->disabled || watch_off(m, s->group)) {	/* A1 */
		out("log notice %s/%s is disabled: no %s alert", s->group,
		    s->name, type);
		return;
	}
	if (kind == 'a' && s->nrpn > 0 && s->depb == DEP_A && s->depok == 0) {
		out("log notice %s/%s: depend \"%s\" fails: alert "	/* A2 */
		    "suppressed", s->group, s->name, s->dep);
		return;
	}
	for (j = 0; j < s->np; j++) {
		struct period *p = &s->p[j];
		int called = 0;

		if (!now_in(m, p->spec))			/* A7 */
			continue;
		if (kind == 'u' && ((!p->nocomp && p->sent == 0) ||
		    (p->nocomp && p->ncupsent > 0) ||		/* U1 */
		    (p->upafter > 0 && m->now - s->fail_start < p->upafter)))
			continue;				/* U2 */
		if (kind == 'a' && !failure_due(m, s, p, sum, ck))
			continue;
		for (k = 0; k < p->nal; k++) {
			const struct alertdef *a = &p->al[k];

			if (a->kind != kind)
				continue;
			if (a->lo >= 0 && (retval < a->lo || retval > a->hi))
				continue;			/* A8 */
			alert_out(m, s, j, a->k, type, retval);
			called++;
			p->last = m->now;
		}
		if (called == 0)
			continue;
		if (kind == 'u') {
			/* U3: as mon 1.3.6, an upalert ends the episode */
			p->sent = 0;
			p->last = 0;
			if (p->nocomp)
				p->ncupsent++;
		} else if (kind == 'a') {
			p->sent++;
			if (p->nocomp)
				p->ncupsent = 0;
		}
	}
}

/* ------------------------------------------------------------ runs */

static void
state_out(struct mon *m, struct svc *s)
{
	out("state %d group=%s service=%s opstatus=%d exitval=%d "
	    "last_check=%lld last_success=%lld last_failure=%lld "
	    "first_failure=%lld consec_failures=%lu runs=%lu summary=%s",
	    s->id, s->group, s->name, s->op, s->retval, s->last_check,
	    s->last_success < 0 ? 0 : s->last_success,
	    s->last_failure < 0 ? 0 : s->last_failure,
	    s->first_failure < 0 ? 0 : s->first_failure, s->consec, s->runs,
	    s->sum);
	(void)m;
}

/* The next slot after a run or a skipped slot (failure_interval while
 * failing, as mon does; a run that overran its slot skips to the next). */
static void
next_slot(struct mon *m, struct svc *s)
{
	uint64_t iv = s->op == OP_FAIL && s->finterval ? s->finterval :
	    s->interval;

	if (iv != s->active) {
		s->active = iv;
		s->next = m->now + iv;
		return;
	}
	s->next += iv;
	if (s->next <= m->now)
		s->next += ((m->now - s->next) / iv + 1) * iv;
}

/* The hosts of s's monitor now: its hostgroup's, less the disabled
 * hosts and, with dep_behavior hm, those named in the summaries of its
 * failing dependencies (D5). */
static int
run_hosts(struct mon *m, struct svc *s, char *b, size_t n)
{
	size_t len = 0;
	int i, t, cnt = 0;

	b[0] = '\0';
	for (i = 0; i < s->nhost; i++) {
		const char *h = s->host[i];
		int drop = host_off(m, h);

		for (t = 0; !drop && s->depb == DEP_HM && t < s->nrpn; t++) {
			struct svc *d;

			if (s->rpn[t].t != T_SVC)
				continue;
			d = &m->c.s[s->rpn[t].v];
			if ((d->op == OP_FAIL && strstr(d->sum, h)) ||
			    (d->failed_at && d->failed_at + d->depmem > m->now &&
			    strstr(d->lastfailsum, h)))
				drop = 1;
		}
		if (drop)
			continue;
		len += (size_t)snprintf(b + len, len < n ? n - len : 0, "%s%s",
		    cnt ? "," : "", h);
		cnt++;
	}
	return cnt;
}

/* Rows S1-S6: each service whose slot has come. */
static void
schedule(struct mon *m)
{
	int i;

	for (i = 0; i < m->c.n; i++) {
		struct svc *s = &m->c.s[i];
		char hosts[MAXHOST * NAMELEN], ff[24];
		int d;

		if (s->running || m->now < s->next)
			continue;			/* S2 */
		if (m->c.maxprocs && (unsigned long)m->nrunning >=
		    m->c.maxprocs)
			return;				/* S3 */
		if (s->exclper[0] && now_in(m, s->exclper)) {
			next_slot(m, s);		/* S4 */
			continue;
		}
		if ((d = dep_ok(m, s, DEP_M)) != 1) {	/* S5 */
			if (!s->depwait)
				out("log notice %s/%s: depend \"%s\" fails: "
				    "monitor waits", s->group, s->name, s->dep);
			s->depwait = 1;
			s->depok = d;
			continue;
		}
		if (s->depwait && s->depb == DEP_M)
			s->depok = 1;
		s->depwait = 0;
		if (run_hosts(m, s, hosts, sizeof(hosts)) == 0 && !s->nohosts &&
		    !s->allowempty) {
			if (!s->nohostlog)
				out("log notice %s/%s: not run: no host left "
				    "to monitor (disabled or dep_behavior hm)",
				    s->group, s->name);	/* S6 */
			s->nohostlog = 1;
			next_slot(m, s);
			continue;
		}
		s->nohostlog = 0;
		tstr(ff, sizeof(ff), s->first_failure);
		s->running = 1;
		m->nrunning++;
		out("run %d hosts=%s last_success=%lld last_failure=%lld "
		    "first_failure=%s depend=%s", s->id, hosts[0] ? hosts : "-",
		    s->last_success < 0 ? 0 : s->last_success,
		    s->last_failure < 0 ? 0 : s->last_failure, ff,
		    s->nrpn == 0 ? "-" : s->depok == 0 ? "0" : "1");
	}
}

/* Rows R1-R4: the monitor of s ended with retval; its output's first
 * line sum, checksum ck. */
static void
done(struct mon *m, struct svc *s, int retval, unsigned long ck,
    const char *sum)
{
	long long t = wall(m);
	int j;

	s->running = 0;
	m->nrunning--;
	s->runs++;
	s->retval = retval;
	s->last_check = t;
	if (s->nrpn > 0 && s->depb == DEP_A) {
		int d = dep_ok(m, s, DEP_A);	/* D1: before the result */

		if (d >= 0)
			s->depok = d;
	}
	if (retval != 0) {
		s->consec++;
		s->last_failure = t;
		s->failed_at = m->now;
		snprintf(s->lastfailsum, sizeof(s->lastfailsum), "%s",
		    summary(sum));
		if (s->op != OP_FAIL) {			/* R2 */
			s->first_failure = t;
			s->fail_start = m->now;
			out("log crit %s/%s failed (exit %d): %s", s->group,
			    s->name, retval, summary(sum));
		}
		s->lastop = s->op;
		s->op = OP_FAIL;
		snprintf(s->sum, sizeof(s->sum), "%s", summary(sum));
		do_alert(m, s, "failure", retval, sum, ck);
		snprintf(s->failsum, sizeof(s->failsum), "%s", sum);
		s->failck = ck;
		s->hasfail = 1;
	} else {
		int old = s->op;

		s->lastop = s->op;
		s->op = OP_OK;
		if (old == OP_FAIL) {			/* R4 */
			out("log notice %s/%s ok again after %llds", s->group,
			    s->name, t - s->first_failure);
			out("dtlog %lld %s %s %lld %lld %llu %s", t, s->group,
			    s->name, s->first_failure, t - s->first_failure,
			    (unsigned long long)(s->interval / 1000), s->sum);
		}
		if (old == OP_FAIL || old == OP_UNTESTED)
			do_alert(m, s, "up", 0, "", 0);
		s->first_failure = -1;
		s->last_failure = -1;
		s->consec = 0;
		s->hasfail = 0;
		s->failsum[0] = '\0';
		for (j = 0; j < s->np; j++) {
			struct period *p = &s->p[j];

			if (p->emode != EV_STRICT)
				p->last = 0;
			p->first = 0;
			p->sent = 0;
		}
		s->last_success = t;
		snprintf(s->sum, sizeof(s->sum), "%s", sum);
	}
	next_slot(m, s);
	state_out(m, s);
}

static void
reset_state(struct svc *s)
{
	int j;

	s->op = s->lastop = OP_UNTESTED;
	s->retval = 0;
	s->consec = s->runs = s->alerts = 0;
	s->first_failure = -1;
	s->last_failure = s->last_success = -1;
	s->last_check = 0;
	s->fail_start = s->failed_at = 0;
	s->sum[0] = s->failsum[0] = s->lastfailsum[0] = '\0';
	s->hasfail = 0;
	s->running = 0;
	s->started = 0;
	s->depok = -1;
	s->depwait = 0;
	for (j = 0; j < s->np; j++) {
		s->p[j].sent = 0;
		s->p[j].last = s->p[j].first = 0;
		s->p[j].count = 0;
		s->p[j].ncupsent = 0;
	}
}

/* Every service's first slot (after its randstart delay); startup
 * alerts first when asked. */
static void
start_all(struct mon *m, int startup)
{
	int i;

	for (i = 0; i < m->c.n; i++) {
		struct svc *s = &m->c.s[i];

		if (s->started)
			continue;
		s->started = 1;
		s->active = s->interval;
		s->next = m->now + s->delay;
		if (startup)
			do_alert(m, s, "startup", 0, "", 0);
	}
}

/* ------------------------------------------------------------ config */

static int
ms_field(const char *v, uint64_t *ms)
{
	unsigned long x;

	if (parse_ulong(v, 0, ULONG_MAX, &x) < 0)
		return -1;
	*ms = x;
	return 0;
}

/* A NAME=VALUE field of a record: cut at its '=', the VALUE; NULL when
 * it has none. */
static const char *
field_value(char *f)
{
	char *eq = strchr(f, '=');

	if (eq == NULL)
		return NULL;
	*eq = '\0';
	return eq + 1;
}

/* The text after the first n words of line (words single-blank
 * separated, as hbmon writes them). */
static const char *
rest(const char *line, int n)
{
	const char *p = line;

	while (n-- > 0) {
		p += strcspn(p, " ");
		if (*p == ' ')
			p++;
	}
	return p;
}

static struct svc *
rec_svc(struct conf *c, const char *v)
{
	unsigned long id;
	int i;

	if (parse_ulong(v, 1, INT_MAX, &id) < 0)
		return NULL;
	for (i = 0; i < c->n; i++)
		if (c->s[i].id == (int)id)
			return &c->s[i];
	return NULL;
}

static struct period *
rec_per(struct svc *s, const char *v)
{
	unsigned long j;

	if (s == NULL || parse_ulong(v, 1, MAXPER, &j) < 0 || (int)j > s->np)
		return NULL;
	return &s->p[j - 1];
}

/*
 * One configuration record of hbmon's parser (hbmond(8), INPUT) into
 * c; records hbmond does not use (monitor, env, ...) are skipped.  -1
 * after a message when it is malformed.
 */
static int
record(struct mon *m, struct conf *c, char **w, int n, const char *line)
{
	struct svc *s;
	struct period *p;
	unsigned long v;
	int i;

	if (strcmp(w[0], "global") == 0 && n >= 3) {
		if (strcmp(w[1], "maxprocs") == 0 &&
		    parse_ulong(w[2], 0, 100000, &v) == 0)
			c->maxprocs = v;
		else if (strcmp(w[1], "dep_recur_limit") == 0 &&
		    parse_ulong(w[2], 1, 1000, &v) == 0)
			c->recur = v;
		else if (strcmp(w[1], "startupalerts_on_reset") == 0)
			c->startup_reset = strcmp(w[2], "1") == 0;
		return 0;
	}
	if (strcmp(w[0], "service") == 0 && n >= 5) {
		if (c->n == MAXSVC) {
			warnf("more than %d services", MAXSVC);
			return -1;
		}
		if (parse_ulong(w[1], 1, INT_MAX, &v) < 0 ||
		    strlen(w[2]) >= NAMELEN || strlen(w[3]) >= NAMELEN)
			return -1;
		s = &c->s[c->n++];
		memset(s, 0, sizeof(*s));
		s->id = (int)v;
		snprintf(s->group, sizeof(s->group), "%s", w[2]);
		snprintf(s->name, sizeof(s->name), "%s", w[3]);
		if (parse_ulong(w[4], 0, INT_MAX, &v) < 0)
			return -1;
		s->line = (int)v;
		s->interval = 1000;
		for (i = 5; i < n; i++) {
			const char *k = w[i], *val = field_value(w[i]);

			if (val == NULL)
				return -1;
			if ((strcmp(k, "interval") == 0 &&
			    (ms_field(val, &s->interval) < 0 || !s->interval)) ||
			    (strcmp(k, "finterval") == 0 &&
			    ms_field(val, &s->finterval) < 0) ||
			    (strcmp(k, "delay") == 0 &&
			    ms_field(val, &s->delay) < 0) ||
			    (strcmp(k, "dep_memory") == 0 &&
			    ms_field(val, &s->depmem) < 0))
				return -1;
			if (strcmp(k, "dep_behavior") == 0) {
				for (s->depb = 0; s->depb < 3 &&
				    strcmp(val, dep_name[s->depb]) != 0;
				    s->depb++)
					;
				if (s->depb == 3)
					return -1;
			} else if (strcmp(k, "nohosts") == 0)
				s->nohosts = strcmp(val, "1") == 0;
			else if (strcmp(k, "allowempty") == 0)
				s->allowempty = strcmp(val, "1") == 0;
		}
		reset_state(s);
		return 0;
	}
	s = n >= 2 ? rec_svc(c, w[1]) : NULL;
	if (strcmp(w[0], "monhosts") == 0 && s) {
		for (i = 2; i < n; i++) {
			if (s->nhost == MAXHOST || strlen(w[i]) >= NAMELEN) {
				warnf("%s/%s: more than %d hosts or a name "
				    "over %d bytes", s->group, s->name, MAXHOST,
				    NAMELEN - 1);
				return -1;
			}
			snprintf(s->host[s->nhost++], NAMELEN, "%s", w[i]);
		}
		return 0;
	}
	if (strcmp(w[0], "exclper") == 0 && s) {
		snprintf(s->exclper, sizeof(s->exclper), "%s", rest(line, 2));
		return 0;
	}
	if (strcmp(w[0], "depend") == 0 && s && n >= 3 &&
	    parse_ulong(w[2], 0, INT_MAX, &v) == 0) {
		s->depline = (int)v;
		if (strlen(rest(line, 3)) >= sizeof(s->dep)) {
			cferr(m, s->depline, "depend: longer than %zu bytes",
			    sizeof(s->dep) - 1);
			return -1;
		}
		snprintf(s->dep, sizeof(s->dep), "%s", rest(line, 3));
		return 0;
	}
	if (strcmp(w[0], "period") == 0 && s && n >= 4) {
		if (s->np == MAXPER) {
			warnf("%s/%s: more than %d periods", s->group, s->name,
			    MAXPER);
			return -1;
		}
		p = &s->p[s->np++];
		memset(p, 0, sizeof(*p));
		for (i = 4; i < n; i++) {
			const char *k = w[i], *val = field_value(w[i]);

			if (val == NULL)
				return -1;
			if (strcmp(k, "label") == 0)
				snprintf(p->label, sizeof(p->label), "%s", val);
			else if (strcmp(k, "emode") == 0)
				p->emode = strcmp(val, "strict") == 0 ?
				    EV_STRICT : strcmp(val, "detail") == 0 ?
				    EV_DETAIL : strcmp(val, "ignore") == 0 ?
				    EV_IGNORE : EV_SUMMARY;
			else if (strcmp(k, "nocomp") == 0)
				p->nocomp = strcmp(val, "1") == 0;
			else if ((strcmp(k, "every") == 0 &&
			    ms_field(val, &p->every) < 0) ||
			    (strcmp(k, "afterms") == 0 &&
			    ms_field(val, &p->afterms) < 0) ||
			    (strcmp(k, "upafter") == 0 &&
			    ms_field(val, &p->upafter) < 0) ||
			    (strcmp(k, "aftern") == 0 &&
			    parse_ulong(val, 0, INT_MAX, &p->aftern) < 0) ||
			    (strcmp(k, "numalerts") == 0 &&
			    parse_ulong(val, 0, INT_MAX, &p->numalerts) < 0))
				return -1;
		}
		return 0;
	}
	if (strcmp(w[0], "spec") == 0 && n >= 3 && (p = rec_per(s, w[2]))) {
		snprintf(p->spec, sizeof(p->spec), "%s", rest(line, 3));
		return 0;
	}
	if (strcmp(w[0], "alert") == 0 && n >= 6 && (p = rec_per(s, w[2]))) {
		struct alertdef *a;

		if (p->nal == 3 * MAXAL) {
			warnf("%s/%s: more than %d alerts in a period",
			    s->group, s->name, 3 * MAXAL);
			return -1;
		}
		a = &p->al[p->nal];
		if (parse_ulong(w[3], 1, INT_MAX, &v) < 0 ||
		    strlen(w[4]) != 1 || strchr("aus", w[4][0]) == NULL)
			return -1;
		a->k = (int)v;
		a->kind = w[4][0];
		a->lo = -1;
		if (strcmp(w[5], "-") != 0) {
			char *e;
			long lo = strtol(w[5], &e, 10), hi;

			if (*e != '-')
				return -1;
			hi = strtol(e + 1, &e, 10);
			if (*e != '\0' || lo < 0 || hi < lo || hi > 255)
				return -1;
			a->lo = (int)lo;
			a->hi = (int)hi;
		}
		p->nal++;
		return 0;
	}
	if (strcmp(w[0], "depend") == 0 || strcmp(w[0], "period") == 0 ||
	    strcmp(w[0], "spec") == 0 || strcmp(w[0], "alert") == 0 ||
	    strcmp(w[0], "monhosts") == 0 || strcmp(w[0], "exclper") == 0 ||
	    strcmp(w[0], "service") == 0)
		return -1;
	return 0;	/* records for hbmon alone */
}

/* How deep the chain of same-kind dependencies below s goes; more than
 * limit when it loops (row D4). */
static unsigned long
dep_depth(const struct conf *c, const struct svc *s, unsigned long d,
    unsigned long limit)
{
	unsigned long max = d;
	int t;

	if (d > limit)
		return d;
	for (t = 0; t < s->nrpn; t++) {
		const struct svc *x;
		unsigned long k;

		if (s->rpn[t].t != T_SVC)
			continue;
		x = &c->s[s->rpn[t].v];
		if (x->nrpn == 0 || x->depb != s->depb)
			continue;
		if ((k = dep_depth(c, x, d + 1, limit)) > max)
			max = k;
	}
	return max;
}

/* The end of the records: compile the dependencies, refuse a loop or a
 * chain deeper than dep_recur_limit.  0 or -1. */
static int
conf_check(struct mon *m, struct conf *c)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (c->s[i].dep[0] && dep_compile(m, c, &c->s[i]) < 0)
			return -1;
	for (i = 0; i < c->n; i++)
		if (c->s[i].nrpn > 0 &&
		    dep_depth(c, &c->s[i], 0, c->recur) > c->recur) {
			cferr(m, c->s[i].depline, "depend: the dependencies of "
			    "%s/%s loop, or go deeper than dep_recur_limit %lu",
			    c->s[i].group, c->s[i].name, c->recur);
			return -1;
		}
	return m->bad ? -1 : 0;
}

/* reload keeps each service's state that the new configuration keeps
 * (same watch and service); reset starts every one afresh. */
static void
conf_switch(struct mon *m, int keep)
{
	int i, j;

	for (i = 0; i < m->nc.n; i++) {
		struct svc *n = &m->nc.s[i], *o;

		if (!keep || (o = find_svc(&m->c, n->group, n->name)) == NULL)
			continue;
		n->op = o->op;
		n->lastop = o->lastop;
		n->retval = o->retval;
		n->consec = o->consec;
		n->runs = o->runs;
		n->alerts = o->alerts;
		n->first_failure = o->first_failure;
		n->last_failure = o->last_failure;
		n->last_success = o->last_success;
		n->last_check = o->last_check;
		n->fail_start = o->fail_start;
		n->failed_at = o->failed_at;
		memcpy(n->sum, o->sum, sizeof(n->sum));
		memcpy(n->failsum, o->failsum, sizeof(n->failsum));
		memcpy(n->lastfailsum, o->lastfailsum, sizeof(n->lastfailsum));
		n->failck = o->failck;
		n->hasfail = o->hasfail;
		n->disabled = o->disabled;
		n->depok = o->depok;
		for (j = 0; j < n->np && j < o->np; j++) {
			n->p[j].sent = o->p[j].sent;
			n->p[j].last = o->p[j].last;
			n->p[j].first = o->p[j].first;
			n->p[j].count = o->p[j].count;
			n->p[j].ncupsent = o->p[j].ncupsent;
		}
		/* its slot continues from now: no run twice at once */
		n->started = 1;
		n->active = n->interval;
		n->next = m->now + n->interval;
	}
	m->c = m->nc;
	m->nrunning = 0;
}

/* ------------------------------------------------------------ commands */

static void
reply_status(struct mon *m, const char *id)
{
	int i;

	for (i = 0; i < m->c.n; i++) {
		struct svc *s = &m->c.s[i];
		char lc[24], nx[24];

		tstr(lc, sizeof(lc), s->runs ? s->last_check : -1);
		tstr(nx, sizeof(nx), s->running ? -1 :
		    wall(m) + (long long)((s->next > m->now ? s->next - m->now :
		    0) + 999) / 1000);
		out("reply %s service %s %s status=%s exit=%d last_check=%s "
		    "next_check=%s alerts=%lu disabled=%d depend=%s "
		    "running=%d summary=%s", id, s->group, s->name,
		    s->op == OP_FAIL ? "failing" : s->op == OP_OK ? "ok" :
		    "untested", s->retval, lc, s->running ? "running" : nx,
		    s->alerts, s->disabled || watch_off(m, s->group),
		    s->nrpn == 0 ? "-" : s->depok < 0 ? "unknown" :
		    s->depok ? "ok" : "failing", s->running, s->sum);
	}
	for (i = 0; i < m->nwatchoff; i++)
		out("reply %s disabled watch %s", id, m->watchoff[i]);
	for (i = 0; i < m->nhostoff; i++)
		out("reply %s disabled host %s", id, m->hostoff[i]);
}

static int
is_host(const struct mon *m, const char *h)
{
	int i, j;

	for (i = 0; i < m->c.n; i++)
		for (j = 0; j < m->c.s[i].nhost; j++)
			if (strcmp(m->c.s[i].host[j], h) == 0)
				return 1;
	return 0;
}

static int
is_watch(const struct mon *m, const char *g)
{
	int i;

	for (i = 0; i < m->c.n; i++)
		if (strcmp(m->c.s[i].group, g) == 0)
			return 1;
	return 0;
}

/* Add (on 0) or remove (on 1) name in a list; the list's new length. */
static int
list_set(char list[][NAMELEN], int n, const char *name, int on)
{
	int i = list_find(list, n, name);

	if (on && i < n) {
		memmove(list[i], list[i + 1], (size_t)(n - i - 1) * NAMELEN);
		return n - 1;
	}
	if (!on && i == n && n < MAXOFF && strlen(name) < NAMELEN)
		snprintf(list[n++], NAMELEN, "%s", name);
	return n;
}

static void
kill_all(struct mon *m)
{
	int i;

	for (i = 0; i < m->c.n; i++)
		if (m->c.s[i].running) {
			out("kill %d", m->c.s[i].id);
			m->c.s[i].running = 0;
		}
	m->nrunning = 0;
}

/*
 * A command of hbmonctl(8) (rows C1-C7): cmd ID VERB ARGS; the answer
 * goes out as reply ID lines, the last "reply ID end 0" (done) or
 * "reply ID end 1 REASON" (refused).
 */
static void
command(struct mon *m, char **w, int n)
{
	const char *id = n > 1 ? w[1] : "-";
	const char *v = n > 2 ? w[2] : "";
	struct svc *s;
	int on, i;

	if (strcmp(v, "status") == 0 || strcmp(v, "list") == 0) {
		reply_status(m, id);				/* C1 */
		out("reply %s end 0", id);
		return;
	}
	if ((strcmp(v, "disable") == 0 || strcmp(v, "enable") == 0) &&
	    n >= 5) {						/* C2 */
		on = v[0] == 'e';
		if (strcmp(w[3], "watch") == 0 && n == 5) {
			if (!is_watch(m, w[4]))
				goto nowatch;
			m->nwatchoff = list_set(m->watchoff, m->nwatchoff, w[4],
			    on);
		} else if (strcmp(w[3], "service") == 0 && n == 6) {
			if ((s = find_svc(&m->c, w[4], w[5])) == NULL)
				goto nosvc;
			s->disabled = !on;
		} else if (strcmp(w[3], "host") == 0) {
			for (i = 4; i < n; i++)
				if (!is_host(m, w[i])) {
					out("reply %s end 1 no host %s in any "
					    "watch", id, w[i]);
					return;
				}
			for (i = 4; i < n; i++)
				m->nhostoff = list_set(m->hostoff, m->nhostoff,
				    w[i], on);
		} else
			goto usage;
		out("log notice %sd %s %s%s%s", v, w[3], w[4], n > 5 ? " " : "",
		    n > 5 ? w[5] : "");
		out("reply %s end 0", id);
		return;
	}
	if (strcmp(v, "test") == 0 && n >= 6) {			/* C3 */
		const char *type;
		char kind;
		long rv = 1;
		int j, k, sent = 0;

		if ((s = find_svc(&m->c, w[4], w[5])) == NULL)
			goto nosvc;
		if (strcmp(w[3], "monitor") == 0 && n == 6) {
			s->next = m->now;
			out("reply %s end 0", id);
			return;
		}
		type = strcmp(w[3], "alert") == 0 ? "failure" :
		    strcmp(w[3], "upalert") == 0 ? "up" :
		    strcmp(w[3], "startupalert") == 0 ? "startup" : NULL;
		if (type == NULL || n > 8)
			goto usage;
		kind = type[0] == 'f' ? 'a' : type[0];
		if (n >= 7) {
			char *e;

			rv = strtol(w[6], &e, 10);
			if (*e != '\0' || e == w[6] || rv < 0 || rv > 255)
				goto usage;
		} else if (kind != 'a')
			rv = 0;
		for (j = 0; j < s->np; j++) {
			char num[16];

			snprintf(num, sizeof(num), "%d", j + 1);
			if (n == 8 && strcmp(w[7], num) != 0 &&
			    strcmp(w[7], s->p[j].label) != 0)
				continue;
			for (k = 0; k < s->p[j].nal; k++)
				if (s->p[j].al[k].kind == kind) {
					alert_out(m, s, j, s->p[j].al[k].k,
					    type, (int)rv);
					sent++;
				}
		}
		if (sent == 0) {
			out("reply %s end 1 %s/%s has no %s%s%s", id, s->group,
			    s->name, w[3], n == 8 ? " in period " : "",
			    n == 8 ? w[7] : "");
			return;
		}
		out("reply %s sent %d", id, sent);
		out("reply %s end 0", id);
		return;
	}
	if (strcmp(v, "reset") == 0 && n == 3) {		/* C4 */
		kill_all(m);
		m->held = 1;
		out("reload %s reset", id);
		return;
	}
	if (strcmp(v, "reload") == 0 && n == 3) {		/* C5 */
		kill_all(m);
		m->held = 1;
		out("reload %s reload", id);
		return;
	}
usage:
	out("reply %s end 1 unknown command (status, disable|enable "
	    "watch|service|host, test alert|upalert|startupalert|monitor, "
	    "reset, reload)", id);
	return;
nowatch:
	out("reply %s end 1 no watch %s", id, w[4]);
	return;
nosvc:
	out("reply %s end 1 no service %s/%s", id, w[4], n > 5 ? w[5] : "");
}

/* ------------------------------------------------------------ events */

static int
split(char *line, char **w)
{
	char *p, *save = NULL;
	int n = 0;

	for (p = strtok_r(line, " \t", &save); p != NULL && n < MAXWORDS;
	    p = strtok_r(NULL, " \t", &save))
		w[n++] = p;
	return n;
}

/*
 * One input line (hbmond(8), INPUT).  raw is the line as read (for the
 * texts at its end), w its words, the time already taken off.
 */
static void
event(struct mon *m, const char *raw, char **w, int n)
{
	struct svc *s;
	unsigned long v, ck;
	long long t;

	/* time has passed: what is due goes first */
	if (m->started && !m->reading && !m->held)
		schedule(m);
	if (strcmp(w[0], "tick") == 0 && n == 1) {
		return;
	} else if (strcmp(w[0], "resume") == 0 && n == 1) {
		m->held = 0;	/* the reload did not come: go on as before */
	} else if (strcmp(w[0], "wall") == 0 && n == 2) {
		char *e;

		t = strtoll(w[1], &e, 10);
		if (*e != '\0' || t < 0) {
			warnf("bad wall time '%s'", w[1]);
			return;
		}
		m->wall0 = t * 1000;
		m->wall_at = m->now;
	} else if (strcmp(w[0], "done") == 0 && n >= 4) {
		if ((s = rec_svc(&m->c, w[1])) == NULL || !s->running ||
		    parse_ulong(w[2], 0, 255, &v) < 0 ||
		    parse_ulong(w[3], 0, ULONG_MAX, &ck) < 0) {
			/* a killed run's end (reset, reload) */
			return;
		}
		done(m, s, (int)v, ck, rest(raw, 4));
	} else if (strcmp(w[0], "cmd") == 0 && n >= 3 && !m->reading) {
		command(m, w, n);
	} else if ((strcmp(w[0], "reload") == 0 ||
	    strcmp(w[0], "reset") == 0) && n == 1) {
		memset(&m->nc, 0, sizeof(m->nc));
		m->nc.recur = 10;
		m->reading = 1;
		m->resetting = w[0][2] == 's';
		m->bad = 0;
	} else if (strcmp(w[0], "end") == 0 && n == 1 && m->reading) {
		m->reading = 0;
		m->held = 0;
		if (conf_check(m, &m->nc) < 0) {
			out("log err the new configuration has errors: "
			    "keeping the running one");
			return;
		}
		conf_switch(m, !m->resetting && m->started);
		start_all(m, !m->started ||
		    (m->resetting && m->c.startup_reset));
		m->started = 1;
		out("log info watching %d service(s)", m->c.n);
	} else if (m->reading) {
		if (record(m, &m->nc, w, n, raw) < 0) {
			if (!m->bad)
				warnf("bad record dropped: %.80s", raw);
			m->bad = 1;
		}
		return;
	} else {
		warnf("ignored: %.80s", raw);
		return;
	}
	if (m->started && !m->reading && !m->held)
		schedule(m);
}

/* -n: the records on stdin, checked; 0 good, 2 with the reasons. */
static int
check_only(struct mon *m)
{
	struct ln_reader r = { .fd = STDIN_FILENO };
	char line[LN_MAX], raw[LN_MAX], *w[MAXWORDS];
	size_t len;
	int k, n;

	m->nc.recur = 10;
	while ((k = ln_next(&r, line, &len, 0)) != -1) {
		if (k == -2)
			die(HK_EXIT_SYS, "read:");
		if (k == 2) {
			warnf("line longer than %d bytes", LN_MAX - 2);
			m->bad = 1;
			continue;
		}
		memcpy(raw, line, len + 1);
		if ((n = split(line, w)) == 0)
			continue;
		if (record(m, &m->nc, w, n, raw) < 0) {
			if (!m->bad)
				warnf("bad record: %.80s", raw);
			m->bad = 1;
		}
	}
	if (conf_check(m, &m->nc) < 0)
		return HK_EXIT_USAGE;
	return HK_EXIT_OK;
}

/* -p: is now (or when, YYYY-MM-DDTHH:MM:SS local) inside spec? */
static int
period_only(const char *spec, const char *when)
{
	struct tm t;
	time_t now = time(NULL);
	int r;

	if (when != NULL) {
		memset(&t, 0, sizeof(t));
		if (strptime(when, "%Y-%m-%dT%H:%M:%S", &t) == NULL)
			usage_error(usage_text, "bad time '%s': want "
			    "YYYY-MM-DDTHH:MM:SS", when);
		t.tm_isdst = -1;
		now = mktime(&t);
	}
	localtime_r(&now, &t);
	if ((r = in_period(spec, &t)) < 0)
		usage_error(usage_text, "bad period '%s'", spec);
	return r ? HK_EXIT_OK : HK_EXIT_NO;
}

int
main(int argc, char *argv[])
{
	static struct mon m = { .cfname = "mon.cf" };
	struct ln_reader r = { .fd = STDIN_FILENO };
	char line[LN_MAX], raw[LN_MAX], *w[MAXWORDS];
	const char *spec = NULL, *when = NULL;
	uint64_t tick = 0, next_tick = 0;
	int c, n, check = 0;

	hk_setprogname(argv[0]);
	usage_help_arg(argc, argv, OPTS, usage_text, help_text);
	while ((c = getopt(argc, argv, OPTS)) != -1) {
		switch (c) {
		case 'C':
			m.clock = 1;
			break;
		case 'c':
			m.cfname = optarg;
			break;
		case 'h':
			usage_help(usage_text, help_text);
		case 'n':
			check = 1;
			break;
		case 'p':
			spec = optarg;
			break;
		case 'T':
			tick = opt_dur(usage_text, "tick", optarg, 10);
			break;
		case 'V':
			version_exit();
		case 'w':
			when = optarg;
			break;
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
	if (when != NULL && spec == NULL)
		usage_error(usage_text, "-w needs -p");
	if (spec != NULL)
		return period_only(spec, when);
	if (check)
		return check_only(&m);
	if (tick && !m.clock)
		usage_error(usage_text, "-T needs -C: the ticks come from the "
		    "clock");
	hk_check_stdout_at_exit();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (m.clock) {
		m.now = tm_boot_ms();
		m.wall0 = (long long)tm_wall_ms();
		m.wall_at = m.now;
	}
	/* the first configuration comes as a reset would */
	memset(&m.nc, 0, sizeof(m.nc));
	m.nc.recur = 10;
	m.reading = 1;
	m.resetting = 1;
	if (tick)
		next_tick = tm_boot_ms() + tick;
	{
		struct sigaction sa = { .sa_handler = on_stop };

		sigemptyset(&sa.sa_mask);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
	}
	for (;;) {
		size_t len;
		int k = ln_next(&r, line, &len, next_tick);

		if (k == -1 || stop)
			break;
		if (k == -2)
			die(HK_EXIT_SYS, "read:");
		if (k == 2) {
			warnf("line longer than %d bytes dropped", LN_MAX - 2);
			continue;
		}
		if (k == 0) {
			/* -T: this tick is due; one, however late */
			uint64_t t = tm_boot_ms();

			next_tick = t + tick;
			if (t > m.now)
				m.now = t;
			snprintf(line, sizeof(line), "tick");
			len = 4;
		}
		if (memchr(line, '\0', len) != NULL) {
			warnf("line with a NUL byte dropped");
			continue;
		}
		memcpy(raw, line, len + 1);
		if ((n = split(line, w)) == 0)
			continue;
		if (w[0][0] == '@') {
			unsigned long ms;

			if (parse_ulong(w[0] + 1, 0, ULONG_MAX, &ms) < 0 ||
			    (uint64_t)ms < m.now) {
				warnf("bad time '%s': want @MS, not going "
				    "back", w[0]);
				continue;
			}
			m.now = ms;
			memmove(w, w + 1, (size_t)(n - 1) * sizeof(*w));
			n--;
			memmove(raw, rest(raw, 1), strlen(rest(raw, 1)) + 1);
			if (n == 0)
				continue;
		} else if (m.clock && k != 0) {
			uint64_t t = tm_boot_ms();

			if (t > m.now)
				m.now = t;
		}
		if (m.clock) {
			/* the wall clock, read again: it only stamps */
			m.wall0 = (long long)tm_wall_ms();
			m.wall_at = m.now;
		}
		event(&m, raw, w, n);
		if (ferror(stdout))
			die(HK_EXIT_SYS, "write:");
	}
	return 0;
}
