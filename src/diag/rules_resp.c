/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rules_resp.c - diagnosis rules about the registrar's answers, timeouts,
 * retransmissions and the form of the REGISTER itself.
 *
 * Owns: the rule functions, the table diag_rules_resp and the family's
 * state in a run (struct diag_resp_state: responses by CSeq).  Conditions:
 * docs/rules.md; transactions and timers per RFC 3261 §17.1.2 (Timer F),
 * responses §21.
 * Every rule emits at most one finding per AOR (counts and frames
 * aggregated), except REG-BANNED which is per (source, registrar).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diag.h"

/* "403, 404" - distinct final codes of a set, in first-seen order. */
struct codes {
	int v[8];
	int n;
};

static void codes_add(struct codes *cs, int code)
{
	for (int i = 0; i < cs->n; i++)
		if (cs->v[i] == code)
			return;
	if (cs->n < 8)
		cs->v[cs->n++] = code;
}

/* ---------------------------------------------------------------- final-code rules */

/* The final responses of the AOR's REGISTERs that match pred: first one,
 * how many, frames. */
struct finals {
	const struct txn *first;
	unsigned n;
	bool after_auth;      /* some matching REGISTER carried credentials */
	struct codes codes;
	struct diag_frames fr;
};

static void collect_finals(const struct aor_hist *a, bool (*pred)(const struct txn *),
			   struct finals *f)
{
	memset(f, 0, sizeof *f);
	for (size_t i = 0; i < a->txns.n; i++) {
		const struct txn *t = a->txns.v[i];
		if (!t->final || !pred(t))
			continue;
		if (!f->first)
			f->first = t;
		f->n++;
		f->after_auth |= diag_has_creds(t);
		codes_add(&f->codes, t->final_status);
		diag_frames_txn(&f->fr, t);
	}
}

static const char *times(unsigned n, char *b, size_t len)
{
	if (n <= 1)
		b[0] = 0;
	else
		snprintf(b, len, " (%u times)", n);
	return b;
}

/* Extra detail of a final response: Warning, P-Registrar-Error, Server. */
static const char *resp_detail(struct diag_ctx *c, const struct sip_msg *r, char *b, size_t n)
{
	size_t l = 0;
	b[0] = 0;
	if (r->warning)
		l += (size_t)snprintf(b + l, n - l, "; Warning: %s", diag_esc(c, r->warning));
	if (r->p_registrar_error && l < n)
		l += (size_t)snprintf(b + l, n - l, "; P-Registrar-Error: %s",
				      diag_esc(c, r->p_registrar_error));
	if (r->server && l < n)
		snprintf(b + l, n - l, "; Server: %s", diag_esc(c, r->server));
	return b;
}

static bool max_contacts_text(const struct sip_msg *r)
{
	static const char *const pats[] = {
		"too many registered contacts", "too many contacts", "max_contacts",
		"maximum number of contacts", "max contacts", "contacts limit", "too many registrations",
	};
	const char *fields[3] = { r->reason, r->p_registrar_error, r->warning };
	for (int i = 0; i < 3; i++)
		for (size_t k = 0; k < sizeof pats / sizeof pats[0]; k++)
			if (diag_contains_ci(fields[i], pats[k]))
				return true;
	return false;
}

static bool is_403(const struct txn *t) { return t->final_status == 403; }
static bool is_404(const struct txn *t) { return t->final_status == 404; }
static bool is_408(const struct txn *t) { return t->final_status == 408; }
static bool is_6xx(const struct txn *t) { return t->final_status >= 600 && t->final_status < 700; }
static bool is_400_420(const struct txn *t)
{
	int s = t->final_status;
	return s == 400 || s == 420 || s == 421 || s == 439;
}
static bool is_5xx(const struct txn *t)
{
	return t->final_status >= 500 && t->final_status < 600 && !max_contacts_text(t->final);
}
static bool is_maxcontacts(const struct txn *t)
{
	return t->final_status >= 300 && max_contacts_text(t->final);
}

static void rule_403(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	FOR_EACH_AOR(c, a) {
		struct finals f;
		collect_finals(a, is_403, &f);
		if (!f.n)
			continue;
		const struct sip_msg *rs = f.first->final;
		const struct sip_cred *cr = diag_first_cred(f.first);
		char d[400], tb[32];
		const char *fix;
		if (diag_contains_ci(rs->reason, "auth id") || diag_contains_ci(rs->reason, "auth-id") ||
		    diag_contains_ci(rs->reason, "username"))
			fix = "The server requires the auth username to equal the extension: set the auth ID "
			      "on the phone to the AOR user (or allow it on the server).";
		else if (diag_contains_ci(rs->reason, "credential") ||
			 diag_contains_ci(rs->reason, "password") || f.after_auth)
			fix = "Bad credentials (FreeSWITCH/chan_sip answer 403 to a wrong password): check "
			      "the password and auth username; --credentials FILE verifies the digest.";
		else
			fix = "Check the account is enabled and the source IP is allowed (ACL), and on "
			      "Asterisk PJSIP max_contacts/remove_existing.";
		diag_emit(c, a, &f.fr, fix,
			  "The registrar refused %s with 403 %s%s%s%s%s%s.",
			  diag_esc(c, a->aor), diag_esc(c, rs->reason),
			  f.after_auth ? " after the phone authenticated" : " without a challenge",
			  cr ? " as user '" : "", cr ? diag_esc(c, cr->username) : "", cr ? "'" : "",
			  times(f.n, tb, sizeof tb));
		(void)d;
	}
}

static void rule_404(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	FOR_EACH_AOR(c, a) {
		struct finals f;
		collect_finals(a, is_404, &f);
		if (!f.n)
			continue;
		char tb[32];
		diag_emit(c, a, &f.fr,
			  "Fix the user name or domain on the phone (To/AOR and Request-URI domain), or "
			  "create the account on the registrar.",
			  "The registrar does not know %s: 404 %s to the REGISTER for Request-URI %s "
			  "(the user does not exist or the domain is not served)%s.",
			  diag_esc(c, a->aor), diag_esc(c, f.first->final->reason),
			  diag_esc(c, f.first->req ? f.first->req->ruri : NULL), times(f.n, tb, sizeof tb));
	}
}

