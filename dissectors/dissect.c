/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dissect.c - the chain's entry points and the hand-off to the layer above. */
#include "dissect_int.h"

#include <stdlib.h>
#include <string.h>

struct dis_ctx *dis_new(const struct dis_callbacks *cb, const struct dis_opts *opt)
{
	struct dis_ctx *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->cb = *cb;
	if (opt)
		d->opt = *opt;
	if (!d->opt.tcp_stream_max)
		d->opt.tcp_stream_max = 256 * 1024;
	if (!d->opt.tcp_mem_max)
		d->opt.tcp_mem_max = 64u * 1024 * 1024;
	if (!d->opt.frag_mem_max)
		d->opt.frag_mem_max = 32u * 1024 * 1024;
	if (!d->opt.frag_timeout_ns)
		d->opt.frag_timeout_ns = 30LL * 1000000000LL;
	d->tcp = tcp_table_new(&d->opt);
	d->tls = tls_table_new(d->opt.tls_keylog != NULL);
	d->frag = frag_table_new();
	sip_global_init();
	return d;
}

void dis_packet(struct dis_ctx *d, const struct pkt_info *pi, const uint8_t *data, size_t caplen)
{
	d->pi = pi;
	d->had_sip = false;
	d->cut = false;
	d->depth = 0;
	d->last_file = pi->file;
	d->last_frame = pi->frame;
	d->st.packets++;
	d->st.bytes += caplen;
	if (pi->wirelen > caplen) {
		d->st.truncated++;
		dis_event(d, DIS_EV_PACKET_SNAPPED);
	}
	if (pi->ts_clamped)
		dis_event(d, DIS_EV_TIMESTAMP_RANGE);
	link_print(d, cur_make(data, caplen), pi->linktype);
	d->pi = NULL;
}

void dis_flush(struct dis_ctx *d)
{
	d->pi = NULL;
	tcp_table_flush(d);
	tls_table_flush(d);
	frag_table_flush(d);
}

void dis_free(struct dis_ctx *d)
{
	if (!d)
		return;
	tcp_table_free(d->tcp);
	tls_table_free(d);
	frag_table_free(d->frag);
	sctp_frag_free(d);
	sip_scratch_free(&d->scratch);
	free(d);
}

const struct dis_stats *dis_get_stats(const struct dis_ctx *d)
{
	return &d->st;
}

bool dis_alloc_denied(const struct dis_ctx *d)
{
	for (size_t i = 0; d->pi && i < d->opt.nfail_alloc_frames; i++)
		if (d->opt.fail_alloc_frames[i] == d->pi->frame)
			return true;
	return false;
}

void *dis_malloc(struct dis_ctx *d, size_t n)
{
	return dis_alloc_denied(d) ? NULL : malloc(n);
}

void *dis_calloc(struct dis_ctx *d, size_t k, size_t n)
{
	return dis_alloc_denied(d) ? NULL : calloc(k, n);
}

void *dis_realloc(struct dis_ctx *d, void *p, size_t n)
{
	return dis_alloc_denied(d) ? NULL : realloc(p, n);
}

bool dis_packet_had_sip(const struct dis_ctx *d)
{
	return d->had_sip;
}

void dis_event_at(struct dis_ctx *d, enum dis_event e, uint32_t file, uint64_t frame)
{
	struct dis_event_stat *s = &d->st.anomalies.ev[e];
	if (!s->count++) {
		s->first_file = file;
		s->first_frame = frame;
	}
}

void dis_event(struct dis_ctx *d, enum dis_event e)
{
	if (d->pi)
		dis_event_at(d, e, d->pi->file, d->pi->frame);
	else
		dis_event_at(d, e, d->last_file, d->last_frame);
}

void dis_set_parts_hook(struct dis_ctx *d, dis_parts_fn fn, void *user)
{
	d->parts_fn = fn;
	d->parts_user = user;
}

static void parts_push(struct dis_ctx *d, struct dis_parts *pp, struct dis_pkt_ref r)
{
	if (pp->n && pp->v[pp->n - 1].file == r.file && pp->v[pp->n - 1].frame == r.frame)
		return;                              /* the same packet again */
	if (pp->n == DIS_PARTS_MAX) {
		/* bounded: the oldest goes, and is counted */
		memmove(pp->v, pp->v + 1, (pp->n - 1) * sizeof *pp->v);
		pp->n--;
		d->st.parts_lost++;
	}
	if (pp->n == pp->cap) {
		uint32_t nc = pp->cap ? pp->cap * 2 : 4;
		struct dis_pkt_ref *nv = realloc(pp->v, nc * sizeof *nv);
		if (!nv) {
			d->st.parts_lost++;
			return;
		}
		pp->v = nv;
		pp->cap = nc;
	}
	pp->v[pp->n++] = r;
}

void dis_parts_add_cur(struct dis_ctx *d, struct dis_parts *pp)
{
	if (!d->parts_fn)
		return;
	if (d->dg_parts && d->dg_parts->n)
		dis_parts_add(d, pp, d->dg_parts);
	else if (d->pi)
		parts_push(d, pp, (struct dis_pkt_ref){ d->pi->file, d->pi->frame });
}

void dis_parts_add(struct dis_ctx *d, struct dis_parts *pp, const struct dis_parts *from)
{
	for (uint32_t i = 0; from && i < from->n; i++)
		parts_push(d, pp, from->v[i]);
}

void dis_parts_keep_last(struct dis_parts *pp, uint32_t k)
{
	if (k >= pp->n)
		return;
	memmove(pp->v, pp->v + (pp->n - k), k * sizeof *pp->v);
	pp->n = k;
}

void dis_parts_free(struct dis_parts *pp)
{
	free(pp->v);
	*pp = (struct dis_parts){ 0 };
}

