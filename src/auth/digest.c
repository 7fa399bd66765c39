/* SPDX-License-Identifier: GPL-2.0-or-later */
/* digest.c - digest responses (RFC 2617 §3.2.2, RFC 7616 §3.4) and their
 * verification against the credentials store; see digest.h. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <nettle/md5.h>
#include <nettle/sha2.h>
#include <nettle/nettle-meta.h>

#include "cred.h"
#include "digest.h"
#include "escape.h"

/* ------------------------------------------------------------ algorithms */

static const struct {
	const char *name;
	bool sess;
} dg_algs[] = {
	[DG_ALG_MD5]             = { "MD5", false },
	[DG_ALG_MD5_SESS]        = { "MD5-sess", true },
	[DG_ALG_SHA256]          = { "SHA-256", false },
	[DG_ALG_SHA256_SESS]     = { "SHA-256-sess", true },
	[DG_ALG_SHA512_256]      = { "SHA-512-256", false },
	[DG_ALG_SHA512_256_SESS] = { "SHA-512-256-sess", true },
};

enum dg_alg dg_alg_parse(const char *name)
{
	if (!name || !*name)
		return DG_ALG_MD5;      /* RFC 2617 §3.2.1: absent means MD5 */
	for (size_t i = 0; i < sizeof dg_algs / sizeof dg_algs[0]; i++)
		if (strcasecmp(name, dg_algs[i].name) == 0)
			return (enum dg_alg)i;
	return DG_ALG_UNKNOWN;
}

const char *dg_alg_name(enum dg_alg a)
{
	return (unsigned)a < DG_ALG_UNKNOWN ? dg_algs[a].name : "unknown";
}

bool dg_alg_is_sess(enum dg_alg a)
{
	return (unsigned)a < DG_ALG_UNKNOWN && dg_algs[a].sess;
}

static const struct nettle_hash *alg_hash(enum dg_alg a)
{
	switch (a) {
	case DG_ALG_MD5:
	case DG_ALG_MD5_SESS:
		return &nettle_md5;
	case DG_ALG_SHA256:
	case DG_ALG_SHA256_SESS:
		return &nettle_sha256;
	case DG_ALG_SHA512_256:
	case DG_ALG_SHA512_256_SESS:
		return &nettle_sha512_256;
	default:
		return NULL;
	}
}

size_t dg_alg_hexlen(enum dg_alg a)
{
	const struct nettle_hash *h = alg_hash(a);

	return h ? 2 * h->digest_size : 0;
}

/* ------------------------------------------------------------ hashing */

/* one running hash; the union gives nettle's context room and alignment */
struct dg_h {
	const struct nettle_hash *h;
	union {
		struct md5_ctx md5;
		struct sha256_ctx sha256;
		struct sha512_ctx sha512;
	} ctx;
};

static void h_init(struct dg_h *s, const struct nettle_hash *h)
{
	s->h = h;
	h->init(&s->ctx);
}

static void h_mem(struct dg_h *s, const void *p, size_t n)
{
	s->h->update(&s->ctx, n, p);
}

static void h_str(struct dg_h *s, const char *str)
{
	h_mem(s, str, strlen(str));
}

static void h_colon(struct dg_h *s)
{
	h_mem(s, ":", 1);
}

/* finish into lower-case hex; the context held secret-derived state */
static void h_hex(struct dg_h *s, char out[DG_HEX_MAX])
{
	static const char hx[] = "0123456789abcdef";
	uint8_t d[32];
	size_t n = s->h->digest_size;

	s->h->digest(&s->ctx, n, d);
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hx[d[i] >> 4];
		out[2 * i + 1] = hx[d[i] & 15];
	}
	out[2 * n] = '\0';
	explicit_bzero(d, sizeof d);
	explicit_bzero(&s->ctx, sizeof s->ctx);
}

enum dg_rc dg_hash_hex(enum dg_alg a, const void *data, size_t len, char out[DG_HEX_MAX])
{
	const struct nettle_hash *h = alg_hash(a);
	struct dg_h s;

	if (!h)
		return DG_E_UNSUPPORTED;
	h_init(&s, h);
	if (len)
		h_mem(&s, data, len);
	h_hex(&s, out);
	return DG_OK;
}