static void rule_408(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	FOR_EACH_AOR(c, a) {
		struct finals f;
		collect_finals(a, is_408, &f);
		if (!f.n)
			continue;
		char tb[32], d[400];
		diag_emit(c, a, &f.fr,
			  "Look one hop further: the proxy that sent the 408 could not reach the registrar.",
			  "A 408 %s came back on the wire for %s: an intermediate proxy timed out towards "
			  "the registrar (a registrar never sends 408 to REGISTER)%s%s.",
			  diag_esc(c, f.first->final->reason), diag_esc(c, a->aor),
			  resp_detail(c, f.first->final, d, sizeof d), times(f.n, tb, sizeof tb));
	}
}

static void rule_6xx(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	FOR_EACH_AOR(c, a) {
		struct finals f;
		collect_finals(a, is_6xx, &f);
		if (!f.n)
			continue;
		char tb[32], d[400];
		diag_emit(c, a, &f.fr,
			  "An SBC, blocker or broken registrar answered; registrars must not send 6xx.",
			  "A %d %s came back to the REGISTER for %s (registrars must not send 6xx)%s%s.",
			  f.first->final_status, diag_esc(c, f.first->final->reason), diag_esc(c, a->aor),
			  resp_detail(c, f.first->final, d, sizeof d), times(f.n, tb, sizeof tb));
	}
}

static void rule_400_420(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	FOR_EACH_AOR(c, a) {
		struct finals f;
		collect_finals(a, is_400_420, &f);
		if (!f.n)
			continue;
		const struct sip_msg *rs = f.first->final;
		char tb[32], d[400], un[200] = "";
		if (rs->unsupported) {
			char ub[160];
			snprintf(ub, sizeof ub, "%s", rs->unsupported);
			snprintf(un, sizeof un, "; Unsupported: %s", diag_esc(c, ub));
		}
		diag_emit(c, a, &f.fr,
			  f.first->final_status == 400 ?
			  "Fix the request the server calls malformed (see its reason/P-Registrar-Error)." :
			  "Disable the option the other side does not support (Require: path/outbound), "
			  "or enable it on the server/edge proxy.",
			  "The registrar rejected the REGISTER for %s: %d %s%s%s%s.",
			  diag_esc(c, a->aor), f.first->final_status, diag_esc(c, rs->reason), un,
			  resp_detail(c, rs, d, sizeof d), times(f.n, tb, sizeof tb));
	}
}

static void rule_5xx(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	FOR_EACH_AOR(c, a) {
		struct finals f;
		collect_finals(a, is_5xx, &f);
		if (!f.n)
			continue;
		const struct sip_msg *rs = f.first->final;
		char tb[32], d[400], ra[64] = "";
		if (rs->retry_after >= 0)
			snprintf(ra, sizeof ra, " (Retry-After %ld s)", rs->retry_after);
		diag_emit(c, a, &f.fr,
			  "Server-side failure (database, overload, upstream): retry honouring "
			  "Retry-After and check the registrar's logs.",
			  "The registrar failed the REGISTER for %s with %d %s%s%s%s.",
			  diag_esc(c, a->aor), f.first->final_status, diag_esc(c, rs->reason), ra,
			  resp_detail(c, rs, d, sizeof d), times(f.n, tb, sizeof tb));
	}
}

static const struct diag_param p_maxc[] = {
	{ "maxcontacts-bindings", 10, "bindings", "a 200 listing this many Contacts for one AOR" },
	{ NULL, 0, NULL, NULL },
};

static void rule_maxcontacts(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	int lim = (int)diag_param(c, "maxcontacts-bindings");
	FOR_EACH_AOR(c, a) {
		struct finals f;
		collect_finals(a, is_maxcontacts, &f);
		if (f.n) {
			char tb[32], d[400];
			diag_emit(c, a, &f.fr,
				  "Remove stale bindings, enable remove_existing (Asterisk) or use outbound "
				  "(reg-id), or raise the server's max_contacts.",
				  "The account %s already has the maximum number of registered devices: %d %s%s%s.",
				  diag_esc(c, a->aor), f.first->final_status, diag_esc(c, f.first->final->reason),
				  resp_detail(c, f.first->final, d, sizeof d), times(f.n, tb, sizeof tb));
			continue;
		}
		diag_frames_free(&f.fr);
		/* a 200 listing many bindings */
		for (size_t i = 0; lim > 0 && i < a->txns.n; i++) {
			const struct txn *t = a->txns.v[i];
			if (!t->final || t->final_status < 200 || t->final_status >= 300 ||
			    t->final->ncontacts < lim)
				continue;
			struct diag_frames fr = { 0 };
			diag_frames_txn(&fr, t);
			diag_emit(c, a, &fr,
				  "Remove stale bindings (phones re-registering from new ports without "
				  "unregistering), use outbound reg-id or a shorter expiry.",
				  "The 200 in frame %llu lists %d bindings for %s (limit checked: %d).",
				  (unsigned long long)t->final->frame, t->final->ncontacts, diag_esc(c, a->aor),
				  lim);
			break;
		}
	}
}

/* ---------------------------------------------------------------- 423 */

/* Every contact of req asks at least min seconds (or leaves it to the server). */
static bool expires_at_least(const struct sip_msg *req, long min)
{
	if (req->ncontacts == 0)
		return req->expires < 0 || req->expires >= min;
	for (int i = 0; i < req->ncontacts; i++) {
		long e = diag_contact_expires(req, i);
		if (e >= 0 && e < min)
			return false;
	}
	return true;
}

static long req_expires(const struct sip_msg *req)
{
	long e = diag_contact_expires(req, 0);
	return e >= 0 ? e : req->expires;
}

/* Outcome of the registration after a retry: the first non-challenge final
 * of the flow from index j on (0 when none). */
static const struct txn *flow_outcome(const struct reg_session *s, size_t j)
{
	while (j < s->txns.n) {
		const struct txn *t = s->txns.v[j];
		if (t->final && !diag_is_challenge(t->final_status))
			return t;
		if (!t->final)
			return NULL;
		j = diag_flow_next_index(s, j);
	}
	return NULL;
}

