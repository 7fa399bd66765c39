/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hep.c - HEP, the HOMER encapsulation (v3 chunks, v2 fixed header).
 *
 * A HEP packet carries one captured payload plus where and when the agent
 * (heplify, Kamailio siptrace, FreeSWITCH, Asterisk) saw it.  Those
 * addresses and that timestamp are the message's, not the outer packet's.
 * Payload chunk 0x0f is plain, 0x10 is zlib-compressed (inflated here,
 * bounded).  Only payload type 1 (SIP) becomes a message; logs, RTCP
 * reports and the rest are counted as HEP packets and left alone.
 */
#include "dissect_int.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define HEP_INFLATE_MAX (1u << 20)   /* largest decompressed payload kept */

struct hep_info {
	struct rt_addr src, dst;
	uint8_t proto;            /* IP protocol of the captured packet */
	uint8_t ptype;            /* payload type: 1 = SIP */
	bool have_ts;
	uint32_t sec, usec;
	const uint8_t *payload;
	size_t plen;
	bool compressed;
	const uint8_t *key;       /* chunk 0x000e, the agent's authentication key */
	size_t keylen;
};

static enum rt_transport hep_transport(uint8_t proto)
{
	switch (proto) {
	case 6:
		return RT_TP_TCP;
	case 132:
		return RT_TP_SCTP;
	default:
		return RT_TP_UDP;
	}
}

long hep_frame(const uint8_t *p, size_t n)
{
	if (n < 4)
		return memcmp(p, "HEP3", n) == 0 ? 0 : -1;
	if (memcmp(p, "HEP3", 4) != 0)
		return -1;
	if (n < 6)
		return 0;
	size_t len = ((size_t)p[4] << 8) | p[5];
	if (len < 6)
		return -1;
	return n >= len ? (long)len : 0;
}

static bool hep3_chunks(struct cur c, struct hep_info *h)
{
	while (cur_left(&c) >= 6) {
		uint16_t vendor = cur_be16(&c);
		uint16_t type = cur_be16(&c);
		uint16_t len = cur_be16(&c);
		if (len < 6)
			return false;
		struct cur v = cur_sub(&c, len - 6u);
		if (v.bad)
			return false;
		if (vendor != 0)
			continue;
		size_t vl = cur_left(&v);
		switch (type) {
		case 0x000e:
			h->keylen = vl;
			h->key = cur_take(&v, vl);
			break;
		case 0x0002: h->proto = cur_u8(&v); break;
		case 0x0003:
			if (vl == 4) {
				h->src.family = 4;
				memcpy(h->src.ip, cur_take(&v, 4), 4);
			}
			break;
		case 0x0004:
			if (vl == 4) {
				h->dst.family = 4;
				memcpy(h->dst.ip, cur_take(&v, 4), 4);
			}
			break;
		case 0x0005:
			if (vl == 16) {
				h->src.family = 6;
				memcpy(h->src.ip, cur_take(&v, 16), 16);
			}
			break;
		case 0x0006:
			if (vl == 16) {
				h->dst.family = 6;
				memcpy(h->dst.ip, cur_take(&v, 16), 16);
			}
			break;
		case 0x0007: h->src.port = cur_be16(&v); break;
		case 0x0008: h->dst.port = cur_be16(&v); break;
		case 0x0009: h->sec = cur_be32(&v); h->have_ts = !v.bad; break;
		case 0x000a: h->usec = cur_be32(&v); break;
		case 0x000b: h->ptype = cur_u8(&v); break;
		case 0x000f:
		case 0x0010:
			h->plen = vl;
			h->payload = cur_take(&v, vl);
			h->compressed = type == 0x0010;
			break;
		default:
			break;
		}
	}
	return true;
}

/* HEP v1/v2: version, header length, family, proto, ports, addresses,
 * then (v2) seconds, microseconds, capture id (little-endian, as the
 * agents write them) and the payload. */
static bool hep2_parse(struct cur c, struct hep_info *h)
{
	uint8_t ver = cur_u8(&c), hlen = cur_u8(&c), fam = cur_u8(&c);
	h->proto = cur_u8(&c);
	h->src.port = cur_be16(&c);
	h->dst.port = cur_be16(&c);
	size_t al = fam == 2 ? 4 : fam == 10 ? 16 : 0;
	if (c.bad || (ver != 1 && ver != 2) || !al || hlen != 8 + 2 * al ||
	    (h->proto != 17 && h->proto != 6 && h->proto != 132))
		return false;
	const uint8_t *s = cur_take(&c, al), *t = cur_take(&c, al);
	if (!s || !t)
		return false;
	h->src.family = h->dst.family = al == 4 ? 4 : 6;
	memcpy(h->src.ip, s, al);
	memcpy(h->dst.ip, t, al);
	if (ver == 2) {
		h->sec = cur_le32(&c);
		h->usec = cur_le32(&c);
		cur_skip(&c, 4);
		if (c.bad)
			return false;
		h->have_ts = true;
	}
	h->ptype = 1;
	h->plen = cur_left(&c);
	h->payload = cur_take(&c, h->plen);
	return h->payload != NULL && sip_looks_like_sip(h->payload, h->plen);
}

