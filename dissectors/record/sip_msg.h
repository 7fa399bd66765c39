/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sip_msg.h - the record the dissectors hand to the rest of regtrace.
 *
 * Owns: struct sip_msg (one SIP message as the model, the rules, the
 * outputs and the TUI see it), its parts (contacts, credentials,
 * challenges), the lenient-repair bits, the header lines counted as sent
 * (enum sip_hline), and struct icmp_evt (an ICMP error
 * quoting a packet we care about).  Everything above the dissectors reads
 * SIP through this header and addr.h, never through dissect.h: the build
 * gives ui/ no include path to the rest of dissectors/.
 *
 * A record, its arrays, every string and the raw text are one block, from
 * sip_meta.alloc when the caller gives one (freed with its owner), else one
 * malloc freed by sip_msg_free().  Strings are NUL-terminated, unquoted,
 * NULL when the header is absent.
 */
#ifndef RT_SIP_MSG_H
#define RT_SIP_MSG_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "addr.h"

/* What was repaired before libosip2 could read the message (sip_msg.lenient). */
enum sip_lenient {
	SIP_LEN_LF_ONLY      = 1u << 0, /* bare LF line endings */
	SIP_LEN_LEADING_JUNK = 1u << 1, /* bytes before the start line */
	SIP_LEN_CL_SHORT     = 1u << 2, /* Content-Length > body (datagram trusted) */
	SIP_LEN_CL_LONG      = 1u << 3, /* Content-Length < body */
	SIP_LEN_NO_CL        = 1u << 4, /* no Content-Length (datagram) */
	SIP_LEN_QUOTED_PARAM = 1u << 5, /* quoted numeric param (expires="60") */
	SIP_LEN_FOLDED       = 1u << 6, /* folded header lines */
	SIP_LEN_BAD_CL       = 1u << 7, /* Content-Length not a number */
	SIP_LEN_NO_BODY_TYPE = 1u << 8, /* body without Content-Type */
	SIP_LEN_START_LINE   = 1u << 9, /* start line rewritten: extra blanks, lower-case
					   version, no reason phrase (RFC 3261 §7.1-7.2) */
};

/* Header lines counted as sent (sip_msg.hlines), whether or not libosip2
 * could parse them: a line after the start line, before the empty line,
 * that starts with the full name, optional blanks and ':' (RFC 3261 §7.3.1;
 * these names have no compact form). */
enum sip_hline {
	SIP_HL_AUTHORIZATION,           /* the four digest headers, RFC 3261 §22 */
	SIP_HL_PROXY_AUTHORIZATION,
	SIP_HL_WWW_AUTHENTICATE,
	SIP_HL_PROXY_AUTHENTICATE,
	SIP_HL_PATH,                    /* RFC 3327 */
	SIP_HL_COUNT
};

struct sip_contact {
	const char *uri;        /* NULL for "*" */
	const char *user;       /* user part of the URI */
	const char *host;       /* host of the URI (IPv6 without brackets) */
	int port;               /* -1 when absent */
	long expires;           /* ;expires= param, -1 when absent */
	const char *instance;   /* +sip.instance */
	const char *reg_id;     /* reg-id */
	const char *transport;  /* ;transport= uri param */
	bool star;              /* Contact: * */
};

/* Authorization / Proxy-Authorization (credentials) */
struct sip_cred {
	bool proxy;             /* Proxy-Authorization */
	const char *scheme;     /* Digest */
	const char *username, *realm, *nonce, *uri, *response;
	const char *algorithm, *cnonce, *opaque, *qop, *nc;
};

/* WWW-Authenticate / Proxy-Authenticate (challenges) */
struct sip_chal {
	bool proxy;             /* Proxy-Authenticate */
	const char *scheme;
	const char *realm, *nonce, *opaque, *algorithm, *qop, *domain;
	bool stale;             /* stale=true (case-insensitive) */
};

struct sip_msg {
	/* where it was seen */
	uint32_t file;          /* index of the input file (0-based) */
	uint32_t iface;         /* 1 + pcapng interface of the packet (tshark's
				   frame.interface_id) when the file has several
				   that differ; 0 otherwise (pcap, one interface) */
	uint64_t frame;         /* frame number in that file (1-based); the
				   packet that completed a reassembled message */
	int64_t ts_ns;          /* capture time, ns since the epoch */
	struct rt_addr src, dst;
	enum rt_transport transport;
	uint64_t id;            /* sequence number over the whole run, from 1 */

