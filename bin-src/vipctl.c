/*
 * vipctl - add, remove, check and list a virtual IP address on an
 * interface, over rtnetlink, with an optional kernel lease (address
 * lifetime) as a dead man's switch.  See vipctl(8).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "common.h"
#include "nl.h"

static const char usage_text[] =
    "usage: vipctl [-v] add|del|check ADDRESS/PREFIX dev IFACE"
    " [label LABEL] [lease DURATION]\n"
    "       vipctl list [dev IFACE]\n";

/* One line per option, for -h and --help: see usage_help(). */
static const char help_text[] =
    "-v\tsay on stderr what was done, or why nothing was\n"
    "dev IFACE\tthe interface (required but for list)\n"
    "label LABEL\tIPv4 alias name, IFACE or IFACE:SUFFIX (default none)\n"
    "lease DURATION\t"
    "add: lifetime until the next add, ms or s (default: permanent)\n";
#define OPTS		"+vhV"

#ifndef IFA_FLAGS
#define IFA_FLAGS 8
#endif
#define LIFE_INFINITY 0xffffffffU

enum cmd {
	CMD_ADD,
	CMD_DEL,
	CMD_CHECK,
	CMD_LIST
};

/* What the dump found for our address on our interface. */
struct found {
	int		present;	/* same address and prefix */
	unsigned	otherprefix;	/* IPv6: same address, this prefix */
	char		label[IF_NAMESIZE];
	uint32_t	valid;		/* seconds left, or LIFE_INFINITY */
	uint32_t	flags;		/* IFA_F_* */
	int		has_address;
	unsigned char	address[16];	/* its IFA_ADDRESS: a peer, if any */
};

/* The whole run. */
struct vipctl {
	enum cmd	cmd;
	int		verbose;
	struct hk_addr	addr;
	char		addrstr[ADDR_STRLEN + 4];	/* "ADDR/PREFIX" */
	const char	*ifname;
	int		ifindex;
	const char	*label;
	int		lease_set;
	uint32_t	lease_s;
	struct nl	nl;
	struct found	f;
	FILE		*out;		/* list: the lines gathered */
	char		*outbuf;
	size_t		outlen;
};

/* One request buffer: header, ifaddrmsg, attributes. */
struct req {
	struct nlmsghdr		n;
	struct ifaddrmsg	ifa;
	char			attrs[256];
};

/* The address an RTM_NEWADDR carries: IFA_LOCAL, else IFA_ADDRESS. */
static struct rtattr *
ifa_addr_attr(struct rtattr *tb[])
{
	return tb[IFA_LOCAL] != NULL ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
}

static void
ifa_parse(const struct nlmsghdr *h, struct rtattr *tb[])
{
	const struct ifaddrmsg *ifa = NLMSG_DATA(h);

	nl_attr_parse(tb, IFA_MAX, IFA_RTA(ifa),
	    (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifa))));
}

/* A usable RTM_NEWADDR from a dump, or NULL. */
static const struct ifaddrmsg *
ifa_msg(const struct nlmsghdr *h)
{
	if (h->nlmsg_type != RTM_NEWADDR ||
	    h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifaddrmsg)))
		return NULL;
	return NLMSG_DATA(h);
}

static uint32_t
ifa_flags(const struct ifaddrmsg *ifa, struct rtattr *tb[])
{
	uint32_t fl = ifa->ifa_flags;

	if (tb[IFA_FLAGS] != NULL && RTA_PAYLOAD(tb[IFA_FLAGS]) >= 4)
		memcpy(&fl, RTA_DATA(tb[IFA_FLAGS]), 4);
	return fl;
}

