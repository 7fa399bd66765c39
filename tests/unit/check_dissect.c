/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check_dissect.c - unit tests of the cursor, the SIP record and the
 * link/IP/UDP printers.  Expected values are read off the hand-written
 * inputs (RFC 3261 examples style), not produced by the code under test. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "cursor.h"
#include "dissect.h"
#include "sip.h"
#include "tls_keylog.h"
#include "check_main.h"

/* ------------------------------------------------------------ cursor */

START_TEST(cursor_bounds)
{
	const uint8_t b[5] = { 1, 2, 3, 4, 5 };
	struct cur c = cur_make(b, sizeof b);
	ck_assert_uint_eq(cur_be16(&c), 0x0102);
	ck_assert_uint_eq(cur_left(&c), 3);
	ck_assert_uint_eq(cur_be32(&c), 0);      /* only 3 left: refused */
	ck_assert(c.bad);
	ck_assert_uint_eq(cur_u8(&c), 0);        /* sticky */
	struct cur d = cur_make(b, sizeof b);
	ck_assert_ptr_null(cur_take(&d, 6));
	struct cur e = cur_make(b, sizeof b);
	struct cur s = cur_sub(&e, 2);
	ck_assert_uint_eq(cur_u8(&s), 1);
	ck_assert_uint_eq(cur_u8(&s), 2);
	ck_assert_uint_eq(cur_u8(&s), 0);
	ck_assert(s.bad);
	ck_assert(!e.bad);
	ck_assert_uint_eq(cur_u8(&e), 3);
	ck_assert_int_eq(cur_peek_u8(&e, 1), 5);
	ck_assert_int_eq(cur_peek_u8(&e, 2), -1);
}
END_TEST

START_TEST(cursor_null)
{
	struct cur c = cur_make(NULL, 10);
	ck_assert_uint_eq(cur_left(&c), 0);
	ck_assert_ptr_null(cur_take(&c, 0));   /* no NULL + 0 (UBSan, found by fuzz_stream) */
	ck_assert_ptr_null(cur_peek(&c, 0));
	ck_assert_ptr_null(cur_take(&c, 1));
}
END_TEST

/* ------------------------------------------------------------ start line */

START_TEST(start_line)
{
	const char *ok[] = {
		"REGISTER sip:example.com SIP/2.0\r\n",
		"SIP/2.0 401 Unauthorized\r\n",
		"SIP/2.0 200\r\n",          /* empty reason phrase */
		"OPTIONS sip:u@[2001:db8::1]:5060 SIP/2.0\n",
	};
	const char *bad[] = {
		"HTTP/1.1 200 OK\r\n",
		"hello",
		"REGISTER sip:example.com SIP/3.0\r\n",
		"SIP/2.0 20 OK\r\n",
		"REGISTER  SIP/2.0\r\n",
		"\r\n\r\n",
		"GET / HTTP/1.1\r\n",
	};
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
		ck_assert_msg(sip_looks_like_sip((const uint8_t *)ok[i], strlen(ok[i])), "%s", ok[i]);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		ck_assert_msg(!sip_looks_like_sip((const uint8_t *)bad[i], strlen(bad[i])), "%s", bad[i]);
}
END_TEST

/* ------------------------------------------------------------ framing */

#define MSG1 "REGISTER sip:lab.local SIP/2.0\r\nVia: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK1\r\n" \
	"Call-ID: a@b\r\nCSeq: 1 REGISTER\r\nFrom: <sip:alice@lab.local>;tag=1\r\n" \
	"To: <sip:alice@lab.local>\r\nContent-Length: 4\r\n\r\nbody"

