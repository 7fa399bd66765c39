/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check_diag.c - the diagnosis rules (docs/rules.md): each rule on a capture that
 * fires it and on one that does not, healthy captures without CRIT/ERR,
 * thresholds, the rule table and docs/rules.md.
 *
 * Captures: the shared lab captures (RT_SHARED; their .txt files hold the
 * tshark listing the expected values below were read from), pcapgen.py
 * and diaggen.py scenarios (generated into a temporary directory; the
 * expected values come from the scenario descriptions in those files:
 * one message per frame, times and codes as written there).  Nothing
 * below was copied from regtrace's own output.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "cred.h"
#include "diag_util.h"

/* ------------------------------------------------------------ captures */

static char g_tmp[256];
static pid_t g_owner;   /* the process that made g_tmp removes it */

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);
	return v && *v ? v : def;
}

/* Path of a capture source, generating it when needed; NULL when the
 * source is unavailable (shared corpus absent): the caller skips. */
static const char *src_path(const char *src)
{
	static char path[4][512];
	static int pi;
	char *p = path[pi++ % 4];
	if (strncmp(src, "lab:", 4) == 0 || strncmp(src, "real:", 5) == 0) {
		const char *sh = env_or("RT_SHARED", "../shared");
		snprintf(p, 512, "%s/captures/%s/%s", sh, src[0] == 'l' ? "lab" : "real",
			 strchr(src, ':') + 1);
		return access(p, R_OK) == 0 ? p : NULL;
	}
	if (!g_tmp[0]) {
		snprintf(g_tmp, sizeof g_tmp, "%s/rt-diag.XXXXXX", env_or("TMPDIR", "/tmp"));
		ck_assert_ptr_nonnull(mkdtemp(g_tmp));
	}
	const char *gen = strncmp(src, "gen:", 4) == 0 ? "pcapgen.py" : "diaggen.py";
	const char *name = strchr(src, ':') + 1;
	snprintf(p, 512, "%s/%s-%s.pcap", g_tmp, gen, name);
	if (access(p, R_OK) != 0) {
		char cmd[1400];
		snprintf(cmd, sizeof cmd, "'%s' '%s/tests/gen/%s' '%s' '%s'", env_or("PYTHON3", "python3"),
			 env_or("RT_SRC", "."), gen, name, p);
		ck_assert_msg(system(cmd) == 0, "generator failed: %s", cmd);
	}
	return p;
}

/* A credentials file (mode 600) with that content. */
static struct cred_store *creds_from(const char *text)
{
	if (!text)
		return NULL;
	char err[256];
	struct cred_store *s = NULL;
	ck_assert_msg(cred_parse("test", text, strlen(text), &s, err, sizeof err) == 0, "%s", err);
	return s;
}

static struct model *run_src(const char *src, const char *creds, struct cred_store **cs,
			     const struct diag_opts *base)
{
	const char *p = src_path(src);
	if (!p)
		return NULL;
	struct diag_opts o = { 0 };
	if (base)
		o = *base;
	*cs = creds_from(creds);
	if (*cs)
		o.creds = *cs;
	struct model *m = du_analyze(p, &o);
	ck_assert_msg(m != NULL, "cannot read %s", p);
	return m;
}

static const struct finding *find_rule(const struct model *m, const char *rule, size_t *count)
{
	const struct finding *first = NULL;
	size_t n = 0;
	for (size_t i = 0; i < m->findings.n; i++) {
		const struct finding *f = m->findings.v[i];
		if (strcmp(f->rule, rule) == 0) {
			if (!first)
				first = f;
			n++;
		}
	}
	if (count)
		*count = n;
	return first;
}

static void frames_str(const struct finding *f, char *b, size_t n)
{
	size_t l = 0;
	b[0] = 0;
	for (size_t i = 0; i < f->nframes && l < n; i++)
		l += (size_t)snprintf(b + l, n - l, "%s%llu", i ? "," : "",
				      (unsigned long long)f->frames[i]);
}

/* ------------------------------------------------------------ firing cases */

