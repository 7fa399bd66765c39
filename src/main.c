/* main.c - regtrace's command line: options, inputs, outputs, exit status.
 *
 * Exit status (issue order): 2 usage error or no input readable; else 1
 * when a --fail-on condition holds; else 3 when an input was truncated or
 * damaged; else 0.
 */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "dissect.h"
#include "escape.h"

struct app {
	/* options */
	char **files;
	int nfiles;
	const char *iface;
	char *bpf;
	struct cap_opts cap;
	bool messages;            /* --messages */
	bool live;
	/* state */
	struct dis_ctx *dis;
	struct cap_result res;
};

static volatile sig_atomic_t g_stop;   /* set by SIGINT/SIGTERM only */

static void on_signal(int sig)
{
	(void)sig;
	g_stop = 1;
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
		"  BPF expression   as with tcpdump; without one every packet is examined\n"
		"outputs:\n"
		"  --messages       one line per SIP message (tab-separated)\n"
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
	if (a->messages)
		print_message_line(a, m);
	sip_msg_free(m);
}

static void on_tick(void *user, const struct cap_result *r)
{
	(void)user;
	(void)r;
	fflush(stdout);   /* live: each line as it happens */
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

enum { OPT_MESSAGES = 256 };

static int parse_args(struct app *a, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "messages", no_argument, NULL, OPT_MESSAGES },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	a->files = calloc((size_t)argc + 1, sizeof *a->files);
	if (!a->files)
		return 2;
	int c;
	while ((c = getopt_long(argc, argv, "+r:i:w:c:hV", longopts, NULL)) != -1) {
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
		case OPT_MESSAGES:
			a->messages = true;
			break;
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
	if (!a->nfiles && !a->iface) {
		fprintf(stderr, "regtrace: no input: give -r FILE or -i IFACE\n");
		usage(stderr);
		return 2;
	}
	if (a->nfiles && a->iface) {
		fprintf(stderr, "regtrace: -r and -i cannot be combined\n");
		return 2;
	}
	a->live = a->iface != NULL;
	return 0;
}

/* Non-first IP fragments carry no ports: a port filter drops them. */
static void warn_fragments(const char *bpf)
{
	if (bpf && strstr(bpf, "port") && !strstr(bpf, "ip[6:2]"))
		fprintf(stderr, "regtrace: note: with a port filter, non-first IP fragments are not captured "
			"(they carry no port); to keep them add: or (ip[6:2] & 0x1fff != 0)\n");
}

int main(int argc, char **argv)
{
	struct app a = { 0 };
	int rc = parse_args(&a, argc, argv);
	if (rc)
		return rc;
	warn_fragments(a.bpf);

	struct dis_callbacks cb = { .on_msg = on_msg, .user = &a };
	a.dis = dis_new(&cb, NULL);
	if (!a.dis) {
		fprintf(stderr, "regtrace: out of memory\n");
		return 2;
	}
	a.cap.progress = !a.live && !a.messages && isatty(STDERR_FILENO);

	if (a.live) {
		struct sigaction sa = { 0 };
		sa.sa_handler = on_signal;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		setvbuf(stdout, NULL, _IOLBF, 0);
		rc = cap_live(a.iface, &a.cap, a.dis, &a.res, &g_stop, on_tick, &a);
	} else {
		rc = cap_read_files(a.files, a.nfiles, &a.cap, a.dis, &a.res);
	}
	dis_flush(a.dis);

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
	if (st->unknown_link)
		fprintf(stderr, "regtrace: %llu packets of unsupported link type %d were not read\n",
			(unsigned long long)st->unknown_link, st->last_unknown_linktype);

	int status = 0;
	if (rc == 2 || a.res.unreadable)
		status = 2;
	else if (a.res.damaged)
		status = 3;

	dis_free(a.dis);
	cap_result_free(&a.res);
	free(a.bpf);
	free(a.files);
	return status;
}
