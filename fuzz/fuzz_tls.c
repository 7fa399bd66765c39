/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_tls.c - the TLS record layer and the key log parser.
 *
 * Input: 2 bytes (BE) key log length, that many bytes of key log text
 * (fed to tls_keylog_feed), then segments: direction (1: bit 0 = server
 * to client, bit 1 = FIN), length (2, BE), payload.  Each direction's
 * segments are consecutive TCP bytes of one connection after a SYN, so
 * tcp.c sees a TLS stream whenever the first payload byte is 20..23
 * followed by 3. */
#include <stdlib.h>

#include "fuzz_common.h"
#include "tls_keylog.h"

static size_t seg(uint8_t *b, int dir, uint8_t flags, uint32_t seq, const uint8_t *p, size_t n)
{
	static const uint8_t hdr[14] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 8, 0 };
	static const uint8_t a[4] = { 192, 0, 2, 10 }, z[4] = { 198, 51, 100, 5 };
	size_t k = 0;
	memcpy(b, hdr, 14);
	k = 14;
	size_t tot = 20 + 20 + n;
	uint8_t ip[20] = { 0x45, 0, (uint8_t)(tot >> 8), (uint8_t)tot, 0, 0, 0x40, 0, 64, 6 };
	memcpy(ip + 12, dir ? z : a, 4);
	memcpy(ip + 16, dir ? a : z, 4);
	memcpy(b + k, ip, 20);
	k += 20;
	uint16_t sp = dir ? 5061 : 40000, dp = dir ? 40000 : 5061;
	uint8_t th[20] = { (uint8_t)(sp >> 8), (uint8_t)sp, (uint8_t)(dp >> 8), (uint8_t)dp,
			   (uint8_t)(seq >> 24), (uint8_t)(seq >> 16), (uint8_t)(seq >> 8), (uint8_t)seq,
			   0, 0, 0, 0, 0x50, flags, 0xff, 0xff };
	memcpy(b + k, th, 20);
	k += 20;
	if (n)
		memcpy(b + k, p, n);
	return k + n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	size_t kl = (size_t)(data[0] << 8 | data[1]);
	if (kl > size - 2)
		kl = size - 2;
	struct tls_keylog *k = tls_keylog_new();
	if (!k)
		return 0;
	tls_keylog_feed(k, (const char *)data + 2, kl);
	struct dis_opts o = { .tls_keylog = k };
	struct dis_callbacks cb = { .on_msg = fz_on_msg, .on_icmp = fz_on_icmp };
	struct dis_ctx *d = dis_new(&cb, &o);
	if (!d) {
		tls_keylog_free(k);
		return 0;
	}
	struct pkt_info pi = { .linktype = 1, .ts_ns = 1700000000000000000LL };
	uint8_t *b = malloc(54 + 65536);
	uint32_t seq[2] = { 1000, 5000 };
	for (int dir = 0; dir < 2 && b; dir++) {        /* the handshake: SYN, SYN-ACK */
		size_t n = seg(b, dir, 0x02, seq[dir]++, NULL, 0);
		pi.frame++;
		dis_packet(d, &pi, b, n);
	}
	size_t off = 2 + kl;
	while (b && off + 3 <= size) {
		int dir = data[off] & 1;
		uint8_t fl = (data[off] & 2) ? 0x19 : 0x18;
		size_t len = (size_t)(data[off + 1] << 8 | data[off + 2]);
		off += 3;
		if (len > size - off)
			len = size - off;
		size_t n = seg(b, dir, fl, seq[dir], data + off, len);
		seq[dir] += (uint32_t)len;
		off += len;
		pi.frame++;
		pi.ts_ns += 1000000;
		pi.wirelen = (uint32_t)n;
		dis_packet(d, &pi, b, n);
	}
	dis_flush(d);
	const struct tls_undecryptable *u;
	size_t nu;
	const struct tls_stats *st = dis_tls_stats(d, &u, &nu);
	fz_sink += st->records + nu;
	dis_free(d);
	tls_keylog_free(k);
	free(b);
	return 0;
}
