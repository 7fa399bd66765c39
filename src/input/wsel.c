/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wsel.c - see wsel.h. */
#include "wsel.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "fnv.h"

struct cid {
	char *s;
	uint32_t hash;
	bool selected;
	uint64_t lost;                   /* hold: its packets evicted while unselected */
	struct dis_pkt_ref *v;           /* files: its packets */
	size_t n, cap;
};

struct entry {
	uint32_t file;
	uint64_t frame;
	int linktype;
	int64_t ts_ns;
	uint32_t caplen, wirelen;
	bool written;
	uint32_t ntags, captags;
	uint32_t *tags;                  /* cid index + 1 */
	uint8_t data[];
};

/* What the parts hook said, applied once the packet is held. */
struct pend {
	uint32_t cid;
	size_t off, n;                   /* into prefs */
};

#define WSEL_EV_MAX 65536

struct fframes {
	uint64_t *v;
	size_t n, cap, at;
};

struct wsel {
	bool hold;
	size_t hold_max;
	struct cid **cids;
	size_t ncids, capcids;
	uint32_t *tab;                   /* open addressing: cid index + 1, 0 empty */
	size_t tabn;
	/* hold */
	struct entry **ring;
	size_t rcap, rhead, rlen, bytes;
	struct pend *pend;
	size_t npend, cappend;
	/* frames evicted before any message named them (a message still being
	 * put together): the last WSEL_EV_MAX, so the message that names them
	 * later counts them as its own loss */
	uint64_t *ev;
	size_t ev_head, ev_len;
	struct dis_pkt_ref *prefs;
	size_t nprefs, capprefs;
	/* selections from any thread */
	pthread_mutex_t mu;
	char **q;
	size_t nq, capq;
	/* files, pass 2 */
	struct fframes *ff;
	size_t nff;
	struct wsel_stats st;
};

static bool grow(void **v, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return true;
	size_t nc = *cap ? *cap * 2 : 16;
	while (nc < need)
		nc *= 2;
	void *nv = realloc(*v, nc * elem);
	if (!nv)
		return false;
	*v = nv;
	*cap = nc;
	return true;
}

struct wsel *wsel_new(bool hold, size_t hold_max)
{
	struct wsel *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->hold = hold;
	w->hold_max = hold_max ? hold_max : (size_t)64 << 20;
	pthread_mutex_init(&w->mu, NULL);
	return w;
}

bool wsel_hold(const struct wsel *w)
{
	return w && w->hold;
}

static bool tab_grow(struct wsel *w)
{
	size_t nn = w->tabn ? w->tabn * 2 : 1024;
	uint32_t *nt = calloc(nn, sizeof *nt);
	if (!nt)
		return false;
	for (size_t i = 0; i < w->ncids; i++) {
		size_t k = w->cids[i]->hash & (nn - 1);
		while (nt[k])
			k = (k + 1) & (nn - 1);
		nt[k] = (uint32_t)i + 1;
	}
	free(w->tab);
	w->tab = nt;
	w->tabn = nn;
	return true;
}

/* The Call-ID's entry (index + 1), made when absent; 0 out of memory. */
static uint32_t cid_get(struct wsel *w, const char *s)
{
	size_t len = strlen(s);
	uint32_t h = rt_fnv32(RT_FNV32_INIT, s, len);
	if ((w->ncids + 1) * 2 > w->tabn && !tab_grow(w))
		return 0;
	size_t k = h & (w->tabn - 1);
	for (; w->tab[k]; k = (k + 1) & (w->tabn - 1)) {
		const struct cid *c = w->cids[w->tab[k] - 1];
		if (c->hash == h && strcmp(c->s, s) == 0)
			return w->tab[k];
	}
	if (!grow((void **)&w->cids, &w->capcids, w->ncids + 1, sizeof *w->cids))
		return 0;
	struct cid *c = calloc(1, sizeof *c);
	if (!c || !(c->s = strdup(s))) {
		free(c);
		return 0;
	}
	c->hash = h;
	w->cids[w->ncids++] = c;
	w->tab[k] = (uint32_t)w->ncids;
	return w->tab[k];
}

static struct entry *ring_at(const struct wsel *w, size_t i)
{
	return w->ring[(w->rhead + i) % w->rcap];
}

/* Hold: the held copy of a packet (binary search: one input, frames rise). */
static struct entry *find(const struct wsel *w, const struct dis_pkt_ref *r)
{
	size_t lo = 0, hi = w->rlen;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct entry *e = ring_at(w, mid);
		if (e->file < r->file || (e->file == r->file && e->frame < r->frame))
			lo = mid + 1;
		else
			hi = mid;
	}
	struct entry *e = lo < w->rlen ? ring_at(w, lo) : NULL;
	return e && e->file == r->file && e->frame == r->frame ? e : NULL;
}

