/* SPDX-License-Identifier: GPL-2.0-or-later */
/* msgstore.c - file-backed arena for message records.  See msgstore.h.
 *
 * Why MAP_SHARED on a real file: MADV_DONTNEED on such a mapping only
 * unmaps the pages from this process; the bytes stay in the file (page
 * cache, written back to disk under memory pressure) and the next access
 * faults them back in.  Pointers never change, so the model, the rules,
 * the JSON writer and the TUI read records as ordinary memory.  This is
 * safe while the main thread writes: zapping a dirty shared page moves its
 * dirty bit to the page cache, nothing is lost.
 */
#include "msgstore.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MS_RESERVE   (16ull << 30)   /* address space reserved for the arena */
#define MS_CHUNK     (64u << 20)     /* the file grows (fallocate) by this much */
#define MS_TAIL_KEEP (1u << 20)      /* the newest bytes stay mapped: being written */
#define MS_TICK_NS   (1000000L)        /* governor period */
/* Pager granule, and the chunk size of the record and model lanes.  1 MiB:
 * with the model in the arena too, the 992k-packet benchmark spent 31 s in
 * the kernel with 4 MiB regions (8 of them in the default 32 MiB: parsing
 * alone thrashed), 21 s with 1 MiB, 31 s with 256 KiB (more faults). */
#define MS_REGION    (1u << 20)

/* The pager (the default): the whole arena is PROT_NONE except a FIFO of
 * at most resident_max / MS_REGION regions.  Touching another region
 * faults; the SIGSEGV handler unmaps the oldest region (MADV_DONTNEED +
 * PROT_NONE) and opens the touched one.  So the arena's share of RSS is
 * bounded exactly, whatever the access pattern (a rule's pass over every
 * message included), at the cost of a few syscalls per MS_REGION touched.
 * Only user-space accesses fault: the kernel reading a record for a
 * syscall would get EFAULT instead, which is why captured text is only
 * ever written out through copies (escaping, the JSON writer, ncurses), never
 * write(2) from a record.  Under AddressSanitizer (its own SEGV handler)
 * or when the handler cannot be installed, the governor thread is used
 * instead: it trims the arena every millisecond when it is over budget. */
#if defined(__SANITIZE_ADDRESS__)
#define MS_PAGER_OK 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MS_PAGER_OK 0
#endif
#endif
#ifndef MS_PAGER_OK
#define MS_PAGER_OK 1
#endif

struct ms_lane {
	size_t off, end;             /* free part of the lane's current chunk */
};

struct msg_store {
	int fd;
	char *base;
	size_t used;                 /* written by the main thread, read by the governor */
	size_t file_size;
	bool full;
	/* Two threads allocate (pipeline.h): the reader thread takes records
	 * from rec_lane, the main thread model objects from model_lane; each
	 * lane is its owner's alone, only arena_take() (once per region) is
	 * shared and locked. */
	struct ms_lane rec_lane, model_lane;
	pthread_mutex_t take_mu;
	size_t stage_off;            /* rec_lane's anonymous region, SIZE_MAX: none */
	bool no_stage;
	uint64_t rec_bytes, model_bytes;
	size_t resident_max, rss_max;
	long page;
	int statm_fd;
	size_t shared_base;          /* pages of file-backed RSS before the arena */
	/* governor */
	pthread_t thr;
	bool thr_on;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
	/* stats (governor writes trims/spilled, under mu) */
	uint64_t records, heap_fallback, trims;
	size_t spilled_hi;
	size_t rss_peak_over;
	/* pager */
	bool pager;
	bool pager_busy;             /* spin lock: both threads may fault at once */
	size_t *ring;                /* resident regions, oldest at ring_head */
	size_t ring_cap, ring_head, ring_n;
	uint64_t evictions;
	struct sigaction old_segv;
};

/* The handler's only way to its store: a signal handler gets no context
 * pointer.  At most one store pages at a time (the others use the governor). */
static struct msg_store *ms_pager_store;

