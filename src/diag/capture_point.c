/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capture_point.c - capture-point inference and the addressing/timing
 * helpers of the time, NAT and GB rules.  See capture_point.h. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "capture_point.h"

/* ---------------------------------------------------------------- helpers */

bool cp_ip_loopback(const struct rt_addr *a)
{
	static const uint8_t v6lo[16] = { [15] = 1 };
	if (a->family == 4)
		return a->ip[0] == 127;
	return a->family == 6 && memcmp(a->ip, v6lo, 16) == 0;
}

bool cp_ip_public(const struct rt_addr *a)
{
	static const uint8_t zero[16] = { 0 };
	if (a->family != 4 && a->family != 6)
		return false;
	if (rt_ip_is_private(a) || cp_ip_loopback(a))
		return false;
	if (a->family == 4)
		return a->ip[0] != 0 && a->ip[0] < 224;
	return a->ip[0] != 0xff && memcmp(a->ip, zero, 16) != 0;
}

bool cp_is_ip(const char *s)
{
	struct rt_addr a;
	char b[64];
	if (!s || !*s)
		return false;
	size_t l = strlen(s);
	if (s[0] == '[' && l > 2 && s[l - 1] == ']') {
		s++;
		l -= 2;
	}
	if (l >= sizeof b)
		return false;
	memcpy(b, s, l);
	b[l] = 0;
	return rt_ip_parse(b, &a);
}

static bool parse_ip(const char *s, struct rt_addr *a)
{
	char b[64];
	if (!s)
		return false;
	size_t l = strlen(s);
	if (l > 2 && s[0] == '[' && s[l - 1] == ']') {
		s++;
		l -= 2;
	}
	if (l == 0 || l >= sizeof b)
		return false;
	memcpy(b, s, l);
	b[l] = 0;
	return rt_ip_parse(b, a);
}

int cp_default_port(const struct sip_msg *m)
{
	const char *p = m ? m->via_proto : NULL;
	if (p && (strcasecmp(p, "TLS") == 0 || strcasecmp(p, "WSS") == 0))
		return 5061;
	return 5060;
}

bool cp_sent_by(const struct sip_msg *req, struct rt_addr *out)
{
	if (!req || !parse_ip(req->via_host, out))
		return false;
	out->port = (uint16_t)(req->via_port > 0 && req->via_port < 65536 ? req->via_port
						 : cp_default_port(req));
	return true;
}

bool cp_nat_on_req(const struct txn *t, char *what, size_t n)
{
	char a[RT_ADDR_STRLEN], b[RT_ADDR_STRLEN];
	struct rt_addr sb;
	const struct sip_msg *q = t ? t->req : NULL;
	if (what && n)
		what[0] = 0;
	if (!q || !cp_sent_by(q, &sb) || cp_ip_loopback(&q->src))
		return false;
	if (!rt_ip_eq(&sb, &q->src)) {
		if (what)
			snprintf(what, n, "Via sent-by %s but source %s", rt_addr_str(&sb, a, sizeof a),
				 rt_addr_str(&q->src, b, sizeof b));
		return true;
	}
	if (q->transport == RT_TP_UDP && sb.port != q->src.port) {
		if (what)
			snprintf(what, n, "Via sent-by %s but source port %u", rt_addr_str(&sb, a, sizeof a),
				 q->src.port);
		return true;
	}
	for (size_t i = 0; i < t->resps.n; i++) {
		const struct sip_msg *r = t->resps.v[i];
		struct rt_addr rc;
		if (r->via_received && parse_ip(r->via_received, &rc) && !rt_ip_eq(&rc, &sb)) {
			if (what)
				snprintf(what, n, "the %d answered with received=%s for sent-by %s", r->status,
					 rt_ip_str(&rc, a, sizeof a), rt_addr_str(&sb, b, sizeof b));
			return true;
		}
		if (q->transport == RT_TP_UDP && r->via_rport > 0 && r->via_rport != sb.port) {
			if (what)
				snprintf(what, n, "the %d answered with rport=%d for sent-by %s", r->status,
					 r->via_rport, rt_addr_str(&sb, b, sizeof b));
			return true;
		}
	}
	return false;
}

