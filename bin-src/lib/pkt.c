/*
 * pkt.c - AF_PACKET sockets, ARP and IPv6 neighbour discovery packets.
 * Packets are built and read byte by byte at fixed offsets: nothing is
 * cast onto a received buffer, so a short or odd frame cannot be misread.
 */
#include <errno.h>
#include <net/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pkt.h"

#define ARP_LEN 28
#define IP6_HLEN 40
#define ND_HLEN 24		/* ICMPv6 header, flags, target */
#define IPPROTO_ICMP6 58

int
pkt_if_get(const char *name, struct pkt_if *ifp)
{
	struct ifreq ifr;
	int fd, e;

	if (name == NULL || *name == '\0' || strlen(name) >= IF_NAMESIZE) {
		errno = ENODEV;
		return -1;
	}
	memset(ifp, 0, sizeof(*ifp));
	if ((ifp->index = (int)if_nametoindex(name)) == 0) {
		errno = ENODEV;
		return -1;
	}
	memcpy(ifp->name, name, strlen(name) + 1);
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strlen(name) + 1);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		e = errno;
		close(fd);
		errno = e == ENODEV ? ENODEV : e;
		return -1;
	}
	close(fd);
	if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
		errno = EPFNOSUPPORT;
		return -1;
	}
	memcpy(ifp->mac, ifr.ifr_hwaddr.sa_data, PKT_MACLEN);
	return 0;
}

int
pkt_open(int ifindex, uint16_t ethertype, int listen)
{
	struct sockaddr_ll sll;
	int fd, e;

	/*
	 * Protocol 0 at first: a socket made with a protocol is hooked on
	 * every interface, and binding it to one then unhooks it, which
	 * waits for an RCU grace period (some 15 ms).  Hooked only by the
	 * bind, or never when it only sends.
	 */
	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || !listen)
		return fd;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ethertype);
	sll.sll_ifindex = ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int
pkt_join(int fd, int ifindex, const unsigned char *mac)
{
	struct packet_mreq mr;

	memset(&mr, 0, sizeof(mr));
	mr.mr_ifindex = ifindex;
	mr.mr_type = PACKET_MR_MULTICAST;
	mr.mr_alen = PKT_MACLEN;
	memcpy(mr.mr_address, mac, PKT_MACLEN);
	return setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr,
	    sizeof(mr));
}

int
pkt_send(int fd, int ifindex, uint16_t ethertype, const unsigned char *dst,
    const void *buf, size_t len)
{
	struct sockaddr_ll sll;
	ssize_t n;

	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ethertype);
	sll.sll_ifindex = ifindex;
	sll.sll_halen = PKT_MACLEN;
	memcpy(sll.sll_addr, dst, PKT_MACLEN);
	do
		n = sendto(fd, buf, len, 0, (struct sockaddr *)&sll,
		    sizeof(sll));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if ((size_t)n != len) {
		errno = EIO;
		return -1;
	}
	return 0;
}

