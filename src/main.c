/* SPDX-License-Identifier: GPL-2.0-or-later */
/* main.c - regtrace's command line: options, inputs, outputs, exit status.
 *
 * Exit status (the first that applies): 2 usage error or no input readable; else 1
 * when a --fail-on condition holds; else 3 when an input was truncated or
 * damaged; else 0.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "capture.h"
#include "dissect.h"
#include "escape.h"
#include "json_out.h"
#include "model.h"
#include "report.h"
#include "ladder.h"
#include "tui.h"
#include "hep_listen.h"
#include "hep_send.h"
#include "privdrop.h"
#include "metrics.h"
#include "diag.h"
#include "cred.h"
#include "pipeline.h"
#include "membound.h"
#include "version.h"
#include "select.h"
#include "html.h"
#include "tls_keylog.h"
#include "pcapw.h"
#include "wsel.h"

/* --max-memory defaults (MiB): outputs that need no message at the end, and
 * those that show them (--json, the screen, --ladder, --html). */
#define RT_MEM_DEFAULT_MB 96
#define RT_MEM_DETAIL_MB 512

struct app {
	/* options */
	char **files;
	int nfiles;
	glob_t globbed;           /* the -r arguments, globs expanded */
	const char *iface;
	char *more_ifaces[CAP_MAX_LIVE];   /* further -i */
	const char *hep_listen;   /* --hep-listen [ADDR:]PORT */
	const char **hep_targets; /* --hep-send, repeatable */
	size_t nhep_targets;
	struct hep_send_opts hep; /* --hep-id, --hep-key, --hep-node, --hep-queue */
	struct hep_send *hs;
	const char *z_user;       /* -Z USER */
	const char *metrics_spec; /* --metrics [ADDR:]PORT */
	struct metrics *mt;
	struct timespec mt_last;  /* when the metrics page was last rendered */
	uint64_t mt_packets, mt_drops;
	struct model_opts mo_next;/* the model callbacks app_attempt/app_txn pass events on to (--jsonl's) */
	struct diag_live *dl;     /* findings as they happen (diag.h); NULL: only at the end */
	struct privdrop priv;
	const char *tls_keylog_path; /* --tls-keylog FILE */
	struct tls_keylog *keylog;
	/* TLS connections not decrypted, formatted for the finding and JSON */
	char tls_addr[TLS_UNDEC_LIST_MAX][2][RT_ADDR_STRLEN];
	struct json_tls_conn tls_undec[TLS_UNDEC_LIST_MAX];
	char tls_servers[1024];
	char *bpf;
	struct cap_opts cap;
	bool messages;            /* --messages */
	bool live;
	uint64_t delivered;       /* SIP messages that reached on_msg */
	bool report;              /* --report (default when stdout is not a terminal) */
	bool verbose;             /* -v: the report lists INFO findings too */
	bool json;                /* --json[=FILE] */
	const char *json_path;    /* NULL or "-": stdout */
	bool json_raw;            /* --json-raw */
	bool jsonl;               /* --jsonl */
	const char *fail_on;      /* --fail-on=COND */
	bool ladder;              /* --ladder: text ladders */
	int tui;                  /* --tui 1, --no-tui/-N -1, 0: when stdout is a terminal */
	bool use_tui;
	struct tui *ui;           /* the screen while it is active */
	struct diag_opts diag;    /* --credentials, --rule-opt (diagnosis) */
	struct cred_store *creds;
	struct model *model;
	struct json_out *jo, *jl;
	FILE *json_f;
	/* state */
	struct dis_ctx *dis;
	struct cap_result res;
	size_t max_memory;        /* --max-memory (bytes) */
	struct membound *mb;      /* --max-memory (membound.h); NULL: no bound */
	uint32_t mb_tick;         /* messages since the bound was last read */
	struct rt_select sel;     /* --aor, --state, --finding: what every output shows */
	const char *html_path;    /* --html FILE */
	FILE *html_f;
	/* -w */
	struct pw_opts pwo;       /* --pcapng, -C, -G, -W */
	struct pw *pw;
	struct wsel *wsel;        /* -w with a selection */
	size_t write_hold;        /* --write-hold (bytes) */
	struct rt_select wsnap;   /* live: the selection as it stands, for -w */
	unsigned char *wsent;     /* live: dialogs (by id - 1) already handed to wsel */
	size_t nwsent;
	struct timespec ws_last;
	bool write_closed;
	int write_rc;             /* 2: something was not written */
	struct pw_stats pws;
	struct wsel_stats wss;
	struct json_write jw;
};

static volatile sig_atomic_t g_stop;   /* set by SIGINT/SIGTERM only */

static void on_signal(int sig)
{
	(void)sig;
	g_stop = 1;
	cap_break();
}

static void on_hup(int sig)
{
	(void)sig;
	pw_request_rotate();   /* -w: the next file before the next packet */
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: regtrace [options] [-r FILE]... [-i IFACE] [BPF expression]\n"
		"\n"
		"Reads SIP from capture files or a live interface and explains registrations.\n"
		"\n"
		"inputs:\n"
		"  -r FILE          read a pcap or pcapng file ('-' = stdin), compressed or not; may\n"
		"                   repeat, or be a quoted glob ('dir/*.pcap*'): read as one capture,\n"
		"                   merged by time where the files overlap, else in the given order\n"
		"  --no-merge       several -r: read one after the other, not merged by time\n"
		"  -i IFACE         capture live on IFACE ('any' for all); may repeat\n"
		"  -c COUNT         stop after COUNT packets\n"
		"  -s SNAPLEN       live: bytes kept of each packet (default and 0: 262144)\n"
		"  -B KIB           live: kernel capture buffer in KiB (default 32768)\n"
		"  --hep-listen [udp:|tcp:][ADDR:]PORT  receive HEP (heplify, Kamailio siptrace, ...)\n"
		"  --hep-send [udp:|tcp:]HOST:PORT  send each SIP message as HEPv3 to a HOMER\n"
		"                   collector (heplify-server, HOMER); may repeat\n"
		"  --hep-id N       HEP capture agent id (default 2002, as heplify)\n"
		"  --hep-key KEY    HEP authentication key: sent, and required of what --hep-listen takes\n"
		"  --hep-node NAME  HEP node name (default: the host name)\n"
		"  --hep-queue N    TCP: messages queued per collector while it is down (default 10000)\n"
		"  --tls-keylog FILE  decrypt SIP over TLS / WSS with an NSS key log (SSLKEYLOGFILE\n"
		"                   of the client: curl, Firefox, Python ssl keylog_filename,\n"
		"                   openssl s_client -keylogfile); re-read as it grows\n"
		"  BPF expression   as with tcpdump; without one every packet is examined\n"
		"outputs:\n"
		"  --messages       one line per SIP message (tab-separated)\n"
		"  --report         one line per AOR, then totals and the findings in words\n"
		"                   (default when stdout is not a terminal)\n"
		"  -v, --verbose    the report lists INFO findings too (otherwise counted)\n"
		"  --json[=FILE]    one JSON document (docs/json.md) on stdout or in FILE\n"
		"  --json-raw       include each message's text in the JSON\n"
		"  --jsonl          JSON Lines on stdout, one object per message/transaction/attempt\n"
		"  --ladder         an ASCII ladder diagram per registration and per non-REGISTER dialog\n"
		"  --html FILE      a self-contained HTML report: summary, timelines, ladders\n"
		"  --tui            the interactive screen (default when stdout is a terminal)\n"
		"  -N, --no-tui     never start the interactive screen\n"
		"  --fail-on=COND   exit 1 when COND holds: failed, expired, any-finding\n"
		"diagnosis:\n"
		"  --list-rules     the diagnosis rules: id, severity, title, thresholds\n"
		"  --credentials FILE  user:password / user@realm:password / user:realm:HA1=hex lines\n"
		"                   (mode 600): verify digest responses (REG-AUTH-BADPW/-VARIANT)\n"
		"  --rule-opt NAME=VALUE  change a rule threshold (names in --list-rules)\n"
		"  --profile gb28181  GB/T 28181 registration rules (on by itself for 20-digit IDs)\n"
		"  --max-memory SIZE  RAM budget (default 512M; k/M/G): messages and model objects\n"
		"                   live in an unlinked temp file, at most SIZE/16 of it in RAM,\n"
		"                   oldest dropped first and re-read when needed\n"
		"  -w FILE          write the packets that carried SIP to FILE (pcap); with --aor,\n"
		"                   --state or --finding only the selected registrations' packets\n"
		"                   (their transactions and dialogs, every TCP segment and IP fragment)\n"
		"  --pcapng         -w writes pcapng (an interface block per link type)\n"
		"  -C SIZE          -w: a new file once this one is larger than SIZE millions of bytes\n"
		"                   (or SIZE with k, m, g: KiB, MiB, GiB): FILE, FILE1, FILE2...\n"
		"  -G SECONDS       -w: a new file every SECONDS of capture time; FILE may hold\n"
		"                   strftime(3) conversions (%%Y%%m%%d-%%H%%M%%S)\n"
		"  -W COUNT         with -C: a ring of COUNT files (FILE0..); with -G: stop writing after\n"
		"                   COUNT files.  SIGHUP starts the next file at once\n"
		"  --write-hold SIZE  live or stdin -w with a selection: packets held until their\n"
		"                   registration is selected (default 64M; evictions are counted)\n"
		"  -Z USER          run as USER once interfaces, sockets and files are open (a live\n"
		"                   capture started as root runs as 'regtrace' or 'nobody' without\n"
		"                   it; -Z root keeps root; with -r, the files must be USER's to read)\n"
		"  --metrics [ADDR:]PORT  Prometheus metrics at http://ADDR:PORT/metrics while running\n"
		"                   (ADDR defaults to 127.0.0.1)\n"
		"selection (every output; repeat an option for 'or', combine for 'and'):\n"
		"  --aor PATTERN    registrations whose AOR matches the glob (e.g. 'sip:bob@*')\n"
		"  --state STATE    registered, failed, challenged, unregistered, expired,\n"
		"                   timeout or unknown\n"
		"  --finding RULE   registrations with a finding of RULE (a glob: 'REG-AUTH-*')\n"
		"                   with their dialogs and messages; no match: empty output\n"
		"  -h, --help       this help\n"
		"  -V, --version    version\n"
		"\n"
		"exit status: 0 ok, 1 --fail-on condition held, 2 usage error or unreadable input,\n"
		"             3 an input was truncated or damaged (what came before was analysed)\n");
}

