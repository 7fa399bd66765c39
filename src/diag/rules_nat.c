/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rules_nat.c - diagnosis rules about addresses on the wire: the capture
 * point, NAT, misrouted responses, SIP ALGs, transports, UDP fragmentation
 * and scanners.
 *
 * Owns: the rule functions, the table diag_rules_nat and the family's
 * state in a run (struct diag_nat_state: messages by address, the AOR's
 * first NAT transaction).  Conditions:
 * docs/rules.md; NAT signs per RFC 3261 §18.2.1 (received), RFC 3581 (rport)
 * and RFC 5626 §4.4 (keepalives).  NAT findings say which capture point
 * they assumed (capture_point.c).  One finding per AOR per rule, except
 * REG-CAPTURE-POINT and REG-SCANNER (capture-wide; the scanner one per
 * source IP).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "capture_point.h"

/* "Assumed: capture taken on the registrar side (why)." */
static const char *assumed(struct diag_ctx *c, char *b, size_t n)
{
	const struct cp_info *ci = cp_infer_ctx(c);
	snprintf(b, n, "Assumed capture point: %s, because %s.", cp_where_text(ci->where),
		 ci->basis);
	return b;
}

/* ---------------------------------------------------------------- REG-CAPTURE-POINT */

static void rule_capture_point(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	if (!c->any_register)
		return;
	const struct cp_info *ci = cp_infer_ctx(c);
	diag_emit(c, NULL, NULL, NULL,
		  "Capture point: %s (%s) - inferred because %s; the NAT findings assume this.",
		  cp_where_name(ci->where), cp_where_text(ci->where), ci->basis);
}

/* ---------------------------------------------------------------- REG-NAT-DETECTED */

static bool ip_host_private(const char *host)
{
	struct rt_addr x;
	char b[64];
	if (!host)
		return false;
	size_t l = strlen(host);
	if (l > 2 && host[0] == '[' && host[l - 1] == ']') {
		host++;
		l -= 2;
	}
	if (!l || l >= sizeof b)
		return false;
	memcpy(b, host, l);
	b[l] = 0;
	return rt_ip_parse(b, &x) && rt_ip_is_private(&x);
}

struct nat_addr_ix;

/* The family's part of a diagnosis run (diag_ctx.nat), made on first use. */
struct diag_nat_state {
	struct nat_addr_ix *addr_ix;    /* messages by address, NULL until asked */
	const struct aor_hist *aor;     /* first_nat_txn()'s answer for aor */
	const struct txn *txn;
	char what[200];
};

static struct diag_nat_state *nat_state(struct diag_ctx *c)
{
	if (!c->nat)
		c->nat = calloc(1, sizeof *c->nat);
	return c->nat;
}

/* The AOR's first REGISTER showing NAT, and why (into what, n bytes):
 * two rules ask it of the same AOR one after the other, so it is kept. */
static const struct txn *first_nat_txn(struct diag_ctx *c, const struct aor_hist *a,
				       char *what, size_t n)
{
	struct diag_nat_state *s = nat_state(c);
	if (s && s->aor == a) {
		snprintf(what, n, "%s", s->what);
		return s->txn;
	}
	const struct txn *found = NULL;
	what[0] = 0;
	for (size_t i = 0; i < a->txns.n; i++) {
		const struct txn *t = a->txns.v[i];
		if (t->req && t->req->via_count == 1 && cp_nat_on_req(t, what, n)) {
			found = t;
			break;
		}
	}
	if (s) {
		s->aor = a;
		s->txn = found;
		snprintf(s->what, sizeof s->what, "%s", what);
	}
	return found;
}

/* The UA's public address as the capture shows it: the source when the
 * capture is beyond the NAT, else received:rport of the first response. */
static bool public_addr(const struct txn *t, struct rt_addr *out)
{
	struct rt_addr sb;
	if (cp_sent_by(t->req, &sb) && !rt_ip_eq(&sb, &t->req->src)) {
		*out = t->req->src;
		return true;
	}
	for (size_t i = 0; i < t->resps.n; i++) {
		const struct sip_msg *r = t->resps.v[i];
		if (r->via_received && rt_ip_parse(r->via_received, out)) {
			out->port = (uint16_t)(r->via_rport > 0 ? r->via_rport : t->req->src.port);
			return true;
		}
	}
	*out = t->req->src;
	return true;
}

static void rule_nat_detected(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	FOR_EACH_AOR(c, a) {
		char pb[RT_ADDR_STRLEN], as[400], what[200];
		const struct txn *t = first_nat_txn(c, a, what, sizeof what);
		if (!t)
			continue;
		struct rt_addr pub;
		public_addr(t, &pub);
		struct diag_frames fr = { 0 };
		diag_frames_txn(&fr, t);
		diag_emit(c, a, &fr, NULL, "UA of %s is behind NAT (public %s): %s. %s",
			  diag_esc(c, a->aor), rt_addr_str(&pub, pb, sizeof pb), what,
			  assumed(c, as, sizeof as));
	}
}

/* ---------------------------------------------------------------- REG-NAT-PRIVATE-CONTACT */

