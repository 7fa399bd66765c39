/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sip.c - one framed SIP message -> struct sip_msg, through libosip2.
 *
 * libosip2 does the parsing; this file decides what it may see (start line
 * found, Content-Length repaired for datagrams), copies the ~40 fields the
 * rest of regtrace needs into one blob, and frees the osip message at once.
 * When libosip2 rejects a message (bad Via, CSeq, Contact ...) a tolerant
 * line scanner recovers the start line, Call-ID, CSeq and top Via so the
 * message is still listed, marked malformed with a reason.  One more walk
 * over the header lines as sent (take_lines) keeps what libosip2 unfolds
 * or drops and the rules need: lines per name, the first Unsupported, NAT
 * marks in Contact.  scan_header() is the tree's one raw-header scanner.
 */
#include "sip.h"
#include "cursor.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osipparser2/osip_parser.h>
#include <osipparser2/osip_port.h>

/* ---------------------------------------------------------------- libosip2's memory */

/* libosip2 allocates every node, list cell and string of a parse on its
 * own (well over a hundred per message) and frees them one by one in
 * osip_message_free(): malloc and free were the biggest cost of a parse.
 * While sip_parse() runs with a scratch, what libosip2 allocates on that
 * thread comes from a bump arena in the scratch instead and goes all at
 * once when the record is built.  Elsewhere (other threads, osip calls
 * outside sip_parse) its allocator is plain malloc. */
struct sip_osa_chunk {
	struct sip_osa_chunk *next;
	size_t cap, used;
	max_align_t data[];
};

#define OSA_CHUNK (64u * 1024)
#define OSA_HDR 16u             /* the size, for realloc; keeps 16-alignment */
#define OSA_RED 16u             /* poisoned gap after each block (ASan) */

#if defined(__SANITIZE_ADDRESS__)
#define OSA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OSA_ASAN 1
#endif
#endif
#ifdef OSA_ASAN
#include <sanitizer/asan_interface.h>
#define osa_poison(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define osa_unpoison(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define osa_poison(p, n) ((void)(p), (void)(n))
#define osa_unpoison(p, n) ((void)(p), (void)(n))
#endif

static _Thread_local struct sip_scratch *osa_cur;

static bool osa_owns(const struct sip_scratch *s, const void *p)
{
	uintptr_t a = (uintptr_t)p;
	for (const struct sip_osa_chunk *c = s->osa; c; c = c->next)
		if (a >= (uintptr_t)c->data && a < (uintptr_t)c->data + c->cap)
			return true;
	return false;
}

static void *osa_malloc(size_t n)
{
	struct sip_scratch *s = osa_cur;
	if (!s)
		return malloc(n);
	size_t body = ((n ? n : 1) + 15) & ~(size_t)15;
	if (body < n)
		return NULL;
	size_t need = OSA_HDR + body + OSA_RED;
	struct sip_osa_chunk *c = s->osa;
	if (!c || c->cap - c->used < need) {
		size_t cap = need > OSA_CHUNK ? need : OSA_CHUNK;
		struct sip_osa_chunk *nc = malloc(sizeof *nc + cap);
		if (!nc)
			return NULL;
		nc->cap = cap;
		nc->used = 0;
		nc->next = c;
		osa_poison(nc->data, cap);
		s->osa = c = nc;
	}
	char *p = (char *)c->data + c->used;
	c->used += need;
	osa_unpoison(p, OSA_HDR + n);
	*(size_t *)p = n;
	osa_poison(p, OSA_HDR);
	return p + OSA_HDR;
}

static void osa_free(void *p)
{
	struct sip_scratch *s = osa_cur;
	if (s && osa_owns(s, p)) {
		/* goes with the arena; poisoned so a use after free still shows */
		char *h = (char *)p - OSA_HDR;
		osa_unpoison(h, OSA_HDR);
		size_t n = *(size_t *)h;
		osa_poison(h, OSA_HDR + n);
		return;
	}
	free(p);
}

static void *osa_realloc(void *p, size_t n)
{
	struct sip_scratch *s = osa_cur;
	if (!p)
		return osa_malloc(n);
	if (!s || !osa_owns(s, p))
		return realloc(p, n);
	char *h = (char *)p - OSA_HDR;
	osa_unpoison(h, OSA_HDR);
	size_t old = *(size_t *)h;
	osa_poison(h, OSA_HDR);
	void *q = osa_malloc(n);
	if (q) {
		memcpy(q, p, old < n ? old : n);
		osa_free(p);
	}
	return q;
}

/* Everything libosip2 took in this parse is gone: keep the newest chunk
 * for the next message (unless one huge message made it big). */
static void osa_reset(struct sip_scratch *s)
{
	struct sip_osa_chunk *c = s->osa;
	if (!c)
		return;
	for (struct sip_osa_chunk *o = c->next, *nx; o; o = nx) {
		nx = o->next;
		osa_unpoison(o->data, o->cap);
		free(o);
	}
	c->next = NULL;
	if (c->cap > 16 * OSA_CHUNK) {
		osa_unpoison(c->data, c->cap);
		free(c);
		s->osa = NULL;
		return;
	}
	c->used = 0;
	osa_poison(c->data, c->cap);
}

/* ---------------------------------------------------------------- set-up */

static void sip_trace_sink(const char *fi, int li, osip_trace_level_t level,
			   const char *chfr, va_list ap)
{
	/* libosip2 would print to stdout; its messages are not ours to show */
	(void)fi; (void)li; (void)level; (void)chfr; (void)ap;
}

void sip_global_init(void)
{
	static int done;
	if (done)
		return;
	done = 1;
	osip_trace_initialize_func(TRACE_LEVEL0, sip_trace_sink);
	osip_set_allocators(osa_malloc, osa_realloc, osa_free);
	parser_init();
}

/* ---------------------------------------------------------------- start line */

static bool is_token_char(uint8_t c)
{
	/* c != 0: strchr() would find the terminator */
	return isalnum(c) || (c && strchr("-.!%*_+`'~", c) != NULL);
}

