/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ladder.c - see ladder.h. */
#include "ladder.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "escape.h"

/* Cells of the drawing; mapped to UTF-8 box drawing or ASCII when rendered. */
#define G_VLINE 0xE001
#define G_HLINE 0xE002
#define G_HDASH 0xE003   /* retransmission */
#define G_SEP 0xE004

static wchar_t glyph(wchar_t g, bool utf8)
{
	switch (g) {
	case G_VLINE: return utf8 ? 0x2502 : '|';   /* │ */
	case G_HLINE: return utf8 ? 0x2500 : '-';   /* ─ */
	case G_HDASH: return utf8 ? 0x2504 : '.';   /* ┄ */
	case G_SEP: return utf8 ? 0x2550 : '=';     /* ═ */
	default: return g;
	}
}

/* Captured text for a label: escaped, then reduced to ASCII so one byte is
 * one terminal cell. */
static char *lab_text(const char *s, char *out, size_t n)
{
	rt_escape(s, out, n);
	for (char *p = out; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	return out;
}

char *ladder_time(int64_t ts_ns, char *buf, size_t n)
{
	time_t t = (time_t)(ts_ns / 1000000000LL);
	long us = (long)((ts_ns % 1000000000LL) / 1000);
	if (us < 0) {
		us += 1000000;
		t -= 1;
	}
	struct tm tm;
	if (!gmtime_r(&t, &tm)) {
		snprintf(buf, n, "??:??:??.??????");
		return buf;
	}
	snprintf(buf, n, "%02d:%02d:%02d.%06ld", tm.tm_hour, tm.tm_min, tm.tm_sec, us);
	return buf;
}

static char *ladder_date(int64_t ts_ns, char *buf, size_t n)
{
	time_t t = (time_t)(ts_ns / 1000000000LL);
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(buf, n, "%Y-%m-%d", &tm))
		snprintf(buf, n, "?");
	return buf;
}

char *ladder_delta(int64_t d, char *buf, size_t n)
{
	const char *sign = "+";
	if (d < 0) {
		sign = "-";
		d = -d;
	}
	long long us = d / 1000;
	if (us < 1000)
		snprintf(buf, n, "%s%lldus", sign, us);
	else if (us < 100000)
		snprintf(buf, n, "%s%lld.%lldms", sign, us / 1000, (us / 100) % 10);
	else if (us < 1000000)
		snprintf(buf, n, "%s%lldms", sign, us / 1000);
	else if (us < 10000000)
		snprintf(buf, n, "%s%lld.%03llds", sign, us / 1000000, (us / 1000) % 1000);
	else if (us < 100000000)
		snprintf(buf, n, "%s%lld.%02llds", sign, us / 1000000, (us / 10000) % 100);
	else if (us < 10000000000LL)
		snprintf(buf, n, "%s%llds", sign, us / 1000000);
	else
		snprintf(buf, n, "%s%lldh%02lldm", sign, us / 3600000000LL, (us / 60000000LL) % 60);
	return buf;
}

/* ------------------------------------------------------------------ building */

enum ent_role { ENT_REQ, ENT_RESP, ENT_ACK, ENT_OTHER };

struct ent {
	const struct sip_msg *msg;
	const struct txn *txn;
	enum ent_role role;
	size_t idx;           /* index in its txn vector */
};

static int ent_cmp(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;
	if (x->msg->id != y->msg->id)
		return x->msg->id < y->msg->id ? -1 : 1;
	/* the same message twice: keep the one with a transaction first */
	return (x->txn == NULL) - (y->txn == NULL);
}

struct ents {
	struct ent *v;
	size_t n, cap;
};

static int ents_push(struct ents *e, const struct sip_msg *m, const struct txn *t,
		     enum ent_role r, size_t i)
{
	if (!m)
		return 0;
	if (e->n == e->cap) {
		size_t nc = e->cap ? e->cap * 2 : 32;
		struct ent *nv = realloc(e->v, nc * sizeof *nv);
		if (!nv)
			return -1;
		e->v = nv;
		e->cap = nc;
	}
	e->v[e->n++] = (struct ent){ m, t, r, i };
	return 0;
}

