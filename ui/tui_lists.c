/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui_lists.c - the registrations list (start screen) and the dialogs list:
 * columns, state colours, incremental search, state filter, sort keys. */
#include "config.h"

#include "tui_int.h"
#include "select.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------ AOR facts */

/* Live mode: the state as the model can tell it before model_finish(). */
static enum aor_state aor_state_of(const struct model *m, const struct aor_hist *a)
{
	return aor_state_now(m, a);
}

static int aor_last_code(const struct aor_hist *a)
{
	if (a->sum.last_status)
		return a->sum.last_status;
	for (size_t i = a->txns.n; i-- > 0;) {
		const struct txn *t = a->txns.v[i];
		if (t->final_status)
			return t->final_status;
	}
	return 0;
}

static const char *state_label(const struct model *m, enum aor_state s)
{
	if (s == AOR_UNKNOWN)
		return m->finished ? "unknown" : "pending";
	return aor_state_name(s);
}

static enum tui_color state_color(enum aor_state s)
{
	switch (s) {
	case AOR_REGISTERED: return CP_GREEN;
	case AOR_FAILED:
	case AOR_TIMEOUT: return CP_RED;
	case AOR_CHALLENGED:
	case AOR_UNKNOWN: return CP_YELLOW;
	default: return CP_GREY;
	}
}

/* the AOR's cause (diag_run ranks its findings, finding_rank_cmp) */
static const struct finding *top_finding(const struct aor_hist *a)
{
	return a->cause;
}

static const char *aor_contact(const struct aor_hist *a)
{
	for (size_t i = 0; i < a->bindings.n; i++) {
		const struct binding *b = a->bindings.v[i];
		if (b->active)
			return b->contact;
	}
	for (size_t i = a->txns.n; i-- > 0;) {
		const struct txn *t = a->txns.v[i];
		if (t->req && t->req->ncontacts > 0 && t->req->contacts[0].uri)
			return t->req->contacts[0].uri;
	}
	return NULL;
}

/* Seconds until the first active binding expires; LONG_MIN when none. */
static long expires_left(const struct tui *t, const struct aor_hist *a)
{
	int64_t now = t->m->finished && t->m->capture_end_ns ? t->m->capture_end_ns : t->m->now_ns;
	if (t->opt.live) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		int64_t wall = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
		if (wall > now)
			now = wall;
	}
	long best = -2147483647L;
	bool any = false;
	for (size_t i = 0; i < a->bindings.n; i++) {
		const struct binding *b = a->bindings.v[i];
		if (!b->active)
			continue;
		long left = (long)((b->expires_at - now) / 1000000000LL);
		if (!any || left < best)
			best = left;
		any = true;
	}
	return any ? best : -2147483647L;
}

static void fmt_secs(long s, char *b, size_t n)
{
	if (s == -2147483647L)
		snprintf(b, n, "-");
	else if (s < 0)
		snprintf(b, n, "expired");
	else if (s < 3600)
		snprintf(b, n, "%ld:%02ld", s / 60, s % 60);
	else
		snprintf(b, n, "%ldh%02ldm", s / 3600, (s / 60) % 60);
}

/* ------------------------------------------------------------------ dialog facts */

static int dlg_last_code(const struct dialog *d)
{
	for (size_t i = d->txns.n; i-- > 0;) {
		const struct txn *t = d->txns.v[i];
		if (t->final_status)
			return t->final_status;
	}
	return 0;
}

static bool dlg_failed(const struct dialog *d)
{
	for (size_t i = 0; i < d->txns.n; i++) {
		const struct txn *t = d->txns.v[i];
		if (t->outcome == TXN_TIMEOUT)
			return true;
		if (t->final_status >= 300 && t->final_status != 401 && t->final_status != 407)
			return true;
	}
	return false;
}

/* ------------------------------------------------------------------ search */

static bool has(const char *hay, const char *needle)
{
	return hay && strcasestr(hay, needle);
}

static bool addr_has(const struct rt_addr *a, const char *needle)
{
	char b[RT_ADDR_STRLEN];
	return has(rt_addr_str(a, b, sizeof b), needle);
}

static bool code_has(int code, const char *needle)
{
	char b[16];
	snprintf(b, sizeof b, "%d", code);
	return code && has(b, needle);
}

