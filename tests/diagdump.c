/* diagdump.c - print the findings on captures, one line each (golden form),
 * with -m the message and fix too.  A test tool, used by diag_golden.sh
 * and for reviewing findings by hand:
 *     tests/diagdump [-m] [-c CREDFILE] FILE...
 * Each file's lines are preceded by "# FILE" (base name). */
#include <libgen.h>
#include <unistd.h>

#include "cred.h"
#include "diag_util.h"

int main(int argc, char **argv)
{
	int c, verbose = 0;
	struct diag_opts o = { 0 };
	struct cred_store *cs = NULL;
	while ((c = getopt(argc, argv, "mc:")) != -1) {
		char err[256];
		switch (c) {
		case 'm':
			verbose = 1;
			break;
		case 'c':
			if (cred_load(optarg, &cs, err, sizeof err) != 0) {
				fprintf(stderr, "diagdump: %s\n", err);
				return 2;
			}
			o.creds = cs;
			break;
		default:
			fprintf(stderr, "usage: diagdump [-m] [-c CREDFILE] FILE...\n");
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
			du_print(stdout, x);
			if (verbose)
				printf("    %s\n    fix: %s\n", x->message, x->fix ? x->fix : "-");
		}
		model_free(m);
	}
	cred_free(cs);
	return rc;
}
