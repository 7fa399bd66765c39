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

struct frag_table;
struct tcp_table;

/* The IP datagram being dissected (addresses without ports). */
struct l3info {
	struct rt_addr src, dst;
	uint8_t version;        /* 4 or 6 */
	uint8_t proto;          /* next protocol after all extension headers */
	bool fragmented;        /* payload came out of reassembly */
};

struct dis_ctx {
	struct dis_callbacks cb;
	struct dis_opts opt;
	struct dis_stats st;
	const struct pkt_info *pi;  /* the packet being dissected */
	bool had_sip;               /* this packet carried (part of) SIP */
	bool cut;                   /* a length field promised more than was captured */
	int depth;                  /* encapsulation depth, bounds tunnels */
	uint64_t next_msg_id;
	struct frag_table *frag;    /* IP reassembly (ipfrag.c), may be NULL */
	struct tcp_table *tcp;      /* TCP streams (tcp.c), may be NULL */
};

#define DIS_MAX_DEPTH 8

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

/* sip layer entry: a transport payload that may hold SIP. Datagram
 * payloads (UDP, SCTP chunk, HEP, WS message) hold at most one message. */
void sip_print_datagram(struct dis_ctx *d, const struct rt_addr *src, const struct rt_addr *dst,
			enum rt_transport tp, struct cur c);

/* Hand a finished message upward (assigns the id, counts it). */
void dis_emit(struct dis_ctx *d, struct sip_msg *m);

/* ICMP errors quoting SIP (ip.c) */
void icmp_print(struct dis_ctx *d, const struct l3info *l3, struct cur c);

#endif
