/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tls.c - TLS records, hellos and decryption (see tls.h). */
#include "dissect_int.h"

#include <stdlib.h>
#include <string.h>

#include <nettle/aes.h>
#include <nettle/cbc.h>
#include <nettle/chacha-poly1305.h>
#include <nettle/gcm.h>
#include <nettle/hkdf.h>
#include <nettle/hmac.h>
#include <nettle/memops.h>
#include <nettle/nettle-meta.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>

#include "tls_keylog.h"

/* Handshake bytes kept while a message is spread over records. */
#define TLS_HS_MAX 65536u

enum tls_kind { TK_GCM, TK_CHACHA, TK_CBC };

struct tls_suite {
	uint16_t id;
	uint8_t kind;               /* enum tls_kind */
	uint8_t key_len;
	const struct nettle_hash *mac;  /* CBC record MAC */
	const struct nettle_hash *prf;  /* TLS 1.2 PRF / TLS 1.3 HKDF hash */
	bool tls13;
};

#define SHA1 &nettle_sha1
#define SHA256 &nettle_sha256
#define SHA384 &nettle_sha384

/* RFC 8446 §B.4; RFC 5288, RFC 5289, RFC 7905, RFC 5246 App. A.5 */
static const struct tls_suite tls_suites[] = {
	{ 0x1301, TK_GCM, 16, NULL, SHA256, true },     /* TLS_AES_128_GCM_SHA256 */
	{ 0x1302, TK_GCM, 32, NULL, SHA384, true },     /* TLS_AES_256_GCM_SHA384 */
	{ 0x1303, TK_CHACHA, 32, NULL, SHA256, true },  /* TLS_CHACHA20_POLY1305_SHA256 */
	{ 0xc02f, TK_GCM, 16, NULL, SHA256, false },    /* ECDHE_RSA_WITH_AES_128_GCM_SHA256 */
	{ 0xc030, TK_GCM, 32, NULL, SHA384, false },    /* ECDHE_RSA_WITH_AES_256_GCM_SHA384 */
	{ 0xc02b, TK_GCM, 16, NULL, SHA256, false },    /* ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 */
	{ 0xc02c, TK_GCM, 32, NULL, SHA384, false },    /* ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 */
	{ 0x009c, TK_GCM, 16, NULL, SHA256, false },    /* RSA_WITH_AES_128_GCM_SHA256 */
	{ 0x009d, TK_GCM, 32, NULL, SHA384, false },    /* RSA_WITH_AES_256_GCM_SHA384 */
	{ 0x009e, TK_GCM, 16, NULL, SHA256, false },    /* DHE_RSA_WITH_AES_128_GCM_SHA256 */
	{ 0x009f, TK_GCM, 32, NULL, SHA384, false },    /* DHE_RSA_WITH_AES_256_GCM_SHA384 */
	{ 0xcca8, TK_CHACHA, 32, NULL, SHA256, false }, /* ECDHE_RSA_WITH_CHACHA20_POLY1305 */
	{ 0xcca9, TK_CHACHA, 32, NULL, SHA256, false }, /* ECDHE_ECDSA_WITH_CHACHA20_POLY1305 */
	{ 0xccaa, TK_CHACHA, 32, NULL, SHA256, false }, /* DHE_RSA_WITH_CHACHA20_POLY1305 */
	{ 0xc013, TK_CBC, 16, SHA1, SHA256, false },    /* ECDHE_RSA_WITH_AES_128_CBC_SHA */
	{ 0xc014, TK_CBC, 32, SHA1, SHA256, false },    /* ECDHE_RSA_WITH_AES_256_CBC_SHA */
	{ 0xc009, TK_CBC, 16, SHA1, SHA256, false },    /* ECDHE_ECDSA_WITH_AES_128_CBC_SHA */
	{ 0xc00a, TK_CBC, 32, SHA1, SHA256, false },    /* ECDHE_ECDSA_WITH_AES_256_CBC_SHA */
	{ 0x002f, TK_CBC, 16, SHA1, SHA256, false },    /* RSA_WITH_AES_128_CBC_SHA */
	{ 0x0035, TK_CBC, 32, SHA1, SHA256, false },    /* RSA_WITH_AES_256_CBC_SHA */
	{ 0x0033, TK_CBC, 16, SHA1, SHA256, false },    /* DHE_RSA_WITH_AES_128_CBC_SHA */
	{ 0x0039, TK_CBC, 32, SHA1, SHA256, false },    /* DHE_RSA_WITH_AES_256_CBC_SHA */
	{ 0xc027, TK_CBC, 16, SHA256, SHA256, false },  /* ECDHE_RSA_WITH_AES_128_CBC_SHA256 */
	{ 0xc023, TK_CBC, 16, SHA256, SHA256, false },  /* ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 */
	{ 0xc028, TK_CBC, 32, SHA384, SHA384, false },  /* ECDHE_RSA_WITH_AES_256_CBC_SHA384 */
	{ 0xc024, TK_CBC, 32, SHA384, SHA384, false },  /* ECDHE_ECDSA_WITH_AES_256_CBC_SHA384 */
	{ 0x003c, TK_CBC, 16, SHA256, SHA256, false },  /* RSA_WITH_AES_128_CBC_SHA256 */
	{ 0x003d, TK_CBC, 32, SHA256, SHA256, false },  /* RSA_WITH_AES_256_CBC_SHA256 */
};

