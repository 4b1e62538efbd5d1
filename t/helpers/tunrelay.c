/*
 * tunrelay - test helper: a point-to-point link between two network
 * namespaces, made of two TUN devices and this process carrying packets
 * between them.  It stands in for a PPP link (the test kernel has no
 * ppp) and, with -d and -l, for a slow or lossy line (no netem either).
 * t/helpers/wanlab.bash (wanlab_ppp_up) uses it; t/15-fixture.bats tests it.
 *
 *   tunrelay [-d DELAY] [-l LOSS] [-c CTLFIFO] NSA:IFA NSB:IFB
 *
 * NSA and NSB are namespaces as ip-netns(8) names them (/run/netns/NSA;
 * a name holding a '/' is a path).  IFA is made in NSA and IFB in NSB,
 * IFF_TUN without packet information and not persistent: they vanish
 * when tunrelay exits, as a PPP interface does when its link drops.
 * Addresses and "ip link set up" are the caller's; the devices have
 * carrier while tunrelay holds them.  tunrelay itself stays in NSB.
 *
 *   -d DELAY   hold each packet DELAY milliseconds ("200" or "200ms",
 *              at most 60000) before passing it on; each direction keeps
 *              its order, and queues at most 512 packets: one more is
 *              dropped and counted as full
 *   -l LOSS    drop LOSS percent (0 to 100) of packets, at random
 *   -c CTLFIFO read lines "delay DELAY" and "loss LOSS" from the FIFO
 *              CTLFIFO (made by the caller) while running: the new value
 *              holds for packets that come after it
 *
 * stdout, line-buffered: "ready" once both devices exist; one answer per
 * control line, "set delay=MS loss=PCT" (the values now) or "bad LINE";
 * at exit "exit fwd=N lost=N full=N err=N": packets passed on, dropped
 * by -l, dropped on a full queue, dropped as too big (over 2048 bytes)
 * or refused by the device (it is down).
 * Exit status: 0 on SIGTERM or SIGINT; 1 when a device was deleted
 * under it; 2 usage; 3 system error (a namespace, /dev/net/tun, a name
 * already in use, no permission).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "sig.h"
#include "tm.h"

#define QLEN		512	/* packets queued per direction */
#define PKTMAX		2048	/* tun's MTU is 1500 unless raised */
#define RBUFLEN		65536	/* a read of a whole packet never fails */
#define DRAIN		64	/* packets read from one side per wakeup */
#define DELAY_MAX	60000
#define LINEMAX		128

static const char usage_text[] =
    "usage: tunrelay [-d DELAY] [-l LOSS] [-c CTLFIFO] NSA:IFA NSB:IFB\n";

struct pkt {
	uint64_t	due;	/* tm_now_us() at which it may go */
	size_t		len;
	unsigned char	data[PKTMAX];
};

/* One end: its device, and the queue of packets read from it. */
struct side {
	char		path[256];	/* the namespace's file */
	char		ifname[IFNAMSIZ];
	int		nsfd;
	int		fd;
	struct pkt     *q;
	unsigned	head, n;
};

struct relay {
	struct side	s[2];
	unsigned long	delay_ms, loss_pct;
	int		ctl;
	char		line[LINEMAX];
	size_t		linelen;
	int		toolong;
	unsigned char  *rbuf;
	uint64_t	rnd;
	unsigned long	fwd, lost, full, err;
	int		gone;	/* a device was deleted under us */
};

/* "200" or "200ms", in [0, max]: the value, or -1. */
static long
parse_ms(const char *s, unsigned long max)
{
	char buf[32];
	size_t len = strlen(s);
	unsigned long v;

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len + 1);
	if (len > 2 && strcmp(buf + len - 2, "ms") == 0)
		buf[len - 2] = '\0';
	if (parse_ulong(buf, 0, max, &v) < 0)
		return -1;
	return (long)v;
}

/* A percentage, 0 to 100: the value, or -1. */
static long
parse_pct(const char *s)
{
	unsigned long v;

	if (parse_ulong(s, 0, 100, &v) < 0)
		return -1;
	return (long)v;
}

/* NS:IF into side: a usage error when malformed. */
static void
parse_end(struct side *sd, const char *arg)
{
	const char *colon = strrchr(arg, ':');
	size_t nlen;
	int w;

	if (colon == NULL || colon == arg || colon[1] == '\0' ||
	    strlen(colon + 1) >= IFNAMSIZ || strchr(colon + 1, '/') != NULL)
		usage_error(usage_text, "bad end '%s' (NS:IFNAME)", arg);
	nlen = (size_t)(colon - arg);
	if (memchr(arg, '/', nlen) != NULL)
		w = snprintf(sd->path, sizeof(sd->path), "%.*s", (int)nlen, arg);
	else
		w = snprintf(sd->path, sizeof(sd->path), "/run/netns/%.*s",
		    (int)nlen, arg);
	if (w < 0 || (size_t)w >= sizeof(sd->path))
		usage_error(usage_text, "namespace name too long in '%s'", arg);
	strcpy(sd->ifname, colon + 1);
}