START_TEST(frame_complete_and_more)
{
	const char *m = MSG1;
	size_t n = strlen(m), len = 0;
	ck_assert_int_eq(sip_frame((const uint8_t *)m, n, &len), SIP_FRAME_COMPLETE);
	ck_assert_uint_eq(len, n);
	/* one byte of body missing */
	ck_assert_int_eq(sip_frame((const uint8_t *)m, n - 1, &len), SIP_FRAME_NEED_MORE);
	/* headers not finished */
	ck_assert_int_eq(sip_frame((const uint8_t *)m, 40, &len), SIP_FRAME_NEED_MORE);
	/* two messages back to back: the first one's length */
	char two[1024];
	snprintf(two, sizeof two, "%s%s", m, m);
	ck_assert_int_eq(sip_frame((const uint8_t *)two, strlen(two), &len), SIP_FRAME_COMPLETE);
	ck_assert_uint_eq(len, n);
	ck_assert_int_eq(sip_frame((const uint8_t *)"\x16\x03\x01\x02\x00", 5, &len), SIP_FRAME_NOT_SIP);
	ck_assert_int_eq(sip_frame((const uint8_t *)"GET / HTTP/1.1\r\n", 16, &len), SIP_FRAME_NOT_SIP);
	ck_assert_int_eq(sip_frame((const uint8_t *)"REGIS", 5, &len), SIP_FRAME_NEED_MORE);
}
END_TEST

/* ------------------------------------------------------------ parse */

static struct sip_msg *parse(const char *s, bool datagram)
{
	sip_global_init();
	struct sip_meta meta = { .frame = 7, .transport = RT_TP_UDP, .datagram = datagram };
	return sip_parse((const uint8_t *)s, strlen(s), &meta);
}

START_TEST(parse_register_fields)
{
	struct sip_msg *m = parse(
		"REGISTER sip:registrar.biloxi.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP bobspc.biloxi.com:5060;branch=z9hG4bKnashds7;rport\r\n"
		"Max-Forwards: 70\r\n"
		"To: Bob <sip:bob@biloxi.com>\r\n"
		"From: Bob <sip:bob@biloxi.com>;tag=456248\r\n"
		"Call-ID: 843817637684230@998sdasdh09\r\n"
		"CSeq: 1826 REGISTER\r\n"
		"Contact: <sip:bob@192.0.2.4>;expires=\"60\", <sip:bob@192.0.2.5:5070;transport=tcp>;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\";reg-id=1\r\n"
		"Expires: 7200\r\n"
		"User-Agent: Softphone Beta1.5\r\n"
		"Authorization: Digest username=\"bob\", realm=\"biloxi.com\", nonce=\"dcd98b\", uri=\"sip:biloxi.com\", response=\"6629fae4\", qop=auth, nc=00000001, cnonce=\"0a4f113b\"\r\n"
		"Content-Length: 0\r\n\r\n", true);
	ck_assert_ptr_nonnull(m);
	ck_assert(!m->malformed);
	ck_assert(m->request);
	ck_assert_str_eq(m->method, "REGISTER");
	ck_assert_str_eq(m->ruri, "sip:registrar.biloxi.com");
	ck_assert_str_eq(m->call_id, "843817637684230@998sdasdh09");
	ck_assert_uint_eq(m->cseq, 1826);
	ck_assert_str_eq(m->cseq_method, "REGISTER");
	ck_assert_str_eq(m->to_uri, "sip:bob@biloxi.com");
	ck_assert_str_eq(m->to_user, "bob");
	ck_assert_ptr_null(m->to_tag);
	ck_assert_str_eq(m->from_tag, "456248");
	ck_assert_str_eq(m->from_display, "Bob");
	ck_assert_str_eq(m->via_proto, "UDP");
	ck_assert_str_eq(m->via_host, "bobspc.biloxi.com");
	ck_assert_int_eq(m->via_port, 5060);
	ck_assert_str_eq(m->via_branch, "z9hG4bKnashds7");
	ck_assert(m->via_has_rport);
	ck_assert_int_eq(m->via_rport, -1);
	ck_assert_int_eq(m->ncontacts, 2);
	ck_assert_str_eq(m->contacts[0].uri, "sip:bob@192.0.2.4");
	ck_assert_int_eq(m->contacts[0].expires, 60);       /* quoted: a lenient read */
	ck_assert(m->lenient & SIP_LEN_QUOTED_PARAM);
	ck_assert_int_eq(m->contacts[1].port, 5070);
	ck_assert_int_eq(m->contacts[1].expires, -1);
	ck_assert_str_eq(m->contacts[1].transport, "tcp");
	ck_assert_str_eq(m->contacts[1].instance, "<urn:uuid:00000000-0000-1000-8000-000A95A0E128>");
	ck_assert_str_eq(m->contacts[1].reg_id, "1");
	ck_assert_int_eq(m->expires, 7200);
	ck_assert_str_eq(m->user_agent, "Softphone Beta1.5");
	ck_assert_int_eq(m->ncreds, 1);
	ck_assert(!m->creds[0].proxy);
	ck_assert_str_eq(m->creds[0].username, "bob");
	ck_assert_str_eq(m->creds[0].realm, "biloxi.com");
	ck_assert_str_eq(m->creds[0].nonce, "dcd98b");
	ck_assert_str_eq(m->creds[0].uri, "sip:biloxi.com");
	ck_assert_str_eq(m->creds[0].qop, "auth");
	ck_assert_str_eq(m->creds[0].nc, "00000001");
	ck_assert_str_eq(m->creds[0].cnonce, "0a4f113b");
	ck_assert_uint_eq(m->frame, 7);
	ck_assert_int_eq(m->content_length, 0);
	sip_msg_free(m);
}
END_TEST

