/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rules_time.c - diagnosis rules over the binding timeline and the refresh
 * cadence: lapses, late/early refreshes, grants, stored Contacts, stale
 * bindings, flapping, Call-ID changes, Retry-After.
 *
 * Owns: the rule functions and the table diag_rules_time.  Conditions and
 * thresholds: docs/rules.md; expiry per RFC 3261 §10.2.1.1, §10.3 and
 * 423 Min-Expires §21.4.17.  A "refresh" here is the next REGISTER
 * of the same UA flow (same session, same top-Via sent-by) after a 2xx.
 * Every rule emits at most one finding per AOR, except REG-EXPIRED-GAP
 * (one per lapse: each has its own interval).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "capture_point.h"

static struct txn *txn_by_id(const struct aor_hist *a, uint32_t id)
{
	for (size_t i = 0; id && i < a->txns.n; i++) {
		struct txn *t = a->txns.v[i];
		if (t->id == id)
			return t;
	}
	return NULL;
}

/* The next REGISTER of t's flow in its session that starts a new attempt
 * and adds/refreshes (not a removal or query); NULL when none. */
static struct txn *next_refresh(struct diag_ctx *c, const struct txn *t)
{
	const struct reg_session *s = t->attempt ? t->attempt->session : NULL;
	if (!s)
		return NULL;
	size_t i = 0;
	while (i < s->txns.n && s->txns.v[i] != t)
		i++;
	for (size_t j = diag_flow_next_index(s, i); j < s->txns.n; j = diag_flow_next_index(s, j)) {
		struct txn *n = s->txns.v[j];
		if (n->attempt == t->attempt)
			continue;
		if (n->attempt && (n->attempt->deregister || n->attempt->query))
			return NULL;
		/* a REGISTER for another contact adds a binding, it is no refresh */
		if (!n->req || n->req->ncontacts <= 0 || !t->req || t->req->ncontacts <= 0 ||
		    !cp_contact_match_ctx(c, &t->req->contacts[0], &n->req->contacts[0]))
			return NULL;
		return n;
	}
	return NULL;
}

/* ---------------------------------------------------------------- REG-EXPIRED-GAP */

struct ivl {
	int64_t from, to;
	bool expired;           /* ended by BEV_EXPIRED (else removed / open) */
	const struct binding *b;
	uint32_t grant_txn;     /* the REGISTER of the last grant before the end */
	long grant;
};

static int cmp_ivl(const void *pa, const void *pb)
{
	const struct ivl *a = pa, *b = pb;
	return a->from < b->from ? -1 : a->from > b->from;
}

static void push_ivl(struct ivl **v, size_t *n, size_t *cap, const struct ivl *x)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 8;
		struct ivl *nv = realloc(*v, nc * sizeof *nv);
		if (!nv)
			return;
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = *x;
}

