/*
 * httpcheck.c - checks HTTP services on many hosts at once: one GET per
 * host, all on non-blocking sockets under one poll() loop, each judged
 * on its status code and, optionally, a string in its (de-chunked) body.
 * Speaks mon's monitor protocol, or Nagios's with -N.  See httpcheck(8).
 */
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"
#include "mon.h"
#include "tm.h"

static const char usage_text[] =
    "usage: httpcheck [-N] [-e CODES] [-H HOSTHEADER] [-p PORT] [-s STRING]"
    " [-t TIMEOUT] [-u PATH] [-w WARN] [-c CRIT] HOST|URL ...\n";

/* One line per option, for -h and --help: see usage_help(). */
static const char help_text[] =
    "-N\tNagios plugin mode: one line of output, Nagios's exit codes\n"
    "\twithout -N: mon's; line 1 names the failed hosts and is empty\n"
    "\twhen all passed (mon's summary line; scripts rely on it)\n"
    "-e CODES\tstatus codes that pass, such as 200-299,3xx (default 200-399)\n"
    "-H HOSTHEADER\tthe Host: header to send (default: the host operand)\n"
    "-p PORT\tport for bare host operands (default 80)\n"
    "-s STRING\t"
    "body must hold STRING in its first 64 KiB (default: any body)\n"
    "-t TIMEOUT\ttime for the whole check of each host, ms or s (default 2s)\n"
    "-u PATH\tpath for bare host operands (default /)\n"
    "-w WARN\t-N: warning when a check takes longer, ms or s (default none)\n"
    "-c CRIT\t-N: critical when a check takes longer, ms or s (default none)\n";

#define OPTS		"c:e:hH:Np:s:t:u:Vw:"
#define DEF_TIMEOUT_MS	2000
#define MAXBODY		65536		/* body bytes read and searched */
#define MAXHEAD		16384		/* status line and headers */
#define MAXCODES	32
#define FD_SPARE	8		/* stdio, the resolver, slack */

enum res {
	HR_PENDING, HR_OK, HR_REFUSED, HR_UNREACH, HR_CTIMEOUT, HR_RTIMEOUT,
	HR_BADSTATUS, HR_NOSTRING, HR_MALFORMED, HR_UNKNOWNHOST, HR_ERROR
};

static const char *const res_word[] = {
	"pending", "ok", "refused", "unreachable", "connect-timeout",
	"response-timeout", "bad-status", "string-missing", "malformed",
	"unknown-host", "error"
};

enum tstate { T_CONNECT, T_SEND, T_RECV, T_DONE };
enum cstate { CS_NONE, CS_SIZE, CS_DATA, CS_CRLF, CS_END };

struct target {
	const char	*arg;		/* as given: named in the output */
	char		host[256];	/* to resolve */
	char		hosthdr[300];	/* Host: header */
	const char	*path;
	unsigned	port;
	struct addrinfo	*ai, *cur;
	int		fd;
	enum tstate	st;
	uint64_t	start_us, end_us;
	char		*req;
	size_t		reqlen, reqoff;
	char		*buf;		/* the raw response */
	size_t		len, cap;
	int		status;
	enum cstate	cst;		/* chunked: where the decoder is */
	size_t		body, dlen;	/* chunked: decoded body in buf */
	size_t		raw;		/* chunked: first byte not decoded */
	unsigned long long left;	/* chunked: data left in this chunk */
	enum res	res;
	const char	*why;		/* detail for malformed/error */
	int		err;		/* errno for HR_ERROR */
};

struct range {
	unsigned	lo, hi;
};

struct cfg {
	unsigned	port;
	const char	*path;
	uint64_t	timeout_ms;
	struct range	codes[MAXCODES];
	size_t		ncodes;
	const char	*string;
	size_t		slen;
	const char	*hosthdr;
	int		nagios;
	uint64_t	warn_ms, crit_ms;	/* 0: none */
	struct target	*t;
	size_t		nt;
};

static noreturn void
bad_usage(const struct cfg *c, const char *fmt, const char *arg)
{
	char msg[512];

	snprintf(msg, sizeof(msg), fmt, arg);
	warnf("%s", msg);
	fputs(usage_text, stderr);
	if (c->nagios)
		printf("HTTP UNKNOWN - %s\n", msg);
	/* Nagios reads 2 as CRITICAL: a broken command line is UNKNOWN. */
	exit(c->nagios ? MON_NAG_UNKNOWN : HK_EXIT_USAGE);
}

