/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dissect_int.h - what the layers of the dissector chain share.
 *
 * Owns: struct dis_ctx (the per-run state every printer gets) and the
 * printer functions, one per protocol, each taking the context and a
 * bounded cursor (tcpdump's printers are the model).  Not for src/.
 */
#ifndef RT_DISSECT_INT_H
#define RT_DISSECT_INT_H

#include "cursor.h"
#include "dissect.h"
#include "fnv.h"

struct frag_table;
struct tcp_table;
struct sctp_frag;
struct tls_table;
struct tls_end;

/* ws.c: one direction's WebSocket state (a fragmented message, a frame
 * being skipped) */
struct ws_state {
	uint8_t *msg;
	size_t len, cap;
	bool in_msg;            /* between a message's first frame and its FIN */
	uint64_t skip;          /* payload bytes of a skipped frame still to come */
};

/* The IP datagram being dissected (addresses without ports). */
struct l3info {
	struct rt_addr src, dst;
	uint8_t version;        /* 4 or 6 */
	uint8_t proto;          /* next protocol after all extension headers */
	bool fragmented;        /* payload came out of reassembly */
};

/* The packets that brought the bytes of a message still being put
 * together (dis_set_parts_hook), oldest first, at most DIS_PARTS_MAX
 * (older ones dropped and counted in parts_lost). */
#define DIS_PARTS_MAX 4096
struct dis_parts {
	struct dis_pkt_ref *v;
	uint32_t n, cap;
};

struct dis_ctx {
	struct dis_callbacks cb;
	struct dis_opts opt;
	struct dis_stats st;
	const struct pkt_info *pi;  /* the packet being dissected */
	uint32_t last_file;         /* the last packet's, for events after it (flush) */
	uint64_t last_frame;
	bool had_sip;               /* this packet carried (part of) SIP */
	bool cut;                   /* a length field promised more than was captured */
	int depth;                  /* encapsulation depth, bounds tunnels */
	uint64_t next_msg_id;
	struct frag_table *frag;    /* IP reassembly (ipfrag.c), may be NULL */
	struct tcp_table *tcp;      /* TCP streams (tcp.c), may be NULL */
	struct tls_table *tls;      /* TLS connections (tls.c), may be NULL */
	struct sctp_frag *sctp;     /* SCTP messages being joined (tunnels.c) */
	struct sip_scratch scratch; /* sip_parse()'s reused work buffer */
	dis_parts_fn parts_fn;      /* NULL: packets of messages are not followed */
	void *parts_user;
	dis_raw_fn raw_fn;          /* NULL: messages are parsed here */
	void *raw_user;
	const struct dis_parts *dg_parts;   /* the datagram being dissected came out of
					       reassembly: its fragments (else the packet) */
	const struct dis_parts *emit_parts; /* a stream's packets for the next message */
	const struct dis_parts *emit_extra; /* TLS: the other direction's handshake */
	const struct dis_parts *emit_used;  /* the last emit_parts a message took */
};

#define DIS_MAX_DEPTH 8

/* dissect.c: malloc/calloc/realloc for what a packet makes the dissectors
 * keep (stream and fragment state), refused while a frame of
 * dis_opts.fail_alloc_frames is dissected (tests). */
bool dis_alloc_denied(const struct dis_ctx *d);
void *dis_malloc(struct dis_ctx *d, size_t n);
void *dis_calloc(struct dis_ctx *d, size_t k, size_t n);
void *dis_realloc(struct dis_ctx *d, void *p, size_t n);

/* link.c */
void link_print(struct dis_ctx *d, struct cur c, int linktype);
void ether_print(struct dis_ctx *d, struct cur c);      /* also GRE TEB */
/* payload of an EtherType (VLAN tags walked); used by Ethernet, SLL, GRE */
void ethertype_print(struct dis_ctx *d, uint16_t type, struct cur c);

/* ip.c: version 0 = read it from the first nibble */
void ip_print(struct dis_ctx *d, struct cur c, int version);

/* continue after the IP header(s) with l3->proto (used by reassembly) */
void ip_payload_print(struct dis_ctx *d, struct l3info *l3, struct cur c);

/* ipfrag.c: a fragment (offset in bytes, more-fragments flag); calls
 * ip_payload_print() with the datagram once complete */
void ipfrag_print(struct dis_ctx *d, const struct l3info *l3, uint32_t id,
		  uint16_t offset, bool more, struct cur c);

/* tunnels.c: protocols after IP other than UDP/TCP/ICMP/IP-in-IP:
 * GRE, SCTP, ... (unknown ones are ignored) */
void ipx_print(struct dis_ctx *d, const struct l3info *l3, struct cur c);
void sctp_frag_free(struct dis_ctx *d);

/* tunnels.c: UDP payloads that are encapsulations (HEP, GTP-U, ...);
 * returns true when it consumed the payload */
bool udp_encap_print(struct dis_ctx *d, const struct l3info *l3, const struct rt_addr *src,
		     const struct rt_addr *dst, struct cur c);

/* udp.c / tcp.c / sctp */
void udp_print(struct dis_ctx *d, const struct l3info *l3, struct cur c);
void tcp_print(struct dis_ctx *d, const struct l3info *l3, struct cur c);
struct tcp_table *tcp_table_new(const struct dis_opts *o);
void tcp_table_flush(struct dis_ctx *d);
void tcp_table_free(struct tcp_table *t);

/* ipfrag.c */
struct frag_table *frag_table_new(void);
/* end of capture: datagrams still incomplete are counted (frag_pending) */
void frag_table_flush(struct dis_ctx *d);
void frag_table_free(struct frag_table *t);

/* ws.c: consume whole frames from p[0..n); each complete text/binary
 * message goes to the SIP layer.  Returns the bytes consumed, or SIZE_MAX
 * when the bytes are not WebSocket frames at all. */
size_t ws_consume(struct dis_ctx *d, struct ws_state *w, const struct rt_addr *src,
		  const struct rt_addr *dst, enum rt_transport tp, const uint8_t *p, size_t n,
		  size_t max);
/* a whole-message text/binary frame whose payload starts with a SIP line */
bool ws_looks_like_sip_frame(const uint8_t *p, size_t n);
size_t ws_state_mem(const struct ws_state *w);
void ws_state_free(struct ws_state *w);

/* tls.c: a direction that starts with a TLS record gets a tls_end
 * (joined to the other direction's connection); its stream bytes go to
 * tls_feed(), decrypted application data comes out through sink. */
typedef void (*tls_sink)(void *ctx, const uint8_t *p, size_t n);
struct tls_table *tls_table_new(bool have_keylog);
struct tls_end *tls_open(struct dis_ctx *d, const struct rt_addr *src, const struct rt_addr *dst);
void tls_feed(struct dis_ctx *d, struct tls_end *e, const uint8_t *p, size_t n, tls_sink sink,
	      void *ctx);
/* the direction is done (FIN, RST, eviction, a new SYN) */
void tls_close(struct tls_end *e);
size_t tls_end_mem(const struct tls_end *e);
/* end of capture: every connection's outcome is counted (they stay
 * allocated until tcp.c closes them or tls_table_free()) */
void tls_table_flush(struct dis_ctx *d);
void tls_table_free(struct dis_ctx *d);
const struct tls_stats *tls_get_stats(const struct dis_ctx *d,
				      const struct tls_undecryptable **list, size_t *n);

/* hep.c: HEP v2/v3 (HOMER).  hep_print() decodes one HEP packet and hands
 * its SIP to the SIP layer with HEP's own addresses and timestamp; false
 * when p is not HEP.  hep_frame() measures a HEP3 packet in a stream:
 * >0 its length, 0 need more, -1 not HEP. */
bool hep_print(struct dis_ctx *d, struct cur c);
long hep_frame(const uint8_t *p, size_t n);

/* sip layer entry: a transport payload that may hold SIP. Datagram
 * payloads (UDP, SCTP chunk, HEP, WS message) hold at most one message. */
void sip_print_datagram(struct dis_ctx *d, const struct rt_addr *src, const struct rt_addr *dst,
			enum rt_transport tp, struct cur c);

/* Count an anomaly at the packet being dissected (the last one when none
 * is, at the end); _at names the frame it belongs to. */
void dis_event(struct dis_ctx *d, enum dis_event e);
void dis_event_at(struct dis_ctx *d, enum dis_event e, uint32_t file, uint64_t frame);

/* The packet being dissected (or, out of reassembly, its fragments) added
 * to pp; a no-op while the parts hook is off. */
void dis_parts_add_cur(struct dis_ctx *d, struct dis_parts *pp);
void dis_parts_add(struct dis_ctx *d, struct dis_parts *pp, const struct dis_parts *from);
/* Keep only the last k entries (the current packet's, when a message
 * ended inside it and the next one began there). */
void dis_parts_keep_last(struct dis_parts *pp, uint32_t k);
void dis_parts_free(struct dis_parts *pp);

/* Hand a finished message upward (assigns the id, counts it). */
void dis_emit(struct dis_ctx *d, struct sip_msg *m);
/* One framed SIP message of the packet being dissected: sip_parse() and
 * dis_emit(), or to the raw hook.  meta's scratch, alloc_failed and
 * fail_alloc are set here; cut_reason as in struct dis_raw. */
void dis_sip(struct dis_ctx *d, const uint8_t *p, size_t n, struct sip_meta *meta,
	     const char *cut_reason, bool cut_only_clean);

/* ICMP errors quoting SIP (ip.c) */
void icmp_print(struct dis_ctx *d, const struct l3info *l3, struct cur c);

#endif
