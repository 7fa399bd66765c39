/* sip.h - regtrace's own SIP message record, filled by libosip2.
 *
 * Owns: struct sip_msg (one SIP message as the rest of regtrace sees it),
 * sip_parse() that builds it from one framed message, sip_looks_like_sip()
 * the cheap start-line test, and sip_frame() the stream framer (RFC 3261
 * §18.3).  The osip_message_t is freed before sip_parse() returns; the
 * record, its arrays, every string and the raw text are one block: in the
 * message store when sip_meta.store is set (msgstore.h; freed with the
 * store), else one malloc freed by sip_msg_free().
 *
 * Strings are NUL-terminated, unquoted, NULL when the header is absent.
 */
#ifndef RT_SIP_H
#define RT_SIP_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "addr.h"
#include "msgstore.h"

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

	const char *body;       /* points into raw */
	size_t body_len;

	/* the message bytes as framed (a copy: outputs and digest auth-int need it) */
	const char *raw;
	size_t raw_len;

	unsigned lenient;       /* enum sip_lenient bits */
	bool malformed;
	const char *malformed_reason;

	bool in_store;          /* the block lives in a struct msg_store */
};

/* Start-line test: a request line "METHOD SP URI SP SIP/2.0" or a status
 * line "SIP/2.0 SP 3DIGIT".  Cheap; used before any parse. */
bool sip_looks_like_sip(const uint8_t *p, size_t n);

/* A buffer sip_parse() builds a record's strings in before they are moved
 * into the record: kept by the caller (one per dissector context), so the
 * per-message path allocates nothing it does not keep. */
struct sip_scratch {
	char *buf;
	size_t cap;
};
void sip_scratch_free(struct sip_scratch *s);

/* Where the message came from; copied into the record. */
struct sip_meta {
	uint32_t file;
	uint64_t frame;
	int64_t ts_ns;
	struct rt_addr src, dst;
	enum rt_transport transport;
	bool datagram;          /* UDP-like: the datagram bounds the message */
	struct msg_store *store;/* where the record goes; NULL: malloc */
	struct sip_scratch *scratch; /* reused work buffer; NULL: one malloc per call */
};

/* Parse one framed message.  Never returns NULL for input that passed
 * sip_looks_like_sip(): a message libosip2 rejects comes back with
 * malformed set, a reason, and what a tolerant scan could recover. */
struct sip_msg *sip_parse(const uint8_t *p, size_t n, const struct sip_meta *meta);
void sip_msg_free(struct sip_msg *m);

/* Tolerant scan of a possibly truncated message (the copy quoted in an
 * ICMP error): Call-ID, top Via branch and method/CSeq method into the
 * caller's buffers ("" when not found). */
void sip_quick_ids(const uint8_t *p, size_t n, char *call_id, size_t cid_sz,
		   char *branch, size_t br_sz, char *method, size_t m_sz);

/* One-time libosip2 set-up (parser_init, trace silenced). Call before threads. */
void sip_global_init(void);

/* Stream framing (RFC 3261 §18.3): headers to the empty line, then
 * Content-Length bytes of body. */
enum sip_frame_rc { SIP_FRAME_COMPLETE, SIP_FRAME_NEED_MORE, SIP_FRAME_NOT_SIP };
enum sip_frame_rc sip_frame(const uint8_t *p, size_t n, size_t *msg_len);

#endif
