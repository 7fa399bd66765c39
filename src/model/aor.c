/* SPDX-License-Identifier: GPL-2.0-or-later */
/* aor.c - canonical address-of-record and contact keys.
 *
 * Owns: aor_canonical() (RFC 3261 §10.3: the AOR is the To URI reduced to
 * scheme:user@host[:port]) and aor_contact_key() (the §19.1.4 comparison
 * of Contact URIs, as a string key).  Input is captured text: every byte is
 * checked, nothing is copied into fixed-size buffers.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model_int.h"

/* growable output string */
struct sbuf {
	char *s;
	size_t n, cap;
};

/* room for `need` more bytes and the NUL */
static void sb_reserve(struct sbuf *b, size_t need)
{
	if (b->n + need + 1 <= b->cap)
		return;
	size_t nc = b->cap ? b->cap * 2 : 64;
	while (nc < b->n + need + 1)
		nc *= 2;
	char *ns = realloc(b->s, nc);
	if (!ns)
		abort();
	b->s = ns;
	b->cap = nc;
}

static inline void sb_putc(struct sbuf *b, char c)
{
	if (b->n + 2 > b->cap)
		sb_reserve(b, 1);
	b->s[b->n++] = c;
	b->s[b->n] = '\0';
}

static void sb_putn(struct sbuf *b, const char *p, size_t n, bool lower)
{
	sb_reserve(b, n);
	char *d = b->s + b->n;
	if (lower)
		for (size_t i = 0; i < n; i++)
			d[i] = (char)tolower((unsigned char)p[i]);
	else
		memcpy(d, p, n);
	b->n += n;
	b->s[b->n] = '\0';
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decode %XX escapes; an escape that would give a control character (or
 * NUL) stays escaped, in upper-case hex, so the result is still text. */
static void sb_put_unescaped(struct sbuf *b, const char *p, size_t n, bool drop_visual)
{
	if (!drop_visual && !memchr(p, '%', n)) {   /* the usual case: nothing to decode */
		sb_putn(b, p, n, false);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)p[i];
		if (c == '%' && i + 2 < n &&
		    hexval((unsigned char)p[i + 1]) >= 0 && hexval((unsigned char)p[i + 2]) >= 0) {
			int v = hexval((unsigned char)p[i + 1]) * 16 + hexval((unsigned char)p[i + 2]);
			i += 2;
			if (v < 0x20 || v == 0x7f) {
				static const char hx[] = "0123456789ABCDEF";
				sb_putc(b, '%');
				sb_putc(b, hx[v >> 4]);
				sb_putc(b, hx[v & 15]);
				continue;
			}
			c = v;
		}
		if (drop_visual && (c == '-' || c == '.' || c == '(' || c == ')'))
			continue;
		sb_putc(b, (char)c);
	}
}

/* Locate the URI inside "Display <uri>;params" or return the whole text. */
static void uri_span(const char *s, const char **b, const char **e)
{
	while (*s == ' ' || *s == '\t')
		s++;
	const char *lt = strchr(s, '<');
	if (lt) {
		const char *gt = strchr(lt + 1, '>');
		*b = lt + 1;
		*e = gt ? gt : lt + 1 + strlen(lt + 1);
	} else {
		*b = s;
		*e = s + strlen(s);
	}
	while (*e > *b && ((*e)[-1] == ' ' || (*e)[-1] == '\t' || (*e)[-1] == '\r' || (*e)[-1] == '\n'))
		(*e)--;
	while (*b < *e && (**b == ' ' || **b == '\t'))
		(*b)++;
}

static const char *memchr_c(const char *b, const char *e, char c)
{
	if (e <= b)
		return NULL;
	return memchr(b, c, (size_t)(e - b));
}

struct uri_parts {
	const char *scheme, *scheme_e;
	const char *user, *user_e;      /* NULL when no userinfo */
	const char *host, *host_e;
	const char *port, *port_e;      /* NULL when absent */
	const char *params, *params_e;  /* after the first ';' of hostport, NULL if none */
	const char *rest, *rest_e;      /* opaque part for other schemes */
};

static bool uri_split(const char *uri, struct uri_parts *u)
{
	const char *b, *e;
	memset(u, 0, sizeof *u);
	uri_span(uri, &b, &e);
	if (b >= e)
		return false;
	const char *colon = memchr_c(b, e, ':');
	if (!colon || colon == b)
		return false;
	for (const char *p = b; p < colon; p++)
		if (!isalnum((unsigned char)*p) && *p != '+' && *p != '-' && *p != '.')
			return false;
	u->scheme = b;
	u->scheme_e = colon;
	const char *r = colon + 1;
	const char *q = memchr_c(r, e, '?');          /* headers: dropped */
	if (q)
		e = q;
	u->rest = r;
	u->rest_e = e;
	const char *at = NULL;
	/* the userinfo ends at the last '@' (an unescaped '@' cannot be in it,
	 * but a broken UA may send one: the host is what follows the last) */
	for (const char *p = r; p < e; p++)
		if (*p == '@')
			at = p;
	const char *hp = r;
	if (at) {
		u->user = r;
		u->user_e = at;
		const char *pw = memchr_c(r, at, ':');     /* user:password */
		if (pw)
			u->user_e = pw;
		hp = at + 1;
	}
	const char *semi = memchr_c(hp, e, ';');
	const char *hpe = semi ? semi : e;
	if (semi) {
		u->params = semi + 1;
		u->params_e = e;
	}
	if (hp < hpe && *hp == '[') {
		const char *rb = memchr_c(hp, hpe, ']');
		u->host = hp;
		u->host_e = rb ? rb + 1 : hpe;
		const char *pc = u->host_e;
		if (pc < hpe && *pc == ':') {
			u->port = pc + 1;
			u->port_e = hpe;
		}
	} else {
		const char *pc = memchr_c(hp, hpe, ':');
		u->host = hp;
		u->host_e = pc ? pc : hpe;
		if (pc) {
			u->port = pc + 1;
			u->port_e = hpe;
		}
	}
	return true;
}

