/* SPDX-License-Identifier: GPL-2.0-or-later */
/* escape.h - captured text made safe for a terminal or a TSV line.
 *
 * Owns: rt_escape(), the one function every text output (--messages, the
 * report, the ladder, the TUI) uses on captured strings: control bytes
 * (ESC, CR, LF, TAB, DEL, C1) become \xHH, so a SIP header cannot move
 * the cursor, change colours or split a line.
 */
#ifndef RT_ESCAPE_H
#define RT_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* Escaped copy of s (NULL -> "-") into buf; truncates with "..." when
 * buf is too small. Returns buf. */
char *rt_escape(const char *s, char *buf, size_t n);
/* Write s escaped to f (no length limit). */
void rt_fputs_escaped(const char *s, FILE *f);

#endif