/* frame \t epoch.usec \t src -> dst \t TRANSPORT \t what \t Call-ID [\t malformed reason] */
static void print_message_line(const struct app *a, const struct sip_msg *m)
{
	char s[RT_ADDR_STRLEN], t[RT_ADDR_STRLEN];
	FILE *f = stdout;
	if (a->nfiles > 1) {
		rt_fputs_escaped(a->files[m->file], f);
		fputc('\t', f);
	}
	if (m->iface)   /* a pcapng file with several interfaces: which one, as tshark numbers them */
		fprintf(f, "if%u\t", m->iface - 1);
	int64_t us = m->ts_ns / 1000;
	fprintf(f, "%llu\t%lld.%06lld\t%s -> %s\t%s\t", (unsigned long long)m->frame,
		(long long)(us / 1000000), (long long)(us % 1000000),
		rt_addr_str(&m->src, s, sizeof s), rt_addr_str(&m->dst, t, sizeof t),
		rt_transport_name(m->transport));
	if (m->request) {
		rt_fputs_escaped(m->method ? m->method : "?", f);
	} else {
		fprintf(f, "%d ", m->status);
		rt_fputs_escaped(m->reason ? m->reason : "", f);
	}
	fputc('\t', f);
	rt_fputs_escaped(m->call_id ? m->call_id : "-", f);
	if (m->malformed) {
		fputs("\tmalformed ", f);
		rt_fputs_escaped(m->malformed_reason, f);
	}
	fputc('\n', f);
}

/* The model's events: metrics count them, the live diagnosis marks the
 * AOR for evaluation, then --jsonl (if any) gets them. */
static void app_attempt(void *user, const struct model *m, const struct reg_attempt *at)
{
	struct app *a = user;
	if (a->mt)
		metrics_on_attempt(a->mt, at);
	diag_live_touch(a->dl, at->aor);
	if (a->mo_next.on_attempt_done)
		a->mo_next.on_attempt_done(a->mo_next.user, m, at);
}

static void app_txn(void *user, const struct model *m, const struct txn *t)
{
	struct app *a = user;
	diag_live_touch(a->dl, t->aor);
	if (a->mo_next.on_txn_done)
		a->mo_next.on_txn_done(a->mo_next.user, m, t);
}

/* diag_live's reports: --jsonl lines (the live TUI reads the AORs' findings) */
static void app_finding(void *user, const struct finding *f, enum diag_live_ev ev)
{
	struct app *a = user;
	if (!a->jl)
		return;
	if (ev == DIAG_LIVE_NEW)
		jsonl_finding(a->jl, f, true);
	else
		jsonl_finding_withdrawn(a->jl, f);
}

static bool app_reported(void *user, const struct finding *f)
{
	return diag_live_reported(user, f);
}

/* model_shed()'s keep: the rules see the detail once more before it goes */
static void app_keep(void *user, struct model *m, struct aor_hist **aors, size_t n)
{
	struct app *a = user;
	diag_keep_shed(m, &a->diag, aors, n);
}

/* The bound: shed what is over when the records held near it. */
static void mem_check(struct app *a)
{
	uint64_t held = model_held_bytes(a->model);
	uint64_t want = membound_due(a->mb, held, model_fixed_bytes(a->model));
	if (!want)
		return;
	uint64_t freed = model_shed(a->model, want, app_keep, a);
	membound_after(a->mb, held > freed ? held - freed : 0, model_fixed_bytes(a->model));
}

/* --max-memory, or the default: outputs that show messages at the end
 * (--json, the screen, --ladder, --html) keep more of them. */
static size_t mem_limit(const struct app *a)
{
	if (a->max_memory)
		return a->max_memory;
#if defined(__SANITIZE_ADDRESS__)
	/* AddressSanitizer's shadow memory is in RSS: a default bound would
	 * shed on every small capture and change what the tests compare */
	return 0;
#endif
	bool detail = a->json || a->use_tui || a->ladder || a->html_f;
	return (size_t)(detail ? RT_MEM_DETAIL_MB : RT_MEM_DEFAULT_MB) << 20;
}

static void print_evicted(struct app *a)
{
	if (!a->model)
		return;
	const struct model_evicted *e = &a->model->ev;
	size_t lim = mem_limit(a);
	if (e->messages)
		fprintf(stderr, "regtrace: --max-memory %zu MiB: the detail of %llu messages (%.1f MiB) and "
			"%llu transactions of what was over was evicted; registrations, their attempts, "
			"bindings and findings stay (capture.evicted in --json)\n", lim >> 20,
			(unsigned long long)e->messages, e->bytes / 1048576.0,
			(unsigned long long)e->transactions);
	struct membound_stats ms;
	membound_get_stats(a->mb, &ms);
	if (ms.rss_peak_over)
		fprintf(stderr, "regtrace: --max-memory %zu MiB exceeded (peak RSS %.0f MiB): what cannot "
			"be evicted (registrations, open transactions, dialogs) needs more\n",
			lim >> 20, ms.rss_peak_over / 1048576.0);
}

static void live_checkpoint(struct app *a, int64_t next_ts)
{
	if (a->dl && diag_live_due(a->dl, a->model, next_ts, a->live))
		diag_live_eval(a->dl, a->model);
}

static void metrics_render(struct app *a, const struct cap_result *r, bool force);

