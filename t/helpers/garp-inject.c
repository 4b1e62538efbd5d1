/*
 * garp-inject - test helper for t/31-garp.bats: sends forged, garbled
 * and valid ARP, neighbour discovery and router advertisement frames
 * onto an interface, and runs random bytes through lib/pkt's parsers.
 *
 *   garp-inject send IFACE KIND ADDRESS MAC
 *	KIND: arp-reply arp-short arp-badhln arp-probe na na-badsum
 *	      na-hop64 na-badopt na-short na-solicited ns-dad ra
 *	The frame claims ADDRESS for MAC (sender hardware address or
 *	target link-layer option); the Ethernet source is IFACE's own.
 *	arp-probe and ns-dad only ask for ADDRESS (RFC 5227 2.1.1 probe
 *	from MAC, RFC 4862 5.4.2 DAD); ra is a router advertisement from
 *	the link-local ADDRESS with MAC as its source link-layer option.
 *   garp-inject dump KIND ADDRESS MAC
 *	Writes that frame's payload to stdout instead (fuzzing seeds).
 *   garp-inject fuzz COUNT SEED
 *	COUNT random and mutated packets through pkt_arp_parse and
 *	pkt_nd_parse; prints "arp=N nd=N" (how many parsed).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "common.h"
#include "pkt.h"

static const char usage_text[] =
    "usage: garp-inject send IFACE KIND ADDRESS MAC\n"
    "       garp-inject dump KIND ADDRESS MAC\n"
    "       garp-inject fuzz COUNT SEED\n";

static int
parse_mac(const char *s, unsigned char *mac)
{
	unsigned v[PKT_MACLEN];
	char junk;
	int i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2],
	    &v[3], &v[4], &v[5], &junk) != 6)
		return -1;
	for (i = 0; i < PKT_MACLEN; i++)
		mac[i] = (unsigned char)v[i];
	return 0;
}

/* Recomputes the ICMPv6 checksum of the IPv6 packet in buf. */
static void
fix_csum(unsigned char *buf, size_t len)
{
	unsigned char ph[40];
	uint32_t s;
	uint16_t c;

	memcpy(ph, buf + 8, 32);
	memset(ph + 32, 0, 8);
	ph[35] = (unsigned char)(len - 40);
	ph[39] = 58;
	buf[42] = buf[43] = 0;
	s = (uint16_t)~pkt_csum(ph, sizeof(ph), 0);
	c = pkt_csum(buf + 40, len - 40, s);
	buf[42] = (unsigned char)(c >> 8);
	buf[43] = (unsigned char)c;
}

/*
 * A router advertisement (RFC 4861 4.2) from the link-local src to
 * all-nodes: hop limit 255, router lifetime RA_LIFETIME seconds,
 * reachable time and retrans timer 0 (unspecified), a source
 * link-layer option with mac.  Its length; buf holds 64 bytes.
 */
#define RA_LIFETIME 1800
static size_t
ra_build(unsigned char *buf, const struct in6_addr *src,
    const struct in6_addr *dst, const unsigned char *mac)
{
	unsigned char *m = buf + 40;

	memset(buf, 0, 64);
	buf[0] = 0x60;
	buf[5] = 24;		/* payload: 16 bytes of RA, 8 of option */
	buf[6] = 58;		/* ICMPv6 */
	buf[7] = 255;
	memcpy(buf + 8, src, 16);
	memcpy(buf + 24, dst, 16);
	m[0] = 134;		/* router advertisement */
	m[6] = RA_LIFETIME >> 8;
	m[7] = RA_LIFETIME & 0xff;
	m[16] = 1;		/* source link-layer address, 8 bytes */
	m[17] = 1;
	memcpy(m + 18, mac, PKT_MACLEN);
	fix_csum(buf, 64);
	return 64;
}