struct fire_case {
	const char *rule;
	enum finding_sev sev;
	const char *src;
	const char *creds;        /* credentials file text, NULL none */
	const char *want[4];      /* substrings of the message */
	const char *frames;       /* evidence frames, NULL: not checked */
	size_t count;             /* findings of that rule; 0: not checked */
};

#define PW1 "alice:secret\n"
#define PW2 "alice:secret\na1001:secret\n"

static const struct fire_case fires[] = {
	/* lab 03 (tshark): 401 loop with the same nonce, then 403 Forbidden - Bad Credentials */
	{ "REG-AUTH-LOOP", SEV_CRIT, "lab:03_wrong_password.pcap", NULL,
	  { "'alice'", "'lab.local'", "2 times in a row", "403 Forbidden - Bad Credentials" },
	  "1,2,3,4,5,6,7,8", 1 },
	{ "REG-AUTH-LOOP", SEV_CRIT, "gen:reg-badpw-loop", NULL,
	  { "'alice'", "'example.com'", "2 times", "403 Forbidden" }, "1,2,3,4,5,6,7,8", 1 },
	{ "REG-AUTH-NORETRY", SEV_CRIT, "dg:auth-alg-sha", NULL,
	  { "401 challenge", "'example.com'", "1 challenge unanswered", "within 5 s" }, "1,2", 1 },
	{ "REG-AUTH-NORETRY", SEV_CRIT, "dg:noretry-nocreds", NULL,
	  { "2 challenges", "without credentials" }, "1,2,3,4", 1 },
	{ "REG-AUTH-BADPW", SEV_CRIT, "gen:reg-badpw-loop", PW1,
	  { "alice@example.com is wrong", "MD5", "3 REGISTERs" }, "3,5,7", 1 },
	{ "REG-AUTH-VARIANT", SEV_ERR, "dg:auth-variant", PW2,
	  { "password for a1001 is right", "username 'alice'", "sent username 'a1001'" }, "3", 1 },
	{ "REG-AUTH-VARIANT", SEV_ERR, "dg:auth-realm", PW1,
	  { "realm 'other.example'", "challenged 'example.com'" }, "3", 1 },
	{ "REG-AUTH-REALM", SEV_ERR, "dg:auth-realm", NULL,
	  { "realm 'example.com'", "realm 'other.example'" }, "1,2,3,4", 1 },
	{ "REG-AUTH-USER-403", SEV_ERR, "dg:auth-user-403", NULL,
	  { "'bob'", "user 'alice'", "403 Forbidden auth ID" }, "3,4", 1 },
	{ "REG-AUTH-USER", SEV_WARN, "dg:auth-user-401", NULL,
	  { "'a1001'", "user 'alice'", "401 Unauthorized" }, "3,4,5,6", 1 },
	{ "REG-AUTH-HDRTYPE", SEV_ERR, "dg:auth-hdrtype", NULL,
	  { "407 proxy challenge", "Authorization instead of Proxy-Authorization" }, "1,2,3", 1 },
	{ "REG-AUTH-ALG", SEV_ERR, "dg:auth-alg-sha", NULL, { "SHA-256 only", "never answered" },
	  "1,2", 1 },
	{ "REG-AUTH-ALG", SEV_ERR, "dg:auth-alg-md5", NULL,
	  { "algorithm MD5", "offered SHA-256" }, "1,2,3,4", 1 },
	{ "REG-AUTH-QOP", SEV_ERR, "dg:auth-qop-nc", NULL,
	  { "nc=00000001 reused", "frame 3" }, "2,3,5,6", 1 },
	{ "REG-AUTH-QOP", SEV_ERR, "dg:auth-qop-opaque", NULL, { "opaque \"op42\" was not echoed" },
	  "2,3,4", 1 },
	{ "REG-AUTH-QOP", SEV_ERR, "dg:auth-qop-uri", NULL,
	  { "uri=sip:10.0.0.1", "Request-URI sip:example.com" }, "2,3,4", 1 },
	{ "REG-AUTH-STALE-OK", SEV_INFO, "dg:stale-ok", NULL, { "stale=true", "renewed" },
	  "5,6,7,8", 1 },
	{ "REG-AUTH-STALE-FAIL", SEV_ERR, "dg:stale-fail", NULL,
	  { "401 with stale=true", "did not retry" }, "5,6", 1 },
	{ "REG-AUTH-STALE-FAIL", SEV_ERR, "dg:stale-omit", NULL,
	  { "401 carried a new nonce without stale=true", "gave up" }, "5,6", 1 },
	{ "REG-AUTH-MALFORMED", SEV_ERR, "dg:auth-malformed", NULL,
	  { "Authorization header in frame 3", "username=\"alice, realm" }, "3", 1 },
	{ "REG-403", SEV_CRIT, "lab:03_wrong_password.pcap", NULL,
	  { "sip:alice@lab.local", "403 Forbidden - Bad Credentials", "after the phone authenticated",
	    "'alice'" }, "7,8", 1 },
	/* lab 04: three unknown users, 404 User Not Found each */
	{ "REG-404", SEV_CRIT, "lab:04_unknown_user.pcap", NULL,
	  { "sip:mallory@lab.local", "404 User Not Found", "sip:lab.local" }, "1,2", 3 },
	{ "REG-404", SEV_CRIT, "gen:reg-404", NULL, { "sip:alice@example.com", "404 Not Found" },
	  "1,2", 1 },
	/* lab 05: Expires 30 -> 423 Min-Expires 60 -> 60 -> 200 */
	{ "REG-423", SEV_INFO, "lab:05_interval_too_brief.pcap", NULL,
	  { "minimum is 60 s", "asked for 30 s", "retried with 60 s", "registered" }, "3,4,5,6", 1 },
	{ "REG-423", SEV_INFO, "gen:reg-423", NULL,
	  { "minimum is 120 s", "asked for 60 s", "retried with 120 s" }, NULL, 1 },
	{ "REG-423-LOOP", SEV_ERR, "gen:reg-423-loop", NULL,
	  { "minimum is 120 s", "asked for 60 s", "3 answers 423" }, "1,2,3,4,5,6", 1 },
	{ "REG-400-420", SEV_ERR, "dg:reg-420", NULL, { "420 Bad Extension", "Unsupported: path" },
	  "1,2", 1 },
	{ "REG-5XX", SEV_ERR, "gen:reg-503", NULL, { "503 Service Unavailable", "Retry-After 30 s" },
	  "1,2", 1 },
	{ "REG-MAXCONTACTS", SEV_ERR, "dg:reg-maxcontacts", NULL,
	  { "maximum number of registered devices", "503", "Too many registered contacts" }, "3,4", 1 },
	{ "REG-MAXCONTACTS", SEV_ERR, "dg:reg-many-bindings", NULL, { "frame 4 lists 12 bindings" },
	  "3,4", 1 },
	{ "REG-6XX", SEV_WARN, "dg:reg-603", NULL, { "603 Decline" }, "1,2", 1 },
	{ "REG-408-WIRE", SEV_WARN, "dg:reg-408", NULL, { "408 Request Timeout", "proxy" }, "1,2", 1 },
	/* lab 08 (tshark): 10 copies, the last at 27.542 s (frame 19), no answer; each copy
	 * followed by an ICMP port unreachable (type 3 code 3) from 127.0.0.1 (frames 2..20) */
	{ "REG-TIMEOUT", SEV_CRIT, "lab:08_no_answer_registrar_down.pcap", NULL,
	  { "127.0.0.1:5060", "10 copies over 27.5 s", "UDP",
	    "nothing listens on 127.0.0.1:5060 (UDP): each of the 10 copies drew an ICMP port "
	    "unreachable from 127.0.0.1" },
	  "1,2,19", 1 },
	/* lab 09 (tshark): 10 copies to 127.0.0.1:5098, the last at 27.542 s, no ICMP at all */
	{ "REG-TIMEOUT", SEV_CRIT, "lab:09_no_answer_blackhole.pcap", NULL,
	  { "127.0.0.1:5098", "10 copies over 27.5 s", "no ICMP error came back for any copy" },
	  "1,10", 1 },
	/* 11 copies, each drew ICMP type 3 code 1 from 192.0.2.1 (frames 2, 4 ... 22) */
	{ "REG-TIMEOUT", SEV_CRIT, "dg:reg-timeout-host-unreach", NULL,
	  { "198.51.100.5:5060", "11 copies over 31.5 s", "host unreachable: each of the 11 copies "
	    "drew an ICMP host unreachable from 192.0.2.1" }, "1,2,21", 1 },
	/* lab 10 (tshark): frame 1 SYN 127.0.0.1:5075 -> :5099, frame 2 RST+ACK, no SIP */
	{ "REG-TCP-REFUSED", SEV_CRIT, "lab:10_tcp_refused.pcap", NULL,
	  { "Nothing listens on 127.0.0.1:5099 (TCP)", "the only connection attempt (SYN) from "
	    "127.0.0.1", "drew a TCP reset (RST) from 127.0.0.1 (frame 2)" }, "2", 1 },
	/* three SYNs to 198.51.100.5:5060, each refused (RST+ACK in frames 2, 4, 6) */
	{ "REG-TCP-REFUSED", SEV_CRIT, "dg:tcp-refused", NULL,
	  { "198.51.100.5:5060 (TCP)", "each of the 3 connection attempts (SYN) from 192.0.2.10",
	    "(frames 2-6)" }, "2,6", 1 },
	/* 11 copies over IPv6, the first 7 drew ICMPv6 type 1 code 0 from 2001:db8:ffff::1 */
	{ "REG-TIMEOUT", SEV_CRIT, "dg:reg-timeout-net-unreach6", NULL,
	  { "[2001:db8::5]:5060", "network unreachable: 7 of the 11 copies drew an ICMP network "
	    "unreachable from 2001:db8:ffff::1" }, "1,2,18", 1 },
	{ "REG-TIMEOUT", SEV_CRIT, "gen:reg-timeout", NULL,
	  { "198.51.100.5:5060", "11 copies over 31.5 s", "sip:alice@example.com" }, "1,11", 1 },
	{ "REG-BANNED", SEV_ERR, "dg:reg-banned", NULL,
	  { "198.51.100.5", "blocked 192.0.2.10", "3 failed logins", "after frame 8" }, "7,8,9", 1 },
	{ "REG-RETX-STORM", SEV_WARN, "dg:reg-storm", NULL, { "15 copies", "more than 11" }, NULL, 1 },
	{ "REG-RETX-LOSS", SEV_INFO, "dg:reg-loss", NULL,
	  { "1 request retransmission", "0.5 s" }, "1,3", 1 },
	{ "REG-1XX-NONINVITE", SEV_INFO, "dg:reg-180", NULL, { "180 Ringing" }, "2", 1 },
	{ "REG-UNREG-INCOMPLETE", SEV_WARN, "dg:unreg-incomplete", NULL,
	  { "challenged with 401", "never re-sent" }, "5,6", 1 },
	{ "REG-STAR-MISUSE", SEV_ERR, "dg:star-misuse", NULL, { "Contact: * with Expires: 3600" },
	  "1,2", 1 },
	{ "REG-CSEQ-ORDER", SEV_ERR, "dg:cseq-order", NULL, { "CSeq 2 after CSeq 2" }, "3,5", 1 },
	{ "REG-BRANCH-REUSE", SEV_ERR, "dg:branch-reuse", NULL,
	  { "z9hG4bKsame1", "of CSeq 1", "CSeq 2" }, "1,3", 1 },
};

