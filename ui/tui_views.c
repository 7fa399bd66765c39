/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui_views.c - the ladder screen, the message view and the help screen. */
#include "config.h"

#include "tui_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DETAIL_LINES 3

/* ------------------------------------------------------------------ ladder */

static bool row_is_msg(const struct ladder *l, int i)
{
	return i >= 0 && i < (int)l->nrows && l->rows[i].kind == LROW_MSG;
}

/* Nearest message row from i in direction d (+1/-1); i itself if a message. */
static int msg_row_from(const struct ladder *l, int i, int d)
{
	for (; i >= 0 && i < (int)l->nrows; i += d)
		if (row_is_msg(l, i))
			return i;
	return -1;
}

static struct ladder *build(const struct tui *t, const void *obj, bool aor)
{
	return aor ? ladder_for_aor(t->m, obj) : ladder_for_dialog(t->m, obj);
}

void tui_open_ladder(struct tui *t, const void *obj, bool aor)
{
	struct ladder *l = build(t, obj, aor);
	if (!l)
		return;
	ladder_free(t->lad);
	t->lad = l;
	t->lad_obj = obj;
	t->lad_aor = aor;
	t->lad_msgs = t->m->st.msgs + t->m->ev.passes;
	t->lsel = msg_row_from(l, 0, 1);
	if (t->lsel < 0)
		t->lsel = 0;
	t->ltop = 0;
	t->scr = SCR_LADDER;
}

/* Live mode: the flow grew; rebuild and keep the selected message. */
void tui_ladder_refresh(struct tui *t)
{
	/* messages added or shed (model_shed: the rows' records may be gone,
	 * so they are not read here, only their ids) */
	if (!t->lad || t->m->st.msgs + t->m->ev.passes == t->lad_msgs)
		return;
	uint64_t keep = row_is_msg(t->lad, t->lsel) ? t->lad->rows[t->lsel].msg_id : 0;
	struct ladder *l = build(t, t->lad_obj, t->lad_aor);
	if (!l)
		return;
	ladder_free(t->lad);
	t->lad = l;
	t->lad_msgs = t->m->st.msgs + t->m->ev.passes;
	t->lsel = msg_row_from(l, 0, 1);
	for (size_t i = 0; keep && i < l->nrows; i++)
		if (l->rows[i].msg && l->rows[i].msg_id == keep)
			t->lsel = (int)i;
	if (t->lsel < 0)
		t->lsel = 0;
}

static enum tui_color class_color(enum ladder_row_class c)
{
	switch (c) {
	case LCLS_OK: return CP_GREEN;
	case LCLS_CHALLENGE: return CP_YELLOW;
	case LCLS_ERROR: return CP_RED;
	case LCLS_REDIRECT: return CP_CYAN;
	case LCLS_PROV: return CP_GREY;
	default: return 0;
	}
}

static void bar(struct tui *t, int y, const char *text)
{
	attr_t b = tui_color(t, CP_BAR) | A_BOLD;
	attron(b);
	mvhline(y, 0, ' ', COLS);
	attroff(b);
	tui_puts(y, 0, COLS, text, b);
}

static int ladder_rows_h(const struct ladder *l)
{
	return LINES - 2 - DETAIL_LINES - (int)ladder_header_lines(l);
}

