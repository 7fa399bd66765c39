/* SPDX-License-Identifier: GPL-2.0-or-later */
/* model.c - the model's entry points, hash map and events.
 *
 * Owns: struct model's life cycle (every struct sip_msg handed in is kept,
 * in arrival order, until model_free or until model_shed evicts it), the
 * model's allocation helpers (mdl_alloc & co.: the heap), the string-keyed
 * hash map the other model files use, the --fail-on conditions and the
 * names of the enums.  Correlation itself lives in txn.c, dialog.c, reg.c;
 * eviction under the memory bound in shed.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fnv.h"
#include "model_int.h"

/* ---------------------------------------------------------------- helpers */

void *mdl_xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);
	if (!p) {
		fprintf(stderr, "regtrace: out of memory\n");
		abort();
	}
	return p;
}

char *mdl_strdup(const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s);
	char *d = mdl_xcalloc(n + 1, 1);
	memcpy(d, s, n);
	return d;
}

char *mdl_concat(const char *const *parts, size_t n)
{
	size_t len[8], total = 1;
	for (size_t i = 0; i < n && i < 8; i++)
		total += len[i] = strlen(parts[i] ? parts[i] : "(null)");
	char *s = mdl_xcalloc(total, 1), *o = s;
	for (size_t i = 0; i < n && i < 8; i++) {
		memcpy(o, parts[i] ? parts[i] : "(null)", len[i]);   /* as printf's %s */
		o += len[i];
	}
	*o = '\0';
	return s;
}

char *mdl_printf(const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0 || !s) {
		fprintf(stderr, "regtrace: out of memory\n");
		abort();
	}
	return s;
}

static void oom(void)
{
	fprintf(stderr, "regtrace: out of memory\n");
	abort();
}

int ptr_vec_push(struct ptr_vec *v, void *p)
{
	if (v->n == v->cap) {
		size_t nc = v->cap ? v->cap * 2 : 4;
		void **nv = realloc(v->v, nc * sizeof *nv);
		if (!nv)
			oom();
		v->v = nv;
		v->cap = nc;
	}
	v->v[v->n++] = p;
	return 0;
}

void ptr_vec_free(struct ptr_vec *v)
{
	free(v->v);
	v->v = NULL;
	v->n = v->cap = 0;
}

/* ---------------------------------------------------------------- allocation */

void *mdl_alloc(struct model *m, size_t n)
{
	(void)m;
	return mdl_xcalloc(1, n);
}

void mdl_free(struct model *m, void *p)
{
	(void)m;
	free(p);
}

char *mdl_strdup_m(struct model *m, const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s);
	char *d = mdl_alloc(m, n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *mdl_adopt(struct model *m, char *s)
{
	(void)m;
	return s;
}

void mdl_vec_push(struct model *m, struct ptr_vec *v, void *p)
{
	(void)m;
	if (v->n == v->cap && !v->cap) {
		/* most vectors hold one or two entries: start at 2 */
		void **nv = malloc(2 * sizeof *nv);
		if (!nv)
			oom();
		v->v = nv;
		v->cap = 2;
	}
	ptr_vec_push(v, p);
}

void *mdl_grow_pow2(struct model *m, void *arr, size_t n, size_t sz)
{
	if (n & (n - 1))             /* not a power of two (nor 0): room left */
		return arr;
	size_t nc = n ? n * 2 : 1;
	char *na = mdl_alloc(m, nc * sz);
	if (n)
		memcpy(na, arr, n * sz);
	mdl_free(m, arr);
	return na;
}

/* ---------------------------------------------------------------- hash map */

uint32_t mdl_hash(const char *s)
{
	return rt_fnv32(RT_FNV32_INIT, s, strlen(s));
}

static const char *map_key(const struct mdl_map *mp, const void *val)
{
	return *(char *const *)((const char *)val + mp->key_off);
}

static struct mdl_map_ent *map_slot(const struct mdl_map *mp, const char *key, uint32_t h)
{
	size_t mask = mp->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct mdl_map_ent *e = &mp->e[i];
		if (!e->val || (e->h == h && strcmp(map_key(mp, e->val), key) == 0))
			return e;
	}
}

