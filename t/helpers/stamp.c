/*
 * stamp - copies lines from stdin to stdout, each prefixed with the time
 * it arrived: CLOCK_MONOTONIC in microseconds.  The heartbeat benchmark
 * uses it to time events; "stamp -g" prints, at the end, the largest gap
 * between two lines in milliseconds instead; "stamp -n" prints the
 * time now and exits.
 */
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "tm.h"

static const char usage_text[] = "usage: stamp [-g | -n]\n";

int
main(int argc, char **argv)
{
	char line[4096];
	uint64_t t, last = 0, gap = 0;
	int gaps = 0;

	hk_setprogname(argv[0]);
	if (argc == 2 && strcmp(argv[1], "-g") == 0) {
		gaps = 1;
	} else if (argc == 2 && strcmp(argv[1], "-n") == 0) {
		printf("%llu\n", (unsigned long long)tm_now_us());
		return 0;
	} else if (argc == 2 && strcmp(argv[1], "-h") == 0) {
		usage_exit(usage_text, 0);
	} else if (argc != 1) {
		usage_exit(usage_text, 2);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (fgets(line, sizeof(line), stdin) != NULL) {
		t = tm_now_us();
		if (gaps) {
			if (last != 0 && t - last > gap)
				gap = t - last;
			last = t;
			continue;
		}
		printf("%llu %s", (unsigned long long)t, line);
	}
	if (gaps)
		printf("%llu\n", (unsigned long long)(gap / 1000));
	return 0;
}