/*
 * A system error: exit 3, which is also Nagios's UNKNOWN (with its line).
 * Never blamed on the hosts: out of files is not a failed check.
 */
static noreturn void
sys_fail(const struct cfg *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	warnf("%s", msg);
	if (c->nagios)
		printf("HTTP UNKNOWN - %s\n", msg);
	exit(c->nagios ? MON_NAG_UNKNOWN : HK_EXIT_SYS);
}

/* "200-399", "200,301,302", "2xx" mixed with commas. */
static int
parse_codes(struct cfg *c, const char *s)
{
	char buf[256], *tok, *save, *dash;
	unsigned long lo, hi;

	if (strlen(s) >= sizeof(buf) || *s == '\0')
		return -1;
	strcpy(buf, s);
	c->ncodes = 0;
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (c->ncodes == MAXCODES)
			return -1;
		if (strlen(tok) == 3 && tok[0] >= '1' && tok[0] <= '5' &&
		    strcasecmp(tok + 1, "xx") == 0) {
			lo = (unsigned long)(tok[0] - '0') * 100;
			hi = lo + 99;
		} else if ((dash = strchr(tok, '-')) != NULL) {
			*dash = '\0';
			if (parse_ulong(tok, 100, 599, &lo) < 0 ||
			    parse_ulong(dash + 1, 100, 599, &hi) < 0 || hi < lo)
				return -1;
		} else {
			if (parse_ulong(tok, 100, 599, &lo) < 0)
				return -1;
			hi = lo;
		}
		c->codes[c->ncodes++] = (struct range){ (unsigned)lo,
		    (unsigned)hi };
	}
	return c->ncodes > 0 ? 0 : -1;
}

static int
code_ok(const struct cfg *c, int status)
{
	size_t i;

	for (i = 0; i < c->ncodes; i++)
		if ((unsigned)status >= c->codes[i].lo &&
		    (unsigned)status <= c->codes[i].hi)
			return 1;
	return 0;
}

/* A host name or address: no blanks, slashes, brackets or controls. */
static int
host_ok(const char *h)
{
	if (*h == '\0' || strlen(h) > 253)
		return 0;
	for (; *h != '\0'; h++)
		if ((unsigned char)*h <= ' ' || *h == '/' || *h == '[' ||
		    *h == ']' || *h == '@' || *h == '?' || *h == '#' ||
		    (unsigned char)*h >= 127)
			return 0;
	return 1;
}

/* A header value: printable, no blanks or controls (no injection). */
static int
hdr_ok(const char *h)
{
	if (*h == '\0' || strlen(h) > 255)
		return 0;
	for (; *h != '\0'; h++)
		if ((unsigned char)*h <= ' ' || (unsigned char)*h >= 127)
			return 0;
	return 1;
}

static int
path_ok(const char *p)
{
	if (*p != '/')
		return 0;
	for (; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 127)
			return 0;
	return 1;
}

/*
 * Fills t from one operand: a bare host (with -p and -u) or an
 * http://host[:port][/path] URL.  -1 with a reason in *why.
 */
static int
parse_target(const struct cfg *c, const char *arg, struct target *t,
    const char **why)
{
	const char *p, *hs, *he, *slash;
	unsigned long port = c->port;
	char portbuf[8];
	size_t hl;

	*t = (struct target){ .arg = arg, .path = c->path, .fd = -1 };
	if (strncasecmp(arg, "https://", 8) == 0) {
		*why = "https is not supported (no TLS): %s";
		return -1;
	}
	if (strncasecmp(arg, "http://", 7) == 0) {
		/* A URL's own port and path: -p and -u are for bare hosts. */
		port = 80;
		p = arg + 7;
		slash = strchr(p, '/');
		if (slash == NULL) {
			slash = p + strlen(p);
			t->path = "/";
		} else
			t->path = slash;
		if (*p == '[') {
			hs = p + 1;
			if ((he = memchr(hs, ']', (size_t)(slash - hs))) == NULL)
				goto badurl;
			p = he + 1;
		} else {
			hs = p;
			he = memchr(hs, ':', (size_t)(slash - hs));
			if (he == NULL)
				he = slash;
			p = he;
		}
		if (p < slash) {
			if (*p != ':' || slash - p - 1 <= 0 ||
			    (size_t)(slash - p - 1) >= sizeof(portbuf))
				goto badport;
			memcpy(portbuf, p + 1, (size_t)(slash - p - 1));
			portbuf[slash - p - 1] = '\0';
			if (parse_ulong(portbuf, 1, 65535, &port) < 0)
				goto badport;
		}
		hl = (size_t)(he - hs);
		if (hl == 0 || hl >= sizeof(t->host))
			goto badurl;
		memcpy(t->host, hs, hl);
		t->host[hl] = '\0';
		if (*t->path == '\0')
			t->path = "/";
	} else if (strstr(arg, "://") != NULL) {
		*why = "not an http URL: %s";
		return -1;
	} else {
		if (strlen(arg) >= sizeof(t->host))
			goto badurl;
		strcpy(t->host, arg);
	}
	if (!host_ok(t->host) || !path_ok(t->path))
		goto badurl;
	t->port = (unsigned)port;
	if (c->hosthdr != NULL)
		snprintf(t->hosthdr, sizeof(t->hosthdr), "%s", c->hosthdr);
	else if (strchr(t->host, ':') != NULL)
		snprintf(t->hosthdr, sizeof(t->hosthdr), port == 80 ?
		    "[%s]" : "[%s]:%lu", t->host, port);
	else
		snprintf(t->hosthdr, sizeof(t->hosthdr), port == 80 ?
		    "%s" : "%s:%lu", t->host, port);
	return 0;
badport:
	*why = "bad port in URL: %s";
	return -1;
badurl:
	*why = "bad host or URL: %s";
	return -1;
}

