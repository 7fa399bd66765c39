/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diag.c - the rule table machinery and the helpers the rules share.
 * See diag.h. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diag.h"
#include "capture_point.h"
#include "escape.h"

/* ---------------------------------------------------------------- the table */

static const struct diag_rule *const diag_tables[] = {
	diag_rules_auth,
	diag_rules_resp,
	diag_rules_time,
	diag_rules_nat,
	diag_rules_gb,
	diag_rules_capture,
	diag_rules_tls,
};
#define NTABLES (sizeof diag_tables / sizeof diag_tables[0])

size_t diag_rule_count(void)
{
	size_t n = 0;
	for (size_t t = 0; t < NTABLES; t++)
		for (const struct diag_rule *r = diag_tables[t]; r->id; r++)
			n++;
	return n;
}

const struct diag_rule *diag_rule_at(size_t i)
{
	for (size_t t = 0; t < NTABLES; t++)
		for (const struct diag_rule *r = diag_tables[t]; r->id; r++)
			if (i-- == 0)
				return r;
	return NULL;
}

const struct diag_rule *diag_rule_find(const char *id)
{
	for (size_t i = 0, n = diag_rule_count(); id && i < n; i++) {
		const struct diag_rule *r = diag_rule_at(i);
		if (strcmp(r->id, id) == 0)
			return r;
	}
	return NULL;
}

static bool param_known(const char *name)
{
	for (size_t i = 0, n = diag_rule_count(); i < n; i++) {
		const struct diag_rule *r = diag_rule_at(i);
		for (const struct diag_param *p = r->params; p && p->name; p++)
			if (strcmp(p->name, name) == 0)
				return true;
	}
	return false;
}

void diag_list_rules(FILE *f)
{
	for (size_t i = 0, n = diag_rule_count(); i < n; i++) {
		const struct diag_rule *r = diag_rule_at(i);
		fprintf(f, "%-22s %-4s  %s", r->id, finding_sev_name(r->sev), r->title);
		const char *sep = "  [";
		for (const struct diag_param *p = r->params; p && p->name; p++) {
			fprintf(f, "%s%s=%g%s%s", sep, p->name, p->def,
				p->unit && strcmp(p->unit, "count") ? " " : "",
				p->unit && strcmp(p->unit, "count") ? p->unit : "");
			sep = ", ";
		}
		if (strcmp(sep, "  ["))
			fputc(']', f);
		fputc('\n', f);
	}
}

int diag_opts_set(struct diag_opts *o, const char *arg, char *err, size_t errlen)
{
	const char *eq = arg ? strchr(arg, '=') : NULL;
	if (!eq || eq == arg) {
		snprintf(err, errlen, "--rule-opt wants NAME=VALUE");
		return -1;
	}
	size_t nl = (size_t)(eq - arg);
	char *name = strndup(arg, nl);
	if (!name) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (!param_known(name)) {
		char b[128];
		snprintf(err, errlen, "unknown rule threshold '%s' (see --list-rules)",
			 rt_escape(name, b, sizeof b));
		free(name);
		return -1;
	}
	char *end;
	errno = 0;
	double v = strtod(eq + 1, &end);
	if (!eq[1] || *end || errno || !isfinite(v) || v < 0) {
		snprintf(err, errlen, "--rule-opt %s: the value must be a number >= 0", name);
		free(name);
		return -1;
	}
	for (size_t i = 0; i < o->nset; i++) {
		if (strcmp(o->set[i].name, name) == 0) {
			o->set[i].value = v;
			free(name);
			return 0;
		}
	}
	struct diag_setting *ns = realloc(o->set, (o->nset + 1) * sizeof *ns);
	if (!ns) {
		free(name);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	o->set = ns;
	o->set[o->nset].name = name;
	o->set[o->nset].value = v;
	o->nset++;
	return 0;
}

void diag_opts_free(struct diag_opts *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->nset; i++)
		free(o->set[i].name);
	free(o->set);
	o->set = NULL;
	o->nset = 0;
}