static int
find_cb(const struct nlmsghdr *h, void *arg)
{
	struct vipctl *v = arg;
	const struct ifaddrmsg *ifa = ifa_msg(h);
	struct rtattr *tb[IFA_MAX + 1], *a;
	size_t alen = addr_len(&v->addr);

	if (ifa == NULL || ifa->ifa_family != v->addr.family ||
	    (int)ifa->ifa_index != v->ifindex)
		return 0;
	ifa_parse(h, tb);
	if ((a = ifa_addr_attr(tb)) == NULL || RTA_PAYLOAD(a) != alen ||
	    memcmp(RTA_DATA(a), v->addr.u.b, alen) != 0)
		return 0;
	if (ifa->ifa_prefixlen != v->addr.prefix) {
		/* IPv4 keeps ADDR/24 and ADDR/32 apart; IPv6 does not. */
		if (v->addr.family == AF_INET6)
			v->f.otherprefix = ifa->ifa_prefixlen;
		return 0;
	}
	v->f.present = 1;
	v->f.flags = ifa_flags(ifa, tb);
	if (tb[IFA_ADDRESS] != NULL && RTA_PAYLOAD(tb[IFA_ADDRESS]) == alen) {
		memcpy(v->f.address, RTA_DATA(tb[IFA_ADDRESS]), alen);
		v->f.has_address = 1;
	}
	v->f.valid = LIFE_INFINITY;
	if (tb[IFA_CACHEINFO] != NULL &&
	    RTA_PAYLOAD(tb[IFA_CACHEINFO]) >= sizeof(struct ifa_cacheinfo)) {
		struct ifa_cacheinfo ci;

		memcpy(&ci, RTA_DATA(tb[IFA_CACHEINFO]), sizeof(ci));
		v->f.valid = ci.ifa_valid;
	}
	if (tb[IFA_LABEL] != NULL) {
		size_t n = RTA_PAYLOAD(tb[IFA_LABEL]);

		if (n >= sizeof(v->f.label))
			n = sizeof(v->f.label) - 1;
		memcpy(v->f.label, RTA_DATA(tb[IFA_LABEL]), n);
		v->f.label[n] = '\0';
	}
	return 0;
}

/*
 * Runs an address dump of family through cb; when it was interrupted by
 * a change, again after reset (when there is one).
 */
static void
dump(struct vipctl *v, int family, int (*cb)(const struct nlmsghdr *,
    void *), void *arg, void (*reset)(void *))
{
	struct req r;
	int tries;

	for (tries = 0; tries < 5; tries++) {
		memset(&r, 0, sizeof(r));
		r.n.nlmsg_len = NLMSG_LENGTH(sizeof(r.ifa));
		r.n.nlmsg_type = RTM_GETADDR;
		r.ifa.ifa_family = (unsigned char)family;
		if (reset != NULL)
			reset(arg);
		if (nl_dump(&v->nl, &r.n, cb, arg) >= 0)
			return;
		if (errno != EAGAIN)
			break;
		/* Addresses changed during the dump: run it again. */
	}
	die(HK_EXIT_SYS, "cannot read the addresses:");
}

static void
find_reset(void *arg)
{
	struct vipctl *v = arg;

	memset(&v->f, 0, sizeof(v->f));
}

static void
find(struct vipctl *v)
{
	dump(v, v->addr.family, find_cb, v, find_reset);
}

/* Exit 3 with the kernel's reason for refusing what we asked. */
static noreturn void
refused(struct vipctl *v, const char *what, const char *errmsg)
{
	if (errmsg[0] != '\0')
		die(HK_EXIT_SYS, "cannot %s %s on %s: %s (%s)", what,
		    v->addrstr, v->ifname, strerror(errno), errmsg);
	die(HK_EXIT_SYS, "cannot %s %s on %s:", what, v->addrstr,
	    v->ifname);
}

/*
 * Starts an RTM_NEWADDR/RTM_DELADDR for our address on our interface.
 * The kernel finds an IPv4 address by its IFA_ADDRESS too, which is the
 * peer's on a point-to-point address: the one found is used.
 */