static long grant_scan(struct diag_ctx *c, const struct txn *t, int ci, bool *listed);


/* Contact URI -> aor_contact_key(), by the URI's address (the model's text
 * does not move); emptied when the rules move to another AOR. */
struct cp_keys {
	size_t lo, hi;                  /* the AOR range it was filled for */
	size_t n, cap;                  /* cap: power of 2 */
	struct cp_key {
		const char *uri;
		char *key;              /* NULL: no key (aor_contact_key gave none) */
	} *v;
	/* cp_grant_ctx() answers for the AOR's transactions: (t, ci) -> grant */
	size_t gn, gcap;
	struct cp_grant_memo {
		const struct txn *t;
		int ci;
		bool listed;
		long grant;
	} *g;
};

/* The capture point's part of a diagnosis run (diag_ctx.cp): the
 * inference, made once, and the Contact key memo of the AORs being
 * diagnosed. */
struct diag_cp_state {
	bool inferred;
	struct cp_info info;
	struct cp_keys *keys;
};

/* c's state, made on first use; NULL without a context or memory. */
static struct diag_cp_state *cp_state(struct diag_ctx *c)
{
	if (c && !c->cp)
		c->cp = calloc(1, sizeof *c->cp);
	return c ? c->cp : NULL;
}

static void cp_keys_free(struct cp_keys *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < k->cap; i++)
		free(k->v[i].key);
	free(k->v);
	free(k->g);
	free(k);
}

void diag_cp_free(struct diag_cp_state *s)
{
	if (!s)
		return;
	cp_keys_free(s->keys);
	free(s);
}

static void keys_clear(struct cp_keys *k)
{
	for (size_t i = 0; i < k->cap; i++) {
		free(k->v[i].key);
		k->v[i].uri = NULL;
		k->v[i].key = NULL;
	}
	k->n = 0;
	if (k->g)
		memset(k->g, 0, k->gcap * sizeof *k->g);
	k->gn = 0;
}

/* The memo of c, made on first use and emptied when the rules moved to
 * other AORs (or it grew large); NULL without memory. */
static struct cp_keys *keys_for(struct diag_ctx *c)
{
	struct diag_cp_state *s = cp_state(c);
	if (!s)
		return NULL;
	struct cp_keys *k = s->keys;
	if (!k) {
		k = s->keys = calloc(1, sizeof *k);
		if (!k)
			return NULL;
	} else if (k->lo != c->aor_lo || k->hi != c->aor_hi || k->n >= 4096 || k->gn >= 4096) {
		keys_clear(k);
	}
	k->lo = c->aor_lo;
	k->hi = c->aor_hi;
	return k;
}

static size_t grant_slot(const struct txn *t, int ci, size_t cap)
{
	uint64_t h = diag_hash_mix((uint64_t)(uintptr_t)t ^ diag_hash_mix((uint64_t)(unsigned)ci + 1));
	return (size_t)h & (cap - 1);
}

/* The memo entry of (t, ci): found (*hit) or a free one; NULL without memory. */
static struct cp_grant_memo *grant_memo(struct cp_keys *k, const struct txn *t, int ci, bool *hit)
{
	*hit = false;
	if (!k)
		return NULL;
	if (2 * (k->gn + 1) > k->gcap) {
		size_t nc = k->gcap ? k->gcap * 2 : 64;
		struct cp_grant_memo *nv = calloc(nc, sizeof *nv);
		if (!nv)
			return NULL;
		for (size_t i = 0; i < k->gcap; i++) {
			if (!k->g[i].t)
				continue;
			size_t h = grant_slot(k->g[i].t, k->g[i].ci, nc);
			while (nv[h].t)
				h = (h + 1) & (nc - 1);
			nv[h] = k->g[i];
		}
		free(k->g);
		k->g = nv;
		k->gcap = nc;
	}
	size_t h = grant_slot(t, ci, k->gcap);
	while (k->g[h].t) {
		if (k->g[h].t == t && k->g[h].ci == ci) {
			*hit = true;
			return &k->g[h];
		}
		h = (h + 1) & (k->gcap - 1);
	}
	return &k->g[h];
}

