/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diag_live.c - findings while the capture is read.  See diag.h, "as it
 * happens".
 *
 * Why the batch stays the truth: several rules need what comes after the
 * evidence (a retry that never came, a refresh after a lapse, the capture
 * point inferred from every REGISTER), so a finding made early can change
 * or go away.  Reporting early and confirming at the end keeps both
 * promises: the watcher sees a wrong password while the phone is still
 * failing, and the file's findings are exactly the batch's.
 *
 * A reported finding is known by (rule, AOR, first evidence frame, its
 * ordinal among equal ones) and its content (severity, message, fix,
 * frames) by a hash: only new or changed findings are reported again.
 */
#include "diag.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DL_STEP_NS  1000000000LL   /* a checkpoint at most once per second of capture time */
#define DL_LIVE_NS  500000000LL    /* live: every half second of wall clock */
#define DL_WIDE_NS  5000000000LL   /* capture-wide rules: at most every 5 s of capture time */
#define DL_WINDOW_NS (2 * MODEL_TIMER_F_NS)

struct dl_seen {
	uint64_t key;                  /* 0: free slot */
	uint64_t content;
	const char *rule;              /* static (the rule table) */
	const struct aor_hist *aor;
	uint64_t frame;
	enum finding_sev sev;
	bool confirmed;                /* the end-of-run evaluation has it, identical */
	bool final;                    /* ... has its key */
};

struct diag_live {
	const struct diag_opts *o;
	diag_live_fn fn;
	void *user;
	/* per AOR (index id - 1): bit 0 queued, bit 1 holds provisional findings */
	uint8_t *flag;
	int64_t *next_exp;             /* its first grant running out, 0: none */
	size_t nflag;
	uint32_t *queue;               /* AOR ids to evaluate, in touch order */
	size_t nq, capq;
	struct dl_seen *tab;           /* what was reported, open addressing */
	size_t tcap, tn;
	int64_t last_ts;               /* capture time of the last checkpoint */
	int64_t last_wide;             /* ... of the last run of the capture-wide rules */
	int64_t last_wide_wall, wide_cost_ns;
	uint64_t last_msgs;
	int64_t last_wall, cost_ns;    /* live: when, and how long, the last one */
	bool every;                    /* diag_live_every(): before every message */
	bool live;                     /* the last diag_live_due() was for a live capture */
	bool keep;                     /* diag_live_keep(): provisional findings stay on the AORs */
	struct diag_live_stats st;
	const struct finding **conf;   /* diag_live_reconcile(): confirmed, sorted by address */
	size_t nconf;
};

static int64_t wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

struct diag_live *diag_live_new(const struct diag_opts *o, diag_live_fn fn, void *user)
{
	struct diag_live *l = calloc(1, sizeof *l);
	if (!l)
		return NULL;
	l->o = o;
	l->fn = fn;
	l->user = user;
	return l;
}

void diag_live_keep(struct diag_live *l)
{
	if (l)
		l->keep = true;
}

void diag_live_every(struct diag_live *l)
{
	if (l)
		l->every = true;
}

static bool grow_flags(struct diag_live *l, size_t n)
{
	if (n <= l->nflag)
		return true;
	size_t nc = l->nflag ? l->nflag : 1024;
	while (nc < n)
		nc *= 2;
	uint8_t *nf = realloc(l->flag, nc);
	if (!nf)
		return false;
	l->flag = nf;
	int64_t *ne = realloc(l->next_exp, nc * sizeof *ne);
	if (!ne)
		return false;
	l->next_exp = ne;
	memset(l->flag + l->nflag, 0, nc - l->nflag);
	memset(l->next_exp + l->nflag, 0, (nc - l->nflag) * sizeof *ne);
	l->nflag = nc;
	return true;
}

static void enqueue(struct diag_live *l, uint32_t id)
{
	if (!id || !grow_flags(l, id) || (l->flag[id - 1] & 1))
		return;
	if (l->nq == l->capq) {
		size_t nc = l->capq ? l->capq * 2 : 256;
		uint32_t *nv = realloc(l->queue, nc * sizeof *nv);
		if (!nv)
			return;   /* not evaluated early: the end-of-run batch still has it */
		l->queue = nv;
		l->capq = nc;
	}
	l->queue[l->nq++] = id;
	l->flag[id - 1] |= 1;
}