static int
do_send(int argc, char *argv[], int dump)
{
	static const unsigned char bcast[PKT_MACLEN] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff
	};
	unsigned char buf[PKT_ND_MAXLEN], mac[PKT_MACLEN], dst[PKT_MACLEN];
	const char *kind;
	struct pkt_if ifc;
	struct hk_addr a;
	struct in6_addr all;
	uint16_t type;
	size_t len;
	int fd;

	if (dump) {
		if (argc != 5)
			usage_error(usage_text, "dump needs KIND ADDRESS MAC");
		argv--;		/* no IFACE */
	} else if (argc != 6)
		usage_error(usage_text, "send needs IFACE KIND ADDRESS MAC");
	kind = argv[3];
	if (addr_parse(argv[4], &a) < 0)
		usage_error(usage_text, "bad address '%s'", argv[4]);
	if (parse_mac(argv[5], mac) < 0)
		usage_error(usage_text, "bad MAC '%s'", argv[5]);
	if (!dump && pkt_if_get(argv[2], &ifc) < 0)
		die(HK_EXIT_USAGE, "interface %s:", argv[2]);
	inet_pton(AF_INET6, "ff02::1", &all);
	if (strncmp(kind, "arp", 3) == 0) {
		if (a.family != AF_INET)
			usage_error(usage_text, "%s needs IPv4", kind);
		type = ETH_P_ARP;
		memcpy(dst, bcast, sizeof(dst));
		len = pkt_arp_build(buf, PKT_ARP_REPLY, mac, a.u.v4, mac,
		    a.u.v4);
		if (strcmp(kind, "arp-short") == 0)
			len = 20;
		else if (strcmp(kind, "arp-badhln") == 0)
			buf[4] = 8;
		else if (strcmp(kind, "arp-probe") == 0) {
			/* Another host's probe: sender 0.0.0.0, asks only. */
			static const unsigned char zero[PKT_MACLEN];
			struct in_addr any = { 0 };

			len = pkt_arp_build(buf, PKT_ARP_REQUEST, mac, any,
			    zero, a.u.v4);
		} else if (strcmp(kind, "arp-reply") != 0)
			usage_error(usage_text, "unknown kind '%s'", kind);
	} else {
		if (a.family != AF_INET6)
			usage_error(usage_text, "%s needs IPv6", kind);
		type = ETH_P_IPV6;
		pkt_mcast_mac(&all, dst);
		len = pkt_na_build(buf, &a.u.v6, &all, &a.u.v6,
		    strcmp(kind, "na-solicited") == 0 ?
		    PKT_NA_OVERRIDE | PKT_NA_SOLICITED : PKT_NA_OVERRIDE,
		    mac);
		if (strcmp(kind, "na-badsum") == 0)
			buf[42] ^= 0x55;
		else if (strcmp(kind, "na-hop64") == 0)
			buf[7] = 64;
		else if (strcmp(kind, "na-badopt") == 0) {
			/* An option of length 0, with a right checksum. */
			buf[65] = 0;
			fix_csum(buf, len);
		} else if (strcmp(kind, "ns-dad") == 0) {
			/* Another host's DAD probe for ADDRESS. */
			struct in6_addr snm;

			pkt_solicited_node(&a.u.v6, &snm);
			pkt_mcast_mac(&snm, dst);
			len = pkt_ns_build(buf, &in6addr_any, &snm, &a.u.v6,
			    NULL);
		} else if (strcmp(kind, "ra") == 0) {
			if (!IN6_IS_ADDR_LINKLOCAL(&a.u.v6))
				usage_error(usage_text, "ra needs a link-local "
				    "address (RFC 4861 6.1.2)");
			len = ra_build(buf, &a.u.v6, &all, mac);
		} else if (strcmp(kind, "na-short") == 0)
			len = 50;
		else if (strcmp(kind, "na") != 0 &&
		    strcmp(kind, "na-solicited") != 0)
			usage_error(usage_text, "unknown kind '%s'", kind);
	}
	if (dump) {
		if (fwrite(buf, 1, len, stdout) != len)
			die(HK_EXIT_SYS, "write:");
		return 0;
	}
	if ((fd = pkt_open(ifc.index, type, 0)) < 0)
		die(HK_EXIT_SYS, "packet socket:");
	if (pkt_send(fd, ifc.index, type, dst, buf, len) < 0)
		die(HK_EXIT_SYS, "send:");
	return 0;
}

static int
do_fuzz(int argc, char *argv[])
{
	unsigned long count, seed, i, arp = 0, nd = 0;
	unsigned char buf[PKT_ND_MAXLEN + 16], mac[PKT_MACLEN] = { 2 };
	struct in6_addr all, t;
	struct pkt_arp pa;
	struct pkt_nd pn;

	if (argc != 4 || parse_ulong(argv[2], 1, 100000000, &count) < 0 ||
	    parse_ulong(argv[3], 0, 0xffffffffUL, &seed) < 0)
		usage_error(usage_text, "fuzz needs COUNT SEED");
	srandom((unsigned)seed);
	inet_pton(AF_INET6, "ff02::1", &all);
	inet_pton(AF_INET6, "2001:db8::1", &t);
	for (i = 0; i < count; i++) {
		size_t len = (size_t)random() % sizeof(buf), j, flips;

		if (i % 3 != 2) {
			/* A valid packet with a few bytes changed. */
			struct in_addr v4 = { htonl(0xc0000201) };
			size_t full = i % 3 == 1 ?
			    pkt_arp_build(buf, PKT_ARP_REPLY, mac, v4, mac,
			    v4) : i % 2 == 0 ?
			    pkt_na_build(buf, &t, &all, &t, PKT_NA_OVERRIDE,
			    mac) :
			    pkt_ns_build(buf, &t, &all, &t, mac);

			flips = (size_t)random() % 4;
			for (j = 0; j < flips; j++)
				buf[(size_t)random() % full] =
				    (unsigned char)random();
			if (len > full || random() % 2)
				len = full;
		} else {
			for (j = 0; j < len; j++)
				buf[j] = (unsigned char)random();
			if (len > 0 && random() % 2)
				buf[0] = 0x60;
		}
		if (pkt_arp_parse(buf, len, &pa) == 0)
			arp++;
		if (pkt_nd_parse(buf, len, &pn) == 0)
			nd++;
	}
	printf("arp=%lu nd=%lu\n", arp, nd);
	return 0;
}

int
main(int argc, char *argv[])
{
	hk_setprogname(argv[0]);
	hk_check_stdout_at_exit();
	if (argc >= 2 && strcmp(argv[1], "send") == 0)
		return do_send(argc, argv, 0);
	if (argc >= 2 && strcmp(argv[1], "dump") == 0)
		return do_send(argc, argv, 1);
	if (argc >= 2 && strcmp(argv[1], "fuzz") == 0)
		return do_fuzz(argc, argv);
	usage_error(usage_text, "need send, dump or fuzz");
}
