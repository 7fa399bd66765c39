/* SPDX-License-Identifier: GPL-2.0-or-later */
/* html.h - the HTML report (--html FILE).
 *
 * Owns: html_write(): one self-contained file (inline CSS, JS and SVG, a
 * Content-Security-Policy that allows no network access and runs only the
 * page's own script, by nonce): a summary (AORs by state, findings by
 * severity and rule, the capture's span and counts), the registrations as
 * a paged, searchable table with a state filter, per AOR its findings (the
 * cause first; frame numbers link to the ladder), a registration timeline
 * over capture time (registered intervals, refreshes, failed attempts,
 * lapses) and its ladder (ladder_svg(), the layout of ladder.c); clicking
 * an arrow shows the raw message.
 *
 * Size: the table's data is one JSON block rendered by the page's script,
 * page by page.  The ladder and raw text (the bulk) are written for every
 * AOR when there are at most HTML_SMALL_AORS, otherwise only for AORs with
 * a WARN or worse finding while the page stays under HTML_SIZE_BOUND (and
 * the detail under HTML_DETAIL_BUDGET); they are inert text blocks the
 * script turns into markup when an AOR is opened.  The page says how many
 * it left out and how to get them (--aor).  Every captured string is HTML-escaped, or
 * JSON-escaped safe for <script> (src/util/escape.h).
 */
#ifndef RT_HTML_H
#define RT_HTML_H

#include <stdio.h>

#include "json_out.h"
#include "model.h"

#define HTML_SMALL_AORS 100
#define HTML_DETAIL_BUDGET (96ull << 20)   /* ladders and raw text at most */
#define HTML_SIZE_BOUND (150ull << 20)     /* the whole page stays under it */

struct rt_select;

/* 0, or -1 on a write error.  sel may be NULL. */
int html_write(FILE *f, const struct model *m, const struct json_capture *c,
	       const struct rt_select *sel);

#endif