static void rule_423_common(struct diag_ctx *c, bool loop)
{
	FOR_EACH_AOR(c, a) {
		struct diag_frames fr = { 0 };
		unsigned n423 = 0, nloop = 0, nok = 0, nnoretry = 0;
		long asked = -1, min = -1, retried = -1;
		bool below = false;
		for (size_t si = 0; si < a->sessions.n; si++) {
			const struct reg_session *s = a->sessions.v[si];
			for (size_t i = 0; i < s->txns.n; i++) {
				const struct txn *t = s->txns.v[i];
				if (t->final_status != 423 || !t->req)
					continue;
				n423++;
				long m = t->final->min_expires;
				size_t j = diag_flow_next_index(s, i);
				const struct txn *nx = j < s->txns.n ? s->txns.v[j] : NULL;
				bool isloop = false, ok = false;
				if (nx && nx->req) {
					if (m >= 0 && !expires_at_least(nx->req, m)) {
						isloop = true;
						below = true;
					} else if (nx->final_status == 423) {
						isloop = true;
					} else {
						const struct txn *o = flow_outcome(s, j);
						ok = o && o->final_status >= 200 && o->final_status < 300;
					}
				} else {
					nnoretry++;
				}
				/* a 423 that a loop already reported as its successor */
				const struct txn *pv = diag_flow_prev(s, i);
				bool cont = pv && pv->final_status == 423;
				if (isloop || cont)
					nloop++;
				nok += ok;
				if (loop ? (isloop || cont) : (!isloop && !cont)) {
					diag_frames_txn(&fr, t);
					if (nx && (loop || ok))
						diag_frames_txn(&fr, nx);
				}
				if (asked < 0) {
					asked = req_expires(t->req);
					min = m;
					retried = nx && nx->req ? req_expires(nx->req) : -1;
				}
			}
		}
		bool fire = loop ? nloop > 0 : (n423 > 0 && nloop == 0);
		if (!fire) {
			diag_frames_free(&fr);
			continue;
		}
		char ms[32] = "?";
		if (min >= 0)
			snprintf(ms, sizeof ms, "%ld", min);
		if (loop) {
			diag_emit(c, a, &fr, "Set the phone's registration expiry to at least the server's Min-Expires.",
				  "Interval-too-brief loop: the server's minimum is %s s, the phone asked for "
				  "%ld s and %s (%u answers 423).", ms, asked,
				  below ? "retried with less than the minimum" : "the server kept answering 423",
				  n423);
		} else if (nok) {
			diag_emit(c, a, &fr, "Set the phone's registration expiry to at least the server's "
				  "Min-Expires to save the extra round trip.",
				  "The server's minimum is %s s; the phone asked for %ld s, then retried with "
				  "%ld s and registered.", ms, asked, retried);
		} else {
			diag_emit(c, a, &fr, "Set the phone's registration expiry to at least the server's Min-Expires.",
				  "The server's minimum is %s s; the phone asked for %ld s%s.", ms, asked,
				  nnoretry ? " and did not retry within the capture" :
				  " and the retry did not register");
		}
	}
}

static void rule_423(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	rule_423_common(c, false);
}

static void rule_423_loop(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	rule_423_common(c, true);
}

/* ---------------------------------------------------------------- timeouts */

static unsigned real_resends(const struct txn *t, int64_t dup, int64_t *min_gap);

/* Every response with a CSeq number, sorted by (CSeq, time): built once,
 * when a timed-out REGISTER first needs it, instead of a walk over every
 * message per timeout. */
struct resp_ix {
	uint32_t cseq;
	int64_t ts;
	const struct sip_msg *m;
};

static int cmp_resp_ix(const void *pa, const void *pb)
{
	const struct resp_ix *a = pa, *b = pb;
	if (a->cseq != b->cseq)
		return a->cseq < b->cseq ? -1 : 1;
	return a->ts < b->ts ? -1 : a->ts > b->ts;
}

/* The family's part of a diagnosis run (diag_ctx.resp), made on first use. */
struct diag_resp_state {
	struct resp_ix *ix;             /* NULL until a timeout asks */
	size_t n;
};

void diag_resp_free(struct diag_resp_state *s)
{
	if (!s)
		return;
	free(s->ix);
	free(s);
}

/* The index of c, built on first use; NULL without memory. */
static const struct diag_resp_state *resp_ix_build(struct diag_ctx *c)
{
	if (!c->resp)
		c->resp = calloc(1, sizeof *c->resp);
	struct diag_resp_state *s = c->resp;
	if (!s)
		return NULL;
	if (s->ix)
		return s;
	s->ix = malloc((c->m->msgs.n - c->msg_lo + 1) * sizeof *s->ix);
	if (!s->ix)
		return NULL;
	s->n = 0;
	for (size_t k = c->msg_lo; k < c->m->msgs.n; k++) {
		const struct sip_msg *q = c->m->msgs.v[k];
		if (!q->request && q->cseq)
			s->ix[s->n++] = (struct resp_ix){ q->cseq, q->ts_ns, q };
	}
	qsort(s->ix, s->n, sizeof *s->ix, cmp_resp_ix);
	return s;
}

/* A response with t's CSeq from t's destination to its source within tf
 * after t, on another (or no) Call-ID. */
