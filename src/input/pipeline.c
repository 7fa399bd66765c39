/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pipeline.c - reader thread + consumer hand-off.  See pipeline.h. */
#include "pipeline.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sip.h"

#define PIPE_BATCH 512     /* items per hand-off */
#define PIPE_DEPTH 8       /* full batches the reader may have queued */
/* Live: the reader hands over every 10 ms, and the consumer may stop for
 * a while (an evaluation of the findings, the screen): 1024 batches (8 MiB
 * at most, ~10 s) wait here instead of overflowing the kernel's buffer. */
#define PIPE_LIVE_DEPTH 1024
/* Files, records on the heap: parse threads (libosip2 was two thirds of
 * the reader's work, and the model waited for it); a batch goes early once
 * its bytes pass this. */
#define PIPE_PARSERS 2
#define PIPE_BYTES_MAX (4u << 20)

enum pipe_kind { PIPE_MSG, PIPE_ICMP, PIPE_REWIND, PIPE_RAW, PIPE_NONE };

/* An ICMP event outlives its packet here: its strings are copied. */
struct pipe_icmp {
	struct icmp_evt e;
	char buf[];        /* call-id \0 branch \0 method \0 */
};

struct pipe_item {
	enum pipe_kind kind;
	union {
		struct sip_msg *msg;
		struct pipe_icmp *icmp;
		int64_t seg_end_ns;     /* PIPE_REWIND */
		size_t raw;             /* PIPE_RAW: index in pipe_batch.raw */
	} u;
};

/* A message to parse: its bytes are at off in the batch's bytes. */
struct pipe_raw {
	struct dis_raw r;
	size_t off;
};

/* Parse state of a queued batch: the consumer takes the head once ready,
 * so records reach the model in order whichever thread parsed them. */
enum pipe_bstate { PB_READY, PB_TODO, PB_BUSY };

struct pipe_batch {
	size_t n;
	struct pipe_batch *next;
	enum pipe_bstate state;
	size_t nraw;
	unsigned char *bytes;       /* the PIPE_RAW messages' bytes, kept between uses */
	size_t blen, bcap;
	struct pipe_raw raw[PIPE_BATCH];
	struct pipe_item it[PIPE_BATCH];
};

struct pipe {
	struct dis_callbacks consumer;
	bool threaded;
	int depth;                  /* full batches the reader may queue (PIPE_DEPTH, live: more) */
	cap_tick_fn file_tick;      /* pipe_set_file_tick() */
	void *file_tick_user;
	/* reader side */
	struct pipe_batch *cur;
	/* shared, under mu */
	pthread_mutex_t mu;
	pthread_cond_t cv_full;     /* a batch was queued, or the reader ended */
	pthread_cond_t cv_free;     /* a batch was given back */
	pthread_cond_t cv_work;     /* a batch to parse was queued, or the reader ended */
	struct pipe_batch *full_head, *full_tail;
	size_t nfull;
	struct pipe_batch *free_list;
	bool done;
	/* the reader's job */
	char *const *files;
	int nfiles;
	const char *iface;          /* live: cap_live() instead of cap_read_files() */
	volatile sig_atomic_t *stop;
	const struct cap_opts *copt;
	struct cap_opts ropt;       /* files: *copt with the rewind queued in order */
	struct dis_ctx *dis;
	struct cap_result *res;
	int rc;
	/* live: the counters as of the last hand-off (under mu), for the
	 * consumer's ticks; when the current batch was started */
	struct cap_result snap;
	struct timespec batch_t0;
	/* the parse threads (files) and what they found, under mu */
	pthread_t parsers[PIPE_PARSERS];
	int nparsers;
	struct sip_scratch rscratch;    /* the reader's, when a copy cannot be had */
	uint64_t malformed, oom;
	uint32_t oom_file;              /* the first (lowest id) record memory ran out for */
	uint64_t oom_frame, oom_id;
};

