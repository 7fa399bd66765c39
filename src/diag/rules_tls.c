/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rules_tls.c - what the capture could not show: TLS connections whose
 * SIP stayed encrypted (no key log, or no secrets for those sessions).
 * The counts come from the dissectors through diag_opts (main.c). */
#include "diag.h"

#include <stdio.h>

static void rule_tls_undecrypted(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	const struct diag_tls *t = &c->o->tls;
	if (!t->undecryptable)
		return;
	const char *fix = t->keylog_given
		? "the key log has no working secrets for these sessions: take the key log of the "
		  "client that made them (SSLKEYLOGFILE, s_client -keylogfile), written while the "
		  "capture ran"
		: "give the client's TLS key log with --tls-keylog FILE (SSLKEYLOGFILE of NSS/curl/"
		  "Python clients, openssl s_client -keylogfile); see regtrace --help";
	char more[128] = "";
	if (t->https)   /* counted apart: docs/rules.md, CAP-TLS-UNDECRYPTED */
		snprintf(more, sizeof more, " %llu more that look like HTTPS are left out "
			 "(capture.tls in --json).", (unsigned long long)t->https);
	diag_emit(c, NULL, NULL, fix,
		  "%llu of %llu TLS connections could not be decrypted (%s): %s; SIP carried "
		  "in them is not in this analysis.%s",
		  (unsigned long long)t->undecryptable, (unsigned long long)t->connections,
		  t->servers ? t->servers : "-", t->reason ? t->reason : "-", more);
}

const struct diag_rule diag_rules_tls[] = {
	{ "CAP-TLS-UNDECRYPTED", SEV_WARN, "TLS connections not decrypted", NULL,
	  rule_tls_undecrypted, DIAG_CAPTURE, .kind = FK_CAUSE },
	{ .id = NULL },
};