static int ents_add_txn(struct ents *e, const struct txn *t)
{
	for (size_t i = 0; i < t->reqs.n; i++)
		if (ents_push(e, t->reqs.v[i], t, ENT_REQ, i))
			return -1;
	for (size_t i = 0; i < t->resps.n; i++)
		if (ents_push(e, t->resps.v[i], t, ENT_RESP, i))
			return -1;
	for (size_t i = 0; i < t->acks.n; i++)
		if (ents_push(e, t->acks.v[i], t, ENT_ACK, i))
			return -1;
	return 0;
}

/* Sort by message id and drop duplicates. */
static void ents_sort(struct ents *e)
{
	if (!e->n)
		return;
	qsort(e->v, e->n, sizeof *e->v, ent_cmp);
	size_t o = 1;
	for (size_t i = 1; i < e->n; i++)
		if (e->v[i].msg != e->v[o - 1].msg)
			e->v[o++] = e->v[i];
	e->n = o;
}

static int col_of(struct ladder *l, const struct rt_addr *a)
{
	for (size_t i = 0; i < l->ncols; i++)
		if (rt_addr_eq(&l->cols[i].addr, a))
			return (int)i;
	struct ladder_col *nc = realloc(l->cols, (l->ncols + 1) * sizeof *nc);
	if (!nc)
		return -1;
	l->cols = nc;
	struct ladder_col *c = &l->cols[l->ncols];
	memset(c, 0, sizeof *c);
	c->addr = *a;
	char tmp[RT_ADDR_STRLEN];
	lab_text(rt_addr_str(a, tmp, sizeof tmp), c->addr_s, sizeof c->addr_s);
	c->tag = l->ncols < 26 ? (char)('A' + l->ncols) : '?';
	return (int)l->ncols++;
}

static int callid_of(struct ladder *l, const char *cid)
{
	if (!cid)
		cid = "";
	for (size_t i = 0; i < l->ncallids; i++)
		if (!strcmp(l->callids[i], cid))
			return (int)i;
	const char **nv = realloc(l->callids, (l->ncallids + 1) * sizeof *nv);
	if (!nv)
		return -1;
	l->callids = nv;
	l->callids[l->ncallids] = cid;
	return (int)l->ncallids++;
}

static void note_add(struct ladder_row *r, const char *s)
{
	size_t len = strlen(r->note);
	if (len && len + 2 < sizeof r->note) {
		memcpy(r->note + len, ", ", 3);
		len += 2;
	}
	snprintf(r->note + len, sizeof r->note - len, "%s", s);
}

static bool is_challenge(int status)
{
	return status == 401 || status == 407;
}

static bool resp_is_retrans(const struct txn *t, size_t i)
{
	const struct sip_msg *m = t->resps.v[i];
	for (size_t j = 0; j < i; j++) {
		const struct sip_msg *p = t->resps.v[j];
		if (p->status == m->status &&
		    ((!p->to_tag && !m->to_tag) || (p->to_tag && m->to_tag && !strcmp(p->to_tag, m->to_tag))))
			return true;
	}
	return false;
}

/* The transaction that answered t's challenge: the next one of the same
 * Call-ID and method with a higher CSeq whose request carries credentials. */
static const struct txn *auth_follower(const struct txn *t)
{
	if (!t->dialog || !t->method)
		return NULL;
	const struct ptr_vec *v = &t->dialog->txns;
	size_t i = 0;
	while (i < v->n && v->v[i] != t)
		i++;
	for (i++; i < v->n; i++) {
		const struct txn *n = v->v[i];
		if (!n->method || strcmp(n->method, t->method) || n->cseq <= t->cseq)
			continue;
		if (n->req && n->req->ncreds > 0)
			return n;
		return NULL;   /* the next attempt came without credentials */
	}
	return NULL;
}