static bool answered_elsewhere(struct diag_ctx *c, const struct txn *t, int64_t tf)
{
	const struct diag_resp_state *ix = resp_ix_build(c);
	size_t lo = 0, hi = ix ? ix->n : c->m->msgs.n;
	if (ix) {
		struct resp_ix key = { t->cseq, t->t_first, NULL };
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (cmp_resp_ix(&ix->ix[mid], &key) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		hi = ix->n;
	}
	for (size_t k = lo; k < hi; k++) {
		const struct sip_msg *q = ix ? ix->ix[k].m : c->m->msgs.v[k];
		if (ix && (q->cseq != t->cseq || q->ts_ns - t->t_first > tf))
			break;
		if (!q->request && q->cseq && q->cseq == t->cseq &&
		    q->ts_ns >= t->t_first && q->ts_ns - t->t_first <= tf &&
		    rt_ip_eq(&q->src, &t->req->dst) && rt_ip_eq(&q->dst, &t->req->src) &&
		    (!q->call_id || !t->call_id || strcmp(q->call_id, t->call_id)))
			return true;
	}
	return false;
}


/* What the ICMP errors quoting the copies of t say (RFC 792 type 3, RFC 4443
 * type 1): the kind that came most, its count, its sender.  Port unreachable
 * means the host is up and nothing listens there; host/network unreachable
 * come from a router that cannot deliver; "administratively prohibited" is
 * a firewall that rejects.  No ICMP at all: the datagrams vanished (a black
 * hole, a firewall that drops, a wrong address).  Returns the fix; why gets
 * "; <reason>" (empty for none) and the first ICMP frame goes to fr. */
enum icmp_kind { IK_PORT, IK_HOST, IK_NET, IK_ADMIN, IK_OTHER, IK_N };

static enum icmp_kind icmp_kind_of(const struct txn_icmp *e)
{
	if (e->version == 6) {
		if (e->type != 1)
			return IK_OTHER;
		return e->code == 4 ? IK_PORT : e->code == 3 ? IK_HOST : e->code == 0 ? IK_NET
		       : e->code == 1 || e->code == 5 || e->code == 6 ? IK_ADMIN : IK_OTHER;
	}
	if (e->type != 3)
		return IK_OTHER;
	switch (e->code) {
	case 3: return IK_PORT;
	case 1: case 5: case 7: case 10: case 12: return IK_HOST;
	case 0: case 6: case 11: return IK_NET;
	case 9: case 13: return IK_ADMIN;
	default: return IK_OTHER;
	}
}

static const char *timeout_why(struct diag_ctx *c, const struct txn *t, const char *dst,
			       char *why, size_t n, struct diag_frames *fr)
{
	unsigned cnt[IK_N] = { 0 };
	const struct txn_icmp *ex[IK_N] = { NULL };
	for (size_t i = 0; i < t->nicmps; i++) {
		enum icmp_kind k = icmp_kind_of(&t->icmps[i]);
		if (!cnt[k]++)
			ex[k] = &t->icmps[i];
	}
	enum icmp_kind best = IK_PORT;
	for (int k = 1; k < IK_N; k++)
		if (cnt[k] > cnt[best])
			best = (enum icmp_kind)k;
	size_t copies = t->reqs.n;
	const char *tp = rt_transport_name(t->req->transport);
	if (!t->nicmps) {
		why[0] = '\0';
		if (t->req->transport != RT_TP_UDP && t->req->transport != RT_TP_UNKNOWN)
			return "Check the registrar address, port and transport, DNS, firewalls and "
			       "whether the server runs; if failures came first, see REG-BANNED.";
		snprintf(why, n, "; no ICMP error came back for any copy");
		return "No ICMP error came back: the datagrams vanish on the way (a black hole, a "
		       "firewall that drops silently, a wrong address, a registrar that is overloaded "
		       "or ignores the phone): check the address, routes and firewalls, whether the "
		       "server runs; if failures came first, see REG-BANNED.";
	}
	char from[RT_ADDR_STRLEN], each[48];
	rt_ip_str(&ex[best]->from, from, sizeof from);
	diag_frames_add(fr, ex[best]->frame);
	if (cnt[best] >= copies)
		snprintf(each, sizeof each, copies == 1 ? "the only copy" : "each of the %zu copies",
			 copies);
	else
		snprintf(each, sizeof each, "%u of the %zu copies", cnt[best], copies);
	const char *other = t->nicmps > cnt[best] ? " (and other ICMP errors)" : "";
	(void)c;
	switch (best) {
	case IK_PORT:
		snprintf(why, n, "; nothing listens on %s (%s): %s drew an ICMP port unreachable "
			 "from %s%s", dst, tp, each, from, other);
		return "The registrar's host is up but nothing listens on that port: the registrar "
		       "is down, or the phone uses the wrong port or transport.";
	case IK_HOST:
		snprintf(why, n, "; host unreachable: %s drew an ICMP host unreachable from %s%s",
			 each, from, other);
		return "The registrar's host does not answer on its network (down, or a wrong "
		       "address on a reachable network): check the host and the address the phone "
		       "uses.";
	case IK_NET:
		snprintf(why, n, "; network unreachable: %s drew an ICMP network unreachable from "
			 "%s%s", each, from, other);
		return "A router has no route to the registrar's network: check the address the "
		       "phone uses and the routing towards it.";
	case IK_ADMIN:
		snprintf(why, n, "; a firewall rejects it: %s drew an ICMP administratively "
			 "prohibited from %s%s", each, from, other);
		return "A firewall rejects the REGISTERs: open the registrar's SIP port for the "
		       "phone's address.";
	default:
		snprintf(why, n, "; %s drew ICMP errors from %s", each, from);
		return "ICMP errors came back for the REGISTERs: check the address, port and "
		       "routes towards the registrar.";
	}
}

static void rule_timeout(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	int64_t dup = diag_ns(diag_param(c, "dup-window"));
	int64_t tf = c->m->opt.timer_f_ns ? c->m->opt.timer_f_ns : MODEL_TIMER_F_NS;
	FOR_EACH_AOR(c, a) {
		struct diag_frames fr = { 0 };
		const struct txn *first = NULL;
		unsigned n = 0;
		for (size_t i = 0; i < a->txns.n; i++) {
			const struct txn *t = a->txns.v[i];
			if (t->outcome != TXN_TIMEOUT || !t->req)
				continue;
			/* cut short by the capture end: only with >= 3 real copies
			 * (captured duplicates - HEP mirrors, two taps - are not resends) */
			if (c->m->capture_end_ns - t->t_first < tf &&
			    real_resends(t, dup, NULL) + 1 < MODEL_TIMEOUT_MIN_COPIES)
				continue;
			/* a response the model could not match (damaged Via) still
			 * shows the registrar answered */
			bool answered = false;
			for (size_t k = 0; t->dialog && k < t->dialog->txns.n && !answered; k++) {
				const struct txn *o = t->dialog->txns.v[k];
				answered = o->orphan && o->cseq == t->cseq && o->method && t->method &&
					   strcasecmp(o->method, t->method) == 0;
			}
			/* ... or a response with this CSeq from the registrar whose
			 * Call-ID / Via were damaged (fuzzed or truncated captures) */
			if (!answered)
				answered = answered_elsewhere(c, t, tf);
			if (answered)
				continue;
			if (!first)
				first = t;
			n++;
			diag_frames_msg(&fr, t->req);
			if (t->reqs.n > 1)
				diag_frames_msg(&fr, t->reqs.v[t->reqs.n - 1]);
		}
		if (!n) {
			diag_frames_free(&fr);
			continue;
		}
		char dst[RT_ADDR_STRLEN], tb[64] = "", why[320];
		const struct sip_msg *last = first->reqs.v[first->reqs.n - 1];
		if (n > 1)
			snprintf(tb, sizeof tb, "; %u REGISTER transactions timed out", n);
		rt_addr_str(&first->req->dst, dst, sizeof dst);
		const char *fix = timeout_why(c, first, dst, why, sizeof why, &fr);
		diag_emit(c, a, &fr, fix,
			  "The registrar %s never answered the REGISTER for %s: %zu cop%s over %.1f s "
			  "(%s), no response%s%s.",
			  dst, diag_esc(c, a->aor),
			  first->reqs.n, first->reqs.n == 1 ? "y" : "ies",
			  diag_secs(first->req->ts_ns, last->ts_ns),
			  rt_transport_name(first->req->transport), tb, why);
	}
}

/* A TCP connection refused: the phone's SYN drew a RST, so no REGISTER was
 * ever sent on it and no transaction shows it.  Reported when the refused
 * address is a SIP one: port 5060/5061, the destination of a REGISTER in the
 * capture, or any address when the capture holds no SIP at all (then the
 * refusals are all there is to explain). */
static bool refused_is_sip(const struct diag_ctx *c, const struct tcp_refusal *r)
{
	if (r->srv.port == 5060 || r->srv.port == 5061 || c->m->msgs.n == 0)
		return true;
	for (size_t i = 0; i < c->nregs; i++)
		if (rt_ip_eq(&c->regs[i]->req->dst, &r->srv))
			return true;
	return false;
}

static void rule_tcp_refused(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	for (size_t i = 0; i < c->m->nrefused; i++) {
		const struct tcp_refusal *f = &c->m->refused[i];
		if (!refused_is_sip(c, f))
			continue;
		char srv[RT_ADDR_STRLEN], cli[RT_ADDR_STRLEN], from[RT_ADDR_STRLEN], each[64], fr_s[64];
		rt_addr_str(&f->srv, srv, sizeof srv);
		rt_ip_str(&f->cli, cli, sizeof cli);
		rt_ip_str(&f->from, from, sizeof from);
		if (f->n == 1)
			snprintf(each, sizeof each, "the only connection attempt (SYN)");
		else
			snprintf(each, sizeof each, "each of the %u connection attempts (SYN)", f->n);
		if (f->frame_first == f->frame_last)
			snprintf(fr_s, sizeof fr_s, "frame %llu", (unsigned long long)f->frame_first);
		else
			snprintf(fr_s, sizeof fr_s, "frames %llu-%llu", (unsigned long long)f->frame_first,
				 (unsigned long long)f->frame_last);
		struct diag_frames fr = { 0 };
		diag_frames_add(&fr, f->frame_first);
		diag_frames_add(&fr, f->frame_last);
		diag_emit(c, NULL, &fr,
			  "The registrar is down or does not listen on TCP at that port: start it, "
			  "enable TCP on it, or correct the port/transport the phone uses.",
			  "Nothing listens on %s (TCP): %s from %s drew a TCP reset (RST) from %s (%s); "
			  "no REGISTER could be sent on %s.",
			  srv, each, cli, from, fr_s, f->n == 1 ? "it" : "them");
	}
	if (c->m->refused_more)
		diag_emit(c, NULL, NULL, NULL,
			  "%llu more refused TCP connections to further addresses were not itemised.",
			  (unsigned long long)c->m->refused_more);
}

static const struct diag_param p_banned[] = {
	{ "banned-failures", 3, "count", "401/403 rejections from the registrar before the silence" },
	{ NULL, 0, NULL, NULL },
};

/* Failures then silence, per (source IP, registrar IP).  The REGISTERs are
 * grouped by (source IP, destination IP) in one hashed pass: groups in the
 * order of their first transaction, members in frame (m->txns) order, as
 * the findings always were. */
static int ip_cmp(const struct rt_addr *a, const struct rt_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->ip, b->ip, a->family == 4 ? 4 : 16);
}

