/* capture.c - libpcap in, packets to the dissectors, SIP packets out (-w). */
#include "capture.h"

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
static pcap_t *volatile g_live;

void cap_break(void)
{
	pcap_t *p = g_live;
	if (p)
		pcap_breakloop(p);
}

struct cap_writer {
	pcap_t *dead;
	pcap_dumper_t *dump;
	int linktype;
	bool warned;
};

static int writer_open(struct cap_writer *w, const char *path, int linktype, char *err, size_t n)
{
	w->dead = pcap_open_dead_with_tstamp_precision(linktype, 262144, PCAP_TSTAMP_PRECISION_NANO);
	if (!w->dead) {
		snprintf(err, n, "cannot set up the -w writer");
		return -1;
	}
	w->dump = pcap_dump_open(w->dead, path);
	if (!w->dump) {
		snprintf(err, n, "%s: %s", path, pcap_geterr(w->dead));
		pcap_close(w->dead);
		w->dead = NULL;
		return -1;
	}
	w->linktype = linktype;
	return 0;
}

static void writer_close(struct cap_writer *w)
{
	if (w->dump)
		pcap_dump_close(w->dump);
	if (w->dead)
		pcap_close(w->dead);
	memset(w, 0, sizeof *w);
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

/* One packet through the dissectors and, if it carried SIP, into -w. */
static void handle(struct dis_ctx *d, struct cap_writer *w, struct cap_result *r,
		   const struct pcap_pkthdr *h, const u_char *data, struct pkt_info *pi, bool nano)
{
	pi->ts_ns = ts_ns(&h->ts, nano, &pi->ts_clamped);
	pi->wirelen = h->len;
	if (!r->packets++)
		r->first_ts_ns = pi->ts_ns;
	if (pi->ts_ns > r->last_ts_ns)
		r->last_ts_ns = pi->ts_ns;
	dis_packet(d, pi, data, h->caplen);
	if (w->dump && dis_packet_had_sip(d)) {
		if (pi->linktype == w->linktype) {
			pcap_dump((u_char *)w->dump, h, data);
			r->written++;
		} else if (!w->warned) {
			w->warned = true;
			fprintf(stderr, "regtrace: -w: link type %d differs from the first input's (%d); "
				"those packets are not written\n", pi->linktype, w->linktype);
		}
	}
}

/* The files in order, or (fp set: nfiles is 1) one already open stream. */
static int read_inputs(char *const *files, FILE *fp, int nfiles, const struct cap_opts *o,
		       struct dis_ctx *d, struct cap_result *r)
{
	struct cap_writer w = { 0 };
	int opened = 0;
	r->inputs = calloc((size_t)nfiles, sizeof *r->inputs);
	if (!r->inputs)
		return 2;
	r->ninputs = nfiles;
	for (int i = 0; i < nfiles; i++) {
		struct cap_input *in = &r->inputs[i];
		char err[PCAP_ERRBUF_SIZE] = "";
		in->name = files[i];
		pcap_t *p = fp ? pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, err)
			       : pcap_open_offline_with_tstamp_precision(files[i], PCAP_TSTAMP_PRECISION_NANO, err);
		if (!p) {
			if (fp)
				fclose(fp);   /* pcap_close() closes it otherwise */
			snprintf(in->error, sizeof in->error, "%s", err);
			fprintf(stderr, "regtrace: %s: cannot read: %s\n", files[i], err);
			r->unreadable = true;
			continue;
		}
		in->opened = true;
		opened++;
		in->linktype = pcap_datalink(p);
		bool nano = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
		if (!apply_bpf(p, o->bpf, in->error, sizeof in->error)) {
			fprintf(stderr, "regtrace: %s\n", in->error);
			pcap_close(p);
			writer_close(&w);
			return 2;
		}
		if (o->write_path && !w.dump &&
		    writer_open(&w, o->write_path, in->linktype, in->error, sizeof in->error) < 0) {
			fprintf(stderr, "regtrace: -w %s\n", in->error);
			pcap_close(p);
			return 2;
		}
		if (!dis_linktype_supported(in->linktype))
			fprintf(stderr, "regtrace: %s: link type %d (%s) is not supported; its packets are counted, not read\n",
				files[i], in->linktype, pcap_datalink_val_to_name(in->linktype) ?
				pcap_datalink_val_to_name(in->linktype) : "unknown");
		struct progress pg = { .on = o->progress };
		if (pg.on) {
			struct stat stt;
			FILE *f = pcap_file(p);
			pg.size = (f && fstat(fileno(f), &stt) == 0 && S_ISREG(stt.st_mode)) ? stt.st_size : 0;
			clock_gettime(CLOCK_MONOTONIC, &pg.t0);
			pg.last = pg.t0;
		}
		struct pkt_info pi = { .file = (uint32_t)i, .linktype = in->linktype };
		struct pcap_pkthdr *h;
		const u_char *data;
		int rc;
		while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
			pi.frame = ++in->packets;
			handle(d, &w, r, h, data, &pi, nano);
			progress_tick(&pg, p, in->packets, false);
			if (o->max_packets && r->packets >= o->max_packets)
				break;
		}
		progress_tick(&pg, p, in->packets, true);
		if (rc == PCAP_ERROR) {
			in->damaged = true;
			in->damaged_after = in->packets;
			snprintf(in->error, sizeof in->error, "%s", pcap_geterr(p));
			r->damaged = true;
			fprintf(stderr, "regtrace: %s: input damaged or truncated after frame %llu "
				"(reading stopped at frame %llu: %s); the frames before it are analysed\n",
				files[i], (unsigned long long)in->packets,
				(unsigned long long)in->packets + 1, in->error);
		}
		pcap_close(p);
	}
	writer_close(&w);
	return opened ? 0 : 2;
}

