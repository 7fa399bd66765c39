/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ipfrag.c - IPv4 and IPv6 fragment reassembly.
 *
 * Fragments are kept per datagram (RFC 791 key: source, destination,
 * protocol, identification; RFC 8200: source, destination, identification)
 * in arrival order-independent lists sorted by offset.  Duplicates and
 * overlaps are harmless: coverage is checked as the union of the pieces
 * and the datagram is assembled by copying them in offset order.  A
 * datagram completes with the packet that brings its last missing piece;
 * it then goes on through ip_payload_print() like any other.
 *
 * Bounds: opt.frag_timeout_ns of capture time per datagram, opt.frag_mem_max
 * bytes in all (oldest dropped first), a datagram at most 64 KiB and 1024
 * pieces.  Given-up datagrams are counted in frag_dropped, ones still
 * incomplete at end of capture in frag_pending.
 */
#include "dissect_int.h"

#include <stdlib.h>
#include <string.h>

#define FRAG_MAX_LEN 65535u
#define FRAG_MAX_PIECES 1024
#define FRAG_BUCKETS 4096u

struct frag_piece {
	struct frag_piece *next;
	uint32_t off, len;
	uint8_t data[];
};

struct frag_dgram {
	struct frag_dgram *hnext;
	struct frag_dgram *older, *newer;    /* age list */
	struct l3info l3;                    /* addresses, version; proto of piece 0 */
	uint8_t key_proto;                   /* v4: part of the key */
	uint32_t id, hash;
	int64_t first_ts;
	uint32_t first_file;                 /* the first fragment's packet: where */
	uint64_t first_frame;                /* an anomaly of the datagram is shown */
	uint32_t total;                      /* length, once the last piece came */
	bool have_last;
	int npieces;
	size_t bytes;
	struct frag_piece *pieces;           /* sorted by offset */
	struct dis_parts parts;              /* its packets (the parts hook) */
};

struct frag_table {
	struct frag_dgram *bucket[FRAG_BUCKETS];
	struct frag_dgram *oldest, *newest;
	size_t mem;
	size_t count;
};

struct frag_table *frag_table_new(void)
{
	return calloc(1, sizeof(struct frag_table));
}

static uint32_t frag_hash(const struct l3info *l3, uint32_t id, uint8_t kp)
{
	uint32_t h = rt_addr_hash(&l3->src, RT_FNV32_INIT ^ id);
	h = rt_addr_hash(&l3->dst, h);
	return (h ^ kp ^ ((uint32_t)l3->version << 8)) * RT_FNV32_PRIME;
}

static void dg_unlink(struct frag_table *t, struct frag_dgram *g)
{
	struct frag_dgram **pp = &t->bucket[g->hash % FRAG_BUCKETS];
	while (*pp && *pp != g)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = g->hnext;
	if (g->older)
		g->older->newer = g->newer;
	else
		t->oldest = g->newer;
	if (g->newer)
		g->newer->older = g->older;
	else
		t->newest = g->older;
	t->count--;
}

static void dg_free(struct frag_table *t, struct frag_dgram *g)
{
	for (struct frag_piece *p = g->pieces, *n; p; p = n) {
		n = p->next;
		free(p);
	}
	dis_parts_free(&g->parts);
	t->mem -= g->bytes + sizeof *g;
	free(g);
}

static void dg_drop(struct dis_ctx *d, struct frag_table *t, struct frag_dgram *g,
		    enum dis_event why)
{
	dis_event_at(d, why, g->first_file, g->first_frame);
	dg_unlink(t, g);
	dg_free(t, g);
	d->st.frag_dropped++;
}

static bool dg_complete(const struct frag_dgram *g)
{
	if (!g->have_last)
		return false;
	uint32_t covered = 0;
	for (const struct frag_piece *p = g->pieces; p; p = p->next) {
		if (p->off > covered)
			return false;
		if (p->off + p->len > covered)
			covered = p->off + p->len;
	}
	return covered >= g->total;
}

