/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rules_auth.c - diagnosis rules about digest authentication (REG-AUTH-*).
 *
 * Owns: the rule functions and the table diag_rules_auth.  Conditions:
 * docs/rules.md; digest per RFC 3261 §22 and RFC 7616 (nonce, nc, stale).
 * Every rule emits at most one finding per AOR (counts and frames
 * aggregated), so a phone looping for an hour gives one line, not 1000.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cred.h"
#include "diag.h"
#include "digest.h"

static const char *code_name(int code)
{
	return code == 407 ? "407" : "401";
}

/* t's request carried credentials, parsed or not (libosip2 drops a
 * malformed Authorization: that is REG-AUTH-MALFORMED, not "no answer"). */
static bool sent_creds(const struct txn *t)
{
	return diag_has_creds(t) || (t && t->req &&
		(t->req->hlines[SIP_HL_AUTHORIZATION] > 0 ||
		 t->req->hlines[SIP_HL_PROXY_AUTHORIZATION] > 0));
}

/* The challenge (401/407) t's credentials answer: the previous transaction
 * of the flow, when it was challenged.  NULL otherwise. */
static struct txn *answered_challenge(const struct reg_session *s, size_t i)
{
	struct txn *t = s->txns.v[i];
	if (!diag_has_creds(t))
		return NULL;
	struct txn *p = diag_flow_prev(s, i);
	if (p && p->final && diag_is_challenge(p->final_status) && p->final->nchals > 0)
		return p;
	return NULL;
}

/* The challenge that issued nonce: searched backwards in the session. */
static const struct sip_chal *chal_of_nonce(const struct reg_session *s, size_t i,
					    const char *nonce, const struct txn **by)
{
	if (!nonce || !*nonce)
		return NULL;
	while (i-- > 0) {
		const struct txn *p = s->txns.v[i];
		for (int k = 0; p->final && k < p->final->nchals; k++) {
			const struct sip_chal *ch = &p->final->chals[k];
			if (ch->nonce && strcmp(ch->nonce, nonce) == 0) {
				if (by)
					*by = p;
				return ch;
			}
		}
	}
	return NULL;
}

static bool is_md5(const char *alg)
{
	return !alg || !*alg || strcasecmp(alg, "MD5") == 0;
}

static bool alg_eq(const char *a, const char *b)
{
	if (is_md5(a) || is_md5(b))
		return is_md5(a) && is_md5(b);
	return strcasecmp(a, b) == 0;
}

/* What became of a challenge (the final of transaction i). */
enum chal_fate {
	CH_ANSWERED,          /* credentials followed within the window */
	CH_LATE,              /* credentials followed, but after the window */
	CH_NO_CREDS,          /* the next REGISTER of the flow had no credentials */
	CH_SILENT,            /* nothing followed and the capture covers the window */
	CH_UNKNOWN,           /* the capture ended inside the window */
};

static enum chal_fate challenge_fate(struct diag_ctx *c, const struct aor_hist *a,
				     const struct reg_session *s, size_t i, double win_s,
				     const struct txn **next)
{
	const struct txn *t = s->txns.v[i];
	int64_t win = (int64_t)(win_s * 1e9);
	const struct txn *n = diag_flow_next(s, i);
	*next = n;
	if (n && sent_creds(n))
		return n->t_first - t->t_final <= win ? CH_ANSWERED : CH_LATE;
	/* answered on another Call-ID (non-compliant, but answered) */
	const struct sip_chal *ch = diag_first_chal(t);
	for (size_t k = 0; k < a->txns.n; k++) {
		const struct txn *o = a->txns.v[k];
		if (o == t || o->t_first < t->t_final || o->t_first - t->t_final > win ||
		    !diag_has_creds(o))
			continue;
		if (!ch || diag_cred_for(o, ch))
			return CH_ANSWERED;
	}
	if (n)
		return CH_NO_CREDS;
	if (c->m->capture_end_ns - t->t_final < win)
		return CH_UNKNOWN;
	return CH_SILENT;
}

/* ---------------------------------------------------------------- REG-AUTH-LOOP */

static const struct diag_param p_loop[] = {
	{ "auth-loop-min", 2, "count", "consecutive authorized REGISTERs rejected with 401/407" },
	{ NULL, 0, NULL, NULL },
};