double diag_param(const struct diag_ctx *c, const char *name)
{
	for (size_t i = 0; c->o && i < c->o->nset; i++)
		if (strcmp(c->o->set[i].name, name) == 0)
			return c->o->set[i].value;
	for (const struct diag_param *p = c->rule ? c->rule->params : NULL; p && p->name; p++)
		if (strcmp(p->name, name) == 0)
			return p->def;
	/* a rule asking for a threshold it does not declare is a bug in the rule */
	abort();
}

/* One pass over the transactions for what many rules ask of every one of
 * them: which are REGISTERs (rules used to scan m->txns for that each),
 * which other requests timed out. */
static void diag_prepare(struct diag_ctx *c)
{
	struct model *m = c->m;
	size_t n = m->txns.n - c->txn_lo;
	c->regs = malloc((n ? n : 1) * sizeof *c->regs);
	c->tmo_others = malloc((n ? n : 1) * sizeof *c->tmo_others);
	if (!c->regs || !c->tmo_others)
		return;
	for (size_t i = c->txn_lo; i < m->txns.n; i++) {
		struct txn *t = m->txns.v[i];
		if (!diag_is_register(t)) {
			if (t->req && t->outcome == TXN_TIMEOUT)
				c->tmo_others[c->ntmo_others++] = t;
			continue;
		}
		c->any_register = true;
		if (t->req)
			c->regs[c->nregs++] = t;
	}
	/* sized for every transaction above; give back what was not used */
	struct txn **r = realloc(c->regs, (c->nregs ? c->nregs : 1) * sizeof *c->regs);
	if (r)
		c->regs = r;
	struct txn **o = realloc(c->tmo_others, (c->ntmo_others ? c->ntmo_others : 1) *
				       sizeof *c->tmo_others);
	if (o)
		c->tmo_others = o;
}

static void run_rule(struct diag_ctx *c, size_t ix, const struct diag_rule *r)
{
	c->rule = r;
	c->rule_ix = ix;
	r->run(c, r);
}

struct diag_ctx *diag_ctx_new(struct model *m, const struct diag_opts *o)
{
	return diag_ctx_new_since(m, o, INT64_MIN);
}

struct diag_ctx *diag_ctx_new_since(struct model *m, const struct diag_opts *o, int64_t since_ns)
{
	struct diag_ctx *c = calloc(1, sizeof *c);
	size_t nr = diag_rule_count();
	if (!c)
		return NULL;
	c->out = calloc(nr ? nr : 1, sizeof *c->out);
	if (!c->out) {
		free(c);
		return NULL;
	}
	c->m = m;
	c->o = o;
	if (since_ns != INT64_MIN) {
		/* binary searches: arrival order is time order (but for an input
		 * given out of order, where the window is then only roughly
		 * placed: a provisional view), and a walk would touch every
		 * record of the capture so far */
		size_t lo = 0, hi = m->msgs.n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (((const struct sip_msg *)m->msgs.v[mid])->ts_ns < since_ns)
				lo = mid + 1;
			else
				hi = mid;
		}
		c->msg_lo = lo;
		lo = 0, hi = m->txns.n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (((const struct txn *)m->txns.v[mid])->t_first < since_ns)
				lo = mid + 1;
			else
				hi = mid;
		}
		c->txn_lo = lo;
		/* and at most the last DIAG_WINDOW_MAX of each: at 10k messages/s
		 * 64 s are 640k, whose indexes would cost more than the rules */
		if (m->msgs.n - c->msg_lo > DIAG_WINDOW_MAX)
			c->msg_lo = m->msgs.n - DIAG_WINDOW_MAX;
		if (m->txns.n - c->txn_lo > DIAG_WINDOW_MAX / 2)
			c->txn_lo = m->txns.n - DIAG_WINDOW_MAX / 2;
	}
	diag_prepare(c);
	return c;
}

void diag_ctx_free(struct diag_ctx *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < diag_rule_count(); i++)
		ptr_vec_free(&c->out[i]);
	free(c->out);
	diag_ctx_release(c);
	free(c);
}