static void on_msg(void *user, struct sip_msg *m)
{
	struct app *a = user;
	a->delivered++;
	if (a->hs)
		hep_send_msg(a->hs, m);
	bool held = sel_active(&a->sel);   /* written at the end, if selected */
	if (a->messages && !held)
		print_message_line(a, m);
	if (a->jo && !held)
		json_message(a->jo, m);
	if (a->jl && !held)
		jsonl_message(a->jl, m);
	if (a->model) {
		live_checkpoint(a, m->ts_ns);
		model_add_msg(a->model, m);   /* takes ownership */
		if (a->mb && ++a->mb_tick >= 1024) {
			a->mb_tick = 0;
			mem_check(a);
		}
	} else {
		sip_msg_free(m);
	}
	if (a->mt && !(a->delivered & 1023))
		metrics_render(a, NULL, false);
}

static void on_icmp(void *user, const struct icmp_evt *e)
{
	struct app *a = user;
	if (a->model)
		model_add_icmp(a->model, e);
}

/* The next input starts before those read so far end (see model_rewind). */
static void on_rewind(void *user, int64_t seg_end_ns)
{
	struct app *a = user;
	if (a->model)
		model_rewind(a->model, seg_end_ns);
}

static void tui_stats_of(const struct app *a, const struct cap_result *r, struct tui_stats *ts)
{
	/* messages counted as they reach this thread: the dissectors' own
	 * counters belong to the reader thread while it runs */
	*ts = (struct tui_stats){ .packets = r->packets, .pcap_drops = r->pcap_drops,
				  .sip_msgs = a->delivered };
}

static void write_tick(struct app *a);

static void on_tick(void *user, const struct cap_result *r)
{
	struct app *a = user;
	if (a->hs)
		hep_send_poll(a->hs, 0);
	if (a->model && a->live) {
		/* no packet for a while: the timers still run on the wall clock,
		 * which is what a live capture's timestamps are */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		int64_t now = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
		model_advance(a->model, now);
		live_checkpoint(a, now);
	}
	write_tick(a);
	metrics_render(a, r, false);
	if (a->ui) {
		struct tui_stats ts;
		tui_stats_of(a, r, &ts);
		if (tui_tick(a->ui, a->model, &ts))
			g_stop = 1;
		return;
	}
	fflush(stdout);   /* live: each line as it happens */
}

/* A file being read under the screen: the list fills, the status bar shows
 * how far, keys work; q stops the reading. */
static void on_load_tick(void *user, const struct cap_result *r)
{
	struct app *a = user;
	(void)r;   /* the reader's own counters are published through cap_progress() */
	struct tui_stats ts = { .sip_msgs = a->delivered, .loading = 1 };
	cap_progress(&a->res, &ts.packets, &ts.fraction);
	if (a->ui && tui_tick(a->ui, a->model, &ts))
		g_stop = 1;
}

static struct tui *start_tui(const struct app *a)
{
	struct tui_opts o = { .live = a->live, .source = a->iface ? a->iface : (a->nfiles ? a->files[0] : ""),
			      .sel = &a->sel };
	struct tui *t = tui_start(&o);
	if (!t)
		fprintf(stderr, "regtrace: cannot start the screen (TERM?); use --no-tui\n");
	return t;
}

static char *join_args(char **v, int n)
{
	size_t len = 1;
	for (int i = 0; i < n; i++)
		len += strlen(v[i]) + 1;
	char *s = calloc(1, len);
	if (!s)
		return NULL;
	for (int i = 0; i < n; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, v[i]);
	}
	return s;
}

enum { OPT_MESSAGES = 256, OPT_REPORT, OPT_JSON, OPT_JSON_RAW, OPT_JSONL, OPT_FAIL_ON };
enum { OPT_LADDER = 400, OPT_TUI, OPT_NO_TUI };
enum { OPT_HEP_LISTEN = 500, OPT_HEP_SEND, OPT_HEP_ID, OPT_HEP_KEY, OPT_HEP_NODE, OPT_HEP_QUEUE };
enum { OPT_LIST_RULES = 600, OPT_CREDENTIALS, OPT_RULE_OPT, OPT_PROFILE };
enum { OPT_MAX_MEMORY = 700, OPT_METRICS };
enum { OPT_NO_MERGE = 800 };
enum { OPT_SEL_AOR = 900, OPT_SEL_STATE, OPT_SEL_FINDING, OPT_HTML };
enum { OPT_TLS_KEYLOG = 1000 };
enum { OPT_PCAPNG = 1100, OPT_WRITE_HOLD };

