/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capture_point.h - where was the capture taken, and the addressing and
 * timing helpers the time, NAT and GB rules share (rules_time.c,
 * rules_nat.c, rules_gb.c).
 *
 * Owns: the capture-point inference (docs/rules.md, REG-CAPTURE-POINT:
 * the side whose IP is both the packet source of REGISTERs and their Via
 * sent-by is the UA's own host; an RFC 1918 sent-by with a public source
 * means the capture is beyond the UA's NAT), the per-REGISTER NAT tests
 * (docs/rules.md, REG-NAT-DETECTED: RFC 3261 §18.2.1 received, RFC 3581
 * rport), the granted expiry of one REGISTER transaction, and the time
 * text findings print.  Functions over a finished model; what they cache
 * during one diagnosis run (the inference, the Contact keys of the AORs
 * being diagnosed) is struct diag_cp_state, freed by diag_cp_free().
 */
#ifndef RT_CAPTURE_POINT_H
#define RT_CAPTURE_POINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

enum cp_where {
	CP_UNKNOWN = 0,   /* no address translation seen: both sides look alike */
	CP_UA,            /* on the UA's side of its NAT (private sent-by = source;
			     responses carry a different received/rport) */
	CP_REGISTRAR,     /* beyond the UA's NAT, towards / at the registrar
			     (source differs from sent-by; or many UAs meet) */
	CP_BETWEEN,       /* at a proxy/SBC: one REGISTER seen on two legs */
};

struct cp_info {
	enum cp_where where;
	unsigned beyond_nat;    /* REGISTERs whose source IP/port differs from sent-by */
	unsigned inside_nat;    /* REGISTERs = sent-by, answered with another received/rport */
	unsigned forwarded;     /* REGISTERs seen again on a second leg (same Call-ID+CSeq) */
	unsigned ua_sources;    /* distinct source IPs of REGISTERs sent by UAs (1 Via) */
	unsigned registrars;    /* distinct destination IPs of those REGISTERs */
	char basis[200];        /* one clause saying why, for messages */
};

/* Where the capture was taken: computed once per diagnosis run (from its
 * list of REGISTERs), then cached in the context.  Never NULL. */
const struct cp_info *cp_infer_ctx(struct diag_ctx *c);

/* "ua", "registrar", "between", "unknown": for outputs that want the word. */
const char *cp_where_name(enum cp_where w);
/* "at the UA (inside its NAT)", ... for sentences. */
const char *cp_where_text(enum cp_where w);

/* ---------------------------------------------------------------- per REGISTER */

/* The request's top-Via sent-by as an address (port: Via port, else the
 * transport default).  False when the host is not an IP literal. */
bool cp_sent_by(const struct sip_msg *req, struct rt_addr *out);
/* Default SIP port of the message's Via transport (5061 for TLS/WSS). */
int cp_default_port(const struct sip_msg *m);

/* NAT seen on this REGISTER (what = a short reason, may be NULL):
 * from the wire (sent-by IP != source IP, or UDP source port != Via port),
 * or from its responses (received/rport != sent-by). */
bool cp_nat_on_req(const struct txn *t, char *what, size_t n);

/* Granted seconds for the request's contact ci in the 2xx (Contact param of
 * the matching contact, else Expires of the 200, else what was asked);
 * -1 when unknown or the 200 does not list it (*listed false).  And: is
 * the 2xx contact the request's contact (RFC 3261 §19.1.4 or the same
 * +sip.instance)?  The §19.1.4 keys of the Contacts are kept in c while
 * one AOR is diagnosed (each rule compares the same Contacts again); c may
 * be NULL. */
long cp_grant_ctx(struct diag_ctx *c, const struct txn *t, int ci, bool *listed);
bool cp_contact_match_ctx(struct diag_ctx *c, const struct sip_contact *req_c,
			  const struct sip_contact *resp_c);

/* 2xx REGISTER that adds/refreshes (not a removal, not a query). */
bool cp_is_refresh_ok(const struct txn *t);

/* Capture start (first message) of the model, ns. */
int64_t cp_capture_start(const struct model *m);
/* "2023-11-14 22:13:20.020 UTC (+3100.0 s)" into buf. */
const char *cp_time(const struct model *m, int64_t ns, char *buf, size_t n);

/* A routable unicast address: not RFC 1918/6598/ULA/link-local, not
 * loopback, unspecified or multicast. */
bool cp_ip_public(const struct rt_addr *a);
/* Loopback (127/8, ::1): a capture on one host, or addresses rewritten. */
bool cp_ip_loopback(const struct rt_addr *a);

/* Is s an IPv4/IPv6 literal? */
bool cp_is_ip(const char *s);

#endif
