/*
 * auth.c - the hashes, HMAC and CRC that authenticate heartbeat lines,
 * written from FIPS 180-4 (SHA-1, SHA-256), RFC 1321 (MD5) and RFC 2104
 * (HMAC), and the authkeys file reader.  t/20-auth.bats checks them
 * against the NIST, RFC 4231 and RFC 2202 test vectors.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "common.h"

#define ROL(x, n)	(((x) << (n)) | ((x) >> (32 - (n))))
#define ROR(x, n)	(((x) >> (n)) | ((x) << (32 - (n))))

static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[1] << 8 | p[0];
}

/* FIPS 180-4 section 6.2.2. */
static void
sha256_block(uint32_t *h, const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, hh, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = be32(p + 4 * i);
	for (; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^
		    (w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^
		    (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = h[0]; b = h[1]; c = h[2]; d = h[3];
	e = h[4]; f = h[5]; g = h[6]; hh = h[7];
	for (i = 0; i < 64; i++) {
		t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) +
		    ((e & f) ^ (~e & g)) + sha256_k[i] + w[i];
		t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) +
		    ((a & b) ^ (a & c) ^ (b & c));
		hh = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d;
	h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

/* FIPS 180-4 section 6.1.2. */
static void
sha1_block(uint32_t *h, const unsigned char *p)
{
	uint32_t w[80], a, b, c, d, e, f, k, t;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = be32(p + 4 * i);
	for (; i < 80; i++)
		w[i] = ROL(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	a = h[0]; b = h[1]; c = h[2]; d = h[3]; e = h[4];
	for (i = 0; i < 80; i++) {
		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		t = ROL(a, 5) + f + e + k + w[i];
		e = d; d = c; c = ROL(b, 30); b = a; a = t;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
}

/* RFC 1321 section 3.4: per-step shifts and the sine table T. */
static const unsigned char md5_s[64] = {
	7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
	5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
	4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
	6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21
};

static const uint32_t md5_t[64] = {
	0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a,
	0xa8304613, 0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be,
	0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340,
	0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
	0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8,
	0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c,
	0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
	0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
	0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92,
	0xffeff47d, 0x85845dd1, 0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1,
	0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391
};

static void
md5_block(uint32_t *h, const unsigned char *p)
{
	uint32_t x[16], a, b, c, d, f, t;
	int i, g;

	for (i = 0; i < 16; i++)
		x[i] = le32(p + 4 * i);
	a = h[0]; b = h[1]; c = h[2]; d = h[3];
	for (i = 0; i < 64; i++) {
		if (i < 16) {
			f = (b & c) | (~b & d);
			g = i;
		} else if (i < 32) {
			f = (b & d) | (c & ~d);
			g = (5 * i + 1) % 16;
		} else if (i < 48) {
			f = b ^ c ^ d;
			g = (3 * i + 5) % 16;
		} else {
			f = c ^ (b | ~d);
			g = (7 * i) % 16;
		}
		t = a + f + md5_t[i] + x[g];
		a = d; d = c; c = b;
		b = b + ROL(t, md5_s[i]);
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d;
}

size_t
auth_digest_len(enum auth_method m)
{
	switch (m) {
	case AUTH_MD5:
		return 16;
	case AUTH_SHA1:
		return 20;
	case AUTH_SHA256:
		return 32;
	case AUTH_CRC:
		return 4;
	default:
		return 0;
	}
}

void
auth_hash_init(struct auth_hash *c, enum auth_method m)
{
	static const uint32_t iv256[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
	};
	static const uint32_t iv1[5] = {
		0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0
	};

	memset(c, 0, sizeof(*c));
	c->method = m;
	if (m == AUTH_SHA256)
		memcpy(c->h.s32, iv256, sizeof(iv256));
	else	/* MD5's four words are SHA-1's first four */
		memcpy(c->h.s32, iv1, sizeof(iv1));
}

static void
hash_block(struct auth_hash *c, const unsigned char *p)
{
	if (c->method == AUTH_SHA256)
		sha256_block(c->h.s32, p);
	else if (c->method == AUTH_SHA1)
		sha1_block(c->h.s32, p);
	else
		md5_block(c->h.s32, p);
}

void
auth_hash_update(struct auth_hash *c, const void *data, size_t n)
{
	const unsigned char *p = data;

	c->len += n;
	if (c->nbuf > 0) {
		size_t k = 64 - c->nbuf;

		if (k > n)
			k = n;
		memcpy(c->buf + c->nbuf, p, k);
		c->nbuf += k;
		p += k;
		n -= k;
		if (c->nbuf < 64)
			return;
		hash_block(c, c->buf);
		c->nbuf = 0;
	}
	for (; n >= 64; p += 64, n -= 64)
		hash_block(c, p);
	memcpy(c->buf, p, n);
	c->nbuf = n;
}

size_t
auth_hash_final(struct auth_hash *c, unsigned char *out)
{
	uint64_t bits = c->len * 8;
	size_t i, words, dlen;
	int le = c->method == AUTH_MD5;

	/* Padding: 0x80, zeros, then the 64-bit length (MD5: little end). */
	c->buf[c->nbuf++] = 0x80;
	if (c->nbuf > 56) {
		memset(c->buf + c->nbuf, 0, 64 - c->nbuf);
		hash_block(c, c->buf);
		c->nbuf = 0;
	}
	memset(c->buf + c->nbuf, 0, 56 - c->nbuf);
	for (i = 0; i < 8; i++)
		c->buf[le ? 56 + i : 63 - i] = (unsigned char)(bits >> (8 * i));
	hash_block(c, c->buf);
	dlen = auth_digest_len(c->method);
	words = dlen / 4;
	for (i = 0; i < words; i++) {
		uint32_t v = c->h.s32[i];

		if (le) {
			out[4 * i] = (unsigned char)v;
			out[4 * i + 1] = (unsigned char)(v >> 8);
			out[4 * i + 2] = (unsigned char)(v >> 16);
			out[4 * i + 3] = (unsigned char)(v >> 24);
		} else {
			out[4 * i] = (unsigned char)(v >> 24);
			out[4 * i + 1] = (unsigned char)(v >> 16);
			out[4 * i + 2] = (unsigned char)(v >> 8);
			out[4 * i + 3] = (unsigned char)v;
		}
	}
	return dlen;
}

size_t
auth_hmac(enum auth_method m, const void *key, size_t keylen,
    const void *data, size_t len, unsigned char *out)
{
	unsigned char k0[64], pad[64], inner[AUTH_MAXDIGEST];
	struct auth_hash c;
	size_t i, dlen;

	/* A key longer than a block is hashed first (RFC 2104, step 1). */
	memset(k0, 0, sizeof(k0));
	if (keylen > 64) {
		auth_hash_init(&c, m);
		auth_hash_update(&c, key, keylen);
		auth_hash_final(&c, k0);
	} else if (keylen > 0) {
		memcpy(k0, key, keylen);
	}
	for (i = 0; i < 64; i++)
		pad[i] = k0[i] ^ 0x36;
	auth_hash_init(&c, m);
	auth_hash_update(&c, pad, 64);
	auth_hash_update(&c, data, len);
	dlen = auth_hash_final(&c, inner);
	for (i = 0; i < 64; i++)
		pad[i] = k0[i] ^ 0x5c;
	auth_hash_init(&c, m);
	auth_hash_update(&c, pad, 64);
	auth_hash_update(&c, inner, dlen);
	auth_hash_final(&c, out);
	memset(k0, 0, sizeof(k0));
	memset(pad, 0, sizeof(pad));
	return dlen;
}

uint32_t
auth_crc32(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint32_t crc = 0;
	size_t i;
	int b;

	for (i = 0; i < len; i++) {
		crc ^= (uint32_t)p[i] << 24;
		for (b = 0; b < 8; b++)
			crc = (crc & 0x80000000U) ? (crc << 1) ^ 0x04c11db7U :
			    crc << 1;
	}
	return ~crc;
}

static const struct {
	const char *name;
	enum auth_method m;
} methods[] = {
	{ "crc", AUTH_CRC },
	{ "md5", AUTH_MD5 },
	{ "sha1", AUTH_SHA1 },
	{ "sha256", AUTH_SHA256 },
};

enum auth_method
auth_method_parse(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strlen(methods[i].name) == n &&
		    memcmp(methods[i].name, s, n) == 0)
			return methods[i].m;
	return AUTH_NONE;
}

const char *
auth_method_name(enum auth_method m)
{
	size_t i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (methods[i].m == m)
			return methods[i].name;
	return "none";
}

void
auth_default(struct auth_keys *k)
{
	memset(k, 0, sizeof(*k));
	k->use = 1;
	k->accept = 1U << 1;
	k->key[1].method = AUTH_CRC;
}

static int
is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* A key number, 1 to AUTH_MAXKEYS - 1, at *sp: 0 and *sp past it, or -1. */
static int
parse_keyid(char **sp, unsigned long *idp)
{
	char *s = *sp;
	unsigned long id;

	if (*s < '0' || *s > '9')
		return -1;
	for (id = 0; *s >= '0' && *s <= '9'; s++) {
		id = id * 10 + (unsigned long)(*s - '0');
		if (id >= AUTH_MAXKEYS)
			return -1;
	}
	if (id < 1)
		return -1;
	*sp = s;
	*idp = id;
	return 0;
}

/*
 * "auth N [M...]": heartbeat's line is "auth N", the key to sign with;
 * the keys M... also accepted are our extension, for a key change.
 * s is past "auth".  0, or -1 for a syntax error.
 */
static int
parse_auth_line(char *s, struct auth_keys *k)
{
	unsigned long id;
	int n = 0;

	for (;;) {
		while (is_blank(*s))
			s++;
		if (*s == '\0' || *s == '#')
			break;
		if (parse_keyid(&s, &id) < 0 || (*s != '\0' && !is_blank(*s)))
			return -1;
		if (n++ == 0)
			k->use = (unsigned)id;
		k->accept |= 1U << id;
	}
	return n > 0 ? 0 : -1;
}

/* One line of an authkeys file; 0, or -1 for a syntax error. */
static int
parse_key_line(char *s, struct auth_keys *k, unsigned *use_line,
    unsigned line)
{
	char *w;
	unsigned long id;
	size_t n;

	while (is_blank(*s))
		s++;
	if (*s == '\0' || *s == '#')
		return 0;
	if (strncmp(s, "auth", 4) == 0 && is_blank(s[4])) {
		if (*use_line != 0)
			return -1;
		*use_line = line;
		return parse_auth_line(s + 4, k);
	}
	/* "N METHOD [SECRET...]": the secret is the rest of the line. */
	if (parse_keyid(&s, &id) < 0 || !is_blank(*s))
		return -1;
	while (is_blank(*s))
		s++;
	for (w = s; *w != '\0' && !is_blank(*w); w++)
		;
	n = (size_t)(w - s);
	if (k->key[id].method != AUTH_NONE)
		return -1;
	k->key[id].method = auth_method_parse(s, n);
	if (k->key[id].method == AUTH_NONE)
		return -1;
	while (is_blank(*w))
		w++;
	n = strlen(w);
	while (n > 0 && is_blank(w[n - 1]))
		n--;
	if (n > AUTH_MAXSECRET)
		return -1;
	if (k->key[id].method == AUTH_CRC) {
		if (n != 0)
			return -1;
	} else if (n == 0) {
		return -1;
	}
	memcpy(k->key[id].secret, w, n);
	k->key[id].len = n;
	return 0;
}

int
auth_load(const char *path, struct auth_keys *k, enum auth_err *err,
    unsigned *line)
{
	char buf[8192], *p, *nl, *next, *nul;
	struct stat st;
	ssize_t r;
	size_t len = 0;
	unsigned use_line = 0, id;
	int fd, saved;

	memset(k, 0, sizeof(*k));
	*line = 0;
	*err = AUTH_ESYS;
	/* O_NONBLOCK: a FIFO must not hang us before fstat says what it is. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		goto sys;
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		*err = AUTH_ENOTREG;
		return -1;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		close(fd);
		*err = AUTH_EMODE;
		return -1;
	}
	while ((r = read(fd, buf + len, sizeof(buf) - 1 - len)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			goto sys;
		}
		len += (size_t)r;
		if (len == sizeof(buf) - 1) {
			errno = EFBIG;
			goto sys;
		}
	}
	close(fd);
	buf[len] = '\0';
	nul = memchr(buf, '\0', len);
	if (nul != NULL) {
		/* Name the line the NUL byte is on. */
		*err = AUTH_ESYNTAX;
		*line = 1;
		for (p = buf; p < nul; p++)
			if (*p == '\n')
				(*line)++;
		goto bad;
	}
	/*
	 * A UTF-8 byte order mark (Notepad's) is no part of the first word;
	 * a CR before each newline (Windows line ends) is a blank, so it is
	 * no part of a secret either (is_blank).
	 */
	p = buf;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	for (; *p != '\0'; p = next) {
		(*line)++;
		nl = strchr(p, '\n');
		if (nl != NULL) {
			*nl = '\0';
			next = nl + 1;
		} else {
			next = p + strlen(p);
		}
		if (parse_key_line(p, k, &use_line, *line) < 0) {
			*err = AUTH_ESYNTAX;
			goto bad;
		}
	}
	if (use_line == 0 || k->key[k->use].method == AUTH_NONE) {
		*err = AUTH_ENOUSE;
		goto bad;
	}
	/* An accepted key must be one the file lists: a typo fails here. */
	for (id = 1; id < AUTH_MAXKEYS; id++)
		if ((k->accept & 1U << id) && k->key[id].method == AUTH_NONE) {
			*err = AUTH_EACCEPT;
			*line = use_line;
			goto bad;
		}
	*err = AUTH_EOK;
	return 0;
sys:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
bad:
	memset(k, 0, sizeof(*k));
	errno = EINVAL;
	return -1;
}

static void
to_hex(const unsigned char *d, size_t n, char *hex)
{
	static const char x[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		hex[2 * i] = x[d[i] >> 4];
		hex[2 * i + 1] = x[d[i] & 15];
	}
	hex[2 * n] = '\0';
}

/* The raw MAC: a digest, or the CRC as 4 big-endian bytes. */
static size_t
mac_raw(const struct auth_key *key, const void *data, size_t len,
    unsigned char *out)
{
	uint32_t crc;

	if (key->method == AUTH_CRC) {
		crc = auth_crc32(data, len);
		out[0] = (unsigned char)(crc >> 24);
		out[1] = (unsigned char)(crc >> 16);
		out[2] = (unsigned char)(crc >> 8);
		out[3] = (unsigned char)crc;
		return 4;
	}
	return auth_hmac(key->method, key->secret, key->len, data, len, out);
}

int
auth_mac_hex(const struct auth_keys *k, unsigned id, const void *data,
    size_t len, char *hex)
{
	unsigned char d[AUTH_MAXDIGEST];
	size_t n;

	if (id < 1 || id >= AUTH_MAXKEYS || k->key[id].method == AUTH_NONE)
		return -1;
	n = mac_raw(&k->key[id], data, len, d);
	to_hex(d, n, hex);
	return (int)(2 * n);
}

int
auth_memneq(const void *a, const void *b, size_t n)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char acc = 0;
	size_t i;

	for (i = 0; i < n; i++)
		acc |= x[i] ^ y[i];
	return acc != 0;
}

int
auth_verify(const struct auth_keys *k, unsigned id, enum auth_method m,
    const char *mac, size_t n, const void *data, size_t len)
{
	char hex[AUTH_MAXHEX + 1];
	int want;

	/* Listed is not enough: "auth N M..." says which keys we take. */
	if (id < 1 || id >= AUTH_MAXKEYS || !(k->accept & 1U << id) ||
	    k->key[id].method == AUTH_NONE || k->key[id].method != m)
		return 0;
	want = auth_mac_hex(k, id, data, len, hex);
	/* The length of a MAC is public (it follows from the method). */
	if (want < 0 || (size_t)want != n)
		return 0;
	return !auth_memneq(hex, mac, n);
}

void
auth_load_msg(char *buf, size_t len, const char *path, enum auth_err err,
    unsigned line)
{
	switch (err) {
	case AUTH_EMODE:
		snprintf(buf, len, "%s: readable by group or others; "
		    "a key file must be private: chmod 600 %s", path, path);
		break;
	case AUTH_ESYNTAX:
		snprintf(buf, len, "%s:%u: bad line: want 'auth N' or "
		    "'N crc|md5|sha1|sha256 SECRET'", path, line);
		break;
	case AUTH_ENOUSE:
		snprintf(buf, len, "%s: no 'auth N' line naming one of its "
		    "keys", path);
		break;
	case AUTH_ENOTREG:
		snprintf(buf, len, "%s: not a regular file", path);
		break;
	case AUTH_EACCEPT:
		snprintf(buf, len, "%s:%u: 'auth N M...' accepts a key the "
		    "file does not list: each M needs its 'M METHOD SECRET' "
		    "line", path, line);
		break;
	default:
		snprintf(buf, len, "%s: %s", path, strerror(errno));
		break;
	}
}

static const char crc_risk[] = "it only guards against line noise; "
    "anyone on the LAN can forge heartbeats and take the cluster down";

int
auth_weak_msg(char *buf, size_t len, const struct auth_keys *k,
    const char *path)
{
	static const enum auth_method weak[] = { AUTH_CRC, AUTH_MD5 };
	const char *risk;
	unsigned id;
	size_t i;

	if (len > 0)
		buf[0] = '\0';
	if (path == NULL) {
		snprintf(buf, len, "no key file (-k): heartbeats carry a crc: "
		    "%s; give -k FILE with 'auth 1' and '1 sha256 SECRET' "
		    "(see hbsend(8))", crc_risk);
		return 1;
	}
	/* The worst first, and the signing key before the others. */
	for (i = 0; i < sizeof(weak) / sizeof(weak[0]); i++) {
		risk = weak[i] == AUTH_CRC ? crc_risk : "a weak hash";
		if (k->key[k->use].method == weak[i]) {
			snprintf(buf, len, "%s: key %u is %s: %s; use "
			    "'%u sha256 SECRET' (see hbsend(8))", path, k->use,
			    auth_method_name(weak[i]), risk, k->use);
			return 1;
		}
		for (id = 1; id < AUTH_MAXKEYS; id++)
			if ((k->accept & 1U << id) &&
			    k->key[id].method == weak[i]) {
				snprintf(buf, len, "%s: key %u is %s and "
				    "accepted: %s; end the key change with "
				    "'auth %u' (see hbsend(8))", path, id,
				    auth_method_name(weak[i]), risk, k->use);
				return 1;
			}
	}
	return 0;
}

void
auth_load_keys(const char *path, struct auth_keys *k)
{
	enum auth_err err;
	unsigned line;
	char msg[512];

	if (path == NULL) {
		auth_default(k);
	} else if (auth_load(path, k, &err, &line) < 0) {
		auth_load_msg(msg, sizeof(msg), path, err, line);
		die(HK_EXIT_USAGE, "%s", msg);
	}
	if (auth_weak_msg(msg, sizeof(msg), k, path))
		warnf("%s", msg);
}