/* Enters sd's namespace and makes its device there. */
static void
make_tun(struct side *sd)
{
	struct ifreq ifr;

	if (setns(sd->nsfd, CLONE_NEWNET) < 0)
		die(HK_EXIT_SYS, "setns %s:", sd->path);
	if ((sd->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK |
	    O_CLOEXEC)) < 0)
		die(HK_EXIT_SYS, "/dev/net/tun:");
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	memcpy(ifr.ifr_name, sd->ifname, strlen(sd->ifname));
	if (ioctl(sd->fd, TUNSETIFF, &ifr) < 0)
		die(HK_EXIT_SYS, "%s in %s:", sd->ifname, sd->path);
}

/* xorshift64* (Vigna): enough randomness to lose packets by. */
static unsigned long
rnd_pct(struct relay *rl)
{
	rl->rnd ^= rl->rnd >> 12;
	rl->rnd ^= rl->rnd << 25;
	rl->rnd ^= rl->rnd >> 27;
	return (unsigned long)((rl->rnd * 2685821657736338717ULL) >> 33) %
	    100;
}

/*
 * Queues what side i has to send.  A packet is due delay_ms after it
 * came, but never before the one ahead of it: a shorter delay set at
 * run time does not reorder the line.
 */
static void
take(struct relay *rl, int i)
{
	struct side *sd = &rl->s[i];
	struct pkt *p;
	uint64_t due;
	ssize_t r;
	int k;

	for (k = 0; k < DRAIN; k++) {
		r = read(sd->fd, rl->rbuf, RBUFLEN);
		if (r < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			if (errno == EBADFD || errno == ENXIO) {
				warnf("%s vanished", sd->ifname);
				rl->gone = 1;
				return;
			}
			die(HK_EXIT_SYS, "read %s:", sd->ifname);
		}
		if (r == 0)
			return;
		if (rl->loss_pct > 0 && rnd_pct(rl) < rl->loss_pct) {
			rl->lost++;
			continue;
		}
		if ((size_t)r > PKTMAX) {
			rl->err++;
			continue;
		}
		if (sd->n == QLEN) {
			rl->full++;
			continue;
		}
		due = tm_now_us() + (uint64_t)rl->delay_ms * 1000;
		if (sd->n > 0) {
			p = &sd->q[(sd->head + sd->n - 1) % QLEN];
			if (p->due > due)
				due = p->due;
		}
		p = &sd->q[(sd->head + sd->n) % QLEN];
		p->due = due;
		p->len = (size_t)r;
		memcpy(p->data, rl->rbuf, (size_t)r);
		sd->n++;
	}
}

/* Writes side i's due packets to the other side's device. */
static void
flush(struct relay *rl, int i)
{
	struct side *sd = &rl->s[i];
	int out = rl->s[1 - i].fd;
	uint64_t now = tm_now_us();
	struct pkt *p;

	while (sd->n > 0) {
		p = &sd->q[sd->head];
		if (p->due > now)
			break;
		if (write(out, p->data, p->len) == (ssize_t)p->len)
			rl->fwd++;
		else
			rl->err++;
		sd->head = (sd->head + 1) % QLEN;
		sd->n--;
	}
}

/* poll's timeout: milliseconds until the first due packet, rounded up. */
static int
next_timeout(const struct relay *rl)
{
	uint64_t now = tm_now_us(), first = 0, d;
	int i;

	for (i = 0; i < 2; i++) {
		const struct side *sd = &rl->s[i];

		if (sd->n > 0 && (first == 0 || sd->q[sd->head].due < first))
			first = sd->q[sd->head].due;
	}
	if (first == 0)
		return -1;
	if (first <= now)
		return 0;
	d = (first - now + 999) / 1000;
	return d > 60000 ? 60000 : (int)d;
}