static int row_of_msg(const struct ladder *l, const struct sip_msg *m)
{
	for (size_t i = 0; i < l->nrows; i++)
		if (l->rows[i].msg == m)
			return (int)i;
	return -1;
}

static enum ladder_row_class class_of(const struct sip_msg *m)
{
	if (m->request)
		return LCLS_REQUEST;
	if (m->status < 200)
		return LCLS_PROV;
	if (m->status < 300)
		return LCLS_OK;
	if (is_challenge(m->status))
		return LCLS_CHALLENGE;
	if (m->status < 400)
		return LCLS_REDIRECT;
	return LCLS_ERROR;
}

static long req_expires(const struct sip_msg *m)
{
	if (m->ncontacts > 0 && m->contacts[0].expires >= 0)
		return m->contacts[0].expires;
	return m->expires;
}

static bool finding_cites(const struct finding *f, const struct sip_msg *m)
{
	for (size_t i = 0; i < f->nframes; i++)
		if (f->frames[i] == m->frame)
			return true;
	return false;
}

static int add_finding(struct ladder *l, const struct finding *f)
{
	for (size_t i = 0; i < l->nfindings; i++)
		if (l->findings[i] == f)
			return 0;
	const struct finding **nv = realloc(l->findings, (l->nfindings + 1) * sizeof *nv);
	if (!nv)
		return -1;
	l->findings = nv;
	l->findings[l->nfindings++] = f;
	return 0;
}

static int build_rows(struct ladder *l, struct ents *e)
{
	ents_sort(e);
	/* distinct Call-IDs first: separators are only drawn when there are several */
	for (size_t i = 0; i < e->n; i++)
		if (callid_of(l, e->v[i].msg->call_id) < 0)
			return -1;
	size_t seps = 0;
	if (l->ncallids > 1) {
		const char *prev = NULL;
		for (size_t i = 0; i < e->n; i++) {
			const char *c = e->v[i].msg->call_id ? e->v[i].msg->call_id : "";
			if (!prev || strcmp(prev, c))
				seps++;
			prev = c;
		}
	}
	l->rows = calloc(e->n + seps + 1, sizeof *l->rows);
	if (!l->rows)
		return -1;
	int64_t prev_ts = 0;
	int prev_cid = -1;
	bool first = true;
	for (size_t i = 0; i < e->n; i++) {
		const struct ent *en = &e->v[i];
		const struct sip_msg *m = en->msg;
		int cid = callid_of(l, m->call_id);
		if (l->ncallids > 1 && cid != prev_cid) {
			struct ladder_row *s = &l->rows[l->nrows++];
			s->kind = LROW_SEP;
			s->callid = cid;
			s->pair_row = -1;
			s->from = s->to = -1;
			char esc[LADDER_LABEL_MAX - 16];
			lab_text(m->call_id, esc, sizeof esc);
			snprintf(s->label, sizeof s->label, "Call-ID %d: %s", cid % 1000 + 1, esc);
		}
		prev_cid = cid;
		struct ladder_row *r = &l->rows[l->nrows++];
		r->kind = LROW_MSG;
		r->msg = m;
		r->msg_id = m->id;
		r->txn = en->txn;
		r->callid = cid;
		r->pair_row = -1;
		r->from = col_of(l, &m->src);
		r->to = col_of(l, &m->dst);
		if (r->from < 0 || r->to < 0)
			return -1;
		r->cls = class_of(m);
		r->delta_ns = first ? -1 : m->ts_ns - prev_ts;
		prev_ts = m->ts_ns;
		first = false;
		char esc[LADDER_LABEL_MAX];
		if (m->request) {
			lab_text(m->method ? m->method : "?", r->label, sizeof r->label);
		} else {
			lab_text(m->reason ? m->reason : "", esc, sizeof esc);
			snprintf(r->label, sizeof r->label, "%d %.*s", m->status,
				 (int)(sizeof r->label - 12), esc);
			/* trim a trailing blank when the reason is empty */
			size_t len = strlen(r->label);
			if (len && r->label[len - 1] == ' ')
				r->label[len - 1] = '\0';
		}
		/* endpoint names: the first User-Agent/Server each address sent */
		struct ladder_col *c = &l->cols[r->from];
		const char *nm = m->user_agent ? m->user_agent : m->server;
		if (!c->name[0] && nm)
			lab_text(nm, c->name, sizeof c->name);
		r->auth = m->request && m->ncreds > 0;
		if (en->txn && en->role == ENT_REQ && en->idx > 0)
			r->retrans = true;
		if (en->txn && en->role == ENT_RESP && resp_is_retrans(en->txn, en->idx))
			r->retrans = true;
		if (en->txn && en->role == ENT_ACK && en->idx > 0)
			r->retrans = true;
	}
	return 0;
}