static void rule_auth_loop(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	unsigned min = (unsigned)diag_param(c, "auth-loop-min");
	if (min < 1)
		min = 1;
	FOR_EACH_AOR(c, a) {
		struct diag_frames fr = { 0 };
		unsigned best = 0, loops = 0;
		const struct sip_cred *cred = NULL;
		const struct txn *end = NULL;     /* what followed the longest run */
		for (size_t si = 0; si < a->sessions.n; si++) {
			const struct reg_session *s = a->sessions.v[si];
			unsigned run = 0;
			struct diag_frames rf = { 0 };
			const struct sip_cred *rc = NULL;
			for (size_t i = 0; i <= s->txns.n; i++) {
				const struct txn *t = i < s->txns.n ? s->txns.v[i] : NULL;
				const struct txn *p = t ? answered_challenge(s, i) : NULL;
				const struct sip_cred *cr = p ? diag_cred_for(t, diag_first_chal(p)) : NULL;
				bool rejected = cr && t->final && diag_is_challenge(t->final_status) &&
						!diag_final_stale(t);
				if (rejected) {
					if (!run)
						diag_frames_txn(&rf, p);
					run++;
					diag_frames_txn(&rf, t);
					if (!rc)
						rc = cr;
					continue;
				}
				if (run >= min) {
					loops++;
					for (size_t k = 0; k < rf.n; k++)
						diag_frames_add(&fr, rf.v[k]);
					if (run > best) {
						best = run;
						cred = rc;
						end = t && p && t->final ? t : NULL;
					}
					if (t && p && t->final)
						diag_frames_txn(&fr, t);
				}
				run = 0;
				rc = NULL;
				diag_frames_free(&rf);
			}
			diag_frames_free(&rf);
		}
		if (!best) {
			diag_frames_free(&fr);
			continue;
		}
		char tail[200] = "";
		if (end)
			snprintf(tail, sizeof tail, "; it ended with %d %s", end->final_status,
				 diag_esc(c, end->final->reason));
		diag_emit(c, a, &fr,
			  "Check the password, the auth username and the realm configured on the phone; "
			  "give regtrace the password with --credentials FILE to verify the digest (REG-AUTH-BADPW).",
			  "The server rejected the credentials of user '%s' (realm '%s') %u times in a row "
			  "without stale=true and the phone kept retrying%s%s.",
			  diag_esc(c, cred ? cred->username : NULL), diag_esc(c, cred ? cred->realm : NULL),
			  best, tail, loops > 1 ? " (the loop repeated in more than one session)" : "");
	}
}

/* ---------------------------------------------------------------- REG-AUTH-NORETRY */

static const struct diag_param p_window[] = {
	{ "noretry-window", 5, "s", "time allowed for the REGISTER with credentials after a 401/407" },
	{ NULL, 0, NULL, NULL },
};

static void rule_auth_noretry(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	double win = diag_param(c, "noretry-window");
	FOR_EACH_AOR(c, a) {
		struct diag_frames fr = { 0 };
		unsigned n = 0, nocreds = 0, late = 0;
		const struct txn *first = NULL;
		for (size_t si = 0; si < a->sessions.n; si++) {
			const struct reg_session *s = a->sessions.v[si];
			for (size_t i = 0; i < s->txns.n; i++) {
				const struct txn *t = s->txns.v[i], *nx;
				/* a de-registration left challenged is REG-UNREG-INCOMPLETE */
				if (!t->final || !diag_is_challenge(t->final_status) || sent_creds(t) ||
				    (t->attempt && t->attempt->deregister))
					continue;
				enum chal_fate f = challenge_fate(c, a, s, i, win, &nx);
				/* a late answer is still an answer (softphones wait for a
				 * password prompt): only silence or no credentials count */
				if (f == CH_ANSWERED || f == CH_UNKNOWN || f == CH_LATE)
					continue;
				n++;
				nocreds += f == CH_NO_CREDS;
				late += f == CH_LATE;
				if (!first)
					first = t;
				diag_frames_txn(&fr, t);
				if (nx && f != CH_SILENT)
					diag_frames_msg(&fr, nx->req);
			}
		}
		if (!n) {
			diag_frames_free(&fr);
			continue;
		}
		const struct sip_chal *ch = diag_first_chal(first);
		char how[160];
		if (nocreds)
			snprintf(how, sizeof how, "the next REGISTER came without credentials%s",
				 n > nocreds ? " or nothing followed" : "");
		else if (late == n)
			snprintf(how, sizeof how, "credentials came only after more than %g s", win);
		else
			snprintf(how, sizeof how, "nothing with credentials followed within %g s", win);
		diag_emit(c, a, &fr,
			  "Check that the phone has credentials for this realm and supports the offered "
			  "algorithm, and that the challenge reaches it (NAT, rport).",
			  "The phone never answered the %s challenge for realm '%s' (%u challenge%s "
			  "unanswered: %s).",
			  code_name(first->final_status), diag_esc(c, ch ? ch->realm : NULL), n,
			  n == 1 ? "" : "s", how);
	}
}

/* ---------------------------------------------------------------- REG-AUTH-REALM */