static void rule_nat_private_contact(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	FOR_EACH_AOR(c, a) {
		const struct txn *ex = NULL;
		const struct sip_contact *exc = NULL;
		unsigned n = 0;
		struct diag_frames fr = { 0 };
		for (size_t i = 0; i < a->txns.n; i++) {
			const struct txn *t = a->txns.v[i];
			if (!cp_is_refresh_ok(t) || !cp_ip_public(&t->req->src))
				continue;
			const struct sip_contact *qc = &t->req->contacts[0];
			if (!ip_host_private(qc->host))
				continue;
			const struct sip_msg *rs = t->final;
			const struct sip_contact *rc = NULL;
			for (int k = 0; k < rs->ncontacts && !rc; k++)
				if (cp_contact_match_ctx(c, qc, &rs->contacts[k]) &&
				    ip_host_private(rs->contacts[k].host))
					rc = &rs->contacts[k];
			if (!rc || rs->contact_nat_mark || rs->hlines[SIP_HL_PATH] > 0)
				continue;
			if (!n) {
				ex = t;
				exc = rc;
			}
			n++;
			diag_frames_txn(&fr, t);
		}
		if (!n)
			continue;
		char sb[RT_ADDR_STRLEN], as[400];
		diag_emit(c, a, &fr,
			  "Enable NAT handling on the registrar (Kamailio fix_nated_register/force_rport, "
			  "Asterisk PJSIP rewrite_contact/force_rport, FreeSWITCH NDLB/aggressive NAT) or "
			  "STUN/outbound on the phone.",
			  "Phone of %s is behind NAT (REGISTER from public %s) and the registrar stored its "
			  "private Contact %s: the 200 echoes it without received/alias/Path (%u time%s); "
			  "incoming calls will fail. %s",
			  diag_esc(c, a->aor), rt_addr_str(&ex->req->src, sb, sizeof sb), diag_esc(c, exc->uri),
			  n, n == 1 ? "" : "s", assumed(c, as, sizeof as));
	}
}

/* ---------------------------------------------------------------- REG-NAT-PORT-CHURN */

static void rule_nat_port_churn(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	FOR_EACH_AOR(c, a) {
		unsigned n = 0;
		const struct txn *ea = NULL, *eb = NULL;
		struct diag_frames fr = { 0 };
		for (size_t si = 0; si < a->sessions.n; si++) {
			const struct reg_session *s = a->sessions.v[si];
			for (size_t i = 0; i < s->txns.n; i++) {
				const struct txn *t = s->txns.v[i], *u = diag_flow_next(s, i);
				if (!u || !t->req || !u->req || t->req->transport != RT_TP_UDP ||
				    u->req->transport != RT_TP_UDP || t->req->via_count != 1)
					continue;
				if (rt_addr_eq(&t->req->src, &u->req->src))
					continue;
				if (!n) {
					ea = t;
					eb = u;
				}
				n++;
				diag_frames_msg(&fr, t->req);
				diag_frames_msg(&fr, u->req);
			}
		}
		if (!n)
			continue;
		char x[RT_ADDR_STRLEN], y[RT_ADDR_STRLEN], as[400];
		diag_emit(c, a, &fr,
			  "Keep the NAT mapping alive (CRLF/STUN/OPTIONS keepalives, RFC 5626) or register "
			  "with an expiry shorter than the NAT's UDP timeout.",
			  "NAT mapping of %s changed between REGISTERs of one Call-ID: source %s became %s "
			  "after %.1f s (%u change%s); the NAT timeout is shorter than the refresh interval. %s",
			  diag_esc(c, a->aor), rt_addr_str(&ea->req->src, x, sizeof x),
			  rt_addr_str(&eb->req->src, y, sizeof y), diag_secs(ea->t_first, eb->t_first), n,
			  n == 1 ? "" : "s", assumed(c, as, sizeof as));
	}
}

/* ---------------------------------------------------------------- REG-NAT-NO-KEEPALIVE */

/* The messages to or from each address (IP and port), in arrival order:
 * built once, when a grant first needs its silence measured, instead of a
 * walk over every message per REGISTER. */
struct nat_addr_ix {
	size_t cap;                     /* slots, a power of 2 */
	struct nat_addr_slot {
		struct rt_addr a;
		bool used;
		size_t first, n;        /* msg[first .. first+n) */
	} *slot;
	size_t *msg;                    /* indices into m->msgs */
};

static void nat_addr_ix_free(struct nat_addr_ix *x)
{
	if (!x)
		return;
	free(x->slot);
	free(x->msg);
	free(x);
}

void diag_nat_free(struct diag_nat_state *s)
{
	if (!s)
		return;
	nat_addr_ix_free(s->addr_ix);
	free(s);
}

static struct nat_addr_slot *addr_slot(struct nat_addr_ix *x, const struct rt_addr *a, bool add)
{
	uint64_t h = diag_hash_addr(DIAG_HASH_INIT, a);
	size_t i = (size_t)(h ^ h >> 31) & (x->cap - 1);
	while (x->slot[i].used) {
		if (rt_addr_eq(&x->slot[i].a, a))
			return &x->slot[i];
		i = (i + 1) & (x->cap - 1);
	}
	if (!add)
		return NULL;
	x->slot[i].used = true;
	x->slot[i].a = *a;
	return &x->slot[i];
}

