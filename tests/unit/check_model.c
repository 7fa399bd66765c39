/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check_model.c - unit tests of the correlation model (src/model/model.h).
 *
 * Messages are built as SIP text and parsed with sip_parse(), so the tests
 * go through the same record the dissectors produce.  Expected values come
 * from RFC 3261 (§10.3, §17, §19.1.4, §20) and RFC 3966, worked out by hand
 * in each test.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "model.h"
#include "sip.h"

#define SEC(x) ((int64_t)((x) * 1e9))
#define T0 1700000000.0

static uint64_t g_frame, g_id;

/* Parse one message given as printf text ("\n" line ends become CRLF). */
static struct sip_msg *mk(double t, const char *fmt, ...)
{
	char txt[4096], crlf[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(txt, sizeof txt, fmt, ap);
	va_end(ap);
	size_t o = 0;
	for (const char *p = txt; *p && o + 2 < sizeof crlf; p++) {
		if (*p == '\n')
			crlf[o++] = '\r';
		crlf[o++] = *p;
	}
	struct sip_meta meta = { 0 };
	meta.frame = ++g_frame;
	meta.ts_ns = SEC(T0 + t);
	meta.src.family = meta.dst.family = 4;
	meta.src.ip[0] = 10; meta.src.ip[3] = 1; meta.src.port = 5060;
	meta.dst.ip[0] = 10; meta.dst.ip[3] = 2; meta.dst.port = 5060;
	meta.transport = RT_TP_UDP;
	meta.datagram = true;
	struct sip_msg *m = sip_parse((const uint8_t *)crlf, o, &meta);
	ck_assert_ptr_nonnull(m);
	m->id = ++g_id;
	return m;
}

#define AUTH "Authorization: Digest username=\"alice\", realm=\"lab\", nonce=\"n1\", uri=\"sip:lab\", response=\"0123\"\n"

/* REGISTER: cid, cseq, branch, aor user, contact host:port, Expires, extra headers */
static struct sip_msg *reg(double t, const char *cid, unsigned cseq, const char *branch,
			   const char *user, const char *contact, int expires, const char *extra)
{
	char via[256];
	if (branch)
		snprintf(via, sizeof via, "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=%s\n", branch);
	else
		snprintf(via, sizeof via, "Via: SIP/2.0/UDP 10.0.0.1:5060\n");
	return mk(t, "REGISTER sip:lab SIP/2.0\n%s"
		  "From: <sip:%s@lab>;tag=ft\nTo: <sip:%s@lab>\nCall-ID: %s\nCSeq: %u REGISTER\n"
		  "%s%s%s%sExpires: %d\n%sContent-Length: 0\n\n",
		  via, user, user, cid, cseq,
		  contact ? "Contact: " : "", contact && strcmp(contact, "*") ? "<sip:" : "",
		  contact ? contact : "", contact ? (strcmp(contact, "*") ? ">\n" : "\n") : "",
		  expires, extra ? extra : "");
}

/* response to REGISTER: code, cid, cseq, branch, user, extra headers (Contact...) */
static struct sip_msg *resp(double t, int code, const char *cid, unsigned cseq,
			    const char *branch, const char *user, const char *extra)
{
	char via[256];
	if (branch)
		snprintf(via, sizeof via, "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=%s;received=10.0.0.1\n", branch);
	else
		snprintf(via, sizeof via, "Via: SIP/2.0/UDP 10.0.0.1:5060\n");
	return mk(t, "SIP/2.0 %d Whatever\n%s"
		  "From: <sip:%s@lab>;tag=ft\nTo: <sip:%s@lab>;tag=tt\nCall-ID: %s\nCSeq: %u REGISTER\n"
		  "%s%sContent-Length: 0\n\n",
		  code, via, user, user, cid, cseq,
		  code == 401 ? "WWW-Authenticate: Digest realm=\"lab\", nonce=\"n1\"\n" : "",
		  extra ? extra : "");
}

static struct txn *txn_at(struct model *m, size_t i)
{
	ck_assert_uint_gt(m->txns.n, i);
	return m->txns.v[i];
}

static const struct aor_hist *aor(struct model *m, const char *name)
{
	const struct aor_hist *a = model_find_aor(m, name);
	ck_assert_msg(a != NULL, "AOR %s not found", name);
	return a;
}

/* ---------------------------------------------------------------- AOR */

static void canon_is(const char *in, const char *want)
{
	char *got = aor_canonical(in);
	if (!want)
		ck_assert_msg(got == NULL, "%s -> %s, want NULL", in ? in : "(null)", got);
	else
		ck_assert_msg(got && strcmp(got, want) == 0, "%s -> %s, want %s", in, got, want);
	free(got);
}

START_TEST(aor_canonical_forms)
{
	/* §10.3: scheme:user@host[:port], params removed, scheme/host lower-case */
	canon_is("sip:Alice@EXAMPLE.com", "sip:Alice@example.com");
	canon_is("SIP:alice@example.com;transport=udp", "sip:alice@example.com");
	canon_is("\"Alice\" <sip:alice@Example.COM:5060;user=phone>;tag=1", "sip:alice@example.com:5060");
	canon_is("<sip:alice@example.com>", "sip:alice@example.com");
	/* escapes decoded (§19.1.4: %61lice == alice) */
	canon_is("sip:%61lice@atlanta.com", "sip:alice@atlanta.com");
	/* password and headers are not part of the AOR */
	canon_is("sip:alice:secret@example.com", "sip:alice@example.com");
	canon_is("sip:alice@example.com?subject=project", "sip:alice@example.com");
	/* port kept: sip:a@h and sip:a@h:5060 are different URIs (§19.1.4) */
	canon_is("sip:alice@example.com:05060", "sip:alice@example.com:5060");
	canon_is("sips:bob@[2001:DB8::1]:5061;transport=tls", "sips:bob@[2001:db8::1]:5061");
	/* tel (RFC 3966 §4): parameters and visual separators dropped */
	canon_is("tel:+1-201-555-0123;phone-context=example.com", "tel:+12015550123");
	canon_is("tel:263734", "tel:263734");
	/* an escape that would give a control character stays escaped */
	canon_is("sip:a%0d%0ab@example.com", "sip:a%0D%0Ab@example.com");
	canon_is("sip:example.com", "sip:example.com");
	canon_is(NULL, NULL);
	canon_is("", NULL);
	canon_is("   ", NULL);
}
END_TEST

START_TEST(aor_contact_keys)
{
	/* RFC 3261 §19.1.4's first example pair of equal URIs */
	char *a = aor_contact_key("sip:%61lice@atlanta.com;transport=TCP");
	char *b = aor_contact_key("<sip:alice@AtLanTa.CoM;Transport=tcp>");
	ck_assert_str_eq(a, b);
	ck_assert_str_eq(a, "sip:alice@atlanta.com;transport=tcp");
	free(a);
	free(b);
	/* ...and an unequal pair: different port */
	a = aor_contact_key("sip:bob@biloxi.com");
	b = aor_contact_key("sip:bob@biloxi.com:5060");
	ck_assert_str_ne(a, b);
	free(a);
	free(b);
	/* params outside the comparison set are dropped */
	a = aor_contact_key("sip:a@h:5060;transport=UDP;ob;rinstance=9");
	ck_assert_str_eq(a, "sip:a@h:5060;transport=udp");
	free(a);
}
END_TEST

/* ---------------------------------------------------------------- transactions */

START_TEST(txn_match_and_retransmissions)
{
	struct model *m = model_new(NULL);
	model_add_msg(m, reg(0.0, "c1", 1, "z9hG4bKa", "alice", "alice@10.0.0.1", 3600, NULL));
	model_add_msg(m, reg(0.5, "c1", 1, "z9hG4bKa", "alice", "alice@10.0.0.1", 3600, NULL));
	model_add_msg(m, resp(0.6, 401, "c1", 1, "z9hG4bKa", "alice", NULL));
	model_add_msg(m, reg(1.5, "c1", 1, "z9hG4bKa", "alice", "alice@10.0.0.1", 3600, NULL));
	model_add_msg(m, resp(1.6, 401, "c1", 1, "z9hG4bKa", "alice", NULL));
	model_finish(m, 0);
	ck_assert_uint_eq(m->txns.n, 1);
	struct txn *t = txn_at(m, 0);
	ck_assert_uint_eq(t->reqs.n, 3);
	ck_assert_uint_eq(t->req_retrans, 2);
	ck_assert_uint_eq(t->resps.n, 2);
	ck_assert_uint_eq(t->resp_retrans, 1);
	ck_assert_int_eq(t->final_status, 401);
	ck_assert_int_eq(t->outcome, TXN_FINAL);
	ck_assert_uint_eq(t->req->frame, 1);
	ck_assert_uint_eq(t->final->frame, 3);
	ck_assert(!t->rfc2543);
	model_free(m);
}
END_TEST

START_TEST(txn_branch_reuse)
{
	/* the authorized REGISTER re-uses the first branch with CSeq 2: a new
	 * transaction (CSeq differs), flagged */
	struct model *m = model_new(NULL);
	model_add_msg(m, reg(0.0, "c1", 1, "z9hG4bKsame", "alice", "alice@10.0.0.1", 3600, NULL));
	model_add_msg(m, resp(0.1, 401, "c1", 1, "z9hG4bKsame", "alice", NULL));
	model_add_msg(m, reg(0.2, "c1", 2, "z9hG4bKsame", "alice", "alice@10.0.0.1", 3600, AUTH));
	model_add_msg(m, resp(0.3, 200, "c1", 2, "z9hG4bKsame", "alice",
			      "Contact: <sip:alice@10.0.0.1>;expires=3600\n"));
	model_finish(m, 0);
	ck_assert_uint_eq(m->txns.n, 2);
	ck_assert(!txn_at(m, 0)->branch_reused);
	ck_assert(txn_at(m, 1)->branch_reused);
	ck_assert_int_eq(txn_at(m, 0)->final_status, 401);
	ck_assert_int_eq(txn_at(m, 1)->final_status, 200);
	ck_assert_uint_eq(m->st.branch_reuse, 1);
	model_free(m);
}
END_TEST

START_TEST(txn_rfc2543_fallback)
{
	/* no z9hG4bK branch: Call-ID + CSeq + From tag + sent-by */
	struct model *m = model_new(NULL);
	model_add_msg(m, reg(0.0, "old", 1, NULL, "cam", "cam@10.0.0.1", 3600, NULL));
	model_add_msg(m, reg(0.5, "old", 1, NULL, "cam", "cam@10.0.0.1", 3600, NULL));
	model_add_msg(m, resp(0.6, 401, "old", 1, NULL, "cam", NULL));
	model_add_msg(m, reg(1.0, "old", 2, NULL, "cam", "cam@10.0.0.1", 3600, AUTH));
	model_add_msg(m, resp(1.1, 200, "old", 2, NULL, "cam", NULL));
	/* an old-style branch (no cookie) is the fallback too */
	model_add_msg(m, reg(2.0, "old", 3, "1234", "cam", "cam@10.0.0.1", 3600, NULL));
	model_add_msg(m, resp(2.1, 200, "old", 3, "1234", "cam", NULL));
	model_finish(m, 0);
	ck_assert_uint_eq(m->txns.n, 3);
	ck_assert(txn_at(m, 0)->rfc2543);
	ck_assert(txn_at(m, 2)->rfc2543);
	ck_assert_uint_eq(txn_at(m, 0)->req_retrans, 1);
	ck_assert_int_eq(txn_at(m, 0)->final_status, 401);
	ck_assert_int_eq(txn_at(m, 1)->final_status, 200);
	ck_assert_int_eq(txn_at(m, 2)->final_status, 200);
	ck_assert_uint_eq(m->st.orphan_responses, 0);
	ck_assert_uint_eq(m->st.branch_reuse, 0);
	model_free(m);
}
END_TEST

static struct sip_msg *inv(double t, const char *method, const char *branch, unsigned cseq,
			   const char *to_tag)
{
	return mk(t, "%s sip:bob@lab SIP/2.0\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=%s\n"
		  "From: <sip:alice@lab>;tag=ft\nTo: <sip:bob@lab>%s%s\nCall-ID: call1\n"
		  "CSeq: %u %s\nContent-Length: 0\n\n", method, branch,
		  to_tag ? ";tag=" : "", to_tag ? to_tag : "", cseq, method);
}

static struct sip_msg *inv_resp(double t, int code, const char *branch, unsigned cseq)
{
	return mk(t, "SIP/2.0 %d X\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=%s\n"
		  "From: <sip:alice@lab>;tag=ft\nTo: <sip:bob@lab>;tag=bt\nCall-ID: call1\n"
		  "CSeq: %u INVITE\nContent-Length: 0\n\n", code, branch, cseq);
}

START_TEST(txn_ack_non2xx)
{
	struct model *m = model_new(NULL);
	model_add_msg(m, inv(0.0, "INVITE", "z9hG4bKi1", 1, NULL));
	model_add_msg(m, inv_resp(0.1, 486, "z9hG4bKi1", 1));
	/* ACK to the 486: same branch, belongs to the INVITE transaction (§17.1.1.3) */
	model_add_msg(m, inv(0.2, "ACK", "z9hG4bKi1", 1, "bt"));
	model_add_msg(m, inv(1.0, "INVITE", "z9hG4bKi2", 2, NULL));
	model_add_msg(m, inv_resp(1.1, 200, "z9hG4bKi2", 2));
	/* ACK to a 2xx: new branch, a transaction of its own, no response expected */
	model_add_msg(m, inv(1.2, "ACK", "z9hG4bKa2", 2, "bt"));
	model_finish(m, 0);
	ck_assert_uint_eq(m->txns.n, 3);
	ck_assert_uint_eq(txn_at(m, 0)->acks.n, 1);
	ck_assert_int_eq(txn_at(m, 0)->final_status, 486);
	ck_assert_uint_eq(txn_at(m, 1)->acks.n, 0);
	ck_assert_str_eq(txn_at(m, 2)->method, "ACK");
	ck_assert_int_eq(txn_at(m, 2)->outcome, TXN_NO_ANSWER);
	/* every message in the Call-ID group */
	const struct dialog *d = model_find_dialog(m, "call1");
	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(d->msgs.n, 6);
	ck_assert_uint_eq(d->txns.n, 3);
	model_free(m);
}
END_TEST

START_TEST(txn_timeout_32s)
{
	/* Timer F over capture time: an answerless REGISTER becomes a timeout
	 * when a later packet is 32 s after its first copy, not before */
	struct model *m = model_new(NULL);
	model_add_msg(m, reg(0.0, "c1", 1, "z9hG4bKt", "alice", "alice@10.0.0.1", 3600, NULL));
	model_add_msg(m, reg(31.9, "other", 1, "z9hG4bKo", "bob", "bob@10.0.0.1", 3600, NULL));
	ck_assert_int_eq(txn_at(m, 0)->outcome, TXN_PENDING);
	model_add_msg(m, reg(32.0, "other2", 1, "z9hG4bKp", "carol", "carol@10.0.0.1", 3600, NULL));
	ck_assert_int_eq(txn_at(m, 0)->outcome, TXN_TIMEOUT);
	ck_assert_int_eq(txn_at(m, 1)->outcome, TXN_PENDING);
	/* a final after Timer F is recorded but does not undo the timeout */
	model_add_msg(m, resp(33.0, 200, "c1", 1, "z9hG4bKt", "alice", NULL));
	ck_assert_int_eq(txn_at(m, 0)->outcome, TXN_TIMEOUT);
	ck_assert(txn_at(m, 0)->late_final);
	ck_assert_int_eq(txn_at(m, 0)->final_status, 200);
	model_finish(m, SEC(T0 + 34.0));
	ck_assert_int_eq(aor(m, "sip:alice@lab")->state, AOR_TIMEOUT);
	/* bob and carol: 1 copy each, capture ended < 32 s after: unknown */
	ck_assert_int_eq(txn_at(m, 1)->outcome, TXN_UNKNOWN);
	ck_assert_int_eq(txn_at(m, 2)->outcome, TXN_UNKNOWN);
	model_free(m);
}
END_TEST

START_TEST(txn_rewind)
{
	/* The second input starts 1000 s before the first ended (read in the
	 * given order): with the first input settled at its end, Timer F of
	 * the second runs on its own clock.  First input (t = 1000 .. 1001):
	 * bob's REGISTER, one copy, no answer: the capture ended < 32 s
	 * after it, so unknown (§17.1.2.2: Timer F never expired in it). */
	struct model *m = model_new(NULL);
	model_add_msg(m, reg(1000.0, "b1", 1, "z9hG4bKb", "bob", "bob@10.0.0.1", 3600, NULL));
	model_rewind(m, SEC(T0 + 1001.0));
	ck_assert_int_eq(txn_at(m, 0)->outcome, TXN_UNKNOWN);
	/* second input (t = 0 .. 40): alice answered after 0.1 s is final
	 * although the first input's clock was 1000 s ahead; carol's single
	 * copy at 1 s is a timeout once a packet 32 s later is read (t = 40) */
	model_add_msg(m, reg(0.0, "a1", 1, "z9hG4bKa", "alice", "alice@10.0.0.1", 3600, NULL));
	model_add_msg(m, reg(1.0, "c1", 1, "z9hG4bKc", "carol", "carol@10.0.0.1", 3600, NULL));
	model_add_msg(m, resp(0.1, 200, "a1", 1, "z9hG4bKa", "alice",
			      "Contact: <sip:alice@10.0.0.1>;expires=3600\n"));
	ck_assert_int_eq(txn_at(m, 1)->outcome, TXN_FINAL);
	ck_assert_int_eq(txn_at(m, 2)->outcome, TXN_PENDING);
	model_add_msg(m, reg(40.0, "d1", 1, "z9hG4bKd", "dave", "dave@10.0.0.1", 3600, NULL));
	ck_assert_int_eq(txn_at(m, 2)->outcome, TXN_TIMEOUT);
	/* the end: the last input's own end (40 s) for Timer F - dave's copy
	 * is unknown, not a timeout against t = 1001 - and the latest time of
	 * both (1001 s) for the grants: alice's 3600 s runs to 3600.1 */
	model_finish(m, SEC(T0 + 40.0));
	ck_assert_int_eq(txn_at(m, 3)->outcome, TXN_UNKNOWN);
	ck_assert_int_eq(aor(m, "sip:alice@lab")->state, AOR_REGISTERED);
	ck_assert(m->capture_end_ns == SEC(T0 + 1001.0));
	model_free(m);
}
END_TEST

START_TEST(txn_end_of_capture)
{
	/* capture ends at 2 s: 3 unanswered copies = timeout, 2 = unknown */
	struct model *m = model_new(NULL);
	model_add_msg(m, reg(0.0, "c1", 1, "z9hG4bK3", "alice", "alice@10.0.0.1", 3600, NULL));
	model_add_msg(m, reg(0.5, "c1", 1, "z9hG4bK3", "alice", "alice@10.0.0.1", 3600, NULL));
	model_add_msg(m, reg(1.5, "c1", 1, "z9hG4bK3", "alice", "alice@10.0.0.1", 3600, NULL));
	model_add_msg(m, reg(0.0, "c2", 1, "z9hG4bK2", "bob", "bob@10.0.0.1", 3600, NULL));
	model_add_msg(m, reg(0.5, "c2", 1, "z9hG4bK2", "bob", "bob@10.0.0.1", 3600, NULL));
	model_finish(m, SEC(T0 + 2.0));
	ck_assert_int_eq(txn_at(m, 0)->outcome, TXN_TIMEOUT);
	ck_assert_int_eq(txn_at(m, 1)->outcome, TXN_UNKNOWN);
	ck_assert_int_eq(aor(m, "sip:alice@lab")->state, AOR_TIMEOUT);
	ck_assert_int_eq(aor(m, "sip:bob@lab")->state, AOR_UNKNOWN);
	ck_assert_int_eq(model_fail_on(m, "failed"), 1);
	model_free(m);
}
END_TEST

/* ---------------------------------------------------------------- registrations */

static int n_txn_ev, n_att_ev;
static void ev_txn(void *u, const struct model *m, const struct txn *t)
{
	(void)u; (void)m; (void)t;
	n_txn_ev++;
}
static void ev_att(void *u, const struct model *m, const struct reg_attempt *a)
{
	(void)u; (void)m; (void)a;
	n_att_ev++;
}

START_TEST(reg_attempt_linking)
{
	struct model_opts o = { .on_txn_done = ev_txn, .on_attempt_done = ev_att };
	n_txn_ev = n_att_ev = 0;
	struct model *m = model_new(&o);
	/* REGISTER -> 401 -> REGISTER(CSeq+1, creds) -> 200: one attempt */
	model_add_msg(m, reg(0.0, "c1", 1, "z9hG4bK1", "alice", "alice@10.0.0.1:5060", 3600, NULL));
	model_add_msg(m, resp(0.1, 401, "c1", 1, "z9hG4bK1", "alice", NULL));
	model_add_msg(m, reg(0.2, "c1", 2, "z9hG4bK2", "alice", "alice@10.0.0.1:5060", 3600, AUTH));
	/* contact param (60) wins over the Expires header (3600) */
	model_add_msg(m, resp(0.25, 200, "c1", 2, "z9hG4bK2", "alice",
			      "Expires: 3600\nContact: <sip:alice@10.0.0.1:5060>;expires=60\n"));
	ck_assert_int_eq(n_att_ev, 1);
	/* a 401 followed by CSeq+2 is not an auth retry: two attempts */
	model_add_msg(m, reg(1.0, "c1", 3, "z9hG4bK3", "alice", "alice@10.0.0.1:5060", 3600, NULL));
	model_add_msg(m, resp(1.1, 401, "c1", 3, "z9hG4bK3", "alice", NULL));
	model_add_msg(m, reg(1.2, "c1", 5, "z9hG4bK5", "alice", "alice@10.0.0.1:5060", 3600, AUTH));
	model_add_msg(m, resp(1.3, 200, "c1", 5, "z9hG4bK5", "alice",
			      "Contact: <sip:alice@10.0.0.1:5060>;expires=60\n"));
	/* same Call-ID, CSeq+1 but another AOR: not the same attempt */
	model_add_msg(m, reg(2.0, "c1", 6, "z9hG4bK6", "alice", "alice@10.0.0.1:5060", 3600, NULL));
	model_add_msg(m, resp(2.1, 401, "c1", 6, "z9hG4bK6", "alice", NULL));
	model_add_msg(m, reg(2.2, "c1", 7, "z9hG4bK7", "bob", "bob@10.0.0.1:5060", 3600, AUTH));
	model_add_msg(m, resp(2.3, 200, "c1", 7, "z9hG4bK7", "bob",
			      "Contact: <sip:bob@10.0.0.1:5060>;expires=60\n"));
	model_finish(m, SEC(T0 + 3.0));

	const struct aor_hist *a = aor(m, "sip:alice@lab");
	ck_assert_uint_eq(a->txns.n, 5);
	ck_assert_uint_eq(a->attempts.n, 4);
	ck_assert_uint_eq(a->sessions.n, 1);
	const struct reg_attempt *a1 = a->attempts.v[0];
	ck_assert_uint_eq(a1->txns.n, 2);
	ck_assert_int_eq(a1->result, ATT_OK);
	ck_assert_int_eq(a1->final_status, 200);
	ck_assert_uint_eq(a1->challenges, 1);
	ck_assert_int_eq(a1->expires_requested, 3600);
	ck_assert_int_eq(a1->expires_granted, 60);
	const struct reg_attempt *a2 = a->attempts.v[1];
	ck_assert_uint_eq(a2->txns.n, 1);
	ck_assert_int_eq(a2->result, ATT_CHALLENGED);
	const struct reg_attempt *a3 = a->attempts.v[2];
	ck_assert_uint_eq(a3->txns.n, 1);
	ck_assert_int_eq(a3->result, ATT_OK);
	const struct reg_attempt *a4 = a->attempts.v[3];
	ck_assert_int_eq(a4->result, ATT_CHALLENGED);
	/* alice's last attempt: a challenge left unanswered */
	ck_assert_int_eq(a->state, AOR_CHALLENGED);
	ck_assert_int_eq(a->sum.time_to_register_ns, SEC(T0 + 0.25) - SEC(T0));
	ck_assert_int_eq(a->sum.expires_granted, 60);
	const struct aor_hist *b = aor(m, "sip:bob@lab");
	ck_assert_int_eq(b->state, AOR_REGISTERED);
	ck_assert_uint_eq(b->attempts.n, 1);
	/* one event per transaction and per attempt */
	ck_assert_int_eq(n_txn_ev, 6);
	ck_assert_int_eq(n_att_ev, 5);
	model_free(m);
}
END_TEST

START_TEST(reg_rejected_and_failed)
{
	struct model *m = model_new(NULL);
	/* credentials answered with 401 and nothing more: refused -> failed */
	model_add_msg(m, reg(0.0, "c1", 1, "z9hG4bK1", "alice", "alice@10.0.0.1", 3600, NULL));
	model_add_msg(m, resp(0.1, 401, "c1", 1, "z9hG4bK1", "alice", NULL));
	model_add_msg(m, reg(0.2, "c1", 2, "z9hG4bK2", "alice", "alice@10.0.0.1", 3600, AUTH));
	model_add_msg(m, resp(0.3, 401, "c1", 2, "z9hG4bK2", "alice", NULL));
	/* 404 without challenge */
	model_add_msg(m, reg(0.0, "c2", 1, "z9hG4bK3", "mallory", "m@10.0.0.1", 3600, NULL));
	model_add_msg(m, resp(0.1, 404, "c2", 1, "z9hG4bK3", "mallory", NULL));
	model_finish(m, 0);
	const struct aor_hist *a = aor(m, "sip:alice@lab");
	ck_assert_int_eq(((struct reg_attempt *)a->attempts.v[0])->result, ATT_REJECTED);
	ck_assert_int_eq(a->state, AOR_FAILED);
	ck_assert_int_eq(a->sum.last_status, 401);
	ck_assert_int_eq(aor(m, "sip:mallory@lab")->state, AOR_FAILED);
	ck_assert_int_eq(aor(m, "sip:mallory@lab")->sum.failures, 1);
	ck_assert_int_eq(model_fail_on(m, "failed"), 1);
	ck_assert_int_eq(model_fail_on(m, "expired"), 0);
	ck_assert_int_eq(model_fail_on(m, "any-finding"), 0);
	ck_assert_int_eq(model_fail_on(m, "bogus"), -1);
	model_free(m);
}
END_TEST

START_TEST(reg_deregister_and_expiry)
{
	struct model *m = model_new(NULL);
	/* alice registers then removes with Expires: 0 */
	model_add_msg(m, reg(0.0, "c1", 1, "z9hG4bK1", "alice", "alice@10.0.0.1", 3600, NULL));
	model_add_msg(m, resp(0.1, 200, "c1", 1, "z9hG4bK1", "alice",
			      "Contact: <sip:alice@10.0.0.1>;expires=3600\n"));
	model_add_msg(m, reg(1.0, "c1", 2, "z9hG4bK2", "alice", "alice@10.0.0.1", 0, NULL));
	model_add_msg(m, resp(1.1, 200, "c1", 2, "z9hG4bK2", "alice", NULL));
	/* bob registers two contacts then Contact: * */
	model_add_msg(m, reg(0.0, "c2", 1, "z9hG4bK3", "bob", "bob@10.0.0.1", 3600, NULL));
	model_add_msg(m, resp(0.1, 200, "c2", 1, "z9hG4bK3", "bob",
			      "Contact: <sip:bob@10.0.0.1>;expires=3600, <sip:bob@10.0.0.9>;expires=100\n"));
	model_add_msg(m, reg(2.0, "c2", 2, "z9hG4bK4", "bob", "*", 0, NULL));
	model_add_msg(m, resp(2.1, 200, "c2", 2, "z9hG4bK4", "bob", NULL));
	/* carol: granted 60 s at t=0.1 and never refreshed; the capture runs to 100 s */
	model_add_msg(m, reg(0.0, "c3", 1, "z9hG4bK5", "carol", "carol@10.0.0.1", 60, NULL));
	model_add_msg(m, resp(0.1, 200, "c3", 1, "z9hG4bK5", "carol",
			      "Contact: <sip:carol@10.0.0.1>;expires=60\n"));
	/* dave: granted 600 s, capture ends before: still registered */
	model_add_msg(m, reg(0.0, "c4", 1, "z9hG4bK6", "dave", "dave@10.0.0.1", 600, NULL));
	model_add_msg(m, resp(0.1, 200, "c4", 1, "z9hG4bK6", "dave",
			      "Contact: <sip:dave@10.0.0.1>;expires=600\n"));
	model_finish(m, SEC(T0 + 100.0));

	const struct aor_hist *a = aor(m, "sip:alice@lab");
	ck_assert_int_eq(a->state, AOR_UNREGISTERED);
	ck_assert(((struct reg_attempt *)a->attempts.v[1])->deregister);
	ck_assert_uint_eq(a->bindings.n, 1);
	const struct binding *ab = a->bindings.v[0];
	ck_assert_uint_eq(ab->nev, 2);
	ck_assert_int_eq(ab->ev[0].kind, BEV_CREATED);
	ck_assert_int_eq(ab->ev[1].kind, BEV_REMOVED);

	const struct aor_hist *b = aor(m, "sip:bob@lab");
	ck_assert_int_eq(b->state, AOR_UNREGISTERED);
	ck_assert_uint_eq(b->bindings.n, 2);
	/* bob@10.0.0.9 was granted 100 s at 0.1 but removed by the * at 2.1 */
	const struct binding *b2 = b->bindings.v[1];
	ck_assert_int_eq(b2->ev[b2->nev - 1].kind, BEV_REMOVED);

	const struct aor_hist *c = aor(m, "sip:carol@lab");
	ck_assert_int_eq(c->state, AOR_EXPIRED);
	const struct binding *cb = c->bindings.v[0];
	ck_assert_int_eq(cb->ev[cb->nev - 1].kind, BEV_EXPIRED);
	ck_assert_int_eq(cb->ev[cb->nev - 1].ts_ns, SEC(T0 + 0.1) + SEC(60));
	ck_assert_int_eq(model_fail_on(m, "expired"), 1);

	const struct aor_hist *d = aor(m, "sip:dave@lab");
	ck_assert_int_eq(d->state, AOR_REGISTERED);
	ck_assert_uint_eq(d->sum.contacts, 1);
	model_free(m);
}
END_TEST

START_TEST(reg_refresh_events)
{
	struct model *m = model_new(NULL);
	model_add_msg(m, reg(0.0, "c1", 1, "z9hG4bK1", "alice", "alice@10.0.0.1", 120, NULL));
	model_add_msg(m, resp(0.1, 200, "c1", 1, "z9hG4bK1", "alice",
			      "Contact: <sip:alice@10.0.0.1>;expires=120\n"));
	model_add_msg(m, reg(60.0, "c1", 2, "z9hG4bK2", "alice", "alice@10.0.0.1", 120, NULL));
	model_add_msg(m, resp(60.1, 200, "c1", 2, "z9hG4bK2", "alice",
			      "Contact: <sip:alice@10.0.0.1>;expires=120\n"));
	model_finish(m, SEC(T0 + 150.0));
	const struct aor_hist *a = aor(m, "sip:alice@lab");
	ck_assert_int_eq(a->state, AOR_REGISTERED);   /* 60.1 + 120 > 150 */
	const struct binding *b = a->bindings.v[0];
	ck_assert_uint_eq(b->nev, 2);
	ck_assert_int_eq(b->ev[1].kind, BEV_REFRESHED);
	ck_assert_int_eq(b->expires_at, SEC(T0 + 60.1) + SEC(120));
	model_free(m);
}
END_TEST

static Suite **rt_suites(void)
{
	static Suite *ss[3];
	Suite *s = suite_create("aor");
	TCase *tc = tcase_create("aor");
	tcase_add_test(tc, aor_canonical_forms);
	tcase_add_test(tc, aor_contact_keys);
	suite_add_tcase(s, tc);
	ss[0] = s;
	s = suite_create("model");
	tc = tcase_create("model");
	tcase_add_test(tc, txn_match_and_retransmissions);
	tcase_add_test(tc, txn_branch_reuse);
	tcase_add_test(tc, txn_rfc2543_fallback);
	tcase_add_test(tc, txn_ack_non2xx);
	tcase_add_test(tc, txn_timeout_32s);
	tcase_add_test(tc, txn_end_of_capture);
	tcase_add_test(tc, txn_rewind);
	tcase_add_test(tc, reg_attempt_linking);
	tcase_add_test(tc, reg_rejected_and_failed);
	tcase_add_test(tc, reg_deregister_and_expiry);
	tcase_add_test(tc, reg_refresh_events);
	suite_add_tcase(s, tc);
	ss[1] = s;
	ss[2] = NULL;
	sip_global_init();
	return ss;
}