static void pager_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	struct msg_store *s = ms_pager_store;
	char *a = si ? si->si_addr : NULL;
	if (s && a >= s->base && a < s->base + s->file_size) {
		size_t r = (size_t)(a - s->base) / MS_REGION;
		/* the other thread may be in here: its syscalls are short and it
		 * never faults inside the handler, so spinning cannot deadlock */
		while (__atomic_test_and_set(&s->pager_busy, __ATOMIC_ACQUIRE))
			sched_yield();
		for (size_t i = 0; i < s->ring_n; i++)
			if (s->ring[(s->ring_head + i) % s->ring_cap] == r) {
				/* opened by the other thread meanwhile: retry the access */
				__atomic_clear(&s->pager_busy, __ATOMIC_RELEASE);
				return;
			}
		if (s->ring_n == s->ring_cap) {
			size_t o = s->ring[s->ring_head];
			char *ob = s->base + o * MS_REGION;
			madvise(ob, MS_REGION, MADV_DONTNEED);
			mprotect(ob, MS_REGION, PROT_NONE);
			s->ring_head = (s->ring_head + 1) % s->ring_cap;
			s->ring_n--;
			s->evictions++;
			if ((o + 1) * MS_REGION > s->spilled_hi)
				s->spilled_hi = (o + 1) * MS_REGION;
		}
		if (mprotect(s->base + r * MS_REGION, MS_REGION, PROT_READ | PROT_WRITE) == 0) {
			s->ring[(s->ring_head + s->ring_n) % s->ring_cap] = r;
			s->ring_n++;
			__atomic_clear(&s->pager_busy, __ATOMIC_RELEASE);
			return;             /* the access is retried and succeeds */
		}
		__atomic_clear(&s->pager_busy, __ATOMIC_RELEASE);
	}
	/* not ours (a real crash): put back what was there and fault again */
	if (s)
		sigaction(SIGSEGV, &s->old_segv, NULL);
	else
		signal(sig, SIG_DFL);
}

static bool pager_start(struct msg_store *s)
{
	if (!MS_PAGER_OK || ms_pager_store || getenv("REGTRACE_NO_PAGER"))
		return false;
	s->ring_cap = s->resident_max / MS_REGION;
	if (s->ring_cap < 8)
		s->ring_cap = 8;   /* an instruction may touch two regions: never thrash */
	s->ring = calloc(s->ring_cap, sizeof *s->ring);
	if (!s->ring)
		return false;
	if (mprotect(s->base, MS_RESERVE, PROT_NONE) != 0)
		goto fail;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = pager_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	ms_pager_store = s;
	if (sigaction(SIGSEGV, &sa, &s->old_segv) != 0) {
		ms_pager_store = NULL;
		mprotect(s->base, MS_RESERVE, PROT_READ | PROT_WRITE);
		goto fail;
	}
	s->pager = true;
	return true;
fail:
	free(s->ring);
	s->ring = NULL;
	return false;
}

static void pager_stop(struct msg_store *s)
{
	if (!s->pager)
		return;
	sigaction(SIGSEGV, &s->old_segv, NULL);
	ms_pager_store = NULL;
	s->pager = false;
	free(s->ring);
	s->ring = NULL;
}

/* resident and shared (file-backed + shmem) pages of this process */
static bool read_statm(int fd, size_t *rss, size_t *shared)
{
	char buf[160];
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	unsigned long long sz, r, sh;
	if (sscanf(buf, "%llu %llu %llu", &sz, &r, &sh) != 3)
		return false;
	*rss = (size_t)r;
	*shared = (size_t)sh;
	return true;
}

static void trim_locked(struct msg_store *s)
{
	size_t used = __atomic_load_n(&s->used, __ATOMIC_ACQUIRE);
	size_t end = used > MS_TAIL_KEEP ? used - MS_TAIL_KEEP : 0;
	end &= ~((size_t)s->page - 1);
	if (!end)
		return;
	if (madvise(s->base, end, MADV_DONTNEED) == 0) {
		s->trims++;
		if (end > s->spilled_hi)
			s->spilled_hi = end;
	}
}

static void *governor(void *arg)
{
	struct msg_store *s = arg;
	pthread_mutex_lock(&s->mu);
	while (!s->stop) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += MS_TICK_NS;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&s->cv, &s->mu, &ts);
		if (s->stop)
			break;
		size_t rss, shared;
		if (!read_statm(s->statm_fd, &rss, &shared))
			continue;
		size_t arena = shared > s->shared_base ? (shared - s->shared_base) * (size_t)s->page : 0;
		size_t rss_b = rss * (size_t)s->page;
		if (arena > s->resident_max || (s->rss_max && rss_b > s->rss_max && arena > (2u << 20)))
			trim_locked(s);
		if (s->rss_max && rss_b > s->rss_max && rss_b > s->rss_peak_over)
			s->rss_peak_over = rss_b;
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

static int open_tmp(const char *dir)
{
	if (!dir || !*dir)
		return -1;
	int fd;
#ifdef O_TMPFILE
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
#endif
	size_t n = strlen(dir) + 32;
	char *path = malloc(n);
	if (!path)
		return -1;
	snprintf(path, n, "%s/regtrace-XXXXXX", dir);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		unlink(path);            /* gone from the tree: freed when we exit */
	free(path);
	return fd;
}

