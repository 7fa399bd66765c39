/* SPDX-License-Identifier: GPL-2.0-or-later */
/* anomaly.c - the names of enum dis_event (anomaly.h). */
#include "anomaly.h"

#include <stddef.h>

static const char *const names[DIS_EV_COUNT] = {
	[DIS_EV_PACKET_SNAPPED] = "packet-snapped",
	[DIS_EV_TIMESTAMP_RANGE] = "timestamp-out-of-range",
	[DIS_EV_LINK_UNSUPPORTED] = "link-unsupported",
	[DIS_EV_LINK_TRUNCATED] = "link-truncated",
	[DIS_EV_IP_BAD_VERSION] = "ip-bad-version",
	[DIS_EV_IPV4_TRUNCATED] = "ipv4-truncated",
	[DIS_EV_IPV4_BAD_VERSION] = "ipv4-bad-version",
	[DIS_EV_IPV4_HEADER_SHORT] = "ipv4-header-short",
	[DIS_EV_IPV4_BAD_TOTAL_LENGTH] = "ipv4-bad-total-length",
	[DIS_EV_IPV6_TRUNCATED] = "ipv6-truncated",
	[DIS_EV_IPV6_BAD_VERSION] = "ipv6-bad-version",
	[DIS_EV_IPV6_EXT_CHAIN] = "ipv6-ext-chain-too-long",
	[DIS_EV_TUNNEL_DEPTH] = "tunnel-too-deep",
	[DIS_EV_FRAG_BAD_LENGTH] = "fragment-bad-length",
	[DIS_EV_FRAG_INCONSISTENT] = "fragment-inconsistent",
	[DIS_EV_FRAG_TIMEOUT] = "fragment-timeout",
	[DIS_EV_FRAG_OVER_BOUND] = "fragment-over-bound",
	[DIS_EV_FRAG_INCOMPLETE] = "fragment-incomplete",
	[DIS_EV_UDP_TRUNCATED] = "udp-truncated",
	[DIS_EV_UDP_LENGTH_MISMATCH] = "udp-length-mismatch",
	[DIS_EV_TCP_TRUNCATED] = "tcp-truncated",
	[DIS_EV_TCP_HEADER_SHORT] = "tcp-header-short",
	[DIS_EV_TCP_GAP] = "tcp-gap",
	[DIS_EV_TCP_STREAM_TRUNCATED] = "tcp-stream-truncated",
	[DIS_EV_TCP_MESSAGE_TOO_LONG] = "tcp-message-too-long",
	[DIS_EV_TCP_OVER_BOUND] = "tcp-over-bound",
	[DIS_EV_SCTP_TRUNCATED] = "sctp-truncated",
	[DIS_EV_SCTP_BAD_CHUNK_LENGTH] = "sctp-bad-chunk-length",
	[DIS_EV_SIP_ALLOC_FAILED] = "sip-alloc-failed",
	[DIS_EV_ALLOC_FAILED] = "alloc-failed",
};

const char *dis_event_name(enum dis_event e)
{
	return (unsigned)e < DIS_EV_COUNT ? names[e] : NULL;
}
