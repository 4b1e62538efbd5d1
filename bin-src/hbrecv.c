/*
 * hbrecv - listens for heartbeat lines on one or more media at once,
 * verifies them (format, MAC, replay), tracks every peer and writes
 * events (up, status, warn, late, dead, link, restart) on stdout.  A peer is
 * dead only when every medium has been silent for DEADTIME.
 * See hbrecv(8).
 */
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "common.h"
#include "hb.h"
#include "media.h"
#include "sig.h"
#include "tm.h"

#define MAXSRC		16
#define MAXPEERS	32
#define MAXEXPECT	16
#define RETRY_MS	1000	/* between attempts to reopen a source */
#define REPORT_MS	1000	/* drop counts at most this often */
#define BURST		64	/* datagrams read from one socket per wakeup */

static const char usage_text[] =
    "usage: hbrecv [-1] [-k AUTHKEYS] [-d DEADTIME] [-w WARNTIME]"
    " [-I INITDEAD] [-n SELF] [-p PEER] [-r RECORD] [-t TIMEOUT]"
    " SOURCE ...\n";

/* One line per option, for -h and --help: see usage_help(). */
static const char help_text[] =
    "-1\texit 0 at the first valid heartbeat, 1 if none within TIMEOUT\n"
    "-k AUTHKEYS\t"
    "authkeys file; its selected key only (default: crc key 1 only)\n"
    "-d DEADTIME\tsilence until a node is dead, ms or s (default 30s)\n"
    "-w WARNTIME\t"
    "silence until a heartbeat is late, ms or s (default DEADTIME/2)\n"
    "-I INITDEAD\t"
    "silence of a -p peer never heard, ms or s (default 2*DEADTIME)\n"
    "-n SELF\tthis node's name, whose lines are ignored (default: uname -n)\n"
    "-p PEER\ta node that is expected, up to 16 times (default: none)\n"
    "-r RECORD\treplay record file, kept across restarts (default: none)\n"
    "-t TIMEOUT\t"
    "stop after this long: 0 if peers are up, ms or s (default: never)\n";
#define OPTS		":hV1k:d:w:I:n:p:r:t:"


/* New counters go at the end: the stderr line keeps its fields' places. */
enum { DROP_GARBLED, DROP_OVERSIZE, DROP_FORGED, DROP_REPLAYED,
	DROP_TOOMANY, DROP_SELF, NDROP };
static const char *const drop_name[NDROP] = {
	"garbled", "oversize", "forged", "replayed", "toomany", "self"
};

struct source {
	struct media_spec spec;
	int		fd[2];
	int		nfd;
	int		stream;		/* tty, stdin, file, FIFO */
	int		ended;		/* stdin or a file at its end */
	int		failed;		/* reported as failing */
	uint64_t	retry_at;
	unsigned	ifindex;	/* @IFACE: the index bound or joined on */
	uint64_t	check_at;	/* when to look at that index again */
	struct hb_lbuf	lb;
};

/* One medium as it carries one peer. */
struct link {
	int		up;
	int		have;		/* gen and seq below are set */
	uint64_t	last_ms;
	uint64_t	gen;
	uint64_t	seq;
};

enum { PEER_NEVER, PEER_UP, PEER_DEAD };

/*
 * The generations of one peer we accept lines from, each with the
 * highest sequence number taken in it.  A sender runs one generation at
 * a time; more than one here is a restart, or a line that jumped ahead
 * (a forgery, a clock that ran ahead): the stream it jumped from still
 * counts, so no single line can lock the real sender out.  hbrecv(8),
 * REPLAY.
 */
#define NGEN		8
#define SLACK		4	/* lines beyond the interval's count */
/* The record at its largest: a line per stream and a floor per peer. */
#define RECORD_MAX	(MAXPEERS * (NGEN + 1) * (HB_MAXNODE + 80) + 128)

struct stream {
	int		used;
	int		keyed;		/* signed with a secret, not crc */
	uint64_t	gen;
	uint64_t	seq;
	uint32_t	iv;		/* ms, as its first line said */
	uint64_t	last_ms;	/* when we last took a line of it */
};

struct peer {
	int		used;
	int		state;
	int		expected;	/* named with -p */
	int		warned;
	int		iv_warned;
	uint64_t	last_ms;
	uint64_t	gen;		/* of the last line taken */
	struct stream	strm[NGEN];
	int		have_floor;
	uint64_t	floor_gen;	/* this and older: replays */
	uint64_t	floor_seq;
	char		node[HB_MAXNODE + 1];
	char		st[HB_MAXST + 1];
	char		extra[HB_MAXLINE];
	struct link	link[MAXSRC];
};

