/* SPDX-License-Identifier: GPL-2.0-or-later */
/* shed.c - eviction under the memory bound (--max-memory).
 *
 * Owns: model_shed() and model_held_bytes().  What goes, oldest first, is
 * detail of what is over: a transaction whose outcome is settled (and for
 * a REGISTER, whose attempt is settled, or that is older than 2 x Timer F,
 * a challenge never answered) with its records, and records no
 * transaction holds once older than 2 x Timer F.  What stays is what the
 * per-AOR summary is made of (attempts and their outcomes, bindings with
 * their timelines, sessions, state, counters); a dialog object goes once
 * nothing of it is left and it is idle (unless model_opts.keep_dialogs).  A REGISTER's User-Agent
 * and final code are folded into the AOR (shed_ua, shed_last_status)
 * before it goes.  A transaction still in a timer queue (Timer J or F)
 * leaves the key map at once and is freed when the queue lets go of it.
 */
#include <stdlib.h>
#include <string.h>

#include "model_int.h"

static uint64_t rec_bytes(const struct sip_msg *msg)
{
	return msg->blk_size;
}

/* What the model holds besides records, per object: an estimate (a
 * registration with its session, attempt and binding, their strings and
 * table slots; an open transaction; a dialog), so that it depends on the
 * input alone, like the records' bytes. */
#define EST_AOR 512u
#define EST_SESSION 256u
#define EST_ATTEMPT 192u
#define EST_BINDING 384u
#define EST_TXN 384u
#define EST_DIALOG 256u

uint64_t model_fixed_bytes(const struct model *m)
{
	if (!m)
		return 0;
	const struct model_priv *p = m->priv;
	return (uint64_t)m->aors.n * EST_AOR + p->nsessions * EST_SESSION +
	       p->nattempts * EST_ATTEMPT + p->nbindings * EST_BINDING +
	       (uint64_t)m->txns.n * EST_TXN + (uint64_t)m->dialogs.n * EST_DIALOG;
}

uint64_t model_held_bytes(const struct model *m)
{
	uint64_t b = 0;
	for (size_t i = 0; m && i < m->msgs.n; i++)
		b += rec_bytes(m->msgs.v[i]);
	return b;
}

static bool txn_settled(const struct model *m, const struct txn *t, int64_t horizon)
{
	if (t->evicted)
		return false;
	if (t->outcome == TXN_PENDING)
		/* an INVITE that rang and never ended: out of the queue, old */
		return !t->qrefs && t->t_last < horizon;
	if (t->attempt && t->attempt->result == ATT_OPEN && t->t_last >= horizon)
		return false;
	(void)m;
	return true;
}

/* The dialog's borrowed strings point into its records: copies, before the
 * record they are in goes. */
static void dialog_own(struct dialog *d, const struct sip_msg *msg)
{
	const char *lo = (const char *)msg, *hi = lo + msg->blk_size;
	const char **f[3] = { &d->from_uri, &d->to_uri, &d->first_method };
	for (int k = 0; k < 3; k++) {
		const char *s = *f[k];
		if (!s || (d->own_strs & (1u << k)) || s < lo || s >= hi)
			continue;
		char *c = mdl_strdup(s);
		*f[k] = c;
		d->own_strs |= (uint8_t)(1u << k);
	}
}

static void vec_compact_txns(struct ptr_vec *v)
{
	size_t k = 0;
	for (size_t i = 0; i < v->n; i++)
		if (!((struct txn *)v->v[i])->evicted)
			v->v[k++] = v->v[i];
	v->n = k;
}

static void vec_compact_msgs(struct ptr_vec *v)
{
	size_t k = 0;
	for (size_t i = 0; i < v->n; i++)
		if (!((struct sip_msg *)v->v[i])->evicted)
			v->v[k++] = v->v[i];
	v->n = k;
}

static void mark_msgs(struct ptr_vec *v, uint64_t *freed)
{
	for (size_t i = 0; i < v->n; i++) {
		struct sip_msg *r = v->v[i];
		if (!r->evicted) {
			r->evicted = true;
			*freed += rec_bytes(r);
		}
	}
}

static bool att_failed(const struct reg_attempt *at)
{
	return at->result == ATT_FAILED || at->result == ATT_REJECTED || at->result == ATT_TIMEOUT;
}

/* An AOR that refreshes for days makes an attempt a refresh, a session a
 * boot: beyond the last few, settled ones with no transaction left become
 * counters (what aor_summarize reads of them), and a binding's timeline
 * keeps its first event and its latest. */
