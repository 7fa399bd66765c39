/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check_ladder.c - the ladder layout (src/output/ladder.c): golden text ladders of
 * the project's captures (tests/golden/ladder-*.txt, each checked by hand
 * against tshark, as its header says) and of a hand-built model (two
 * Call-IDs of one AOR, a retransmitted 401, a finding, a 3-endpoint INVITE,
 * escape sequences in a User-Agent). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "capture.h"
#include "dissect.h"
#include "escape.h"
#include "ladder.h"
#include "model.h"
#include "sip.h"

#include "check_main.h"

/* ------------------------------------------------------------------ helpers */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *s = malloc(cap);
	size_t r;
	while (s && (r = fread(s + n, 1, cap - n - 1, f)) > 0) {
		n += r;
		if (n + 1 == cap) {
			char *ns = realloc(s, cap * 2);
			if (!ns) {
				free(s);
				s = NULL;
				break;
			}
			s = ns;
			cap *= 2;
		}
	}
	fclose(f);
	if (s)
		s[n] = '\0';
	return s;
}

/* The golden text without its leading '#' comment lines. */
static const char *golden_body(const char *g)
{
	while (*g == '#') {
		const char *nl = strchr(g, '\n');
		if (!nl)
			return g + strlen(g);
		g = nl + 1;
	}
	return g;
}

static void on_msg(void *user, struct sip_msg *m)
{
	model_add_msg(user, m);
}

static void on_icmp(void *user, const struct icmp_evt *e)
{
	model_add_icmp(user, e);
}

/* Read a capture the way main.c does, into a finished model. */
static struct model *load(const char *path)
{
	struct model_opts mo = { 0 };
	struct model *m = model_new(&mo);
	ck_assert_ptr_nonnull(m);
	struct dis_callbacks cb = { .on_msg = on_msg, .on_icmp = on_icmp, .user = m };
	struct dis_ctx *d = dis_new(&cb, NULL);
	ck_assert_ptr_nonnull(d);
	struct cap_opts co = { 0 };
	struct cap_result r = { 0 };
	char *files[] = { (char *)path, NULL };
	ck_assert_int_eq(cap_read_files(files, 1, &co, d, &r), 0);
	dis_flush(d);
	model_finish(m, r.last_ts_ns);
	dis_free(d);
	cap_result_free(&r);
	return m;
}

static char *ladder_all_text(const struct model *m)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	ladder_text_all(m, f, 80, NULL);
	fclose(f);
	return buf;
}

static void check_golden(const char *got, const char *name)
{
	const char *src = getenv("RT_SRC");
	char path[4096];
	snprintf(path, sizeof path, "%s/tests/golden/%s", src ? src : ".", name);
	char *g = slurp(path);
	ck_assert_msg(g != NULL, "cannot read %s", path);
	const char *want = golden_body(g);
	if (strcmp(got, want)) {
		/* show the first differing line */
		const char *a = got, *b = want;
		int line = 1;
		while (*a && *a == *b) {
			if (*a == '\n')
				line++;
			a++;
			b++;
		}
		fprintf(stderr, "--- %s differs at line %d\n--- got:\n%s\n", name, line, got);
		ck_abort_msg("%s differs at line %d", name, line);
	}
	free(g);
}

static void golden_capture(const char *cap, const char *golden)
{
	const char *src = getenv("RT_SRC");
	char path[4096];
	snprintf(path, sizeof path, "%s/captures/%s", src ? src : ".", cap);
	struct model *m = load(path);
	char *got = ladder_all_text(m);
	check_golden(got, golden);
	free(got);
	model_free(m);
}

/* ------------------------------------------------------------------ capture goldens */

START_TEST(golden_wrong_password)
{
	golden_capture("wrong-password.pcap", "ladder-wrong-password.txt");
}
END_TEST

START_TEST(golden_no_answer_timeout)
{
	golden_capture("no-answer-timeout.pcap", "ladder-no-answer-timeout.txt");
}
END_TEST

