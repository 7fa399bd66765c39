/* json_out.c - see json_out.h.
 *
 * The per-element output (messages, transactions, attempts, sessions,
 * bindings, findings, registrations, dialogs) is written by a small
 * streaming writer straight into a reused buffer: building a Jansson tree
 * per element (a hash table per object, a malloc per value) was more than
 * half of --json's run time.  Jansson still renders what is written once
 * per run (stats, capture, the JSONL summary) and the rare real number
 * w_real_fixed() leaves to it; the bytes are exactly what json_dumpb()
 * with DUMP_FLAGS produced (same escaping, same %.16g rules).
 * Every captured string goes through w_strn(): invalid UTF-8 bytes become
 * U+FFFD (Jansson refuses invalid UTF-8, and a JSON reader would too).
 */
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <jansson.h>

#include "json_out.h"

#define W_BUFSIZE 65536      /* write-combining buffer, one fwrite per element */
#define W_DEPTH 16           /* deepest nesting written is 5 */

struct json_out {
	FILE *f;
	struct json_opts o;
	bool lines;              /* JSONL */
	size_t nmsgs;            /* elements written to "messages" */
	bool err;
	char *buf;               /* the element being written; flushed when full */
	size_t len;
	int depth;               /* open objects/arrays */
	bool first[W_DEPTH];     /* nothing written yet in that container */
	bool keyed;              /* a key was just written: its value takes no comma */
	json_t *real;            /* reused for the reals Jansson formats */
};

/* 16 digits: epoch seconds keep their microseconds without float noise */
#define DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(16))

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

static void w_int(struct json_out *j, json_int_t v)
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

static void w_int_or_null(struct json_out *j, json_int_t v, bool ok)
{
	if (ok)
		w_int(j, v);
	else
		w_null(j);
}

static int w_cb(const char *buf, size_t n, void *data)
{
	w_bytes(data, buf, n);
	return 0;
}

/* %.16g of 0 or of 1 <= |v| < 1e15 (times, durations) as Jansson writes it
 * with JSON_REAL_PRECISION(16): the exact binary value rounded half-even to
 * 15 - X decimals (X = decimal exponent), trailing zeros dropped, ".0" when
 * nothing is left.  Returns 0 when v is outside that range. */
static size_t w_real_fixed(char *out, double v)
{
	static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8,
		1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16 };
	static const uint64_t u10[] = { 1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL,
		1000000ULL, 10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
		100000000000ULL, 1000000000000ULL, 10000000000000ULL, 100000000000000ULL,
		1000000000000000ULL, 10000000000000000ULL };
	char *o = out;
	if (v == 0) {
		if (signbit(v))
			*o++ = '-';
		memcpy(o, "0.0", 3);
		return (size_t)(o - out) + 3;
	}
	double a = fabs(v);
	if (!(a >= 1.0 && a < 1e15))
		return 0;
	int x = 0;
	while (a >= p10[x + 1])
		x++;
	int d = 15 - x;                      /* decimals */
	uint64_t bits;
	memcpy(&bits, &a, sizeof bits);
	uint64_t mant = (bits & ((1ULL << 52) - 1)) | (1ULL << 52);
	int sh = 1075 - (int)((bits >> 52) & 0x7ff);   /* a = mant / 2^sh, 0 < sh <= 52 */
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

/* Jansson's own real formatting (%.16g, ".0" added, exponent trimmed),
 * through one reused value, for what w_real_fixed() does not cover */
static void w_real(struct json_out *j, double v)
{
	char b[48];
	size_t n = isfinite(v) ? w_real_fixed(b, v) : 0;
	if (n) {
		w_sep(j);
		w_bytes(j, b, n);
		return;
	}
	if (!isfinite(v) || !j->real || json_real_set(j->real, v) != 0) {
		w_null(j);   /* json_real() gave NULL, which set() wrote as null */
		return;
	}
	w_sep(j);
	if (json_dump_callback(j->real, w_cb, j, DUMP_FLAGS | JSON_ENCODE_ANY) != 0)
		j->err = true;
}