static void fold_history(struct model *m, struct aor_hist *a, int64_t horizon)
{
	size_t na = a->attempts.n, k = 0;
	for (size_t i = 0; i < na; i++) {
		struct reg_attempt *at = a->attempts.v[i];
		if (i + MODEL_KEEP_ATTEMPTS >= na || at->txns.n || at->result == ATT_OPEN) {
			a->attempts.v[k++] = at;
			continue;
		}
		a->shed_attempts++;
		if (att_failed(at))
			a->shed_failures++;
		if (at->result == ATT_OK && !a->shed_first_ok_end)
			a->shed_first_ok_end = at->t_end;
		if (at->result == ATT_OK && !at->deregister && at->expires_granted >= 0)
			a->shed_exp_granted = at->expires_granted;
		a->shed_exp_requested = at->expires_requested;
		at->id = 0;                    /* gone: its session drops it below */
	}
	a->attempts.n = k;
	size_t ns = a->sessions.n;
	k = 0;
	for (size_t i = 0; i < ns; i++) {
		struct reg_session *s = a->sessions.v[i];
		size_t kk = 0;
		for (size_t j = 0; j < s->attempts.n; j++) {
			struct reg_attempt *at = s->attempts.v[j];
			if (at->id)
				s->attempts.v[kk++] = at;
			else {
				ptr_vec_free(&at->txns);
				mdl_free(m, at);
				m->priv->nattempts--;
			}
		}
		s->attempts.n = kk;
		if (i + MODEL_KEEP_SESSIONS >= ns || s->attempts.n || s->txns.n) {
			a->sessions.v[k++] = s;
			continue;
		}
		a->shed_sessions++;
		m->priv->nsessions--;
		if (s->map_key)
			mdl_map_del(&m->priv->sess_by_key, mdl_hash(s->map_key), s);
		mdl_free(m, s->map_key);
		ptr_vec_free(&s->attempts);
		ptr_vec_free(&s->txns);
		mdl_free(m, s);
	}
	a->sessions.n = k;
	/* a phone that registers from a new port each boot leaves one inactive
	 * binding each time: beyond the last few, the idle ones go */
	size_t nb = a->bindings.n;
	k = 0;
	for (size_t i = 0; i < nb; i++) {
		struct binding *b = a->bindings.v[i];
		int64_t last = b->nev ? b->ev[b->nev - 1].ts_ns : 0;
		if (b->active || i + MODEL_KEEP_BINDINGS >= nb || last >= horizon) {
			a->bindings.v[k++] = b;
			continue;
		}
		a->shed_bindings++;
		m->priv->nbindings--;
		if (a->shed_contact == b)
			a->shed_contact = NULL;
		if (a->sum.contact == b)
			a->sum.contact = NULL;
		if (b->map_key)
			mdl_map_del(&m->priv->bind_by_key, mdl_hash(b->map_key), b);
		mdl_free(m, b->key);
		mdl_free(m, b->map_key);
		mdl_free(m, b->contact);
		mdl_free(m, b->instance);
		mdl_free(m, b->reg_id);
		mdl_free(m, b->ev);
		mdl_free(m, b);
	}
	a->bindings.n = k;
	for (size_t i = 0; i < a->bindings.n; i++) {
		struct binding *b = a->bindings.v[i];
		if (b->nev <= MODEL_KEEP_EVENTS)
			continue;
		size_t drop = b->nev - MODEL_KEEP_EVENTS;
		memmove(b->ev + 1, b->ev + 1 + drop, (MODEL_KEEP_EVENTS - 1) * sizeof *b->ev);
		b->nev = MODEL_KEEP_EVENTS;
		b->shed_events += (uint32_t)drop;
	}
}

