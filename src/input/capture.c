/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capture.c - libpcap in, packets to the dissectors, SIP packets out (-w). */
#include "capture.h"
#include "wsel.h"

#include <errno.h>
#include <poll.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The live handle, for cap_break(): a signal handler has no other way to
 * reach it, and pcap_breakloop() is what wakes a blocked poll(). */
static pcap_t *volatile g_live[CAP_MAX_LIVE];

void cap_break(void)
{
	for (int k = 0; k < CAP_MAX_LIVE; k++) {
		pcap_t *p = g_live[k];
		if (p)
			pcap_breakloop(p);
	}
}

/* Capture times are kept within [0, 2^62] ns (1970 to 2116): every time a
 * pcap file can hold (32-bit unsigned seconds end in 2106) fits, and the
 * model can still add a duration (Expires is at most 2^32 - 1 s, RFC 3261
 * 20.19) or subtract two times without leaving int64_t. */
#define CAP_TS_MAX ((int64_t)1 << 62)

/* Capture time in ns since the epoch.  A damaged or byte-flipped file can
 * carry any 64-bit pcapng timestamp, in units its interface's if_tsresol
 * option chooses: such a time is clamped to the range above and *clamped
 * set, never multiplied past int64_t (undefined in C). */
static int64_t ts_ns(const struct timeval *tv, bool nano, bool *clamped)
{
	/* pcap's seconds field is unsigned 32-bit on disk; libpcap hands it
	 * over through a signed 32-bit value, so times past 2038 come out
	 * negative (tshark reads them as unsigned: so do we) */
	int64_t sec = tv->tv_sec;
	if (sec < 0 && sec >= INT32_MIN)
		sec = (int64_t)(uint32_t)sec;
	int64_t sub = (int64_t)tv->tv_usec * (nano ? 1 : 1000), ns;
	bool over = __builtin_mul_overflow(sec, (int64_t)1000000000, &ns) ||
		    __builtin_add_overflow(ns, sub, &ns);
	*clamped = over || ns < 0 || ns > CAP_TS_MAX;
	if (*clamped)
		ns = sec < 0 ? 0 : CAP_TS_MAX;
	return ns;
}