START_TEST(parse_challenge_and_star)
{
	struct sip_msg *m = parse(
		"SIP/2.0 407 Proxy Authentication Required\r\n"
		"Via: SIP/2.0/UDP [2001:db8::9]:5062;branch=z9hG4bKx;received=2001:db8::9;rport=5062\r\n"
		"To: <sip:alice@lab.local>;tag=srv\r\nFrom: <sip:alice@lab.local>;tag=1\r\n"
		"Call-ID: c1\r\nCSeq: 2 REGISTER\r\n"
		"Proxy-Authenticate: Digest realm=\"lab.local\", nonce=\"n2\", algorithm=MD5, qop=\"auth\", stale=TRUE\r\n"
		"Content-Length: 0\r\n\r\n", true);
	ck_assert_ptr_nonnull(m);
	ck_assert(!m->malformed);
	ck_assert_int_eq(m->status, 407);
	ck_assert_str_eq(m->reason, "Proxy Authentication Required");
	ck_assert_str_eq(m->via_host, "2001:db8::9");       /* no brackets (RFC 3261 §25.1 IPv6reference) */
	ck_assert_int_eq(m->via_rport, 5062);
	ck_assert_str_eq(m->via_received, "2001:db8::9");
	ck_assert_int_eq(m->nchals, 1);
	ck_assert(m->chals[0].proxy);
	ck_assert(m->chals[0].stale);
	ck_assert_str_eq(m->chals[0].realm, "lab.local");
	ck_assert_str_eq(m->chals[0].nonce, "n2");
	ck_assert_str_eq(m->chals[0].qop, "auth");
	ck_assert_str_eq(m->to_tag, "srv");
	sip_msg_free(m);

	m = parse("REGISTER sip:lab.local SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK2\r\n"
		  "To: <sip:a@lab.local>\r\nFrom: <sip:a@lab.local>;tag=2\r\nCall-ID: c2\r\n"
		  "CSeq: 5 REGISTER\r\nContact: *\r\nExpires: 0\r\nContent-Length: 0\r\n\r\n", true);
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(m->ncontacts, 1);
	ck_assert(m->contacts[0].star);
	ck_assert_ptr_null(m->contacts[0].uri);
	ck_assert_int_eq(m->expires, 0);
	sip_msg_free(m);
}
END_TEST