static void
finish(struct target *t, enum res r)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	t->st = T_DONE;
	t->res = r;
	t->end_us = tm_now_us();
}

static void
fail_errno(struct target *t, int e)
{
	if (e == ECONNREFUSED)
		finish(t, HR_REFUSED);
	else if (e == EHOSTUNREACH || e == ENETUNREACH || e == EHOSTDOWN ||
	    e == ENETDOWN)
		finish(t, HR_UNREACH);
	else if (e == ETIMEDOUT)
		finish(t, HR_CTIMEOUT);
	else {
		t->err = e;
		finish(t, HR_ERROR);
	}
}

/* Out of file descriptors: a system error, not the host's failure. */
static noreturn void
no_files(const struct cfg *c, const struct target *t)
{
	struct rlimit rl;
	int e = errno;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		rl.rlim_cur = 0;
	sys_fail(c, "%s: out of file descriptors with %zu hosts to check at "
	    "once (ulimit -n is %llu): %s", t->arg, c->nt,
	    (unsigned long long)rl.rlim_cur, strerror(e));
}

/* Starts a connection to t->cur; moves on to the next address on error. */
static void
start_connect(const struct cfg *c, struct target *t)
{
	struct sockaddr_storage ss;
	int e = 0;

	for (; t->cur != NULL; t->cur = t->cur->ai_next) {
		memcpy(&ss, t->cur->ai_addr, t->cur->ai_addrlen);
		((struct sockaddr_in *)&ss)->sin_port = htons(t->port);
		t->fd = socket(t->cur->ai_family,
		    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (t->fd < 0) {
			if (errno == EMFILE || errno == ENFILE)
				no_files(c, t);
			e = errno;
			continue;
		}
		if (connect(t->fd, (struct sockaddr *)&ss,
		    t->cur->ai_addrlen) == 0 || errno == EINPROGRESS) {
			t->st = errno == EINPROGRESS ? T_CONNECT : T_SEND;
			return;
		}
		e = errno;
		close(t->fd);
		t->fd = -1;
	}
	fail_errno(t, e);
}

/* Connection failed with e: try the host's next address, if any. */
static void
connect_failed(const struct cfg *c, struct target *t, int e)
{
	close(t->fd);
	t->fd = -1;
	if (t->cur != NULL && t->cur->ai_next != NULL &&
	    (e == ECONNREFUSED || e == EHOSTUNREACH || e == ENETUNREACH ||
	    e == EADDRNOTAVAIL || e == ENETDOWN)) {
		t->cur = t->cur->ai_next;
		start_connect(c, t);	/* reports its own failure */
		return;
	}
	fail_errno(t, e);
}

static void
malformed(struct target *t, const char *why)
{
	t->why = why;
	finish(t, HR_MALFORMED);
}

/* Case-insensitive: does header line [p, e) have name n? Sets *v. */
static int
header_is(const char *p, const char *e, const char *n, const char **v)
{
	size_t nl = strlen(n);

	if ((size_t)(e - p) <= nl || strncasecmp(p, n, nl) != 0 ||
	    p[nl] != ':')
		return 0;
	for (p += nl + 1; p < e && (*p == ' ' || *p == '\t'); p++)
		;
	*v = p;
	return 1;
}

/* Is the token "chunked" in the value [v, e)? */
static int
has_chunked(const char *v, const char *e)
{
	for (; e - v >= 7; v++)
		if (strncasecmp(v, "chunked", 7) == 0)
			return 1;
	return 0;
}

/*
 * Decodes the chunked body in place, as it arrives: the data of the
 * chunks read so far is moved down to [body, body + dlen) and only the
 * part not yet decoded stays after it, so chunk framing never eats the
 * buffer and 64 KiB of body fit however small the chunks.  Returns 1 at
 * the last chunk or the bound, 0 when more input is needed, -1 when
 * malformed.
 */
static int
dechunk(struct target *t)
{
	char *b = t->buf, *nl;
	size_t n, k;
	int r = 0;

	while (r == 0) {
		size_t avail = t->len - t->raw;

		if (t->cst == CS_SIZE) {
			unsigned long long sz = 0;
			const char *p = b + t->raw;
			int digits = 0;

			if ((nl = memchr(p, '\n', avail)) == NULL) {
				if (avail > 1024)
					return -1;
				break;
			}
			for (; p < nl; p++, digits++) {
				int d;

				if (*p >= '0' && *p <= '9')
					d = *p - '0';
				else if (*p >= 'a' && *p <= 'f')
					d = *p - 'a' + 10;
				else if (*p >= 'A' && *p <= 'F')
					d = *p - 'A' + 10;
				else
					break;
				if (sz > (1ULL << 40))
					return -1;
				sz = sz * 16 + (unsigned)d;
			}
			if (digits == 0 || (p < nl && *p != ';' && *p != '\r' &&
			    *p != ' ' && *p != '\t'))
				return -1;
			t->raw = (size_t)(nl + 1 - b);
			t->left = sz;
			t->cst = sz == 0 ? CS_END : CS_DATA;
			r = sz == 0;
		} else if (t->cst == CS_DATA) {
			if (avail == 0)
				break;
			n = avail < t->left ? avail : (size_t)t->left;
			k = MAXBODY - t->dlen < n ? MAXBODY - t->dlen : n;
			memmove(b + t->body + t->dlen, b + t->raw, k);
			t->dlen += k;
			t->raw += n;
			t->left -= n;
			if (t->dlen >= MAXBODY)
				r = 1;	/* the bound: search what we have */
			else if (t->left == 0)
				t->cst = CS_CRLF;
		} else if (t->cst == CS_CRLF) {
			/* CRLF (or LF) after the data. */
			if (avail == 0 || (avail == 1 && b[t->raw] == '\r'))
				break;
			if (b[t->raw] == '\r')
				t->raw++;
			if (b[t->raw] != '\n')
				return -1;
			t->raw++;
			t->cst = CS_SIZE;
		} else
			r = 1;
	}
	/* Keep only what is still to decode after the decoded data. */
	n = t->len - t->raw;
	memmove(b + t->body + t->dlen, b + t->raw, n);
	t->raw = t->body + t->dlen;
	t->len = t->raw + n;
	return r;
}

/* Just past the empty line that ends the header lines at [p, e), or NULL. */
static const char *
head_end(const char *p, const char *e)
{
	const char *nl;

	for (; p < e; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(e - p))) == NULL)
			return NULL;
		if (nl == p || (nl == p + 1 && *p == '\r'))
			return nl + 1;
	}
	return NULL;
}