struct hbrecv {
	struct auth_keys keys;
	char		self[HB_MAXNODE + 1];
	uint64_t	dead_ms;
	uint64_t	warn_ms;
	uint64_t	initdead_ms;
	uint64_t	start_ms;
	uint64_t	end_ms;		/* -t; 0: none */
	int		oneshot;	/* -1 */
	int		done;		/* -1 satisfied */
	int		nexpect;
	struct source	src[MAXSRC];
	size_t		nsrc;
	struct peer	peer[MAXPEERS];
	unsigned long	drops[NDROP];
	unsigned long	reported[NDROP];
	uint64_t	report_at;
	size_t		cur;		/* the source a line came from */
	const char	*record;	/* -r: replay record file */
	int		record_fd;
	size_t		record_len;	/* bytes in it, as last written */
	int		dirty;		/* the record is behind */
	unsigned	forged_said;	/* key ids named as failing */
	int		self_said;	/* why our own lines are dropped */
};

/*
 * One whole event line.  stdout is data: a write that fails ends the
 * program (status 3).
 */
static void
event(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (fflush(stdout) != 0 || ferror(stdout))
		die(HK_EXIT_SYS, "write error on stdout:");
}

static struct peer *
peer_find(struct hbrecv *h, const char *node, int create)
{
	size_t i;
	struct peer *free_slot = NULL;

	for (i = 0; i < MAXPEERS; i++) {
		if (h->peer[i].used && strcmp(h->peer[i].node, node) == 0)
			return &h->peer[i];
		if (!h->peer[i].used && free_slot == NULL)
			free_slot = &h->peer[i];
	}
	if (!create)
		return NULL;
	/*
	 * All taken: the place of a node not named with -p that is not up
	 * (dead, or only in the record), silent longest.  Made-up names
	 * (crc lets anyone sign) must not shut real nodes out for good.
	 */
	if (free_slot == NULL) {
		for (i = 0; i < MAXPEERS; i++) {
			struct peer *q = &h->peer[i];

			if (q->expected || q->state == PEER_UP)
				continue;
			if (free_slot == NULL || q->last_ms < free_slot->last_ms)
				free_slot = q;
		}
		if (free_slot == NULL)
			return NULL;
		h->dirty = 1;
	}
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->used = 1;
	memcpy(free_slot->node, node, strlen(node) + 1);
	return free_slot;
}

static int
newer(uint64_t gen, uint64_t seq, int have, uint64_t lgen, uint64_t lseq)
{
	return !have || gen > lgen || (gen == lgen && seq > lseq);
}

static void
link_up(struct hbrecv *h, struct peer *p, size_t s)
{
	if (!p->link[s].up) {
		p->link[s].up = 1;
		event("link %s %s up\n", p->node, h->src[s].spec.word);
	}
}

static void
link_seen(struct link *l, const struct hb_msg *m, uint64_t now)
{
	l->last_ms = now;
	l->gen = m->gen;
	l->seq = m->seq;
	l->have = 1;
}

/* A verified line from peer p, fresh in stream x, on source s. */
static void
accept_line(struct hbrecv *h, struct peer *p, const struct hb_msg *m,
    struct stream *x, size_t s, uint64_t now)
{
	size_t i;
	int newgen = !x->used;

	link_seen(&p->link[s], m, now);
	if (newgen) {
		/* A sender's interval is fixed for its life: its first says. */
		x->used = 1;
		x->gen = m->gen;
		x->iv = m->iv;
		x->keyed = m->method != AUTH_CRC;
	}
	x->seq = m->seq;
	x->last_ms = now;
	h->dirty = 1;
	/* heard again after its warn: heartbeat's "Late heartbeat" */
	if (p->warned && p->state == PEER_UP)
		event("late %s silent=%llu\n", p->node,
		    (unsigned long long)(now - p->last_ms));
	if (p->state != PEER_UP) {
		p->state = PEER_UP;
		memcpy(p->st, m->st, sizeof(p->st));
		memcpy(p->extra, m->extra, sizeof(p->extra));
		event("up %s st=%s gen=%llu%s%s\n", p->node, p->st,
		    (unsigned long long)m->gen, *p->extra ? " " : "",
		    p->extra);
		for (i = 0; i < MAXSRC; i++)
			p->link[i].up = 0;
	} else {
		if (newgen && m->gen > p->gen)
			event("restart %s gen=%llu\n", p->node,
			    (unsigned long long)m->gen);
		if (strcmp(p->st, m->st) != 0 ||
		    strcmp(p->extra, m->extra) != 0) {
			memcpy(p->st, m->st, sizeof(p->st));
			memcpy(p->extra, m->extra, sizeof(p->extra));
			event("status %s st=%s%s%s\n", p->node, p->st,
			    *p->extra ? " " : "", p->extra);
		}
	}
	link_up(h, p, s);
	p->gen = m->gen;
	p->last_ms = now;
	p->warned = 0;
	if (!p->iv_warned && 2 * (uint64_t)m->iv >= h->dead_ms) {
		warnf("%s sends every %ums: deadtime %llums is less than two "
		    "intervals; expect false deaths", p->node, (unsigned)m->iv,
		    (unsigned long long)h->dead_ms);
		p->iv_warned = 1;
	}
	if (h->oneshot && (h->nexpect == 0 || p->expected))
		h->done = 1;
}

