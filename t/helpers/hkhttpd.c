/*
 * hkhttpd.c - a tiny HTTP responder for the tests: every request gets
 * the same answer, or a chosen misbehaviour (hang, chunked, slow, close,
 * garbage), or with -r the bytes of a file as they are, for answers
 * no real server would give.  Many connections at once with poll(); foreground until
 * SIGTERM.  Nothing on stdout; errors on stderr.
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
    "usage: hkhttpd [-a ADDR] [-p PORT] [-c CODE] [-b BODY] "
    "[-m ok|hang|chunked|slow|close|garbage] [-r FILE]\n";

#define MAXCONN		1000
#define SLOW_MS		2000
#define CHUNK		5	/* small chunks: strings straddle them */

enum mode { M_OK, M_HANG, M_CHUNKED, M_SLOW, M_CLOSE, M_GARBAGE, M_RAW };
enum cstate { C_READ, C_WAIT, C_WRITE, C_HANG };

struct conn {
	int		fd;
	enum cstate	st;
	unsigned	tail;		/* how much of "\r\n\r\n" was seen */
	size_t		got;		/* request bytes read */
	uint64_t	due;		/* C_WAIT: when to answer */
	char		*out;
	size_t		outlen, outoff;
};

struct srv {
	enum mode	mode;
	unsigned long	code;
	const char	*body;
	char		*raw;		/* -r: the whole answer */
	size_t		rawlen;
	int		lfd;
	struct conn	c[MAXCONN];
	size_t		nc;
};

static volatile sig_atomic_t stop;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static const char *
reason(unsigned long code)
{
	switch (code) {
	case 200: return "OK";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	default: return "Status";
	}
}

/* Builds the whole answer for one request into c->out. */
static int
build_reply(struct srv *s, struct conn *c)
{
	size_t blen = strlen(s->body) + 1, cap, n, i, k;
	char *p;

	cap = 256 + blen * 2 + (blen / CHUNK + 2) * 16;
	if ((p = malloc(cap)) == NULL)
		return -1;
	if (s->mode == M_RAW) {
		if (cap < s->rawlen && (p = realloc(p, s->rawlen)) == NULL)
			return -1;
		memcpy(p, s->raw, s->rawlen);
		n = s->rawlen;
	} else if (s->mode == M_GARBAGE) {
		n = (size_t)snprintf(p, cap,
		    "SSH-2.0-notHTTP garbage here\r\n\x01\x02\x03\n");
	} else if (s->mode == M_CHUNKED) {
		n = (size_t)snprintf(p, cap, "HTTP/1.1 %lu %s\r\n"
		    "Content-Type: text/plain\r\n"
		    "Transfer-Encoding: chunked\r\n"
		    "Connection: close\r\n\r\n", s->code, reason(s->code));
		for (i = 0; i < blen; i += k) {
			k = blen - i < CHUNK ? blen - i : CHUNK;
			/* Every other chunk carries an extension. */
			n += (size_t)snprintf(p + n, cap - n, "%zx%s\r\n",
			    k, (i / CHUNK) % 2 ? ";x=y" : "");
			memcpy(p + n, s->body + i, k - (i + k == blen));
			if (i + k == blen)
				p[n + k - 1] = '\n';
			n += k;
			n += (size_t)snprintf(p + n, cap - n, "\r\n");
		}
		n += (size_t)snprintf(p + n, cap - n, "0\r\n\r\n");
	} else {
		n = (size_t)snprintf(p, cap, "HTTP/1.1 %lu %s\r\n"
		    "Content-Type: text/plain\r\n"
		    "Content-Length: %zu\r\n"
		    "Connection: close\r\n\r\n%s\n",
		    s->code, reason(s->code), blen, s->body);
	}
	c->out = p;
	c->outlen = n;
	c->outoff = 0;
	c->st = C_WRITE;
	return 0;
}

static void
drop(struct srv *s, size_t i)
{
	close(s->c[i].fd);
	free(s->c[i].out);
	s->c[i] = s->c[--s->nc];
}

static void
accept_all(struct srv *s)
{
	struct conn *c;
	int fd;

	for (;;) {
		fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != ECONNABORTED && errno != EINTR)
				warnf("accept:");
			return;
		}
		if (s->mode == M_CLOSE || s->nc == MAXCONN) {
			close(fd);
			continue;
		}
		c = &s->c[s->nc++];
		*c = (struct conn){ .fd = fd,
		    .st = s->mode == M_HANG ? C_HANG : C_READ };
	}
}

/* Reads request bytes; 1 when the connection must go. */
static int
do_read(struct srv *s, struct conn *c)
{
	static const char end[] = "\r\n\r\n";
	char buf[4096];
	ssize_t n, i;

	n = read(c->fd, buf, sizeof(buf));
	if (n < 0)
		return errno != EAGAIN && errno != EINTR;
	if (n == 0)
		return 1;
	if (c->st != C_READ)
		return 0;	/* hang and wait: swallow what comes */
	for (i = 0; i < n && c->tail < 4; i++) {
		if (buf[i] == end[c->tail])
			c->tail++;
		else
			c->tail = buf[i] == '\r';
	}
	c->got += (size_t)n;
	if (c->tail < 4 && c->got < 65536)
		return 0;
	if (s->mode == M_SLOW) {
		c->st = C_WAIT;
		c->due = tm_now_ms() + SLOW_MS;
		return 0;
	}
	return build_reply(s, c) < 0;
}