static void rule_auth_realm(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	FOR_EACH_AOR(c, a) {
		struct diag_frames fr = { 0 };
		const char *got = NULL, *want = NULL;
		unsigned n = 0;
		for (size_t si = 0; si < a->sessions.n; si++) {
			const struct reg_session *s = a->sessions.v[si];
			for (size_t i = 0; i < s->txns.n; i++) {
				const struct txn *t = s->txns.v[i], *p = answered_challenge(s, i);
				if (!p)
					continue;
				const struct sip_cred *cr = diag_cred_for(t, diag_first_chal(p));
				if (!cr)
					cr = diag_first_cred(t);
				if (!cr || !cr->realm)
					continue;
				bool ok = false, any = false;
				for (int k = 0; k < p->final->nchals; k++) {
					const char *rl = p->final->chals[k].realm;
					if (!rl)
						continue;
					any = true;
					ok |= strcmp(rl, cr->realm) == 0;
				}
				if (!any || ok)
					continue;
				if (!n) {
					got = cr->realm;
					want = p->final->chals[0].realm;
				}
				n++;
				diag_frames_txn(&fr, p);
				diag_frames_txn(&fr, t);
			}
		}
		if (!n) {
			diag_frames_free(&fr);
			continue;
		}
		diag_emit(c, a, &fr,
			  "Set the account's domain/realm on the phone to the realm the server challenges.",
			  "The phone answered a challenge for realm '%s' with credentials for realm '%s' "
			  "(%u time%s).", diag_esc(c, want), diag_esc(c, got), n, n == 1 ? "" : "s");
	}
}

/* ---------------------------------------------------------------- REG-AUTH-USER */

/* Is the digest username the AOR's user (also "user@domain")? */
static bool user_matches(const char *username, const struct sip_msg *req)
{
	const char *us[2] = { req->to_user, req->from_user };
	for (int k = 0; k < 2; k++) {
		const char *u = us[k];
		if (!u)
			continue;
		if (strcmp(username, u) == 0)
			return true;
		const char *at = strchr(username, '@');
		if (at && strlen(u) == (size_t)(at - username) &&
		    strncmp(username, u, (size_t)(at - username)) == 0)
			return true;
	}
	return false;
}

static void auth_user_common(struct diag_ctx *c, bool forbidden)
{
	FOR_EACH_AOR(c, a) {
		struct diag_frames fr = { 0 };
		const struct txn *first = NULL;
		const struct sip_cred *fc = NULL;
		unsigned n = 0;
		for (size_t ti = 0; ti < a->txns.n; ti++) {
			const struct txn *t = a->txns.v[ti];
			const struct sip_cred *cr = diag_first_cred(t);
			/* an answer to a challenge (IMS sends an empty one first) */
			if (!cr || !cr->username || !cr->nonce || !*cr->nonce || !t->final)
				continue;
			if (!t->req->to_user && !t->req->from_user)
				continue;
			bool hit = forbidden ? t->final_status == 403 :
				   diag_is_challenge(t->final_status) && !diag_final_stale(t);
			if (!hit || user_matches(cr->username, t->req))
				continue;
			/* the server accepted this auth ID for the AOR elsewhere */
			bool accepted = false;
			for (size_t k = 0; k < a->txns.n && !accepted; k++) {
				const struct txn *o = a->txns.v[k];
				const struct sip_cred *oc = diag_first_cred(o);
				accepted = oc && oc->username && strcmp(oc->username, cr->username) == 0 &&
					   o->final_status >= 200 && o->final_status < 300;
			}
			if (accepted)
				continue;
			if (!first) {
				first = t;
				fc = cr;
			}
			n++;
			diag_frames_txn(&fr, t);
		}
		if (!n) {
			diag_frames_free(&fr);
			continue;
		}
		const char *aor_user = first->req->to_user ? first->req->to_user : first->req->from_user;
		diag_emit(c, a, &fr,
			  "Set the auth ID (authentication username) to the extension, or allow a "
			  "different auth ID on the server.",
			  "Authenticated as '%s' but registering AOR user '%s'; the server answered "
			  "%d %s%s.",
			  diag_esc(c, fc->username), diag_esc(c, aor_user), first->final_status,
			  diag_esc(c, first->final->reason),
			  n > 1 ? " (more than once)" : "");
	}
}

static void rule_auth_user(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	auth_user_common(c, false);
}

static void rule_auth_user_403(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	auth_user_common(c, true);
}

/* ---------------------------------------------------------------- REG-AUTH-HDRTYPE */