/*
 * The stream a line continues: its generation and interval, a higher
 * sequence number and, unless both are signed with a secret key (then
 * only the sender can have made it), not further ahead than the time
 * since the stream's last line allows (at its interval, twice over,
 * plus SLACK for status changes, which go out at once): with crc, a
 * forged jump must not take the real sender's stream away from it.
 */
static struct stream *
stream_fit(struct peer *p, const struct hb_msg *m, uint64_t now)
{
	struct stream *x;
	uint64_t ahead;
	size_t i;

	for (i = 0; i < NGEN; i++) {
		x = &p->strm[i];
		if (!x->used || x->gen != m->gen || m->seq <= x->seq ||
		    x->iv != m->iv)
			continue;
		if (x->keyed && m->method != AUTH_CRC)
			return x;
		ahead = SLACK + 2 * (now - x->last_ms) / (x->iv ? x->iv : 1);
		if (m->seq - x->seq <= ahead)
			return x;
	}
	return NULL;
}

/* A stream of m's generation that already took m's number or a later. */
static struct stream *
stream_past(struct peer *p, const struct hb_msg *m)
{
	size_t i;

	for (i = 0; i < NGEN; i++)
		if (p->strm[i].used && p->strm[i].gen == m->gen &&
		    m->seq <= p->strm[i].seq)
			return &p->strm[i];
	return NULL;
}

/*
 * A slot for a new stream: a free one, else, of those silent for three
 * of their intervals (a sender that restarted) or for deadtime, the one
 * of the lowest generation: a live stream is never pushed out, however
 * many new generations come.  What is pushed out becomes the floor if
 * it was signed with a secret key: then it was the sender's own.  A crc
 * stream may be anyone's, and a floor made of it could shut the real
 * sender out.  NULL: no slot.
 */
static struct stream *
stream_slot(struct hbrecv *h, struct peer *p, uint64_t now)
{
	struct stream *x = NULL;
	uint64_t quiet;
	size_t i;

	for (i = 0; i < NGEN; i++) {
		if (!p->strm[i].used)
			return &p->strm[i];
		quiet = 3 * (uint64_t)p->strm[i].iv;
		if (quiet > h->dead_ms)
			quiet = h->dead_ms;
		if (now - p->strm[i].last_ms < quiet)
			continue;
		if (x == NULL || p->strm[i].gen < x->gen)
			x = &p->strm[i];
	}
	if (x == NULL)
		return NULL;
	if (x->keyed &&
	    (!p->have_floor || x->gen > p->floor_gen ||
	    (x->gen == p->floor_gen && x->seq > p->floor_seq))) {
		p->floor_gen = x->gen;
		p->floor_seq = x->seq;
		p->have_floor = 1;
	}
	memset(x, 0, sizeof(*x));
	h->dirty = 1;
	return x;
}