void diag_ctx_release(struct diag_ctx *c)
{
	if (!c)
		return;
	free(c->regs);
	free(c->tmo_others);
	c->regs = c->tmo_others = NULL;
	c->nregs = c->ntmo_others = 0;
	c->any_register = false;
	diag_cp_free(c->cp);
	diag_gb_free(c->gb);
	diag_nat_free(c->nat);
	diag_resp_free(c->resp);
	c->cp = NULL;
	c->gb = NULL;
	c->nat = NULL;
	c->resp = NULL;
}

void diag_ctx_run_aor(struct diag_ctx *c, size_t ai)
{
	size_t nr = diag_rule_count();
	c->aor_lo = ai;
	c->aor_hi = ai + 1;
	for (size_t i = 0; i < nr; i++) {
		const struct diag_rule *r = diag_rule_at(i);
		if (r->scope == DIAG_PER_AOR)
			run_rule(c, i, r);
	}
}

void diag_ctx_run_capture(struct diag_ctx *c)
{
	c->aor_lo = 0;
	c->aor_hi = c->m->aors.n;
	for (size_t i = 0; i < diag_rule_count(); i++) {
		const struct diag_rule *r = diag_rule_at(i);
		if (r->scope != DIAG_PER_AOR)
			run_rule(c, i, r);
	}
}

void diag_rank_cause(struct aor_hist *a)
{
	a->cause = NULL;
	for (size_t k = 0; k < a->findings.n; k++) {
		const struct finding *f = a->findings.v[k];
		if (!a->cause || finding_rank_cmp(&f, &a->cause) < 0)
			a->cause = f;
	}
}

void diag_finding_drop(struct finding *f)
{
	free(f->message);
	if (!f->fix_shared)
		free(f->fix);
	free(f->frames);
	free(f);
}

/* How much of the capture its evidence spans (frames are in capture order). */
static uint64_t frame_span(const struct finding *f)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	for (size_t i = 0; i < f->nframes; i++) {
		if (f->frames[i] < lo)
			lo = f->frames[i];
		if (f->frames[i] > hi)
			hi = f->frames[i];
	}
	return f->nframes ? hi - lo : 0;
}

static uint64_t first_frame(const struct finding *f)
{
	return f->nframes ? f->frames[0] : 0;
}

static uint64_t last_frame(const struct finding *f)
{
	uint64_t hi = 0;
	for (size_t i = 0; i < f->nframes; i++)
		if (f->frames[i] > hi)
			hi = f->frames[i];
	return hi;
}

/* Two views of one finding: same rule and AOR, and the same first frame or
 * overlapping evidence (an episode whose start was shed is seen later from
 * a later frame; one with no frame left, by its text up to the first " (").
 * A capture-wide finding's subject is also its text up to
 * the first ": " ("Source 10.0.0.1 is scanning ...: 8363 users"): its
 * window moves with what is held, the subject does not. */
static bool same_subject(const struct finding *a, const struct finding *b)
{
	if (a->rule_ix != b->rule_ix || a->aor != b->aor)
		return false;
	const struct diag_rule *r = diag_rule_at(a->rule_ix);
	if (a->aor && r && r->scope == DIAG_PER_AOR) {
		if (!r->episodes)
			return true;             /* one finding per AOR */
		/* an episode (consecutive lapses share their grant's frames;
		 * one still open when the rules ran is the same lapse) */
		return a->episode && a->episode == b->episode;
	}
	if (first_frame(a) == first_frame(b) ||
	    (a->nframes && b->nframes && first_frame(a) <= last_frame(b) && first_frame(b) <= last_frame(a)))
		return true;
	if (!a->message || !b->message)
		return false;
	const char *x, *y;
	if (!a->nframes || !b->nframes) {
		/* a view whose evidence was all shed: the same text up to the
		 * first " (" (where the counts and the frames' words begin) */
		x = strstr(a->message, " (");
		y = strstr(b->message, " (");
		if (x && y && x - a->message == y - b->message &&
		    memcmp(a->message, b->message, (size_t)(x - a->message)) == 0)
			return true;
	}
	if (a->aor)
		return false;
	x = strstr(a->message, ": ");
	y = strstr(b->message, ": ");
	return x && y && x - a->message == y - b->message &&
	       memcmp(a->message, b->message, (size_t)(x - a->message)) == 0;
}