void ipfrag_print(struct dis_ctx *d, const struct l3info *l3, uint32_t id,
		  uint16_t offset, bool more, struct cur c)
{
	struct frag_table *t = d->frag;
	size_t n = cur_left(&c);
	const uint8_t *data = cur_take(&c, n);
	if (!t) {
		d->st.frag_dropped++;
		dis_event(d, DIS_EV_ALLOC_FAILED);
		return;
	}
	int64_t now = d->pi ? d->pi->ts_ns : 0;
	/* capture-time timeout, oldest first */
	while (t->oldest && now - t->oldest->first_ts > d->opt.frag_timeout_ns)
		dg_drop(d, t, t->oldest, DIS_EV_FRAG_TIMEOUT);
	/* RFC 791: every fragment but the last carries a multiple of 8 bytes,
	 * and a datagram ends by 65535 */
	if ((n == 0 && more) || (size_t)offset + n > FRAG_MAX_LEN || (more && (n & 7))) {
		dis_event(d, DIS_EV_FRAG_BAD_LENGTH);
		return;
	}
	if (!data)
		return;
	/* which datagram a fragment belongs to is known only once it
	 * completes: -w keeps every fragment */
	d->had_sip = true;

	uint8_t kp = l3->version == 4 ? l3->proto : 0;
	uint32_t h = frag_hash(l3, id, kp);
	struct frag_dgram *g = t->bucket[h % FRAG_BUCKETS];
	while (g && !(g->hash == h && g->id == id && g->key_proto == kp &&
		      g->l3.version == l3->version && rt_ip_eq(&g->l3.src, &l3->src) &&
		      rt_ip_eq(&g->l3.dst, &l3->dst)))
		g = g->hnext;
	if (!g) {
		g = dis_calloc(d, 1, sizeof *g);
		if (!g) {
			d->st.frag_dropped++;
			dis_event(d, DIS_EV_ALLOC_FAILED);
			return;
		}
		g->l3 = *l3;
		g->key_proto = kp;
		g->id = id;
		g->hash = h;
		g->first_ts = now;
		g->first_file = d->pi ? d->pi->file : d->last_file;
		g->first_frame = d->pi ? d->pi->frame : d->last_frame;
		g->hnext = t->bucket[h % FRAG_BUCKETS];
		t->bucket[h % FRAG_BUCKETS] = g;
		g->older = t->newest;
		if (t->newest)
			t->newest->newer = g;
		t->newest = g;
		if (!t->oldest)
			t->oldest = g;
		t->count++;
		t->mem += sizeof *g;
	}
	if (offset == 0)
		g->l3.proto = l3->proto;
	dis_parts_add_cur(d, &g->parts);
	if (!more) {
		uint32_t end = offset + (uint32_t)n;
		if (g->have_last && g->total != end) {
			dg_drop(d, t, g, DIS_EV_FRAG_INCONSISTENT);   /* two different ends */
			return;
		}
		g->have_last = true;
		g->total = end;
	}
	/* memory bound: the oldest datagrams go first */
	while (t->mem + n + sizeof(struct frag_piece) > d->opt.frag_mem_max && t->oldest &&
	       t->oldest != g)
		dg_drop(d, t, t->oldest, DIS_EV_FRAG_OVER_BOUND);
	if (t->mem + n + sizeof(struct frag_piece) > d->opt.frag_mem_max ||
	    g->npieces >= FRAG_MAX_PIECES) {
		dg_drop(d, t, g, DIS_EV_FRAG_OVER_BOUND);
		return;
	}
	struct frag_piece **pp = &g->pieces;
	while (*pp && (*pp)->off < offset)
		pp = &(*pp)->next;
	if (*pp && (*pp)->off == offset && (*pp)->len == n)
		goto check;                      /* a duplicate */
	struct frag_piece *pc = dis_malloc(d, sizeof *pc + n);
	if (!pc) {
		dg_drop(d, t, g, DIS_EV_ALLOC_FAILED);
		return;
	}
	pc->off = offset;
	pc->len = (uint32_t)n;
	if (n)
		memcpy(pc->data, data, n);
	pc->next = *pp;
	*pp = pc;
	g->npieces++;
	g->bytes += sizeof *pc + n;
	t->mem += sizeof *pc + n;
check:
	if (g->have_last) {
		for (struct frag_piece *p = g->pieces; p; p = p->next) {
			if (p->off + p->len > g->total) {
				dg_drop(d, t, g, DIS_EV_FRAG_INCONSISTENT);   /* a piece past the end */
				return;
			}
		}
	}
	if (!dg_complete(g))
		return;
	uint8_t *buf = dis_malloc(d, g->total ? g->total : 1);
	if (!buf) {
		dg_drop(d, t, g, DIS_EV_ALLOC_FAILED);
		return;
	}
	for (struct frag_piece *p = g->pieces; p; p = p->next)
		if (p->off < g->total)
			memcpy(buf + p->off, p->data,
			       p->len < g->total - p->off ? p->len : g->total - p->off);
	struct l3info full = g->l3;
	full.fragmented = true;
	uint32_t total = g->total;
	/* the datagram's packets are its fragments' (RFC 791 §3.2: all of them) */
	struct dis_parts parts = g->parts;
	g->parts = (struct dis_parts){ 0 };
	dg_unlink(t, g);
	dg_free(t, g);
	const struct dis_parts *saved = d->dg_parts;
	d->dg_parts = &parts;
	ip_payload_print(d, &full, cur_make(buf, total));
	d->dg_parts = saved;
	dis_parts_free(&parts);
	free(buf);
}

void frag_table_flush(struct dis_ctx *d)
{
	struct frag_table *t = d->frag;
	if (!t)
		return;
	while (t->oldest) {
		struct frag_dgram *g = t->oldest;
		dis_event_at(d, DIS_EV_FRAG_INCOMPLETE, g->first_file, g->first_frame);
		dg_unlink(t, g);
		dg_free(t, g);
		d->st.frag_pending++;
	}
}

void frag_table_free(struct frag_table *t)
{
	if (!t)
		return;
	while (t->oldest) {
		struct frag_dgram *g = t->oldest;
		dg_unlink(t, g);
		dg_free(t, g);
	}
	free(t);
}