static void
handle_line(struct hbrecv *h, const char *line, size_t len, int oversize)
{
	struct hb_msg m;
	struct peer *p;
	struct link *l;
	struct stream *x;
	enum hb_err e;
	uint64_t now;

	if (oversize) {
		h->drops[DROP_OVERSIZE]++;
		return;
	}
	e = hb_check(&h->keys, line, len, &m);
	if (e == HB_EFORGED && !(h->forged_said & (1u << m.keyid))) {
		/* Most often two authkeys that differ: say it once a key. */
		warnf("a line from node '%s' under key %u (%s) fails the key "
		    "check: the nodes' authkeys differ, or it is forged "
		    "(counted as forged)", m.node, m.keyid,
		    auth_method_name(m.method));
		h->forged_said |= 1u << m.keyid;
	}
	if (e != HB_OK) {
		h->drops[e == HB_EOVERSIZE ? DROP_OVERSIZE :
		    e == HB_EFORGED ? DROP_FORGED : DROP_GARBLED]++;
		return;
	}
	if (strcmp(m.node, h->self) == 0) {
		h->drops[DROP_SELF]++;
		if (!h->src[h->cur].stream) {
			/*
			 * Over UDP, most often our own broadcast or multicast
			 * come back (hbnode's bcast): counted, but no reason
			 * to speak.
			 */
			h->reported[DROP_SELF]++;
			return;
		}
		/* A pipe, file or tty: both sides left -n to uname -n. */
		if (!h->self_said)
			warnf("lines from node '%s' are this node's own (-n, "
			    "default uname -n) and are ignored; give each "
			    "side its own -n (counted as self)", h->self);
		h->self_said = 1;
		return;
	}
	p = peer_find(h, m.node, 1);
	if (p == NULL) {
		h->drops[DROP_TOOMANY]++;
		return;
	}
	now = tm_now_ms();
	l = &p->link[h->cur];
	x = stream_fit(p, &m, now);
	if (x != NULL) {
		accept_line(h, p, &m, x, h->cur, now);
		return;
	}
	x = stream_past(p, &m);
	if (x != NULL) {
		/*
		 * Taken already: the same line through a second medium is a
		 * copy if this medium has not carried it (in its generation:
		 * another one, a stray sender's, between two must not make
		 * the real one's copies look old) and it is recent (not dug
		 * up: of a live peer, within 64 lines of the last one taken);
		 * anything else is a replay.  A copy keeps the medium's link
		 * up, never the node.
		 */
		if (p->state == PEER_UP && now - x->last_ms < h->dead_ms &&
		    (!l->have || l->gen != m.gen || m.seq > l->seq) &&
		    m.seq + 64 > x->seq) {
			link_seen(l, &m, now);
			link_up(h, p, h->cur);
			return;
		}
		h->drops[DROP_REPLAYED]++;
		return;
	}
	if (p->have_floor && !newer(m.gen, m.seq, 1, p->floor_gen,
	    p->floor_seq)) {
		h->drops[DROP_REPLAYED]++;
		return;
	}
	/*
	 * An older generation than the one the live node now sends, not
	 * followed: a capture of an earlier run (what it says, "released",
	 * "standby", is history).  A node that really restarted lower (its
	 * clock set back, its generation file lost) is taken once the
	 * current one is declared dead.
	 */
	if (p->state == PEER_UP && m.gen < p->gen) {
		h->drops[DROP_REPLAYED]++;
		return;
	}
	/* A generation (or a jump) we do not follow yet: a new stream. */
	x = stream_slot(h, p, now);
	if (x == NULL) {
		h->drops[DROP_TOOMANY]++;
		return;
	}
	accept_line(h, p, &m, x, h->cur, now);
}

static void
line_cb(const char *line, size_t len, int oversize, void *arg)
{
	handle_line(arg, line, len, oversize);
}

static void
src_fail(struct source *s, const char *what)
{
	if (!s->failed)
		warnf("%s: %s:", s->spec.word, what);
	s->failed = 1;
}

static void
src_close(struct source *s, uint64_t now)
{
	int i;

	/*
	 * stdin itself stays open (fd 0 is not to be reused); anything we
	 * opened is closed, even on fd 0 to 2 when we were started with
	 * those closed: a tty left open can keep its device name taken.
	 */
	if (s->spec.kind != MEDIA_STDIO)
		for (i = 0; i < s->nfd; i++)
			close(s->fd[i]);
	s->nfd = 0;
	s->retry_at = now + RETRY_MS;
	memset(&s->lb, 0, sizeof(s->lb));
}

static int
src_open(struct source *s)
{
	struct stat st;
	int fd, n;

	memset(&s->lb, 0, sizeof(s->lb));
	switch (s->spec.kind) {
	case MEDIA_UDP:
	case MEDIA_MCAST:
		s->stream = 0;
		n = media_recv_sockets(&s->spec, s->fd, &s->ifindex);
		if (n < 0)
			return -1;
		s->nfd = n;
		s->check_at = tm_now_ms() + RETRY_MS;
		return 0;
	case MEDIA_SERIAL:
		/* Throws away what waited in the port: see media.c. */
		fd = media_tty_open(s->spec.path, s->spec.baud, MEDIA_RECV);
		break;
	case MEDIA_STDIO:
		/* Left blocking (shared with our parent): read once per poll. */
		fd = STDIN_FILENO;
		break;
	default:
		fd = open(s->spec.path, O_RDONLY | O_NONBLOCK | O_NOCTTY |
		    O_CLOEXEC);
		if (fd < 0)
			return -1;
		if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode)) {
			/* Held open for writing too: no end when writers go. */
			close(fd);
			fd = open(s->spec.path, O_RDWR | O_NONBLOCK |
			    O_CLOEXEC);
		}
		break;
	}
	if (fd < 0)
		return -1;
	s->stream = 1;
	s->fd[0] = fd;
	s->nfd = 1;
	return 0;
}

static void
src_ok(struct source *s)
{
	if (s->failed)
		warnf("%s: working again", s->spec.word);
	s->failed = 0;
}

/*
 * A socket bound to IFACE, or a multicast membership on it, dies with
 * the interface, and one made anew under the same name has another
 * index: the source would stay deaf for good.  Look at the index once a
 * second; when it is gone or changed, close the source, to be opened
 * (bound, joined) again.
 */
