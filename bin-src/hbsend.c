/*
 * hbsend - sends an authenticated heartbeat line at an interval to one
 * or more media at once (UDP unicast, broadcast, multicast, a serial
 * tty, a file, a FIFO, stdout).  Status changes come in on stdin and go
 * out at once.  See hbsend(8).
 */
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

#define MAXMEDIA	16
#define RETRY_MS	1000	/* between attempts to reopen a medium */
#define STATUS_MAX	1024	/* one status line on stdin */

static const char usage_text[] =
    "usage: hbsend [-i INTERVAL] [-k AUTHKEYS] [-n NODE] [-s STATUS]"
    " [-g GENFILE] [-c COUNT] [-W WATCHDOG] MEDIUM ...\n";

/* One line per option, for -h and --help: see usage_help(). */
static const char help_text[] =
    "-i INTERVAL\ttime between heartbeats, 10ms to 1d, ms or s (default 2s)\n"
    "-k AUTHKEYS\tauthkeys file to sign with (default: crc, no secret)\n"
    "-n NODE\tnode name sent (default: uname -n)\n"
    "-s STATUS\tthe first status (default active)\n"
    "-g GENFILE\tgeneration file, kept across restarts (default: the clock)\n"
    "-c COUNT\tsend COUNT lines, then exit (default: until a signal)\n"
    "-W WATCHDOG\t"
    "pause when stdin is silent this long, ms or s (default: never)\n";
#define OPTS		":hVi:k:n:s:g:c:W:"


struct medium {
	struct media_spec spec;
	int		fd;
	int		stream;		/* tty, file, FIFO, stdout */
	int		failed;		/* reported as failing */
	int		dead;		/* stdout gone: cannot reopen */
	uint64_t	retry_at;
	struct sockaddr_storage dst;
	socklen_t	dstlen;
	char		out[HB_MAXLINE];	/* what a stream still owes */
	size_t		outlen;
	size_t		outoff;
};

struct hbsend {
	struct auth_keys keys;
	char		node[HB_MAXNODE + 1];
	char		st[HB_MAXST + 1];
	char		extra[HB_MAXLINE];
	uint64_t	gen;
	uint64_t	seq;
	uint32_t	iv;
	unsigned long	count;		/* 0: forever */
	unsigned long	sent;
	int		in_open;	/* stdin still gives status lines */
	uint64_t	wd_ms;		/* -W; 0: no watchdog */
	uint64_t	fed_at;		/* when the last status line came */
	int		starved;	/* -W ran out: not sending */
	char		inbuf[STATUS_MAX];
	size_t		inlen;
	int		in_overlong;
	struct medium	m[MAXMEDIA];
	size_t		nm;
};

static void
medium_fail(struct medium *m, const char *what)
{
	if (!m->failed)
		warnf("%s: %s:", m->spec.word, what);
	m->failed = 1;
}

static void
medium_ok(struct medium *m)
{
	if (m->failed)
		warnf("%s: working again", m->spec.word);
	m->failed = 0;
}

static void
medium_close(struct medium *m, uint64_t now)
{
	/* stdout itself stays open: closing it would let fd 1 be reused. */
	if (m->fd >= 0 && !(m->spec.kind == MEDIA_STDIO &&
	    m->fd == STDOUT_FILENO))
		close(m->fd);
	m->fd = -1;
	m->outlen = m->outoff = 0;
	m->retry_at = now + RETRY_MS;
}

/*
 * Standard output for the "-" medium.  A pipe, FIFO or terminal there
 * can block a write, and with it every other medium (and SIGTERM).  Our
 * own file description of it, opened again through /proc, can be
 * non-blocking without changing the one we share with our parent.  A
 * regular file does not block; anything else is used as it is.
 */
static int
stdout_open(void)
{
	struct stat st;
	int fd;

	if (fstat(STDOUT_FILENO, &st) == 0 &&
	    (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))) {
		fd = open("/proc/self/fd/1", O_WRONLY | O_NONBLOCK | O_NOCTTY |
		    O_CLOEXEC);
		if (fd >= 0)
			return fd;
	}
	return STDOUT_FILENO;
}