START_TEST(parse_malformed_kept)
{
	/* a CSeq libosip2 rejects: the message is kept and marked */
	struct sip_msg *m = parse("REGISTER sip:lab.local SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK3\r\n"
				  "To: <sip:a@lab.local>\r\nFrom: <sip:a@lab.local>;tag=2\r\nCall-ID: c3\r\n"
				  "CSeq: REGISTER\r\nContent-Length: 0\r\n\r\n", true);
	ck_assert_ptr_nonnull(m);
	ck_assert(m->malformed);
	ck_assert_str_eq(m->malformed_reason, "bad CSeq header");
	ck_assert_str_eq(m->method, "REGISTER");
	ck_assert_str_eq(m->call_id, "c3");
	ck_assert_str_eq(m->via_branch, "z9hG4bK3");
	sip_msg_free(m);
	/* not SIP at all */
	ck_assert_ptr_null(parse("hello", true));
}
END_TEST

/* The header lines as sent (sip_msg.hlines, unsupported, digest_dropped,
 * contact_nat_mark): expected values read off the texts below. */
START_TEST(parse_header_lines)
{
	/* two Unsupported (the first counts, its blanks cut, the folded
	 * continuation not part of the line), Path twice (once with a blank
	 * before ':'), X-Path is another name, alias= in a compact Contact */
	struct sip_msg *m = parse(
		"SIP/2.0 420 Bad Extension\r\n"
		"Via: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bK1\r\n"
		"To: <sip:a@lab.local>;tag=9\r\nFrom: <sip:a@lab.local>;tag=1\r\n"
		"Call-ID: hl1\r\nCSeq: 1 REGISTER\r\n"
		"Unsupported:   path , outbound \t\r\n"
		"Unsupported: gruu,\r\n sec-agree\r\n"
		"Path: <sip:p1.lab.local;lr>\r\n"
		"PATH : <sip:p2.lab.local;lr>\r\n"
		"X-Path: no\r\n"
		"m: <sip:a@192.168.1.2>;ALIAS=203.0.113.7~5060~1\r\n"
		"WWW-Authenticate: Digest realm=\"a\", nonce=\"n1\"\r\n"
		"WWW-Authenticate: Digest realm=\"b\", nonce=\"n2\"\r\n"
		"Content-Length: 0\r\n\r\n", true);
	ck_assert_ptr_nonnull(m);
	ck_assert(!m->malformed);
	ck_assert_str_eq(m->unsupported, "path , outbound");
	ck_assert_uint_eq(m->hlines[SIP_HL_PATH], 2);
	ck_assert_uint_eq(m->hlines[SIP_HL_WWW_AUTHENTICATE], 2);
	ck_assert_uint_eq(m->hlines[SIP_HL_AUTHORIZATION], 0);
	ck_assert_int_eq(m->nchals, 2);
	ck_assert_ptr_null(m->digest_dropped);          /* both challenges parsed */
	ck_assert(m->contact_nat_mark);
	sip_msg_free(m);

	/* a Proxy-Authorization libosip2 reads and an Authorization with an
	 * unterminated quote it drops; Path and received= only in the body */
	m = parse(
		"REGISTER sip:lab.local SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bK2\r\n"
		"To: <sip:a@lab.local>\r\nFrom: <sip:a@lab.local>;tag=1\r\n"
		"Call-ID: hl2\r\nCSeq: 2 REGISTER\r\n"
		"Contact: <sip:a@192.168.1.2>\r\n"
		"Proxy-Authorization: Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"sip:lab.local\", response=\"00\"\r\n"
		"Authorization: Digest username=\"a, realm=\"r\"  \r\n"
		"Content-Type: text/plain\r\n"
		"Content-Length: 48\r\n\r\n"
		"Path: x\r\nContact: <sip:b@h>;received=192.0.2.1\r\n", true);
	ck_assert_ptr_nonnull(m);
	ck_assert(!m->malformed);
	ck_assert_uint_eq(m->hlines[SIP_HL_AUTHORIZATION], 1);
	ck_assert_uint_eq(m->hlines[SIP_HL_PROXY_AUTHORIZATION], 1);
	ck_assert_uint_eq(m->hlines[SIP_HL_PATH], 0);
	ck_assert(!m->contact_nat_mark);
	ck_assert_ptr_null(m->unsupported);
	int proxy = 0, plain = 0;
	for (int i = 0; i < m->ncreds; i++)
		m->creds[i].proxy ? proxy++ : plain++;
	ck_assert_int_eq(proxy, 1);
	ck_assert_int_eq(plain, 0);     /* libosip2 dropped the broken one */
	ck_assert_str_eq(m->digest_dropped, "Digest username=\"a, realm=\"r\"");
	sip_msg_free(m);
}
END_TEST