static void deliver(struct pipe *p, struct pipe_item *it)
{
	if (it->kind == PIPE_MSG) {
		p->consumer.on_msg(p->consumer.user, it->u.msg);
	} else if (it->kind == PIPE_REWIND) {
		if (p->copt->on_rewind)
			p->copt->on_rewind(p->copt->rewind_user, it->u.seg_end_ns);
	} else if (it->kind == PIPE_ICMP) {
		if (p->consumer.on_icmp)
			p->consumer.on_icmp(p->consumer.user, &it->u.icmp->e);
		free(it->u.icmp);
	}
}

/* Under mu: b goes to the end of the full queue. */
static void queue_full_locked(struct pipe *p, struct pipe_batch *b)
{
	b->state = b->nraw ? PB_TODO : PB_READY;
	if (b->nraw)
		pthread_cond_signal(&p->cv_work);
	b->next = NULL;
	if (p->full_tail)
		p->full_tail->next = b;
	else
		p->full_head = b;
	p->full_tail = b;
	p->nfull++;
}

/* Reader: queue the current batch (waits while p->depth are queued) and
 * take an empty one.  All depth + 2 batches exist from the start: at most
 * depth are queued and the consumer holds one, so one is always free or
 * about to be. */
static void push_batch(struct pipe *p)
{
	pthread_mutex_lock(&p->mu);
	while (p->nfull >= (size_t)p->depth)
		pthread_cond_wait(&p->cv_free, &p->mu);
	queue_full_locked(p, p->cur);
	pthread_cond_signal(&p->cv_full);
	while (!p->free_list)
		pthread_cond_wait(&p->cv_free, &p->mu);
	struct pipe_batch *b = p->free_list;
	p->free_list = b->next;
	pthread_mutex_unlock(&p->mu);
	b->n = b->nraw = b->blen = 0;
	p->cur = b;
}

static void put(struct pipe *p, struct pipe_item it)
{
	if (!p->threaded) {
		deliver(p, &it);
		return;
	}
	p->cur->it[p->cur->n++] = it;
	if (p->cur->n == PIPE_BATCH)
		push_batch(p);
}

static void prod_msg(void *user, struct sip_msg *m)
{
	struct pipe *p = user;
	put(p, (struct pipe_item){ .kind = PIPE_MSG, .u.msg = m });
}

/* Under mu: what one parse thread counted. */
static void note_parsed_locked(struct pipe *p, uint64_t malformed, uint64_t oom,
			       const struct dis_raw *first_oom)
{
	p->malformed += malformed;
	if (oom && (!p->oom || first_oom->id < p->oom_id)) {
		p->oom_id = first_oom->id;
		p->oom_file = first_oom->meta.file;
		p->oom_frame = first_oom->meta.frame;
	}
	p->oom += oom;
}

/* Reader: a message to parse on a parse thread; its bytes are copied into
 * the batch (the dissector's buffer moves on). */
static void prod_raw(void *user, const struct dis_raw *r)
{
	struct pipe *p = user;
	struct pipe_batch *b = p->cur;
	if (b->bcap - b->blen < r->n) {
		size_t nc = b->bcap ? b->bcap : 64 * 1024;
		while (nc - b->blen < r->n)
			nc *= 2;
		unsigned char *nb = realloc(b->bytes, nc);
		if (!nb) {
			/* no copy: parse it here, in its place */
			bool oom = false;
			struct sip_msg *m = dis_parse_raw(r, &p->rscratch, &oom);
			pthread_mutex_lock(&p->mu);
			note_parsed_locked(p, m && m->malformed, oom, r);
			pthread_mutex_unlock(&p->mu);
			if (m)
				put(p, (struct pipe_item){ .kind = PIPE_MSG, .u.msg = m });
			return;
		}
		b->bytes = nb;
		b->bcap = nc;
	}
	memcpy(b->bytes + b->blen, r->p, r->n);
	b->raw[b->nraw] = (struct pipe_raw){ *r, b->blen };
	b->blen += r->n;
	put(p, (struct pipe_item){ .kind = PIPE_RAW, .u.raw = b->nraw++ });
	if (p->cur == b && b->blen >= PIPE_BYTES_MAX)
		push_batch(p);
}