static bool msg_has(const struct sip_msg *m, const char *q)
{
	return has(m->call_id, q) || has(m->method, q) || has(m->cseq_method, q) || code_has(m->status, q) ||
	       addr_has(&m->src, q) || addr_has(&m->dst, q) || has(m->from_uri, q) || has(m->to_uri, q) ||
	       has(m->from_user, q) || has(m->to_user, q);
}

static bool aor_match(const struct aor_hist *a, const char *q)
{
	if (has(a->aor, q) || has(a->sum.user_agent, q) || has("REGISTER", q))
		return true;
	for (size_t i = 0; i < a->sum.nsources; i++)
		if (addr_has(&a->sum.sources[i], q))
			return true;
	for (size_t i = 0; i < a->txns.n; i++) {
		const struct txn *t = a->txns.v[i];
		if (has(t->call_id, q) || code_has(t->final_status, q))
			return true;
		if (t->req && msg_has(t->req, q))
			return true;
		for (size_t k = 0; k < t->resps.n; k++)
			if (msg_has(t->resps.v[k], q))
				return true;
	}
	return false;
}

static bool dlg_match(const struct dialog *d, const char *q)
{
	if (has(d->call_id, q) || has(d->from_uri, q) || has(d->to_uri, q) || has(d->first_method, q))
		return true;
	for (size_t i = 0; i < d->msgs.n; i++)
		if (msg_has(d->msgs.v[i], q))
			return true;
	return false;
}

/* ------------------------------------------------------------------ filter and sort */

enum { RF_ALL, RF_FAILED, RF_CHALLENGED, RF_REGISTERED, RF_UNREGISTERED, RF_PENDING, RF_N };
static const char *const reg_filters[RF_N] = { "all", "failed", "challenged", "registered",
					       "unregistered", "pending" };
enum { DF_ALL, DF_FAILED, DF_N };
static const char *const dlg_filters[DF_N] = { "all", "failed" };

const char *tui_reg_filter_name(int f)
{
	return f >= 0 && f < RF_N ? reg_filters[f] : "?";
}

const char *tui_dlg_filter_name(int f)
{
	return f >= 0 && f < DF_N ? dlg_filters[f] : "?";
}

static bool reg_filter_ok(const struct model *m, const struct aor_hist *a, int f)
{
	enum aor_state s = aor_state_of(m, a);
	switch (f) {
	case RF_FAILED: return s == AOR_FAILED || s == AOR_TIMEOUT;
	case RF_CHALLENGED: return s == AOR_CHALLENGED;
	case RF_REGISTERED: return s == AOR_REGISTERED;
	case RF_UNREGISTERED: return s == AOR_UNREGISTERED || s == AOR_EXPIRED;
	case RF_PENDING: return s == AOR_UNKNOWN;
	default: return true;
	}
}

enum { RS_TIME, RS_AOR, RS_STATE, RS_CODE, RS_ATTEMPTS, RS_N };
static const char *const reg_sorts[RS_N] = { "first seen", "AOR", "state", "code", "attempts" };
enum { DS_TIME, DS_CALLID, DS_METHOD, DS_MSGS, DS_N };
static const char *const dlg_sorts[DS_N] = { "first seen", "Call-ID", "method", "messages" };

/* qsort has no context argument: the model and sort key ride along with
 * each element. */
struct sort_el {
	const void *obj;
	const struct model *m;
	int key;
	size_t pos;
};