static void rule_auth_hdrtype(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	FOR_EACH_AOR(c, a) {
		struct diag_frames fr = { 0 };
		const struct txn *first = NULL;
		unsigned n = 0;
		for (size_t si = 0; si < a->sessions.n; si++) {
			const struct reg_session *s = a->sessions.v[si];
			for (size_t i = 0; i < s->txns.n; i++) {
				const struct txn *t = s->txns.v[i], *p = answered_challenge(s, i);
				if (!p)
					continue;
				bool want_proxy = p->final_status == 407, have = false;
				for (int k = 0; k < t->req->ncreds; k++)
					have |= t->req->creds[k].proxy == want_proxy;
				if (have)
					continue;
				if (!first)
					first = p;
				n++;
				diag_frames_txn(&fr, p);
				diag_frames_msg(&fr, t->req);
			}
		}
		if (!n) {
			diag_frames_free(&fr);
			continue;
		}
		bool px = first->final_status == 407;
		diag_emit(c, a, &fr, "Phone firmware bug: upgrade the firmware or report it to the vendor.",
			  "The phone answered a %d %s challenge with %s instead of %s (%u time%s).",
			  first->final_status, px ? "proxy" : "registrar",
			  px ? "Authorization" : "Proxy-Authorization",
			  px ? "Proxy-Authorization" : "Authorization", n, n == 1 ? "" : "s");
	}
}

/* ---------------------------------------------------------------- REG-AUTH-ALG */

static void rule_auth_alg(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	double win = diag_param(c, "noretry-window");
	FOR_EACH_AOR(c, a) {
		struct diag_frames fr = { 0 };
		char msg[512] = "";
		unsigned n = 0;
		for (size_t si = 0; si < a->sessions.n; si++) {
			const struct reg_session *s = a->sessions.v[si];
			for (size_t i = 0; i < s->txns.n; i++) {
				const struct txn *t = s->txns.v[i], *p = answered_challenge(s, i);
				/* (a) answered with an algorithm that was not offered */
				if (p) {
					const struct sip_cred *cr = diag_cred_for(t, diag_first_chal(p));
					if (!cr)
						cr = diag_first_cred(t);
					bool offered = false;
					for (int k = 0; k < p->final->nchals; k++)
						offered |= alg_eq(p->final->chals[k].algorithm, cr->algorithm);
					if (!offered && cr->scheme && strcasecmp(cr->scheme, "Digest") == 0) {
						if (!n)
							snprintf(msg, sizeof msg,
								 "The phone answered with algorithm %s although the "
								 "server offered %s.",
								 diag_esc(c, cr->algorithm ? cr->algorithm : "MD5"),
								 diag_esc(c, p->final->chals[0].algorithm ?
									  p->final->chals[0].algorithm : "MD5"));
						n++;
						diag_frames_txn(&fr, p);
						diag_frames_msg(&fr, t->req);
					}
				}
				/* (b) a challenge without MD5 first, never answered */
				if (!t->final || !diag_is_challenge(t->final_status) || t->final->nchals == 0)
					continue;
				const struct sip_chal *ch0 = &t->final->chals[0];
				if (is_md5(ch0->algorithm))
					continue;
				const struct txn *nx;
				enum chal_fate f = challenge_fate(c, a, s, i, win, &nx);
				if (f != CH_SILENT && f != CH_NO_CREDS)
					continue;
				bool later_md5 = false;
				for (int k = 1; k < t->final->nchals; k++)
					later_md5 |= is_md5(t->final->chals[k].algorithm);
				if (!n)
					snprintf(msg, sizeof msg,
						 later_md5 ? "The server offers %s first (MD5 only in a later "
							     "header) and the phone never answered the challenge."
							   : "The server offers %s only and the phone never "
							     "answered the challenge (it likely supports MD5 only).",
						 diag_esc(c, ch0->algorithm));
				n++;
				diag_frames_txn(&fr, t);
			}
		}
		if (!n) {
			diag_frames_free(&fr);
			continue;
		}
		diag_emit(c, a, &fr,
			  "Offer an algorithm the phone supports (enable MD5 on the server) or upgrade the phone.",
			  "%s", msg);
	}
}

/* ---------------------------------------------------------------- REG-AUTH-QOP */

static bool qop_offered(const char *offered, const char *qop)
{
	size_t ql = strlen(qop);
	for (const char *p = offered; p && *p;) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		const char *e = p;
		while (*e && *e != ',' && *e != ' ' && *e != '\t')
			e++;
		if ((size_t)(e - p) == ql && strncasecmp(p, qop, ql) == 0)
			return true;
		p = e;
	}
	return false;
}

/* Kinds of digest-answer error; a kind the server accepted (2xx) on this
 * AOR is not reported: that server demonstrably does not check it. */
enum qop_kind { QK_MISSING, QK_NOT_OFFERED, QK_UNASKED, QK_OPAQUE, QK_URI, QK_NC, QK_N };

/* Classify the digest answer of transaction i of session s; p1 gets the
 * words, *by the challenge's transaction, *ncdup an earlier same-nc one. */