static void
req_init(struct vipctl *v, struct req *r, int type, int flags)
{
	size_t alen = addr_len(&v->addr);
	const void *address = v->f.present && v->f.has_address ?
	    v->f.address : v->addr.u.b;
	int e = 0;

	memset(r, 0, sizeof(*r));
	r->n.nlmsg_len = NLMSG_LENGTH(sizeof(r->ifa));
	r->n.nlmsg_type = (unsigned short)type;
	r->n.nlmsg_flags = (unsigned short)flags;
	r->ifa.ifa_family = (unsigned char)v->addr.family;
	r->ifa.ifa_prefixlen = (unsigned char)v->addr.prefix;
	r->ifa.ifa_index = (unsigned)v->ifindex;
	r->ifa.ifa_scope = RT_SCOPE_UNIVERSE;
	e |= nl_attr_add(&r->n, sizeof(*r), IFA_LOCAL, v->addr.u.b, alen);
	e |= nl_attr_add(&r->n, sizeof(*r), IFA_ADDRESS, address, alen);
	if (e != 0)
		die(HK_EXIT_SYS, "netlink request too large");
}

/*
 * Adds the address, or, when replace is set, sets the lifetime of the
 * one that is there (NLM_F_REPLACE only changes the lifetime: the kernel
 * keeps the label).  An IPv6 address is added without the kernel's own
 * DAD (IFA_F_NODAD): usable at once, since garp -D has probed first.
 */
static int
add_req(struct vipctl *v, int replace, char *errmsg)
{
	struct req r;
	int e = 0;

	req_init(v, &r, RTM_NEWADDR,
	    NLM_F_CREATE | (replace ? NLM_F_REPLACE : NLM_F_EXCL));
	if (v->addr.family == AF_INET) {
		if (v->addr.prefix < 31) {
			struct in_addr b = v->addr.u.v4;
			uint32_t host = 0xffffffffU >> v->addr.prefix;

			b.s_addr |= htonl(host);
			e |= nl_attr_add(&r.n, sizeof(r), IFA_BROADCAST, &b, 4);
		}
		if (v->label != NULL)
			e |= nl_attr_add(&r.n, sizeof(r), IFA_LABEL, v->label,
			    strlen(v->label) + 1);
	} else {
		r.ifa.ifa_flags = IFA_F_NODAD;
		e |= nl_attr_add_u32(&r.n, sizeof(r), IFA_FLAGS, IFA_F_NODAD);
	}
	if (v->lease_set || replace) {
		struct ifa_cacheinfo ci;

		memset(&ci, 0, sizeof(ci));
		ci.ifa_valid = v->lease_set ? v->lease_s : LIFE_INFINITY;
		ci.ifa_prefered = ci.ifa_valid;
		e |= nl_attr_add(&r.n, sizeof(r), IFA_CACHEINFO, &ci,
		    sizeof(ci));
	}
	if (e != 0)
		die(HK_EXIT_SYS, "netlink request too large");
	return nl_request(&v->nl, &r.n, errmsg);
}

static int
do_add(struct vipctl *v)
{
	char errmsg[NL_ERRLEN];
	int replace;

	find(v);
	if (v->f.otherprefix != 0 && !v->f.present)
		die(HK_EXIT_SYS, "cannot add %s on %s: the address is there "
		    "with prefix /%u; del it first", v->addrstr, v->ifname,
		    v->f.otherprefix);
	if (v->f.present && (v->f.flags & IFA_F_DADFAILED))
		die(HK_EXIT_SYS, "cannot add %s on %s: the address is there "
		    "but failed duplicate address detection (another host "
		    "holds it); del it first", v->addrstr, v->ifname);
	/*
	 * A present address is left alone unless its lifetime must change:
	 * a lease asked for, or a lease to be lifted (add without lease
	 * makes the address permanent).
	 */
	replace = v->f.present;
	if (replace && !v->lease_set && v->f.valid == LIFE_INFINITY) {
		if (v->verbose)
			warnf("%s is already on %s", v->addrstr, v->ifname);
		goto done;
	}
	if (add_req(v, replace, errmsg) < 0) {
		/* Added by someone else since the dump: set its lifetime. */
		if (errno != EEXIST || replace ||
		    add_req(v, 1, errmsg) < 0)
			refused(v, "add", errmsg);
		replace = 1;
	}
	if (v->verbose) {
		if (v->lease_set)
			warnf("%s %s on %s, lease %lus", replace ?
			    "renewed" : "added", v->addrstr, v->ifname,
			    (unsigned long)v->lease_s);
		else
			warnf("%s %s on %s, permanent", replace ?
			    "kept" : "added", v->addrstr, v->ifname);
	}
done:
	if (v->verbose && v->f.present && v->label != NULL &&
	    v->addr.family == AF_INET && strcmp(v->f.label, v->label) != 0)
		warnf("%s keeps its label %s: del and add it to relabel",
		    v->addrstr, v->f.label);
	return HK_EXIT_OK;
}