void diag_live_touch(struct diag_live *l, const struct aor_hist *a)
{
	if (l && a)
		enqueue(l, a->id);
}

bool diag_live_due(struct diag_live *l, const struct model *m, int64_t next_ts, bool live)
{
	if (!l || !m || m->finished)
		return false;
	l->live = live;
	if (l->every)
		return next_ts != l->last_ts || m->msgs.n != l->last_msgs;
	if (live) {
		int64_t now = wall_ns();
		int64_t gap = l->cost_ns * 10 > DL_LIVE_NS ? l->cost_ns * 10 : DL_LIVE_NS;
		return now - l->last_wall >= gap;
	}
	/* capture time and message count, never the wall clock: the same file
	 * gives the same lines */
	/* time going back (an input given before an earlier one, model_rewind)
	 * starts the steps afresh */
	return (next_ts - l->last_ts >= DL_STEP_NS || next_ts < l->last_ts) &&
	       m->msgs.n - l->last_msgs >= m->msgs.n / 2;
}

/* ---------------------------------------------------------------- reported findings */

static uint64_t content_hash(const struct finding *f)
{
	uint64_t h = rt_fnv64(RT_FNV64_INIT, &f->sev, sizeof f->sev);
	if (f->message)
		h = rt_fnv64(h, f->message, strlen(f->message) + 1);
	if (f->fix)
		h = rt_fnv64(h, f->fix, strlen(f->fix) + 1);
	h = rt_fnv64(h, &f->nframes, sizeof f->nframes);
	if (f->nframes)
		h = rt_fnv64(h, f->frames, f->nframes * sizeof *f->frames);
	return h;
}

static uint64_t key_of(const struct finding *f, uint32_t ordinal)
{
	uint64_t k[4] = { f->rule_ix, f->aor ? f->aor->id : 0, f->nframes ? f->frames[0] : 0, ordinal };
	uint64_t h = rt_fnv64(RT_FNV64_INIT, k, sizeof k);
	return h ? h : 1;
}

static struct dl_seen *seen_slot(const struct diag_live *l, uint64_t key)
{
	if (!l->tcap)
		return NULL;
	for (size_t i = (size_t)key & (l->tcap - 1);; i = (i + 1) & (l->tcap - 1))
		if (l->tab[i].key == key || !l->tab[i].key)
			return &l->tab[i];
}

static struct dl_seen *seen_add(struct diag_live *l, uint64_t key)
{
	if (2 * (l->tn + 1) > l->tcap) {
		size_t nc = l->tcap ? l->tcap * 2 : 256;
		struct dl_seen *nt = calloc(nc, sizeof *nt), *old = l->tab;
		if (!nt)
			return NULL;
		size_t oc = l->tcap;
		l->tab = nt;
		l->tcap = nc;
		for (size_t i = 0; i < oc; i++)
			if (old[i].key)
				*seen_slot(l, old[i].key) = old[i];
		free(old);
	}
	struct dl_seen *s = seen_slot(l, key);
	if (!s->key) {
		s->key = key;
		l->tn++;
	}
	return s;
}

/* The ordinal of f among the findings before it in v[0..i) with the same
 * rule and first frame (one AOR's list: a rule may make two). */
static uint32_t ordinal_in(void *const *v, size_t i)
{
	const struct finding *f = v[i];
	uint32_t o = 0;
	for (size_t k = 0; k < i; k++) {
		const struct finding *g = v[k];
		if (g->rule_ix == f->rule_ix && g->aor == f->aor &&
		    (g->nframes ? g->frames[0] : 0) == (f->nframes ? f->frames[0] : 0))
			o++;
	}
	return o;
}

