/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diag_util.h - test helper shared by check_diag.c and diagdump.c: read a
 * capture through the real capture layer, dissectors and model, then run
 * the diagnosis (no CLI, no output modules involved). */
#ifndef RT_DIAG_UTIL_H
#define RT_DIAG_UTIL_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "diag.h"
#include "dissect.h"
#include "model.h"

static void du_on_msg(void *user, struct sip_msg *m)
{
	model_add_msg(user, m);
}

static void du_on_icmp(void *user, const struct icmp_evt *e)
{
	model_add_icmp(user, e);
}

/* NULL when the file cannot be read at all. */
static struct model *du_analyze(const char *path, const struct diag_opts *o)
{
	struct model_opts mo = { 0 };
	struct model *m = model_new(&mo);
	struct dis_callbacks cb = { .on_msg = du_on_msg, .on_icmp = du_on_icmp, .user = m };
	struct dis_ctx *d = dis_new(&cb, NULL);
	struct cap_opts co = { 0 };
	struct cap_result res;
	memset(&res, 0, sizeof res);
	char *files[1] = { (char *)path };
	int rc = cap_read_files(files, 1, &co, d, &res);
	dis_flush(d);
	dis_free(d);
	model_finish(m, res.last_ts_ns);
	cap_result_free(&res);
	if (rc == 2) {
		model_free(m);
		return NULL;
	}
	diag_run(m, o);
	return m;
}

/* "RULE SEV AOR frames=1,2,3" - the golden file's line form. */
static inline void du_print(FILE *f, const struct finding *x)
{
	fprintf(f, "%s %s %s frames=", x->rule, finding_sev_name(x->sev),
		x->aor ? x->aor->aor : "-");
	for (size_t i = 0; i < x->nframes; i++)
		fprintf(f, "%s%" PRIu64, i ? "," : "", x->frames[i]);
	fputc('\n', f);
}

#endif
