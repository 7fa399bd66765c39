/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diagdump.c - print the findings on captures, one line each (golden form),
 * with -m the message and fix too.  A test tool, used by diag_golden.sh
 * and for reviewing findings by hand:
 *     tests/unit/diagdump [-m] [-1] [-c CREDFILE] FILE...
 * Each file's lines are preceded by "# FILE" (base name).  -1 keeps only
 * part 1's rules (the auth and response tables), whose golden file is
 * tests/golden/findings-real.txt; part 2 has its own. */
#include <libgen.h>
#include <unistd.h>

#include "cred.h"
#include "diag_util.h"

static int in_part1(const char *id)
{
	const struct diag_rule *const tables[] = { diag_rules_auth, diag_rules_resp };
	for (size_t t = 0; t < 2; t++)
		for (const struct diag_rule *r = tables[t]; r->id; r++)
			if (strcmp(r->id, id) == 0)
				return 1;
	return 0;
}

int main(int argc, char **argv)
{
	int c, verbose = 0, part1 = 0;
	struct diag_opts o = { 0 };
	struct cred_store *cs = NULL;
	while ((c = getopt(argc, argv, "m1c:")) != -1) {
		char err[256];
		switch (c) {
		case 'm':
			verbose = 1;
			break;
		case '1':
			part1 = 1;
			break;
		case 'c':
			if (cred_load(optarg, &cs, err, sizeof err) != 0) {
				fprintf(stderr, "diagdump: %s\n", err);
				return 2;
			}
			o.creds = cs;
			break;
		default:
			fprintf(stderr, "usage: diagdump [-m] [-1] [-c CREDFILE] FILE...\n");
			return 2;
		}
	}
	int rc = 0;
	for (int i = optind; i < argc; i++) {
		char *dup = strdup(argv[i]);
		printf("# %s\n", basename(dup));
		free(dup);
		struct model *m = du_analyze(argv[i], &o);
		if (!m) {
			printf("unreadable\n");
			rc = 1;
			continue;
		}
		for (size_t k = 0; k < m->findings.n; k++) {
			const struct finding *x = m->findings.v[k];
			if (part1 && !in_part1(x->rule))
				continue;
			du_print(stdout, x);
			if (verbose)
				printf("    %s\n    fix: %s\n", x->message, x->fix ? x->fix : "-");
		}
		model_free(m);
	}
	cred_free(cs);
	return rc;
}