static int
do_write(struct conn *c)
{
	ssize_t n;

	n = write(c->fd, c->out + c->outoff, c->outlen - c->outoff);
	if (n < 0)
		return errno != EAGAIN && errno != EINTR;
	c->outoff += (size_t)n;
	if (c->outoff < c->outlen)
		return 0;
	shutdown(c->fd, SHUT_WR);
	return 1;
}

/* -r FILE: read it whole. */
static void
load_raw(struct srv *s, const char *path)
{
	char buf[65536];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL)
		die(HK_EXIT_SYS, "%s:", path);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if ((s->raw = realloc(s->raw, s->rawlen + n)) == NULL)
			die(HK_EXIT_SYS, "out of memory");
		memcpy(s->raw + s->rawlen, buf, n);
		s->rawlen += n;
	}
	if (ferror(f))
		die(HK_EXIT_SYS, "%s:", path);
	fclose(f);
	s->mode = M_RAW;
}

static int
listen_on(const char *addr, unsigned long port)
{
	struct sockaddr_storage ss;
	struct hk_addr a;
	socklen_t sl;
	int fd, one = 1;

	if (addr_parse(addr, &a) < 0)
		die(HK_EXIT_USAGE, "bad address: %s", addr);
	sl = addr_to_sockaddr(&a, (unsigned)port, &ss);
	fd = socket(a.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die(HK_EXIT_SYS, "socket:");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0)
		die(HK_EXIT_SYS, "bind %s port %lu:", addr, port);
	if (listen(fd, 1024) < 0)
		die(HK_EXIT_SYS, "listen:");
	return fd;
}

int
main(int argc, char **argv)
{
	static struct srv s = { .mode = M_OK, .code = 200, .body = "OK" };
	static struct pollfd pfd[MAXCONN + 1];
	const char *addr = "0.0.0.0";
	unsigned long port = 80;
	struct sigaction sa;
	uint64_t now, next;
	size_t i;
	int opt, tmo, n;

	hk_setprogname(argv[0]);
	while ((opt = getopt(argc, argv, "a:b:c:hm:p:r:V")) != -1) {
		switch (opt) {
		case 'a':
			addr = optarg;
			break;
		case 'b':
			s.body = optarg;
			break;
		case 'c':
			if (parse_ulong(optarg, 100, 999, &s.code) < 0)
				usage_error(usage_text, "bad code: %s", optarg);
			break;
		case 'h':
			usage_exit(usage_text, HK_EXIT_OK);
		case 'm':
			if (strcmp(optarg, "ok") == 0)
				s.mode = M_OK;
			else if (strcmp(optarg, "hang") == 0)
				s.mode = M_HANG;
			else if (strcmp(optarg, "chunked") == 0)
				s.mode = M_CHUNKED;
			else if (strcmp(optarg, "slow") == 0)
				s.mode = M_SLOW;
			else if (strcmp(optarg, "close") == 0)
				s.mode = M_CLOSE;
			else if (strcmp(optarg, "garbage") == 0)
				s.mode = M_GARBAGE;
			else
				usage_error(usage_text, "bad mode: %s", optarg);
			break;
		case 'p':
			if (parse_ulong(optarg, 1, 65535, &port) < 0)
				usage_error(usage_text, "bad port: %s", optarg);
			break;
		case 'r':
			load_raw(&s, optarg);
			break;
		case 'V':
			version_exit();
		default:
			usage_error(usage_text, "unknown option");
		}
	}
	if (optind != argc)
		usage_error(usage_text, "unexpected argument: %s", argv[optind]);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	s.lfd = listen_on(addr, port);

	while (!stop) {
		now = tm_now_ms();
		next = UINT64_MAX;
		pfd[0] = (struct pollfd){ .fd = s.lfd, .events = POLLIN };
		for (i = 0; i < s.nc; i++) {
			struct conn *c = &s.c[i];

			if (c->st == C_WAIT && c->due <= now &&
			    build_reply(&s, c) < 0)
				die(HK_EXIT_SYS, "out of memory");
			if (c->st == C_WAIT && c->due < next)
				next = c->due;
			pfd[i + 1] = (struct pollfd){ .fd = c->fd,
			    .events = c->st == C_WRITE ? POLLOUT : POLLIN };
		}
		tmo = next == UINT64_MAX ? -1 : tm_poll_timeout(next);
		n = poll(pfd, s.nc + 1, tmo);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die(HK_EXIT_SYS, "poll:");
		}
		/* Backwards, so that drop() moving the last one is safe. */
		for (i = s.nc; i-- > 0;) {
			struct conn *c = &s.c[i];
			short re = pfd[i + 1].revents;
			int gone = 0;

			if (re == 0)
				continue;
			if (c->st == C_WRITE && (re & POLLOUT))
				gone = do_write(c);
			else if (re & (POLLIN | POLLHUP | POLLERR))
				gone = do_read(&s, c);
			if (gone)
				drop(&s, i);
		}
		if (pfd[0].revents & POLLIN)
			accept_all(&s);
	}
	for (i = s.nc; i-- > 0;)
		drop(&s, i);
	close(s.lfd);
	return HK_EXIT_OK;
}