struct msg_store *msgstore_new(const struct msgstore_opts *o)
{
	if (getenv("REGTRACE_NO_STORE"))   /* tests: records on the heap, as without a store */
		return NULL;
	struct msg_store *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->fd = -1;
	s->stage_off = SIZE_MAX;
	s->no_stage = getenv("REGTRACE_NO_STAGE") != NULL;   /* A/B timing */
	s->statm_fd = -1;
	s->page = sysconf(_SC_PAGESIZE);
	if (s->page <= 0)
		s->page = 4096;
	s->rss_max = o ? o->rss_max : 0;
	/* the arena's share: 16 MiB, less under a small --max-memory (16 and
	 * 32 MiB ran the 992k-packet benchmark in the same time: 17.9 s) */
	s->resident_max = o && o->resident_max ? o->resident_max : 16u << 20;
	if (s->rss_max && s->rss_max / 16 < s->resident_max)
		s->resident_max = s->rss_max / 16 > (4u << 20) ? s->rss_max / 16 : 4u << 20;
	const char *dirs[] = { o ? o->dir : NULL, getenv("TMPDIR"), "/var/tmp", "/tmp" };
	for (size_t i = 0; i < sizeof dirs / sizeof *dirs && s->fd < 0; i++)
		s->fd = open_tmp(dirs[i]);
	if (s->fd < 0)
		goto fail;
	s->base = mmap(NULL, MS_RESERVE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, s->fd, 0);
	if (s->base == MAP_FAILED) {
		s->base = NULL;
		goto fail;
	}
	pthread_mutex_init(&s->mu, NULL);
	pthread_mutex_init(&s->take_mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);
	s->statm_fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	size_t rss;
	if (s->statm_fd >= 0 && read_statm(s->statm_fd, &rss, &s->shared_base) && !pager_start(s))
		s->thr_on = pthread_create(&s->thr, NULL, governor, s) == 0;
	/* without /proc the arena still works, its pages simply stay mapped */
	return s;
fail:
	if (s->fd >= 0)
		close(s->fd);
	free(s);
	return NULL;
}

/* Reserves n bytes at the arena's end, starting on an `align` boundary (a
 * power of two); the file grows ahead of it.  The offset, or SIZE_MAX. */
static size_t arena_take_locked(struct msg_store *s, size_t n, size_t align)
{
	if (s->full)
		return SIZE_MAX;
	size_t off = (s->used + align - 1) & ~(align - 1);
	if (off > MS_RESERVE || n > MS_RESERVE - off) {
		s->full = true;
		return SIZE_MAX;
	}
	if (off + n > s->file_size) {
		size_t grow = MS_CHUNK;
		while (s->file_size + grow < off + n)
			grow += MS_CHUNK;
		if (s->file_size + grow > MS_RESERVE)
			grow = MS_RESERVE - s->file_size;
		/* blocks reserved now: a full disk must not SIGBUS a later store */
		if (posix_fallocate(s->fd, (off_t)s->file_size, (off_t)grow) != 0) {
			s->full = true;
			return SIZE_MAX;
		}
		s->file_size += grow;
	}
	__atomic_store_n(&s->used, off + n, __ATOMIC_RELEASE);
	return off;
}

static size_t arena_take(struct msg_store *s, size_t n, size_t align)
{
	pthread_mutex_lock(&s->take_mu);
	size_t off = arena_take_locked(s, n, align);
	pthread_mutex_unlock(&s->take_mu);
	return off;
}

/* A lane hands out small blocks from region-aligned chunks of its own, so
 * records and model objects do not share pager regions. */
/* Records are written once and never changed.  Written straight into the
 * file mapping, every fresh page cost a fault and the filesystem's
 * page_mkwrite (block mapping, zeroing, dirtying: ~37 % of the reader
 * thread on the benchmark, ext4).  So, under the pager, rec_lane's current
 * region is anonymous memory mapped at its final address; when the lane
 * moves on, the region goes to the file with one pwrite and the file is
 * mapped back over it: same bytes at the same addresses, so a reader of an
 * older record on the other thread sees no difference (at worst it faults
 * and the pager opens the region).  Not in governor mode: its trims would
 * drop an anonymous region's only copy. */
static void stage_seal(struct msg_store *s)
{
	size_t off = s->stage_off;
	if (off == SIZE_MAX)
		return;
	s->stage_off = SIZE_MAX;
	char *p = s->base + off;
	size_t done = 0;
	while (done < MS_REGION) {
		ssize_t w = pwrite(s->fd, p + done, MS_REGION - done, (off_t)(off + done));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;          /* not written: the region stays anonymous (RAM) */
		done += (size_t)w;
	}
	/* the pager opens it again on the next touch; if this fails the
	 * anonymous copy simply stays */
	mmap(p, MS_REGION, PROT_NONE, MAP_FIXED | MAP_SHARED | MAP_NORESERVE, s->fd, (off_t)off);
}

