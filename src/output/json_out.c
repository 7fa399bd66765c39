/* SPDX-License-Identifier: GPL-2.0-or-later */
/* json_out.c - see json_out.h.
 *
 * One streaming writer for everything --json and --jsonl write: messages,
 * transactions, attempts, sessions, bindings, findings, registrations,
 * dialogs, and the once-per-run stats, capture and summary.  Values go
 * straight into a reused buffer, one fwrite per element: building a
 * Jansson tree per element (a hash table per object, a malloc per value)
 * was more than half of --json's run time.  The bytes are what Jansson's
 * json_dumpb() with JSON_COMPACT | JSON_REAL_PRECISION(16) wrote before
 * (same escaping, same %.16g rules, same key order), so readers and the
 * golden files see no difference.
 * Every captured string goes through w_strn(): invalid UTF-8 bytes become
 * U+FFFD (a JSON reader would refuse them).
 */
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include "fnv.h"
#include "json_out.h"
#include "select.h"

#define W_BUFSIZE 65536      /* write-combining buffer, one fwrite per element */
#define W_DEPTH 16           /* deepest nesting written is 5 */

struct json_out {
	FILE *f;
	struct json_opts o;
	bool lines;              /* JSONL */
	size_t nmsgs;            /* elements written to "messages" */
	const struct rt_select *sel; /* json_select(); NULL: everything */
	bool head_done;          /* the document's opening is written (at the first
				    message or the end: nothing when nothing was read) */
	bool err;
	char *buf;               /* the element being written; flushed when full */
	size_t len;
	int depth;               /* open objects/arrays */
	bool first[W_DEPTH];     /* nothing written yet in that container */
	bool keyed;              /* a key was just written: its value takes no comma */
	/* jsonl_skip_findings(): findings jsonl_end() leaves out (reported already) */
	bool (*skip)(void *u, const struct finding *f);
	void *skip_u;
};


/* ---------------------------------------------------------------- writer */