static int cmp_i64(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

static int reg_cmp(const void *x, const void *y)
{
	const struct sort_el *ea = x, *eb = y;
	const struct aor_hist *a = ea->obj, *b = eb->obj;
	int c = 0;
	switch (ea->key) {
	case RS_AOR: c = strcmp(a->aor ? a->aor : "", b->aor ? b->aor : ""); break;
	case RS_STATE: c = (int)aor_state_of(ea->m, a) - (int)aor_state_of(eb->m, b); break;
	case RS_CODE: c = aor_last_code(a) - aor_last_code(b); break;
	case RS_ATTEMPTS: c = cmp_i64(a->sum.attempts, b->sum.attempts); break;
	default: c = cmp_i64(a->t_first, b->t_first); break;
	}
	return c ? c : cmp_i64((int64_t)ea->pos, (int64_t)eb->pos);
}

static int dlg_cmp(const void *x, const void *y)
{
	const struct sort_el *ea = x, *eb = y;
	const struct dialog *a = ea->obj, *b = eb->obj;
	int c = 0;
	switch (ea->key) {
	case DS_CALLID: c = strcmp(a->call_id ? a->call_id : "", b->call_id ? b->call_id : ""); break;
	case DS_METHOD:
		c = strcmp(a->first_method ? a->first_method : "", b->first_method ? b->first_method : "");
		break;
	case DS_MSGS: c = cmp_i64((int64_t)a->msgs.n, (int64_t)b->msgs.n); break;
	default: c = cmp_i64(a->t_first, b->t_first); break;
	}
	return c ? c : cmp_i64((int64_t)ea->pos, (int64_t)eb->pos);
}

static void list_fix_sel(struct tui_list *l)
{
	if (l->sel_obj) {
		for (size_t i = 0; i < l->n; i++)
			if (l->v[i] == l->sel_obj) {
				l->sel = (int)i;
				break;
			}
	}
	if (l->sel >= (int)l->n)
		l->sel = (int)l->n - 1;
	if (l->sel < 0)
		l->sel = 0;
	l->sel_obj = l->n ? l->v[l->sel] : NULL;
}

static void list_build(struct tui *t, struct tui_list *l, const struct ptr_vec *src, bool aor)
{
	const struct model *m = t->m;
	size_t n = src->n;
	struct sort_el *el = malloc((n ? n : 1) * sizeof *el);
	const void **v = realloc(l->v, (n ? n : 1) * sizeof *v);
	if (!el || !v) {
		free(el);
		if (v)
			l->v = v;
		return;
	}
	l->v = v;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const void *o = src->v[i];
		if (aor ? !sel_aor(t->opt.sel, o) : !sel_dialog(t->opt.sel, o))
			continue;   /* the command line's selection (select.h) */
		if (aor) {
			if (!reg_filter_ok(m, o, l->filter))
				continue;
			if (t->slen && !aor_match(o, t->search))
				continue;
		} else {
			if (l->filter == DF_FAILED && !dlg_failed(o))
				continue;
			if (t->slen && !dlg_match(o, t->search))
				continue;
		}
		el[k++] = (struct sort_el){ o, m, l->sort, i };
	}
	qsort(el, k, sizeof *el, aor ? reg_cmp : dlg_cmp);
	for (size_t i = 0; i < k; i++)
		l->v[l->rev ? k - 1 - i : i] = el[i].obj;
	l->n = k;
	free(el);
	list_fix_sel(l);
}

void tui_lists_rebuild(struct tui *t)
{
	if (!t->m)
		return;
	list_build(t, &t->regs, &t->m->aors, true);
	list_build(t, &t->dlgs, &t->m->dialogs, false);
}

/* ------------------------------------------------------------------ drawing */

static void title_bar(struct tui *t, const char *what, const struct tui_list *l, size_t total,
		      const char *filter, const char *sort)
{
	attr_t bar = tui_color(t, CP_BAR) | A_BOLD;
	attron(bar);
	mvhline(0, 0, ' ', COLS);
	attroff(bar);
	char b[256];
	snprintf(b, sizeof b, " regtrace - %s (%zu of %zu)  filter: %s  sort: %s%s  [Tab: %s]", what, l->n,
		 total, filter, sort, l->rev ? " (reversed)" : "",
		 t->scr == SCR_REGS ? "dialogs" : "registrations");
	tui_puts(0, 0, COLS, b, bar);
}

static void search_line(struct tui *t)
{
	int y = LINES - 2;
	if (!t->searching && !t->slen)
		return;
	tui_puts(y, 0, COLS, "/", A_BOLD);
	int n = tui_text(t, y, 1, COLS - 30, t->search, A_BOLD);
	if (t->searching) {
		tui_puts(y, 1 + n, 1, "_", A_BLINK);
		tui_puts(y, 3 + n, COLS - 3 - n, "(Enter: keep, Esc: clear)", A_DIM);
	} else {
		tui_puts(y, 2 + n, COLS - 2 - n, "(search; / to edit)", A_DIM);
	}
}

static int list_rows(void)
{
	return LINES - 4;   /* title, header, search line, status */
}

static void list_scroll(struct tui_list *l)
{
	int h = list_rows();
	if (l->sel < l->top)
		l->top = l->sel;
	if (l->sel >= l->top + h)
		l->top = l->sel - h + 1;
	if (l->top < 0)
		l->top = 0;
}

