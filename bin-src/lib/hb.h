/*
 * hb.h - the heartbeat line: encode, parse, verify, and cut a byte
 * stream into lines.  The format is in hbsend(8):
 *   HB1 node=N gen=G seq=S st=STATUS iv=MS [k=v...] auth=ID:METHOD:MAC
 */
#ifndef HAKIT_HB_H
#define HAKIT_HB_H

#include <stddef.h>
#include <stdint.h>

#include "auth.h"

#define HB_MAXLINE	512	/* bytes, with the newline */
#define HB_MAXNODE	63
#define HB_MAXST	31
#define HB_MAXIV	86400000U	/* one day, in ms */

enum hb_err {
	HB_OK = 0,
	HB_EGARBLED,		/* not a heartbeat line */
	HB_EOVERSIZE,		/* longer than HB_MAXLINE */
	HB_EFORGED		/* well formed, but the MAC does not match */
};

struct hb_msg {
	char		node[HB_MAXNODE + 1];
	char		st[HB_MAXST + 1];
	/* Fields we do not know, "k=v k=v", in the order sent. */
	char		extra[HB_MAXLINE];
	uint64_t	gen;
	uint64_t	seq;
	uint32_t	iv;
	unsigned	keyid;
	enum auth_method method;
	const char	*mac;		/* into the line given to hb_parse */
	size_t		maclen;
	size_t		signed_len;	/* bytes before " auth=" */
};

/*
 * Parses line (len bytes, without the newline).  Returns HB_OK,
 * HB_EGARBLED or HB_EOVERSIZE; does not check the MAC.
 */
enum hb_err	hb_parse(const char *line, size_t len, struct hb_msg *m);

/* hb_parse, then the MAC under keys: HB_OK or why not. */
enum hb_err	hb_check(const struct auth_keys *keys, const char *line,
		    size_t len, struct hb_msg *m);

/*
 * Writes a complete line, newline included, signed with keys' "auth"
 * key.  extra is "" or "k=v k=v".  Returns the length, or -1 with errno
 * ERANGE when it would exceed HB_MAXLINE or size, EINVAL on a bad field.
 */
int		hb_format(char *buf, size_t size, const struct auth_keys *keys,
		    const char *node, uint64_t gen, uint64_t seq,
		    const char *st, uint32_t iv, const char *extra);

/* 1 when s is a valid node name / status word / extra field list. */
int		hb_valid_node(const char *s);
int		hb_valid_status(const char *s);
int		hb_valid_extra(const char *s);

/*
 * A status line, as hbsend reads it: "STATUS [k=v...]" (or
 * "st=STATUS [k=v...]").  Fills st and extra; -1 with errno EINVAL when
 * malformed or a key is one of the line's own fields.
 */
int		hb_status_parse(const char *text, char *st, size_t stsize,
		    char *extra, size_t extrasize);

/* Cuts a byte stream into lines; CR is dropped (serial habit). */
struct hb_lbuf {
	size_t		n;
	int		overlong;
	char		buf[HB_MAXLINE];
};

/*
 * Feeds n bytes; calls cb for each complete line, with len 0 and
 * oversize set for a line that was too long (its bytes are gone).
 */
void		hb_lbuf_feed(struct hb_lbuf *lb, const char *p, size_t n,
		    void (*cb)(const char *line, size_t len, int oversize,
		    void *arg), void *arg);

#endif
