/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report.h - the text report (--report; default when stdout is not a terminal).
 *
 * Owns: report_write(): one line per AOR (AOR, state, last code, attempts,
 * time to register, granted expires, contact, user agent, why) then the
 * totals.  Plain text, no colour, fits 100 columns; captured strings are
 * escaped (rt_escape) and cut to their column with a '~'.  The WHY column
 * is the AOR's cause (aor_hist.cause, the finding that ranks first); '-'
 * until findings exist.  After the totals, the findings in words: per AOR
 * (cause first), then capture-wide: severity, rule, message on one line,
 * fix, evidence frames; INFO ones only counted unless verbose (-v).  Those
 * lines are not cut to 100 columns: a message is pasted whole.
 */
#ifndef RT_REPORT_H
#define RT_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "model.h"

struct rt_select;

struct report_opts {
	bool verbose;                /* -v: INFO findings too */
	const struct rt_select *sel; /* --aor/--state/--finding (select.h); NULL: all */
};

/* 0, or -1 on a write error.  o may be NULL. */
int report_write(FILE *f, const struct model *m, const struct report_opts *o);

#endif
