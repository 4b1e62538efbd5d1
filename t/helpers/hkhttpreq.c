/*
 * hkhttpreq.c - for the httpcheck tests: accepts one HTTP connection,
 * copies the request head (up to the empty line) to stdout, answers
 * 200 OK and exits.  Shows what a client really sent.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"
#include "common.h"

static const char usage_text[] =
    "usage: hkhttpreq [-a ADDR] [-p PORT]\n";

int
main(int argc, char **argv)
{
	static const char reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
	    "Connection: close\r\n\r\nOK\n";
	const char *addr = "0.0.0.0";
	unsigned long port = 80;
	struct sockaddr_storage ss;
	struct hk_addr a;
	char buf[8192];
	size_t len = 0;
	ssize_t n;
	int opt, lfd, fd, one = 1;

	hk_setprogname(argv[0]);
	while ((opt = getopt(argc, argv, "a:hp:V")) != -1) {
		switch (opt) {
		case 'a':
			addr = optarg;
			break;
		case 'h':
			usage_exit(usage_text, HK_EXIT_OK);
		case 'p':
			if (parse_ulong(optarg, 1, 65535, &port) < 0)
				usage_error(usage_text, "bad port: %s", optarg);
			break;
		case 'V':
			version_exit();
		default:
			usage_error(usage_text, "unknown option");
		}
	}
	if (addr_parse(addr, &a) < 0)
		usage_error(usage_text, "bad address: %s", addr);
	lfd = socket(a.family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		die(HK_EXIT_SYS, "socket:");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&ss,
	    addr_to_sockaddr(&a, (unsigned)port, &ss)) < 0 ||
	    listen(lfd, 8) < 0)
		die(HK_EXIT_SYS, "listen on %s port %lu:", addr, port);
	if ((fd = accept(lfd, NULL, NULL)) < 0)
		die(HK_EXIT_SYS, "accept:");
	while (len < sizeof(buf) - 1) {
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n") != NULL)
			break;
	}
	fwrite(buf, 1, len, stdout);
	fflush(stdout);
	if (write(fd, reply, sizeof(reply) - 1) < 0)
		warnf("write:");
	close(fd);
	close(lfd);
	return HK_EXIT_OK;
}
