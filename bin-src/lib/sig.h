/*
 * sig.h - how every long-running program stops: SIGTERM and SIGINT set a
 * flag and wake the main poll() through a self-pipe (D. J. Bernstein's
 * self-pipe trick), so that a signal that lands between the loop's look
 * at the flag and poll is not lost until the next input.
 */
#ifndef HAKIT_SIG_H
#define HAKIT_SIG_H

#include <signal.h>

/* Set by SIGTERM and SIGINT once sig_stop_pipe() has run. */
extern volatile sig_atomic_t sig_stop;

/*
 * Makes SIGTERM and SIGINT set sig_stop and write a byte to a self-pipe
 * (SIGINT only when it was not ignored on entry, as sh leaves it for a
 * background job); SIGPIPE is ignored.  Returns the pipe's read end, to poll for POLLIN
 * beside the program's own descriptors (nonblocking, close-on-exec,
 * above fd 2, so that a closed stdin stays closed), or -1 with errno.
 * Call it once.
 */
int		sig_stop_pipe(void);

#endif
