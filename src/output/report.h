/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report.h - the text report (--report; default when stdout is not a terminal).
 *
 * Owns: report_write(): one line per AOR (AOR, state, last code, attempts,
 * time to register, granted expires, contact, user agent, why) then the
 * totals.  Plain text, no colour, fits 100 columns; captured strings are
 * escaped (rt_escape) and cut to their column with a '~'.  The WHY column
 * is the diagnosis' one-word verdict (the first finding's rule id); '-'
 * until findings exist.
 */
#ifndef RT_REPORT_H
#define RT_REPORT_H

#include <stdio.h>

#include "model.h"

/* 0, or -1 on a write error. */
int report_write(FILE *f, const struct model *m);

#endif