/* The packets of message m to the parts hook. */
static void parts_report(struct dis_ctx *d, const struct sip_msg *m)
{
	const struct dis_parts *pp = d->emit_parts ? d->emit_parts : d->dg_parts;
	if (d->emit_parts)
		d->emit_used = d->emit_parts;
	if (d->emit_parts && d->emit_extra && d->emit_extra->n) {
		struct dis_parts all = { 0 };
		dis_parts_add(d, &all, d->emit_extra);
		dis_parts_add(d, &all, pp);
		d->parts_fn(d->parts_user, m, all.v, all.n);
		dis_parts_free(&all);
	} else if (pp && pp->n) {
		d->parts_fn(d->parts_user, m, pp->v, pp->n);
	} else {
		struct dis_pkt_ref one = { m->file, m->frame };
		d->parts_fn(d->parts_user, m, &one, 1);
	}
}

bool dis_set_raw_hook(struct dis_ctx *d, dis_raw_fn fn, void *user)
{
	if (fn && d->opt.alloc)
		return false;
	d->raw_fn = fn;
	d->raw_user = user;
	return true;
}

void dis_add_parsed(struct dis_ctx *d, uint64_t malformed, uint64_t oom, uint32_t file,
		    uint64_t frame)
{
	d->st.malformed += malformed;
	for (uint64_t i = 0; i < oom; i++)
		dis_event_at(d, DIS_EV_SIP_ALLOC_FAILED, file, frame);
}

static void apply_cut(struct sip_msg *m, const char *reason, bool only_clean)
{
	if (reason && (!only_clean || !m->malformed)) {
		m->malformed = true;
		m->malformed_reason = reason;
	}
}

struct sip_msg *dis_parse_raw(const struct dis_raw *r, struct sip_scratch *scratch, bool *oom)
{
	struct sip_meta meta = r->meta;
	meta.scratch = scratch;
	meta.alloc_failed = oom;
	struct sip_msg *m = sip_parse(r->p, r->n, &meta);
	if (m) {
		apply_cut(m, r->cut_reason, r->cut_only_clean);
		m->id = r->id;
	}
	return m;
}

void dis_sip(struct dis_ctx *d, const uint8_t *p, size_t n, struct sip_meta *meta,
	     const char *cut_reason, bool cut_only_clean)
{
	meta->fail_alloc = dis_alloc_denied(d);
	if (d->raw_fn && !d->parts_fn && !meta->fail_alloc) {
		/* what dis_emit() does, but for malformed (known after the parse) */
		if (!sip_has_start(p, n)) {
			d->st.not_sip++;
			return;
		}
		struct dis_raw r = { .p = p, .n = n, .meta = *meta, .id = ++d->next_msg_id,
				     .cut_reason = cut_reason, .cut_only_clean = cut_only_clean };
		d->st.sip_msgs++;
		d->had_sip = true;
		d->raw_fn(d->raw_user, &r);
		return;
	}
	bool oom = false;
	meta->scratch = &d->scratch;
	meta->alloc_failed = &oom;
	struct sip_msg *m = sip_parse(p, n, meta);
	if (oom)
		dis_event(d, DIS_EV_SIP_ALLOC_FAILED);
	if (!m) {
		if (!oom)
			d->st.not_sip++;
		return;
	}
	apply_cut(m, cut_reason, cut_only_clean);
	dis_emit(d, m);
}

void dis_emit(struct dis_ctx *d, struct sip_msg *m)
{
	m->id = ++d->next_msg_id;
	d->st.sip_msgs++;
	if (m->malformed)
		d->st.malformed++;
	d->had_sip = true;
	if (d->parts_fn)
		parts_report(d, m);
	if (d->cb.on_msg)
		d->cb.on_msg(d->cb.user, m);
	else
		sip_msg_free(m);
}

void dis_sip_payload(struct dis_ctx *d, const struct pkt_info *pi,
		     const struct rt_addr *src, const struct rt_addr *dst,
		     enum rt_transport tp, const uint8_t *p, size_t n)
{
	const struct pkt_info *saved = d->pi;
	d->pi = pi;
	sip_print_datagram(d, src, dst, tp, cur_make(p, n));
	d->pi = saved;
}

void sip_print_datagram(struct dis_ctx *d, const struct rt_addr *src, const struct rt_addr *dst,
			enum rt_transport tp, struct cur c)
{
	size_t n = cur_left(&c);
	const uint8_t *p = cur_take(&c, n);
	if (!p || n == 0)
		return;
	struct sip_meta meta = {
		.file = d->pi ? d->pi->file : 0,
		.iface = d->pi ? d->pi->iface : 0,
		.frame = d->pi ? d->pi->frame : 0,
		.ts_ns = d->pi ? d->pi->ts_ns : 0,
		.src = *src, .dst = *dst, .transport = tp, .datagram = true,
		.alloc = d->opt.alloc,
	};
	dis_sip(d, p, n, &meta, d->cut ? "packet cut short by the capture (snap length)" : NULL,
		true);
}

void dis_hep(struct dis_ctx *d, const struct pkt_info *pi, const uint8_t *p, size_t n)
{
	d->pi = pi;
	d->last_file = pi->file;
	d->last_frame = pi->frame;
	d->had_sip = false;
	d->cut = false;
	d->depth = 0;
	d->st.packets++;
	d->st.bytes += n;
	if (!hep_print(d, cur_make(p, n)))
		d->st.not_sip++;
	d->pi = NULL;
}

const struct tls_stats *dis_tls_stats(const struct dis_ctx *d,
				      const struct tls_undecryptable **list, size_t *n)
{
	return tls_get_stats(d, list, n);
}