/* Two views of a weighed once-per-AOR finding (diag_weigh), a the
 * earlier: a stays unless b is heavier (the batch reports the worst, the
 * first of equals).  Unweighed, the later view is the one shown. */
static bool once_keeps_first(const struct finding *a, const struct finding *b)
{
	return a->aor && a->weight && a->weight >= b->weight;
}

static uint32_t aor_id_of(const struct finding *f)
{
	return f->aor ? f->aor->id : 0;
}

static int cmp_slot(const void *pa, const void *pb)
{
	struct finding **a = *(struct finding **const *)pa, **b = *(struct finding **const *)pb;
	uint32_t x = aor_id_of(*a), y = aor_id_of(*b);
	if (x != y)
		return x < y ? -1 : 1;
	return a < b ? -1 : a > b;
}

static int cmp_by_aor(const void *pa, const void *pb)
{
	const struct finding *a = *(const struct finding *const *)pa, *b = *(const struct finding *const *)pb;
	uint32_t x = aor_id_of(a), y = aor_id_of(b);
	if (x != y)
		return x < y ? -1 : 1;
	/* ties keep their order: the address in the array, see below */
	return pa < pb ? -1 : pa > pb;
}

/* Kept findings join the batch's lists where the batch did not find them
 * again (same subject: then its view of what is left is the one shown; for
 * a capture-wide rule the view over more of the capture), after the
 * batch's findings of their AOR; the rest are dropped.  n log n: a capture
 * can keep one finding per AOR. */
static void kept_merge(struct diag_ctx *c, struct model *m)
{
	size_t nr = diag_rule_count();
	struct ptr_vec *K = calloc(nr ? nr : 1, sizeof *K);
	for (size_t ai = 0; ai <= m->aors.n; ai++) {
		struct ptr_vec *kept = ai < m->aors.n ? &((struct aor_hist *)m->aors.v[ai])->kept : &m->kept;
		for (size_t i = 0; i < kept->n; i++) {
			struct finding *k = kept->v[i];
			if (!K || k->rule_ix >= nr || ptr_vec_push(&K[k->rule_ix], k) != 0)
				diag_finding_drop(k);
		}
		kept->n = 0;
	}
	for (size_t r = 0; K && r < nr; r++) {
		if (!K[r].n)
			continue;
		struct ptr_vec *out = &c->out[r];
		/* the batch's findings of the rule by AOR, to look a subject up */
		size_t nb = out->n;
		struct finding **ix = malloc((nb ? nb : 1) * sizeof *ix);
		if (!ix) {
			for (size_t q = 0; q < K[r].n; q++)
				diag_finding_drop(K[r].v[q]);
			continue;
		}
		if (nb) {
			memcpy(ix, out->v, nb * sizeof *ix);
			qsort(ix, nb, sizeof *ix, cmp_by_aor);
		}
		for (size_t q = 0; q < K[r].n; q++) {
			struct finding *k = K[r].v[q];
			uint32_t x = aor_id_of(k);
			size_t lo = 0, hi = nb;
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;
				if (aor_id_of(ix[mid]) < x)
					lo = mid + 1;
				else
					hi = mid;
			}
			struct finding *same = NULL;
			for (size_t g = lo; g < nb && aor_id_of(ix[g]) == x && !same; g++)
				if (ix[g] && same_subject(k, ix[g]))
					same = ix[g];
			if (same && ((!k->aor && frame_span(k) > frame_span(same)) ||
				     once_keeps_first(k, same))) {
				/* in place of the batch's */
				for (size_t t = 0; t < out->n; t++)
					if (out->v[t] == same)
						out->v[t] = k;
				diag_finding_drop(same);
				for (size_t g = lo; g < nb; g++)
					if (ix[g] == same)
						ix[g] = k;
			} else if (same || ptr_vec_push(out, k) != 0) {
				diag_finding_drop(k);
			}
		}
		free(ix);
		ptr_vec_free(&K[r]);
		/* after the batch's of their AOR: a stable order by AOR */
		struct finding **tmp = out->n ? malloc(out->n * sizeof *tmp) : NULL;
		if (tmp) {
			/* stable: sort pointers to the slots, compare by slot address */
			struct finding ***slots = malloc((out->n ? out->n : 1) * sizeof *slots);
			if (slots) {
				for (size_t t = 0; t < out->n; t++)
					slots[t] = (struct finding **)&out->v[t];
				qsort(slots, out->n, sizeof *slots, cmp_slot);
				for (size_t t = 0; t < out->n; t++)
					tmp[t] = *slots[t];
				memcpy(out->v, tmp, out->n * sizeof *tmp);
				free(slots);
			}
			free(tmp);
		}
	}
	free(K);
}