void tui_draw_regs(struct tui *t)
{
	struct tui_list *l = &t->regs;
	title_bar(t, "registrations", l, t->m->aors.n, reg_filters[l->filter], reg_sorts[l->sort]);
	/* columns: state code att ttr expires | AOR | finding | contact | user agent */
	int w = COLS;
	int xs = 0, ws = 13, xc = 14, xa = 19, xt = 23, xe = 32, xaor = 41;
	int rest = w - xaor;
	int waor = rest / 2 < 20 ? rest : rest / 2;
	if (waor > 40)
		waor = 40;
	int xf = xaor + waor + 1, wf = w - xf;
	int xct = -1, wct = 0, xua = -1, wua = 0;
	if (wf > 60) {
		/* wide enough for contact and user agent too */
		wf = (w - xf) / 2;
		xct = xf + wf + 1;
		wct = (w - xct) / 2;
		xua = xct + wct + 1;
		wua = w - xua;
	}
	attr_t h = A_BOLD | A_UNDERLINE;
	tui_puts(1, xs, ws, "STATE", h);
	tui_puts(1, xc, 4, "CODE", h);
	tui_puts(1, xa, 3, "ATT", h);
	tui_puts(1, xt, 8, "TIME-REG", h);
	tui_puts(1, xe, 8, "EXPIRES", h);
	tui_puts(1, xaor, waor, "AOR", h);
	tui_puts(1, xf, wf, "FINDING", h);
	if (xct >= 0) {
		tui_puts(1, xct, wct, "CONTACT", h);
		tui_puts(1, xua, wua, "USER-AGENT", h);
	}
	list_scroll(l);
	if (!l->n)
		tui_puts(3, 2, COLS - 4, t->m->aors.n ? "no registration matches the filter/search"
						      : "no REGISTER seen (Tab: dialogs)", A_DIM);
	for (int r = 0; r < list_rows() && l->top + r < (int)l->n; r++) {
		const struct aor_hist *a = l->v[l->top + r];
		int y = 2 + r;
		bool sel = l->top + r == l->sel;
		attr_t base = sel ? A_REVERSE : A_NORMAL;
		if (sel) {
			attron(A_REVERSE);
			mvhline(y, 0, ' ', COLS);
			attroff(A_REVERSE);
		}
		enum aor_state s = aor_state_of(t->m, a);
		tui_puts(y, xs, ws, state_label(t->m, s), base | A_BOLD | tui_color(t, state_color(s)));
		char b[64];
		int code = aor_last_code(a);
		snprintf(b, sizeof b, code ? "%d" : "-", code);
		tui_puts(y, xc, 4, b, base);
		snprintf(b, sizeof b, "%u", a->sum.attempts);
		tui_puts(y, xa, 3, b, base);
		if (a->sum.time_to_register_ns >= 0) {
			ladder_delta(a->sum.time_to_register_ns, b, sizeof b);
			tui_puts(y, xt, 8, b + 1, base);
		} else {
			tui_puts(y, xt, 8, "-", base);
		}
		fmt_secs(expires_left(t, a), b, sizeof b);
		tui_puts(y, xe, 8, b, base);
		tui_text(t, y, xaor, waor, a->aor, base);
		const struct finding *f = top_finding(a);
		if (f) {
			char fb[512];
			snprintf(fb, sizeof fb, "%s %s: %s", finding_sev_name(f->sev), f->rule ? f->rule : "?",
				 f->message ? f->message : "");
			tui_text(t, y, xf, wf, fb, base | (f->sev >= SEV_ERR ? tui_color(t, CP_RED) : 0));
		} else {
			tui_puts(y, xf, wf, "-", base | A_DIM);
		}
		if (xct >= 0) {
			tui_text(t, y, xct, wct, aor_contact(a), base);
			tui_text(t, y, xua, wua, a->sum.user_agent, base);
		}
	}
	search_line(t);
}

