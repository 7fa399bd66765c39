/* SPDX-License-Identifier: GPL-2.0-or-later */
/* select.h - which registrations the outputs show (--aor, --state, --finding).
 *
 * Owns: struct rt_select, the one definition of a selection that every
 * output asks (report, ladder, JSON, JSONL, the TUI, HTML): a registration
 * is selected when its AOR matches one of the --aor globs (fnmatch), its
 * state one of the --state names and one of its findings one of the
 * --finding rule globs (case-insensitive); kinds not given match anything.
 * Selected with it: its dialogs (the Call-IDs of its sessions, and every
 * dialog whose From or To is the AOR), their messages, its findings.
 * Capture-wide findings are kept only when a --finding glob names their
 * rule.  No option given: everything is selected and nothing is filtered.
 */
#ifndef RT_SELECT_H
#define RT_SELECT_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

struct rt_select {
	const char **aor;            /* --aor globs (argv strings) */
	size_t naor;
	unsigned states;             /* bit (1 << enum aor_state) per --state; 0: any */
	const char **rule;           /* --finding globs */
	size_t nrule;
	/* sel_prepare() on the finished, diagnosed model */
	const struct model *m;
	unsigned char *aor_on;       /* by aor_hist.id - 1 */
	unsigned char *dlg_on;       /* by dialog.id - 1 (model.dialog_ids of them) */
	size_t naors_on, ndlgs_on, nfindings_on;
};

/* Add one option's value; 0, or -1 with a message in err (unknown state,
 * out of memory). */
int sel_add_aor(struct rt_select *s, const char *glob);
int sel_add_state(struct rt_select *s, const char *name, char *err, size_t errlen);
int sel_add_rule(struct rt_select *s, const char *glob);
/* Any of the options given (s may be NULL). */
bool sel_active(const struct rt_select *s);
/* Decides, once, what is selected; 0, or -1 out of memory. */
int sel_prepare(struct rt_select *s, const struct model *m);
/* Everything is true for a NULL or inactive selection.  Before sel_prepare()
 * (live), sel_aor() decides from the AOR's current state and findings and
 * sel_dialog() / sel_msg() are true. */
bool sel_aor(const struct rt_select *s, const struct aor_hist *a);
bool sel_dialog(const struct rt_select *s, const struct dialog *d);
bool sel_msg(const struct rt_select *s, const struct sip_msg *m);
bool sel_finding(const struct rt_select *s, const struct finding *f);
/* Nothing selected (after sel_prepare of an active selection). */
bool sel_empty(const struct rt_select *s);
/* The options as given, e.g. "--aor 'sip:bob*' --state failed" (static buffer
 * of s, for the stderr line). */
void sel_describe(const struct rt_select *s, char *buf, size_t n);
void sel_free(struct rt_select *s);

#endif