/* Into a kept list: replaces the finding of the same subject (a later view
 * of it), else added. */
static void kept_put(struct ptr_vec *kept, struct finding *f)
{
	for (size_t i = 0; i < kept->n; i++) {
		if (same_subject(kept->v[i], f)) {
			if (once_keeps_first(kept->v[i], f)) {
				diag_finding_drop(f);
				return;
			}
			diag_finding_drop(kept->v[i]);
			kept->v[i] = f;
			return;
		}
	}
	if (ptr_vec_push(kept, f) != 0)
		diag_finding_drop(f);
}

void diag_keep_shed(struct model *m, const struct diag_opts *o, struct aor_hist **aors, size_t n)
{
	if (!m || m->finished)
		return;
	/* as diag_live: "the capture ended" read as "now" */
	int64_t end = m->capture_end_ns;
	m->capture_end_ns = m->now_ns;
	struct diag_ctx *c = diag_ctx_new(m, o);
	if (c) {
		c->provisional = true;
		for (size_t i = 0; i < n; i++)
			if (aors[i]->id && aors[i]->id <= m->aors.n)
				diag_ctx_run_aor(c, aors[i]->id - 1);
		diag_ctx_run_capture(c);
		for (size_t i = 0; i < diag_rule_count(); i++) {
			for (size_t k = 0; k < c->out[i].n; k++) {
				struct finding *f = c->out[i].v[k];
				kept_put(f->aor ? &f->aor->kept : &m->kept, f);
			}
			c->out[i].n = 0;
		}
		diag_ctx_free(c);
	}
	m->capture_end_ns = end;
}

/* Rules run AOR by AOR: for each AOR every DIAG_PER_AOR rule, so each AOR's
 * transactions, attempts and bindings are read once while they are in the
 * cache instead of once per rule (~50 walks over the whole model).
 * Capture-wide rules run as separate passes.
 * Findings are collected per rule and added to the model in rule order, so
 * the output order is the one rule-by-rule gave: rule, then AOR. */
void diag_run(struct model *m, const struct diag_opts *o)
{
	if (!m)
		return;
	struct diag_ctx *c = diag_ctx_new(m, o);
	if (!c)
		return;
	size_t nr = diag_rule_count();
	for (size_t ai = 0; ai < m->aors.n; ai++)
		diag_ctx_run_aor(c, ai);
	diag_ctx_run_capture(c);
	/* what was found before its evidence was shed, unless found again */
	kept_merge(c, m);
	for (size_t i = 0; i < nr; i++) {
		for (size_t k = 0; k < c->out[i].n; k++)
			model_add_finding(m, c->out[i].v[k]);
		c->out[i].n = 0;
	}
	/* one cause per AOR: the finding that ranks first */
	for (size_t ai = 0; ai < m->aors.n; ai++)
		diag_rank_cause(m->aors.v[ai]);
	diag_ctx_free(c);
}

/* ---------------------------------------------------------------- findings */