void tui_draw_dlgs(struct tui *t)
{
	struct tui_list *l = &t->dlgs;
	title_bar(t, "dialogs", l, t->m->dialogs.n, dlg_filters[l->filter], dlg_sorts[l->sort]);
	int w = COLS;
	int xt = 0, xm = 16, xn = 27, xc = 32, xid = 37;
	int rest = w - xid;
	int wid = rest / 3 < 16 ? rest : rest / 3;
	int xfr = xid + wid + 1, wfr = (w - xfr) / 2;
	int xto = xfr + wfr + 1, wto = w - xto;
	attr_t h = A_BOLD | A_UNDERLINE;
	tui_puts(1, xt, 15, "START (UTC)", h);
	tui_puts(1, xm, 10, "METHOD", h);
	tui_puts(1, xn, 4, "MSGS", h);
	tui_puts(1, xc, 4, "LAST", h);
	tui_puts(1, xid, wid, "CALL-ID", h);
	if (wfr > 4) {
		tui_puts(1, xfr, wfr, "FROM", h);
		tui_puts(1, xto, wto, "TO", h);
	}
	list_scroll(l);
	if (!l->n)
		tui_puts(3, 2, COLS - 4, "no dialog matches the filter/search", A_DIM);
	for (int r = 0; r < list_rows() && l->top + r < (int)l->n; r++) {
		const struct dialog *d = l->v[l->top + r];
		int y = 2 + r;
		bool sel = l->top + r == l->sel;
		attr_t base = sel ? A_REVERSE : A_NORMAL;
		if (sel) {
			attron(A_REVERSE);
			mvhline(y, 0, ' ', COLS);
			attroff(A_REVERSE);
		}
		char b[64];
		tui_puts(y, xt, 15, ladder_time(d->t_first, b, sizeof b), base);
		tui_text(t, y, xm, 10, d->first_method ? d->first_method : "-", base | A_BOLD);
		snprintf(b, sizeof b, "%zu", d->msgs.n);
		tui_puts(y, xn, 4, b, base);
		int code = dlg_last_code(d);
		snprintf(b, sizeof b, code ? "%d" : "-", code);
		enum tui_color cc = code >= 200 && code < 300 ? CP_GREEN : code >= 300 ? CP_RED : CP_YELLOW;
		tui_puts(y, xc, 4, b, base | tui_color(t, cc));
		tui_text(t, y, xid, wid, d->call_id, base);
		if (wfr > 4) {
			tui_text(t, y, xfr, wfr, d->from_uri, base);
			tui_text(t, y, xto, wto, d->to_uri, base);
		}
	}
	search_line(t);
}

/* ------------------------------------------------------------------ keys */

void tui_list_key(struct tui *t, int ch)
{
	bool regs = t->scr == SCR_REGS;
	struct tui_list *l = regs ? &t->regs : &t->dlgs;
	if (t->searching) {
		if (ch == 27) {              /* Esc: drop the search */
			t->searching = false;
			t->slen = 0;
			t->search[0] = '\0';
		} else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
			t->searching = false;
		} else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
			if (t->slen)
				t->search[--t->slen] = '\0';
		} else if (ch >= 0x20 && ch < 0x7f && t->slen + 1 < sizeof t->search) {
			t->search[t->slen++] = (char)ch;
			t->search[t->slen] = '\0';
		}
		l->sel = 0;
		l->sel_obj = NULL;
		return;
	}
	int page = list_rows() > 1 ? list_rows() - 1 : 1;
	switch (ch) {
	case KEY_UP:
	case 'k':
		l->sel--;
		break;
	case KEY_DOWN:
	case 'j':
		l->sel++;
		break;
	case KEY_PPAGE:
		l->sel -= page;
		break;
	case KEY_NPAGE:
		l->sel += page;
		break;
	case KEY_HOME:
	case 'g':
		l->sel = 0;
		break;
	case KEY_END:
	case 'G':
		l->sel = (int)l->n - 1;
		break;
	case '\t':
		t->scr = t->list_scr = regs ? SCR_DLGS : SCR_REGS;
		return;
	case '/':
		t->searching = true;
		return;
	case 'f':
		l->filter = (l->filter + 1) % (regs ? RF_N : DF_N);
		l->sel = 0;
		l->sel_obj = NULL;
		return;
	case 's':
		l->sort = (l->sort + 1) % (regs ? RS_N : DS_N);
		return;
	case 'r':
		l->rev = !l->rev;
		return;
	case '\n':
	case '\r':
	case KEY_ENTER:
		if (l->n)
			tui_open_ladder(t, l->v[l->sel], regs);
		return;
	case 'q':
		t->quit = true;
		return;
	case 27:
		if (t->slen) {               /* Esc first clears a kept search */
			t->slen = 0;
			t->search[0] = '\0';
			return;
		}
		t->quit = true;
		return;
	default:
		return;
	}
	if (l->sel >= (int)l->n)
		l->sel = (int)l->n - 1;
	if (l->sel < 0)
		l->sel = 0;
	l->sel_obj = l->n ? l->v[l->sel] : NULL;
}
