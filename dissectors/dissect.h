/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dissect.h - the dissector chain: captured bytes in, SIP messages out.
 *
 * Owns: struct dis_ctx (all per-run dissection state: IP fragment table,
 * TCP streams, counters) and the public entry points.  Knows nothing of
 * transactions or registrations: it hands each finished message upward
 * through a callback and forgets it.
 *
 * Path of one packet: dis_packet() -> link (Ethernet, VLAN, SLL, SLL2,
 * NULL, raw) -> IPv4/IPv6 (+fragments, tunnels) -> UDP | TCP (-> TLS,
 * tls.c, with opt.tls_keylog) | SCTP -> HEP / WebSocket / SIP framing ->
 * sip_parse() -> on_msg().
 */
#ifndef RT_DISSECT_H
#define RT_DISSECT_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "addr.h"
#include "anomaly.h"
#include "sip.h"
#include "tls.h"

/* One captured packet as the capture layer hands it over. */
struct pkt_info {
	uint32_t file;          /* input file index, 0-based */
	uint64_t frame;         /* 1-based, restarts per file */
	int64_t ts_ns;          /* capture time, ns since the epoch */
	int linktype;           /* pcap LINKTYPE_ / DLT_ value */
	uint32_t wirelen;       /* original length on the wire */
	uint32_t iface;         /* 1 + pcapng interface (over all sections) when the
				   file has several that differ, else 0 */
	bool ts_clamped;        /* the file's time was out of range: ts_ns saturated */
};

/* One packet of a message: its input and frame. */
struct dis_pkt_ref {
	uint32_t file;
	uint64_t frame;
};

/* Every packet a message was made of (the TCP segments of its bytes, the
 * IP fragments of its datagram, SCTP chunks, or just the packet), oldest
 * first; called on the dissecting thread just before on_msg.  TLS: the
 * handshake packets of both directions come first (a copy must decrypt).
 * v is only valid during the call. */
typedef void (*dis_parts_fn)(void *user, const struct sip_msg *m,
			     const struct dis_pkt_ref *v, size_t n);

struct dis_callbacks {
	/* A finished message; ownership passes to the callee (sip_msg_free). */
	void (*on_msg)(void *user, struct sip_msg *m);
	/* Optional; the event is only valid during the call. */
	void (*on_icmp)(void *user, const struct icmp_evt *e);
	void *user;
};

struct dis_stats {
	uint64_t packets;
	uint64_t bytes;
	uint64_t sip_msgs;
	uint64_t malformed;       /* SIP messages marked malformed */
	uint64_t not_ip;          /* link payload that was not IP */
	uint64_t unknown_link;    /* packets of a link type we do not read */
	uint64_t truncated;       /* packets cut short (snaplen or damage) */
	uint64_t icmp_errors;     /* ICMP errors quoting UDP/TCP */
	uint64_t tcp_refused;     /* SYNs answered with RST (on_icmp, tcp_refused) */
	uint64_t not_sip;         /* transport payloads that were not SIP */
	uint64_t frag_pending;    /* datagrams still incomplete at flush */
	uint64_t frag_dropped;    /* datagrams given up (timeout / memory bound) */
	uint64_t tcp_lost_bytes;  /* stream bytes skipped (gaps, overflow) */
	uint64_t tcp_resyncs;     /* times a stream resynchronised */
	uint64_t hep_packets;
	uint64_t ws_frames;
	int last_unknown_linktype;
	uint64_t parts_lost;      /* packets of a message past DIS_PARTS_MAX, not named to the parts hook */
	struct dis_anomalies anomalies;   /* named events (anomaly.h) */
};

struct dis_opts {
	size_t tcp_stream_max;    /* bytes buffered per direction (default 256 KiB) */
	size_t tcp_mem_max;       /* all streams together (default 64 MiB) */
	size_t frag_mem_max;      /* all fragment buffers (default 32 MiB) */
	int64_t frag_timeout_ns;  /* default 30 s of capture time */
	const struct sip_alloc *alloc; /* where message records go (sip.h); NULL: malloc */
	struct tls_keylog *tls_keylog; /* secrets for TLS (tls_keylog.h); NULL: none, not owned */
	/* For tests only (REGTRACE_TEST_ALLOC_FAIL, main.c): while one of these
	 * frames (of any input) is dissected, allocating a message record,
	 * stream state or fragment state fails as if memory had run out, so
	 * the sip-alloc-failed and alloc-failed paths can be crafted.  Not
	 * owned; must outlive the context. */
	const uint64_t *fail_alloc_frames;
	size_t nfail_alloc_frames;
};