static int
do_del(struct vipctl *v)
{
	char errmsg[NL_ERRLEN];
	struct req r;

	find(v);
	if (!v->f.present) {
		if (v->verbose)
			warnf("%s is not on %s", v->addrstr, v->ifname);
		return HK_EXIT_OK;
	}
	req_init(v, &r, RTM_DELADDR, 0);
	if (nl_request(&v->nl, &r.n, errmsg) < 0) {
		/* Gone since the dump (a lease ran out): that is done too. */
		if (errno != EADDRNOTAVAIL && errno != ENOENT)
			refused(v, "delete", errmsg);
		if (v->verbose)
			warnf("%s is not on %s", v->addrstr, v->ifname);
		return HK_EXIT_OK;
	}
	if (v->verbose)
		warnf("deleted %s from %s", v->addrstr, v->ifname);
	return HK_EXIT_OK;
}

static int
do_check(struct vipctl *v)
{
	find(v);
	if (!v->f.present) {
		if (v->verbose)
			warnf("%s is not on %s", v->addrstr, v->ifname);
		return HK_EXIT_NO;
	}
	if (v->f.flags & IFA_F_DADFAILED) {
		if (v->verbose)
			warnf("%s is on %s but failed duplicate address "
			    "detection", v->addrstr, v->ifname);
		return HK_EXIT_NO;
	}
	if (v->label != NULL && v->addr.family == AF_INET &&
	    strcmp(v->label, v->f.label) != 0) {
		if (v->verbose)
			warnf("%s is on %s with label %s, not %s", v->addrstr,
			    v->ifname, v->f.label, v->label);
		return HK_EXIT_NO;
	}
	if (v->verbose)
		warnf("%s is on %s", v->addrstr, v->ifname);
	return HK_EXIT_OK;
}

/*
 * Milliseconds left of a lease.  The kernel reports whole seconds left,
 * rounded down on its own tick clock, which userland cannot read
 * exactly: that, in milliseconds, is what can be said without guessing.
 */
static uint64_t
lease_ms(const struct ifa_cacheinfo *ci)
{
	return (uint64_t)ci->ifa_valid * 1000;
}

static int
list_cb(const struct nlmsghdr *h, void *arg)
{
	struct vipctl *v = arg;
	const struct ifaddrmsg *ifa = ifa_msg(h);
	struct rtattr *tb[IFA_MAX + 1], *a;
	char ifname[IF_NAMESIZE], buf[ADDR_STRLEN];
	struct hk_addr ad;

	if (ifa == NULL || (ifa->ifa_family != AF_INET &&
	    ifa->ifa_family != AF_INET6))
		return 0;
	if (v->ifindex != 0 && (int)ifa->ifa_index != v->ifindex)
		return 0;
	ifa_parse(h, tb);
	memset(&ad, 0, sizeof(ad));
	ad.family = ifa->ifa_family;
	if ((a = ifa_addr_attr(tb)) == NULL ||
	    RTA_PAYLOAD(a) != addr_len(&ad))
		return 0;
	memcpy(ad.u.b, RTA_DATA(a), addr_len(&ad));
	if (if_indextoname(ifa->ifa_index, ifname) == NULL)
		snprintf(ifname, sizeof(ifname), "if%u", ifa->ifa_index);
	fprintf(v->out, "%s/%u %s", addr_fmt(&ad, buf, sizeof(buf)),
	    ifa->ifa_prefixlen, ifname);
	if (ifa->ifa_family == AF_INET && tb[IFA_LABEL] != NULL) {
		char label[IF_NAMESIZE];
		size_t n = RTA_PAYLOAD(tb[IFA_LABEL]);

		if (n >= sizeof(label))
			n = sizeof(label) - 1;
		memcpy(label, RTA_DATA(tb[IFA_LABEL]), n);
		label[n] = '\0';
		label[strcspn(label, " \t\n")] = '\0';
		if (label[0] != '\0' && strcmp(label, ifname) != 0)
			fprintf(v->out, " label=%s", label);
	}
	if (tb[IFA_CACHEINFO] != NULL &&
	    RTA_PAYLOAD(tb[IFA_CACHEINFO]) >= sizeof(struct ifa_cacheinfo)) {
		struct ifa_cacheinfo ci;

		memcpy(&ci, RTA_DATA(tb[IFA_CACHEINFO]), sizeof(ci));
		if (ci.ifa_valid != LIFE_INFINITY)
			fprintf(v->out, " lease=%llu",
			    (unsigned long long)lease_ms(&ci));
	}
	putc('\n', v->out);
	return 0;
}