static void
if_check(struct source *s, uint64_t now)
{
	unsigned idx;

	if (s->spec.ifname[0] == '\0' || s->nfd == 0 || now < s->check_at)
		return;
	s->check_at = now + RETRY_MS;
	errno = 0;
	idx = if_nametoindex(s->spec.ifname);
	/* 0 without ENODEV: we could not ask (no socket); not a change. */
	if (idx == s->ifindex || (idx == 0 && errno != ENODEV))
		return;
	if (!s->failed)
		warnf("%s: interface %s, %s again when it is there",
		    s->spec.word, idx == 0 ? "gone" : "made anew",
		    s->spec.kind == MEDIA_MCAST ? "joining" : "listening");
	s->failed = 1;
	src_close(s, now);
}

static void
read_stream(struct hbrecv *h, struct source *s, uint64_t now)
{
	char buf[4096];
	ssize_t r;

	r = read(s->fd[0], buf, sizeof(buf));
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (r > 0) {
		src_ok(s);
		hb_lbuf_feed(&s->lb, buf, (size_t)r, line_cb, h);
		return;
	}
	if (s->spec.kind == MEDIA_STDIO || s->spec.kind == MEDIA_PATH) {
		if (r < 0)
			warnf("%s:", s->spec.word);
		/* A last line without its newline still counts. */
		hb_lbuf_feed(&s->lb, "\n", 1, line_cb, h);
		src_close(s, now);
		s->ended = 1;
		return;
	}
	/* A tty hung up (the other end of a pty closed): reopen later. */
	if (r == 0)
		errno = EIO;
	src_fail(s, "read");
	src_close(s, now);
}

static void
read_dgrams(struct hbrecv *h, int fd)
{
	char buf[HB_MAXLINE + 2];
	ssize_t r;
	size_t n;
	int i;

	for (i = 0; i < BURST; i++) {
		r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
		if (r < 0) {
			if (errno != EAGAIN && errno != EINTR)
				warnf("%s: recv:", h->src[h->cur].spec.word);
			return;
		}
		n = (size_t)r;
		if (n > HB_MAXLINE) {
			h->drops[DROP_OVERSIZE]++;
			continue;
		}
		if (n > 0 && buf[n - 1] == '\n')
			n--;
		handle_line(h, buf, n, 0);
	}
}

static void
report_drops(struct hbrecv *h, uint64_t now, int force)
{
	char msg[256];
	size_t i, len = 0;
	int changed = 0;

	for (i = 0; i < NDROP; i++)
		if (h->drops[i] != h->reported[i])
			changed = 1;
	if (!changed || (!force && now < h->report_at))
		return;
	for (i = 0; i < NDROP; i++) {
		len += (size_t)snprintf(msg + len, sizeof(msg) - len, " %s=%lu",
		    drop_name[i], h->drops[i]);
		h->reported[i] = h->drops[i];
	}
	warnf("dropped lines so far:%s", msg);
	h->report_at = now + REPORT_MS;
}

/* Silence: warn, dead, link dead.  Returns the next time to look. */
static uint64_t
check_timers(struct hbrecv *h, uint64_t now)
{
	uint64_t next = UINT64_MAX, t, silent;
	struct peer *p;
	size_t i, s;

	for (i = 0; i < MAXPEERS; i++) {
		p = &h->peer[i];
		if (!p->used)
			continue;
		if (p->state == PEER_NEVER) {
			if (!p->expected)
				continue;
			t = h->start_ms + h->initdead_ms;
			if (now >= t) {
				p->state = PEER_DEAD;
				event("dead %s silent=%llu\n", p->node,
				    (unsigned long long)(now - h->start_ms));
			} else if (t < next) {
				next = t;
			}
			continue;
		}
		if (p->state != PEER_UP)
			continue;
		silent = now - p->last_ms;
		if (silent >= h->dead_ms) {
			p->state = PEER_DEAD;
			for (s = 0; s < MAXSRC; s++)
				p->link[s].up = 0;
			event("dead %s silent=%llu\n", p->node,
			    (unsigned long long)silent);
			continue;
		}
		if (!p->warned && h->warn_ms > 0) {
			if (silent >= h->warn_ms) {
				p->warned = 1;
				event("warn %s silent=%llu\n", p->node,
				    (unsigned long long)silent);
			} else if (p->last_ms + h->warn_ms < next) {
				next = p->last_ms + h->warn_ms;
			}
		}
		if (p->last_ms + h->dead_ms < next)
			next = p->last_ms + h->dead_ms;
		for (s = 0; s < h->nsrc; s++) {
			struct link *l = &p->link[s];

			if (!l->up)
				continue;
			if (now - l->last_ms >= h->dead_ms) {
				l->up = 0;
				event("link %s %s dead\n", p->node,
				    h->src[s].spec.word);
			} else if (l->last_ms + h->dead_ms < next) {
				next = l->last_ms + h->dead_ms;
			}
		}
	}
	return next;
}

