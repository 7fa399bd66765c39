/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rules_capture.c - rules about the input itself rather than the SIP in it.
 *
 * CAP-ANOMALIES: one INFO finding listing the named anomalies the
 * dissectors met below SIP (anomaly.h): what a reader of the findings
 * should know before trusting counts taken from a damaged or cut capture.
 */
#include <stdio.h>
#include <string.h>

#include "diag.h"

static void rule_anomalies(struct diag_ctx *c, const struct diag_rule *r)
{
	(void)r;
	const struct dis_anomalies *an = c->o ? c->o->anomalies : NULL;
	if (!an)
		return;
	char list[512];
	size_t len = 0;
	uint64_t total = 0;
	int kinds = 0;
	struct diag_frames fr = { 0 };
	list[0] = '\0';
	for (int e = 0; e < DIS_EV_COUNT; e++) {
		const struct dis_event_stat *s = &an->ev[e];
		if (!s->count)
			continue;
		total += s->count;
		kinds++;
		if (s->first_frame)
			diag_frames_add(&fr, s->first_frame);
		if (len < sizeof list) {
			int w = snprintf(list + len, sizeof list - len, "%s%s %llu (first frame %llu)",
					 kinds > 1 ? ", " : "", dis_event_name((enum dis_event)e),
					 (unsigned long long)s->count, (unsigned long long)s->first_frame);
			len = w < 0 ? sizeof list : len + (size_t)w;
		}
	}
	if (!kinds) {
		diag_frames_free(&fr);
		return;
	}
	if (len >= sizeof list)
		memcpy(list + sizeof list - 4, "...", 4);
	diag_emit(c, NULL, &fr,
		  "counts above SIP can be short: recapture with the full snap length (-s 0) "
		  "or repair the file; capture.anomalies in --json lists each kind",
		  "The capture has %llu anomal%s below SIP, %d kind%s: %s.",
		  (unsigned long long)total, total == 1 ? "y" : "ies", kinds, kinds == 1 ? "" : "s", list);
}

const struct diag_rule diag_rules_capture[] = {
	{ "CAP-ANOMALIES", SEV_INFO, "Bad or incomplete input below SIP (named anomalies)", NULL,
	  rule_anomalies, DIAG_CAPTURE, .kind = FK_PATTERN },
	{ .id = NULL },
};
