/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ladder.h - the ladder (sequence) diagram of a registration or a dialog.
 *
 * Owns: the layout shared by the TUI and `--ladder`: columns (one per
 * endpoint ip:port, named from User-Agent/Server when known), rows (one per
 * message, in arrival order, plus a separator row where the Call-ID changes
 * on a multi-Call-ID ladder), arrow labels (method or code + reason),
 * timestamps and deltas, retransmission marks, the 401/407 -> authorized
 * REGISTER pairing, timeouts, and the findings beside the rows whose frames
 * they cite.  Rendering gives one line of cells per row (wchar_t, UTF-8 line
 * drawing or plain ASCII); the caller encodes them (ladder_text.c) or draws
 * them (ui/).  Captured text is escaped (rt_escape) and reduced to ASCII
 * before it reaches a label, so a cell is always one terminal column.
 *
 * A ladder points into the model: it is valid while the model is and the
 * model is not modified (live mode rebuilds it).
 */
#ifndef RT_LADDER_H
#define RT_LADDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <wchar.h>

#include "model.h"

/* Label sizes (bytes, NUL included). */
#define LADDER_ADDR_MAX 64
#define LADDER_NAME_MAX 48
#define LADDER_LABEL_MAX 48
#define LADDER_NOTE_MAX 96

struct ladder_col {
	struct rt_addr addr;
	char addr_s[LADDER_ADDR_MAX];   /* "ip:port" */
	char name[LADDER_NAME_MAX];     /* escaped User-Agent/Server, "" when unknown */
	char tag;                       /* 'A', 'B', ... ('?' past 'Z') */
	int x;                          /* lifeline column (after ladder_layout) */
};

enum ladder_row_kind {
	LROW_MSG,                       /* one message: an arrow */
	LROW_SEP,                       /* start of another Call-ID */
};

/* What a row is, for colouring. */
enum ladder_row_class {
	LCLS_REQUEST, LCLS_PROV, LCLS_OK, LCLS_REDIRECT, LCLS_CHALLENGE, LCLS_ERROR,
};

struct ladder_row {
	enum ladder_row_kind kind;
	const struct sip_msg *msg;      /* NULL for LROW_SEP */
	uint64_t msg_id;                /* msg->id (what a screen keeps across rebuilds) */
	const struct txn *txn;          /* the message's transaction, NULL when unknown */
	int from, to;                   /* column indexes */
	enum ladder_row_class cls;
	char label[LADDER_LABEL_MAX];   /* "REGISTER", "401 Unauthorized" (escaped ASCII) */
	char note[LADDER_NOTE_MAX];     /* "retransmission", "challenge -> #3", "[1]" ... */
	int64_t delta_ns;               /* since the previous message row; -1 on the first */
	bool retrans;
	bool challenge;                 /* a 401/407 answered by a later REGISTER with credentials */
	bool auth;                      /* a REGISTER with credentials */
	int pair_row;                   /* challenge <-> authorized REGISTER row, -1 none */
	int callid;                     /* index into ladder.callids */
	size_t *findings;               /* indexes into ladder.findings (owned) */
	size_t nfindings;
};

struct ladder {
	char title[160];                /* "registration sip:alice@lab.local - failed ..." */
	struct ladder_col *cols;
	size_t ncols;
	struct ladder_row *rows;
	size_t nrows;
	const char **callids;           /* distinct Call-IDs in first-seen order (model strings) */
	size_t ncallids;
	const struct finding **findings;/* findings shown on this ladder, numbered from 1 */
	size_t nfindings;
	/* geometry (ladder_layout) */
	int width;                      /* total width of a rendered line */
	int diag_x0, diag_x1;           /* first and last diagram column */
	int note_x;                     /* first column of the notes */
};

/* Ladder of one AOR: every message of its REGISTER transactions, all its
 * Call-IDs on one ladder.  NULL when out of memory. */
struct ladder *ladder_for_aor(const struct model *m, const struct aor_hist *a);
/* Ladder of one Call-ID (all methods). */
struct ladder *ladder_for_dialog(const struct model *m, const struct dialog *d);
void ladder_free(struct ladder *l);

/* Lay out for `width` columns (80 is the target; a ladder with many
 * endpoints may come out wider).  Call before rendering. */
void ladder_layout(struct ladder *l, int width);

/* Header lines above the rows: the column tags with addresses and names. */
size_t ladder_header_lines(const struct ladder *l);

/* Render header line `i` / row `i` into out[0..cap-1] (NUL-terminated);
 * returns the number of cells (columns) written. */
int ladder_render_header(const struct ladder *l, size_t i, bool utf8, wchar_t *out, int cap);
int ladder_render_row(const struct ladder *l, size_t i, bool utf8, wchar_t *out, int cap);

/* UTF-8 encode cells (code points < 0x10000) to f, trailing blanks removed. */
void ladder_put_cells(const wchar_t *cells, int n, FILE *f);

/* Time of day "HH:MM:SS.uuuuuu" (UTC) and the compact delta "+316us",
 * "+12.3ms", "+1.234s", "+95s", "+2h03m". */
char *ladder_time(int64_t ts_ns, char *buf, size_t n);
char *ladder_delta(int64_t d_ns, char *buf, size_t n);

/* --ladder: every AOR, then every dialog with a method other than REGISTER,
 * as ASCII ladders `width` wide, on f. */
struct rt_select;
void ladder_text_all(const struct model *m, FILE *f, int width, const struct rt_select *sel);
/* One ladder as SVG (ladder_svg.c, for --html): lays it out, draws columns,
 * lifelines and one <g class="arrow" data-m=MSG-ID id=PREFIX-fFILE-FRAME>
 * per message; text HTML-escaped. */
void ladder_svg(struct ladder *l, FILE *f, const char *prefix);
/* One ladder as text (header, legend, rows, findings). */
void ladder_text_one(struct ladder *l, FILE *f, int width, bool utf8);

#endif