/* Parse thread: the batch's PIPE_RAW items become records. */
static void parse_batch(struct pipe *p, struct pipe_batch *b, struct sip_scratch *scr)
{
	uint64_t malformed = 0, oom_n = 0;
	struct dis_raw first = { 0 };
	for (size_t i = 0; i < b->n; i++) {
		struct pipe_item *it = &b->it[i];
		if (it->kind != PIPE_RAW)
			continue;
		struct pipe_raw *pr = &b->raw[it->u.raw];
		pr->r.p = b->bytes + pr->off;
		bool oom = false;
		struct sip_msg *m = dis_parse_raw(&pr->r, scr, &oom);
		if (oom && !oom_n++)
			first = pr->r;
		if (m && m->malformed)
			malformed++;
		*it = m ? (struct pipe_item){ .kind = PIPE_MSG, .u.msg = m }
			: (struct pipe_item){ .kind = PIPE_NONE };
	}
	pthread_mutex_lock(&p->mu);
	note_parsed_locked(p, malformed, oom_n, &first);
	pthread_mutex_unlock(&p->mu);
}

static void *parser(void *arg)
{
	struct pipe *p = arg;
	struct sip_scratch scr = { 0 };
	pthread_mutex_lock(&p->mu);
	for (;;) {
		struct pipe_batch *b = p->full_head;
		while (b && b->state != PB_TODO)
			b = b->next;
		if (!b) {
			if (p->done)
				break;
			pthread_cond_wait(&p->cv_work, &p->mu);
			continue;
		}
		b->state = PB_BUSY;
		pthread_mutex_unlock(&p->mu);
		parse_batch(p, b, &scr);
		pthread_mutex_lock(&p->mu);
		b->state = PB_READY;
		pthread_cond_broadcast(&p->cv_full);
	}
	pthread_mutex_unlock(&p->mu);
	sip_scratch_free(&scr);
	return NULL;
}

static void prod_icmp(void *user, const struct icmp_evt *e)
{
	struct pipe *p = user;
	if (!p->threaded) {
		if (p->consumer.on_icmp)
			p->consumer.on_icmp(p->consumer.user, e);
		return;
	}
	const char *s[3] = { e->q_call_id, e->q_branch, e->q_method };
	size_t len[3], tot = 0;
	for (int i = 0; i < 3; i++) {
		len[i] = s[i] ? strlen(s[i]) + 1 : 0;
		tot += len[i];
	}
	struct pipe_icmp *c = malloc(sizeof *c + tot);
	if (!c)
		return;   /* evidence only: losing it under OOM does not lose messages */
	c->e = *e;
	char *w = c->buf;
	const char **dst[3] = { &c->e.q_call_id, &c->e.q_branch, &c->e.q_method };
	for (int i = 0; i < 3; i++) {
		if (s[i]) {
			memcpy(w, s[i], len[i]);
			*dst[i] = w;
			w += len[i];
		} else {
			*dst[i] = NULL;
		}
	}
	put(p, (struct pipe_item){ .kind = PIPE_ICMP, .u.icmp = c });
}

/* A rewind between inputs travels with the messages, so the consumer sees
 * it after the last message of the inputs before and before the next's. */
static void prod_rewind(void *user, int64_t seg_end_ns)
{
	put(user, (struct pipe_item){ .kind = PIPE_REWIND, .u.seg_end_ns = seg_end_ns });
}

struct pipe *pipe_new(const struct dis_callbacks *consumer)
{
	struct pipe *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->consumer = *consumer;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv_full, NULL);
	pthread_cond_init(&p->cv_free, NULL);
	pthread_cond_init(&p->cv_work, NULL);
	return p;
}

struct dis_callbacks pipe_producer(struct pipe *p)
{
	return (struct dis_callbacks){ .on_msg = prod_msg, .on_icmp = prod_icmp, .user = p };
}