static void
control_line(struct relay *rl, char *line)
{
	char *key = line, *val, *end;
	long v = -1;

	while (*key == ' ' || *key == '\t')
		key++;
	end = key + strlen(key);
	while (end > key && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\r'))
		*--end = '\0';
	val = strpbrk(key, " \t");
	if (val != NULL) {
		*val++ = '\0';
		while (*val == ' ' || *val == '\t')
			val++;
		if (strcmp(key, "delay") == 0 &&
		    (v = parse_ms(val, DELAY_MAX)) >= 0)
			rl->delay_ms = (unsigned long)v;
		else if (strcmp(key, "loss") == 0 &&
		    (v = parse_pct(val)) >= 0)
			rl->loss_pct = (unsigned long)v;
		else
			v = -1;
	}
	if (v < 0) {
		if (val != NULL)
			val[-1] = ' ';
		warnf("bad control line '%s'", key);
		printf("bad %s\n", key);
		return;
	}
	printf("set delay=%lu loss=%lu\n", rl->delay_ms, rl->loss_pct);
}

/* Reads what the control FIFO holds; one answer per whole line. */
static void
control(struct relay *rl)
{
	char buf[512];
	ssize_t r;
	ssize_t k;

	while ((r = read(rl->ctl, buf, sizeof(buf))) > 0) {
		for (k = 0; k < r; k++) {
			if (buf[k] == '\n') {
				rl->line[rl->linelen] = '\0';
				if (rl->toolong) {
					warnf("control line too long");
					printf("bad too long\n");
				} else {
					control_line(rl, rl->line);
				}
				rl->linelen = 0;
				rl->toolong = 0;
			} else if (rl->linelen < LINEMAX - 1) {
				rl->line[rl->linelen++] = buf[k];
			} else {
				rl->toolong = 1;
			}
		}
	}
	if (r < 0 && errno != EAGAIN && errno != EINTR)
		die(HK_EXIT_SYS, "read control fifo:");
}

static void
open_control(struct relay *rl, const char *path)
{
	struct stat st;

	/* Read-write: we hold a writer, so the FIFO never reads as closed. */
	if ((rl->ctl = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0)
		die(HK_EXIT_SYS, "%s:", path);
	if (fstat(rl->ctl, &st) < 0)
		die(HK_EXIT_SYS, "%s:", path);
	if (!S_ISFIFO(st.st_mode))
		die(HK_EXIT_USAGE, "%s: not a FIFO", path);
}

static int
run(struct relay *rl, int sigfd)
{
	struct pollfd pfd[4];
	int i, r;

	for (;;) {
		pfd[0] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = rl->s[0].fd, .events = POLLIN };
		pfd[2] = (struct pollfd){ .fd = rl->s[1].fd, .events = POLLIN };
		pfd[3] = (struct pollfd){ .fd = rl->ctl, .events = POLLIN };
		r = poll(pfd, 4, next_timeout(rl));
		if (r < 0 && errno != EINTR)
			die(HK_EXIT_SYS, "poll:");
		if (sig_stop)
			return HK_EXIT_OK;
		/* Control first: a line written before a packet applies to it. */
		if (r > 0 && (pfd[3].revents & POLLIN))
			control(rl);
		for (i = 0; i < 2 && r > 0; i++) {
			if (pfd[1 + i].revents & (POLLERR | POLLNVAL)) {
				warnf("%s vanished", rl->s[i].ifname);
				rl->gone = 1;
			} else if (pfd[1 + i].revents & POLLIN) {
				take(rl, i);
			}
		}
		if (rl->gone)
			return HK_EXIT_NO;
		flush(rl, 0);
		flush(rl, 1);
	}
}

int
main(int argc, char *argv[])
{
	struct relay rl = {
		.s = { { .nsfd = -1, .fd = -1 }, { .nsfd = -1, .fd = -1 } },
		.ctl = -1,
		.rnd = 0,
	};
	const char *ctlpath = NULL;
	long v;
	int opt, sigfd, i, status;

	hk_setprogname(argv[0]);
	while ((opt = getopt(argc, argv, "c:d:hl:")) != -1) {
		switch (opt) {
		case 'c':
			ctlpath = optarg;
			break;
		case 'd':
			if ((v = parse_ms(optarg, DELAY_MAX)) < 0)
				usage_error(usage_text, "bad delay '%s'", optarg);
			rl.delay_ms = (unsigned long)v;
			break;
		case 'l':
			if ((v = parse_pct(optarg)) < 0)
				usage_error(usage_text, "bad loss '%s'", optarg);
			rl.loss_pct = (unsigned long)v;
			break;
		case 'h':
			usage_exit(usage_text, 0);
		default:
			usage_exit(usage_text, HK_EXIT_USAGE);
		}
	}
	if (argc - optind != 2)
		usage_error(usage_text, "needs two ends, NSA:IFA NSB:IFB");
	parse_end(&rl.s[0], argv[optind]);
	parse_end(&rl.s[1], argv[optind + 1]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	hk_check_stdout_at_exit();

	rl.rnd = tm_now_us() ^ ((uint64_t)getpid() << 32) ^ 0x9e3779b97f4a7c15ULL;
	if ((rl.rbuf = malloc(RBUFLEN)) == NULL)
		die(HK_EXIT_SYS, "malloc:");
	for (i = 0; i < 2; i++) {
		rl.s[i].q = calloc(QLEN, sizeof(struct pkt));
		if (rl.s[i].q == NULL)
			die(HK_EXIT_SYS, "calloc:");
		rl.s[i].nsfd = open(rl.s[i].path, O_RDONLY | O_CLOEXEC);
		if (rl.s[i].nsfd < 0)
			die(HK_EXIT_SYS, "%s:", rl.s[i].path);
	}
	if (ctlpath != NULL)
		open_control(&rl, ctlpath);
	if ((sigfd = sig_stop_pipe()) < 0)
		die(HK_EXIT_SYS, "signal pipe:");
	for (i = 0; i < 2; i++) {
		make_tun(&rl.s[i]);
		close(rl.s[i].nsfd);
	}
	printf("ready\n");

	status = run(&rl, sigfd);
	printf("exit fwd=%lu lost=%lu full=%lu err=%lu\n", rl.fwd, rl.lost,
	    rl.full, rl.err);
	/* The devices go with their descriptors, at exit. */
	for (i = 0; i < 2; i++)
		free(rl.s[i].q);
	free(rl.rbuf);
	return status;
}
