/*
 * pkt_fuzz.c - libFuzzer target for garp's packet parsers
 * (bin-src/lib/pkt.c): the input is one received frame's payload, read
 * as ARP and as IPv6 neighbour discovery.  Any NS or NA that parses is
 * built again from its fields and must parse back to the same fields.
 * Built and run by "make fuzz" (clang), into bin-src/build-fuzz.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>

#include "pkt.h"

static void
roundtrip(const struct pkt_nd *nd)
{
	unsigned char buf[PKT_ND_MAXLEN];
	struct pkt_nd back;
	size_t len;

	if (nd->type == PKT_ND_NS && IN6_IS_ADDR_UNSPECIFIED(&nd->src) &&
	    nd->has_lladdr)
		abort();	/* the parser must have refused it */
	if (nd->type == PKT_ND_NA)
		len = pkt_na_build(buf, &nd->src, &nd->dst, &nd->target,
		    nd->flags, nd->has_lladdr ? nd->lladdr : NULL);
	else
		len = pkt_ns_build(buf, &nd->src, &nd->dst, &nd->target,
		    nd->has_lladdr ? nd->lladdr : NULL);
	if (len > sizeof(buf) || pkt_nd_parse(buf, len, &back) != 0)
		abort();
	if (back.type != nd->type || back.flags != nd->flags ||
	    back.has_lladdr != nd->has_lladdr ||
	    memcmp(&back.src, &nd->src, sizeof(back.src)) != 0 ||
	    memcmp(&back.dst, &nd->dst, sizeof(back.dst)) != 0 ||
	    memcmp(&back.target, &nd->target, sizeof(back.target)) != 0 ||
	    (nd->has_lladdr &&
	    memcmp(back.lladdr, nd->lladdr, PKT_MACLEN) != 0))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkt_arp a;
	struct pkt_nd nd;
	unsigned char *copy;

	/* An exact-size copy, so that any read past the end is caught. */
	if ((copy = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	if (pkt_arp_parse(copy, size, &a) == 0 && size < 28)
		abort();
	if (pkt_nd_parse(copy, size, &nd) == 0)
		roundtrip(&nd);
	free(copy);
	return 0;
}
