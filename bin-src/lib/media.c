/*
 * media.c - parse a medium word and open the socket or tty behind it.
 * Addresses are numeric: a heartbeat never waits on DNS.  See hbsend(8)
 * and hbrecv(8) for the syntax.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "common.h"
#include "media.h"

static const struct {
	unsigned	baud;
	speed_t		code;
} bauds[] = {
	{ 1200, B1200 }, { 2400, B2400 }, { 4800, B4800 }, { 9600, B9600 },
	{ 19200, B19200 }, { 38400, B38400 }, { 57600, B57600 },
	{ 115200, B115200 }, { 230400, B230400 }, { 460800, B460800 },
};

int
media_baud_ok(unsigned baud)
{
	size_t i;

	for (i = 0; i < sizeof(bauds) / sizeof(bauds[0]); i++)
		if (bauds[i].baud == baud)
			return 1;
	return 0;
}

static int
is_multicast(const struct hk_addr *a)
{
	if (a->family == AF_INET)
		return (a->u.b[0] & 0xf0) == 0xe0;
	return a->u.b[0] == 0xff;
}

/*
 * "ADDR", "ADDR:PORT", "[V6]", "[V6]:PORT" or a bare IPv6 address (more
 * than one colon, no port).  A missing port leaves *port alone.
 */
