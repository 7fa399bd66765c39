/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ws.c - WebSocket frames (RFC 6455) carrying SIP (RFC 7118).
 *
 * tcp.c hands over the reassembled bytes of a direction after its HTTP
 * Upgrade; this file cuts them into frames (every length form, masked or
 * not), joins fragmented messages and hands each text/binary message to
 * the SIP layer as one datagram (RFC 7118 §5: one SIP message per
 * WebSocket message).  Control frames (ping/pong/close) are skipped.
 * Frames or messages over the bound are skipped and the bytes counted.
 */
#include "dissect_int.h"

#include <stdlib.h>
#include <string.h>

size_t ws_state_mem(const struct ws_state *w)
{
	return w->cap;
}

void ws_state_free(struct ws_state *w)
{
	free(w->msg);
	memset(w, 0, sizeof *w);
}

struct ws_hdr {
	bool fin;
	uint8_t rsv, op;
	bool masked;
	uint8_t key[4];
	uint64_t plen;
	size_t hlen;
};

/* 1: header read, 0: need more bytes, -1: not a WebSocket frame */
static int ws_header(const uint8_t *p, size_t n, struct ws_hdr *h)
{
	struct cur c = cur_make(p, n);
	uint8_t b0 = cur_u8(&c), b1 = cur_u8(&c);
	if (c.bad)
		return 0;
	h->fin = b0 & 0x80;
	h->rsv = (b0 >> 4) & 7;
	h->op = b0 & 0x0f;
	h->masked = b1 & 0x80;
	if (!(h->op <= 2 || (h->op >= 8 && h->op <= 10)))
		return -1;
	if (h->op >= 8 && (!h->fin || (b1 & 0x7f) > 125))
		return -1;                       /* control frames are short and whole */
	uint64_t l = b1 & 0x7f;
	if (l == 126)
		l = cur_be16(&c);
	else if (l == 127)
		l = cur_be64(&c);
	if (h->masked) {
		const uint8_t *k = cur_take(&c, 4);
		if (k)
			memcpy(h->key, k, 4);
	}
	if (c.bad)
		return 0;
	h->plen = l;
	h->hlen = c.off;
	return 1;
}

static bool msg_append(struct ws_state *w, const uint8_t *p, size_t n, const struct ws_hdr *h,
		       size_t max)
{
	if (w->len + n > max)
		return false;
	if (w->len + n > w->cap) {
		size_t nc = w->cap ? w->cap : 1024;
		while (nc < w->len + n)
			nc *= 2;
		uint8_t *nb = realloc(w->msg, nc);
		if (!nb)
			return false;
		w->msg = nb;
		w->cap = nc;
	}
	for (size_t i = 0; i < n; i++)
		w->msg[w->len + i] = h->masked ? p[i] ^ h->key[i & 3] : p[i];
	w->len += n;
	return true;
}

size_t ws_consume(struct dis_ctx *d, struct ws_state *w, const struct rt_addr *src,
		  const struct rt_addr *dst, enum rt_transport tp, const uint8_t *p, size_t n,
		  size_t max)
{
	size_t off = 0;
	while (off < n) {
		if (w->skip) {
			size_t k = n - off < w->skip ? n - off : (size_t)w->skip;
			w->skip -= k;
			off += k;
			d->st.tcp_lost_bytes += k;
			continue;
		}
		struct ws_hdr h;
		int rc = ws_header(p + off, n - off, &h);
		if (rc < 0)
			return off ? off : SIZE_MAX;
		if (rc == 0)
			break;
		d->st.ws_frames++;
		bool data = h.op <= 2;
		if (h.plen > max || h.rsv) {
			/* too big to keep, or compressed (permessage-deflate):
			 * skip its payload as it arrives */
			off += h.hlen;
			w->skip = h.plen;
			if (data) {
				w->in_msg = false;
				w->len = 0;
			}
			continue;
		}
		if (n - off - h.hlen < h.plen)
			break;                       /* need the whole frame */
		const uint8_t *pl = p + off + h.hlen;
		off += h.hlen + (size_t)h.plen;
		if (!data)
			continue;                    /* ping, pong, close */
		if (h.op != 0) {
			w->in_msg = true;            /* a new message */
			w->len = 0;
		} else if (!w->in_msg) {
			continue;                    /* continuation of a lost start */
		}
		if (!msg_append(w, pl, (size_t)h.plen, &h, max)) {
			d->st.tcp_lost_bytes += w->len + h.plen;
			w->in_msg = false;
			w->len = 0;
			continue;
		}
		if (h.fin) {
			w->in_msg = false;
			sip_print_datagram(d, src, dst, tp, cur_make(w->msg, w->len));
			w->len = 0;
		}
	}
	if (!w->in_msg && w->cap > 65536) {
		free(w->msg);
		w->msg = NULL;
		w->cap = w->len = 0;
	}
	return off;
}

bool ws_looks_like_sip_frame(const uint8_t *p, size_t n)
{
	struct ws_hdr h;
	if (n < 2 || (p[0] != 0x81 && p[0] != 0x82) || ws_header(p, n, &h) != 1)
		return false;
	size_t k = n - h.hlen;
	if (k > h.plen)
		k = (size_t)h.plen;
	if (k > 1024)
		k = 1024;
	uint8_t *tmp = malloc(k ? k : 1);
	if (!tmp)
		return false;
	for (size_t i = 0; i < k; i++)
		tmp[i] = h.masked ? p[h.hlen + i] ^ h.key[i & 3] : p[h.hlen + i];
	bool r = sip_looks_like_sip(tmp, k);
	free(tmp);
	return r;
}