static enum qop_kind qop_classify(struct diag_ctx *c, const struct reg_session *s, size_t i,
				  char *p1, size_t p1len, const struct txn **byp,
				  const struct txn **ncdupp)
{
	const struct txn *t = s->txns.v[i], *by = NULL;
	const struct sip_cred *cr = diag_first_cred(t);
	*byp = *ncdupp = NULL;
	p1[0] = 0;
	if (!cr || !cr->nonce || !*cr->nonce || !cr->scheme ||
	    strcasecmp(cr->scheme, "Digest") != 0 || !t->final)
		return QK_N;
	const struct sip_chal *ch = chal_of_nonce(s, i, cr->nonce, &by);
	enum qop_kind k = QK_N;
	if (ch) {
		if (ch->qop && *ch->qop && (!cr->qop || !cr->nc || !cr->cnonce)) {
			k = QK_MISSING;
			snprintf(p1, p1len, "the answer lacks %s although the "
				 "challenge offered qop \"%s\"",
				 !cr->qop ? "qop" : !cr->nc ? "nc" : "cnonce",
				 diag_esc(c, ch->qop));
		} else if (cr->qop && ch->qop && *ch->qop && !qop_offered(ch->qop, cr->qop)) {
			k = QK_NOT_OFFERED;
			snprintf(p1, p1len, "qop=%s was not offered (\"%s\")",
				 diag_esc(c, cr->qop), diag_esc(c, ch->qop));
		} else if (cr->qop && (!ch->qop || !*ch->qop)) {
			k = QK_UNASKED;
			snprintf(p1, p1len, "qop=%s although the challenge offered none",
				 diag_esc(c, cr->qop));
		} else if (ch->opaque && (!cr->opaque || strcmp(ch->opaque, cr->opaque))) {
			k = QK_OPAQUE;
			snprintf(p1, p1len, "opaque \"%s\" was not echoed",
				 diag_esc(c, ch->opaque));
		}
	}
	if (k == QK_N && cr->uri && t->req->ruri && strcasecmp(cr->uri, t->req->ruri)) {
		k = QK_URI;
		snprintf(p1, p1len, "uri=%s differs from the Request-URI %s",
			 diag_esc(c, cr->uri), diag_esc(c, t->req->ruri));
	}
	/* nonce-count: must grow for every request of one flow on
	 * one nonce; a challenge re-issuing the nonce restarts it */
	if (k == QK_N && cr->qop && cr->nc) {
		unsigned long nc = strtoul(cr->nc, NULL, 16);
		for (size_t j = i; j-- > 0;) {
			const struct txn *o = s->txns.v[j];
			if (!diag_same_flow(o, t))
				continue;
			bool reissued = false;
			for (int q = 0; o->final && q < o->final->nchals; q++)
				reissued |= o->final->chals[q].nonce &&
					    strcmp(o->final->chals[q].nonce, cr->nonce) == 0;
			if (reissued)
				break;
			const struct sip_cred *oc = diag_first_cred(o);
			if (!oc || !oc->nonce || strcmp(oc->nonce, cr->nonce) != 0)
				continue;
			if (oc->nc && strtoul(oc->nc, NULL, 16) >= nc) {
				k = QK_NC;
				*ncdupp = o;
				snprintf(p1, p1len, "nonce-count nc=%s reused (frame %llu "
					 "had nc=%s on the same nonce)", diag_esc(c, cr->nc),
					 (unsigned long long)(o->req ? o->req->frame : 0),
					 diag_esc(c, oc->nc));
			}
			break;
		}
	}
	*byp = by;
	return k;
}

/* Did the registrar t went to accept (2xx) an answer with the same kind
 * of error from anyone in the capture?  Then it does not check that. */
static bool qop_accepted(struct diag_ctx *c, enum qop_kind k, const struct txn *t)
{
	for (size_t ai = 0; ai < c->m->aors.n; ai++) {
		const struct aor_hist *a = c->m->aors.v[ai];
		for (size_t si = 0; si < a->sessions.n; si++) {
			const struct reg_session *s = a->sessions.v[si];
			for (size_t i = 0; i < s->txns.n; i++) {
				const struct txn *o = s->txns.v[i], *by, *nd;
				char p[200];
				if (o->final_status < 200 || o->final_status >= 300 || !o->req ||
				    !rt_ip_eq(&o->req->dst, &t->req->dst))
					continue;
				if (qop_classify(c, s, i, p, sizeof p, &by, &nd) == k)
					return true;
			}
		}
	}
	return false;
}