static size_t utf8_len(const unsigned char *p, size_t n)
{
	/* length of one valid UTF-8 sequence at p, 0 when invalid */
	unsigned c = p[0];
	size_t l;
	unsigned min;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		l = 2; min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		l = 3; min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		l = 4; min = 0x10000;
	} else {
		return 0;
	}
	if (l > n)
		return 0;
	unsigned v = c & (0x3f >> (l - 1));
	for (size_t i = 1; i < l; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (p[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	return l;
}

static void w_flush(struct json_out *j)
{
	if (j->len && fwrite(j->buf, 1, j->len, j->f) != j->len)
		j->err = true;
	j->len = 0;
}

static void w_bytes_slow(struct json_out *j, const void *p, size_t n)
{
	const char *s = p;
	while (n > W_BUFSIZE - j->len) {
		size_t k = W_BUFSIZE - j->len;
		memcpy(j->buf + j->len, s, k);
		j->len += k;
		s += k;
		n -= k;
		w_flush(j);
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
}

/* inline: most calls have a constant n (keys, literals) */
static inline void w_bytes(struct json_out *j, const void *p, size_t n)
{
	if (n <= W_BUFSIZE - j->len) {
		memcpy(j->buf + j->len, p, n);
		j->len += n;
	} else {
		w_bytes_slow(j, p, n);
	}
}

static inline void w_byte(struct json_out *j, char c)
{
	if (j->len == W_BUFSIZE)
		w_flush(j);
	j->buf[j->len++] = c;
}

#define w_lit(j, s) w_bytes(j, s, sizeof s - 1)

/* the comma before a value, unless it follows its key or opens a container */
static inline void w_sep(struct json_out *j)
{
	if (j->keyed) {
		j->keyed = false;
		return;
	}
	if (j->depth > 0 && j->depth <= W_DEPTH) {
		if (!j->first[j->depth - 1])
			w_byte(j, ',');
		j->first[j->depth - 1] = false;
	}
}

static void w_open(struct json_out *j, char c)
{
	w_sep(j);
	w_byte(j, c);
	if (j->depth < W_DEPTH)
		j->first[j->depth] = true;
	j->depth++;
}

static void w_close(struct json_out *j, char c)
{
	j->depth--;
	w_byte(j, c);
}

#define w_obj(j) w_open(j, '{')
#define w_obj_end(j) w_close(j, '}')
#define w_arr(j) w_open(j, '[')
#define w_arr_end(j) w_close(j, ']')

/* keys are literals that need no escaping */
static inline void w_key_(struct json_out *j, const char *k, size_t n)
{
	j->keyed = false;
	w_sep(j);
	w_bytes(j, k, n);
	j->keyed = true;
}
#define w_key(j, k) w_key_(j, "\"" k "\":", sizeof "\"" k "\":" - 1)

static void w_null(struct json_out *j)
{
	w_sep(j);
	w_lit(j, "null");
}

static void w_bool(struct json_out *j, bool v)
{
	w_sep(j);
	if (v)
		w_lit(j, "true");
	else
		w_lit(j, "false");
}

static void w_int(struct json_out *j, long long v)
{
	char b[24];
	char *e = b + sizeof b, *p = e;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	w_sep(j);
	w_bytes(j, p, (size_t)(e - p));
}

static void w_int_or_null(struct json_out *j, long long v, bool ok)
{
	if (ok)
		w_int(j, v);
	else
		w_null(j);
}

/* %.16g of 0 or of 1e-4 <= |v| < 1e15 (times, durations) as Jansson writes
 * it with JSON_REAL_PRECISION(16): the exact binary value rounded half-even
 * to 15 - X decimals (X = decimal exponent, -4 and up: %g's fixed notation),
 * trailing zeros dropped, ".0" when nothing is left.  Returns 0 when v is
 * outside that range. */
static size_t w_real_fixed(char *out, double v)
{
	static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8,
		1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16 };
	/* the doubles nearest 10^-1 .. 10^-4 are all above them: a < n10[k]
	 * says a < 10^-(k+1) exactly */
	static const double n10[] = { 1e-1, 1e-2, 1e-3, 1e-4 };
	static const uint64_t u10[] = { 1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL,
		1000000ULL, 10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
		100000000000ULL, 1000000000000ULL, 10000000000000ULL, 100000000000000ULL,
		1000000000000000ULL, 10000000000000000ULL, 100000000000000000ULL,
		1000000000000000000ULL, 10000000000000000000ULL };
	char *o = out;
	if (v == 0) {
		if (signbit(v))
			*o++ = '-';
		memcpy(o, "0.0", 3);
		return (size_t)(o - out) + 3;
	}
	double a = fabs(v);
	if (!(a >= n10[3] && a < 1e15))
		return 0;
	int x = 0;
	if (a < 1.0) {
		x = -1;
		while (x > -4 && a < n10[-x - 1])
			x--;
	} else {
		while (a >= p10[x + 1])
			x++;
	}
	int d = 15 - x;                      /* decimals, at most 19 */
	uint64_t bits;
	memcpy(&bits, &a, sizeof bits);
	uint64_t mant = (bits & ((1ULL << 52) - 1)) | (1ULL << 52);
	int sh = 1075 - (int)((bits >> 52) & 0x7ff);   /* a = mant / 2^sh, 0 < sh <= 66 */
	unsigned __int128 t = (unsigned __int128)mant * u10[d];
	unsigned __int128 q = t >> sh, r = t - (q << sh), half = (unsigned __int128)1 << (sh - 1);
	if (r > half || (r == half && (q & 1)))
		q++;
	if (q >= u10[16])                    /* rounded up to 10^(x+1): leave to printf */
		return 0;
	uint64_t n = (uint64_t)q;
	uint64_t ip = n / u10[d], fp = n % u10[d];
	if (v < 0)
		*o++ = '-';
	char b[24];
	int k = 0;
	do {
		b[k++] = (char)('0' + ip % 10);
		ip /= 10;
	} while (ip);
	while (k)
		*o++ = b[--k];
	*o++ = '.';
	if (!fp) {
		*o++ = '0';
	} else {
		while (fp % 10 == 0) {
			fp /= 10;
			d--;
		}
		for (int i = d - 1; i >= 0; i--) {
			o[i] = (char)('0' + fp % 10);
			fp /= 10;
		}
		o += d;
	}
	return (size_t)(o - out);
}

/* A real as Jansson's jsonp_dtostr() writes it with JSON_REAL_PRECISION(16)
 * (16 digits: epoch seconds keep their microseconds without float noise):
 * %.16g, then ".0" when neither '.' nor 'e' came out (so a reader keeps it
 * a real), and the exponent without '+' or leading zeros.  LC_NUMERIC is
 * always "C" here (the TUI sets it back), so the point is '.'.  Not finite:
 * null (json_real() refuses those).  Times and durations take the exact
 * integer path above: snprintf() for each cost ~20 % more user time on
 * --json of 300k packets; 20M random doubles gave the same bytes both ways
 * and as Jansson. */
static void w_real(struct json_out *j, double v)
{
	if (!isfinite(v)) {
		w_null(j);
		return;
	}
	char b[40];
	size_t nf = w_real_fixed(b, v);
	if (nf) {
		w_sep(j);
		w_bytes(j, b, nf);
		return;
	}
	int r = snprintf(b, sizeof b - 2, "%.16g", v);
	if (r < 0 || (size_t)r >= sizeof b - 2) {
		w_null(j);
		return;
	}
	size_t n = (size_t)r;
	char *e = memchr(b, 'e', n);
	if (!e && !memchr(b, '.', n)) {
		b[n++] = '.';
		b[n++] = '0';
	}
	if (e) {
		char *from = e + 1, *to = e + 1;
		if (*from == '+')
			from++;
		else if (*from == '-')
			from = ++to;
		while (*from == '0' && from + 1 < b + n)
			from++;
		memmove(to, from, (size_t)(b + n - from));
		n -= (size_t)(from - to);
	}
	w_sep(j);
	w_bytes(j, b, n);
}

static void w_time(struct json_out *j, int64_t ns)
{
	w_real(j, (double)ns / 1e9);
}

/* A string as Jansson dumps it with JSON_COMPACT (no ENSURE_ASCII, no
 * ESCAPE_SLASH): '"' and '\\' escaped, control characters as \b \f \n \r
 * \t or \u00XX (upper-case hex), everything else as is; invalid UTF-8
 * bytes first become U+FFFD as the old jstrn() did.  NULL -> null. */
/* byte classes for w_strn(): 0 copied as is, 1 escaped, 2 starts a
 * multi-byte sequence (or is invalid) */
static const unsigned char w_class[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

static void w_strn(struct json_out *j, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	if (!s) {
		w_null(j);
		return;
	}
	w_sep(j);
	w_byte(j, '"');
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	while (p < end) {
		/* longest run that is copied as is */
		const unsigned char *q = p;
		while (q < end) {
			unsigned c = w_class[*q];
			if (c == 0) {
				q++;
			} else if (c == 1) {
				break;
			} else {
				size_t l = utf8_len(q, (size_t)(end - q));
				if (!l)
					break;
				q += l;
			}
		}
		if (q > p)
			w_bytes(j, p, (size_t)(q - p));
		if (q == end)
			break;
		unsigned c = *q;
		p = q + 1;
		switch (c) {
		case '"': w_lit(j, "\\\""); break;
		case '\\': w_lit(j, "\\\\"); break;
		case '\b': w_lit(j, "\\b"); break;
		case '\f': w_lit(j, "\\f"); break;
		case '\n': w_lit(j, "\\n"); break;
		case '\r': w_lit(j, "\\r"); break;
		case '\t': w_lit(j, "\\t"); break;
		default:
			if (c < 0x20) {
				char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
				w_bytes(j, u, sizeof u);
			} else {
				w_lit(j, "\xef\xbf\xbd");   /* invalid UTF-8 byte */
			}
		}
	}
	w_byte(j, '"');
}

static void w_str(struct json_out *j, const char *s)
{
	w_strn(j, s, s ? strlen(s) : 0);
}

/* json_string(s) for the model's fixed names: NULL for NULL or invalid UTF-8 */
static void w_name(struct json_out *j, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	for (size_t i = 0; s && i < n;) {
		size_t l = utf8_len((const unsigned char *)s + i, n - i);
		if (!l)
			s = NULL;
		i += l;
	}
	w_strn(j, s, n);
}

static void w_addr(struct json_out *j, const struct rt_addr *a)
{
	char buf[RT_ADDR_STRLEN];
	if (!a->family)
		w_null(j);
	else
		w_str(j, rt_addr_str(a, buf, sizeof buf));
}

/* ---------------------------------------------------------------- messages */

static void msg_fields(struct json_out *j, const struct sip_msg *m, bool raw)
{
	w_key(j, "id"); w_int(j, (long long)m->id);
	w_key(j, "file"); w_int(j, m->file);
	if (m->iface) {
		/* only for a pcapng file with several interfaces, numbered as tshark does */
		w_key(j, "interface"); w_int(j, (long long)m->iface - 1);
	}
	w_key(j, "frame"); w_int(j, (long long)m->frame);
	w_key(j, "time"); w_time(j, m->ts_ns);
	w_key(j, "ts_ns"); w_int(j, m->ts_ns);
	w_key(j, "src"); w_addr(j, &m->src);
	w_key(j, "dst"); w_addr(j, &m->dst);
	w_key(j, "transport"); w_name(j, rt_transport_name(m->transport));
	w_key(j, "kind"); w_name(j, m->request ? "request" : "response");
	if (m->request) {
		w_key(j, "method"); w_str(j, m->method);
		w_key(j, "ruri"); w_str(j, m->ruri);
	} else {
		w_key(j, "status"); w_int(j, m->status);
		w_key(j, "reason"); w_str(j, m->reason);
	}
	w_key(j, "call_id"); w_str(j, m->call_id);
	w_key(j, "cseq"); w_int(j, m->cseq);
	w_key(j, "cseq_method"); w_str(j, m->cseq_method);
	w_key(j, "from"); w_str(j, m->from_uri);
	w_key(j, "from_tag"); w_str(j, m->from_tag);
	w_key(j, "to"); w_str(j, m->to_uri);
	w_key(j, "to_tag"); w_str(j, m->to_tag);
	w_key(j, "via_branch"); w_str(j, m->via_branch);
	if (m->user_agent) {
		w_key(j, "user_agent"); w_str(j, m->user_agent);
	}
	if (m->server) {
		w_key(j, "server"); w_str(j, m->server);
	}
	if (m->ncontacts > 0) {
		w_key(j, "contacts");
		w_arr(j);
		for (int i = 0; i < m->ncontacts; i++) {
			const struct sip_contact *c = &m->contacts[i];
			w_obj(j);
			w_key(j, "uri");
			if (c->star)
				w_name(j, "*");
			else
				w_str(j, c->uri);
			w_key(j, "expires"); w_int_or_null(j, c->expires, c->expires >= 0);
			if (c->instance) {
				w_key(j, "instance"); w_str(j, c->instance);
			}
			if (c->reg_id) {
				w_key(j, "reg_id"); w_str(j, c->reg_id);
			}
			w_obj_end(j);
		}
		w_arr_end(j);
	}
	w_key(j, "expires"); w_int_or_null(j, m->expires, m->expires >= 0);
	if (m->min_expires >= 0) {
		w_key(j, "min_expires"); w_int(j, m->min_expires);
	}
	w_key(j, "credentials"); w_bool(j, m->ncreds > 0);
	w_key(j, "challenge"); w_bool(j, m->nchals > 0);
	w_key(j, "size"); w_int(j, (long long)m->raw_len);
	w_key(j, "malformed"); w_bool(j, m->malformed);
	if (m->malformed) {
		w_key(j, "malformed_reason"); w_str(j, m->malformed_reason);
	}
	if (m->lenient) {
		/* in enum sip_lenient's bit order */
		static const char *const names[] = {
			"lf_only", "leading_junk", "cl_short", "cl_long", "no_cl", "quoted_param",
			"folded", "bad_cl", "no_body_type", "start_line",
		};
		w_key(j, "lenient");
		w_arr(j);
		for (unsigned b = 0; b < sizeof names / sizeof *names; b++)
			if (m->lenient & (1u << b))
				w_name(j, names[b]);
		w_arr_end(j);
	}
	if (raw) {
		w_key(j, "raw"); w_strn(j, m->raw, m->raw ? m->raw_len : 0);
	}
}

/* ---------------------------------------------------------------- model objects */

static void w_msg_ids(struct json_out *j, const struct ptr_vec *v)
{
	w_arr(j);
	for (size_t i = 0; i < v->n; i++)
		w_int(j, (long long)((struct sip_msg *)v->v[i])->id);
	w_arr_end(j);
}

static void txn_fields(struct json_out *j, const struct txn *t, bool multi_file)
{
	w_key(j, "id"); w_int(j, t->id);
	w_key(j, "method"); w_str(j, t->method);
	w_key(j, "call_id"); w_str(j, t->call_id);
	w_key(j, "cseq"); w_int(j, t->cseq);
	w_key(j, "branch"); w_str(j, t->branch);
	w_key(j, "sent_by"); w_str(j, t->sent_by);
	if (t->req) {
		w_key(j, "request_frame"); w_int(j, (long long)t->req->frame);
		if (multi_file) {
			w_key(j, "file"); w_int(j, t->req->file);
		}
		w_key(j, "request_msg"); w_int(j, (long long)t->req->id);
	} else {
		w_key(j, "request_frame"); w_null(j);
		w_key(j, "request_msg"); w_null(j);
	}
	w_key(j, "time"); w_time(j, t->t_first);
	w_key(j, "request_copies"); w_int(j, (long long)t->reqs.n);
	w_key(j, "request_msgs"); w_msg_ids(j, &t->reqs);
	w_key(j, "responses");
	w_arr(j);
	for (size_t i = 0; i < t->resps.n; i++) {
		const struct sip_msg *r = t->resps.v[i];
		w_obj(j);
		w_key(j, "msg"); w_int(j, (long long)r->id);
		w_key(j, "frame"); w_int(j, (long long)r->frame);
		w_key(j, "status"); w_int(j, r->status);
		w_key(j, "time"); w_time(j, r->ts_ns);
		w_obj_end(j);
	}
	w_arr_end(j);
	w_key(j, "final_status"); w_int_or_null(j, t->final_status, t->final != NULL);
	w_key(j, "final_frame");
	if (t->final)
		w_int(j, (long long)t->final->frame);
	else
		w_null(j);
	w_key(j, "outcome"); w_name(j, txn_outcome_name(t->outcome));
	w_key(j, "response_time_ms");
	if (t->final && t->req)
		w_real(j, (double)(t->t_final - t->t_first) / 1e6);
	else
		w_null(j);
	w_key(j, "request_retransmissions"); w_int(j, t->req_retrans);
	w_key(j, "response_retransmissions"); w_int(j, t->resp_retrans);
	w_key(j, "branch_reused"); w_bool(j, t->branch_reused);
	w_key(j, "rfc2543"); w_bool(j, t->rfc2543);
	w_key(j, "orphan"); w_bool(j, t->orphan);
	w_key(j, "late_final"); w_bool(j, t->late_final);
	if (t->acks.n) {
		w_key(j, "acks"); w_msg_ids(j, &t->acks);
	}
	if (t->nicmps) {
		w_key(j, "icmp");
		w_arr(j);
		for (size_t i = 0; i < t->nicmps; i++) {
			w_obj(j);
			w_key(j, "frame"); w_int(j, (long long)t->icmps[i].frame);
			w_key(j, "time"); w_time(j, t->icmps[i].ts_ns);
			w_key(j, "version"); w_int(j, t->icmps[i].version);
			w_key(j, "type"); w_int(j, t->icmps[i].type);
			w_key(j, "code"); w_int(j, t->icmps[i].code);
			w_obj_end(j);
		}
		w_arr_end(j);
	}
	if (t->req) {
		w_key(j, "credentials"); w_bool(j, t->req->ncreds > 0);
		w_key(j, "expires"); w_int_or_null(j, t->req->expires, t->req->expires >= 0);
	}
	if (t->attempt) {
		w_key(j, "attempt"); w_int(j, t->attempt->id);
		w_key(j, "session"); w_int(j, t->attempt->session->id);
	}
}

static void w_txn(struct json_out *j, const struct txn *t, bool multi_file)
{
	w_obj(j);
	txn_fields(j, t, multi_file);
	w_obj_end(j);
}

static void w_txn_ids(struct json_out *j, const struct ptr_vec *v)
{
	w_arr(j);
	for (size_t i = 0; i < v->n; i++)
		w_int(j, ((struct txn *)v->v[i])->id);
	w_arr_end(j);
}

static void attempt_fields(struct json_out *j, const struct reg_attempt *at)
{
	w_key(j, "id"); w_int(j, at->id);
	w_key(j, "session"); w_int(j, at->session->id);
	w_key(j, "call_id"); w_str(j, at->session->call_id);
	w_key(j, "transactions"); w_txn_ids(j, &at->txns);
	w_key(j, "result"); w_name(j, attempt_result_name(at->result));
	w_key(j, "final_status"); w_int_or_null(j, at->final_status, at->final_status > 0);
	w_key(j, "challenges"); w_int(j, at->challenges);
	w_key(j, "deregister"); w_bool(j, at->deregister);
	w_key(j, "query"); w_bool(j, at->query);
	w_key(j, "expires_requested");
	w_int_or_null(j, at->expires_requested, at->expires_requested >= 0);
	w_key(j, "expires_granted");
	w_int_or_null(j, at->expires_granted, at->expires_granted >= 0);
	w_key(j, "start"); w_time(j, at->t_start);
	w_key(j, "end");
	if (at->t_end)
		w_time(j, at->t_end);
	else
		w_null(j);
	w_key(j, "duration_ms");
	if (at->t_end)
		w_real(j, (double)(at->t_end - at->t_start) / 1e6);
	else
		w_null(j);
}

static void w_session(struct json_out *j, const struct reg_session *s)
{
	w_obj(j);
	w_key(j, "id"); w_int(j, s->id);
	w_key(j, "call_id"); w_str(j, s->call_id);
	w_key(j, "attempts");
	w_arr(j);
	for (size_t i = 0; i < s->attempts.n; i++)
		w_int(j, ((struct reg_attempt *)s->attempts.v[i])->id);
	w_arr_end(j);
	w_key(j, "transactions"); w_txn_ids(j, &s->txns);
	w_key(j, "first"); w_time(j, s->t_first);
	w_key(j, "last"); w_time(j, s->t_last);
	w_obj_end(j);
}

static void w_binding(struct json_out *j, const struct binding *b)
{
	w_obj(j);
	w_key(j, "id"); w_int(j, b->id);
	w_key(j, "key"); w_str(j, b->key);
	w_key(j, "contact"); w_str(j, b->contact);
	if (b->instance) {
		w_key(j, "instance"); w_str(j, b->instance);
	}
	if (b->reg_id) {
		w_key(j, "reg_id"); w_str(j, b->reg_id);
	}
	w_key(j, "active"); w_bool(j, b->active);
	w_key(j, "expires_at");
	if (b->nev)
		w_time(j, b->expires_at);
	else
		w_null(j);
	if (b->shed_events) {        /* --max-memory: from between the first and the rest */
		w_key(j, "evicted_events");
		w_int(j, b->shed_events);
	}
	w_key(j, "events");
	w_arr(j);
	for (size_t i = 0; i < b->nev; i++) {
		const struct binding_event *e = &b->ev[i];
		w_obj(j);
		w_key(j, "event"); w_name(j, binding_event_name(e->kind));
		w_key(j, "time"); w_time(j, e->ts_ns);
		if (e->kind == BEV_CREATED || e->kind == BEV_REFRESHED) {
			w_key(j, "expires"); w_int(j, e->expires);
		}
		w_key(j, "msg");
		if (e->msg_id)
			w_int(j, (long long)e->msg_id);
		else
			w_null(j);
		w_key(j, "transaction");
		if (e->txn_id)
			w_int(j, e->txn_id);
		else
			w_null(j);
		w_obj_end(j);
	}
	w_arr_end(j);
	w_obj_end(j);
}

/* A finding's fields; without its words (with_text false) what names it
 * in a finding_withdrawn line: rule, severity, frames, aor. */
static void finding_fields_(struct json_out *j, const struct finding *f, bool with_text)
{
	w_key(j, "rule"); w_str(j, f->rule);
	w_key(j, "severity"); w_name(j, finding_sev_name(f->sev));
	if (with_text) {
		w_key(j, "message"); w_str(j, f->message);
		w_key(j, "fix"); w_str(j, f->fix);
	}
	w_key(j, "frames");
	w_arr(j);
	for (size_t i = 0; i < f->nframes; i++)
		w_int(j, (long long)f->frames[i]);
	w_arr_end(j);
	if (f->aor) {
		w_key(j, "aor"); w_str(j, f->aor->aor);
	}
}

static void finding_fields(struct json_out *j, const struct finding *f)
{
	finding_fields_(j, f, true);
}

static void reg_fields(struct json_out *j, const struct aor_hist *a, bool multi_file)
{
	w_key(j, "aor"); w_str(j, a->aor);
	w_key(j, "state"); w_name(j, aor_state_name(a->state));
	w_key(j, "transactions");
	w_arr(j);
	for (size_t i = 0; i < a->txns.n; i++)
		w_txn(j, a->txns.v[i], multi_file);
	w_arr_end(j);
	if (a->evicted_txns) {       /* --max-memory: not in the lists any more */
		w_key(j, "evicted_transactions");
		w_int(j, a->evicted_txns);
	}
	if (a->shed_sessions) {
		w_key(j, "evicted_sessions");
		w_int(j, a->shed_sessions);
	}
	if (a->shed_attempts) {
		w_key(j, "evicted_attempts");
		w_int(j, a->shed_attempts);
	}
	if (a->shed_bindings) {
		w_key(j, "evicted_bindings");
		w_int(j, a->shed_bindings);
	}
	w_key(j, "sessions");
	w_arr(j);
	for (size_t i = 0; i < a->sessions.n; i++)
		w_session(j, a->sessions.v[i]);
	w_arr_end(j);
	w_key(j, "attempts");
	w_arr(j);
	for (size_t i = 0; i < a->attempts.n; i++) {
		w_obj(j);
		attempt_fields(j, a->attempts.v[i]);
		w_obj_end(j);
	}
	w_arr_end(j);
	w_key(j, "bindings");
	w_arr(j);
	for (size_t i = 0; i < a->bindings.n; i++)
		w_binding(j, a->bindings.v[i]);
	w_arr_end(j);

	const struct aor_summary *s = &a->sum;
	w_key(j, "summary");
	w_obj(j);
	w_key(j, "attempts"); w_int(j, s->attempts);
	w_key(j, "failures"); w_int(j, s->failures);
	w_key(j, "last_status"); w_int_or_null(j, s->last_status, s->last_status > 0);
	w_key(j, "time_to_register_ms");
	if (s->time_to_register_ns >= 0)
		w_real(j, (double)s->time_to_register_ns / 1e6);
	else
		w_null(j);
	w_key(j, "expires_requested");
	w_int_or_null(j, s->expires_requested, s->expires_requested >= 0);
	w_key(j, "expires_granted");
	w_int_or_null(j, s->expires_granted, s->expires_granted >= 0);
	w_key(j, "contacts"); w_int(j, s->contacts);
	w_key(j, "user_agent"); w_str(j, s->user_agent);
	w_key(j, "sources");
	w_arr(j);
	for (size_t i = 0; i < s->nsources; i++)
		w_addr(j, &s->sources[i]);
	w_arr_end(j);
	w_key(j, "first_seen"); w_time(j, a->t_first);
	w_key(j, "last_seen"); w_time(j, a->t_last);
	w_obj_end(j);

	w_key(j, "cause");   /* the finding that ranks first (finding_rank_cmp) */
	if (a->cause) {
		w_obj(j);
		w_key(j, "rule"); w_str(j, a->cause->rule);
		w_key(j, "message"); w_str(j, a->cause->message);
		w_obj_end(j);
	} else {
		w_null(j);
	}
	w_key(j, "findings");
	w_arr(j);
	for (size_t i = 0; i < a->findings.n; i++) {
		w_obj(j);
		finding_fields(j, a->findings.v[i]);
		w_obj_end(j);
	}
	w_arr_end(j);
}

static void dialog_fields(struct json_out *j, const struct dialog *d, bool multi_file)
{
	w_key(j, "id"); w_int(j, d->id);
	w_key(j, "call_id"); w_str(j, d->call_id);
	w_key(j, "first_method"); w_str(j, d->first_method);
	w_key(j, "from"); w_str(j, d->from_uri);
	w_key(j, "to"); w_str(j, d->to_uri);
	w_key(j, "first"); w_time(j, d->t_first);
	w_key(j, "last"); w_time(j, d->t_last);
	w_key(j, "messages"); w_msg_ids(j, &d->msgs);
	if (d->evicted_msgs) {       /* --max-memory: not in the lists any more */
		w_key(j, "evicted_messages");
		w_int(j, d->evicted_msgs);
	}
	w_key(j, "transactions");
	w_arr(j);
	for (size_t i = 0; i < d->txns.n; i++)
		w_txn(j, d->txns.v[i], multi_file);
	w_arr_end(j);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* Counts by key in first-seen order (stats' methods and status codes).
 * The key is captured text: counted by its JSON form (w_strn()'s U+FFFD
 * repair), so two byte strings that print the same count as one key. */
struct key_count {
	char *key;               /* the repaired key, NUL-terminated */
	uint64_t n;
};
struct key_counts {
	struct key_count *v;
	size_t n, cap;
	size_t *slot;            /* open addressing: index + 1, 0 empty */
	size_t nslot;
	bool oom;
};

static char *key_repair(const char *s)
{
	size_t n = strlen(s), k = 0;
	char *o = malloc(n * 3 + 1);
	if (!o)
		return NULL;
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		size_t l = utf8_len(p + i, n - i);
		if (l == 0) {
			memcpy(o + k, "\xef\xbf\xbd", 3);
			k += 3;
			i++;
		} else {
			memcpy(o + k, p + i, l);
			k += l;
			i += l;
		}
	}
	o[k] = '\0';
	return o;
}

static size_t key_hash(const char *s)
{
	return rt_fnv32(RT_FNV32_INIT, s, strlen(s));
}

static void key_count(struct key_counts *kc, const char *raw)
{
	char *k = key_repair(raw ? raw : "?");
	if (!k) {
		kc->oom = true;
		return;
	}
	if (kc->n * 2 >= kc->nslot) {
		size_t ns = kc->nslot ? kc->nslot * 2 : 64;
		size_t *sl = calloc(ns, sizeof *sl);
		if (!sl) {
			kc->oom = true;
			free(k);
			return;
		}
		for (size_t i = 0; i < kc->n; i++) {
			size_t h = key_hash(kc->v[i].key) & (ns - 1);
			while (sl[h])
				h = (h + 1) & (ns - 1);
			sl[h] = i + 1;
		}
		free(kc->slot);
		kc->slot = sl;
		kc->nslot = ns;
	}
	size_t h = key_hash(k) & (kc->nslot - 1);
	while (kc->slot[h]) {
		struct key_count *e = &kc->v[kc->slot[h] - 1];
		if (strcmp(e->key, k) == 0) {
			e->n++;
			free(k);
			return;
		}
		h = (h + 1) & (kc->nslot - 1);
	}
	if (kc->n == kc->cap) {
		size_t nc = kc->cap ? kc->cap * 2 : 16;
		struct key_count *nv = realloc(kc->v, nc * sizeof *nv);
		if (!nv) {
			kc->oom = true;
			free(k);
			return;
		}
		kc->v = nv;
		kc->cap = nc;
	}
	kc->v[kc->n] = (struct key_count){ k, 1 };
	kc->slot[h] = ++kc->n;
}

/* {"KEY":N,...}, then the counts are freed */
static void w_key_counts(struct json_out *j, struct key_counts *kc)
{
	w_obj(j);
	for (size_t i = 0; i < kc->n; i++) {
		w_str(j, kc->v[i].key);
		j->keyed = true;
		w_byte(j, ':');
		w_int(j, (long long)kc->v[i].n);
		free(kc->v[i].key);
	}
	w_obj_end(j);
	if (kc->oom)
		j->err = true;
	free(kc->v);
	free(kc->slot);
}

static void w_stats(struct json_out *j, const struct model *m)
{
	const struct model_stats *st = &m->st;
	w_obj(j);
	w_key(j, "messages"); w_int(j, (long long)st->msgs);
	w_key(j, "requests"); w_int(j, (long long)st->requests);
	w_key(j, "responses"); w_int(j, (long long)st->responses);
	w_key(j, "malformed"); w_int(j, (long long)st->malformed);
	struct key_counts methods = { 0 }, codes = { 0 };
	for (size_t i = 0; i < m->msgs.n; i++) {
		const struct sip_msg *msg = m->msgs.v[i];
		if (msg->request) {
			key_count(&methods, msg->method);
		} else {
			char b[16];
			snprintf(b, sizeof b, "%d", msg->status);
			key_count(&codes, b);
		}
	}
	w_key(j, "methods"); w_key_counts(j, &methods);
	w_key(j, "status_codes"); w_key_counts(j, &codes);

	int64_t *rt = malloc((m->txns.n + 1) * sizeof *rt);
	size_t nrt = 0;
	for (size_t i = 0; i < m->txns.n; i++) {
		const struct txn *x = m->txns.v[i];
		if (x->outcome == TXN_FINAL && x->req && rt)
			rt[nrt++] = x->t_final - x->t_first;
	}
	w_key(j, "transactions");
	w_obj(j);
	w_key(j, "total"); w_int(j, (long long)st->txns);
	w_key(j, "final"); w_int(j, (long long)st->txns_final);
	w_key(j, "timeout"); w_int(j, (long long)st->txns_timeout);
	w_key(j, "unknown"); w_int(j, (long long)st->txns_unknown);
	w_key(j, "orphan"); w_int(j, (long long)st->orphan_responses);
	w_key(j, "request_retransmissions"); w_int(j, (long long)st->req_retrans);
	w_key(j, "response_retransmissions"); w_int(j, (long long)st->resp_retrans);
	w_key(j, "branch_reuse"); w_int(j, (long long)st->branch_reuse);
	w_obj_end(j);

	/* response time: first request copy -> first final, nearest-rank percentiles */
	w_key(j, "response_time_ms");
	w_obj(j);
	w_key(j, "count"); w_int(j, (long long)nrt);
	if (rt && nrt) {
		qsort(rt, nrt, sizeof *rt, cmp_i64);
		static const int pct[] = { 50, 90, 95, 99 };
		w_key(j, "min"); w_real(j, (double)rt[0] / 1e6);
		for (size_t i = 0; i < sizeof pct / sizeof pct[0]; i++) {
			size_t rank = (nrt * (size_t)pct[i] + 99) / 100;
			if (rank < 1)
				rank = 1;
			static const char *const names[] = { "\"p50\":", "\"p90\":", "\"p95\":", "\"p99\":" };
			w_key_(j, names[i], 6);
			w_real(j, (double)rt[rank - 1] / 1e6);
		}
		w_key(j, "max"); w_real(j, (double)rt[nrt - 1] / 1e6);
	} else {
		w_key(j, "min"); w_null(j);
		w_key(j, "p50"); w_null(j);
		w_key(j, "p90"); w_null(j);
		w_key(j, "p95"); w_null(j);
		w_key(j, "p99"); w_null(j);
		w_key(j, "max"); w_null(j);
	}
	w_obj_end(j);
	free(rt);

	static const enum aor_state all[] = { AOR_REGISTERED, AOR_FAILED, AOR_CHALLENGED,
		AOR_UNREGISTERED, AOR_EXPIRED, AOR_TIMEOUT, AOR_UNKNOWN };
	size_t ns[7] = {0};
	uint64_t att = 0, att_ok = 0, att_done = 0;
	for (size_t i = 0; i < m->aors.n; i++) {
		const struct aor_hist *a = m->aors.v[i];
		for (size_t k = 0; k < 7; k++)
			if (a->state == all[k])
				ns[k]++;
		for (size_t k = 0; k < a->attempts.n; k++) {
			const struct reg_attempt *at = a->attempts.v[k];
			att++;
			if (at->result == ATT_OK)
				att_ok++;
			if (at->result != ATT_UNKNOWN && at->result != ATT_OPEN)
				att_done++;
		}
	}
	w_key(j, "registrations");
	w_obj(j);
	w_key(j, "aors"); w_int(j, (long long)m->aors.n);
	w_key(j, "states");
	w_obj(j);
	for (size_t k = 0; k < 7; k++) {
		w_str(j, aor_state_name(all[k]));
		j->keyed = true;
		w_byte(j, ':');
		w_int(j, (long long)ns[k]);
	}
	w_obj_end(j);
	w_key(j, "attempts"); w_int(j, (long long)att);
	w_key(j, "attempts_ok"); w_int(j, (long long)att_ok);
	/* AORs registered at the end / AORs seen; attempts OK / attempts answered */
	w_key(j, "success_ratio");
	if (m->aors.n)
		w_real(j, (double)ns[0] / (double)m->aors.n);
	else
		w_null(j);
	w_key(j, "attempt_success_ratio");
	if (att_done)
		w_real(j, (double)att_ok / (double)att_done);
	else
		w_null(j);
	w_obj_end(j);
	w_obj_end(j);
}

static void w_capture(struct json_out *j, const struct json_capture *c, const struct model *m)
{
	w_obj(j);
	w_key(j, "files");
	w_arr(j);
	for (size_t i = 0; c && i < c->nfiles; i++) {
		w_obj(j);
		w_key(j, "name"); w_str(j, c->files[i].name);
		w_key(j, "linktype"); w_int(j, c->files[i].linktype);
		w_key(j, "truncated"); w_bool(j, c->files[i].truncated);
		const struct json_capture_file *cf = &c->files[i];
		if (cf->compression) {
			w_key(j, "compression"); w_str(j, cf->compression);
		}
		if (cf->pcapng) {
			w_key(j, "interfaces");
			w_arr(j);
			for (size_t k = 0; k < cf->nifaces; k++) {
				w_obj(j);
				w_key(j, "id"); w_int(j, (long long)k);
				w_key(j, "linktype"); w_int(j, cf->ifaces[k].linktype);
				w_key(j, "name"); w_str(j, cf->ifaces[k].name);
				w_key(j, "description"); w_str(j, cf->ifaces[k].descr);
				w_key(j, "comment"); w_str(j, cf->ifaces[k].comment);
				w_key(j, "packets"); w_int(j, (long long)cf->ifaces[k].packets);
				w_obj_end(j);
			}
			w_arr_end(j);
		}
		if (cf->unknown_blocks || cf->bad_block_length || cf->bad_interface || cf->bad_packet) {
			w_key(j, "pcapng_anomalies");
			w_obj(j);
			w_key(j, "unknown_blocks"); w_int(j, (long long)cf->unknown_blocks);
			w_key(j, "bad_block_length"); w_int(j, (long long)cf->bad_block_length);
			w_key(j, "bytes_skipped"); w_int(j, (long long)cf->bytes_skipped);
			w_key(j, "bad_interface"); w_int(j, (long long)cf->bad_interface);
			w_key(j, "bad_packet"); w_int(j, (long long)cf->bad_packet);
			w_obj_end(j);
		}
		if (cf->tls_keylog_bytes) {
			w_key(j, "tls_keylog_bytes"); w_int(j, (long long)cf->tls_keylog_bytes);
		}
		w_obj_end(j);
	}
	w_arr_end(j);
	if (c && c->interface) {
		w_key(j, "interface"); w_str(j, c->interface);
		w_key(j, "kernel_drops"); w_int(j, (long long)c->kernel_drops);
	}
	w_key(j, "packets"); w_int(j, c ? (long long)c->packets : 0);
	w_key(j, "bytes"); w_int(j, c ? (long long)c->bytes : 0);
	w_key(j, "sip_messages"); w_int(j, c ? (long long)c->sip_msgs : (long long)m->st.msgs);
	w_key(j, "malformed"); w_int(j, c ? (long long)c->malformed : (long long)m->st.malformed);
	w_key(j, "truncated_packets"); w_int(j, c ? (long long)c->truncated_packets : 0);
	w_key(j, "unknown_link"); w_int(j, c ? (long long)c->unknown_link : 0);
	w_key(j, "icmp_errors"); w_int(j, c ? (long long)c->icmp_errors : 0);
	w_key(j, "lost");
	w_obj(j);
	w_key(j, "tcp_bytes"); w_int(j, c ? (long long)c->lost_tcp_bytes : 0);
	w_key(j, "ip_fragments"); w_int(j, c ? (long long)c->lost_fragments : 0);
	w_obj_end(j);
	w_key(j, "first_time");
	if (c && c->first_ns)
		w_time(j, c->first_ns);
	else
		w_null(j);
	w_key(j, "last_time");
	if (c && c->last_ns)
		w_time(j, c->last_ns);
	else
		w_null(j);
	w_key(j, "anomalies");
	w_arr(j);
	for (int e = 0; c && c->anomalies && e < DIS_EV_COUNT; e++) {
		const struct dis_event_stat *s = &c->anomalies->ev[e];
		if (!s->count)
			continue;   /* only the events seen */
		w_obj(j);
		w_key(j, "event"); w_str(j, dis_event_name((enum dis_event)e));
		w_key(j, "count"); w_int(j, (long long)s->count);
		w_key(j, "first_frame"); w_int(j, (long long)s->first_frame);
		w_obj_end(j);
	}
	w_arr_end(j);
	if (c && c->tls.present) {
		const struct json_tls *t = &c->tls;
		w_key(j, "tls");
		w_obj(j);
		w_key(j, "connections"); w_int(j, (long long)t->connections);
		w_key(j, "decrypted"); w_int(j, (long long)t->decrypted);
		w_key(j, "undecryptable");
		w_obj(j);
		w_key(j, "count"); w_int(j, (long long)t->undecryptable);
		w_key(j, "https"); w_int(j, (long long)t->undecryptable_https);
		w_key(j, "connections");
		w_arr(j);
		for (size_t i = 0; i < t->nundec; i++) {
			w_obj(j);
			w_key(j, "client"); w_str(j, t->undec[i].client);
			w_key(j, "server"); w_str(j, t->undec[i].server);
			w_key(j, "reason"); w_str(j, t->undec[i].reason);
			w_key(j, "alpn");
			if (t->undec[i].alpn)
				w_str(j, t->undec[i].alpn);
			else
				w_null(j);
			w_key(j, "https");
			if (t->undec[i].https)
				w_str(j, t->undec[i].https);
			else
				w_null(j);
			w_obj_end(j);
		}
		w_arr_end(j);
		w_obj_end(j);
		w_key(j, "records");
		w_obj(j);
		w_key(j, "total"); w_int(j, (long long)t->records);
		w_key(j, "decrypt_failures"); w_int(j, (long long)t->decrypt_failures);
		w_key(j, "oversize"); w_int(j, (long long)t->oversize_records);
		w_key(j, "not_tls"); w_int(j, (long long)t->bad_records);
		w_key(j, "truncated"); w_int(j, (long long)t->truncated_records);
		w_obj_end(j);
		w_key(j, "key_updates"); w_int(j, (long long)t->key_updates);
		w_key(j, "keylog");
		if (t->keylog) {
			w_obj(j);
			w_key(j, "lines"); w_int(j, (long long)t->keylog_lines);
			w_key(j, "secrets"); w_int(j, (long long)t->keylog_secrets);
			w_key(j, "garbage_lines"); w_int(j, (long long)t->keylog_garbage);
			w_obj_end(j);
		} else {
			w_null(j);
		}
		w_obj_end(j);
	}
	if (c && c->write) {
		const struct json_write *wr = c->write;
		w_key(j, "write");
		w_obj(j);
		w_key(j, "path"); w_str(j, wr->path);
		w_key(j, "format"); w_str(j, wr->format);
		w_key(j, "selection"); w_bool(j, wr->selection);
		w_key(j, "packets"); w_int(j, (long long)wr->packets);
		w_key(j, "files"); w_int(j, (long long)wr->files);
		w_key(j, "failed"); w_int(j, (long long)wr->failed);
		w_key(j, "other_link"); w_int(j, (long long)wr->other_link);
		w_key(j, "over_limit"); w_int(j, (long long)wr->over_limit);
		w_key(j, "held"); w_int(j, (long long)wr->held);
		w_key(j, "evicted"); w_int(j, (long long)wr->evicted);
		w_key(j, "evicted_selected"); w_int(j, (long long)wr->evicted_selected);
		w_key(j, "error");
		if (wr->error)
			w_str(j, wr->error);
		else
			w_null(j);
		w_obj_end(j);
	}
	if (c && c->evicted && c->evicted->passes) {
		const struct model_evicted *e = c->evicted;
		w_key(j, "evicted");
		w_obj(j);
		w_key(j, "limit_bytes"); w_int(j, (long long)c->mem_limit);
		w_key(j, "messages"); w_int(j, (long long)e->messages);
		w_key(j, "bytes"); w_int(j, (long long)e->bytes);
		w_key(j, "transactions"); w_int(j, (long long)e->transactions);
		w_key(j, "dialogs"); w_int(j, (long long)e->dialogs);
		w_key(j, "aors"); w_int(j, (long long)e->aors);
		w_obj_end(j);
	}
	w_obj_end(j);
}

/* ---------------------------------------------------------------- writing */

/* end of one element: hand it to stdio (which flushes at exit too) */
static void w_done(struct json_out *j)
{
	j->depth = 0;
	j->keyed = false;
	w_flush(j);
}

static void put(struct json_out *j, const char *s)
{
	w_bytes(j, s, strlen(s));
}

static struct json_out *out_new(FILE *f, const struct json_opts *o, bool lines)
{
	struct json_out *j = calloc(1, sizeof *j);
	if (!j)
		return NULL;
	j->buf = malloc(W_BUFSIZE);
	if (!j->buf) {
		free(j);
		return NULL;
	}
	j->f = f;
	if (o)
		j->o = *o;
	j->lines = lines;
	return j;
}

static int out_free(struct json_out *j)
{
	w_flush(j);
	if (fflush(j->f) != 0)
		j->err = true;
	int rc = j->err ? -1 : 0;
	free(j->buf);
	free(j);
	return rc;
}

struct json_out *json_begin(FILE *f, const struct json_opts *o)
{
	return out_new(f, o, false);
}

void json_discard(struct json_out *j)
{
	if (!j)
		return;
	free(j->buf);
	free(j);
}

void json_select(struct json_out *j, const struct rt_select *sel)
{
	if (j)
		j->sel = sel;
}

static void json_head(struct json_out *j)
{
	if (j->head_done)
		return;
	j->head_done = true;
	put(j, "{\"schema_version\":\"" JSON_SCHEMA_VERSION "\",\n\"messages\":[");
	w_done(j);
}

void json_message(struct json_out *j, const struct sip_msg *m)
{
	if (!j || !m)
		return;
	json_head(j);
	put(j, j->nmsgs++ ? ",\n" : "\n");
	w_obj(j);
	msg_fields(j, m, j->o.raw);
	w_obj_end(j);
	w_done(j);
}

static bool multi_file(const struct model *m, const struct json_capture *c)
{
	return (c && c->nfiles > 1) || m->st.max_file > 0;
}

int json_end(struct json_out *j, const struct model *m, const struct json_capture *c)
{
	if (!j)
		return -1;
	json_head(j);
	const struct rt_select *sel = j->sel;
	/* with a selection the messages were held back: the selected ones now */
	for (size_t i = 0; m && sel_active(sel) && i < m->msgs.n; i++)
		if (sel_msg(sel, m->msgs.v[i]))
			json_message(j, m->msgs.v[i]);
	bool mf = m ? multi_file(m, c) : false;
	size_t k = 0;
	put(j, "\n],\n\"registrations\":[");
	for (size_t i = 0; m && i < m->aors.n; i++) {
		if (!sel_aor(sel, m->aors.v[i]))
			continue;
		put(j, k++ ? ",\n" : "\n");
		w_obj(j);
		reg_fields(j, m->aors.v[i], mf);
		w_obj_end(j);
		w_done(j);
	}
	k = 0;
	put(j, "\n],\n\"dialogs\":[");
	for (size_t i = 0; m && i < m->dialogs.n; i++) {
		if (!sel_dialog(sel, m->dialogs.v[i]))
			continue;
		put(j, k++ ? ",\n" : "\n");
		w_obj(j);
		dialog_fields(j, m->dialogs.v[i], mf);
		w_obj_end(j);
		w_done(j);
	}
	k = 0;
	put(j, "\n],\n\"findings\":[");
	for (size_t i = 0; m && i < m->findings.n; i++) {
		if (!sel_finding(sel, m->findings.v[i]))
			continue;
		put(j, k++ ? ",\n" : "\n");
		w_obj(j);
		finding_fields(j, m->findings.v[i]);
		w_obj_end(j);
		w_done(j);
	}
	put(j, "\n],\n\"stats\":");
	if (m)
		w_stats(j, m);
	else
		put(j, "null");
	put(j, ",\n\"capture\":");
	if (m)
		w_capture(j, c, m);
	else
		put(j, "null");
	put(j, "\n}\n");
	return out_free(j);
}

/* ---------------------------------------------------------------- JSON Lines */

/* {"type":TYPE, then the element's own fields (line_end() closes it) */
static void line_begin(struct json_out *j, const char *type)
{
	w_obj(j);
	w_key(j, "type");
	w_name(j, type);
}

static void line_end(struct json_out *j)
{
	w_obj_end(j);
	w_byte(j, '\n');
	w_done(j);
	/* live capture: a reader sees each line at once */
	if (j->o.flush_lines && fflush(j->f) != 0)
		j->err = true;
}

struct json_out *jsonl_begin(FILE *f, const struct json_opts *o)
{
	return out_new(f, o, true);
}

void jsonl_message(struct json_out *j, const struct sip_msg *m)
{
	if (!j || !m)
		return;
	line_begin(j, "message");
	msg_fields(j, m, j->o.raw);
	line_end(j);
}

static void on_txn(void *user, const struct model *m, const struct txn *t)
{
	struct json_out *j = user;
	line_begin(j, "transaction");
	txn_fields(j, t, m->st.max_file > 0);
	if (t->aor) {
		w_key(j, "aor"); w_str(j, t->aor->aor);
	}
	line_end(j);
}

static void on_attempt(void *user, const struct model *m, const struct reg_attempt *a)
{
	(void)m;
	struct json_out *j = user;
	line_begin(j, "attempt");
	attempt_fields(j, a);
	w_key(j, "aor"); w_str(j, a->aor->aor);
	line_end(j);
}

void jsonl_hook(struct json_out *j, struct model_opts *mo)
{
	if (!j || !mo)
		return;
	mo->on_txn_done = on_txn;
	mo->on_attempt_done = on_attempt;
	mo->user = j;
}

void jsonl_finding(struct json_out *j, const struct finding *f, bool live)
{
	if (!j || !f)
		return;
	line_begin(j, "finding");
	finding_fields(j, f);
	if (live) {
		w_key(j, "live"); w_bool(j, true);
	}
	line_end(j);
}

void jsonl_finding_withdrawn(struct json_out *j, const struct finding *f)
{
	if (!j || !f)
		return;
	line_begin(j, "finding_withdrawn");
	finding_fields_(j, f, false);
	line_end(j);
}

void jsonl_skip_findings(struct json_out *j, bool (*skip)(void *u, const struct finding *f), void *u)
{
	if (!j)
		return;
	j->skip = skip;
	j->skip_u = u;
}

int jsonl_end(struct json_out *j, const struct model *m, const struct json_capture *c)
{
	if (!j)
		return -1;
	bool mf = m ? multi_file(m, c) : false;
	const struct rt_select *sel = j->sel;
	if (m && sel_active(sel)) {
		/* held back while reading (jsonl_hook is not called with a
		 * selection): the selected messages, transactions, attempts */
		for (size_t i = 0; i < m->msgs.n; i++)
			if (sel_msg(sel, m->msgs.v[i]))
				jsonl_message(j, m->msgs.v[i]);
		for (size_t i = 0; i < m->txns.n; i++) {
			const struct txn *t = m->txns.v[i];
			const struct sip_msg *x = t->req ? t->req : t->resps.n ? t->resps.v[0] : NULL;
			if (x && sel_msg(sel, x))
				on_txn(j, m, t);
		}
		for (size_t i = 0; i < m->aors.n; i++) {
			const struct aor_hist *a = m->aors.v[i];
			for (size_t k = 0; sel_aor(sel, a) && k < a->attempts.n; k++)
				on_attempt(j, m, a->attempts.v[k]);
		}
	}
	for (size_t i = 0; m && i < m->aors.n; i++) {
		if (!sel_aor(sel, m->aors.v[i]))
			continue;
		line_begin(j, "registration");
		reg_fields(j, m->aors.v[i], mf);
		line_end(j);
	}
	for (size_t i = 0; m && i < m->findings.n; i++) {
		if (!sel_finding(sel, m->findings.v[i]))
			continue;
		if (j->skip && j->skip(j->skip_u, m->findings.v[i]))
			continue;
		line_begin(j, "finding");
		finding_fields(j, m->findings.v[i]);
		line_end(j);
	}
	if (m) {
		line_begin(j, "summary");
		w_key(j, "schema_version"); w_lit(j, "\"" JSON_SCHEMA_VERSION "\"");
		w_key(j, "stats"); w_stats(j, m);
		w_key(j, "capture"); w_capture(j, c, m);
		line_end(j);
	}
	return out_free(j);
}
