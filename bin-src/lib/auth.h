/*
 * auth.h - heartbeat authentication: SHA-256 (FIPS 180-4), SHA-1
 * (FIPS 180-4), MD5 (RFC 1321), their HMACs (RFC 2104), heartbeat's
 * CRC-32, and the authkeys file.  See hbsend(8) and hbrecv(8).
 */
#ifndef HAKIT_AUTH_H
#define HAKIT_AUTH_H

#include <stddef.h>
#include <stdint.h>

#define AUTH_MAXDIGEST	32		/* SHA-256 */
#define AUTH_MAXHEX	(2 * AUTH_MAXDIGEST)
#define AUTH_MAXKEYS	16		/* key ids 1..15 */
#define AUTH_MAXSECRET	256

enum auth_method {
	AUTH_NONE = 0,
	AUTH_CRC,
	AUTH_MD5,
	AUTH_SHA1,
	AUTH_SHA256
};

/* One hash, streamed: init, update any number of times, final. */
struct auth_hash {
	enum auth_method method;
	uint64_t	len;		/* bytes hashed so far */
	union {
		uint32_t	s32[8];
	} h;
	unsigned char	buf[64];
	size_t		nbuf;
};

void		auth_hash_init(struct auth_hash *c, enum auth_method m);
void		auth_hash_update(struct auth_hash *c, const void *p, size_t n);
/* Writes the digest (16, 20 or 32 bytes) and returns its length. */
size_t		auth_hash_final(struct auth_hash *c, unsigned char *out);
size_t		auth_digest_len(enum auth_method m);

/* HMAC of data under key (RFC 2104); returns the digest length. */
size_t		auth_hmac(enum auth_method m, const void *key, size_t keylen,
		    const void *data, size_t len, unsigned char *out);

/* heartbeat's CRC-32: poly 0x04C11DB7, MSB first, init 0, inverted. */
uint32_t	auth_crc32(const void *data, size_t len);

/* "sha256" -> AUTH_SHA256 ...; AUTH_NONE when unknown. */
enum auth_method auth_method_parse(const char *s, size_t n);
const char	*auth_method_name(enum auth_method m);

struct auth_key {
	enum auth_method method;	/* AUTH_NONE: no key of that id */
	size_t		len;
	unsigned char	secret[AUTH_MAXSECRET];
};

/*
 * The keys of an authkeys file.  Heartbeat's "auth N" selects the key
 * to sign with, and a receiver accepts that key only.  Our extension,
 * "auth N M...", also accepts keys M... for a key change (hbsend(8)):
 * a line signed with a key the file lists but does not accept is
 * forged, as one with a wrong MAC is.
 */
struct auth_keys {
	unsigned	use;		/* the id sent with ("auth N") */
	unsigned	accept;		/* bit N: key N accepted; use's is set */
	struct auth_key	key[AUTH_MAXKEYS];
};

/* Why auth_load failed, beyond errno. */
enum auth_err {
	AUTH_EOK = 0,
	AUTH_ESYS,		/* open/read failed: errno is set */
	AUTH_EMODE,		/* readable by group or others */
	AUTH_ESYNTAX,		/* bad line: see line */
	AUTH_ENOUSE,		/* no "auth N", or N names no key */
	AUTH_ENOTREG,		/* a directory, FIFO, device... */
	AUTH_EACCEPT		/* "auth N M...": an M names no key; see line */
};

/*
 * Reads an authkeys file in heartbeat's format ("auth N", then lines
 * "N METHOD [SECRET]", '#' comments), with our "auth N M..." for the
 * keys accepted besides N.  On failure returns -1, sets *err and, for
 * AUTH_ESYNTAX and AUTH_EACCEPT, *line to the bad line's number.
 */
int		auth_load(const char *path, struct auth_keys *k,
		    enum auth_err *err, unsigned *line);

/*
 * Says in buf why auth_load failed on path, for the program to print:
 * the file and line, and for AUTH_EMODE how to fix it.  Call it right
 * after auth_load, while errno still holds its reason.
 */
void		auth_load_msg(char *buf, size_t len, const char *path,
		    enum auth_err err, unsigned line);

/*
 * For hbsend and hbrecv's -k: the keys of path, or without one (NULL)
 * auth_default's; a file that does not load is a usage error, exit 2
 * with auth_load_msg's reason; a weak key (crc, md5, none) is named on
 * stderr.
 */
void		auth_load_keys(const char *path, struct auth_keys *k);

/* Keys for running without a key file: id 1, crc, accepted. */
void		auth_default(struct auth_keys *k);

/*
 * Says in buf, for the program to print on every start, why the keys
 * in use are weak: a crc key, signing or accepted, lets anyone who can
 * send to us forge heartbeats (heartbeat's crc has no secret); an md5
 * one is a weak hash.  path is the key file, NULL for auth_default's
 * keys.  Returns 1 when there is something to say, else 0 and "".
 */
int		auth_weak_msg(char *buf, size_t len, const struct auth_keys *k,
		    const char *path);

/*
 * The MAC of data under key id, as lower-case hex, NUL-terminated, into
 * hex (at least AUTH_MAXHEX + 1 bytes).  Returns its length, or -1 when
 * the id has no key.
 */
int		auth_mac_hex(const struct auth_keys *k, unsigned id,
		    const void *data, size_t len, char *hex);

/*
 * 1 when key id is accepted and mac (n hex characters) is the MAC of
 * data under it with method m, 0 otherwise.  The comparison takes the
 * same time wherever the first difference lies.
 */
int		auth_verify(const struct auth_keys *k, unsigned id,
		    enum auth_method m, const char *mac, size_t n,
		    const void *data, size_t len);

/* Constant-time comparison of n bytes: 0 when equal. */
int		auth_memneq(const void *a, const void *b, size_t n);

#endif
