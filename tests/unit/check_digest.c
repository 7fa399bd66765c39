/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check_digest.c - digest computation, dg_verify and the credentials file.
 *
 * Where the expected values come from (none from regtrace's own output):
 *  - RFC 2617 §3.5, RFC 2069 §2.4 and RFC 7616 §3.9.1 example responses,
 *    as printed in the RFCs (and recomputed with python3 hashlib);
 *  - the other responses were computed with python3 hashlib, e.g.
 *      python3 -c 'import hashlib as h; H=lambda s,a="md5": h.new(a,s).hexdigest(); \
 *        ha1=H(b"alice:lab.local:alicepw"); ha2=H(b"REGISTER:sip:lab.local"); \
 *        print(H(f"{ha1}:abc123:00000001:c0ffee:auth:{ha2}".encode()))'
 *    (the full helper is in the comment above t_vectors_python below);
 *  - the lab capture fields were read with tshark (see t_real_capture).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "cred.h"
#include "digest.h"

/* ------------------------------------------------------------ helpers */

static const char *compute(enum dg_alg alg, const char *user, const char *realm,
			   const char *pw, const char *ha1, const char *method,
			   const char *uri, const char *nonce, const char *nc,
			   const char *cnonce, const char *qop,
			   const char *body, size_t body_len, enum dg_rc *rc)
{
	static char out[DG_HEX_MAX];
	struct dg_input in = {
		.alg = alg, .username = user, .realm = realm, .password = pw, .ha1 = ha1,
		.method = method, .uri = uri, .nonce = nonce, .nc = nc, .cnonce = cnonce,
		.qop = qop, .body = (const uint8_t *)body, .body_len = body_len,
	};
	*rc = dg_compute(&in, out);
	return out;
}

#define CHECK_RESP(expect, ...) do { \
	enum dg_rc rc_; \
	const char *got_ = compute(__VA_ARGS__, &rc_); \
	ck_assert_int_eq(rc_, DG_OK); \
	ck_assert_str_eq(got_, expect); \
} while (0)

static struct cred_store *store_from(const char *text)
{
	struct cred_store *s = NULL;
	char err[256];

	if (cred_parse("test", text, strlen(text), &s, err, sizeof err) != 0)
		ck_abort_msg("cred_parse failed: %s", err);
	return s;
}

