/* SPDX-License-Identifier: GPL-2.0-or-later */
/* addr.h - network endpoints and transports as the dissectors report them.
 *
 * Owns: struct rt_addr (IPv4/IPv6 address + port), enum rt_transport, and
 * their text forms ("1.2.3.4:5060", "[2001:db8::1]:5060").
 */
#ifndef RT_ADDR_H
#define RT_ADDR_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

enum rt_transport {
	RT_TP_UNKNOWN = 0,
	RT_TP_UDP,
	RT_TP_TCP,
	RT_TP_TLS,
	RT_TP_SCTP,
	RT_TP_WS,
	RT_TP_WSS,
};

struct rt_addr {
	uint8_t family;         /* 4 or 6; 0 = unset */
	uint8_t ip[16];         /* v4 in the first 4 bytes */
	uint16_t port;
};

#define RT_ADDR_STRLEN 56   /* "[ffff:...:ffff]:65535" + NUL, with room */

/* "ip:port" with IPv6 in brackets; returns buf. */
char *rt_addr_str(const struct rt_addr *a, char *buf, size_t n);
/* The address only (no port, no brackets). */
char *rt_ip_str(const struct rt_addr *a, char *buf, size_t n);
bool rt_addr_eq(const struct rt_addr *a, const struct rt_addr *b);
bool rt_ip_eq(const struct rt_addr *a, const struct rt_addr *b);
/* Parse a textual IPv4/IPv6 address (no port) into a (port 0). */
bool rt_ip_parse(const char *s, struct rt_addr *a);
/* RFC 1918, RFC 6598 CGNAT, link-local, ULA. */
bool rt_ip_is_private(const struct rt_addr *a);
uint32_t rt_addr_hash(const struct rt_addr *a, uint32_t seed);

const char *rt_transport_name(enum rt_transport t);   /* "UDP", "TCP", ... */

#endif