static void w_time(struct json_out *j, int64_t ns)
{
	w_real(j, (double)ns / 1e9);
}

/* A string as Jansson dumps it with DUMP_FLAGS (no ENSURE_ASCII, no
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

/* ---------------------------------------------------------------- Jansson values
 * (stats and capture: written once per run) */

static json_t *jstrn(const char *s, size_t n)
{
	if (!s)
		return json_null();
	json_t *v = json_stringn(s, n);
	if (v)
		return v;
	/* invalid UTF-8: replace each bad byte with U+FFFD */
	char *o = malloc(n * 3 + 1);
	if (!o)
		return json_null();
	size_t k = 0;
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
	v = json_stringn(o, k);
	free(o);
	return v ? v : json_null();
}

static json_t *jstr(const char *s)
{
	return s ? jstrn(s, strlen(s)) : json_null();
}

static json_t *jtime(int64_t ns)
{
	return json_real((double)ns / 1e9);
}

static void set(json_t *o, const char *k, json_t *v)
{
	json_object_set_new_nocheck(o, k, v ? v : json_null());
}

/* ---------------------------------------------------------------- messages */

static void msg_fields(struct json_out *j, const struct sip_msg *m, bool raw)
{
	w_key(j, "id"); w_int(j, (json_int_t)m->id);
	w_key(j, "file"); w_int(j, m->file);
	w_key(j, "frame"); w_int(j, (json_int_t)m->frame);
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
	w_key(j, "size"); w_int(j, (json_int_t)m->raw_len);
	w_key(j, "malformed"); w_bool(j, m->malformed);
	if (m->malformed) {
		w_key(j, "malformed_reason"); w_str(j, m->malformed_reason);
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
		w_int(j, (json_int_t)((struct sip_msg *)v->v[i])->id);
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
		w_key(j, "request_frame"); w_int(j, (json_int_t)t->req->frame);
		if (multi_file) {
			w_key(j, "file"); w_int(j, t->req->file);
		}
		w_key(j, "request_msg"); w_int(j, (json_int_t)t->req->id);
	} else {
		w_key(j, "request_frame"); w_null(j);
		w_key(j, "request_msg"); w_null(j);
	}
	w_key(j, "time"); w_time(j, t->t_first);
	w_key(j, "request_copies"); w_int(j, (json_int_t)t->reqs.n);
	w_key(j, "request_msgs"); w_msg_ids(j, &t->reqs);
	w_key(j, "responses");
	w_arr(j);
	for (size_t i = 0; i < t->resps.n; i++) {
		const struct sip_msg *r = t->resps.v[i];
		w_obj(j);
		w_key(j, "msg"); w_int(j, (json_int_t)r->id);
		w_key(j, "frame"); w_int(j, (json_int_t)r->frame);
		w_key(j, "status"); w_int(j, r->status);
		w_key(j, "time"); w_time(j, r->ts_ns);
		w_obj_end(j);
	}
	w_arr_end(j);
	w_key(j, "final_status"); w_int_or_null(j, t->final_status, t->final != NULL);
	w_key(j, "final_frame");
	if (t->final)
		w_int(j, (json_int_t)t->final->frame);
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
			w_key(j, "frame"); w_int(j, (json_int_t)t->icmps[i].frame);
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
			w_int(j, (json_int_t)e->msg_id);
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

static void finding_fields(struct json_out *j, const struct finding *f)
{
	w_key(j, "rule"); w_str(j, f->rule);
	w_key(j, "severity"); w_name(j, finding_sev_name(f->sev));
	w_key(j, "message"); w_str(j, f->message);
	w_key(j, "fix"); w_str(j, f->fix);
	w_key(j, "frames");
	w_arr(j);
	for (size_t i = 0; i < f->nframes; i++)
		w_int(j, (json_int_t)f->frames[i]);
	w_arr_end(j);
	if (f->aor) {
		w_key(j, "aor"); w_str(j, f->aor->aor);
	}
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

static void count_key(json_t *obj, const char *key)
{
	/* the key is captured text: sanitise it like any string */
	json_t *ks = jstr(key ? key : "?");
	const char *k = json_is_string(ks) ? json_string_value(ks) : "?";
	json_t *v = json_object_get(obj, k);
	if (v)
		json_integer_set(v, json_integer_value(v) + 1);
	else
		json_object_set_new(obj, k, json_integer(1));
	json_decref(ks);
}

static json_t *stats_json(const struct model *m)
{
	const struct model_stats *st = &m->st;
	json_t *o = json_object();
	set(o, "messages", json_integer((json_int_t)st->msgs));
	set(o, "requests", json_integer((json_int_t)st->requests));
	set(o, "responses", json_integer((json_int_t)st->responses));
	set(o, "malformed", json_integer((json_int_t)st->malformed));
	json_t *methods = json_object(), *codes = json_object();
	for (size_t i = 0; i < m->msgs.n; i++) {
		const struct sip_msg *msg = m->msgs.v[i];
		if (msg->request) {
			count_key(methods, msg->method);
		} else {
			char b[16];
			snprintf(b, sizeof b, "%d", msg->status);
			count_key(codes, b);
		}
	}
	set(o, "methods", methods);
	set(o, "status_codes", codes);

	json_t *t = json_object();
	uint64_t nfinal = 0;
	int64_t *rt = malloc((m->txns.n + 1) * sizeof *rt);
	size_t nrt = 0;
	for (size_t i = 0; i < m->txns.n; i++) {
		const struct txn *x = m->txns.v[i];
		if (x->outcome == TXN_FINAL) {
			nfinal++;
			if (x->req && rt)
				rt[nrt++] = x->t_final - x->t_first;
		}
	}
	set(t, "total", json_integer((json_int_t)st->txns));
	set(t, "final", json_integer((json_int_t)nfinal));
	set(t, "timeout", json_integer((json_int_t)st->txns_timeout));
	set(t, "unknown", json_integer((json_int_t)st->txns_unknown));
	set(t, "orphan", json_integer((json_int_t)st->orphan_responses));
	set(t, "request_retransmissions", json_integer((json_int_t)st->req_retrans));
	set(t, "response_retransmissions", json_integer((json_int_t)st->resp_retrans));
	set(t, "branch_reuse", json_integer((json_int_t)st->branch_reuse));
	set(o, "transactions", t);

	/* response time: first request copy -> first final, nearest-rank percentiles */
	json_t *p = json_object();
	set(p, "count", json_integer((json_int_t)nrt));
	if (rt && nrt) {
		qsort(rt, nrt, sizeof *rt, cmp_i64);
		static const struct { const char *k; int pct; } pc[] = {
			{ "p50", 50 }, { "p90", 90 }, { "p95", 95 }, { "p99", 99 } };
		set(p, "min", json_real((double)rt[0] / 1e6));
		for (size_t i = 0; i < sizeof pc / sizeof pc[0]; i++) {
			size_t rank = (nrt * (size_t)pc[i].pct + 99) / 100;
			if (rank < 1)
				rank = 1;
			set(p, pc[i].k, json_real((double)rt[rank - 1] / 1e6));
		}
		set(p, "max", json_real((double)rt[nrt - 1] / 1e6));
	} else {
		set(p, "min", json_null());
		set(p, "p50", json_null());
		set(p, "p90", json_null());
		set(p, "p95", json_null());
		set(p, "p99", json_null());
		set(p, "max", json_null());
	}
	free(rt);
	set(o, "response_time_ms", p);

	json_t *r = json_object();
	json_t *states = json_object();
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
	for (size_t k = 0; k < 7; k++)
		set(states, aor_state_name(all[k]), json_integer((json_int_t)ns[k]));
	set(r, "aors", json_integer((json_int_t)m->aors.n));
	set(r, "states", states);
	set(r, "attempts", json_integer((json_int_t)att));
	set(r, "attempts_ok", json_integer((json_int_t)att_ok));
	/* AORs registered at the end / AORs seen; attempts OK / attempts answered */
	set(r, "success_ratio", m->aors.n ? json_real((double)ns[0] / (double)m->aors.n) : json_null());
	set(r, "attempt_success_ratio", att_done ? json_real((double)att_ok / (double)att_done) : json_null());
	set(o, "registrations", r);
	return o;
}

static json_t *capture_json(const struct json_capture *c, const struct model *m)
{
	json_t *o = json_object();
	json_t *fa = json_array();
	if (c) {
		for (size_t i = 0; i < c->nfiles; i++) {
			json_t *fo = json_object();
			set(fo, "name", jstr(c->files[i].name));
			set(fo, "linktype", json_integer(c->files[i].linktype));
			set(fo, "truncated", json_boolean(c->files[i].truncated));
			json_array_append_new(fa, fo);
		}
	}
	set(o, "files", fa);
	if (c && c->interface) {
		set(o, "interface", jstr(c->interface));
		set(o, "kernel_drops", json_integer((json_int_t)c->kernel_drops));
	}
	set(o, "packets", json_integer(c ? (json_int_t)c->packets : 0));
	set(o, "bytes", json_integer(c ? (json_int_t)c->bytes : 0));
	set(o, "sip_messages", json_integer(c ? (json_int_t)c->sip_msgs : (json_int_t)m->st.msgs));
	set(o, "malformed", json_integer(c ? (json_int_t)c->malformed : (json_int_t)m->st.malformed));
	set(o, "truncated_packets", json_integer(c ? (json_int_t)c->truncated_packets : 0));
	set(o, "unknown_link", json_integer(c ? (json_int_t)c->unknown_link : 0));
	set(o, "icmp_errors", json_integer(c ? (json_int_t)c->icmp_errors : 0));
	json_t *lost = json_object();
	set(lost, "tcp_bytes", json_integer(c ? (json_int_t)c->lost_tcp_bytes : 0));
	set(lost, "ip_fragments", json_integer(c ? (json_int_t)c->lost_fragments : 0));
	set(o, "lost", lost);
	set(o, "first_time", c && c->first_ns ? jtime(c->first_ns) : json_null());
	set(o, "last_time", c && c->last_ns ? jtime(c->last_ns) : json_null());
	if (c && c->tls.present) {
		const struct json_tls *t = &c->tls;
		json_t *to = json_object();
		set(to, "connections", json_integer((json_int_t)t->connections));
		set(to, "decrypted", json_integer((json_int_t)t->decrypted));
		json_t *ua = json_array();
		for (size_t i = 0; i < t->nundec; i++) {
			json_t *u = json_object();
			set(u, "client", jstr(t->undec[i].client));
			set(u, "server", jstr(t->undec[i].server));
			set(u, "reason", jstr(t->undec[i].reason));
			json_array_append_new(ua, u);
		}
		json_t *uo = json_object();
		set(uo, "count", json_integer((json_int_t)t->undecryptable));
		set(uo, "connections", ua);
		set(to, "undecryptable", uo);
		json_t *ro = json_object();
		set(ro, "total", json_integer((json_int_t)t->records));
		set(ro, "decrypt_failures", json_integer((json_int_t)t->decrypt_failures));
		set(ro, "oversize", json_integer((json_int_t)t->oversize_records));
		set(ro, "not_tls", json_integer((json_int_t)t->bad_records));
		set(ro, "truncated", json_integer((json_int_t)t->truncated_records));
		set(to, "records", ro);
		set(to, "key_updates", json_integer((json_int_t)t->key_updates));
		if (t->keylog) {
			json_t *ko = json_object();
			set(ko, "lines", json_integer((json_int_t)t->keylog_lines));
			set(ko, "secrets", json_integer((json_int_t)t->keylog_secrets));
			set(ko, "garbage_lines", json_integer((json_int_t)t->keylog_garbage));
			set(to, "keylog", ko);
		} else {
			set(to, "keylog", json_null());
		}
		set(o, "tls", to);
	}
	if (c && c->mem_evicted_bytes) {
		json_t *mem = json_object();
		set(mem, "limit_bytes", json_integer((json_int_t)c->mem_limit));
		set(mem, "message_bytes", json_integer((json_int_t)c->mem_message_bytes));
		set(mem, "evicted_bytes", json_integer((json_int_t)c->mem_evicted_bytes));
		set(o, "memory", mem);
	}
	return o;
}

/* ---------------------------------------------------------------- writing */

/* one once-per-run Jansson value, rendered into the same buffer */
static void dump(struct json_out *j, json_t *v)
{
	if (!v)
		return;
	w_sep(j);
	if (json_dump_callback(v, w_cb, j, DUMP_FLAGS) != 0)
		j->err = true;
	json_decref(v);
}

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
	j->real = json_real(0.0);
	if (!j->buf || !j->real) {
		free(j->buf);
		json_decref(j->real);
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
	json_decref(j->real);
	free(j->buf);
	free(j);
	return rc;
}

struct json_out *json_begin(FILE *f, const struct json_opts *o)
{
	struct json_out *j = out_new(f, o, false);
	if (j) {
		put(j, "{\"schema_version\":\"" JSON_SCHEMA_VERSION "\",\n\"messages\":[");
		w_done(j);
	}
	return j;
}

void json_message(struct json_out *j, const struct sip_msg *m)
{
	if (!j || !m)
		return;
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
	bool mf = m ? multi_file(m, c) : false;
	put(j, "\n],\n\"registrations\":[");
	for (size_t i = 0; m && i < m->aors.n; i++) {
		put(j, i ? ",\n" : "\n");
		w_obj(j);
		reg_fields(j, m->aors.v[i], mf);
		w_obj_end(j);
		w_done(j);
	}
	put(j, "\n],\n\"dialogs\":[");
	for (size_t i = 0; m && i < m->dialogs.n; i++) {
		put(j, i ? ",\n" : "\n");
		w_obj(j);
		dialog_fields(j, m->dialogs.v[i], mf);
		w_obj_end(j);
		w_done(j);
	}
	put(j, "\n],\n\"findings\":[");
	for (size_t i = 0; m && i < m->findings.n; i++) {
		put(j, i ? ",\n" : "\n");
		w_obj(j);
		finding_fields(j, m->findings.v[i]);
		w_obj_end(j);
		w_done(j);
	}
	put(j, "\n],\n\"stats\":");
	if (m)
		dump(j, stats_json(m));
	else
		put(j, "null");
	put(j, ",\n\"capture\":");
	if (m)
		dump(j, capture_json(c, m));
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

int jsonl_end(struct json_out *j, const struct model *m, const struct json_capture *c)
{
	if (!j)
		return -1;
	bool mf = m ? multi_file(m, c) : false;
	for (size_t i = 0; m && i < m->aors.n; i++) {
		line_begin(j, "registration");
		reg_fields(j, m->aors.v[i], mf);
		line_end(j);
	}
	for (size_t i = 0; m && i < m->findings.n; i++) {
		line_begin(j, "finding");
		finding_fields(j, m->findings.v[i]);
		line_end(j);
	}
	if (m) {
		json_t *s = json_object();
		set(s, "type", json_string("summary"));
		set(s, "schema_version", json_string(JSON_SCHEMA_VERSION));
		set(s, "stats", stats_json(m));
		set(s, "capture", capture_json(c, m));
		dump(j, s);
		w_byte(j, '\n');
		w_done(j);
	}
	return out_free(j);
}