static bool apply_bpf(pcap_t *p, const char *bpf, char *err, size_t n)
{
	if (!bpf)
		return true;
	struct bpf_program prog;
	if (pcap_compile(p, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(err, n, "bad filter '%s': %s", bpf, pcap_geterr(p));
		return false;
	}
	int rc = pcap_setfilter(p, &prog);
	pcap_freecode(&prog);
	if (rc < 0) {
		snprintf(err, n, "cannot set filter: %s", pcap_geterr(p));
		return false;
	}
	return true;
}

struct progress {
	bool on;
	off_t size;
	struct timespec t0, last;
};

static double elapsed(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void progress_tick(struct progress *pg, pcap_t *p, uint64_t packets, bool final)
{
	if (!pg->on || (!final && (packets & 0x3fff)))
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!final && elapsed(&pg->last, &now) < 0.25)
		return;
	pg->last = now;
	FILE *f = pcap_file(p);
	long pos = f ? ftell(f) : -1;
	double secs = elapsed(&pg->t0, &now);
	double rate = secs > 0 ? (double)packets / secs : 0;
	if (pg->size > 0 && pos >= 0)
		fprintf(stderr, "\r%3d%%  %llu packets  %.0f packets/s ", (int)(100.0 * pos / pg->size),
			(unsigned long long)packets, rate);
	else
		fprintf(stderr, "\r%llu packets  %.0f packets/s ", (unsigned long long)packets, rate);
	if (final)
		fprintf(stderr, "\r%*s\r", 60, "");
}

/* One packet through the dissectors and, if it carried SIP, into -w
 * (h is the libpcap header, or one made up for a pcapng packet).  With a
 * selection: held (live, stdin) or only followed (files, written by the
 * second pass, which dissects nothing). */
static void handle(struct dis_ctx *d, const struct cap_opts *o, struct cap_result *r,
		   const struct pcap_pkthdr *h, const u_char *data, struct pkt_info *pi, int64_t ts)
{
	pi->ts_ns = ts;
	pi->wirelen = h->len;
	r->read_bytes_ += 16 + (uint64_t)h->caplen;   /* a pcap record: header and bytes */
	if (!(r->packets & 4095)) {
		__atomic_store_n(&r->progress_packets, r->packets, __ATOMIC_RELAXED);
		__atomic_store_n(&r->progress_bytes, r->read_bytes_, __ATOMIC_RELAXED);
	}
	if (!r->packets++)
		r->first_ts_ns = pi->ts_ns;
	if (pi->ts_ns > r->last_ts_ns)
		r->last_ts_ns = pi->ts_ns;
	if (pi->ts_ns > r->seg_last_ts_ns)
		r->seg_last_ts_ns = pi->ts_ns;
	if (o->pass2) {
		if (wsel_frame_on(o->wsel, pi->file, pi->frame) &&
		    pw_write(o->writer, pi->linktype, ts, h->caplen, h->len, data) == 0)
			r->written++;
		return;
	}
	dis_packet(d, pi, data, h->caplen);
	if (!o->writer)
		return;
	if (o->wsel) {
		if (wsel_hold(o->wsel))
			wsel_packet(o->wsel, o->writer, pi, h->caplen, data, dis_packet_had_sip(d));
	} else if (dis_packet_had_sip(d) &&
		   pw_write(o->writer, pi->linktype, ts, h->caplen, h->len, data) == 0) {
		r->written++;
	}
}

/* BPF for pcapng: one program per link type met (libpcap compiles for one). */
struct ng_bpf {
	struct { int linktype; bool ok; struct bpf_program prog; } ent[16];
	int n;
};

static const struct bpf_program *ng_bpf_for(struct ng_bpf *b, const char *expr, int lt, bool *fatal,
					    char *err, size_t n)
{
	for (int i = 0; i < b->n; i++)
		if (b->ent[i].linktype == lt)
			return b->ent[i].ok ? &b->ent[i].prog : NULL;
	if (b->n == (int)(sizeof b->ent / sizeof *b->ent))
		return NULL;
	int i = b->n++;
	b->ent[i].linktype = lt;
	pcap_t *dead = pcap_open_dead(lt, 262144);
	b->ent[i].ok = dead && pcap_compile(dead, &b->ent[i].prog, expr, 1, PCAP_NETMASK_UNKNOWN) == 0;
	if (!b->ent[i].ok && i == 0) {
		/* the first interface's type: a bad expression, as libpcap says it */
		snprintf(err, n, "bad filter '%s': %s", expr, dead ? pcap_geterr(dead) : "no memory");
		*fatal = true;
	}
	if (dead)
		pcap_close(dead);
	return b->ent[i].ok ? &b->ent[i].prog : NULL;
}

static void ng_bpf_free(struct ng_bpf *b)
{
	for (int i = 0; i < b->n; i++)
		if (b->ent[i].ok)
			pcap_freecode(&b->ent[i].prog);
}

static void unsupported_note(const char *file, int lt, int iface, int nifaces)
{
	const char *nm = pcap_datalink_val_to_name(lt) ? pcap_datalink_val_to_name(lt) : "unknown";
	if (nifaces <= 1)
		fprintf(stderr, "regtrace: %s: link type %d (%s) is not supported; its packets are counted, not read\n",
			file, lt, nm);
	else
		fprintf(stderr, "regtrace: %s: interface %d: link type %d (%s) is not supported; its packets "
			"are counted, not read\n", file, iface, lt, nm);
}

static bool same_text(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* Interfaces k and 0 tell the same story: identical descriptions (older
 * mergecap writes one per input file) are one interface to the user. */
static bool same_iface(const struct capf_iface *a, const struct capf_iface *b)
{
	return a->linktype == b->linktype && same_text(a->name, b->name) && same_text(a->descr, b->descr);
}

/* Keep what the file said about itself after capf_close(). */
static void ng_keep(struct cap_input *in, struct capf *cf)
{
	in->an = cf->an;
	in->ifaces = calloc(cf->nifaces ? cf->nifaces : 1, sizeof *in->ifaces);
	if (in->ifaces) {
		in->nifaces = (int)cf->nifaces;
		for (size_t k = 0; k < cf->nifaces; k++) {
			struct cap_iface *o = &in->ifaces[k];
			o->linktype = cf->ifaces[k].linktype;
			o->packets = cf->ifaces[k].packets;
			/* ownership of the strings moves */
			o->name = cf->ifaces[k].name;
			o->descr = cf->ifaces[k].descr;
			o->comment = cf->ifaces[k].comment;
			cf->ifaces[k].name = cf->ifaces[k].descr = cf->ifaces[k].comment = NULL;
		}
	}
	in->tls_keylog = cf->tls_keylog;
	in->tls_keylog_len = cf->tls_keylog_len;
	cf->tls_keylog = NULL;
}

/* One input being read: a libpcap handle (classic pcap) or capfile.c
 * (pcapng), with its next packet ready for the merge. */
struct src {
	int i;                        /* input index */
	pcap_t *p;                    /* classic pcap */
	bool nano;
	struct capf cf;               /* pcapng */
	bool ng;
	struct ng_bpf bpf;
	size_t seen;                  /* pcapng interfaces looked at so far */
	bool several;                 /* two that differ: messages say which */
	struct progress pg;
	/* the head packet */
	struct pcap_pkthdr hdr;
	const u_char *data;
	int64_t ts;
	struct pkt_info pi;
	int rc;                       /* of the last read: 1 packet, 0 end, < 0 error */
	bool quiet;                   /* -w's second pass or the time scan: the real pass says it */
};

/* Open input i by content.  0 opened, 1 unreadable (said), 2 fatal. */
static int src_open(struct src *s, int i, char *const *files, FILE *fp, const struct cap_opts *o,
		    struct cap_result *r)
{
	struct cap_input *in = &r->inputs[i];
	char err[PCAP_ERRBUF_SIZE] = "";
	memset(s, 0, sizeof *s);
	s->i = i;
	s->quiet = o->pass2;
	in->name = files[i];
	/* compressed or pcapng goes through capfile.c; a plain pcap file is
	 * opened by libpcap by name, as always */
	int crc = fp ? capf_open_stream(&s->cf, fp, err, sizeof err) : capf_open(&s->cf, files[i], err, sizeof err);
	if (crc == 0) {
		in->compression = s->cf.compression;
		if (s->cf.kind == CAPF_PCAPNG) {
			in->opened = in->pcapng = s->ng = true;
			in->linktype = -1;
			s->pi = (struct pkt_info){ .file = (uint32_t)i };
			return 0;
		}
		struct stat fst;
		/* a pipe cannot be opened again: what was peeked is replayed */
		if (fp || s->cf.compression || strcmp(files[i], "-") == 0 ||
		    stat(files[i], &fst) != 0 || !S_ISREG(fst.st_mode)) {
			FILE *fp = capf_take_stream(&s->cf);
			if (fp && !(s->p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, err)))
				fclose(fp);
		}
		capf_close(&s->cf);
	}
	if (!s->p && !fp && !in->compression && strcmp(files[i], "-") != 0)
		s->p = pcap_open_offline_with_tstamp_precision(files[i], PCAP_TSTAMP_PRECISION_NANO, err);
	if (!s->p) {
		snprintf(in->error, sizeof in->error, "%s", err);
		if (!s->quiet)
			fprintf(stderr, "regtrace: %s: cannot read: %s\n", files[i], err);
		r->unreadable = true;
		return 1;
	}
	in->opened = true;
	in->linktype = pcap_datalink(s->p);
	s->nano = pcap_get_tstamp_precision(s->p) == PCAP_TSTAMP_PRECISION_NANO;
	if (!apply_bpf(s->p, o->bpf, in->error, sizeof in->error)) {
		fprintf(stderr, "regtrace: %s\n", in->error);
		return 2;
	}
	pw_linktype(o->writer, in->linktype);   /* a pcap -w file takes the first input's */
	if (!dis_linktype_supported(in->linktype) && !o->pass2)
		unsupported_note(files[i], in->linktype, 0, 1);
	s->pg.on = o->progress;
	if (s->pg.on) {
		struct stat stt;
		FILE *f = pcap_file(s->p);
		s->pg.size = (f && fstat(fileno(f), &stt) == 0 && S_ISREG(stt.st_mode)) ? stt.st_size : 0;
		clock_gettime(CLOCK_MONOTONIC, &s->pg.t0);
		s->pg.last = s->pg.t0;
	}
	s->pi = (struct pkt_info){ .file = (uint32_t)i, .linktype = in->linktype };
	return 0;
}

/* The next packet of a pcapng input into the head: 1, 0 end, -1 damaged,
 * -2 fatal (bad filter, -w). */
static int ng_next(struct src *s, const struct cap_opts *o, struct cap_input *in)
{
	struct capf *cf = &s->cf;
	struct capf_pkt p;
	int rc;
	while ((rc = capf_next(cf, &p)) == 1) {
		if (in->linktype < 0)
			in->linktype = cf->ifaces[0].linktype;
		for (; s->seen < cf->nifaces; s->seen++) {
			if (!dis_linktype_supported(cf->ifaces[s->seen].linktype) && !o->pass2)
				unsupported_note(in->name, cf->ifaces[s->seen].linktype, (int)s->seen,
						 (int)cf->nifaces);
			if (!same_iface(&cf->ifaces[s->seen], &cf->ifaces[0]))
				s->several = true;
		}
		if (p.record_only) {
			++in->packets;   /* a frame number, as Wireshark gives one */
			continue;
		}
		struct pcap_pkthdr h = { .caplen = p.caplen, .len = p.wirelen };
		/* -w writes nanoseconds (the writer is opened so) */
		h.ts.tv_sec = (time_t)(p.ts_ns / 1000000000);
		h.ts.tv_usec = (suseconds_t)(p.ts_ns % 1000000000);
		if (h.ts.tv_usec < 0) {
			h.ts.tv_sec--;
			h.ts.tv_usec += 1000000000;
		}
		if (o->bpf) {
			bool fatal = false;
			const struct bpf_program *bp = ng_bpf_for(&s->bpf, o->bpf, p.linktype, &fatal,
								  in->error, sizeof in->error);
			if (fatal) {
				fprintf(stderr, "regtrace: %s\n", in->error);
				return -2;
			}
			/* what the filter drops is not numbered, as with libpcap */
			if (!bp || !pcap_offline_filter(bp, &h, p.data))
				continue;
		}
		pw_linktype(o->writer, p.linktype);
		s->hdr = h;
		s->data = p.data;
		/* the same range as ts_ns() gives libpcap's times */
		s->pi.ts_clamped = p.ts_ns < 0 || p.ts_ns > CAP_TS_MAX;
		s->ts = p.ts_ns < 0 ? 0 : p.ts_ns > CAP_TS_MAX ? CAP_TS_MAX : p.ts_ns;
		s->pi.linktype = p.linktype;
		s->pi.iface = s->several ? p.iface + 1 : 0;
		return 1;
	}
	return rc < 0 ? -1 : 0;
}

/* The next packet of an input into its head (s->rc says what came). */
static void src_next(struct src *s, const struct cap_opts *o, struct cap_input *in)
{
	if (s->ng) {
		s->rc = ng_next(s, o, in);
	} else {
		struct pcap_pkthdr *h;
		s->rc = pcap_next_ex(s->p, &h, &s->data);
		if (s->rc == 1) {
			s->hdr = *h;
			s->ts = ts_ns(&h->ts, s->nano, &s->pi.ts_clamped);
		} else if (s->rc == PCAP_ERROR_BREAK) {
			s->rc = 0;
		}
	}
	if (s->rc == 1)
		s->pi.frame = ++in->packets;
}

static void src_handle(struct src *s, struct dis_ctx *d, const struct cap_opts *o, struct cap_result *r)
{
	handle(d, o, r, &s->hdr, s->data, &s->pi, s->ts);
	if (s->p)
		progress_tick(&s->pg, s->p, r->inputs[s->i].packets, false);
}

/* Done with an input: say where a damaged one stopped, keep what a pcapng
 * file said about itself. */
static void src_close(struct src *s, struct cap_result *r)
{
	struct cap_input *in = &r->inputs[s->i];
	if (s->p)
		progress_tick(&s->pg, s->p, in->packets, true);
	if ((s->rc == -1 || s->rc == PCAP_ERROR) && !s->quiet) {
		in->damaged = true;
		in->damaged_after = in->packets;
		snprintf(in->error, sizeof in->error, "%s", s->ng ? s->cf.err : pcap_geterr(s->p));
		r->damaged = true;
		fprintf(stderr, "regtrace: %s: input damaged or truncated after frame %llu "
			"(reading stopped at frame %llu: %s); the frames before it are analysed\n",
			in->name, (unsigned long long)in->packets,
			(unsigned long long)in->packets + 1, in->error);
	}
	if (s->ng) {
		if (in->linktype < 0)
			in->linktype = s->cf.nifaces ? s->cf.ifaces[0].linktype : -1;
		const struct capf_anomalies *an = &s->cf.an;
		if (s->quiet)
			;
		else if (an->bad_block_length || an->bad_interface || an->bad_packet)
			fprintf(stderr, "regtrace: %s: pcapng anomalies: %llu blocks with a length that lies "
				"(%llu bytes skipped to the next good block), %llu packets of an undescribed "
				"interface, %llu packets longer than their block\n", in->name,
				(unsigned long long)an->bad_block_length, (unsigned long long)an->bytes_skipped,
				(unsigned long long)an->bad_interface, (unsigned long long)an->bad_packet);
		if (an->unknown_blocks && !s->quiet)
			fprintf(stderr, "regtrace: %s: %llu pcapng blocks of types we do not read were skipped\n",
				in->name, (unsigned long long)an->unknown_blocks);
		ng_keep(in, &s->cf);
		capf_close(&s->cf);
		ng_bpf_free(&s->bpf);
	}
	if (s->p)
		pcap_close(s->p);
	s->p = NULL;
	s->ng = false;
}

/* Time goes back between two units of input (several inputs read in the
 * given order, the next starting before what was read ends): said once per
 * boundary, counted, and told to the consumer so the model settles what
 * the inputs before left open as if the capture had ended there. */
static void rewind_at(const struct cap_opts *o, struct cap_result *r, const char *name, int64_t ts)
{
	int64_t back = r->seg_last_ts_ns - ts;
	if (!o->pass2)
		fprintf(stderr, "regtrace: %s starts %lld.%03lld s before the inputs read so far end "
			"(they do not overlap: read in the given order); what they left open is settled "
			"as at the end of a capture\n", name, (long long)(back / 1000000000),
			(long long)(back % 1000000000 / 1000000));
	r->rewinds++;
	if (o->on_rewind && !o->pass2)
		o->on_rewind(o->rewind_user, r->seg_last_ts_ns);
	r->seg_last_ts_ns = 0;
}

/* Inputs ix[0..n) as one capture, by time (mergecap's order; on equal
 * times the earlier input first), frames numbered per file.  fp: the one
 * input is that stream.  0, or 2 fatal; *opened counts what opened. */
static int read_unit(const int *ix, int n, char *const *files, FILE *fp, const struct cap_opts *o,
		     struct dis_ctx *d, struct cap_result *r, int *opened)
{
	struct src *ss = calloc((size_t)n, sizeof *ss);
	if (!ss)
		return 2;
	int rc = 0;
	for (int k = 0; k < n && !rc; k++) {
		int i = ix[k];
		int orc = src_open(&ss[k], i, files, fp, o, r);
		if (orc != 1)
			++*opened;
		if (orc == 2)
			rc = 2;
		else if (orc == 0)
			src_next(&ss[k], o, &r->inputs[i]);
		else
			ss[k].rc = 0;
		if (ss[k].rc == -2)
			rc = 2;
	}
	bool first = true;
	while (!rc) {
		struct src *best = NULL;
		for (int k = 0; k < n; k++)
			if (ss[k].rc == 1 && (!best || ss[k].ts < best->ts))
				best = &ss[k];
		if (!best)
			break;
		if (first && r->packets && best->ts < r->seg_last_ts_ns)
			rewind_at(o, r, files[best->i], best->ts);
		first = false;
		src_handle(best, d, o, r);
		if ((o->max_packets && r->packets >= o->max_packets) || (o->stop && *o->stop))
			break;
		src_next(best, o, &r->inputs[best->i]);
		if (best->rc == -2)
			rc = 2;
	}
	for (int k = 0; k < n; k++)
		if (ss[k].p || ss[k].ng)
			src_close(&ss[k], r);
	free(ss);
	return rc;
}

/* An input's packet times, from a first pass: no filter, no -w, nothing
 * said (the real pass says it).  any: at least one packet. */
struct span {
	int64_t lo, hi;
	int i;
	bool any;
};

static void span_scan(int i, char *const *files, int nfiles, volatile sig_atomic_t *stop,
		      struct span *sp)
{
	struct cap_opts qo = { .pass2 = true };   /* quiet, nothing dissected */
	struct cap_result qr = { .ninputs = nfiles };
	struct src s;
	*sp = (struct span){ .i = i };
	qr.inputs = calloc((size_t)nfiles, sizeof *qr.inputs);
	if (!qr.inputs)
		return;
	if (src_open(&s, i, files, NULL, &qo, &qr) == 0) {
		for (src_next(&s, &qo, &qr.inputs[i]); s.rc == 1 && !(stop && *stop);
		     src_next(&s, &qo, &qr.inputs[i])) {
			if (!sp->any || s.ts < sp->lo)
				sp->lo = s.ts;
			if (!sp->any || s.ts > sp->hi)
				sp->hi = s.ts;
			sp->any = true;
		}
		src_close(&s, &qr);
	}
	cap_result_free(&qr);
}

static int span_cmp(const void *pa, const void *pb)
{
	const struct span *a = pa, *b = pb;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return a->i - b->i;
}

/* Several inputs: the units read one after the other.  Inputs whose times
 * overlap, directly or through others, are one unit merged by time (what
 * mergecap does); units that do not overlap are read in the order given,
 * each where its first input stands (what mergecap -a does).  A file is
 * read twice for this (its times first).  Standard input cannot be:
 * with "-" among them everything is merged by time.  unit_of[i]: input
 * i's unit, numbered in reading order; returns the number of units. */
static int plan_units(char *const *files, int nfiles, volatile sig_atomic_t *stop, int *unit_of)
{
	for (int i = 0; i < nfiles; i++)
		if (!strcmp(files[i], "-")) {
			for (int j = 0; j < nfiles; j++)
				unit_of[j] = 0;
			return 1;
		}
	struct span *sp = calloc((size_t)nfiles, sizeof *sp);
	int *comp = calloc((size_t)nfiles, sizeof *comp), *rank = calloc((size_t)nfiles, sizeof *rank);
	if (!sp || !comp || !rank) {
		free(sp), free(comp), free(rank);
		for (int j = 0; j < nfiles; j++)
			unit_of[j] = 0;
		return 1;
	}
	for (int i = 0; i < nfiles; i++)
		span_scan(i, files, nfiles, stop, &sp[i]);
	/* components of the overlap relation: sorted by start, an input
	 * joins the current one when it starts before the latest end in it;
	 * an input without packets is a unit of its own */
	int ncomp = 0;
	for (int i = 0; i < nfiles; i++)
		if (!sp[i].any)
			comp[i] = ncomp++;
	qsort(sp, (size_t)nfiles, sizeof *sp, span_cmp);
	int64_t hi = 0;
	bool open = false;
	for (int k = 0; k < nfiles; k++) {
		if (!sp[k].any)
			continue;
		if (!open || sp[k].lo >= hi) {
			ncomp++;
			hi = sp[k].hi;
			open = true;
		} else if (sp[k].hi > hi) {
			hi = sp[k].hi;
		}
		comp[sp[k].i] = ncomp - 1;
	}
	/* units in the order of their first input */
	for (int c = 0; c < ncomp; c++)
		rank[c] = -1;
	int nunits = 0;
	for (int i = 0; i < nfiles; i++) {
		if (rank[comp[i]] < 0)
			rank[comp[i]] = nunits++;
		unit_of[i] = rank[comp[i]];
	}
	free(sp), free(comp), free(rank);
	return nunits;
}

/* The files merged or (--no-merge) in order, or (fp set: nfiles is 1)
 * one stream. */
static int read_inputs(char *const *files, FILE *fp, int nfiles, const struct cap_opts *o,
		       struct dis_ctx *d, struct cap_result *r)
{
	int opened = 0, rc = 0;
	r->inputs = calloc((size_t)nfiles, sizeof *r->inputs);
	int *unit_of = calloc((size_t)nfiles, sizeof *unit_of), *ix = calloc((size_t)nfiles, sizeof *ix);
	if (!r->inputs || !unit_of || !ix) {
		free(unit_of), free(ix);
		return 2;
	}
	r->ninputs = nfiles;
	if (o->wsel && !o->pass2 && d)
		dis_set_parts_hook(d, wsel_parts, o->wsel);
	int nunits = nfiles;
	if (nfiles > 1 && !o->no_merge)
		nunits = plan_units(files, nfiles, o->stop, unit_of);
	else
		for (int i = 0; i < nfiles; i++)
			unit_of[i] = i;
	for (int u = 0; u < nunits && !rc; u++) {
		int n = 0;
		for (int i = 0; i < nfiles; i++)
			if (unit_of[i] == u)
				ix[n++] = i;
		rc = read_unit(ix, n, files, fp, o, d, r, &opened);
		if ((o->max_packets && r->packets >= o->max_packets) || (o->stop && *o->stop))
			break;
	}
	free(unit_of), free(ix);
	return rc ? rc : opened ? 0 : 2;
}

/* gzip, zstd, lz4 frame, xz: the first bytes capfile.c decompresses by */
static bool compressed_magic(const unsigned char *m)
{
	return (m[0] == 0x1f && m[1] == 0x8b) || !memcmp(m, "\x28\xb5\x2f\xfd", 4) ||
	       !memcmp(m, "\x04\x22\x4d\x18", 4) || !memcmp(m, "\xfd\x37\x7a\x58", 4);
}

int cap_read_files(char *const *files, int nfiles, const struct cap_opts *o,
		   struct dis_ctx *d, struct cap_result *r)
{
	/* the progress bar's 100 %: regular files only; a compressed one's
	 * size says nothing about its packets, stdin has none */
	uint64_t total = 0;
	for (int i = 0; i < nfiles; i++) {
		struct stat st;
		char magic[4] = { 0 };
		FILE *f = strcmp(files[i], "-") ? fopen(files[i], "rb") : NULL;
		bool plain = f && fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) &&
			     fread(magic, 1, 4, f) == 4 && !compressed_magic((unsigned char *)magic);
		if (f)
			fclose(f);
		if (!plain) {
			total = 0;
			break;
		}
		total += (uint64_t)st.st_size;
	}
	__atomic_store_n(&r->progress_total, total, __ATOMIC_RELAXED);
	return read_inputs(files, NULL, nfiles, o, d, r);
}

