/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rules_gb.c - the GB/T 28181 registration profile: expiry floor, retry
 * interval, device/platform IDs, domain, keepalive MESSAGEs, time sync.
 *
 * Owns: the profile switch (--profile gb28181 via diag_opts.gb28181, or on
 * its own when a REGISTER's From and To users are 20-digit device codes),
 * the rule functions, the table diag_rules_gb and the family's state in a
 * run (struct diag_gb_state: the switch, keepalives by device).  Conditions and
 * thresholds: docs/rules.md (GB-*), from GB/T 28181-2016 §9.1 (registration)
 * and §9.6 (keepalive).
 * Every GB rule is silent when the profile is off; GB-PROFILE names the
 * profile in the output when it is on.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "capture_point.h"

/* 20 decimal digits. */
static bool gb_code(const char *s)
{
	if (!s)
		return false;
	size_t i = 0;
	for (; s[i]; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return i == 20;
}

/* Type code: digits 11-13 of a 20-digit ID. */
static int gb_type(const char *s)
{
	return gb_code(s) ? (s[10] - '0') * 100 + (s[11] - '0') * 10 + (s[12] - '0') : -1;
}

/* The family's part of a diagnosis run (diag_ctx.gb), made on first use. */
struct diag_gb_state {
	bool auto_done;                 /* auto looked up */
	const struct txn *auto_txn;     /* the REGISTER that switched the profile on */
	struct gb_ka *ka;               /* keepalives by device (dev_keepalives) */
	size_t nka;
};

static struct diag_gb_state *gb_state(struct diag_ctx *c)
{
	if (!c->gb)
		c->gb = calloc(1, sizeof *c->gb);
	return c->gb;
}

void diag_gb_free(struct diag_gb_state *s)
{
	if (!s)
		return;
	free(s->ka);
	free(s);
}

/* The first REGISTER with 20-digit From and To users (auto switch), NULL if
 * none.  Looked up once per diagnosis run: every GB rule asks, per AOR. */
static const struct txn *gb_auto(struct diag_ctx *c)
{
	struct diag_gb_state *s = gb_state(c);
	if (s && s->auto_done)
		return s->auto_txn;
	const struct txn *found = NULL;
	for (size_t i = 0; i < c->nregs; i++) {
		const struct txn *t = c->regs[i];
		if (gb_code(t->req->from_user) && gb_code(t->req->to_user)) {
			found = t;
			break;
		}
	}
	if (s) {
		s->auto_done = true;
		s->auto_txn = found;
	}
	return found;
}

static bool gb_on(struct diag_ctx *c)
{
	return (c->o && c->o->gb28181) || gb_auto(c);
}

/* User part of a request URI into b ("" when none). */
static const char *ruri_user(const char *ruri, char *b, size_t n)
{
	b[0] = 0;
	if (!ruri)
		return b;
	const char *p = strchr(ruri, ':'), *at = strchr(ruri, '@');
	if (!p || !at || at < p)
		return b;
	size_t l = (size_t)(at - p - 1);
	const char *semi = memchr(p + 1, ';', l);
	if (semi)
		l = (size_t)(semi - p - 1);
	if (l >= n)
		l = n - 1;
	memcpy(b, p + 1, l);
	b[l] = 0;
	return b;
}

static const struct txn *first_req(const struct aor_hist *a)
{
	for (size_t i = 0; i < a->txns.n; i++) {
		const struct txn *t = a->txns.v[i];
		if (t->req)
			return t;
	}
	return NULL;
}

/* ---------------------------------------------------------------- GB-PROFILE */

static void rule_profile(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	if (c->o && c->o->gb28181) {
		diag_emit(c, NULL, NULL, NULL,
			  "GB/T 28181 registration profile is on (--profile gb28181): expiry >= 3600 s, "
			  "retry after failure >= 60 s, 20-digit IDs, keepalive every 60 s, time sync.");
		return;
	}
	const struct txn *t = gb_auto(c);
	if (!t)
		return;
	struct diag_frames fr = { 0 };
	diag_frames_msg(&fr, t->req);
	diag_emit(c, NULL, &fr, NULL,
		  "GB/T 28181 registration profile is on: From/To users are 20-digit device codes "
		  "(e.g. %s).", diag_esc(c, t->req->from_user));
}

/* ---------------------------------------------------------------- GB-EXPIRES-SHORT */

static void rule_expires_short(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	if (!gb_on(c))
		return;
	double floor = diag_param(c, "gb-expires-min");
	FOR_EACH_AOR(c, a) {
		const struct txn *ex = NULL;
		long eff = -1, asked = -1;
		unsigned n = 0;
		struct diag_frames fr = { 0 };
		for (size_t i = 0; i < a->txns.n; i++) {
			const struct txn *t = a->txns.v[i];
			if (!t->req || t->req->ncontacts <= 0 || t->req->contacts[0].star)
				continue;
			long q = diag_contact_expires(t->req, 0);
			long e = q;
			if (t->final_status / 100 == 2) {
				long g = cp_grant_ctx(c, t, 0, NULL);
				if (g >= 0)
					e = g;
			} else if (t->final)
				continue;       /* judged on the retry that succeeds */
			if (e <= 0 || (double)e >= floor)
				continue;
			if (!ex) {
				ex = t;
				eff = e;
				asked = q;
			}
			n++;
			if (fr.n < 8)
				diag_frames_txn(&fr, t);
		}
		if (!ex)
			continue;
		diag_emit(c, a, &fr,
			  "Set the device's registration expiry to at least 3600 s (GB/T 28181 default "
			  "86400 s) and check the platform does not shorten it.",
			  "GB/T 28181: %s registers with an expiry of %ld s (asked %ld s; %u REGISTER%s); "
			  "it must be >= %.0f s (default 86400).", diag_esc(c, a->aor), eff, asked, n,
			  n == 1 ? "" : "s", floor);
	}
}

/* ---------------------------------------------------------------- GB-RETRY-FAST */

static bool att_failed(const struct reg_attempt *at)
{
	return at->result == ATT_FAILED || at->result == ATT_REJECTED || at->result == ATT_TIMEOUT ||
	       at->result == ATT_CHALLENGED;
}

static void rule_retry_fast(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	if (!gb_on(c))
		return;
	double min = diag_param(c, "gb-retry-min");
	FOR_EACH_AOR(c, a) {
		unsigned n = 0;
		double worst = 1e18;
		const struct reg_attempt *ef = NULL;
		struct diag_frames fr = { 0 };
		for (size_t i = 0; i + 1 < a->attempts.n; i++) {
			const struct reg_attempt *f = a->attempts.v[i], *nx = NULL;
			if (!att_failed(f) || !f->txns.n)
				continue;
			const struct txn *ft = f->txns.v[f->txns.n - 1];
			for (size_t j = i + 1; j < a->attempts.n && !nx; j++) {
				const struct reg_attempt *u = a->attempts.v[j];
				const struct txn *ut = u->txns.n ? u->txns.v[0] : NULL;
				if (ut && ut->req && ft->req && rt_ip_eq(&ut->req->src, &ft->req->src))
					nx = u;
			}
			if (!nx)
				continue;
			double after = diag_secs(f->t_end, nx->t_start);
			if (after >= min)
				continue;
			n++;
			if (after < worst) {
				worst = after;
				ef = f;
			}
			diag_frames_txn(&fr, ft);
			diag_frames_msg(&fr, ((const struct txn *)nx->txns.v[0])->req);
		}
		if (!n)
			continue;
		char what[32];
		if (ef->result == ATT_TIMEOUT)
			snprintf(what, sizeof what, "timeout");
		else
			snprintf(what, sizeof what, "%d", ef->final_status);
		diag_emit(c, a, &fr,
			  "Set the device's registration retry interval to 60 s or more (GB/T 28181 §9.1).",
			  "GB/T 28181: %s retried registration %.1f s after a failed attempt (%s); it must "
			  "wait >= %.0f s (%u time%s).", diag_esc(c, a->aor), worst, what, min, n,
			  n == 1 ? "" : "s");
	}
}

/* ---------------------------------------------------------------- GB-ID-FORMAT */

static void rule_id_format(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	if (!gb_on(c))
		return;
	FOR_EACH_AOR(c, a) {
		const struct txn *t = first_req(a);
		if (!t)
			continue;
		const struct sip_msg *q = t->req;
		char ru[64], why[400];
		size_t l = 0;
		why[0] = 0;
		ruri_user(q->ruri, ru, sizeof ru);
#define WHY(...) do { if (l < sizeof why) l += (size_t)snprintf(why + l, sizeof why - l, __VA_ARGS__); } while (0)
		if (!gb_code(q->from_user))
			WHY("%sFrom user '%s' is not 20 digits", l ? "; " : "", diag_esc(c, q->from_user));
		if (!gb_code(q->to_user))
			WHY("%sTo user '%s' is not 20 digits", l ? "; " : "", diag_esc(c, q->to_user));
		if (q->from_user && q->to_user && strcmp(q->from_user, q->to_user) != 0)
			WHY("%sFrom user '%s' differs from To user '%s'", l ? "; " : "",
			    diag_esc(c, q->from_user), diag_esc(c, q->to_user));
		if (!gb_code(ru))
			WHY("%sRequest-URI user '%s' is not a 20-digit platform ID", l ? "; " : "",
			    diag_esc(c, ru));
		int ty = gb_type(q->from_user);
		if (ty >= 0 && (ty < 111 || ty > 299))
			WHY("%stype code %03d (digits 11-13 of %s) is not a device (111-199) or platform "
			    "(200-299) code", l ? "; " : "", ty, diag_esc(c, q->from_user));
		int rt = gb_type(ru);
		if (rt >= 0 && (rt < 200 || rt > 299))
			WHY("%splatform ID %s has type code %03d, not a platform code (200-299)",
			    l ? "; " : "", diag_esc(c, ru), rt);
#undef WHY
		if (!l)
			continue;
		struct diag_frames fr = { 0 };
		diag_frames_txn(&fr, t);
		diag_emit(c, a, &fr,
			  "Configure the device ID (From = To user) and the platform ID (Request-URI user) as "
			  "the 20-digit codes of GB/T 28181 Appendix D.",
			  "GB/T 28181 IDs of %s are malformed: %s.", diag_esc(c, a->aor), why);
	}
}

/* ---------------------------------------------------------------- GB-DOMAIN */

static bool str_eq_ci(const char *a, const char *b)
{
	return a && b && strcasecmp(a, b) == 0;
}

/* To host of a request (from its To URI "sip:user@host[:port];..."). */
static const char *uri_host(const char *uri, char *b, size_t n)
{
	b[0] = 0;
	if (!uri)
		return b;
	const char *p = strchr(uri, '@');
	p = p ? p + 1 : strchr(uri, ':');
	if (!p)
		return b;
	if (*p == ':')
		p++;
	size_t l = strcspn(p, ":;>?");
	if (l >= n)
		l = n - 1;
	memcpy(b, p, l);
	b[l] = 0;
	return b;
}

static void rule_domain(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	if (!gb_on(c))
		return;
	FOR_EACH_AOR(c, a) {
		/* did authentication fail: an authorized REGISTER answered 401/407
		 * without stale, or a 403 */
		const struct txn *fail = NULL;
		for (size_t i = 0; i < a->txns.n && !fail; i++) {
			const struct txn *t = a->txns.v[i];
			if (t->final_status == 403 ||
			    (diag_has_creds(t) && diag_is_challenge(t->final_status) && !diag_final_stale(t)))
				fail = t;
		}
		if (!fail || !fail->req)
			continue;
		char ru[64], dom[16], th[128], why[400];
		ruri_user(fail->req->ruri, ru, sizeof ru);
		if (!gb_code(ru))
			continue;       /* GB-ID-FORMAT says that; no platform domain to compare */
		memcpy(dom, ru, 10);
		dom[10] = 0;
		why[0] = 0;
		uri_host(fail->req->to_uri, th, sizeof th);
		const struct sip_cred *cr = diag_first_cred(fail);
		const struct sip_chal *ch = NULL;
		for (size_t i = 0; i < a->txns.n && !ch; i++)
			ch = diag_first_chal(a->txns.v[i]);
		if (th[0] && !cp_is_ip(th) && !str_eq_ci(th, dom))
			snprintf(why, sizeof why, "device SIP domain (To host) '%s'", diag_esc(c, th));
		else if (ch && ch->realm && !str_eq_ci(ch->realm, dom))
			snprintf(why, sizeof why, "digest realm '%s' of the challenge", diag_esc(c, ch->realm));
		else if (cr && cr->realm && !str_eq_ci(cr->realm, dom))
			snprintf(why, sizeof why, "digest realm '%s' in the device's credentials",
				 diag_esc(c, cr->realm));
		else
			continue;
		struct diag_frames fr = { 0 };
		diag_frames_txn(&fr, fail);
		diag_emit(c, a, &fr,
			  "Set the device's SIP server domain to the first 10 digits of the platform ID "
			  "(WVP reports this as \"password or SIP server ID wrong\").",
			  "GB/T 28181: %s differs from the platform domain '%s' (first 10 digits of platform ID %s) while "
			  "the platform answers %d for %s.", why, dom, diag_esc(c, ru), fail->final_status,
			  diag_esc(c, a->aor));
	}
}

/* ---------------------------------------------------------------- keepalives */

/* A MESSAGE whose MANSCDP body says <CmdType>Keepalive</CmdType>. */
static bool is_keepalive(const struct txn *t)
{
	if (!t->req || !t->method || strcasecmp(t->method, "MESSAGE") != 0 || !t->req->body)
		return false;
	const char *b = t->req->body, *e = b + t->req->body_len;
	static const char tag[] = "<CmdType>";
	for (const char *p = b; p + sizeof tag - 1 <= e; p++) {
		if (strncasecmp(p, tag, sizeof tag - 1) != 0)
			continue;
		const char *q = p + sizeof tag - 1;
		while (q < e && (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n'))
			q++;
		return (size_t)(e - q) >= 9 && strncasecmp(q, "Keepalive", 9) == 0;
	}
	return false;
}

/* Device ID of an AOR: the user of its REGISTERs' To. */
static const char *device_id(const struct aor_hist *a)
{
	const struct txn *t = first_req(a);
	return t ? t->req->to_user : NULL;
}

/* Keepalive MESSAGEs sorted by sending device (From user), then frame
 * order: built once per run, so a device's keepalives are a binary search
 * away instead of a walk over every transaction per AOR. */
struct gb_ka {
	const struct txn *t;
	size_t ix;              /* index in m->txns */
};

static int cmp_ka(const void *pa, const void *pb)
{
	const struct gb_ka *a = pa, *b = pb;
	int d = strcmp(a->t->req->from_user, b->t->req->from_user);
	if (d)
		return d;
	return a->ix < b->ix ? -1 : a->ix > b->ix;
}

/* The keepalives of device dev, in frame order: *n of them from the result. */
static const struct gb_ka *dev_keepalives(struct diag_ctx *c, const char *dev, size_t *n)
{
	*n = 0;
	if (!dev)
		return NULL;
	struct diag_gb_state *s = gb_state(c);
	if (!s)
		return NULL;
	if (!s->ka) {
		s->ka = malloc((c->m->txns.n ? c->m->txns.n : 1) * sizeof *s->ka);
		if (!s->ka)
			return NULL;
		s->nka = 0;
		for (size_t i = 0; i < c->m->txns.n; i++) {
			const struct txn *t = c->m->txns.v[i];
			if (is_keepalive(t) && t->req->from_user)
				s->ka[s->nka++] = (struct gb_ka){ t, i };
		}
		qsort(s->ka, s->nka, sizeof *s->ka, cmp_ka);
	}
	size_t lo = 0, hi = s->nka;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(s->ka[mid].t->req->from_user, dev) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t e = lo;
	while (e < s->nka && strcmp(s->ka[e].t->req->from_user, dev) == 0)
		e++;
	*n = e - lo;
	return s->ka + lo;
}

static void rule_keepalive_missing(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	if (!gb_on(c))
		return;
	double iv = diag_param(c, "gb-keepalive-interval"), miss = diag_param(c, "gb-keepalive-misses");
	FOR_EACH_AOR(c, a) {
		const char *dev = device_id(a);
		const struct txn *reg = NULL;
		for (size_t i = 0; i < a->txns.n && !reg; i++)
			if (cp_is_refresh_ok(a->txns.v[i]))
				reg = a->txns.v[i];
		if (!reg || !dev)
			continue;
		/* registered from the first 200 to a successful removal or the capture end */
		int64_t end = c->m->capture_end_ns;
		for (size_t i = 0; i < a->txns.n; i++) {
			const struct txn *t = a->txns.v[i];
			if (t->t_first > reg->t_final && t->attempt && t->attempt->deregister &&
			    t->final_status / 100 == 2) {
				end = t->t_final;
				break;
			}
		}
		int64_t last = reg->t_final, g_from = 0, g_to = 0;
		double gap = 0;
		unsigned nka = 0;
		size_t nk;
		const struct gb_ka *ka = dev_keepalives(c, dev, &nk);
		for (size_t i = 0; i < nk; i++) {
			const struct txn *t = ka[i].t;
			if (t->t_first <= reg->t_final || t->t_first > end)
				continue;
			nka++;
			if (diag_secs(last, t->t_first) > gap) {
				gap = diag_secs(last, t->t_first);
				g_from = last;
				g_to = t->t_first;
			}
			last = t->t_first;
		}
		if (diag_secs(last, end) > gap) {
			gap = diag_secs(last, end);
			g_from = last;
			g_to = end;
		}
		if (gap <= iv * miss)
			continue;
		char t1[64], t2[64];
		struct diag_frames fr = { 0 };
		diag_frames_txn(&fr, reg);
		diag_emit(c, a, &fr,
			  "Enable the device's heartbeat (keepalive MESSAGE, default every 60 s) and check "
			  "the MESSAGEs reach the platform.",
			  "GB/T 28181: no keepalive from device %s for %.1f s (%s to %s; %u keepalive%s seen "
			  "after the registration); the platform marks it offline after %.0f x %.0f s.",
			  diag_esc(c, dev), gap, cp_time(c->m, g_from, t1, sizeof t1),
			  cp_time(c->m, g_to, t2, sizeof t2), nka, nka == 1 ? "" : "s", miss, iv);
	}
}

static void rule_keepalive_rejected(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	if (!gb_on(c))
		return;
	double win = diag_param(c, "gb-rereg-window");
	FOR_EACH_AOR(c, a) {
		const char *dev = device_id(a);
		if (!dev)
			continue;
		size_t nk;
		const struct gb_ka *ka = dev_keepalives(c, dev, &nk);
		for (size_t i = 0; i < nk; i++) {
			const struct txn *k = ka[i].t;
			if (k->final_status < 400)
				continue;
			if (c->m->capture_end_ns < k->t_final + diag_ns(win))
				continue;       /* the capture does not show the next 60 s */
			const struct txn *rr = NULL;
			for (size_t j = 0; j < a->txns.n && !rr; j++) {
				const struct txn *t = a->txns.v[j];
				if (t->t_first > k->t_final)
					rr = t;
			}
			if (rr && rr->t_first <= k->t_final + diag_ns(win))
				continue;
			char t1[64], nb[64];
			if (rr)
				snprintf(nb, sizeof nb, "the next REGISTER came %.1f s later",
					 diag_secs(k->t_final, rr->t_first));
			else
				snprintf(nb, sizeof nb, "no REGISTER followed");
			struct diag_frames fr = { 0 };
			diag_frames_txn(&fr, k);
			if (rr)
				diag_frames_msg(&fr, rr->req);
			diag_emit(c, a, &fr,
				  "The platform no longer knows the device (platform restart, expired "
				  "registration): the device must re-REGISTER when a keepalive is refused.",
				  "GB/T 28181: the platform answered the keepalive of device %s with %d %s at %s "
				  "and %s (must re-register within %.0f s).", diag_esc(c, dev), k->final_status,
				  diag_esc(c, k->final ? k->final->reason : NULL),
				  cp_time(c->m, k->t_final, t1, sizeof t1), nb, win);
			break;
		}
	}
}

/* ---------------------------------------------------------------- GB-DATE */

/* yyyy-MM-ddTHH:mm:ss[.SSS] */
static bool gb_date(const char *s)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:dd";
	if (!s)
		return false;
	for (size_t i = 0; i < sizeof pat - 1; i++) {
		char p = pat[i], ch = s[i];
		if (!ch)
			return false;
		if (p == 'd' ? (ch < '0' || ch > '9') : ch != p)
			return false;
	}
	const char *q = s + sizeof pat - 1;
	if (*q == '.') {
		q++;
		int n = 0;
		while (*q >= '0' && *q <= '9' && n < 6) {
			q++;
			n++;
		}
		if (!n)
			return false;
	}
	return *q == 0;
}

static void rule_date(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	if (!gb_on(c))
		return;
	FOR_EACH_AOR(c, a) {
		const struct txn *ok = NULL;
		for (size_t i = 0; i < a->txns.n && !ok; i++)
			if (cp_is_refresh_ok(a->txns.v[i]))
				ok = a->txns.v[i];
		if (!ok)
			continue;
		struct diag_frames fr = { 0 };
		diag_frames_msg(&fr, ok->final);
		const char *d = ok->final->date;
		if (gb_date(d))
			diag_emit(c, a, &fr, NULL,
				  "GB/T 28181: the platform sent time sync in the 200 for %s: Date %s.",
				  diag_esc(c, a->aor), diag_esc(c, d));
		else
			diag_emit(c, a, &fr,
				  "Devices that sync their clock from the registration need the platform to "
				  "send Date: yyyy-MM-ddTHH:mm:ss.SSS in the 200 (GB/T 28181 §9.10).",
				  "GB/T 28181: the platform did not send time sync in the 200 for %s (%s%s%s).",
				  diag_esc(c, a->aor), d ? "Date '" : "no Date header", d ? diag_esc(c, d) : "",
				  d ? "' is not yyyy-MM-ddTHH:mm:ss.SSS" : "");
	}
}

/* ---------------------------------------------------------------- the table */

static const struct diag_param p_exp[] = {
	{ "gb-expires-min", 3600, "s", "GB/T 28181 minimum registration expiry" },
	{ NULL, 0, NULL, NULL },
};

static const struct diag_param p_retry[] = {
	{ "gb-retry-min", 60, "s", "GB/T 28181 minimum wait after a failed registration" },
	{ NULL, 0, NULL, NULL },
};

static const struct diag_param p_ka[] = {
	{ "gb-keepalive-interval", 60, "s", "GB/T 28181 keepalive interval" },
	{ "gb-keepalive-misses", 3, "count", "missed keepalives before the device is offline" },
	{ NULL, 0, NULL, NULL },
};

static const struct diag_param p_rereg[] = {
	{ "gb-rereg-window", 60, "s", "time to re-REGISTER after a refused keepalive" },
	{ NULL, 0, NULL, NULL },
};

const struct diag_rule diag_rules_gb[] = {
	{ "GB-PROFILE", SEV_INFO, "GB/T 28181 profile on (--profile gb28181 or 20-digit IDs)", NULL,
	  rule_profile, DIAG_CAPTURE, .kind = FK_PATTERN },
	{ "GB-ID-FORMAT", SEV_ERR, "GB/T 28181 device/platform ID malformed", NULL,
	  rule_id_format, DIAG_PER_AOR, .kind = FK_CAUSE },
	{ "GB-DOMAIN", SEV_ERR, "GB/T 28181 domain/realm differs from the platform domain", NULL,
	  rule_domain, DIAG_PER_AOR, .kind = FK_CAUSE },
	{ "GB-KEEPALIVE-MISSING", SEV_ERR, "GB/T 28181 keepalive absent for 3 intervals", p_ka,
	  rule_keepalive_missing, DIAG_PER_AOR, .kind = FK_PATTERN },
	{ "GB-KEEPALIVE-REJECTED", SEV_ERR, "GB/T 28181 keepalive refused, no re-REGISTER", p_rereg,
	  rule_keepalive_rejected, DIAG_PER_AOR, .kind = FK_PATTERN },
	{ "GB-EXPIRES-SHORT", SEV_WARN, "GB/T 28181 expiry below 3600 s", p_exp,
	  rule_expires_short, DIAG_PER_AOR, .kind = FK_PATTERN },
	{ "GB-RETRY-FAST", SEV_WARN, "GB/T 28181 retry within 60 s of a failure", p_retry,
	  rule_retry_fast, DIAG_PER_AOR, .kind = FK_PATTERN },
	{ "GB-DATE", SEV_INFO, "GB/T 28181 time sync (Date) in the 200", NULL,
	  rule_date, DIAG_PER_AOR, .kind = FK_PATTERN },
	{ NULL, 0, NULL, NULL, NULL, DIAG_CAPTURE, FK_PATTERN, false },
};