START_TEST(t_fires)
{
	const struct fire_case *fc = &fires[_i];
	struct cred_store *cs = NULL;
	struct model *m = run_src(fc->src, fc->creds, &cs, NULL);
	if (!m) {
		fprintf(stderr, "# skip %s on %s: capture absent\n", fc->rule, fc->src);
		return;
	}
	size_t n;
	const struct finding *f = find_rule(m, fc->rule, &n);
	ck_assert_msg(f != NULL, "%s did not fire on %s", fc->rule, fc->src);
	ck_assert_msg(f->sev == fc->sev, "%s on %s: severity %s", fc->rule, fc->src,
		      finding_sev_name(f->sev));
	ck_assert_ptr_nonnull(f->message);
	for (int k = 0; k < 4 && fc->want[k]; k++)
		ck_assert_msg(strstr(f->message, fc->want[k]), "%s on %s: '%s' not in: %s", fc->rule,
			      fc->src, fc->want[k], f->message);
	ck_assert_msg(f->fix != NULL || f->sev == SEV_INFO, "%s: no fix", fc->rule);
	if (fc->frames) {
		char b[512];
		frames_str(f, b, sizeof b);
		ck_assert_msg(strcmp(b, fc->frames) == 0, "%s on %s: frames %s, want %s", fc->rule,
			      fc->src, b, fc->frames);
	}
	if (fc->count)
		ck_assert_msg(n == fc->count, "%s on %s: %zu findings, want %zu", fc->rule, fc->src, n,
			      fc->count);
	/* secrets never reach a finding */
	for (size_t i = 0; fc->creds && i < m->findings.n; i++) {
		const struct finding *x = m->findings.v[i];
		ck_assert(!strstr(x->message, "secret") && (!x->fix || !strstr(x->fix, "secret")));
	}
	model_free(m);
	cred_free(cs);
}
END_TEST