/* A whole number in [lo, hi] into *out: 0, else -1. */
static int int_arg(const char *s, long lo, long hi, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

static int parse_args(struct app *a, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "messages", no_argument, NULL, OPT_MESSAGES },
		{ "report", no_argument, NULL, OPT_REPORT },
		{ "json", optional_argument, NULL, OPT_JSON },
		{ "json-raw", no_argument, NULL, OPT_JSON_RAW },
		{ "jsonl", no_argument, NULL, OPT_JSONL },
		{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
		{ "ladder", no_argument, NULL, OPT_LADDER },
		{ "tui", no_argument, NULL, OPT_TUI },
		{ "no-tui", no_argument, NULL, OPT_NO_TUI },
		{ "hep-listen", required_argument, NULL, OPT_HEP_LISTEN },
		{ "hep-send", required_argument, NULL, OPT_HEP_SEND },
		{ "hep-id", required_argument, NULL, OPT_HEP_ID },
		{ "hep-key", required_argument, NULL, OPT_HEP_KEY },
		{ "hep-node", required_argument, NULL, OPT_HEP_NODE },
		{ "hep-queue", required_argument, NULL, OPT_HEP_QUEUE },
		{ "list-rules", no_argument, NULL, OPT_LIST_RULES },
		{ "credentials", required_argument, NULL, OPT_CREDENTIALS },
		{ "rule-opt", required_argument, NULL, OPT_RULE_OPT },
		{ "profile", required_argument, NULL, OPT_PROFILE },
		{ "max-memory", required_argument, NULL, OPT_MAX_MEMORY },
		{ "metrics", required_argument, NULL, OPT_METRICS },
		{ "no-merge", no_argument, NULL, OPT_NO_MERGE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "aor", required_argument, NULL, OPT_SEL_AOR },
		{ "html", required_argument, NULL, OPT_HTML },
		{ "state", required_argument, NULL, OPT_SEL_STATE },
		{ "finding", required_argument, NULL, OPT_SEL_FINDING },
		{ "tls-keylog", required_argument, NULL, OPT_TLS_KEYLOG },
		{ "pcapng", no_argument, NULL, OPT_PCAPNG },
		{ "write-hold", required_argument, NULL, OPT_WRITE_HOLD },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	a->files = calloc((size_t)argc + 1, sizeof *a->files);
	if (!a->files)
		return 2;
	int c;
	while ((c = getopt_long(argc, argv, "+r:i:w:c:s:B:Z:C:G:W:hVNv", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			/* a quoted glob is ours to expand (sorted by name); any
			 * other name passes through as given */
			if (glob(optarg, GLOB_NOCHECK | GLOB_NOESCAPE | (a->nfiles++ ? GLOB_APPEND : 0),
				 NULL, &a->globbed) != 0) {
				fprintf(stderr, "regtrace: -r %s: cannot expand\n", optarg);
				return 2;
			}
			break;
		case OPT_NO_MERGE:
			a->cap.no_merge = true;
			break;
		case 'i':
			if (!a->iface) {
				a->iface = optarg;
			} else if (a->cap.n_more_ifaces < CAP_MAX_LIVE - 1) {
				/* several at once, as dumpcap takes them */
				a->more_ifaces[a->cap.n_more_ifaces++] = optarg;
				a->cap.more_ifaces = a->more_ifaces;
			} else {
				fprintf(stderr, "regtrace: at most %d -i at once\n", CAP_MAX_LIVE);
				return 2;
			}
			break;
		case 'w':
			a->cap.write_path = optarg;
			break;
		case OPT_PCAPNG:
			a->pwo.pcapng = true;
			break;
		case 'C':
			if (!(a->pwo.rotate_bytes = pw_parse_size(optarg))) {
				fprintf(stderr, "regtrace: -C takes a file size in millions of bytes, or with k, m or g\n");
				return 2;
			}
			break;
		case 'G':
			if (int_arg(optarg, 1, 100000000, &a->pwo.rotate_secs)) {
				fprintf(stderr, "regtrace: -G takes a number of seconds from 1 to 100000000\n");
				return 2;
			}
			break;
		case 'W':
			if (int_arg(optarg, 1, 1000000, &a->pwo.max_files)) {
				fprintf(stderr, "regtrace: -W takes a number of files from 1 to 1000000\n");
				return 2;
			}
			break;
		case OPT_WRITE_HOLD:
			if (!(a->write_hold = membound_parse_size(optarg))) {
				fprintf(stderr, "regtrace: --write-hold wants a size such as 64M\n");
				return 2;
			}
			break;
		case 'c': {
			char *end;
			unsigned long long v = strtoull(optarg, &end, 10);
			if (*end || !*optarg) {
				fprintf(stderr, "regtrace: -c needs a number\n");
				return 2;
			}
			a->cap.max_packets = v;
			break;
		}
		case 'Z':
			a->z_user = optarg;
			break;
		case OPT_METRICS:
			a->metrics_spec = optarg;
			break;
		case 's':
			if (int_arg(optarg, 0, 262144, &a->cap.snaplen)) {
				fprintf(stderr, "regtrace: -s takes a snap length from 0 to 262144\n");
				return 2;
			}
			break;
		case 'B':
			if (int_arg(optarg, 1, 4 * 1024 * 1024, &a->cap.buffer_kib)) {
				fprintf(stderr, "regtrace: -B takes a buffer size in KiB, from 1 to 4194304\n");
				return 2;
			}
			break;
		case OPT_MESSAGES:
			a->messages = true;
			break;
		case OPT_REPORT:
			a->report = true;
			break;
		case 'v':
			a->verbose = true;
			break;
		case OPT_HTML:
			a->html_path = optarg;
			break;
		case OPT_SEL_AOR:
		case OPT_SEL_STATE:
		case OPT_SEL_FINDING: {
			char err[160] = "out of memory";
			if ((c == OPT_SEL_AOR ? sel_add_aor(&a->sel, optarg) : c == OPT_SEL_FINDING ?
			     sel_add_rule(&a->sel, optarg) : sel_add_state(&a->sel, optarg, err, sizeof err))) {
				fprintf(stderr, "regtrace: %s\n", err);
				return 2;
			}
			break;
		}
		case OPT_JSON:
			a->json = true;
			a->json_path = optarg;
			break;
		case OPT_JSON_RAW:
			a->json_raw = true;
			break;
		case OPT_JSONL:
			a->jsonl = true;
			break;
		case OPT_FAIL_ON:
			if (!model_fail_cond_valid(optarg)) {
				fprintf(stderr, "regtrace: --fail-on takes failed, expired or any-finding\n");
				return 2;
			}
			a->fail_on = optarg;
			break;
		case OPT_LADDER:
			a->ladder = true;
			break;
		case OPT_TUI:
			a->tui = 1;
			break;
		case 'N':
		case OPT_NO_TUI:
			a->tui = -1;
			break;
		case OPT_HEP_LISTEN:
			a->hep_listen = optarg;
			break;
		case OPT_HEP_SEND:
			if (!a->hep_targets && !(a->hep_targets = calloc((size_t)argc, sizeof *a->hep_targets)))
				return 2;
			a->hep_targets[a->nhep_targets++] = optarg;
			break;
		case OPT_HEP_ID: {
			char *end;
			errno = 0;
			unsigned long v = strtoul(optarg, &end, 10);
			if (!*optarg || *end || errno || v > UINT32_MAX) {
				fprintf(stderr, "regtrace: --hep-id takes a number from 0 to 4294967295\n");
				return 2;
			}
			a->hep.agent_id = (uint32_t)v;
			break;
		}
		case OPT_HEP_KEY:
			a->hep.key = optarg;
			break;
		case OPT_HEP_NODE:
			a->hep.node = optarg;
			break;
		case OPT_HEP_QUEUE: {
			int v;
			if (int_arg(optarg, 1, 10000000, &v)) {
				fprintf(stderr, "regtrace: --hep-queue takes a number of messages from 1 to 10000000\n");
				return 2;
			}
			a->hep.queue_max = (size_t)v;
			break;
		}
		case OPT_TLS_KEYLOG:
			a->tls_keylog_path = optarg;
			break;
		case OPT_LIST_RULES:
			diag_list_rules(stdout);
			exit(0);
		case OPT_CREDENTIALS: {
			char err[512];
			cred_free(a->creds);
			a->creds = NULL;
			if (cred_load(optarg, &a->creds, err, sizeof err) != 0) {
				fprintf(stderr, "regtrace: %s\n", err);
				return 2;
			}
			a->diag.creds = a->creds;
			break;
		}
		case OPT_PROFILE:
			/* GB/T 28181 rules (rules_gb.c); also on by themselves for 20-digit IDs */
			if (strcmp(optarg, "gb28181") != 0) {
				fprintf(stderr, "regtrace: unknown --profile (known: gb28181)\n");
				return 2;
			}
			a->diag.gb28181 = true;
			break;
		case OPT_MAX_MEMORY:
			a->max_memory = membound_parse_size(optarg);
			if (!a->max_memory) {
				fprintf(stderr, "regtrace: --max-memory wants a size such as 512M or 2G\n");
				return 2;
			}
			break;
		case OPT_RULE_OPT: {
			char err[256];
			if (diag_opts_set(&a->diag, optarg, err, sizeof err) != 0) {
				fprintf(stderr, "regtrace: %s\n", err);
				return 2;
			}
			break;
		}
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			rt_version_print(stdout);
			exit(0);
		default:
			usage(stderr);
			return 2;
		}
	}
	if (a->nfiles) {
		char **nf = realloc(a->files, (a->globbed.gl_pathc + 1) * sizeof *nf);
		if (!nf)
			return 2;
		a->files = nf;
		a->nfiles = (int)a->globbed.gl_pathc;
		memcpy(a->files, a->globbed.gl_pathv, a->globbed.gl_pathc * sizeof *nf);
	}
	if (optind < argc) {
		a->bpf = join_args(argv + optind, argc - optind);
		a->cap.bpf = a->bpf;
	}
	if (!a->nfiles && !a->iface && !a->hep_listen) {
		fprintf(stderr, "regtrace: no input: give -r FILE, -i IFACE or --hep-listen PORT\n");
		usage(stderr);
		return 2;
	}
	if (!!a->nfiles + !!a->iface + !!a->hep_listen > 1) {
		fprintf(stderr, "regtrace: -r, -i and --hep-listen cannot be combined\n");
		return 2;
	}
	a->live = a->iface != NULL || a->hep_listen != NULL;
	if (!a->cap.write_path && (a->pwo.pcapng || a->pwo.rotate_bytes || a->pwo.rotate_secs ||
				   a->pwo.max_files || a->write_hold)) {
		fprintf(stderr, "regtrace: --pcapng, -C, -G, -W and --write-hold go with -w FILE\n");
		return 2;
	}
	if (a->pwo.max_files && !a->pwo.rotate_bytes && !a->pwo.rotate_secs) {
		fprintf(stderr, "regtrace: -W goes with -C or -G\n");
		return 2;
	}
	if (a->cap.write_path && a->hep_listen) {
		fprintf(stderr, "regtrace: -w writes captured packets; --hep-listen has none\n");
		return 2;
	}
	bool json_stdout = a->json && (!a->json_path || !strcmp(a->json_path, "-"));
	if (json_stdout + a->jsonl + a->messages > 1 || ((json_stdout || a->jsonl) && a->report)) {
		fprintf(stderr, "regtrace: --messages/--report, --jsonl and --json on stdout exclude each other\n");
		return 2;
	}
	/* the TUI is the default on a terminal when no other output is asked for */
	if (a->tui > 0 && (a->messages || json_stdout || a->jsonl || a->report || a->ladder)) {
		fprintf(stderr, "regtrace: --tui cannot share the terminal with output on stdout\n");
		return 2;
	}
	a->use_tui = a->tui > 0 || (a->tui == 0 && !a->report && !a->messages && !a->json && !a->jsonl &&
				    !a->ladder && !a->html_path && isatty(STDOUT_FILENO));
	a->cap.drop_warnings = !a->use_tui;   /* the screen's status bar shows them */
	/* tcpdump's "listening on" line, unless it would land on the screen */
	a->cap.listening_msg = !a->use_tui || !isatty(STDERR_FILENO);
	/* the report is the default output when stdout is a file or a pipe (or with --no-tui) */
	if (!a->report && !a->messages && !json_stdout && !a->jsonl && !a->ladder && !a->use_tui &&
	    (!isatty(STDOUT_FILENO) || a->tui < 0))
		a->report = true;
	return 0;
}

/* Non-first IP fragments carry no ports: a port filter drops them. */
static void warn_fragments(const char *bpf)
{
	if (bpf && strstr(bpf, "port") && !strstr(bpf, "ip[6:2]"))
		fprintf(stderr, "regtrace: note: with a port filter, non-first IP fragments are not captured "
			"(they carry no port); to keep them add: or (ip[6:2] & 0x1fff != 0)\n");
}

/* An input that cannot be read a second time (stdin, a pipe). */
static bool once_only(const char *path)
{
	struct stat st;
	return !strcmp(path, "-") || stat(path, &st) != 0 || !S_ISREG(st.st_mode);
}

/* -w: the first file opened now (before any privilege drop and before a
 * long capture); with a selection, how its packets will be found. */
static int start_write(struct app *a)
{
	char err[512];
	a->pwo.path = a->cap.write_path;
	a->pwo.flush_each = a->live;
	/* -G names come from capture time: live that is now; files open at
	 * their first packet */
	if (!(a->pw = pw_new(&a->pwo, a->live || !a->pwo.rotate_secs, (int64_t)time(NULL), err, sizeof err))) {
		fprintf(stderr, "regtrace: %s\n", err);
		return 2;
	}
	a->cap.writer = a->pw;
	if (!sel_active(&a->sel))
		return 0;
	bool hold = a->live;
	for (int i = 0; i < a->nfiles; i++)
		hold |= once_only(a->files[i]);
	if (hold && a->nfiles > 1) {
		fprintf(stderr, "regtrace: -w with a selection reads files twice: stdin or a pipe can only "
			"be the one input\n");
		return 2;
	}
	if (!(a->wsel = wsel_new(hold, a->write_hold))) {
		fprintf(stderr, "regtrace: out of memory\n");
		return 2;
	}
	a->cap.wsel = a->wsel;
	a->wsnap = (struct rt_select){ .aor = a->sel.aor, .naor = a->sel.naor, .states = a->sel.states,
				       .rule = a->sel.rule, .nrule = a->sel.nrule };
	return 0;
}

/* Live -w with a selection, about once a second: the dialogs selected by
 * now (their AOR's state so far; findings exist only at the end) get
 * their held packets written. */
static void write_tick(struct app *a)
{
	if (!a->wsel || !wsel_hold(a->wsel) || !a->model)
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec == a->ws_last.tv_sec)
		return;
	a->ws_last = now;
	if (sel_prepare(&a->wsnap, a->model))
		return;
	const struct model *m = a->model;
	if (m->dialog_ids > a->nwsent) {
		unsigned char *nv = realloc(a->wsent, m->dialog_ids);
		if (!nv)
			return;
		memset(nv + a->nwsent, 0, m->dialog_ids - a->nwsent);
		a->wsent = nv;
		a->nwsent = m->dialog_ids;
	}
	for (size_t i = 0; i < m->dialogs.n; i++) {
		const struct dialog *d = m->dialogs.v[i];
		if (!a->wsent[d->id - 1] && a->wsnap.dlg_on[d->id - 1]) {
			a->wsent[d->id - 1] = 1;
			wsel_select(a->wsel, d->call_id);
		}
	}
}

/* -w at the end: the selection's packets (held ones, or the files read
 * again), then the last file closed. */
static void finish_write(struct app *a)
{
	if (!a->pw || a->write_closed)
		return;
	a->write_closed = true;
	if (a->wsel && a->model) {
		for (size_t i = 0; i < a->model->dialogs.n; i++) {
			const struct dialog *d = a->model->dialogs.v[i];
			if (sel_dialog(&a->sel, d))
				wsel_select(a->wsel, d->call_id);
		}
		if (wsel_hold(a->wsel)) {
			wsel_sync(a->wsel, a->pw);
		} else if (wsel_build(a->wsel) != 0) {
			fprintf(stderr, "regtrace: -w: out of memory\n");
			a->write_rc = 2;
		} else {
			uint64_t n = 0;
			if (cap_write_selected(a->files, a->nfiles, &a->cap, &n) == 2)
				a->write_rc = 2;
		}
		wsel_get_stats(a->wsel, &a->wss);
	}
	if (pw_close(a->pw, &a->pws) != 0)
		a->write_rc = 2;
	a->pw = NULL;
	a->cap.writer = NULL;
	a->jw = (struct json_write){ .path = a->cap.write_path, .format = a->pwo.pcapng ? "pcapng" : "pcap",
		.selection = a->wsel != NULL, .packets = a->pws.written, .files = a->pws.files,
		.failed = a->pws.failed, .other_link = a->pws.other_link, .over_limit = a->pws.over_limit,
		.held = a->wss.held, .evicted = a->wss.evicted, .evicted_selected = a->wss.evicted_selected,
		.error = a->pws.last_error[0] ? a->pws.last_error : NULL };
}

/* The model is built whenever an output or --fail-on needs it. */
static int start_outputs(struct app *a)
{
	struct json_opts jo = { .raw = a->json_raw, .flush_lines = a->live };
	struct model_opts mo = { 0 };
	if (a->json) {
		a->json_f = stdout;
		if (a->json_path && strcmp(a->json_path, "-")) {
			a->json_f = fopen(a->json_path, "w");
			if (!a->json_f) {
				fprintf(stderr, "regtrace: cannot write %s\n", a->json_path);
				return 2;
			}
		}
		a->jo = json_begin(a->json_f, &jo);
	}
	if (a->jsonl) {
		a->jl = jsonl_begin(stdout, &jo);
		if (!sel_active(&a->sel))
			jsonl_hook(a->jl, &mo);
	}
	if (a->metrics_spec) {   /* bound now: before any privilege drop */
		char err[512];
		if (!(a->mt = metrics_new(a->metrics_spec, err, sizeof err))) {
			fprintf(stderr, "regtrace: %s\n", err);
			return 2;
		}
	}
	/* findings as they happen where someone watches: --jsonl lines, the
	 * live screen.  Test aids: REGTRACE_DIAG=batch only at the end,
	 * REGTRACE_DIAG=every before every message (diag.h). */
	const char *dm = getenv("REGTRACE_DIAG");
	bool batch = dm && !strcmp(dm, "batch"), every = dm && !strcmp(dm, "every");
	if (!batch && ((a->jl && !sel_active(&a->sel)) || a->use_tui || every) &&
	    !(a->dl = diag_live_new(&a->diag, app_finding, a))) {
		fprintf(stderr, "regtrace: out of memory\n");
		return 2;
	}
	if (every)
		diag_live_every(a->dl);
	if (a->use_tui || every)
		diag_live_keep(a->dl);
	if (a->mt || a->dl) {
		a->mo_next = mo;
		mo.on_attempt_done = app_attempt;
		mo.on_txn_done = app_txn;
		mo.user = a;
	}
	jsonl_skip_findings(a->jl, app_reported, a->dl);
	json_select(a->jo, &a->sel);
	json_select(a->jl, &a->sel);
	if (a->html_path && !(a->html_f = fopen(a->html_path, "w"))) {
		/* before anything is read: a long capture must not end in this */
		fprintf(stderr, "regtrace: cannot write %s\n", a->html_path);
		return 2;
	}
	if (a->cap.write_path && start_write(a))
		return 2;
	if (a->report || a->json || a->jsonl || a->fail_on || a->ladder || a->use_tui || a->html_f || a->mt ||
	    (a->messages && sel_active(&a->sel)) || a->wsel) {
		/* records and the model's objects are on the heap, bounded by
		 * shedding what is over (model_shed): RAM follows what is being
		 * worked on, not the packet count */
		mo.keep_dialogs = a->use_tui;
		a->model = model_new(&mo);
		if (!(a->mb = membound_new(mem_limit(a))))
			fprintf(stderr, "regtrace: cannot read /proc/self/statm: --max-memory is not enforced\n");
	}
	return 0;
}

/* r: the capture counters as this thread may read them (NULL: those of
 * the last render; the reader thread is writing a->res). */
static void metrics_render(struct app *a, const struct cap_result *r, bool force)
{
	if (!a->mt)
		return;
	if (r) {
		a->mt_packets = r->packets;
		a->mt_drops = r->pcap_drops;
	}
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!force && now.tv_sec - a->mt_last.tv_sec < 1)
		return;
	a->mt_last = now;
	struct metrics_counts c = { .packets = a->mt_packets, .sip_msgs = a->delivered,
				    .kernel_drops = a->mt_drops };
	if (a->model)
		c.evicted_bytes = a->model->ev.bytes;
	if (a->hs) {
		struct hep_send_stats hs;
		hep_send_get_stats(a->hs, &hs);
		c.hep_sent = hs.sent;
		c.hep_dropped = hs.dropped + hs.too_large;
	}
	metrics_publish(a->mt, a->model, &c);
}