static size_t key_slot(const char *uri, size_t cap)
{
	return (size_t)diag_hash_mix((uint64_t)(uintptr_t)uri) & (cap - 1);
}

/* The key of uri; *fresh set when it was made for this call only (the
 * caller frees it: out of memory for the table). */
static const char *contact_key(struct cp_keys *k, const char *uri, char **fresh)
{
	*fresh = NULL;
	if (!k)
		return *fresh = aor_contact_key(uri);
	if (2 * (k->n + 1) > k->cap) {
		size_t nc = k->cap ? k->cap * 2 : 64;
		struct cp_key *nv = calloc(nc, sizeof *nv);
		if (!nv)
			return *fresh = aor_contact_key(uri);
		for (size_t i = 0; i < k->cap; i++) {
			if (!k->v[i].uri)
				continue;
			size_t h = key_slot(k->v[i].uri, nc);
			while (nv[h].uri)
				h = (h + 1) & (nc - 1);
			nv[h] = k->v[i];
		}
		free(k->v);
		k->v = nv;
		k->cap = nc;
	}
	size_t h = key_slot(uri, k->cap);
	while (k->v[h].uri) {
		if (k->v[h].uri == uri)
			return k->v[h].key;
		h = (h + 1) & (k->cap - 1);
	}
	k->v[h].uri = uri;
	k->v[h].key = aor_contact_key(uri);
	k->n++;
	return k->v[h].key;
}

bool cp_contact_match_ctx(struct diag_ctx *c, const struct sip_contact *qc,
			  const struct sip_contact *rc)
{
	if (!qc || !rc || !qc->uri || !rc->uri)
		return false;
	if (qc->instance && rc->instance && strcmp(qc->instance, rc->instance) == 0) {
		if (!qc->reg_id || !rc->reg_id || strcmp(qc->reg_id, rc->reg_id) == 0)
			return true;
	}
	/* without a context (or memory) the keys are made for this call only;
	 * the memo is reset only here, so ka stays valid while kb is looked up */
	struct cp_keys *k = c ? keys_for(c) : NULL;
	char *fa, *fb;
	const char *ka = contact_key(k, qc->uri, &fa);
	const char *kb = contact_key(k, rc->uri, &fb);
	bool eq = ka && kb && strcmp(ka, kb) == 0;
	free(fa);
	free(fb);
	return eq;
}


long cp_grant_ctx(struct diag_ctx *c, const struct txn *t, int ci, bool *listed)
{
	if (listed)
		*listed = false;
	if (!t || !t->req || !t->final || t->final_status < 200 || t->final_status >= 300 ||
	    ci < 0 || ci >= t->req->ncontacts)
		return -1;
	struct cp_keys *k = keys_for(c);
	bool hit;
	struct cp_grant_memo *g = grant_memo(k, t, ci, &hit);
	if (g && hit) {
		if (listed)
			*listed = g->listed;
		return g->grant;
	}
	bool l = false;
	long v = grant_scan(c, t, ci, &l);
	/* the scan may have emptied the memo (keys_for): look the slot up again */
	g = grant_memo(k, t, ci, &hit);
	if (g && !hit) {
		g->t = t;
		g->ci = ci;
		g->listed = l;
		g->grant = v;
		k->gn++;
	}
	if (listed)
		*listed = l;
	return v;
}

