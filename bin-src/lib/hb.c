/*
 * hb.c - heartbeat lines: build and sign one, take one apart and check
 * it, cut a serial or pipe byte stream into lines.  Nothing here trusts
 * its input: every length is bounded, every number parsed strictly.
 * The format is in hbsend(8).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hb.h"

static const char *const reserved[] = {
	"node", "gen", "seq", "st", "iv", "auth"
};

static int
name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/* A word of name characters, 1..max long. */
static int
valid_word(const char *s, size_t n, size_t max)
{
	size_t i;

	if (n == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (!name_char((unsigned char)s[i]))
			return 0;
	return 1;
}

int
hb_valid_node(const char *s)
{
	return valid_word(s, strlen(s), HB_MAXNODE);
}

int
hb_valid_status(const char *s)
{
	return valid_word(s, strlen(s), HB_MAXST);
}

static int
is_reserved(const char *k, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (strlen(reserved[i]) == n && memcmp(reserved[i], k, n) == 0)
			return 1;
	return 0;
}

/* "k=v": k of name characters, v of printable non-blank ASCII. */
static int
valid_field(const char *s, size_t n, int allow_reserved)
{
	const char *eq = memchr(s, '=', n);
	size_t i;

	if (eq == NULL || !valid_word(s, (size_t)(eq - s), 32))
		return 0;
	if (!allow_reserved && is_reserved(s, (size_t)(eq - s)))
		return 0;
	if (eq + 1 == s + n)
		return 0;
	for (i = (size_t)(eq + 1 - s); i < n; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return 0;
	return 1;
}

int
hb_valid_extra(const char *s)
{
	const char *e;

	if (*s == '\0')
		return 1;
	for (;;) {
		e = strchr(s, ' ');
		if (e == NULL)
			return valid_field(s, strlen(s), 0);
		if (!valid_field(s, (size_t)(e - s), 0))
			return 0;
		s = e + 1;
	}
}

/* Strict decimal of n bytes: no sign, no leading zero, no overflow. */
static int
parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return -1;
		d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

static int
is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* "ID:METHOD:HEX" */
static int
parse_auth(const char *v, size_t n, struct hb_msg *m)
{
	const char *c1, *c2, *end = v + n;
	uint64_t id;

	c1 = memchr(v, ':', n);
	if (c1 == NULL)
		return -1;
	c2 = memchr(c1 + 1, ':', (size_t)(end - c1 - 1));
	if (c2 == NULL)
		return -1;
	if (parse_u64(v, (size_t)(c1 - v), AUTH_MAXKEYS - 1, &id) < 0 ||
	    id < 1)
		return -1;
	m->keyid = (unsigned)id;
	m->method = auth_method_parse(c1 + 1, (size_t)(c2 - c1 - 1));
	if (m->method == AUTH_NONE)
		return -1;
	m->mac = c2 + 1;
	m->maclen = (size_t)(end - c2 - 1);
	if (m->maclen != 2 * auth_digest_len(m->method) ||
	    !is_hex(m->mac, m->maclen))
		return -1;
	return 0;
}

enum hb_err
hb_parse(const char *line, size_t len, struct hb_msg *m)
{
	const char *p, *end, *f, *eq;
	unsigned seen = 0;
	size_t i, xlen = 0;
	uint64_t v;

	memset(m, 0, sizeof(*m));
	if (len + 1 > HB_MAXLINE)
		return HB_EOVERSIZE;
	if (len < 4 || memcmp(line, "HB1 ", 4) != 0)
		return HB_EGARBLED;
	for (i = 0; i < len; i++)
		if (line[i] < ' ' || line[i] > '~')
			return HB_EGARBLED;
	end = line + len;
	for (p = line + 4; p < end; p = f + 1) {
		size_t n, kl;

		f = memchr(p, ' ', (size_t)(end - p));
		if (f == NULL)
			f = end;
		n = (size_t)(f - p);
		if (!valid_field(p, n, 1))
			return HB_EGARBLED;
		eq = memchr(p, '=', n);
		kl = (size_t)(eq - p);
		eq++;
#define KEY(s)	(kl == sizeof(s) - 1 && memcmp(p, s, kl) == 0)
		if (KEY("auth")) {
			/* The last field; the MAC covers what is before it. */
			if (f != end || (seen & 0x1f) != 0x1f)
				return HB_EGARBLED;
			if (parse_auth(eq, (size_t)(f - eq), m) < 0)
				return HB_EGARBLED;
			m->signed_len = (size_t)(p - 1 - line);
			seen |= 0x20;
		} else if (KEY("node")) {
			if ((seen & 0x01) || !valid_word(eq, (size_t)(f - eq),
			    HB_MAXNODE))
				return HB_EGARBLED;
			memcpy(m->node, eq, (size_t)(f - eq));
			seen |= 0x01;
		} else if (KEY("gen")) {
			if ((seen & 0x02) ||
			    parse_u64(eq, (size_t)(f - eq), UINT64_MAX, &m->gen) < 0)
				return HB_EGARBLED;
			seen |= 0x02;
		} else if (KEY("seq")) {
			if ((seen & 0x04) ||
			    parse_u64(eq, (size_t)(f - eq), UINT64_MAX, &m->seq) < 0)
				return HB_EGARBLED;
			seen |= 0x04;
		} else if (KEY("st")) {
			if ((seen & 0x08) || !valid_word(eq, (size_t)(f - eq),
			    HB_MAXST))
				return HB_EGARBLED;
			memcpy(m->st, eq, (size_t)(f - eq));
			seen |= 0x08;
		} else if (KEY("iv")) {
			if ((seen & 0x10) ||
			    parse_u64(eq, (size_t)(f - eq), HB_MAXIV, &v) < 0 ||
			    v == 0)
				return HB_EGARBLED;
			m->iv = (uint32_t)v;
			seen |= 0x10;
		} else {
			/* Unknown: kept for the events, in order. */
			if (xlen > 0)
				m->extra[xlen++] = ' ';
			memcpy(m->extra + xlen, p, n);
			xlen += n;
		}
#undef KEY
		if (f == end)
			break;
	}
	if (seen != 0x3f)
		return HB_EGARBLED;
	m->extra[xlen] = '\0';
	return HB_OK;
}

enum hb_err
hb_check(const struct auth_keys *keys, const char *line, size_t len,
    struct hb_msg *m)
{
	enum hb_err e;

	e = hb_parse(line, len, m);
	if (e != HB_OK)
		return e;
	if (!auth_verify(keys, m->keyid, m->method, m->mac, m->maclen, line,
	    m->signed_len))
		return HB_EFORGED;
	return HB_OK;
}

int
hb_format(char *buf, size_t size, const struct auth_keys *keys,
    const char *node, uint64_t gen, uint64_t seq, const char *st,
    uint32_t iv, const char *extra)
{
	char line[HB_MAXLINE + AUTH_MAXHEX + 64], hex[AUTH_MAXHEX + 1];
	int n, h;

	if (!hb_valid_node(node) || !hb_valid_status(st) ||
	    !hb_valid_extra(extra) || iv == 0 || iv > HB_MAXIV) {
		errno = EINVAL;
		return -1;
	}
	n = snprintf(line, sizeof(line), "HB1 node=%s gen=%llu seq=%llu "
	    "st=%s iv=%u%s%s", node, (unsigned long long)gen,
	    (unsigned long long)seq, st, (unsigned)iv, *extra ? " " : "",
	    extra);
	if (n < 0 || (size_t)n >= sizeof(line)) {
		errno = ERANGE;
		return -1;
	}
	h = auth_mac_hex(keys, keys->use, line, (size_t)n, hex);
	if (h < 0) {
		errno = EINVAL;
		return -1;
	}
	n = snprintf(buf, size, "%s auth=%u:%s:%s\n", line, keys->use,
	    auth_method_name(keys->key[keys->use].method), hex);
	if (n < 0 || (size_t)n >= size || n > HB_MAXLINE) {
		errno = ERANGE;
		return -1;
	}
	return n;
}

int
hb_status_parse(const char *text, char *st, size_t stsize, char *extra,
    size_t extrasize)
{
	const char *p = text, *w;
	size_t n, xlen = 0;
	int first = 1;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (*p == '\0')
			break;
		for (w = p; *w != '\0' && *w != ' ' && *w != '\t' &&
		    *w != '\r' && *w != '\n'; w++)
			;
		n = (size_t)(w - p);
		if (first) {
			if (n > 3 && memcmp(p, "st=", 3) == 0) {
				p += 3;
				n -= 3;
			}
			if (!valid_word(p, n, HB_MAXST) || n >= stsize)
				goto bad;
			memcpy(st, p, n);
			st[n] = '\0';
			first = 0;
		} else {
			if (!valid_field(p, n, 0) ||
			    xlen + n + 2 > extrasize)
				goto bad;
			if (xlen > 0)
				extra[xlen++] = ' ';
			memcpy(extra + xlen, p, n);
			xlen += n;
		}
		p = w;
	}
	if (first)
		goto bad;
	extra[xlen] = '\0';
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

void
hb_lbuf_feed(struct hb_lbuf *lb, const char *p, size_t n,
    void (*cb)(const char *, size_t, int, void *), void *arg)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = p[i];

		if (c == '\r')
			continue;
		if (c == '\n') {
			if (lb->overlong)
				cb(NULL, 0, 1, arg);
			else if (lb->n > 0)
				cb(lb->buf, lb->n, 0, arg);
			lb->n = 0;
			lb->overlong = 0;
			continue;
		}
		if (lb->overlong)
			continue;
		if (lb->n + 1 >= HB_MAXLINE) {
			lb->overlong = 1;
			lb->n = 0;
			continue;
		}
		lb->buf[lb->n++] = c;
	}
}
