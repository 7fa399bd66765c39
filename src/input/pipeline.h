/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pipeline.h - reading files on a second thread.
 *
 * Owns: struct pipe, a pipeline for reading capture files.  The reader
 * thread runs the capture layer and the dissectors (pcap, link .. UDP/TCP,
 * reassembly); reading files, two parse threads run the libosip2 parse of
 * its messages (dis_set_raw_hook(): about two thirds of a run's work), a
 * batch each at a time; the calling thread receives every finished message
 * and ICMP event, in capture order, through the consumer callbacks (model,
 * outputs) while the others go on.  Items cross in batches through a
 * bounded queue, taken in order once parsed, so the reader can never run
 * far ahead (memory) and the hand-off costs one lock per batch, not per
 * message.
 *
 * Live capture uses it too: the reader hands over what it has every 10 ms
 * and the calling thread ticks (flushes outputs, redraws the screen) at
 * least every 100 ms, so a busy model never makes the kernel drop packets
 * while a quiet link still shows each message at once.
 * Without a thread (pthread_create failed, or REGTRACE_THREADS=1 in the
 * environment) everything runs on the calling thread, in the same order;
 * REGTRACE_THREADS=2 parses on the reader thread.  What the reader and
 * parse threads touch: the capture layer and the dis_ctx (the reader only),
 * libosip2 (thread-safe once sip_global_init() ran) and malloc(); nothing
 * of the model.
 */
#ifndef RT_PIPELINE_H
#define RT_PIPELINE_H

#include "capture.h"
#include "dissect.h"

struct pipe;

/* consumer: what the calling thread does with each item (copied). */
struct pipe *pipe_new(const struct dis_callbacks *consumer);
/* The callbacks to give dis_new(): they queue items for the consumer. */
struct dis_callbacks pipe_producer(struct pipe *p);
/* cap_read_files() then dis_flush() on the reader thread; the consumer
 * callbacks run here until both are done.  Returns cap_read_files()'s code. */
/* Reading files: call tick on this (the consuming) thread at least every
 * 100 ms, as live captures do (the screen while a file loads).  The
 * cap_result it gets is not the reader's: read progress with cap_progress(). */
void pipe_set_file_tick(struct pipe *p, cap_tick_fn tick, void *user);
int pipe_read_files(struct pipe *p, char *const *files, int nfiles, const struct cap_opts *o,
		    struct dis_ctx *d, struct cap_result *r);
/* cap_live() on the reader thread; the consumer callbacks and tick (with
 * the counters as of the last hand-off) run here.  *stop ends it (SIGINT,
 * or tick setting it).  Flushes the streams.  Returns cap_live()'s code. */
int pipe_live(struct pipe *p, const char *iface, const struct cap_opts *o, struct dis_ctx *d,
	      struct cap_result *r, volatile sig_atomic_t *stop, cap_tick_fn tick, void *user);
void pipe_free(struct pipe *p);

#endif
