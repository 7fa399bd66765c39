/* SPDX-License-Identifier: GPL-2.0-or-later */
/* select.c - see select.h. */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "select.h"

static int push(const char ***v, size_t *n, const char *x)
{
	const char **nv = realloc(*v, (*n + 1) * sizeof *nv);
	if (!nv)
		return -1;
	nv[(*n)++] = x;
	*v = nv;
	return 0;
}

int sel_add_aor(struct rt_select *s, const char *glob)
{
	return push(&s->aor, &s->naor, glob);
}

int sel_add_rule(struct rt_select *s, const char *glob)
{
	return push(&s->rule, &s->nrule, glob);
}

int sel_add_state(struct rt_select *s, const char *name, char *err, size_t errlen)
{
	for (int st = 0; st <= AOR_TIMEOUT; st++)
		if (!strcasecmp(name, aor_state_name((enum aor_state)st))) {
			s->states |= 1u << st;
			return 0;
		}
	snprintf(err, errlen, "--state takes registered, failed, challenged, unregistered, "
		 "expired, timeout or unknown");
	return -1;
}

bool sel_active(const struct rt_select *s)
{
	return s && (s->naor || s->states || s->nrule);
}

static bool rule_match(const struct rt_select *s, const char *rule)
{
	for (size_t i = 0; i < s->nrule; i++)
		if (fnmatch(s->rule[i], rule, FNM_CASEFOLD) == 0)
			return true;
	return false;
}

static bool aor_match(const struct rt_select *s, const struct aor_hist *a)
{
	if (s->states && !(s->states & (1u << a->state)))
		return false;
	if (s->naor) {
		bool hit = false;
		for (size_t i = 0; i < s->naor && !hit; i++)
			hit = fnmatch(s->aor[i], a->aor, 0) == 0;
		if (!hit)
			return false;
	}
	if (s->nrule) {
		for (size_t i = 0; i < a->findings.n; i++)
			if (rule_match(s, ((const struct finding *)a->findings.v[i])->rule))
				return true;
		return false;
	}
	return true;
}

/* the dialog's From or To is a selected AOR */
static bool party_on(const struct rt_select *s, const char *uri)
{
	if (!uri)
		return false;
	char *c = aor_canonical(uri);
	const struct aor_hist *a = c ? model_find_aor(s->m, c) : NULL;
	free(c);
	return a && s->aor_on[a->id - 1];
}

int sel_prepare(struct rt_select *s, const struct model *m)
{
	if (!sel_active(s))
		return 0;
	s->m = m;
	free(s->aor_on);
	free(s->dlg_on);
	s->aor_on = calloc(m->aors.n + 1, 1);
	s->dlg_on = calloc((size_t)m->dialog_ids + 1, 1);
	if (!s->aor_on || !s->dlg_on)
		return -1;
	s->naors_on = s->ndlgs_on = s->nfindings_on = 0;
	for (size_t i = 0; i < m->aors.n; i++) {
		const struct aor_hist *a = m->aors.v[i];
		if (!aor_match(s, a))
			continue;
		s->aor_on[a->id - 1] = 1;
		s->naors_on++;
		for (size_t k = 0; k < a->sessions.n; k++) {
			const struct reg_session *rs = a->sessions.v[k];
			const struct dialog *d = model_find_dialog(m, rs->call_id);
			if (d)
				s->dlg_on[d->id - 1] = 1;
		}
	}
	for (size_t i = 0; i < m->dialogs.n; i++) {
		const struct dialog *d = m->dialogs.v[i];
		if (!s->dlg_on[d->id - 1] && s->naors_on && (party_on(s, d->from_uri) || party_on(s, d->to_uri)))
			s->dlg_on[d->id - 1] = 1;
		s->ndlgs_on += s->dlg_on[d->id - 1];
	}
	for (size_t i = 0; i < m->findings.n; i++)
		s->nfindings_on += sel_finding(s, m->findings.v[i]);
	return 0;
}

bool sel_aor(const struct rt_select *s, const struct aor_hist *a)
{
	if (!sel_active(s))
		return true;
	/* not prepared yet (the live screen): decide from the AOR itself */
	return s->aor_on ? s->aor_on[a->id - 1] != 0 : aor_match(s, a);
}

bool sel_dialog(const struct rt_select *s, const struct dialog *d)
{
	return !sel_active(s) || !s->dlg_on || s->dlg_on[d->id - 1];
}

bool sel_msg(const struct rt_select *s, const struct sip_msg *msg)
{
	if (!sel_active(s) || !s->m)
		return true;
	const struct dialog *d = msg->call_id ? model_find_dialog(s->m, msg->call_id) : NULL;
	return d && s->dlg_on[d->id - 1];
}

bool sel_finding(const struct rt_select *s, const struct finding *f)
{
	if (!sel_active(s))
		return true;
	if (f->aor)
		return sel_aor(s, f->aor);
	return s->nrule && rule_match(s, f->rule);
}

bool sel_empty(const struct rt_select *s)
{
	return sel_active(s) && !s->naors_on && !s->nfindings_on;
}

void sel_describe(const struct rt_select *s, char *buf, size_t n)
{
	size_t l = 0;
	buf[0] = '\0';
#define ADD(...) do { if (l < n) l += (size_t)snprintf(buf + l, n - l, __VA_ARGS__); } while (0)
	for (size_t i = 0; i < s->naor; i++)
		ADD("%s--aor '%s'", l ? " " : "", s->aor[i]);
	for (int st = 0; st <= AOR_TIMEOUT; st++)
		if (s->states & (1u << st))
			ADD("%s--state %s", l ? " " : "", aor_state_name((enum aor_state)st));
	for (size_t i = 0; i < s->nrule; i++)
		ADD("%s--finding '%s'", l ? " " : "", s->rule[i]);
#undef ADD
}

void sel_free(struct rt_select *s)
{
	if (!s)
		return;
	free(s->aor);
	free(s->rule);
	free(s->aor_on);
	free(s->dlg_on);
	*s = (struct rt_select){ 0 };
}