static uint64_t banned_hash(const void *u, size_t i)
{
	const struct txn *t = ((struct txn *const *)u)[i];
	return diag_hash_ip(diag_hash_ip(DIAG_HASH_INIT, &t->req->src), &t->req->dst);
}

static bool banned_eq(const void *u, size_t i, size_t j)
{
	const struct txn *a = ((struct txn *const *)u)[i], *b = ((struct txn *const *)u)[j];
	return !ip_cmp(&a->req->src, &b->req->src) && !ip_cmp(&a->req->dst, &b->req->dst);
}

static void rule_banned(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	unsigned need = (unsigned)diag_param(c, "banned-failures");
	size_t n = c->nregs;
	size_t *gid = malloc((n ? n : 1) * sizeof *gid);
	size_t ng = gid ? diag_group(n, gid, banned_hash, banned_eq, c->regs) : (size_t)-1;
	size_t *head = ng != (size_t)-1 ? malloc((ng ? ng : 1) * sizeof *head) : NULL;
	size_t *next = head ? malloc((n ? n : 1) * sizeof *next) : NULL;
	if (!next) {
		free(gid);
		free(head);
		return;
	}
	/* members of each group chained in index order */
	for (size_t g = 0; g < ng; g++)
		head[g] = (size_t)-1;
	for (size_t i = n; i-- > 0;) {
		next[i] = head[gid[i]];
		head[gid[i]] = i;
	}
	for (size_t g = 0; g < ng; g++) {
		unsigned fails = 0, silent = 0;
		const struct txn *lf = NULL;
		bool answered_after = false;
		struct diag_frames fr = { 0 };
		for (size_t k = head[g]; k != (size_t)-1; k = next[k]) {
			const struct txn *t = c->regs[k];
			bool fail = t->final && (t->final_status == 403 ||
				    (diag_is_challenge(t->final_status) && diag_has_creds(t) &&
				     !diag_final_stale(t)));
			if (fail) {
				fails++;
				lf = t;
				silent = 0;
				answered_after = false;
				diag_frames_free(&fr);
				diag_frames_txn(&fr, t);
			} else if (fails >= need && t->outcome == TXN_TIMEOUT) {
				silent++;
				diag_frames_msg(&fr, t->req);
			} else if (t->final || t->outcome == TXN_UNKNOWN) {
				if (t->final)
					answered_after = true;
			}
		}
		if (!lf)        /* (--rule-opt banned-failures=0) */
			lf = c->m->txns.v[0];
		if (fails >= need && silent > 0 && !answered_after && lf->req) {
			char s[RT_ADDR_STRLEN], d[RT_ADDR_STRLEN];
			rt_ip_str(&lf->req->src, s, sizeof s);
			rt_ip_str(&lf->req->dst, d, sizeof d);
			diag_emit(c, lf->aor, &fr,
				  "Unban the address on the server (fail2ban/pike/APIBAN) and fix the "
				  "credentials first.",
				  "The server %s probably blocked %s after %u failed logins: the %u REGISTER%s "
				  "sent after frame %llu %s never answered.",
				  d, s, fails, silent, silent == 1 ? "" : "s",
				  (unsigned long long)(lf->final ? lf->final->frame : lf->req->frame),
				  silent == 1 ? "was" : "were");
		}
		diag_frames_free(&fr);
	}
	free(next);
	free(head);
	free(gid);
}