void *mdl_map_get(const struct mdl_map *mp, const char *key)
{
	if (!mp->cap || !key)
		return NULL;
	return map_slot(mp, key, mdl_hash(key))->val;
}

static void map_grow(struct mdl_map *mp)
{
	size_t oc = mp->cap;
	struct mdl_map_ent *old = mp->e;
	mp->cap = oc ? oc * 2 : 64;
	mp->e = mdl_xcalloc(mp->cap, sizeof *mp->e);   /* hot: stays on the heap */
	size_t mask = mp->cap - 1;
	for (size_t i = 0; i < oc; i++) {
		if (!old[i].val)
			continue;
		/* keys are distinct: the first empty slot (no key read) */
		size_t j = old[i].h & mask;
		while (mp->e[j].val)
			j = (j + 1) & mask;
		mp->e[j] = old[i];
	}
	free(old);
}

int mdl_map_put(struct model *m, struct mdl_map *mp, const char *key, void *val)
{
	if ((mp->n + 1) * 2 > mp->cap)
		map_grow(mp);
	uint32_t h = mdl_hash(key);
	struct mdl_map_ent *e = map_slot(mp, key, h);
	if (!e->val) {
		e->h = h;
		mp->n++;
	}
	/* every object in an own_keys map keeps its own copy of the key, also
	 * the one replacing an earlier object under the same key */
	if (mp->own_keys)
		*(char **)((char *)val + mp->key_off) = mdl_strdup_m(m, key);
	e->val = val;
	return 0;
}

void mdl_map_del(struct mdl_map *mp, uint32_t h, const void *val)
{
	if (!mp->cap)
		return;
	size_t mask = mp->cap - 1, i = h & mask;
	for (;; i = (i + 1) & mask) {
		struct mdl_map_ent *e = &mp->e[i];
		if (!e->val)
			return;
		if (e->h == h && e->val == val)
			break;
	}
	/* linear probing without tombstones: pull later entries of the run
	 * back over the hole when their home slot allows it */
	for (size_t j = (i + 1) & mask;; j = (j + 1) & mask) {
		struct mdl_map_ent *e = &mp->e[j];
		if (!e->val)
			break;
		size_t home = e->h & mask;
		/* e may fill the hole at i unless its home lies in (i, j] */
		bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (!stays) {
			mp->e[i] = *e;
			i = j;
		}
	}
	mp->e[i] = (struct mdl_map_ent){ 0 };
	mp->n--;
}

void mdl_map_free(struct mdl_map *mp)
{
	free(mp->e);
	mp->e = NULL;
	mp->cap = mp->n = 0;
}

/* ---------------------------------------------------------------- life cycle */

struct model *model_new(const struct model_opts *o)
{
	struct model *m = mdl_xcalloc(1, sizeof *m);
	if (o)
		m->opt = *o;
	if (m->opt.timer_f_ns <= 0)
		m->opt.timer_f_ns = MODEL_TIMER_F_NS;
	m->priv = mdl_xcalloc(1, sizeof *m->priv);
	struct model_priv *p = m->priv;
	p->txn_by_key = (struct mdl_map){ .key_off = offsetof(struct txn, map_key), .own_keys = true };
	p->sess_by_key = (struct mdl_map){ .key_off = offsetof(struct reg_session, map_key),
					   .own_keys = true };
	p->bind_by_key = (struct mdl_map){ .key_off = offsetof(struct binding, map_key),
					   .own_keys = true };
	/* keyed by the object's own string */
	p->dialog_by_cid = (struct mdl_map){ .key_off = offsetof(struct dialog, call_id) };
	p->aor_by_name = (struct mdl_map){ .key_off = offsetof(struct aor_hist, aor) };
	p->istr = (struct mdl_map){ .key_off = offsetof(struct mdl_istr, s), .own_keys = true };
	return m;
}

