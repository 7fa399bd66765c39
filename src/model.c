/* model.c - the model's entry points, message store, hash map and events.
 *
 * Owns: struct model's life cycle, the message store (every struct sip_msg
 * handed in is kept until model_free, in arrival order), the string-keyed
 * hash map the other model files use, the --fail-on conditions and the
 * names of the enums.  Correlation itself lives in txn.c, dialog.c, reg.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int ptr_vec_push(struct ptr_vec *v, void *p)
{
	if (v->n == v->cap) {
		size_t nc = v->cap ? v->cap * 2 : 4;
		void **nv = realloc(v->v, nc * sizeof *nv);
		if (!nv) {
			fprintf(stderr, "regtrace: out of memory\n");
			abort();
		}
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

/* ---------------------------------------------------------------- hash map */

uint32_t mdl_hash(const char *s)
{
	/* FNV-1a: keys are attacker-chosen, but the map grows, so the worst
	 * case is long probe chains, never unbounded memory. */
	uint32_t h = 2166136261u;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		h ^= *p;
		h *= 16777619u;
	}
	return h;
}

static struct mdl_map_ent *map_slot(const struct mdl_map *mp, const char *key, uint32_t h)
{
	size_t mask = mp->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct mdl_map_ent *e = &mp->e[i];
		if (!e->key || (e->h == h && strcmp(e->key, key) == 0))
			return e;
	}
}

void *mdl_map_get(const struct mdl_map *mp, const char *key)
{
	if (!mp->cap || !key)
		return NULL;
	struct mdl_map_ent *e = map_slot(mp, key, mdl_hash(key));
	return e->key ? e->val : NULL;
}

static void map_grow(struct mdl_map *mp)
{
	size_t oc = mp->cap;
	struct mdl_map_ent *old = mp->e;
	mp->cap = oc ? oc * 2 : 64;
	mp->e = mdl_xcalloc(mp->cap, sizeof *mp->e);
	for (size_t i = 0; i < oc; i++) {
		if (!old[i].key)
			continue;
		struct mdl_map_ent *e = map_slot(mp, old[i].key, old[i].h);
		*e = old[i];
	}
	free(old);
}

int mdl_map_put(struct mdl_map *mp, const char *key, void *val)
{
	if ((mp->n + 1) * 2 > mp->cap)
		map_grow(mp);
	uint32_t h = mdl_hash(key);
	struct mdl_map_ent *e = map_slot(mp, key, h);
	if (!e->key) {
		e->key = mdl_strdup(key);
		e->h = h;
		mp->n++;
	}
	e->val = val;
	return 0;
}

void mdl_map_free(struct mdl_map *mp)
{
	for (size_t i = 0; i < mp->cap; i++)
		free(mp->e[i].key);
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
	return m;
}

void model_add_msg(struct model *m, struct sip_msg *msg)
{
	if (!m || !msg)
		return;
	ptr_vec_push(&m->msgs, msg);
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

void model_add_icmp(struct model *m, const struct icmp_evt *e)
{
	if (!m || !e)
		return;
	if (e->ts_ns > m->now_ns)
		m->now_ns = e->ts_ns;
	txn_add_icmp(m, e);
}

void model_finish(struct model *m, int64_t capture_end_ns)
{
	if (!m || m->finished)
		return;
	if (capture_end_ns > m->now_ns)
		m->now_ns = capture_end_ns;
	m->capture_end_ns = m->now_ns;
	txn_sweep(m, m->now_ns);
	txn_finish(m);
	reg_finish(m);
	m->finished = true;
}

static void finding_free(struct finding *f)
{
	if (!f)
		return;
	free(f->message);
	free(f->fix);
	free(f->frames);
	free(f);
}

void model_free(struct model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->aors.n; i++)
		reg_free_aor(m->aors.v[i]);
	ptr_vec_free(&m->aors);
	for (size_t i = 0; i < m->dialogs.n; i++)
		dialog_free(m->dialogs.v[i]);
	ptr_vec_free(&m->dialogs);
	for (size_t i = 0; i < m->txns.n; i++)
		txn_free(m->txns.v[i]);
	ptr_vec_free(&m->txns);
	for (size_t i = 0; i < m->msgs.n; i++)
		sip_msg_free(m->msgs.v[i]);
	ptr_vec_free(&m->msgs);
	for (size_t i = 0; i < m->findings.n; i++)
		finding_free(m->findings.v[i]);
	ptr_vec_free(&m->findings);
	if (m->priv) {
		mdl_map_free(&m->priv->txn_by_key);
		mdl_map_free(&m->priv->dialog_by_cid);
		mdl_map_free(&m->priv->aor_by_name);
		mdl_map_free(&m->priv->sess_by_key);
		mdl_map_free(&m->priv->bind_by_key);
		ptr_vec_free(&m->priv->pending);
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
	ptr_vec_push(&m->findings, f);
	if (f->aor)
		ptr_vec_push(&f->aor->findings, f);
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
