/*
 * hb_fuzz.c - libFuzzer target for the heartbeat line parser and
 * verifier (bin-src/lib/hb.c, auth.c): the input is a byte stream as a
 * serial line or pipe delivers it, and also one datagram.  Any line that
 * parses is signed again and must parse back to the same fields.
 * Built and run by "make fuzz" (clang), into bin-src/build-fuzz.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "hb.h"

static struct auth_keys keys;

static void
roundtrip(const struct hb_msg *m)
{
	char buf[HB_MAXLINE + 1];
	struct hb_msg back;
	int n;

	n = hb_format(buf, sizeof(buf), &keys, m->node, m->gen, m->seq,
	    m->st, m->iv, m->extra);
	if (n < 0)
		return;		/* a longer MAC may not fit: allowed */
	if (hb_check(&keys, buf, (size_t)n - 1, &back) != HB_OK)
		abort();
	if (strcmp(back.node, m->node) != 0 || back.gen != m->gen ||
	    back.seq != m->seq || strcmp(back.st, m->st) != 0 ||
	    back.iv != m->iv || strcmp(back.extra, m->extra) != 0)
		abort();
}

static void
one_line(const char *line, size_t len, int oversize, void *arg)
{
	struct hb_msg m;

	(void)arg;
	if (oversize)
		return;
	if (hb_parse(line, len, &m) == HB_OK) {
		if (m.signed_len >= len || m.mac + m.maclen != line + len)
			abort();
		roundtrip(&m);
	}
	(void)hb_check(&keys, line, len, &m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hb_lbuf lb;
	char st[HB_MAXST + 1], extra[HB_MAXLINE], text[1024];

	if (keys.use == 0) {
		keys.use = 1;
		keys.accept = 1U << 1 | 1U << 2 | 1U << 3 | 1U << 4;
		keys.key[1].method = AUTH_SHA256;
		memcpy(keys.key[1].secret, "fuzz", 4);
		keys.key[1].len = 4;
		keys.key[2].method = AUTH_CRC;
		keys.key[3].method = AUTH_MD5;
		memcpy(keys.key[3].secret, "md5", 3);
		keys.key[3].len = 3;
		keys.key[4].method = AUTH_SHA1;
		memcpy(keys.key[4].secret, "sha1", 4);
		keys.key[4].len = 4;
	}
	memset(&lb, 0, sizeof(lb));
	hb_lbuf_feed(&lb, (const char *)data, size, one_line, NULL);
	one_line((const char *)data, size, 0, NULL);
	if (size < sizeof(text)) {
		memcpy(text, data, size);
		text[size] = '\0';
		(void)hb_status_parse(text, st, sizeof(st), extra,
		    sizeof(extra));
	}
	return 0;
}