/*
 * Judges what has arrived so far (eof: the peer closed).  Leaves t
 * pending when it needs more; decides as early as it can.  The head
 * (status line and headers) is bounded by where it ends, not by how
 * much has arrived, so the verdict never depends on how the answer
 * was split into packets.
 */
static void
judge(struct cfg *c, struct target *t, int eof)
{
	const char *b = t->buf, *e = t->buf + t->len, *nl, *p, *hend, *v;
	const char *body;
	size_t blen;
	unsigned long long clen = 0;
	int have_clen = 0, chunked = 0, r;

	/*
	 * The status line; interim 1xx answers (100 Continue, 103 Early
	 * Hints), which a client must accept unasked, are skipped whole.
	 */
	for (;;) {
		if ((nl = memchr(b, '\n', (size_t)(e - b))) == NULL) {
			if (t->len > MAXHEAD)
				malformed(t, "status-line-too-long");
			else if (eof)
				malformed(t, t->len == 0 ? "empty-reply" :
				    "no-status-line");
			else if (e - b >= 5 && strncmp(b, "HTTP/", 5) != 0)
				malformed(t, "not-http");
			return;
		}
		if (nl - t->buf >= MAXHEAD) {
			malformed(t, "status-line-too-long");
			return;
		}
		/* HTTP/D.D SSS */
		if (nl - b < 12 || strncmp(b, "HTTP/", 5) != 0 ||
		    b[5] < '0' || b[5] > '9' || b[6] != '.' || b[7] < '0' ||
		    b[7] > '9' || b[8] != ' ' || b[9] < '1' || b[9] > '5' ||
		    b[10] < '0' || b[10] > '9' || b[11] < '0' || b[11] > '9' ||
		    (nl - b > 12 && b[12] != ' ' && b[12] != '\r')) {
			malformed(t, "bad-status-line");
			return;
		}
		t->status = (b[9] - '0') * 100 + (b[10] - '0') * 10 +
		    (b[11] - '0');
		if (t->status / 100 != 1 || t->status == 101)
			break;
		if ((hend = head_end(nl + 1, e)) == NULL) {
			if (t->len > MAXHEAD)
				malformed(t, "headers-too-long");
			else if (eof)
				malformed(t, "truncated-headers");
			return;
		}
		b = hend;
		t->status = 0;
	}
	if (!code_ok(c, t->status)) {
		finish(t, HR_BADSTATUS);
		return;
	}
	/* The headers, up to an empty line. */
	hend = NULL;
	for (p = nl + 1; p < e; p = nl + 1) {
		const char *le;

		if ((nl = memchr(p, '\n', (size_t)(e - p))) == NULL)
			break;
		le = nl > p && nl[-1] == '\r' ? nl - 1 : nl;
		if (le == p) {
			hend = nl + 1;
			break;
		}
		if (*p == ' ' || *p == '\t')
			continue;	/* obsolete folding: ignore */
		if (memchr(p, ':', (size_t)(le - p)) == NULL) {
			malformed(t, "bad-header");
			return;
		}
		if (header_is(p, le, "Content-Length", &v)) {
			char num[24];
			size_t n = (size_t)(le - v);
			unsigned long ul;

			while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
				n--;
			if (n == 0 || n >= sizeof(num)) {
				malformed(t, "bad-content-length");
				return;
			}
			memcpy(num, v, n);
			num[n] = '\0';
			if (parse_ulong(num, 0, ULONG_MAX, &ul) < 0) {
				malformed(t, "bad-content-length");
				return;
			}
			clen = ul;
			have_clen = 1;
		} else if (header_is(p, le, "Transfer-Encoding", &v)) {
			chunked = has_chunked(v, le);
		}
	}
	if (hend == NULL || hend - t->buf > MAXHEAD) {
		if (t->len > MAXHEAD)
			malformed(t, "headers-too-long");
		else if (eof)
			malformed(t, "truncated-headers");
		return;
	}
	if (c->string == NULL) {
		finish(t, HR_OK);
		return;
	}
	body = hend;
	blen = (size_t)(e - hend);
	if (chunked) {
		if (t->cst == CS_NONE) {
			t->body = t->raw = (size_t)(hend - t->buf);
			t->cst = CS_SIZE;
		}
		r = dechunk(t);
		if (r < 0) {
			malformed(t, "bad-chunk");
			return;
		}
		if (memmem(t->buf + t->body, t->dlen, c->string, c->slen) !=
		    NULL)
			finish(t, HR_OK);
		else if (r == 1)
			finish(t, HR_NOSTRING);
		else if (eof)
			malformed(t, "truncated-body");
		return;
	}
	if (have_clen && blen > clen)
		blen = (size_t)clen;
	if (blen > MAXBODY)
		blen = MAXBODY;
	if (memmem(body, blen, c->string, c->slen) != NULL)
		finish(t, HR_OK);
	else if (blen >= MAXBODY || (have_clen && blen >= clen))
		finish(t, HR_NOSTRING);
	else if (eof && have_clen)
		malformed(t, "truncated-body");
	else if (eof)
		finish(t, HR_NOSTRING);
}

