/* SPDX-License-Identifier: GPL-2.0-or-later */
/* json_out.h - the JSON document (--json) and the JSON Lines stream (--jsonl).
 *
 * Owns: struct json_out (one output stream), struct json_capture (what main.c
 * knows about the inputs) and the writers.  Both formats are streamed
 * element by element: a message record is written while packets are read
 * and the whole tree is never held in memory.  One streaming writer
 * (json_out.c) writes every part, the once-per-run stats and capture too,
 * with one escape/UTF-8 repair routine.  Schema: docs/schema.json, human
 * page docs/json.md.
 *
 * --json:  json_begin() writes `{"schema_version":…,"messages":[`;
 *          json_message() one element per SIP message; json_end() writes
 *          registrations, dialogs, stats and capture, closes the document
 *          and frees the writer.
 * --jsonl: jsonl_begin(); jsonl_message() per message; jsonl_hook() puts
 *          transaction / attempt callbacks into the model options so those
 *          lines come out as each completes; jsonl_end() writes one
 *          registration line per AOR and a summary line.  With
 *          flush_lines every line is flushed (live capture: a reader sees
 *          it at once); otherwise stdio buffers and jsonl_end() flushes.
 */
#ifndef RT_JSON_OUT_H
#define RT_JSON_OUT_H

#include <stdio.h>
#include <stdint.h>
#include <stdbool.h>

#include "anomaly.h"
#include "sip_msg.h"
#include "model.h"

#define JSON_SCHEMA_VERSION "2.0"

/* One input file. */
/* One pcapng interface (strings untrusted, NULL when absent). */
struct json_iface {
	int linktype;
	const char *name, *descr, *comment;
	uint64_t packets;
};

struct json_capture_file {
	const char *name;        /* as given on the command line ("-" for stdin) */
	int linktype;            /* pcap LINKTYPE_ value, -1 unknown (live: the interface's) */
	bool truncated;          /* reading stopped early (damaged / cut short) */
	const char *compression; /* "gzip", "zstd", "lz4", "xz" or NULL */
	bool pcapng;             /* then ifaces lists its interfaces */
	struct json_iface *ifaces;
	size_t nifaces;
	/* pcapng anomalies: blocks skipped, lengths that lie (see capfile.h) */
	uint64_t unknown_blocks, bad_block_length, bad_interface, bad_packet, bytes_skipped;
	size_t tls_keylog_bytes; /* decryption secrets: TLS key log bytes kept */
};

/* A TLS connection that could not be decrypted (strings main.c's). */
struct json_tls_conn {
	const char *client, *server;    /* "ADDR:PORT" */
	const char *reason;
	const char *alpn;               /* the ClientHello's ALPN offer; NULL: none */
	const char *https;              /* why it is taken for HTTPS; NULL: can be SIP */
};

/* TLS as the dissectors saw it (dis_tls_stats), "capture.tls" in --json;
 * written only when present (a TLS connection was seen or a key log given). */
struct json_tls {
	bool present;
	uint64_t connections, decrypted, undecryptable;
	uint64_t undecryptable_https;   /* of undecryptable: HTTPS, not SIP */
	uint64_t records, decrypt_failures, oversize_records, bad_records, truncated_records;
	uint64_t key_updates;
	bool keylog;                    /* --tls-keylog given: the keylog counters are valid */
	uint64_t keylog_lines, keylog_secrets, keylog_garbage;
	const struct json_tls_conn *undec; /* the first ones (at most 64) */
	size_t nundec;
};

/* What main.c fills from the capture layer and dis_get_stats(). */
/* -w: the packets written and what was not (capture.write). */
struct json_write {
	const char *path;            /* -w FILE as given */
	const char *format;          /* "pcap" or "pcapng" */
	bool selection;              /* only the selected registrations' packets */
	uint64_t packets, files;
	uint64_t failed;             /* not written: the file could not be written */
	uint64_t other_link;         /* pcap: another link type than the file's */
	uint64_t over_limit;         /* -G with -W: after the last file */
	uint64_t held, evicted, evicted_selected;   /* live/stdin selection: the hold buffer */
	const char *error;           /* the first failure, or NULL */
};

struct json_capture {
	const struct json_capture_file *files;
	size_t nfiles;
	const char *interface;   /* -i IFACE, NULL when reading files */
	uint64_t kernel_drops;   /* live: dropped by the kernel or interface (pcap_stats) */
	uint64_t packets;
	uint64_t bytes;
	uint64_t sip_msgs;
	uint64_t malformed;
	uint64_t truncated_packets;
	uint64_t unknown_link;
	uint64_t icmp_errors;
	uint64_t lost_tcp_bytes;     /* stream bytes skipped (gaps, overflow) */
	uint64_t lost_fragments;     /* IP datagrams given up (timeout / memory) */
	int64_t first_ns, last_ns;   /* first and last packet time; 0 unknown */
	const struct dis_anomalies *anomalies;   /* bad input below SIP; NULL: none */
	/* --max-memory: "evicted" is written when something was */
	const struct model_evicted *evicted;
	uint64_t mem_limit;
	struct json_tls tls;
	struct json_write *write;    /* -w given: what was written; NULL: "write" left out */
};

struct json_opts {
	bool raw;                /* --json-raw: include each message's text */
	bool pretty;             /* indent registrations/dialogs (debugging) */
	bool flush_lines;        /* --jsonl: fflush each line (live input) */
};

struct json_out;

struct json_out *json_begin(FILE *f, const struct json_opts *o);
void json_message(struct json_out *j, const struct sip_msg *m);
/* Closes the document and frees j (even on error); 0, or -1 on a write error.
 * c may be NULL. */
int json_end(struct json_out *j, const struct model *m, const struct json_capture *c);

struct json_out *jsonl_begin(FILE *f, const struct json_opts *o);
void jsonl_message(struct json_out *j, const struct sip_msg *m);
/* Route the model's transaction/attempt events to this stream. */
void jsonl_hook(struct json_out *j, struct model_opts *mo);
int jsonl_end(struct json_out *j, const struct model *m, const struct json_capture *c);
/* A finding as soon as it is known (diag.h, "as it happens"): a "finding"
 * line, with "live": true while the capture is still being read.  A later
 * finding line with the same rule, aor and first frame replaces it; a
 * "finding_withdrawn" line (rule, severity, aor, the first frame) says the
 * end-of-run evaluation did not confirm it. */
void jsonl_finding(struct json_out *j, const struct finding *f, bool live);
void jsonl_finding_withdrawn(struct json_out *j, const struct finding *f);
/* jsonl_end() leaves out the findings skip() says were written already. */
void jsonl_skip_findings(struct json_out *j, bool (*skip)(void *u, const struct finding *f), void *u);

/* Show only the selection (select.h) in what json_end()/jsonl_end() write.
 * With an active one the caller holds messages (and jsonl_hook) back:
 * the end writes the selected messages, transactions and attempts. */
struct rt_select;
void json_select(struct json_out *j, const struct rt_select *sel);
/* Frees a writer without writing anything more (nothing was read). */
void json_discard(struct json_out *j);

#endif
