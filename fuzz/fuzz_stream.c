/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_stream.c - a sequence of packets: TCP segments of a few
 * connections, IPv4/IPv6 fragments, UDP datagrams and raw packets, built
 * around fuzzer bytes so reassembly state (out-of-order, overlaps,
 * gaps, FIN/RST, bounds) is reached quickly.
 *
 * Input: byte 0 = options (bit 0: tiny memory bounds so overflow and
 * eviction paths run).  Then records: kind (1), a (1), b (2, BE), length
 * (2, BE), payload.  kind % 6:
 *   0 TCP segment of connection a%4, direction a&4, flags from a>>3,
 *     seq = base + b (so reordering and overlap are a matter of b)
 *   1 IPv4 fragment of datagram a%4: offset b*8, MF from a&4, proto UDP
 *   2 IPv6 fragment, likewise
 *   3 UDP datagram (ports from a: 5060, 2152 GTP-U, 9060 HEP, other)
 *   4 raw Ethernet frame
 *   5 SCTP DATA chunk, flags a&3
 * Time advances by b ms per record (fragment timeouts, capture order). */
#include <stdlib.h>

#include "fuzz_common.h"

struct fz_buf {
	uint8_t *p;
	size_t n, cap;
};

static void put(struct fz_buf *b, const void *s, size_t n)
{
	if (n == 0)
		return;
	if (b->n + n > b->cap) {
		size_t nc = (b->n + n) * 2 + 64;
		uint8_t *np = realloc(b->p, nc);
		if (!np)
			abort();
		b->p = np;
		b->cap = nc;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
}

static void put8(struct fz_buf *b, uint8_t v) { put(b, &v, 1); }
static void put16(struct fz_buf *b, uint16_t v) { uint8_t x[2] = { v >> 8, v & 0xff }; put(b, x, 2); }
static void put32(struct fz_buf *b, uint32_t v) { put16(b, v >> 16); put16(b, v & 0xffff); }

static void eth(struct fz_buf *b, uint16_t type)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };
	put(b, macs, 12);
	put16(b, type);
}

static void ip4(struct fz_buf *b, uint8_t proto, size_t plen, uint16_t id, uint16_t frag, int flip)
{
	eth(b, 0x0800);
	put8(b, 0x45); put8(b, 0); put16(b, (uint16_t)(20 + plen)); put16(b, id); put16(b, frag);
	put8(b, 64); put8(b, proto); put16(b, 0);
	static const uint8_t a[4] = { 192, 0, 2, 10 }, z[4] = { 198, 51, 100, 5 };
	put(b, flip ? z : a, 4);
	put(b, flip ? a : z, 4);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct dis_opts o = { 0 };
	if (data[0] & 1) {
		o.tcp_stream_max = 2048;
		o.tcp_mem_max = 16384;
		o.frag_mem_max = 8192;
		o.frag_timeout_ns = 1000000000LL;
	}
	struct dis_callbacks cb = { .on_msg = fz_on_msg, .on_icmp = fz_on_icmp };
	struct dis_ctx *d = dis_new(&cb, &o);
	if (!d)
		return 0;
	struct pkt_info pi = { .linktype = 1, .ts_ns = 1700000000000000000LL };
	struct fz_buf b = { 0 };
	size_t off = 1;
	while (off + 6 <= size) {
		uint8_t kind = data[off] % 6, a = data[off + 1];
		uint16_t bb = (uint16_t)(data[off + 2] << 8 | data[off + 3]);
		size_t len = (size_t)(data[off + 4] << 8 | data[off + 5]);
		off += 6;
		if (len > size - off)
			len = size - off;
		const uint8_t *pl = data + off;
		off += len;
		b.n = 0;
		switch (kind) {
		case 0: {
			int flip = (a >> 2) & 1;
			ip4(&b, 6, 20 + len, 0, 0x4000, flip);
			put16(&b, flip ? 5060 : (uint16_t)(40000 + (a & 3)));
			put16(&b, flip ? (uint16_t)(40000 + (a & 3)) : 5060);
			put32(&b, 1000u + bb);
			put32(&b, 0);
			put8(&b, 0x50);
			put8(&b, (uint8_t)(((a >> 3) & 0x07) | 0x18));   /* FIN SYN RST + PSH ACK */
			put16(&b, 65535); put16(&b, 0); put16(&b, 0);
			put(&b, pl, len);
			break;
		}
		case 1:
			ip4(&b, 17, len, (uint16_t)(a & 3), (uint16_t)(((a & 4) ? 0x2000 : 0) | (bb & 0x1fff)), 0);
			put(&b, pl, len);
			break;
		case 2: {
			eth(&b, 0x86dd);
			put32(&b, 0x60000000); put16(&b, (uint16_t)(8 + len)); put8(&b, 44); put8(&b, 64);
			static const uint8_t s6[16] = { 0x20, 1, 0x0d, 0xb8, [15] = 0x10 };
			static const uint8_t d6[16] = { 0x20, 1, 0x0d, 0xb8, [15] = 0x05 };
			put(&b, s6, 16); put(&b, d6, 16);
			put8(&b, 17); put8(&b, 0);
			put16(&b, (uint16_t)((bb & 0x1fff) << 3 | ((a & 4) ? 1 : 0)));
			put32(&b, a & 3);
			put(&b, pl, len);
			break;
		}
		case 3: {
			static const uint16_t ports[4] = { 5060, 2152, 9060, 12345 };
			ip4(&b, 17, 8 + len, 0, 0x4000, a & 1);
			put16(&b, 40000); put16(&b, ports[(a >> 1) & 3]);
			put16(&b, (uint16_t)(8 + len)); put16(&b, 0);
			put(&b, pl, len);
			break;
		}
		case 4:
			put(&b, pl, len);
			break;
		case 5:
			ip4(&b, 132, 12 + 16 + len, 0, 0x4000, 0);
			put16(&b, 5060); put16(&b, 5060); put32(&b, 1); put32(&b, 0);
			put8(&b, 0); put8(&b, a & 3); put16(&b, (uint16_t)(16 + len));
			put32(&b, bb); put16(&b, 0); put16(&b, 0); put32(&b, 0);
			put(&b, pl, len);
			while (b.n & 3)
				put8(&b, 0);
			break;
		}
		pi.frame++;
		pi.ts_ns += (int64_t)bb * 1000000LL;
		pi.wirelen = (uint32_t)b.n;
		dis_packet(d, &pi, b.p, b.n);
	}
	dis_flush(d);
	dis_free(d);
	free(b.p);
	return 0;
}