void cap_progress(const struct cap_result *r, uint64_t *packets, double *fraction)
{
	uint64_t p = __atomic_load_n(&r->progress_packets, __ATOMIC_RELAXED);
	uint64_t b = __atomic_load_n(&r->progress_bytes, __ATOMIC_RELAXED);
	uint64_t t = __atomic_load_n(&r->progress_total, __ATOMIC_RELAXED);
	*packets = p;
	*fraction = t ? (b >= t ? 1.0 : (double)b / (double)t) : -1.0;
}

int cap_write_selected(char *const *files, int nfiles, const struct cap_opts *o, uint64_t *written)
{
	struct cap_opts o2 = *o;
	o2.pass2 = true;
	o2.progress = false;
	o2.after_open = NULL;
	struct cap_result r2 = { 0 };
	int rc = read_inputs(files, NULL, nfiles, &o2, NULL, &r2);
	*written = r2.written;
	cap_result_free(&r2);
	return rc;
}

int cap_read_fp(FILE *fp, const char *name, const struct cap_opts *o,
		struct dis_ctx *d, struct cap_result *r)
{
	char *const names[1] = { (char *)name };
	return read_inputs(names, fp, 1, o, d, r);
}

/* Kernel and interface drops, read once a second so the status bar and
 * JSON see them while capturing. */