START_TEST(golden_interval_too_brief)
{
	golden_capture("interval-too-brief.pcap", "ladder-interval-too-brief.txt");
}
END_TEST

START_TEST(golden_register_auth_tcp)
{
	golden_capture("register-auth-tcp.pcap", "ladder-register-auth-tcp.txt");
}
END_TEST

START_TEST(golden_proxy_auth_407)
{
	golden_capture("proxy-auth-407.pcap", "ladder-proxy-auth-407.txt");
}
END_TEST

/* ------------------------------------------------------------------ hand-built model */

struct synth {
	const char *src, *dst;
	int sport, dport;
	double t;
	const char *text;
};

#define UA "10.0.0.5"
#define REG "10.0.0.1"
#define GW "10.0.0.9"
#define UA_HDR "User-Agent: TestPhone/1.0 \x1b]0;pwned\x07\x1b[2J\r\n"

static const struct synth synth_msgs[] = {
	/* Call-ID a: challenge, retransmitted 401, credentials refused */
	{ UA, REG, 5060, 5060, 1000.000000,
	  "REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK-a1\r\n"
	  "From: <sip:carol@example.com>;tag=f1\r\nTo: <sip:carol@example.com>\r\nCall-ID: cid-a@10.0.0.5\r\n"
	  "CSeq: 1 REGISTER\r\nContact: <sip:carol@10.0.0.5:5060>\r\nExpires: 3600\r\n" UA_HDR
	  "Content-Length: 0\r\n\r\n" },
	{ REG, UA, 5060, 5060, 1000.000500,
	  "SIP/2.0 401 Unauthorized\r\nVia: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK-a1\r\n"
	  "From: <sip:carol@example.com>;tag=f1\r\nTo: <sip:carol@example.com>;tag=t1\r\nCall-ID: cid-a@10.0.0.5\r\n"
	  "CSeq: 1 REGISTER\r\nWWW-Authenticate: Digest realm=\"example.com\", nonce=\"n1\"\r\n"
	  "Server: TestRegistrar\r\nContent-Length: 0\r\n\r\n" },
	{ REG, UA, 5060, 5060, 1000.000600,
	  "SIP/2.0 401 Unauthorized\r\nVia: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK-a1\r\n"
	  "From: <sip:carol@example.com>;tag=f1\r\nTo: <sip:carol@example.com>;tag=t1\r\nCall-ID: cid-a@10.0.0.5\r\n"
	  "CSeq: 1 REGISTER\r\nWWW-Authenticate: Digest realm=\"example.com\", nonce=\"n1\"\r\n"
	  "Server: TestRegistrar\r\nContent-Length: 0\r\n\r\n" },
	{ UA, REG, 5060, 5060, 1000.010000,
	  "REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK-a2\r\n"
	  "From: <sip:carol@example.com>;tag=f1\r\nTo: <sip:carol@example.com>\r\nCall-ID: cid-a@10.0.0.5\r\n"
	  "CSeq: 2 REGISTER\r\nContact: <sip:carol@10.0.0.5:5060>\r\nExpires: 3600\r\n"
	  "Authorization: Digest username=\"carol\", realm=\"example.com\", nonce=\"n1\", "
	  "uri=\"sip:example.com\", response=\"00000000000000000000000000000000\"\r\n" UA_HDR
	  "Content-Length: 0\r\n\r\n" },
	{ REG, UA, 5060, 5060, 1000.012000,
	  "SIP/2.0 403 Forbidden\r\nVia: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK-a2\r\n"
	  "From: <sip:carol@example.com>;tag=f1\r\nTo: <sip:carol@example.com>;tag=t2\r\nCall-ID: cid-a@10.0.0.5\r\n"
	  "CSeq: 2 REGISTER\r\nServer: TestRegistrar\r\nContent-Length: 0\r\n\r\n" },
	/* Call-ID b (after a reboot): challenge answered, 200 grants 600 s */
	{ UA, REG, 5060, 5060, 1060.000000,
	  "REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK-b1\r\n"
	  "From: <sip:carol@example.com>;tag=f2\r\nTo: <sip:carol@example.com>\r\nCall-ID: cid-b@10.0.0.5\r\n"
	  "CSeq: 1 REGISTER\r\nContact: <sip:carol@10.0.0.5:5060>;expires=600\r\n" UA_HDR
	  "Content-Length: 0\r\n\r\n" },
	{ REG, UA, 5060, 5060, 1060.000300,
	  "SIP/2.0 401 Unauthorized\r\nVia: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK-b1\r\n"
	  "From: <sip:carol@example.com>;tag=f2\r\nTo: <sip:carol@example.com>;tag=t3\r\nCall-ID: cid-b@10.0.0.5\r\n"
	  "CSeq: 1 REGISTER\r\nWWW-Authenticate: Digest realm=\"example.com\", nonce=\"n2\"\r\n"
	  "Content-Length: 0\r\n\r\n" },
	{ UA, REG, 5060, 5060, 1060.002000,
	  "REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK-b2\r\n"
	  "From: <sip:carol@example.com>;tag=f2\r\nTo: <sip:carol@example.com>\r\nCall-ID: cid-b@10.0.0.5\r\n"
	  "CSeq: 2 REGISTER\r\nContact: <sip:carol@10.0.0.5:5060>;expires=600\r\n"
	  "Authorization: Digest username=\"carol\", realm=\"example.com\", nonce=\"n2\", "
	  "uri=\"sip:example.com\", response=\"11111111111111111111111111111111\"\r\n" UA_HDR
	  "Content-Length: 0\r\n\r\n" },
	{ REG, UA, 5060, 5060, 1060.003000,
	  "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK-b2\r\n"
	  "From: <sip:carol@example.com>;tag=f2\r\nTo: <sip:carol@example.com>;tag=t4\r\nCall-ID: cid-b@10.0.0.5\r\n"
	  "CSeq: 2 REGISTER\r\nContact: <sip:carol@10.0.0.5:5060>;expires=600\r\n"
	  "Content-Length: 0\r\n\r\n" },
	/* an INVITE through a proxy: three endpoints on one ladder */
	{ UA, REG, 5060, 5060, 1070.000000,
	  "INVITE sip:dan@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK-i1\r\n"
	  "From: <sip:carol@example.com>;tag=f3\r\nTo: <sip:dan@example.com>\r\nCall-ID: cid-i@10.0.0.5\r\n"
	  "CSeq: 1 INVITE\r\nContact: <sip:carol@10.0.0.5:5060>\r\nContent-Length: 0\r\n\r\n" },
	{ REG, UA, 5060, 5060, 1070.000200,
	  "SIP/2.0 100 Trying\r\nVia: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK-i1\r\n"
	  "From: <sip:carol@example.com>;tag=f3\r\nTo: <sip:dan@example.com>\r\nCall-ID: cid-i@10.0.0.5\r\n"
	  "CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n" },
	{ REG, GW, 5060, 5070, 1070.000400,
	  "INVITE sip:dan@10.0.0.9:5070 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-p1\r\n"
	  "Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK-i1\r\n"
	  "From: <sip:carol@example.com>;tag=f3\r\nTo: <sip:dan@example.com>\r\nCall-ID: cid-i@10.0.0.5\r\n"
	  "CSeq: 1 INVITE\r\nContact: <sip:carol@10.0.0.5:5060>\r\nContent-Length: 0\r\n\r\n" },
	{ GW, REG, 5070, 5060, 1072.500000,
	  "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-p1\r\n"
	  "Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK-i1\r\n"
	  "From: <sip:carol@example.com>;tag=f3\r\nTo: <sip:dan@example.com>;tag=d1\r\nCall-ID: cid-i@10.0.0.5\r\n"
	  "CSeq: 1 INVITE\r\nServer: Gateway\r\nContact: <sip:dan@10.0.0.9:5070>\r\nContent-Length: 0\r\n\r\n" },
	{ REG, UA, 5060, 5060, 1072.500300,
	  "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK-i1\r\n"
	  "From: <sip:carol@example.com>;tag=f3\r\nTo: <sip:dan@example.com>;tag=d1\r\nCall-ID: cid-i@10.0.0.5\r\n"
	  "CSeq: 1 INVITE\r\nContact: <sip:dan@10.0.0.9:5070>\r\nContent-Length: 0\r\n\r\n" },
	{ UA, GW, 5060, 5070, 1072.600000,
	  "ACK sip:dan@10.0.0.9:5070 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK-i2\r\n"
	  "From: <sip:carol@example.com>;tag=f3\r\nTo: <sip:dan@example.com>;tag=d1\r\nCall-ID: cid-i@10.0.0.5\r\n"
	  "CSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n" },
};

