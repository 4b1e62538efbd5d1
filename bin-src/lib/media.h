/*
 * media.h - the media a heartbeat travels on, named by one word each:
 * udp:HOST[:PORT] (receiving also udp:PORT, and either with @IFACE),
 * bcast:IFACE[:PORT], mcast:GROUP[:PORT][@IFACE] (sending also with
 * ,ttl=N and ,loop=0|1), serial:DEVICE[:BAUD], "-" or a file/FIFO
 * path.  Parsing and opening; hbsend(8) and hbrecv(8) describe the words.
 */
#ifndef HAKIT_MEDIA_H
#define HAKIT_MEDIA_H

#include <net/if.h>
#include <sys/socket.h>

#include "addr.h"

#define MEDIA_PORT	694	/* heartbeat's ha-cluster port */
#define MEDIA_BAUD	19200	/* heartbeat's default baud */

enum media_kind {
	MEDIA_UDP,
	MEDIA_BCAST,
	MEDIA_MCAST,
	MEDIA_SERIAL,
	MEDIA_STDIO,
	MEDIA_PATH
};

enum media_dir {
	MEDIA_SEND,
	MEDIA_RECV
};

struct media_spec {
	enum media_kind	kind;
	const char	*word;		/* as given: names the medium */
	char		path[1024];	/* serial device or file */
	struct hk_addr	addr;
	int		has_addr;
	unsigned	port;
	unsigned	baud;
	unsigned	ttl;		/* mcast: TTL or hop limit, 1-255 */
	int		loop;		/* mcast: our own host hears it too */
	char		ifname[IF_NAMESIZE];	/* "": any interface */
};

/*
 * Parses word for sending or receiving.  -1 with *why set to a short
 * reason when it is not a medium of that direction.
 */
int		media_parse(const char *word, enum media_dir dir,
		    struct media_spec *s, const char **why);

/*
 * A socket ready to send to s (udp, bcast, mcast), nonblocking, and the
 * destination; -1 with errno on failure.
 */
int		media_send_socket(const struct media_spec *s,
		    struct sockaddr_storage *dst, socklen_t *dstlen);

/*
 * Sockets bound to receive s (udp, mcast): fds[0] and maybe fds[1] (udp
 * without an address listens on IPv4 and IPv6).  With s->ifname, the
 * sockets take only what arrives on that interface, and *ifindex is the
 * index they are bound to (else 0): an interface deleted and made anew
 * under its name has another, and the sockets must be opened again.
 * Returns how many sockets, or -1 with errno (ENODEV: no such interface).
 */
int		media_recv_sockets(const struct media_spec *s, int fds[2],
		    unsigned *ifindex);

/*
 * Opens a tty raw, 8N1, no flow control, at baud, nonblocking; for
 * MEDIA_RECV it also throws away the input waiting in the port.  -1
 * with errno (ENOTTY when it is not a terminal).
 */
int		media_tty_open(const char *path, unsigned baud,
		    enum media_dir dir);

/* 1 when baud is a speed a tty can be set to. */
int		media_baud_ok(unsigned baud);

#endif