static void
do_send(struct target *t)
{
	ssize_t n;

	n = send(t->fd, t->req + t->reqoff, t->reqlen - t->reqoff,
	    MSG_NOSIGNAL);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		if (errno == ECONNRESET || errno == EPIPE)
			malformed(t, "reset");
		else
			fail_errno(t, errno);
		return;
	}
	t->reqoff += (size_t)n;
	if (t->reqoff == t->reqlen)
		t->st = T_RECV;
}

static void
do_recv(struct cfg *c, struct target *t)
{
	ssize_t n;
	size_t room;

	if (t->cap - t->len < 4096) {
		size_t ncap = t->cap == 0 ? 8192 : t->cap * 2;
		char *nb;

		if (ncap > MAXHEAD + MAXBODY + 8192)
			ncap = MAXHEAD + MAXBODY + 8192;
		if (ncap > t->cap) {
			if ((nb = realloc(t->buf, ncap)) == NULL)
				die(HK_EXIT_SYS, "out of memory");
			t->buf = nb;
			t->cap = ncap;
		}
	}
	room = t->cap - t->len;
	if (room == 0) {
		/* Past every bound and still undecided: judge as if closed. */
		judge(c, t, 1);
		if (t->st != T_DONE)
			malformed(t, "too-long");
		return;
	}
	n = recv(t->fd, t->buf + t->len, room, 0);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		if (errno == ECONNRESET) {
			judge(c, t, 1);
			if (t->st != T_DONE)
				malformed(t, "reset");
			return;
		}
		fail_errno(t, errno);
		return;
	}
	t->len += (size_t)n;
	judge(c, t, n == 0);
	if (t->st != T_DONE && n == 0)
		malformed(t, "closed");
}

