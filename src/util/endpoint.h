/* SPDX-License-Identifier: GPL-2.0-or-later */
/* endpoint.h - "[udp:|tcp:]HOST:PORT" as the HEP options take it.
 *
 * Owns: struct rt_endpoint and its parser.  HOST may be a name, an IPv4
 * address or a bracketed IPv6 address; it may be empty where a listener
 * binds to every address ("PORT" or ":PORT").
 */
#ifndef RT_ENDPOINT_H
#define RT_ENDPOINT_H

#include <stdbool.h>

enum rt_ep_proto { RT_EP_UDP, RT_EP_TCP };

struct rt_endpoint {
	enum rt_ep_proto proto;
	char host[256];     /* "" when absent */
	char port[16];
};

/* 0, or -1 when spec is not [udp:|tcp:][HOST:]PORT (host_required: HOST
 * must be there). */
int rt_endpoint_parse(const char *spec, bool host_required, struct rt_endpoint *ep);

#endif