static void msg_summary(struct tui *t, int y, const struct sip_msg *m)
{
	char b[512], s[RT_ADDR_STRLEN], d[RT_ADDR_STRLEN], tm[24];
	char ifc[16] = "";
	if (m->iface)   /* a pcapng file with several interfaces (tshark's frame.interface_id) */
		snprintf(ifc, sizeof ifc, "if%u  ", m->iface - 1);
	snprintf(b, sizeof b, "frame %llu  %s%s  %s -> %s  %s  ", (unsigned long long)m->frame, ifc,
		 ladder_time(m->ts_ns, tm, sizeof tm), rt_addr_str(&m->src, s, sizeof s),
		 rt_addr_str(&m->dst, d, sizeof d), rt_transport_name(m->transport));
	tui_puts(y, 0, COLS, b, A_BOLD);
	int x = (int)strlen(b);
	if (m->request) {
		x += tui_text(t, y, x, COLS - x, m->method, A_BOLD);
		x += 1;
		x += tui_text(t, y, x, COLS - x, m->ruri, A_NORMAL);
	} else {
		snprintf(b, sizeof b, "%d ", m->status);
		tui_puts(y, x, COLS - x, b, A_BOLD);
		x += (int)strlen(b);
		x += tui_text(t, y, x, COLS - x, m->reason, A_NORMAL);
	}
	snprintf(b, sizeof b, "  CSeq %u  Call-ID ", m->cseq);
	tui_puts(y, x, COLS - x, b, A_DIM);
	x += (int)strlen(b);
	tui_text(t, y, x, COLS - x, m->call_id, A_DIM);
}

void tui_draw_ladder(struct tui *t)
{
	struct ladder *l = t->lad;
	if (!l)
		return;
	ladder_layout(l, COLS);
	char title[256];
	int nmsg = 0, cur = 0;
	for (size_t i = 0; i < l->nrows; i++)
		if (l->rows[i].kind == LROW_MSG) {
			nmsg++;
			if ((int)i == t->lsel)
				cur = nmsg;
		}
	snprintf(title, sizeof title, " %s  [%d/%d]  Enter: message", l->title, cur, nmsg);
	bar(t, 0, title);
	int cap = COLS + 1;
	wchar_t *cells = malloc((size_t)cap * sizeof *cells);
	if (!cells)
		return;
	int hl = (int)ladder_header_lines(l);
	for (int i = 0; i < hl; i++) {
		int n = ladder_render_header(l, (size_t)i, t->utf8, cells, cap);
		attron(A_BOLD);
		mvaddnwstr(1 + i, 0, cells, n);
		attroff(A_BOLD);
	}
	int y0 = 1 + hl, h = ladder_rows_h(l);
	if (t->lsel < t->ltop)
		t->ltop = t->lsel;
	if (t->lsel >= t->ltop + h)
		t->ltop = t->lsel - h + 1;
	if (t->ltop < 0)
		t->ltop = 0;
	for (int r = 0; r < h && t->ltop + r < (int)l->nrows; r++) {
		int i = t->ltop + r, y = y0 + r;
		const struct ladder_row *row = &l->rows[i];
		int n = ladder_render_row(l, (size_t)i, t->utf8, cells, cap);
		mvaddnwstr(y, 0, cells, n);
		if (row->kind == LROW_SEP) {
			mvchgat(y, 0, n, A_BOLD, t->colors ? CP_MAGENTA : 0, NULL);
			continue;
		}
		attr_t extra = i == t->lsel ? A_REVERSE : A_NORMAL;
		short cp = t->colors ? (short)class_color(row->cls) : 0;
		attr_t dim = row->retrans || (!t->colors && row->cls == LCLS_PROV) ? A_DIM : 0;
		if (i == t->lsel)
			mvchgat(y, 0, l->diag_x0, A_REVERSE, 0, NULL);
		int dw = l->diag_x1 - l->diag_x0;
		if (l->diag_x0 < n)
			mvchgat(y, l->diag_x0, dw < n - l->diag_x0 ? dw : n - l->diag_x0,
				extra | dim | (row->cls == LCLS_REQUEST ? A_BOLD : 0), cp, NULL);
		if (row->note[0] && l->note_x < n)
			mvchgat(y, l->note_x, n - l->note_x,
				extra | (row->nfindings ? A_BOLD : A_DIM), row->nfindings && t->colors ? CP_RED : 0,
				NULL);
	}
	free(cells);
	/* detail: the selected message and the findings beside it */
	int yd = LINES - 1 - DETAIL_LINES;
	mvhline(yd, 0, t->utf8 ? ACS_HLINE : '-', COLS);
	if (row_is_msg(l, t->lsel)) {
		const struct ladder_row *row = &l->rows[t->lsel];
		msg_summary(t, yd + 1, row->msg);
		const struct finding *f = NULL;
		size_t fi = 0;
		if (row->nfindings)
			f = l->findings[fi = row->findings[0]];
		else if (l->nfindings)
			f = l->findings[0];
		if (f) {
			char b[640];
			snprintf(b, sizeof b, "%s[%zu] %s %s: %s%s%s", row->nfindings ? "" : "finding on this ladder: ",
				 fi + 1, finding_sev_name(f->sev), f->rule ? f->rule : "?",
				 f->message ? f->message : "", f->fix ? "  fix: " : "", f->fix ? f->fix : "");
			tui_text(t, yd + 2, 0, COLS, b, (row->nfindings ? A_BOLD : 0) | tui_color(t, CP_RED));
		} else if (row->note[0]) {
			tui_text(t, yd + 2, 0, COLS, row->note, A_DIM);
		}
	} else if (!l->nrows) {
		tui_puts(yd + 1, 0, COLS, "no messages", A_DIM);
	}
}

