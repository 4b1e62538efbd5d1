/*
 * nl.h - a small rtnetlink client: open a socket, send one request and
 * read its acknowledgement (with the kernel's own error message, when it
 * gives one), run a dump, build and read attributes.  vipctl and
 * gwswitch share it.
 */
#ifndef HAKIT_NL_H
#define HAKIT_NL_H

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stddef.h>
#include <stdint.h>

/* Room for one reply datagram; dumps come in pieces of this size. */
#define NL_BUFSIZE 32768
/* Room for the kernel's extended-ack error message. */
#define NL_ERRLEN 256

struct nl {
	int		fd;
	uint32_t	seq;
	uint32_t	portid;
};

/*
 * Opens a NETLINK_ROUTE socket subscribed to the RTMGRP_* bits in
 * groups (0 for none) and asks for extended acks.  -1 with errno.
 */
int		nl_open(struct nl *nl, uint32_t groups);
void		nl_close(struct nl *nl);

/*
 * Sends req (NLM_F_REQUEST|NLM_F_ACK are added, seq is stamped) and waits
 * for its ack.  0 on success; -1 with errno set to the kernel's error
 * (or the socket's), and errmsg (NL_ERRLEN bytes, may be NULL) holding
 * the kernel's extended-ack text, or "" when it gave none.
 */
int		nl_request(struct nl *nl, struct nlmsghdr *req, char *errmsg);

/*
 * Sends req as a dump (NLM_F_DUMP added) and calls cb for each reply
 * message until the end.  A cb returning non-zero stops the calls (the
 * rest is drained) and nl_dump returns that value.  -1 with errno on
 * failure; EAGAIN when the kernel says the dump was interrupted by a
 * change, so the caller may run it again.
 */
int		nl_dump(struct nl *nl, struct nlmsghdr *req,
		    int (*cb)(const struct nlmsghdr *, void *), void *arg);

/*
 * Appends attribute type with len bytes of data to the message n, whose
 * buffer holds bufsize bytes.  -1 with errno ENOSPC when it would not fit.
 */
int		nl_attr_add(struct nlmsghdr *n, size_t bufsize,
		    unsigned short type, const void *data, size_t len);
int		nl_attr_add_u32(struct nlmsghdr *n, size_t bufsize,
		    unsigned short type, uint32_t v);

/*
 * Sorts the attributes at rta (len bytes) into tb[0..max] by type;
 * unknown types above max are skipped, later duplicates win.
 */
void		nl_attr_parse(struct rtattr *tb[], int max, struct rtattr *rta,
		    int len);

#endif