/* Notes: retransmission, challenge pairing, expires, timeout, ICMP, findings. */
static void annotate(struct ladder *l, const struct model *m)
{
	(void)m;
	for (size_t i = 0; i < l->nrows; i++) {
		struct ladder_row *r = &l->rows[i];
		if (r->kind != LROW_MSG || r->retrans || r->msg->request || !r->txn)
			continue;
		if (!is_challenge(r->msg->status))
			continue;
		const struct txn *f = auth_follower(r->txn);
		int j = f ? row_of_msg(l, f->req) : -1;
		if (j >= 0) {
			r->challenge = true;
			r->pair_row = j;
			if (l->rows[j].pair_row < 0)
				l->rows[j].pair_row = (int)i;
		}
	}
	for (size_t i = 0; i < l->nrows; i++) {
		struct ladder_row *r = &l->rows[i];
		if (r->kind != LROW_MSG)
			continue;
		const struct sip_msg *msg = r->msg;
		const struct txn *t = r->txn;
		char b[64];
		if (msg->transport == RT_TP_TLS || msg->transport == RT_TP_WSS)
			note_add(r, msg->transport == RT_TP_TLS ? "TLS" : "WSS");   /* decrypted */
		if (r->retrans)
			note_add(r, "retransmission");
		if (r->challenge) {
			snprintf(b, sizeof b, "challenge -> #%llu",
				 (unsigned long long)l->rows[r->pair_row].msg->frame);
			note_add(r, b);
		} else if (!msg->request && is_challenge(msg->status) && !r->retrans) {
			note_add(r, "challenge (not answered)");
		}
		if (r->auth && !r->retrans) {
			if (r->pair_row >= 0 && !l->rows[r->pair_row].msg->request) {
				snprintf(b, sizeof b, "auth for #%llu",
					 (unsigned long long)l->rows[r->pair_row].msg->frame);
				note_add(r, b);
			} else {
				note_add(r, "auth");
			}
		}
		bool reg = msg->request ? (msg->method && !strcmp(msg->method, "REGISTER"))
					: (msg->cseq_method && !strcmp(msg->cseq_method, "REGISTER"));
		if (reg && msg->request && !r->retrans) {
			long ex = req_expires(msg);
			bool star = msg->ncontacts > 0 && msg->contacts[0].star;
			if (star || ex == 0)
				note_add(r, "de-register");
			else if (msg->ncontacts == 0)
				note_add(r, "query");
			else if (ex > 0) {
				snprintf(b, sizeof b, "exp %ld", ex);
				note_add(r, b);
			}
		}
		if (reg && !msg->request && msg->status >= 200 && msg->status < 300 && !r->retrans && t &&
		    t->final == msg && t->attempt && t->attempt->expires_granted >= 0 &&
		    t->attempt->txns.n && t->attempt->txns.v[t->attempt->txns.n - 1] == t) {
			snprintf(b, sizeof b, "granted %ld", t->attempt->expires_granted);
			note_add(r, b);
		}
		if (!msg->request && msg->status == 423 && msg->min_expires >= 0) {
			snprintf(b, sizeof b, "min %ld", msg->min_expires);
			note_add(r, b);
		}
		if (t && msg->request && t->reqs.n && t->reqs.v[t->reqs.n - 1] == msg) {
			if (t->outcome == TXN_TIMEOUT)
				note_add(r, "no answer (timeout)");
			else if (t->outcome == TXN_UNKNOWN && !t->final)
				note_add(r, "no answer (capture ended)");
		}
		if (t && msg->request && t->req == msg && t->nicmps)
			note_add(r, "ICMP error");
		if (t && t->orphan && !msg->request && t->resps.n && t->resps.v[0] == msg)
			note_add(r, "request not captured");
		/* findings citing this frame */
		for (size_t k = 0; k < l->nfindings; k++) {
			if (!finding_cites(l->findings[k], msg))
				continue;
			size_t *nv = realloc(r->findings, (r->nfindings + 1) * sizeof *nv);
			if (!nv)
				break;
			r->findings = nv;
			r->findings[r->nfindings++] = k;
			snprintf(b, sizeof b, "[%zu]", k + 1);
			note_add(r, b);
		}
	}
}