/* Starts the listing (again): nothing gathered yet. */
static void
list_reset(void *arg)
{
	struct vipctl *v = arg;

	if (v->out != NULL)
		fclose(v->out);
	free(v->outbuf);
	v->outbuf = NULL;
	v->outlen = 0;
	if ((v->out = open_memstream(&v->outbuf, &v->outlen)) == NULL)
		die(HK_EXIT_SYS, "cannot list the addresses:");
}

static int
do_list(struct vipctl *v)
{
	/*
	 * Gathered first and printed whole: a dump the kernel says was
	 * interrupted by a change (it may have skipped an address) is run
	 * again, and lines already printed could not be taken back.
	 */
	dump(v, AF_UNSPEC, list_cb, v, list_reset);
	if ((ferror(v->out) | fclose(v->out)) != 0)
		die(HK_EXIT_SYS, "cannot list the addresses:");
	v->out = NULL;
	fwrite(v->outbuf, 1, v->outlen, stdout);
	free(v->outbuf);
	v->outbuf = NULL;
	return HK_EXIT_OK;
}

static int
parse_cmd(const char *s, enum cmd *c)
{
	static const struct {
		const char *name;
		enum cmd cmd;
	} cmds[] = {
		{ "add", CMD_ADD }, { "del", CMD_DEL },
		{ "check", CMD_CHECK }, { "list", CMD_LIST },
	};
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(s, cmds[i].name) == 0) {
			*c = cmds[i].cmd;
			return 0;
		}
	return -1;
}

/* An interface name as the kernel takes it, or a usage error. */
static int
lookup_if(const char *name)
{
	unsigned idx;

	if (*name == '\0' || strlen(name) >= IF_NAMESIZE ||
	    (idx = if_nametoindex(name)) == 0)
		usage_error(usage_text, "unknown interface '%s'", name);
	return (int)idx;
}

/* The keyword arguments after the command: dev, label, lease. */
static void
parse_words(struct vipctl *v, int argc, char *argv[])
{
	const char *lease = NULL;
	int i;

	for (i = 0; i < argc; i += 2) {
		const char **slot;

		if (strcmp(argv[i], "dev") == 0)
			slot = &v->ifname;
		else if (strcmp(argv[i], "label") == 0 && v->cmd != CMD_LIST)
			slot = &v->label;
		else if (strcmp(argv[i], "lease") == 0 && v->cmd == CMD_ADD)
			slot = &lease;
		else if (strcmp(argv[i], "lease") == 0)
			usage_error(usage_text, "lease is for add only");
		else
			usage_error(usage_text, "unexpected argument '%s'",
			    argv[i]);
		if (i + 1 >= argc)
			usage_error(usage_text, "%s needs a value", argv[i]);
		if (*slot != NULL)
			usage_error(usage_text, "%s given twice", argv[i]);
		*slot = argv[i + 1];
	}
	if (lease != NULL) {
		uint64_t ms;

		if (parse_dur(lease, &ms) < 0)
			usage_error(usage_text, "bad lease '%s':", lease);
		if (ms == 0)
			usage_error(usage_text, "bad lease '%s' (must be more "
			    "than 0)", lease);
		/* The kernel counts lifetimes in whole seconds. */
		v->lease_s = (uint32_t)((ms + 999) / 1000);
		v->lease_set = 1;
	}
}

