/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check_main.h - the one main() every Check test program uses: runs the
 * suites and prints TAP on stdout (one line per test, counted by make check). */
#ifndef RT_CHECK_MAIN_H
#define RT_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

/* Define this in the test file: returns the suites to run, NULL-terminated. */
static Suite **rt_suites(void);

int main(void)
{
	Suite **ss = rt_suites();
	SRunner *sr = srunner_create(ss[0]);
	for (int i = 1; ss[i]; i++)
		srunner_add_suite(sr, ss[i]);
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
