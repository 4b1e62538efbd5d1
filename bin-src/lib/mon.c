/*
 * mon.c - shared by the monitors: host resolution and the small pieces
 * of the mon and Nagios output formats (see mon.h).
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "common.h"
#include "mon.h"

int
mon_resolve(const char *host, int family, int socktype, struct addrinfo **res)
{
	struct addrinfo hints;
	int e;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = socktype;
	hints.ai_flags = AI_NUMERICHOST;
	*res = NULL;
	if (*host == '\0')
		return EAI_NONAME;
	e = getaddrinfo(host, NULL, &hints, res);
	if (e != EAI_NONAME)
		return e;
	hints.ai_flags = 0;
	return getaddrinfo(host, NULL, &hints, res);
}

const char *
mon_nag_word(int state)
{
	switch (state) {
	case MON_NAG_OK:
		return "OK";
	case MON_NAG_WARNING:
		return "WARNING";
	case MON_NAG_CRITICAL:
		return "CRITICAL";
	default:
		return "UNKNOWN";
	}
}

const char *
mon_fmt_ms(char *buf, size_t len, uint64_t us)
{
	snprintf(buf, len, "%llu.%03llu", (unsigned long long)(us / 1000),
	    (unsigned long long)(us % 1000));
	return buf;
}

const char *
mon_nag_label(char *buf, size_t len, const char *host, const char *suffix)
{
	size_t i;

	snprintf(buf, len, "%s%s", host, suffix);
	for (i = 0; buf[i] != '\0'; i++) {
		char c = buf[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		    c == ':' || c == '-'))
			buf[i] = '_';
	}
	return buf;
}

int
mon_has_flag(int argc, char *const argv[], const char *optstring, int flag)
{
	return opt_present(argc, argv, optstring, flag, NULL);
}