static const struct tls_suite *suite_find(uint16_t id)
{
	for (size_t i = 0; i < sizeof tls_suites / sizeof tls_suites[0]; i++)
		if (tls_suites[i].id == id)
			return &tls_suites[i];
	return NULL;
}

/* RFC 8446 §4.1.3: the ServerHello.random of a HelloRetryRequest */
static const uint8_t hrr_random[32] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

enum end_phase {
	EP_CLEAR,       /* records are plaintext */
	EP_HS,          /* TLS 1.3: handshake traffic keys */
	EP_APP,         /* application keys (1.3) / after ChangeCipherSpec (1.2) */
};

struct tls_cipher {
	bool ready;
	uint8_t iv[12];             /* GCM 1.2: 4-byte salt; otherwise the 12-byte IV */
	uint8_t mac_key[48];
	union {
		struct gcm_aes128_ctx g128;
		struct gcm_aes256_ctx g256;
		struct chacha_poly1305_ctx cp;
		struct aes128_ctx a128;
		struct aes256_ctx a256;
	} u;
};

struct tls_conn;

struct tls_end {
	struct tls_conn *c;
	struct rt_addr src, dst;    /* this direction's sender and receiver */
	int side;                   /* index in c->end */
	bool open;                  /* held by a tcp.c direction */
	bool broken;                /* not TLS any more: bytes are dropped */
	uint8_t phase;              /* enum end_phase */
	uint8_t *rec;               /* record bytes not yet complete */
	size_t rlen, rcap;
	uint8_t *hs;                /* handshake message bytes not yet complete */
	size_t hslen;
	uint64_t seq;
	struct tls_cipher ci;
	uint8_t secret[48];         /* TLS 1.3 current traffic secret */
	size_t secret_len;
	bool sent_hello;            /* a ClientHello came from this end */
	bool enc_seen;              /* it sent encrypted records */
	bool key_missing;           /* looked up, not found (retried after a key log refresh) */
};

struct tls_conn {
	struct tls_conn *next;
	struct tls_table *t;
	struct tls_end end[2];      /* [0]: the direction that opened the connection */
	int client;                 /* index of the ClientHello's end, -1: not seen */
	uint8_t client_random[32], server_random[32];
	bool have_cr, have_sr;
	uint16_t version, suite_id;
	const struct tls_suite *suite;
	bool etm, ems, tls13, hrr;
	char alpn[TLS_ALPN_STRLEN]; /* ClientHello ALPN names (RFC 7301 §3.1), comma-joined */
	bool alpn_offered;          /* the ClientHello had ALPN */
	bool alpn_other;            /* ... naming a protocol that is not HTTP */
	bool alpn_h2;               /* ... naming HTTP/2 or later (h2, h3, spdy) */
	bool alpn_srv_h2;           /* the ServerHello chose one of those (TLS 1.2) */
	bool sni_sip;               /* the server name's first label starts with "sip" */
	bool decrypted;             /* application data came out */
	bool counted;               /* its outcome is in the counters */
	uint8_t fail;               /* enum tls_fail, first one */
};

struct tls_table {
	struct tls_conn *conns;
	bool have_keylog;
	struct tls_stats st;
	struct tls_undecryptable undec[TLS_UNDEC_LIST_MAX];
	size_t nundec;
	uint8_t out[TLS_RECORD_MAX];    /* decrypted plaintext of one record */
};

const char *tls_fail_name(enum tls_fail f)
{
	switch (f) {
	case TLS_OK: return "ok";
	case TLS_FAIL_NO_KEYLOG: return "no key log";
	case TLS_FAIL_NO_KEY: return "no key for this session in the key log";
	case TLS_FAIL_NO_HELLO: return "handshake not captured";
	case TLS_FAIL_SUITE: return "TLS version or cipher suite not decrypted (e.g. TLS 1.0, RC4)";
	case TLS_FAIL_MAC: return "key log secret does not decrypt (wrong MAC)";
	case TLS_FAIL_BAD_RECORD: return "not a valid TLS record";
	}
	return "?";
}

/* ---------------------------------------------------------------- table */

struct tls_table *tls_table_new(bool have_keylog)
{
	struct tls_table *t = calloc(1, sizeof *t);
	if (t)
		t->have_keylog = have_keylog;
	return t;
}

static void conn_fail(struct tls_conn *c, enum tls_fail f)
{
	if (!c->fail)
		c->fail = (uint8_t)f;
}

/* ALPN protocol ids of HTTP (IANA registry, RFC 7301 §6): 1 = HTTP/1.x,
 * 2 = HTTP/2 or later (h2 RFC 9113, h3 RFC 9114 and its drafts, SPDY),
 * 0 = something else. */
static int alpn_http(const uint8_t *p, size_t n)
{
	if ((n == 8 && (!memcmp(p, "http/1.1", 8) || !memcmp(p, "http/1.0", 8) ||
			!memcmp(p, "http/0.9", 8))))
		return 1;
	if ((n == 2 && (!memcmp(p, "h2", 2) || !memcmp(p, "h3", 2))) ||
	    (n == 3 && !memcmp(p, "h2c", 3)) || (n > 3 && !memcmp(p, "h3-", 3)) ||
	    (n > 5 && !memcmp(p, "spdy/", 5)))
		return 2;
	return 0;
}