/* ---------------------------------------------------------------- retransmissions */

static const struct diag_param p_storm[] = {
	{ "storm-copies", 11, "count", "more copies of one transaction than this" },
	{ "storm-min-gap", 0.4, "s", "UDP copies closer than this (Timer E starts at T1 = 0.5 s)" },
	{ "storm-rate", 10, "count", "more new REGISTERs per second for one AOR from one source" },
	{ "dup-window", 0.001, "s", "copies closer than this are capture duplicates, not resends" },
	{ NULL, 0, NULL, NULL },
};

/* Request copies that are real resends (not capture duplicates). */
static unsigned real_resends(const struct txn *t, int64_t dup, int64_t *min_gap)
{
	unsigned n = 0;
	int64_t mg = -1;
	for (size_t k = 1; k < t->reqs.n; k++) {
		const struct sip_msg *p = t->reqs.v[k - 1], *q = t->reqs.v[k];
		int64_t g = q->ts_ns - p->ts_ns;
		if (g < dup)
			continue;
		n++;
		if (mg < 0 || g < mg)
			mg = g;
	}
	if (min_gap)
		*min_gap = mg;
	return n;
}

static void rule_retx_storm(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	unsigned maxc = (unsigned)diag_param(c, "storm-copies");
	int64_t mingap = diag_ns(diag_param(c, "storm-min-gap"));
	double rate = diag_param(c, "storm-rate");
	int64_t dup = diag_ns(diag_param(c, "dup-window"));
	int64_t tf = c->m->opt.timer_f_ns ? c->m->opt.timer_f_ns : MODEL_TIMER_F_NS;
	FOR_EACH_AOR(c, a) {
		struct diag_frames fr = { 0 };
		char why[300] = "";
		for (size_t i = 0; i < a->txns.n && !*why; i++) {
			const struct txn *t = a->txns.v[i];
			if (!t->req)
				continue;
			int64_t g;
			unsigned re = real_resends(t, dup, &g);
			if (re + 1 > maxc) {
				snprintf(why, sizeof why, "%u copies of one REGISTER (CSeq %u), more than %u",
					 re + 1, t->cseq, maxc);
			} else if (t->req->transport == RT_TP_UDP && re && g >= 0 && g < mingap) {
				snprintf(why, sizeof why, "REGISTER copies only %.3f s apart (CSeq %u; "
					 "Timer E starts at 0.5 s)", (double)g / 1e9, t->cseq);
			}
			if (*why) {
				for (size_t k = 0; k < t->reqs.n; k++)
					diag_frames_msg(&fr, t->reqs.v[k]);
			}
		}
		/* rate: new REGISTER transactions per second for this AOR from one source */
		for (size_t i = 0; i < a->txns.n && !*why && rate > 0; i++) {
			const struct txn *t = a->txns.v[i];
			if (!t->req)
				continue;
			unsigned n = 0;
			size_t last = i;
			for (size_t j = i; j < a->txns.n; j++) {
				const struct txn *u = a->txns.v[j];
				if (!u->req || u->t_first - t->t_first >= 1000000000LL)
					continue;
				if (!rt_addr_eq(&u->req->src, &t->req->src))
					continue;
				n++;
				last = j;
			}
			if (n > rate) {
				char s[RT_ADDR_STRLEN];
				snprintf(why, sizeof why, "%u new REGISTERs within one second from %s", n,
					 rt_addr_str(&t->req->src, s, sizeof s));
				diag_frames_msg(&fr, t->req);
				diag_frames_msg(&fr, ((const struct txn *)a->txns.v[last])->req);
			}
		}
		/* immediate re-attempt after a timeout (§10.2.7) */
		for (size_t i = 0; i < a->txns.n && !*why; i++) {
			const struct txn *t = a->txns.v[i];
			if (t->outcome != TXN_TIMEOUT || !t->req)
				continue;
			int64_t fired = t->t_first + tf;
			for (size_t j = i + 1; j < a->txns.n; j++) {
				const struct txn *u = a->txns.v[j];
				if (!u->req || !rt_addr_eq(&u->req->src, &t->req->src) || u->t_first < t->t_last)
					continue;
				if (u->t_first - fired < 500000000LL) {
					snprintf(why, sizeof why, "a new REGISTER %.3f s after the previous one "
						 "timed out (RFC 3261 §10.2.7: not immediately)",
						 diag_secs(fired, u->t_first) < 0 ? 0 : diag_secs(fired, u->t_first));
					diag_frames_msg(&fr, t->reqs.v[t->reqs.n - 1]);
					diag_frames_msg(&fr, u->req);
				}
				break;
			}
		}
		if (!*why) {
			diag_frames_free(&fr);
			continue;
		}
		diag_emit(c, a, &fr, "Fix the phone's retry timers (T1/Timer E) or report the UA bug.",
			  "The phone floods the registrar for %s: %s.", diag_esc(c, a->aor), why);
	}
}

static void rule_retx_loss(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	int64_t dup = diag_ns(diag_param(c, "dup-window"));
	FOR_EACH_AOR(c, a) {
		struct diag_frames fr = { 0 };
		unsigned rq = 0, rs = 0, txns = 0;
		int64_t delay = 0;
		for (size_t i = 0; i < a->txns.n; i++) {
			const struct txn *t = a->txns.v[i];
			if (!t->req || !t->final)
				continue;
			unsigned re = real_resends(t, dup, NULL);
			unsigned rr = 0;
			if (t->resp_retrans) {
				/* responses resent (not capture duplicates) */
				for (size_t k = 1; k < t->resps.n; k++) {
					const struct sip_msg *p = t->resps.v[k - 1], *q = t->resps.v[k];
					if (q->status == p->status && q->ts_ns - p->ts_ns >= dup)
						rr++;
				}
			}
			if (!re && !rr)
				continue;
			txns++;
			rq += re;
			rs += rr;
			if (re && t->t_final - t->t_first > delay)
				delay = t->t_final - t->t_first;
			diag_frames_txn(&fr, t);
		}
		if (!txns) {
			diag_frames_free(&fr);
			continue;
		}
		diag_emit(c, a, &fr, "Look for packet loss or delay on the path (Wi-Fi, congested uplink, "
			  "overloaded registrar).",
			  "Packets were lost on the path for %s: %u request retransmission%s later answered "
			  "(answer up to %.1f s after the first copy), %u response retransmission%s.",
			  diag_esc(c, a->aor), rq, rq == 1 ? "" : "s", (double)delay / 1e9,
			  rs, rs == 1 ? "" : "s");
	}
}