static void ladder_move(struct tui *t, int d, int count)
{
	struct ladder *l = t->lad;
	int i = t->lsel;
	for (int k = 0; k < count; k++) {
		int n = msg_row_from(l, i + d, d);
		if (n < 0)
			break;
		i = n;
	}
	t->lsel = i;
}

void tui_ladder_key(struct tui *t, int ch)
{
	struct ladder *l = t->lad;
	int page = l ? ladder_rows_h(l) - 1 : 1;
	if (page < 1)
		page = 1;
	switch (ch) {
	case KEY_UP:
	case 'k':
		ladder_move(t, -1, 1);
		break;
	case KEY_DOWN:
	case 'j':
		ladder_move(t, 1, 1);
		break;
	case KEY_PPAGE:
		ladder_move(t, -1, page);
		break;
	case KEY_NPAGE:
		ladder_move(t, 1, page);
		break;
	case KEY_HOME:
	case 'g':
		t->lsel = msg_row_from(l, 0, 1);
		break;
	case KEY_END:
	case 'G':
		t->lsel = msg_row_from(l, (int)l->nrows - 1, -1);
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
		if (row_is_msg(l, t->lsel)) {
			t->mtop = 0;
			t->scr = SCR_MSG;
		}
		break;
	case 'q':
	case 27:
		t->scr = t->list_scr;
		break;
	default:
		break;
	}
	if (t->lsel < 0)
		t->lsel = 0;
}

/* ------------------------------------------------------------------ message view */

enum line_kind { LK_START, LK_HDR, LK_AUTH, LK_BODY, LK_DEC_TITLE, LK_DEC };

struct mline {
	const char *p;
	size_t len;
	enum line_kind kind;
	char *own;              /* decoded lines are built here */
};

struct mlines {
	struct mline *v;
	size_t n, cap;
};

static void ml_add(struct mlines *ml, const char *p, size_t len, enum line_kind k, char *own)
{
	if (ml->n == ml->cap) {
		size_t nc = ml->cap ? ml->cap * 2 : 64;
		struct mline *nv = realloc(ml->v, nc * sizeof *nv);
		if (!nv) {
			free(own);
			return;
		}
		ml->v = nv;
		ml->cap = nc;
	}
	ml->v[ml->n++] = (struct mline){ p, len, k, own };
}

static void ml_field(struct mlines *ml, const char *name, const char *val)
{
	if (!val)
		return;
	char *s;
	if (asprintf(&s, "    %-10s %s", name, val) < 0)
		return;
	ml_add(ml, s, strlen(s), LK_DEC, s);
}

static void ml_title(struct mlines *ml, const char *fmt, const char *a)
{
	char *s;
	if (asprintf(&s, fmt, a ? a : "?") < 0)
		return;
	ml_add(ml, s, strlen(s), LK_DEC_TITLE, s);
}