static void stage_begin(struct msg_store *s, size_t off)
{
	stage_seal(s);
	if (mmap(s->base + off, MS_REGION, PROT_READ | PROT_WRITE,
		 MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0) != MAP_FAILED)
		s->stage_off = off;
	/* else the file mapping is still there: writes fault in through the pager */
}

static void *lane_take(struct msg_store *s, struct ms_lane *l, size_t n, size_t align)
{
	size_t off = (l->off + align - 1) & ~(align - 1);
	if (l->end && off <= l->end && n <= l->end - off) {
		l->off = off + n;
		return s->base + off;
	}
	if (n > MS_REGION / 4) {           /* big: a chunk of its own */
		size_t o = arena_take(s, n, MS_REGION);
		return o == SIZE_MAX ? NULL : s->base + o;
	}
	size_t o = arena_take(s, MS_REGION, MS_REGION);
	if (o == SIZE_MAX)
		return NULL;
	if (l == &s->rec_lane && s->pager && !s->no_stage)
		stage_begin(s, o);
	l->off = o + n;
	l->end = o + MS_REGION;
	return s->base + o;
}

void *msgstore_alloc(struct msg_store *s, size_t n)
{
	if (!s || n == 0)
		return NULL;
	n = (n + 15) & ~(size_t)15;
	/* fresh file blocks read as zeros: no memset needed */
	void *p = lane_take(s, &s->rec_lane, n, 16);
	if (p) {
		__atomic_fetch_add(&s->records, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&s->rec_bytes, n, __ATOMIC_RELAXED);
	}
	return p;
}

void *msgstore_alloc_model(struct msg_store *s, size_t n)
{
	if (!s || n == 0)
		return NULL;
	n = (n + 7) & ~(size_t)7;
	void *p = lane_take(s, &s->model_lane, n, 8);
	if (p)
		__atomic_fetch_add(&s->model_bytes, n, __ATOMIC_RELAXED);
	return p;
}

bool msgstore_owns(const struct msg_store *s, const void *p)
{
	return s && s->base && (const char *)p >= s->base && (const char *)p < s->base + MS_RESERVE;
}

void msgstore_rearm(struct msg_store *s)
{
	if (!s || !s->pager)
		return;
	struct sigaction sa, cur;
	if (sigaction(SIGSEGV, NULL, &cur) != 0 || (cur.sa_flags & SA_SIGINFO && cur.sa_sigaction == pager_fault))
		return;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = pager_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &s->old_segv);
}

void msgstore_note_fallback(struct msg_store *s)
{
	if (s)
		__atomic_fetch_add(&s->heap_fallback, 1, __ATOMIC_RELAXED);
}

void msgstore_get_stats(struct msg_store *s, struct msgstore_stats *st)
{
	memset(st, 0, sizeof *st);
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	st->bytes = s->rec_bytes;
	st->records = s->records;
	st->model_bytes = s->model_bytes;
	st->spilled_bytes = s->spilled_hi;
	st->trims = s->trims;
	st->heap_fallback = s->heap_fallback;
	st->rss_peak_over = s->rss_peak_over;
	pthread_mutex_unlock(&s->mu);
	if (s->pager) {
		st->spilled_bytes = s->spilled_hi;
		st->trims = s->evictions;
	}
	if (st->spilled_bytes > st->bytes)      /* regions are rounded up */
		st->spilled_bytes = st->bytes;
	/* --max-memory: the peak so far (VmHWM), whatever the mode */
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		char buf[4096];
		ssize_t n = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (n > 0) {
			buf[n] = '\0';
			const char *h = strstr(buf, "VmHWM:");
			unsigned long long kb;
			if (h && sscanf(h + 6, "%llu", &kb) == 1 && s->rss_max && kb * 1024 > s->rss_max)
				st->rss_peak_over = (size_t)(kb * 1024);
		}
	}
}

void msgstore_free(struct msg_store *s)
{
	if (!s)
		return;
	if (s->thr_on) {
		pthread_mutex_lock(&s->mu);
		s->stop = true;
		pthread_cond_signal(&s->cv);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->thr, NULL);
	}
	pager_stop(s);
	pthread_mutex_destroy(&s->mu);
	pthread_mutex_destroy(&s->take_mu);
	pthread_cond_destroy(&s->cv);
	if (s->statm_fd >= 0)
		close(s->statm_fd);
	if (s->base)
		munmap(s->base, MS_RESERVE);
	close(s->fd);
	free(s);
}

size_t msgstore_parse_size(const char *str)
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