/* Why an undecrypted connection is taken for web traffic rather than
 * SIP, or NULL when it can carry SIP.  SIP evidence wins: the SIP ports
 * (RFC 3261 §19.1.2: 5060, 5061 for TLS) or a server name whose first
 * label starts with "sip".  Otherwise HTTPS: the server chose HTTP/2 by
 * ALPN; or the client offered only HTTP protocols, HTTP/2 among them (SIP
 * over WebSocket, RFC 7118, is an HTTP/1.1 Upgrade, RFC 6455 §4.1, and a
 * browser offers http/1.1 alone for it); or the server port is 443 and no
 * protocol but HTTP was offered. */
static const char *conn_web(const struct tls_conn *c, const struct rt_addr *server)
{
	if (server->port == 5060 || server->port == 5061 || c->sni_sip)
		return NULL;
	if (c->alpn_srv_h2)
		return "the server chose HTTP/2 or later by ALPN";
	if (c->alpn_offered && !c->alpn_other && c->alpn_h2)
		return "ALPN offers only HTTP, HTTP/2 among it";
	if (server->port == 443 && !c->alpn_other)
		return "port 443 (HTTPS), no SIP port, server name or ALPN";
	return NULL;
}

/* A connection is done: its outcome goes into the counters. */
static void conn_finish(struct tls_conn *c)
{
	struct tls_table *t = c->t;
	if (c->counted)
		return;
	c->counted = true;
	for (int i = 0; i < 2; i++) {
		if (c->end[i].rlen) {   /* a record the stream ended inside */
			t->st.truncated_records++;
			c->end[i].rlen = 0;
		}
	}
	bool enc = c->end[0].enc_seen || c->end[1].enc_seen;
	if (c->decrypted) {
		t->st.decrypted++;
		return;
	}
	if (!enc)
		return;             /* nothing encrypted was seen: nothing to read */
	t->st.undecryptable++;
	if (!c->fail)
		c->fail = !t->have_keylog ? TLS_FAIL_NO_KEYLOG : TLS_FAIL_NO_KEY;
	int ci = c->client >= 0 ? c->client : 0;
	const char *web = conn_web(c, &c->end[ci].dst);
	if (web)
		t->st.undecryptable_https++;
	if (t->nundec < TLS_UNDEC_LIST_MAX) {
		struct tls_undecryptable *u = &t->undec[t->nundec++];
		u->client = c->end[ci].src;
		u->server = c->end[ci].dst;
		u->reason = (enum tls_fail)c->fail;
		u->version = c->version;
		u->suite = c->suite_id;
		memcpy(u->alpn, c->alpn, sizeof u->alpn);
		u->https = web;
	}
}

static void end_release(struct tls_end *e)
{
	free(e->rec);
	free(e->hs);
	e->rec = e->hs = NULL;
	e->rlen = e->rcap = e->hslen = 0;
	e->open = false;
}

