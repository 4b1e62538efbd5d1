/*
 * addr.c - numeric address and prefix parsing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "addr.h"
#include "common.h"

unsigned
addr_maxprefix(int family)
{
	return family == AF_INET6 ? 128 : 32;
}

size_t
addr_len(const struct hk_addr *a)
{
	return a->family == AF_INET6 ? 16 : 4;
}

int
addr_parse(const char *s, struct hk_addr *a)
{
	struct hk_addr r;

	memset(&r, 0, sizeof(r));
	if (s != NULL && inet_pton(AF_INET, s, &r.u.v4) == 1)
		r.family = AF_INET;
	else if (s != NULL && inet_pton(AF_INET6, s, &r.u.v6) == 1)
		r.family = AF_INET6;
	else {
		errno = EINVAL;
		return -1;
	}
	r.prefix = addr_maxprefix(r.family);
	*a = r;
	return 0;
}

int
addr_parse_prefix(const char *s, struct hk_addr *a, int need_prefix)
{
	char buf[ADDR_STRLEN + 8];
	const char *slash;
	unsigned long plen;
	struct hk_addr r;

	if (s == NULL || strlen(s) >= sizeof(buf)) {
		errno = EINVAL;
		return -1;
	}
	slash = strchr(s, '/');
	if (slash == NULL) {
		if (need_prefix) {
			errno = EINVAL;
			return -1;
		}
		return addr_parse(s, a);
	}
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	if (addr_parse(buf, &r) < 0)
		return -1;
	if (parse_ulong(slash + 1, 0, addr_maxprefix(r.family), &plen) < 0) {
		errno = EINVAL;
		return -1;
	}
	r.prefix = (unsigned)plen;
	*a = r;
	return 0;
}

const char *
addr_fmt(const struct hk_addr *a, char *buf, size_t len)
{
	if (inet_ntop(a->family, a->u.b, buf, (socklen_t)len) == NULL) {
		if (len > 0)
			buf[0] = '\0';
	}
	return buf;
}

int
addr_in_net(const struct hk_addr *net, const struct hk_addr *a)
{
	unsigned bits = net->prefix, i;

	if (net->family != a->family)
		return 0;
	for (i = 0; bits >= 8; i++, bits -= 8)
		if (net->u.b[i] != a->u.b[i])
			return 0;
	if (bits > 0) {
		unsigned char mask = (unsigned char)(0xff << (8 - bits));

		if ((net->u.b[i] & mask) != (a->u.b[i] & mask))
			return 0;
	}
	return 1;
}

socklen_t
addr_to_sockaddr(const struct hk_addr *a, unsigned port,
    struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		s6->sin6_addr = a->u.v6;
		return sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)port);
		s4->sin_addr = a->u.v4;
		return sizeof(*s4);
	}
}
