/* SPDX-License-Identifier: GPL-2.0-or-later */
/* anomaly.h - bad input below SIP, by name, as the dissectors report it.
 *
 * Owns: enum dis_event (one value per kind of anomaly a dissector detects:
 * truncated = the capture holds fewer bytes than a header or length field
 * needs, as tcpdump's "[|proto]"; invalid = the bytes are there but wrong,
 * as Wireshark's malformed expert infos; given up = state dropped at a
 * bound), their kebab-case names (Suricata's decoder events are named the
 * same way) and struct dis_anomalies: a count and the first frame of each.
 * Read by the outputs (capture.anomalies) and the rules (CAP-ANOMALIES).
 */
#ifndef RT_ANOMALY_H
#define RT_ANOMALY_H

#include <stdint.h>

enum dis_event {
	DIS_EV_PACKET_SNAPPED,          /* wire length > captured (snap length) */
	DIS_EV_TIMESTAMP_RANGE,         /* capture time out of range, clamped */
	DIS_EV_LINK_UNSUPPORTED,        /* a link type not dissected */
	DIS_EV_LINK_TRUNCATED,          /* Ethernet/VLAN/SLL/SLL2/NULL header cut */
	DIS_EV_IP_BAD_VERSION,          /* raw/NULL/LOOP link: version neither 4 nor 6 */
	DIS_EV_IPV4_TRUNCATED,          /* header, options or total length past the capture */
	DIS_EV_IPV4_BAD_VERSION,        /* EtherType IPv4, version field not 4 */
	DIS_EV_IPV4_HEADER_SHORT,       /* IHL < 5 (RFC 791) */
	DIS_EV_IPV4_BAD_TOTAL_LENGTH,   /* total length < header length */
	DIS_EV_IPV6_TRUNCATED,          /* header, payload length or extension headers cut */
	DIS_EV_IPV6_BAD_VERSION,        /* EtherType IPv6, version field not 6 */
	DIS_EV_IPV6_EXT_CHAIN,          /* 16 extension headers and still no payload */
	DIS_EV_TUNNEL_DEPTH,            /* encapsulation deeper than 8 */
	DIS_EV_FRAG_BAD_LENGTH,         /* non-last fragment not a multiple of 8, or past 65535 */
	DIS_EV_FRAG_INCONSISTENT,       /* two different ends, or a piece past the end */
	DIS_EV_FRAG_TIMEOUT,            /* incomplete after 30 s of capture time */
	DIS_EV_FRAG_OVER_BOUND,         /* given up at the memory or piece bound */
	DIS_EV_FRAG_INCOMPLETE,         /* still incomplete when the capture ended */
	DIS_EV_UDP_TRUNCATED,           /* UDP header cut */
	DIS_EV_UDP_LENGTH_MISMATCH,     /* UDP length != IP payload length (RFC 768) */
	DIS_EV_TCP_TRUNCATED,           /* TCP header or options cut */
	DIS_EV_TCP_HEADER_SHORT,        /* data offset < 5 (RFC 9293 3.1) */
	DIS_EV_TCP_GAP,                 /* stream bytes never captured, skipped */
	DIS_EV_TCP_STREAM_TRUNCATED,    /* the stream ended inside a message */
	DIS_EV_TCP_MESSAGE_TOO_LONG,    /* a message or frame over the per-stream bound */
	DIS_EV_TCP_OVER_BOUND,          /* a stream flushed at the memory bound */
	DIS_EV_SCTP_TRUNCATED,          /* SCTP common header cut */
	DIS_EV_SCTP_BAD_CHUNK_LENGTH,   /* chunk length < 4 (RFC 9260 3.2) */
	DIS_EV_SIP_ALLOC_FAILED,        /* no memory for a message record: message lost */
	DIS_EV_ALLOC_FAILED,            /* no memory for stream/fragment state */
	DIS_EV_COUNT
};

struct dis_event_stat {
	uint64_t count;
	uint32_t first_file;            /* input of the first occurrence */
	uint64_t first_frame;           /* its frame (0: none, e.g. at the end) */
};

struct dis_anomalies {
	struct dis_event_stat ev[DIS_EV_COUNT];
};

/* "ipv4-truncated", ...; NULL out of range. */
const char *dis_event_name(enum dis_event e);

#endif
