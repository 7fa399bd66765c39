/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui.h - the interactive ncurses screen (sngrep-like) over the model.
 *
 * Owns: the terminal while it is active (curses set-up, restoring it on
 * exit, on error and on fatal signals, stderr parked in a temporary file so
 * nothing scribbles on the screen), the screens (registrations list, dialogs
 * list, ladder, message view, help), the keys, live refresh and the status
 * bar.  Reads the model only; the ladder layout comes from src/output/ladder.h.
 *
 * File mode: tui_tick() while the file is read (the list fills, a progress
 * bar in the status bar, keys work), then model_finish() and tui_run().
 * Live mode: call tui_tick() from the capture tick; it reads keys without
 * blocking and redraws at most ~5 times a second.
 */
#ifndef RT_TUI_H
#define RT_TUI_H

#include <stdbool.h>
#include <stdint.h>

struct model;
struct tui;

struct rt_select;

struct tui_opts {
	bool live;
	const char *source;       /* file name(s) or interface, shown in the status bar */
	const struct rt_select *sel; /* --aor/--state/--finding (select.h); NULL: all */
};

/* Counters for the status bar. */
struct tui_stats {
	uint64_t packets;
	uint64_t sip_msgs;
	uint64_t pcap_drops;
	int loading;              /* file mode: 1 reading, 2 analysing (the end-of-run pass), 0 done */
	double fraction;          /* of the file read, 0..1; negative: unknown (stdin, compressed) */
};

/* Take over the terminal.  NULL (and the terminal untouched) on failure. */
struct tui *tui_start(const struct tui_opts *o);
/* File mode: interact until the user quits. */
void tui_run(struct tui *t, const struct model *m, const struct tui_stats *st);
/* Live mode: keys and redraw; returns true when the user asked to quit. */
bool tui_tick(struct tui *t, const struct model *m, const struct tui_stats *st);
/* Give the terminal back (idempotent; replays what went to stderr). */
void tui_end(struct tui *t);
/* The ncurses library this runs with, e.g. "ncurses 6.4.20221231" (for -V). */
const char *tui_curses_version(void);

#endif
