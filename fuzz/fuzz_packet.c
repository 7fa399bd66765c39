/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_packet.c - one packet through the whole dissector chain.
 * Input: byte 0 picks the link type (fz_linktypes), the rest is the
 * packet.  A fresh context per input, flushed at the end (pending TCP
 * data, fragments); then the same bytes as a HEP packet off a socket. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct dis_callbacks cb = { .on_msg = fz_on_msg, .on_icmp = fz_on_icmp };
	struct dis_ctx *d = dis_new(&cb, NULL);
	if (!d)
		return 0;
	struct pkt_info pi = {
		.frame = 1, .ts_ns = 1700000000000000000LL,
		.linktype = fz_linktypes[data[0] % (sizeof fz_linktypes / sizeof *fz_linktypes)],
		.wirelen = (uint32_t)(size - 1),
	};
	dis_packet(d, &pi, data + 1, size - 1);
	dis_flush(d);
	/* the same bytes as a packet --hep-listen received */
	(void)dis_hep_frame(data + 1, size - 1);
	(void)dis_hep_has_key(data + 1, size - 1, "k3y");
	dis_hep(d, &pi, data + 1, size - 1);
	dis_free(d);
	return 0;
}
