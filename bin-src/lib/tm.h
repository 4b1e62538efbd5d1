/*
 * tm.h - the monotonic clock every interval and timeout is measured on.
 * Wall-clock jumps never move these values.
 */
#ifndef HAKIT_TM_H
#define HAKIT_TM_H

#include <stdint.h>

uint64_t	tm_now_ms(void);	/* CLOCK_MONOTONIC, milliseconds */
uint64_t	tm_now_us(void);	/* CLOCK_MONOTONIC, microseconds */
uint64_t	tm_boot_ms(void);	/* CLOCK_BOOTTIME: counts through suspend */
uint64_t	tm_wall_ms(void);	/* CLOCK_REALTIME, for timestamps only */

/*
 * Milliseconds from now until deadline (a tm_now_ms() value), as a
 * poll(2) timeout: 0 when it has passed, at most INT_MAX.
 */
int		tm_poll_timeout(uint64_t deadline_ms);

#endif
