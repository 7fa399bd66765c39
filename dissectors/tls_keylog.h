/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tls_keylog.h - the NSS key log (SSLKEYLOGFILE) that TLS decryption reads.
 *
 * Owns: struct tls_keylog (secrets by client random, the open file and
 * its read position, line counters).  Format: one "LABEL <client_random
 * hex> <secret hex>" per line; CLIENT_RANDOM carries the TLS 1.2 master
 * secret, CLIENT/SERVER_HANDSHAKE_TRAFFIC_SECRET and
 * CLIENT/SERVER_TRAFFIC_SECRET_0 the TLS 1.3 secrets (RFC 8446 §7.1).
 * Other well-formed labels (EXPORTER_SECRET, ...) are counted, not kept;
 * malformed lines are counted as garbage and skipped.  A file stays open
 * and tls_keylog_refresh() reads what was appended since (live capture:
 * the client writes its keys while the capture runs).
 */
#ifndef RT_TLS_KEYLOG_H
#define RT_TLS_KEYLOG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum tls_secret {
	TLS_KL_MASTER,          /* CLIENT_RANDOM: TLS 1.2 master secret (48 bytes) */
	TLS_KL_CHTS,            /* CLIENT_HANDSHAKE_TRAFFIC_SECRET */
	TLS_KL_SHTS,            /* SERVER_HANDSHAKE_TRAFFIC_SECRET */
	TLS_KL_CTS0,            /* CLIENT_TRAFFIC_SECRET_0 */
	TLS_KL_STS0,            /* SERVER_TRAFFIC_SECRET_0 */
	TLS_KL_N
};

#define TLS_KL_SECRET_MAX 64

struct tls_keylog_stats {
	uint64_t lines;         /* lines read (comments and blank lines included) */
	uint64_t secrets;       /* secrets kept (a repeated line replaces, not adds) */
	uint64_t other;         /* well-formed lines with a label we do not use */
	uint64_t garbage;       /* lines that are not key log lines */
	uint64_t first_garbage; /* line number of the first of them, 0: none */
};

struct tls_keylog;

/* Open and read a key log file; NULL with errno set when it cannot be opened. */
struct tls_keylog *tls_keylog_open(const char *path);
/* An empty key log fed by tls_keylog_feed() (tests, fuzzing). */
struct tls_keylog *tls_keylog_new(void);
/* Parse text; an unfinished last line is kept until the rest comes. */
void tls_keylog_feed(struct tls_keylog *k, const char *p, size_t n);
/* Read what the file gained since the last read (no-op without a file). */
void tls_keylog_refresh(struct tls_keylog *k);
/* The secret of a kind for a client random, NULL when not known. */
const uint8_t *tls_keylog_get(const struct tls_keylog *k, const uint8_t cr[32],
			      enum tls_secret which, size_t *len);
const struct tls_keylog_stats *tls_keylog_stats(const struct tls_keylog *k);
void tls_keylog_free(struct tls_keylog *k);

#endif