static uint8_t *hep_inflate(const uint8_t *p, size_t n, size_t *out)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 15 + 32) != Z_OK)   /* zlib or gzip header */
		return NULL;
	size_t cap = n * 4 + 256, len = 0;
	if (cap > HEP_INFLATE_MAX)
		cap = HEP_INFLATE_MAX;
	uint8_t *buf = malloc(cap);
	int rc = Z_OK;
	z.next_in = (Bytef *)p;
	z.avail_in = (uInt)n;
	while (buf && rc == Z_OK) {
		if (len == cap) {
			if (cap >= HEP_INFLATE_MAX)
				break;
			size_t nc = cap * 2 > HEP_INFLATE_MAX ? HEP_INFLATE_MAX : cap * 2;
			uint8_t *nb = realloc(buf, nc);
			if (!nb)
				break;
			buf = nb;
			cap = nc;
		}
		z.next_out = buf + len;
		z.avail_out = (uInt)(cap - len);
		rc = inflate(&z, Z_NO_FLUSH);
		len = cap - z.avail_out;
	}
	inflateEnd(&z);
	if (!buf || (rc != Z_STREAM_END && rc != Z_OK) || len == 0) {
		free(buf);
		return NULL;
	}
	*out = len;
	return buf;
}

bool hep_print(struct dis_ctx *d, struct cur c)
{
	struct hep_info h;
	memset(&h, 0, sizeof h);
	const uint8_t *m = cur_peek(&c, 4);
	if (m && memcmp(m, "HEP3", 4) == 0) {
		cur_skip(&c, 4);
		uint16_t len = cur_be16(&c);
		if (c.bad || len < 6)
			return false;
		struct cur body = cur_make(c.p + c.off, cur_left(&c));
		if ((size_t)len - 6 < body.len)
			body.len = (size_t)len - 6;
		else if ((size_t)len - 6 > body.len)
			d->cut = true;
		if (!hep3_chunks(body, &h))
			return true;             /* HEP, but damaged: nothing to show */
	} else if (!hep2_parse(c, &h)) {
		return false;
	}
	d->st.hep_packets++;
	if (h.ptype != 1 || !h.payload || !h.plen)
		return true;
	uint8_t *inflated = NULL;
	const uint8_t *pl = h.payload;
	size_t pn = h.plen;
	if (h.compressed) {
		inflated = hep_inflate(h.payload, h.plen, &pn);
		if (!inflated)
			return true;
		pl = inflated;
	}
	/* the message was seen when and where the agent says */
	const struct pkt_info *saved = d->pi;
	struct pkt_info pi;
	memset(&pi, 0, sizeof pi);
	if (saved)
		pi = *saved;
	if (h.have_ts)
		pi.ts_ns = (int64_t)h.sec * 1000000000LL + (int64_t)(h.usec % 1000000u) * 1000;
	d->pi = &pi;
	sip_print_datagram(d, &h.src, &h.dst, hep_transport(h.proto), cur_make(pl, pn));
	d->pi = saved;
	free(inflated);
	return true;
}

long dis_hep_frame(const uint8_t *p, size_t n)
{
	return hep_frame(p, n);
}

bool dis_hep_has_key(const uint8_t *p, size_t n, const char *key)
{
	struct cur c = cur_make(p, n);
	const uint8_t *magic = cur_take(&c, 4);
	uint16_t total = cur_be16(&c);
	if (!magic || memcmp(magic, "HEP3", 4) != 0 || c.bad || total < 6 || total > n)
		return false;
	struct hep_info h;
	memset(&h, 0, sizeof h);
	if (!hep3_chunks(cur_make(p + 6, total - 6u), &h) || !h.key)
		return false;
	size_t kl = h.keylen, want = strlen(key);
	if (kl && h.key[kl - 1] == '\0')
		kl--;             /* some agents send the key NUL-terminated */
	return kl == want && memcmp(h.key, key, want) == 0;
}
