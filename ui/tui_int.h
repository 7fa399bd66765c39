/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui_int.h - what the TUI's files share: the state struct, colours and the
 * safe text drawing helper.  Not used outside ui/. */
#ifndef RT_TUI_INT_H
#define RT_TUI_INT_H

#define NCURSES_WIDECHAR 1
#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "ladder.h"
#include "model.h"
#include "tui.h"

enum tui_screen { SCR_REGS, SCR_DLGS, SCR_LADDER, SCR_MSG, SCR_HELP };

enum tui_color {
	CP_GREEN = 1, CP_RED, CP_YELLOW, CP_GREY, CP_CYAN, CP_BAR, CP_MAGENTA,
};

/* A filtered, sorted list of model objects (aor_hist or dialog). */
struct tui_list {
	const void **v;
	size_t n, cap;
	const void *sel_obj;      /* selection follows the object across rebuilds */
	int sel, top;
	int filter, sort;
	bool rev;
};

struct tui {
	struct tui_opts opt;
	bool active, utf8, colors;
	int saved_err;            /* the real stderr while the screen is ours */
	FILE *errf;               /* where stderr goes meanwhile */
	const struct model *m;
	struct tui_stats st;
	enum tui_screen scr, list_scr, help_from;
	struct tui_list regs, dlgs;
	char search[64];
	size_t slen;
	bool searching;
	/* ladder screen */
	struct ladder *lad;
	const void *lad_obj;
	bool lad_aor;
	size_t lad_msgs;          /* model message count when built (live rebuild) */
	int lsel, ltop;
	/* message view */
	int mtop;
	struct timespec last_draw;
	double tick_cost;           /* seconds the last tui_tick() redraw took (lists + screen) */
	bool quit;
};

/* Draw captured text at (y, x), at most maxw columns: rt_escape() first,
 * then every byte that is not printable UTF-8 (or not ASCII without a UTF-8
 * locale) as \xHH.  Returns the columns used. */
int tui_text(const struct tui *t, int y, int x, int maxw, const char *s, attr_t a);
/* Same for a byte range (the raw message). */
int tui_text_n(const struct tui *t, int y, int x, int maxw, const char *s, size_t len, attr_t a);
/* Plain program text (ASCII), clipped. */
void tui_puts(int y, int x, int maxw, const char *s, attr_t a);
attr_t tui_color(const struct tui *t, enum tui_color c);

/* tui_lists.c */
void tui_lists_rebuild(struct tui *t);
void tui_draw_regs(struct tui *t);
void tui_draw_dlgs(struct tui *t);
void tui_list_key(struct tui *t, int ch);
const char *tui_reg_filter_name(int f);
const char *tui_dlg_filter_name(int f);

/* tui_views.c */
void tui_open_ladder(struct tui *t, const void *obj, bool aor);
void tui_ladder_refresh(struct tui *t);
void tui_draw_ladder(struct tui *t);
void tui_ladder_key(struct tui *t, int ch);
void tui_draw_msg(struct tui *t);
void tui_msg_key(struct tui *t, int ch);
void tui_draw_help(struct tui *t);

#endif
