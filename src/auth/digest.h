/* SPDX-License-Identifier: GPL-2.0-or-later */
/* digest.h - SIP/HTTP digest responses (RFC 2617, RFC 7616, RFC 8760) and
 * checking a captured Authorization against known credentials.
 *
 * Owns: the algorithm table (MD5, MD5-sess, SHA-256, SHA-256-sess,
 * SHA-512-256, SHA-512-256-sess; hashes from nettle), dg_compute() that
 * derives a response from plain strings, and dg_verify() that says whether
 * a captured struct sip_cred was made with the password / HA1 from a
 * credentials store (cred.h), and if not, which diagnostic variant (other
 * username, realm, digest-uri, qop) it was made with.
 *
 * Secrets (password, HA1) go into hashes only: nothing here prints them or
 * keeps a copy; intermediate HA1 buffers are wiped.
 */
#ifndef RT_DIGEST_H
#define RT_DIGEST_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "sip_msg.h"

struct cred_store;

enum dg_alg {
	DG_ALG_MD5,
	DG_ALG_MD5_SESS,
	DG_ALG_SHA256,
	DG_ALG_SHA256_SESS,
	DG_ALG_SHA512_256,
	DG_ALG_SHA512_256_SESS,
	DG_ALG_UNKNOWN,         /* e.g. SM3 (GB/T 28181): reported, never guessed */
};

/* Longest hex digest (SHA-256, SHA-512/256: 64 hex) plus the NUL. */
#define DG_HEX_MAX 65

/* Algorithm by name, case-insensitive; NULL or "" (absent) is MD5. */
enum dg_alg dg_alg_parse(const char *name);
const char *dg_alg_name(enum dg_alg a);          /* canonical spelling */
size_t dg_alg_hexlen(enum dg_alg a);              /* 32 or 64; 0 unknown */
bool dg_alg_is_sess(enum dg_alg a);

/* One digest computation.  Strings are as sent (unquoted).  qop NULL or ""
 * is the RFC 2069 form; "auth" / "auth-int" (case-insensitive) need cnonce
 * and nc.  ha1, when non-NULL, is H(username:realm:password) in hex and
 * replaces password (username and realm are then not hashed; -sess still
 * applies on top of it). */
struct dg_input {
	enum dg_alg alg;
	const char *username, *realm, *password;
	const char *ha1;
	const char *method, *uri;
	const char *nonce, *cnonce, *nc, *qop;
	const uint8_t *body;    /* auth-int: message body; NULL with 0 = empty */
	size_t body_len;
};

enum dg_rc {
	DG_OK,
	DG_E_UNSUPPORTED,       /* unknown algorithm or qop */
	DG_E_INCOMPLETE,        /* a needed field is NULL */
	DG_E_BAD_HA1,           /* ha1 not hex of the algorithm's length */
};

/* Writes the response as lower-case hex (NUL-terminated) into out. */
enum dg_rc dg_compute(const struct dg_input *in, char out[DG_HEX_MAX]);

/* H(data) in lower-case hex; for tests and H(body). */
enum dg_rc dg_hash_hex(enum dg_alg a, const void *data, size_t len, char out[DG_HEX_MAX]);

/* ---- verification of a captured credential ---- */

enum dg_status {
	DG_MATCH,        /* response made with the stored secret and the sent fields */
	DG_BADPW,        /* no variant matches: wrong password (or HA1) */
	DG_VARIANT,      /* secret right, hashed with another username/realm/uri/qop */
	DG_NO_CREDS,     /* username not in the credentials store (or no usable entry) */
	DG_UNSUPPORTED,  /* algorithm (or qop, scheme) regtrace cannot compute */
	DG_INCOMPLETE,   /* a field the computation needs is absent */
};

/* dg_result.variant bits: which input of the matching hash differs from
 * what the server would use. */
enum dg_variant {
	DG_VAR_USERNAME = 1u << 0,   /* From / To user instead of username= */
	DG_VAR_REALM    = 1u << 1,   /* realm other than the challenge realm */
	DG_VAR_URI      = 1u << 2,   /* Request-URI / To URI instead of uri= */
	DG_VAR_QOP      = 1u << 3,   /* with qop vs without (RFC 2069 form) */
};

/* What the variants need from around the credential.  Every field may be
 * NULL; pass NULL for the whole struct when nothing is known. */
struct dg_hints {
	const char *ruri;               /* Request-URI of the request */
	const char *to_uri;             /* To URI (some UAs hash it as digest-uri) */
	const char *from_user, *to_user;
	const char *chal_realm;         /* realm of the challenge being answered */
	const char *const *realms;      /* more realms to try (configured domain...);
					   the first 8 are used */
	size_t nrealms;
};

/* Fill hints from the request that carries the credential. */
void dg_hints_from_msg(const struct sip_msg *m, const char *chal_realm, struct dg_hints *h);

/* The values are pointers into the sip_cred, the hints or the store: valid
 * while those are.  They are captured text: escape before printing. */
struct dg_result {
	enum dg_status status;
	enum dg_alg alg;
	unsigned variant;               /* enum dg_variant bits (DG_VARIANT) */
	/* what the server hashes: username=, challenge realm (else realm=),
	 * uri=, qop= */
	const char *ref_username, *ref_realm, *ref_uri, *ref_qop;
	/* what the matching hash used (MATCH / VARIANT) */
	const char *username, *realm, *uri, *qop;
	unsigned cred_line;             /* credentials file line that matched, 0 none */
	const char *missing;            /* INCOMPLETE: first missing field name;
					   UNSUPPORTED: "algorithm", "qop" or "scheme" */
	const char *value;              /* UNSUPPORTED: that value as sent */
	/* the response the server would expect (ref_* fields) with the first
	 * stored secret for this user (BADPW and VARIANT; empty otherwise) -
	 * a hash, like the captured response, never the secret */
	char expected[DG_HEX_MAX];
};

/* store may be NULL (then NO_CREDS for every complete credential).
 * method: the request method (REGISTER...).  body: the request body, for
 * qop=auth-int.  hints may be NULL.  Returns out->status. */
enum dg_status dg_verify(const struct cred_store *store, const struct sip_cred *c,
			 const char *method, const uint8_t *body, size_t body_len,
			 const struct dg_hints *hints, struct dg_result *out);


/* One-line English summary of a result; captured text is escaped
 * (control characters as \xNN).  Never contains a secret.  Returns buf. */
char *dg_result_describe(const struct dg_result *r, char *buf, size_t n);

#endif
