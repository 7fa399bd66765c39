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
		dis_event(d, DIS_EV_UDP_TRUNCATED);
		return;
	}
	size_t n = cur_left(&c);
	/* RFC 768: the length covers header and data, so it should equal the
	 * IP payload's; more than the capture holds after the IP layer was cut
	 * is truncation, counted there.  0 over IPv6 is a jumbogram (RFC 2675). */
	bool jumbo = ulen == 0 && l3->version == 6;
	if (!jumbo && (ulen < 8 || ((size_t)(ulen - 8) > n ? !d->cut : (size_t)(ulen - 8) < n)))
		dis_event(d, DIS_EV_UDP_LENGTH_MISMATCH);
	if (ulen >= 8 && (size_t)(ulen - 8) < n)
		n = ulen - 8;                    /* trailing bytes are not payload */
	else if (ulen >= 8 && (size_t)(ulen - 8) > n)
		d->cut = true;
	struct cur pl = cur_sub(&c, n);
	if (udp_encap_print(d, l3, &src, &dst, pl))
		return;
	sip_print_datagram(d, &src, &dst, RT_TP_UDP, pl);
}
