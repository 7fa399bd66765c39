/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ladder_svg.c - the ladder as SVG for the HTML report (--html): the third
 * renderer of the layout in ladder.c (the text one is ladder_text.c, the
 * TUI's is ui/).  It draws what ladder_layout() placed: a lifeline per
 * column at its x, an arrow per message row, label, time and note; one
 * text cell of the layout is CW pixels wide.  Every text goes through
 * rt_fputs_html(); each arrow is a <g class="arrow"> carrying the message
 * id (data-m) and its frame (id PREFIX-fFILE-FRAME), so the page can show
 * the raw message and a finding can point at its frames.
 */
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "ladder.h"

enum { CW = 7, RH = 24, HEAD = 70, PAD = 6 };

static const char *row_class(enum ladder_row_class c)
{
	switch (c) {
	case LCLS_REQUEST: return "req";
	case LCLS_PROV: return "prov";
	case LCLS_OK: return "ok";
	case LCLS_REDIRECT: return "redir";
	case LCLS_CHALLENGE: return "chal";
	case LCLS_ERROR: return "err";
	}
	return "req";
}

void ladder_svg(struct ladder *l, FILE *f, const char *prefix)
{
	ladder_layout(l, 100);
	size_t notes = 0;
	for (size_t i = 0; i < l->nrows; i++)
		if (strlen(l->rows[i].note) > notes)
			notes = strlen(l->rows[i].note);
	int wpx = (l->note_x + (int)notes + 2) * CW + 2 * PAD;
	if (wpx < (l->diag_x1 + 36) * CW)
		wpx = (l->diag_x1 + 36) * CW;   /* room for the last column's address and name */
	int hpx = HEAD + (int)l->nrows * RH + PAD;
	fprintf(f, "<svg class=\"ladder\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\">", wpx, hpx, wpx, hpx);
	/* columns: tag, address, name (every other column two lines lower: an
	 * address is wider than the gap the text layout leaves); lifelines */
	for (size_t i = 0; i < l->ncols; i++) {
		const struct ladder_col *c = &l->cols[i];
		int x = PAD + c->x * CW, dy = (i & 1) ? 28 : 0;
		fprintf(f, "<g class=\"col\"><title>");
		rt_fputs_html(c->addr_s, f);
		if (c->name[0]) {
			fputs(" ", f);
			rt_fputs_html(c->name, f);
		}
		fprintf(f, "</title><text x=\"%d\" y=\"%d\" class=\"tag\">%c ", x, 12 + dy, c->tag);
		rt_fputs_html(c->addr_s, f);
		fprintf(f, "</text><text x=\"%d\" y=\"%d\" class=\"name\">", x, 25 + dy);
		rt_fputs_html(c->name[0] ? c->name : "", f);
		fprintf(f, "</text><line class=\"life\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/></g>",
			x, 30 + dy, x, hpx - PAD);
	}
	for (size_t i = 0; i < l->nrows; i++) {
		const struct ladder_row *r = &l->rows[i];
		int y = HEAD + (int)i * RH + RH / 2;
		if (r->kind == LROW_SEP) {
			fprintf(f, "<g class=\"sep\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
				"<text x=\"%d\" y=\"%d\">", PAD, y, wpx - PAD, y, PAD, y - 3);
			rt_fputs_html(r->label, f);
			fputs("</text></g>", f);
			continue;
		}
		const struct sip_msg *m = r->msg;
		char t[24], d[24];
		fprintf(f, "<g class=\"arrow %s%s%s\" data-m=\"%llu\" id=\"%s-f%u-%llu\" tabindex=\"0\"><title>"
			"frame %llu, ", row_class(r->cls), r->retrans ? " retx" : "", r->nfindings ? " hit" : "",
			(unsigned long long)m->id, prefix, m->file, (unsigned long long)m->frame,
			(unsigned long long)m->frame);
		fputs(ladder_time(m->ts_ns, t, sizeof t), f);
		if (r->delta_ns >= 0)
			fprintf(f, " (%s)", ladder_delta(r->delta_ns, d, sizeof d));
		fputs(": ", f);
		rt_fputs_html(r->label, f);
		fputs(" - click for the message</title>", f);
		/* a wide transparent band: the whole row is the click target */
		fprintf(f, "<rect class=\"hot\" x=\"0\" y=\"%d\" width=\"%d\" height=\"%d\"/>", y - RH / 2, wpx, RH);
		fprintf(f, "<text class=\"time\" x=\"%d\" y=\"%d\">%llu %s</text>", PAD, y + 4,
			(unsigned long long)m->frame, ladder_time(m->ts_ns, t, sizeof t));
		int xa = PAD + l->cols[r->from].x * CW, xb = PAD + l->cols[r->to].x * CW;
		if (xa == xb) {
			fprintf(f, "<path class=\"line\" d=\"M%d %d h20 v8 h-18\"/>", xa, y - 4);
			fprintf(f, "<text class=\"label\" x=\"%d\" y=\"%d\">", xa + 24, y);
		} else {
			int dir = xb > xa ? 1 : -1;
			fprintf(f, "<line class=\"line\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
				"<path class=\"head\" d=\"M%d %d l%d -4 v8 z\"/>",
				xa, y + 4, xb - 2 * dir, y + 4, xb, y + 4, -8 * dir);
			fprintf(f, "<text class=\"label\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">",
				(xa + xb) / 2, y);
		}
		rt_fputs_html(r->label, f);
		fputs("</text>", f);
		if (r->note[0]) {
			fprintf(f, "<text class=\"note\" x=\"%d\" y=\"%d\">", PAD + l->note_x * CW, y + 4);
			rt_fputs_html(r->note, f);
			fputs("</text>", f);
		}
		fputs("</g>", f);
	}
	fputs("</svg>", f);
}