static bool is_auth_header(const char *p, size_t len)
{
	static const char *const names[] = { "authorization:", "proxy-authorization:", "www-authenticate:",
					     "proxy-authenticate:" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		size_t n = strlen(names[i]);
		if (len >= n && !strncasecmp(p, names[i], n))
			return true;
	}
	return false;
}

static void build_lines(const struct sip_msg *m, struct mlines *ml)
{
	/* the digest fields, decoded, first: they are what a registration
	 * problem usually hinges on and the raw headers are long */
	for (int i = 0; i < m->ncreds; i++) {
		const struct sip_cred *c = &m->creds[i];
		ml_title(ml, c->proxy ? "Proxy-Authorization (%s), decoded:" : "Authorization (%s), decoded:",
			 c->scheme);
		ml_field(ml, "username", c->username);
		ml_field(ml, "realm", c->realm);
		ml_field(ml, "nonce", c->nonce);
		ml_field(ml, "uri", c->uri);
		ml_field(ml, "response", c->response);
		ml_field(ml, "algorithm", c->algorithm);
		ml_field(ml, "qop", c->qop);
		ml_field(ml, "nc", c->nc);
		ml_field(ml, "cnonce", c->cnonce);
		ml_field(ml, "opaque", c->opaque);
	}
	for (int i = 0; i < m->nchals; i++) {
		const struct sip_chal *c = &m->chals[i];
		ml_title(ml, c->proxy ? "Proxy-Authenticate (%s), decoded:" : "WWW-Authenticate (%s), decoded:",
			 c->scheme);
		ml_field(ml, "realm", c->realm);
		ml_field(ml, "nonce", c->nonce);
		ml_field(ml, "opaque", c->opaque);
		ml_field(ml, "algorithm", c->algorithm);
		ml_field(ml, "qop", c->qop);
		ml_field(ml, "domain", c->domain);
		ml_field(ml, "stale", c->stale ? "true" : NULL);
	}
	if (m->ncreds || m->nchals)
		ml_add(ml, "", 0, LK_BODY, NULL);
	const char *p = m->raw, *end = m->raw ? m->raw + m->raw_len : NULL;
	bool first = true, body = false;
	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t shown = len;
		if (shown && p[shown - 1] == '\r')
			shown--;
		enum line_kind k = LK_BODY;
		if (first)
			k = LK_START;
		else if (!body && shown == 0)
			body = true;
		else if (!body)
			k = is_auth_header(p, shown) ? LK_AUTH : LK_HDR;
		ml_add(ml, p, shown, k, NULL);
		first = false;
		p += len + (nl ? 1 : 0);
	}
}

static void free_lines(struct mlines *ml)
{
	for (size_t i = 0; i < ml->n; i++)
		free(ml->v[i].own);
	free(ml->v);
}

static int msg_h(void)
{
	return LINES - 2;
}