static const char *state_word(enum aor_state s)
{
	return aor_state_name(s);
}

struct ladder *ladder_for_aor(const struct model *m, const struct aor_hist *a)
{
	struct ladder *l = calloc(1, sizeof *l);
	if (!l)
		return NULL;
	struct ents e = { 0 };
	for (size_t i = 0; i < a->txns.n; i++)
		if (ents_add_txn(&e, a->txns.v[i]))
			goto fail;
	for (size_t i = 0; i < a->findings.n; i++)
		if (add_finding(l, a->findings.v[i]))
			goto fail;
	if (build_rows(l, &e))
		goto fail;
	annotate(l, m);
	char aor[96];
	lab_text(a->aor, aor, sizeof aor);
	int n = snprintf(l->title, sizeof l->title, "registration %s - %s", aor, state_word(a->state));
	if (n > 0 && (size_t)n < sizeof l->title && a->sum.last_status)
		n += snprintf(l->title + n, sizeof l->title - (size_t)n, " (last %d)", a->sum.last_status);
	if (n > 0 && (size_t)n < sizeof l->title)
		n += snprintf(l->title + n, sizeof l->title - (size_t)n, ", %u attempt%s, %zu Call-ID%s",
			      a->sum.attempts, a->sum.attempts == 1 ? "" : "s", l->ncallids,
			      l->ncallids == 1 ? "" : "s");
	/* --max-memory: the flow below lacks these, said where they are missed */
	if (a->evicted_txns && n > 0 && (size_t)n < sizeof l->title)
		snprintf(l->title + n, sizeof l->title - (size_t)n, "; %u earlier transaction%s evicted",
			 a->evicted_txns, a->evicted_txns == 1 ? "" : "s");
	free(e.v);
	return l;
fail:
	free(e.v);
	ladder_free(l);
	return NULL;
}

struct ladder *ladder_for_dialog(const struct model *m, const struct dialog *d)
{
	struct ladder *l = calloc(1, sizeof *l);
	if (!l)
		return NULL;
	struct ents e = { 0 };
	for (size_t i = 0; i < d->txns.n; i++)
		if (ents_add_txn(&e, d->txns.v[i]))
			goto fail;
	/* messages outside any transaction still get a row */
	for (size_t i = 0; i < d->msgs.n; i++)
		if (ents_push(&e, d->msgs.v[i], NULL, ENT_OTHER, 0))
			goto fail;
	/* findings citing one of its frames */
	for (size_t k = 0; k < m->findings.n; k++) {
		const struct finding *f = m->findings.v[k];
		for (size_t i = 0; i < d->msgs.n; i++)
			if (finding_cites(f, d->msgs.v[i])) {
				if (add_finding(l, f))
					goto fail;
				break;
			}
	}
	if (build_rows(l, &e))
		goto fail;
	annotate(l, m);
	char cid[96];
	lab_text(d->call_id, cid, sizeof cid);
	char meth[32];
	lab_text(d->first_method ? d->first_method : "-", meth, sizeof meth);
	int n = snprintf(l->title, sizeof l->title, "dialog %s - %s, %zu message%s", cid, meth, d->msgs.n,
			 d->msgs.n == 1 ? "" : "s");
	if (d->evicted_msgs && n > 0 && (size_t)n < sizeof l->title)
		snprintf(l->title + n, sizeof l->title - (size_t)n, "; %u earlier evicted", d->evicted_msgs);
	free(e.v);
	return l;
fail:
	free(e.v);
	ladder_free(l);
	return NULL;
}