/* ------------------------------------------------------------ non-firing cases */

struct quiet_case {
	const char *rule;
	const char *src;
	const char *creds;
};

static const struct quiet_case quiet[] = {
	{ "REG-AUTH-LOOP", "lab:05_interval_too_brief.pcap", NULL },   /* 423, not a rejection */
	{ "REG-AUTH-LOOP", "dg:stale-ok", NULL },                      /* stale=true is no rejection */
	{ "REG-AUTH-LOOP", "dg:auth-user-403", NULL },                 /* one rejection only */
	{ "REG-AUTH-NORETRY", "gen:reg-ok", NULL },
	{ "REG-AUTH-NORETRY", "dg:auth-malformed", NULL },             /* answered, malformed */
	{ "REG-AUTH-NORETRY", "dg:unreg-incomplete", NULL },           /* that is UNREG-INCOMPLETE */
	{ "REG-AUTH-NORETRY", "real:OISF__suricata-verify__tests__sip-tcp-pattern-matching__sip.pcap", NULL },
	{ "REG-AUTH-BADPW", "gen:reg-ok", PW1 },                       /* right password */
	{ "REG-AUTH-BADPW", "dg:auth-realm", PW1 },                    /* a variant, not bad */
	{ "REG-AUTH-VARIANT", "gen:reg-badpw-loop", PW1 },
	{ "REG-AUTH-VARIANT", "gen:reg-ok", PW1 },
	{ "REG-AUTH-REALM", "lab:01_register_auth_udp.pcap", NULL },
	{ "REG-AUTH-REALM", "dg:auth-variant", NULL },
	{ "REG-AUTH-USER-403", "lab:03_wrong_password.pcap", NULL },   /* 403, same user */
	{ "REG-AUTH-USER", "lab:03_wrong_password.pcap", NULL },
	{ "REG-AUTH-HDRTYPE", "lab:11_proxy_auth_register.pcap", NULL },
	{ "REG-AUTH-HDRTYPE", "gen:reg-407", NULL },
	{ "REG-AUTH-ALG", "lab:01_register_auth_udp.pcap", NULL },
	{ "REG-AUTH-QOP", "lab:03_wrong_password.pcap", NULL },        /* nonce re-issued: nc restarts */
	{ "REG-AUTH-QOP", "lab:06_refresh.pcap", NULL },               /* nc 1 then 2 */
	{ "REG-AUTH-STALE-OK", "dg:stale-fail", NULL },
	{ "REG-AUTH-STALE-FAIL", "dg:stale-ok", NULL },
	{ "REG-AUTH-STALE-FAIL", "lab:06_refresh.pcap", NULL },
	{ "REG-AUTH-MALFORMED", "lab:01_register_auth_udp.pcap", NULL },
	{ "REG-403", "lab:04_unknown_user.pcap", NULL },
	{ "REG-404", "lab:03_wrong_password.pcap", NULL },
	{ "REG-423", "gen:reg-423-loop", NULL },
	{ "REG-423-LOOP", "lab:05_interval_too_brief.pcap", NULL },
	{ "REG-423-LOOP", "gen:reg-423", NULL },
	{ "REG-400-420", "gen:reg-ok", NULL },
	{ "REG-5XX", "dg:reg-maxcontacts", NULL },                     /* that is MAXCONTACTS */
	{ "REG-MAXCONTACTS", "gen:reg-503", NULL },
	{ "REG-MAXCONTACTS", "lab:14_register_auth_ipv6.pcap", NULL }, /* 3 bindings */
	{ "REG-6XX", "gen:reg-ok", NULL },
	{ "REG-408-WIRE", "lab:08_no_answer_registrar_down.pcap", NULL },
	{ "REG-TIMEOUT", "lab:01_register_auth_udp.pcap", NULL },
	{ "REG-TCP-REFUSED", "dg:tcp-refused-other", NULL },   /* port 8080, not the registrar */
	{ "REG-TCP-REFUSED", "lab:02_register_auth_tcp.pcap", NULL },   /* connects, closes */
	{ "REG-TIMEOUT", "real:zeek__zeek__testing__btest__Traces__sip__sip-junk-before-request.pcap", NULL },
	{ "REG-BANNED", "lab:08_no_answer_registrar_down.pcap", NULL }, /* silence, no failures */
	{ "REG-BANNED", "lab:03_wrong_password.pcap", NULL },           /* failures, no silence */
	{ "REG-RETX-STORM", "gen:reg-timeout", NULL },                  /* 11 copies on Timer E */
	{ "REG-RETX-STORM", "dg:reg-loss", NULL },
	{ "REG-RETX-LOSS", "lab:01_register_auth_udp.pcap", NULL },
	{ "REG-RETX-LOSS", "gen:reg-timeout", NULL },                   /* never answered */
	{ "REG-1XX-NONINVITE", "dg:reg-100-late", NULL },               /* 100 after 3.5 s */
	{ "REG-UNREG-INCOMPLETE", "lab:07_deregister.pcap", NULL },
	{ "REG-UNREG-INCOMPLETE", "gen:reg-dereg", NULL },
	{ "REG-STAR-MISUSE", "lab:07_deregister.pcap", NULL },          /* Contact: *, Expires: 0 */
	{ "REG-CSEQ-ORDER", "lab:06_refresh.pcap", NULL },
	{ "REG-BRANCH-REUSE", "lab:01_register_auth_udp.pcap", NULL },
};