static struct nat_addr_ix *addr_ix_build(const struct model *m, size_t lo)
{
	struct nat_addr_ix *x = calloc(1, sizeof *x);
	if (!x)
		return NULL;
	size_t n = m->msgs.n - lo;
	x->cap = 16;
	while (x->cap < 4 * n)
		x->cap *= 2;
	x->slot = calloc(x->cap, sizeof *x->slot);
	x->msg = malloc((2 * n + 1) * sizeof *x->msg);
	if (!x->slot || !x->msg) {
		nat_addr_ix_free(x);
		return NULL;
	}
	for (int pass = 0; pass < 2; pass++) {
		for (size_t k = lo; k < m->msgs.n; k++) {
			const struct sip_msg *q = m->msgs.v[k];
			struct nat_addr_slot *s = addr_slot(x, &q->src, true);
			struct nat_addr_slot *d = rt_addr_eq(&q->src, &q->dst) ? NULL :
						  addr_slot(x, &q->dst, true);
			if (pass == 0) {
				s->n++;
				if (d)
					d->n++;
			} else {
				x->msg[s->first + s->n++] = k;
				if (d)
					x->msg[d->first + d->n++] = k;
			}
		}
		if (pass == 0) {
			size_t off = 0;
			for (size_t i = 0; i < x->cap; i++) {
				x->slot[i].first = off;
				off += x->slot[i].n;
				x->slot[i].n = 0;
			}
		}
	}
	return x;
}

/* Evidence that the pinhole really closed after t's grant: the next
 * REGISTER of the flow came from another source, or a request from the
 * registrar side to the UA's address went unanswered.  Without it a silence
 * proves nothing: CRLF/STUN/"hello" keepalives are not SIP and the model
 * does not see them. */
static const char *pinhole_closed(const struct diag_ctx *c, const struct txn *t, int64_t after,
				  char *b, size_t n, const struct txn **ev)
{
	char ab[RT_ADDR_STRLEN];
	const struct reg_session *s = t->attempt ? t->attempt->session : NULL;
	for (size_t j = 0; s && j < s->txns.n; j++) {
		const struct txn *u = s->txns.v[j];
		if (u->t_first <= t->t_final || !u->req || !diag_same_flow(u, t))
			continue;
		if (!rt_addr_eq(&u->req->src, &t->req->src)) {
			snprintf(b, n, "the next REGISTER came from another source (%s): the mapping had "
				 "expired", rt_addr_str(&u->req->src, ab, sizeof ab));
			*ev = u;
			return b;
		}
		break;
	}
	for (size_t i = 0; i < c->ntmo_others; i++) {
		const struct txn *k = c->tmo_others[i];
		if (k->t_first < after || !rt_addr_eq(&k->req->dst, &t->req->src) ||
		    rt_addr_eq(&k->req->src, &t->req->src))
			continue;
		snprintf(b, n, "the %s sent to it afterwards was never answered",
			 k->method ? k->method : "request");
		*ev = k;
		return b;
	}
	return NULL;
}

static void rule_nat_no_keepalive(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	double to = diag_param(c, "nat-udp-timeout");
	int64_t end = c->m->capture_end_ns;
	FOR_EACH_AOR(c, a) {
		char ev_txt[200], what[200];
		const struct txn *nt = first_nat_txn(c, a, what, sizeof what);
		if (!nt || nt->req->transport != RT_TP_UDP)
			continue;
		double worst = 0;
		int64_t w_from = 0, w_to = 0;
		long wG = 0;
		const struct txn *ex = NULL, *evt = NULL;
		const char *why = NULL;
		for (size_t i = 0; i < a->txns.n; i++) {
			const struct txn *t = a->txns.v[i];
			if (!cp_is_refresh_ok(t) || t->req->transport != RT_TP_UDP)
				continue;
			long G = cp_grant_ctx(c, t, 0, NULL);
			if (G <= 0 || (double)G <= to)
				continue;
			/* the window the pinhole must stay open: to the next REGISTER of the
			 * flow, else to the grant's end or the capture's */
			int64_t from = t->t_final, until = t->t_final + diag_ns((double)G);
			const struct reg_session *s = t->attempt ? t->attempt->session : NULL;
			for (size_t j = 0; s && j < s->txns.n; j++) {
				const struct txn *u = s->txns.v[j];
				if (u->t_first > from && diag_same_flow(u, t)) {
					if (u->t_first < until)
						until = u->t_first;
					break;
				}
			}
			if (until > end)
				until = end;
			/* longest silence on the UA's address (as seen here) inside the window */
			int64_t last = from;
			double gap = 0;
			int64_t g_from = from, g_to = until;
			struct diag_nat_state *ns = nat_state(c);
			if (ns && !ns->addr_ix)
				ns->addr_ix = addr_ix_build(c->m, c->msg_lo);
			struct nat_addr_ix *ix = ns ? ns->addr_ix : NULL;
			const struct nat_addr_slot *as = ix ? addr_slot(ix, &t->req->src, false) : NULL;
			/* (without the index - out of memory - every message) */
			size_t nq = ix ? (as ? as->n : 0) : c->m->msgs.n;
			for (size_t q = 0; q < nq; q++) {
				size_t mi = ix ? ix->msg[as->first + q] : q;
				const struct sip_msg *m = c->m->msgs.v[mi];
				if (m->ts_ns <= from || m->ts_ns >= until ||
				    (!ix && !rt_addr_eq(&m->src, &t->req->src) &&
				     !rt_addr_eq(&m->dst, &t->req->src)))
					continue;
				if (diag_secs(last, m->ts_ns) > gap) {
					gap = diag_secs(last, m->ts_ns);
					g_from = last;
					g_to = m->ts_ns;
				}
				last = m->ts_ns;
			}
			if (diag_secs(last, until) > gap) {
				gap = diag_secs(last, until);
				g_from = last;
				g_to = until;
			}
			if (gap <= to || gap <= worst)
				continue;
			const struct txn *e = NULL;
			const char *w = pinhole_closed(c, t, g_from + diag_ns(to), ev_txt, sizeof ev_txt, &e);
			if (!w)
				continue;
			worst = gap;
			w_from = g_from;
			w_to = g_to;
			wG = G;
			ex = t;
			evt = e;
			why = w;
		}
		if (!ex)
			continue;
		char t1[64], t2[64], ab[RT_ADDR_STRLEN], as[400];
		struct diag_frames fr = { 0 };
		diag_frames_txn(&fr, ex);
		diag_frames_msg(&fr, evt ? evt->req : NULL);
		diag_emit(c, a, &fr,
			  "Enable keepalives on the phone (CRLF, STUN or OPTIONS every 15-25 s) or ask for an "
			  "expiry below the NAT's UDP timeout.",
			  "Nothing kept the NAT pinhole of %s (UDP %s) open: granted %ld s, no SIP packet to "
			  "or from it for %.1f s (%s to %s, over the assumed NAT UDP timeout of %.0f s), and "
			  "%s. %s",
			  diag_esc(c, a->aor), rt_addr_str(&ex->req->src, ab, sizeof ab), wG, worst,
			  cp_time(c->m, w_from, t1, sizeof t1), cp_time(c->m, w_to, t2, sizeof t2), to, why,
			  assumed(c, as, sizeof as));
	}
}

