/* SPDX-License-Identifier: GPL-2.0-or-later */
/* addr.c - text forms and comparisons of network endpoints. */
#include "addr.h"
#include "fnv.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

/* Decimal digits of v at o; returns the end. */
static char *put_u(char *o, unsigned v)
{
	char t[8];
	int k = 0;
	do {
		t[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (k)
		*o++ = t[--k];
	return o;
}

/* "a.b.c.d" as inet_ntop() writes it, without its sprintf (two per
 * message in every output); returns the length. */
static size_t ip4_fmt(const uint8_t *ip, char *o)
{
	char *e = o;
	for (int i = 0; i < 4; i++) {
		if (i)
			*e++ = '.';
		e = put_u(e, ip[i]);
	}
	*e = '\0';
	return (size_t)(e - o);
}

char *rt_ip_str(const struct rt_addr *a, char *buf, size_t n)
{
	if (n == 0)
		return buf;
	buf[0] = '\0';
	if (a->family == 4) {
		char t[16];
		size_t l = ip4_fmt(a->ip, t);
		if (l < n)              /* else "", as inet_ntop leaves it (ENOSPC) */
			memcpy(buf, t, l + 1);
	} else if (a->family == 6)
		inet_ntop(AF_INET6, a->ip, buf, (socklen_t)n);
	else
		snprintf(buf, n, "?");
	return buf;
}

char *rt_addr_str(const struct rt_addr *a, char *buf, size_t n)
{
	if (a->family == 4 && n > 0) {
		/* snprintf(buf, n, "%s:%u") by hand: cut to n - 1 bytes */
		char t[24];
		size_t l = ip4_fmt(a->ip, t);
		t[l++] = ':';
		l = (size_t)(put_u(t + l, a->port) - t);
		if (l > n - 1)
			l = n - 1;
		memcpy(buf, t, l);
		buf[l] = '\0';
		return buf;
	}
	char ip[INET6_ADDRSTRLEN];
	rt_ip_str(a, ip, sizeof ip);
	if (a->family == 6)
		snprintf(buf, n, "[%s]:%u", ip, a->port);
	else
		snprintf(buf, n, "%s:%u", ip, a->port);
	return buf;
}

bool rt_ip_eq(const struct rt_addr *a, const struct rt_addr *b)
{
	if (a->family != b->family)
		return false;
	return memcmp(a->ip, b->ip, a->family == 4 ? 4 : 16) == 0;
}

bool rt_addr_eq(const struct rt_addr *a, const struct rt_addr *b)
{
	return a->port == b->port && rt_ip_eq(a, b);
}

bool rt_ip_parse(const char *s, struct rt_addr *a)
{
	memset(a, 0, sizeof *a);
	if (!s)
		return false;
	if (inet_pton(AF_INET, s, a->ip) == 1) {
		a->family = 4;
		return true;
	}
	/* libosip2 returns IPv6 hosts without brackets, URIs carry them */
	char tmp[INET6_ADDRSTRLEN + 2];
	size_t l = strlen(s);
	if (l >= 2 && s[0] == '[' && s[l - 1] == ']' && l - 2 < sizeof tmp) {
		memcpy(tmp, s + 1, l - 2);
		tmp[l - 2] = '\0';
		s = tmp;
	}
	if (inet_pton(AF_INET6, s, a->ip) == 1) {
		a->family = 6;
		return true;
	}
	return false;
}

bool rt_ip_is_private(const struct rt_addr *a)
{
	const uint8_t *p = a->ip;
	if (a->family == 4) {
		return p[0] == 10 ||
		       (p[0] == 172 && (p[1] & 0xf0) == 16) ||
		       (p[0] == 192 && p[1] == 168) ||
		       (p[0] == 100 && (p[1] & 0xc0) == 64) ||   /* RFC 6598 CGNAT */
		       (p[0] == 169 && p[1] == 254);
	}
	if (a->family == 6)
		return (p[0] & 0xfe) == 0xfc ||                  /* ULA fc00::/7 */
		       (p[0] == 0xfe && (p[1] & 0xc0) == 0x80);  /* link-local */
	return false;
}

uint32_t rt_addr_hash(const struct rt_addr *a, uint32_t h)
{
	/* over the significant bytes: family, 4 or 16 address bytes, port
	 * (low byte first) */
	const uint8_t port[2] = { (uint8_t)(a->port & 0xff), (uint8_t)(a->port >> 8) };
	h = rt_fnv32(h, &a->family, 1);
	h = rt_fnv32(h, a->ip, a->family == 6 ? 16 : 4);
	return rt_fnv32(h, port, 2);
}

const char *rt_transport_name(enum rt_transport t)
{
	switch (t) {
	case RT_TP_UDP: return "UDP";
	case RT_TP_TCP: return "TCP";
	case RT_TP_TLS: return "TLS";
	case RT_TP_SCTP: return "SCTP";
	case RT_TP_WS: return "WS";
	case RT_TP_WSS: return "WSS";
	default: return "?";
	}
}