void ladder_free(struct ladder *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nrows; i++)
		free(l->rows[i].findings);
	free(l->rows);
	free(l->cols);
	free(l->callids);
	free(l->findings);
	free(l);
}

/* ------------------------------------------------------------------ layout */

#define FRAME_W_MIN 5
#define TIME_W 15
#define DELTA_W 7
#define GAP_MIN 12
#define NOTES_MIN 16

static int frame_width(const struct ladder *l)
{
	uint64_t mx = 0;
	for (size_t i = 0; i < l->nrows; i++)
		if (l->rows[i].msg && l->rows[i].msg->frame > mx)
			mx = l->rows[i].msg->frame;
	int w = 1;
	while (mx >= 10) {
		mx /= 10;
		w++;
	}
	return w < FRAME_W_MIN ? FRAME_W_MIN : w;
}

static int prefix_width(const struct ladder *l)
{
	return frame_width(l) + 1 + TIME_W + 1 + DELTA_W + 1;
}

void ladder_layout(struct ladder *l, int width)
{
	int p = prefix_width(l);
	int want = GAP_MIN;
	for (size_t i = 0; i < l->nrows; i++) {
		const struct ladder_row *r = &l->rows[i];
		if (r->kind != LROW_MSG)
			continue;
		int span = abs(r->from - r->to);
		if (span == 0)
			continue;
		/* "|-- LABEL -->|": label, two blanks, a head and some line, spread over span gaps */
		int need = ((int)strlen(r->label) + 8 + span - 1) / span;
		if (need > want)
			want = need;
	}
	for (size_t i = 0; i + 1 < l->ncols; i++) {
		int need = (int)strlen(l->cols[i].addr_s) + 4;   /* "A addr " and the next line */
		if (need > want)
			want = need;
	}
	/* room for the notes only when there are notes */
	int notes = 0;
	for (size_t i = 0; i < l->nrows; i++) {
		int n = (int)strlen(l->rows[i].note) + 2;
		if (l->rows[i].note[0] && n > notes)
			notes = n;
	}
	if (notes > NOTES_MIN)
		notes = NOTES_MIN;
	int gap = want;
	if (l->ncols > 1) {
		int room = (width - p - 1 - notes) / (int)(l->ncols - 1);
		if (gap > room)
			gap = room;
		if (gap < GAP_MIN)
			gap = GAP_MIN;
	}
	int x = p + 1;
	for (size_t i = 0; i < l->ncols; i++) {
		l->cols[i].x = x;
		x += gap;
	}
	l->diag_x0 = p;
	l->diag_x1 = l->ncols ? l->cols[l->ncols - 1].x + 1 : p;
	l->note_x = l->diag_x1 + 2;
	l->width = width;
	if (l->note_x + NOTES_MIN > l->width)
		l->width = l->note_x + NOTES_MIN;
}

/* ------------------------------------------------------------------ rendering */

struct canvas {
	wchar_t *c;
	int cap;   /* cells available (NUL excluded) */
	int n;     /* rightmost cell written + 1 */
};

static void put(struct canvas *cv, int x, wchar_t ch)
{
	if (x < 0 || x >= cv->cap)
		return;
	while (cv->n < x)
		cv->c[cv->n++] = ' ';
	cv->c[x] = ch;
	if (x + 1 > cv->n)
		cv->n = x + 1;
}

/* ASCII text at x, at most maxw cells (maxw < 0: no limit). */
static int puts_at(struct canvas *cv, int x, const char *s, int maxw)
{
	int i = 0;
	for (; s[i] && (maxw < 0 || i < maxw); i++)
		put(cv, x + i, (wchar_t)(unsigned char)s[i]);
	return i;
}