static struct model *synth_model(void)
{
	struct model_opts mo = { 0 };
	sip_global_init();
	struct model *m = model_new(&mo);
	ck_assert_ptr_nonnull(m);
	int64_t last = 0;
	for (size_t i = 0; i < sizeof synth_msgs / sizeof synth_msgs[0]; i++) {
		const struct synth *s = &synth_msgs[i];
		struct sip_meta meta = { 0 };
		meta.frame = i + 1;
		meta.ts_ns = (int64_t)(s->t * 1e6 + 0.5) * 1000;
		ck_assert(rt_ip_parse(s->src, &meta.src));
		ck_assert(rt_ip_parse(s->dst, &meta.dst));
		meta.src.port = (uint16_t)s->sport;
		meta.dst.port = (uint16_t)s->dport;
		meta.transport = RT_TP_UDP;
		meta.datagram = true;
		struct sip_msg *msg = sip_parse((const uint8_t *)s->text, strlen(s->text), &meta);
		ck_assert_ptr_nonnull(msg);
		ck_assert_msg(!msg->malformed, "synthetic message %zu malformed", i + 1);
		msg->id = i + 1;
		last = meta.ts_ns;
		model_add_msg(m, msg);
	}
	model_finish(m, last);
	/* a finding citing the 403 (frame 5), as a diagnosis rule would add */
	const struct aor_hist *a = model_find_aor(m, "sip:carol@example.com");
	ck_assert_ptr_nonnull(a);
	struct finding *f = calloc(1, sizeof *f);
	f->rule = "test-credentials-refused";
	f->sev = SEV_ERR;
	f->message = strdup("credentials refused after a challenge\x1b[31m");
	f->fix = strdup("check the password");
	f->frames = malloc(2 * sizeof *f->frames);
	f->frames[0] = 4;
	f->frames[1] = 5;
	f->nframes = 2;
	f->aor = (struct aor_hist *)a;
	model_add_finding(m, f);
	return m;
}