static void write_entry(struct wsel *w, struct pw *out, struct entry *e)
{
	(void)w;
	if (e->written)
		return;
	e->written = true;
	pw_write(out, e->linktype, e->ts_ns, e->caplen, e->wirelen, e->data);
}

static bool tagged(const struct entry *e, uint32_t c)
{
	for (uint32_t i = 0; i < e->ntags; i++)
		if (e->tags[i] == c)
			return true;
	return false;
}

static void tag(struct wsel *w, struct entry *e, uint32_t c)
{
	if (tagged(e, c))
		return;
	size_t cap = e->captags;
	if (!grow((void **)&e->tags, &cap, e->ntags + 1, sizeof *e->tags)) {
		w->st.parts_dropped++;
		return;
	}
	e->captags = (uint32_t)cap;
	e->tags[e->ntags++] = c;
}

void wsel_parts(void *user, const struct sip_msg *m, const struct dis_pkt_ref *v, size_t n)
{
	struct wsel *w = user;
	if (!m->call_id || !n)
		return;   /* no dialog: never selected (select.h) */
	uint32_t c = cid_get(w, m->call_id);
	if (!c) {
		w->st.parts_dropped += n;
		return;
	}
	if (!w->hold) {
		struct cid *ci = w->cids[c - 1];
		if (!grow((void **)&ci->v, &ci->cap, ci->n + n, sizeof *ci->v)) {
			w->st.parts_dropped += n;
			return;
		}
		memcpy(ci->v + ci->n, v, n * sizeof *v);
		ci->n += n;
		return;
	}
	if (!grow((void **)&w->prefs, &w->capprefs, w->nprefs + n, sizeof *w->prefs) ||
	    !grow((void **)&w->pend, &w->cappend, w->npend + 1, sizeof *w->pend)) {
		w->st.parts_dropped += n;
		return;
	}
	memcpy(w->prefs + w->nprefs, v, n * sizeof *v);
	w->pend[w->npend++] = (struct pend){ c, w->nprefs, n };
	w->nprefs += n;
}

static int ref_cmp(const void *a, const void *b)
{
	const struct dis_pkt_ref *x = a, *y = b;
	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	return x->frame < y->frame ? -1 : x->frame > y->frame;
}

static bool ev_find(const struct wsel *w, uint64_t frame)
{
	size_t lo = 0, hi = w->ev_len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (w->ev[(w->ev_head + mid) % WSEL_EV_MAX] < frame)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < w->ev_len && w->ev[(w->ev_head + lo) % WSEL_EV_MAX] == frame;
}

static void ev_add(struct wsel *w, uint64_t frame)
{
	if (!w->ev && !(w->ev = malloc(WSEL_EV_MAX * sizeof *w->ev)))
		return;
	if (w->ev_len == WSEL_EV_MAX) {
		w->ev_head = (w->ev_head + 1) % WSEL_EV_MAX;
		w->ev_len--;
	}
	w->ev[(w->ev_head + w->ev_len++) % WSEL_EV_MAX] = frame;
}

static void apply_pend(struct wsel *w, struct pw *out)
{
	for (size_t i = 0; i < w->npend; i++) {
		const struct pend *p = &w->pend[i];
		struct dis_pkt_ref *r = w->prefs + p->off;
		const struct cid *c = w->cids[p->cid - 1];
		/* capture order within the message (TLS: the other side's handshake first) */
		qsort(r, p->n, sizeof *r, ref_cmp);
		for (size_t k = 0; k < p->n; k++) {
			struct entry *e = find(w, &r[k]);
			if (!e) {
				/* evicted: counted then if a message had named it, else now */
				if (ev_find(w, r[k].frame))
					w->cids[p->cid - 1]->lost++;
				continue;
			}
			tag(w, e, p->cid);
			if (c->selected)
				write_entry(w, out, e);
		}
	}
	w->npend = w->nprefs = 0;
}

static void evict(struct wsel *w)
{
	while (w->rlen > 1 && w->bytes > w->hold_max) {
		struct entry *e = ring_at(w, 0);
		w->rhead = (w->rhead + 1) % w->rcap;
		w->rlen--;
		w->bytes -= sizeof *e + e->caplen;
		if (!e->written) {
			w->st.evicted++;
			for (uint32_t i = 0; i < e->ntags; i++)
				w->cids[e->tags[i] - 1]->lost++;
			if (!e->ntags)
				ev_add(w, e->frame);
		}
		free(e->tags);
		free(e);
	}
}

/* The ring twice as big, its entries in order from 0. */
static bool grow_ring(struct wsel *w)
{
	size_t nc = w->rcap ? w->rcap * 2 : 1024;
	struct entry **nr = malloc(nc * sizeof *nr);
	if (!nr)
		return false;
	for (size_t i = 0; i < w->rlen; i++)
		nr[i] = ring_at(w, i);
	free(w->ring);
	w->ring = nr;
	w->rcap = nc;
	w->rhead = 0;
	return true;
}

