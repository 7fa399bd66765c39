/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tunnels.c - encapsulations after IP and UDP: GRE (incl. transparent
 * Ethernet bridging, PPP/PPTP and ERSPAN), SCTP DATA chunks, GTP-U, and
 * the hand-off of HEP found by content.  What comes out of a tunnel goes
 * back into the chain (link/IP printers), bounded by DIS_MAX_DEPTH. */
#include "dissect_int.h"

#include <stdlib.h>
#include <string.h>

/* PPP (RFC 1661) inside PPTP's enhanced GRE: optional address/control
 * bytes, a 1- or 2-byte protocol field. */
static void ppp_print(struct dis_ctx *d, struct cur c)
{
	const uint8_t *ac = cur_peek(&c, 2);
	if (ac && ac[0] == 0xff && ac[1] == 0x03)
		cur_skip(&c, 2);
	int b = cur_peek_u8(&c, 0);
	uint16_t proto = b < 0 ? 0 : (b & 1) ? cur_u8(&c) : cur_be16(&c);
	if (c.bad)
		return;
	if (proto == 0x21)
		ip_print(d, c, 4);
	else if (proto == 0x57)
		ip_print(d, c, 6);
}

static void gre_print(struct dis_ctx *d, struct cur c)
{
	uint16_t fl = cur_be16(&c);
	uint16_t proto = cur_be16(&c);
	if (c.bad)
		return;
	unsigned ver = fl & 7;
	if (ver == 0) {
		if (fl & 0xc000)                 /* checksum and/or routing: both fields */
			cur_skip(&c, 4);
		if (fl & 0x2000)                 /* key */
			cur_skip(&c, 4);
		if (fl & 0x1000)                 /* sequence */
			cur_skip(&c, 4);
		if (fl & 0x4000)                 /* source routing entries (RFC 1701) */
			return;
	} else if (ver == 1) {                   /* PPTP enhanced GRE (RFC 2637) */
		cur_skip(&c, 4);                 /* payload length, call id */
		if (fl & 0x1000)
			cur_skip(&c, 4);
		if (fl & 0x0080)                 /* acknowledgment */
			cur_skip(&c, 4);
	} else {
		return;
	}
	if (c.bad)
		return;
	if (++d->depth > DIS_MAX_DEPTH) {
		d->depth--;
		return;
	}
	switch (proto) {
	case 0x880b:
		ppp_print(d, c);
		break;
	case 0x88be:                             /* ERSPAN type II: 8-byte header */
		if (fl & 0x1000)                 /* type I has no sequence, no header */
			cur_skip(&c, 8);
		if (!c.bad)
			ether_print(d, c);
		break;
	case 0x22eb: {                           /* ERSPAN type III */
		cur_skip(&c, 11);
		uint8_t o = cur_u8(&c);
		if (o & 1)                       /* platform-specific subheader */
			cur_skip(&c, 8);
		if (!c.bad)
			ether_print(d, c);
		break;
	}
	default:
		ethertype_print(d, proto, c);    /* IPv4, IPv6, 0x6558 Ethernet, VLAN */
		break;
	}
	d->depth--;
}

/* A user message split over DATA chunks (B ... E, consecutive TSNs),
 * one per direction and stream; few and bounded. */
#define SCTP_FRAG_MAX 16
#define SCTP_MSG_MAX (256u * 1024)

struct sctp_frag {
	struct sctp_frag *next;
	struct rt_addr src, dst;
	uint16_t sid;
	uint32_t next_tsn;
	uint8_t *buf;
	size_t len;
	struct dis_parts parts;      /* the packets of its chunks (the parts hook) */
};

void sctp_frag_free(struct dis_ctx *d)
{
	for (struct sctp_frag *f = d->sctp, *n; f; f = n) {
		n = f->next;
		dis_parts_free(&f->parts);
		free(f->buf);
		free(f);
	}
	d->sctp = NULL;
}