void model_add_msg(struct model *m, struct sip_msg *msg)
{
	if (!m || !msg)
		return;
	mdl_vec_push(m, &m->msgs, msg);
	if (!m->st.msgs)
		m->first_ns = msg->ts_ns;
	m->st.msgs++;
	if (msg->request)
		m->st.requests++;
	else
		m->st.responses++;
	if (msg->malformed)
		m->st.malformed++;
	if (msg->file > m->st.max_file)
		m->st.max_file = msg->file;
	/* Capture time moves forward only: Timer F fires on packet time. */
	if (msg->ts_ns > m->now_ns)
		m->now_ns = msg->ts_ns;
	txn_sweep(m, m->now_ns);

	struct dialog *d = dialog_on_msg(m, msg);
	if (!d) {
		m->st.no_call_id++;
		return;
	}
	txn_on_msg(m, msg, d);
}

static void model_add_refusal(struct model *m, const struct icmp_evt *e)
{
	for (size_t i = 0; i < m->nrefused; i++) {
		struct tcp_refusal *r = &m->refused[i];
		if (rt_ip_eq(&r->cli, &e->q_src) && rt_addr_eq(&r->srv, &e->q_dst)) {
			r->n++;
			r->frame_last = e->frame;
			r->t_last = e->ts_ns;
			return;
		}
	}
	if (m->nrefused >= MODEL_REFUSED_MAX) {
		m->refused_more++;
		return;
	}
	struct tcp_refusal *nv = realloc(m->refused, (m->nrefused + 1) * sizeof *nv);
	if (!nv) {
		m->refused_more++;
		return;
	}
	m->refused = nv;
	nv[m->nrefused++] = (struct tcp_refusal){ e->q_src, e->q_dst, e->from, 1, e->file, e->frame,
						  e->frame, e->ts_ns, e->ts_ns };
}

void model_add_icmp(struct model *m, const struct icmp_evt *e)
{
	if (!m || !e)
		return;
	if (e->ts_ns > m->now_ns)
		m->now_ns = e->ts_ns;
	if (e->tcp_refused)
		model_add_refusal(m, e);
	else
		txn_add_icmp(m, e);
}

void model_advance(struct model *m, int64_t now_ns)
{
	if (!m || m->finished || now_ns <= m->now_ns)
		return;
	m->now_ns = now_ns;
	txn_sweep(m, m->now_ns);
}

void model_rewind(struct model *m, int64_t seg_end_ns)
{
	if (!m || m->finished)
		return;
	struct model_priv *p = m->priv;
	if (seg_end_ns > m->now_ns)
		m->now_ns = seg_end_ns;
	txn_sweep(m, m->now_ns);
	txn_finish(m);
	/* nothing is pending now; the finished transactions leave the key map
	 * (their Timer J deadlines are on the old clock) */
	mdl_map_free(&p->txn_by_key);
	txn_free_zombies(m);
	p->exp_n = p->exp_head = 0;
	p->pending.n = p->pending_head = 0;
	if (m->now_ns > p->rewind_end)
		p->rewind_end = m->now_ns;
	m->now_ns = 0;
}

void model_finish(struct model *m, int64_t capture_end_ns)
{
	if (!m || m->finished)
		return;
	/* after a rewind capture_end_ns is the last input's own end: Timer F
	 * runs on its clock, bindings and rules on the latest time of all */
	if (capture_end_ns > m->now_ns)
		m->now_ns = capture_end_ns;
	txn_sweep(m, m->now_ns);
	txn_finish(m);
	if (m->priv->rewind_end > m->now_ns)
		m->now_ns = m->priv->rewind_end;
	m->capture_end_ns = m->now_ns;
	reg_finish(m);
	m->finished = true;
	/* Correlation is over: the ingest-only indexes go now, so the
	 * diagnosis pass that follows has their memory (~30 MB on the 992k-
	 * packet benchmark).  The AOR and Call-ID maps stay: lookups use them. */
	mdl_map_free(&m->priv->txn_by_key);
	mdl_map_free(&m->priv->sess_by_key);
	mdl_map_free(&m->priv->bind_by_key);
	txn_free_zombies(m);
	free(m->priv->exp);
	m->priv->exp = NULL;
	m->priv->exp_n = m->priv->exp_head = m->priv->exp_cap = 0;
}

