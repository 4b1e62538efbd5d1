/*
 * authtest.c - drives bin-src/lib/auth.c and hb.c from the shell, so that
 * t/20-auth.bats can check the hashes and HMACs against the published
 * test vectors, the authkeys reader and the heartbeat line parser.
 * An argument "x:HEX" stands for the bytes HEX; anything else for itself.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "common.h"
#include "hb.h"

static const char usage_text[] =
    "usage: authtest hash METHOD DATA [REPEAT]\n"
    "       authtest hmac METHOD KEY DATA\n"
    "       authtest crc DATA\n"
    "       authtest keys FILE\n"
    "       authtest weak FILE|-\n"
    "       authtest parse LINE\n"
    "       authtest check FILE LINE\n"
    "       authtest sign FILE NODE GEN SEQ ST IV [EXTRA]\n"
    "       authtest memneq A B\n";

static size_t
arg_bytes(const char *s, unsigned char *out, size_t size)
{
	size_t n, i;

	if (strncmp(s, "x:", 2) != 0) {
		n = strlen(s);
		if (n > size)
			die(2, "argument too long");
		memcpy(out, s, n);
		return n;
	}
	s += 2;
	n = strlen(s);
	if (n % 2 != 0 || n / 2 > size)
		die(2, "bad hex '%s'", s);
	for (i = 0; i < n / 2; i++) {
		unsigned v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			die(2, "bad hex '%s'", s);
		out[i] = (unsigned char)v;
	}
	return n / 2;
}

static enum auth_method
method(const char *s)
{
	enum auth_method m = auth_method_parse(s, strlen(s));

	if (m == AUTH_NONE || m == AUTH_CRC)
		die(2, "bad method '%s'", s);
	return m;
}

static void
print_hex(const unsigned char *d, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		printf("%02x", d[i]);
	putchar('\n');
}

static const char *
err_name(enum hb_err e)
{
	switch (e) {
	case HB_OK:
		return "ok";
	case HB_EGARBLED:
		return "garbled";
	case HB_EOVERSIZE:
		return "oversize";
	case HB_EFORGED:
		return "forged";
	}
	return "?";
}

static int
load(const char *path, struct auth_keys *k)
{
	enum auth_err err;
	unsigned line;

	if (auth_load(path, k, &err, &line) == 0)
		return 0;
	switch (err) {
	case AUTH_EMODE:
		printf("mode\n");
		break;
	case AUTH_ESYNTAX:
		printf("syntax %u\n", line);
		break;
	case AUTH_ENOUSE:
		printf("nouse\n");
		break;
	case AUTH_EACCEPT:
		printf("accept %u\n", line);
		break;
	default:
		printf("sys %s\n", strerror(errno));
	}
	return 1;
}

int
main(int argc, char **argv)
{
	static unsigned char key[4096], data[4096];
	unsigned char d[AUTH_MAXDIGEST];
	struct auth_keys k;
	struct auth_hash c;
	struct hb_msg m;
	unsigned long rep = 1, i;
	size_t kn, dn;
	enum hb_err e;

	hk_setprogname(argv[0]);
	if (argc < 2)
		usage_exit(usage_text, 2);
	if (strcmp(argv[1], "-h") == 0)
		usage_exit(usage_text, 0);
	if (strcmp(argv[1], "hash") == 0 && (argc == 4 || argc == 5)) {
		dn = arg_bytes(argv[3], data, sizeof(data));
		if (argc == 5 && parse_ulong(argv[4], 1, 100000000, &rep) < 0)
			die(2, "bad repeat count");
		auth_hash_init(&c, method(argv[2]));
		for (i = 0; i < rep; i++)
			auth_hash_update(&c, data, dn);
		print_hex(d, auth_hash_final(&c, d));
	} else if (strcmp(argv[1], "hmac") == 0 && argc == 5) {
		kn = arg_bytes(argv[3], key, sizeof(key));
		dn = arg_bytes(argv[4], data, sizeof(data));
		print_hex(d, auth_hmac(method(argv[2]), key, kn, data, dn, d));
	} else if (strcmp(argv[1], "crc") == 0 && argc == 3) {
		dn = arg_bytes(argv[2], data, sizeof(data));
		printf("%08x\n", (unsigned)auth_crc32(data, dn));
	} else if (strcmp(argv[1], "keys") == 0 && argc == 3) {
		if (load(argv[2], &k) != 0)
			return 1;
		printf("auth %u", k.use);
		for (i = 1; i < AUTH_MAXKEYS; i++)
			if ((k.accept & 1U << i) && i != k.use)
				printf(" %lu", i);
		putchar('\n');
		for (i = 1; i < AUTH_MAXKEYS; i++)
			if (k.key[i].method != AUTH_NONE)
				printf("%lu %s %zu\n", i,
				    auth_method_name(k.key[i].method),
				    k.key[i].len);
	} else if (strcmp(argv[1], "weak") == 0 && argc == 3) {
		char msg[512];

		if (strcmp(argv[2], "-") == 0)
			auth_default(&k);
		else if (load(argv[2], &k) != 0)
			return 1;
		if (!auth_weak_msg(msg, sizeof(msg), &k,
		    strcmp(argv[2], "-") == 0 ? NULL : argv[2]))
			return 1;
		printf("%s\n", msg);
	} else if (strcmp(argv[1], "parse") == 0 && argc == 3) {
		e = hb_parse(argv[2], strlen(argv[2]), &m);
		if (e != HB_OK) {
			printf("%s\n", err_name(e));
			return 1;
		}
		printf("node=%s gen=%llu seq=%llu st=%s iv=%u key=%u:%s "
		    "signed=%zu extra=%s\n", m.node,
		    (unsigned long long)m.gen, (unsigned long long)m.seq,
		    m.st, (unsigned)m.iv, m.keyid, auth_method_name(m.method),
		    m.signed_len, m.extra);
	} else if (strcmp(argv[1], "check") == 0 && argc == 4) {
		if (load(argv[2], &k) != 0)
			return 1;
		e = hb_check(&k, argv[3], strlen(argv[3]), &m);
		printf("%s\n", err_name(e));
		return e == HB_OK ? 0 : 1;
	} else if (strcmp(argv[1], "sign") == 0 && (argc == 8 || argc == 9)) {
		char line[HB_MAXLINE + 1];
		unsigned long long g, s;
		unsigned long iv;
		int n;

		if (load(argv[2], &k) != 0)
			return 1;
		g = strtoull(argv[4], NULL, 10);
		s = strtoull(argv[5], NULL, 10);
		iv = strtoul(argv[7], NULL, 10);
		n = hb_format(line, sizeof(line), &k, argv[3], g, s, argv[6],
		    (uint32_t)iv, argc == 9 ? argv[8] : "");
		if (n < 0)
			die(1, "hb_format:");
		fputs(line, stdout);
	} else if (strcmp(argv[1], "memneq") == 0 && argc == 4) {
		if (strlen(argv[2]) != strlen(argv[3]))
			die(2, "lengths differ");
		printf("%d\n", auth_memneq(argv[2], argv[3], strlen(argv[2])));
	} else {
		usage_exit(usage_text, 2);
	}
	return 0;
}
