/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capture.h - the capture layer: libpcap files, stdin and live interfaces.
 *
 * Owns: opening inputs (pcap and pcapng, any timestamp precision and byte
 * order, "-" for stdin, live interfaces), the optional BPF filter, frame
 * numbering (restarting at 1 per file, as Wireshark numbers), handing the
 * packets that carried SIP to -w (pcapw.h; wsel.h with a selection), the progress line, and the record of
 * where a damaged input stopped.  Hands each packet to the dissectors.
 */
#ifndef RT_CAPTURE_H
#define RT_CAPTURE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "capfile.h"
#include "dissect.h"
#include "pcapw.h"

struct wsel;

/* Interfaces captured at once (-i given several times). */
#define CAP_MAX_LIVE 8

struct cap_opts {
	const char *bpf;          /* NULL: no filter at all */
	const char *write_path;   /* -w FILE, as given */
	struct pw *writer;        /* -w: open (pcapw.h), or NULL; the caller closes it */
	struct wsel *wsel;        /* -w with a selection (wsel.h), or NULL: every SIP packet */
	bool pass2;               /* cap_write_selected()'s pass: nothing dissected */
	uint64_t max_packets;     /* -c: stop after this many (0 = no limit) */
	bool progress;            /* progress line on stderr */
	int snaplen;              /* -s: live snap length (0: 262144, as tcpdump) */
	int buffer_kib;           /* -B: kernel capture buffer in KiB (0: 32 MiB) */
	bool drop_warnings;       /* live: kernel drops on stderr every minute while they grow */
	bool listening_msg;       /* live: "listening on IFACE, link-type ..." on stderr once the
				     filter is set and packets flow (tcpdump's line) */
	/* Live: called once the interface and -w are open, before the first
	 * packet (the privilege drop); non-zero stops the capture (exit 2). */
	int (*after_open)(void *ctx);
	void *after_open_ctx;
	bool no_merge;            /* several -r: one after the other, not merged by time */
	volatile sig_atomic_t *stop; /* files: set (by another thread) to stop reading early */
	/* Several -r read in the given order (they do not overlap, or
	 * --no-merge) and the next starts before what was read ends: called
	 * before its first packet with the latest time read so far. */
	void (*on_rewind)(void *user, int64_t seg_end_ns);
	void *rewind_user;
	char *const *more_ifaces; /* live: further -i interfaces after the first */
	int n_more_ifaces;
};

/* One pcapng interface (a classic pcap file has none listed). */
struct cap_iface {
	int linktype;
	char *name, *descr, *comment;   /* NULL when absent; untrusted text */
	uint64_t packets;
};

/* What happened to one input. */
struct cap_input {
	const char *name;
	int linktype;             /* pcapng: the first interface's */
	uint64_t packets;
	bool opened;
	bool damaged;             /* reading stopped early */
	uint64_t damaged_after;   /* last good frame */
	char error[256];
	const char *compression;  /* "gzip", "zstd", "lz4", "xz" or NULL */
	bool pcapng;              /* read by capfile.c, not libpcap */
	struct cap_iface *ifaces;
	int nifaces;
	struct capf_anomalies an;
	char *tls_keylog;         /* decryption secrets: TLS key log lines, or NULL */
	size_t tls_keylog_len;
};

struct cap_result {
	struct cap_input *inputs;
	int ninputs;
	uint64_t packets;
	uint64_t written;         /* packets written with -w */
	uint64_t pcap_drops;      /* live: kernel/interface drops (pcap_stats, read every second) */
	int64_t first_ts_ns, last_ts_ns;
	uint32_t rewinds;         /* times time went back between inputs (on_rewind) */
	int64_t seg_last_ts_ns;   /* the latest time since the last rewind */
	bool unreadable;          /* some input could not be opened at all */
	bool damaged;             /* some input was truncated/damaged */
	bool interrupted;
	/* Files: how far the reading thread is, for another thread's progress
	 * bar; published with __atomic stores every 4096 packets (cap_progress). */
	uint64_t progress_packets, progress_bytes;
	uint64_t progress_total;  /* sum of the inputs' sizes; 0 when unknown (stdin, compressed) */
	uint64_t read_bytes_;     /* the reading thread's own count (16 + caplen per packet) */
};

/* The reading thread's progress, from any thread: packets, and the share of
 * the input read (0..1; negative when the size is unknown). */
void cap_progress(const struct cap_result *r, uint64_t *packets, double *fraction);

/* Called after each packet has gone through the dissectors (live mode uses
 * it to flush output); may be NULL. */
typedef void (*cap_tick_fn)(void *user, const struct cap_result *r);

/* Read the files: those whose times overlap merged by time (mergecap), the
 * others in the given order (all in order with no_merge); returns 0, or 2
 * when nothing could be read. */
int cap_read_files(char *const *files, int nfiles, const struct cap_opts *o,
		   struct dis_ctx *d, struct cap_result *r);
/* -w with a selection, reading files: the inputs again, in the same order
 * and with the same filter and -c, writing the frames wsel_build() chose.
 * 0, or 2 when nothing could be read. */
int cap_write_selected(char *const *files, int nfiles, const struct cap_opts *o, uint64_t *written);
/* The same for one capture already open as a stream (fmemopen in the fuzz
 * harness); name is what the results call it.  fp is closed. */
int cap_read_fp(FILE *fp, const char *name, const struct cap_opts *o,
		struct dis_ctx *d, struct cap_result *r);
/* Capture live until *stop is set (SIGINT) or max_packets. Returns 0 or 2. */
int cap_live(const char *iface, const struct cap_opts *o, struct dis_ctx *d,
	     struct cap_result *r, volatile sig_atomic_t *stop, cap_tick_fn tick, void *user);
void cap_result_free(struct cap_result *r);
/* From a signal handler: make a blocked live capture return now. */
void cap_break(void);

#endif