/* The 200's grant for request contact ci; c (may be NULL) caches contact keys. */
static long grant_scan(struct diag_ctx *c, const struct txn *t, int ci, bool *listed)
{
	const struct sip_msg *r = t->final;
	for (int k = 0; k < r->ncontacts; k++) {
		if (!cp_contact_match_ctx(c, &t->req->contacts[ci], &r->contacts[k]))
			continue;
		if (listed)
			*listed = true;
		if (r->contacts[k].expires >= 0)
			return r->contacts[k].expires;
		if (r->expires >= 0)
			return r->expires;
		return diag_contact_expires(t->req, ci);
	}
	return -1;
}

bool cp_is_refresh_ok(const struct txn *t)
{
	if (!diag_is_register(t) || !t->req || !t->final || t->final_status < 200 ||
	    t->final_status >= 300 || t->req->ncontacts <= 0 || t->req->contacts[0].star)
		return false;
	long e = diag_contact_expires(t->req, 0);
	return e != 0;
}

int64_t cp_capture_start(const struct model *m)
{
	/* the first message's, also when its record was shed */
	return m && m->st.msgs ? m->first_ns : 0;
}

const char *cp_time(const struct model *m, int64_t ns, char *buf, size_t n)
{
	time_t s = (time_t)(ns / 1000000000LL);
	int ms = (int)((ns % 1000000000LL) / 1000000LL);
	struct tm tm;
	char d[32] = "?";
	if (gmtime_r(&s, &tm))
		strftime(d, sizeof d, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf, n, "%s.%03d UTC (+%.1f s)", d, ms < 0 ? 0 : ms,
		 diag_secs(cp_capture_start(m), ns));
	return buf;
}

/* ---------------------------------------------------------------- inference */

struct ip_set {
	struct rt_addr v[16];
	unsigned n;             /* distinct, capped at 16 (we only need "how many, >= 2") */
};

static void ipset_add(struct ip_set *s, const struct rt_addr *a)
{
	for (unsigned i = 0; i < s->n; i++)
		if (rt_ip_eq(&s->v[i], a))
			return;
	if (s->n < 16)
		s->v[s->n++] = *a;
}

/* A leg: the REGISTER's (Call-ID, CSeq); a missing Call-ID counts as "". */
static uint64_t leg_hash(const void *u, size_t i)
{
	const struct txn *t = ((struct txn *const *)u)[i];
	const char *cid = t->call_id ? t->call_id : "";
	uint64_t h = diag_hash_bytes(DIAG_HASH_INIT, cid, strlen(cid));
	return diag_hash_bytes(h, &t->cseq, sizeof t->cseq);
}

static bool leg_eq(const void *u, size_t i, size_t j)
{
	const struct txn *a = ((struct txn *const *)u)[i], *b = ((struct txn *const *)u)[j];
	return a->cseq == b->cseq &&
	       strcmp(a->call_id ? a->call_id : "", b->call_id ? b->call_id : "") == 0;
}

/* REGISTERs seen again on a second leg: within one (Call-ID, CSeq), in
 * frame order, each one whose predecessor has another Via sent-by (what
 * sorting by Call-ID and CSeq and comparing neighbours counted).  One
 * hashed pass instead of the sort. */
static unsigned count_forwarded(struct txn *const *regs, size_t n)
{
	if (n < 2)
		return 0;
	size_t *gid = malloc(n * sizeof *gid);
	size_t ng = gid ? diag_group(n, gid, leg_hash, leg_eq, regs) : (size_t)-1;
	size_t *prev = ng != (size_t)-1 ? malloc((ng ? ng : 1) * sizeof *prev) : NULL;
	unsigned fw = 0;
	if (prev) {
		for (size_t g = 0; g < ng; g++)
			prev[g] = (size_t)-1;
		for (size_t i = 0; i < n; i++) {
			size_t p = prev[gid[i]];
			prev[gid[i]] = i;
			if (p == (size_t)-1)
				continue;
			const struct txn *a = regs[p], *b = regs[i];
			if (a->call_id && b->call_id && !diag_same_flow(a, b))
				fw++;
		}
	}
	free(prev);
	free(gid);
	return fw;
}