uint64_t model_shed(struct model *m, uint64_t bytes, model_keep_fn keep, void *user)
{
	if (!m || m->finished || !bytes)
		return 0;
	int64_t horizon = m->now_ns - 2 * m->opt.timer_f_ns;
	uint64_t freed = 0;
	struct ptr_vec aors = { 0 }, dlgs = { 0 }, gone = { 0 };

	/* 1. choose, oldest first */
	for (size_t i = 0; i < m->txns.n && freed < bytes; i++) {
		struct txn *t = m->txns.v[i];
		if (!txn_settled(m, t, horizon))
			continue;
		t->evicted = true;
		ptr_vec_push(&gone, t);
		mark_msgs(&t->reqs, &freed);
		mark_msgs(&t->resps, &freed);
		mark_msgs(&t->acks, &freed);
		if (t->aor && !t->aor->shed_mark) {
			t->aor->shed_mark = true;
			ptr_vec_push(&aors, t->aor);
		}
		if (t->dialog && !t->dialog->shed_mark) {
			t->dialog->shed_mark = true;
			ptr_vec_push(&dlgs, t->dialog);
		}
	}
	/* records no transaction holds (no Call-ID, a response below 100, a
	 * request without a method): by age */
	for (size_t i = 0; i < m->msgs.n && freed < bytes; i++) {
		struct sip_msg *r = m->msgs.v[i];
		if (r->ts_ns >= horizon)
			break;
		if (r->in_txn || r->evicted)
			continue;
		r->evicted = true;
		freed += rec_bytes(r);
		struct dialog *d = r->call_id && r->call_id[0] ?
				   mdl_map_get(&m->priv->dialog_by_cid, r->call_id) : NULL;
		if (d && !d->shed_mark) {
			d->shed_mark = true;
			ptr_vec_push(&dlgs, d);
		}
	}
	if (!freed && !gone.n) {
		ptr_vec_free(&aors);
		ptr_vec_free(&dlgs);
		ptr_vec_free(&gone);
		return 0;
	}

	/* 2. the diagnosis sees it all once more, marks and all in place
	 * (rules read records; evicted is a flag only so far) */
	for (size_t i = 0; i < aors.n; i++)
		model_aor_settle_now(m, aors.v[i]);
	if (keep)
		keep(user, m, (struct aor_hist **)aors.v, aors.n);

	/* 3. fold and compact, order kept */
	for (size_t i = 0; i < gone.n; i++)
		reg_on_shed(m, gone.v[i]);
	for (size_t i = 0; i < aors.n; i++) {
		struct aor_hist *a = aors.v[i];
		a->shed_mark = false;
		vec_compact_txns(&a->txns);
		for (size_t k = 0; k < a->sessions.n; k++)
			vec_compact_txns(&((struct reg_session *)a->sessions.v[k])->txns);
		for (size_t k = 0; k < a->attempts.n; k++)
			vec_compact_txns(&((struct reg_attempt *)a->attempts.v[k])->txns);
		fold_history(m, a, horizon);
	}
	for (size_t i = 0; i < dlgs.n; i++) {
		struct dialog *d = dlgs.v[i];
		d->shed_mark = false;
		for (size_t k = 0; k < d->msgs.n; k++) {
			const struct sip_msg *r = d->msgs.v[k];
			if (r->evicted) {
				dialog_own(d, r);
				d->evicted_msgs++;
			}
		}
		vec_compact_msgs(&d->msgs);
		vec_compact_txns(&d->txns);
	}
	vec_compact_txns(&m->txns);
	/* dialogs left with nothing: the object goes too (a later message of
	 * that Call-ID opens a new one, with a new id) */
	if (!m->opt.keep_dialogs) {
		size_t kd = 0;
		for (size_t i = 0; i < m->dialogs.n; i++) {
			struct dialog *d = m->dialogs.v[i];
			if (!d->msgs.n && !d->txns.n) {
				mdl_map_del(&m->priv->dialog_by_cid, mdl_hash(d->call_id), d);
				dialog_free(m, d);
				m->ev.dialogs++;
			} else {
				m->dialogs.v[kd++] = d;
			}
		}
		m->dialogs.n = kd;
	}

	/* 4. free: transactions out of the key map (a copy arriving later
	 * starts a new one), records last */
	for (size_t i = 0; i < gone.n; i++) {
		struct txn *t = gone.v[i];
		if (t->map_key)
			mdl_map_del(&m->priv->txn_by_key, mdl_hash(t->map_key), t);
		t->req = t->final = t->first_prov = NULL;
		t->method = t->call_id = t->branch = NULL;
		t->reqs.n = t->resps.n = t->acks.n = 0;
		m->ev.transactions++;
		if (!t->qrefs)
			txn_free(m, t);
	}
	txn_queues_drop_shed(m);
	size_t k = 0;
	for (size_t i = 0; i < m->msgs.n; i++) {
		struct sip_msg *r = m->msgs.v[i];
		if (r->evicted) {
			m->ev.messages++;
			m->ev.bytes += rec_bytes(r);
			sip_msg_free(r);
		} else {
			m->msgs.v[k++] = r;
		}
	}
	m->msgs.n = k;
	m->ev.passes++;
	ptr_vec_free(&aors);
	ptr_vec_free(&dlgs);
	ptr_vec_free(&gone);
	return freed;
}
