/*
 * libtest.c - drives bin-src/lib from the shell, so that t/10-lib.bats
 * can check the shared parsers and the netlink helper one case a line.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "common.h"
#include "nl.h"
#include "tm.h"

static const char usage_text[] =
    "usage: libtest dur TEXT\n"
    "       libtest num TEXT MIN MAX\n"
    "       libtest addr TEXT\n"
    "       libtest prefix TEXT [need]\n"
    "       libtest innet NET/PREFIX ADDR\n"
    "       libtest die-errno\n"
    "       libtest nl-links\n"
    "       libtest nl-bad-request\n"
    "       libtest clock\n";

static int
print_link(const struct nlmsghdr *h, void *arg)
{
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	struct rtattr *tb[IFLA_MAX + 1];

	(void)arg;
	if (h->nlmsg_type != RTM_NEWLINK)
		return 0;
	nl_attr_parse(tb, IFLA_MAX, IFLA_RTA(ifi),
	    (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi))));
	if (tb[IFLA_IFNAME] != NULL)
		printf("%d %s\n", ifi->ifi_index, (char *)RTA_DATA(tb[IFLA_IFNAME]));
	return 0;
}

static int
nl_links(void)
{
	struct {
		struct nlmsghdr n;
		struct ifinfomsg i;
	} req;
	struct nl nl;

	if (nl_open(&nl, 0) < 0)
		die(HK_EXIT_SYS, "netlink:");
	memset(&req, 0, sizeof(req));
	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(req.i));
	req.n.nlmsg_type = RTM_GETLINK;
	req.i.ifi_family = AF_UNSPEC;
	if (nl_dump(&nl, &req.n, print_link, NULL) < 0)
		die(HK_EXIT_SYS, "dump links:");
	nl_close(&nl);
	return 0;
}

/* Adds an address to an interface index nobody has: the kernel refuses. */
static int
nl_bad_request(void)
{
	struct {
		struct nlmsghdr n;
		struct ifaddrmsg a;
		char buf[64];
	} req;
	struct in_addr ip = { htonl(0xc0000263) };	/* 192.0.2.99 */
	char msg[NL_ERRLEN];
	struct nl nl;

	if (nl_open(&nl, 0) < 0)
		die(HK_EXIT_SYS, "netlink:");
	memset(&req, 0, sizeof(req));
	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(req.a));
	req.n.nlmsg_type = RTM_NEWADDR;
	req.n.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	req.a.ifa_family = AF_INET;
	req.a.ifa_prefixlen = 24;
	req.a.ifa_index = 0x7ffffff0;
	if (nl_attr_add(&req.n, sizeof(req), IFA_LOCAL, &ip, sizeof(ip)) < 0 ||
	    nl_attr_add(&req.n, sizeof(req), IFA_ADDRESS, &ip, sizeof(ip)) < 0)
		die(HK_EXIT_SYS, "build request:");
	if (nl_request(&nl, &req.n, msg) == 0) {
		printf("accepted\n");
		return 0;
	}
	printf("errno=%d %s msg=%s\n", errno, strerror(errno), msg);
	nl_close(&nl);
	return HK_EXIT_SYS;
}

int
main(int argc, char *argv[])
{
	const char *cmd;

	hk_setprogname(argv[0]);
	hk_check_stdout_at_exit();
	if (argc < 2)
		usage_error(usage_text, "missing command");
	cmd = argv[1];
	if (strcmp(cmd, "-h") == 0)
		usage_exit(usage_text, 0);
	if (strcmp(cmd, "dur") == 0 && argc == 3) {
		uint64_t ms;

		if (parse_dur(argv[2], &ms) < 0)
			die(HK_EXIT_USAGE, "bad duration '%s':", argv[2]);
		printf("%llu\n", (unsigned long long)ms);
		return 0;
	}
	if (strcmp(cmd, "num") == 0 && argc == 5) {
		unsigned long v, lo, hi;

		if (parse_ulong(argv[3], 0, ~0UL, &lo) < 0 ||
		    parse_ulong(argv[4], 0, ~0UL, &hi) < 0)
			die(HK_EXIT_USAGE, "bad bounds");
		if (parse_ulong(argv[2], lo, hi, &v) < 0)
			die(HK_EXIT_USAGE, "bad number '%s':", argv[2]);
		printf("%lu\n", v);
		return 0;
	}
	if ((strcmp(cmd, "addr") == 0 && argc == 3) ||
	    (strcmp(cmd, "prefix") == 0 && (argc == 3 || argc == 4))) {
		char buf[ADDR_STRLEN];
		struct hk_addr a;
		int r;

		if (cmd[0] == 'a')
			r = addr_parse(argv[2], &a);
		else
			r = addr_parse_prefix(argv[2], &a, argc == 4);
		if (r < 0)
			die(HK_EXIT_USAGE, "bad address '%s':", argv[2]);
		printf("%s %s/%u\n", a.family == AF_INET ? "inet" : "inet6",
		    addr_fmt(&a, buf, sizeof(buf)), a.prefix);
		return 0;
	}
	if (strcmp(cmd, "innet") == 0 && argc == 4) {
		struct hk_addr net, a;

		if (addr_parse_prefix(argv[2], &net, 1) < 0 ||
		    addr_parse(argv[3], &a) < 0)
			die(HK_EXIT_USAGE, "bad address");
		return addr_in_net(&net, &a) ? 0 : 1;
	}
	if (strcmp(cmd, "die-errno") == 0 && argc == 2) {
		errno = ENOENT;
		die(HK_EXIT_SYS, "open /nonexistent:");
	}
	if (strcmp(cmd, "nl-links") == 0 && argc == 2)
		return nl_links();
	if (strcmp(cmd, "nl-bad-request") == 0 && argc == 2)
		return nl_bad_request();
	if (strcmp(cmd, "clock") == 0 && argc == 2) {
		uint64_t a = tm_now_ms(), b = tm_now_ms();

		printf("%s\n", b >= a && a > 0 ? "monotonic" : "broken");
		return 0;
	}
	usage_error(usage_text, "unknown command or wrong arguments: %s", cmd);
}