/* ---------------------------------------------------------------- REG-RESP-MISROUTED */

static void rule_resp_misrouted(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	FOR_EACH_AOR(c, a) {
		unsigned n = 0;
		const struct sip_msg *er = NULL;
		const struct txn *et = NULL;
		struct diag_frames fr = { 0 };
		for (size_t i = 0; i < a->txns.n; i++) {
			const struct txn *t = a->txns.v[i];
			if (!t->req || t->req->transport != RT_TP_UDP)
				continue;
			for (size_t k = 0; k < t->resps.n; k++) {
				const struct sip_msg *rs = t->resps.v[k];
				/* the server we sent to answered, but to another address */
				if (!rt_ip_eq(&rs->src, &t->req->dst) || rt_addr_eq(&rs->dst, &t->req->src))
					continue;
				if (!n) {
					er = rs;
					et = t;
				}
				n++;
				diag_frames_msg(&fr, t->req);
				diag_frames_msg(&fr, rs);
			}
		}
		if (!n)
			continue;
		char d[RT_ADDR_STRLEN], s[RT_ADDR_STRLEN], as[400];
		diag_emit(c, a, &fr,
			  "Enable rport on the phone (RFC 3581) and NAT handling on the server "
			  "(force_rport/fix_nated_register, PJSIP force_rport).",
			  "The registrar sent the %d for %s to %s although the REGISTER came from %s (%s); "
			  "the reply never reaches the phone (%u response%s). %s",
			  er->status, diag_esc(c, a->aor), rt_addr_str(&er->dst, d, sizeof d),
			  rt_addr_str(&et->req->src, s, sizeof s),
			  et->req->via_has_rport ? "Via had rport" : "Via had no rport", n, n == 1 ? "" : "s",
			  assumed(c, as, sizeof as));
	}
}

/* ---------------------------------------------------------------- REG-ALG-SUSPECT */

static void rule_alg_suspect(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	FOR_EACH_AOR(c, a) {
		char why[300] = "";
		unsigned n = 0;
		struct diag_frames fr = { 0 };
		for (size_t i = 0; i < a->txns.n; i++) {
			const struct txn *t = a->txns.v[i];
			const struct sip_msg *q = t->req;
			if (!q || q->transport != RT_TP_UDP || q->via_count != 1)
				continue;
			char ab[RT_ADDR_STRLEN];
			bool hit = false;
			struct rt_addr ch;
			for (int k = 0; k < q->ncontacts && !hit; k++) {
				const struct sip_contact *ct = &q->contacts[k];
				if (!ct->host || ct->port <= 0 || ct->port == 5060 || ct->port == q->src.port ||
				    !rt_ip_parse(ct->host, &ch) || !rt_ip_eq(&ch, &q->src))
					continue;
				hit = true;
				if (!n)
					snprintf(why, sizeof why, "Contact %s names the source IP but port %d, "
						 "while the packet came from port %u", diag_esc(c, ct->uri), ct->port,
						 q->src.port);
			}
			struct rt_addr sb;
			if (!hit && cp_sent_by(q, &sb) && rt_ip_eq(&sb, &q->src) && cp_ip_public(&q->src) &&
			    sb.port != q->src.port && !q->via_has_rport) {
				hit = true;
				if (!n)
					snprintf(why, sizeof why, "Via sent-by %s is the public source IP but the "
						 "source port is %u and there is no rport",
						 rt_addr_str(&sb, ab, sizeof ab), q->src.port);
			}
			const struct sip_msg *ms[2] = { q, t->final };
			for (int k = 0; k < 2 && !hit; k++) {
				if (!ms[k] || !(ms[k]->lenient & (SIP_LEN_CL_SHORT | SIP_LEN_CL_LONG)))
					continue;
				hit = true;
				if (!n)
					snprintf(why, sizeof why, "the %s says Content-Length %ld but carries %zu "
						 "body bytes", k ? "200" : "REGISTER", ms[k]->content_length,
						 ms[k]->body_len);
			}
			if (!hit)
				continue;
			n++;
			diag_frames_txn(&fr, t);
		}
		if (!n)
			continue;
		diag_emit(c, a, &fr, "Disable the SIP ALG (\"SIP helper\", \"SIP passthrough\") on the router.",
			  "A router SIP ALG seems to rewrite the SIP of %s: %s (%u REGISTER%s).",
			  diag_esc(c, a->aor), why, n, n == 1 ? "" : "s");
	}
}

