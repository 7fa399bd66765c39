/* SPDX-License-Identifier: GPL-2.0-or-later */
/* membound.h - the memory bound (--max-memory).
 *
 * Owns: struct membound, which reads the process's resident memory (RSS:
 * anonymous and file-backed pages, /proc/self/statm, opened before any
 * privilege drop) for the peak, says when and how much the model should
 * shed (model_shed, src/model/shed.c) from the bytes of records the model
 * holds (so that eviction, and what outputs show, depends on the input
 * and the bound alone), gives freed memory back to the system
 * after a shed (malloc_trim), and keeps the peak and how far over the bound
 * it went.  Records and model objects live on the heap: there is no
 * message file.  Sizes for options ("512M") are parsed here too.
 */
#ifndef RT_MEMBOUND_H
#define RT_MEMBOUND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct membound;

struct membound_stats {
	size_t limit;              /* bytes */
	size_t rss_peak;           /* highest RSS read */
	size_t rss_peak_over;      /* highest RSS read above the limit, 0: never over */
	uint64_t sheds;            /* passes asked for */
};

/* limit: bytes of RSS.  NULL when /proc/self/statm cannot be read (no
 * bound then: the caller says so). */
struct membound *membound_new(size_t limit);
/* Cheap (one pread): the bytes of records to shed now, given the bytes of
 * records the model holds (model_held_bytes) and its estimate of the rest
 * (model_fixed_bytes); 0 when under the high mark, or when the last pass
 * could not bring it down and it has not grown much since.  Depends on
 * those and the limit only, never on RSS. */
uint64_t membound_due(struct membound *b, uint64_t held, uint64_t fixed);
/* After a pass, with what is held now: give memory back, read RSS. */
void membound_after(struct membound *b, uint64_t held, uint64_t fixed);
size_t membound_rss(struct membound *b);
void membound_get_stats(const struct membound *b, struct membound_stats *st);
void membound_free(struct membound *b);

/* "512M", "2G", "100000k", "1048576" -> bytes; 0 on a bad value. */
size_t membound_parse_size(const char *s);

#endif