START_TEST(t_quiet)
{
	const struct quiet_case qc = quiet[_i];
	struct cred_store *cs = NULL;
	struct model *m = run_src(qc.src, qc.creds, &cs, NULL);
	if (!m) {
		fprintf(stderr, "# skip %s on %s: capture absent\n", qc.rule, qc.src);
		return;
	}
	const struct finding *f = find_rule(m, qc.rule, NULL);
	ck_assert_msg(f == NULL, "%s fired on %s: %s", qc.rule, qc.src, f ? f->message : "");
	model_free(m);
	cred_free(cs);
}
END_TEST

/* Every part-1 rule (auth and response tables) has a firing case and a
 * quiet case in the tables above; part 2's tables are covered the same way
 * by tests/cli/diag2.py. */
START_TEST(t_every_rule_tested)
{
	const struct diag_rule *const tables[] = { diag_rules_auth, diag_rules_resp };
	for (size_t ti = 0; ti < 2; ti++)
	for (const struct diag_rule *r = tables[ti]; r->id; r++) {
		const char *id = r->id;
		bool f = false, q = false;
		for (size_t k = 0; k < sizeof fires / sizeof fires[0]; k++)
			f |= strcmp(fires[k].rule, id) == 0;
		for (size_t k = 0; k < sizeof quiet / sizeof quiet[0]; k++)
			q |= strcmp(quiet[k].rule, id) == 0;
		ck_assert_msg(f && q, "%s lacks a %s test", id, f ? "non-firing" : "firing");
	}
}
END_TEST

