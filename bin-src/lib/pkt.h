/*
 * pkt.h - link-layer packets for garp(8): AF_PACKET sockets on one
 * Ethernet interface, ARP frames (RFC 826, RFC 5227 probes and
 * announcements) and IPv6 neighbour discovery (RFC 4861 NS/NA) built and
 * checked here, with the Internet checksum.  Nothing here prints or exits.
 */
#ifndef HAKIT_PKT_H
#define HAKIT_PKT_H

#include <net/if.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PKT_MACLEN 6
/* Text of a MAC address, "aa:bb:cc:dd:ee:ff" and a NUL. */
#define PKT_MACSTRLEN 18
/* Room for any frame we read: an Ethernet payload. */
#define PKT_BUFSIZE 2048

/* ARP operations. */
#define PKT_ARP_REQUEST 1
#define PKT_ARP_REPLY 2

/* ICMPv6 neighbour discovery. */
#define PKT_ND_NS 135
#define PKT_ND_NA 136
#define PKT_NA_ROUTER 0x80
#define PKT_NA_SOLICITED 0x40
#define PKT_NA_OVERRIDE 0x20

struct pkt_if {
	int		index;
	char		name[IF_NAMESIZE];
	unsigned char	mac[PKT_MACLEN];
};

/* An ARP packet for IPv4 over Ethernet, as read off the wire. */
struct pkt_arp {
	unsigned	op;
	unsigned char	sha[PKT_MACLEN];
	struct in_addr	spa;
	unsigned char	tha[PKT_MACLEN];
	struct in_addr	tpa;
};

/* A neighbour solicitation or advertisement that passed RFC 4861 checks. */
struct pkt_nd {
	unsigned	type;		/* PKT_ND_NS or PKT_ND_NA */
	unsigned	flags;		/* PKT_NA_* of an NA */
	struct in6_addr	src, dst, target;
	int		has_lladdr;	/* a source/target link-layer option */
	unsigned char	lladdr[PKT_MACLEN];
};

/*
 * Looks up an Ethernet interface by name: its index and MAC.  -1 with
 * errno ENODEV (no such interface), EPFNOSUPPORT (not Ethernet) or the
 * ioctl's error.
 */
int		pkt_if_get(const char *name, struct pkt_if *ifp);

/*
 * Opens a non-blocking AF_PACKET datagram socket (the kernel adds and
 * strips the Ethernet header).  With listen set it is bound to receive
 * ethertype on interface ifindex; else it only sends.
 */
int		pkt_open(int ifindex, uint16_t ethertype, int listen);

/* Receive frames sent to the multicast MAC mac on the socket's interface. */
int		pkt_join(int fd, int ifindex, const unsigned char *mac);

/* Sends len bytes of payload to MAC dst.  0, or -1 with errno. */
int		pkt_send(int fd, int ifindex, uint16_t ethertype,
		    const unsigned char *dst, const void *buf, size_t len);

/*
 * Reads one frame's payload: its length, with the sender's MAC in src
 * and whether it was addressed to us or sent by us (PACKET_OUTGOING) in
 * pkttype; -1 with errno (EAGAIN when there is none).
 */
ssize_t		pkt_recv(int fd, void *buf, size_t len, unsigned char *src,
		    int *pkttype);

/* Builds an ARP packet into buf (at least 28 bytes); returns its length. */
size_t		pkt_arp_build(void *buf, unsigned op, const unsigned char *sha,
		    struct in_addr spa, const unsigned char *tha,
		    struct in_addr tpa);

/* 0 when buf holds an Ethernet/IPv4 ARP packet (into a), else -1. */
int		pkt_arp_parse(const void *buf, size_t len, struct pkt_arp *a);

/*
 * Builds an IPv6 packet holding a neighbour advertisement for target
 * (flags PKT_NA_*, with a target link-layer option when lladdr is not
 * NULL) or a neighbour solicitation for target (with a source
 * link-layer option when lladdr is not NULL: never with src ::), hop
 * limit 255, checksummed.  buf holds at least PKT_ND_MAXLEN bytes.
 */
#define PKT_ND_MAXLEN (40 + 24 + 8)
size_t		pkt_na_build(void *buf, const struct in6_addr *src,
		    const struct in6_addr *dst, const struct in6_addr *target,
		    unsigned flags, const unsigned char *lladdr);
size_t		pkt_ns_build(void *buf, const struct in6_addr *src,
		    const struct in6_addr *dst, const struct in6_addr *target,
		    const unsigned char *lladdr);

/*
 * 0 when buf holds an IPv6 packet carrying a valid NS or NA (hop limit
 * 255, code 0, right checksum and lengths, sane options), else -1.
 */
int		pkt_nd_parse(const void *buf, size_t len, struct pkt_nd *nd);

/* The solicited-node multicast address of a, and a multicast MAC. */
void		pkt_solicited_node(const struct in6_addr *a,
		    struct in6_addr *out);
void		pkt_mcast_mac(const struct in6_addr *group, unsigned char *mac);

/* The Internet checksum (RFC 1071) of len bytes, added to sum. */
uint16_t	pkt_csum(const void *buf, size_t len, uint32_t sum);

const char	*pkt_mac_fmt(const unsigned char *mac, char *buf);

#endif