static void gap_emit(struct diag_ctx *c, struct aor_hist *a, const struct ivl *last, int64_t to,
		     bool open_end)
{
	int64_t from = last->to;
	char t1[64], t2[64];
	struct diag_frames fr = { 0 };
	const struct txn *g = txn_by_id(a, last->grant_txn);
	diag_frames_txn(&fr, g);
	/* what happened in between: the REGISTERs sent from the last grant to the end */
	unsigned failed = 0, sent = 0;
	int codes[4] = { 0 };
	int ncodes = 0;
	const struct txn *refresh = NULL;       /* the first one that did not fail */
	for (size_t i = 0; i < a->txns.n; i++) {
		const struct txn *t = a->txns.v[i];
		if (t == g || !t->req || t->t_first <= (g ? g->t_first : from) || t->t_first > to)
			continue;
		sent++;
		if (!refresh && t->outcome != TXN_TIMEOUT && t->final_status < 300)
			refresh = t;
		diag_frames_txn(&fr, t);
		if (t->outcome == TXN_TIMEOUT || t->final_status >= 300) {
			failed++;
			int code = t->outcome == TXN_TIMEOUT ? 0 : t->final_status;
			bool seen = false;
			for (int k = 0; k < ncodes; k++)
				seen |= codes[k] == code;
			if (!seen && ncodes < 4)
				codes[ncodes++] = code;
		}
	}
	char what[224];
	if (!sent)
		snprintf(what, sizeof what, "no REGISTER was sent after the last grant");
	else if (failed) {
		size_t l = (size_t)snprintf(what, sizeof what, "%u REGISTER%s after the last grant failed (",
					    failed, failed == 1 ? "" : "s");
		for (int k = 0; k < ncodes && l < sizeof what; k++) {
			if (codes[k])
				l += (size_t)snprintf(what + l, sizeof what - l, "%s%d", k ? ", " : "", codes[k]);
			else
				l += (size_t)snprintf(what + l, sizeof what - l, "%stimeout", k ? ", " : "");
		}
		if (l < sizeof what)
			snprintf(what + l, sizeof what - l, ")");
	} else {
		/* a refresh only a little late is the cause (REG-REFRESH-LATE says
		 * it too); one far beyond the grant was missing, not late */
		double mmin = diag_param(c, "refresh-late-min"), ratio = diag_param(c, "refresh-late-ratio");
		double bound = ratio * (double)last->grant > mmin ? ratio * (double)last->grant : mmin;
		double after = refresh ? diag_secs(from, refresh->t_first) : 1e18;
		char tr[64];
		if (refresh && after < 0)
			snprintf(what, sizeof what, "caused by the late refresh sent at %s, %.1f s before the "
				 "grant ran out and answered only after it", cp_time(c->m, refresh->t_first,
				 tr, sizeof tr), -after);
		else if (refresh && after <= bound)
			snprintf(what, sizeof what, "caused by the late refresh sent at %s, %.1f s after the "
				 "grant ran out", cp_time(c->m, refresh->t_first, tr, sizeof tr), after);
		else
			snprintf(what, sizeof what, "the refresh came only after the grant had run out");
	}
	cp_time(c->m, from, t1, sizeof t1);
	cp_time(c->m, to, t2, sizeof t2);
	size_t nfr = fr.n;
	if (open_end)
		diag_emit(c, a, &fr,
			  "Find out why the refresh failed or came late (see the other findings on this "
			  "AOR); inbound calls fail while no binding exists.",
			  "Registration of %s expired at %s and was still missing when the capture ended at "
			  "%s: at least %.1f s without a binding (contact %s, last granted %ld s; %s).",
			  diag_esc(c, a->aor), t1, t2, diag_secs(from, to), diag_esc(c, last->b->contact),
			  last->grant, what);
	else
		diag_emit(c, a, &fr,
			  "Find out why the refresh failed or came late (see the other findings on this "
			  "AOR); inbound calls fail in that window.",
			  "Registration of %s expired for %.1f s, from %s to %s (contact %s, last granted "
			  "%ld s; %s); inbound calls fail in that window.",
			  diag_esc(c, a->aor), diag_secs(from, to), t1, t2, diag_esc(c, last->b->contact),
			  last->grant, what);
	diag_episode(c, from ? from : 1);
	/* of two views of a lapse, the one that saw it end, then the one with
	 * more evidence (its grant not yet shed) */
	diag_weigh(c, (open_end ? 0u : 1u << 16) + (uint32_t)(nfr < 0xffff ? nfr : 0xffff));
}

static void rule_expired_gap(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	int64_t end = c->m->capture_end_ns;
	int64_t gmin = diag_ns(diag_param(c, "expired-gap-min"));
	FOR_EACH_AOR(c, a) {
		struct ivl *v = NULL;
		size_t n = 0, cap = 0;
		for (size_t bi = 0; bi < a->bindings.n; bi++) {
			const struct binding *b = a->bindings.v[bi];
			struct ivl cur = { .from = -1, .b = b };
			for (size_t k = 0; k < b->nev; k++) {
				const struct binding_event *e = &b->ev[k];
				switch (e->kind) {
				case BEV_CREATED:
				case BEV_REFRESHED:
					if (cur.from < 0)
						cur.from = e->ts_ns;
					cur.grant_txn = e->txn_id;
					cur.grant = e->expires;
					break;
				case BEV_REMOVED:
				case BEV_EXPIRED:
					if (cur.from >= 0) {
						cur.to = e->ts_ns;
						cur.expired = e->kind == BEV_EXPIRED;
						push_ivl(&v, &n, &cap, &cur);
					}
					cur.from = -1;
					break;
				}
			}
			if (cur.from >= 0) {
				cur.to = b->expires_at > end ? b->expires_at : end;
				cur.expired = false;
				push_ivl(&v, &n, &cap, &cur);
			}
		}
		if (n)
			qsort(v, n, sizeof *v, cmp_ivl);
		/* walk the union; a hole that starts where an expiry ended the
		 * covering interval is a lapse */
		size_t emitted = 0;
		for (size_t i = 0; i < n;) {
			size_t last = i;
			int64_t to = v[i].to;
			size_t j = i + 1;
			for (; j < n && v[j].from <= to; j++) {
				if (v[j].to >= to) {
					to = v[j].to;
					last = j;
				}
			}
			int64_t hole_end = j < n ? v[j].from : end;
			if (v[last].expired && to < end && hole_end - to >= gmin && emitted < 16) {
				if (j < n)
					gap_emit(c, a, &v[last], v[j].from, false);
				else
					gap_emit(c, a, &v[last], end, true);
				emitted++;
			}
			i = j;
		}
		free(v);
	}
}

/* ---------------------------------------------------------------- refresh timing */

struct agg {
	unsigned n;
	double worst;           /* the rule's extreme value */
	double worst2;
	long grant;
	const struct txn *ex;   /* the example */
	struct diag_frames fr;
};

/* The longest time a successful registration attempt of this AOR took, from
 * its first REGISTER to the 2xx (a challenge round included), over attempts
 * whose requests were not retransmitted (a lost copy is not the path's answer
 * time); the shortest one when every attempt had a retransmission. */
