/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ladder_text.c - `--ladder`: one ASCII ladder per registration (AOR), then
 * one per dialog that carries a method other than REGISTER (REGISTER-only
 * Call-IDs are already on their AOR's ladder), for pasting into a ticket. */
#include "ladder.h"
#include "select.h"

#include <string.h>

static bool dialog_has_non_register(const struct dialog *d)
{
	for (size_t i = 0; i < d->msgs.n; i++) {
		const struct sip_msg *m = d->msgs.v[i];
		const char *meth = m->request ? m->method : m->cseq_method;
		if (!meth || strcmp(meth, "REGISTER"))
			return true;
	}
	return false;
}

void ladder_text_all(const struct model *m, FILE *f, int width, const struct rt_select *sel)
{
	for (size_t i = 0; i < m->aors.n; i++) {
		if (!sel_aor(sel, m->aors.v[i]))
			continue;
		struct ladder *l = ladder_for_aor(m, m->aors.v[i]);
		if (!l) {
			fputs("regtrace: out of memory\n", stderr);
			return;
		}
		ladder_text_one(l, f, width, false);
		ladder_free(l);
	}
	for (size_t i = 0; i < m->dialogs.n; i++) {
		const struct dialog *d = m->dialogs.v[i];
		if (!dialog_has_non_register(d) || !sel_dialog(sel, d))
			continue;
		struct ladder *l = ladder_for_dialog(m, d);
		if (!l) {
			fputs("regtrace: out of memory\n", stderr);
			return;
		}
		ladder_text_one(l, f, width, false);
		ladder_free(l);
	}
}
