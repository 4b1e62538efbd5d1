/*
 * haclient.c - the client of the failover lab (t/61, make demo, the
 * failover benchmark): starts an HTTP GET every INTERVAL, whether or not
 * the earlier ones have finished, and reports what it saw, so that an
 * outage is measured the way a user lives it.
 *
 *   answer BODY t=MS              the answers' last line changed
 *   outage ms=MS from=BODY to=BODY t=MS
 *                                 no request started within MS ms got an
 *                                 answer (measured between the starts of
 *                                 the last good request before and the
 *                                 first good one after; those between
 *                                 failed or are still unanswered); gaps
 *                                 under 3 intervals are scheduling noise
 *   summary requests=N ok=N failed=N longest=MS   at the end
 *
 * t= is ms since start.  Runs until SIGTERM, or for -d DURATION.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"
#include "common.h"
#include "tm.h"

static const char usage_text[] =
    "usage: haclient [-i INTERVAL] [-t TIMEOUT] [-d DURATION] ADDRESS [PORT]\n";

#define MAXREQ	256
#define BODYMAX	64

struct req {
	int		fd;
	int		sent;
	uint64_t	start;
	size_t		len;
	char		buf[512];
};

struct client {
	struct sockaddr_storage ss;
	socklen_t	sslen;
	uint64_t	iv, timeout, t0;
	struct req	r[MAXREQ];
	uint64_t	last_ok;	/* start of the newest good answer */
	int		have_ok;
	uint64_t	fail_start;	/* earliest failed start after last_ok */
	int		failing;
	char		body[BODYMAX], from[BODYMAX];
	unsigned long	n, ok, failed, longest;
};

static volatile sig_atomic_t stop;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void
start_req(struct client *c, uint64_t now)
{
	struct req *q = NULL;
	size_t i;
	int fd;

	for (i = 0; i < MAXREQ; i++)
		if (c->r[i].fd < 0) {
			q = &c->r[i];
			break;
		}
	c->n++;
	if (q == NULL) {
		c->failed++;
		return;
	}
	fd = socket(c->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd < 0) {
		c->failed++;
		return;
	}
	if (connect(fd, (struct sockaddr *)&c->ss, c->sslen) < 0 &&
	    errno != EINPROGRESS) {
		close(fd);
		c->failed++;
		return;
	}
	q->fd = fd;
	q->sent = 0;
	q->start = now;
	q->len = 0;
}

/* The last non-empty line of the answer: the body of our responders. */
static void
last_line(const char *s, size_t len, char *out)
{
	size_t e = len, b;

	while (e > 0 && (s[e - 1] == '\n' || s[e - 1] == '\r'))
		e--;
	b = e;
	while (b > 0 && s[b - 1] != '\n')
		b--;
	if (e - b >= BODYMAX)
		e = b + BODYMAX - 1;
	memcpy(out, s + b, e - b);
	out[e - b] = '\0';
	if (out[0] == '\0')
		strcpy(out, "-");
}

static void
done(struct client *c, struct req *q, int good)
{
	char body[BODYMAX];

	close(q->fd);
	q->fd = -1;
	if (!good || q->len < 12 || memcmp(q->buf, "HTTP/1.", 7) != 0 ||
	    q->buf[9] != '2') {
		c->failed++;
		if (c->have_ok && q->start > c->last_ok &&
		    (!c->failing || q->start < c->fail_start)) {
			c->failing = 1;
			c->fail_start = q->start;
		}
		return;
	}
	c->ok++;
	last_line(q->buf, q->len, body);
	if (c->have_ok && q->start < c->last_ok)
		return;		/* older than what we know */
	/* Requests started in between that are still unanswered (a dead
	 * host's packets vanish: they time out long after the new holder
	 * answers) make an outage too. */
	if (c->have_ok && !(c->failing && c->fail_start < q->start)) {
		size_t i;

		for (i = 0; i < MAXREQ; i++)
			if (c->r[i].fd >= 0 && c->r[i].start > c->last_ok &&
			    c->r[i].start < q->start) {
				c->failing = 1;
				c->fail_start = c->r[i].start;
				break;
			}
	}
	if (c->have_ok && c->failing && c->fail_start < q->start &&
	    q->start - c->last_ok >= 3 * c->iv) {
		uint64_t gap = q->start - c->last_ok;

		printf("outage ms=%llu from=%s to=%s t=%llu\n",
		    (unsigned long long)gap, c->from, body,
		    (unsigned long long)(q->start - c->t0));
		if (gap > c->longest)
			c->longest = gap;
	}
	if (!c->have_ok || strcmp(body, c->body) != 0)
		printf("answer %s t=%llu\n", body,
		    (unsigned long long)(q->start - c->t0));
	strcpy(c->body, body);
	strcpy(c->from, body);
	c->last_ok = q->start;
	c->have_ok = 1;
	if (c->failing && c->fail_start < q->start)
		c->failing = 0;
}