char *model_intern(struct model *m, const char *s)
{
	if (!m || !s)
		return NULL;
	struct mdl_istr *x = mdl_map_get(&m->priv->istr, s);
	if (!x) {
		x = mdl_alloc(m, sizeof *x);
		mdl_map_put(m, &m->priv->istr, s, x);
	}
	return x->s;
}

void mdl_finding_free(struct model *m, struct finding *f)
{
	if (!f)
		return;
	mdl_free(m, f->message);
	if (!f->fix_shared)
		mdl_free(m, f->fix);
	mdl_free(m, f->frames);
	free(f);
}

void model_free(struct model *m)
{
	if (!m)
		return;
	txn_free_zombies(m);             /* shed, still in a timer queue */
	for (size_t i = 0; i < m->aors.n; i++)
		reg_free_aor(m, m->aors.v[i]);
	for (size_t i = 0; i < m->dialogs.n; i++)
		dialog_free(m, m->dialogs.v[i]);
	for (size_t i = 0; i < m->txns.n; i++)
		txn_free(m, m->txns.v[i]);
	ptr_vec_free(&m->aors);
	ptr_vec_free(&m->dialogs);
	ptr_vec_free(&m->txns);
	for (size_t i = 0; i < m->msgs.n; i++)
		sip_msg_free(m->msgs.v[i]);
	ptr_vec_free(&m->msgs);
	for (size_t i = 0; i < m->findings.n; i++)
		mdl_finding_free(m, m->findings.v[i]);
	ptr_vec_free(&m->findings);
	for (size_t i = 0; i < m->kept.n; i++)
		mdl_finding_free(m, m->kept.v[i]);
	ptr_vec_free(&m->kept);
	free(m->refused);
	if (m->priv) {
		mdl_map_free(&m->priv->txn_by_key);
		mdl_map_free(&m->priv->dialog_by_cid);
		mdl_map_free(&m->priv->aor_by_name);
		mdl_map_free(&m->priv->sess_by_key);
		mdl_map_free(&m->priv->bind_by_key);
		struct mdl_map *is = &m->priv->istr;
		for (size_t i = 0; i < is->cap; i++) {
			struct mdl_istr *x = is->e[i].val;
			if (x) {
				mdl_free(m, x->s);
				mdl_free(m, x);
			}
		}
		mdl_map_free(is);
		ptr_vec_free(&m->priv->pending);
		free(m->priv->exp);
		free(m->priv);
	}
	free(m);
}

/* ---------------------------------------------------------------- events */

void model_txn_done(struct model *m, struct txn *t)
{
	if (m->opt.on_txn_done)
		m->opt.on_txn_done(m->opt.user, m, t);
}

void model_attempt_done(struct model *m, struct reg_attempt *a)
{
	if (a->emitted)
		return;
	a->emitted = true;
	if (m->opt.on_attempt_done)
		m->opt.on_attempt_done(m->opt.user, m, a);
}

void model_add_finding(struct model *m, struct finding *f)
{
	if (!m || !f)
		return;
	mdl_vec_push(m, &m->findings, f);
	if (f->aor)
		mdl_vec_push(m, &f->aor->findings, f);
}

/* ---------------------------------------------------------------- queries */

bool model_fail_cond_valid(const char *cond)
{
	return cond && (!strcmp(cond, "failed") || !strcmp(cond, "expired") ||
			!strcmp(cond, "any-finding"));
}

int model_fail_on(const struct model *m, const char *cond)
{
	if (!model_fail_cond_valid(cond))
		return -1;
	if (!m)
		return 0;
	if (!strcmp(cond, "any-finding")) {
		for (size_t i = 0; i < m->findings.n; i++) {
			const struct finding *f = m->findings.v[i];
			if (f->sev >= SEV_WARN)
				return 1;
		}
		return 0;
	}
	for (size_t i = 0; i < m->aors.n; i++) {
		const struct aor_hist *a = m->aors.v[i];
		if (!strcmp(cond, "failed") &&
		    (a->state == AOR_FAILED || a->state == AOR_TIMEOUT))
			return 1;
		if (!strcmp(cond, "expired") && a->state == AOR_EXPIRED)
			return 1;
	}
	return 0;
}