static int
parse_hostport(const char *s, struct hk_addr *a, unsigned *port,
    const char **why)
{
	char buf[ADDR_STRLEN + 2];
	const char *colon, *pstr = NULL, *close;
	unsigned long v;
	size_t n;

	if (*s == '[') {
		close = strchr(s, ']');
		if (close == NULL) {
			*why = "missing ']' after the IPv6 address";
			return -1;
		}
		n = (size_t)(close - s - 1);
		if (close[1] == ':')
			pstr = close + 2;
		else if (close[1] != '\0') {
			*why = "junk after ']'";
			return -1;
		}
		s++;
	} else {
		colon = strchr(s, ':');
		if (colon != NULL && strchr(colon + 1, ':') == NULL) {
			n = (size_t)(colon - s);
			pstr = colon + 1;
		} else {
			n = strlen(s);
		}
	}
	if (n == 0 || n >= sizeof(buf)) {
		*why = "missing or bad address";
		return -1;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (addr_parse(buf, a) < 0) {
		*why = "not a numeric IPv4 or IPv6 address";
		return -1;
	}
	if (pstr != NULL) {
		if (parse_ulong(pstr, 1, 65535, &v) < 0) {
			*why = "bad port (1-65535)";
			return -1;
		}
		*port = (unsigned)v;
	}
	return 0;
}

static int
parse_ifname(const char *s, size_t n, char *out, const char **why)
{
	if (n == 0 || n >= IF_NAMESIZE || memchr(s, '/', n) != NULL) {
		*why = "bad interface name";
		return -1;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/*
 * "HEAD@IFACE" or "HEAD": HEAD to head (of size n), IFACE to ifname
 * ("" without '@').
 */
static int
split_at(const char *s, char *ifname, char *head, size_t n,
    const char **why)
{
	const char *at;

	at = strrchr(s, '@');
	if (at != NULL) {
		if (parse_ifname(at + 1, strlen(at + 1), ifname, why) < 0)
			return -1;
	} else {
		at = s + strlen(s);
	}
	if ((size_t)(at - s) >= n) {
		*why = "bad address";
		return -1;
	}
	memcpy(head, s, (size_t)(at - s));
	head[at - s] = '\0';
	return 0;
}

/* "ttl=N,loop=0|1", either, in any order, each at most once. */
static int
mcast_opts(const char *s, struct media_spec *m, const char **why)
{
	const char *end;
	unsigned long v;
	int have_ttl = 0, have_loop = 0;
	char val[8];
	size_t n;

	for (;;) {
		end = strchr(s, ',');
		if (end == NULL)
			end = s + strlen(s);
		if (strncmp(s, "ttl=", 4) == 0 && !have_ttl) {
			n = (size_t)(end - s) - 4;
			if (n < sizeof(val)) {
				memcpy(val, s + 4, n);
				val[n] = '\0';
			}
			if (n >= sizeof(val) ||
			    parse_ulong(val, 1, 255, &v) < 0) {
				*why = "bad ttl= (1-255)";
				return -1;
			}
			m->ttl = (unsigned)v;
			have_ttl = 1;
		} else if (strncmp(s, "loop=", 5) == 0 && !have_loop) {
			if (end - s != 6 || (s[5] != '0' && s[5] != '1')) {
				*why = "bad loop= (0 or 1)";
				return -1;
			}
			m->loop = s[5] == '1';
			have_loop = 1;
		} else if (strncmp(s, "ttl=", 4) == 0 ||
		    strncmp(s, "loop=", 5) == 0) {
			*why = "ttl= or loop= given twice";
			return -1;
		} else {
			*why = "unknown multicast option (ttl=N, loop=0|1)";
			return -1;
		}
		if (*end == '\0')
			return 0;
		s = end + 1;
	}
}

int
media_parse(const char *word, enum media_dir dir, struct media_spec *s,
    const char **why)
{
	const char *p, *colon;
	unsigned long v;

	memset(s, 0, sizeof(*s));
	s->word = word;
	s->port = MEDIA_PORT;
	s->baud = MEDIA_BAUD;
	s->ttl = 1;		/* this segment only, as heartbeat's default */
	s->loop = 1;		/* Linux's default, and ours before ttl= */
	*why = "bad medium";
	if (*word == '\0') {
		*why = "empty medium";
		return -1;
	}
	for (p = word; *p != '\0'; p++)
		if (*p <= ' ' || *p > '~') {
			*why = "blank or control character in the medium";
			return -1;
		}
	if (strcmp(word, "-") == 0) {
		s->kind = MEDIA_STDIO;
		return 0;
	}
	if (strncmp(word, "udp:", 4) == 0) {
		char buf[ADDR_STRLEN + 16];

		s->kind = MEDIA_UDP;
		if (split_at(word + 4, s->ifname, buf, sizeof(buf), why) < 0)
			return -1;
		if (s->ifname[0] != '\0' && dir != MEDIA_RECV) {
			*why = "@IFACE is for receiving; to send out of one "
			    "interface use bcast:IFACE or mcast:GROUP@IFACE";
			return -1;
		}
		p = buf;
		if (dir == MEDIA_RECV && *p != '\0' &&
		    strspn(p, "0123456789") == strlen(p)) {
			if (parse_ulong(p, 1, 65535, &v) < 0) {
				*why = "bad port (1-65535)";
				return -1;
			}
			s->port = (unsigned)v;
			return 0;
		}
		if (parse_hostport(p, &s->addr, &s->port, why) < 0)
			return -1;
		s->has_addr = 1;
		return 0;
	}
	if (strncmp(word, "bcast:", 6) == 0) {
		if (dir != MEDIA_SEND) {
			*why = "bcast: is for sending; receive with udp:PORT";
			return -1;
		}
		s->kind = MEDIA_BCAST;
		p = word + 6;
		colon = strchr(p, ':');
		if (parse_ifname(p, colon ? (size_t)(colon - p) : strlen(p),
		    s->ifname, why) < 0)
			return -1;
		if (colon != NULL) {
			if (parse_ulong(colon + 1, 1, 65535, &v) < 0) {
				*why = "bad port (1-65535)";
				return -1;
			}
			s->port = (unsigned)v;
		}
		return 0;
	}
	if (strncmp(word, "mcast:", 6) == 0) {
		char buf[ADDR_STRLEN + 16], head[ADDR_STRLEN + 16 + IF_NAMESIZE];
		const char *comma;

		s->kind = MEDIA_MCAST;
		p = word + 6;
		/* Options after the first comma: no address or name has one. */
		comma = strchr(p, ',');
		if (comma != NULL) {
			if (dir != MEDIA_SEND) {
				*why = "ttl= and loop= are for sending";
				return -1;
			}
			if (mcast_opts(comma + 1, s, why) < 0)
				return -1;
		} else {
			comma = p + strlen(p);
		}
		if ((size_t)(comma - p) >= sizeof(head)) {
			*why = "bad group";
			return -1;
		}
		memcpy(head, p, (size_t)(comma - p));
		head[comma - p] = '\0';
		if (split_at(head, s->ifname, buf, sizeof(buf), why) < 0)
			return -1;
		if (parse_hostport(buf, &s->addr, &s->port, why) < 0)
			return -1;
		if (!is_multicast(&s->addr)) {
			*why = "not a multicast group";
			return -1;
		}
		s->has_addr = 1;
		return 0;
	}
	if (strncmp(word, "serial:", 7) == 0) {
		s->kind = MEDIA_SERIAL;
		p = word + 7;
		colon = strrchr(p, ':');
		if (colon != NULL && colon[1] != '\0' &&
		    strspn(colon + 1, "0123456789") == strlen(colon + 1)) {
			if (parse_ulong(colon + 1, 1, 4000000, &v) < 0 ||
			    !media_baud_ok((unsigned)v)) {
				*why = "unsupported baud rate "
				    "(1200-460800, a standard speed)";
				return -1;
			}
			s->baud = (unsigned)v;
		} else {
			colon = p + strlen(p);
		}
		if (p == colon || (size_t)(colon - p) >= sizeof(s->path)) {
			*why = "missing or too long serial device";
			return -1;
		}
		memcpy(s->path, p, (size_t)(colon - p));
		return 0;
	}
	/* "scheme:..." with a scheme we do not know is a typo, not a file. */
	p = word + strspn(word, "abcdefghijklmnopqrstuvwxyz");
	if (p != word && *p == ':') {
		*why = "unknown medium type (udp:, bcast:, mcast:, serial:)";
		return -1;
	}
	s->kind = MEDIA_PATH;
	if (strlen(word) >= sizeof(s->path)) {
		*why = "path too long";
		return -1;
	}
	strcpy(s->path, word);
	return 0;
}

static int
ifindex_of(const struct media_spec *s, unsigned *idx)
{
	*idx = 0;
	if (s->ifname[0] == '\0')
		return 0;
	*idx = if_nametoindex(s->ifname);
	if (*idx == 0) {
		errno = ENODEV;
		return -1;
	}
	return 0;
}

/* The IPv4 broadcast address of an interface, from getifaddrs. */
static int
bcast_addr(const char *ifname, struct sockaddr_in *out)
{
	struct ifaddrs *ifa, *i;
	int found = 0;

	if (if_nametoindex(ifname) == 0) {
		errno = ENODEV;
		return -1;
	}
	if (getifaddrs(&ifa) < 0)
		return -1;
	for (i = ifa; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET ||
		    strcmp(i->ifa_name, ifname) != 0 ||
		    !(i->ifa_flags & IFF_BROADCAST) || i->ifa_netmask == NULL)
			continue;
		/*
		 * From address and mask: an address added without "brd"
		 * has no broadcast attribute, and getifaddrs then hands
		 * back the address itself.
		 */
		memcpy(out, i->ifa_addr, sizeof(*out));
		out->sin_addr.s_addr |=
		    ~((struct sockaddr_in *)i->ifa_netmask)->sin_addr.s_addr;
		found = 1;
		break;
	}
	freeifaddrs(ifa);
	if (!found) {
		errno = EADDRNOTAVAIL;
		return -1;
	}
	return 0;
}

static int
close_err(int fd)
{
	int saved = errno;

	close(fd);
	errno = saved;
	return -1;
}

int
media_send_socket(const struct media_spec *s, struct sockaddr_storage *dst,
    socklen_t *dstlen)
{
	int fd, one = 1, ttl = (int)s->ttl, loop = s->loop;
	unsigned idx;

	switch (s->kind) {
	case MEDIA_UDP:
		*dstlen = addr_to_sockaddr(&s->addr, s->port, dst);
		return socket(s->addr.family, SOCK_DGRAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
	case MEDIA_BCAST: {
		struct sockaddr_in sin;

		if (bcast_addr(s->ifname, &sin) < 0)
			return -1;
		sin.sin_port = htons((uint16_t)s->port);
		memset(dst, 0, sizeof(*dst));
		memcpy(dst, &sin, sizeof(sin));
		*dstlen = sizeof(sin);
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
		if (fd < 0)
			return -1;
		if (setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one,
		    sizeof(one)) < 0)
			return close_err(fd);
		/* Out of that interface even when routes say otherwise. */
		if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, s->ifname,
		    (socklen_t)strlen(s->ifname)) < 0 && errno != EPERM)
			return close_err(fd);
		return fd;
	}
	case MEDIA_MCAST:
		if (ifindex_of(s, &idx) < 0)
			return -1;
		*dstlen = addr_to_sockaddr(&s->addr, s->port, dst);
		fd = socket(s->addr.family, SOCK_DGRAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -1;
		if (s->addr.family == AF_INET) {
			struct ip_mreqn mr;

			memset(&mr, 0, sizeof(mr));
			mr.imr_ifindex = (int)idx;
			if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl,
			    sizeof(ttl)) < 0 ||
			    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP,
			    &loop, sizeof(loop)) < 0 ||
			    (idx != 0 && setsockopt(fd, IPPROTO_IP,
			    IP_MULTICAST_IF, &mr, sizeof(mr)) < 0))
				return close_err(fd);
		} else {
			int i6 = (int)idx;

			if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS,
			    &ttl, sizeof(ttl)) < 0 ||
			    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP,
			    &loop, sizeof(loop)) < 0 ||
			    (idx != 0 && setsockopt(fd, IPPROTO_IPV6,
			    IPV6_MULTICAST_IF, &i6, sizeof(i6)) < 0))
				return close_err(fd);
			((struct sockaddr_in6 *)dst)->sin6_scope_id = idx;
		}
		return fd;
	default:
		errno = EINVAL;
		return -1;
	}
}