START_TEST(parse_lenient)
{
	/* LF-only, compact names, junk before the start line */
	struct sip_msg *m = parse("DBREGISTER sip:lab.local SIP/2.0\nv: SIP/2.0/UDP h;branch=z9hG4bK4\n"
				  "t: <sip:a@lab.local>\nf: <sip:a@lab.local>;tag=2\ni: c4\n"
				  "CSeq: 9 REGISTER\nm: <sip:a@10.0.0.1>\nl: 0\n\n", true);
	ck_assert_ptr_nonnull(m);
	ck_assert(!m->malformed);
	ck_assert(m->lenient & SIP_LEN_LF_ONLY);
	ck_assert(m->lenient & SIP_LEN_LEADING_JUNK);
	ck_assert_str_eq(m->call_id, "c4");
	ck_assert_uint_eq(m->cseq, 9);
	ck_assert_int_eq(m->ncontacts, 1);
	ck_assert_str_eq(m->contacts[0].host, "10.0.0.1");
	sip_msg_free(m);
	/* Content-Length larger than the datagram's body: datagram trusted */
	m = parse("OPTIONS sip:x@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK5\r\nTo: <sip:x@example.com>\r\n"
		  "From: <sip:y@example.com>;tag=3\r\nCall-ID: c5\r\nCSeq: 1 OPTIONS\r\nContent-Type: text/plain\r\n"
		  "Content-Length: 500\r\n\r\nabc", true);
	ck_assert_ptr_nonnull(m);
	ck_assert(!m->malformed);
	ck_assert(m->lenient & SIP_LEN_CL_SHORT);
	ck_assert_uint_eq(m->body_len, 3);
	ck_assert_int_eq(memcmp(m->body, "abc", 3), 0);
	sip_msg_free(m);
}
END_TEST