/* qop as sent -> 0 none, 1 auth, 2 auth-int, -1 unknown */
static int qop_kind(const char *qop)
{
	if (!qop || !*qop)
		return 0;
	if (strcasecmp(qop, "auth") == 0)
		return 1;
	if (strcasecmp(qop, "auth-int") == 0)
		return 2;
	return -1;
}

enum dg_rc dg_compute(const struct dg_input *in, char out[DG_HEX_MAX])
{
	const struct nettle_hash *h = alg_hash(in->alg);
	char ha1[DG_HEX_MAX], ha2[DG_HEX_MAX], hbody[DG_HEX_MAX];
	struct dg_h s;
	int qk = qop_kind(in->qop);
	size_t hexlen;

	out[0] = '\0';
	if (!h || qk < 0)
		return DG_E_UNSUPPORTED;
	if (!in->method || !in->uri || !in->nonce)
		return DG_E_INCOMPLETE;
	if (!in->ha1 && (!in->username || !in->realm || !in->password))
		return DG_E_INCOMPLETE;
	if ((qk > 0 && (!in->cnonce || !in->nc)) || (dg_alg_is_sess(in->alg) && !in->cnonce))
		return DG_E_INCOMPLETE;
	hexlen = 2 * h->digest_size;

	/* HA1 = H(username:realm:password), or the stored one */
	if (in->ha1) {
		if (strlen(in->ha1) != hexlen)
			return DG_E_BAD_HA1;
		for (size_t i = 0; i < hexlen; i++) {
			char c = in->ha1[i];
			if (c >= 'A' && c <= 'F')
				c = (char)(c - 'A' + 'a');
			if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
				explicit_bzero(ha1, sizeof ha1);
				return DG_E_BAD_HA1;
			}
			ha1[i] = c;
		}
		ha1[hexlen] = '\0';
	} else {
		h_init(&s, h);
		h_str(&s, in->username);
		h_colon(&s);
		h_str(&s, in->realm);
		h_colon(&s);
		h_str(&s, in->password);
		h_hex(&s, ha1);
	}
	/* -sess: HA1 = H(H(username:realm:password):nonce:cnonce) */
	if (dg_alg_is_sess(in->alg)) {
		h_init(&s, h);
		h_str(&s, ha1);
		h_colon(&s);
		h_str(&s, in->nonce);
		h_colon(&s);
		h_str(&s, in->cnonce);
		h_hex(&s, ha1);
	}

	/* HA2 = H(method:uri) or, auth-int, H(method:uri:H(body)) */
	h_init(&s, h);
	h_str(&s, in->method);
	h_colon(&s);
	h_str(&s, in->uri);
	if (qk == 2) {
		dg_hash_hex(in->alg, in->body, in->body ? in->body_len : 0, hbody);
		h_colon(&s);
		h_str(&s, hbody);
	}
	h_hex(&s, ha2);

	/* response = H(HA1:nonce:nc:cnonce:qop:HA2), RFC 2069: H(HA1:nonce:HA2) */
	h_init(&s, h);
	h_str(&s, ha1);
	h_colon(&s);
	h_str(&s, in->nonce);
	h_colon(&s);
	if (qk > 0) {
		h_str(&s, in->nc);
		h_colon(&s);
		h_str(&s, in->cnonce);
		h_colon(&s);
		h_str(&s, in->qop);
		h_colon(&s);
	}
	h_str(&s, ha2);
	h_hex(&s, out);
	explicit_bzero(ha1, sizeof ha1);
	return DG_OK;
}

/* ------------------------------------------------------------ verification */

void dg_hints_from_msg(const struct sip_msg *m, const char *chal_realm, struct dg_hints *h)
{
	memset(h, 0, sizeof *h);
	h->chal_realm = chal_realm;
	if (!m)
		return;
	h->ruri = m->ruri;
	h->to_uri = m->to_uri;
	h->from_user = m->from_user;
	h->to_user = m->to_user;
}

/* Candidate lists are pointer arrays (never copies of captured text). */
#define DG_MAX_EXTRA_REALMS 8
#define DG_MAX_CAND (4 + DG_MAX_EXTRA_REALMS)