const struct aor_hist *model_find_aor(const struct model *m, const char *aor)
{
	return m && aor ? mdl_map_get(&m->priv->aor_by_name, aor) : NULL;
}

const struct dialog *model_find_dialog(const struct model *m, const char *call_id)
{
	return m && call_id ? mdl_map_get(&m->priv->dialog_by_cid, call_id) : NULL;
}

const char *txn_outcome_name(enum txn_outcome o)
{
	switch (o) {
	case TXN_PENDING: return "pending";
	case TXN_FINAL: return "final";
	case TXN_TIMEOUT: return "timeout";
	case TXN_UNKNOWN: return "unknown";
	case TXN_NO_ANSWER: return "no-answer-expected";
	}
	return "unknown";
}

const char *attempt_result_name(enum attempt_result r)
{
	switch (r) {
	case ATT_OPEN: return "open";
	case ATT_OK: return "ok";
	case ATT_FAILED: return "failed";
	case ATT_REJECTED: return "rejected";
	case ATT_CHALLENGED: return "challenged";
	case ATT_TIMEOUT: return "timeout";
	case ATT_UNKNOWN: return "unknown";
	}
	return "unknown";
}

const char *aor_state_name(enum aor_state s)
{
	switch (s) {
	case AOR_UNKNOWN: return "unknown";
	case AOR_REGISTERED: return "registered";
	case AOR_FAILED: return "failed";
	case AOR_CHALLENGED: return "challenged";
	case AOR_UNREGISTERED: return "unregistered";
	case AOR_EXPIRED: return "expired";
	case AOR_TIMEOUT: return "timeout";
	}
	return "unknown";
}

const char *binding_event_name(enum binding_event_kind k)
{
	switch (k) {
	case BEV_CREATED: return "created";
	case BEV_REFRESHED: return "refreshed";
	case BEV_REMOVED: return "removed";
	case BEV_EXPIRED: return "expired";
	}
	return "unknown";
}

const char *finding_sev_name(enum finding_sev s)
{
	switch (s) {
	case SEV_INFO: return "INFO";
	case SEV_WARN: return "WARN";
	case SEV_ERR: return "ERR";
	case SEV_CRIT: return "CRIT";
	}
	return "INFO";
}

static int sev_band(enum finding_sev s)
{
	return s >= SEV_ERR ? 0 : s == SEV_WARN ? 1 : 2;
}

int finding_rank_cmp(const void *pa, const void *pb)
{
	const struct finding *a = *(const struct finding *const *)pa;
	const struct finding *b = *(const struct finding *const *)pb;
	if (sev_band(a->sev) != sev_band(b->sev))
		return sev_band(a->sev) - sev_band(b->sev);
	/* a cause explains a pattern, a pattern explains an outcome */
	static const int order[] = { [FK_CAUSE] = 0, [FK_PATTERN] = 1, [FK_OUTCOME] = 2 };
	if (order[a->kind] != order[b->kind])
		return order[a->kind] - order[b->kind];
	if (a->sev != b->sev)
		return (int)b->sev - (int)a->sev;
	uint64_t fa = a->nframes ? a->frames[0] : UINT64_MAX;
	uint64_t fb = b->nframes ? b->frames[0] : UINT64_MAX;
	if (fa != fb)
		return fa < fb ? -1 : 1;
	if (a->rule_ix != b->rule_ix)
		return a->rule_ix < b->rule_ix ? -1 : 1;
	return strcmp(a->rule, b->rule);
}

const struct finding **finding_ranked(const struct aor_hist *a, size_t *n)
{
	*n = 0;
	if (!a || !a->findings.n)
		return NULL;
	const struct finding **v = malloc(a->findings.n * sizeof *v);
	if (!v)
		return NULL;
	for (size_t i = 0; i < a->findings.n; i++)
		v[i] = a->findings.v[i];
	qsort(v, a->findings.n, sizeof *v, finding_rank_cmp);
	*n = a->findings.n;
	return v;
}