static bool scheme_is(const struct uri_parts *u, const char *s)
{
	size_t n = (size_t)(u->scheme_e - u->scheme);
	return strlen(s) == n && strncasecmp(u->scheme, s, n) == 0;
}

static void put_port(struct sbuf *b, const struct uri_parts *u)
{
	if (!u->port || u->port >= u->port_e)
		return;
	/* digits only, leading zeros dropped ("05060" == "5060") */
	const char *p = u->port;
	for (const char *x = p; x < u->port_e; x++) {
		if (!isdigit((unsigned char)*x)) {
			sb_putc(b, ':');
			sb_putn(b, p, (size_t)(u->port_e - p), false);
			return;
		}
	}
	while (p + 1 < u->port_e && *p == '0')
		p++;
	sb_putc(b, ':');
	sb_putn(b, p, (size_t)(u->port_e - p), false);
}

static char *canon(const char *uri, bool contact)
{
	struct uri_parts u;
	if (!uri || !uri_split(uri, &u)) {
		if (!uri)
			return NULL;
		/* not a URI: keep the text trimmed, so it still groups */
		const char *b, *e;
		uri_span(uri, &b, &e);
		if (b >= e)
			return NULL;
		struct sbuf o = {0};
		sb_putn(&o, b, (size_t)(e - b), false);
		return o.s;
	}
	struct sbuf o = {0};
	sb_putn(&o, u.scheme, (size_t)(u.scheme_e - u.scheme), true);
	sb_putc(&o, ':');
	if (scheme_is(&u, "sip") || scheme_is(&u, "sips")) {
		if (u.user && u.user < u.user_e) {
			sb_put_unescaped(&o, u.user, (size_t)(u.user_e - u.user), false);
			sb_putc(&o, '@');
		}
		sb_putn(&o, u.host, (size_t)(u.host_e - u.host), true);
		put_port(&o, &u);
		if (contact && u.params) {
			/* §19.1.4: these parameters take part in URI comparison */
			static const char *const keep[] = { "maddr", "method", "transport", "ttl", "user" };
			for (size_t k = 0; k < sizeof keep / sizeof keep[0]; k++) {
				size_t kl = strlen(keep[k]);
				const char *p = u.params;
				while (p < u.params_e) {
					const char *pe = memchr_c(p, u.params_e, ';');
					if (!pe)
						pe = u.params_e;
					if ((size_t)(pe - p) >= kl && strncasecmp(p, keep[k], kl) == 0 &&
					    (p + kl == pe || p[kl] == '=')) {
						sb_putc(&o, ';');
						sb_putn(&o, p, (size_t)(pe - p), true);
						break;
					}
					p = pe + 1;
				}
			}
		}
	} else if (scheme_is(&u, "tel")) {
		const char *semi = memchr_c(u.rest, u.rest_e, ';');
		const char *e = semi ? semi : u.rest_e;
		/* RFC 3966 §4: visual separators do not count */
		sb_put_unescaped(&o, u.rest, (size_t)(e - u.rest), true);
	} else {
		const char *semi = memchr_c(u.rest, u.rest_e, ';');
		const char *e = semi ? semi : u.rest_e;
		sb_put_unescaped(&o, u.rest, (size_t)(e - u.rest), false);
	}
	return o.s;
}

char *aor_canonical(const char *uri)
{
	return canon(uri, false);
}

char *aor_contact_key(const char *uri)
{
	return canon(uri, true);
}

/* States are settled by model_finish(); until then the last REGISTER
 * transaction tells what is going on (live screens and metrics). */
enum aor_state aor_state_now(const struct model *m, const struct aor_hist *a)
{
	if (m->finished || a->state != AOR_UNKNOWN || !a->txns.n)
		return a->state;
	const struct txn *t = a->txns.v[a->txns.n - 1];
	int s = t->final_status;
	if (!s)
		return t->outcome == TXN_TIMEOUT ? AOR_TIMEOUT : AOR_UNKNOWN;
	if (s >= 200 && s < 300) {
		const struct sip_msg *r = t->req;
		bool dereg = r && ((r->ncontacts > 0 && (r->contacts[0].star || r->contacts[0].expires == 0)) ||
				   (r->ncontacts > 0 && r->contacts[0].expires < 0 && r->expires == 0));
		return dereg ? AOR_UNREGISTERED : AOR_REGISTERED;
	}
	if (s == 401 || s == 407)
		return AOR_CHALLENGED;
	return s >= 300 ? AOR_FAILED : AOR_UNKNOWN;
}
