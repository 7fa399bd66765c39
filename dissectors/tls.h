/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tls.h - the TLS record layer between TCP reassembly and SIP framing.
 *
 * Owns: struct tls_table (every TLS connection being followed, the
 * outcome counters, the list of connections that could not be
 * decrypted) and struct tls_end (one direction: its record buffer,
 * cipher state and sequence number).
 *
 * tcp.c sees a direction start with a TLS record, opens a tls_end for it
 * and from then on hands it the stream bytes; this file cuts them into
 * records (RFC 8446 §5.1, RFC 5246 §6.2: several per segment, one over
 * several segments), reads ClientHello / ServerHello in the clear (client
 * and server random, cipher suite, version including supported_versions,
 * Encrypt-then-MAC, extended master secret, the ALPN offer and the SNI
 * host name) and, with the secrets from the
 * key log (tls_keylog.h), decrypts application data and hands the
 * plaintext back to tcp.c for the same SIP / WebSocket framing as plain
 * TCP.  Ciphers, HMAC and HKDF are nettle's; the TLS 1.2 PRF is built
 * from nettle's HMAC (RFC 5246 §5).
 */
#ifndef RT_TLS_H
#define RT_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

/* The longest record: 2^14 plaintext + 2048 expansion (RFC 5246 §6.2.3);
 * RFC 8446 §5.2 allows only 2^14 + 256, so this bound holds for both. */
#define TLS_RECORD_MAX (16384u + 2048u)

/* Why a connection could not be decrypted (the first reason seen). */
enum tls_fail {
	TLS_OK = 0,
	TLS_FAIL_NO_KEYLOG,     /* no --tls-keylog given */
	TLS_FAIL_NO_KEY,        /* the key log has no secret for this client random */
	TLS_FAIL_NO_HELLO,      /* the handshake was not captured (joined mid-stream) */
	TLS_FAIL_SUITE,         /* a cipher suite / version we do not decrypt */
	TLS_FAIL_MAC,           /* the secret did not decrypt (wrong key, or damage) */
	TLS_FAIL_BAD_RECORD,    /* a record that is not TLS or longer than the bound */
};

const char *tls_fail_name(enum tls_fail f);

/* Longest ALPN offer kept for the report: "h2,http/1.1" and a few more. */
#define TLS_ALPN_STRLEN 48

struct tls_undecryptable {
	struct rt_addr client, server;  /* client: the side that opened (or sent ClientHello) */
	enum tls_fail reason;
	uint16_t version, suite;        /* 0: not seen */
	char alpn[TLS_ALPN_STRLEN];     /* the ClientHello's ALPN names, comma-joined,
					   bytes outside printable ASCII as '?'; "" none */
	const char *https;              /* NULL: it can carry SIP; else why it is taken
					   for web traffic (tls.c conn_web(), docs/rules.md) */
};

/* Kept for at most this many connections; the rest are only counted. */
#define TLS_UNDEC_LIST_MAX 64

struct tls_stats {
	uint64_t connections;       /* TLS connections seen */
	uint64_t decrypted;         /* connections whose application data was decrypted */
	uint64_t undecryptable;     /* connections with encrypted data we could not read */
	uint64_t undecryptable_https; /* of those, the ones that look like HTTPS, not SIP */
	uint64_t records;           /* records read */
	uint64_t decrypt_failures;  /* records that did not authenticate (wrong MAC/tag) */
	uint64_t oversize_records;  /* records claiming more than TLS_RECORD_MAX */
	uint64_t bad_records;       /* bytes that were not a TLS record header */
	uint64_t truncated_records; /* records cut short when the stream ended */
	uint64_t key_updates;       /* TLS 1.3 KeyUpdate messages followed */
	uint64_t plaintext_bytes;   /* application data handed on */
};

#endif