static void sctp_piece(struct dis_ctx *d, const struct rt_addr *src, const struct rt_addr *dst,
		       uint8_t flags, uint32_t tsn, uint16_t sid, struct cur ch)
{
	struct sctp_frag **pp = &d->sctp, *f;
	int count = 0;
	while ((f = *pp) && !(f->sid == sid && rt_addr_eq(&f->src, src) && rt_addr_eq(&f->dst, dst))) {
		pp = &f->next;
		count++;
	}
	size_t n = cur_left(&ch);
	const uint8_t *p = cur_take(&ch, n);
	if (!p)
		return;
	if (flags & 2) {                         /* B: a new message */
		if (!f) {
			if (count >= SCTP_FRAG_MAX)
				return;
			f = calloc(1, sizeof *f);
			if (!f)
				return;
			f->src = *src;
			f->dst = *dst;
			f->sid = sid;
			*pp = f;
		}
		f->len = 0;
		f->parts.n = 0;
	} else if (!f || f->next_tsn != tsn || !f->buf) {
		return;                          /* its start was not seen */
	}
	if (f->len + n > SCTP_MSG_MAX) {
		free(f->buf);
		f->buf = NULL;
		return;
	}
	uint8_t *nb = realloc(f->buf, f->len + n ? f->len + n : 1);
	if (!nb)
		return;
	f->buf = nb;
	memcpy(f->buf + f->len, p, n);
	f->len += n;
	f->next_tsn = tsn + 1;
	dis_parts_add_cur(d, &f->parts);
	if (flags & 1) {                         /* E: complete */
		*pp = f->next;
		const struct dis_parts *saved = d->dg_parts;
		d->dg_parts = &f->parts;         /* RFC 9260 §6.9: all its chunks */
		sip_print_datagram(d, src, dst, RT_TP_SCTP, cur_make(f->buf, f->len));
		d->dg_parts = saved;
		dis_parts_free(&f->parts);
		free(f->buf);
		free(f);
	}
	d->had_sip = true;
}

/* SCTP (RFC 9260): each DATA chunk that is a whole user message is one
 * datagram for the SIP layer (RFC 4168); fragmented ones are joined. */
static void sctp_print(struct dis_ctx *d, const struct l3info *l3, struct cur c)
{
	struct rt_addr src = l3->src, dst = l3->dst;
	src.port = cur_be16(&c);
	dst.port = cur_be16(&c);
	cur_skip(&c, 8);                         /* verification tag, checksum */
	if (c.bad) {
		d->st.truncated++;
		dis_event(d, DIS_EV_SCTP_TRUNCATED);
		return;
	}
	for (int i = 0; i < 64 && cur_left(&c) >= 4; i++) {
		uint8_t type = cur_u8(&c), flags = cur_u8(&c);
		uint16_t len = cur_be16(&c);
		if (len < 4) {
			dis_event(d, DIS_EV_SCTP_BAD_CHUNK_LENGTH);
			return;
		}
		struct cur ch = cur_sub(&c, len - 4u);
		if (ch.bad) {
			d->cut = true;
			ch = cur_rest(&c);
		}
		cur_skip(&c, (4 - (len & 3)) & 3);   /* padding */
		if (type != 0 && type != 64)
			continue;                    /* DATA and I-DATA only */
		uint32_t tsn = cur_be32(&ch);
		uint16_t sid = cur_be16(&ch);
		cur_skip(&ch, type == 0 ? 6 : 10);  /* SSN, PPID / MID, PPID|FSN */
		if (ch.bad)
			continue;
		if ((flags & 3) != 3)
			sctp_piece(d, &src, &dst, flags, tsn, sid, ch);
		else
			sip_print_datagram(d, &src, &dst, RT_TP_SCTP, ch);
	}
}

void ipx_print(struct dis_ctx *d, const struct l3info *l3, struct cur c)
{
	switch (l3->proto) {
	case 47:
		gre_print(d, c);
		break;
	case 132:
		sctp_print(d, l3, c);
		break;
	default:
		break;
	}
}

/* GTP-U (3GPP TS 29.281) G-PDU: the user's IP packet after the header and
 * its extension headers. */
static bool gtpu_print(struct dis_ctx *d, struct cur c)
{
	uint8_t fl = cur_u8(&c), type = cur_u8(&c);
	cur_be16(&c);                            /* length */
	cur_be32(&c);                            /* TEID */
	if (c.bad || (fl >> 5) != 1 || !(fl & 0x10))
		return false;
	if (type != 0xff)
		return true;                     /* echo, error indication, ... */
	if (fl & 0x07) {
		cur_skip(&c, 3);                 /* sequence, N-PDU */
		uint8_t next = cur_u8(&c);
		for (int i = 0; next && i < 16; i++) {
			uint8_t len = cur_u8(&c);
			if (len == 0 || !cur_skip(&c, (size_t)len * 4 - 2))
				return true;
			next = cur_u8(&c);
		}
		if (c.bad)
			return true;
	}
	int v = cur_peek_u8(&c, 0);
	if (v < 0 || ((v >> 4) != 4 && (v >> 4) != 6))
		return true;
	ip_print(d, c, 0);
	return true;
}

bool udp_encap_print(struct dis_ctx *d, const struct l3info *l3, const struct rt_addr *src,
		     const struct rt_addr *dst, struct cur c)
{
	(void)l3;
	const uint8_t *m = cur_peek(&c, 4);
	if (!m)
		return false;
	/* HEP by content, on any port */
	if (memcmp(m, "HEP3", 4) == 0 || ((m[0] == 1 || m[0] == 2) && !sip_looks_like_sip(m, cur_left(&c))))
		if (hep_print(d, c))
			return true;
	if (src->port == 2152 || dst->port == 2152)
		return gtpu_print(d, c);
	return false;
}
