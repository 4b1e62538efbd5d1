/*
 * line.h - event lines from a descriptor, for the decision cores
 * (hbown, hbmond): read(2) and poll(2), never stdio, so that what is
 * buffered is never hidden from poll; an overlong line is dropped whole.
 */
#ifndef HAKIT_LINE_H
#define HAKIT_LINE_H

#include <stddef.h>
#include <stdint.h>

#define LN_MAX		1024	/* a line, its newline included */

struct ln_reader {
	int	fd;
	char	buf[LN_MAX];
	size_t	have;
	int	eof;
	int	skipping;	/* the rest of an overlong line is dropped */
};

/*
 * The next line from r->fd into line (at least LN_MAX bytes), without
 * its newline, NUL-terminated, its length in *len.  Returns 1 for a
 * line; 0 when deadline (CLOCK_BOOTTIME ms; 0: none) came first; 2 when
 * a line longer than LN_MAX - 2 bytes was dropped (the caller says so);
 * -1 at the end of input (a last line without a newline is a line); -2
 * on a read or poll error, errno set.
 */
int		ln_next(struct ln_reader *r, char *line, size_t *len,
		    uint64_t deadline);

#endif
