/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ip.c - IPv4 and IPv6 (extension headers walked), IP-in-IP, and the
 * ICMP/ICMPv6 errors that quote a SIP datagram.  Fragments go to the
 * reassembly table when there is one (ipfrag.c). */
#include "dissect_int.h"

#include <string.h>

/* Protocol after the IP header(s). */
static void ip_next(struct dis_ctx *d, struct l3info *l3, struct cur c)
{
	switch (l3->proto) {
	case 17:
		udp_print(d, l3, c);
		break;
	case 6:
		tcp_print(d, l3, c);
		break;
	case 1:
	case 58:
		icmp_print(d, l3, c);
		break;
	case 4:                 /* IPv4 in IP */
		ip_print(d, c, 4);
		break;
	case 41:                /* IPv6 in IP */
		ip_print(d, c, 6);
		break;
	default:
		ipx_print(d, l3, c);  /* tunnels and others (GRE, SCTP, ...) */
		break;
	}
}

static void ip4_print(struct dis_ctx *d, struct cur c)
{
	struct l3info l3 = { .version = 4 };
	const struct cur c0 = c;
	uint8_t vihl = cur_u8(&c);
	cur_u8(&c);                              /* TOS */
	uint16_t tot = cur_be16(&c);
	uint16_t id = cur_be16(&c);
	uint16_t frag = cur_be16(&c);
	cur_u8(&c);                              /* TTL */
	l3.proto = cur_u8(&c);
	cur_be16(&c);                            /* checksum */
	const uint8_t *s = cur_take(&c, 4), *t = cur_take(&c, 4);
	size_t ihl = (size_t)(vihl & 0x0f) * 4;
	/* invalid (the bytes are there but wrong) is not truncated */
	if (cur_peek_u8(&c0, 0) >= 0 && (vihl >> 4) != 4) {
		dis_event(d, DIS_EV_IPV4_BAD_VERSION);
		return;
	}
	if (c.bad) {
		d->st.truncated++;
		dis_event(d, DIS_EV_IPV4_TRUNCATED);
		return;
	}
	if (ihl < 20 || tot < ihl) {
		dis_event(d, ihl < 20 ? DIS_EV_IPV4_HEADER_SHORT : DIS_EV_IPV4_BAD_TOTAL_LENGTH);
		return;
	}
	l3.src.family = l3.dst.family = 4;
	memcpy(l3.src.ip, s, 4);
	memcpy(l3.dst.ip, t, 4);
	cur_skip(&c, ihl - 20);                  /* options */
	/* the total length bounds the payload (Ethernet pads short frames) */
	size_t plen = tot - ihl;
	if (plen > cur_left(&c)) {
		if (!c.bad)
			dis_event(d, DIS_EV_IPV4_TRUNCATED);   /* options cut: below */
		d->cut = true;
		plen = cur_left(&c);
	}
	struct cur pl = cur_sub(&c, plen);
	if (pl.bad) {
		d->st.truncated++;
		dis_event(d, DIS_EV_IPV4_TRUNCATED);
		return;
	}
	bool mf = frag & 0x2000;
	uint16_t off = (uint16_t)((frag & 0x1fff) * 8);
	if (mf || off) {
		ipfrag_print(d, &l3, id, off, mf, pl);
		return;
	}
	ip_next(d, &l3, pl);
}

static void ip6_print(struct dis_ctx *d, struct cur c)
{
	struct l3info l3 = { .version = 6 };
	const struct cur c0 = c;
	cur_be32(&c);                            /* version, traffic class, flow label */
	uint16_t plen = cur_be16(&c);
	uint8_t nh = cur_u8(&c);
	cur_u8(&c);                              /* hop limit */
	const uint8_t *s = cur_take(&c, 16), *t = cur_take(&c, 16);
	int b0 = cur_peek_u8(&c0, 0);
	if (b0 >= 0 && (b0 >> 4) != 6) {
		dis_event(d, DIS_EV_IPV6_BAD_VERSION);   /* invalid, not truncated */
		return;
	}
	if (c.bad) {
		d->st.truncated++;
		dis_event(d, DIS_EV_IPV6_TRUNCATED);
		return;
	}
	l3.src.family = l3.dst.family = 6;
	memcpy(l3.src.ip, s, 16);
	memcpy(l3.dst.ip, t, 16);
	size_t n = plen;
	if (n > cur_left(&c) || plen == 0) {     /* 0: jumbogram or snapped */
		if (plen) {
			d->cut = true;
			dis_event(d, DIS_EV_IPV6_TRUNCATED);
		}
		n = cur_left(&c);
	}
	struct cur pl = cur_sub(&c, n);
	/* walk the extension headers */
	for (int i = 0; i < 16; i++) {
		switch (nh) {
		case 0: case 43: case 60: {      /* hop-by-hop, routing, dest opts */
			uint8_t next = cur_u8(&pl);
			uint8_t len = cur_u8(&pl);
			cur_skip(&pl, (size_t)len * 8 + 6);
			nh = next;
			break;
		}
		case 51: {                       /* AH */
			uint8_t next = cur_u8(&pl);
			uint8_t len = cur_u8(&pl);
			cur_skip(&pl, ((size_t)len + 2) * 4 - 2);
			nh = next;
			break;
		}
		case 44: {                       /* fragment */
			uint8_t next = cur_u8(&pl);
			cur_u8(&pl);
			uint16_t fo = cur_be16(&pl);
			uint32_t id = cur_be32(&pl);
			if (pl.bad) {
				d->st.truncated++;
				dis_event(d, DIS_EV_IPV6_TRUNCATED);
				return;
			}
			l3.proto = next;
			ipfrag_print(d, &l3, id, (uint16_t)(fo & 0xfff8), fo & 1, cur_rest(&pl));
			return;
		}
		case 59:                         /* no next header */
			return;
		default:
			if (pl.bad) {
				d->st.truncated++;
				dis_event(d, DIS_EV_IPV6_TRUNCATED);
				return;
			}
			l3.proto = nh;
			ip_next(d, &l3, cur_rest(&pl));
			return;
		}
	}
	dis_event(d, DIS_EV_IPV6_EXT_CHAIN);
}