	/* start line */
	bool request;
	const char *method;     /* request method, as sent */
	const char *ruri;       /* Request-URI */
	int status;             /* response code, 0 for requests */
	const char *reason;

	const char *call_id;
	uint32_t cseq;          /* 0 when absent */
	const char *cseq_method;

	const char *from_uri, *from_user, *from_tag, *from_display;
	const char *to_uri, *to_user, *to_tag, *to_display;

	/* top Via */
	int via_count;
	const char *via_proto;  /* UDP, TCP, TLS, WS, ... */
	const char *via_host;
	int via_port;           /* -1 when absent */
	const char *via_branch;
	const char *via_received;
	bool via_has_rport;
	int via_rport;          /* -1 when the rport param has no value */

	struct sip_contact *contacts;
	int ncontacts;

	long expires;           /* Expires header, -1 when absent */
	long min_expires;       /* Min-Expires, -1 when absent */
	long retry_after;       /* Retry-After seconds, -1 when absent */

	struct sip_cred *creds;
	int ncreds;
	struct sip_chal *chals;
	int nchals;

	const char *user_agent, *server;
	const char *supported, *require;
	const char *date, *warning, *p_registrar_error;
	const char *content_type;
	long content_length;    /* -1 when absent */

	/* read from the header lines as sent, beside libosip2's parse (which
	 * unfolds lines and drops a header it cannot read) */
	const char *unsupported;        /* the first Unsupported line's value: from after
					   ':' and blanks to the first CR, trailing
					   blanks cut; NULL when there is none */
	const char *digest_dropped;     /* the same of the first line of the first
					   digest header (enum order) of which fewer
					   were parsed (creds/chals) than sent; NULL
					   when libosip2 kept them all */
	uint16_t hlines[SIP_HL_COUNT];  /* lines per name (enum sip_hline), at most
					   65535: a message is framed within 64 KiB
					   (UDP, IP) or the TCP bound, 256 KiB by
					   default: 43690 lines of "Path:" */
	bool contact_nat_mark;          /* a Contact (or m) line, before the first line
					   that starts with CR or LF, holds received=,
					   alias=, fs_path or fs_nat (case-insensitive):
					   a registrar's own NAT marks */

	const char *body;       /* points into raw */
	size_t body_len;

	/* the message bytes as framed (a copy: outputs and digest auth-int need it) */
	const char *raw;
	size_t raw_len;

	unsigned lenient;       /* enum sip_lenient bits */
	bool malformed;
	const char *malformed_reason;

	bool in_store;          /* the block came from sip_meta.alloc: its owner frees it */
	uint32_t blk_size;      /* bytes of the record's one block (what the heap's
				   own size for it would vary with its state) */
	/* for the model (src/model/), which owns the record once given it */
	bool in_txn;            /* a transaction holds it */
	bool evicted;           /* being shed under the memory bound */
};

/* An ICMP/ICMPv6 error that quotes a packet we care about: the quoted
 * SIP is not a message, but the error is evidence ("port unreachable");
 * or a refused TCP connection (tcp_refused). */
struct icmp_evt {
	uint32_t file;
	uint64_t frame;
	int64_t ts_ns;
	struct rt_addr from, to;        /* the ICMP packet's own addresses */
	uint8_t version;                /* 4 or 6 */
	uint8_t type, code;
	struct rt_addr q_src, q_dst;    /* the quoted datagram's endpoints */
	uint8_t q_proto;                /* quoted IP protocol (17 = UDP) */
	const char *q_call_id;          /* from the quoted SIP if readable, else NULL */
	const char *q_branch;
	const char *q_method;
	/* Not ICMP but the same kind of evidence: a TCP RST answering a SYN
	 * (connection refused, RFC 9293 §3.10.7.1).  from = who refused,
	 * q_src/q_dst = the SYN's endpoints, q_proto 6, type/code 0. */
	bool tcp_refused;
};

/* Frees a record unless its block came from sip_meta.alloc. */
void sip_msg_free(struct sip_msg *m);

#endif