int cap_read_files(char *const *files, int nfiles, const struct cap_opts *o,
		   struct dis_ctx *d, struct cap_result *r)
{
	return read_inputs(files, NULL, nfiles, o, d, r);
}

int cap_read_fp(FILE *fp, const char *name, const struct cap_opts *o,
		struct dis_ctx *d, struct cap_result *r)
{
	char *const names[1] = { (char *)name };
	return read_inputs(names, fp, 1, o, d, r);
}

int cap_live(const char *iface, const struct cap_opts *o, struct dis_ctx *d,
	     struct cap_result *r, volatile sig_atomic_t *stop, cap_tick_fn tick, void *user)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	r->inputs = calloc(1, sizeof *r->inputs);
	if (!r->inputs)
		return 2;
	r->ninputs = 1;
	struct cap_input *in = &r->inputs[0];
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
	pcap_set_buffer_size(p, 32 * 1024 * 1024);
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
	bool nano = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
	struct cap_writer w = { 0 };
	if (!apply_bpf(p, o->bpf, in->error, sizeof in->error) ||
	    (o->write_path && writer_open(&w, o->write_path, in->linktype, in->error, sizeof in->error) < 0)) {
		fprintf(stderr, "regtrace: %s\n", in->error);
		pcap_close(p);
		return 2;
	}
	struct pkt_info pi = { .file = 0, .linktype = in->linktype };
	int fd = pcap_get_selectable_fd(p);
	if (fd >= 0 && pcap_setnonblock(p, 1, err) < 0)
		fd = -1;
	g_live = p;
	while (!*stop) {
		struct pcap_pkthdr *h;
		const u_char *data;
		rc = pcap_next_ex(p, &h, &data);
		if (rc == 1) {
			pi.frame = ++in->packets;
			handle(d, &w, r, h, data, &pi, nano);
			if (w.dump)
				pcap_dump_flush(w.dump);
			if (tick)
				tick(user, r);
			if (o->max_packets && r->packets >= o->max_packets)
				break;
		} else if (rc == 0) {
			/* nothing buffered: wait up to 100 ms so ticks keep coming
			 * (immediate mode ignores the read timeout) */
			if (fd >= 0) {
				struct pollfd pfd = { .fd = fd, .events = POLLIN };
				poll(&pfd, 1, 100);
			}
			if (tick)
				tick(user, r);
		} else {
			if (rc == PCAP_ERROR)
				fprintf(stderr, "regtrace: -i %s: %s\n", iface, pcap_geterr(p));
			break;
		}
	}
	g_live = NULL;
	r->interrupted = *stop != 0;
	struct pcap_stat ps;
	if (pcap_stats(p, &ps) == 0)
		r->pcap_drops = (uint64_t)ps.ps_drop + ps.ps_ifdrop;
	writer_close(&w);
	pcap_close(p);
	return 0;
}

void cap_result_free(struct cap_result *r)
{
	free(r->inputs);
	memset(r, 0, sizeof *r);
}