static double aor_answer_time(const struct aor_hist *a)
{
	double clean = -1, any = -1;
	for (size_t i = 0; i < a->attempts.n; i++) {
		const struct reg_attempt *at = a->attempts.v[i];
		if (at->result != ATT_OK || at->t_end < at->t_start)
			continue;
		double d = diag_secs(at->t_start, at->t_end);
		bool retrans = false;
		for (size_t k = 0; k < at->txns.n; k++)
			retrans |= ((const struct txn *)at->txns.v[k])->req_retrans > 0;
		if (!retrans && d > clean)
			clean = d;
		if (any < 0 || d < any)
			any = d;
	}
	return clean >= 0 ? clean : any > 0 ? any : 0;
}

/* A refresh is late when it leaves less time before the grant runs out than a
 * REGISTER needs on its path to complete when copies are lost, or when the
 * registration lapsed because of it.  UDP (RFC 3261 §17.1.2.2): Timer E sends
 * copy k at T1 * (2^k - 1) = 0, 0.5, 1.5, 3.5 s ..., so surviving the loss of
 * copies-1 copies takes T1 * (2^(copies-1) - 1).  Reliable transports: SIP
 * does not retransmit (§17.1.2.2 starts Timer E on UDP only), TCP does after
 * its initial RTO of 1 s (RFC 6298 §2.1): one lost segment.  Plus the answer
 * time measured on this AOR (a challenge round included).  Phones that
 * refresh at 90 % of the grant (baresip, belle-sip) or 5 s before it
 * (pjsip) on a fast path are not late. */
static void rule_refresh_late(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	double mmin = diag_param(c, "refresh-late-min"), ratio = diag_param(c, "refresh-late-ratio");
	double copies = diag_param(c, "refresh-retrans-copies");
	double rel = diag_param(c, "refresh-reliable-slack");
	const double T1 = 0.5;
	FOR_EACH_AOR(c, a) {
		struct agg tight = { .worst = 1e18 }, lapsed = { .worst = 1e18 };
		unsigned refreshes = 0;
		double answer = -1, lapse_len = 0, need_tight = 0;
		bool udp_tight = true;
		for (size_t i = 0; i < a->txns.n; i++) {
			const struct txn *t = a->txns.v[i];
			long G = cp_is_refresh_ok(t) ? cp_grant_ctx(c, t, 0, NULL) : -1;
			const struct txn *nx = G > 0 ? next_refresh(c, t) : NULL;
			if (!nx)
				continue;
			refreshes++;
			/* after expiry, only up to this bound: beyond, the refresh did not
			 * come late, it went missing (REG-EXPIRED-GAP alone) */
			double bound = ratio * (double)G > mmin ? ratio * (double)G : mmin;
			int64_t exp = t->t_final + diag_ns((double)G);
			double lead = diag_secs(nx->t_first, exp);     /* s before expiry */
			if (lead < -bound)
				continue;
			const struct reg_attempt *at = nx->attempt;
			/* the grant ran out before the refresh was answered */
			bool lapse = lead < 0 || (at && at->result == ATT_OK && at->t_end > exp);
			if (answer < 0)
				answer = aor_answer_time(a);
			bool udp = nx->req->transport == RT_TP_UDP || nx->req->transport == RT_TP_UNKNOWN;
			double need = (udp ? T1 * (double)((1L << ((long)copies > 1 ? (long)copies - 1 : 0)) - 1)
				       : rel) + answer;
			if (!lapse && lead >= need)
				continue;
			struct agg *g = lapse ? &lapsed : &tight;
			g->n++;
			if (lead < g->worst) {
				g->worst = lead;
				g->grant = G;
				g->ex = nx;
				if (lapse)
					lapse_len = at && at->result == ATT_OK && at->t_end > exp
						    ? diag_secs(exp, at->t_end) : -1;
				else {
					need_tight = need;
					udp_tight = udp;
				}
			}
			diag_frames_msg(&g->fr, t->final);
			diag_frames_msg(&g->fr, nx->req);
		}
		if (!tight.n && !lapsed.n) {
			diag_frames_free(&tight.fr);
			diag_frames_free(&lapsed.fr);
			continue;
		}
		char tw[64], when[48], lasted[96];
		if (lapsed.n) {
			/* the lapse is what matters: report it, count the tight ones */
			struct agg *g = &lapsed;
			for (size_t k = 0; k < tight.fr.n; k++)
				diag_frames_add(&g->fr, tight.fr.v[k]);
			diag_frames_free(&tight.fr);
			if (g->worst >= 0)
				snprintf(when, sizeof when, "%.1f s before", g->worst);
			else
				snprintf(when, sizeof when, "%.1f s after", -g->worst);
			if (lapse_len > 0)
				snprintf(lasted, sizeof lasted, "the registration lapsed for %.1f s until its 200",
					 lapse_len);
			else
				snprintf(lasted, sizeof lasted, "the registration lapsed (the refresh was not "
					 "answered with a 2xx)");
			diag_emit(c, a, &g->fr,
				  "Lower the phone's refresh ratio/timer so it re-registers well before the "
				  "grant runs out (e.g. at 50-90 % of it); the lapse (REG-EXPIRED-GAP when "
				  "it lasts 5 s or more) is caused by this refresh.",
				  "Refresh of %s sent %s the %ld s grant expired (at %s) and a lapse followed: "
				  "%s; %u of %u refreshes lapsed.",
				  diag_esc(c, a->aor), when, g->grant,
				  cp_time(c->m, g->ex->t_first, tw, sizeof tw), lasted, g->n, refreshes);
			continue;
		}
		struct agg *g = &tight;
		char need_s[96];
		if (udp_tight)
			snprintf(need_s, sizeof need_s, "UDP: Timer E copies at 0, 0.5, 1.5, 3.5 s ... "
				 "up to copy %.0f", copies);
		else
			snprintf(need_s, sizeof need_s, "reliable transport: %.1f s for one TCP "
				 "retransmission", rel);
		diag_emit(c, a, &g->fr,
			  "Let the phone refresh earlier (e.g. at 50-90 % of the grant): one lost copy "
			  "of a refresh this late lets the registration lapse.",
			  "Refresh of %s sent only %.1f s before the %ld s grant expired (at %s): less than "
			  "the %.1f s a REGISTER needs on this path (%s, plus %.3f s answer time measured on "
			  "this AOR); no lapse followed; %u of %u refreshes were that late.",
			  diag_esc(c, a->aor), g->worst, g->grant,
			  cp_time(c->m, g->ex->t_first, tw, sizeof tw), need_tight, need_s,
			  answer > 0 ? answer : 0, g->n, refreshes);
	}
}