/*
 * A UDP socket bound to a:port, nonblocking.  With dev, it takes only
 * what arrives on that interface; bound to it before bind(), so that
 * sockets on one port and different interfaces do not conflict (Linux
 * lets them share the port even without SO_REUSEADDR).
 */
static int
bound_socket(const struct hk_addr *a, unsigned port, unsigned scope,
    const char *ifname, unsigned dev)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1, zero = 0, idx = (int)dev;

	fd = socket(a->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		return close_err(fd);
	if (a->family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &one, sizeof(one)) < 0)
		return close_err(fd);
	/*
	 * By index: the one we looked up, not a namesake made since.
	 * SO_BINDTODEVICE, by name, before Linux 5.0.
	 */
	if (dev != 0 && setsockopt(fd, SOL_SOCKET, SO_BINDTOIFINDEX, &idx,
	    sizeof(idx)) < 0 && (errno != ENOPROTOOPT ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname,
	    (socklen_t)strlen(ifname)) < 0))
		return close_err(fd);
	/*
	 * A wildcard socket would also take multicast to any group some
	 * other socket on the host joined: that is a medium of its own,
	 * for mcast: sources.  Only where the kernel knows the option.
	 */
	if (a->family == AF_INET)
		(void)setsockopt(fd, IPPROTO_IP, IP_MULTICAST_ALL, &zero,
		    sizeof(zero));
	else
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, &zero,
		    sizeof(zero));
	len = addr_to_sockaddr(a, port, &ss);
	if (a->family == AF_INET6)
		((struct sockaddr_in6 *)&ss)->sin6_scope_id = scope;
	if (bind(fd, (struct sockaddr *)&ss, len) < 0)
		return close_err(fd);
	return fd;
}