static void report(struct diag_live *l, const struct finding *f, uint32_t ordinal)
{
	uint64_t key = key_of(f, ordinal), ch = content_hash(f);
	struct dl_seen *s = seen_slot(l, key);
	if (s && s->key && s->content == ch)
		return;
	bool changed = s && s->key;
	if (!(s = seen_add(l, key)))
		return;
	*s = (struct dl_seen){ key, ch, f->rule, f->aor, f->nframes ? f->frames[0] : 0, f->sev, false, false };
	if (changed)
		l->st.changed++;
	else
		l->st.reported++;
	if (l->fn)
		l->fn(l->user, f, DIAG_LIVE_NEW);
}

/* ---------------------------------------------------------------- evaluation */

static void drop_provisional(struct diag_live *l, struct aor_hist *a)
{
	if (a->id > l->nflag || !(l->flag[a->id - 1] & 2))
		return;
	for (size_t k = 0; k < a->findings.n; k++)
		diag_finding_drop(a->findings.v[k]);
	ptr_vec_free(&a->findings);
	a->cause = NULL;
	l->flag[a->id - 1] &= (uint8_t)~2;
}

void diag_live_eval(struct diag_live *l, struct model *m)
{
	if (!l || !m || m->finished)
		return;
	int64_t t0 = wall_ns();
	l->last_ts = m->now_ns;
	l->last_msgs = m->msgs.n;
	l->last_wall = t0;
	/* grants that ran out since: their AORs change state now (REG-EXPIRED
	 * and friends), though no packet of theirs came */
	for (size_t i = 0; i < m->aors.n && i < l->nflag; i++)
		if (l->next_exp[i] && l->next_exp[i] <= m->now_ns)
			enqueue(l, (uint32_t)(i + 1));
	/* the capture-wide rules (live only: reading a file, their findings
	 * come at the end, seconds later) read the whole window: their pass
	 * waits twenty times as long as it took */
	bool wide = (m->now_ns - l->last_wide >= DL_WIDE_NS || m->now_ns < l->last_wide) &&
		    ((l->live && t0 - l->last_wide_wall >= 20 * l->wide_cost_ns) || l->every);
	if (!l->nq && !wide)
		return;
	l->st.evals++;
	/* the rules read "the capture ended" as "now": what they would say
	 * if it ended here (and near that end they hold back, as at the end) */
	int64_t end = m->capture_end_ns;
	m->capture_end_ns = m->now_ns;
	/* the shared facts over the last 2 x Timer F only: what the rules
	 * compare a just-ended attempt with is that recent, and an evaluation
	 * then costs the window, not the capture so far (the end-of-run batch
	 * sees everything) */
	struct diag_ctx *c = l->every ? diag_ctx_new(m, l->o)
				      : diag_ctx_new_since(m, l->o, m->now_ns - DL_WINDOW_NS);
	size_t nr = diag_rule_count();
	size_t keep = 0;
	for (size_t q = 0; c && q < l->nq; q++) {
		uint32_t id = l->queue[q];
		struct aor_hist *a = id <= m->aors.n ? m->aors.v[id - 1] : NULL;
		l->flag[id - 1] &= (uint8_t)~1;
		if (!a)
			continue;
		if (!model_aor_settle_now(m, a)) {
			/* an attempt still open: at the next checkpoint */
			l->queue[keep++] = id;
			l->flag[id - 1] |= 1;
			continue;
		}
		l->next_exp[id - 1] = model_aor_next_expiry(a);
		c->provisional = true;
		diag_ctx_run_aor(c, id - 1);
		l->st.evaluated++;
		drop_provisional(l, a);
		for (size_t i = 0; i < nr; i++) {
			for (size_t k = 0; k < c->out[i].n; k++) {
				struct finding *f = c->out[i].v[k];
				if (f->aor != a || ptr_vec_push(&a->findings, f) != 0)
					diag_finding_drop(f);
			}
			c->out[i].n = 0;
		}
		if (a->findings.n)
			l->flag[id - 1] |= 2;
		diag_rank_cause(a);
		for (size_t k = 0; k < a->findings.n; k++)
			report(l, a->findings.v[k], ordinal_in(a->findings.v, k));
		/* kept for a screen only: --jsonl has written them, and on the
		 * heap 100k AORs' findings would be tens of MB */
		if (!l->keep)
			drop_provisional(l, a);
	}
	l->nq = c ? keep : 0;
	bool did_wide = c && wide;
	if (did_wide) {
		/* over everything so far; reported, then freed: the AORs keep
		 * only their own rules' provisional findings */
		l->last_wide = m->now_ns;
		int64_t w0 = wall_ns();
		c->provisional = true;
		diag_ctx_run_capture(c);
		struct ptr_vec all = { 0 };
		for (size_t i = 0; i < nr; i++) {
			for (size_t k = 0; k < c->out[i].n; k++)
				ptr_vec_push(&all, c->out[i].v[k]);
			c->out[i].n = 0;
		}
		for (size_t k = 0; k < all.n; k++)
			report(l, all.v[k], ordinal_in(all.v, k));
		for (size_t k = 0; k < all.n; k++)
			diag_finding_drop(all.v[k]);
		ptr_vec_free(&all);
		l->last_wide_wall = wall_ns();
		l->wide_cost_ns = l->last_wide_wall - w0;
	}
	diag_ctx_free(c);
	m->capture_end_ns = end;
	/* the per-AOR part's own cost paces the checkpoints; the capture-wide
	 * pass has its own (20 x), so a long one does not hold back the AORs */
	l->cost_ns = wall_ns() - t0 - (did_wide ? l->wide_cost_ns : 0);
}