static void rule_refresh_early(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	double ratio = diag_param(c, "refresh-early-ratio"), lim = diag_param(c, "refresh-early-max");
	FOR_EACH_AOR(c, a) {
		struct agg g = { .worst = 1e18 };
		unsigned refreshes = 0;
		double sum = 0;
		for (size_t i = 0; i < a->txns.n; i++) {
			const struct txn *t = a->txns.v[i];
			long G = cp_is_refresh_ok(t) ? cp_grant_ctx(c, t, 0, NULL) : -1;
			const struct txn *nx = G > 0 ? next_refresh(c, t) : NULL;
			if (!nx)
				continue;
			refreshes++;
			double iv = diag_secs(t->t_final, nx->t_first);
			if (!(iv < ratio * (double)G && iv < lim))
				continue;
			g.n++;
			sum += iv;
			if (iv < g.worst) {
				g.worst = iv;
				g.grant = G;
				g.ex = nx;
			}
			if (g.fr.n < 8) {
				diag_frames_msg(&g.fr, t->final);
				diag_frames_msg(&g.fr, nx->req);
			}
		}
		if (!g.n) {
			diag_frames_free(&g.fr);
			continue;
		}
		diag_emit(c, a, &g.fr,
			  "Let the phone refresh at 50-90 % of the grant; if the short cycle is meant to "
			  "keep a NAT open, CRLF/OPTIONS keepalives are cheaper for the registrar.",
			  "Phone re-registers %s every %.1f s on average (shortest %.1f s) although granted "
			  "%ld s: %u of %u refreshes came before %.0f %% of the grant and within %.0f s.",
			  diag_esc(c, a->aor), sum / g.n, g.worst, g.grant, g.n, refreshes, ratio * 100, lim);
	}
}

/* ---------------------------------------------------------------- grants */

static void grant_rule(struct diag_ctx *c, bool ignored)
{
	double mmin = ignored ? diag_param(c, "refresh-late-min") : 0,
	       ratio = ignored ? diag_param(c, "refresh-late-ratio") : 0;
	FOR_EACH_AOR(c, a) {
		struct agg g = { 0 };
		long asked = -1, got = -1;
		double next_iv = 0;
		for (size_t i = 0; i < a->txns.n; i++) {
			const struct txn *t = a->txns.v[i];
			if (!cp_is_refresh_ok(t))
				continue;
			long E = diag_contact_expires(t->req, 0), G = cp_grant_ctx(c, t, 0, NULL);
			if (E <= 0 || G < 0 || G >= E)
				continue;
			double iv = 0;
			if (ignored) {
				const struct txn *nx = next_refresh(c, t);
				if (!nx)
					continue;
				iv = diag_secs(t->t_final, nx->t_first);
				/* refreshing around G follows the grant (late is
				 * REG-REFRESH-LATE); ignoring it means well beyond */
				double margin = ratio * (double)G > mmin ? ratio * (double)G : mmin;
				if (iv <= (double)G + margin)
					continue;
				diag_frames_msg(&g.fr, nx->req);
			}
			if (!g.n) {
				asked = E;
				got = G;
				next_iv = iv;
				g.ex = t;
			}
			g.n++;
			diag_frames_txn(&g.fr, t);
		}
		if (!g.n) {
			diag_frames_free(&g.fr);
			continue;
		}
		char tb[32] = "";
		if (g.n > 1)
			snprintf(tb, sizeof tb, " (%u times)", g.n);
		if (!ignored)
			diag_emit(c, a, &g.fr, NULL,
				  "The registrar shortened the expiry of %s: asked %ld s, got %ld s%s "
				  "(server maximum or NAT policy).", diag_esc(c, a->aor), asked, got, tb);
		else
			diag_emit(c, a, &g.fr,
				  "Phone bug or setting: it must refresh on the expiry the 200 grants (per "
				  "Contact), not on the one it asked for; upgrade or lower its own expiry.",
				  "Phone refreshes %s on its own timer instead of the server's grant: asked %ld s, "
				  "granted %ld s, next refresh after %.1f s%s - the registration lapses between "
				  "refreshes.", diag_esc(c, a->aor), asked, got, next_iv, tb);
	}
}