static int finish(struct canvas *cv, bool utf8)
{
	for (int i = 0; i < cv->n; i++)
		cv->c[i] = glyph(cv->c[i], utf8);
	cv->c[cv->n] = 0;
	return cv->n;
}

static void lifelines(const struct ladder *l, struct canvas *cv)
{
	for (size_t i = 0; i < l->ncols; i++)
		put(cv, l->cols[i].x, G_VLINE);
}

size_t ladder_header_lines(const struct ladder *l)
{
	for (size_t i = 0; i < l->ncols; i++)
		if (l->cols[i].name[0])
			return 2;
	return 1;
}

static int col_room(const struct ladder *l, size_t i)
{
	if (i + 1 < l->ncols)
		return l->cols[i + 1].x - l->cols[i].x - 1;
	return l->width - l->cols[i].x;
}

int ladder_render_header(const struct ladder *l, size_t line, bool utf8, wchar_t *out, int cap)
{
	if (cap <= 0)
		return 0;
	struct canvas cv = { out, cap - 1, 0 };
	if (line == 0) {
		int fw = frame_width(l);
		char pre[64];
		snprintf(pre, sizeof pre, "%*s %-*s %*s", fw, "frame", TIME_W, "time (UTC)", DELTA_W, "delta");
		puts_at(&cv, 0, pre, -1);
		for (size_t i = 0; i < l->ncols; i++) {
			char h[LADDER_ADDR_MAX + 4];
			snprintf(h, sizeof h, "%c %s", l->cols[i].tag, l->cols[i].addr_s);
			/* the last address is never cut: the notes start further right anyway */
			puts_at(&cv, l->cols[i].x, h, i + 1 < l->ncols ? col_room(l, i) : -1);
		}
	} else {
		for (size_t i = 0; i < l->ncols; i++) {
			char h[LADDER_NAME_MAX + 4];
			snprintf(h, sizeof h, "  %s", l->cols[i].name);
			puts_at(&cv, l->cols[i].x, h, col_room(l, i));
		}
	}
	return finish(&cv, utf8);
}

static void arrow(const struct ladder *l, const struct ladder_row *r, struct canvas *cv)
{
	int xa = l->cols[r->from].x, xb = l->cols[r->to].x;
	wchar_t line = r->retrans ? G_HDASH : G_HLINE;
	if (xa == xb) {
		/* to itself: a short loop right of the lifeline */
		put(cv, xa + 1, '<');
		put(cv, xa + 2, line);
		puts_at(cv, xa + 4, r->label, col_room(l, (size_t)r->from) - 4);
		return;
	}
	int lo = xa < xb ? xa : xb, hi = xa < xb ? xb : xa;
	for (int x = lo + 1; x < hi; x++)
		put(cv, x, line);
	if (xa < xb)
		put(cv, hi - 1, '>');
	else
		put(cv, lo + 1, '<');
	/* label centred; head (or line), line and a blank kept on each side */
	int inner = hi - lo - 1;          /* cells between the lifelines */
	int room = inner - 6;
	if (room <= 0)
		return;
	int len = (int)strlen(r->label);
	if (len > room)
		len = room;
	int start = lo + 4 + (room - len) / 2;
	put(cv, start - 1, ' ');
	puts_at(cv, start, r->label, len);
	put(cv, start + len, ' ');
}

int ladder_render_row(const struct ladder *l, size_t i, bool utf8, wchar_t *out, int cap)
{
	if (cap <= 0)
		return 0;
	struct canvas cv = { out, cap - 1, 0 };
	if (i >= l->nrows)
		return finish(&cv, utf8);
	const struct ladder_row *r = &l->rows[i];
	if (r->kind == LROW_SEP) {
		put(&cv, 0, G_SEP);
		put(&cv, 1, G_SEP);
		put(&cv, 2, ' ');
		int n = puts_at(&cv, 3, r->label, -1);
		put(&cv, 3 + n, ' ');
		for (int x = 4 + n; x < l->width; x++)
			put(&cv, x, G_SEP);
		return finish(&cv, utf8);
	}
	char pre[80], t[24], d[24];
	int fw = frame_width(l);
	snprintf(pre, sizeof pre, "%*llu %s %*s", fw, (unsigned long long)r->msg->frame,
		 ladder_time(r->msg->ts_ns, t, sizeof t), DELTA_W,
		 r->delta_ns < 0 ? "" : ladder_delta(r->delta_ns, d, sizeof d));
	puts_at(&cv, 0, pre, -1);
	lifelines(l, &cv);
	arrow(l, r, &cv);
	if (r->note[0])
		puts_at(&cv, l->note_x, r->note, -1);
	return finish(&cv, utf8);
}