void diag_frames_add(struct diag_frames *f, uint64_t frame)
{
	if (!frame)
		return;
	size_t lo = 0, hi = f->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (f->v[mid] < frame)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < f->n && f->v[lo] == frame)
		return;
	if (f->n >= DIAG_MAX_FRAMES && lo >= f->n)
		return;       /* keep the earliest frames */
	if (f->n == f->cap) {
		size_t nc = f->cap ? f->cap * 2 : 8;
		uint64_t *nv = realloc(f->v, nc * sizeof *nv);
		if (!nv)
			return;
		f->v = nv;
		f->cap = nc;
	}
	memmove(f->v + lo + 1, f->v + lo, (f->n - lo) * sizeof *f->v);
	f->v[lo] = frame;
	if (f->n < DIAG_MAX_FRAMES)
		f->n++;
}

void diag_frames_msg(struct diag_frames *f, const struct sip_msg *m)
{
	if (m)
		diag_frames_add(f, m->frame);
}

void diag_frames_txn(struct diag_frames *f, const struct txn *t)
{
	if (!t)
		return;
	diag_frames_msg(f, t->req);
	diag_frames_msg(f, t->final);
}

void diag_frames_free(struct diag_frames *f)
{
	free(f->v);
	f->v = NULL;
	f->n = f->cap = 0;
}

void diag_emit(struct diag_ctx *c, struct aor_hist *aor, struct diag_frames *fr,
	       const char *fix, const char *fmt, ...)
{
	struct finding *f = calloc(1, sizeof *f);
	if (!f)
		return;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&f->message, fmt, ap) < 0)
		f->message = NULL;
	va_end(ap);
	f->rule = c->rule->id;
	f->sev = c->rule->sev;
	f->kind = c->rule->kind;
	f->rule_ix = (uint32_t)c->rule_ix;
	f->fix = model_intern(c->m, fix);
	f->fix_shared = f->fix != NULL;
	f->aor = aor;
	if (fr) {
		f->frames = fr->v;
		f->nframes = fr->n;
		fr->v = NULL;
		fr->n = fr->cap = 0;
	}
	c->last = f;
	/* held back until diag_run() ends, to keep the rule order */
	if (!c->out || ptr_vec_push(&c->out[c->rule_ix], f) != 0)
		model_add_finding(c->m, f);
}

void diag_weigh(struct diag_ctx *c, uint32_t weight)
{
	if (c->last)
		c->last->weight = weight;
}

void diag_episode(struct diag_ctx *c, int64_t episode)
{
	if (c->last)
		c->last->episode = episode;
}

const char *diag_esc(struct diag_ctx *c, const char *s)
{
	char *b = c->esc[c->esc_i++ % 8];
	return rt_escape(s, b, sizeof c->esc[0]);
}

double diag_secs(int64_t a_ns, int64_t b_ns)
{
	return (double)(b_ns - a_ns) / 1e9;
}

/* ---------------------------------------------------------------- model helpers */

bool diag_is_challenge(int code)
{
	return code == 401 || code == 407;
}

bool diag_is_register(const struct txn *t)
{
	/* first letter first: most rules ask this of every transaction */
	return t && t->method && (t->method[0] | 0x20) == 'r' &&
	       strcasecmp(t->method, "REGISTER") == 0;
}

bool diag_has_creds(const struct txn *t)
{
	return t && t->req && t->req->ncreds > 0;
}

bool diag_final_stale(const struct txn *t)
{
	for (int i = 0; t && t->final && i < t->final->nchals; i++)
		if (t->final->chals[i].stale)
			return true;
	return false;
}

long diag_contact_expires(const struct sip_msg *req, int i)
{
	if (!req || i < 0 || i >= req->ncontacts)
		return -1;
	if (req->contacts[i].expires >= 0)
		return req->contacts[i].expires;
	return req->expires;
}

bool diag_same_flow(const struct txn *a, const struct txn *b)
{
	if (!a->sent_by || !b->sent_by)
		return a->sent_by == b->sent_by;
	return strcmp(a->sent_by, b->sent_by) == 0;
}

