/* SPDX-License-Identifier: GPL-2.0-or-later */
/* msgstore.h - where SIP message records live when a run keeps them.
 *
 * Owns: struct msg_store, an append-only arena backed by an unlinked
 * temporary file mapped MAP_SHARED.  The dissectors put each record
 * (struct sip_msg, its arrays, its strings and its raw text: one block)
 * here through their sip_alloc callback, so pointers stay valid for the
 * whole run while the pages need not stay in RAM.  The arena's resident
 * part is bounded by a pager: everything is PROT_NONE except a FIFO of
 * 1 MiB regions (resident_max bytes in all); touching another region
 * faults, and the SIGSEGV handler drops the oldest region (MADV_DONTNEED)
 * and opens the touched one.  Under AddressSanitizer, which owns SIGSEGV,
 * or when the handler cannot be installed, a governor thread trims the
 * arena instead (every millisecond, oldest pages first) when it passes
 * its budget or the process passes --max-memory.  Either way the kernel
 * keeps the bytes in the file (page cache, written back under pressure)
 * and maps them again on the next access: RAM grows with the model, not
 * with packets.
 *
 * The correlation model (src/model/) keeps its objects here too
 * (msgstore_alloc_model): in chunks of their own, so a pass over the model
 * touches model pages only, not the message text between them.
 *
 * Nothing is freed one by one: the store goes as a whole (msgstore_free).
 * REGTRACE_NO_STORE (tests) and REGTRACE_NO_PAGER (governor only) in the
 * environment switch the store or its pager off.
 * Any failure (no temp dir, disk full, arena full) makes msgstore_alloc()
 * return NULL and the caller falls back to malloc: never a crash, only RAM.
 */
#ifndef RT_MSGSTORE_H
#define RT_MSGSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct msg_store;

struct msgstore_opts {
	const char *dir;          /* temp dir; NULL: $TMPDIR, else /var/tmp, else /tmp */
	size_t resident_max;      /* arena bytes kept mapped (default 16 MiB, at most rss_max/16) */
	size_t rss_max;           /* process RSS bound (--max-memory); 0: none */
};

struct msgstore_stats {
	uint64_t bytes;           /* bytes of records stored */
	uint64_t records;
	uint64_t model_bytes;     /* bytes of model objects stored (msgstore_alloc_model) */
	uint64_t spilled_bytes;   /* arena bytes dropped from RAM at least once */
	uint64_t trims;           /* governor passes that dropped pages */
	uint64_t heap_fallback;   /* records that went to malloc (store full/failed) */
	size_t rss_peak_over;     /* highest RSS seen above rss_max (0: never over) */
};

/* NULL when no temp file can be made (callers then use malloc). */
struct msg_store *msgstore_new(const struct msgstore_opts *o);
/* n bytes, 16-aligned, zeroed; NULL when the store cannot take it. */
void *msgstore_alloc(struct msg_store *s, size_t n);
/* The same for the model's objects, arrays and strings: n bytes, 8-aligned,
 * zeroed, kept apart from the records.  NULL when the store cannot take it. */
void *msgstore_alloc_model(struct msg_store *s, size_t n);
/* p was handed out by this store (so it must not be passed to free()). */
bool msgstore_owns(const struct msg_store *s, const void *p);
/* Count a record that went to malloc instead (stats only). */
void msgstore_note_fallback(struct msg_store *s);
/* Call after code that installs its own SIGSEGV handler (the TUI's, which
 * restores the terminal): the pager's handler goes first again and hands
 * every fault outside the arena to that handler. */
void msgstore_rearm(struct msg_store *s);
void msgstore_get_stats(struct msg_store *s, struct msgstore_stats *st);
void msgstore_free(struct msg_store *s);

/* "512M", "2G", "100000k", "1048576" -> bytes; 0 on a bad value. */
size_t msgstore_parse_size(const char *s);

#endif