void wsel_packet(struct wsel *w, struct pw *out, const struct pkt_info *pi, uint32_t caplen,
		 const uint8_t *data, bool had_sip)
{
	if (had_sip) {
		struct entry *e = NULL;
		if ((w->rlen < w->rcap || grow_ring(w)) && (e = malloc(sizeof *e + caplen))) {
			*e = (struct entry){ .file = pi->file, .frame = pi->frame, .linktype = pi->linktype,
					     .ts_ns = pi->ts_ns, .caplen = caplen, .wirelen = pi->wirelen };
			memcpy(e->data, data, caplen);
			w->ring[(w->rhead + w->rlen) % w->rcap] = e;
			w->rlen++;
			w->bytes += sizeof *e + caplen;
			w->st.held++;
		} else {
			w->st.evicted++;   /* could not even be held */
			ev_add(w, pi->frame);
		}
	}
	apply_pend(w, out);
	evict(w);
}

void wsel_select(struct wsel *w, const char *call_id)
{
	if (!w || !call_id)
		return;
	char *s = strdup(call_id);
	pthread_mutex_lock(&w->mu);
	if (s && grow((void **)&w->q, &w->capq, w->nq + 1, sizeof *w->q))
		w->q[w->nq++] = s;
	else {
		free(s);
		w->st.parts_dropped++;
	}
	pthread_mutex_unlock(&w->mu);
}

void wsel_sync(struct wsel *w, struct pw *out)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	char **q = w->q;
	size_t nq = w->nq;
	w->q = NULL;
	w->nq = w->capq = 0;
	pthread_mutex_unlock(&w->mu);
	if (w->hold)
		apply_pend(w, out);
	for (size_t i = 0; i < nq; i++) {
		uint32_t c = cid_get(w, q[i]);
		free(q[i]);
		if (!c || w->cids[c - 1]->selected)
			continue;
		w->cids[c - 1]->selected = true;
		w->st.dialogs_selected++;
		/* hold: what is held of it, in capture order */
		for (size_t k = 0; w->hold && k < w->rlen; k++) {
			struct entry *e = ring_at(w, k);
			if (!e->written && tagged(e, c))
				write_entry(w, out, e);
		}
	}
	free(q);
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int wsel_build(struct wsel *w)
{
	wsel_sync(w, NULL);
	for (size_t i = 0; i < w->ncids; i++) {
		const struct cid *c = w->cids[i];
		if (!c->selected)
			continue;
		for (size_t k = 0; k < c->n; k++) {
			uint32_t f = c->v[k].file;
			if (f >= w->nff) {
				struct fframes *nf = realloc(w->ff, ((size_t)f + 1) * sizeof *nf);
				if (!nf)
					return -1;
				memset(nf + w->nff, 0, ((size_t)f + 1 - w->nff) * sizeof *nf);
				w->ff = nf;
				w->nff = (size_t)f + 1;
			}
			struct fframes *ff = &w->ff[f];
			if (!grow((void **)&ff->v, &ff->cap, ff->n + 1, sizeof *ff->v))
				return -1;
			ff->v[ff->n++] = c->v[k].frame;
		}
	}
	for (size_t f = 0; f < w->nff; f++) {
		struct fframes *ff = &w->ff[f];
		qsort(ff->v, ff->n, sizeof *ff->v, u64_cmp);
		size_t o = 0;
		for (size_t k = 0; k < ff->n; k++)
			if (!o || ff->v[o - 1] != ff->v[k])
				ff->v[o++] = ff->v[k];
		ff->n = o;
		ff->at = 0;
	}
	return 0;
}

bool wsel_frame_on(struct wsel *w, uint32_t file, uint64_t frame)
{
	if (file >= w->nff)
		return false;
	struct fframes *ff = &w->ff[file];
	while (ff->at < ff->n && ff->v[ff->at] < frame)
		ff->at++;
	return ff->at < ff->n && ff->v[ff->at] == frame;
}

void wsel_get_stats(const struct wsel *w, struct wsel_stats *st)
{
	*st = w->st;
	st->evicted_selected = 0;
	for (size_t i = 0; i < w->ncids; i++)
		if (w->cids[i]->selected)
			st->evicted_selected += w->cids[i]->lost;
}

void wsel_free(struct wsel *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->ncids; i++) {
		free(w->cids[i]->s);
		free(w->cids[i]->v);
		free(w->cids[i]);
	}
	for (size_t i = 0; i < w->rlen; i++) {
		struct entry *e = ring_at(w, i);
		free(e->tags);
		free(e);
	}
	for (size_t f = 0; f < w->nff; f++)
		free(w->ff[f].v);
	for (size_t i = 0; i < w->nq; i++)
		free(w->q[i]);
	free(w->q);
	free(w->ff);
	free(w->cids);
	free(w->tab);
	free(w->ring);
	free(w->pend);
	free(w->prefs);
	free(w->ev);
	pthread_mutex_destroy(&w->mu);
	free(w);
}
