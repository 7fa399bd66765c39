/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_pcapng.c - a whole capture file through src/input/capfile.c: the
 * decompressors (input starting with a gzip, zstd, lz4 or xz magic is
 * decompressed first) and the pcapng block reader; every packet it yields
 * goes through the dissectors with its interface's link type.  Classic
 * pcap inside is libpcap's (fuzz_pcapfile covers it): only its stream is
 * drained here, which exercises the decompressors alone.  A cap on the
 * packets and bytes read keeps decompression bombs from timing out. */
#include "fuzz_common.h"
#include "capfile.h"

#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fmemopen((void *)data, size, "rb");
	if (!f)
		return 0;
	struct capf c;
	char err[256];
	if (capf_open_stream(&c, f, err, sizeof err) < 0)
		return 0;
	if (c.kind == CAPF_PCAP) {
		FILE *s = capf_take_stream(&c);
		char buf[4096];
		size_t total = 0, k;
		while (s && total < (8u << 20) && (k = fread(buf, 1, sizeof buf, s)) > 0)
			total += k;
		if (s)
			fclose(s);
		capf_close(&c);
		return 0;
	}
	struct dis_callbacks cb = { .on_msg = fz_on_msg, .on_icmp = fz_on_icmp };
	struct dis_ctx *d = dis_new(&cb, NULL);
	struct capf_pkt p;
	uint64_t n = 0, bytes = 0;
	while (d && n < 20000 && bytes < (32u << 20) && capf_next(&c, &p) == 1) {
		n++;
		if (p.record_only)
			continue;
		bytes += p.caplen;
		struct pkt_info pi = { .frame = n, .ts_ns = p.ts_ns, .linktype = p.linktype,
				       .wirelen = p.wirelen, .iface = p.iface + 1 };
		dis_packet(d, &pi, p.data, p.caplen);
	}
	size_t kl;
	const char *keys = capf_tls_keylog(&c, &kl);
	if (keys && kl)
		fz_sink += (unsigned char)keys[kl - 1];
	for (size_t i = 0; i < c.nifaces; i++) {
		fz_touch(c.ifaces[i].name);
		fz_touch(c.ifaces[i].comment);
	}
	if (d) {
		dis_flush(d);
		dis_free(d);
	}
	capf_close(&c);
	return 0;
}