/* TLS outcome from the dissectors, for capture.tls and CAP-TLS-UNDECRYPTED */
static void fill_tls(struct app *a, struct json_tls *jt)
{
	const struct tls_undecryptable *u;
	size_t nu;
	const struct tls_stats *t = dis_tls_stats(a->dis, &u, &nu);
	*jt = (struct json_tls){ .present = t->connections || a->keylog,
		.connections = t->connections, .decrypted = t->decrypted,
		.undecryptable = t->undecryptable, .undecryptable_https = t->undecryptable_https,
		.records = t->records,
		.decrypt_failures = t->decrypt_failures, .oversize_records = t->oversize_records,
		.bad_records = t->bad_records, .truncated_records = t->truncated_records,
		.key_updates = t->key_updates, .keylog = a->keylog != NULL,
		.undec = a->tls_undec, .nundec = nu };
	if (a->keylog) {
		const struct tls_keylog_stats *k = tls_keylog_stats(a->keylog);
		jt->keylog_lines = k->lines;
		jt->keylog_secrets = k->secrets;
		jt->keylog_garbage = k->garbage;
	}
	size_t off = 0;
	const struct tls_undecryptable *first_sip = NULL;
	bool cut = false;
	a->tls_servers[0] = 0;
	for (size_t i = 0; i < nu; i++) {
		rt_addr_str(&u[i].client, a->tls_addr[i][0], RT_ADDR_STRLEN);
		rt_addr_str(&u[i].server, a->tls_addr[i][1], RT_ADDR_STRLEN);
		a->tls_undec[i] = (struct json_tls_conn){ a->tls_addr[i][0], a->tls_addr[i][1],
			tls_fail_name(u[i].reason), u[i].alpn[0] ? u[i].alpn : NULL, u[i].https };
		if (u[i].https)
			continue;       /* HTTPS: not in the finding's list */
		if (!first_sip)
			first_sip = &u[i];
		if (off + 2 * RT_ADDR_STRLEN + 16 < sizeof a->tls_servers)
			off += (size_t)snprintf(a->tls_servers + off, sizeof a->tls_servers - off,
						"%s%s -> %s", off ? ", " : "", a->tls_addr[i][0],
						a->tls_addr[i][1]);
		else
			cut = true;
	}
	if ((cut || t->undecryptable > nu) && off + 8 < sizeof a->tls_servers)
		snprintf(a->tls_servers + off, sizeof a->tls_servers - off, ", ...");
	/* the finding is about SIP: connections that look like HTTPS are left
	 * out of it (and named in capture.tls) */
	a->diag.tls = (struct diag_tls){ .connections = t->connections - t->undecryptable_https,
		.undecryptable = t->undecryptable - t->undecryptable_https,
		.https = t->undecryptable_https, .keylog_given = a->keylog != NULL,
		.servers = a->tls_servers,
		.reason = first_sip ? tls_fail_name(first_sip->reason) : NULL };
}