/* Runs every check to its end or to the deadline. */
static void
run(struct cfg *c)
{
	struct pollfd *pfd;
	size_t *idx, i, n, left;
	uint64_t deadline;
	int e, tmo;
	socklen_t sl;

	if ((pfd = calloc(c->nt, sizeof(*pfd))) == NULL ||
	    (idx = calloc(c->nt, sizeof(*idx))) == NULL)
		die(HK_EXIT_SYS, "out of memory");
	deadline = tm_now_ms() + c->timeout_ms;
	for (;;) {
		left = 0;
		for (i = n = 0; i < c->nt; i++) {
			struct target *t = &c->t[i];

			if (t->st == T_DONE)
				continue;
			left++;
			pfd[n] = (struct pollfd){ .fd = t->fd,
			    .events = t->st == T_RECV ? POLLIN : POLLOUT };
			idx[n++] = i;
		}
		if (left == 0)
			break;
		tmo = tm_poll_timeout(deadline);
		if (tmo == 0)
			break;
		if (poll(pfd, n, tmo) < 0) {
			if (errno == EINTR)
				continue;
			die(HK_EXIT_SYS, "poll:");
		}
		for (i = 0; i < n; i++) {
			struct target *t = &c->t[idx[i]];

			if (pfd[i].revents == 0)
				continue;
			if (t->st == T_CONNECT) {
				e = 0;
				sl = sizeof(e);
				if (getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &e,
				    &sl) < 0)
					e = errno;
				if (e != 0) {
					connect_failed(c, t, e);
					continue;
				}
				t->st = T_SEND;
			}
			if (t->st == T_SEND)
				do_send(t);
			else if (t->st == T_RECV)
				do_recv(c, t);
		}
	}
	for (i = 0; i < c->nt; i++) {
		struct target *t = &c->t[i];

		if (t->st == T_DONE)
			continue;
		finish(t, t->st == T_CONNECT ? HR_CTIMEOUT : HR_RTIMEOUT);
	}
	free(pfd);
	free(idx);
}

static void
prepare(struct cfg *c)
{
	size_t i;
	int e, n;

	for (i = 0; i < c->nt; i++) {
		struct target *t = &c->t[i];

		t->start_us = tm_now_us();
		e = mon_resolve(t->host, AF_UNSPEC, SOCK_STREAM, &t->ai);
		if (e == EAI_SYSTEM && (errno == EMFILE || errno == ENFILE))
			no_files(c, t);
		if (e != 0) {
			warnf("%s: %s", t->host, gai_strerror(e));
			t->why = e == EAI_NONAME ? NULL : "resolver";
			finish(t, HR_UNKNOWNHOST);
			continue;
		}
		n = snprintf(NULL, 0, "GET %s HTTP/1.1\r\nHost: %s\r\n"
		    "User-Agent: hakit-httpcheck/%s\r\nAccept: */*\r\n"
		    "Connection: close\r\n\r\n", t->path, t->hosthdr,
		    HAKIT_VERSION);
		if ((t->req = malloc((size_t)n + 1)) == NULL)
			die(HK_EXIT_SYS, "out of memory");
		snprintf(t->req, (size_t)n + 1, "GET %s HTTP/1.1\r\nHost: %s\r\n"
		    "User-Agent: hakit-httpcheck/%s\r\nAccept: */*\r\n"
		    "Connection: close\r\n\r\n", t->path, t->hosthdr,
		    HAKIT_VERSION);
		t->reqlen = (size_t)n;
		t->cur = t->ai;
	}
	/*
	 * Every name first, then every connection: a slow resolver must
	 * not give the hosts before it more than their timeout.
	 */
	for (i = 0; i < c->nt; i++) {
		struct target *t = &c->t[i];

		if (t->st == T_DONE)
			continue;
		t->start_us = tm_now_us();
		start_connect(c, t);
	}
}