static const struct diag_param p_prov[] = {
	{ "prov-100-min", 3.5, "s", "a 100 over UDP sooner than this after the request (RFC 4320)" },
	{ NULL, 0, NULL, NULL },
};

static void rule_1xx(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	int64_t min = diag_ns(diag_param(c, "prov-100-min"));
	FOR_EACH_AOR(c, a) {
		struct diag_frames fr = { 0 };
		char what[200] = "";
		unsigned n = 0;
		for (size_t i = 0; i < a->txns.n; i++) {
			const struct txn *t = a->txns.v[i];
			if (!t->req)
				continue;
			for (size_t k = 0; k < t->resps.n; k++) {
				const struct sip_msg *p = t->resps.v[k];
				if (p->status < 100 || p->status >= 200)
					continue;
				bool bad = p->status != 100 ||
					   (p->transport == RT_TP_UDP && p->ts_ns - t->t_first < min);
				if (!bad)
					continue;
				if (!n)
					snprintf(what, sizeof what, p->status != 100 ?
						 "%d %s to a REGISTER (only 100 is allowed)" :
						 "%d %s over UDP %.3f s after the REGISTER (not before ~3.5 s)",
						 p->status, diag_esc(c, p->reason),
						 diag_secs(t->t_first, p->ts_ns));
				n++;
				diag_frames_msg(&fr, p);
			}
		}
		if (!n) {
			diag_frames_free(&fr);
			continue;
		}
		diag_emit(c, a, &fr, "Registrar-side: send no provisional to REGISTER over UDP, or only a "
			  "late 100 (RFC 4320).",
			  "The registrar sends non-compliant provisional responses: %s%s.", what,
			  n > 1 ? " (and more)" : "");
	}
}

/* ---------------------------------------------------------------- request form */

static void rule_unreg_incomplete(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	int64_t win = diag_ns(diag_param(c, "noretry-window"));
	FOR_EACH_AOR(c, a) {
		struct diag_frames fr = { 0 };
		char why[200] = "";
		unsigned n = 0;
		for (size_t i = 0; i < a->attempts.n; i++) {
			const struct reg_attempt *at = a->attempts.v[i];
			if (!at->deregister || !at->txns.n)
				continue;
			const struct txn *l = at->txns.v[at->txns.n - 1];
			char w[200];
			switch (at->result) {
			case ATT_CHALLENGED:
				if (!l->final || c->m->capture_end_ns - l->t_final < win)
					continue;
				snprintf(w, sizeof w, "it was challenged with %d and never re-sent with credentials",
					 l->final_status);
				break;
			case ATT_REJECTED:
				snprintf(w, sizeof w, "its credentials were rejected with %d", l->final_status);
				break;
			case ATT_FAILED:
				snprintf(w, sizeof w, "it was answered %d %s", l->final_status,
					 diag_esc(c, l->final ? l->final->reason : NULL));
				break;
			case ATT_TIMEOUT:
				snprintf(w, sizeof w, "it was never answered");
				break;
			default:
				continue;
			}
			if (!n)
				snprintf(why, sizeof why, "%s", w);
			n++;
			for (size_t k = 0; k < at->txns.n; k++)
				diag_frames_txn(&fr, at->txns.v[k]);
		}
		if (!n) {
			diag_frames_free(&fr);
			continue;
		}
		diag_emit(c, a, &fr, "The binding stays until it expires: make the phone answer the "
			  "challenge on de-registration (or remove the binding on the server).",
			  "The de-registration of %s did not complete: %s%s.", diag_esc(c, a->aor), why,
			  n > 1 ? " (more than once)" : "");
	}
}

static void rule_star_misuse(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	FOR_EACH_AOR(c, a) {
		struct diag_frames fr = { 0 };
		char why[160] = "";
		unsigned n = 0;
		for (size_t i = 0; i < a->txns.n; i++) {
			const struct txn *t = a->txns.v[i];
			const struct sip_msg *q = t->req;
			bool star = false;
			for (int k = 0; q && k < q->ncontacts; k++)
				star |= q->contacts[k].star;
			if (!star || (q->ncontacts == 1 && q->expires == 0))
				continue;
			if (!n) {
				if (q->ncontacts > 1)
					snprintf(why, sizeof why, "together with %d other Contact%s",
						 q->ncontacts - 1, q->ncontacts == 2 ? "" : "s");
				else if (q->expires < 0)
					snprintf(why, sizeof why, "without an Expires header");
				else
					snprintf(why, sizeof why, "with Expires: %ld", q->expires);
			}
			n++;
			diag_frames_txn(&fr, t);
		}
		if (!n) {
			diag_frames_free(&fr);
			continue;
		}
		diag_emit(c, a, &fr, "Send Contact: * only alone and with Expires: 0.",
			  "Invalid unregister-all request for %s: Contact: * %s (the registrar will answer 400)%s.",
			  diag_esc(c, a->aor), why, n > 1 ? " (more than once)" : "");
	}
}

static void rule_cseq_order(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	FOR_EACH_AOR(c, a) {
		struct diag_frames fr = { 0 };
		unsigned n = 0;
		uint32_t got = 0, prev = 0;
		const char *cid = NULL;
		for (size_t si = 0; si < a->sessions.n; si++) {
			const struct reg_session *s = a->sessions.v[si];
			for (size_t i = 0; i < s->txns.n; i++) {
				const struct txn *t = s->txns.v[i];
				if (!t->req)
					continue;
				/* the highest CSeq so far on this flow */
				const struct txn *hi = NULL;
				for (size_t j = i; j-- > 0;) {
					const struct txn *p = s->txns.v[j];
					if (!p->req || !p->sent_by || !t->sent_by || strcmp(p->sent_by, t->sent_by))
						continue;
					if (!hi || p->cseq > hi->cseq)
						hi = p;
				}
				if (!hi || t->cseq > hi->cseq)
					continue;
				if (!n) {
					got = t->cseq;
					prev = hi->cseq;
					cid = s->call_id;
				}
				n++;
				diag_frames_msg(&fr, hi->req);
				diag_frames_msg(&fr, t->req);
			}
		}
		if (!n) {
			diag_frames_free(&fr);
			continue;
		}
		diag_emit(c, a, &fr, "Phone bug: the CSeq must grow by one for each REGISTER on a Call-ID.",
			  "CSeq did not increase on Call-ID %s: a new REGISTER with CSeq %u after CSeq %u; "
			  "the registrar may ignore it (Kamailio: 200 OK but the binding is not updated)%s.",
			  diag_esc(c, cid), got, prev, n > 1 ? " (more than once)" : "");
	}
}