static void rule_auth_qop(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	FOR_EACH_AOR(c, a) {
		struct diag_frames fr[QK_N];
		char what[QK_N][200];
		unsigned rej[QK_N] = { 0 }, acc[QK_N] = { 0 };
		memset(fr, 0, sizeof fr);
		for (size_t si = 0; si < a->sessions.n; si++) {
			const struct reg_session *s = a->sessions.v[si];
			for (size_t i = 0; i < s->txns.n; i++) {
				const struct txn *t = s->txns.v[i];
				const struct txn *by, *ncdup;
				char p1[200];
				enum qop_kind k = qop_classify(c, s, i, p1, sizeof p1, &by, &ncdup);
				if (k == QK_N)
					continue;
				if (t->final_status >= 200 && t->final_status < 300)
					continue;
				if (qop_accepted(c, k, t))
					acc[k]++;
				if (!rej[k])
					snprintf(what[k], sizeof what[k], "%s", p1);
				rej[k]++;
				if (ncdup)
					diag_frames_msg(&fr[k], ncdup->req);
				if (by)
					diag_frames_msg(&fr[k], by->final);
				diag_frames_txn(&fr[k], t);
			}
		}
		char msg[900] = "";
		size_t l = 0;
		unsigned n = 0;
		struct diag_frames all = { 0 };
		for (int k = 0; k < QK_N; k++) {
			if (rej[k] && !acc[k] && l < sizeof msg) {
				l += (size_t)snprintf(msg + l, sizeof msg - l, "%s%s", n ? "; " : "", what[k]);
				n += rej[k];
				for (size_t q = 0; q < fr[k].n; q++)
					diag_frames_add(&all, fr[k].v[q]);
			}
			diag_frames_free(&fr[k]);
		}
		if (!n)
			continue;
		diag_emit(c, a, &all,
			  "A phone bug, or a proxy rewriting the Request-URI: upgrade the phone or fix the proxy.",
			  "The digest answer is malformed: %s (%u rejected REGISTER%s).", msg, n,
			  n == 1 ? "" : "s");
	}
}

/* ---------------------------------------------------------------- stale nonces */

static void rule_auth_stale_ok(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	FOR_EACH_AOR(c, a) {
		struct diag_frames fr = { 0 };
		unsigned n = 0;
		for (size_t si = 0; si < a->sessions.n; si++) {
			const struct reg_session *s = a->sessions.v[si];
			for (size_t i = 0; i < s->txns.n; i++) {
				const struct txn *t = s->txns.v[i];
				if (!diag_has_creds(t) || !t->final || !diag_is_challenge(t->final_status) ||
				    !diag_final_stale(t))
					continue;
				const struct txn *nx = diag_flow_next(s, i);
				if (!nx || !diag_cred_for(nx, diag_first_chal(t)) || !nx->final ||
				    nx->final_status < 200 || nx->final_status >= 300)
					continue;
				n++;
				diag_frames_txn(&fr, t);
				diag_frames_txn(&fr, nx);
			}
		}
		if (!n) {
			diag_frames_free(&fr);
			continue;
		}
		diag_emit(c, a, &fr, NULL,
			  "The nonce expired (%s with stale=true) and the phone renewed it correctly "
			  "(%u time%s).", "401/407", n, n == 1 ? "" : "s");
	}
}

static void rule_auth_stale_fail(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	double win = diag_param(c, "noretry-window");
	FOR_EACH_AOR(c, a) {
		struct diag_frames fr = { 0 };
		unsigned n = 0;
		bool omitted = false;
		int code = 0;
		for (size_t si = 0; si < a->sessions.n; si++) {
			const struct reg_session *s = a->sessions.v[si];
			for (size_t i = 0; i < s->txns.n; i++) {
				const struct txn *t = s->txns.v[i], *nx;
				const struct sip_cred *cr = diag_first_cred(t);
				if (!cr || !cr->nonce || !t->final || !diag_is_challenge(t->final_status))
					continue;
				const struct sip_chal *ch = diag_first_chal(t);
				bool stale = diag_final_stale(t), omit = false;
				if (!stale) {
					/* server omitted stale: a new nonce after this nonce
					 * worked before */
					if (!ch || !ch->nonce || strcmp(ch->nonce, cr->nonce) == 0)
						continue;
					for (size_t j = 0; j < i && !omit; j++) {
						const struct txn *o = s->txns.v[j];
						const struct sip_cred *oc = diag_first_cred(o);
						omit = oc && oc->nonce && strcmp(oc->nonce, cr->nonce) == 0 &&
						       o->final_status >= 200 && o->final_status < 300;
					}
					if (!omit)
						continue;
				}
				enum chal_fate f = challenge_fate(c, a, s, i, win, &nx);
				bool gave_up = f == CH_SILENT || f == CH_NO_CREDS;
				if (f == CH_ANSWERED && stale && nx && !diag_cred_for(nx, ch))
					gave_up = true;    /* retried, but on the old nonce */
				if (!gave_up)
					continue;
				n++;
				omitted |= omit;
				if (!code)
					code = t->final_status;
				diag_frames_txn(&fr, t);
				if (nx)
					diag_frames_msg(&fr, nx->req);
			}
		}
		if (!n) {
			diag_frames_free(&fr);
			continue;
		}
		if (omitted)
			diag_emit(c, a, &fr,
				  "Server: send stale=true when only the nonce expired (e.g. Kamailio "
				  "auth_challenge flags); phone: retry once on a new nonce.",
				  "The nonce expired but the server's %d carried a new nonce without "
				  "stale=true, and the phone treated it as a password failure and gave up "
				  "(%u time%s).", code, n, n == 1 ? "" : "s");
		else
			diag_emit(c, a, &fr,
				  "Phone bug: it must retry with the new nonce after stale=true; upgrade "
				  "the firmware.",
				  "The nonce expired (%d with stale=true) and the phone did not retry with "
				  "the new nonce (%u time%s).", code, n, n == 1 ? "" : "s");
	}
}

