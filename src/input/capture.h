/* capture.h - the capture layer: libpcap files, stdin and live interfaces.
 *
 * Owns: opening inputs (pcap and pcapng, any timestamp precision and byte
 * order, "-" for stdin, live interfaces), the optional BPF filter, frame
 * numbering (restarting at 1 per file, as Wireshark numbers), writing the
 * packets that carried SIP with -w, the progress line, and the record of
 * where a damaged input stopped.  Hands each packet to the dissectors.
 */
#ifndef RT_CAPTURE_H
#define RT_CAPTURE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "dissect.h"

struct cap_opts {
	const char *bpf;          /* NULL: no filter at all */
	const char *write_path;   /* -w: packets that carried SIP */
	uint64_t max_packets;     /* -c: stop after this many (0 = no limit) */
	bool progress;            /* progress line on stderr */
	int snaplen;              /* live capture snap length */
};

/* What happened to one input. */
struct cap_input {
	const char *name;
	int linktype;
	uint64_t packets;
	bool opened;
	bool damaged;             /* reading stopped early */
	uint64_t damaged_after;   /* last good frame */
	char error[256];
};

struct cap_result {
	struct cap_input *inputs;
	int ninputs;
	uint64_t packets;
	uint64_t written;         /* packets written with -w */
	uint64_t pcap_drops;      /* live: kernel/interface drops */
	int64_t first_ts_ns, last_ts_ns;
	bool unreadable;          /* some input could not be opened at all */
	bool damaged;             /* some input was truncated/damaged */
	bool interrupted;
};

/* Called after each packet has gone through the dissectors (live mode uses
 * it to flush output); may be NULL. */
typedef void (*cap_tick_fn)(void *user, const struct cap_result *r);

/* Read the files in order; returns 0, or 2 when nothing could be read. */
int cap_read_files(char *const *files, int nfiles, const struct cap_opts *o,
		   struct dis_ctx *d, struct cap_result *r);
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