START_TEST(golden_synthetic)
{
	struct model *m = synth_model();
	char *got = ladder_all_text(m);
	/* nothing captured reaches the output raw */
	ck_assert_ptr_null(strchr(got, '\x1b'));
	ck_assert_ptr_null(strchr(got, '\x07'));
	check_golden(got, "ladder-synthetic.txt");
	free(got);
	model_free(m);
}
END_TEST

START_TEST(rows_and_pairing)
{
	struct model *m = synth_model();
	const struct aor_hist *a = model_find_aor(m, "sip:carol@example.com");
	struct ladder *l = ladder_for_aor(m, a);
	ck_assert_ptr_nonnull(l);
	ck_assert_uint_eq(l->ncols, 2);
	ck_assert_uint_eq(l->ncallids, 2);
	/* 9 messages + 2 Call-ID separators */
	ck_assert_uint_eq(l->nrows, 11);
	ck_assert_int_eq(l->rows[0].kind, LROW_SEP);
	ck_assert_int_eq(l->rows[6].kind, LROW_SEP);
	/* frame 2 (row 2) is the challenge answered by frame 4 (row 4); frame 3 its copy */
	ck_assert(l->rows[2].challenge);
	ck_assert_int_eq(l->rows[2].pair_row, 4);
	ck_assert_int_eq(l->rows[4].pair_row, 2);
	ck_assert(l->rows[3].retrans);
	ck_assert(!l->rows[3].challenge);
	ck_assert(l->rows[4].auth);
	/* the finding sits beside frames 4 and 5 */
	ck_assert_uint_eq(l->nfindings, 1);
	ck_assert_uint_eq(l->rows[4].nfindings, 1);
	ck_assert_uint_eq(l->rows[5].nfindings, 1);
	ck_assert_uint_eq(l->rows[1].nfindings, 0);
	ck_assert_int_eq(l->rows[5].cls, LCLS_ERROR);
	ck_assert_int_eq(l->rows[2].cls, LCLS_CHALLENGE);
	ck_assert_int_eq(l->rows[10].cls, LCLS_OK);
	ladder_free(l);
	model_free(m);
}
END_TEST