struct cand {
	const char *v[DG_MAX_CAND];
	size_t n;
};

/* add s unless already there; ASIS adds it even when NULL or empty (a
 * value as sent; NULL qop = "no qop"), else NULL and "" (unknown hints)
 * are skipped */
static void cand_add(struct cand *c, const char *s, bool asis)
{
	if (c->n == DG_MAX_CAND)
		return;
	if (!asis && (!s || !*s))
		return;
	for (size_t i = 0; i < c->n; i++) {
		if (c->v[i] == s || (c->v[i] && s && strcmp(c->v[i], s) == 0))
			return;
	}
	c->v[c->n++] = s;
}

static bool str_eq(const char *a, const char *b)
{
	if (!a || !*a)
		return !b || !*b;
	return b && strcmp(a, b) == 0;
}

static unsigned popcount(unsigned v)
{
	unsigned n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

/* What one dg_verify call tries, and the best match so far. */
struct vctx {
	const struct sip_cred *c;
	const char *method;
	const uint8_t *body;
	size_t body_len;
	enum dg_alg alg;
	struct cand users, realms, uris, qops;
	struct dg_result *out;
	bool found;
	unsigned best_bits;
};

/* Try every candidate combination with one stored entry. */
static void try_entry(struct vctx *v, const struct cred_entry *e, bool any_realm)
{
	const struct sip_cred *c = v->c;
	struct dg_result *r = v->out;
	struct cand realms = v->realms;
	struct cand one_user = { .v = { c->username }, .n = 1 };
	struct cand one_realm = { .n = 1 };
	const struct cand *users, *rl;

	if (e->ha1) {
		/* an HA1 fixes username and realm */
		one_realm.v[0] = e->realm;
		users = &one_user;
		rl = &one_realm;
	} else {
		if (e->realm && !any_realm)
			cand_add(&realms, e->realm, false);
		users = &v->users;
		rl = &realms;
	}
	for (size_t iu = 0; iu < users->n; iu++)
	for (size_t ir = 0; ir < rl->n; ir++)
	for (size_t iq = 0; iq < v->qops.n; iq++)
	for (size_t ii = 0; ii < v->uris.n; ii++) {
		unsigned bits = 0;
		char resp[DG_HEX_MAX];
		struct dg_input in = {
			.alg = v->alg,
			.username = users->v[iu], .realm = rl->v[ir],
			.password = e->password, .ha1 = e->ha1,
			.method = v->method, .uri = v->uris.v[ii],
			.nonce = c->nonce, .cnonce = c->cnonce, .nc = c->nc,
			.qop = v->qops.v[iq],
			.body = v->body, .body_len = v->body_len,
		};

		if (!str_eq(in.username, r->ref_username))
			bits |= DG_VAR_USERNAME;
		if (!str_eq(in.realm, r->ref_realm))
			bits |= DG_VAR_REALM;
		if (!str_eq(in.uri, r->ref_uri))
			bits |= DG_VAR_URI;
		if (!str_eq(in.qop, r->ref_qop))
			bits |= DG_VAR_QOP;
		if (v->found && popcount(bits) >= popcount(v->best_bits))
			continue;
		if (dg_compute(&in, resp) != DG_OK)
			continue;
		if (strcasecmp(resp, c->response) != 0)
			continue;
		v->found = true;
		v->best_bits = bits;
		r->username = in.username;
		r->realm = in.realm;
		r->uri = in.uri;
		r->qop = in.qop;
		r->cred_line = e->line;
		if (bits == 0)
			return;
	}
}

/* The response the server expects (reference fields) with entry e. */
static void expected_with(struct vctx *v, const struct cred_entry *e)
{
	const struct sip_cred *c = v->c;
	struct dg_result *r = v->out;
	struct dg_input in = {
		.alg = v->alg,
		.username = r->ref_username,
		.realm = e->ha1 ? e->realm : r->ref_realm,
		.password = e->password, .ha1 = e->ha1,
		.method = v->method, .uri = r->ref_uri,
		.nonce = c->nonce, .cnonce = c->cnonce, .nc = c->nc, .qop = r->ref_qop,
		.body = v->body, .body_len = v->body_len,
	};

	if (dg_compute(&in, r->expected) != DG_OK)
		r->expected[0] = '\0';
}

static bool entry_usable(const struct cred_entry *e, enum dg_alg alg)
{
	return e->password || (e->ha1 && strlen(e->ha1) == dg_alg_hexlen(alg));
}

static enum dg_status finish(struct dg_result *r, enum dg_status s)
{
	r->status = s;
	return s;
}

enum dg_status dg_verify(const struct cred_store *store, const struct sip_cred *c,
			 const char *method, const uint8_t *body, size_t body_len,
			 const struct dg_hints *hints, struct dg_result *out)
{
	static const struct dg_hints no_hints;
	const struct cred_entry *ents[2] = { NULL, NULL };
	size_t nents[2] = { 0, 0 };
	const struct cred_entry *first_usable = NULL;
	struct vctx v;
	const char *at;
	int qk;

	memset(out, 0, sizeof *out);
	out->alg = DG_ALG_UNKNOWN;
	if (!hints)
		hints = &no_hints;
	if (!c) {
		out->missing = "credentials";
		return finish(out, DG_INCOMPLETE);
	}
	if (c->scheme && strcasecmp(c->scheme, "Digest") != 0) {
		out->missing = "scheme";
		out->value = c->scheme;
		return finish(out, DG_UNSUPPORTED);
	}
	out->alg = dg_alg_parse(c->algorithm);
	if (out->alg == DG_ALG_UNKNOWN) {
		out->missing = "algorithm";
		out->value = c->algorithm;
		return finish(out, DG_UNSUPPORTED);
	}
	qk = qop_kind(c->qop);
	if (qk < 0) {
		out->missing = "qop";
		out->value = c->qop;
		return finish(out, DG_UNSUPPORTED);
	}
	/* first missing field, in header order */
	{
		const struct { const char *name, *val; bool need; } req[] = {
			{ "username", c->username, true },
			{ "realm", c->realm, true },
			{ "nonce", c->nonce, true },
			{ "uri", c->uri, true },
			{ "response", c->response, true },
			{ "cnonce", c->cnonce, qk > 0 || dg_alg_is_sess(out->alg) },
			{ "nc", c->nc, qk > 0 },
			{ "method", method, true },
		};
		for (size_t i = 0; i < sizeof req / sizeof req[0]; i++) {
			if (req[i].need && !req[i].val) {
				out->missing = req[i].name;
				return finish(out, DG_INCOMPLETE);
			}
		}
	}
	out->ref_username = c->username;
	out->ref_realm = hints->chal_realm && *hints->chal_realm ? hints->chal_realm : c->realm;
	out->ref_uri = c->uri;
	out->ref_qop = qk ? c->qop : NULL;     /* "" counts as absent */

	/* entries for username=, then (auth username holding '@') for the part
	 * before the last '@' with that realm */
	nents[0] = cred_lookup(store, c->username, strlen(c->username), &ents[0]);
	at = strrchr(c->username, '@');
	if (at && at != c->username)
		nents[1] = cred_lookup(store, c->username, (size_t)(at - c->username), &ents[1]);

	memset(&v, 0, sizeof v);
	v.c = c;
	v.method = method;
	v.body = body;
	v.body_len = body_len;
	v.alg = out->alg;
	v.out = out;
	cand_add(&v.users, c->username, true);
	cand_add(&v.users, hints->from_user, false);
	cand_add(&v.users, hints->to_user, false);
	cand_add(&v.realms, out->ref_realm, true);
	cand_add(&v.realms, c->realm, true);
	for (size_t i = 0; hints->realms && i < hints->nrealms && i < DG_MAX_EXTRA_REALMS; i++)
		cand_add(&v.realms, hints->realms[i], false);
	cand_add(&v.uris, c->uri, true);
	cand_add(&v.uris, hints->ruri, false);
	cand_add(&v.uris, hints->to_uri, false);
	cand_add(&v.qops, out->ref_qop, true);
	if (qk)
		cand_add(&v.qops, NULL, true);          /* hashed as RFC 2069 */
	else if (c->cnonce && *c->cnonce && c->nc && *c->nc)
		cand_add(&v.qops, "auth", false);       /* qop= dropped from the header */

	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i < nents[k]; i++) {
			const struct cred_entry *e = &ents[k][i];
			int any_realm = 0;

			if (!cred_entry_matches(e, c->username, &any_realm))
				continue;
			if (!entry_usable(e, v.alg))
				continue;
			if (!first_usable)
				first_usable = e;
			try_entry(&v, e, any_realm != 0);
			if (v.found && v.best_bits == 0)
				return finish(out, DG_MATCH);
		}
	}
	if (!first_usable)
		return finish(out, DG_NO_CREDS);
	expected_with(&v, first_usable);
	if (!v.found) {
		out->username = out->realm = out->uri = out->qop = NULL;
		return finish(out, DG_BADPW);
	}
	out->variant = v.best_bits;
	return finish(out, DG_VARIANT);
}