static int
medium_open(struct medium *m)
{
	int fd;

	switch (m->spec.kind) {
	case MEDIA_UDP:
	case MEDIA_BCAST:
	case MEDIA_MCAST:
		m->stream = 0;
		fd = media_send_socket(&m->spec, &m->dst, &m->dstlen);
		break;
	case MEDIA_SERIAL:
		m->stream = 1;
		/* No flush of pending input here: see media_tty_open. */
		fd = media_tty_open(m->spec.path, m->spec.baud, MEDIA_SEND);
		break;
	case MEDIA_STDIO:
		m->stream = 1;
		fd = stdout_open();
		break;
	default:
		/* A FIFO without a reader fails here (ENXIO), and is retried. */
		m->stream = 1;
		fd = open(m->spec.path, O_WRONLY | O_APPEND | O_CREAT |
		    O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0644);
		break;
	}
	if (fd < 0)
		return -1;
	m->fd = fd;
	return 0;
}

/* Writes what a stream owes; 0 when it is all out, 1 when some is left. */
static int
stream_flush(struct medium *m, uint64_t now)
{
	ssize_t r;

	while (m->outoff < m->outlen) {
		r = write(m->fd, m->out + m->outoff, m->outlen - m->outoff);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return 1;
		if (r <= 0) {
			if (r == 0)
				errno = EIO;
			if (m->spec.kind == MEDIA_STDIO) {
				medium_fail(m, "write");
				m->dead = 1;
			} else {
				medium_fail(m, "write");
			}
			medium_close(m, now);
			return 0;
		}
		m->outoff += (size_t)r;
	}
	m->outlen = m->outoff = 0;
	medium_ok(m);
	return 0;
}

static void
medium_send(struct medium *m, const char *line, size_t len, uint64_t now)
{
	ssize_t r;

	if (m->dead)
		return;
	if (m->fd < 0) {
		if (now < m->retry_at)
			return;
		if (medium_open(m) < 0) {
			medium_fail(m, "cannot open");
			m->retry_at = now + RETRY_MS;
			return;
		}
	}
	if (!m->stream) {
		r = sendto(m->fd, line, len, MSG_NOSIGNAL,
		    (struct sockaddr *)&m->dst, m->dstlen);
		if (r < 0) {
			medium_fail(m, "send");
			/*
			 * A broadcast address may have changed, an interface
			 * been made anew under its name (new index): look
			 * again.
			 */
			if (m->spec.kind == MEDIA_BCAST ||
			    m->spec.kind == MEDIA_MCAST)
				medium_close(m, now);
			return;
		}
		medium_ok(m);
		return;
	}
	if (m->outoff < m->outlen) {
		/* The last line is still going out: no cable, no reader. */
		errno = EAGAIN;
		medium_fail(m, "write stalled, line dropped");
		return;
	}
	memcpy(m->out, line, len);
	m->outlen = len;
	m->outoff = 0;
	(void)stream_flush(m, now);
}

static void
send_all(struct hbsend *h, uint64_t now)
{
	char line[HB_MAXLINE + 1];
	size_t i;
	int n;

	h->seq++;
	n = hb_format(line, sizeof(line), &h->keys, h->node, h->gen, h->seq,
	    h->st, h->iv, h->extra);
	if (n < 0)
		die(HK_EXIT_SYS, "cannot build a heartbeat line:");
	for (i = 0; i < h->nm; i++)
		medium_send(&h->m[i], line, (size_t)n, now);
	h->sent++;
}

/* A status line from stdin: checked whole before it replaces anything. */
static int
take_status(struct hbsend *h, const char *text)
{
	char st[HB_MAXST + 1], extra[HB_MAXLINE], line[HB_MAXLINE + 1];

	if (hb_status_parse(text, st, sizeof(st), extra, sizeof(extra)) < 0) {
		warnf("bad status line '%s': want STATUS [key=value ...]",
		    text);
		return -1;
	}
	/* The longest line this status can make: the largest numbers. */
	if (hb_format(line, sizeof(line), &h->keys, h->node, UINT64_MAX,
	    UINT64_MAX, st, HB_MAXIV, extra) < 0) {
		warnf("status line too long: a heartbeat is at most %d bytes",
		    HB_MAXLINE);
		return -1;
	}
	memcpy(h->st, st, sizeof(st));
	memcpy(h->extra, extra, sizeof(extra));
	return 0;
}