ssize_t
pkt_recv(int fd, void *buf, size_t len, unsigned char *src, int *pkttype)
{
	struct sockaddr_ll sll;
	socklen_t sl;
	ssize_t n;

	do {
		sl = sizeof(sll);
		memset(&sll, 0, sizeof(sll));
		n = recvfrom(fd, buf, len, 0, (struct sockaddr *)&sll, &sl);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	memset(src, 0, PKT_MACLEN);
	if (sll.sll_halen == PKT_MACLEN)
		memcpy(src, sll.sll_addr, PKT_MACLEN);
	*pkttype = sll.sll_pkttype;
	return n;
}

static void
put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

static unsigned
get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

size_t
pkt_arp_build(void *buf, unsigned op, const unsigned char *sha,
    struct in_addr spa, const unsigned char *tha, struct in_addr tpa)
{
	unsigned char *p = buf;

	put16(p, ARPHRD_ETHER);
	put16(p + 2, ETH_P_IP);
	p[4] = PKT_MACLEN;
	p[5] = 4;
	put16(p + 6, op);
	memcpy(p + 8, sha, PKT_MACLEN);
	memcpy(p + 14, &spa, 4);
	memcpy(p + 18, tha, PKT_MACLEN);
	memcpy(p + 24, &tpa, 4);
	return ARP_LEN;
}

int
pkt_arp_parse(const void *buf, size_t len, struct pkt_arp *a)
{
	const unsigned char *p = buf;

	/* Ethernet pads short frames: more than 28 bytes is normal. */
	if (len < ARP_LEN || get16(p) != ARPHRD_ETHER ||
	    get16(p + 2) != ETH_P_IP || p[4] != PKT_MACLEN || p[5] != 4)
		return -1;
	a->op = get16(p + 6);
	memcpy(a->sha, p + 8, PKT_MACLEN);
	memcpy(&a->spa, p + 14, 4);
	memcpy(a->tha, p + 18, PKT_MACLEN);
	memcpy(&a->tpa, p + 24, 4);
	return 0;
}

uint16_t
pkt_csum(const void *buf, size_t len, uint32_t sum)
{
	const unsigned char *p = buf;
	uint64_t s = sum;

	for (; len > 1; p += 2, len -= 2)
		s += get16(p);
	if (len == 1)
		s += (uint32_t)p[0] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* The checksum of an ICMPv6 message at p (len bytes) in its IPv6 packet. */
static uint16_t
icmp6_csum(const struct in6_addr *src, const struct in6_addr *dst,
    const unsigned char *p, size_t len)
{
	unsigned char ph[40];
	uint32_t s;

	memcpy(ph, src, 16);
	memcpy(ph + 16, dst, 16);
	ph[32] = (unsigned char)(len >> 24);
	ph[33] = (unsigned char)(len >> 16);
	ph[34] = (unsigned char)(len >> 8);
	ph[35] = (unsigned char)len;
	ph[36] = ph[37] = ph[38] = 0;
	ph[39] = IPPROTO_ICMP6;
	/* Fold the pseudo-header, then go on over the message. */
	s = (uint16_t)~pkt_csum(ph, sizeof(ph), 0);
	return pkt_csum(p, len, s);
}

static size_t
nd_build(void *buf, unsigned type, unsigned flags, unsigned opt,
    const struct in6_addr *src, const struct in6_addr *dst,
    const struct in6_addr *target, const unsigned char *lladdr)
{
	unsigned char *p = buf, *m = p + IP6_HLEN;
	size_t mlen = ND_HLEN + (lladdr != NULL ? 8 : 0);

	memset(p, 0, IP6_HLEN + mlen);
	p[0] = 0x60;
	put16(p + 4, (unsigned)mlen);
	p[6] = IPPROTO_ICMP6;
	p[7] = 255;
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
	m[0] = (unsigned char)type;
	m[4] = (unsigned char)flags;
	memcpy(m + 8, target, 16);
	if (lladdr != NULL) {
		m[24] = (unsigned char)opt;
		m[25] = 1;
		memcpy(m + 26, lladdr, PKT_MACLEN);
	}
	put16(m + 2, icmp6_csum(src, dst, m, mlen));
	return IP6_HLEN + mlen;
}

size_t
pkt_na_build(void *buf, const struct in6_addr *src,
    const struct in6_addr *dst, const struct in6_addr *target,
    unsigned flags, const unsigned char *lladdr)
{
	/* Option 2: target link-layer address. */
	return nd_build(buf, PKT_ND_NA, flags, 2, src, dst, target, lladdr);
}

size_t
pkt_ns_build(void *buf, const struct in6_addr *src,
    const struct in6_addr *dst, const struct in6_addr *target,
    const unsigned char *lladdr)
{
	/* Option 1: source link-layer address. */
	return nd_build(buf, PKT_ND_NS, 0, 1, src, dst, target, lladdr);
}

int
pkt_nd_parse(const void *buf, size_t len, struct pkt_nd *nd)
{
	const unsigned char *p = buf, *m, *o;
	size_t plen, olen;
	unsigned want;

	if (len < IP6_HLEN + ND_HLEN || (p[0] >> 4) != 6 ||
	    p[6] != IPPROTO_ICMP6 || p[7] != 255)
		return -1;
	plen = get16(p + 4);
	if (plen < ND_HLEN || plen > len - IP6_HLEN)
		return -1;
	m = p + IP6_HLEN;
	if ((m[0] != PKT_ND_NS && m[0] != PKT_ND_NA) || m[1] != 0)
		return -1;
	memset(nd, 0, sizeof(*nd));
	memcpy(&nd->src, p + 8, 16);
	memcpy(&nd->dst, p + 24, 16);
	if (icmp6_csum(&nd->src, &nd->dst, m, plen) != 0)
		return -1;
	nd->type = m[0];
	nd->flags = nd->type == PKT_ND_NA ? m[4] : 0;
	memcpy(&nd->target, m + 8, 16);
	if (IN6_IS_ADDR_MULTICAST(&nd->target))
		return -1;
	/* RFC 4861 7.1.2: a multicast NA is never solicited. */
	if (nd->type == PKT_ND_NA && IN6_IS_ADDR_MULTICAST(&nd->dst) &&
	    (nd->flags & PKT_NA_SOLICITED))
		return -1;
	want = nd->type == PKT_ND_NS ? 1 : 2;
	o = m + ND_HLEN;
	olen = plen - ND_HLEN;
	while (olen > 0) {
		size_t l;

		if (olen < 8 || o[1] == 0)
			return -1;
		l = (size_t)o[1] * 8;
		if (l > olen)
			return -1;
		if (o[0] == want && l == 8) {
			nd->has_lladdr = 1;
			memcpy(nd->lladdr, o + 2, PKT_MACLEN);
		}
		o += l;
		olen -= l;
	}
	/* RFC 4861 7.1.1: a DAD probe carries no source link-layer option. */
	if (nd->type == PKT_ND_NS && IN6_IS_ADDR_UNSPECIFIED(&nd->src) &&
	    nd->has_lladdr)
		return -1;
	return 0;
}

void
pkt_solicited_node(const struct in6_addr *a, struct in6_addr *out)
{
	static const unsigned char pre[13] = {
		0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff
	};

	memcpy(out->s6_addr, pre, sizeof(pre));
	memcpy(out->s6_addr + 13, a->s6_addr + 13, 3);
}

void
pkt_mcast_mac(const struct in6_addr *group, unsigned char *mac)
{
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, group->s6_addr + 12, 4);
}

const char *
pkt_mac_fmt(const unsigned char *mac, char *buf)
{
	snprintf(buf, PKT_MACSTRLEN, "%02x:%02x:%02x:%02x:%02x:%02x",
	    mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return buf;
}