static int
failed(const struct cfg *c, const struct target *t)
{
	(void)c;
	return t->res != HR_OK;
}

static void
detail(const struct target *t, char *buf, size_t len)
{
	char ms[32];
	int n;

	n = snprintf(buf, len, "%s time=%sms", res_word[t->res],
	    mon_fmt_ms(ms, sizeof(ms), t->end_us - t->start_us));
	if (t->status != 0 && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, " status=%d",
		    t->status);
	if (t->why != NULL && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, " why=%s", t->why);
	if (t->res == HR_ERROR && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " why=errno-%d", t->err);
}

/* mon: failed hosts on the first line, then one detail line per host. */
static int
report_mon(const struct cfg *c)
{
	char d[256];
	size_t i;
	int bad = 0;

	for (i = 0; i < c->nt; i++)
		if (failed(c, &c->t[i])) {
			printf("%s%s", bad ? " " : "", c->t[i].arg);
			bad = 1;
		}
	putchar('\n');
	for (i = 0; i < c->nt; i++) {
		detail(&c->t[i], d, sizeof(d));
		printf("%s: %s\n", c->t[i].arg, d);
	}
	return bad ? HK_EXIT_NO : HK_EXIT_OK;
}

static void
perf_s(char *buf, size_t len, uint64_t ms)
{
	if (ms == 0)
		buf[0] = '\0';
	else
		snprintf(buf, len, "%llu.%03llu", (unsigned long long)(ms / 1000),
		    (unsigned long long)(ms % 1000));
}

/* A host's Nagios state: failed or slower than -c, slower than -w. */
static int
nag_state(const struct cfg *c, const struct target *t)
{
	uint64_t us = t->end_us - t->start_us;

	if (failed(c, t) || (c->crit_ms && us > c->crit_ms * 1000))
		return MON_NAG_CRITICAL;
	if (c->warn_ms && us > c->warn_ms * 1000)
		return MON_NAG_WARNING;
	return MON_NAG_OK;
}

/*
 * Nagios: CRITICAL when a host failed or took longer than -c, WARNING
 * when longer than -w; one line of text, then the performance data.
 */
static int
report_nagios(const struct cfg *c)
{
	char d[256], lab[300], w[32], cr[32], ms[32];
	int state = MON_NAG_OK, nbad = 0, st;
	size_t i;

	for (i = 0; i < c->nt; i++) {
		st = nag_state(c, &c->t[i]);
		if (st > state)
			state = st;
		if (st != MON_NAG_OK)
			nbad++;
	}
	printf("HTTP %s - ", mon_nag_word(state));
	if (nbad == 0) {
		printf("%zu of %zu hosts ok", c->nt, c->nt);
		if (c->nt == 1)
			printf(", status %d in %sms", c->t[0].status,
			    mon_fmt_ms(ms, sizeof(ms),
			    c->t[0].end_us - c->t[0].start_us));
	} else {
		int first = 1;

		printf("%d of %zu hosts not ok:", nbad, c->nt);
		for (i = 0; i < c->nt; i++) {
			const struct target *t = &c->t[i];
			uint64_t us = t->end_us - t->start_us;

			if (nag_state(c, t) == MON_NAG_OK)
				continue;
			detail(t, d, sizeof(d));
			if (!failed(c, t))
				snprintf(d, sizeof(d), "slow time=%sms",
				    mon_fmt_ms(ms, sizeof(ms), us));
			printf("%s %s: %s", first ? "" : ",", t->arg, d);
			first = 0;
		}
	}
	perf_s(w, sizeof(w), c->warn_ms);
	perf_s(cr, sizeof(cr), c->crit_ms);
	putchar('|');
	for (i = 0; i < c->nt; i++) {
		const struct target *t = &c->t[i];

		uint64_t us = t->end_us - t->start_us;

		if (c->nt == 1)
			snprintf(lab, sizeof(lab), "time");
		else
			mon_nag_label(lab, sizeof(lab), strncasecmp(t->arg,
			    "http://", 7) == 0 ? t->arg + 7 : t->arg, "_time");
		printf("%s%s=%llu.%06llus;%s;%s;0;", i ? " " : "", lab,
		    (unsigned long long)(us / 1000000),
		    (unsigned long long)(us % 1000000), w, cr);
	}
	putchar('\n');
	return state;
}