void tui_draw_msg(struct tui *t)
{
	struct ladder *l = t->lad;
	if (!l || !row_is_msg(l, t->lsel))
		return;
	const struct sip_msg *m = l->rows[t->lsel].msg;
	int nmsg = 0, cur = 0;
	for (size_t i = 0; i < l->nrows; i++)
		if (l->rows[i].kind == LROW_MSG) {
			nmsg++;
			if ((int)i == t->lsel)
				cur = nmsg;
		}
	char title[128];
	snprintf(title, sizeof title, " message %d/%d   n: next  p: previous  q: back to the ladder", cur, nmsg);
	bar(t, 0, title);
	msg_summary(t, 1, m);
	struct mlines ml = { 0 };
	build_lines(m, &ml);
	int h = msg_h() - 1;
	/* scrolls until the last line is at the top, like a pager */
	if (t->mtop > (int)ml.n - 1)
		t->mtop = (int)ml.n - 1;
	if (t->mtop < 0)
		t->mtop = 0;
	for (int r = 0; r < h && t->mtop + r < (int)ml.n; r++) {
		const struct mline *ln = &ml.v[t->mtop + r];
		int y = 2 + r;
		switch (ln->kind) {
		case LK_START:
			tui_text_n(t, y, 0, COLS, ln->p, ln->len, A_BOLD);
			break;
		case LK_HDR:
		case LK_AUTH: {
			const char *c = memchr(ln->p, ':', ln->len);
			size_t nl = c ? (size_t)(c - ln->p) + 1 : ln->len;
			attr_t na = A_BOLD | tui_color(t, ln->kind == LK_AUTH ? CP_YELLOW : CP_CYAN);
			int x = tui_text_n(t, y, 0, COLS, ln->p, nl, na);
			tui_text_n(t, y, x, COLS - x, ln->p + nl, ln->len - nl,
				   ln->kind == LK_AUTH ? tui_color(t, CP_YELLOW) : A_NORMAL);
			break;
		}
		case LK_DEC_TITLE:
			tui_text_n(t, y, 0, COLS, ln->p, ln->len, A_BOLD | tui_color(t, CP_MAGENTA));
			break;
		case LK_DEC:
			tui_text_n(t, y, 0, COLS, ln->p, ln->len, tui_color(t, CP_MAGENTA));
			break;
		default:
			tui_text_n(t, y, 0, COLS, ln->p, ln->len, A_NORMAL);
			break;
		}
	}
	free_lines(&ml);
}

void tui_msg_key(struct tui *t, int ch)
{
	int page = msg_h() - 2;
	if (page < 1)
		page = 1;
	switch (ch) {
	case 'n':
	case KEY_RIGHT:
		ladder_move(t, 1, 1);
		t->mtop = 0;
		break;
	case 'p':
	case KEY_LEFT:
		ladder_move(t, -1, 1);
		t->mtop = 0;
		break;
	case KEY_UP:
	case 'k':
		t->mtop--;
		break;
	case KEY_DOWN:
	case 'j':
		t->mtop++;
		break;
	case KEY_PPAGE:
		t->mtop -= page;
		break;
	case KEY_NPAGE:
		t->mtop += page;
		break;
	case 'q':
	case 27:
		t->scr = SCR_LADDER;
		break;
	default:
		break;
	}
	if (t->mtop < 0)
		t->mtop = 0;
}

/* ------------------------------------------------------------------ help */

static const char *const help_text[] = {
	"Lists (registrations: the start screen; dialogs)",
	"  Up/Down, j/k        move the selection",
	"  PgUp/PgDn           one page",
	"  Home/End, g/G       first / last row",
	"  Enter               open the ladder of the selected row",
	"  Tab                 registrations <-> dialogs (every Call-ID)",
	"  /                   search AOR, user, IP, Call-ID, method, code (Enter keeps, Esc clears)",
	"  f                   state filter: all, failed, challenged, registered, unregistered, pending",
	"  s                   next sort column;   r  reverse the sort",
	"Ladder",
	"  Up/Down, j/k        select a message;  PgUp/PgDn, Home/End, g/G",
	"  Enter               open the selected message",
	"Message",
	"  n/Right, p/Left     next / previous message",
	"  Up/Down, j/k        scroll;  PgUp/PgDn  one page",
	"Everywhere",
	"  F1, ?               this help (any key closes it)",
	"  Ctrl-L              redraw the screen",
	"  q, Esc              back one screen; q on a list quits",
	"",
	"Arrows: requests bold, 2xx green, 401/407 yellow, errors red, retransmissions dim;",
	"notes beside an arrow: TLS/WSS (decrypted), challenge -> #frame, auth for #frame, exp/granted seconds, [n] findings.",
};

void tui_draw_help(struct tui *t)
{
	bar(t, 0, " regtrace - help: keys (any key closes)");
	int n = (int)(sizeof help_text / sizeof help_text[0]);
	for (int i = 0; i < n && 2 + i < LINES - 1; i++) {
		attr_t a = help_text[i][0] != ' ' && help_text[i][0] ? A_BOLD | A_UNDERLINE : A_NORMAL;
		tui_puts(2 + i, 1, COLS - 2, help_text[i], a);
	}
}
