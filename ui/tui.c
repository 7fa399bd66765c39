/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui.c - see tui.h: terminal set-up and restore, the loop, keys common to
 * every screen, the title and status bars, safe text drawing. */
#include "config.h"

#include "tui_int.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>
#include <wctype.h>

#include "escape.h"

/* A fatal signal handler gets no context pointer: the saved terminal modes
 * it restores are the one piece of state kept outside struct tui. */
static struct termios g_tio;
static volatile sig_atomic_t g_tio_saved, g_screen_on, g_quit_sig;

static void restore_raw(void)
{
	static const char reset[] = "\033[0m\033[?25h\033[?1l\033>\033[?1049l\r\n";
	if (!g_screen_on)
		return;
	ssize_t r = write(STDOUT_FILENO, reset, sizeof reset - 1);
	(void)r;
	if (g_tio_saved)
		tcsetattr(STDOUT_FILENO, TCSANOW, &g_tio);
	g_screen_on = 0;
}

static void on_fatal(int sig)
{
	restore_raw();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_quit_sig(int sig)
{
	(void)sig;
	g_quit_sig = 1;
}

static struct tui *g_atexit_tui;   /* for atexit(): exit() from anywhere still restores */

static void at_exit(void)
{
	if (g_atexit_tui)
		tui_end(g_atexit_tui);
}

attr_t tui_color(const struct tui *t, enum tui_color c)
{
	if (!t->colors)
		return c == CP_GREY ? A_DIM : (c == CP_BAR ? A_REVERSE : A_NORMAL);
	return COLOR_PAIR(c);
}

struct tui *tui_start(const struct tui_opts *o)
{
	struct tui *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->opt = *o;
	t->saved_err = -1;
	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");
	t->utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	if (tcgetattr(STDOUT_FILENO, &g_tio) == 0)
		g_tio_saved = 1;
	/* park stderr: a warning written now would scribble on the screen */
	t->errf = tmpfile();
	if (t->errf) {
		fflush(stderr);
		t->saved_err = dup(STDERR_FILENO);
		if (t->saved_err >= 0)
			dup2(fileno(t->errf), STDERR_FILENO);
	}
	set_escdelay(25);
	if (!initscr()) {
		tui_end(t);
		free(t);
		return NULL;
	}
	t->active = true;
	g_screen_on = 1;
	g_atexit_tui = t;
	atexit(at_exit);
	struct sigaction sa = { 0 };
	sa.sa_handler = on_fatal;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
	if (!o->live) {
		/* live mode: main.c's SIGINT/SIGTERM handler stops the capture */
		sa.sa_handler = on_quit_sig;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
	}
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	if (has_colors()) {
		start_color();
		use_default_colors();
		t->colors = true;
		init_pair(CP_GREEN, COLOR_GREEN, -1);
		init_pair(CP_RED, COLOR_RED, -1);
		init_pair(CP_YELLOW, COLOR_YELLOW, -1);
		init_pair(CP_GREY, COLORS >= 16 ? 8 : COLOR_WHITE, -1);
		init_pair(CP_CYAN, COLOR_CYAN, -1);
		init_pair(CP_BAR, COLOR_BLACK, COLOR_CYAN);
		init_pair(CP_MAGENTA, COLOR_MAGENTA, -1);
	}
	t->scr = t->list_scr = SCR_REGS;
	return t;
}

void tui_end(struct tui *t)
{
	if (!t)
		return;
	if (t->active) {
		endwin();
		t->active = false;
		g_screen_on = 0;
	}
	if (t->saved_err >= 0) {
		fflush(stderr);
		dup2(t->saved_err, STDERR_FILENO);
		close(t->saved_err);
		t->saved_err = -1;
		/* replay what was written meanwhile */
		if (t->errf) {
			rewind(t->errf);
			char buf[4096];
			size_t n;
			while ((n = fread(buf, 1, sizeof buf, t->errf)) > 0)
				if (fwrite(buf, 1, n, stderr) != n)
					break;
		}
	}
	if (t->errf) {
		fclose(t->errf);
		t->errf = NULL;
	}
	ladder_free(t->lad);
	t->lad = NULL;
	free(t->regs.v);
	free(t->dlgs.v);
	t->regs.v = t->dlgs.v = NULL;
	if (g_atexit_tui == t)
		g_atexit_tui = NULL;
	free(t);
}

/* ------------------------------------------------------------------ text */

void tui_puts(int y, int x, int maxw, const char *s, attr_t a)
{
	if (maxw <= 0 || y < 0 || y >= LINES || x >= COLS)
		return;
	if (x + maxw > COLS)
		maxw = COLS - x;
	attron(a);
	mvaddnstr(y, x, s, maxw);
	attroff(a);
}

static int put_wc(int y, int x, int maxw, int used, wchar_t wc, int w, attr_t a)
{
	if (used + w > maxw)
		return -1;
	cchar_t cc;
	wchar_t s[2] = { wc, 0 };
	setcchar(&cc, s, a, PAIR_NUMBER(a), NULL);
	mvadd_wch(y, x + used, &cc);
	return used + w;
}

static int put_hex(int y, int x, int maxw, int used, unsigned char c, attr_t a)
{
	static const char hex[] = "0123456789abcdef";
	char e[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };
	for (int i = 0; i < 4; i++) {
		int u = put_wc(y, x, maxw, used, (wchar_t)e[i], 1, a);
		if (u < 0)
			return -1;
		used = u;
	}
	return used;
}

int tui_text_n(const struct tui *t, int y, int x, int maxw, const char *s, size_t len, attr_t a)
{
	if (!s)
		s = "-", len = 1;
	if (y < 0 || y >= LINES || x >= COLS || maxw <= 0)
		return 0;
	if (x + maxw > COLS)
		maxw = COLS - x;
	/* rt_escape works on NUL-terminated text: a NUL inside ends the line */
	size_t n = strnlen(s, len);
	char *tmp = malloc(n + 1);
	size_t ecap = n * 4 + 8;
	char *e = malloc(ecap);
	if (!tmp || !e) {
		free(tmp);
		free(e);
		return 0;
	}
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	rt_escape(tmp, e, ecap);
	free(tmp);
	int used = 0;
	mbstate_t st;
	memset(&st, 0, sizeof st);
	const char *p = e;
	size_t left = strlen(e);
	while (left && used >= 0) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x80) {
			used = c >= 0x20 && c != 0x7f ? put_wc(y, x, maxw, used, (wchar_t)c, 1, a)
						      : put_hex(y, x, maxw, used, c, a);
			p++;
			left--;
			continue;
		}
		wchar_t wc;
		size_t k = t->utf8 ? mbrtowc(&wc, p, left, &st) : (size_t)-1;
		int w = (k == (size_t)-1 || k == (size_t)-2 || k == 0) ? -1 : wcwidth(wc);
		if (w <= 0 || !iswprint((wint_t)wc)) {
			/* invalid, C1 control, combining or unprintable: inert bytes */
			memset(&st, 0, sizeof st);
			used = put_hex(y, x, maxw, used, c, a);
			p++;
			left--;
			continue;
		}
		used = put_wc(y, x, maxw, used, wc, w, a);
		p += k;
		left -= k;
	}
	free(e);
	return used < 0 ? maxw : used;
}

