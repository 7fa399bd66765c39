/* json_out.c - see json_out.h.
 *
 * Each element is built as a small Jansson tree, dumped and freed at once;
 * the document's punctuation between elements is written by hand.  Every
 * captured string goes through jstr(): invalid UTF-8 bytes become U+FFFD
 * (Jansson refuses invalid UTF-8, and a JSON reader would too).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "json_out.h"

struct json_out {
	FILE *f;
	struct json_opts o;
	bool lines;              /* JSONL */
	size_t nmsgs;            /* elements written to "messages" */
	bool err;
	char *buf;               /* dump(): one value rendered here, then one fwrite */
	size_t cap;
};

/* 16 digits: epoch seconds keep their microseconds without float noise */
#define DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(16))

/* ---------------------------------------------------------------- values */

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

static json_t *jint_or_null(long long v, bool ok)
{
	return ok ? json_integer(v) : json_null();
}

static json_t *jaddr(const struct rt_addr *a)
{
	char buf[RT_ADDR_STRLEN];
	if (!a->family)
		return json_null();
	return jstr(rt_addr_str(a, buf, sizeof buf));
}

static void set(json_t *o, const char *k, json_t *v)
{
	json_object_set_new_nocheck(o, k, v ? v : json_null());
}

/* ---------------------------------------------------------------- messages */

static json_t *msg_json(const struct sip_msg *m, bool raw)
{
	json_t *o = json_object();
	set(o, "id", json_integer((json_int_t)m->id));
	set(o, "file", json_integer(m->file));
	set(o, "frame", json_integer((json_int_t)m->frame));
	set(o, "time", jtime(m->ts_ns));
	set(o, "ts_ns", json_integer(m->ts_ns));
	set(o, "src", jaddr(&m->src));
	set(o, "dst", jaddr(&m->dst));
	set(o, "transport", json_string(rt_transport_name(m->transport)));
	set(o, "kind", json_string(m->request ? "request" : "response"));
	if (m->request) {
		set(o, "method", jstr(m->method));
		set(o, "ruri", jstr(m->ruri));
	} else {
		set(o, "status", json_integer(m->status));
		set(o, "reason", jstr(m->reason));
	}
	set(o, "call_id", jstr(m->call_id));
	set(o, "cseq", json_integer(m->cseq));
	set(o, "cseq_method", jstr(m->cseq_method));
	set(o, "from", jstr(m->from_uri));
	set(o, "from_tag", jstr(m->from_tag));
	set(o, "to", jstr(m->to_uri));
	set(o, "to_tag", jstr(m->to_tag));
	set(o, "via_branch", jstr(m->via_branch));
	if (m->user_agent)
		set(o, "user_agent", jstr(m->user_agent));
	if (m->server)
		set(o, "server", jstr(m->server));
	if (m->ncontacts > 0) {
		json_t *cs = json_array();
		for (int i = 0; i < m->ncontacts; i++) {
			const struct sip_contact *c = &m->contacts[i];
			json_t *co = json_object();
			set(co, "uri", c->star ? json_string("*") : jstr(c->uri));
			set(co, "expires", jint_or_null(c->expires, c->expires >= 0));
			if (c->instance)
				set(co, "instance", jstr(c->instance));
			if (c->reg_id)
				set(co, "reg_id", jstr(c->reg_id));
			json_array_append_new(cs, co);
		}
		set(o, "contacts", cs);
	}
	set(o, "expires", jint_or_null(m->expires, m->expires >= 0));
	if (m->min_expires >= 0)
		set(o, "min_expires", json_integer(m->min_expires));
	set(o, "credentials", json_boolean(m->ncreds > 0));
	set(o, "challenge", json_boolean(m->nchals > 0));
	set(o, "size", json_integer((json_int_t)m->raw_len));
	set(o, "malformed", json_boolean(m->malformed));
	if (m->malformed)
		set(o, "malformed_reason", jstr(m->malformed_reason));
	if (raw)
		set(o, "raw", jstrn(m->raw, m->raw ? m->raw_len : 0));
	return o;
}

/* ---------------------------------------------------------------- model objects */

static json_t *ids_of_msgs(const struct ptr_vec *v)
{
	json_t *a = json_array();
	for (size_t i = 0; i < v->n; i++)
		json_array_append_new(a, json_integer((json_int_t)((struct sip_msg *)v->v[i])->id));
	return a;
}