void ip_print(struct dis_ctx *d, struct cur c, int version)
{
	if (++d->depth > DIS_MAX_DEPTH) {
		d->depth--;
		dis_event(d, DIS_EV_TUNNEL_DEPTH);
		return;
	}
	if (version == 0) {
		int b = cur_peek_u8(&c, 0);
		version = b < 0 ? 0 : b >> 4;
	}
	if (version == 4)
		ip4_print(d, c);
	else if (version == 6)
		ip6_print(d, c);
	else {
		d->st.not_ip++;
		if (cur_left(&c))
			dis_event(d, DIS_EV_IP_BAD_VERSION);
	}
	d->depth--;
}

void ip_payload_print(struct dis_ctx *d, struct l3info *l3, struct cur c)
{
	ip_next(d, l3, c);
}

/* ICMP destination-unreachable / time-exceeded (v4: 3, 11; v6: 1, 3)
 * quoting a UDP or TCP datagram: evidence, not a message. */
void icmp_print(struct dis_ctx *d, const struct l3info *l3, struct cur c)
{
	uint8_t type = cur_u8(&c), code = cur_u8(&c);
	cur_skip(&c, 6);                         /* checksum, unused/MTU */
	if (c.bad)
		return;
	bool err = l3->proto == 1 ? (type == 3 || type == 11 || type == 12)
				  : (type >= 1 && type <= 4);
	if (!err)
		return;
	struct icmp_evt e = { .version = l3->version, .type = type, .code = code,
			      .from = l3->src, .to = l3->dst };
	if (d->pi) {
		e.file = d->pi->file;
		e.frame = d->pi->frame;
		e.ts_ns = d->pi->ts_ns;
	}
	/* quoted header */
	int v = cur_peek_u8(&c, 0);
	if (v < 0)
		return;
	if ((v >> 4) == 4) {
		size_t ihl = (size_t)(v & 0x0f) * 4;
		struct cur h = c;
		cur_skip(&h, 9);
		e.q_proto = cur_u8(&h);
		cur_skip(&h, 2);
		const uint8_t *s = cur_take(&h, 4), *t = cur_take(&h, 4);
		if (h.bad || ihl < 20 || !cur_skip(&c, ihl))
			return;
		e.q_src.family = e.q_dst.family = 4;
		memcpy(e.q_src.ip, s, 4);
		memcpy(e.q_dst.ip, t, 4);
	} else if ((v >> 4) == 6) {
		cur_skip(&c, 6);
		e.q_proto = cur_u8(&c);
		cur_u8(&c);
		const uint8_t *s = cur_take(&c, 16), *t = cur_take(&c, 16);
		if (c.bad)
			return;
		e.q_src.family = e.q_dst.family = 6;
		memcpy(e.q_src.ip, s, 16);
		memcpy(e.q_dst.ip, t, 16);
	} else {
		return;
	}
	if (e.q_proto != 17 && e.q_proto != 6)
		return;
	e.q_src.port = cur_be16(&c);
	e.q_dst.port = cur_be16(&c);
	if (c.bad)
		return;
	cur_skip(&c, e.q_proto == 17 ? 4 : 16);
	char cid[256], br[128], meth[32];
	cid[0] = br[0] = meth[0] = '\0';
	size_t n = cur_left(&c);
	const uint8_t *p = cur_take(&c, n);
	if (p && n && sip_looks_like_sip(p, n)) {
		sip_quick_ids(p, n, cid, sizeof cid, br, sizeof br, meth, sizeof meth);
		e.q_call_id = cid[0] ? cid : NULL;
		e.q_branch = br[0] ? br : NULL;
		e.q_method = meth[0] ? meth : NULL;
		d->had_sip = true;
	}
	d->st.icmp_errors++;
	if (d->cb.on_icmp)
		d->cb.on_icmp(d->cb.user, &e);
}
