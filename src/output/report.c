/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report.c - see report.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "report.h"
#include "select.h"

/* column widths: with single spaces between them a line is at most 99 wide */
enum { W_AOR = 25, W_STATE = 12, W_CODE = 4, W_ATT = 3, W_TTR = 6, W_EXP = 5,
       W_CONTACT = 16, W_UA = 8, W_WHY = 12 };

/* Escaped s cut to w bytes (at a UTF-8 boundary), '~' marking a cut. */
static void cell(char *out, size_t outsz, const char *s, size_t w)
{
	size_t big = strlen(s ? s : "-") * 4 + 8;
	char *e = malloc(big);
	if (!e) {
		snprintf(out, outsz, "?");
		return;
	}
	rt_escape(s, e, big);
	size_t n = strlen(e);
	if (n > w) {
		size_t k = w - 1;
		while (k > 0 && ((unsigned char)e[k] & 0xc0) == 0x80)
			k--;                     /* do not split a UTF-8 sequence */
		e[k] = '~';
		e[k + 1] = '\0';
	}
	snprintf(out, outsz, "%s", e);
	free(e);
}

/* display width of a UTF-8 string (code points; good enough for padding) */
static size_t u8width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

static void pad(FILE *f, const char *s, size_t w, bool right)
{
	size_t n = u8width(s);
	if (right)
		for (size_t i = n; i < w; i++)
			fputc(' ', f);
	fputs(s, f);
	if (!right)
		for (size_t i = n; i < w; i++)
			fputc(' ', f);
}

static const char *why(const struct aor_hist *a)
{
	return a->cause ? a->cause->rule : "-";
}

/* Frames as ranges: "3, 5-8". */
static void frames_write(FILE *f, const struct finding *fd)
{
	fputs("frames ", f);
	if (!fd->nframes)
		fputs("-", f);
	for (size_t i = 0; i < fd->nframes;) {
		size_t j = i;
		while (j + 1 < fd->nframes && fd->frames[j + 1] == fd->frames[j] + 1)
			j++;
		fprintf(f, "%s%llu", i ? ", " : "", (unsigned long long)fd->frames[i]);
		if (j > i)
			fprintf(f, "%s%llu", j == i + 1 ? ", " : "-", (unsigned long long)fd->frames[j]);
		i = j + 1;
	}
}

/* One finding: severity, rule, the message on one line; the fix and the
 * evidence below it.  rt_fputs_escaped keeps captured text on its line. */
static void finding_write(FILE *f, const struct finding *fd, const char *tag)
{
	fprintf(f, "  %-4s %s%s: ", finding_sev_name(fd->sev), fd->rule, tag);
	rt_fputs_escaped(fd->message ? fd->message : "", f);
	fputc('\n', f);
	if (fd->fix) {
		fputs("       fix: ", f);
		rt_fputs_escaped(fd->fix, f);
		fputc('\n', f);
	}
	fputs("       ", f);
	frames_write(f, fd);
	fputc('\n', f);
}

static bool shown(const struct finding *fd, const struct report_opts *o)
{
	return fd->sev >= SEV_WARN || (o && o->verbose);
}

static bool selected(const struct finding *fd, const struct report_opts *o)
{
	return sel_finding(o ? o->sel : NULL, fd);
}

/* After the table: per AOR its findings, the cause first (finding_ranked),
 * then the capture-wide ones.  INFO only with -v; otherwise counted. */
static void findings_write(FILE *f, const struct model *m, const struct report_opts *o)
{
	size_t ninfo = 0, nshown = 0;
	for (size_t i = 0; i < m->findings.n; i++) {
		const struct finding *fd = m->findings.v[i];
		if (!selected(fd, o))
			continue;
		if (shown(fd, o))
			nshown++;
		else
			ninfo++;
	}
	if (!nshown && !ninfo)
		return;
	fprintf(f, "\nFindings: %zu shown", nshown);
	if (ninfo)
		fprintf(f, ", %zu INFO not shown (-v lists them)", ninfo);
	fputs("\n", f);
	for (size_t i = 0; i < m->aors.n; i++) {
		const struct aor_hist *a = m->aors.v[i];
		if (!sel_aor(o ? o->sel : NULL, a))
			continue;
		size_t n;
		const struct finding **v = finding_ranked(a, &n);
		bool head = false;
		for (size_t k = 0; k < n; k++) {
			if (!shown(v[k], o))
				continue;
			if (!head) {
				fputs("\n", f);
				rt_fputs_escaped(a->aor, f);
				fprintf(f, " (%s)\n", aor_state_name(a->state));
				head = true;
			}
			finding_write(f, v[k], v[k] == a->cause ? " (cause)" : "");
		}
		free(v);
	}
	bool head = false;
	for (size_t i = 0; i < m->findings.n; i++) {
		const struct finding *fd = m->findings.v[i];
		if (fd->aor || !shown(fd, o) || !selected(fd, o))
			continue;
		if (!head) {
			fputs("\ncapture-wide\n", f);
			head = true;
		}
		finding_write(f, fd, "");
	}
}