START_TEST(parse_lenient_start_line)
{
	/* RFC 3261 §7.2: Status-Line = SIP-Version SP Status-Code SP Reason-Phrase.
	 * Two spaces, a lower-case version, no reason phrase: read, marked. */
	static const struct { const char *line; bool request; int status; const char *what; } cases[] = {
		{ "SIP/2.0  401 Unauthorized", false, 401, "Unauthorized" },
		{ "sip/2.0 200 OK", false, 200, "OK" },
		{ "SIP/2.0 200", false, 200, "" },
		{ "SIP/2.0\t404  Not Found", false, 404, "Not Found" },
		{ "REGISTER sip:lab.local sip/2.0", true, 0, "REGISTER" },
		{ "REGISTER  sip:lab.local\tSIP/2.0  ", true, 0, "REGISTER" },
	};
	char buf[512];
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		snprintf(buf, sizeof buf, "%s\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK9\r\n"
			 "To: <sip:a@lab.local>\r\nFrom: <sip:a@lab.local>;tag=2\r\nCall-ID: c9\r\n"
			 "CSeq: 3 REGISTER\r\nContent-Length: 0\r\n\r\n", cases[i].line);
		ck_assert_msg(sip_looks_like_sip((const uint8_t *)buf, strlen(buf)), "%s", cases[i].line);
		struct sip_msg *m = parse(buf, true);
		ck_assert_ptr_nonnull(m);
		ck_assert_msg(!m->malformed, "%s: %s", cases[i].line, m->malformed_reason);
		ck_assert_msg(m->lenient & SIP_LEN_START_LINE, "%s", cases[i].line);
		ck_assert(m->request == cases[i].request);
		if (m->request) {
			ck_assert_str_eq(m->method, cases[i].what);
			ck_assert_str_eq(m->ruri, "sip:lab.local");
		} else {
			ck_assert_int_eq(m->status, cases[i].status);
			ck_assert_str_eq(m->reason ? m->reason : "", cases[i].what);
		}
		ck_assert_str_eq(m->call_id, "c9");
		ck_assert_uint_eq(m->cseq, 3);
		/* raw keeps the bytes as sent */
		ck_assert_int_eq(memcmp(m->raw, cases[i].line, strlen(cases[i].line)), 0);
		sip_msg_free(m);
	}
	/* a canonical line is not marked; what is still not SIP stays out */
	const char *ok = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK9\r\nTo: <sip:a@l>\r\n"
			 "From: <sip:a@l>;tag=2\r\nCall-ID: c9\r\nCSeq: 3 REGISTER\r\nContent-Length: 0\r\n\r\n";
	struct sip_msg *m = parse(ok, true);
	ck_assert_ptr_nonnull(m);
	ck_assert(!(m->lenient & SIP_LEN_START_LINE));
	sip_msg_free(m);
	static const char *const not_sip[] = {
		"SIP/2.0 20 OK\r\n", "SIP/2.0 2000 OK\r\n", "HTTP/1.1 200 OK\r\n",
		"GET / HTTP/1.1\r\n", "REGISTER sip:x SIP/2.1\r\n", "REGISTER  SIP/2.0\r\n",
		"SIP/2.0200 OK\r\n",
	};
	for (size_t i = 0; i < sizeof not_sip / sizeof *not_sip; i++)
		ck_assert_msg(!sip_looks_like_sip((const uint8_t *)not_sip[i], strlen(not_sip[i])), "%s", not_sip[i]);
}
END_TEST

/* ------------------------------------------------------------ link / IP / UDP */

struct got { int n, malformed; char call_id[64]; struct rt_addr src, dst; enum rt_transport tp; };

static void got_msg(void *user, struct sip_msg *m)
{
	struct got *g = user;
	g->n++;
	g->malformed += m->malformed;
	snprintf(g->call_id, sizeof g->call_id, "%s", m->call_id ? m->call_id : "");
	g->src = m->src;
	g->dst = m->dst;
	g->tp = m->transport;
	sip_msg_free(m);
}

static const char UDP_SIP[] = "OPTIONS sip:x@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK6\r\n"
	"To: <sip:x@example.com>\r\nFrom: <sip:y@example.com>;tag=3\r\nCall-ID: eth-1\r\nCSeq: 1 OPTIONS\r\n"
	"Content-Length: 0\r\n\r\n";

/* Ethernet + 802.1Q + IPv4 (with 2 bytes of Ethernet padding) + UDP */
static size_t build_vlan_udp(uint8_t *b)
{
	size_t plen = sizeof UDP_SIP - 1, o = 0;
	memset(b, 0, 12);
	o = 12;
	b[o++] = 0x81; b[o++] = 0x00; b[o++] = 0x00; b[o++] = 0x2a;   /* VLAN 42 */
	b[o++] = 0x08; b[o++] = 0x00;
	size_t tot = 20 + 8 + plen;
	uint8_t ip[20] = { 0x45, 0, (uint8_t)(tot >> 8), (uint8_t)tot, 0, 1, 0, 0, 64, 17, 0, 0,
			   192, 0, 2, 1, 198, 51, 100, 7 };
	memcpy(b + o, ip, 20);
	o += 20;
	uint8_t udp[8] = { 0x13, 0xc4, 0x13, 0xc5, (uint8_t)((8 + plen) >> 8), (uint8_t)(8 + plen), 0, 0 };
	memcpy(b + o, udp, 8);
	o += 8;
	memcpy(b + o, UDP_SIP, plen);
	o += plen;
	b[o++] = 0xee;   /* padding beyond the IP total length */
	b[o++] = 0xee;
	return o;
}

