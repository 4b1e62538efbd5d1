/*
 * line.c - event lines from a descriptor: see line.h.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "line.h"
#include "tm.h"

int
ln_next(struct ln_reader *r, char *line, size_t *len, uint64_t deadline)
{
	for (;;) {
		char *nl = memchr(r->buf, '\n', r->have);
		struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
		ssize_t k;

		if (nl != NULL) {
			size_t n = (size_t)(nl - r->buf);
			int skipped = r->skipping;

			if (!skipped) {
				memcpy(line, r->buf, n);
				line[n] = '\0';
				*len = n;
			}
			memmove(r->buf, nl + 1, r->have - n - 1);
			r->have -= n + 1;
			r->skipping = 0;
			return skipped ? 2 : 1;
		}
		if (r->have >= LN_MAX - 1) {
			r->skipping = 1;	/* an overlong line: dropped whole */
			r->have = 0;
		}
		if (r->eof) {
			if (r->have == 0 || r->skipping)
				return -1;
			memcpy(line, r->buf, r->have);
			line[r->have] = '\0';
			*len = r->have;
			r->have = 0;
			return 1;
		}
		if (deadline) {
			uint64_t t = tm_boot_ms();
			int p = poll(&pfd, 1, deadline <= t ? 0 :
			    deadline - t > INT_MAX ? INT_MAX :
			    (int)(deadline - t));

			if (p < 0 && errno != EINTR)
				return -2;
			if (p == 0 || (p < 0 && tm_boot_ms() >= deadline))
				return 0;
			if (p < 0)
				continue;
		}
		k = read(r->fd, r->buf + r->have, LN_MAX - 1 - r->have);
		if (k < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -2;
		}
		if (k == 0)
			r->eof = 1;
		r->have += (size_t)k;
	}
}