static void rule_grant_lt_req(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	grant_rule(c, false);
}

static void rule_grant_ignored(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	grant_rule(c, true);
}

/* ---------------------------------------------------------------- Contacts in the 200 */

static void rule_contact_missing(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	FOR_EACH_AOR(c, a) {
		struct agg g = { 0 };
		unsigned ok = 0;
		for (size_t i = 0; i < a->txns.n; i++) {
			const struct txn *t = a->txns.v[i];
			if (!cp_is_refresh_ok(t))
				continue;
			ok++;
			bool found = false;
			for (int k = 0; k < t->req->ncontacts && !found; k++) {
				bool listed;
				cp_grant_ctx(c, t, k, &listed);
				found = listed;
			}
			if (found)
				continue;
			if (!g.n)
				g.ex = t;
			g.n++;
			diag_frames_txn(&g.fr, t);
		}
		if (!g.n) {
			diag_frames_free(&g.fr);
			continue;
		}
		const struct sip_msg *q = g.ex->req, *rs = g.ex->final;
		char lists[300];
		if (rs->ncontacts == 0)
			snprintf(lists, sizeof lists, "lists no Contact at all");
		else
			snprintf(lists, sizeof lists, "lists %d Contact%s, first %s", rs->ncontacts,
				 rs->ncontacts == 1 ? "" : "s", diag_esc(c, rs->contacts[0].uri));
		diag_emit(c, a, &g.fr,
			  "An SBC/ALG or the registrar rewrote the Contact; the phone cannot read its "
			  "expiry from the 200. Check NAT handling (rewrite_contact, SIP ALG) or use "
			  "+sip.instance (RFC 5626).",
			  "The 200 for %s does not list the phone's Contact %s: it %s (%u of %u successful "
			  "REGISTERs).", diag_esc(c, a->aor), diag_esc(c, q->contacts[0].uri), lists, g.n, ok);
	}
}

/* Same user at the same host: one UA's contact (another port = another
 * NAT mapping or a reboot).  Different users at one host are different
 * bindings on purpose. */
static bool same_host(const struct sip_contact *x, const struct sip_contact *y)
{
	return x->host && y->host && strcasecmp(x->host, y->host) == 0 &&
	       strcmp(x->user ? x->user : "", y->user ? y->user : "") == 0;
}

static void rule_dup_bindings(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	FOR_EACH_AOR(c, a) {
		const struct txn *best = NULL;
		int best_n = 0, best_k = -1;
		for (size_t i = 0; i < a->txns.n; i++) {
			const struct txn *t = a->txns.v[i];
			if (!diag_is_register(t) || !t->final || t->final_status / 100 != 2)
				continue;
			const struct sip_msg *rs = t->final;
			for (int k = 0; k < rs->ncontacts; k++) {
				const struct sip_contact *x = &rs->contacts[k];
				int same = 0;
				for (int j = 0; j < rs->ncontacts; j++) {
					const struct sip_contact *y = &rs->contacts[j];
					if (j == k || !x->uri || !y->uri)
						continue;
					bool dup = false;
					if (x->instance && y->instance)
						dup = strcmp(x->instance, y->instance) == 0 &&
						      !cp_contact_match_ctx(c, x, y);
					else if (same_host(x, y))
						dup = !cp_contact_match_ctx(c, x, y);
					same += dup;
				}
				if (same > best_n) {
					best_n = same;
					best = t;
					best_k = k;
				}
			}
		}
		if (!best)
			continue;
		const struct sip_msg *rs = best->final;
		const struct sip_contact *x = &rs->contacts[best_k];
		char list[300];
		size_t l = 0;
		list[0] = 0;
		for (int j = 0; j < rs->ncontacts && l < sizeof list; j++) {
			const struct sip_contact *y = &rs->contacts[j];
			bool dup = j == best_k ||
				   (x->instance && y->instance ? strcmp(x->instance, y->instance) == 0
							       : same_host(x, y));
			if (dup)
				l += (size_t)snprintf(list + l, sizeof list - l, "%s%s", l ? ", " : "",
						      diag_esc(c, y->uri));
		}
		struct diag_frames fr = { 0 };
		diag_frames_txn(&fr, best);
		diag_emit(c, a, &fr,
			  "Use RFC 5626 outbound (+sip.instance/reg-id) or remove_existing / max_contacts=1, "
			  "unregister before reboot, or a shorter expiry.",
			  "The 200 for %s lists %d Contacts of one UA (%s): %d stale binding%s (NAT port "
			  "changes or reboot without unregister) - calls fork to dead contacts.",
			  diag_esc(c, a->aor), best_n + 1, list, best_n, best_n == 1 ? "" : "s");
		diag_weigh(c, (uint32_t)best_n);   /* >= 1 */
	}
}