/* ------------------------------------------------------------ healthy captures */

static const char *const healthy[] = {
	"lab:01_register_auth_udp.pcap", "lab:02_register_auth_tcp.pcap", "lab:06_refresh.pcap",
	"lab:07_deregister.pcap", "lab:11_proxy_auth_register.pcap",
	"lab:14_register_auth_ipv6.pcap",
	"gen:reg-ok", "gen:reg-407", "gen:reg-dereg", "gen:reg-refresh", "gen:reg-callid-change",
	/* shared real captures whose registrations succeed (MANIFEST.tsv, expected/) */
	"real:MichalCab__ISA__hodinovy_rozhovor_s_filipem.pcap",
	"real:OISF__suricata-verify__tests__sip-body-frames__public-cloudshark-sip-s0.pcap",
	"real:OISF__suricata-verify__tests__sip-tcp-method__sip-tcp.pcap",
	"real:arkime__arkime__tests__pcap__gtp-iphone.pcap",
	"real:ntop__nDPI__tests__cfgs__default__pcap__sip_hello.pcapng",
	"real:sipcapture__heplify__example__pcap__rtp_rtcp_sip_ipv4_udp.pcap",
	"real:sipcapture__heplify__example__pcap__sip_ipv4_tcp_retrans.pcap",
	"real:sipcapture__hep-wireshark__pcap__hep3_compressed.pcap.pcapng",
};