static double ms_since(const struct timespec *t0)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) * 1e3 + (double)(now.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Live, on the reader thread after each packet and when idle: hand over
 * what is there once it is PIPE_LIVE_MS old, so a message reaches the
 * model within milliseconds even at a trickle. */
#define PIPE_LIVE_MS 10.0
static void reader_tick(void *user, const struct cap_result *r)
{
	struct pipe *p = user;
	if (p->cur->n == 0) {
		clock_gettime(CLOCK_MONOTONIC, &p->batch_t0);
		pthread_mutex_lock(&p->mu);
		p->snap = *r;
		pthread_mutex_unlock(&p->mu);
		return;
	}
	if (ms_since(&p->batch_t0) < PIPE_LIVE_MS)
		return;
	pthread_mutex_lock(&p->mu);
	p->snap = *r;
	pthread_mutex_unlock(&p->mu);
	push_batch(p);
	clock_gettime(CLOCK_MONOTONIC, &p->batch_t0);
}

static void *reader(void *arg)
{
	struct pipe *p = arg;
	if (p->iface)
		p->rc = cap_live(p->iface, p->copt, p->dis, p->res, p->stop, reader_tick, p);
	else
		p->rc = cap_read_files(p->files, p->nfiles, &p->ropt, p->dis, p->res);
	dis_flush(p->dis);
	pthread_mutex_lock(&p->mu);
	if (p->cur->n) {
		queue_full_locked(p, p->cur);
	} else {
		p->cur->next = p->free_list;
		p->free_list = p->cur;
	}
	p->cur = NULL;
	p->snap = *p->res;
	p->done = true;
	pthread_cond_signal(&p->cv_full);
	pthread_cond_broadcast(&p->cv_work);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* After the reader: the parse threads end once every batch is parsed (or
 * at once, when the reader never started); what they counted goes to the
 * dissector's counters. */
static void stop_parsers(struct pipe *p)
{
	if (!p->nparsers)
		return;
	pthread_mutex_lock(&p->mu);
	p->done = true;
	pthread_cond_broadcast(&p->cv_work);
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < p->nparsers; i++)
		pthread_join(p->parsers[i], NULL);
	p->nparsers = 0;
	dis_set_raw_hook(p->dis, NULL, NULL);
	dis_add_parsed(p->dis, p->malformed, p->oom, p->oom_file, p->oom_frame);
	p->malformed = p->oom = 0;
}

/* Batches up front (no allocation while packets flow), the parse threads
 * (files; none with REGTRACE_THREADS=2, or when they cannot be had: then
 * the reader parses) and the reader thread; false when the reader cannot be
 * had (then run on this thread). */
static bool start_reader(struct pipe *p, pthread_t *thr, bool parsers)
{
	const char *env = getenv("REGTRACE_THREADS");
	if (env && atoi(env) == 1)
		return false;
	if (env && atoi(env) == 2)
		parsers = false;
	if (!p->depth)
		p->depth = PIPE_DEPTH;
	for (int i = 0; i < p->depth + 2; i++) {
		struct pipe_batch *b = malloc(sizeof *b);
		if (!b)
			break;
		b->bytes = NULL;
		b->bcap = 0;
		b->next = p->free_list;
		p->free_list = b;
	}
	p->cur = p->free_list;
	if (p->cur) {
		p->free_list = p->cur->next;
		p->cur->n = p->cur->nraw = p->cur->blen = 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &p->batch_t0);
	p->threaded = true;
	if (!p->cur || !p->free_list) {
		p->threaded = false;
	} else if (parsers && dis_set_raw_hook(p->dis, prod_raw, p)) {
		for (int i = 0; i < PIPE_PARSERS; i++)
			if (pthread_create(&p->parsers[p->nparsers], NULL, parser, p) == 0)
				p->nparsers++;
		if (!p->nparsers)
			dis_set_raw_hook(p->dis, NULL, NULL);
	}
	if (p->threaded && pthread_create(thr, NULL, reader, p) != 0)
		p->threaded = false;
	if (!p->threaded) {
		dis_set_raw_hook(p->dis, NULL, NULL);
		stop_parsers(p);
		if (p->cur)
			free(p->cur->bytes);
		free(p->cur);   /* the rest go in pipe_free() */
		p->cur = NULL;
	}
	return p->threaded;
}

/* Under mu: the oldest queued batch is there and parsed. */
static bool head_ready(const struct pipe *p)
{
	return p->full_head && p->full_head->state == PB_READY;
}

/* Consumer: deliver every batch in order until the reader is done.  With
 * tick, wake at least every 100 ms and call it (at most every 50 ms) with
 * the counters of the last hand-off. */
static void consume(struct pipe *p, cap_tick_fn tick, void *user)
{
	struct timespec last_tick;
	clock_gettime(CLOCK_MONOTONIC, &last_tick);
	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (!head_ready(p) && !(p->done && !p->full_head)) {
			if (!tick) {
				pthread_cond_wait(&p->cv_full, &p->mu);
				continue;
			}
			struct timespec dl;
			clock_gettime(CLOCK_REALTIME, &dl);
			dl.tv_nsec += 100 * 1000000L;
			if (dl.tv_nsec >= 1000000000L) {
				dl.tv_sec++;
				dl.tv_nsec -= 1000000000L;
			}
			if (pthread_cond_timedwait(&p->cv_full, &p->mu, &dl) != 0)
				break;
		}
		struct pipe_batch *b = head_ready(p) ? p->full_head : NULL;
		bool done = p->done && !p->full_head;
		if (b) {
			p->full_head = b->next;
			if (!p->full_head)
				p->full_tail = NULL;
			p->nfull--;
			pthread_cond_signal(&p->cv_free);
		}
		struct cap_result snap = p->snap;
		pthread_mutex_unlock(&p->mu);
		if (b) {
			for (size_t i = 0; i < b->n; i++)
				deliver(p, &b->it[i]);
			pthread_mutex_lock(&p->mu);
			b->next = p->free_list;
			p->free_list = b;
			pthread_cond_signal(&p->cv_free);
			pthread_mutex_unlock(&p->mu);
		}
		if (done)
			break;
		if (tick && (!b || ms_since(&last_tick) >= 50.0)) {
			tick(user, &snap);
			clock_gettime(CLOCK_MONOTONIC, &last_tick);
		}
	}
}