static json_t *txn_json(const struct txn *t, bool multi_file)
{
	json_t *o = json_object();
	set(o, "id", json_integer(t->id));
	set(o, "method", jstr(t->method));
	set(o, "call_id", jstr(t->call_id));
	set(o, "cseq", json_integer(t->cseq));
	set(o, "branch", jstr(t->branch));
	set(o, "sent_by", jstr(t->sent_by));
	if (t->req) {
		set(o, "request_frame", json_integer((json_int_t)t->req->frame));
		if (multi_file)
			set(o, "file", json_integer(t->req->file));
		set(o, "request_msg", json_integer((json_int_t)t->req->id));
	} else {
		set(o, "request_frame", json_null());
		set(o, "request_msg", json_null());
	}
	set(o, "time", jtime(t->t_first));
	set(o, "request_copies", json_integer((json_int_t)t->reqs.n));
	set(o, "request_msgs", ids_of_msgs(&t->reqs));
	json_t *rs = json_array();
	for (size_t i = 0; i < t->resps.n; i++) {
		const struct sip_msg *r = t->resps.v[i];
		json_t *ro = json_object();
		set(ro, "msg", json_integer((json_int_t)r->id));
		set(ro, "frame", json_integer((json_int_t)r->frame));
		set(ro, "status", json_integer(r->status));
		set(ro, "time", jtime(r->ts_ns));
		json_array_append_new(rs, ro);
	}
	set(o, "responses", rs);
	set(o, "final_status", jint_or_null(t->final_status, t->final != NULL));
	set(o, "final_frame", t->final ? json_integer((json_int_t)t->final->frame) : json_null());
	set(o, "outcome", json_string(txn_outcome_name(t->outcome)));
	set(o, "response_time_ms", t->final && t->req ?
	    json_real((double)(t->t_final - t->t_first) / 1e6) : json_null());
	set(o, "request_retransmissions", json_integer(t->req_retrans));
	set(o, "response_retransmissions", json_integer(t->resp_retrans));
	set(o, "branch_reused", json_boolean(t->branch_reused));
	set(o, "rfc2543", json_boolean(t->rfc2543));
	set(o, "orphan", json_boolean(t->orphan));
	set(o, "late_final", json_boolean(t->late_final));
	if (t->acks.n)
		set(o, "acks", ids_of_msgs(&t->acks));
	if (t->nicmps) {
		json_t *ia = json_array();
		for (size_t i = 0; i < t->nicmps; i++) {
			json_t *io = json_object();
			set(io, "frame", json_integer((json_int_t)t->icmps[i].frame));
			set(io, "time", jtime(t->icmps[i].ts_ns));
			set(io, "version", json_integer(t->icmps[i].version));
			set(io, "type", json_integer(t->icmps[i].type));
			set(io, "code", json_integer(t->icmps[i].code));
			json_array_append_new(ia, io);
		}
		set(o, "icmp", ia);
	}
	if (t->req) {
		set(o, "credentials", json_boolean(t->req->ncreds > 0));
		set(o, "expires", jint_or_null(t->req->expires, t->req->expires >= 0));
	}
	if (t->attempt) {
		set(o, "attempt", json_integer(t->attempt->id));
		set(o, "session", json_integer(t->attempt->session->id));
	}
	return o;
}

static json_t *txn_ids(const struct ptr_vec *v)
{
	json_t *a = json_array();
	for (size_t i = 0; i < v->n; i++)
		json_array_append_new(a, json_integer(((struct txn *)v->v[i])->id));
	return a;
}

static json_t *attempt_json(const struct reg_attempt *at)
{
	json_t *o = json_object();
	set(o, "id", json_integer(at->id));
	set(o, "session", json_integer(at->session->id));
	set(o, "call_id", jstr(at->session->call_id));
	set(o, "transactions", txn_ids(&at->txns));
	set(o, "result", json_string(attempt_result_name(at->result)));
	set(o, "final_status", jint_or_null(at->final_status, at->final_status > 0));
	set(o, "challenges", json_integer(at->challenges));
	set(o, "deregister", json_boolean(at->deregister));
	set(o, "query", json_boolean(at->query));
	set(o, "expires_requested", jint_or_null(at->expires_requested, at->expires_requested >= 0));
	set(o, "expires_granted", jint_or_null(at->expires_granted, at->expires_granted >= 0));
	set(o, "start", jtime(at->t_start));
	set(o, "end", at->t_end ? jtime(at->t_end) : json_null());
	set(o, "duration_ms", at->t_end ? json_real((double)(at->t_end - at->t_start) / 1e6) : json_null());
	return o;
}

static json_t *session_json(const struct reg_session *s)
{
	json_t *o = json_object();
	set(o, "id", json_integer(s->id));
	set(o, "call_id", jstr(s->call_id));
	json_t *aa = json_array();
	for (size_t i = 0; i < s->attempts.n; i++)
		json_array_append_new(aa, json_integer(((struct reg_attempt *)s->attempts.v[i])->id));
	set(o, "attempts", aa);
	set(o, "transactions", txn_ids(&s->txns));
	set(o, "first", jtime(s->t_first));
	set(o, "last", jtime(s->t_last));
	return o;
}