int tui_text(const struct tui *t, int y, int x, int maxw, const char *s, attr_t a)
{
	return tui_text_n(t, y, x, maxw, s, s ? strlen(s) : 1, a);
}

/* ------------------------------------------------------------------ bars */

static size_t mem_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
}

static void draw_status(struct tui *t)
{
	int y = LINES - 1;
	attr_t bar = tui_color(t, CP_BAR);
	attron(bar);
	mvhline(y, 0, ' ', COLS);
	attroff(bar);
	char buf[256], lead[64] = "";
	size_t mem = mem_in_use();
	if (t->opt.live) {
		snprintf(lead, sizeof lead, "LIVE  ");
	} else if (t->st.loading == 2) {
		snprintf(lead, sizeof lead, "analysing...  ");
	} else if (t->st.loading && t->st.fraction >= 0) {
		/* a 10-cell bar: what a terminal shows of a progress bar in any font */
		int pct = (int)(t->st.fraction * 100.0), cells = pct / 10;
		snprintf(lead, sizeof lead, "loading %3d%% [%.*s%*s]  ", pct, cells, "##########", 10 - cells, "");
	} else if (t->st.loading) {
		snprintf(lead, sizeof lead, "loading...  ");
	}
	/* --max-memory: what went is said where it is missed */
	char ev[48] = "";
	if (t->m && t->m->ev.messages)
		snprintf(ev, sizeof ev, "  %llu evicted", (unsigned long long)t->m->ev.messages);
	snprintf(buf, sizeof buf, " %s%llu packets  %llu SIP msgs  %llu drops  mem %.1f MB%s  %zu AORs  %zu dialogs",
		 lead, (unsigned long long)t->st.packets,
		 (unsigned long long)t->st.sip_msgs, (unsigned long long)t->st.pcap_drops,
		 (double)mem / (1024.0 * 1024.0), ev, t->m ? t->m->aors.n : 0, t->m ? t->m->dialogs.n : 0);
	tui_puts(y, 0, COLS, buf, bar);
	const char *hint = " F1/? help  q back ";
	int hl = (int)strlen(hint);
	if ((int)strlen(buf) + hl < COLS)
		tui_puts(y, COLS - hl, hl, hint, bar | A_BOLD);
}