/* Not the unspecified, a multicast or the limited broadcast address. */
static int
addr_assignable(const struct hk_addr *a)
{
	if (a->family == AF_INET) {
		uint32_t h = ntohl(a->u.v4.s_addr);

		return h != 0 && h != 0xffffffffU && (h >> 28) != 0xe;
	}
	return !IN6_IS_ADDR_UNSPECIFIED(&a->u.v6) &&
	    !IN6_IS_ADDR_MULTICAST(&a->u.v6);
}

/* The label rule of ip(8) and ifconfig: IFACE or IFACE:SOMETHING. */
static void
check_label(const struct vipctl *v)
{
	size_t n = strlen(v->ifname), l = strlen(v->label);

	if (l >= IF_NAMESIZE)
		usage_error(usage_text, "label '%s' is longer than %d "
		    "characters", v->label, IF_NAMESIZE - 1);
	if (strncmp(v->label, v->ifname, n) != 0 ||
	    (v->label[n] != '\0' && v->label[n] != ':') ||
	    strpbrk(v->label, " \t\n/") != NULL)
		usage_error(usage_text, "label '%s' must be %s or start with "
		    "'%s:'", v->label, v->ifname, v->ifname);
}

int
main(int argc, char *argv[])
{
	struct vipctl v = {
		.cmd = CMD_LIST,
		.nl = { .fd = -1 },
	};
	int c, status;

	hk_setprogname(argv[0]);
	usage_help_arg(argc, argv, OPTS, usage_text, help_text);
	hk_check_stdout_at_exit();
	while ((c = getopt(argc, argv, OPTS)) != -1) {
		switch (c) {
		case 'v':
			v.verbose = 1;
			break;
		case 'h':
			usage_help(usage_text, help_text);
		case 'V':
			version_exit();
		default:
			usage_exit(usage_text, HK_EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage_error(usage_text, "missing command");
	if (parse_cmd(argv[0], &v.cmd) < 0)
		usage_error(usage_text, "unknown command '%s'", argv[0]);
	argc--;
	argv++;
	if (v.cmd != CMD_LIST) {
		if (argc < 1)
			usage_error(usage_text, "missing ADDRESS/PREFIX");
		if (addr_parse_prefix(argv[0], &v.addr, 0) < 0)
			usage_error(usage_text, "bad address '%s' (a numeric "
			    "IPv4 or IPv6 ADDRESS/PREFIX)", argv[0]);
		if (strchr(argv[0], '/') == NULL)
			usage_error(usage_text, "missing /PREFIX in '%s'",
			    argv[0]);
		if (!addr_assignable(&v.addr))
			usage_error(usage_text, "'%s' is not an address an "
			    "interface can hold", argv[0]);
		argc--;
		argv++;
	}
	parse_words(&v, argc, argv);
	if (v.cmd != CMD_LIST && v.ifname == NULL)
		usage_error(usage_text, "missing dev IFACE");
	if (v.ifname != NULL)
		v.ifindex = lookup_if(v.ifname);
	if (v.cmd != CMD_LIST) {
		char buf[ADDR_STRLEN];

		snprintf(v.addrstr, sizeof(v.addrstr), "%s/%u",
		    addr_fmt(&v.addr, buf, sizeof(buf)), v.addr.prefix);
		if (v.label != NULL && v.addr.family == AF_INET)
			check_label(&v);
		else if (v.label != NULL && v.verbose)
			warnf("IPv6 addresses have no label: '%s' ignored",
			    v.label);
	}
	if (nl_open(&v.nl, 0) < 0)
		die(HK_EXIT_SYS, "cannot open a netlink socket:");
	switch (v.cmd) {
	case CMD_ADD:
		status = do_add(&v);
		break;
	case CMD_DEL:
		status = do_del(&v);
		break;
	case CMD_CHECK:
		status = do_check(&v);
		break;
	default:
		status = do_list(&v);
		break;
	}
	nl_close(&v.nl);
	return status;
}