static json_t *binding_json(const struct binding *b)
{
	json_t *o = json_object();
	set(o, "id", json_integer(b->id));
	set(o, "key", jstr(b->key));
	set(o, "contact", jstr(b->contact));
	if (b->instance)
		set(o, "instance", jstr(b->instance));
	if (b->reg_id)
		set(o, "reg_id", jstr(b->reg_id));
	set(o, "active", json_boolean(b->active));
	set(o, "expires_at", b->nev ? jtime(b->expires_at) : json_null());
	json_t *ev = json_array();
	for (size_t i = 0; i < b->nev; i++) {
		const struct binding_event *e = &b->ev[i];
		json_t *eo = json_object();
		set(eo, "event", json_string(binding_event_name(e->kind)));
		set(eo, "time", jtime(e->ts_ns));
		if (e->kind == BEV_CREATED || e->kind == BEV_REFRESHED)
			set(eo, "expires", json_integer(e->expires));
		set(eo, "msg", e->msg_id ? json_integer((json_int_t)e->msg_id) : json_null());
		set(eo, "transaction", e->txn_id ? json_integer(e->txn_id) : json_null());
		json_array_append_new(ev, eo);
	}
	set(o, "events", ev);
	return o;
}

static json_t *finding_json(const struct finding *f)
{
	json_t *o = json_object();
	set(o, "rule", jstr(f->rule));
	set(o, "severity", json_string(finding_sev_name(f->sev)));
	set(o, "message", jstr(f->message));
	set(o, "fix", jstr(f->fix));
	json_t *fr = json_array();
	for (size_t i = 0; i < f->nframes; i++)
		json_array_append_new(fr, json_integer((json_int_t)f->frames[i]));
	set(o, "frames", fr);
	if (f->aor)
		set(o, "aor", jstr(f->aor->aor));
	return o;
}

static json_t *reg_json(const struct aor_hist *a, bool multi_file)
{
	json_t *o = json_object();
	set(o, "aor", jstr(a->aor));
	set(o, "state", json_string(aor_state_name(a->state)));
	json_t *ta = json_array();
	for (size_t i = 0; i < a->txns.n; i++)
		json_array_append_new(ta, txn_json(a->txns.v[i], multi_file));
	set(o, "transactions", ta);
	json_t *sa = json_array();
	for (size_t i = 0; i < a->sessions.n; i++)
		json_array_append_new(sa, session_json(a->sessions.v[i]));
	set(o, "sessions", sa);
	json_t *aa = json_array();
	for (size_t i = 0; i < a->attempts.n; i++)
		json_array_append_new(aa, attempt_json(a->attempts.v[i]));
	set(o, "attempts", aa);
	json_t *ba = json_array();
	for (size_t i = 0; i < a->bindings.n; i++)
		json_array_append_new(ba, binding_json(a->bindings.v[i]));
	set(o, "bindings", ba);

	const struct aor_summary *s = &a->sum;
	json_t *so = json_object();
	set(so, "attempts", json_integer(s->attempts));
	set(so, "failures", json_integer(s->failures));
	set(so, "last_status", jint_or_null(s->last_status, s->last_status > 0));
	set(so, "time_to_register_ms", s->time_to_register_ns >= 0 ?
	    json_real((double)s->time_to_register_ns / 1e6) : json_null());
	set(so, "expires_requested", jint_or_null(s->expires_requested, s->expires_requested >= 0));
	set(so, "expires_granted", jint_or_null(s->expires_granted, s->expires_granted >= 0));
	set(so, "contacts", json_integer(s->contacts));
	set(so, "user_agent", jstr(s->user_agent));
	json_t *src = json_array();
	for (size_t i = 0; i < s->nsources; i++)
		json_array_append_new(src, jaddr(&s->sources[i]));
	set(so, "sources", src);
	set(so, "first_seen", jtime(a->t_first));
	set(so, "last_seen", jtime(a->t_last));
	set(o, "summary", so);

	json_t *fa = json_array();
	for (size_t i = 0; i < a->findings.n; i++)
		json_array_append_new(fa, finding_json(a->findings.v[i]));
	set(o, "findings", fa);
	return o;
}

