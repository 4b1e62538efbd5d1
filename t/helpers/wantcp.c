/*
 * wantcp - a TCP echo server and a client that reports what happens to
 * its connection, for the NAT tests of t/70-wanfailover.bats.
 *
 *   wantcp serve PORT              says "hello ADDR" (the peer's address,
 *                                  i.e. the NAT address seen) to every
 *                                  connection, then echoes lines
 *   wantcp client ADDR PORT SECS   for SECS seconds: connect, print
 *                                  "connected ADDR", send a line every
 *                                  100ms and await its echo; print
 *                                  "reset" when the connection is reset,
 *                                  "stalled" when no echo came for 5 s,
 *                                  "error TEXT" otherwise; reconnect
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"
#include "tm.h"

#define MAXC	32
#define STALL_MS 5000

static const char usage_text[] =
    "usage: wantcp serve PORT\n"
    "       wantcp client ADDR PORT SECS\n";

static int
serve(unsigned long port)
{
	struct pollfd pfd[MAXC + 1];
	struct sockaddr_in sin;
	int ls, one = 1, n = 1, i;

	if ((ls = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		die(HK_EXIT_SYS, "socket:");
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	if (bind(ls, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    listen(ls, 16) < 0)
		die(HK_EXIT_SYS, "bind/listen:");
	pfd[0].fd = ls;
	pfd[0].events = POLLIN;
	for (;;) {
		if (poll(pfd, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			die(HK_EXIT_SYS, "poll:");
		}
		if ((pfd[0].revents & POLLIN) && n <= MAXC) {
			socklen_t sl = sizeof(sin);
			char line[64], a[INET_ADDRSTRLEN];
			int c = accept(ls, (struct sockaddr *)&sin, &sl);

			if (c >= 0) {
				inet_ntop(AF_INET, &sin.sin_addr, a, sizeof(a));
				snprintf(line, sizeof(line), "hello %s\n", a);
				if (write(c, line, strlen(line)) < 0) {
					close(c);
				} else {
					pfd[n].fd = c;
					pfd[n].events = POLLIN;
					n++;
				}
			}
		}
		for (i = 1; i < n; i++) {
			char buf[512];
			ssize_t r;

			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = read(pfd[i].fd, buf, sizeof(buf));
			if (r <= 0 || write(pfd[i].fd, buf, (size_t)r) != r) {
				close(pfd[i].fd);
				pfd[i] = pfd[--n];
				i--;
			}
		}
	}
}

/* Reads one line (up to len-1 bytes) before deadline; -1, or 0 stalled. */
static int
readline(int fd, char *buf, size_t len, uint64_t deadline)
{
	size_t got = 0;

	while (got < len - 1) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, tm_poll_timeout(deadline));
		ssize_t n;

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return 0;
		n = read(fd, buf + got, 1);
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = ECONNRESET;
			return -1;
		}
		if (buf[got] == '\n')
			break;
		got++;
	}
	buf[got] = '\0';
	return 1;
}

static void
report(const char *what)
{
	printf("%s\n", what);
	fflush(stdout);
}

static int
client(const char *addr, unsigned long port, unsigned long secs)
{
	uint64_t end = tm_now_ms() + secs * 1000;
	struct sockaddr_in sin;
	char line[128];

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1)
		die(HK_EXIT_USAGE, "bad address '%s'", addr);
	signal(SIGPIPE, SIG_IGN);
	while (tm_now_ms() < end) {
		int fd = socket(AF_INET, SOCK_STREAM, 0), r;

		if (fd < 0)
			die(HK_EXIT_SYS, "socket:");
		if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
		    (r = readline(fd, line, sizeof(line),
		    tm_now_ms() + STALL_MS)) <= 0) {
			close(fd);
			usleep(100000);
			continue;
		}
		printf("connected %s\n", line + (strncmp(line, "hello ", 6) ?
		    0 : 6));
		fflush(stdout);
		while (tm_now_ms() < end) {
			if (write(fd, "ping\n", 5) != 5) {
				report(errno == ECONNRESET || errno == EPIPE ?
				    "reset" : "error write");
				break;
			}
			r = readline(fd, line, sizeof(line),
			    tm_now_ms() + STALL_MS);
			if (r == 0) {
				report("stalled");
				break;
			}
			if (r < 0) {
				if (errno == ECONNRESET)
					report("reset");
				else
					printf("error %s\n", strerror(errno));
				fflush(stdout);
				break;
			}
			usleep(100000);
		}
		close(fd);
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	unsigned long port, secs;

	hk_setprogname(argv[0]);
	if (argc == 3 && strcmp(argv[1], "serve") == 0) {
		if (parse_ulong(argv[2], 1, 65535, &port) < 0)
			usage_error(usage_text, "bad port");
		return serve(port);
	}
	if (argc == 5 && strcmp(argv[1], "client") == 0) {
		if (parse_ulong(argv[3], 1, 65535, &port) < 0 ||
		    parse_ulong(argv[4], 1, 3600, &secs) < 0)
			usage_error(usage_text, "bad port or duration");
		return client(argv[2], port, secs);
	}
	usage_error(usage_text, "bad arguments");
}