/* ---------------------------------------------------------------- REG-FLAP */

struct loss {
	int64_t ts;
	enum binding_event_kind kind;
};

static int cmp_loss(const void *pa, const void *pb)
{
	const struct loss *a = pa, *b = pb;
	return a->ts < b->ts ? -1 : a->ts > b->ts;
}

static void rule_flap(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	double win = diag_param(c, "flap-window");
	unsigned min = (unsigned)diag_param(c, "flap-min");
	FOR_EACH_AOR(c, a) {
		size_t n = 0, cap = 0;
		struct loss *v = NULL;
		int64_t last_create = 0;
		for (size_t bi = 0; bi < a->bindings.n; bi++) {
			const struct binding *b = a->bindings.v[bi];
			for (size_t k = 0; k < b->nev; k++) {
				if (b->ev[k].kind == BEV_CREATED && b->ev[k].ts_ns > last_create)
					last_create = b->ev[k].ts_ns;
			}
		}
		for (size_t bi = 0; bi < a->bindings.n; bi++) {
			const struct binding *b = a->bindings.v[bi];
			for (size_t k = 0; k < b->nev; k++) {
				const struct binding_event *e = &b->ev[k];
				/* a loss counts as a cycle when a binding came back after it */
				if ((e->kind != BEV_REMOVED && e->kind != BEV_EXPIRED) || e->ts_ns >= last_create)
					continue;
				if (n == cap) {
					size_t nc = cap ? cap * 2 : 8;
					struct loss *nv = realloc(v, nc * sizeof *nv);
					if (!nv)
						break;
					v = nv;
					cap = nc;
				}
				v[n].ts = e->ts_ns;
				v[n].kind = e->kind;
				n++;
			}
		}
		if (n < min || !min) {
			free(v);
			continue;
		}
		qsort(v, n, sizeof *v, cmp_loss);
		size_t bi = 0, bj = 0, best = 0;
		for (size_t i = 0, j = 0; i < n; i++) {
			while (v[i].ts - v[j].ts > diag_ns(win))
				j++;
			if (i - j + 1 > best) {
				best = i - j + 1;
				bi = j;
				bj = i;
			}
		}
		if (best < min) {
			free(v);
			continue;
		}
		unsigned removed = 0, expired = 0;
		for (size_t k = bi; k <= bj; k++) {
			if (v[k].kind == BEV_EXPIRED)
				expired++;
			else
				removed++;
		}
		/* who registered in that window: distinct sources of successful REGISTERs */
		struct rt_addr src[4];
		unsigned nsrc = 0, more = 0;
		struct diag_frames fr = { 0 };
		for (size_t i = 0; i < a->txns.n; i++) {
			const struct txn *t = a->txns.v[i];
			if (!t->req || !t->final || t->final_status / 100 != 2 || t->t_final < v[bi].ts - diag_ns(win) ||
			    t->t_final > v[bj].ts + diag_ns(win))
				continue;
			diag_frames_txn(&fr, t);
			bool seen = false;
			for (unsigned k = 0; k < nsrc; k++)
				seen |= rt_addr_eq(&src[k], &t->req->src);
			if (!seen) {
				if (nsrc < 4)
					src[nsrc++] = t->req->src;
				else
					more++;
			}
		}
		char sl[4 * RT_ADDR_STRLEN + 32];
		size_t l = 0;
		sl[0] = 0;
		for (unsigned k = 0; k < nsrc && l < sizeof sl; k++) {
			char ab[RT_ADDR_STRLEN];
			l += (size_t)snprintf(sl + l, sizeof sl - l, "%s%s", k ? ", " : "",
					      rt_addr_str(&src[k], ab, sizeof ab));
		}
		if (more && l < sizeof sl)
			snprintf(sl + l, sizeof sl - l, " and %u more", more);
		diag_emit(c, a, &fr,
			  nsrc > 1 ? "Two devices probably share the account (with max_contacts=1 they keep "
				     "replacing each other): give each device its own account or allow more "
				     "contacts."
				   : "The phone re-initialises or unregisters repeatedly: check its logs, "
				     "network stability and NAT keepalives.",
			  "%s lost its binding %zu times within %.0f s (%u removed or replaced, %u expired) "
			  "and registered again each time; registering from %s%s.",
			  diag_esc(c, a->aor), best, diag_secs(v[bi].ts, v[bj].ts) < 1 ? 1.0
			  : diag_secs(v[bi].ts, v[bj].ts), removed, expired, sl,
			  nsrc > 1 ? " (alternating sources)" : "");
		free(v);
	}
}