void ladder_put_cells(const wchar_t *c, int n, FILE *f)
{
	while (n > 0 && c[n - 1] == ' ')
		n--;
	for (int i = 0; i < n; i++) {
		unsigned v = (unsigned)c[i];
		if (v < 0x80) {
			fputc((int)v, f);
		} else if (v < 0x800) {
			fputc(0xc0 | (v >> 6), f);
			fputc(0x80 | (v & 0x3f), f);
		} else if (v < 0x10000) {
			fputc(0xe0 | (v >> 12), f);
			fputc(0x80 | ((v >> 6) & 0x3f), f);
			fputc(0x80 | (v & 0x3f), f);
		} else {
			fputc('?', f);
		}
	}
	fputc('\n', f);
}

/* ------------------------------------------------------------------ text */

void ladder_text_one(struct ladder *l, FILE *f, int width, bool utf8)
{
	ladder_layout(l, width);
	int cap = l->width + LADDER_NOTE_MAX + 64;
	wchar_t *cells = malloc((size_t)cap * sizeof *cells);
	if (!cells)
		return;
	fprintf(f, "== %s\n", l->title);
	for (size_t i = 0; i < l->ncallids; i++) {
		char esc[256];
		if (l->ncallids == 1)
			fprintf(f, "Call-ID: %s\n", lab_text(l->callids[i], esc, sizeof esc));
		else
			fprintf(f, "Call-ID %zu: %s\n", i + 1, lab_text(l->callids[i], esc, sizeof esc));
	}
	if (l->nrows) {
		char dt[32];
		const struct ladder_row *r0 = l->rows[0].msg ? &l->rows[0] : &l->rows[1];
		fprintf(f, "date: %s UTC\n", ladder_date(r0->msg->ts_ns, dt, sizeof dt));
	}
	for (size_t i = 0; i < l->ncols; i++) {
		fprintf(f, "  %c  %s", l->cols[i].tag, l->cols[i].addr_s);
		if (l->cols[i].name[0])
			fprintf(f, "  (%s)", l->cols[i].name);
		fputc('\n', f);
	}
	for (size_t i = 0; i < ladder_header_lines(l); i++)
		ladder_put_cells(cells, ladder_render_header(l, i, utf8, cells, cap), f);
	for (size_t i = 0; i < l->nrows; i++)
		ladder_put_cells(cells, ladder_render_row(l, i, utf8, cells, cap), f);
	if (l->nfindings)
		fputs("findings:\n", f);
	for (size_t k = 0; k < l->nfindings; k++) {
		const struct finding *fd = l->findings[k];
		char rule[64], msg[512];
		fprintf(f, "  [%zu] %s %s: %s", k + 1, finding_sev_name(fd->sev),
			lab_text(fd->rule, rule, sizeof rule), lab_text(fd->message, msg, sizeof msg));
		if (fd->nframes) {
			fputs(" (frame", f);
			fputs(fd->nframes > 1 ? "s" : "", f);
			for (size_t j = 0; j < fd->nframes; j++)
				fprintf(f, "%s%llu", j ? ", " : " ", (unsigned long long)fd->frames[j]);
			fputc(')', f);
		}
		fputc('\n', f);
		if (fd->fix)
			fprintf(f, "      fix: %s\n", lab_text(fd->fix, msg, sizeof msg));
	}
	fputc('\n', f);
	free(cells);
}