static json_t *dialog_json(const struct dialog *d, bool multi_file)
{
	json_t *o = json_object();
	set(o, "id", json_integer(d->id));
	set(o, "call_id", jstr(d->call_id));
	set(o, "first_method", jstr(d->first_method));
	set(o, "from", jstr(d->from_uri));
	set(o, "to", jstr(d->to_uri));
	set(o, "first", jtime(d->t_first));
	set(o, "last", jtime(d->t_last));
	set(o, "messages", ids_of_msgs(&d->msgs));
	json_t *ta = json_array();
	for (size_t i = 0; i < d->txns.n; i++)
		json_array_append_new(ta, txn_json(d->txns.v[i], multi_file));
	set(o, "transactions", ta);
	return o;
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
	if (c && c->interface)
		set(o, "interface", jstr(c->interface));
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

static void dump(struct json_out *j, json_t *v)
{
	if (!v)
		return;
	/* json_dumpf() calls fwrite() per token (a locked stdio call each);
	 * rendering into a buffer first is the same bytes at a fraction of it */
	size_t n = json_dumpb(v, j->buf, j->cap, DUMP_FLAGS);
	if (n > j->cap) {
		size_t nc = j->cap ? j->cap : 4096;
		while (nc < n)
			nc *= 2;
		char *nb = realloc(j->buf, nc);
		if (nb) {
			j->buf = nb;
			j->cap = nc;
			n = json_dumpb(v, j->buf, j->cap, DUMP_FLAGS);
		}
	}
	if (n == 0 || n > j->cap) {
		if (json_dumpf(v, j->f, DUMP_FLAGS) != 0)   /* no memory for the buffer */
			j->err = true;
	} else if (fwrite(j->buf, 1, n, j->f) != n) {
		j->err = true;
	}
	json_decref(v);
}

static void put(struct json_out *j, const char *s)
{
	if (fputs(s, j->f) == EOF)
		j->err = true;
}

static struct json_out *out_new(FILE *f, const struct json_opts *o, bool lines)
{
	struct json_out *j = calloc(1, sizeof *j);
	if (!j)
		return NULL;
	j->f = f;
	if (o)
		j->o = *o;
	j->lines = lines;
	return j;
}

struct json_out *json_begin(FILE *f, const struct json_opts *o)
{
	struct json_out *j = out_new(f, o, false);
	if (j)
		put(j, "{\"schema_version\":\"" JSON_SCHEMA_VERSION "\",\n\"messages\":[");
	return j;
}

void json_message(struct json_out *j, const struct sip_msg *m)
{
	if (!j || !m)
		return;
	put(j, j->nmsgs++ ? ",\n" : "\n");
	dump(j, msg_json(m, j->o.raw));
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
		dump(j, reg_json(m->aors.v[i], mf));
	}
	put(j, "\n],\n\"dialogs\":[");
	for (size_t i = 0; m && i < m->dialogs.n; i++) {
		put(j, i ? ",\n" : "\n");
		dump(j, dialog_json(m->dialogs.v[i], mf));
	}
	put(j, "\n],\n\"findings\":[");
	for (size_t i = 0; m && i < m->findings.n; i++) {
		put(j, i ? ",\n" : "\n");
		dump(j, finding_json(m->findings.v[i]));
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
	if (fflush(j->f) != 0)
		j->err = true;
	int rc = j->err ? -1 : 0;
	free(j->buf);
	free(j);
	return rc;
}

/* ---------------------------------------------------------------- JSON Lines */

static void line(struct json_out *j, const char *type, json_t *o)
{
	if (!o)
		return;
	json_t *l = json_object();
	set(l, "type", json_string(type));
	json_object_update(l, o);
	json_decref(o);
	dump(j, l);
	put(j, "\n");
	if (fflush(j->f) != 0)
		j->err = true;
}

struct json_out *jsonl_begin(FILE *f, const struct json_opts *o)
{
	return out_new(f, o, true);
}

void jsonl_message(struct json_out *j, const struct sip_msg *m)
{
	if (j && m)
		line(j, "message", msg_json(m, j->o.raw));
}

static void on_txn(void *user, const struct model *m, const struct txn *t)
{
	struct json_out *j = user;
	json_t *o = txn_json(t, m->st.max_file > 0);
	if (t->aor)
		set(o, "aor", jstr(t->aor->aor));
	line(j, "transaction", o);
}

static void on_attempt(void *user, const struct model *m, const struct reg_attempt *a)
{
	(void)m;
	struct json_out *j = user;
	json_t *o = attempt_json(a);
	set(o, "aor", jstr(a->aor->aor));
	line(j, "attempt", o);
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
	for (size_t i = 0; m && i < m->aors.n; i++)
		line(j, "registration", reg_json(m->aors.v[i], mf));
	for (size_t i = 0; m && i < m->findings.n; i++)
		line(j, "finding", finding_json(m->findings.v[i]));
	if (m) {
		json_t *s = json_object();
		set(s, "schema_version", json_string(JSON_SCHEMA_VERSION));
		set(s, "stats", stats_json(m));
		set(s, "capture", capture_json(c, m));
		line(j, "summary", s);
	}
	int rc = j->err ? -1 : 0;
	free(j->buf);
	free(j);
	return rc;
}
