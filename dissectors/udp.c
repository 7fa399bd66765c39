/* SPDX-License-Identifier: GPL-2.0-or-later */
/* udp.c - UDP: ports, the length field, and what rides on it (SIP,
 * later HEP and GTP-U, found by content rather than port). */
#include "dissect_int.h"

void udp_print(struct dis_ctx *d, const struct l3info *l3, struct cur c)
{
	struct rt_addr src = l3->src, dst = l3->dst;
	src.port = cur_be16(&c);
	dst.port = cur_be16(&c);
	uint16_t ulen = cur_be16(&c);
	cur_skip(&c, 2);                         /* checksum */
	if (c.bad) {
		d->st.truncated++;
		return;
	}
	size_t n = cur_left(&c);
	if (ulen >= 8 && (size_t)(ulen - 8) < n)
		n = ulen - 8;                    /* trailing padding is not payload */
	else if (ulen >= 8 && (size_t)(ulen - 8) > n)
		d->cut = true;
	struct cur pl = cur_sub(&c, n);
	if (udp_encap_print(d, l3, &src, &dst, pl))
		return;
	sip_print_datagram(d, &src, &dst, RT_TP_UDP, pl);
}
