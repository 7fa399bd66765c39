/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sip.h - SIP parsing: bytes of one framed message -> struct sip_msg.
 *
 * Owns: sip_parse() that builds the record (record/sip_msg.h) from one
 * framed message with libosip2, sip_looks_like_sip() the cheap start-line
 * test, and sip_frame() the stream framer (RFC 3261 §18.3).  The
 * osip_message_t is freed before sip_parse() returns.
 */
#ifndef RT_SIP_H
#define RT_SIP_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "sip_msg.h"

/* Start-line test: a request line "METHOD SP URI SP SIP/2.0" or a status
 * line "SIP/2.0 SP 3DIGIT".  Cheap; used before any parse. */
bool sip_looks_like_sip(const uint8_t *p, size_t n);

/* A buffer sip_parse() builds a record's strings in before they are moved
 * into the record: kept by the caller (one per dissector context), so the
 * per-message path allocates nothing it does not keep. */
struct sip_osa_chunk;
struct sip_scratch {
	char *buf;
	size_t cap;
	struct sip_osa_chunk *osa;  /* libosip2's allocations during a parse (sip.c) */
};
void sip_scratch_free(struct sip_scratch *s);

/* Where a record's block comes from when the caller wants its own
 * allocator for records (NULL: malloc): fn returns n zeroed bytes, 16-aligned, or
 * NULL, and then the record is malloc'ed and fallback (optional) counts it. */
struct sip_alloc {
	void *(*fn)(void *ctx, size_t n);
	void (*fallback)(void *ctx);
	void *ctx;
};

/* Where the message came from; copied into the record. */
struct sip_meta {
	uint32_t file;
	uint32_t iface;         /* as sip_msg.iface */
	uint64_t frame;
	int64_t ts_ns;
	struct rt_addr src, dst;
	enum rt_transport transport;
	bool datagram;          /* UDP-like: the datagram bounds the message */
	const struct sip_alloc *alloc; /* where the record goes; NULL: malloc */
	struct sip_scratch *scratch; /* reused work buffer; NULL: one malloc per call */
	bool *alloc_failed;     /* set when memory ran out (NULL back, or arrays lost) */
	bool fail_alloc;        /* tests (dis_opts.fail_alloc_frames): the record's
				   block cannot be had, as when memory ran out */
};

/* Does p hold a start line sip_parse() accepts (so that only running out
 * of memory can make it return NULL)?  Cheap. */
bool sip_has_start(const uint8_t *p, size_t n);

/* Parse one framed message.  Never returns NULL for input that passed
 * sip_looks_like_sip(), unless memory ran out (*meta->alloc_failed): a message libosip2 rejects comes back with
 * malformed set, a reason, and what a tolerant scan could recover. */
struct sip_msg *sip_parse(const uint8_t *p, size_t n, const struct sip_meta *meta);

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
