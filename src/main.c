/* main.c - regtrace's command line: options, inputs, outputs, exit status.
 *
 * Exit status (issue order): 2 usage error or no input readable; else 1
 * when a --fail-on condition holds; else 3 when an input was truncated or
 * damaged; else 0.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "dissect.h"
#include "escape.h"
#include "json_out.h"
#include "model.h"
#include "report.h"
#include "ladder.h"
#include "tui.h"
#include "hep_listen.h"
#include "diag.h"
#include "cred.h"
#include "pipeline.h"
#include "msgstore.h"
#include "tls_keylog.h"

struct app {
	/* options */
	char **files;
	int nfiles;
	const char *iface;
	const char *hep_listen;   /* --hep-listen [ADDR:]PORT */
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
	struct msg_store *store;  /* message records, file-backed (msgstore.h) */
};

static volatile sig_atomic_t g_stop;   /* set by SIGINT/SIGTERM only */

static void on_signal(int sig)
{
	(void)sig;
	g_stop = 1;
	cap_break();
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: regtrace [options] [-r FILE]... [-i IFACE] [BPF expression]\n"
		"\n"
		"Reads SIP from capture files or a live interface and explains registrations.\n"
		"\n"
		"inputs:\n"
		"  -r FILE          read a pcap or pcapng file ('-' = stdin); may repeat\n"
		"  -i IFACE         capture live on IFACE ('any' for all)\n"
		"  -c COUNT         stop after COUNT packets\n"
		"  -s SNAPLEN       live: bytes kept of each packet (default and 0: 262144)\n"
		"  -B KIB           live: kernel capture buffer in KiB (default 32768)\n"
		"  --hep-listen [ADDR:]PORT  receive HEP over UDP (heplify, Kamailio siptrace, ...)\n"
		"  --tls-keylog FILE  decrypt SIP over TLS / WSS with an NSS key log (SSLKEYLOGFILE\n"
		"                   of the client: curl, Firefox, Python ssl keylog_filename,\n"
		"                   openssl s_client -keylogfile); re-read as it grows\n"
		"  BPF expression   as with tcpdump; without one every packet is examined\n"
		"outputs:\n"
		"  --messages       one line per SIP message (tab-separated)\n"
		"  --report         one line per AOR, then totals (default when stdout is not a terminal)\n"
		"  --json[=FILE]    one JSON document (docs/json.md) on stdout or in FILE\n"
		"  --json-raw       include each message's text in the JSON\n"
		"  --jsonl          JSON Lines on stdout, one object per message/transaction/attempt\n"
		"  --ladder         an ASCII ladder diagram per registration and per non-REGISTER dialog\n"
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
		"  -w FILE          write the packets that carried SIP to FILE (pcap)\n"
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

static void on_msg(void *user, struct sip_msg *m)
{
	struct app *a = user;
	a->delivered++;
	if (a->messages)
		print_message_line(a, m);
	if (a->jo)
		json_message(a->jo, m);
	if (a->jl)
		jsonl_message(a->jl, m);
	if (a->model)
		model_add_msg(a->model, m);   /* takes ownership */
	else
		sip_msg_free(m);
}

static void on_icmp(void *user, const struct icmp_evt *e)
{
	struct app *a = user;
	if (a->model)
		model_add_icmp(a->model, e);
}

static void tui_stats_of(const struct app *a, const struct cap_result *r, struct tui_stats *ts)
{
	/* messages counted as they reach this thread: the dissectors' own
	 * counters belong to the reader thread while it runs */
	*ts = (struct tui_stats){ .packets = r->packets, .pcap_drops = r->pcap_drops,
				  .sip_msgs = a->delivered };
}

static void on_tick(void *user, const struct cap_result *r)
{
	struct app *a = user;
	if (a->ui) {
		struct tui_stats ts;
		tui_stats_of(a, r, &ts);
		if (tui_tick(a->ui, a->model, &ts))
			g_stop = 1;
		return;
	}
	fflush(stdout);   /* live: each line as it happens */
}

static struct tui *start_tui(const struct app *a)
{
	struct tui_opts o = { .live = a->live, .source = a->iface ? a->iface : (a->nfiles ? a->files[0] : "") };
	struct tui *t = tui_start(&o);
	if (!t)
		fprintf(stderr, "regtrace: cannot start the screen (TERM?); use --no-tui\n");
	msgstore_rearm(a->store);   /* the screen's crash handler must not hide the pager's */
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
enum { OPT_HEP_LISTEN = 500 };
enum { OPT_LIST_RULES = 600, OPT_CREDENTIALS, OPT_RULE_OPT, OPT_PROFILE };
enum { OPT_MAX_MEMORY = 700 };
enum { OPT_TLS_KEYLOG = 800 };

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
		{ "list-rules", no_argument, NULL, OPT_LIST_RULES },
		{ "credentials", required_argument, NULL, OPT_CREDENTIALS },
		{ "rule-opt", required_argument, NULL, OPT_RULE_OPT },
		{ "profile", required_argument, NULL, OPT_PROFILE },
		{ "max-memory", required_argument, NULL, OPT_MAX_MEMORY },
		{ "tls-keylog", required_argument, NULL, OPT_TLS_KEYLOG },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	a->files = calloc((size_t)argc + 1, sizeof *a->files);
	if (!a->files)
		return 2;
	int c;
	while ((c = getopt_long(argc, argv, "+r:i:w:c:s:B:hVN", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			a->files[a->nfiles++] = optarg;
			break;
		case 'i':
			a->iface = optarg;
			break;
		case 'w':
			a->cap.write_path = optarg;
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
			a->max_memory = msgstore_parse_size(optarg);
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
			printf("regtrace %s\n", PACKAGE_VERSION);
			exit(0);
		default:
			usage(stderr);
			return 2;
		}
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
				    !a->ladder && isatty(STDOUT_FILENO));
	a->cap.drop_warnings = !a->use_tui;   /* the screen's status bar shows them */
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
		jsonl_hook(a->jl, &mo);
	}
	if (a->report || a->json || a->jsonl || a->fail_on || a->ladder || a->use_tui) {
		/* records and the model's objects go to the file-backed store,
		 * so RAM follows what is being worked on, not the packet count */
		struct msgstore_opts so = { .rss_max = a->max_memory ? a->max_memory : (size_t)512 << 20 };
		a->store = msgstore_new(&so);
		mo.store = a->store;
		a->model = model_new(&mo);
	}
	return 0;
}

/* TLS outcome from the dissectors, for capture.tls and CAP-TLS-UNDECRYPTED */
static void fill_tls(struct app *a, struct json_tls *jt)
{
	const struct tls_undecryptable *u;
	size_t nu;
	const struct tls_stats *t = dis_tls_stats(a->dis, &u, &nu);
	*jt = (struct json_tls){ .present = t->connections || a->keylog,
		.connections = t->connections, .decrypted = t->decrypted,
		.undecryptable = t->undecryptable, .records = t->records,
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
	a->tls_servers[0] = 0;
	for (size_t i = 0; i < nu; i++) {
		rt_addr_str(&u[i].client, a->tls_addr[i][0], RT_ADDR_STRLEN);
		rt_addr_str(&u[i].server, a->tls_addr[i][1], RT_ADDR_STRLEN);
		a->tls_undec[i] = (struct json_tls_conn){ a->tls_addr[i][0], a->tls_addr[i][1],
							  tls_fail_name(u[i].reason) };
		if (off + 2 * RT_ADDR_STRLEN + 16 < sizeof a->tls_servers)
			off += (size_t)snprintf(a->tls_servers + off, sizeof a->tls_servers - off,
						"%s%s -> %s", i ? ", " : "", a->tls_addr[i][0],
						a->tls_addr[i][1]);
		else if (i + 1 == nu)
			snprintf(a->tls_servers + off, sizeof a->tls_servers - off, ", ...");
	}
	if (t->undecryptable > nu && off + 8 < sizeof a->tls_servers)
		snprintf(a->tls_servers + off, sizeof a->tls_servers - off, ", ...");
	a->diag.tls = (struct diag_tls){ .connections = t->connections,
		.undecryptable = t->undecryptable, .keylog_given = a->keylog != NULL,
		.servers = a->tls_servers, .reason = nu ? tls_fail_name(u[0].reason) : NULL };
}

static void fill_capture(struct app *a, struct json_capture *c, struct json_capture_file *f)
{
	const struct dis_stats *st = dis_get_stats(a->dis);
	for (int i = 0; i < a->res.ninputs; i++)
		f[i] = (struct json_capture_file){ a->res.inputs[i].name, a->res.inputs[i].linktype,
						   a->res.inputs[i].damaged };
	*c = (struct json_capture){ .files = f, .nfiles = (size_t)a->res.ninputs,
		.interface = a->iface, .kernel_drops = a->res.pcap_drops,
		.packets = a->res.packets, .bytes = st->bytes,
		.sip_msgs = st->sip_msgs, .malformed = st->malformed,
		.truncated_packets = st->truncated, .unknown_link = st->unknown_link,
		.icmp_errors = st->icmp_errors, .lost_tcp_bytes = st->tcp_lost_bytes,
		.lost_fragments = st->frag_dropped + st->frag_pending,
		.first_ns = a->res.first_ts_ns, .last_ns = a->res.last_ts_ns };
	fill_tls(a, &c->tls);
	if (a->store) {
		struct msgstore_stats ms;
		msgstore_get_stats(a->store, &ms);
		c->mem_limit = a->max_memory ? a->max_memory : (size_t)512 << 20;
		c->mem_message_bytes = ms.bytes;
		c->mem_evicted_bytes = ms.spilled_bytes;
	}
}

static int finish_outputs(struct app *a)
{
	int rc = 0;
	if (!a->model)
		return 0;
	model_finish(a->model, a->res.last_ts_ns);
	struct json_capture c;
	struct json_capture_file *f = calloc((size_t)a->res.ninputs + 1, sizeof *f);
	if (!f)
		return 2;
	fill_capture(a, &c, f);          /* also the TLS counts the rules read */
	diag_run(a->model, &a->diag);
	if (a->jl && jsonl_end(a->jl, a->model, &c))
		rc = 2;
	if (a->jo && json_end(a->jo, a->model, &c))
		rc = 2;
	if (a->json_f && a->json_f != stdout && fclose(a->json_f))
		rc = 2;
	if (a->report && report_write(stdout, a->model))
		rc = 2;
	if (a->ladder) {
		ladder_text_all(a->model, stdout, 80);
		if (fflush(stdout))
			rc = 2;
	}
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
	model_free(a->model);
	diag_opts_free(&a->diag);
	cred_free(a->creds);
	dis_free(a->dis);
	tls_keylog_free(a->keylog);
	msgstore_free(a->store);   /* after everything that points into it */
	cap_result_free(&a->res);
	free(a->bpf);
	free(a->files);
	return status;
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
		fprintf(stderr, "regtrace:   TLS %s -> %s not decrypted: %s\n", cb, sb,
			tls_fail_name(u[i].reason));
	}
	if (t->undecryptable > 5)
		fprintf(stderr, "regtrace:   ... and %llu more (capture.tls in --json)\n",
			(unsigned long long)(t->undecryptable - 5));
}

/* The dissectors know no store: they get an allocator (sip.h). */
static void *store_alloc(void *ctx, size_t n) { return msgstore_alloc(ctx, n); }
static void store_fallback(void *ctx) { msgstore_note_fallback(ctx); }

int main(int argc, char **argv)
{
	struct app a = { 0 };
	int rc = parse_args(&a, argc, argv);
	if (rc)
		return app_free(&a, rc);
	warn_fragments(a.bpf);

	struct dis_callbacks cb = { .on_msg = on_msg, .on_icmp = on_icmp, .user = &a };
	if (start_outputs(&a))
		return app_free(&a, 2);
	/* records are kept only with a model (start_outputs made the store) */
	struct dis_opts dopt = { 0 };
	struct sip_alloc store_al = { .fn = store_alloc, .fallback = store_fallback, .ctx = a.store };
	if (a.model && a.store)
		dopt.alloc = &store_al;
	/* opened now and kept open: a live capture re-reads what the client appends */
	if (a.tls_keylog_path && !(a.keylog = tls_keylog_open(a.tls_keylog_path))) {
		fprintf(stderr, "regtrace: --tls-keylog %s: %s\n", a.tls_keylog_path, strerror(errno));
		return app_free(&a, 2);
	}
	dopt.tls_keylog = a.keylog;
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

	if (a.live) {
		struct sigaction sa = { 0 };
		sa.sa_handler = on_signal;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		setvbuf(stdout, NULL, _IOLBF, 0);
		if (a.use_tui && !(a.ui = start_tui(&a)))
			return app_free(&a, 2);
		rc = a.hep_listen ? hep_listen_run(a.hep_listen, &a.cap, a.dis, &a.res, &g_stop, on_tick, &a)
				: pp ? pipe_live(pp, a.iface, &a.cap, a.dis, &a.res, &g_stop, on_tick, &a)
				  : cap_live(a.iface, &a.cap, a.dis, &a.res, &g_stop, on_tick, &a);
	} else {
		rc = pp ? pipe_read_files(pp, a.files, a.nfiles, &a.cap, a.dis, &a.res)
			: cap_read_files(a.files, a.nfiles, &a.cap, a.dis, &a.res);
	}
	bool flushed = pp != NULL;   /* the pipeline flushed the streams (on its thread) */
	pipe_free(pp);
	if (a.ui) {
		tui_end(a.ui);
		a.ui = NULL;
	}
	if (!flushed)
		dis_flush(a.dis);
	int out_rc = finish_outputs(&a);
	if (a.use_tui && !a.live && !out_rc) {
		struct tui_stats ts;
		tui_stats_of(&a, &a.res, &ts);
		struct tui *ui = start_tui(&a);
		if (!ui)
			out_rc = 2;
		else {
			tui_run(ui, a.model, &ts);
			tui_end(ui);
		}
	}

	const struct dis_stats *st = dis_get_stats(a.dis);
	fprintf(stderr, "regtrace: %llu packets, %llu SIP messages (%llu malformed)",
		(unsigned long long)a.res.packets, (unsigned long long)st->sip_msgs,
		(unsigned long long)st->malformed);
	if (a.cap.write_path)
		fprintf(stderr, ", %llu packets written to %s", (unsigned long long)a.res.written,
			a.cap.write_path);
	if (a.live)
		fprintf(stderr, ", %llu dropped by the kernel", (unsigned long long)a.res.pcap_drops);
	fputc('\n', stderr);
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
	if (a.store) {
		struct msgstore_stats ms;
		msgstore_get_stats(a.store, &ms);
		if (ms.spilled_bytes)
			fprintf(stderr, "regtrace: message detail: %.1f MB of %llu messages kept in a temp file, "
				"%.1f MB of it evicted from RAM and re-read on demand; model data: %.1f MB "
				"in the same file\n",
				ms.bytes / 1048576.0, (unsigned long long)ms.records,
				ms.spilled_bytes / 1048576.0, ms.model_bytes / 1048576.0);
		if (ms.rss_peak_over)
			fprintf(stderr, "regtrace: --max-memory %.0f MB exceeded (peak %.0f MB): the "
				"registrations and dialogs themselves need more\n",
				(a.max_memory ? a.max_memory : (size_t)512 << 20) / 1048576.0,
				ms.rss_peak_over / 1048576.0);
	}

	int status = 0;
	if (rc == 2 || a.res.unreadable || out_rc)
		status = 2;
	else if (a.fail_on && model_fail_on(a.model, a.fail_on) == 1)
		status = 1;
	else if (a.res.damaged)
		status = 3;
	return app_free(&a, status);
}