START_TEST(vlan_ipv4_udp)
{
	uint8_t pkt[512];
	size_t n = build_vlan_udp(pkt);
	struct got g = { 0 };
	struct dis_callbacks cb = { .on_msg = got_msg, .user = &g };
	struct dis_ctx *d = dis_new(&cb, NULL);
	struct pkt_info pi = { .frame = 1, .linktype = 1, .wirelen = (uint32_t)n };
	dis_packet(d, &pi, pkt, n);
	ck_assert_int_eq(g.n, 1);
	ck_assert_str_eq(g.call_id, "eth-1");
	char s[RT_ADDR_STRLEN];
	ck_assert_str_eq(rt_addr_str(&g.src, s, sizeof s), "192.0.2.1:5060");
	ck_assert_str_eq(rt_addr_str(&g.dst, s, sizeof s), "198.51.100.7:5061");
	ck_assert(dis_packet_had_sip(d));
	/* every truncation of the same packet: no crash, and whatever is
	 * still listed is marked malformed (cut short), never silently whole */
	for (size_t cut = 0; cut < n - 2; cut++) {
		pi.wirelen = (uint32_t)n;
		dis_packet(d, &pi, pkt, cut);
	}
	ck_assert_int_gt(g.n, 1);
	ck_assert_int_eq(g.malformed, g.n - 1);
	/* cutting only the Ethernet padding loses nothing */
	dis_packet(d, &pi, pkt, n - 2);
	ck_assert_int_eq(g.malformed, g.n - 2);
	dis_free(d);
}
END_TEST

START_TEST(addr_text)
{
	struct rt_addr a;
	char s[RT_ADDR_STRLEN];
	ck_assert(rt_ip_parse("[2001:db8::1]", &a));
	a.port = 5060;
	ck_assert_str_eq(rt_addr_str(&a, s, sizeof s), "[2001:db8::1]:5060");
	ck_assert(rt_ip_parse("100.64.1.1", &a));
	ck_assert(rt_ip_is_private(&a));
	ck_assert(rt_ip_parse("100.128.0.1", &a));
	ck_assert(!rt_ip_is_private(&a));
	ck_assert(rt_ip_parse("172.31.255.1", &a));
	ck_assert(rt_ip_is_private(&a));
	ck_assert(rt_ip_parse("172.32.0.1", &a));
	ck_assert(!rt_ip_is_private(&a));
	ck_assert(!rt_ip_parse("example.com", &a));
}
END_TEST

/* The NSS key log: lines kept by client random, garbage counted, the file
 * re-read as it grows (a line counts once its newline is there). */
