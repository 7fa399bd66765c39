/* SPDX-License-Identifier: GPL-2.0-or-later */
/* link.c - link layers: Ethernet (+802.1Q/QinQ), Linux SLL and SLL2,
 * NULL/LOOP, raw IP.  Each strips its header and hands IP to ip_print(). */
#include "dissect_int.h"

/* LINKTYPE_/DLT_ values, spelled out so the file needs no pcap headers. */
enum {
	LT_NULL = 0, LT_EN10MB = 1, LT_RAW_DLT = 12, LT_RAW_BSD = 14, LT_RAW = 101,
	LT_LOOP = 108, LT_SLL = 113, LT_IPV4 = 228, LT_IPV6 = 229, LT_SLL2 = 276,
};

bool dis_linktype_supported(int lt)
{
	switch (lt) {
	case LT_NULL: case LT_EN10MB: case LT_RAW_DLT: case LT_RAW_BSD: case LT_RAW:
	case LT_LOOP: case LT_SLL: case LT_IPV4: case LT_IPV6: case LT_SLL2:
		return true;
	default:
		return false;
	}
}

void ethertype_print(struct dis_ctx *d, uint16_t type, struct cur c)
{
	/* 802.1Q, 802.1ad (QinQ) and the old 0x9100: a TCI, then the next type */
	int tags = 0;
	while ((type == 0x8100 || type == 0x88a8 || type == 0x9100) && tags++ < 8) {
		cur_be16(&c);            /* TCI */
		type = cur_be16(&c);
		if (c.bad) {
			d->st.truncated++;
			dis_event(d, DIS_EV_LINK_TRUNCATED);
			return;
		}
	}
	switch (type) {
	case 0x0800:
		ip_print(d, c, 4);
		break;
	case 0x86dd:
		ip_print(d, c, 6);
		break;
	case 0x6558:                     /* transparent Ethernet bridging */
		ether_print(d, c);
		break;
	default:
		d->st.not_ip++;
		break;
	}
}

void ether_print(struct dis_ctx *d, struct cur c)
{
	if (!cur_skip(&c, 12)) {         /* destination, source */
		d->st.truncated++;
		dis_event(d, DIS_EV_LINK_TRUNCATED);
		return;
	}
	uint16_t type = cur_be16(&c);
	if (c.bad) {
		d->st.truncated++;
		dis_event(d, DIS_EV_LINK_TRUNCATED);
		return;
	}
	if (type <= 1500) {              /* 802.3 length: LLC, not IP */
		d->st.not_ip++;
		return;
	}
	ethertype_print(d, type, c);
}

static void sll_print(struct dis_ctx *d, struct cur c)
{
	/* packet type, ARPHRD type, address length, 8 address bytes */
	cur_skip(&c, 14);
	uint16_t proto = cur_be16(&c);
	if (c.bad) {
		d->st.truncated++;
		dis_event(d, DIS_EV_LINK_TRUNCATED);
		return;
	}
	ethertype_print(d, proto, c);
}

static void sll2_print(struct dis_ctx *d, struct cur c)
{
	uint16_t proto = cur_be16(&c);
	/* reserved 2, ifindex 4, ARPHRD 2, packet type 1, addr len 1, addr 8 */
	cur_skip(&c, 18);
	if (c.bad) {
		d->st.truncated++;
		dis_event(d, DIS_EV_LINK_TRUNCATED);
		return;
	}
	ethertype_print(d, proto, c);
}

void link_print(struct dis_ctx *d, struct cur c, int lt)
{
	switch (lt) {
	case LT_EN10MB:
		ether_print(d, c);
		break;
	case LT_SLL:
		sll_print(d, c);
		break;
	case LT_SLL2:
		sll2_print(d, c);
		break;
	case LT_NULL:
	case LT_LOOP:
		/* the AF value's byte order depends on the capturing host;
		 * the IP version nibble says the same thing reliably */
		if (!cur_skip(&c, 4)) {
			d->st.truncated++;
			dis_event(d, DIS_EV_LINK_TRUNCATED);
			return;
		}
		ip_print(d, c, 0);
		break;
	case LT_RAW_DLT:
	case LT_RAW_BSD:
	case LT_RAW:
		ip_print(d, c, 0);
		break;
	case LT_IPV4:
		ip_print(d, c, 4);
		break;
	case LT_IPV6:
		ip_print(d, c, 6);
		break;
	default:
		d->st.unknown_link++;
		d->st.last_unknown_linktype = lt;
		dis_event(d, DIS_EV_LINK_UNSUPPORTED);
		break;
	}
}
