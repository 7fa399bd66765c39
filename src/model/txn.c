/* SPDX-License-Identifier: GPL-2.0-or-later */
/* txn.c - SIP transactions seen from the wire (RFC 3261 §17).
 *
 * Owns: struct txn creation, request/response matching, retransmission
 * counting, ACK-to-non-2xx folding, Timer F over capture time and the final
 * outcome.  Passive key (RFC 3261 §17.2.3, seen from the wire):
 *   z9hG4bK branch:  CSeq method + branch + sent-by, then Call-ID and CSeq
 *                    number must match (else: new transaction, branch_reused);
 *   RFC 2543:        CSeq method + Call-ID + CSeq number + From tag + sent-by.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model_int.h"

static bool is_cookie_branch(const char *b)
{
	return b && strncmp(b, "z9hG4bK", 7) == 0;
}

/* "host[:port]", host lower-case (hosts compare case-insensitively). */
static char *sent_by_of(const struct sip_msg *msg)
{
	const char *h = msg->via_host ? msg->via_host : "";
	char port[16];
	snprintf(port, sizeof port, ":%d", msg->via_port);
	const char *parts[] = { h, msg->via_port > 0 ? port : "" };
	char *s = mdl_concat(parts, 2);
	for (char *p = s; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}

/* The map key; method is the CSeq method the transaction is known by. */
static char *txn_key(const struct sip_msg *msg, const char *method, const char *sent_by)
{
	if (is_cookie_branch(msg->via_branch)) {
		const char *parts[] = { "B\x1f", method, "\x1f", msg->via_branch, "\x1f", sent_by };
		return mdl_concat(parts, 6);
	}
	return mdl_printf("O\x1f%s\x1f%s\x1f%u\x1f%s\x1f%s", method, msg->call_id,
			  msg->cseq, msg->from_tag ? msg->from_tag : "", sent_by);
}

static bool same_txn(const struct txn *t, const struct sip_msg *msg)
{
	return t->call_id && msg->call_id && strcmp(t->call_id, msg->call_id) == 0 &&
	       t->cseq == msg->cseq;
}

static bool is_method(const char *a, const char *b)
{
	return a && strcmp(a, b) == 0;
}

/* Timer J (RFC 3261 §17.2.2): a server transaction absorbs copies for
 * 64*T1 after its final response; later a copy would start a new one.  So
 * a finished transaction's key leaves txn_by_key once capture time passes
 * its last message + 64*T1 (the map then holds the live transactions, not
 * every one ever seen).  The queue is in the order finals came. */
static void expiry_push(struct model_priv *p, struct txn *t, uint32_t h, int64_t deadline)
{
	if (p->exp_n == p->exp_cap) {
		if (p->exp_head * 2 >= p->exp_n && p->exp_head) {
			memmove(p->exp, p->exp + p->exp_head, (p->exp_n - p->exp_head) * sizeof *p->exp);
			p->exp_n -= p->exp_head;
			p->exp_head = 0;
		} else {
			size_t nc = p->exp_cap ? p->exp_cap * 2 : 256;
			struct mdl_expiry *ne = realloc(p->exp, nc * sizeof *ne);
			if (!ne) {
				fprintf(stderr, "regtrace: out of memory\n");
				abort();
			}
			p->exp = ne;
			p->exp_cap = nc;
		}
	}
	p->exp[p->exp_n++] = (struct mdl_expiry){ t, h, deadline };
	t->qrefs++;
}

void txn_unref(struct model *m, struct txn *t)
{
	if (t->qrefs && --t->qrefs == 0 && t->evicted)
		txn_free(m, t);
}

/* Shed transactions wait in the queues until the queue's head passes them;
 * when the queues are dropped (rewind, finish, free) they go with them.
 * Live ones are left alone (m->txns frees them). */
void txn_free_zombies(struct model *m)
{
	struct model_priv *p = m->priv;
	for (size_t i = p->pending_head; i < p->pending.n; i++) {
		struct txn *t = p->pending.v[i];
		if (t->evicted)
			txn_unref(m, t);
		else if (t->qrefs)
			t->qrefs--;
	}
	p->pending.n = p->pending_head = 0;
	for (size_t i = p->exp_head; i < p->exp_n; i++) {
		struct txn *t = p->exp[i].t;
		if (t->evicted)
			txn_unref(m, t);
		else if (t->qrefs)
			t->qrefs--;
	}
	p->exp_n = p->exp_head = 0;
}

void txn_queues_drop_shed(struct model *m)
{
	struct model_priv *p = m->priv;
	size_t k = 0;
	for (size_t i = p->pending_head; i < p->pending.n; i++) {
		struct txn *t = p->pending.v[i];
		if (t->evicted)
			txn_unref(m, t);
		else
			p->pending.v[k++] = t;
	}
	p->pending.n = k;
	p->pending_head = 0;
	k = 0;
	for (size_t i = p->exp_head; i < p->exp_n; i++) {
		struct mdl_expiry x = p->exp[i];
		if (x.t->evicted)
			txn_unref(m, x.t);
		else
			p->exp[k++] = x;
	}
	p->exp_n = k;
	p->exp_head = 0;
}

static void expiry_sweep(struct model *m, int64_t now)
{
	struct model_priv *p = m->priv;
	while (p->exp_head < p->exp_n && now > p->exp[p->exp_head].deadline) {
		struct mdl_expiry x = p->exp[p->exp_head++];
		int64_t d = x.t->t_last + m->opt.timer_f_ns;
		if (x.t->evicted)               /* shed: already out of the map */
			;
		else if (now <= d)              /* copies came since: look again later */
			expiry_push(p, x.t, x.h, d);
		else
			mdl_map_del(&p->txn_by_key, x.h, x.t);
		txn_unref(m, x.t);
	}
}

static struct txn *txn_new(struct model *m, struct sip_msg *msg, const char *method,
			   char *sent_by, struct dialog *d)
{
	struct txn *t = mdl_alloc(m, sizeof *t);
	mdl_vec_push(m, &m->txns, t);
	t->id = (uint32_t)m->st.txns + 1;   /* m->txns loses shed ones */
	t->method = method;
	t->call_id = msg->call_id;
	t->cseq = msg->cseq;
	t->branch = msg->via_branch;
	t->sent_by = mdl_adopt(m, sent_by);
	t->rfc2543 = !is_cookie_branch(msg->via_branch);
	t->t_first = t->t_last = msg->ts_ns;
	t->dialog = d;
	dialog_add_txn(m, d, t);
	m->st.txns++;
	return t;
}

static void settle(struct model *m, struct txn *t, enum txn_outcome o)
{
	t->outcome = o;
	if (o == TXN_FINAL)
		m->st.txns_final++;      /* counted here: shed ones count too */
	else if (o == TXN_TIMEOUT)
		m->st.txns_timeout++;
	else if (o == TXN_UNKNOWN)
		m->st.txns_unknown++;
	/* the transaction's event first: the attempt's refers to it */
	model_txn_done(m, t);
	if (is_method(t->method, "REGISTER") && t->aor) {
		if (o == TXN_FINAL)
			reg_on_final(m, t);
		else if (o == TXN_TIMEOUT)
			reg_on_timeout(m, t);
	}
}

static void on_request(struct model *m, struct sip_msg *msg, struct dialog *d)
{
	const char *method = msg->method ? msg->method : msg->cseq_method;
	if (!method)
		return;
	char *sb = sent_by_of(msg);

	/* ACK with the INVITE's branch: the ACK to a non-2xx final (§17.1.1.3). */
	if (is_method(method, "ACK")) {
		char *k = txn_key(msg, "INVITE", sb);
		struct txn *inv = mdl_map_get(&m->priv->txn_by_key, k);
		free(k);
		if (inv && same_txn(inv, msg) && inv->final && inv->final_status >= 300) {
			mdl_vec_push(m, &inv->acks, msg);
			msg->in_txn = true;
			if (msg->ts_ns > inv->t_last)
				inv->t_last = msg->ts_ns;
			free(sb);
			return;
		}
	}

	char *k = txn_key(msg, method, sb);
	struct txn *t = mdl_map_get(&m->priv->txn_by_key, k);
	if (t && same_txn(t, msg)) {
		if (t->orphan && !t->req) {
			/* request captured after its response (reordering) */
			t->req = msg;
			t->orphan = false;
			mdl_vec_push(m, &t->reqs, msg);
		} else {
			mdl_vec_push(m, &t->reqs, msg);
			t->req_retrans++;
			m->st.req_retrans++;
		}
		msg->in_txn = true;
		if (msg->ts_ns > t->t_last)
			t->t_last = msg->ts_ns;
		free(k);
		free(sb);
		return;
	}

	struct txn *nt = txn_new(m, msg, method, sb, d);
	nt->req = msg;
	mdl_vec_push(m, &nt->reqs, msg);
	msg->in_txn = true;
	if (t && !nt->rfc2543) {
		/* same branch, another CSeq or Call-ID: a broken UA */
		nt->branch_reused = true;
		m->st.branch_reuse++;
	}
	mdl_map_put(m, &m->priv->txn_by_key, k, nt);
	uint32_t h = mdl_hash(k);
	free(k);
	if (is_method(method, "ACK")) {
		nt->outcome = TXN_NO_ANSWER;   /* 2xx ACK: no response, no timer */
		expiry_push(m->priv, nt, h, nt->t_last + m->opt.timer_f_ns);
		model_txn_done(m, nt);
		return;
	}
	ptr_vec_push(&m->priv->pending, nt);
	nt->qrefs++;
	if (is_method(method, "REGISTER"))
		reg_on_new_txn(m, nt);
}

static void on_response(struct model *m, struct sip_msg *msg, struct dialog *d)
{
	if (!msg->cseq_method)
		return;
	char *sb = sent_by_of(msg);
	char *k = txn_key(msg, msg->cseq_method, sb);
	struct txn *t = mdl_map_get(&m->priv->txn_by_key, k);
	if (!t || !same_txn(t, msg)) {
		/* the request is not in the capture */
		struct txn *nt = txn_new(m, msg, msg->cseq_method, sb, d);
		nt->orphan = true;
		m->st.orphan_responses++;
		if (!t)
			mdl_map_put(m, &m->priv->txn_by_key, k, nt);
		t = nt;
	} else {
		free(sb);
	}
	uint32_t h = mdl_hash(k);
	free(k);

	/* a response equal to an earlier one (code + To tag) is a retransmission */
	/* (only the last few: a hostile capture must not make this quadratic) */
	for (size_t i = t->resps.n > 8 ? t->resps.n - 8 : 0; i < t->resps.n; i++) {
		const struct sip_msg *r = t->resps.v[i];
		if (r->status == msg->status &&
		    ((!r->to_tag && !msg->to_tag) ||
		     (r->to_tag && msg->to_tag && strcmp(r->to_tag, msg->to_tag) == 0))) {
			t->resp_retrans++;
			m->st.resp_retrans++;
			break;
		}
	}
	mdl_vec_push(m, &t->resps, msg);
	msg->in_txn = true;
	if (msg->ts_ns > t->t_last)
		t->t_last = msg->ts_ns;
	if (msg->status < 200) {
		if (!t->first_prov)
			t->first_prov = msg;
		return;
	}
	if (t->final)
		return;
	t->final = msg;
	t->final_status = msg->status;
	t->t_final = msg->ts_ns;
	expiry_push(m->priv, t, h, t->t_final + m->opt.timer_f_ns);
	if (t->outcome == TXN_TIMEOUT) {
		t->late_final = true;          /* Timer F already fired */
		return;
	}
	settle(m, t, TXN_FINAL);
}

void txn_on_msg(struct model *m, struct sip_msg *msg, struct dialog *d)
{
	if (msg->request)
		on_request(m, msg, d);
	else if (msg->status >= 100)
		on_response(m, msg, d);
}

/* INVITE client transactions stop Timer B once a provisional came. */
static bool timer_running(const struct txn *t)
{
	return !(is_method(t->method, "INVITE") && t->first_prov);
}

void txn_sweep(struct model *m, int64_t now)
{
	struct model_priv *p = m->priv;
	expiry_sweep(m, now);
	while (p->pending_head < p->pending.n) {
		struct txn *t = p->pending.v[p->pending_head];
		if (t->outcome != TXN_PENDING) {
			p->pending_head++;
			txn_unref(m, t);
			continue;
		}
		if (now - t->t_first < m->opt.timer_f_ns)
			break;
		p->pending_head++;
		t->qrefs--;
		if (timer_running(t))
			settle(m, t, TXN_TIMEOUT);
	}
	/* compact once the consumed head dominates */
	if (p->pending_head > 1024 && p->pending_head * 2 > p->pending.n) {
		size_t left = p->pending.n - p->pending_head;
		memmove(p->pending.v, p->pending.v + p->pending_head, left * sizeof(void *));
		p->pending.n = left;
		p->pending_head = 0;
	}
}

void txn_finish(struct model *m)
{
	for (size_t i = 0; i < m->txns.n; i++) {
		struct txn *t = m->txns.v[i];
		if (t->outcome != TXN_PENDING)
			continue;
		/* a UA retransmitting into silence is a timeout even if the
		 * capture stopped before Timer F */
		if (!t->orphan && timer_running(t) && t->reqs.n >= MODEL_TIMEOUT_MIN_COPIES)
			settle(m, t, TXN_TIMEOUT);
		else
			settle(m, t, TXN_UNKNOWN);
	}
}

void txn_add_icmp(struct model *m, const struct icmp_evt *e)
{
	const struct dialog *d = e->q_call_id ? model_find_dialog(m, e->q_call_id) : NULL;
	struct txn *hit = NULL;
	if (d) {
		/* latest transaction of that Call-ID with the quoted branch (or method) */
		/* the most recent few only: an ICMP error answers a recent send */
		size_t stop = d->txns.n > 64 ? d->txns.n - 64 : 0;
		for (size_t i = d->txns.n; i-- > stop && !hit;) {
			struct txn *t = d->txns.v[i];
			if (!t->req || t->t_first > e->ts_ns)
				continue;
			if (e->q_branch && t->branch && strcmp(e->q_branch, t->branch) == 0)
				hit = t;
			else if (!e->q_branch && e->q_method && t->method &&
				 strcmp(e->q_method, t->method) == 0)
				hit = t;
		}
	}
	if (!hit) {
		m->st.icmp_unmatched++;
		return;
	}
	hit->icmps = mdl_grow_pow2(m, hit->icmps, hit->nicmps, sizeof *hit->icmps);
	hit->icmps[hit->nicmps++] = (struct txn_icmp){ e->file, e->frame, e->ts_ns,
					       e->version, e->type, e->code, e->from };
	m->st.icmp_matched++;
}

void txn_free(struct model *m, struct txn *t)
{
	if (!t)
		return;
	mdl_free(m, t->sent_by);
	mdl_free(m, t->map_key);
	ptr_vec_free(&t->reqs);
	ptr_vec_free(&t->resps);
	ptr_vec_free(&t->acks);
	mdl_free(m, t->icmps);
	mdl_free(m, t);
}