static void read_drops(pcap_t *p, struct cap_result *r)
{
	struct pcap_stat ps;
	if (pcap_stats(p, &ps) == 0)
		r->pcap_drops = (uint64_t)ps.ps_drop + ps.ps_ifdrop;
}

struct drop_watch {
	bool on;                     /* say so on stderr */
	struct timespec last_read, last_warn;
	uint64_t warned_at;          /* drops at the last warning */
};

static void read_drops_all(pcap_t *const *ps, int n, struct cap_result *r);

static void drops_tick(struct drop_watch *dw, pcap_t *const *ps, int n, struct cap_result *r,
		       const char *iface)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (elapsed(&dw->last_read, &now) < 1.0)
		return;
	dw->last_read = now;
	read_drops_all(ps, n, r);
	if (!dw->on || elapsed(&dw->last_warn, &now) < 60.0)
		return;
	dw->last_warn = now;
	if (r->pcap_drops > dw->warned_at) {
		fprintf(stderr, "regtrace: -i %s: %llu packets dropped by the kernel so far (+%llu in the last "
			"minute; %llu captured); -B raises the buffer\n", iface,
			(unsigned long long)r->pcap_drops, (unsigned long long)(r->pcap_drops - dw->warned_at),
			(unsigned long long)r->packets);
		dw->warned_at = r->pcap_drops;
	}
}