struct dis_ctx;

struct dis_ctx *dis_new(const struct dis_callbacks *cb, const struct dis_opts *opt);
/* Dissect one packet (data has caplen bytes). */
void dis_packet(struct dis_ctx *d, const struct pkt_info *pi, const uint8_t *data, size_t caplen);
/* End of capture: flush pending stream data (as malformed if incomplete). */
void dis_flush(struct dis_ctx *d);
void dis_free(struct dis_ctx *d);
const struct dis_stats *dis_get_stats(const struct dis_ctx *d);
/* True when the last dis_packet() carried SIP (or part of a SIP message):
 * the capture layer writes such packets with -w. */
bool dis_packet_had_sip(const struct dis_ctx *d);

/* Name each message's packets to fn (the capture layer's -w selection);
 * NULL turns it off.  Costs nothing while off. */
void dis_set_parts_hook(struct dis_ctx *d, dis_parts_fn fn, void *user);

/* A SIP message whose parse is left to whoever set the raw hook (files:
 * the pipeline's parse threads).  The dissector has numbered it, counted
 * it and taken its packet as SIP, as sip_parse() returns a record for any
 * bytes with a start line; p is only valid during the call. */
struct dis_raw {
	const uint8_t *p;
	size_t n;
	struct sip_meta meta;           /* scratch and alloc_failed unset */
	uint64_t id;                    /* sip_msg.id */
	const char *cut_reason;         /* non-NULL: malformed for this reason */
	bool cut_only_clean;            /* ... unless the parse found it malformed */
};
typedef void (*dis_raw_fn)(void *user, const struct dis_raw *r);
/* Hand messages to fn unparsed instead of parsing them here (not while a
 * parts hook is set, nor for a frame of fail_alloc_frames); NULL turns it
 * off.  The records made by dis_parse_raw() must reach on_msg's consumer
 * in id order, and their counts go to dis_add_parsed().  Refused (false)
 * when records go to opt.alloc, which may allow one writer only (the
 * dissecting thread). */
bool dis_set_raw_hook(struct dis_ctx *d, dis_raw_fn fn, void *user);
/* sip_parse() of r on any thread, with the dissector's cut and id applied;
 * NULL only when memory ran out (*oom, as sip_meta.alloc_failed). */
struct sip_msg *dis_parse_raw(const struct dis_raw *r, struct sip_scratch *scratch, bool *oom);
/* What dis_parse_raw() found, into the counters: records that came back
 * malformed, and oom times memory ran out (the first for file, frame). */
void dis_add_parsed(struct dis_ctx *d, uint64_t malformed, uint64_t oom, uint32_t file,
		    uint64_t frame);

/* One HEP packet received directly (--hep-listen): decoded like HEP found
 * in a captured packet; anything else is counted as not SIP. */
void dis_hep(struct dis_ctx *d, const struct pkt_info *pi, const uint8_t *p, size_t n);

/* A HEP3 packet's length when p holds all of it, 0 when more is needed,
 * -1 when p is not HEP3: HEP over TCP is framed by this length field. */
long dis_hep_frame(const uint8_t *p, size_t n);
/* The HEP3 packet's authentication key chunk (0x000e) equals key. */
bool dis_hep_has_key(const uint8_t *p, size_t n, const char *key);
/* TLS connections followed so far (complete after dis_flush()), and
 * the first TLS_UNDEC_LIST_MAX that could not be decrypted. */
const struct tls_stats *dis_tls_stats(const struct dis_ctx *d,
				      const struct tls_undecryptable **list, size_t *n);

/* Is this link type one we dissect? */
bool dis_linktype_supported(int linktype);

/* Cheap check used by HEP listeners and tests: hand a payload straight to
 * the SIP layer as if it arrived on (src, dst, transport). */
void dis_sip_payload(struct dis_ctx *d, const struct pkt_info *pi,
		     const struct rt_addr *src, const struct rt_addr *dst,
		     enum rt_transport tp, const uint8_t *p, size_t n);

#endif