/* ---------------------------------------------------------------- REG-CALLID-CHANGE */

/* The last successful add/refresh of a session, NULL when none. */
static const struct txn *session_last_ok(const struct reg_session *s)
{
	const struct txn *ok = NULL;
	for (size_t i = 0; i < s->txns.n; i++) {
		const struct txn *t = s->txns.v[i];
		if (cp_is_refresh_ok(t))
			ok = t;
		else if (t->attempt && t->attempt->deregister && t->final_status / 100 == 2)
			ok = NULL;      /* unregistered: the next Call-ID is a new start */
	}
	return ok;
}

static const struct txn *session_first_add(const struct reg_session *s)
{
	for (size_t i = 0; i < s->txns.n; i++) {
		const struct txn *t = s->txns.v[i];
		if (t->req && t->req->ncontacts > 0 && !t->req->contacts[0].star &&
		    diag_contact_expires(t->req, 0) != 0)
			return t;
	}
	return NULL;
}

static int cmp_sess(const void *pa, const void *pb)
{
	const struct reg_session *a = *(const struct reg_session *const *)pa;
	const struct reg_session *b = *(const struct reg_session *const *)pb;
	return a->t_first < b->t_first ? -1 : a->t_first > b->t_first;
}

static void rule_callid_change(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	unsigned min = (unsigned)diag_param(c, "callid-change-min");
	FOR_EACH_AOR(c, a) {
		if (a->sessions.n < 2)
			continue;
		const struct reg_session **ss = malloc(a->sessions.n * sizeof *ss);
		if (!ss)
			continue;
		memcpy(ss, a->sessions.v, a->sessions.n * sizeof *ss);
		qsort(ss, a->sessions.n, sizeof *ss, cmp_sess);
		unsigned changes = 0;
		const char *cids[3] = { NULL, NULL, NULL };
		struct diag_frames fr = { 0 };
		const struct txn *ex = NULL;
		for (size_t i = 1; i < a->sessions.n; i++) {
			const struct txn *p = session_last_ok(ss[i - 1]), *n = session_first_add(ss[i]);
			if (!p || !n || !diag_same_flow(p, n))
				continue;
			if (!cp_contact_match_ctx(c, &p->req->contacts[0], &n->req->contacts[0]))
				continue;
			long G = cp_grant_ctx(c, p, 0, NULL);
			/* a refresh: the old binding was still valid when the new Call-ID came */
			if (G <= 0 || n->t_first > p->t_final + diag_ns((double)G))
				continue;
			if (!changes) {
				cids[0] = p->call_id;
				ex = p;
			}
			if (changes < 2)
				cids[changes + 1] = n->call_id;
			changes++;
			diag_frames_msg(&fr, p->req);
			diag_frames_msg(&fr, n->req);
		}
		free(ss);
		if (!changes || changes < min) {
			diag_frames_free(&fr);
			continue;
		}
		diag_emit(c, a, &fr,
			  "Harmless for most registrars, but RFC 3261 §10.2.4 says a UA SHOULD reuse the "
			  "Call-ID for refreshes; some registrars then keep duplicate bindings.",
			  "Phone uses a new Call-ID for %u consecutive refreshes of %s (contact %s; Call-IDs "
			  "%s, %s%s%s...) instead of reusing it.",
			  changes, diag_esc(c, a->aor), diag_esc(c, ex->req->contacts[0].uri),
			  diag_esc(c, cids[0]), diag_esc(c, cids[1]), cids[2] ? ", " : "",
			  cids[2] ? diag_esc(c, cids[2]) : "");
	}
}

/* ---------------------------------------------------------------- REG-RETRY-AFTER-IGNORED */

static void rule_retry_after(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	double slack = diag_param(c, "retry-after-slack");
	FOR_EACH_AOR(c, a) {
		struct agg g = { .worst = 1e18 };
		long ra = 0;
		for (size_t i = 0; i < a->txns.n; i++) {
			const struct txn *t = a->txns.v[i];
			if (!t->final || t->final_status < 500 || t->final_status >= 600 ||
			    t->final->retry_after <= 0)
				continue;
			const struct txn *nx = NULL;
			for (size_t j = i + 1; j < a->txns.n && !nx; j++) {
				const struct txn *u = a->txns.v[j];
				if (u->req && t->req && diag_same_flow(u, t) &&
				    rt_ip_eq(&u->req->src, &t->req->src))
					nx = u;
			}
			if (!nx)
				continue;
			double after = diag_secs(t->t_final, nx->t_first);
			if (after + slack >= (double)t->final->retry_after)
				continue;
			g.n++;
			if (after < g.worst) {
				g.worst = after;
				ra = t->final->retry_after;
				g.ex = t;
			}
			diag_frames_msg(&g.fr, t->final);
			diag_frames_msg(&g.fr, nx->req);
		}
		if (!g.n) {
			diag_frames_free(&g.fr);
			continue;
		}
		diag_emit(c, a, &g.fr, "Phone setting/bug: wait at least the Retry-After seconds after a 5xx.",
			  "Phone ignores Retry-After for %s: the %d asked to wait %ld s, the next REGISTER "
			  "came after %.1f s (%u time%s).",
			  diag_esc(c, a->aor), g.ex->final_status, ra, g.worst, g.n, g.n == 1 ? "" : "s");
	}
}

