/* SPDX-License-Identifier: GPL-2.0-or-later */
/* endpoint.c - see endpoint.h. */
#include "endpoint.h"

#include <stdlib.h>
#include <string.h>

static bool copy(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		return false;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return true;
}

int rt_endpoint_parse(const char *spec, bool host_required, struct rt_endpoint *ep)
{
	memset(ep, 0, sizeof *ep);
	ep->proto = RT_EP_UDP;
	if (!strncmp(spec, "udp:", 4)) {
		spec += 4;
	} else if (!strncmp(spec, "tcp:", 4)) {
		ep->proto = RT_EP_TCP;
		spec += 4;
	}
	const char *port;
	if (spec[0] == '[') {
		const char *rb = strchr(spec, ']');
		if (!rb || rb[1] != ':' || !copy(ep->host, sizeof ep->host, spec + 1, (size_t)(rb - spec - 1)))
			return -1;
		port = rb + 2;
	} else {
		const char *colon = strrchr(spec, ':');
		if (colon && strchr(spec, ':') != colon)
			return -1;          /* a bare IPv6 address needs brackets */
		if (colon) {
			if (!copy(ep->host, sizeof ep->host, spec, (size_t)(colon - spec)))
				return -1;
			port = colon + 1;
		} else {
			port = spec;
		}
	}
	if (!*port || strspn(port, "0123456789") != strlen(port) || atol(port) < 1 || atol(port) > 65535 ||
	    !copy(ep->port, sizeof ep->port, port, strlen(port)))
		return -1;
	if (host_required && !ep->host[0])
		return -1;
	return 0;
}