START_TEST(t_healthy)
{
	struct cred_store *cs = NULL;
	struct model *m = run_src(healthy[_i], NULL, &cs, NULL);
	if (!m) {
		fprintf(stderr, "# skip %s: capture absent\n", healthy[_i]);
		return;
	}
	for (size_t i = 0; i < m->findings.n; i++) {
		const struct finding *f = m->findings.v[i];
		ck_assert_msg(f->sev < SEV_ERR, "%s on healthy %s: %s", f->rule, healthy[_i], f->message);
	}
	model_free(m);
}
END_TEST

/* ------------------------------------------------------------ thresholds, table, docs */

START_TEST(t_rule_opt)
{
	struct diag_opts o = { 0 };
	char err[256];
	ck_assert_int_eq(diag_opts_set(&o, "auth-loop-min=3", err, sizeof err), 0);
	ck_assert_int_eq(diag_opts_set(&o, "auth-loop-min=4", err, sizeof err), 0);
	ck_assert_uint_eq(o.nset, 1);
	ck_assert(o.set[0].value == 4);
	ck_assert_int_eq(diag_opts_set(&o, "no-such-threshold=1", err, sizeof err), -1);
	ck_assert(strstr(err, "no-such-threshold"));
	ck_assert_int_eq(diag_opts_set(&o, "noretry-window=abc", err, sizeof err), -1);
	ck_assert_int_eq(diag_opts_set(&o, "noretry-window=-1", err, sizeof err), -1);
	ck_assert_int_eq(diag_opts_set(&o, "=1", err, sizeof err), -1);
	ck_assert_int_eq(diag_opts_set(&o, "noretry-window", err, sizeof err), -1);
	diag_opts_free(&o);
	ck_assert_uint_eq(o.nset, 0);
}
END_TEST

/* lab 03 has 2 rejected authorized REGISTERs: a threshold of 3 silences the
 * loop; gen:reg-timeout has 11 copies: storm-copies=10 makes it a storm. */
START_TEST(t_threshold_effect)
{
	struct diag_opts o = { 0 };
	char err[256];
	struct cred_store *cs = NULL;
	ck_assert_int_eq(diag_opts_set(&o, "auth-loop-min=3", err, sizeof err), 0);
	ck_assert_int_eq(diag_opts_set(&o, "storm-copies=10", err, sizeof err), 0);
	struct model *m = run_src("lab:03_wrong_password.pcap", NULL, &cs, &o);
	if (m) {
		ck_assert_ptr_null(find_rule(m, "REG-AUTH-LOOP", NULL));
		ck_assert_ptr_nonnull(find_rule(m, "REG-403", NULL));
		model_free(m);
	}
	m = run_src("gen:reg-timeout", NULL, &cs, &o);
	const struct finding *f = find_rule(m, "REG-RETX-STORM", NULL);
	ck_assert_ptr_nonnull(f);
	ck_assert(strstr(f->message, "11 copies"));
	model_free(m);
	diag_opts_free(&o);
}
END_TEST

