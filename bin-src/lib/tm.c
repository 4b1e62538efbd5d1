/*
 * tm.c - monotonic time helpers.
 */
#include <limits.h>
#include <stdint.h>
#include <time.h>

#include "tm.h"

static uint64_t
clock_us(clockid_t id)
{
	struct timespec ts;

	/* Cannot fail for these clocks with a valid pointer. */
	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

uint64_t
tm_now_us(void)
{
	return clock_us(CLOCK_MONOTONIC);
}

uint64_t
tm_now_ms(void)
{
	return clock_us(CLOCK_MONOTONIC) / 1000;
}

uint64_t
tm_boot_ms(void)
{
	return clock_us(CLOCK_BOOTTIME) / 1000;
}

uint64_t
tm_wall_ms(void)
{
	return clock_us(CLOCK_REALTIME) / 1000;
}

int
tm_poll_timeout(uint64_t deadline_ms)
{
	uint64_t now = tm_now_ms();

	if (deadline_ms <= now)
		return 0;
	if (deadline_ms - now > INT_MAX)
		return INT_MAX;
	return (int)(deadline_ms - now);
}