static void conn_unlink_free(struct tls_conn *c)
{
	struct tls_table *t = c->t;
	for (struct tls_conn **pp = &t->conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	conn_finish(c);
	end_release(&c->end[0]);
	end_release(&c->end[1]);
	free(c);
}

struct tls_end *tls_open(struct dis_ctx *d, const struct rt_addr *src, const struct rt_addr *dst)
{
	struct tls_table *t = d->tls;
	if (!t)
		return NULL;
	/* the other direction of a connection already followed */
	for (struct tls_conn *c = t->conns; c; c = c->next) {
		if (!c->end[1].c && rt_addr_eq(&c->end[0].src, dst) &&
		    rt_addr_eq(&c->end[0].dst, src) && c->end[0].open) {
			struct tls_end *e = &c->end[1];
			e->c = c;
			e->side = 1;
			e->src = *src;
			e->dst = *dst;
			e->open = true;
			return e;
		}
	}
	struct tls_conn *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->client = -1;
	c->t = t;
	c->end[0].c = c;
	c->end[0].src = *src;
	c->end[0].dst = *dst;
	c->end[0].open = true;
	c->end[1].side = 1;
	c->next = t->conns;
	t->conns = c;
	t->st.connections++;
	return &c->end[0];
}

void tls_close(struct tls_end *e)
{
	if (!e)
		return;
	struct tls_conn *c = e->c;
	if (e->rlen)
		c->t->st.truncated_records++;
	end_release(e);
	if (!c->end[0].open && !c->end[1].open)
		conn_unlink_free(c);
}

size_t tls_end_mem(const struct tls_end *e)
{
	return e ? e->rcap + (e->hs ? TLS_HS_MAX : 0) : 0;
}

void tls_table_flush(struct dis_ctx *d)
{
	struct tls_table *t = d->tls;
	if (!t)
		return;
	/* the connections stay: tcp.c's directions still hold them */
	for (struct tls_conn *c = t->conns; c; c = c->next)
		conn_finish(c);
}

void tls_table_free(struct dis_ctx *d)
{
	struct tls_table *t = d->tls;
	if (!t)
		return;
	while (t->conns) {
		struct tls_conn *c = t->conns;
		t->conns = c->next;
		end_release(&c->end[0]);
		end_release(&c->end[1]);
		free(c);
	}
	free(t);
	d->tls = NULL;
}

const struct tls_stats *tls_get_stats(const struct dis_ctx *d, const struct tls_undecryptable **list,
				      size_t *n)
{
	static const struct tls_stats none;
	if (!d->tls) {
		*list = NULL;
		*n = 0;
		return &none;
	}
	*list = d->tls->undec;
	*n = d->tls->nundec;
	return &d->tls->st;
}

/* ---------------------------------------------------------------- key schedule */

/* nettle's generic HMAC over the hashes we use (properly aligned) */
union hash_ctx {
	struct sha1_ctx s1;
	struct sha256_ctx s256;
	struct sha512_ctx s512;
};

struct hmac_any {
	const struct nettle_hash *h;
	union hash_ctx outer, inner, state;
};

static void hm_key(struct hmac_any *m, const struct nettle_hash *h, const uint8_t *k, size_t n)
{
	m->h = h;
	hmac_set_key(&m->outer, &m->inner, &m->state, h, n, k);
}

static void hm_update(void *m, size_t n, const uint8_t *p)
{
	struct hmac_any *x = m;
	hmac_update(&x->state, x->h, n, p);
}

static void hm_digest(void *m, size_t n, uint8_t *out)
{
	struct hmac_any *x = m;
	hmac_digest(&x->outer, &x->inner, &x->state, x->h, n, out);
}

/* RFC 5246 §5: P_hash(secret, label + seed), the TLS 1.2 PRF */
static void prf12(const struct nettle_hash *h, const uint8_t *secret, size_t slen,
		  const char *label, const uint8_t *seed, size_t seedlen, uint8_t *out, size_t n)
{
	struct hmac_any m;
	uint8_t a[SHA512_DIGEST_SIZE], blk[SHA512_DIGEST_SIZE];
	size_t ll = strlen(label), hl = h->digest_size;
	hm_key(&m, h, secret, slen);
	hm_update(&m, ll, (const uint8_t *)label);      /* A(1) = HMAC(label + seed) */
	hm_update(&m, seedlen, seed);
	hm_digest(&m, hl, a);
	while (n) {
		hm_update(&m, hl, a);
		hm_update(&m, ll, (const uint8_t *)label);
		hm_update(&m, seedlen, seed);
		hm_digest(&m, hl, blk);
		size_t k = n < hl ? n : hl;
		memcpy(out, blk, k);
		out += k;
		n -= k;
		hm_update(&m, hl, a);               /* A(i+1) = HMAC(A(i)) */
		hm_digest(&m, hl, a);
	}
}

/* RFC 8446 §7.1: HKDF-Expand-Label(secret, label, "", n) */
static void expand_label(const struct nettle_hash *h, const uint8_t *secret, size_t slen,
			 const char *label, uint8_t *out, size_t n)
{
	uint8_t info[2 + 1 + 6 + 32 + 1];
	size_t ll = strlen(label), k = 0;
	info[k++] = (uint8_t)(n >> 8);
	info[k++] = (uint8_t)n;
	info[k++] = (uint8_t)(6 + ll);
	memcpy(info + k, "tls13 ", 6);
	k += 6;
	memcpy(info + k, label, ll);
	k += ll;
	info[k++] = 0;
	struct hmac_any m;
	hm_key(&m, h, secret, slen);
	hkdf_expand(&m, hm_update, hm_digest, h->digest_size, k, info, n, out);
}

static void cipher_key(struct tls_cipher *ci, const struct tls_suite *s, const uint8_t *key)
{
	if (s->kind == TK_GCM && s->key_len == 16)
		gcm_aes128_set_key(&ci->u.g128, key);
	else if (s->kind == TK_GCM)
		gcm_aes256_set_key(&ci->u.g256, key);
	else if (s->kind == TK_CHACHA)
		chacha_poly1305_set_key(&ci->u.cp, key);
	else if (s->key_len == 16)
		aes128_set_decrypt_key(&ci->u.a128, key);
	else
		aes256_set_decrypt_key(&ci->u.a256, key);
	ci->ready = true;
}

/* TLS 1.3: keys of an end from its current traffic secret (§7.3) */
static void keys13(struct tls_end *e)
{
	const struct tls_suite *s = e->c->suite;
	uint8_t key[32];
	expand_label(s->prf, e->secret, e->secret_len, "key", key, s->key_len);
	expand_label(s->prf, e->secret, e->secret_len, "iv", e->ci.iv, 12);
	cipher_key(&e->ci, s, key);
}

static bool is_client(const struct tls_end *e)
{
	return e->c->client == e->side;
}

/* Look the end's secret up (the key log is re-read once per miss, for a
 * live capture whose client writes it as it goes). */
static bool end_secret13(struct dis_ctx *d, struct tls_end *e, bool app)
{
	struct tls_conn *c = e->c;
	enum tls_secret w = is_client(e) ? (app ? TLS_KL_CTS0 : TLS_KL_CHTS)
					 : (app ? TLS_KL_STS0 : TLS_KL_SHTS);
	size_t n = 0;
	const uint8_t *s = tls_keylog_get(d->opt.tls_keylog, c->client_random, w, &n);
	if (!s) {
		tls_keylog_refresh(d->opt.tls_keylog);
		s = tls_keylog_get(d->opt.tls_keylog, c->client_random, w, &n);
	}
	if (!s || n != c->suite->prf->digest_size)
		return false;
	memcpy(e->secret, s, n);
	e->secret_len = n;
	keys13(e);
	return true;
}

/* TLS 1.2: the key block from the master secret (RFC 5246 §6.3) */
static bool end_keys12(struct dis_ctx *d, struct tls_end *e)
{
	struct tls_conn *c = e->c;
	const struct tls_suite *s = c->suite;
	size_t n = 0;
	const uint8_t *ms = tls_keylog_get(d->opt.tls_keylog, c->client_random, TLS_KL_MASTER, &n);
	if (!ms) {
		tls_keylog_refresh(d->opt.tls_keylog);
		ms = tls_keylog_get(d->opt.tls_keylog, c->client_random, TLS_KL_MASTER, &n);
	}
	if (!ms)
		return false;
	uint8_t seed[64], kb[2 * (48 + 32 + 12)];
	memcpy(seed, c->server_random, 32);
	memcpy(seed + 32, c->client_random, 32);
	size_t ml = s->kind == TK_CBC ? s->mac->digest_size : 0;
	size_t ivl = s->kind == TK_GCM ? 4 : s->kind == TK_CHACHA ? 12 : 0;
	size_t total = 2 * (ml + s->key_len + ivl);
	prf12(s->prf, ms, n, "key expansion", seed, 64, kb, total);
	int cl = is_client(e) ? 0 : 1;
	memcpy(e->ci.mac_key, kb + cl * ml, ml);
	cipher_key(&e->ci, s, kb + 2 * ml + cl * s->key_len);
	memcpy(e->ci.iv, kb + 2 * ml + 2 * s->key_len + cl * ivl, ivl);
	return true;
}

/* ---------------------------------------------------------------- records */

static void put_be64(uint8_t *b, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		b[i] = (uint8_t)v;
}

/* per-record nonce: the IV XOR the sequence number (RFC 8446 §5.3, RFC 7905 §2) */
static void xor_nonce(const struct tls_end *e, uint8_t nonce[12])
{
	uint8_t s[8];
	put_be64(s, e->seq);
	memcpy(nonce, e->ci.iv, 12);
	for (int i = 0; i < 8; i++)
		nonce[4 + i] ^= s[i];
}

/* AEAD open: aad, ciphertext ct[0..n), tag after it; plaintext to out */
static bool aead_open(struct tls_end *e, const uint8_t nonce[12], const uint8_t *aad, size_t alen,
		      const uint8_t *ct, size_t n, uint8_t *out)
{
	const struct tls_suite *s = e->c->suite;
	uint8_t tag[16];
	if (s->kind == TK_CHACHA) {
		chacha_poly1305_set_nonce(&e->ci.u.cp, nonce);
		chacha_poly1305_update(&e->ci.u.cp, alen, aad);
		chacha_poly1305_decrypt(&e->ci.u.cp, n, out, ct);
		chacha_poly1305_digest(&e->ci.u.cp, 16, tag);
	} else if (s->key_len == 16) {
		gcm_aes128_set_iv(&e->ci.u.g128, 12, nonce);
		gcm_aes128_update(&e->ci.u.g128, alen, aad);
		gcm_aes128_decrypt(&e->ci.u.g128, n, out, ct);
		gcm_aes128_digest(&e->ci.u.g128, 16, tag);
	} else {
		gcm_aes256_set_iv(&e->ci.u.g256, 12, nonce);
		gcm_aes256_update(&e->ci.u.g256, alen, aad);
		gcm_aes256_decrypt(&e->ci.u.g256, n, out, ct);
		gcm_aes256_digest(&e->ci.u.g256, 16, tag);
	}
	return memeql_sec(tag, ct + n, 16);
}

/* RFC 5246 §6.2.3.3 additional data / §6.2.3.1 MAC input header */
static void aad12(const struct tls_end *e, uint8_t type, uint16_t ver, size_t len, uint8_t a[13])
{
	put_be64(a, e->seq);
	a[8] = type;
	a[9] = (uint8_t)(ver >> 8);
	a[10] = (uint8_t)ver;
	a[11] = (uint8_t)(len >> 8);
	a[12] = (uint8_t)len;
}

static bool mac_ok(const struct tls_end *e, const uint8_t a[13], const uint8_t *p, size_t n,
		   const uint8_t *want)
{
	const struct nettle_hash *h = e->c->suite->mac;
	struct hmac_any m;
	uint8_t got[SHA512_DIGEST_SIZE];
	hm_key(&m, h, e->ci.mac_key, h->digest_size);
	hm_update(&m, 13, a);
	hm_update(&m, n, p);
	hm_digest(&m, h->digest_size, got);
	return memeql_sec(got, want, h->digest_size);
}

static void cbc_dec(struct tls_end *e, uint8_t iv[16], const uint8_t *src, size_t n, uint8_t *out)
{
	if (e->c->suite->key_len == 16)
		cbc_decrypt(&e->ci.u.a128, (nettle_cipher_func *)aes128_decrypt, 16, iv, n, out, src);
	else
		cbc_decrypt(&e->ci.u.a256, (nettle_cipher_func *)aes256_decrypt, 16, iv, n, out, src);
}

/* Strip and check CBC padding (RFC 5246 §6.2.3.2); the unpadded length or -1. */
static long cbc_unpad(const uint8_t *p, size_t n)
{
	if (!n)
		return -1;
	size_t pad = p[n - 1];
	if (pad + 1 > n)
		return -1;
	for (size_t i = n - 1 - pad; i < n; i++)
		if (p[i] != pad)
			return -1;
	return (long)(n - 1 - pad);
}

/* TLS 1.2 record body p[0..n) -> out[0..*on) */
static bool dec12(struct tls_end *e, uint8_t type, uint16_t ver, const uint8_t *p, size_t n,
		  uint8_t *out, size_t *on)
{
	const struct tls_suite *s = e->c->suite;
	uint8_t a[13], nonce[12];
	if (s->kind == TK_GCM) {            /* RFC 5288 §3: salt + explicit nonce */
		if (n < 8 + 16)
			return false;
		memcpy(nonce, e->ci.iv, 4);
		memcpy(nonce + 4, p, 8);
		*on = n - 24;
		aad12(e, type, ver, *on, a);
		return aead_open(e, nonce, a, 13, p + 8, *on, out);
	}
	if (s->kind == TK_CHACHA) {         /* RFC 7905 §2 */
		if (n < 16)
			return false;
		xor_nonce(e, nonce);
		*on = n - 16;
		aad12(e, type, ver, *on, a);
		return aead_open(e, nonce, a, 13, p, *on, out);
	}
	size_t ml = s->mac->digest_size;
	uint8_t iv[16];
	if (e->c->etm) {                    /* RFC 7366 §3: MAC over IV + ciphertext */
		if (n < 16 + 16 + ml || (n - ml) % 16)
			return false;
		size_t cl = n - ml;
		aad12(e, type, ver, cl, a);
		if (!mac_ok(e, a, p, cl, p + cl))
			return false;
		memcpy(iv, p, 16);
		cbc_dec(e, iv, p + 16, cl - 16, out);
		long u = cbc_unpad(out, cl - 16);
		if (u < 0)
			return false;
		*on = (size_t)u;
		return true;
	}
	if (n < 32 || n % 16)               /* MAC-then-encrypt, explicit IV */
		return false;
	memcpy(iv, p, 16);
	cbc_dec(e, iv, p + 16, n - 16, out);
	long u = cbc_unpad(out, n - 16);
	if (u < 0 || (size_t)u < ml)
		return false;
	*on = (size_t)u - ml;
	aad12(e, type, ver, *on, a);
	return mac_ok(e, a, out, *on, out + *on);
}

/* TLS 1.3 record (RFC 8446 §5.2): the inner content type goes to *itype */
static bool dec13(struct tls_end *e, const uint8_t hdr[5], const uint8_t *p, size_t n,
		  uint8_t *out, size_t *on, uint8_t *itype)
{
	uint8_t nonce[12];
	if (n < 17)
		return false;
	xor_nonce(e, nonce);
	if (!aead_open(e, nonce, hdr, 5, p, n - 16, out))
		return false;
	size_t k = n - 16;
	while (k && out[k - 1] == 0)        /* zero padding, then the type */
		k--;
	if (!k)
		return false;
	*itype = out[k - 1];
	*on = k - 1;
	return true;
}

static void epoch(struct tls_end *e, enum end_phase ph)
{
	e->phase = (uint8_t)ph;
	e->ci.ready = false;
	e->seq = 0;
}

/* ---------------------------------------------------------------- handshake */

static void server_hello(struct tls_end *e, struct cur c)
{
	struct tls_conn *conn = e->c;
	uint16_t ver = cur_be16(&c);
	const uint8_t *rnd = cur_take(&c, 32);
	uint8_t sl = cur_u8(&c);
	cur_skip(&c, sl);
	uint16_t suite = cur_be16(&c);
	cur_skip(&c, 1);
	if (c.bad || !rnd)
		return;
	if (memcmp(rnd, hrr_random, 32) == 0) {
		conn->hrr = true;               /* a second ClientHello follows */
		return;
	}
	if (conn->client < 0)
		conn->client = 1 - e->side;
	memcpy(conn->server_random, rnd, 32);
	conn->have_sr = true;
	conn->suite_id = suite;
	conn->version = ver;
	struct cur x = cur_sub(&c, cur_be16(&c));
	while (!c.bad && !x.bad && cur_left(&x) >= 4) {
		uint16_t et = cur_be16(&x);
		struct cur ed = cur_sub(&x, cur_be16(&x));
		if (et == 0x002b)               /* supported_versions: the selected one */
			conn->version = cur_be16(&ed);
		else if (et == 0x0016)
			conn->etm = true;       /* RFC 7366 */
		else if (et == 0x0017)
			conn->ems = true;       /* RFC 7627 */
		else if (et == 0x0010) {        /* ALPN: the one chosen (RFC 7301 §3.1) */
			struct cur l = cur_sub(&ed, cur_be16(&ed));
			uint8_t n = cur_u8(&l);
			const uint8_t *name = cur_take(&l, n);
			if (name && alpn_http(name, n) == 2)
				conn->alpn_srv_h2 = true;
		}
	}
	conn->tls13 = conn->version == 0x0304;
	conn->suite = suite_find(suite);
	if (conn->suite && conn->suite->tls13 != conn->tls13)
		conn->suite = NULL;
	if (conn->suite && !conn->tls13 && conn->version != 0x0303 && conn->suite->kind != TK_CBC)
		conn->suite = NULL;             /* AEAD suites exist from TLS 1.2 on */
	if (!conn->suite || conn->version < 0x0302)
		conn_fail(conn, TLS_FAIL_SUITE);
	if (conn->tls13) {                      /* everything after is encrypted */
		epoch(&conn->end[0], EP_HS);
		epoch(&conn->end[1], EP_HS);
	}
}

/* One ALPN name into the connection's offer (RFC 7301 §3.1). */
static void alpn_add(struct tls_conn *conn, const uint8_t *p, size_t n)
{
	int h = alpn_http(p, n);
	conn->alpn_offered = true;
	conn->alpn_other |= h == 0;
	conn->alpn_h2 |= h == 2;
	size_t k = strlen(conn->alpn);
	if (k && k + 1 < sizeof conn->alpn)
		conn->alpn[k++] = ',';
	for (size_t i = 0; i < n && k + 1 < sizeof conn->alpn; i++)
		conn->alpn[k++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
	conn->alpn[k] = 0;
}

/* ClientHello after the random (RFC 8446 §4.1.2): the ALPN offer and the
 * server name (RFC 6066 §3), kept to tell HTTPS from SIP.  A second
 * ClientHello (after a HelloRetryRequest) replaces the first's. */
static void client_hello_ext(struct tls_conn *conn, struct cur c)
{
	cur_skip(&c, cur_u8(&c));               /* legacy_session_id */
	cur_skip(&c, cur_be16(&c));             /* cipher_suites */
	cur_skip(&c, cur_u8(&c));               /* legacy_compression_methods */
	struct cur x = cur_sub(&c, cur_be16(&c));
	conn->alpn[0] = 0;
	conn->alpn_offered = conn->alpn_other = conn->alpn_h2 = conn->sni_sip = false;
	while (!c.bad && !x.bad && cur_left(&x) >= 4) {
		uint16_t et = cur_be16(&x);
		struct cur ed = cur_sub(&x, cur_be16(&x));
		if (et == 0x0010) {
			struct cur l = cur_sub(&ed, cur_be16(&ed));
			while (!l.bad && cur_left(&l)) {
				uint8_t n = cur_u8(&l);
				const uint8_t *name = cur_take(&l, n);
				if (name && n)
					alpn_add(conn, name, n);
			}
		} else if (et == 0x0000) {
			struct cur l = cur_sub(&ed, cur_be16(&ed));
			if (cur_u8(&l) != 0)    /* host_name */
				continue;
			uint16_t n = cur_be16(&l);
			const uint8_t *h = cur_take(&l, n);
			conn->sni_sip = h && n >= 3 && (h[0] | 0x20) == 's' && (h[1] | 0x20) == 'i' &&
					(h[2] | 0x20) == 'p';
		}
	}
}

static void hs_message(struct dis_ctx *d, struct tls_end *e, uint8_t type, struct cur c)
{
	struct tls_conn *conn = e->c;
	if (e->phase == EP_CLEAR && type == 1) {        /* ClientHello */
		cur_skip(&c, 2);
		const uint8_t *rnd = cur_take(&c, 32);
		if (!rnd)
			return;
		e->sent_hello = true;
		conn->client = e->side;
		memcpy(conn->client_random, rnd, 32);
		conn->have_cr = true;
		client_hello_ext(conn, c);
	} else if (e->phase == EP_CLEAR && type == 2 && !is_client(e)) {
		server_hello(e, c);
	} else if (e->phase == EP_HS && type == 20) {   /* Finished: application keys next */
		epoch(e, EP_APP);
	} else if (e->phase == EP_APP && type == 24 && conn->tls13 && e->secret_len) {
		/* RFC 8446 §4.6.3: the next secret, from this one */
		uint8_t ns[48];
		expand_label(conn->suite->prf, e->secret, e->secret_len, "traffic upd", ns,
			     e->secret_len);
		memcpy(e->secret, ns, e->secret_len);
		keys13(e);
		e->seq = 0;
		d->tls->st.key_updates++;
	}
}

/* Handshake bytes of one record: whole messages are read, a message
 * spread over records is joined first (bounded). */
static void hs_feed(struct dis_ctx *d, struct tls_end *e, const uint8_t *p, size_t n)
{
	if (!e->hs) {
		e->hs = malloc(TLS_HS_MAX);
		if (!e->hs)
			return;
	}
	if (n > TLS_HS_MAX - e->hslen) {
		e->hslen = 0;                   /* a message over the bound: give it up */
		return;
	}
	memcpy(e->hs + e->hslen, p, n);
	e->hslen += n;
	size_t off = 0;
	for (;;) {
		struct cur c = cur_make(e->hs + off, e->hslen - off);
		uint8_t type = cur_u8(&c);
		uint32_t len = (uint32_t)cur_u8(&c) << 16;
		len |= cur_be16(&c);
		if (c.bad)
			break;
		if (len > TLS_HS_MAX - 4) {
			off = e->hslen;
			break;
		}
		if (cur_left(&c) < len)
			break;
		uint8_t ph = e->phase;
		hs_message(d, e, type, cur_sub(&c, len));
		off += 4 + len;
		if (e->phase != ph) {
			off = e->hslen;         /* the rest is under other keys */
			break;
		}
	}
	memmove(e->hs, e->hs + off, e->hslen - off);
	e->hslen -= off;
}

/* Secrets for an end's current epoch, looked up when first needed. */
static bool end_ready(struct dis_ctx *d, struct tls_end *e)
{
	if (e->ci.ready)
		return true;
	struct tls_conn *c = e->c;
	if (!d->opt.tls_keylog) {
		conn_fail(c, TLS_FAIL_NO_KEYLOG);
		return false;
	}
	if (!c->have_cr) {
		conn_fail(c, TLS_FAIL_NO_HELLO);
		return false;
	}
	if (!c->suite) {
		conn_fail(c, TLS_FAIL_SUITE);
		return false;
	}
	bool ok = c->tls13 ? end_secret13(d, e, e->phase == EP_APP) : end_keys12(d, e);
	if (!ok)
		conn_fail(c, TLS_FAIL_NO_KEY);
	return ok;
}

static void record(struct dis_ctx *d, struct tls_end *e, const uint8_t *hdr, const uint8_t *p,
		   size_t n, tls_sink sink, void *ctx)
{
	struct tls_table *t = d->tls;
	struct tls_conn *c = e->c;
	uint8_t type = hdr[0];
	uint16_t ver = (uint16_t)(hdr[1] << 8 | hdr[2]);
	t->st.records++;
	if (e->phase == EP_CLEAR) {
		if (type == 22) {
			hs_feed(d, e, p, n);
		} else if (type == 20 && !c->tls13) {
			epoch(e, EP_APP);       /* ChangeCipherSpec: keys from here on */
		} else if (type == 23) {
			e->enc_seen = true;     /* data before any handshake we saw */
			conn_fail(c, TLS_FAIL_NO_HELLO);
		}
		return;
	}
	if (type == 20)
		return;                         /* TLS 1.3 middlebox compatibility CCS */
	if (type == 23)
		e->enc_seen = true;
	if (!end_ready(d, e)) {
		e->seq++;
		return;
	}
	uint8_t itype = type;
	size_t on = 0;
	bool ok;
	if (c->tls13) {
		ok = dec13(e, hdr, p, n, t->out, &on, &itype);
		if (!ok && e->phase == EP_HS) {
			/* the Finished went by unseen: try the application keys */
			struct tls_end keep = *e;
			epoch(e, EP_APP);
			ok = end_ready(d, e) && dec13(e, hdr, p, n, t->out, &on, &itype);
			if (!ok)
				*e = keep;
		}
	} else {
		ok = dec12(e, type, ver, p, n, t->out, &on);
	}
	e->seq++;
	if (!ok) {
		t->st.decrypt_failures++;
		conn_fail(c, TLS_FAIL_MAC);
		return;
	}
	if (itype == 23) {
		c->decrypted = true;
		t->st.plaintext_bytes += on;
		if (on)
			sink(ctx, t->out, on);
	} else if (itype == 22 && c->tls13) {
		hs_feed(d, e, t->out, on);
	}
}

/* The record layer lost its footing: the rest of this direction is
 * dropped (record boundaries cannot be found again). */
static void end_give_up(struct tls_end *e, uint64_t *counter)
{
	(*counter)++;
	conn_fail(e->c, TLS_FAIL_BAD_RECORD);
	e->broken = true;
	e->rlen = 0;
	e->enc_seen = true;
}

void tls_feed(struct dis_ctx *d, struct tls_end *e, const uint8_t *p, size_t n, tls_sink sink,
	      void *ctx)
{
	if (!e || e->broken || !d->tls)
		return;
	struct tls_table *t = d->tls;
	while (n) {
		if (e->rcap < 5 + TLS_RECORD_MAX) {
			uint8_t *nb = realloc(e->rec, 5 + TLS_RECORD_MAX);
			if (!nb)
				return;
			e->rec = nb;
			e->rcap = 5 + TLS_RECORD_MAX;
		}
		size_t want = 5;
		if (e->rlen >= 5) {
			struct cur h = cur_make(e->rec, 5);
			cur_skip(&h, 3);
			want = 5 + (size_t)cur_be16(&h);
		}
		size_t k = want - e->rlen < n ? want - e->rlen : n;
		memcpy(e->rec + e->rlen, p, k);
		e->rlen += k;
		p += k;
		n -= k;
		if (e->rlen < want)
			break;
		if (want == 5) {                /* a header: is it one? */
			struct cur h = cur_make(e->rec, 5);
			uint8_t type = cur_u8(&h), major = cur_u8(&h), minor = cur_u8(&h);
			uint16_t len = cur_be16(&h);
			if (type < 20 || type > 24 || major != 3 || minor > 4) {
				end_give_up(e, &t->st.bad_records);
				return;
			}
			if (len > TLS_RECORD_MAX) {     /* RFC 5246 §6.2.3 bound */
				end_give_up(e, &t->st.oversize_records);
				return;
			}
			if (len)
				continue;
		}
		record(d, e, e->rec, e->rec + 5, e->rlen - 5, sink, ctx);
		e->rlen = 0;
	}
}