static void
io(struct client *c, struct req *q, short rev)
{
	static const char get[] = "GET / HTTP/1.0\r\nHost: vip\r\n\r\n";
	ssize_t n;
	int err = 0;
	socklen_t el = sizeof err;

	if (!q->sent) {
		if (getsockopt(q->fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 ||
		    err != 0 || (rev & (POLLERR | POLLHUP))) {
			done(c, q, 0);
			return;
		}
		if (send(q->fd, get, sizeof get - 1, MSG_NOSIGNAL) !=
		    (ssize_t)(sizeof get - 1)) {
			done(c, q, 0);
			return;
		}
		q->sent = 1;
		return;
	}
	n = read(q->fd, q->buf + q->len, sizeof q->buf - 1 - q->len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0 || q->len + (size_t)n >= sizeof q->buf - 1) {
		if (n > 0)
			q->len += (size_t)n;
		done(c, q, n == 0 || n > 0);
		return;
	}
	q->len += (size_t)n;
}

int
main(int argc, char **argv)
{
	static struct client c;
	struct pollfd p[MAXREQ];
	struct req *map[MAXREQ];
	struct sigaction sa;
	struct hk_addr a;
	unsigned long port = 80;
	uint64_t dur = 0, now, next;
	size_t i, np;
	int o;

	hk_setprogname(argv[0]);
	c.iv = 10;
	c.timeout = 1000;
	while ((o = getopt(argc, argv, "d:hi:t:V")) != -1) {
		switch (o) {
		case 'd':
			if (parse_dur(optarg, &dur) < 0)
				usage_error(usage_text, "bad duration: %s", optarg);
			break;
		case 'h':
			usage_exit(usage_text, HK_EXIT_OK);
		case 'i':
			if (parse_dur(optarg, &c.iv) < 0 || c.iv == 0)
				usage_error(usage_text, "bad interval: %s", optarg);
			break;
		case 't':
			if (parse_dur(optarg, &c.timeout) < 0 || c.timeout == 0)
				usage_error(usage_text, "bad timeout: %s", optarg);
			break;
		case 'V':
			version_exit();
		default:
			usage_error(usage_text, "unknown option");
		}
	}
	if (argc - optind < 1 || argc - optind > 2)
		usage_error(usage_text, "expected ADDRESS [PORT]");
	if (addr_parse(argv[optind], &a) < 0)
		usage_error(usage_text, "bad address: %s", argv[optind]);
	if (argc - optind == 2 &&
	    parse_ulong(argv[optind + 1], 1, 65535, &port) < 0)
		usage_error(usage_text, "bad port: %s", argv[optind + 1]);
	c.sslen = addr_to_sockaddr(&a, (unsigned)port, &c.ss);
	for (i = 0; i < MAXREQ; i++)
		c.r[i].fd = -1;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	c.t0 = next = tm_now_ms();
	while (!stop) {
		now = tm_now_ms();
		if (dur != 0 && now - c.t0 >= dur)
			break;
		if (now >= next) {
			start_req(&c, now);
			next += c.iv;
			if (next < now)
				next = now + c.iv;
		}
		for (i = 0; i < MAXREQ; i++)
			if (c.r[i].fd >= 0 && now - c.r[i].start >= c.timeout)
				done(&c, &c.r[i], 0);
		np = 0;
		for (i = 0; i < MAXREQ; i++)
			if (c.r[i].fd >= 0) {
				p[np].fd = c.r[i].fd;
				p[np].events = c.r[i].sent ? POLLIN : POLLOUT;
				map[np++] = &c.r[i];
			}
		if (poll(p, np, tm_poll_timeout(next)) < 0) {
			if (errno == EINTR)
				continue;
			die(HK_EXIT_SYS, "poll:");
		}
		for (i = 0; i < np; i++)
			if (p[i].revents != 0 && map[i]->fd >= 0)
				io(&c, map[i], p[i].revents);
	}
	printf("summary requests=%lu ok=%lu failed=%lu longest=%lu\n", c.n,
	    c.ok, c.failed, c.longest);
	hk_check_stdout_at_exit();
	return HK_EXIT_OK;
}