/* a temp file with that content and mode; returns its path (static) */
static const char *tmpfile_with(const char *text, mode_t mode)
{
	static char path[256];
	const char *dir = getenv("TMPDIR");
	int fd;
	size_t len = strlen(text);

	snprintf(path, sizeof path, "%s/check_digest.XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(path);
	ck_assert_msg(fd >= 0, "mkstemp: %s", strerror(errno));
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

/* ------------------------------------------------------------ RFC vectors */

/* RFC 2617 §3.5: Mufasa / "Circle Of Life" / testrealm@host.com */
START_TEST(t_rfc2617)
{
	CHECK_RESP("6629fae49393a05397450978507c4ef1",
		   DG_ALG_MD5, "Mufasa", "testrealm@host.com", "Circle Of Life", NULL,
		   "GET", "/dir/index.html", "dcd98b7102dd2f0e8b11d0f600bfb0c093",
		   "00000001", "0a4f113b", "auth", NULL, 0);
}
END_TEST

/* RFC 2069 §2.4 (no qop): password "CircleOfLife" */
START_TEST(t_rfc2069_noqop)
{
	CHECK_RESP("1949323746fe6a43ef61f9606e7febea",
		   DG_ALG_MD5, "Mufasa", "testrealm@host.com", "CircleOfLife", NULL,
		   "GET", "/dir/index.html", "dcd98b7102dd2f0e8b11d0f600bfb0c093",
		   NULL, NULL, NULL, NULL, 0);
}
END_TEST

/* RFC 7616 §3.9.1: "Circle of Life" (lower-case o), MD5 and SHA-256 */
#define R7616_NONCE  "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
#define R7616_CNONCE "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
#define R7616_MD5    "8ca523f5e9506fed4657c9700eebdbec"
#define R7616_SHA256 "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"

START_TEST(t_rfc7616)
{
	CHECK_RESP(R7616_MD5, dg_alg_parse("MD5"), "Mufasa", "http-auth@example.org",
		   "Circle of Life", NULL, "GET", "/dir/index.html", R7616_NONCE,
		   "00000001", R7616_CNONCE, "auth", NULL, 0);
	CHECK_RESP(R7616_SHA256, dg_alg_parse("SHA-256"), "Mufasa", "http-auth@example.org",
		   "Circle of Life", NULL, "GET", "/dir/index.html", R7616_NONCE,
		   "00000001", R7616_CNONCE, "auth", NULL, 0);
}
END_TEST

/* HA1 given instead of the password: H("Mufasa:http-auth@example.org:Circle of Life")
 * (python3 hashlib; md5 = 3d78807d..., sha256 = 7987c64c...) */
START_TEST(t_ha1_given)
{
	enum dg_rc rc;

	CHECK_RESP(R7616_MD5, DG_ALG_MD5, NULL, NULL, NULL,
		   "3d78807defe7de2157e2b0b6573a855f", "GET", "/dir/index.html",
		   R7616_NONCE, "00000001", R7616_CNONCE, "auth", NULL, 0);
	/* upper-case hex accepted */
	CHECK_RESP(R7616_MD5, DG_ALG_MD5, NULL, NULL, NULL,
		   "3D78807DEFE7DE2157E2B0B6573A855F", "GET", "/dir/index.html",
		   R7616_NONCE, "00000001", R7616_CNONCE, "auth", NULL, 0);
	CHECK_RESP(R7616_SHA256, DG_ALG_SHA256, NULL, NULL, NULL,
		   "7987c64c30e25f1b74be53f966b49b90f2808aa92faf9a00262392d7b4794232",
		   "GET", "/dir/index.html", R7616_NONCE, "00000001", R7616_CNONCE, "auth", NULL, 0);
	/* an MD5-length HA1 for SHA-256 is refused, not truncated or padded */
	compute(DG_ALG_SHA256, NULL, NULL, NULL, "3d78807defe7de2157e2b0b6573a855f",
		"GET", "/", "n", "00000001", "c", "auth", NULL, 0, &rc);
	ck_assert_int_eq(rc, DG_E_BAD_HA1);
	compute(DG_ALG_MD5, NULL, NULL, NULL, "3d78807defe7de2157e2b0b6573a855g",
		"GET", "/", "n", "00000001", "c", "auth", NULL, 0, &rc);
	ck_assert_int_eq(rc, DG_E_BAD_HA1);
}
END_TEST

/* Values below: python3 with
 *   import hashlib
 *   def H(s, a='md5'): return hashlib.new(a, s if isinstance(s, bytes) else s.encode()).hexdigest()
 *   def resp(a, u, r, p, n, nc, cn, q, m, uri, body=b'', sess=False):
 *       ha1 = H(f"{u}:{r}:{p}", a)
 *       if sess: ha1 = H(f"{ha1}:{n}:{cn}", a)
 *       ha2 = H(f"{m}:{uri}:{H(body, a)}", a) if q == 'auth-int' else H(f"{m}:{uri}", a)
 *       return H(f"{ha1}:{n}:{nc}:{cn}:{q}:{ha2}", a) if q else H(f"{ha1}:{n}:{ha2}", a)
 * e.g. resp('md5','alice','lab.local','alicepw','abc123','00000001','c0ffee',
 *           'auth-int','INVITE','sip:bob@lab.local', SDP)
 */
static const char SDP[] =
	"v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
	"t=0 0\r\nm=audio 6000 RTP/AVP 0\r\n";

START_TEST(t_auth_int)
{
	ck_assert_uint_eq(sizeof SDP - 1, 91);
	CHECK_RESP("43d1388f1306dd664d61d0a5135eda78", DG_ALG_MD5, "alice", "lab.local",
		   "alicepw", NULL, "INVITE", "sip:bob@lab.local", "abc123", "00000001",
		   "c0ffee", "auth-int", SDP, sizeof SDP - 1);
	CHECK_RESP("d9747c70bffac73acbf4b718ea826b3e30ad433ea50e5bd49ec115e704c54763",
		   DG_ALG_SHA256, "alice", "lab.local", "alicepw", NULL, "INVITE",
		   "sip:bob@lab.local", "abc123", "00000001", "c0ffee", "auth-int",
		   SDP, sizeof SDP - 1);
	/* empty body -> H("") (NULL body and a zero length) */
	CHECK_RESP("3a797b14f8e444d191be478555eca4fb", DG_ALG_MD5, "alice", "lab.local",
		   "alicepw", NULL, "REGISTER", "sip:lab.local", "abc123", "00000001",
		   "c0ffee", "auth-int", NULL, 0);
	/* qop value is matched case-insensitively but hashed as sent: "AUTH-INT"
	 * differs from "auth-int" in the final hash */
	{
		enum dg_rc rc;
		const char *r = compute(DG_ALG_MD5, "alice", "lab.local", "alicepw", NULL,
					"REGISTER", "sip:lab.local", "abc123", "00000001",
					"c0ffee", "AUTH-INT", NULL, 0, &rc);
		ck_assert_int_eq(rc, DG_OK);
		ck_assert_str_ne(r, "3a797b14f8e444d191be478555eca4fb");
	}
}
END_TEST

START_TEST(t_sess_and_sha512_256)
{
	CHECK_RESP("a9e4dd26b9e9309aa00f822c7bc30eda", dg_alg_parse("md5-SESS"), "alice",
		   "lab.local", "alicepw", NULL, "REGISTER", "sip:lab.local", "abc123",
		   "00000002", "c0ffee", "auth", NULL, 0);
	CHECK_RESP("ffc68725551b4fd64dfb1779421bca07842b59b1666ee4759449357d50a23779",
		   dg_alg_parse("SHA-256-sess"), "alice", "lab.local", "alicepw", NULL,
		   "REGISTER", "sip:lab.local", "abc123", "00000001", "c0ffee", "auth", NULL, 0);
	CHECK_RESP("17f9defd6acfbc10db570b41a221d0f4485e767edb32c96ba73842f2b7815039",
		   dg_alg_parse("sha-512-256"), "alice", "lab.local", "alicepw", NULL,
		   "REGISTER", "sip:lab.local", "abc123", "00000001", "c0ffee", "auth", NULL, 0);
	CHECK_RESP("e6dd76c02dfbe060c22d38ce055029f760a801603e187a3e4634e111ce807e94",
		   dg_alg_parse("SHA-512-256-sess"), "alice", "lab.local", "alicepw", NULL,
		   "REGISTER", "sip:lab.local", "abc123", "00000001", "c0ffee", "auth", NULL, 0);
	/* no qop, MD5, lab values */
	CHECK_RESP("4acc4a9d0d7b4f8a494745948114f01d", dg_alg_parse(NULL), "alice",
		   "lab.local", "alicepw", NULL, "REGISTER", "sip:lab.local", "abc123",
		   NULL, NULL, "", NULL, 0);
}
END_TEST

START_TEST(t_hash_hex)
{
	char out[DG_HEX_MAX];

	/* well-known empty-string digests */
	ck_assert_int_eq(dg_hash_hex(DG_ALG_MD5, NULL, 0, out), DG_OK);
	ck_assert_str_eq(out, "d41d8cd98f00b204e9800998ecf8427e");
	ck_assert_int_eq(dg_hash_hex(DG_ALG_SHA512_256_SESS, "", 0, out), DG_OK);
	ck_assert_str_eq(out, "c672b8d1ef56ed28ab87c3622c5114069bdd3ad7b8f9737498d0c01ecef0967a");
}
END_TEST

START_TEST(t_alg_names)
{
	enum dg_rc rc;

	ck_assert_int_eq(dg_alg_parse(NULL), DG_ALG_MD5);
	ck_assert_int_eq(dg_alg_parse(""), DG_ALG_MD5);
	ck_assert_int_eq(dg_alg_parse("md5"), DG_ALG_MD5);
	ck_assert_int_eq(dg_alg_parse("Md5-Sess"), DG_ALG_MD5_SESS);
	ck_assert_int_eq(dg_alg_parse("sha-256"), DG_ALG_SHA256);
	ck_assert_int_eq(dg_alg_parse("SHA-512-256-SESS"), DG_ALG_SHA512_256_SESS);
	ck_assert_int_eq(dg_alg_parse("SM3"), DG_ALG_UNKNOWN);
	ck_assert_int_eq(dg_alg_parse("SHA-256 "), DG_ALG_UNKNOWN);
	ck_assert_int_eq(dg_alg_parse("SHA256"), DG_ALG_UNKNOWN);
	ck_assert_uint_eq(dg_alg_hexlen(DG_ALG_MD5_SESS), 32);
	ck_assert_uint_eq(dg_alg_hexlen(DG_ALG_SHA512_256), 64);
	ck_assert_uint_eq(dg_alg_hexlen(DG_ALG_UNKNOWN), 0);
	ck_assert_str_eq(dg_alg_name(DG_ALG_SHA256_SESS), "SHA-256-sess");
	compute(DG_ALG_UNKNOWN, "a", "r", "p", NULL, "REGISTER", "sip:x", "n", NULL, NULL,
		NULL, NULL, 0, &rc);
	ck_assert_int_eq(rc, DG_E_UNSUPPORTED);
	compute(DG_ALG_MD5, "a", "r", "p", NULL, "REGISTER", "sip:x", "n", "00000001", "c",
		"auth-conf", NULL, 0, &rc);
	ck_assert_int_eq(rc, DG_E_UNSUPPORTED);
	/* qop without cnonce, -sess without cnonce, no nonce */
	compute(DG_ALG_MD5, "a", "r", "p", NULL, "REGISTER", "sip:x", "n", "00000001", NULL,
		"auth", NULL, 0, &rc);
	ck_assert_int_eq(rc, DG_E_INCOMPLETE);
	compute(DG_ALG_MD5_SESS, "a", "r", "p", NULL, "REGISTER", "sip:x", "n", NULL, NULL,
		NULL, NULL, 0, &rc);
	ck_assert_int_eq(rc, DG_E_INCOMPLETE);
	compute(DG_ALG_MD5, "a", "r", "p", NULL, "REGISTER", "sip:x", NULL, NULL, NULL,
		NULL, NULL, 0, &rc);
	ck_assert_int_eq(rc, DG_E_INCOMPLETE);
}
END_TEST

/* ------------------------------------------------------------ dg_verify */

/* Real capture: /work/shared/captures/lab/01_register_auth_udp.pcap frame 3,
 * fields read with
 *   tshark -r 01_register_auth_udp.pcap -Y sip.Method==REGISTER -T fields -e sip.Authorization
 *   -> Digest username="alice",realm="lab.local",cnonce="6b8b4567",nc=00000001,qop=auth,
 *      uri="sip:lab.local",nonce="awbNVWsGzCkesjCP/J43LP59Sqmt3mox",
 *      response="61bb90ea547743e88746b8de442cb394",algorithm=MD5
 * Request-URI sip:lab.local, From/To user alice, 401 realm "lab.local".
 * The password is alicepw: /work/shared/lab/gen.sh setup_run (alice.csv and
 * the subscriber table "<name>pw"); Kamailio answered 200 OK.
 * 03_wrong_password.pcap frame 3 used not-alicepw (gen.sh wrongpw.csv) and
 * got 401: response 6de25bdec350e9372004098b70143672, nonce
 * awbNWmsGzC4jcMC0hXVU00JK6vdo5OhC, same cnonce/nc/uri. */
static struct sip_cred lab_cred(void)
{
	struct sip_cred c = {
		.scheme = "Digest", .username = "alice", .realm = "lab.local",
		.nonce = "awbNVWsGzCkesjCP/J43LP59Sqmt3mox", .uri = "sip:lab.local",
		.response = "61bb90ea547743e88746b8de442cb394", .algorithm = "MD5",
		.cnonce = "6b8b4567", .qop = "auth", .nc = "00000001",
	};
	return c;
}

static const struct dg_hints lab_hints = {
	.ruri = "sip:lab.local", .to_uri = "sip:alice@lab.local",
	.from_user = "alice", .to_user = "alice", .chal_realm = "lab.local",
};

START_TEST(t_real_capture)
{
	struct cred_store *s = store_from("alice:alicepw\n");
	struct sip_cred c = lab_cred();
	struct dg_result r;

	ck_assert_int_eq(dg_verify(s, &c, "REGISTER", NULL, 0, &lab_hints, &r), DG_MATCH);
	ck_assert_uint_eq(r.variant, 0);
	ck_assert_uint_eq(r.cred_line, 1);
	ck_assert_str_eq(r.realm, "lab.local");

	/* 03_wrong_password frame 3: the phone's password was not-alicepw */
	c.nonce = "awbNWmsGzC4jcMC0hXVU00JK6vdo5OhC";
	c.response = "6de25bdec350e9372004098b70143672";
	ck_assert_int_eq(dg_verify(s, &c, "REGISTER", NULL, 0, &lab_hints, &r), DG_BADPW);
	/* what Kamailio expected with alicepw (python3 hashlib) */
	ck_assert_str_eq(r.expected, "859514388dcd09529ce7aadc41b6aa8a");
	cred_free(s);
	s = store_from("alice:not-alicepw\n");
	ck_assert_int_eq(dg_verify(s, &c, "REGISTER", NULL, 0, &lab_hints, &r), DG_MATCH);
	cred_free(s);
}
END_TEST

/* Lab-style credential with nonce abc123 / cnonce c0ffee; response per test. */
static struct sip_cred mk_cred(const char *response)
{
	struct sip_cred c = {
		.scheme = "Digest", .username = "alice", .realm = "lab.local",
		.nonce = "abc123", .uri = "sip:lab.local", .response = response,
		.cnonce = "c0ffee", .qop = "auth", .nc = "00000001",
	};
	return c;
}

START_TEST(t_verify_variants)
{
	struct cred_store *s = store_from("# lab\nbob:bobpw\nalice:alicepw\n");
	struct sip_cred c;
	struct dg_result r;
	struct dg_hints h = lab_hints;
	char buf[512];

	/* the phone sent realm="wrong.realm" and hashed with it; the 401 said lab.local
	 * python: resp('md5','alice','wrong.realm','alicepw','abc123','00000001','c0ffee',
	 *              'auth','REGISTER','sip:lab.local') */
	c = mk_cred("0246e55f3d76bbd114bf6797bf6021e3");
	c.realm = "wrong.realm";
	ck_assert_int_eq(dg_verify(s, &c, "REGISTER", NULL, 0, &h, &r), DG_VARIANT);
	ck_assert_uint_eq(r.variant, DG_VAR_REALM);
	ck_assert_str_eq(r.realm, "wrong.realm");
	ck_assert_str_eq(r.ref_realm, "lab.local");
	ck_assert_uint_eq(r.cred_line, 3);
	dg_result_describe(&r, buf, sizeof buf);
	ck_assert_ptr_nonnull(strstr(buf, "realm 'wrong.realm' (server realm 'lab.local')"));
	ck_assert_ptr_null(strstr(buf, "alicepw"));

	/* realm="lab.local" sent, but hashed with a realm only the hints know */
	{
		const char *more[] = { "example.com", "wrong.realm" };
		c.realm = "lab.local";
		h.realms = more;
		h.nrealms = 2;
		ck_assert_int_eq(dg_verify(s, &c, "REGISTER", NULL, 0, &h, &r), DG_VARIANT);
		ck_assert_uint_eq(r.variant, DG_VAR_REALM);
		ck_assert_str_eq(r.realm, "wrong.realm");
		h.realms = NULL;
		h.nrealms = 0;
		/* without the hint: no variant matches */
		ck_assert_int_eq(dg_verify(s, &c, "REGISTER", NULL, 0, &h, &r), DG_BADPW);
	}

	/* hashed with the Request-URI sip:127.0.0.1, uri= says sip:lab.local */
	c = mk_cred("f0d6dd08514603db08bf75908ba0f679");
	h.ruri = "sip:127.0.0.1";
	ck_assert_int_eq(dg_verify(s, &c, "REGISTER", NULL, 0, &h, &r), DG_VARIANT);
	ck_assert_uint_eq(r.variant, DG_VAR_URI);
	ck_assert_str_eq(r.uri, "sip:127.0.0.1");
	h.ruri = "sip:lab.local";

	/* hashed with the From user 1001, username=alice */
	c = mk_cred("1ce9c9645efc495b0c349c75b6adc86e");
	h.from_user = "1001";
	ck_assert_int_eq(dg_verify(s, &c, "REGISTER", NULL, 0, &h, &r), DG_VARIANT);
	ck_assert_uint_eq(r.variant, DG_VAR_USERNAME);
	ck_assert_str_eq(r.username, "1001");
	h.from_user = "alice";

	/* qop=auth sent but hashed RFC 2069 style */
	c = mk_cred("4acc4a9d0d7b4f8a494745948114f01d");
	ck_assert_int_eq(dg_verify(s, &c, "REGISTER", NULL, 0, &h, &r), DG_VARIANT);
	ck_assert_uint_eq(r.variant, DG_VAR_QOP);
	ck_assert_ptr_null(r.qop);

	/* the same response is a MATCH when no qop was sent */
	c.qop = NULL;
	c.cnonce = NULL;
	c.nc = NULL;
	ck_assert_int_eq(dg_verify(s, &c, "REGISTER", NULL, 0, &h, &r), DG_MATCH);
	cred_free(s);
}
END_TEST

START_TEST(t_verify_statuses)
{
	struct cred_store *s = store_from("alice:alicepw\n");
	struct sip_cred c = mk_cred("43d1388f1306dd664d61d0a5135eda78");
	struct dg_result r;
	char buf[512];

	/* auth-int with the SDP body (see t_auth_int) */
	c.qop = "auth-int";
	c.uri = "sip:bob@lab.local";
	ck_assert_int_eq(dg_verify(s, &c, "INVITE", (const uint8_t *)SDP, sizeof SDP - 1,
				   NULL, &r), DG_MATCH);
	/* one byte of body changed -> bad password (auth-int covers the body) */
	ck_assert_int_eq(dg_verify(s, &c, "INVITE", (const uint8_t *)SDP, sizeof SDP - 2,
				   NULL, &r), DG_BADPW);

	/* user not in the file */
	c = mk_cred("0246e55f3d76bbd114bf6797bf6021e3");
	c.username = "mallory";
	ck_assert_int_eq(dg_verify(s, &c, "REGISTER", NULL, 0, NULL, &r), DG_NO_CREDS);
	ck_assert_int_eq(dg_verify(NULL, &c, "REGISTER", NULL, 0, NULL, &r), DG_NO_CREDS);

	/* SM3 (GB/T 28181-2022) is reported, not guessed */
	c = mk_cred("0246e55f3d76bbd114bf6797bf6021e3");
	c.algorithm = "SM3";
	ck_assert_int_eq(dg_verify(s, &c, "REGISTER", NULL, 0, NULL, &r), DG_UNSUPPORTED);
	ck_assert_str_eq(r.missing, "algorithm");
	ck_assert_str_eq(r.value, "SM3");
	c.algorithm = NULL;
	c.scheme = "Basic";
	ck_assert_int_eq(dg_verify(s, &c, "REGISTER", NULL, 0, NULL, &r), DG_UNSUPPORTED);

	/* incomplete: no nonce; qop without nc */
	c = mk_cred("0246e55f3d76bbd114bf6797bf6021e3");
	c.nonce = NULL;
	ck_assert_int_eq(dg_verify(s, &c, "REGISTER", NULL, 0, NULL, &r), DG_INCOMPLETE);
	ck_assert_str_eq(r.missing, "nonce");
	c = mk_cred("0246e55f3d76bbd114bf6797bf6021e3");
	c.nc = NULL;
	ck_assert_int_eq(dg_verify(s, &c, "REGISTER", NULL, 0, NULL, &r), DG_INCOMPLETE);
	ck_assert_str_eq(r.missing, "nc");
	ck_assert_int_eq(dg_verify(s, NULL, "REGISTER", NULL, 0, NULL, &r), DG_INCOMPLETE);

	/* describe escapes control characters of captured text (rt_escape) */
	c = mk_cred("0246e55f3d76bbd114bf6797bf6021e3");
	c.username = "ev\x1b[2Jil";
	ck_assert_int_eq(dg_verify(s, &c, "REGISTER", NULL, 0, NULL, &r), DG_NO_CREDS);
	dg_result_describe(&r, buf, sizeof buf);
	ck_assert_ptr_null(strchr(buf, '\x1b'));
	ck_assert_ptr_nonnull(strstr(buf, "'ev\\x1b[2Jil'"));
	/* truncation stays NUL-terminated */
	dg_result_describe(&r, buf, 8);
	ck_assert_uint_eq(strlen(buf), 7);
	cred_free(s);
}
END_TEST

START_TEST(t_verify_ha1_entries)
{
	/* HA1 lines: python3 hashlib md5/sha256 of "alice:lab.local:alicepw"
	 * and of "Mufasa:http-auth@example.org:Circle of Life" */
	struct cred_store *s = store_from(
		"alice:lab.local:HA1=DBDEFCE69BE61747CC6C677156DB3543\n"
		"Mufasa:http-auth@example.org:HA1=7987c64c30e25f1b74be53f966b49b90f2808aa92faf9a00262392d7b4794232\n");
	struct sip_cred c = lab_cred();
	struct dg_result r;
	struct sip_cred m = {
		.scheme = "Digest", .username = "Mufasa", .realm = "http-auth@example.org",
		.nonce = R7616_NONCE, .uri = "/dir/index.html", .response = R7616_SHA256,
		.algorithm = "SHA-256", .cnonce = R7616_CNONCE, .qop = "auth", .nc = "00000001",
	};

	ck_assert_int_eq(dg_verify(s, &c, "REGISTER", NULL, 0, &lab_hints, &r), DG_MATCH);
	ck_assert_uint_eq(r.cred_line, 1);
	ck_assert_int_eq(dg_verify(s, &m, "GET", NULL, 0, NULL, &r), DG_MATCH);
	ck_assert_uint_eq(r.cred_line, 2);
	/* the MD5 vector against a SHA-256 HA1: no usable entry */
	m.algorithm = "MD5";
	m.response = R7616_MD5;
	ck_assert_int_eq(dg_verify(s, &m, "GET", NULL, 0, NULL, &r), DG_NO_CREDS);
	/* SHA-256 algorithm name but an MD5-length HA1 stored for alice */
	c.algorithm = "SHA-256";
	ck_assert_int_eq(dg_verify(s, &c, "REGISTER", NULL, 0, &lab_hints, &r), DG_NO_CREDS);
	cred_free(s);

	/* user@realm entries: the one for lab.local is used; a user whose auth
	 * name holds '@' finds "alice@lab.local:..." too */
	s = store_from("alice@other.example:otherpw\nalice@lab.local:alicepw\n");
	c = lab_cred();
	ck_assert_int_eq(dg_verify(s, &c, "REGISTER", NULL, 0, &lab_hints, &r), DG_MATCH);
	ck_assert_uint_eq(r.cred_line, 2);
	/* username="alice@lab.local" (python3: md5 of HA1 "alice@lab.local:lab.local:alicepw",
	 * nonce abc123, nc 00000001, cnonce c0ffee, auth, REGISTER:sip:lab.local) */
	c = mk_cred("3c1e9110c46b1cf7100b04eaab0c7664");
	c.username = "alice@lab.local";
	ck_assert_int_eq(dg_verify(s, &c, "REGISTER", NULL, 0, NULL, &r), DG_MATCH);
	ck_assert_uint_eq(r.cred_line, 2);
	c.username = "alice@nowhere";
	ck_assert_int_eq(dg_verify(s, &c, "REGISTER", NULL, 0, NULL, &r), DG_NO_CREDS);
	cred_free(s);
}
END_TEST

/* ------------------------------------------------------------ credentials file */

START_TEST(t_cred_good_file)
{
	const char *path = tmpfile_with(
		"# regtrace credentials\n"
		"\n"
		"   \t\n"
		"alice:alicepw\n"
		"bob@lab.local:pass:with:colons and spaces\r\n"
		"  # indented comment\n"
		"carol:lab.local:HA1=0123456789ABCDEF0123456789abcdef\n"
		"dave:r:HA1=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", 0600);
	struct cred_store *s = NULL;
	const struct cred_entry *e;
	char err[256] = "";

	ck_assert_msg(cred_load(path, &s, err, sizeof err) == 0, "%s", err);
	unlink(path);
	ck_assert_uint_eq(s->n, 4);
	ck_assert_uint_eq(cred_lookup(s, "alice", 5, &e), 1);
	ck_assert_str_eq(e->password, "alicepw");
	ck_assert_ptr_null(e->realm);
	ck_assert_uint_eq(e->line, 4);
	ck_assert_uint_eq(cred_lookup(s, "bob", 3, &e), 1);
	ck_assert_str_eq(e->realm, "lab.local");
	ck_assert_str_eq(e->password, "pass:with:colons and spaces");
	ck_assert_uint_eq(cred_lookup(s, "carol", 5, &e), 1);
	ck_assert_str_eq(e->realm, "lab.local");
	ck_assert_str_eq(e->ha1, "0123456789abcdef0123456789abcdef");
	ck_assert_ptr_null(e->password);
	ck_assert_uint_eq(e->line, 7);
	ck_assert_uint_eq(cred_lookup(s, "dave", 4, &e), 1);
	ck_assert_uint_eq(strlen(e->ha1), 64);
	ck_assert_uint_eq(cred_lookup(s, "al", 2, &e), 0);
	ck_assert_uint_eq(cred_lookup(s, "alicex", 6, &e), 0);
	cred_free(s);
}
END_TEST

START_TEST(t_cred_malformed)
{
	static const struct { const char *text; unsigned line; } bad[] = {
		{ "alice:alicepw\n\nsecretline-without-colon\n", 3 },
		{ "alice:\n", 1 },                                     /* empty password */
		{ ":s3cret\n", 1 },                                    /* empty user */
		{ "a:b\n@lab.local:s3cret\n", 2 },
		{ "alice@:s3cret\n", 1 },
		{ "alice:lab.local:HA1=abc\n", 1 },                    /* HA1 too short */
		{ "alice:lab.local:HA1=0123456789abcdef0123456789abcdeZ\n", 1 },
		{ "alice:HA1=0123456789abcdef0123456789abcdef\n", 1 }, /* no realm */
		{ "al ice:s3cret\n", 1 },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *path = tmpfile_with(bad[i].text, 0600);
		struct cred_store *s = (struct cred_store *)1;
		char err[512] = "", want[300];

		ck_assert_int_eq(cred_load(path, &s, err, sizeof err), -1);
		ck_assert_ptr_null(s);
		snprintf(want, sizeof want, "%s:%u: malformed", path, bad[i].line);
		ck_assert_msg(strstr(err, want), "case %zu: '%s' lacks '%s'", i, err, want);
		/* the message names the line, never its content */
		ck_assert_ptr_null(strstr(err, "s3cret"));
		ck_assert_ptr_null(strstr(err, "secretline"));
		ck_assert_ptr_null(strstr(err, "0123456789"));
		unlink(path);
	}
}
END_TEST

START_TEST(t_cred_mode_refused)
{
	const char *path = tmpfile_with("alice:s3cret\n", 0644);
	struct cred_store *s = NULL;
	char err[512] = "";

	ck_assert_int_eq(cred_load(path, &s, err, sizeof err), -1);
	ck_assert_ptr_null(s);
	ck_assert_msg(strstr(err, "refused") && strstr(err, "group or others") &&
		      strstr(err, "0644"), "%s", err);
	ck_assert_ptr_null(strstr(err, "s3cret"));
	/* group-writable only is refused too; 0600 / 0400 are accepted */
	ck_assert_int_eq(chmod(path, 0620), 0);
	ck_assert_int_eq(cred_load(path, &s, err, sizeof err), -1);
	ck_assert_int_eq(chmod(path, 0400), 0);
	ck_assert_msg(cred_load(path, &s, err, sizeof err) == 0, "%s", err);
	ck_assert_uint_eq(s->n, 1);
	cred_free(s);
	unlink(path);
	/* missing file: error names the path */
	ck_assert_int_eq(cred_load(path, &s, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, path));
	/* a directory is not a credentials file */
	ck_assert_int_eq(cred_load("/", &s, err, sizeof err), -1);
}
END_TEST

/* ------------------------------------------------------------ runner */

static Suite **rt_suites(void)
{
	static Suite *ss[2];
	Suite *s = suite_create("digest");
	TCase *tc = tcase_create("digest");

	tcase_add_test(tc, t_rfc2617);
	tcase_add_test(tc, t_rfc2069_noqop);
	tcase_add_test(tc, t_rfc7616);
	tcase_add_test(tc, t_ha1_given);
	tcase_add_test(tc, t_auth_int);
	tcase_add_test(tc, t_sess_and_sha512_256);
	tcase_add_test(tc, t_hash_hex);
	tcase_add_test(tc, t_alg_names);
	tcase_add_test(tc, t_real_capture);
	tcase_add_test(tc, t_verify_variants);
	tcase_add_test(tc, t_verify_statuses);
	tcase_add_test(tc, t_verify_ha1_entries);
	tcase_add_test(tc, t_cred_good_file);
	tcase_add_test(tc, t_cred_malformed);
	tcase_add_test(tc, t_cred_mode_refused);
	suite_add_tcase(s, tc);
	ss[0] = s;
	ss[1] = NULL;
	return ss;
}