void pipe_set_file_tick(struct pipe *p, cap_tick_fn tick, void *user)
{
	if (p) {
		p->file_tick = tick;
		p->file_tick_user = user;
	}
}

int pipe_read_files(struct pipe *p, char *const *files, int nfiles, const struct cap_opts *o,
		    struct dis_ctx *d, struct cap_result *r)
{
	p->files = files;
	p->nfiles = nfiles;
	p->copt = o;
	p->ropt = *o;
	p->ropt.on_rewind = prod_rewind;
	p->ropt.rewind_user = p;
	p->dis = d;
	p->res = r;
	pthread_t thr;
	if (!start_reader(p, &thr, true)) {
		int rc = cap_read_files(files, nfiles, o, d, r);
		dis_flush(d);
		return rc;
	}
	consume(p, p->file_tick, p->file_tick_user);
	pthread_join(thr, NULL);
	stop_parsers(p);
	return p->rc;
}

int pipe_live(struct pipe *p, const char *iface, const struct cap_opts *o, struct dis_ctx *d,
	      struct cap_result *r, volatile sig_atomic_t *stop, cap_tick_fn tick, void *user)
{
	p->iface = iface;
	p->stop = stop;
	p->depth = PIPE_LIVE_DEPTH;
	p->copt = o;
	p->dis = d;
	p->res = r;
	pthread_t thr;
	if (!start_reader(p, &thr, false)) {
		int rc = cap_live(iface, o, d, r, stop, tick, user);
		dis_flush(d);
		return rc;
	}
	consume(p, tick, user);
	pthread_join(thr, NULL);
	return p->rc;
}

void pipe_free(struct pipe *p)
{
	if (!p)
		return;
	while (p->free_list) {
		struct pipe_batch *b = p->free_list;
		p->free_list = b->next;
		free(b->bytes);
		free(b);
	}
	if (p->cur)
		free(p->cur->bytes);
	free(p->cur);
	sip_scratch_free(&p->rscratch);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv_full);
	pthread_cond_destroy(&p->cv_free);
	pthread_cond_destroy(&p->cv_work);
	free(p);
}