/* ------------------------------------------------------------ description */

struct sbuf {
	char *p;
	size_t n, len;
};

/* append, truncating; b->n > 0 and b->len < b->n always */
static void sb_raw(struct sbuf *b, const char *s)
{
	for (; *s && b->len + 1 < b->n; s++)
		b->p[b->len++] = *s;
	b->p[b->len] = '\0';
}

/* captured text, quoted, escaped by rt_escape straight into the buffer */
static void sb_text(struct sbuf *b, const char *s)
{
	sb_raw(b, "'");
	if (b->len + 1 < b->n) {
		rt_escape(s ? s : "", b->p + b->len, b->n - b->len);
		b->len += strlen(b->p + b->len);
	}
	sb_raw(b, "'");
}

char *dg_result_describe(const struct dg_result *r, char *buf, size_t n)
{
	struct sbuf b = { buf, n, 0 };
	char line[32];

	if (!buf || !n)
		return buf;
	buf[0] = '\0';
	switch (r->status) {
	case DG_MATCH:
		sb_raw(&b, "digest response matches the stored credentials");
		break;
	case DG_BADPW:
		sb_raw(&b, "wrong password: no username/realm/uri/qop variant matches the stored credentials for ");
		sb_text(&b, r->ref_username);
		break;
	case DG_VARIANT:
		sb_raw(&b, "password correct, but the UA hashed with");
		if (r->variant & DG_VAR_USERNAME) {
			sb_raw(&b, " username ");
			sb_text(&b, r->username);
			sb_raw(&b, " (username= is ");
			sb_text(&b, r->ref_username);
			sb_raw(&b, ")");
		}
		if (r->variant & DG_VAR_REALM) {
			sb_raw(&b, " realm ");
			sb_text(&b, r->realm);
			sb_raw(&b, " (server realm ");
			sb_text(&b, r->ref_realm);
			sb_raw(&b, ")");
		}
		if (r->variant & DG_VAR_URI) {
			sb_raw(&b, " uri ");
			sb_text(&b, r->uri);
			sb_raw(&b, " (uri= is ");
			sb_text(&b, r->ref_uri);
			sb_raw(&b, ")");
		}
		if (r->variant & DG_VAR_QOP) {
			if (r->qop) {
				sb_raw(&b, " qop ");
				sb_text(&b, r->qop);
				sb_raw(&b, " (no qop= sent)");
			} else {
				sb_raw(&b, " no qop (RFC 2069 form; qop= is ");
				sb_text(&b, r->ref_qop);
				sb_raw(&b, ")");
			}
		}
		break;
	case DG_NO_CREDS:
		sb_raw(&b, "no password or usable HA1 for user ");
		sb_text(&b, r->ref_username);
		sb_raw(&b, " in the credentials file");
		break;
	case DG_UNSUPPORTED:
		sb_raw(&b, "cannot check: unsupported ");
		sb_raw(&b, r->missing ? r->missing : "input");
		sb_raw(&b, " ");
		sb_text(&b, r->value);
		break;
	case DG_INCOMPLETE:
		sb_raw(&b, "cannot check: credentials lack ");
		sb_raw(&b, r->missing ? r->missing : "a field");
		break;
	}
	if ((r->status == DG_MATCH || r->status == DG_VARIANT) && r->cred_line) {
		snprintf(line, sizeof line, " (credentials line %u)", r->cred_line);
		sb_raw(&b, line);
	}
	return buf;
}