int
main(int argc, char **argv)
{
	static struct cfg c = {
		.port = 80,
		.path = "/",
		.timeout_ms = DEF_TIMEOUT_MS,
		.codes = { { 200, 399 } },
		.ncodes = 1,
	};
	const char *why;
	unsigned long ul;
	size_t i;
	int opt, status;

	hk_setprogname(argv[0]);
	usage_help_arg(argc, argv, OPTS, usage_text, help_text);
	c.nagios = mon_has_flag(argc, argv, OPTS, 'N');
	while ((opt = getopt(argc, argv, OPTS)) != -1) {
		switch (opt) {
		case 'c':
			if (parse_dur(optarg, &c.crit_ms) < 0 || c.crit_ms == 0)
				bad_usage(&c, "bad critical time: %s", optarg);
			break;
		case 'e':
			if (parse_codes(&c, optarg) < 0)
				bad_usage(&c, "bad status codes: %s", optarg);
			break;
		case 'h':
			usage_help(usage_text, help_text);
		case 'H':
			if (!hdr_ok(optarg))
				bad_usage(&c, "bad Host header: %s", optarg);
			c.hosthdr = optarg;
			break;
		case 'N':
			c.nagios = 1;
			break;
		case 'p':
			if (parse_ulong(optarg, 1, 65535, &ul) < 0)
				bad_usage(&c, "bad port: %s", optarg);
			c.port = (unsigned)ul;
			break;
		case 's':
			if (*optarg == '\0')
				bad_usage(&c, "empty string to find%s", "");
			c.string = optarg;
			c.slen = strlen(optarg);
			break;
		case 't':
			if (parse_dur(optarg, &c.timeout_ms) < 0 ||
			    c.timeout_ms == 0)
				bad_usage(&c, "bad timeout: %s", optarg);
			break;
		case 'u':
			if (!path_ok(optarg))
				bad_usage(&c, "bad path (must start with /, "
				    "no blanks): %s", optarg);
			c.path = optarg;
			break;
		case 'V':
			version_exit();
		case 'w':
			if (parse_dur(optarg, &c.warn_ms) < 0 || c.warn_ms == 0)
				bad_usage(&c, "bad warning time: %s", optarg);
			break;
		default:
			bad_usage(&c, "unknown option%s", "");
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		bad_usage(&c, "no host to check%s", "");
	if ((c.t = calloc((size_t)argc, sizeof(*c.t))) == NULL)
		die(HK_EXIT_SYS, "out of memory");
	for (i = 0; i < (size_t)argc; i++)
		if (parse_target(&c, argv[i], &c.t[i], &why) < 0)
			bad_usage(&c, why, argv[i]);
	c.nt = (size_t)argc;

	/*
	 * One socket per host: allow as many as the hard limit does, and
	 * say at once when that is too few (stdio and the resolver need a
	 * few more), rather than fail hosts that were never checked.
	 */
	{
		struct rlimit rl;

		if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
			if (rl.rlim_cur < rl.rlim_max) {
				rl.rlim_cur = rl.rlim_max;
				if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
					getrlimit(RLIMIT_NOFILE, &rl);
			}
			if (rl.rlim_cur != RLIM_INFINITY &&
			    c.nt + FD_SPARE > rl.rlim_cur)
				sys_fail(&c, "%zu hosts need %zu open files at "
				    "once; ulimit -n allows %llu", c.nt,
				    c.nt + FD_SPARE,
				    (unsigned long long)rl.rlim_cur);
		}
	}
	hk_check_stdout_at_exit();
	signal(SIGPIPE, SIG_IGN);
	prepare(&c);
	run(&c);
	status = c.nagios ? report_nagios(&c) : report_mon(&c);
	for (i = 0; i < c.nt; i++) {
		if (c.t[i].ai != NULL)
			freeaddrinfo(c.t[i].ai);
		free(c.t[i].req);
		free(c.t[i].buf);
	}
	free(c.t);
	return status;
}