static bool is_sp(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/* Request line: token SP uri SP "SIP/2.0"; status line: "SIP/2.0" SP 3DIGIT
 * (RFC 3261 §7.1, §7.2).  Leniently also: runs of spaces or tabs for SP,
 * the version in any case, trailing blanks; sip_start_canonical() says
 * whether the line needs rewriting before libosip2 sees it. */
bool sip_looks_like_sip(const uint8_t *p, size_t n)
{
	/* the line ends at CR or LF (a lone CR ends it too, as in
	 * Wireshark's tvb_find_line_end) */
	size_t end = 0;
	while (end < n && p[end] != '\n' && p[end] != '\r')
		end++;
	if (end < 11)
		return false;
	if (strncasecmp((const char *)p, "SIP/2.0", 7) == 0 && is_sp(p[7])) {
		size_t i = 8;
		while (i < end && is_sp(p[i]))
			i++;
		return i + 3 <= end && isdigit(p[i]) && isdigit(p[i + 1]) && isdigit(p[i + 2]) &&
		       (i + 3 == end || is_sp(p[i + 3]));
	}
	size_t i = 0;
	while (i < end && is_token_char(p[i]))
		i++;
	if (i == 0 || i >= end || !is_sp(p[i]))
		return false;
	while (end > i && is_sp(p[end - 1]))
		end--;
	if (end < 8 + i + 2 || !is_sp(p[end - 8]) ||
	    strncasecmp((const char *)p + end - 7, "SIP/2.0", 7) != 0)
		return false;
	/* a URI between the blanks, with no blank inside */
	size_t u = i, ue = end - 8;
	while (u < ue && is_sp(p[u]))
		u++;
	while (ue > u && is_sp(p[ue - 1]))
		ue--;
	if (ue == u)
		return false;
	for (size_t j = u; j < ue; j++)
		if (p[j] < 0x21)
			return false;
	return true;
}

/* The start line as RFC 3261 §7.1/§7.2 writes it, for a line that
 * sip_looks_like_sip() accepted: "M SP uri SP SIP/2.0" or "SIP/2.0 SP code
 * SP reason".  Returns its length in out (at most n + 16 bytes, NUL not
 * counted), or 0 when the line is already canonical.  *eol is where the
 * original line ends. */
static size_t sip_start_canonical(const uint8_t *p, size_t n, char *out, size_t outsz, size_t *eol)
{
	size_t end = 0;
	while (end < n && p[end] != '\n' && p[end] != '\r')
		end++;
	*eol = end;
	size_t k = 0;
	if (strncasecmp((const char *)p, "SIP/2.0", 7) == 0 && is_sp(p[7])) {
		size_t i = 8;
		while (i < end && is_sp(p[i]))
			i++;
		size_t r = i + 3;
		while (r < end && is_sp(p[r]))
			r++;
		if (memcmp(p, "SIP/2.0 ", 8) == 0 && i == 8 && i + 3 < end && p[i + 3] == ' ' &&
		    (r == i + 4 || r == end))
			return 0;
		if (outsz < 8 + 4 + (end - r) + 1)
			return 0;
		memcpy(out, "SIP/2.0 ", 8);
		memcpy(out + 8, p + i, 3);
		out[11] = ' ';
		k = 12;
		memcpy(out + k, p + r, end - r);
		k += end - r;
	} else {
		size_t i = 0;
		while (i < end && is_token_char(p[i]))
			i++;
		size_t e = end;
		while (e > i && is_sp(p[e - 1]))
			e--;
		size_t u = i, ue = e - 8;
		while (u < ue && is_sp(p[u]))
			u++;
		while (ue > u && is_sp(p[ue - 1]))
			ue--;
		if (e == end && p[i] == ' ' && u == i + 1 && ue == e - 8 && p[ue] == ' ' &&
		    memcmp(p + e - 7, "SIP/2.0", 7) == 0)
			return 0;
		if (outsz < i + (ue - u) + 10)
			return 0;
		memcpy(out, p, i);
		k = i;
		out[k++] = ' ';
		memcpy(out + k, p + u, ue - u);
		k += ue - u;
		memcpy(out + k, " SIP/2.0", 8);
		k += 8;
	}
	out[k] = '\0';
	return k;
}

static bool known_method_at(const uint8_t *p, size_t n)
{
	static const char *const methods[] = {
		"REGISTER ", "INVITE ", "ACK ", "BYE ", "CANCEL ", "OPTIONS ", "SUBSCRIBE ",
		"NOTIFY ", "PUBLISH ", "MESSAGE ", "INFO ", "PRACK ", "UPDATE ", "REFER ", "SIP/2.0 ",
	};
	for (size_t i = 0; i < sizeof methods / sizeof *methods; i++) {
		size_t l = strlen(methods[i]);
		if (n >= l && memcmp(p, methods[i], l) == 0)
			return true;
	}
	return false;
}

/* Offset of the start line, skipping leading CRLFs and a few junk bytes
 * (zeek's sip-junk-before-request capture: "DB" glued to "REGISTER", which
 * tshark reads as REGISTER); -1 when none.  An extension method at the
 * very start is taken as is. */
static long sip_find_start(const uint8_t *p, size_t n, unsigned *lenient)
{
	size_t i = 0;
	while (i < n && (p[i] == '\r' || p[i] == '\n'))
		i++;
	if (known_method_at(p + i, n - i) && sip_looks_like_sip(p + i, n - i))
		return (long)i;
	for (size_t k = i + 1; k < n && k < i + 16; k++) {
		if (known_method_at(p + k, n - k) && sip_looks_like_sip(p + k, n - k)) {
			*lenient |= SIP_LEN_LEADING_JUNK;
			return (long)k;
		}
	}
	return sip_looks_like_sip(p + i, n - i) ? (long)i : -1;
}

/* ---------------------------------------------------------------- framing */

/* Index just past the empty line ending the headers, 0 if not found.
 * Accepts CRLFCRLF and bare LFLF. */
static size_t hdr_end(const uint8_t *p, size_t n, bool *lf_only)
{
	for (size_t i = 0; i + 1 < n; i++) {
		const uint8_t *nl = memchr(p + i, '\n', n - 1 - i);
		if (!nl)
			break;
		i = (size_t)(nl - p);
		if (p[i + 1] == '\n') {
			if (lf_only && (i == 0 || p[i - 1] != '\r'))
				*lf_only = true;
			return i + 2;
		}
		if (p[i + 1] == '\r' && i + 2 < n && p[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

static bool hdr_name_is(const uint8_t *line, size_t len, const char *name, size_t *val)
{
	size_t nl = strlen(name);
	if (len <= nl || strncasecmp((const char *)line, name, nl) != 0)
		return false;
	size_t i = nl;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i >= len || line[i] != ':')
		return false;
	i++;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	*val = i;
	return true;
}

/* Content-Length (or compact "l") from the header block: -1 absent,
 * -2 present but not a number. *line_off/line_len locate the header. */
static long find_content_length(const uint8_t *p, size_t hlen, size_t *line_off, size_t *line_len)
{
	size_t i = 0;
	while (i < hlen) {
		const uint8_t *nl = memchr(p + i, '\n', hlen - i);
		size_t e = nl ? (size_t)(nl - p) : hlen;
		size_t len = e - i;
		if (len && p[i + len - 1] == '\r')
			len--;
		size_t v;
		uint8_t c0 = len ? (uint8_t)(p[i] | 0x20) : 0;
		if (i > 0 && (c0 == 'c' || c0 == 'l') &&
		    (hdr_name_is(p + i, len, "content-length", &v) ||
		     hdr_name_is(p + i, len, "l", &v))) {
			if (line_off) {
				*line_off = i;
				*line_len = len;
			}
			long cl = 0;
			size_t k = v, digits = 0;
			while (k < len && isdigit(p[i + k])) {
				if (cl > (LONG_MAX - 9) / 10)
					return -2;
				cl = cl * 10 + (p[i + k] - '0');
				k++;
				digits++;
			}
			while (k < len && (p[i + k] == ' ' || p[i + k] == '\t'))
				k++;
			return digits && k == len ? cl : -2;
		}
		i = e + 1;
	}
	return -1;
}

enum sip_frame_rc sip_frame(const uint8_t *p, size_t n, size_t *msg_len)
{
	*msg_len = 0;
	if (n == 0)
		return SIP_FRAME_NEED_MORE;
	/* the start line may still be arriving */
	size_t eol = 0;
	while (eol < n && p[eol] != '\n')
		eol++;
	if (eol == n) {
		/* no full line yet: plausible only if it could become SIP */
		if (strncasecmp((const char *)p, "SIP/2.0 ", n < 8 ? n : 8) != 0) {
			size_t i = 0;
			while (i < n && is_token_char(p[i]))
				i++;
			if (i == 0 || (i < n && p[i] != ' '))
				return SIP_FRAME_NOT_SIP;
		}
		return n > 8192 ? SIP_FRAME_NOT_SIP : SIP_FRAME_NEED_MORE;
	}
	if (!sip_looks_like_sip(p, n))
		return SIP_FRAME_NOT_SIP;
	size_t he = hdr_end(p, n, NULL);
	if (he == 0)
		return SIP_FRAME_NEED_MORE;
	long cl = find_content_length(p, he, NULL, NULL);
	if (cl < 0)
		cl = 0;   /* stream without (valid) Content-Length: no body (§18.3) */
	if ((size_t)cl > SIZE_MAX - he)
		return SIP_FRAME_NOT_SIP;
	if (n - he < (size_t)cl)
		return SIP_FRAME_NEED_MORE;
	*msg_len = he + (size_t)cl;
	return SIP_FRAME_COMPLETE;
}

/* ---------------------------------------------------------------- the blob */

/* Strings are appended to a growing buffer and referenced by offset; once
 * the buffer is final the offsets become pointers (struct slot). */
struct slot { const char **where; size_t off; };

struct sb {
	char *buf;
	size_t len, cap;
	struct sip_scratch *scr;  /* owns buf when set */
	struct slot *slots;       /* fixed first, heap beyond SB_SLOTS */
	size_t nslots, capslots;
	bool oom;
	struct slot fixed[96];
};
#define SB_SLOTS (sizeof ((struct sb *)0)->fixed / sizeof(struct slot))

static void sb_init(struct sb *b, size_t hint, struct sip_scratch *scr)
{
	b->buf = NULL;
	b->len = b->cap = 0;
	b->slots = b->fixed;
	b->nslots = 0;
	b->capslots = SB_SLOTS;
	b->oom = false;
	b->scr = scr;
	if (scr) {
		if (scr->cap < hint) {
			char *nb = realloc(scr->buf, hint);
			if (nb) {
				scr->buf = nb;
				scr->cap = hint;
			}
		}
		b->buf = scr->buf;
		b->cap = scr->cap;
		return;
	}
	b->buf = malloc(hint);
	if (b->buf)
		b->cap = hint;
}

void sip_scratch_free(struct sip_scratch *s)
{
	if (!s)
		return;
	free(s->buf);
	s->buf = NULL;
	s->cap = 0;
	osa_reset(s);
	if (s->osa) {
		osa_unpoison(s->osa->data, s->osa->cap);
		free(s->osa);
		s->osa = NULL;
	}
}

static void sb_release(struct sb *b)
{
	if (!b->scr)
		free(b->buf);
	if (b->slots != b->fixed)
		free(b->slots);
	b->buf = NULL;
}

static bool sb_grow(struct sb *b, size_t need)
{
	if (b->len + need <= b->cap)
		return true;
	size_t nc = b->cap ? b->cap : 1024;
	while (nc < b->len + need)
		nc *= 2;
	char *nb = realloc(b->buf, nc);
	if (!nb) {
		b->oom = true;
		return false;
	}
	b->buf = nb;
	b->cap = nc;
	if (b->scr) {
		b->scr->buf = nb;
		b->scr->cap = nc;
	}
	return true;
}

/* Store n bytes of s as a NUL-terminated string and remember where it goes. */
static void sb_put(struct sb *b, const char **where, const char *s, size_t n)
{
	if (!s || b->oom)
		return;
	if (b->nslots == b->capslots) {
		size_t nc = b->capslots * 2;
		struct slot *ns = b->slots == b->fixed ? malloc(nc * sizeof *ns)
						       : realloc(b->slots, nc * sizeof *ns);
		if (!ns) {
			b->oom = true;
			return;
		}
		if (b->slots == b->fixed)
			memcpy(ns, b->fixed, sizeof b->fixed);
		b->slots = ns;
		b->capslots = nc;
	}
	if (!sb_grow(b, n + 1))
		return;
	memcpy(b->buf + b->len, s, n);
	b->buf[b->len + n] = '\0';
	b->slots[b->nslots++] = (struct slot){ where, b->len };
	b->len += n + 1;
}

static void sb_str(struct sb *b, const char **where, const char *s)
{
	if (s)
		sb_put(b, where, s, strlen(s));
}

/* Unquoted copy: "a\"b" -> a"b; unquoted input is copied as is. */
static void sb_unq(struct sb *b, const char **where, const char *s)
{
	if (!s)
		return;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		/* unquote straight into the buffer: reserve, record, then write */
		if (b->oom || !sb_grow(b, n))
			return;
		size_t start = b->len;
		sb_put(b, where, "", 0);          /* slot at start, 1 byte */
		if (b->oom)
			return;
		b->len = start;
		size_t o = 0;
		for (size_t i = 1; i + 1 < n; i++) {
			if (s[i] == '\\' && i + 2 < n)
				i++;
			b->buf[start + o++] = s[i];
		}
		b->buf[start + o] = '\0';
		b->len = start + o + 1;
		return;
	}
	sb_put(b, where, s, n);
}

/* ---------------------------------------------------------------- helpers */

static long parse_long(const char *s, bool *ok)
{
	*ok = false;
	if (!s)
		return -1;
	while (*s == ' ' || *s == '\t' || *s == '"')
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	char *end;
	long v = strtol(s, &end, 10);
	if (errno)
		return -1;
	while (*end == ' ' || *end == '\t' || *end == '"')
		end++;
	/* Retry-After may carry a comment: "120 (busy)" */
	if (*end && *end != '(' && *end != ';')
		return -1;
	*ok = true;
	return v;
}

static const char *gparam(osip_list_t *l, const char *name, bool *present)
{
	osip_generic_param_t *gp = NULL;
	if (osip_generic_param_get_byname(l, (char *)name, &gp) >= 0 && gp) {
		if (present)
			*present = true;
		return gp->gvalue;
	}
	if (present)
		*present = false;
	return NULL;
}

/* Are all bytes of s alphanumeric or in set?  Such text osip_uri_to_str()
 * copies as is (RFC 3261 §25.1: user-unreserved, param-unreserved). */
static bool uri_plain(const char *s, const char *set, size_t *len)
{
	const char *q = s;
	for (; *q; q++)
		if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9')) &&
		    !strchr(set, *q))
			return false;
	*len = (size_t)(q - s);
	return true;
}

static bool cat(char *out, size_t cap, size_t *k, const char *s, size_t n)
{
	if (cap - *k <= n)
		return false;
	memcpy(out + *k, s, n);
	*k += n;
	return true;
}

/* What osip_uri_to_str() writes for the common URI, "scheme:user@host:port"
 * and ";name=value" params of plain characters, composed in out without
 * its dozen temporaries; false (libosip2 writes it) for anything else: no
 * scheme, a password, URI headers, an IPv6 host, a byte it would escape, a
 * parameter it leaves out (x-obr, x-obp), a non-SIP URI kept as a string. */
static bool uri_text(const osip_uri_t *u, char *out, size_t cap, size_t *len)
{
	static const char user_set[] = "-_.!~*'()&=+$,;?/";
	static const char param_set[] = "-_.!~*'()[]/:&+$";
	if (u->string || !u->scheme || !u->host || u->password ||
	    osip_list_size(&u->url_headers) != 0 || strchr(u->host, ':'))
		return false;
	size_t k = 0, n;
	if (!cat(out, cap, &k, u->scheme, strlen(u->scheme)) || !cat(out, cap, &k, ":", 1))
		return false;
	if (u->username) {
		if (!uri_plain(u->username, user_set, &n) || !cat(out, cap, &k, u->username, n) ||
		    !cat(out, cap, &k, "@", 1))
			return false;
	}
	if (!cat(out, cap, &k, u->host, strlen(u->host)))
		return false;
	if (u->port && (!cat(out, cap, &k, ":", 1) || !cat(out, cap, &k, u->port, strlen(u->port))))
		return false;
	for (const __node_t *nd = u->url_params.node; nd; nd = nd->next) {
		const osip_uri_param_t *up = nd->element;
		if (!up || !up->gname || strcasecmp(up->gname, "x-obr") == 0 ||
		    strcasecmp(up->gname, "x-obp") == 0)
			return false;
		if (!uri_plain(up->gname, param_set, &n) || !cat(out, cap, &k, ";", 1) ||
		    !cat(out, cap, &k, up->gname, n))
			return false;
		if (up->gvalue && (!uri_plain(up->gvalue, param_set, &n) ||
				   !cat(out, cap, &k, "=", 1) || !cat(out, cap, &k, up->gvalue, n)))
			return false;
	}
	out[k] = '\0';
	*len = k;
	return true;
}

/* Built with -DSIP_VERIFY_TEXT, put_uri and the Call-ID abort where their
 * text differs from libosip2's (a check build to run captures through). */
static void put_uri(struct sb *b, const char **where, osip_uri_t *u)
{
	char buf[1024], *s = NULL;
	size_t n;
	if (u && uri_text(u, buf, sizeof buf, &n)) {
#ifdef SIP_VERIFY_TEXT
		if (osip_uri_to_str(u, &s) != 0 || !s || strcmp(s, buf) != 0)
			abort();
		osip_free(s);
#endif
		sb_put(b, where, buf, n);
		return;
	}
	if (u && osip_uri_to_str(u, &s) == 0 && s) {
		sb_str(b, where, s);
		osip_free(s);
	}
}

/* ---------------------------------------------------------------- extraction */

static void take_from(struct sb *b, osip_from_t *f, const char **uri, const char **user,
		      const char **tag, const char **disp)
{
	if (!f)
		return;
	put_uri(b, uri, f->url);
	if (f->url)
		sb_str(b, user, f->url->username);
	sb_unq(b, disp, f->displayname);
	sb_str(b, tag, gparam(&f->gen_params, "tag", NULL));
}

static void take_fields(struct sb *b, struct sip_msg *m, osip_message_t *om)
{
	if (MSG_IS_REQUEST(om)) {
		m->request = true;
		sb_str(b, &m->method, om->sip_method);
		put_uri(b, &m->ruri, om->req_uri);
	} else {
		m->status = om->status_code;
		sb_str(b, &m->reason, om->reason_phrase);
	}

	/* osip_call_id_to_str(): number, or number "@" host; nothing without a
	 * number */
	if (om->call_id && om->call_id->number) {
		const char *num = om->call_id->number, *host = om->call_id->host;
		size_t nn = strlen(num), hn = host ? strlen(host) : 0;
		char buf[512];
		if (host && nn + hn + 2 <= sizeof buf) {
			memcpy(buf, num, nn);
			buf[nn] = '@';
			memcpy(buf + nn + 1, host, hn);
			sb_put(b, &m->call_id, buf, nn + 1 + hn);
		} else if (host) {
			char *s = NULL;
			if (osip_call_id_to_str(om->call_id, &s) == 0 && s) {
				sb_str(b, &m->call_id, s);
				osip_free(s);
			}
		} else {
			sb_put(b, &m->call_id, num, nn);
		}
#ifdef SIP_VERIFY_TEXT
		char *s = NULL;
		if (osip_call_id_to_str(om->call_id, &s) != 0 || !s ||
		    strlen(s) != nn + (host ? hn + 1 : 0) || memcmp(s, num, nn) != 0 ||
		    (host && (s[nn] != '@' || memcmp(s + nn + 1, host, hn) != 0)))
			abort();
		osip_free(s);
#endif
	}
	if (om->cseq) {
		bool ok;
		long v = parse_long(om->cseq->number, &ok);
		m->cseq = ok && v >= 0 && v <= (long)UINT32_MAX ? (uint32_t)v : 0;
		sb_str(b, &m->cseq_method, om->cseq->method);
	}
	take_from(b, om->from, &m->from_uri, &m->from_user, &m->from_tag, &m->from_display);
	take_from(b, om->to, &m->to_uri, &m->to_user, &m->to_tag, &m->to_display);

	m->via_count = osip_list_size(&om->vias);
	m->via_port = -1;
	m->via_rport = -1;
	osip_via_t *via = NULL;
	if (osip_message_get_via(om, 0, &via) >= 0 && via) {
		sb_str(b, &m->via_proto, via->protocol);
		sb_str(b, &m->via_host, via->host);
		bool ok;
		long port = parse_long(via->port, &ok);
		m->via_port = ok && port >= 0 && port <= 65535 ? (int)port : -1;
		sb_str(b, &m->via_branch, gparam(&via->via_params, "branch", NULL));
		sb_str(b, &m->via_received, gparam(&via->via_params, "received", NULL));
		const char *rp = gparam(&via->via_params, "rport", &m->via_has_rport);
		if (rp) {
			long v = parse_long(rp, &ok);
			m->via_rport = ok && v >= 0 && v <= 65535 ? (int)v : -1;
		}
	}

	for (int i = 0; i < m->ncontacts; i++) {
		struct sip_contact *c = &m->contacts[i];
		osip_contact_t *oc = NULL;
		c->expires = -1;
		c->port = -1;
		if (osip_message_get_contact(om, i, &oc) < 0 || !oc)
			continue;
		if (!oc->url) {   /* "Contact: *": no URI (RFC 3261 §10.2.2) */
			c->star = oc->displayname && strcmp(oc->displayname, "*") == 0;
			continue;
		}
		put_uri(b, &c->uri, oc->url);
		sb_str(b, &c->user, oc->url->username);
		sb_str(b, &c->host, oc->url->host);
		bool ok;
		long port = parse_long(oc->url->port, &ok);
		c->port = ok && port >= 0 && port <= 65535 ? (int)port : -1;
		const char *ex = gparam(&oc->gen_params, "expires", NULL);
		if (ex) {
			c->expires = parse_long(ex, &ok);
			if (!ok)
				c->expires = -1;
			else if (strchr(ex, '"'))
				m->lenient |= SIP_LEN_QUOTED_PARAM;
		}
		sb_unq(b, &c->instance, gparam(&oc->gen_params, "+sip.instance", NULL));
		sb_unq(b, &c->reg_id, gparam(&oc->gen_params, "reg-id", NULL));
		osip_uri_param_t *tp = NULL;
		if (osip_uri_uparam_get_byname(oc->url, "transport", &tp) >= 0 && tp)
			sb_str(b, &c->transport, tp->gvalue);
	}

	/* Authorization then Proxy-Authorization: one struct type in libosip2 */
	int k = 0;
	for (int pass = 0; pass < 2; pass++) {
		osip_list_t *l = pass ? &om->proxy_authorizations : &om->authorizations;
		for (int i = 0; i < osip_list_size(l); i++, k++) {
			osip_authorization_t *a = osip_list_get(l, i);
			struct sip_cred *c = &m->creds[k];
			c->proxy = pass == 1;
			if (!a)
				continue;
			sb_str(b, &c->scheme, a->auth_type);
			sb_unq(b, &c->username, a->username);
			sb_unq(b, &c->realm, a->realm);
			sb_unq(b, &c->nonce, a->nonce);
			sb_unq(b, &c->uri, a->uri);
			sb_unq(b, &c->response, a->response);
			sb_unq(b, &c->algorithm, a->algorithm);
			sb_unq(b, &c->cnonce, a->cnonce);
			sb_unq(b, &c->opaque, a->opaque);
			sb_unq(b, &c->qop, a->message_qop);
			sb_unq(b, &c->nc, a->nonce_count);
		}
	}

	k = 0;
	for (int pass = 0; pass < 2; pass++) {
		osip_list_t *l = pass ? &om->proxy_authenticates : &om->www_authenticates;
		for (int i = 0; i < osip_list_size(l); i++, k++) {
			osip_www_authenticate_t *w = osip_list_get(l, i);
			struct sip_chal *c = &m->chals[k];
			c->proxy = pass == 1;
			if (!w)
				continue;
			sb_str(b, &c->scheme, w->auth_type);
			sb_unq(b, &c->realm, w->realm);
			sb_unq(b, &c->nonce, w->nonce);
			sb_unq(b, &c->opaque, w->opaque);
			sb_unq(b, &c->algorithm, w->algorithm);
			sb_unq(b, &c->qop, w->qop_options);
			sb_unq(b, &c->domain, w->domain);
			if (w->stale) {
				const char *s = w->stale;
				while (*s == '"' || *s == ' ')
					s++;
				c->stale = strncasecmp(s, "true", 4) == 0;
			}
		}
	}

	/* the generic headers, first of each name: one walk over the list
	 * instead of one osip_message_header_get_byname() scan per name */
	enum { H_EXP, H_MINEXP, H_RETRY, H_UA, H_SERVER, H_SUP, H_K, H_REQ, H_DATE,
	       H_WARN, H_PRE, H_N };
	static const char *const names[H_N] = {
		"expires", "min-expires", "retry-after", "user-agent", "server", "supported",
		"k", "require", "date", "warning", "p-registrar-error",
	};
	const char *hv[H_N] = { 0 };
	for (int i = 0, nh = osip_list_size(&om->headers); i < nh; i++) {
		osip_header_t *h = osip_list_get(&om->headers, i);
		if (!h || !h->hname)
			continue;
		for (int k = 0; k < H_N; k++) {
			if (!hv[k] && strcasecmp(h->hname, names[k]) == 0) {
				hv[k] = h->hvalue ? h->hvalue : "";
				break;
			}
		}
	}
	bool ok;
	m->expires = parse_long(hv[H_EXP], &ok);
	if (!ok) m->expires = -1;
	m->min_expires = parse_long(hv[H_MINEXP], &ok);
	if (!ok) m->min_expires = -1;
	m->retry_after = parse_long(hv[H_RETRY], &ok);
	if (!ok) m->retry_after = -1;
	sb_str(b, &m->user_agent, hv[H_UA]);
	sb_str(b, &m->server, hv[H_SERVER]);
	sb_str(b, &m->supported, hv[H_SUP] ? hv[H_SUP] : hv[H_K]);
	sb_str(b, &m->require, hv[H_REQ]);
	sb_str(b, &m->date, hv[H_DATE]);
	sb_str(b, &m->warning, hv[H_WARN]);
	sb_str(b, &m->p_registrar_error, hv[H_PRE]);
	if (om->content_type && om->content_type->type) {
		char *s = NULL;
		if (osip_content_type_to_str(om->content_type, &s) == 0 && s) {
			sb_str(b, &m->content_type, s);
			osip_free(s);
		}
	}
}

/* ---------------------------------------------------------------- fallback */

/* Value of the first header named `name` (or compact `c`) in the block,
 * for the tolerant scan of messages libosip2 rejected. */
static bool scan_header(const uint8_t *p, size_t hlen, const char *name, const char *compact,
			size_t *voff, size_t *vlen)
{
	size_t i = 0;
	bool first = true;
	while (i < hlen) {
		size_t e = i;
		while (e < hlen && p[e] != '\n')
			e++;
		size_t len = e - i;
		if (len && p[i + len - 1] == '\r')
			len--;
		size_t v;
		if (!first && (hdr_name_is(p + i, len, name, &v) ||
			       (compact && hdr_name_is(p + i, len, compact, &v)))) {
			*voff = i + v;
			*vlen = len - v;
			return true;
		}
		first = false;
		i = e + 1;
	}
	return false;
}

static void scan_fallback(struct sb *b, struct sip_msg *m, const uint8_t *p, size_t hlen)
{
	size_t eol = 0;
	while (eol < hlen && p[eol] != '\n' && p[eol] != '\r')
		eol++;
	if (eol >= 8 && memcmp(p, "SIP/2.0 ", 8) == 0) {
		m->status = (p[8] - '0') * 100 + (p[9] - '0') * 10 + (p[10] - '0');
		if (eol > 12)
			sb_put(b, &m->reason, (const char *)p + 12, eol - 12);
	} else {
		size_t sp = 0;
		while (sp < eol && p[sp] != ' ')
			sp++;
		m->request = true;
		sb_put(b, &m->method, (const char *)p, sp);
		if (eol > sp + 9)
			sb_put(b, &m->ruri, (const char *)p + sp + 1, eol - sp - 9);
	}
	size_t vo, vl;
	if (scan_header(p, hlen, "call-id", "i", &vo, &vl))
		sb_put(b, &m->call_id, (const char *)p + vo, vl);
	if (scan_header(p, hlen, "cseq", NULL, &vo, &vl)) {
		size_t j = 0;
		uint64_t n = 0;
		while (j < vl && isdigit(p[vo + j]) && n <= UINT32_MAX)
			n = n * 10 + (p[vo + j++] - '0');
		m->cseq = n <= UINT32_MAX ? (uint32_t)n : 0;
		while (j < vl && (p[vo + j] == ' ' || p[vo + j] == '\t'))
			j++;
		size_t s = j;
		while (j < vl && p[vo + j] != ' ')
			j++;
		if (j > s)
			sb_put(b, &m->cseq_method, (const char *)p + vo + s, j - s);
	}
	if (scan_header(p, hlen, "via", "v", &vo, &vl)) {
		const char *v = (const char *)p + vo;
		const char *br = memmem(v, vl, "branch=", 7);
		if (br) {
			size_t s = (size_t)(br - v) + 7, e = s;
			while (e < vl && !strchr(";, \t", v[e]))
				e++;
			sb_put(b, &m->via_branch, v + s, e - s);
		}
	}
}

/* ---------------------------------------------------------------- header lines */

/* What the record keeps of the header lines as sent (sip_msg.hlines,
 * unsupported, digest_dropped, contact_nat_mark): one walk over the header
 * section [0, hlen) after the start line. */
struct hl_val {
	size_t off, len;
	bool seen;
};

struct hl_scan {
	uint16_t n[SIP_HL_COUNT];
	struct hl_val first[SIP_HL_COUNT];      /* each name's first line */
	struct hl_val unsupported;
	bool nat_mark;
};

/* Names of enum sip_hline, in its order. */
static const char *const hl_names[SIP_HL_COUNT] = {
	"authorization", "proxy-authorization", "www-authenticate", "proxy-authenticate", "path",
};

/* A line's value from v (hdr_name_is) to the first CR, trailing blanks cut;
 * off is the line's offset in the message. */
static struct hl_val hl_value(size_t off, const uint8_t *line, size_t len, size_t v)
{
	size_t e = v;
	while (e < len && line[e] != '\r')
		e++;
	while (e > v && (line[e - 1] == ' ' || line[e - 1] == '\t'))
		e--;
	return (struct hl_val){ off + v, e - v, true };
}

/* Is pat (lower case) in s[0, n), ASCII case folded? */
static bool has_ci(const uint8_t *s, size_t n, const char *pat)
{
	size_t pl = strlen(pat);
	/* the first byte by hand (pat starts with a letter): strncasecmp at
	 * every offset of every Contact line was a hot spot */
	uint8_t c0 = (uint8_t)pat[0];
	for (size_t i = 0; i + pl <= n; i++)
		if ((s[i] | 0x20) == c0 && strncasecmp((const char *)s + i, pat, pl) == 0)
			return true;
	return false;
}

static void scan_lines(const uint8_t *p, size_t hlen, struct hl_scan *s)
{
	/* the marks a registrar's NAT handling leaves in the Contact it stores:
	 * received= (Kamailio fix_nated_register), alias= (add_contact_alias),
	 * fs_path / fs_nat (FreeSWITCH) */
	static const char *const nat_marks[] = { "received=", "alias=", "fs_path", "fs_nat" };
	memset(s, 0, sizeof *s);
	const uint8_t *nl = memchr(p, '\n', hlen);
	bool contacts_open = true;      /* no line starting with CR or LF yet */
	for (size_t i = nl ? (size_t)(nl - p) + 1 : hlen; i < hlen;) {
		const uint8_t *q = memchr(p + i, '\n', hlen - i);
		size_t e = q ? (size_t)(q - p) : hlen;
		const uint8_t *line = p + i;
		size_t len = e - i, v;
		if (len && line[len - 1] == '\r')
			len--;
		if (line[0] == '\r' || line[0] == '\n')
			contacts_open = false;
		uint8_t c0 = (uint8_t)(line[0] | 0x20);
		for (int k = 0; k < SIP_HL_COUNT; k++) {
			if ((uint8_t)hl_names[k][0] != c0 || !hdr_name_is(line, len, hl_names[k], &v))
				continue;
			if (s->n[k] < UINT16_MAX)
				s->n[k]++;
			if (!s->first[k].seen)
				s->first[k] = hl_value(i, line, len, v);
			break;
		}
		if (c0 == 'u' && !s->unsupported.seen && hdr_name_is(line, len, "unsupported", &v))
			s->unsupported = hl_value(i, line, len, v);
		if (contacts_open && !s->nat_mark && (c0 == 'c' || c0 == 'm') &&
		    (hdr_name_is(line, len, "contact", &v) || hdr_name_is(line, len, "m", &v)))
			for (size_t j = 0; j < sizeof nat_marks / sizeof nat_marks[0]; j++)
				if (has_ci(line + v, len - v, nat_marks[j]))
					s->nat_mark = true;
		i = e + 1;
	}
}

/* Into the record: the counts, and the lines' values as strings of b. */
static void take_lines(struct sb *b, struct sip_msg *m, const uint8_t *p, size_t hlen)
{
	struct hl_scan s;
	scan_lines(p, hlen, &s);
	memcpy(m->hlines, s.n, sizeof m->hlines);
	m->contact_nat_mark = s.nat_mark;
	if (s.unsupported.seen)
		sb_put(b, &m->unsupported, (const char *)p + s.unsupported.off, s.unsupported.len);
	uint32_t parsed[SIP_HL_PATH] = { 0 };
	for (int j = 0; j < m->ncreds; j++)
		parsed[m->creds[j].proxy ? SIP_HL_PROXY_AUTHORIZATION : SIP_HL_AUTHORIZATION]++;
	for (int j = 0; j < m->nchals; j++)
		parsed[m->chals[j].proxy ? SIP_HL_PROXY_AUTHENTICATE : SIP_HL_WWW_AUTHENTICATE]++;
	for (int k = 0; k < SIP_HL_PATH; k++) {
		if (s.n[k] > parsed[k]) {
			sb_put(b, &m->digest_dropped, (const char *)p + s.first[k].off, s.first[k].len);
			break;
		}
	}
}

/* Why libosip2 rejected it, in words a user can act on. */
static const char *malformed_reason(const uint8_t *p, size_t hlen)
{
	size_t vo, vl;
	if (!scan_header(p, hlen, "via", "v", &vo, &vl))
		return "no Via header";
	if (!scan_header(p, hlen, "call-id", "i", &vo, &vl))
		return "no Call-ID header";
	if (!scan_header(p, hlen, "cseq", NULL, &vo, &vl))
		return "no CSeq header";
	if (vl == 0 || !isdigit(p[vo]))
		return "bad CSeq header";
	if (!scan_header(p, hlen, "from", "f", &vo, &vl))
		return "no From header";
	if (!scan_header(p, hlen, "to", "t", &vo, &vl))
		return "no To header";
	if (memchr(p, '\0', hlen))
		return "NUL byte in headers";
	return "libosip2 rejected a header (Via, Contact, From/To or CSeq syntax)";
}

/* ---------------------------------------------------------------- parse */

void sip_msg_free(struct sip_msg *m)
{
	if (!m)
		return;
	if (!m->in_store)       /* one block: record, arrays, strings, raw */
		free(m);
}

#define SIP_ALIGN(x) (((x) + 15) & ~(size_t)15)

/* Moves the record built in *tmp (arrays in arr, strings in b) into its
 * final block: the caller's allocator's, else malloc.  The string pointers recorded in
 * b's slots point into tmp/arr and are re-aimed at the copies. */
static struct sip_msg *sip_assemble(struct sip_msg *tmp, char *arr, size_t asz, struct sb *b,
				    const struct sip_alloc *al)
{
	bool strings = !b->oom && b->buf;
	size_t blen = strings ? b->len : 0;
	size_t total = SIP_ALIGN(sizeof *tmp) + SIP_ALIGN(asz) + blen;
	char *blk = al ? al->fn(al->ctx, total) : NULL;
	bool in_store = blk != NULL;
	if (!blk) {
		if (al && al->fallback)
			al->fallback(al->ctx);
		blk = malloc(total);
		if (!blk)
			return NULL;
	}
	struct sip_msg *m = (struct sip_msg *)blk;
	char *farr = blk + SIP_ALIGN(sizeof *tmp);
	char *fstr = farr + SIP_ALIGN(asz);
	*m = *tmp;
	m->in_store = in_store;
	m->blk_size = total > UINT32_MAX ? UINT32_MAX : (uint32_t)total;
	if (asz) {
		memcpy(farr, arr, asz);
		m->contacts = tmp->ncontacts ? (struct sip_contact *)(farr + ((char *)tmp->contacts - arr)) : NULL;
		m->creds = tmp->ncreds ? (struct sip_cred *)(farr + ((char *)tmp->creds - arr)) : NULL;
		m->chals = tmp->nchals ? (struct sip_chal *)(farr + ((char *)tmp->chals - arr)) : NULL;
	} else {
		m->contacts = NULL;
		m->creds = NULL;
		m->chals = NULL;
	}
	if (blen)
		memcpy(fstr, b->buf, blen);
	for (size_t i = 0; i < b->nslots; i++) {
		char *w = (char *)b->slots[i].where;
		const char **nw;
		if (w >= (char *)tmp && w < (char *)(tmp + 1))
			nw = (const char **)((char *)m + (w - (char *)tmp));
		else if (asz && w >= arr && w < arr + asz)
			nw = (const char **)(farr + (w - arr));
		else
			continue;   /* cannot happen: every slot is in the record */
		*nw = strings ? fstr + b->slots[i].off : NULL;
	}
	return m;
}

bool sip_has_start(const uint8_t *p, size_t n)
{
	unsigned lenient = 0;
	return sip_find_start(p, n, &lenient) >= 0;
}

struct sip_msg *sip_parse(const uint8_t *p, size_t n, const struct sip_meta *meta)
{
	unsigned lenient = 0;
	long st = sip_find_start(p, n, &lenient);
	if (st < 0)
		return NULL;
	p += st;
	n -= (size_t)st;

	/* built here, then moved into one block by sip_assemble() */
	struct sip_msg tmpm;
	memset(&tmpm, 0, sizeof tmpm);
	struct sip_msg *m = &tmpm;
	m->file = meta->file;
	m->iface = meta->iface;
	m->frame = meta->frame;
	m->ts_ns = meta->ts_ns;
	m->src = meta->src;
	m->dst = meta->dst;
	m->transport = meta->transport;
	m->expires = m->min_expires = m->retry_after = m->content_length = -1;
	m->via_port = m->via_rport = -1;
	m->lenient = lenient;

	bool lf_only = false;
	size_t he = hdr_end(p, n, &lf_only);
	if (lf_only)
		m->lenient |= SIP_LEN_LF_ONLY;
	size_t hlen = he ? he : n;
	/* folded header lines (RFC 3261 §7.3.1 LWS): libosip2 unfolds them
	 * itself; noted so outputs can say the sender folds */
	for (const uint8_t *q = p; hlen > 1 && (q = memchr(q, '\n', hlen - 1 - (size_t)(q - p)));
	     q++)
		if (q[1] == ' ' || q[1] == '\t') {
			m->lenient |= SIP_LEN_FOLDED;
			break;
		}
	size_t cl_off = 0, cl_len = 0;
	long cl = find_content_length(p, hlen, &cl_off, &cl_len);
	m->content_length = cl >= 0 ? cl : -1;
	size_t body_avail = he ? n - he : 0;
	size_t msg_len = n;

	/* What libosip2 sees: for a datagram the datagram bounds the message
	 * (RFC 3261 §18.3); a wrong Content-Length is repaired, not fatal.
	 * A start line with extra blanks, a lower-case version or no reason
	 * phrase is rewritten first (libosip2 would take the next line as the
	 * reason); raw keeps the bytes as sent. */
	uint8_t *fixed = NULL, *restart = NULL;
	const uint8_t *pp = p;
	size_t pn = n;
	char sl[512];
	size_t sl_eol = 0, sl_len = sip_start_canonical(p, n, sl, sizeof sl, &sl_eol);
	if (sl_len && (restart = malloc(n - sl_eol + sl_len)) != NULL) {
		m->lenient |= SIP_LEN_START_LINE;
		memcpy(restart, sl, sl_len);
		memcpy(restart + sl_len, p + sl_eol, n - sl_eol);
		pp = restart;
		pn = n - sl_eol + sl_len;
	}
	if (cl == -2)
		m->lenient |= SIP_LEN_BAD_CL;
	if (he && cl >= 0 && (size_t)cl < body_avail) {
		if (meta->datagram) {
			m->lenient |= SIP_LEN_CL_LONG;
		}
		msg_len = he + (size_t)cl;
		pn = restart ? msg_len - sl_eol + sl_len : msg_len;
	} else if (he && (cl == -2 || (cl >= 0 && (size_t)cl > body_avail))) {
		if (cl >= 0)
			m->lenient |= SIP_LEN_CL_SHORT;
		/* rewrite the Content-Length line with the real body length; the
		 * header is never on the start line, so its offset in pp moves
		 * with the rewritten start line */
		size_t off = restart ? cl_off - sl_eol + sl_len : cl_off;
		char line[40];
		int ll = snprintf(line, sizeof line, "Content-Length: %zu", body_avail);
		size_t fn = pn - cl_len + (size_t)ll;
		fixed = malloc(fn);
		if (fixed) {
			memcpy(fixed, pp, off);
			memcpy(fixed + off, line, (size_t)ll);
			memcpy(fixed + off + ll, pp + off + cl_len, pn - off - cl_len);
			pp = fixed;
			pn = fn;
		}
	} else if (he && cl == -1 && meta->datagram && body_avail > 0) {
		m->lenient |= SIP_LEN_NO_CL;
	}

	osip_message_t *om = NULL;
	int rc = -1;
	/* the NUL test on the original headers: he is an offset into p, and
	 * the repaired copy may be shorter */
	osa_cur = meta->scratch;        /* libosip2's allocations: the arena, until freed below */
	if (memchr(p, '\0', he ? he : n) == NULL && osip_message_init(&om) == 0)
		rc = osip_message_parse(om, (const char *)pp, pn);

	struct sb b;
	sb_init(&b, n + 512, meta->scratch);
	/* the arrays: contacts, creds, chals (the record's block at the end) */
	int nct = rc == 0 ? osip_list_size(&om->contacts) : 0;
	int ncr = rc == 0 ? osip_list_size(&om->authorizations) +
			    osip_list_size(&om->proxy_authorizations) : 0;
	int nch = rc == 0 ? osip_list_size(&om->www_authenticates) +
			    osip_list_size(&om->proxy_authenticates) : 0;
	if (nct < 0) nct = 0;
	if (ncr < 0) ncr = 0;
	if (nch < 0) nch = 0;
	size_t asz = (size_t)nct * sizeof(struct sip_contact) + (size_t)ncr * sizeof(struct sip_cred) +
		     (size_t)nch * sizeof(struct sip_chal);
	char arrbuf[2048] __attribute__((aligned(16)));   /* metadata, not payload */
	char *arr = NULL;
	if (asz) {
		char *blk = asz <= sizeof arrbuf ? arrbuf : calloc(1, asz);
		if (blk == arrbuf)
			memset(arrbuf, 0, asz);
		if (!blk && meta->alloc_failed)
			*meta->alloc_failed = true;   /* kept, as malformed, without them */
		if (blk) {
			arr = blk;
			m->contacts = (struct sip_contact *)blk;
			m->creds = (struct sip_cred *)(blk + (size_t)nct * sizeof(struct sip_contact));
			m->chals = (struct sip_chal *)((char *)m->creds + (size_t)ncr * sizeof(struct sip_cred));
			m->ncontacts = nct;
			m->ncreds = ncr;
			m->nchals = nch;
		}
	}

	if (rc == 0 && (!asz || m->contacts)) {
		take_fields(&b, m, om);
	} else {
		m->malformed = true;
		m->malformed_reason = malformed_reason(p, hlen);
		scan_fallback(&b, m, p, hlen);
	}
	take_lines(&b, m, p, hlen);
	/* with the arena, everything libosip2 took since osip_message_init()
	 * is in it: osip_message_free()'s walk would only call osa_free() */
	if (om && !meta->scratch)
		osip_message_free(om);
	osa_cur = NULL;
	if (meta->scratch)
		osa_reset(meta->scratch);
	free(fixed);
	free(restart);

	sb_put(&b, &m->raw, (const char *)p, msg_len);
	struct sip_msg *fm = meta->fail_alloc ? NULL :
			     sip_assemble(&tmpm, arr, arr ? asz : 0, &b, meta->alloc);
	if (b.oom && meta->alloc_failed)
		*meta->alloc_failed = true;   /* the record lost its strings */
	sb_release(&b);
	if (arr && arr != arrbuf)
		free(arr);
	if (!fm) {
		if (meta->alloc_failed)
			*meta->alloc_failed = true;
		return NULL;
	}
	m = fm;
	m->raw_len = m->raw ? msg_len : 0;
	if (m->raw && he && he <= msg_len) {
		m->body = m->raw + he;
		m->body_len = msg_len - he;
		if (m->body_len && !m->content_type && !m->malformed)
			m->lenient |= SIP_LEN_NO_BODY_TYPE;
	}
	/* a stream message cut short at end of capture */
	if (!m->malformed && !meta->datagram && he == 0) {
		m->malformed = true;
		m->malformed_reason = "truncated: headers never ended";
	}
	return m;
}

/* ---------------------------------------------------------------- quick ids */

static void copy_token(char *dst, size_t dsz, const uint8_t *s, size_t n)
{
	if (dsz == 0)
		return;
	size_t k = n < dsz - 1 ? n : dsz - 1;
	for (size_t i = 0; i < k; i++)
		dst[i] = isprint(s[i]) ? (char)s[i] : '?';
	dst[k] = '\0';
}

void sip_quick_ids(const uint8_t *p, size_t n, char *call_id, size_t cid_sz,
		   char *branch, size_t br_sz, char *method, size_t m_sz)
{
	copy_token(call_id, cid_sz, p, 0);
	copy_token(branch, br_sz, p, 0);
	copy_token(method, m_sz, p, 0);
	size_t sp = 0;
	while (sp < n && p[sp] != ' ' && p[sp] != '\r' && p[sp] != '\n')
		sp++;
	copy_token(method, m_sz, p, sp);
	size_t vo, vl;
	if (scan_header(p, n, "call-id", "i", &vo, &vl)) {
		size_t e = 0;
		while (e < vl && p[vo + e] != '\r' && p[vo + e] != ' ')
			e++;
		copy_token(call_id, cid_sz, p + vo, e);
	}
	if (scan_header(p, n, "via", "v", &vo, &vl)) {
		const uint8_t *br = memmem(p + vo, vl, "branch=", 7);
		if (br) {
			size_t s = (size_t)(br - (p + vo)) + 7, e = s;
			while (e < vl && !strchr(";, \t\r", p[vo + e]))
				e++;
			copy_token(branch, br_sz, p + vo + s, e - s);
		}
	}
}
