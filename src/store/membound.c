/* SPDX-License-Identifier: GPL-2.0-or-later */
/* membound.c - the memory bound: see membound.h. */
#include "membound.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* The records the model holds may use what the bound leaves after half of
 * it (the parse queue, the libraries, the heap's slack) and the model's
 * estimate of its other objects, but at least an eighth of it; when they
 * pass that, shed down to 1/3 of it (each pass reruns the rules over the
 * AORs that lose detail: fewer, larger passes cost less, 446 -> 153 passes
 * and 3.3 -> 2.5 CPU-s on the 992k-packet benchmark).  The trigger counts the model's own
 * bytes, not RSS: what RSS reads depends on the allocator, the threads and
 * the environment, and eviction changes what the outputs show, so the same
 * input and bound must evict the same records.  RSS is read for the peak
 * and to say when the bound did not hold. */
struct membound {
	int fd;
	size_t page;
	size_t limit;
	size_t rss;
	uint64_t floor;            /* held bytes after a pass that could not get lower */
	struct membound_stats st;
};

static uint64_t rec_room(const struct membound *b, uint64_t fixed)
{
	uint64_t avail = b->limit / 2, min = b->limit / 8;
	return avail > fixed + min ? avail - fixed : min;
}

static size_t read_rss(struct membound *b)
{
	char buf[128];
	ssize_t n = pread(b->fd, buf, sizeof buf - 1, 0);
	if (n <= 0)
		return b->rss;
	buf[n] = '\0';
	unsigned long long size, res;
	if (sscanf(buf, "%llu %llu", &size, &res) != 2)
		return b->rss;
	b->rss = (size_t)res * b->page;
	if (b->rss > b->st.rss_peak)
		b->st.rss_peak = b->rss;
	if (b->rss > b->limit && b->rss > b->st.rss_peak_over)
		b->st.rss_peak_over = b->rss;
	return b->rss;
}

struct membound *membound_new(size_t limit)
{
	struct membound *b = calloc(1, sizeof *b);
	if (!b)
		return NULL;
	b->fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	if (b->fd < 0) {
		free(b);
		return NULL;
	}
	long pg = sysconf(_SC_PAGESIZE);
	b->page = pg > 0 ? (size_t)pg : 4096;
	b->limit = b->st.limit = limit;
	read_rss(b);
	return b;
}

uint64_t membound_due(struct membound *b, uint64_t held, uint64_t fixed)
{
	if (!b || !b->limit)
		return 0;
	read_rss(b);
	uint64_t high = rec_room(b, fixed), low = high / 3;
	if (held < high)
		return 0;
	/* what is held cannot go yet (open transactions): wait until it grew
	 * by a sixteenth of the bound or an eighth of itself before scanning
	 * again, so passes stay few however long it stays over */
	uint64_t step = b->floor / 8 > b->limit / 16 ? b->floor / 8 : b->limit / 16;
	if (b->floor && held < b->floor + step)
		return 0;
	b->st.sheds++;
	return held - low;
}

void membound_after(struct membound *b, uint64_t held, uint64_t fixed)
{
	if (!b)
		return;
	/* free() keeps most of it in the heap: hand the pages back, so that
	 * RSS says what is held */
	malloc_trim(0);
	read_rss(b);
	b->floor = held >= rec_room(b, fixed) ? held : 0;
}

size_t membound_rss(struct membound *b)
{
	return b ? read_rss(b) : 0;
}

void membound_get_stats(const struct membound *b, struct membound_stats *st)
{
	*st = b ? b->st : (struct membound_stats){ 0 };
}

void membound_free(struct membound *b)
{
	if (!b)
		return;
	close(b->fd);
	free(b);
}

size_t membound_parse_size(const char *str)
{
	if (!str || !*str)
		return 0;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(str, &end, 10);
	if (errno || end == str || str[0] == '-')
		return 0;
	unsigned sh = 0;
	switch (*end) {
	case '\0': break;
	case 'k': case 'K': sh = 10; end++; break;
	case 'm': case 'M': sh = 20; end++; break;
	case 'g': case 'G': sh = 30; end++; break;
	default: return 0;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end || v > (SIZE_MAX >> sh))
		return 0;
	return (size_t)(v << sh);
}
