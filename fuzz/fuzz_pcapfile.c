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
#include "report.h"

struct fz_run {
	struct model *model;
	struct json_out *jo;
	struct diag_opts dg;
	unsigned n;
};

static void fz_keep(void *user, struct model *m, struct aor_hist **aors, size_t n)
{
	struct fz_run *r = user;
	diag_keep_shed(m, &r->dg, aors, n);
}

static void fz_file_msg(void *user, struct sip_msg *m)
{
	struct fz_run *r = user;
	json_message(r->jo, m);
	model_add_msg(r->model, m);   /* takes ownership */
	/* shed all it can every 8 messages, so eviction runs on every input */
	if (++r->n % 8 == 0)
		model_shed(r->model, UINT64_MAX, fz_keep, r);
}

static void fz_file_icmp(void *user, const struct icmp_evt *e)
{
	struct fz_run *r = user;
	model_add_icmp(r->model, e);
}

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
	struct model_opts mo = { 0 };
	struct json_opts jopt = { .raw = true };
	struct fz_run run = { .model = model_new(&mo), .jo = json_begin(null_out, &jopt) };
	struct dis_opts dopt = { 0 };
	struct dis_callbacks cb = { .on_msg = fz_file_msg, .on_icmp = fz_file_icmp, .user = &run };
	struct dis_ctx *d = run.model && run.jo ? dis_new(&cb, &dopt) : NULL;
	if (!d) {
		fclose(fp);
		if (run.jo)
			json_end(run.jo, NULL, NULL);
		model_free(run.model);
		return 0;
	}
	struct cap_opts co = { 0 };
	struct cap_result res = { 0 };
	cap_read_fp(fp, "fuzz", &co, d, &res);
	dis_flush(d);
	model_finish(run.model, res.last_ts_ns);
	const struct dis_stats *st = dis_get_stats(d);
	run.dg.anomalies = &st->anomalies;
	diag_run(run.model, &run.dg);
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
	cap_result_free(&res);
	return 0;
}