START_TEST(t_table)
{
	size_t n = diag_rule_count();
	ck_assert_uint_ge(n, 31);
	for (size_t i = 0; i < n; i++) {
		const struct diag_rule *r = diag_rule_at(i);
		ck_assert_ptr_nonnull(r->run);
		ck_assert_ptr_nonnull(r->title);
		ck_assert(diag_rule_find(r->id) == r);          /* ids unique */
		for (const struct diag_param *p = r->params; p && p->name; p++)
			ck_assert(p->def >= 0 && p->unit && p->help);
	}
	ck_assert_ptr_null(diag_rule_at(n));
	ck_assert_ptr_null(diag_rule_find("REG-NOPE"));
	/* --list-rules: one line per rule, with its id and severity */
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	diag_list_rules(f);
	fclose(f);
	size_t lines = 0;
	for (size_t i = 0; i < len; i++)
		lines += buf[i] == '\n';
	ck_assert_uint_eq(lines, n);
	ck_assert(strstr(buf, "REG-AUTH-LOOP          CRIT"));
	ck_assert(strstr(buf, "auth-loop-min=2"));
	free(buf);
}
END_TEST

/* docs/rules.md has a "### ID" entry for every rule, with its severity. */
START_TEST(t_docs)
{
	char path[600];
	snprintf(path, sizeof path, "%s/docs/rules.md", env_or("RT_SRC", "."));
	FILE *f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot read %s", path);
	char *doc = NULL;
	size_t cap = 0;
	ssize_t got = getdelim(&doc, &cap, '\0', f);
	fclose(f);
	ck_assert(got > 0);
	for (size_t i = 0, n = diag_rule_count(); i < n; i++) {
		const struct diag_rule *r = diag_rule_at(i);
		char h[128], s[64];
		snprintf(h, sizeof h, "\n### %s\n", r->id);
		const char *e = strstr(doc, h);
		ck_assert_msg(e != NULL, "docs/rules.md lacks '### %s'", r->id);
		snprintf(s, sizeof s, "Severity: %s", finding_sev_name(r->sev));
		const char *next = strstr(e + 1, "\n### ");
		const char *sv = strstr(e, s);
		ck_assert_msg(sv && (!next || sv < next), "docs/rules.md: %s lacks '%s'", r->id, s);
	}
	free(doc);
}
END_TEST

static void cleanup(void)
{
	if (g_tmp[0] && getpid() == g_owner) {
		char cmd[300];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_tmp);
		if (system(cmd) != 0)
			fprintf(stderr, "# could not remove %s\n", g_tmp);
	}
}

static Suite **rt_suites(void)
{
	static Suite *ss[2];
	Suite *s = suite_create("diag");
	TCase *tc = tcase_create("rules");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, t_fires, 0, (int)(sizeof fires / sizeof fires[0]));
	tcase_add_loop_test(tc, t_quiet, 0, (int)(sizeof quiet / sizeof quiet[0]));
	tcase_add_test(tc, t_every_rule_tested);
	tcase_add_loop_test(tc, t_healthy, 0, (int)(sizeof healthy / sizeof healthy[0]));
	tcase_add_test(tc, t_rule_opt);
	tcase_add_test(tc, t_threshold_effect);
	tcase_add_test(tc, t_table);
	tcase_add_test(tc, t_docs);
	suite_add_tcase(s, tc);
	ss[0] = s;
	/* one generated-capture cache for every (forked) test */
	snprintf(g_tmp, sizeof g_tmp, "%s/rt-diag.XXXXXX", env_or("TMPDIR", "/tmp"));
	if (!mkdtemp(g_tmp))
		g_tmp[0] = 0;
	g_owner = getpid();
	atexit(cleanup);
	return ss;
}
