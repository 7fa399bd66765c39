/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_pcapfile.c - a whole capture file (pcap or pcapng, any byte order
 * and precision) through the capture layer, as a file given with -r goes:
 * libpcap reads it from memory (fmemopen + pcap_fopen_offline, as
 * Suricata's fuzz_decodepcapfile does), each packet goes through the
 * dissectors, every message into the model with its records and objects
 * in the message store, then the diagnosis rules, the JSON document
 * (--json --json-raw) and the text report, written to /dev/null.
 *
 * So file headers, record headers, timestamps of any value, link types,
 * snap lengths and everything above them meet hostile bytes together,
 * with the store's pages and the model's timers in play. */
#include <stdio.h>
#include <stdlib.h>

#include "capture.h"
#include "diag.h"
#include "dissect.h"
#include "json_out.h"
#include "model.h"
#include "msgstore.h"
#include "report.h"

struct fz_run {
	struct model *model;
	struct json_out *jo;
};

static void fz_file_msg(void *user, struct sip_msg *m)
{
	struct fz_run *r = user;
	json_message(r->jo, m);
	model_add_msg(r->model, m);   /* takes ownership */
}

static void fz_file_icmp(void *user, const struct icmp_evt *e)
{
	struct fz_run *r = user;
	model_add_icmp(r->model, e);
}

static void *fz_store_alloc(void *ctx, size_t n) { return msgstore_alloc(ctx, n); }
static void fz_store_fallback(void *ctx) { msgstore_note_fallback(ctx); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null_out;
	if (!null_out && !(null_out = fopen("/dev/null", "w")))
		abort();
	if (size == 0)
		return 0;   /* fmemopen refuses an empty buffer */
	FILE *fp = fmemopen((void *)data, size, "rb");
	if (!fp)
		return 0;
	/* a small resident bound, so eviction and re-reading run too */
	struct msgstore_opts so = { .resident_max = 1 << 20, .rss_max = (size_t)256 << 20 };
	struct msg_store *store = msgstore_new(&so);
	struct model_opts mo = { .store = store };
	struct json_opts jopt = { .raw = true };
	struct fz_run run = { .model = model_new(&mo), .jo = json_begin(null_out, &jopt) };
	struct sip_alloc al = { .fn = fz_store_alloc, .fallback = fz_store_fallback, .ctx = store };
	struct dis_opts dopt = { .alloc = store ? &al : NULL };
	struct dis_callbacks cb = { .on_msg = fz_file_msg, .on_icmp = fz_file_icmp, .user = &run };
	struct dis_ctx *d = run.model && run.jo ? dis_new(&cb, &dopt) : NULL;
	if (!d) {
		fclose(fp);
		if (run.jo)
			json_end(run.jo, NULL, NULL);
		model_free(run.model);
		msgstore_free(store);
		return 0;
	}
	struct cap_opts co = { 0 };
	struct cap_result res = { 0 };
	cap_read_fp(fp, "fuzz", &co, d, &res);
	dis_flush(d);
	model_finish(run.model, res.last_ts_ns);
	const struct dis_stats *st = dis_get_stats(d);
	struct diag_opts dg = { .anomalies = &st->anomalies };
	diag_run(run.model, &dg);
	struct json_capture_file jf = { "fuzz", res.ninputs ? res.inputs[0].linktype : -1,
					res.damaged };
	struct json_capture c = { .files = &jf, .nfiles = 1, .packets = res.packets,
		.bytes = st->bytes, .sip_msgs = st->sip_msgs, .malformed = st->malformed,
		.truncated_packets = st->truncated, .anomalies = &st->anomalies,
		.first_ns = res.first_ts_ns,
		.last_ns = res.last_ts_ns };
	json_end(run.jo, run.model, &c);
	report_write(null_out, run.model, &(struct report_opts){ .verbose = true });
	fflush(null_out);
	model_free(run.model);
	dis_free(d);
	msgstore_free(store);   /* after everything that points into it */
	cap_result_free(&res);
	return 0;
}