static void rule_branch_reuse(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	FOR_EACH_AOR(c, a) {
		struct diag_frames fr = { 0 };
		unsigned n = 0;
		const struct txn *ft = NULL, *fo = NULL;
		for (size_t i = 0; i < a->txns.n; i++) {
			const struct txn *t = a->txns.v[i];
			if (!t->branch_reused || !t->req)
				continue;
			const struct txn *o = NULL;
			for (size_t j = 0; j < c->m->txns.n && !o; j++) {
				const struct txn *u = c->m->txns.v[j];
				if (u == t)
					break;
				if (u->branch && t->branch && !strcmp(u->branch, t->branch) && u->sent_by &&
				    t->sent_by && !strcmp(u->sent_by, t->sent_by) && diag_is_register(u))
					o = u;
			}
			if (!n) {
				ft = t;
				fo = o;
			}
			n++;
			if (o)
				diag_frames_msg(&fr, o->req);
			diag_frames_msg(&fr, t->req);
		}
		if (!n) {
			diag_frames_free(&fr);
			continue;
		}
		char was[64] = "an earlier request";
		if (fo)
			snprintf(was, sizeof was, "CSeq %u", fo->cseq);
		diag_emit(c, a, &fr, "Phone bug: every new request (the authorized REGISTER too) needs a "
			  "new Via branch; upgrade the firmware.",
			  "The phone reused Via branch %s of %s for the new REGISTER with CSeq %u%s; servers "
			  "treat it as a retransmission%s.",
			  diag_esc(c, ft->branch), was, ft->cseq,
			  diag_has_creds(ft) ? " (the authorized one)" : "", n > 1 ? " (more than once)" : "");
	}
}

/* ---------------------------------------------------------------- the table */

static const struct diag_param p_dup[] = {
	{ "dup-window", 0.001, "s", "copies closer than this are capture duplicates, not resends" },
	{ NULL, 0, NULL, NULL },
};

static const struct diag_param p_window[] = {
	{ "noretry-window", 5, "s", "time allowed for the REGISTER with credentials after a 401/407" },
	{ NULL, 0, NULL, NULL },
};

const struct diag_rule diag_rules_resp[] = {
	{ "REG-TIMEOUT", SEV_CRIT, "registrar never answered (Timer F)", p_dup,
	  rule_timeout, DIAG_PER_AOR, .kind = FK_OUTCOME },
	{ "REG-TCP-REFUSED", SEV_CRIT, "TCP connection to the registrar refused (RST)", NULL,
	  rule_tcp_refused, DIAG_CAPTURE, .kind = FK_CAUSE },
	{ "REG-403", SEV_CRIT, "403 Forbidden", NULL, rule_403, DIAG_PER_AOR, .kind = FK_OUTCOME },
	{ "REG-404", SEV_CRIT, "404 Not Found: AOR unknown", NULL, rule_404, DIAG_PER_AOR, .kind = FK_OUTCOME },
	{ "REG-423-LOOP", SEV_ERR, "423 repeated or Min-Expires not honoured", NULL,
	  rule_423_loop, DIAG_PER_AOR, .kind = FK_CAUSE },
	{ "REG-423", SEV_INFO, "423 Interval Too Brief, retried correctly", NULL,
	  rule_423, DIAG_PER_AOR, .kind = FK_OUTCOME },
	{ "REG-400-420", SEV_ERR, "400/420/421/439: request malformed or extension unsupported", NULL,
	  rule_400_420, DIAG_PER_AOR, .kind = FK_OUTCOME },
	{ "REG-MAXCONTACTS", SEV_ERR, "binding limit reached", p_maxc,
	  rule_maxcontacts, DIAG_PER_AOR, .kind = FK_OUTCOME },
	{ "REG-5XX", SEV_ERR, "registrar/server failure (5xx)", NULL, rule_5xx, DIAG_PER_AOR, .kind = FK_OUTCOME },
	{ "REG-6XX", SEV_WARN, "6xx to REGISTER", NULL, rule_6xx, DIAG_PER_AOR, .kind = FK_OUTCOME },
	{ "REG-408-WIRE", SEV_WARN, "408 on the wire (from a proxy)", NULL,
	  rule_408, DIAG_PER_AOR, .kind = FK_OUTCOME },
	{ "REG-BANNED", SEV_ERR, "failures then silence: source probably banned", p_banned,
	  rule_banned, DIAG_CAPTURE, .kind = FK_PATTERN },
	{ "REG-RETX-STORM", SEV_WARN, "retransmission storm / immediate re-attempt", p_storm,
	  rule_retx_storm, DIAG_PER_AOR, .kind = FK_PATTERN },
	{ "REG-RETX-LOSS", SEV_INFO, "retransmissions later answered: lossy path", p_dup,
	  rule_retx_loss, DIAG_PER_AOR, .kind = FK_PATTERN },
	{ "REG-1XX-NONINVITE", SEV_INFO, "non-compliant provisional response to REGISTER", p_prov,
	  rule_1xx, DIAG_PER_AOR, .kind = FK_PATTERN },
	{ "REG-UNREG-INCOMPLETE", SEV_WARN, "de-registration not completed", p_window,
	  rule_unreg_incomplete, DIAG_PER_AOR, .kind = FK_PATTERN },
	{ "REG-STAR-MISUSE", SEV_ERR, "Contact: * with Expires != 0 or other Contacts", NULL,
	  rule_star_misuse, DIAG_PER_AOR, .kind = FK_CAUSE },
	{ "REG-CSEQ-ORDER", SEV_ERR, "CSeq not increasing on a Call-ID", NULL,
	  rule_cseq_order, DIAG_PER_AOR, .kind = FK_CAUSE },
	{ "REG-BRANCH-REUSE", SEV_ERR, "Via branch reused by a new REGISTER", NULL,
	  rule_branch_reuse, DIAG_PER_AOR, .kind = FK_CAUSE },
	{ NULL, 0, NULL, NULL, NULL, DIAG_CAPTURE, FK_PATTERN, false },
};