/* ---------------------------------------------------------------- REG-TRANSPORT-MISMATCH */

static const char *tp_word(enum rt_transport t)
{
	switch (t) {
	case RT_TP_UDP: return "udp";
	case RT_TP_TCP: return "tcp";
	case RT_TP_TLS: return "tls";
	case RT_TP_SCTP: return "sctp";
	case RT_TP_WS: return "ws";
	case RT_TP_WSS: return "wss";
	default: return NULL;
	}
}

/* Does a Via/Contact transport word fit the wire transport? */
static bool tp_fits(const char *w, enum rt_transport t)
{
	if (!w || t == RT_TP_UNKNOWN)
		return true;
	if (strcasecmp(w, "udp") == 0)
		return t == RT_TP_UDP;
	if (strcasecmp(w, "tcp") == 0 || strcasecmp(w, "tls") == 0)
		return t == RT_TP_TCP || t == RT_TP_TLS;
	if (strcasecmp(w, "sctp") == 0 || strcasecmp(w, "tls-sctp") == 0)
		return t == RT_TP_SCTP;
	if (strcasecmp(w, "ws") == 0 || strcasecmp(w, "wss") == 0)
		return t == RT_TP_WS || t == RT_TP_WSS || t == RT_TP_TCP || t == RT_TP_TLS;
	return true;
}

static void rule_transport_mismatch(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	FOR_EACH_AOR(c, a) {
		char why[300] = "";
		unsigned n = 0;
		struct diag_frames fr = { 0 };
		for (size_t i = 0; i < a->txns.n; i++) {
			const struct txn *t = a->txns.v[i];
			const struct sip_msg *q = t->req;
			if (!q || q->via_count != 1 || q->transport == RT_TP_UNKNOWN)
				continue;
			const char *tw = tp_word(q->transport);
			bool hit = false;
			if (!tp_fits(q->via_proto, q->transport)) {
				hit = true;
				if (!n)
					snprintf(why, sizeof why, "the REGISTER went over %s but its top Via says %s",
						 rt_transport_name(q->transport), diag_esc(c, q->via_proto));
			}
			for (int k = 0; k < q->ncontacts && !hit; k++) {
				const struct sip_contact *ct = &q->contacts[k];
				if (!ct->uri || ct->star || (ct->instance && ct->reg_id))
					continue;       /* outbound: the flow is the transport */
				bool sips = strncasecmp(ct->uri, "sips:", 5) == 0;
				if (ct->transport && !tp_fits(ct->transport, q->transport)) {
					hit = true;
					if (!n)
						snprintf(why, sizeof why, "registered over %s but the Contact %s asks "
							 "for transport=%s", rt_transport_name(q->transport),
							 diag_esc(c, ct->uri), diag_esc(c, ct->transport));
				} else if (!ct->transport && !sips && q->transport != RT_TP_UDP &&
					   q->transport != RT_TP_SCTP) {
					hit = true;
					if (!n)
						snprintf(why, sizeof why, "registered over %s but the Contact %s has "
							 "no transport parameter: incoming calls will come over UDP",
							 rt_transport_name(q->transport), diag_esc(c, ct->uri));
				}
			}
			(void)tw;
			if (!hit)
				continue;
			n++;
			if (fr.n < 8)
				diag_frames_txn(&fr, t);
		}
		if (!n)
			continue;
		diag_emit(c, a, &fr,
			  "Make the phone advertise the transport it registers over (transport= in the "
			  "Contact) or use RFC 5626 outbound.",
			  "Transport inconsistency for %s: %s (%u REGISTER%s).", diag_esc(c, a->aor), why, n,
			  n == 1 ? "" : "s");
	}
}

/* ---------------------------------------------------------------- REG-UDP-FRAG */