/* ---------------------------------------------------------------- REG-AUTH-MALFORMED */

static void rule_auth_malformed(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	/* enum sip_hline order */
	static const char *const names[4] = {
		"Authorization", "Proxy-Authorization", "WWW-Authenticate", "Proxy-Authenticate",
	};
	FOR_EACH_AOR(c, a) {
		struct diag_frames fr = { 0 };
		unsigned n = 0;
		char first[300] = "";
		for (size_t ti = 0; ti < a->txns.n; ti++) {
			const struct txn *t = a->txns.v[ti];
			for (size_t k = 0; k < 1 + t->resps.n; k++) {
				const struct sip_msg *m = k == 0 ? t->req : t->resps.v[k - 1];
				if (!m || m->malformed)
					continue;
				uint32_t parsed[4] = { 0 };
				for (int j = 0; j < m->ncreds; j++)
					parsed[m->creds[j].proxy ? 1 : 0]++;
				for (int j = 0; j < m->nchals; j++)
					parsed[m->chals[j].proxy ? 3 : 2]++;
				for (int h = 0; h < 4; h++) {
					if (m->hlines[h] <= parsed[h])
						continue;
					if (!n) {
						/* the first line of the first such header (sip_msg.h) */
						char v[160];
						const char *raw = NULL;
						if (m->digest_dropped) {
							snprintf(v, sizeof v, "%s", m->digest_dropped);
							raw = v;
						}
						snprintf(first, sizeof first, "%s header in frame %llu could not "
							 "be parsed: '%s'", names[h], (unsigned long long)m->frame,
							 diag_esc(c, raw));
					}
					n++;
					diag_frames_msg(&fr, m);
				}
			}
		}
		if (!n) {
			diag_frames_free(&fr);
			continue;
		}
		diag_emit(c, a, &fr,
			  "Fix the sender's digest header syntax (quoting, commas, parameter names).",
			  "The %s%s.", first, n > 1 ? " (and more like it)" : "");
	}
}

/* ---------------------------------------------------------------- digest verification */

static void verify_common(struct diag_ctx *c, enum dg_status want)
{
	const struct cred_store *store = c->o ? c->o->creds : NULL;
	if (!store)
		return;
	FOR_EACH_AOR(c, a) {
		struct diag_frames fr = { 0 };
		unsigned n = 0;
		char msg[600] = "";
		for (size_t si = 0; si < a->sessions.n; si++) {
			const struct reg_session *s = a->sessions.v[si];
			for (size_t i = 0; i < s->txns.n; i++) {
				const struct txn *t = s->txns.v[i];
				const struct sip_cred *cr = diag_first_cred(t);
				if (!cr || !cr->response || !*cr->response || !cr->nonce || !*cr->nonce)
					continue;
				const struct sip_chal *ch = chal_of_nonce(s, i, cr->nonce, NULL);
				struct dg_hints h;
				dg_hints_from_msg(t->req, ch ? ch->realm : NULL, &h);
				struct dg_result res;
				if (dg_verify(store, cr, t->method ? t->method : "REGISTER",
					      (const uint8_t *)t->req->body, t->req->body_len, &h, &res) != want)
					continue;
				if (!n) {
					if (want == DG_BADPW) {
						snprintf(msg, sizeof msg,
							 "The password for %s@%s is wrong: the digest response "
							 "(%s) matches neither the stored password nor any "
							 "username/realm/uri variant",
							 diag_esc(c, cr->username),
							 diag_esc(c, res.ref_realm ? res.ref_realm : cr->realm),
							 dg_alg_name(res.alg));
					} else {
						char parts[400] = "";
						size_t l = 0;
						if (res.variant & DG_VAR_REALM)
							l += (size_t)snprintf(parts + l, sizeof parts - l,
								"%srealm '%s' (the server challenged '%s')", l ? ", " : "",
								diag_esc(c, res.realm), diag_esc(c, res.ref_realm));
						if ((res.variant & DG_VAR_USERNAME) && l < sizeof parts)
							l += (size_t)snprintf(parts + l, sizeof parts - l,
								"%susername '%s' (it sent username '%s')", l ? ", " : "",
								diag_esc(c, res.username), diag_esc(c, res.ref_username));
						if ((res.variant & DG_VAR_URI) && l < sizeof parts)
							l += (size_t)snprintf(parts + l, sizeof parts - l,
								"%suri '%s' (it sent uri '%s')", l ? ", " : "",
								diag_esc(c, res.uri), diag_esc(c, res.ref_uri));
						if ((res.variant & DG_VAR_QOP) && l < sizeof parts)
							l += (size_t)snprintf(parts + l, sizeof parts - l,
								"%sqop '%s' (it sent qop '%s')", l ? ", " : "",
								diag_esc(c, res.qop ? res.qop : "none"),
								diag_esc(c, res.ref_qop ? res.ref_qop : "none"));
						snprintf(msg, sizeof msg,
							 "The password for %s is right, but the phone hashed it "
							 "with %s", diag_esc(c, cr->username), parts);
					}
				}
				n++;
				diag_frames_msg(&fr, t->req);
			}
		}
		if (!n) {
			diag_frames_free(&fr);
			continue;
		}
		diag_emit(c, a, &fr,
			  want == DG_BADPW ?
			  "Re-enter the password on the phone or trunk (many UIs keep a stale saved password)." :
			  "Fix the realm / auth username / outbound proxy setting on the phone so it "
			  "hashes what the server challenges.",
			  "%s (%u REGISTER%s).", msg, n, n == 1 ? "" : "s");
	}
}