int
media_recv_sockets(const struct media_spec *s, int fds[2], unsigned *ifindex)
{
	struct hk_addr any;
	unsigned idx;
	int fd;

	*ifindex = 0;
	if (s->kind != MEDIA_UDP && s->kind != MEDIA_MCAST) {
		errno = EINVAL;
		return -1;
	}
	if (ifindex_of(s, &idx) < 0)
		return -1;
	*ifindex = idx;
	if (s->kind == MEDIA_UDP && s->has_addr) {
		fds[0] = bound_socket(&s->addr, s->port, idx, s->ifname, idx);
		return fds[0] < 0 ? -1 : 1;
	}
	if (s->kind == MEDIA_UDP) {
		/*
		 * Both families; a host without IPv6 keeps IPv4 alone.  The
		 * wildcard, even on one interface: IPv4 broadcasts are
		 * addressed to no address of ours.
		 */
		addr_parse("0.0.0.0", &any);
		fds[0] = bound_socket(&any, s->port, 0, s->ifname, idx);
		if (fds[0] < 0)
			return -1;
		addr_parse("::", &any);
		fds[1] = bound_socket(&any, s->port, 0, s->ifname, idx);
		if (fds[1] < 0) {
			if (errno == EAFNOSUPPORT || errno == EADDRNOTAVAIL)
				return 1;
			return close_err(fds[0]);
		}
		return 2;
	}
	/* Bound to the group: datagrams to other addresses stay out. */
	fd = bound_socket(&s->addr, s->port, idx, s->ifname, 0);
	if (fd < 0)
		return -1;
	if (s->addr.family == AF_INET) {
		struct ip_mreqn mr;

		memset(&mr, 0, sizeof(mr));
		mr.imr_multiaddr = s->addr.u.v4;
		mr.imr_ifindex = (int)idx;
		if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr,
		    sizeof(mr)) < 0)
			return close_err(fd);
	} else {
		struct ipv6_mreq mr;

		memset(&mr, 0, sizeof(mr));
		mr.ipv6mr_multiaddr = s->addr.u.v6;
		mr.ipv6mr_interface = idx;
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr,
		    sizeof(mr)) < 0)
			return close_err(fd);
	}
	fds[0] = fd;
	return 1;
}