static void rule_udp_frag(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	double lim = diag_param(c, "udp-frag-size");
	FOR_EACH_AOR(c, a) {
		unsigned n = 0;
		const struct txn *ex = NULL;
		struct diag_frames fr = { 0 };
		for (size_t i = 0; i < a->txns.n; i++) {
			const struct txn *t = a->txns.v[i];
			if (!t->req || t->req->transport != RT_TP_UDP || (double)t->req->raw_len <= lim ||
			    t->outcome != TXN_TIMEOUT)
				continue;
			if (!ex || t->req->raw_len > ex->req->raw_len)
				ex = t;
			n++;
			diag_frames_msg(&fr, t->req);
		}
		if (!n)
			continue;
		diag_emit(c, a, &fr,
			  "Register over TCP, or shorten the REGISTER (fewer Allow/Supported/User-Agent "
			  "bytes, no large headers) below the path MTU.",
			  "The %sREGISTER for %s is %zu bytes over UDP (over %.0f: IP-fragmented on a "
			  "1500-byte path) and was never answered (%u cop%s%s); the fragments are probably "
			  "dropped.", diag_has_creds(ex) ? "authorized " : "", diag_esc(c, a->aor),
			  ex->req->raw_len, lim, 1 + ex->req_retrans, ex->req_retrans ? "ies" : "y",
			  n > 1 ? ", and other REGISTERs alike" : "");
	}
}

/* ---------------------------------------------------------------- REG-SCANNER */

static const char *const scanner_names[] = {
	"friendly-scanner", "sipvicious", "sipcli", "VaxSIPUserAgent", "sundayddr", "iWar",
	"sipsak", "SIVuS", "smap", "pplsip",
};

static const char *scanner_match(const struct sip_msg *q)
{
	for (size_t k = 0; q && k < sizeof scanner_names / sizeof scanner_names[0]; k++)
		if (diag_contains_ci(q->user_agent, scanner_names[k]) ||
		    diag_contains_ci(q->from_display, scanner_names[k]))
			return scanner_names[k];
	return NULL;
}

/* The REGISTERs of one source, in the order the findings always used: by
 * time, then (IP bytes, user, frame order) - what sorting by source and
 * user and then stably by time gave. */
struct sc_req {
	const struct txn *t;
	const char *user;       /* "" when none */
	uint32_t ix;            /* index among the scanned REGISTERs (frame order) */
	uint32_t uid;           /* distinct user of the capture (per source IP) */
};

static int cmp_src_user(const struct sc_req *a, const struct sc_req *b)
{
	const struct rt_addr *x = &a->t->req->src, *y = &b->t->req->src;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	int c = memcmp(x->ip, y->ip, 16);
	if (c)
		return c;
	c = strcmp(a->user, b->user);
	if (c)
		return c;
	return a->ix < b->ix ? -1 : a->ix > b->ix;
}

static int cmp_time(const void *pa, const void *pb)
{
	const struct sc_req *a = pa, *b = pb;
	if (a->t->t_first != b->t->t_first)
		return a->t->t_first < b->t->t_first ? -1 : 1;
	return cmp_src_user(a, b);
}

static bool is_auth_fail(const struct txn *t)
{
	int s = t->final_status;
	return s == 401 || s == 407 || s == 403 || s == 404;
}

/* g: one source's REGISTERs in cmp_time order; nu distinct users; cnt a
 * zeroed counter per uid, left zeroed. */
static void scan_group(struct diag_ctx *c, struct sc_req *g, size_t n, unsigned nu, unsigned *cnt,
		       const char *ua_hit, const struct sip_msg *ua_msg)
{
	double win = diag_param(c, "scanner-window");
	unsigned umin = (unsigned)diag_param(c, "scanner-users"),
		 fmin = (unsigned)diag_param(c, "scanner-failures");
	unsigned distinct = 0, fails = 0, best_u = 0, best_f = 0, ok = 0, allfail = 0;
	for (size_t i = 0, j = 0; i < n; i++) {
		if (cnt[g[i].uid]++ == 0)
			distinct++;
		fails += is_auth_fail(g[i].t);
		while (g[i].t->t_first - g[j].t->t_first > diag_ns(win)) {
			if (--cnt[g[j].uid] == 0)
				distinct--;
			fails -= is_auth_fail(g[j].t);
			j++;
		}
		if (distinct > best_u)
			best_u = distinct;
		if (fails > best_f)
			best_f = fails;
		ok += g[i].t->final_status / 100 == 2;
		allfail += is_auth_fail(g[i].t);
	}
	for (size_t i = 0; i < n; i++)
		cnt[g[i].uid] = 0;
	/* a proxy or load generator whose accounts register fine is not a scanner */
	bool rate = (best_u >= umin || best_f >= fmin) && ok * 2 < n;
	if (!rate && !ua_hit)
		return;
	struct diag_frames fr = { 0 };
	for (size_t i = 0; i < n && fr.n < 16; i++)
		diag_frames_txn(&fr, g[i].t);
	if (!n && ua_msg)
		diag_frames_msg(&fr, ua_msg);
	char ip[RT_ADDR_STRLEN], uab[300] = "";
	const struct sip_msg *um = ua_msg ? ua_msg : (n ? g[0].t->req : NULL);
	if (um && um->user_agent)
		snprintf(uab, sizeof uab, "User-Agent '%s'", diag_esc(c, um->user_agent));
	else
		snprintf(uab, sizeof uab, "no User-Agent");
	double span = n ? diag_secs(g[0].t->t_first, g[n - 1].t->t_first) : 0;
	const struct rt_addr *src = um ? &um->src : &g[0].t->req->src;
	diag_emit(c, NULL, &fr,
		  "Block the source (fail2ban/APIBAN/firewall), use strong passwords and consider a "
		  "non-default SIP port.",
		  "Source %s is scanning/brute-forcing accounts: %u user(s) tried with %zu REGISTER(s) in "
		  "%.1f s (%u answered 401/407/403/404; up to %u users / %u failures in %.0f s), %s%s%s%s.",
		  rt_ip_str(src, ip, sizeof ip), n ? nu : 0, n, span, allfail, best_u, best_f, win, uab,
		  ua_hit ? " (matches scanner name '" : "", ua_hit ? ua_hit : "", ua_hit ? "')" : "");
}