static void rule_auth_badpw(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	verify_common(c, DG_BADPW);
}

static void rule_auth_variant(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	verify_common(c, DG_VARIANT);
}

/* ---------------------------------------------------------------- the table */

const struct diag_rule diag_rules_auth[] = {
	{ "REG-AUTH-LOOP", SEV_CRIT, "authentication loop: credentials rejected, phone keeps retrying",
	  p_loop, rule_auth_loop, DIAG_PER_AOR, .kind = FK_PATTERN },
	{ "REG-AUTH-NORETRY", SEV_CRIT, "challenge not answered", p_window,
	  rule_auth_noretry, DIAG_PER_AOR, .kind = FK_PATTERN },
	{ "REG-AUTH-BADPW", SEV_CRIT, "wrong password (digest verified with --credentials)",
	  NULL, rule_auth_badpw, DIAG_PER_AOR, .kind = FK_CAUSE },
	{ "REG-AUTH-VARIANT", SEV_ERR, "password right, hashed with another realm/username/uri",
	  NULL, rule_auth_variant, DIAG_PER_AOR, .kind = FK_CAUSE },
	{ "REG-AUTH-REALM", SEV_ERR, "credentials for another realm than challenged", NULL,
	  rule_auth_realm, DIAG_PER_AOR, .kind = FK_CAUSE },
	{ "REG-AUTH-USER-403", SEV_ERR, "auth username differs from the AOR user, answered 403",
	  NULL, rule_auth_user_403, DIAG_PER_AOR, .kind = FK_CAUSE },
	{ "REG-AUTH-USER", SEV_WARN, "auth username differs from the AOR user, answered 401/407",
	  NULL, rule_auth_user, DIAG_PER_AOR, .kind = FK_CAUSE },
	{ "REG-AUTH-HDRTYPE", SEV_ERR, "wrong credentials header for the challenge type", NULL,
	  rule_auth_hdrtype, DIAG_PER_AOR, .kind = FK_CAUSE },
	{ "REG-AUTH-ALG", SEV_ERR, "digest algorithm not offered / not supported", p_window,
	  rule_auth_alg, DIAG_PER_AOR, .kind = FK_CAUSE },
	{ "REG-AUTH-QOP", SEV_ERR, "digest answer malformed (qop/nc/cnonce/opaque/uri)", NULL,
	  rule_auth_qop, DIAG_PER_AOR, .kind = FK_CAUSE },
	{ "REG-AUTH-STALE-FAIL", SEV_ERR, "stale nonce not handled", p_window,
	  rule_auth_stale_fail, DIAG_PER_AOR, .kind = FK_CAUSE },
	{ "REG-AUTH-STALE-OK", SEV_INFO, "stale nonce renewed correctly", NULL,
	  rule_auth_stale_ok, DIAG_PER_AOR, .kind = FK_PATTERN },
	{ "REG-AUTH-MALFORMED", SEV_ERR, "unparsable Authorization / WWW-Authenticate header", NULL,
	  rule_auth_malformed, DIAG_PER_AOR, .kind = FK_CAUSE },
	{ NULL, 0, NULL, NULL, NULL, DIAG_CAPTURE, FK_PATTERN, false },
};