static void fill_capture(struct app *a, struct json_capture *c, struct json_capture_file *f)
{
	const struct dis_stats *st = dis_get_stats(a->dis);
	for (int i = 0; i < a->res.ninputs; i++) {
		const struct cap_input *in = &a->res.inputs[i];
		f[i] = (struct json_capture_file){ in->name, in->linktype, in->damaged, in->compression,
			in->pcapng, calloc((size_t)in->nifaces + 1, sizeof *f[i].ifaces), 0,
			in->an.unknown_blocks, in->an.bad_block_length, in->an.bad_interface,
			in->an.bad_packet, in->an.bytes_skipped, in->tls_keylog_len };
		for (int k = 0; f[i].ifaces && k < in->nifaces; k++, f[i].nifaces++)
			f[i].ifaces[k] = (struct json_iface){ in->ifaces[k].linktype, in->ifaces[k].name,
				in->ifaces[k].descr, in->ifaces[k].comment, in->ifaces[k].packets };
	}
	*c = (struct json_capture){ .files = f, .nfiles = (size_t)a->res.ninputs,
		.interface = a->iface, .kernel_drops = a->res.pcap_drops,
		.packets = a->res.packets, .bytes = st->bytes,
		.sip_msgs = st->sip_msgs, .malformed = st->malformed,
		.truncated_packets = st->truncated, .unknown_link = st->unknown_link,
		.icmp_errors = st->icmp_errors, .lost_tcp_bytes = st->tcp_lost_bytes,
		.lost_fragments = st->frag_dropped + st->frag_pending, .anomalies = &st->anomalies,
		.first_ns = a->res.first_ts_ns, .last_ns = a->res.last_ts_ns };
	fill_tls(a, &c->tls);
	if (a->model) {
		c->evicted = &a->model->ev;
		c->mem_limit = mem_limit(a);
	}
}

static int finish_outputs(struct app *a)
{
	int rc = 0;
	if (!a->model)
		return 0;
	/* after a rewind: the last input's own end (the model keeps the rest) */
	model_finish(a->model, a->res.rewinds ? a->res.seg_last_ts_ns : a->res.last_ts_ns);
	struct json_capture c;
	struct json_capture_file *f = calloc((size_t)a->res.ninputs + 1, sizeof *f);
	if (!f)
		return 2;
	fill_capture(a, &c, f);          /* also the TLS counts the rules read */
	a->diag.anomalies = &dis_get_stats(a->dis)->anomalies;
	diag_live_end(a->dl, a->model);   /* the provisional findings make way for the batch's */
	diag_run(a->model, &a->diag);
	diag_live_reconcile(a->dl, a->model);
	if (sel_prepare(&a->sel, a->model)) {
		free(f);
		return 2;
	}
	if (sel_empty(&a->sel)) {
		char d[512];
		sel_describe(&a->sel, d, sizeof d);
		fprintf(stderr, "regtrace: no registration matches %s\n", d);
	}
	finish_write(a);
	if (a->cap.write_path)
		c.write = &a->jw;
	for (size_t i = 0; a->messages && sel_active(&a->sel) && i < a->model->msgs.n; i++)
		if (sel_msg(&a->sel, a->model->msgs.v[i]))
			print_message_line(a, a->model->msgs.v[i]);
	metrics_render(a, &a->res, true);   /* the last page: final states and findings */
	if (a->jl && jsonl_end(a->jl, a->model, &c))
		rc = 2;
	if (a->jo && json_end(a->jo, a->model, &c))
		rc = 2;
	if (a->json_f && a->json_f != stdout && fclose(a->json_f))
		rc = 2;
	struct report_opts ro = { .verbose = a->verbose, .sel = &a->sel };
	if (a->report && report_write(stdout, a->model, &ro))
		rc = 2;
	if (a->html_f && (html_write(a->html_f, a->model, &c, &a->sel) | fclose(a->html_f)))
		rc = 2;
	a->html_f = NULL;
	if (a->ladder) {
		ladder_text_all(a->model, stdout, 80, &a->sel);
		if (fflush(stdout))
			rc = 2;
	}
	for (int i = 0; i < a->res.ninputs; i++)
		free(f[i].ifaces);
	free(f);
	if (rc)
		fprintf(stderr, "regtrace: writing the output failed\n");
	return rc;
}