/* Inference over the REGISTER transactions with a request (m->txns order). */
static void cp_infer_regs(struct cp_info *o, struct txn *const *regs, size_t nregs)
{
	memset(o, 0, sizeof *o);
	struct ip_set src = { 0 }, dst = { 0 };
	for (size_t i = 0; i < nregs; i++) {
		const struct txn *t = regs[i];
		struct rt_addr sb;
		if (t->req->via_count == 1) {
			ipset_add(&src, &t->req->src);
			ipset_add(&dst, &t->req->dst);
		}
		if (!cp_sent_by(t->req, &sb) || cp_ip_loopback(&t->req->src))
			continue;
		if (!rt_ip_eq(&sb, &t->req->src) ||
		    (t->req->transport == RT_TP_UDP && sb.port != t->req->src.port))
			o->beyond_nat++;
		else if (cp_nat_on_req(t, NULL, 0))
			o->inside_nat++;
	}
	o->forwarded = count_forwarded(regs, nregs);
	o->ua_sources = src.n;
	o->registrars = dst.n;
	if (o->forwarded) {
		o->where = CP_BETWEEN;
		snprintf(o->basis, sizeof o->basis,
			 "%u REGISTER%s seen on two legs with different Via sent-by (a proxy/SBC hop)",
			 o->forwarded, o->forwarded == 1 ? "" : "s");
	} else if (o->beyond_nat && o->beyond_nat >= o->inside_nat) {
		o->where = CP_REGISTRAR;
		snprintf(o->basis, sizeof o->basis,
			 "%u REGISTER%s from an address other than %s Via sent-by", o->beyond_nat,
			 o->beyond_nat == 1 ? " arrives" : "s arrive", o->beyond_nat == 1 ? "its" : "their");
	} else if (o->inside_nat) {
		o->where = CP_UA;
		snprintf(o->basis, sizeof o->basis,
			 "%u REGISTER%s sent from %s own sent-by answered with another "
			 "received/rport", o->inside_nat, o->inside_nat == 1 ? " was" : "s were",
			 o->inside_nat == 1 ? "its" : "their");
	} else if (src.n >= 2 && dst.n == 1) {
		o->where = CP_REGISTRAR;
		snprintf(o->basis, sizeof o->basis,
			 "REGISTERs from %s%u UA addresses meet at one registrar", src.n >= 16 ? ">= " : "",
			 src.n);
	} else {
		o->where = CP_UNKNOWN;
		snprintf(o->basis, sizeof o->basis,
			 "no address translation seen (source = Via sent-by on every REGISTER)");
	}
}

const struct cp_info *cp_infer_ctx(struct diag_ctx *c)
{
	static const struct cp_info none = { .where = CP_UNKNOWN };
	struct diag_cp_state *s = cp_state(c);
	if (!s)
		return &none;
	if (!s->inferred) {
		cp_infer_regs(&s->info, c->regs, c->nregs);
		s->inferred = true;
	}
	return &s->info;
}

const char *cp_where_name(enum cp_where w)
{
	switch (w) {
	case CP_UA: return "ua";
	case CP_REGISTRAR: return "registrar";
	case CP_BETWEEN: return "between";
	default: return "unknown";
	}
}

const char *cp_where_text(enum cp_where w)
{
	switch (w) {
	case CP_UA: return "at the UA (inside its NAT)";
	case CP_REGISTRAR: return "on the registrar side (beyond the UA's NAT)";
	case CP_BETWEEN: return "between UA and registrar (at a proxy/SBC hop)";
	default: return "at an unknown point (UA and registrar see the same addresses)";
	}
}

