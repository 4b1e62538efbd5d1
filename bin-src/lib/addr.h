/*
 * addr.h - numeric IPv4/IPv6 addresses and prefixes.  No DNS: the
 * failover path never waits on a resolver.
 */
#ifndef HAKIT_ADDR_H
#define HAKIT_ADDR_H

#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>

#define ADDR_STRLEN INET6_ADDRSTRLEN

struct hk_addr {
	int		family;		/* AF_INET or AF_INET6 */
	unsigned	prefix;		/* 0..32 or 0..128 */
	union {
		struct in_addr	v4;
		struct in6_addr	v6;
		unsigned char	b[16];
	} u;
};

/* "192.0.2.1" or "2001:db8::1"; prefix is set to the full length. */
int		addr_parse(const char *s, struct hk_addr *a);

/*
 * "ADDR/PREFIX"; without "/PREFIX" the full length is taken unless
 * need_prefix is set.  -1 with errno EINVAL on any malformed part.
 */
int		addr_parse_prefix(const char *s, struct hk_addr *a,
		    int need_prefix);

size_t		addr_len(const struct hk_addr *a);	/* 4 or 16 */
unsigned	addr_maxprefix(int family);		/* 32 or 128 */

/* Text of the address alone, into buf of at least ADDR_STRLEN. */
const char	*addr_fmt(const struct hk_addr *a, char *buf, size_t len);

/* 1 when a lies in net/net->prefix, 0 otherwise (or other family). */
int		addr_in_net(const struct hk_addr *net, const struct hk_addr *a);

/* Fill a sockaddr_in/sockaddr_in6 with a and port; returns its length. */
socklen_t	addr_to_sockaddr(const struct hk_addr *a, unsigned port,
		    struct sockaddr_storage *ss);

#endif
