/* SPDX-License-Identifier: GPL-2.0-or-later */
/* metrics.h - Prometheus metrics over HTTP (--metrics [ADDR:]PORT).
 *
 * Owns: the listening socket and its server thread, the text exposition
 * (format 0.0.4) of registration health, and the counters that only events
 * can give (attempts by final code, the registration request delay of
 * RFC 6076 §4.1 as a histogram).  The model belongs to the main thread:
 * it renders a fresh page with metrics_publish() (about once a second) and
 * the server thread only ever hands out the last page it was given.
 */
#ifndef RT_METRICS_H
#define RT_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

struct metrics;

/* What the main thread knows of the capture besides the model. */
struct metrics_counts {
	uint64_t packets, sip_msgs, kernel_drops;
	uint64_t evicted_bytes;      /* message detail dropped from RAM */
	uint64_t hep_sent, hep_dropped;
};

/* Binds spec ("PORT" = loopback, "ADDR:PORT", "[V6]:PORT") and starts
 * serving /metrics.  NULL with a message in err. */
struct metrics *metrics_new(const char *spec, char *err, size_t errlen);
/* Event: a registration attempt ended (from the model's callback). */
void metrics_on_attempt(struct metrics *mt, const struct reg_attempt *a);
/* Render the page from the model and the counts; the next scrape gets it. */
void metrics_publish(struct metrics *mt, const struct model *m, const struct metrics_counts *c);
/* Stops the server thread and frees. */
void metrics_free(struct metrics *mt);

#endif
