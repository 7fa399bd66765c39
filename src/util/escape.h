/* SPDX-License-Identifier: GPL-2.0-or-later */
/* escape.h - captured text made safe for a terminal or a TSV line.
 *
 * Owns: rt_escape(), the one function every text output (--messages, the
 * report, the ladder, the TUI) uses on captured strings: control bytes
 * (ESC, CR, LF, TAB, DEL, C1) become \xHH, so a SIP header cannot move
 * the cursor, change colours or split a line.  And the HTML report's two:
 * rt_fputs_html() (text and attribute values) and rt_fputs_js() (a JSON
 * string literal that stays inert inside <script>).
 */
#ifndef RT_ESCAPE_H
#define RT_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Escaped copy of s (NULL -> "-") into buf; truncates with "..." when
 * buf is too small. Returns buf. */
char *rt_escape(const char *s, char *buf, size_t n);
/* Write s escaped to f (no length limit). */
void rt_fputs_escaped(const char *s, FILE *f);
/* n bytes of s as HTML text or attribute value: & < > " ' as entities,
 * control bytes as \xHH (NUL too); with lines, LF stays a line break and
 * CR before it is dropped (a raw SIP message in <pre>).  NULL -> "-". */
void rt_fputs_html_n(const char *s, size_t n, bool lines, FILE *f);
void rt_fputs_html(const char *s, FILE *f);
/* s as a JSON string literal with its quotes, safe inside <script>: < > &
 * as \u003c \u003e \u0026, U+2028/2029 escaped (they end a JS line),
 * control bytes \u00XX, bytes that are not UTF-8 as U+FFFD.  NULL -> null. */
void rt_fputs_js(const char *s, FILE *f);

#endif