/* One live interface opened, activated, filtered.  0, or 2 (said). */
static int live_open(pcap_t **pp, const char *iface, const struct cap_opts *o, struct cap_input *in,
		     struct cap_result *r)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	in->name = iface;
	pcap_t *p = pcap_create(iface, err);
	if (!p) {
		fprintf(stderr, "regtrace: -i %s: %s\n", iface, err);
		r->unreadable = true;
		return 2;
	}
	pcap_set_snaplen(p, o->snaplen > 0 ? o->snaplen : 262144);
	pcap_set_promisc(p, 1);
	pcap_set_timeout(p, 100);
	pcap_set_immediate_mode(p, 1);
	pcap_set_buffer_size(p, o->buffer_kib > 0 ? o->buffer_kib * 1024 : 32 * 1024 * 1024);
	pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
	int rc = pcap_activate(p);
	if (rc < 0) {
		fprintf(stderr, "regtrace: -i %s: %s\n", iface, pcap_geterr(p));
		if (rc == PCAP_ERROR_PERM_DENIED)
			fprintf(stderr, "regtrace: live capture needs root or CAP_NET_RAW\n");
		pcap_close(p);
		r->unreadable = true;
		return 2;
	}
	in->opened = true;
	in->linktype = pcap_datalink(p);
	if (!apply_bpf(p, o->bpf, in->error, sizeof in->error)) {
		fprintf(stderr, "regtrace: %s\n", in->error);
		pcap_close(p);
		return 2;
	}
	*pp = p;
	return 0;
}