int
media_tty_open(const char *path, unsigned baud, enum media_dir dir)
{
	struct termios t;
	size_t i;
	int fd;

	fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (tcgetattr(fd, &t) < 0)
		return close_err(fd);
	cfmakeraw(&t);
	t.c_cflag &= ~(tcflag_t)(CSTOPB | PARENB | CRTSCTS | CSIZE);
	t.c_cflag |= CS8 | CLOCAL | CREAD;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	for (i = 0; i < sizeof(bauds) / sizeof(bauds[0]); i++)
		if (bauds[i].baud == baud) {
			cfsetispeed(&t, bauds[i].code);
			cfsetospeed(&t, bauds[i].code);
		}
	if (tcsetattr(fd, TCSANOW, &t) < 0)
		return close_err(fd);
	/*
	 * Lines that sat in the port while no one read it (before a
	 * restart, a reboot's worth) are old news: acting on them would
	 * show a dead peer alive.  The receiver starts from what comes
	 * now.  Not the sender: it opens the same tty as the receiver on
	 * its node, and a flush there (a start, a reopen after an error)
	 * would throw away the peer's lines the receiver has yet to read.
	 */
	if (dir == MEDIA_RECV && tcflush(fd, TCIFLUSH) < 0)
		return close_err(fd);
	return fd;
}