static uint64_t sc_src_hash(const void *u, size_t i)
{
	return diag_hash_ip(DIAG_HASH_INIT, &((const struct sc_req *)u)[i].t->req->src);
}

static bool sc_src_eq(const void *u, size_t i, size_t j)
{
	const struct sc_req *v = u;
	return rt_ip_eq(&v[i].t->req->src, &v[j].t->req->src);
}

static uint64_t sc_user_hash(const void *u, size_t i)
{
	const struct sc_req *q = &((const struct sc_req *)u)[i];
	/* sc_user_eq compares all 16 bytes: addresses it finds equal hash alike */
	return diag_hash_ip(diag_hash_bytes(DIAG_HASH_INIT, q->user, strlen(q->user)),
			    &q->t->req->src);
}

static bool sc_user_eq(const void *u, size_t i, size_t j)
{
	const struct sc_req *v = u;
	const struct rt_addr *x = &v[i].t->req->src, *y = &v[j].t->req->src;
	return x->family == y->family && memcmp(x->ip, y->ip, 16) == 0 &&
	       strcmp(v[i].user, v[j].user) == 0;
}

struct sc_src {
	size_t first, n;        /* its REGISTERs: ord[first .. first+n) */
	size_t min;             /* its first one in cmp_src_user order (the report order), in v */
	size_t minpos;          /* the same one's place in ord */
	unsigned nu;            /* distinct users */
};

static int cmp_src_order(const void *pa, const void *pb, void *u)
{
	const struct sc_req *o = u;
	const struct sc_src *a = pa, *b = pb;
	return cmp_src_user(&o[a->minpos], &o[b->minpos]);
}

/* A scanner User-Agent (or From display name): the names are searched once
 * per distinct pair of strings - a capture is mostly one or a few UAs. */
struct sc_memo {
	const char *ua, *disp;
	const char *hit;
	bool valid;
};

static const char *scanner_match_memo(struct sc_memo *mm, const struct sip_msg *q)
{
	const char *ua = q->user_agent, *disp = q->from_display;
	if (mm->valid && (ua == mm->ua || (ua && mm->ua && strcmp(ua, mm->ua) == 0)) &&
	    (disp == mm->disp || (disp && mm->disp && strcmp(disp, mm->disp) == 0)))
		return mm->hit;
	mm->ua = ua;
	mm->disp = disp;
	mm->hit = scanner_match(q);
	mm->valid = true;
	return mm->hit;
}

/* Sources grouped by hashing (one pass), not by sorting every REGISTER. */
static void rule_scanner(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	size_t n = 0;
	/* scratch per REGISTER (half a million on the benchmark): allocated as
	 * late and freed as early as possible, it sets the run's peak RSS */
	struct sc_req *v = calloc(c->nregs ? c->nregs : 1, sizeof *v);
	struct sc_req *ord = NULL;
	size_t *sg = calloc(c->nregs ? c->nregs : 1, sizeof *sg);
	size_t *ug = calloc(c->nregs ? c->nregs : 1, sizeof *ug);
	if (!v || !sg || !ug)
		goto out;
	for (size_t i = 0; i < c->nregs; i++) {
		const struct txn *t = c->regs[i];
		if (t->req->via_count > 1)
			continue;
		v[n].t = t;
		v[n].user = t->req->to_user ? t->req->to_user : "";
		v[n].ix = (uint32_t)n;
		n++;
	}
	size_t ns = diag_group(n, sg, sc_src_hash, sc_src_eq, v);
	size_t nug = ns != (size_t)-1 ? diag_group(n, ug, sc_user_hash, sc_user_eq, v) : (size_t)-1;
	if (nug == (size_t)-1)
		goto out;
	struct sc_src *src = calloc(ns ? ns : 1, sizeof *src);
	unsigned *cnt = calloc(nug ? nug : 1, sizeof *cnt);
	unsigned char *useen = calloc(nug ? nug : 1, 1);
	if (!src || !cnt || !useen) {
		free(src);
		free(cnt);
		free(useen);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct sc_src *s = &src[sg[i]];
		if (!s->n || cmp_src_user(&v[i], &v[s->min]) < 0)
			s->min = i;
		s->n++;
		v[i].uid = (uint32_t)ug[i];
		if (!useen[ug[i]]) {
			useen[ug[i]] = 1;
			s->nu++;
		}
	}
	free(useen);
	free(ug);
	ug = NULL;
	ord = calloc(n ? n : 1, sizeof *ord);
	if (!ord) {
		free(src);
		free(cnt);
		goto out;
	}
	for (size_t k = 0, off = 0; k < ns; k++) {
		src[k].first = off;
		off += src[k].n;
		src[k].n = 0;
	}
	for (size_t i = 0; i < n; i++) {
		struct sc_src *s = &src[sg[i]];
		if (i == s->min)
			s->minpos = s->first + s->n;
		ord[s->first + s->n++] = v[i];
	}
	free(sg);
	sg = NULL;
	/* ord holds copies: v goes before the sorts below (qsort's own buffer
	 * is as large again for a source with every REGISTER of the capture) */
	free(v);
	v = NULL;
	qsort_r(src, ns, sizeof *src, cmp_src_order, ord);
	for (size_t k = 0; k < ns; k++) {
		struct sc_req *g = ord + src[k].first;
		size_t gn = src[k].n, i = 1;
		while (i < gn && cmp_time(&g[i - 1], &g[i]) < 0)
			i++;
		if (i < gn)      /* mostly in time order already */
			qsort(g, gn, sizeof *g, cmp_time);
	}
	/* sources with a scanner User-Agent on any request (OPTIONS sweeps too) */
	struct rt_addr uas[32];
	const char *uan[32];
	const struct sip_msg *uam[32];
	size_t nua = 0;
	struct sc_memo mm = { 0 };
	for (size_t i = 0; i < c->m->txns.n && nua < 32; i++) {
		const struct txn *t = c->m->txns.v[i];
		const char *hit = t->req ? scanner_match_memo(&mm, t->req) : NULL;
		if (!hit)
			continue;
		bool seen = false;
		for (size_t k = 0; k < nua; k++)
			seen |= rt_ip_eq(&uas[k], &t->req->src);
		if (!seen) {
			uas[nua] = t->req->src;
			uan[nua] = hit;
			uam[nua] = t->req;
			nua++;
		}
	}
	bool done[32] = { false };
	for (size_t k = 0; k < ns; k++) {
		struct sc_req *g = ord + src[k].first;
		const char *hit = NULL;
		const struct sip_msg *hm = NULL;
		for (size_t q = 0; q < nua; q++)
			if (rt_ip_eq(&uas[q], &g[0].t->req->src)) {
				hit = uan[q];
				hm = uam[q];
				done[q] = true;
			}
		scan_group(c, g, src[k].n, src[k].nu, cnt, hit, hm);
	}
	for (size_t q = 0; q < nua; q++)
		if (!done[q])
			scan_group(c, NULL, 0, 0, cnt, uan[q], uam[q]);
	free(src);
	free(cnt);
out:
	free(ug);
	free(sg);
	free(ord);
	free(v);
}