/*
 * Reads stdin; 1 when the status changed.  Any valid line, the same
 * status too, feeds the watchdog (-W).
 */
static int
read_status(struct hbsend *h, uint64_t now)
{
	char buf[512];
	ssize_t r;
	int changed = 0;
	size_t i;

	r = read(STDIN_FILENO, buf, sizeof(buf));
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (r <= 0) {
		if (r < 0)
			warnf("stdin:");
		h->in_open = 0;
		if (r < 0 || (h->inlen == 0 && !h->in_overlong))
			return 0;
		/* A last line without its newline still counts. */
		buf[0] = '\n';
		r = 1;
	}
	for (i = 0; i < (size_t)r; i++) {
		if (buf[i] != '\n') {
			if (h->inlen + 1 < sizeof(h->inbuf))
				h->inbuf[h->inlen++] = buf[i];
			else
				h->in_overlong = 1;
			continue;
		}
		h->inbuf[h->inlen] = '\0';
		if (h->in_overlong)
			warnf("status line too long, ignored");
		else if (memchr(h->inbuf, '\0', h->inlen) != NULL)
			warnf("NUL byte in a status line, ignored");
		else if (strspn(h->inbuf, " \t\r") != h->inlen) {
			char st[HB_MAXST + 1], extra[HB_MAXLINE];

			memcpy(st, h->st, sizeof(st));
			memcpy(extra, h->extra, sizeof(extra));
			if (take_status(h, h->inbuf) == 0) {
				h->fed_at = now;
				if (strcmp(st, h->st) != 0 ||
				    strcmp(extra, h->extra) != 0)
					changed = 1;
			}
		}
		h->inlen = 0;
		h->in_overlong = 0;
	}
	return changed;
}

/*
 * The generation: one more than GENFILE holds, and never less than the
 * wall clock in ms, so that it grows across a reboot even when the file
 * was lost (as WireGuard's handshake timestamps do, wireguard.com
 * "Protocol & Cryptography").  Written back through a temporary file and
 * rename, so that a crash leaves the old or the new.  Only a clock set
 * back together with a lost file gives a smaller one: hbsend(8), BUGS.
 */
static uint64_t
next_gen(const char *path)
{
	char buf[64], tmp[PATH_MAX];
	unsigned long long old = 0, gen;
	ssize_t r = 0;
	size_t n = 0;
	int fd;

	/* O_NONBLOCK: a FIFO must not hang us before fstat says what it is. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 && errno != ENOENT)
		die(HK_EXIT_SYS, "%s:", path);
	if (fd >= 0) {
		struct stat st;

		if (fstat(fd, &st) < 0)
			die(HK_EXIT_SYS, "%s:", path);
		if (!S_ISREG(st.st_mode))
			die(HK_EXIT_USAGE, "%s: not a regular file", path);
		while (n < sizeof(buf) - 1 &&
		    (r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
			n += (size_t)r;
		if (r < 0)
			die(HK_EXIT_SYS, "%s:", path);
		close(fd);
		buf[n] = '\0';
		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
			buf[--n] = '\0';
		if (n > 0) {
			unsigned long v;

			/*
			 * A damaged file is a lost one: the clock still
			 * gives a generation that grows.
			 */
			if (parse_ulong(buf, 0, ULONG_MAX - 1, &v) < 0 ||
			    memchr(buf, '\0', n) != NULL)
				warnf("%s: not a generation number, taken as "
				    "lost (the clock gives the generation)",
				    path);
			else
				old = v;
		}
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		die(HK_EXIT_USAGE, "%s: path too long", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die(HK_EXIT_SYS, "%s:", tmp);
	gen = old + 1;
	if (gen < tm_wall_ms())
		gen = tm_wall_ms();
	n = (size_t)snprintf(buf, sizeof(buf), "%llu\n", gen);
	if (write(fd, buf, n) != (ssize_t)n || fsync(fd) < 0) {
		unlink(tmp);
		die(HK_EXIT_SYS, "%s:", tmp);
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		unlink(tmp);
		die(HK_EXIT_SYS, "%s:", path);
	}
	return gen;
}

