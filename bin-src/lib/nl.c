/*
 * nl.c - rtnetlink request/ack and dump, in the manner of arp(8)'s
 * rtmsg(): stamp a sequence number, read until the reply that carries it.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "nl.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS 0x200
#endif
#ifndef NLM_F_CAPPED
#define NLM_F_CAPPED 0x100
#endif
#ifndef NLMSGERR_ATTR_MSG
#define NLMSGERR_ATTR_MSG 1
#endif

int
nl_open(struct nl *nl, uint32_t groups)
{
	struct sockaddr_nl sa;
	socklen_t salen = sizeof(sa);
	int one = 1, bufsz = 1 << 20;

	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl->fd < 0)
		return -1;
	/* Both are best effort: older kernels and small limits still work. */
	(void)setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one,
	    sizeof(one));
	(void)setsockopt(nl->fd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz));
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = groups;
	if (bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(nl->fd, (struct sockaddr *)&sa, &salen) < 0) {
		int e = errno;

		close(nl->fd);
		nl->fd = -1;
		errno = e;
		return -1;
	}
	nl->portid = sa.nl_pid;
	nl->seq = 0;
	return 0;
}

void
nl_close(struct nl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
}

/* NLMSG_OK without its signed/unsigned comparison (clang warns). */
static int
nl_msg_ok(const struct nlmsghdr *h, int len)
{
	return len >= (int)sizeof(*h) && h->nlmsg_len >= sizeof(*h) &&
	    h->nlmsg_len <= (unsigned)len;
}

static int
nl_send(struct nl *nl, struct nlmsghdr *req)
{
	struct sockaddr_nl sa;
	ssize_t n;

	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	req->nlmsg_seq = ++nl->seq;
	req->nlmsg_pid = 0;
	do
		n = sendto(nl->fd, req, req->nlmsg_len, 0,
		    (struct sockaddr *)&sa, sizeof(sa));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if ((size_t)n != req->nlmsg_len) {
		errno = EIO;
		return -1;
	}
	return 0;
}

/* Reads one datagram from the kernel; -1 with errno, or its length. */
static ssize_t
nl_recv(struct nl *nl, void *buf, size_t len)
{
	struct sockaddr_nl sa;
	struct iovec iov = { buf, len };
	struct msghdr msg;
	ssize_t n;

	for (;;) {
		memset(&msg, 0, sizeof(msg));
		msg.msg_name = &sa;
		msg.msg_namelen = sizeof(sa);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		n = recvmsg(nl->fd, &msg, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (msg.msg_flags & MSG_TRUNC) {
			errno = EMSGSIZE;
			return -1;
		}
		/* Only the kernel (port 0) speaks to us. */
		if (sa.nl_pid != 0)
			continue;
		return n;
	}
}

/* Copies the extended-ack message out of an NLMSG_ERROR, if any. */
static void
nl_errmsg(const struct nlmsghdr *h, char *errmsg)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);
	const struct rtattr *rta;
	size_t off;
	int len;

	if (errmsg == NULL)
		return;
	errmsg[0] = '\0';
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	off = sizeof(*e);
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if (NLMSG_HDRLEN + off > h->nlmsg_len)
		return;
	rta = (const struct rtattr *)((const char *)e + NLMSG_ALIGN(off));
	len = (int)(h->nlmsg_len - NLMSG_HDRLEN - NLMSG_ALIGN(off));
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		size_t n = RTA_PAYLOAD(rta);

		if (rta->rta_type != NLMSGERR_ATTR_MSG || n == 0)
			continue;
		if (n >= NL_ERRLEN)
			n = NL_ERRLEN - 1;
		memcpy(errmsg, RTA_DATA(rta), n);
		errmsg[n] = '\0';
		/* The kernel's text ends in NUL; keep only the text. */
		errmsg[strcspn(errmsg, "\n")] = '\0';
		return;
	}
}

int
nl_request(struct nl *nl, struct nlmsghdr *req, char *errmsg)
{
	char buf[NL_BUFSIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	ssize_t n;

	if (errmsg != NULL)
		errmsg[0] = '\0';
	req->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (nl_send(nl, req) < 0)
		return -1;
	for (;;) {
		struct nlmsghdr *h;
		int len;

		if ((n = nl_recv(nl, buf, sizeof(buf))) < 0)
			return -1;
		len = (int)n;
		for (h = (struct nlmsghdr *)buf; nl_msg_ok(h, len);
		    h = NLMSG_NEXT(h, len)) {
			const struct nlmsgerr *e;

			if (h->nlmsg_seq != req->nlmsg_seq ||
			    h->nlmsg_type != NLMSG_ERROR)
				continue;
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e))) {
				errno = EIO;
				return -1;
			}
			e = NLMSG_DATA(h);
			if (e->error == 0)
				return 0;
			nl_errmsg(h, errmsg);
			errno = -e->error;
			return -1;
		}
	}
}

int
nl_dump(struct nl *nl, struct nlmsghdr *req,
    int (*cb)(const struct nlmsghdr *, void *), void *arg)
{
	char buf[NL_BUFSIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	int ret = 0, intr = 0;
	ssize_t n;

	req->nlmsg_flags |= NLM_F_REQUEST | NLM_F_DUMP;
	if (nl_send(nl, req) < 0)
		return -1;
	for (;;) {
		struct nlmsghdr *h;
		int len;

		if ((n = nl_recv(nl, buf, sizeof(buf))) < 0)
			return -1;
		len = (int)n;
		for (h = (struct nlmsghdr *)buf; nl_msg_ok(h, len);
		    h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != req->nlmsg_seq)
				continue;
			if (h->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = 1;
			if (h->nlmsg_type == NLMSG_DONE) {
				if (ret == 0 && intr) {
					errno = EAGAIN;
					return -1;
				}
				return ret;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)) ||
				    e->error == 0) {
					errno = EIO;
					return -1;
				}
				errno = -e->error;
				return -1;
			}
			if (ret == 0)
				ret = cb(h, arg);
		}
	}
}

int
nl_attr_add(struct nlmsghdr *n, size_t bufsize, unsigned short type,
    const void *data, size_t len)
{
	size_t rlen = RTA_LENGTH(len);
	struct rtattr *rta;

	if (NLMSG_ALIGN(n->nlmsg_len) + RTA_ALIGN(rlen) > bufsize ||
	    rlen > 0xffff) {
		errno = ENOSPC;
		return -1;
	}
	rta = (struct rtattr *)((char *)n + NLMSG_ALIGN(n->nlmsg_len));
	rta->rta_type = type;
	rta->rta_len = (unsigned short)rlen;
	if (len > 0)
		memcpy(RTA_DATA(rta), data, len);
	n->nlmsg_len = (uint32_t)(NLMSG_ALIGN(n->nlmsg_len) + RTA_ALIGN(rlen));
	return 0;
}

int
nl_attr_add_u32(struct nlmsghdr *n, size_t bufsize, unsigned short type,
    uint32_t v)
{
	return nl_attr_add(n, bufsize, type, &v, sizeof(v));
}

void
nl_attr_parse(struct rtattr *tb[], int max, struct rtattr *rta, int len)
{
	memset(tb, 0, sizeof(struct rtattr *) * (size_t)(max + 1));
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type <= max)
			tb[rta->rta_type] = rta;
}