/* ---------------------------------------------------------------- the table */

static const struct diag_param p_nat[] = {
	{ "nat-udp-timeout", 30, "s", "NAT UDP mapping lifetime assumed when no keepalive is seen" },
	{ NULL, 0, NULL, NULL },
};

static const struct diag_param p_frag[] = {
	{ "udp-frag-size", 1300, "bytes", "UDP REGISTERs above this size risk IP fragmentation" },
	{ NULL, 0, NULL, NULL },
};

static const struct diag_param p_scan[] = {
	{ "scanner-users", 10, "count", "distinct users from one IP within the window" },
	{ "scanner-failures", 20, "count", "or auth failures (401/407/403/404) within the window" },
	{ "scanner-window", 60, "s", "sliding window" },
	{ NULL, 0, NULL, NULL },
};

const struct diag_rule diag_rules_nat[] = {
	{ "REG-CAPTURE-POINT", SEV_INFO, "where the capture was taken (UA, registrar, between)", NULL,
	  rule_capture_point, DIAG_CAPTURE, .kind = FK_PATTERN },
	{ "REG-RESP-MISROUTED", SEV_CRIT, "response sent to another address than the request came from",
	  NULL, rule_resp_misrouted, DIAG_PER_AOR, .kind = FK_CAUSE },
	{ "REG-NAT-PRIVATE-CONTACT", SEV_ERR, "NATed UA, private Contact stored", NULL,
	  rule_nat_private_contact, DIAG_PER_AOR, .kind = FK_CAUSE },
	{ "REG-NAT-PORT-CHURN", SEV_ERR, "NAT mapping changes between refreshes", NULL,
	  rule_nat_port_churn, DIAG_PER_AOR, .kind = FK_CAUSE },
	{ "REG-UDP-FRAG", SEV_ERR, "oversized UDP REGISTER never answered", p_frag,
	  rule_udp_frag, DIAG_PER_AOR, .kind = FK_CAUSE },
	{ "REG-NAT-NO-KEEPALIVE", SEV_WARN, "grant longer than the NAT lifetime, no keepalive", p_nat,
	  rule_nat_no_keepalive, DIAG_PER_AOR, .kind = FK_CAUSE },
	{ "REG-ALG-SUSPECT", SEV_WARN, "a SIP ALG seems to rewrite SIP", NULL,
	  rule_alg_suspect, DIAG_PER_AOR, .kind = FK_CAUSE },
	{ "REG-TRANSPORT-MISMATCH", SEV_WARN, "transport inconsistency (Via/Contact vs wire)", NULL,
	  rule_transport_mismatch, DIAG_PER_AOR, .kind = FK_CAUSE },
	{ "REG-SCANNER", SEV_WARN, "scanner / brute force from one source", p_scan,
	  rule_scanner, DIAG_CAPTURE, .kind = FK_PATTERN },
	{ "REG-NAT-DETECTED", SEV_INFO, "UA behind NAT", NULL, rule_nat_detected, DIAG_PER_AOR, .kind = FK_PATTERN },
	{ NULL, 0, NULL, NULL, NULL, DIAG_CAPTURE, FK_PATTERN, false },
};