static void draw(struct tui *t)
{
	erase();
	if (COLS < 40 || LINES < 10) {
		tui_puts(0, 0, COLS, "terminal too small (need 40x10)", A_BOLD);
		refresh();
		return;
	}
	switch (t->scr) {
	case SCR_REGS:
		tui_draw_regs(t);
		break;
	case SCR_DLGS:
		tui_draw_dlgs(t);
		break;
	case SCR_LADDER:
		tui_draw_ladder(t);
		break;
	case SCR_MSG:
		tui_draw_msg(t);
		break;
	case SCR_HELP:
		tui_draw_help(t);
		break;
	}
	draw_status(t);
	refresh();
	clock_gettime(CLOCK_MONOTONIC, &t->last_draw);
}

static void handle_key(struct tui *t, int ch)
{
	if (ch == KEY_RESIZE) {
		clearok(curscr, TRUE);
		return;
	}
	if (ch == 12) {   /* Ctrl-L */
		clearok(curscr, TRUE);
		return;
	}
	if (t->scr == SCR_HELP) {
		t->scr = t->help_from;
		return;
	}
	if (!t->searching && (ch == KEY_F(1) || ch == '?')) {
		t->help_from = t->scr;
		t->scr = SCR_HELP;
		return;
	}
	switch (t->scr) {
	case SCR_REGS:
	case SCR_DLGS:
		tui_list_key(t, ch);
		break;
	case SCR_LADDER:
		tui_ladder_key(t, ch);
		break;
	case SCR_MSG:
		tui_msg_key(t, ch);
		break;
	default:
		break;
	}
}

void tui_run(struct tui *t, const struct model *m, const struct tui_stats *st)
{
	t->m = m;
	t->st = *st;
	timeout(250);
	while (!t->quit && !g_quit_sig) {
		tui_lists_rebuild(t);
		draw(t);
		int ch = getch();
		if (ch != ERR)
			handle_key(t, ch);
	}
}

static double since(const struct timespec *a)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - a->tv_sec) + (double)(now.tv_nsec - a->tv_nsec) / 1e9;
}

bool tui_tick(struct tui *t, const struct model *m, const struct tui_stats *st)
{
	t->m = m;
	bool phase = t->st.loading != st->loading;   /* loading -> analysing: show it now */
	t->st = *st;
	/* called per packet: look at the clock before anything costly; at
	 * most ~5 redraws a second, and fewer when one costs more than a
	 * fiftieth of a second (100k AORs sorted while a file loads): the
	 * screen takes at most a tenth of the time */
	double gap = t->tick_cost * 10 > 0.2 ? t->tick_cost * 10 : 0.2;
	if (!phase && since(&t->last_draw) < gap)
		return t->quit;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	nodelay(stdscr, TRUE);
	/* keys act on what is on screen now: the lists as the model is (a
	 * key typed while a file loads finds the rows it was meant for) */
	bool rebuilt = false;
	int ch;
	while ((ch = getch()) != ERR) {
		if (!rebuilt) {
			tui_lists_rebuild(t);
			rebuilt = true;
		}
		handle_key(t, ch);
		if (t->quit)
			return true;
	}
	if (t->scr == SCR_LADDER || t->scr == SCR_MSG)
		tui_ladder_refresh(t);
	tui_lists_rebuild(t);
	draw(t);
	t->tick_cost = since(&t0);
	return t->quit || g_quit_sig;
}

const char *tui_curses_version(void)
{
	return curses_version();
}