/* host[:port] of a contact: where the binding points (the user part is
 * nearly always the AOR's, and the column is narrow) */
static char *contact_target(const struct binding *b)
{
	if (!b || !(b->contact || b->key))
		return NULL;
	char *c = aor_canonical(b->contact ? b->contact : b->key);
	if (!c)
		return NULL;
	const char *at = strrchr(c, '@');
	const char *from = at ? at + 1 : (strchr(c, ':') ? strchr(c, ':') + 1 : c);
	memmove(c, from, strlen(from) + 1);
	return c;
}

int report_write(FILE *f, const struct model *m, const struct report_opts *o)
{
	char b[256];
	const struct rt_select *sel = o ? o->sel : NULL;
	if (sel_empty(sel))
		return 0;   /* a selection that matches nothing: nothing (main says so) */
	fprintf(f, "%-*s %-*s %*s %*s %*s %*s %-*s %-*s %s\n",
		W_AOR, "AOR", W_STATE, "STATE", W_CODE, "CODE", W_ATT, "ATT",
		W_TTR, "TTR", W_EXP, "EXP", W_CONTACT, "CONTACT", W_UA, "UA", "WHY");
	size_t ns[7] = {0};
	uint64_t att = 0, fail = 0;
	for (size_t i = 0; m && i < m->aors.n; i++) {
		const struct aor_hist *a = m->aors.v[i];
		const struct aor_summary *s = &a->sum;
		if (!sel_aor(sel, a))
			continue;
		if ((size_t)a->state < 7)
			ns[a->state]++;
		att += s->attempts;
		fail += s->failures;

		cell(b, sizeof b, a->aor, W_AOR);
		pad(f, b, W_AOR, false);
		fputc(' ', f);
		pad(f, aor_state_name(a->state), W_STATE, false);
		fputc(' ', f);
		if (s->last_status > 0)
			snprintf(b, sizeof b, "%d", s->last_status);
		else
			snprintf(b, sizeof b, "-");
		pad(f, b, W_CODE, true);
		fputc(' ', f);
		snprintf(b, sizeof b, "%u", s->attempts);
		pad(f, b, W_ATT, true);
		fputc(' ', f);
		if (s->time_to_register_ns < 0)
			snprintf(b, sizeof b, "-");
		else if (s->time_to_register_ns < 10LL * 1000000000LL)
			snprintf(b, sizeof b, "%.3fs", (double)s->time_to_register_ns / 1e9);
		else if (s->time_to_register_ns < 100LL * 1000000000LL)
			snprintf(b, sizeof b, "%.2fs", (double)s->time_to_register_ns / 1e9);
		else
			snprintf(b, sizeof b, "%llds", (long long)(s->time_to_register_ns / 1000000000LL));
		pad(f, b, W_TTR, true);
		fputc(' ', f);
		if (s->expires_granted >= 0)
			snprintf(b, sizeof b, "%ld", s->expires_granted);
		else
			snprintf(b, sizeof b, "-");
		pad(f, b, W_EXP, true);
		fputc(' ', f);
		char *cc = contact_target(s->contact);
		cell(b, sizeof b, cc ? cc : "-", W_CONTACT);
		free(cc);
		pad(f, b, W_CONTACT, false);
		fputc(' ', f);
		cell(b, sizeof b, s->user_agent, W_UA);
		pad(f, b, W_UA, false);
		fputc(' ', f);
		/* the rule id without its "REG-" prefix: the column is narrow */
		const char *w = why(a);
		if (strncmp(w, "REG-", 4) == 0 && w[4])
			w += 4;
		cell(b, sizeof b, w, W_WHY);
		fputs(b, f);
		fputc('\n', f);
	}
	size_t naors = 0;
	for (size_t i = 0; i < 7; i++)
		naors += ns[i];
	fprintf(f, "\n%zu AORs: %zu registered, %zu failed, %zu challenged, %zu unregistered,"
		" %zu expired, %zu timeout, %zu unknown\n", naors,
		ns[AOR_REGISTERED], ns[AOR_FAILED], ns[AOR_CHALLENGED], ns[AOR_UNREGISTERED],
		ns[AOR_EXPIRED], ns[AOR_TIMEOUT], ns[AOR_UNKNOWN]);
	if (m)
		fprintf(f, "%llu attempts (%llu failed); %llu SIP messages, %llu transactions"
			" (%llu timeout, %llu retransmissions)\n",
			(unsigned long long)att, (unsigned long long)fail,
			(unsigned long long)m->st.msgs, (unsigned long long)m->st.txns,
			(unsigned long long)m->st.txns_timeout,
			(unsigned long long)(m->st.req_retrans + m->st.resp_retrans));
	if (m)
		findings_write(f, m, o);
	return ferror(f) ? -1 : 0;
}
