/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reg.c - registration histories per AOR: sessions, attempts, bindings,
 * states and summaries.
 *
 * Owns: struct aor_hist, struct reg_session, struct reg_attempt and struct
 * binding.  Fed by txn.c with REGISTER transactions (new, final, timeout);
 * settles everything at model_finish.  Rules: RFC 3261 §10.2 (REGISTER,
 * Contact and Expires), §10.3 (the registrar's 200 lists the bindings).
 */
#include <stdlib.h>
#include <string.h>

#include "model_int.h"

/* ---------------------------------------------------------------- helpers */

static bool is_challenge(int code)
{
	return code == 401 || code == 407;
}

/* Effective requested expiry of one contact: param, else header, else -1. */
static long contact_expires(const struct sip_msg *req, const struct sip_contact *c)
{
	if (c && c->expires >= 0)
		return c->expires;
	return req->expires;
}

static bool msg_has_star(const struct sip_msg *msg)
{
	for (int i = 0; i < msg->ncontacts; i++)
		if (msg->contacts[i].star)
			return true;
	return false;
}

static char *binding_key_of(const struct sip_contact *c)
{
	if (c->instance && c->instance[0])
		return mdl_printf("%s;reg-id=%s", c->instance, c->reg_id ? c->reg_id : "");
	char *k = c->uri ? aor_contact_key(c->uri) : NULL;
	return k ? k : mdl_strdup("?");
}

static struct aor_hist *aor_get(struct model *m, const char *name)
{
	struct aor_hist *a = mdl_map_get(&m->priv->aor_by_name, name);
	if (a)
		return a;
	a = mdl_alloc(m, sizeof *a);
	mdl_vec_push(m, &m->aors, a);
	a->id = (uint32_t)m->aors.n;
	a->aor = mdl_strdup_m(m, name);
	a->sum.time_to_register_ns = -1;
	a->sum.expires_requested = -1;
	a->sum.expires_granted = -1;
	a->shed_exp_requested = a->shed_exp_granted = -1;
	mdl_map_put(m, &m->priv->aor_by_name, a->aor, a);
	return a;
}

static struct reg_session *session_get(struct model *m, struct aor_hist *a, const char *cid)
{
	const char *parts[] = { a->aor, "\x1f", cid };
	char *k = mdl_concat(parts, 3);
	struct reg_session *s = mdl_map_get(&m->priv->sess_by_key, k);
	if (!s) {
		s = mdl_alloc(m, sizeof *s);
		m->priv->nsessions++;
		mdl_vec_push(m, &a->sessions, s);
		s->id = (uint32_t)(a->sessions.n + a->shed_sessions);
		s->aor = a;
		mdl_map_put(m, &m->priv->sess_by_key, k, s);
		/* the key's own copy ends with the Call-ID: one string, not two */
		s->call_id = s->map_key + strlen(a->aor) + 1;
	}
	free(k);
	return s;
}

static struct txn *att_last(const struct reg_attempt *at)
{
	return at->txns.n ? at->txns.v[at->txns.n - 1] : NULL;
}

static bool chal_stale(const struct sip_msg *r)
{
	for (int i = 0; r && i < r->nchals; i++)
		if (r->chals[i].stale)
			return true;
	return false;
}

/* An attempt whose last transaction was challenged ends when nothing
 * follows: refused credentials, or a challenge left unanswered. */
static enum attempt_result challenged_result(const struct txn *l)
{
	if (l->req && l->req->ncreds > 0 && !chal_stale(l->final))
		return ATT_REJECTED;
	return ATT_CHALLENGED;
}

static void att_settle(struct model *m, struct reg_attempt *at, enum attempt_result r)
{
	struct txn *l = att_last(at);
	at->result = r;
	if (l) {
		at->final_status = l->final_status;
		at->t_end = l->final ? l->t_final : l->t_last;
	}
	model_attempt_done(m, at);
}

/* ---------------------------------------------------------------- bindings */

static void bev_add(struct model *m, struct binding *b, enum binding_event_kind k, int64_t ts,
		    long exp, uint64_t msg_id, uint32_t txn_id)
{
	if (b->nev == b->capev) {
		size_t nc = b->capev ? b->capev * 2 : 2;
		struct binding_event *ne = mdl_alloc(m, nc * sizeof *ne);
		if (b->nev)
			memcpy(ne, b->ev, b->nev * sizeof *ne);
		mdl_free(m, b->ev);
		b->ev = ne;
		b->capev = nc;
	}
	b->ev[b->nev++] = (struct binding_event){ k, ts, exp, msg_id, txn_id };
}

/* The contact URI as last seen: a new copy only when it changed. */
static void binding_set_contact(struct model *m, struct binding *b, const char *uri)
{
	if (!uri || (b->contact && strcmp(b->contact, uri) == 0))
		return;
	mdl_free(m, b->contact);
	b->contact = mdl_strdup_m(m, uri);
}

static struct binding *binding_get(struct model *m, struct aor_hist *a,
				   const struct sip_contact *c, const char *key)
{
	char *mk = mdl_printf("%u\x1f%s", a->id, key);
	struct binding *b = mdl_map_get(&m->priv->bind_by_key, mk);
	if (!b) {
		b = mdl_alloc(m, sizeof *b);
		m->priv->nbindings++;
		mdl_vec_push(m, &a->bindings, b);
		b->id = (uint32_t)(a->bindings.n + a->shed_bindings);
		b->key = mdl_strdup_m(m, key);
		b->instance = mdl_strdup_m(m, c->instance);
		b->reg_id = mdl_strdup_m(m, c->reg_id);
		mdl_map_put(m, &m->priv->bind_by_key, mk, b);
	}
	free(mk);
	binding_set_contact(m, b, c->uri);
	return b;
}

/* Grants that ran out before `now` without refresh. */
static void bindings_expire(struct model *m, struct aor_hist *a, int64_t now)
{
	for (size_t i = 0; i < a->bindings.n; i++) {
		struct binding *b = a->bindings.v[i];
		if (b->active && b->expires_at <= now) {
			b->active = false;
			bev_add(m, b, BEV_EXPIRED, b->expires_at, 0, 0, 0);
		}
	}
}

static void binding_remove(struct model *m, struct binding *b, const struct txn *t)
{
	if (!b->active)
		return;
	b->active = false;
	bev_add(m, b, BEV_REMOVED, t->t_final, 0, t->final->id, t->id);
}

static void binding_grant(struct model *m, struct binding *b, const struct txn *t, long exp,
			  bool ours)
{
	int64_t ts = t->t_final;
	if (exp == 0) {
		binding_remove(m, b, t);
		return;
	}
	if (!b->active) {
		b->active = true;
		bev_add(m, b, BEV_CREATED, ts, exp, t->final->id, t->id);
	} else if (ours) {
		bev_add(m, b, BEV_REFRESHED, ts, exp, t->final->id, t->id);
	}
	b->expires_at = ts + (int64_t)exp * 1000000000LL;
}

/* The request Contact a response Contact stands for: same URI (§19.1.4) or
 * same +sip.instance/reg-id (registrars often drop the instance param in
 * the 200).  -1 when the request did not ask for it. */
static int req_contact_for(const struct sip_msg *req, const struct sip_contact *c)
{
	char *uk = c->uri ? aor_contact_key(c->uri) : NULL;
	char *ik = c->instance ? binding_key_of(c) : NULL;
	int hit = -1;
	for (int i = 0; i < req->ncontacts && hit < 0; i++) {
		const struct sip_contact *r = &req->contacts[i];
		if (r->star)
			continue;
		char *ruk = r->uri ? aor_contact_key(r->uri) : NULL;
		if (uk && ruk && strcmp(uk, ruk) == 0)
			hit = i;
		free(ruk);
		if (hit < 0 && ik && r->instance) {
			char *rik = binding_key_of(r);
			if (strcmp(ik, rik) == 0)
				hit = i;
			free(rik);
		}
	}
	free(uk);
	free(ik);
	return hit;
}

/* A 2xx to a REGISTER: the Contacts of the response are every current
 * binding with its grant (contact param wins over the Expires header). */
static void bindings_on_2xx(struct model *m, struct aor_hist *a, struct reg_attempt *at,
			    const struct txn *t)
{
	const struct sip_msg *req = t->req, *resp = t->final;
	bindings_expire(m, a, t->t_final);
	if (msg_has_star(req)) {
		for (size_t i = 0; i < a->bindings.n; i++)
			binding_remove(m, a->bindings.v[i], t);
		return;
	}
	/* our contact: the request's first */
	int ours = -1;
	for (int i = 0; i < req->ncontacts && ours < 0; i++)
		if (!req->contacts[i].star)
			ours = i;

	size_t listed = 0;
	/* which bindings this 200 lists */
	for (size_t i = 0; i < a->bindings.n; i++)
		((struct binding *)a->bindings.v[i])->seen = false;
	for (int i = 0; i < resp->ncontacts; i++) {
		const struct sip_contact *c = &resp->contacts[i];
		if (c->star)
			continue;
		int ri = req_contact_for(req, c);
		/* identity from the request when it carried +sip.instance */
		const struct sip_contact *idc = ri >= 0 && req->contacts[ri].instance ?
						&req->contacts[ri] : c;
		char *k = binding_key_of(idc);
		long rexp = ri >= 0 ? contact_expires(req, &req->contacts[ri]) : -1;
		long exp = c->expires >= 0 ? c->expires : resp->expires >= 0 ? resp->expires :
			   rexp >= 0 ? rexp : 3600;
		struct binding *b = binding_get(m, a, idc, k);
		binding_set_contact(m, b, c->uri);
		b->seen = true;
		binding_grant(m, b, t, exp, ri >= 0);
		if (ours >= 0 && ri == ours)
			at->expires_granted = exp;
		listed++;
		free(k);
	}
	if (listed) {
		/* the registrar lists every current binding: the rest are gone */
		for (size_t i = 0; i < a->bindings.n; i++)
			if (!((struct binding *)a->bindings.v[i])->seen)
				binding_remove(m, a->bindings.v[i], t);
	} else {
		/* a 200 without Contacts: a query, a removal, or a registrar that
		 * does not echo — take the request's contacts at their word */
		for (int i = 0; i < req->ncontacts; i++) {
			const struct sip_contact *c = &req->contacts[i];
			char *k = binding_key_of(c);
			long exp = contact_expires(req, c);
			if (exp < 0)
				exp = resp->expires >= 0 ? resp->expires : 3600;
			struct binding *b = binding_get(m, a, c, k);
			binding_grant(m, b, t, exp, true);
			if (i == ours)
				at->expires_granted = exp;
			free(k);
		}
	}
}

/* ---------------------------------------------------------------- hooks */

void reg_on_new_txn(struct model *m, struct txn *t)
{
	const struct sip_msg *req = t->req;
	char *name = aor_canonical(req->to_uri);
	if (!name)
		name = aor_canonical(req->from_uri);
	if (!name)
		name = mdl_strdup("?");
	struct aor_hist *a = aor_get(m, name);
	free(name);
	t->aor = a;
	mdl_vec_push(m, &a->txns, t);
	if (!a->t_first || t->t_first < a->t_first)
		a->t_first = t->t_first;
	if (t->t_first > a->t_last)
		a->t_last = t->t_first;

	struct reg_session *s = session_get(m, a, t->call_id ? t->call_id : "");
	mdl_vec_push(m, &s->txns, t);
	if (!s->t_first)
		s->t_first = t->t_first;
	s->t_last = t->t_first;

	/* auth retry: same (AOR, Call-ID), CSeq+1, after a 401/407 */
	struct reg_attempt *prev = s->attempts.n ? s->attempts.v[s->attempts.n - 1] : NULL;
	struct txn *pl = prev ? att_last(prev) : NULL;
	if (prev && prev->result == ATT_OPEN && pl && pl->final && is_challenge(pl->final_status) &&
	    t->cseq == pl->cseq + 1) {
		mdl_vec_push(m, &prev->txns, t);
		t->attempt = prev;
		return;
	}
	if (prev && prev->result == ATT_OPEN && pl && pl->final && is_challenge(pl->final_status))
		att_settle(m, prev, challenged_result(pl));

	struct reg_attempt *at = mdl_alloc(m, sizeof *at);
	m->priv->nattempts++;
	mdl_vec_push(m, &a->attempts, at);
	mdl_vec_push(m, &s->attempts, at);
	at->id = (uint32_t)(a->attempts.n + a->shed_attempts);
	at->aor = a;
	at->session = s;
	at->t_start = t->t_first;
	at->expires_granted = -1;
	at->query = req->ncontacts == 0;
	bool all_zero = req->ncontacts > 0;
	for (int i = 0; i < req->ncontacts; i++)
		if (!req->contacts[i].star && contact_expires(req, &req->contacts[i]) != 0)
			all_zero = false;
	at->deregister = msg_has_star(req) || all_zero;
	at->expires_requested = req->ncontacts > 0 && !req->contacts[0].star ?
				contact_expires(req, &req->contacts[0]) : req->expires;
	mdl_vec_push(m, &at->txns, t);
	t->attempt = at;
}

void reg_on_final(struct model *m, struct txn *t)
{
	struct reg_attempt *at = t->attempt;
	if (!at || att_last(at) != t || at->result != ATT_OPEN)
		return;
	if (is_challenge(t->final_status)) {
		at->challenges++;
		return;           /* open: an auth retry may follow */
	}
	if (t->final_status >= 200 && t->final_status < 300) {
		bindings_on_2xx(m, at->aor, at, t);
		att_settle(m, at, ATT_OK);
	} else {
		att_settle(m, at, ATT_FAILED);
	}
}

void reg_on_timeout(struct model *m, struct txn *t)
{
	struct reg_attempt *at = t->attempt;
	if (at && att_last(at) == t && at->result == ATT_OPEN)
		att_settle(m, at, ATT_TIMEOUT);
}

/* ---------------------------------------------------------------- finish */

static void add_source(struct model *m, struct aor_summary *s, const struct rt_addr *a)
{
	for (size_t i = 0; i < s->nsources; i++)
		if (rt_addr_eq(&s->sources[i], a))
			return;
	if (s->nsources >= 64)      /* a scanner's spread is a finding, not a list */
		return;
	s->sources = mdl_grow_pow2(m, s->sources, s->nsources, sizeof *s->sources);
	s->sources[s->nsources++] = *a;
}

static enum aor_state aor_state_of(const struct aor_hist *a)
{
	size_t active = 0, expired = 0;
	for (size_t i = 0; i < a->bindings.n; i++) {
		const struct binding *b = a->bindings.v[i];
		if (b->active)
			active++;
		else if (b->nev && b->ev[b->nev - 1].kind == BEV_EXPIRED)
			expired++;
	}
	/* the last attempt that reached an answer decides; one cut short by the
	 * capture end only when nothing else is known */
	const struct reg_attempt *la = NULL;
	for (size_t i = a->attempts.n; i-- > 0;) {
		const struct reg_attempt *at = a->attempts.v[i];
		if (at->result != ATT_UNKNOWN) {
			la = at;
			break;
		}
	}
	if (!la)
		return active ? AOR_REGISTERED : AOR_UNKNOWN;
	if (la->result == ATT_OK) {
		if (active)
			return AOR_REGISTERED;
		if (expired && !la->deregister)
			return AOR_EXPIRED;
		return AOR_UNREGISTERED;
	}
	/* an unregister that did not complete leaves the binding in place */
	if (la->deregister && active)
		return AOR_REGISTERED;
	switch (la->result) {
	case ATT_FAILED:
	case ATT_REJECTED:
		return AOR_FAILED;
	case ATT_CHALLENGED:
		return AOR_CHALLENGED;
	case ATT_TIMEOUT:
		return AOR_TIMEOUT;
	default:
		return AOR_UNKNOWN;
	}
}

/* The AOR's state and summary from what it holds now; recomputed from
 * scratch, so it can run before model_finish() (the diagnosis's live
 * evaluation) and again at the end with the same result. */
static void aor_summarize(struct model *m, struct aor_hist *a)
{
	a->state = aor_state_of(a);
	struct aor_summary *s = &a->sum;
	/* attempts folded into counters by model_shed first */
	s->attempts = (uint32_t)a->attempts.n + a->shed_attempts;
	s->failures = a->shed_failures;
	s->time_to_register_ns = a->shed_first_ok_end ? a->shed_first_ok_end - a->t_first : -1;
	s->expires_requested = a->shed_exp_requested;
	s->expires_granted = a->shed_exp_granted;
	s->contacts = 0;
	s->contact = NULL;
	/* what shed transactions left, then what the rest say */
	s->user_agent = a->shed_ua;
	s->last_status = a->shed_last_status;
	for (size_t j = 0; j < a->attempts.n; j++) {
		const struct reg_attempt *at = a->attempts.v[j];
		if (at->result == ATT_FAILED || at->result == ATT_REJECTED ||
		    at->result == ATT_TIMEOUT)
			s->failures++;
		if (at->result == ATT_OK && s->time_to_register_ns < 0)
			s->time_to_register_ns = at->t_end - a->t_first;
		if (at->result == ATT_OK && !at->deregister && at->expires_granted >= 0)
			s->expires_granted = at->expires_granted;
		s->expires_requested = at->expires_requested;
	}
	for (size_t j = 0; j < a->txns.n; j++) {
		const struct txn *t = a->txns.v[j];
		if (t->final)
			s->last_status = t->final_status;
		for (size_t k = 0; k < t->reqs.n; k++) {
			const struct sip_msg *r = t->reqs.v[k];
			if (r->user_agent)
				s->user_agent = r->user_agent;
			add_source(m, s, &r->src);   /* distinct: a second pass adds none */
		}
		if (t->t_last > a->t_last)
			a->t_last = t->t_last;
	}
	for (size_t j = 0; j < a->bindings.n; j++) {
		const struct binding *b = a->bindings.v[j];
		if (!b->active)
			continue;
		s->contacts++;
		if (!s->contact)
			s->contact = b;
	}
	/* prefer the binding this UA asked for last (if that REGISTER was
	 * shed, the one it named then) */
	const struct txn *lt = a->txns.n ? a->txns.v[a->txns.n - 1] : NULL;
	if (!lt && a->shed_contact && a->shed_contact->active)
		s->contact = a->shed_contact;
	if (lt && lt->req && lt->req->ncontacts > 0 && !lt->req->contacts[0].star) {
		char *k = binding_key_of(&lt->req->contacts[0]);
		for (size_t j = 0; j < a->bindings.n; j++) {
			const struct binding *b = a->bindings.v[j];
			if (b->active && strcmp(b->key, k) == 0)
				s->contact = b;
		}
		free(k);
	}
}

void reg_finish(struct model *m)
{
	for (size_t i = 0; i < m->aors.n; i++) {
		struct aor_hist *a = m->aors.v[i];
		for (size_t j = 0; j < a->attempts.n; j++) {
			struct reg_attempt *at = a->attempts.v[j];
			if (at->result != ATT_OPEN)
				continue;
			struct txn *l = att_last(at);
			if (l && l->final && is_challenge(l->final_status))
				att_settle(m, at, challenged_result(l));
			else if (l && l->outcome == TXN_TIMEOUT)
				att_settle(m, at, ATT_TIMEOUT);
			else if (l && l->final)
				att_settle(m, at, l->final_status < 300 ? ATT_OK : ATT_FAILED);
			else
				att_settle(m, at, ATT_UNKNOWN);
		}
		bindings_expire(m, a, m->capture_end_ns);
		aor_summarize(m, a);
	}
}

void reg_on_shed(struct model *m, struct txn *t)
{
	struct aor_hist *a = t->aor;
	(void)m;
	if (!a)
		return;
	for (size_t k = 0; k < t->reqs.n; k++) {
		const struct sip_msg *r = t->reqs.v[k];
		if (r->user_agent && (!a->shed_ua || strcmp(a->shed_ua, r->user_agent) != 0)) {
			free(a->shed_ua);
			a->shed_ua = mdl_strdup(r->user_agent);
		}
	}
	if (t->final)
		a->shed_last_status = t->final_status;
	if (t->req && t->req->ncontacts > 0 && !t->req->contacts[0].star) {
		char *k = binding_key_of(&t->req->contacts[0]);
		a->shed_contact = NULL;
		for (size_t j = 0; j < a->bindings.n; j++)
			if (strcmp(((const struct binding *)a->bindings.v[j])->key, k) == 0)
				a->shed_contact = a->bindings.v[j];
		free(k);
	}
	a->evicted_txns++;
}

bool model_aor_settle_now(struct model *m, struct aor_hist *a)
{
	if (!m || !a || m->finished)
		return false;
	for (size_t j = 0; j < a->attempts.n; j++)
		if (((const struct reg_attempt *)a->attempts.v[j])->result == ATT_OPEN)
			return false;
	/* a grant that ran out is expired at its own time, whenever it is
	 * noticed: a later 200 or model_finish() would add the same event */
	bindings_expire(m, a, m->now_ns);
	aor_summarize(m, a);
	return true;
}

int64_t model_aor_next_expiry(const struct aor_hist *a)
{
	int64_t e = 0;
	for (size_t j = 0; a && j < a->bindings.n; j++) {
		const struct binding *b = a->bindings.v[j];
		if (b->active && (!e || b->expires_at < e))
			e = b->expires_at;
	}
	return e;
}

void reg_free_aor(struct model *m, struct aor_hist *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->sessions.n; i++) {
		struct reg_session *s = a->sessions.v[i];
		mdl_free(m, s->map_key);
		ptr_vec_free(&s->attempts);
		ptr_vec_free(&s->txns);
		mdl_free(m, s);
	}
	m->priv->nsessions -= a->sessions.n;
	for (size_t i = 0; i < a->attempts.n; i++) {
		struct reg_attempt *at = a->attempts.v[i];
		ptr_vec_free(&at->txns);
		mdl_free(m, at);
	}
	m->priv->nattempts -= a->attempts.n;
	m->priv->nbindings -= a->bindings.n;
	for (size_t i = 0; i < a->bindings.n; i++) {
		struct binding *b = a->bindings.v[i];
		mdl_free(m, b->key);
		mdl_free(m, b->map_key);
		mdl_free(m, b->contact);
		mdl_free(m, b->instance);
		mdl_free(m, b->reg_id);
		mdl_free(m, b->ev);
		mdl_free(m, b);
	}
	ptr_vec_free(&a->txns);
	ptr_vec_free(&a->sessions);
	ptr_vec_free(&a->attempts);
	ptr_vec_free(&a->bindings);
	ptr_vec_free(&a->findings);
	for (size_t i = 0; i < a->kept.n; i++)
		mdl_finding_free(m, a->kept.v[i]);
	ptr_vec_free(&a->kept);
	free(a->shed_ua);
	mdl_free(m, a->aor);
	mdl_free(m, a->sum.sources);
	mdl_free(m, a);
}