START_TEST(utf8_and_width)
{
	struct model *m = synth_model();
	const struct dialog *d = model_find_dialog(m, "cid-i@10.0.0.5");
	ck_assert_ptr_nonnull(d);
	struct ladder *l = ladder_for_dialog(m, d);
	ck_assert_ptr_nonnull(l);
	ck_assert_uint_eq(l->ncols, 3);
	ladder_layout(l, 80);
	wchar_t cells[256];
	for (size_t i = 0; i < l->nrows; i++) {
		int n = ladder_render_row(l, i, false, cells, 256);
		/* ASCII only, and the diagram fits 80 columns */
		for (int k = 0; k < n; k++)
			ck_assert_int_lt(cells[k], 0x80);
		ck_assert_int_le(l->diag_x1, 80);
	}
	/* UTF-8: lifelines are U+2502, arrows U+2500; ASCII fallback '|' and '-' */
	int n = ladder_render_row(l, 0, true, cells, 256);
	ck_assert_int_gt(n, l->cols[2].x);
	ck_assert_int_eq(cells[l->cols[0].x], 0x2502);
	ck_assert_int_eq(cells[l->cols[0].x + 1], 0x2500);
	ck_assert_int_eq(cells[l->cols[2].x], 0x2502);
	ladder_render_row(l, 0, false, cells, 256);
	ck_assert_int_eq(cells[l->cols[0].x], '|');
	ck_assert_int_eq(cells[l->cols[0].x + 1], '-');
	ck_assert_int_eq(cells[l->cols[1].x - 1], '>');
	/* a tiny buffer is never overrun */
	wchar_t small[8];
	int k = ladder_render_row(l, 0, true, small, 8);
	ck_assert_int_le(k, 7);
	ck_assert_int_eq(small[k], 0);
	ladder_free(l);
	model_free(m);
}
END_TEST

START_TEST(time_and_delta)
{
	char b[32];
	/* 1795611032.311032 s = 2026-11-25 12:50:32.311032 UTC (tshark -t ud) */
	ck_assert_str_eq(ladder_time(1795611032311032000LL, b, sizeof b), "12:50:32.311032");
	ck_assert_str_eq(ladder_time(0, b, sizeof b), "00:00:00.000000");
	ck_assert_str_eq(ladder_delta(316000, b, sizeof b), "+316us");
	ck_assert_str_eq(ladder_delta(999999, b, sizeof b), "+999us");
	ck_assert_str_eq(ladder_delta(1032000, b, sizeof b), "+1.0ms");
	ck_assert_str_eq(ladder_delta(49800000, b, sizeof b), "+49.8ms");
	ck_assert_str_eq(ladder_delta(502676000, b, sizeof b), "+502ms");
	ck_assert_str_eq(ladder_delta(1003800000, b, sizeof b), "+1.003s");
	ck_assert_str_eq(ladder_delta(17270000000LL, b, sizeof b), "+17.27s");
	ck_assert_str_eq(ladder_delta(499000000000LL, b, sizeof b), "+499s");
	ck_assert_str_eq(ladder_delta(7380000000000LL, b, sizeof b), "+7380s");
	ck_assert_str_eq(ladder_delta(37380000000000LL, b, sizeof b), "+10h23m");
	ck_assert_str_eq(ladder_delta(-316000, b, sizeof b), "-316us");
}
END_TEST