/* ---------------------------------------------------------------- the table */

static const struct diag_param p_gap[] = {
	{ "expired-gap-min", 5, "s", "shorter lapses are left to REG-REFRESH-LATE (registrars "
	  "remove expired contacts on a timer)" },
	{ "refresh-late-min", 5, "s", "a refresh up to max(this, ratio x grant) after expiry is "
	  "named as the lapse's cause" },
	{ "refresh-late-ratio", 0.10, "ratio", "... that part of the grant" },
	{ NULL, 0, NULL, NULL },
};

static const struct diag_param p_late[] = {
	{ "refresh-late-min", 5, "s", "refresh margin: at least this many seconds before expiry" },
	{ "refresh-late-ratio", 0.10, "ratio", "refresh margin: at least this part of the grant" },
	{ NULL, 0, NULL, NULL },
};

static const struct diag_param p_late2[] = {
	{ "refresh-late-min", 5, "s", "refresh after expiry up to max(this, ratio x grant) is late, "
	  "beyond it is missing" },
	{ "refresh-late-ratio", 0.10, "ratio", "... that part of the grant" },
	{ "refresh-retrans-copies", 4, "count", "UDP: a refresh must leave time for this many copies "
	  "(Timer E: 0, 0.5, 1.5, 3.5 s)" },
	{ "refresh-reliable-slack", 1, "s", "TCP/TLS/WS: time for one TCP retransmission (RFC 6298 RTO)" },
	{ NULL, 0, NULL, NULL },
};

static const struct diag_param p_early[] = {
	{ "refresh-early-ratio", 0.25, "ratio", "refresh earlier than this part of the grant ..." },
	{ "refresh-early-max", 60, "s", "... and within this many seconds is early" },
	{ NULL, 0, NULL, NULL },
};

static const struct diag_param p_flap[] = {
	{ "flap-min", 3, "count", "binding losses (removed/expired/replaced) that make flapping" },
	{ "flap-window", 600, "s", "... within this window" },
	{ NULL, 0, NULL, NULL },
};

static const struct diag_param p_callid[] = {
	{ "callid-change-min", 2, "count", "refreshes under a new Call-ID (one is a reboot)" },
	{ NULL, 0, NULL, NULL },
};

static const struct diag_param p_retry[] = {
	{ "retry-after-slack", 1, "s", "tolerance on Retry-After (clock granularity)" },
	{ NULL, 0, NULL, NULL },
};

const struct diag_rule diag_rules_time[] = {
	{ "REG-EXPIRED-GAP", SEV_CRIT, "registration lapsed (grant ran out, no refresh)", p_gap,
	  rule_expired_gap, DIAG_PER_AOR, .kind = FK_PATTERN, .episodes = true },
	{ "REG-REFRESH-LATE", SEV_WARN, "refresh too close to expiry for retransmissions, or lapsed", p_late2,
	  rule_refresh_late, DIAG_PER_AOR, .kind = FK_CAUSE },
	{ "REG-REFRESH-EARLY", SEV_INFO, "refresh far earlier than the grant needs", p_early,
	  rule_refresh_early, DIAG_PER_AOR, .kind = FK_PATTERN },
	{ "REG-GRANT-LT-REQ", SEV_INFO, "server granted less than asked", NULL,
	  rule_grant_lt_req, DIAG_PER_AOR, .kind = FK_PATTERN },
	{ "REG-GRANT-IGNORED", SEV_ERR, "UA refreshes on its own timer, not the grant", p_late,
	  rule_grant_ignored, DIAG_PER_AOR, .kind = FK_CAUSE },
	{ "REG-CONTACT-MISSING", SEV_WARN, "own Contact absent from the 200", NULL,
	  rule_contact_missing, DIAG_PER_AOR, .kind = FK_PATTERN },
	{ "REG-DUP-BINDINGS", SEV_WARN, "stale/duplicate bindings of one UA in the 200", NULL,
	  rule_dup_bindings, DIAG_PER_AOR, .kind = FK_PATTERN },
	{ "REG-FLAP", SEV_ERR, "register/unregister churn or two devices on one account", p_flap,
	  rule_flap, DIAG_PER_AOR, .kind = FK_PATTERN },
	{ "REG-CALLID-CHANGE", SEV_INFO, "new Call-ID on every refresh", p_callid,
	  rule_callid_change, DIAG_PER_AOR, .kind = FK_PATTERN },
	{ "REG-RETRY-AFTER-IGNORED", SEV_WARN, "new attempt before Retry-After", p_retry,
	  rule_retry_after, DIAG_PER_AOR, .kind = FK_CAUSE },
	{ NULL, 0, NULL, NULL, NULL, DIAG_CAPTURE, FK_PATTERN, false },
};