struct txn *diag_flow_prev(const struct reg_session *s, size_t i)
{
	if (i >= s->txns.n)
		return NULL;
	const struct txn *t = s->txns.v[i];
	while (i-- > 0) {
		struct txn *p = s->txns.v[i];
		if (diag_same_flow(p, t))
			return p;
	}
	return NULL;
}

size_t diag_flow_next_index(const struct reg_session *s, size_t i)
{
	if (i >= s->txns.n)
		return s->txns.n;
	const struct txn *t = s->txns.v[i];
	for (size_t j = i + 1; j < s->txns.n; j++)
		if (diag_same_flow(s->txns.v[j], t))
			return j;
	return s->txns.n;
}

struct txn *diag_flow_next(const struct reg_session *s, size_t i)
{
	size_t j = diag_flow_next_index(s, i);
	return j < s->txns.n ? s->txns.v[j] : NULL;
}

const struct sip_cred *diag_first_cred(const struct txn *t)
{
	return t && t->req && t->req->ncreds > 0 ? &t->req->creds[0] : NULL;
}

const struct sip_chal *diag_first_chal(const struct txn *t)
{
	return t && t->final && t->final->nchals > 0 ? &t->final->chals[0] : NULL;
}

const struct sip_cred *diag_cred_for(const struct txn *t, const struct sip_chal *ch)
{
	if (!t || !t->req)
		return NULL;
	const struct sip_cred *any = NULL;
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < t->req->ncreds; i++) {
			const struct sip_cred *c = &t->req->creds[i];
			if (pass == 0 && ch && c->proxy != ch->proxy)
				continue;
			if (ch && ch->nonce && c->nonce && strcmp(ch->nonce, c->nonce) != 0)
				continue;
			return c;
		}
		if (!ch)
			break;
	}
	return any;
}

/* ---------------------------------------------------------------- hashing */

uint64_t diag_hash_bytes(uint64_t h, const void *p, size_t n)
{
	return rt_fnv64(h, p, n);
}

uint64_t diag_hash_mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

uint64_t diag_hash_ip(uint64_t h, const struct rt_addr *a)
{
	uint64_t w[2] = { 0, 0 };
	memcpy(w, a->ip, a->family == 4 ? 4 : 16);
	return diag_hash_mix(h ^ diag_hash_mix(w[0] ^ a->family) ^
			     diag_hash_mix(w[1] + 0x9e3779b97f4a7c15ULL));
}

uint64_t diag_hash_addr(uint64_t h, const struct rt_addr *a)
{
	return diag_hash_mix(diag_hash_ip(h, a) ^ a->port);
}

size_t diag_group(size_t n, size_t *gid, uint64_t (*hash)(const void *u, size_t i),
		  bool (*eq)(const void *u, size_t i, size_t j), const void *u)
{
	size_t cap = 16;
	while (cap < 2 * n)
		cap *= 2;
	/* a slot: the first item of a group + 1, and 32 bits of its hash (eq,
	 * which reads the items' text, only runs when those agree); 8 bytes, as
	 * the table is sized for every REGISTER of the capture */
	if (n >= UINT32_MAX)
		return (size_t)-1;
	struct slot {
		uint32_t item;
		uint32_t h;
	} *slot = calloc(cap, sizeof *slot);
	if (!slot)
		return (size_t)-1;
	size_t ng = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t hv = hash(u, i);
		size_t h = (size_t)(hv ^ hv >> 29) & (cap - 1);
		for (;;) {
			if (!slot[h].item) {
				slot[h].item = (uint32_t)(i + 1);
				slot[h].h = (uint32_t)hv;
				gid[i] = ng++;
				break;
			}
			if (slot[h].h == (uint32_t)hv && eq(u, i, slot[h].item - 1)) {
				gid[i] = gid[slot[h].item - 1];
				break;
			}
			h = (h + 1) & (cap - 1);
		}
	}
	free(slot);
	return ng;
}

bool diag_contains_ci(const char *hay, const char *needle)
{
	return hay && needle && strcasestr(hay, needle) != NULL;
}