/* What an escaper writes, as a string. */
static char *esc_out(void (*fn)(const char *, FILE *), const char *in)
{
	static char buf[512];
	FILE *f = fmemopen(buf, sizeof buf, "w");
	fn(in, f);
	fclose(f);
	return buf;
}

static void html_lines(const char *s, FILE *f)
{
	rt_fputs_html_n(s, strlen(s), true, f);
}

/* The HTML report's escapers on hostile text (HTML 5 §13.1.2.4 for what
 * ends a <script>; ECMA-262 for U+2028/2029; RFC 3629 for UTF-8). */
START_TEST(html_and_js_escape)
{
	ck_assert_str_eq(esc_out(rt_fputs_html, "<img src=x onerror='a'>&\"x\""),
			 "&lt;img src=x onerror=&#39;a&#39;&gt;&amp;&quot;x&quot;");
	ck_assert_str_eq(esc_out(rt_fputs_html, "a\x1b[2Jb\nc"), "a\\x1b[2Jb\\x0ac");
	ck_assert_str_eq(esc_out(html_lines, "SIP/2.0 200 OK\r\nTo: <x>\r\n"), "SIP/2.0 200 OK\nTo: &lt;x&gt;\n");
	ck_assert_str_eq(esc_out(rt_fputs_html, NULL), "-");
	ck_assert_str_eq(esc_out(rt_fputs_js, "</script><!--&"), "\"\\u003c/script\\u003e\\u003c!--\\u0026\"");
	ck_assert_str_eq(esc_out(rt_fputs_js, "a\"b\\c\n\x7f"), "\"a\\\"b\\\\c\\u000a\\u007f\"");
	/* U+2028 and U+2029 (e2 80 a8/a9) end a line in older JS */
	ck_assert_str_eq(esc_out(rt_fputs_js, "x\xe2\x80\xa8y\xe2\x80\xa9"), "\"x\\u2028y\\u2029\"");
	/* valid UTF-8 passes: e-acute, CJK, an emoji */
	ck_assert_str_eq(esc_out(rt_fputs_js, "\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80"), "\"\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80\"");
	/* not UTF-8: a lone continuation, overlong NUL, a surrogate, beyond
	 * U+10FFFF, 0xf5, a sequence cut by the end */
	ck_assert_str_eq(esc_out(rt_fputs_js, "\x80"), "\"\\ufffd\"");
	ck_assert_str_eq(esc_out(rt_fputs_js, "\xc0\x80"), "\"\\ufffd\\ufffd\"");
	ck_assert_str_eq(esc_out(rt_fputs_js, "\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");
	ck_assert_str_eq(esc_out(rt_fputs_js, "\xf4\x90\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	ck_assert_str_eq(esc_out(rt_fputs_js, "\xf5"), "\"\\ufffd\"");
	ck_assert_str_eq(esc_out(rt_fputs_js, "ab\xe2\x80"), "\"ab\\ufffd\\ufffd\"");
	ck_assert_str_eq(esc_out(rt_fputs_js, NULL), "null");
}
END_TEST

static Suite **rt_suites(void)
{
	static Suite *ss[2];
	Suite *s = suite_create("ladder");
	TCase *tc = tcase_create("ladder");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, time_and_delta);
	tcase_add_test(tc, html_and_js_escape);
	tcase_add_test(tc, rows_and_pairing);
	tcase_add_test(tc, utf8_and_width);
	tcase_add_test(tc, golden_synthetic);
	tcase_add_test(tc, golden_wrong_password);
	tcase_add_test(tc, golden_no_answer_timeout);
	tcase_add_test(tc, golden_interval_too_brief);
	tcase_add_test(tc, golden_register_auth_tcp);
	tcase_add_test(tc, golden_proxy_auth_407);
	suite_add_tcase(s, tc);
	ss[0] = s;
	ss[1] = NULL;
	return ss;
}