START_TEST(keylog_lines_and_growth)
{
	char path[] = "/tmp/rt-keylog-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	FILE *w = fdopen(fd, "w");
	ck_assert_ptr_nonnull(w);
	struct tls_keylog *k = tls_keylog_open(path);
	ck_assert_ptr_nonnull(k);
	uint8_t cr[32];
	memset(cr, 0xab, sizeof cr);
	char crhex[65];
	for (int i = 0; i < 32; i++)
		snprintf(crhex + 2 * i, 3, "ab");
	size_t n = 0;
	ck_assert_ptr_null(tls_keylog_get(k, cr, TLS_KL_MASTER, &n));
	/* a comment, garbage, a short master secret (garbage), an unused label, half a line */
	fprintf(w, "# comment\nhello world\nCLIENT_RANDOM %s 0011\nEXPORTER_SECRET %s 00ff\n"
		"CLIENT_RANDOM %s ", crhex, crhex, crhex);
	fflush(w);
	tls_keylog_refresh(k);
	ck_assert_ptr_null(tls_keylog_get(k, cr, TLS_KL_MASTER, &n));
	for (int i = 0; i < 48; i++)
		fprintf(w, "%02x", i);
	fprintf(w, "\nSERVER_TRAFFIC_SECRET_0 %s %s\n", crhex,
		"0102030405060708091011121314151617181920212223242526272829303132");
	fflush(w);
	tls_keylog_refresh(k);
	const uint8_t *ms = tls_keylog_get(k, cr, TLS_KL_MASTER, &n);
	ck_assert_ptr_nonnull(ms);
	ck_assert_uint_eq(n, 48);
	ck_assert_uint_eq(ms[0], 0);
	ck_assert_uint_eq(ms[47], 47);
	const uint8_t *ts = tls_keylog_get(k, cr, TLS_KL_STS0, &n);
	ck_assert_ptr_nonnull(ts);
	ck_assert_uint_eq(n, 32);
	ck_assert_uint_eq(ts[31], 0x32);
	ck_assert_ptr_null(tls_keylog_get(k, cr, TLS_KL_CTS0, &n));
	const struct tls_keylog_stats *st = tls_keylog_stats(k);
	ck_assert_uint_eq(st->lines, 6);
	ck_assert_uint_eq(st->garbage, 2);
	ck_assert_uint_eq(st->first_garbage, 2);
	ck_assert_uint_eq(st->other, 1);
	ck_assert_uint_eq(st->secrets, 2);
	fclose(w);
	unlink(path);
	tls_keylog_free(k);
}
END_TEST

START_TEST(keylog_overlong_and_bad_hex)
{
	struct tls_keylog *k = tls_keylog_new();
	char big[2000];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = 0;
	tls_keylog_feed(k, big, strlen(big));
	tls_keylog_feed(k, "\nCLIENT_RANDOM zz 00\n\n", 22);
	const struct tls_keylog_stats *st = tls_keylog_stats(k);
	ck_assert_uint_eq(st->garbage, 2);
	ck_assert_uint_eq(st->secrets, 0);
	tls_keylog_free(k);
}
END_TEST

static Suite **rt_suites(void)
{
	static Suite *ss[5];
	Suite *s = suite_create("cursor");
	TCase *tc = tcase_create("cursor");
	tcase_add_test(tc, cursor_bounds);
	tcase_add_test(tc, cursor_null);
	suite_add_tcase(s, tc);
	ss[0] = s;

	s = suite_create("sip");
	tc = tcase_create("sip");
	tcase_add_test(tc, start_line);
	tcase_add_test(tc, frame_complete_and_more);
	tcase_add_test(tc, parse_register_fields);
	tcase_add_test(tc, parse_challenge_and_star);
	tcase_add_test(tc, parse_malformed_kept);
	tcase_add_test(tc, parse_header_lines);
	tcase_add_test(tc, parse_lenient);
	tcase_add_test(tc, parse_lenient_start_line);
	suite_add_tcase(s, tc);
	ss[1] = s;

	s = suite_create("link");
	tc = tcase_create("link");
	tcase_add_test(tc, vlan_ipv4_udp);
	tcase_add_test(tc, addr_text);
	suite_add_tcase(s, tc);
	ss[2] = s;

	s = suite_create("tls_keylog");
	tc = tcase_create("tls_keylog");
	tcase_add_test(tc, keylog_lines_and_growth);
	tcase_add_test(tc, keylog_overlong_and_bad_hex);
	suite_add_tcase(s, tc);
	ss[3] = s;
	ss[4] = NULL;
	return ss;
}