/* The keys of -k FILE, or the default; a weak key is named every start. */
/*
 * -W: heartbeats prove that whoever feeds the status is alive, not only
 * hbsend.  No status line for the watchdog's time: stop sending, so
 * that the peer sees this node dead within its deadtime; a line brings
 * them back.  Standard input at its end means the feeder is gone: 0,
 * to end hbsend, which must not outlive it.
 */
static int
watchdog(struct hbsend *h, uint64_t now, uint64_t *next_send)
{
	if (h->wd_ms == 0)
		return 1;
	if (!h->in_open) {
		warnf("standard input ended: whoever fed the status is gone; "
		    "stopping (-W)");
		return 0;
	}
	if (!h->starved && now - h->fed_at >= h->wd_ms) {
		warnf("no status line for %llums (-W): whoever feeds hbsend "
		    "is stuck; heartbeats stopped until it is back",
		    (unsigned long long)(now - h->fed_at));
		h->starved = 1;
	} else if (h->starved && now - h->fed_at < h->wd_ms) {
		warnf("status lines again: heartbeats resumed");
		h->starved = 0;
		*next_send = now;
	}
	return 1;
}

int
main(int argc, char **argv)
{
	struct hbsend h = { .iv = 2000, .in_open = 1, .st = "active" };
	struct pollfd pfd[MAXMEDIA + 2];
	const char *keyfile = NULL, *genfile = NULL, *status = NULL, *why;
	uint64_t ms, now, next_send;
	unsigned long v;
	int wakefd, fed_out = 0;
	struct utsname un;
	size_t i, np;
	int c;

	hk_setprogname(argv[0]);
	usage_help_arg(argc, argv, OPTS, usage_text, help_text);
	while ((c = getopt(argc, argv, OPTS)) != -1) {
		switch (c) {
		case 'h':
			usage_help(usage_text, help_text);
		case 'V':
			version_exit();
		case 'i':
			if (parse_dur(optarg, &ms) < 0 || ms < 10 ||
			    ms > HB_MAXIV)
				usage_error(usage_text, "bad interval '%s': "
				    "want 10ms to 1d, e.g. 2s or 500ms",
				    optarg);
			h.iv = (uint32_t)ms;
			break;
		case 'k':
			keyfile = optarg;
			break;
		case 'n':
			if (!hb_valid_node(optarg))
				usage_error(usage_text, "bad node name '%s': "
				    "want 1-%d of A-Z a-z 0-9 . _ -", optarg,
				    HB_MAXNODE);
			snprintf(h.node, sizeof(h.node), "%s", optarg);
			break;
		case 's':
			status = optarg;
			break;
		case 'g':
			genfile = optarg;
			break;
		case 'W':
			if (parse_dur(optarg, &ms) < 0 || ms < 10)
				usage_error(usage_text, "bad watchdog '%s': "
				    "want a duration of at least 10ms, e.g. "
				    "1s", optarg);
			h.wd_ms = ms;
			break;
		case 'c':
			if (parse_ulong(optarg, 1, ULONG_MAX, &v) < 0)
				usage_error(usage_text, "bad count '%s'",
				    optarg);
			h.count = v;
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
		usage_error(usage_text, "no medium to send on");
	if ((size_t)argc > MAXMEDIA)
		usage_error(usage_text, "at most %d media", MAXMEDIA);
	for (i = 0; i < (size_t)argc; i++) {
		if (media_parse(argv[i], MEDIA_SEND, &h.m[i].spec, &why) < 0)
			usage_error(usage_text, "bad medium '%s': %s", argv[i],
			    why);
		h.m[i].fd = -1;
	}
	h.nm = (size_t)argc;
	if (h.node[0] == '\0') {
		if (uname(&un) < 0)
			die(HK_EXIT_SYS, "uname:");
		if (!hb_valid_node(un.nodename))
			die(HK_EXIT_USAGE, "node name '%s' (uname -n) cannot go "
			    "in a heartbeat; give one with -n", un.nodename);
		memcpy(h.node, un.nodename, strlen(un.nodename) + 1);
	}
	auth_load_keys(keyfile, &h.keys);
	if (status != NULL && take_status(&h, status) < 0)
		die(HK_EXIT_USAGE, "bad -s '%s'", status);
	h.gen = genfile != NULL ? next_gen(genfile) : tm_wall_ms();

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
	/*
	 * stdin stays as it is: its file description is shared with whoever
	 * started us, and O_NONBLOCK there would outlive us.  It is read once
	 * per poll that says it is ready, which does not block.
	 */
	if (fcntl(STDIN_FILENO, F_GETFL) < 0) {
		if (h.wd_ms != 0)
			die(HK_EXIT_USAGE, "-W: standard input is closed; the "
			    "watchdog needs status lines there");
		h.in_open = 0;
	}

	now = tm_now_ms();
	for (i = 0; i < h.nm; i++) {
		if (medium_open(&h.m[i]) < 0) {
			medium_fail(&h.m[i], "cannot open");
			h.m[i].retry_at = now + RETRY_MS;
		}
	}
	next_send = now;
	h.fed_at = now;
	while (!sig_stop) {
		now = tm_now_ms();
		if (!watchdog(&h, now, &next_send)) {
			fed_out = 1;
			break;
		}
		if (now >= next_send && h.starved) {
			next_send += h.iv;
			if (next_send <= now)
				next_send = now + h.iv;
		} else if (now >= next_send) {
			send_all(&h, now);
			for (i = 0; i < h.nm && h.m[i].dead; i++)
				;
			if (i == h.nm)
				die(HK_EXIT_SYS, "no medium left to send on");
			/* Keep the beat; after a stall, start afresh. */
			next_send += h.iv;
			if (next_send <= now)
				next_send = now + h.iv;
			if (h.count != 0 && h.sent >= h.count)
				break;
		}
		np = 0;
		if (h.in_open) {
			pfd[np].fd = STDIN_FILENO;
			pfd[np].events = POLLIN;
			np++;
		}
		for (i = 0; i < h.nm; i++)
			if (h.m[i].fd >= 0 && h.m[i].outoff < h.m[i].outlen) {
				pfd[np].fd = h.m[i].fd;
				pfd[np].events = POLLOUT;
				np++;
			}
		pfd[np].fd = wakefd;		/* after the others: np stays */
		pfd[np].events = POLLIN;
		ms = next_send;
		if (h.wd_ms != 0 && !h.starved && h.fed_at + h.wd_ms < ms)
			ms = h.fed_at + h.wd_ms;
		if (poll(pfd, np + 1, tm_poll_timeout(ms)) < 0) {
			if (errno == EINTR)
				continue;
			die(HK_EXIT_SYS, "poll:");
		}
		now = tm_now_ms();
		for (i = 0; i < h.nm; i++)
			if (h.m[i].fd >= 0 && h.m[i].outoff < h.m[i].outlen)
				(void)stream_flush(&h.m[i], now);
		if (h.in_open && np > 0 && pfd[0].fd == STDIN_FILENO &&
		    (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    read_status(&h, now))
			next_send = now;	/* tell the peer at once */
	}
	/* -c: let streams finish the last line, for a second at most. */
	ms = tm_now_ms() + 1000;
	for (i = 0; i < h.nm && !sig_stop; i++)
		while (h.m[i].fd >= 0 && h.m[i].outoff < h.m[i].outlen &&
		    tm_now_ms() < ms) {
			pfd[0].fd = h.m[i].fd;
			pfd[0].events = POLLOUT;
			(void)poll(pfd, 1, tm_poll_timeout(ms));
			(void)stream_flush(&h.m[i], tm_now_ms());
		}
	if (h.count != 0 && !sig_stop)
		for (i = 0; i < h.nm; i++)
			if (h.m[i].failed || h.m[i].outoff < h.m[i].outlen)
				return HK_EXIT_SYS;
	return fed_out ? HK_EXIT_NO : HK_EXIT_OK;
}