/* The keys of -k FILE, or the default; a weak key is named every start. */
/* Strict decimal, as in a heartbeat line. */
static int
record_u64(const char *w, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (w == NULL || *w < '0' || *w > '9' || (w[0] == '0' && w[1] != '\0'))
		return -1;
	errno = 0;
	v = strtoull(w, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

/*
 * One line of the record: "stream NODE GEN SEQ IV key|crc" or "floor
 * NODE GEN SEQ".
 */
static int
record_line(struct hbrecv *h, char *line)
{
	char *w[7], *save = NULL;
	uint64_t gen, seq, iv = 0;
	struct peer *p;
	size_t i, n = 0;

	for (w[n] = strtok_r(line, " \t", &save); w[n] != NULL && n < 6;
	    w[n] = strtok_r(NULL, " \t", &save))
		n++;
	if (n == 0 || w[0][0] == '#')
		return 0;
	if (n < 4 || !hb_valid_node(w[1]) || record_u64(w[2], &gen) < 0 ||
	    record_u64(w[3], &seq) < 0)
		return -1;
	if (strcmp(w[0], "stream") == 0) {
		if (n != 6 || record_u64(w[4], &iv) < 0 || iv == 0 ||
		    iv > HB_MAXIV || (strcmp(w[5], "key") != 0 &&
		    strcmp(w[5], "crc") != 0))
			return -1;
	} else if (strcmp(w[0], "floor") != 0 || n != 4) {
		return -1;
	}
	if (strcmp(w[1], h->self) == 0 ||
	    (p = peer_find(h, w[1], 1)) == NULL)
		return 0;
	if (w[0][0] == 'f') {
		p->floor_gen = gen;
		p->floor_seq = seq;
		p->have_floor = 1;
		return 0;
	}
	for (i = 0; i < NGEN && p->strm[i].used; i++)
		;
	if (i == NGEN)
		return 0;
	p->strm[i] = (struct stream){ .used = 1, .gen = gen, .seq = seq,
	    .iv = (uint32_t)iv, .last_ms = h->start_ms,
	    .keyed = w[5][0] == 'k' };
	if (gen > p->gen)
		p->gen = gen;
	return 0;
}

/*
 * -r: the last line taken from each node, kept across restarts of
 * hbrecv so that captured lines are not believed after one.  Locked
 * for our life: two hbrecv on one record would undo each other.  A bad
 * line (a write cut by a power loss) is named and skipped.
 */
static void
record_open(struct hbrecv *h)
{
	char buf[RECORD_MAX + 1], *line, *nl, *next;
	struct stat st;
	size_t len = 0;
	ssize_t r;
	unsigned n = 0;

	h->record_fd = open(h->record, O_RDWR | O_CREAT | O_CLOEXEC |
	    O_NOCTTY | O_NONBLOCK, 0600);
	if (h->record_fd < 0 && errno == EISDIR)
		die(HK_EXIT_USAGE, "%s: not a regular file", h->record);
	if (h->record_fd < 0)
		die(HK_EXIT_SYS, "%s:", h->record);
	if (fstat(h->record_fd, &st) < 0)
		die(HK_EXIT_SYS, "%s:", h->record);
	if (!S_ISREG(st.st_mode))
		die(HK_EXIT_USAGE, "%s: not a regular file", h->record);
	if (flock(h->record_fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			die(HK_EXIT_SYS, "%s: in use by another hbrecv",
			    h->record);
		die(HK_EXIT_SYS, "%s: lock:", h->record);
	}
	while (len < sizeof(buf) - 1 && (r = read(h->record_fd, buf + len,
	    sizeof(buf) - 1 - len)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			die(HK_EXIT_SYS, "%s:", h->record);
		}
		len += (size_t)r;
	}
	buf[len] = '\0';
	h->record_len = (size_t)st.st_size;
	if (len == sizeof(buf) - 1)
		warnf("%s: longer than %u bytes: not a record of ours, the "
		    "rest ignored", h->record, (unsigned)RECORD_MAX);
	if (memchr(buf, '\0', len) != NULL) {
		warnf("%s: a NUL byte: not a record, ignored", h->record);
		return;
	}
	for (line = buf; *line != '\0'; line = next) {
		n++;
		nl = strchr(line, '\n');
		if (nl != NULL) {
			*nl = '\0';
			next = nl + 1;
		} else {
			next = line + strlen(line);
		}
		if (record_line(h, line) < 0)
			warnf("%s:%u: bad line, ignored", h->record, n);
	}
}

/* Writes the record in place; says once when it cannot. */
static void
record_save(struct hbrecv *h, int sync)
{
	static int failed;
	char buf[RECORD_MAX];
	const struct peer *p;
	size_t i, k, n;

	if (h->record == NULL || (!h->dirty && !sync))
		return;
	n = (size_t)snprintf(buf, sizeof(buf), "# hbrecv replay record: "
	    "the last line taken from each node; see hbrecv(8)\n");
	for (i = 0; i < MAXPEERS; i++) {
		p = &h->peer[i];
		if (!p->used)
			continue;
		if (p->have_floor)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n,
			    "floor %s %llu %llu\n", p->node,
			    (unsigned long long)p->floor_gen,
			    (unsigned long long)p->floor_seq);
		for (k = 0; k < NGEN; k++)
			if (p->strm[k].used)
				n += (size_t)snprintf(buf + n, sizeof(buf) - n,
				    "stream %s %llu %llu %u %s\n", p->node,
				    (unsigned long long)p->strm[k].gen,
				    (unsigned long long)p->strm[k].seq,
				    (unsigned)p->strm[k].iv,
				    p->strm[k].keyed ? "key" : "crc");
	}
	/* Per batch of heartbeats: truncate only when it got shorter. */
	if (pwrite(h->record_fd, buf, n, 0) != (ssize_t)n ||
	    (n < h->record_len && ftruncate(h->record_fd, (off_t)n) < 0) ||
	    (sync && fdatasync(h->record_fd) < 0)) {
		if (!failed)
			warnf("%s: cannot write the replay record:", h->record);
		failed = 1;
		return;
	}
	if (failed)
		warnf("%s: written again", h->record);
	failed = 0;
	h->dirty = 0;
	h->record_len = n;
}

/* Every -p peer up, or without -p any peer up. */
static int
peers_ok(const struct hbrecv *h)
{
	size_t i;
	int any = 0;

	for (i = 0; i < MAXPEERS; i++) {
		const struct peer *p = &h->peer[i];

		if (!p->used)
			continue;
		if (p->expected && p->state != PEER_UP)
			return 0;
		if (p->state == PEER_UP)
			any = 1;
	}
	return any;
}

int
main(int argc, char **argv)
{
	struct hbrecv h = { .dead_ms = 30000 };
	struct pollfd pfd[2 * MAXSRC + 2];
	struct stat ost;
	size_t owner[2 * MAXSRC];
	const char *keyfile = NULL, *why;
	const char *expect[MAXEXPECT];
	uint64_t now, next;
	int c, have_warn = 0, have_init = 0, status;
	int wakefd, outpipe;
	struct utsname un;
	size_t i, np, live;
	int j;

	hk_setprogname(argv[0]);
	usage_help_arg(argc, argv, OPTS, usage_text, help_text);
	while ((c = getopt(argc, argv, OPTS)) != -1) {
		switch (c) {
		case 'h':
			usage_help(usage_text, help_text);
		case 'V':
			version_exit();
		case '1':
			h.oneshot = 1;
			break;
		case 'k':
			keyfile = optarg;
			break;
		case 'd':
			h.dead_ms = opt_dur(usage_text, "deadtime", optarg, 10);
			break;
		case 'w':
			h.warn_ms = opt_dur(usage_text, "warntime", optarg, 1);
			have_warn = 1;
			break;
		case 'I':
			h.initdead_ms = opt_dur(usage_text, "initdead", optarg, 1);
			have_init = 1;
			break;
		case 'n':
			if (!hb_valid_node(optarg))
				usage_error(usage_text, "bad node name '%s'",
				    optarg);
			memcpy(h.self, optarg, strlen(optarg) + 1);
			break;
		case 'p':
			if (!hb_valid_node(optarg))
				usage_error(usage_text, "bad peer name '%s'",
				    optarg);
			if (h.nexpect == MAXEXPECT)
				usage_error(usage_text, "at most %d -p",
				    MAXEXPECT);
			expect[h.nexpect++] = optarg;
			break;
		case 'r':
			h.record = optarg;
			break;
		case 't':
			h.end_ms = opt_dur(usage_text, "timeout", optarg, 1);
			break;
		case ':':
			usage_error(usage_text, "option -%c needs a value",
			    optopt);
		default:
			usage_error(usage_text, "unknown option -%c", optopt);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage_error(usage_text, "no source to listen on");
	if ((size_t)argc > MAXSRC)
		usage_error(usage_text, "at most %d sources", MAXSRC);
	if (!have_warn)
		h.warn_ms = h.dead_ms / 2;
	if (h.warn_ms >= h.dead_ms)
		usage_error(usage_text, "warntime must be less than deadtime");
	if (!have_init)
		h.initdead_ms = 2 * h.dead_ms;
	for (i = 0; i < (size_t)argc; i++) {
		if (media_parse(argv[i], MEDIA_RECV, &h.src[i].spec, &why) < 0)
			usage_error(usage_text, "bad source '%s': %s", argv[i],
			    why);
		for (j = 0; j < (int)i; j++)
			if (strcmp(argv[i], argv[j]) == 0)
				usage_error(usage_text, "source '%s' given "
				    "twice", argv[i]);
	}
	h.nsrc = (size_t)argc;
	if (h.self[0] == '\0') {
		if (uname(&un) < 0)
			die(HK_EXIT_SYS, "uname:");
		snprintf(h.self, sizeof(h.self), "%.*s", HB_MAXNODE,
		    un.nodename);
	}
	auth_load_keys(keyfile, &h.keys);
	h.start_ms = tm_now_ms();
	/* -p first: the record cannot take their places. */
	for (j = 0; j < h.nexpect; j++)
		peer_find(&h, expect[j], 1)->expected = 1;
	if (h.record != NULL)
		record_open(&h);

	if ((wakefd = sig_stop_pipe()) < 0)
		die(HK_EXIT_SYS, "pipe:");
	/*
	 * As heartbeat runs at real-time priority: a busy machine should
	 * delay heartbeats as little as it can.  Only from the default
	 * niceness, and only where allowed (root); otherwise as we are.
	 */
	errno = 0;
	if (getpriority(PRIO_PROCESS, 0) == 0 && errno == 0)
		(void)setpriority(PRIO_PROCESS, 0, -10);
	setvbuf(stdout, NULL, _IOLBF, 0);
	outpipe = fstat(STDOUT_FILENO, &ost) == 0 && S_ISFIFO(ost.st_mode);
	hk_check_stdout_at_exit();

	now = h.start_ms = tm_now_ms();
	if (h.end_ms != 0)
		h.end_ms += now;
	for (i = 0; i < h.nsrc; i++) {
		struct source *s = &h.src[i];

		if (src_open(s) == 0)
			continue;
		/* A socket that cannot be bound is a setup error. */
		if (s->spec.kind == MEDIA_UDP || s->spec.kind == MEDIA_MCAST)
			die(HK_EXIT_SYS, "%s:", s->spec.word);
		src_fail(s, "cannot open");
		s->retry_at = now + RETRY_MS;
	}
	status = HK_EXIT_OK;
	while (!sig_stop) {
		now = tm_now_ms();
		next = check_timers(&h, now);
		report_drops(&h, now, 0);
		if (h.done)
			break;
		if (h.end_ms != 0 && now >= h.end_ms) {
			status = peers_ok(&h) ? HK_EXIT_OK : HK_EXIT_NO;
			break;
		}
		if (h.end_ms != 0 && h.end_ms < next)
			next = h.end_ms;
		if (h.report_at > now && h.report_at < next)
			next = h.report_at;
		np = 0;
		live = 0;
		for (i = 0; i < h.nsrc; i++) {
			struct source *s = &h.src[i];

			if (s->ended)
				continue;
			live++;
			if_check(s, now);
			if (s->nfd == 0) {
				if (now >= s->retry_at) {
					if (src_open(s) < 0) {
						src_fail(s, "cannot open");
						s->retry_at = now + RETRY_MS;
					} else if (s->spec.kind != MEDIA_SERIAL) {
						src_ok(s);
					}
				}
				if (s->nfd == 0) {
					if (s->retry_at < next)
						next = s->retry_at;
					continue;
				}
			}
			if (s->spec.ifname[0] != '\0' && s->check_at < next)
				next = s->check_at;
			for (j = 0; j < s->nfd; j++) {
				pfd[np].fd = s->fd[j];
				pfd[np].events = POLLIN;
				owner[np] = i;
				np++;
			}
		}
		if (live == 0) {
			/* Nothing more can come: -t judges what came. */
			if (h.end_ms != 0)
				status = peers_ok(&h) ? HK_EXIT_OK : HK_EXIT_NO;
			break;
		}
		pfd[np].fd = wakefd;		/* after the sources: np stays */
		pfd[np].events = POLLIN;
		pfd[np + 1].fd = outpipe ? STDOUT_FILENO : -1;
		pfd[np + 1].events = 0;
		pfd[np + 1].revents = 0;
		if (poll(pfd, np + 2, next == UINT64_MAX ? -1 :
		    tm_poll_timeout(next)) < 0) {
			if (errno == EINTR)
				continue;
			die(HK_EXIT_SYS, "poll:");
		}
		/* Read everything waiting before judging any silence. */
		for (i = 0; i < np; i++) {
			struct source *s = &h.src[owner[i]];

			/* POLLNVAL: a closed stdin; read says EBADF, it ends. */
			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR |
			    POLLNVAL)) || s->nfd == 0)
				continue;
			h.cur = owner[i];
			if (s->stream)
				read_stream(&h, s, tm_now_ms());
			else
				read_dgrams(&h, pfd[i].fd);
		}
		record_save(&h, 0);
		/* A pipe or FIFO nobody reads: whoever wanted the events is gone. */
		if (outpipe && (pfd[np + 1].revents & (POLLERR | POLLHUP))) {
			warnf("nobody reads the events any more: stopping");
			status = HK_EXIT_SYS;
			break;
		}
	}
	report_drops(&h, tm_now_ms(), 1);
	record_save(&h, 1);
	if (h.oneshot)
		return h.done ? HK_EXIT_OK : HK_EXIT_NO;
	return status;
}