/* Freeing a million small model objects one by one cost ~13 % of a run on
 * the benchmark workload, for memory the kernel takes back at exit anyway.
 * So a normal end of run leaves it, except where someone counts leaks:
 * sanitizer builds (LeakSanitizer) and REGTRACE_FREE_AT_EXIT=1 (valgrind). */
#if defined(__SANITIZE_ADDRESS__)
#define RT_LEAK_CHECKED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RT_LEAK_CHECKED 1
#endif
#endif
#ifndef RT_LEAK_CHECKED
#define RT_LEAK_CHECKED 0
#endif

/* Everything main() may have set up; returns status so error paths can
 * "return app_free(&a, 2)" (the sanitizer run counts leaks on every exit). */
static int app_free(struct app *a, int status)
{
	if (!RT_LEAK_CHECKED && !getenv("REGTRACE_FREE_AT_EXIT"))
		return status;
	metrics_free(a->mt);
	diag_live_end(a->dl, a->model);   /* a run cut short still holds provisional findings */
	diag_live_free(a->dl);
	model_free(a->model);
	diag_opts_free(&a->diag);
	cred_free(a->creds);
	dis_free(a->dis);
	tls_keylog_free(a->keylog);
	membound_free(a->mb);
	cap_result_free(&a->res);
	sel_free(&a->sel);
	free(a->wsnap.aor_on);
	free(a->wsnap.dlg_on);
	free(a->wsent);
	wsel_free(a->wsel);
	free(a->bpf);
	free(a->files);
	free(a->hep_targets);
	if (a->globbed.gl_pathv)
		globfree(&a->globbed);
	return status;
}

/* Once the interface (or socket) and -w are open: give up root. */
/* Rotation after the drop: the files come and go as the user run as.  As
 * tcpdump does, the file opened as root is handed to that user (so a -W
 * ring can open it again); a directory that user cannot write is said
 * once now, not at the first rotation an hour later. */
static void write_dir_for_user(const struct app *a)
{
	if (!a->pw || !a->priv.active || (!a->pwo.rotate_bytes && !a->pwo.rotate_secs))
		return;
	const char *cur = pw_current(a->pw);
	if (cur && chown(cur, a->priv.uid, a->priv.gid) != 0)
		fprintf(stderr, "regtrace: -w: cannot hand %s to %s: %s\n", cur, a->priv.user, strerror(errno));
	char dir[4096];
	const char *slash = strrchr(a->pwo.path, '/');
	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else
		snprintf(dir, sizeof dir, "%.*s", slash == a->pwo.path ? 1 : (int)(slash - a->pwo.path), a->pwo.path);
	struct stat st;
	if (stat(dir, &st) != 0)
		return;
	bool w = (st.st_uid == a->priv.uid && (st.st_mode & S_IWUSR)) ||
		 (st.st_gid == a->priv.gid && (st.st_mode & S_IWGRP)) || (st.st_mode & S_IWOTH);
	if (!w)
		fprintf(stderr, "regtrace: -w: %s is not writable by %s: the rotated files cannot be made "
			"(chown it, or -Z root)\n", dir, a->priv.user);
}

static int drop_root(void *ctx)
{
	struct app *a = ctx;
	char err[256];
	write_dir_for_user(a);
	if (privdrop_now(&a->priv, err, sizeof err) != 0) {
		fprintf(stderr, "regtrace: %s\n", err);
		return -1;
	}
	if (a->priv.active && !a->priv.chosen && !a->ui)
		fprintf(stderr, "regtrace: dropped root: capturing as %s (uid %u); -Z USER chooses, -Z root keeps root\n",
			a->priv.user, (unsigned)a->priv.uid);
	return 0;
}

/* TLS connections and the key log's garbage, on stderr. */
static void print_tls_summary(const struct app *a)
{
	const struct tls_undecryptable *u;
	size_t nu;
	const struct tls_stats *t = dis_tls_stats(a->dis, &u, &nu);
	if (a->keylog) {
		const struct tls_keylog_stats *k = tls_keylog_stats(a->keylog);
		if (k->garbage)
			fprintf(stderr, "regtrace: --tls-keylog: %llu lines are not key log lines "
				"(first: line %llu), skipped\n", (unsigned long long)k->garbage,
				(unsigned long long)k->first_garbage);
	}
	if (!t->connections)
		return;
	fprintf(stderr, "regtrace: %llu TLS connections, %llu decrypted, %llu not decrypted",
		(unsigned long long)t->connections, (unsigned long long)t->decrypted,
		(unsigned long long)t->undecryptable);
	if (t->undecryptable_https)
		fprintf(stderr, " (%llu of them HTTPS, not SIP)", (unsigned long long)t->undecryptable_https);
	if (t->decrypt_failures || t->oversize_records || t->bad_records || t->truncated_records)
		fprintf(stderr, " (records: %llu failed authentication, %llu oversize, %llu not TLS, "
			"%llu truncated)", (unsigned long long)t->decrypt_failures,
			(unsigned long long)t->oversize_records, (unsigned long long)t->bad_records,
			(unsigned long long)t->truncated_records);
	fputc('\n', stderr);
	/* the first few here; --json lists up to TLS_UNDEC_LIST_MAX */
	for (size_t i = 0; i < nu && i < 5; i++) {
		char cb[RT_ADDR_STRLEN], sb[RT_ADDR_STRLEN];
		rt_addr_str(&u[i].client, cb, sizeof cb);
		rt_addr_str(&u[i].server, sb, sizeof sb);
		fprintf(stderr, "regtrace:   TLS %s -> %s not decrypted: %s%s%s%s\n", cb, sb,
			tls_fail_name(u[i].reason), u[i].https ? " (HTTPS, not SIP: " : "",
			u[i].https ? u[i].https : "", u[i].https ? ")" : "");
	}
	if (t->undecryptable > 5)
		fprintf(stderr, "regtrace:   ... and %llu more (capture.tls in --json)\n",
			(unsigned long long)(t->undecryptable - 5));
}