/* Kernel drops over all the handles. */
static void read_drops_all(pcap_t *const *ps, int n, struct cap_result *r)
{
	uint64_t sum = 0;
	for (int k = 0; k < n; k++) {
		read_drops(ps[k], r);
		sum += r->pcap_drops;
	}
	r->pcap_drops = sum;
}

int cap_live(const char *iface, const struct cap_opts *o, struct dis_ctx *d,
	     struct cap_result *r, volatile sig_atomic_t *stop, cap_tick_fn tick, void *user)
{
	/* -i IFACE and any more given (o->more_ifaces): each its own handle
	 * and link type, one frame sequence, as dumpcap writes them */
	int n = 1 + (o->n_more_ifaces > 0 ? o->n_more_ifaces : 0);
	if (n > CAP_MAX_LIVE)
		n = CAP_MAX_LIVE;
	char err[PCAP_ERRBUF_SIZE] = "";
	r->inputs = calloc((size_t)n, sizeof *r->inputs);
	if (!r->inputs)
		return 2;
	r->ninputs = n;
	pcap_t *ps[CAP_MAX_LIVE] = { 0 };
	struct pollfd pfd[CAP_MAX_LIVE];
	bool nano[CAP_MAX_LIVE];
	int rc = 0;
	for (int k = 0; k < n && !rc; k++) {
		rc = live_open(&ps[k], k ? o->more_ifaces[k - 1] : iface, o, &r->inputs[k], r);
		if (!rc) {
			nano[k] = pcap_get_tstamp_precision(ps[k]) == PCAP_TSTAMP_PRECISION_NANO;
			pfd[k] = (struct pollfd){ .fd = pcap_get_selectable_fd(ps[k]), .events = POLLIN };
			if (pfd[k].fd >= 0 && pcap_setnonblock(ps[k], 1, err) < 0)
				pfd[k].fd = -1;
		}
	}
	if (!rc)
		pw_linktype(o->writer, r->inputs[0].linktype);   /* pcap -w: the first interface's */
	if (!rc && o->after_open && o->after_open(o->after_open_ctx) != 0) {
		/* the privilege drop failed: capture nothing */
		r->unreadable = true;
		rc = 2;
	}
	for (int k = 0; !rc && o->listening_msg && k < n; k++) {
		const char *lt = pcap_datalink_val_to_name(r->inputs[k].linktype);
		const char *ld = pcap_datalink_val_to_description(r->inputs[k].linktype);
		fprintf(stderr, "regtrace: listening on %s, link-type %s (%s), snapshot length %d bytes\n",
			k ? o->more_ifaces[k - 1] : iface, lt ? lt : "?", ld ? ld : "?",
			pcap_snapshot(ps[k]));
	}
	if (rc) {
		for (int k = 0; k < n; k++)
			if (ps[k])
				pcap_close(ps[k]);
		return 2;
	}
	for (int k = 0; k < n; k++)
		g_live[k] = ps[k];
	if (o->wsel)
		dis_set_parts_hook(d, wsel_parts, o->wsel);
	uint64_t frames = 0;
	struct drop_watch dw = { .on = o->drop_warnings };
	clock_gettime(CLOCK_MONOTONIC, &dw.last_read);
	dw.last_warn = dw.last_read;
	bool done = false;
	while (!*stop && !done) {
		drops_tick(&dw, ps, n, r, iface);
		pw_tick(o->writer, (int64_t)time(NULL));   /* SIGHUP: rotate now */
		wsel_sync(o->wsel, o->writer);             /* dialogs selected since */
		bool any = false;
		for (int k = 0; k < n && !done; k++) {
			struct pcap_pkthdr *h;
			const u_char *data;
			int prc = pcap_next_ex(ps[k], &h, &data);
			if (prc == 1) {
				any = true;
				struct pkt_info pi = { .file = 0, .linktype = r->inputs[k].linktype,
						       .frame = ++frames, .iface = n > 1 ? (uint32_t)k + 1 : 0 };
				r->inputs[k].packets++;
				handle(d, o, r, h, data, &pi, ts_ns(&h->ts, nano[k], &pi.ts_clamped));
				if (tick)
					tick(user, r);
				if ((o->max_packets && r->packets >= o->max_packets) || (o->stop && *o->stop))
					done = true;
			} else if (prc < 0) {
				if (prc == PCAP_ERROR)
					fprintf(stderr, "regtrace: -i %s: %s\n", r->inputs[k].name, pcap_geterr(ps[k]));
				done = true;
			}
		}
		if (!any && !done) {
			/* nothing buffered: wait up to 100 ms so ticks keep coming
			 * (immediate mode ignores the read timeout) */
			if (pfd[0].fd >= 0)
				poll(pfd, (nfds_t)n, 100);
			if (tick)
				tick(user, r);
		}
	}
	for (int k = 0; k < n; k++)
		g_live[k] = NULL;
	r->interrupted = *stop != 0;
	read_drops_all(ps, n, r);
	pw_flush(o->writer);   /* closed by the caller, after the last selection */
	for (int k = 0; k < n; k++)
		pcap_close(ps[k]);
	return 0;
}

void cap_result_free(struct cap_result *r)
{
	for (int i = 0; r->inputs && i < r->ninputs; i++) {
		struct cap_input *in = &r->inputs[i];
		for (int k = 0; k < in->nifaces; k++) {
			free(in->ifaces[k].name);
			free(in->ifaces[k].descr);
			free(in->ifaces[k].comment);
		}
		free(in->ifaces);
		free(in->tls_keylog);
	}
	free(r->inputs);
	memset(r, 0, sizeof *r);
}
