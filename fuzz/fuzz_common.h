/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_common.h - shared by the libFuzzer harnesses: a dissector context
 * whose callback touches every string of a message (so a bad pointer in a
 * record shows up under ASan) and frees it. */
#ifndef RT_FUZZ_COMMON_H
#define RT_FUZZ_COMMON_H

#include <stdint.h>
#include <string.h>

#include "dissect.h"

static size_t fz_sink;

static void fz_touch(const char *s)
{
	if (s)
		fz_sink += strlen(s);
}

static void fz_on_msg(void *user, struct sip_msg *m)
{
	(void)user;
	fz_touch(m->method); fz_touch(m->ruri); fz_touch(m->reason);
	fz_touch(m->call_id); fz_touch(m->cseq_method);
	fz_touch(m->from_uri); fz_touch(m->from_tag); fz_touch(m->to_uri); fz_touch(m->to_tag);
	fz_touch(m->via_host); fz_touch(m->via_branch); fz_touch(m->user_agent);
	fz_touch(m->malformed_reason);
	for (int i = 0; i < m->ncontacts; i++) {
		fz_touch(m->contacts[i].uri);
		fz_touch(m->contacts[i].host);
	}
	for (int i = 0; i < m->ncreds; i++) {
		fz_touch(m->creds[i].username);
		fz_touch(m->creds[i].nonce);
	}
	for (int i = 0; i < m->nchals; i++)
		fz_touch(m->chals[i].realm);
	if (m->raw && m->raw_len)
		fz_sink += (unsigned char)m->raw[m->raw_len - 1];
	if (m->body && m->body_len)
		fz_sink += (unsigned char)m->body[m->body_len - 1];
	sip_msg_free(m);
}

static void fz_on_icmp(void *user, const struct icmp_evt *e)
{
	(void)user;
	fz_touch(e->q_call_id);
	fz_touch(e->q_branch);
	fz_touch(e->q_method);
}

static const int fz_linktypes[] = { 1, 113, 276, 0, 101, 228, 229, 108, 12, 14 };

#endif