int main(int argc, char **argv)
{
	struct app a = { .hep.agent_id = 2002 };
	int rc = parse_args(&a, argc, argv);
	if (rc)
		return app_free(&a, rc);
	warn_fragments(a.bpf);
	{
		char err[256];
		if (privdrop_plan(&a.priv, a.z_user, a.live, err, sizeof err) != 0) {
			fprintf(stderr, "regtrace: %s\n", err);
			return app_free(&a, 2);
		}
	}
	a.cap.after_open = drop_root;
	a.cap.after_open_ctx = &a;
	a.cap.on_rewind = on_rewind;
	a.cap.rewind_user = &a;

	struct dis_callbacks cb = { .on_msg = on_msg, .on_icmp = on_icmp, .user = &a };
	if (start_outputs(&a))
		return app_free(&a, 2);
	if (a.nhep_targets) {   /* sockets open before anything is read */
		char err[512];
		a.hep.targets = a.hep_targets;
		a.hep.ntargets = a.nhep_targets;
		a.hep.live = a.live;
		if (!(a.hs = hep_send_new(&a.hep, err, sizeof err))) {
			fprintf(stderr, "regtrace: %s\n", err);
			return app_free(&a, 2);
		}
	}
	struct dis_opts dopt = { 0 };
	/* opened now and kept open: a live capture re-reads what the client appends */
	if (a.tls_keylog_path && !(a.keylog = tls_keylog_open(a.tls_keylog_path))) {
		fprintf(stderr, "regtrace: --tls-keylog %s: %s\n", a.tls_keylog_path, strerror(errno));
		return app_free(&a, 2);
	}
	dopt.tls_keylog = a.keylog;
	/* for tests only: REGTRACE_TEST_ALLOC_FAIL=F[,F...] makes the
	 * dissectors' allocations fail while frames F are dissected
	 * (dis_opts.fail_alloc_frames; tests/cli/anomalies.sh) */
	uint64_t fail_frames[16];
	const char *ff = getenv("REGTRACE_TEST_ALLOC_FAIL");
	while (ff && *ff && dopt.nfail_alloc_frames < sizeof fail_frames / sizeof fail_frames[0]) {
		char *end;
		unsigned long long f = strtoull(ff, &end, 10);
		if (end == ff)
			break;
		fail_frames[dopt.nfail_alloc_frames++] = f;
		ff = *end == ',' ? end + 1 : end;
	}
	dopt.fail_alloc_frames = fail_frames;
	/* files: dissect and parse on a reader thread while this one feeds the
	 * model and the outputs (pipeline.h) */
	struct pipe *pp = NULL;
	struct dis_callbacks dcb = cb;
	if ((!a.live || !a.hep_listen) && (pp = pipe_new(&cb)))
		dcb = pipe_producer(pp);
	a.dis = dis_new(&dcb, &dopt);
	if (!a.dis) {
		fprintf(stderr, "regtrace: out of memory\n");
		pipe_free(pp);
		return app_free(&a, 2);
	}
	a.cap.progress = !a.live && !a.messages && isatty(STDERR_FILENO);
	if (!a.live && drop_root(&a) != 0)   /* files: outputs are open, inputs are opened as USER */
		return app_free(&a, 2);

	struct hep_listen_stats hls = { 0 };
	if (a.live) {
		struct sigaction sa = { 0 };
		sa.sa_handler = on_signal;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		if (a.pw) {
			struct sigaction sh = { 0 };
			sh.sa_handler = on_hup;
			sigaction(SIGHUP, &sh, NULL);
		}
		setvbuf(stdout, NULL, _IOLBF, 0);
		if (a.use_tui && !(a.ui = start_tui(&a)))
			return app_free(&a, 2);
		rc = a.hep_listen ? hep_listen_run(a.hep_listen, a.hep.key, &a.cap, a.dis, &a.res, &hls, &g_stop,
						   on_tick, &a)
				: pp ? pipe_live(pp, a.iface, &a.cap, a.dis, &a.res, &g_stop, on_tick, &a)
				  : cap_live(a.iface, &a.cap, a.dis, &a.res, &g_stop, on_tick, &a);
	} else {
		if (pp && a.use_tui) {
			/* the screen from the start: the list fills while the file is read */
			if (!(a.ui = start_tui(&a))) {
				pipe_free(pp);
				return app_free(&a, 2);
			}
			a.cap.stop = &g_stop;   /* q while loading */
			pipe_set_file_tick(pp, on_load_tick, &a);
		}
		rc = pp ? pipe_read_files(pp, a.files, a.nfiles, &a.cap, a.dis, &a.res)
			: cap_read_files(a.files, a.nfiles, &a.cap, a.dis, &a.res);
	}
	bool flushed = pp != NULL;   /* the pipeline flushed the streams (on its thread) */
	pipe_free(pp);
	if (a.ui && (a.live || g_stop || rc == 2)) {
		tui_end(a.ui);
		a.ui = NULL;
	} else if (a.ui) {
		struct tui_stats ts = { .sip_msgs = a.delivered, .loading = 2 };
		cap_progress(&a.res, &ts.packets, &ts.fraction);
		ts.packets = a.res.packets;
		tui_tick(a.ui, a.model, &ts);
	}
	/* nothing read (no input opened, a bad filter, no such interface): the
	 * error is on stderr; an empty report would only hide it */
	if (rc == 2) {
		finish_write(&a);
		json_discard(a.jo);
		json_discard(a.jl);
		if (a.json_f && a.json_f != stdout)
			fclose(a.json_f);
		if (a.html_f)
			fclose(a.html_f);
		return app_free(&a, 2);
	}
	if (!flushed)
		dis_flush(a.dis);
	hep_send_close(a.hs, 3000, stderr);   /* what the collectors took, before the report */
	a.hs = NULL;
	int out_rc = finish_outputs(&a);
	finish_write(&a);   /* no model: every SIP packet was written as it came */
	if (a.use_tui && !a.live && !out_rc && !g_stop) {
		struct tui_stats ts;
		tui_stats_of(&a, &a.res, &ts);
		struct tui *ui = a.ui ? a.ui : start_tui(&a);
		a.ui = NULL;
		if (!ui)
			out_rc = 2;
		else {
			tui_run(ui, a.model, &ts);
			tui_end(ui);
		}
	} else if (a.ui) {
		tui_end(a.ui);
		a.ui = NULL;
	}

	const struct dis_stats *st = dis_get_stats(a.dis);
	fprintf(stderr, "regtrace: %llu packets, %llu SIP messages (%llu malformed)",
		(unsigned long long)a.res.packets, (unsigned long long)st->sip_msgs,
		(unsigned long long)st->malformed);
	if (a.cap.write_path) {
		fprintf(stderr, ", %llu packets written to %s", (unsigned long long)a.pws.written,
			a.cap.write_path);
		if (a.pws.files > 1)
			fprintf(stderr, " (%u files)", a.pws.files);
	}
	if (a.iface)
		fprintf(stderr, ", %llu dropped by the kernel", (unsigned long long)a.res.pcap_drops);
	fputc('\n', stderr);
	if (a.pws.failed || a.pws.other_link || a.pws.over_limit)
		fprintf(stderr, "regtrace: -w: %llu packets not written (%llu the file could not take, %llu of "
			"another link type, %llu after the -W limit)\n",
			(unsigned long long)(a.pws.failed + a.pws.other_link + a.pws.over_limit),
			(unsigned long long)a.pws.failed, (unsigned long long)a.pws.other_link,
			(unsigned long long)a.pws.over_limit);
	if (a.wss.evicted)
		fprintf(stderr, "regtrace: -w: %llu held packets evicted (--write-hold) before a registration of "
			"theirs was selected; %llu of them belong to selected ones and are missing from %s\n",
			(unsigned long long)a.wss.evicted, (unsigned long long)a.wss.evicted_selected,
			a.cap.write_path);
	if (st->parts_lost || a.wss.parts_dropped)
		fprintf(stderr, "regtrace: -w: %llu packets of messages could not be followed (more than %d "
			"packets in one message, or out of memory)\n",
			(unsigned long long)(st->parts_lost + a.wss.parts_dropped), 4096);
	if (hls.bad_key || hls.not_hep || hls.truncated || hls.refused)
		fprintf(stderr, "regtrace: --hep-listen: %llu of %llu HEP packets dropped for a missing or wrong "
			"--hep-key; %llu TCP connections closed on bytes that were not HEP, %llu ended inside a "
			"packet, %llu refused (too many)\n", (unsigned long long)hls.bad_key,
			(unsigned long long)hls.received, (unsigned long long)hls.not_hep,
			(unsigned long long)hls.truncated, (unsigned long long)hls.refused);
	if (st->frag_pending || st->frag_dropped)
		fprintf(stderr, "regtrace: %llu IP datagrams never completed (%llu incomplete at the end, "
			"%llu given up: timeout or memory bound)\n",
			(unsigned long long)(st->frag_pending + st->frag_dropped),
			(unsigned long long)st->frag_pending, (unsigned long long)st->frag_dropped);
	if (st->tcp_lost_bytes)
		fprintf(stderr, "regtrace: %llu TCP stream bytes skipped (gaps, not SIP, over the bound; "
			"%llu resynchronisations)\n", (unsigned long long)st->tcp_lost_bytes,
			(unsigned long long)st->tcp_resyncs);
	print_tls_summary(&a);
	if (st->unknown_link)
		fprintf(stderr, "regtrace: %llu packets of unsupported link type %d were not read\n",
			(unsigned long long)st->unknown_link, st->last_unknown_linktype);
	print_evicted(&a);

	int status = 0;
	if (rc == 2 || a.res.unreadable || out_rc || a.write_rc)
		status = 2;
	else if (a.fail_on && model_fail_on(a.model, a.fail_on) == 1)
		status = 1;
	else if (a.res.damaged)
		status = 3;
	return app_free(&a, status);
}