void diag_live_end(struct diag_live *l, struct model *m)
{
	if (!l || !m)
		return;
	for (size_t i = 0; i < m->aors.n; i++)
		drop_provisional(l, m->aors.v[i]);
}

static int cmp_ptr(const void *pa, const void *pb)
{
	uintptr_t a = (uintptr_t)*(const void *const *)pa, b = (uintptr_t)*(const void *const *)pb;
	return a < b ? -1 : a > b;
}

bool diag_live_reported(const struct diag_live *l, const struct finding *f)
{
	return l && f && l->nconf &&
	       bsearch(&f, l->conf, l->nconf, sizeof *l->conf, cmp_ptr) != NULL;
}

void diag_live_reconcile(struct diag_live *l, struct model *m)
{
	if (!l || !m)
		return;
	free(l->conf);
	l->conf = malloc((m->findings.n ? m->findings.n : 1) * sizeof *l->conf);
	l->nconf = 0;
	/* m->findings is in rule order: the findings of one key are together
	 * with their rule, in the order the rule made them (their ordinals) */
	for (size_t i = 0; i < m->findings.n; i++) {
		const struct finding *f = m->findings.v[i];
		uint32_t ord = 0;
		for (size_t k = i; k-- > 0;) {
			const struct finding *g = m->findings.v[k];
			if (g->rule_ix != f->rule_ix)
				break;
			if (g->aor == f->aor && (g->nframes ? g->frames[0] : 0) == (f->nframes ? f->frames[0] : 0))
				ord++;
		}
		struct dl_seen *s = seen_slot(l, key_of(f, ord));
		if (!s || !s->key)
			continue;
		s->final = true;
		if (s->content == content_hash(f)) {
			s->confirmed = true;
			l->st.confirmed++;
			if (l->conf)
				l->conf[l->nconf++] = f;
		}
	}
	if (l->conf)
		qsort(l->conf, l->nconf, sizeof *l->conf, cmp_ptr);
	for (size_t i = 0; i < l->tcap; i++) {
		struct dl_seen *s = &l->tab[i];
		if (!s->key || s->final)
			continue;
		l->st.withdrawn++;
		uint64_t fr = s->frame;
		struct finding f = { .rule = s->rule, .sev = s->sev, .aor = (struct aor_hist *)s->aor,
				     .frames = fr ? &fr : NULL, .nframes = fr ? 1 : 0 };
		if (l->fn)
			l->fn(l->user, &f, DIAG_LIVE_WITHDRAWN);
	}
}

void diag_live_get_stats(const struct diag_live *l, struct diag_live_stats *st)
{
	*st = l ? l->st : (struct diag_live_stats){ 0 };
}

void diag_live_free(struct diag_live *l)
{
	if (!l)
		return;
	free(l->flag);
	free(l->next_exp);
	free(l->queue);
	free(l->tab);
	free(l->conf);
	free(l);
}
