/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp.c - TCP: per-direction stream reassembly and SIP framing.
 *
 * Each direction of a connection is reassembled on its own by sequence
 * number: in-order bytes go to a buffer, segments beyond a gap wait in a
 * sorted list, retransmitted and overlapping bytes are trimmed.  The
 * buffer is then framed (RFC 3261 §18.3, Wireshark's dissect_sip_common
 * loop is the model): sip_frame() says complete / need more / not SIP.
 * A message's frame is the packet that completed it.
 *
 * What a direction carries is decided from its first bytes: SIP (start
 * line), an HTTP Upgrade to WebSocket (ws.c takes over after it), TLS
 * (tls.c gets the stream bytes from then on and hands back the decrypted
 * application data, which is decided and framed the same way), or
 * anything else (HTTP, ...), which is then ignored at the cost of a
 * hash lookup per segment and never buffered.  A direction joined
 * mid-stream hunts for the next start line.
 *
 * Memory is bounded per direction (opt.tcp_stream_max) and in total
 * (opt.tcp_mem_max, evicting the least recently used direction).  Bytes
 * that cannot be kept are counted (tcp_lost_bytes) and the direction
 * resynchronises on the next start line (tcp_resyncs).  Data still pending
 * at FIN/RST or at end of capture is flushed: a cut message is reported,
 * marked malformed.
 */
#include "dissect_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum tcp_mode {
	TM_UNKNOWN,     /* nothing decided yet */
	TM_SIP,         /* SIP framing */
	TM_HTTP,        /* an HTTP header block that may upgrade to WebSocket */
	TM_WS,          /* WebSocket frames (ws.c) */
	TM_HEP,         /* HEP3 packets (hep.c) */
	TM_IGNORE,      /* not SIP: segments are dropped unseen */
};

/* How far a direction joined mid-stream hunts for a start line before
 * it is taken as not SIP. */
#define TCP_HUNT_MAX (256u * 1024)
/* Longest start line / HTTP header block kept while deciding. */
#define TCP_LINE_MAX 8192u
#define TCP_HTTP_MAX 16384u

struct tcp_seg {
	struct tcp_seg *next;
	uint32_t seq;
	uint32_t len;
	uint8_t data[];
};

struct tcp_dir {
	struct tcp_dir *hnext;              /* hash chain */
	struct tcp_dir *lru_prev, *lru_next;
	struct rt_addr src, dst;
	uint32_t hash;
	uint8_t mode;
	bool have_seq, syn_seen, fin_seen, hunting;
	uint32_t next_seq;                  /* next in-order byte expected */
	uint32_t fin_seq;
	uint8_t *buf;                       /* in-order bytes not yet framed */
	size_t len, cap;
	struct tcp_seg *ooo;                /* beyond a gap, sorted by seq */
	size_t ooo_bytes;
	size_t hunted;                      /* bytes skipped while hunting */
	/* the last packet that brought data: frame of a flushed message */
	uint32_t file, iface;
	uint64_t frame;
	int64_t ts_ns;
	struct ws_state ws;
	struct tls_end *tls;                /* TLS: s->buf holds decrypted bytes */
	size_t tls_mem;                     /* what tls_end_mem() said last */
	/* the packets whose bytes the next message is made of (parts hook);
	 * TLS: the first pend_keep are the handshake, kept for every message */
	struct dis_parts pend;
	uint32_t pend_keep;
};

struct tcp_table {
	struct tcp_dir **bucket;
	size_t nbuckets, count;
	struct tcp_dir *lru_head, *lru_tail;  /* head = most recently used */
	size_t mem;                           /* bytes held, structs included */
};

/* ---------------------------------------------------------------- table */

struct tcp_table *tcp_table_new(const struct dis_opts *o)
{
	(void)o;
	struct tcp_table *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->nbuckets = 1024;
	t->bucket = calloc(t->nbuckets, sizeof *t->bucket);
	if (!t->bucket) {
		free(t);
		return NULL;
	}
	return t;
}

static uint32_t dir_hash(const struct rt_addr *s, const struct rt_addr *d)
{
	return rt_addr_hash(d, rt_addr_hash(s, RT_FNV32_INIT));
}

static void lru_unlink(struct tcp_table *t, struct tcp_dir *s)
{
	if (s->lru_prev)
		s->lru_prev->lru_next = s->lru_next;
	else
		t->lru_head = s->lru_next;
	if (s->lru_next)
		s->lru_next->lru_prev = s->lru_prev;
	else
		t->lru_tail = s->lru_prev;
	s->lru_prev = s->lru_next = NULL;
}

static void lru_front(struct tcp_table *t, struct tcp_dir *s)
{
	if (t->lru_head == s)
		return;
	if (s->lru_prev || s->lru_next || t->lru_tail == s)
		lru_unlink(t, s);
	s->lru_next = t->lru_head;
	if (t->lru_head)
		t->lru_head->lru_prev = s;
	t->lru_head = s;
	if (!t->lru_tail)
		t->lru_tail = s;
}

static void dir_drop_data(struct tcp_table *t, struct tcp_dir *s)
{
	t->mem -= s->cap;
	free(s->buf);
	s->buf = NULL;
	s->len = s->cap = 0;
	for (struct tcp_seg *g = s->ooo, *n; g; g = n) {
		n = g->next;
		t->mem -= sizeof *g + g->len;
		free(g);
	}
	s->ooo = NULL;
	s->ooo_bytes = 0;
	dis_parts_free(&s->pend);
	s->pend_keep = 0;
	t->mem -= ws_state_mem(&s->ws);
	ws_state_free(&s->ws);
	if (s->tls) {
		t->mem -= s->tls_mem;
		tls_close(s->tls);
		s->tls = NULL;
		s->tls_mem = 0;
	}
}

static void tcp_rehash(struct tcp_table *t)
{
	size_t nb = t->nbuckets * 2;
	struct tcp_dir **b = calloc(nb, sizeof *b);
	if (!b)
		return;                      /* keep the longer chains */
	for (size_t i = 0; i < t->nbuckets; i++) {
		for (struct tcp_dir *s = t->bucket[i], *n; s; s = n) {
			n = s->hnext;
			s->hnext = b[s->hash & (nb - 1)];
			b[s->hash & (nb - 1)] = s;
		}
	}
	free(t->bucket);
	t->bucket = b;
	t->nbuckets = nb;
}

static struct tcp_dir *dir_find(struct tcp_table *t, const struct rt_addr *src,
				const struct rt_addr *dst, uint32_t h)
{
	for (struct tcp_dir *s = t->bucket[h & (t->nbuckets - 1)]; s; s = s->hnext)
		if (s->hash == h && rt_addr_eq(&s->src, src) && rt_addr_eq(&s->dst, dst))
			return s;
	return NULL;
}

static void dir_remove(struct tcp_table *t, struct tcp_dir *s)
{
	struct tcp_dir **pp = &t->bucket[s->hash & (t->nbuckets - 1)];
	while (*pp && *pp != s)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = s->hnext;
	lru_unlink(t, s);
	dir_drop_data(t, s);
	t->mem -= sizeof *s;
	t->count--;
	free(s);
}

/* ---------------------------------------------------------------- emitting */

/* d->pi for messages of a direction: the packet that completed them. */
struct tcp_pi_save {
	const struct pkt_info *saved;
	struct pkt_info tmp;
	const struct dis_parts *parts, *extra;
	struct dis_parts hs;                /* the other direction's TLS handshake */
};

static uint32_t dir_hash(const struct rt_addr *s, const struct rt_addr *d);
static struct tcp_dir *dir_find(struct tcp_table *t, const struct rt_addr *src,
				const struct rt_addr *dst, uint32_t h);

static void pi_enter(struct dis_ctx *d, struct tcp_dir *s, struct tcp_pi_save *sv)
{
	/* a message's packets: this direction's pending ones and, for TLS,
	 * the other direction's handshake (its ServerHello / ClientHello) */
	sv->parts = d->emit_parts;
	sv->extra = d->emit_extra;
	d->emit_parts = &s->pend;
	d->emit_extra = NULL;
	if (d->parts_fn && s->tls && d->tcp) {
		struct tcp_dir *r = dir_find(d->tcp, &s->dst, &s->src, dir_hash(&s->dst, &s->src));
		if (r && r != s) {
			sv->hs = r->pend;
			if (r->pend_keep)
				sv->hs.n = r->pend_keep;
			d->emit_extra = &sv->hs;
		}
	}
	/* the direction's own last data packet, also when this runs for
	 * another packet (eviction, RST) */
	sv->saved = d->pi;
	memset(&sv->tmp, 0, sizeof sv->tmp);
	if (d->pi)
		sv->tmp = *d->pi;
	sv->tmp.file = s->file;
	sv->tmp.iface = s->iface;
	sv->tmp.frame = s->frame;
	sv->tmp.ts_ns = s->ts_ns;
	d->pi = &sv->tmp;
}

static void pi_leave(struct dis_ctx *d, struct tcp_pi_save *sv)
{
	d->pi = sv->saved;
	d->emit_parts = sv->parts;
	d->emit_extra = sv->extra;
}

/* After a segment: what a message took is done with, unless bytes beyond
 * a gap wait (then all are kept: more rather than fewer).  When a message
 * ended inside this packet and the buffer goes on, the packet (its last k
 * entries) also belongs to the next one.  TLS keeps its handshake. */
static void pend_trim(struct dis_ctx *d, struct tcp_dir *s, uint32_t before, uint32_t k)
{
	if (d->emit_used != &s->pend || s->ooo)
		return;
	if (s->tls && !s->pend_keep)
		s->pend_keep = before;
	if (s->pend_keep > s->pend.n)
		s->pend_keep = s->pend.n;
	bool more = s->len || (s->mode == TM_WS && s->ws.in_msg) || s->tls;
	if (k > s->pend.n - s->pend_keep)
		k = s->pend.n - s->pend_keep;
	if (more && k)
		memmove(s->pend.v + s->pend_keep, s->pend.v + (s->pend.n - k), k * sizeof *s->pend.v);
	s->pend.n = s->pend_keep + (more ? k : 0);
}

/* One framed (or cut) SIP message from the stream. */
static void tcp_emit(struct dis_ctx *d, struct tcp_dir *s, const uint8_t *p, size_t n,
		     const char *cut_reason)
{
	struct tcp_pi_save sv;
	pi_enter(d, s, &sv);
	struct sip_meta meta = {
		.file = d->pi->file, .frame = d->pi->frame, .ts_ns = d->pi->ts_ns,
		.iface = d->pi->iface,
		.src = s->src, .dst = s->dst, .transport = s->tls ? RT_TP_TLS : RT_TP_TCP,
		.datagram = false,
		.alloc = d->opt.alloc,
	};
	/* the cut explains any parse failure */
	dis_sip(d, p, n, &meta, cut_reason, false);
	pi_leave(d, &sv);
}

/* ---------------------------------------------------------------- buffer */

static void buf_consume(struct tcp_dir *s, size_t n)
{
	if (n >= s->len) {
		s->len = 0;
		return;
	}
	memmove(s->buf, s->buf + n, s->len - n);
	s->len -= n;
}

static bool buf_append(struct dis_ctx *d, struct tcp_table *t, struct tcp_dir *s,
		       const uint8_t *p, size_t n)
{
	if (s->len + n > s->cap) {
		size_t nc = s->cap ? s->cap : 2048;
		while (nc < s->len + n)
			nc *= 2;
		uint8_t *nb = dis_realloc(d, s->buf, nc);
		if (!nb)
			return false;
		t->mem += nc - s->cap;
		s->buf = nb;
		s->cap = nc;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	return true;
}

struct tls_sink_ctx {
	struct dis_ctx *d;
	struct tcp_table *t;
	struct tcp_dir *s;
};

static void tls_to_buf(void *ctx, const uint8_t *p, size_t n)
{
	struct tls_sink_ctx *k = ctx;
	if (!buf_append(k->d, k->t, k->s, p, n))
		k->d->st.tcp_lost_bytes += n;
}

/* In-order stream bytes: to the buffer, or through TLS into it. */
static bool dir_append(struct dis_ctx *d, struct tcp_table *t, struct tcp_dir *s,
		       const uint8_t *p, size_t n)
{
	if (!s->tls)
		return buf_append(d, t, s, p, n);
	struct tls_sink_ctx k = { d, t, s };
	tls_feed(d, s->tls, p, n, tls_to_buf, &k);
	size_t m = tls_end_mem(s->tls);
	t->mem += m - s->tls_mem;
	s->tls_mem = m;
	return true;                    /* the record layer took the bytes */
}

/* The direction starts with a TLS record: what is buffered is the
 * first ciphertext; from now on s->buf holds plaintext. */
static bool dir_start_tls(struct dis_ctx *d, struct tcp_table *t, struct tcp_dir *s)
{
	s->tls = tls_open(d, &s->src, &s->dst);
	if (!s->tls)
		return false;
	uint8_t *raw = s->buf;
	size_t n = s->len;
	t->mem -= s->cap;
	s->buf = NULL;
	s->len = s->cap = 0;
	dir_append(d, t, s, raw, n);
	free(raw);
	return true;
}

/* Give back memory of a buffer that grew for one big message. */
static void buf_shrink(struct tcp_table *t, struct tcp_dir *s)
{
	if (s->cap > 65536 && s->len < s->cap / 4) {
		size_t nc = s->len > 2048 ? s->len : 2048;
		uint8_t *nb = realloc(s->buf, nc);
		if (nb) {
			t->mem -= s->cap - nc;
			s->buf = nb;
			s->cap = nc;
		}
	}
}

/* Offset of the first line in p[0..n) that is a SIP start line, or n.
 * *keep gets the offset from which bytes must be kept because a start
 * line may still be arriving (the last, unfinished line). */
static size_t find_start_line(const uint8_t *p, size_t n, size_t *keep)
{
	size_t i = 0;
	*keep = n;
	while (i < n) {
		const uint8_t *nl = memchr(p + i, '\n', n - i);
		if (sip_looks_like_sip(p + i, n - i))
			return i;
		if (!nl) {
			if (n - i <= TCP_LINE_MAX)
				*keep = i;
			return n;
		}
		i = (size_t)(nl - p) + 1;
	}
	*keep = n;
	return n;
}

/* Skip to the next start line in the buffer; false when none yet. */
static bool hunt(struct dis_ctx *d, struct tcp_dir *s)
{
	size_t keep;
	size_t at = find_start_line(s->buf, s->len, &keep);
	if (at < s->len) {
		d->st.tcp_lost_bytes += at;
		s->hunted += at;
		buf_consume(s, at);
		s->hunting = false;
		return true;
	}
	d->st.tcp_lost_bytes += keep;
	s->hunted += keep;
	buf_consume(s, keep);
	return false;
}

static bool starts_http(const uint8_t *p, size_t n)
{
	static const char *const pre[] = { "GET ", "HTTP/1." };
	for (size_t i = 0; i < 2; i++) {
		size_t l = strlen(pre[i]);
		if (memcmp(p, pre[i], n < l ? n : l) == 0)
			return true;
	}
	return false;
}

static bool is_tls(const uint8_t *p, size_t n)
{
	return n >= 2 && p[0] >= 0x14 && p[0] <= 0x17 && p[1] == 0x03;
}

/* Does the header block p[0..n) ask for / accept a WebSocket upgrade? */
static bool http_upgrades_to_ws(const uint8_t *p, size_t n)
{
	size_t i = 0;
	bool is_resp = n >= 5 && memcmp(p, "HTTP/", 5) == 0;
	if (is_resp) {
		const uint8_t *sp = memchr(p, ' ', n);
		if (!sp || (size_t)(sp - p) + 4 > n || memcmp(sp + 1, "101", 3) != 0)
			return false;
	}
	while (i < n) {
		const uint8_t *nl = memchr(p + i, '\n', n - i);
		size_t e = nl ? (size_t)(nl - p) : n;
		if (e - i > 8 && strncasecmp((const char *)p + i, "upgrade:", 8) == 0) {
			for (size_t k = i + 8; k + 9 <= e; k++)
				if (strncasecmp((const char *)p + k, "websocket", 9) == 0)
					return true;
		}
		i = e + 1;
	}
	return false;
}

/* Frame what the buffer holds.  `final`: nothing more will come (FIN,
 * RST, end of capture, eviction): a pending message is reported cut. */
static void dir_process(struct dis_ctx *d, struct tcp_table *t, struct tcp_dir *s, bool final)
{
	for (;;) {
		if (s->mode == TM_IGNORE) {
			s->len = 0;
			break;
		}
		/* keepalives (RFC 5626 CRLFCRLF ping, CRLF pong) between messages */
		if (s->mode == TM_SIP || s->mode == TM_UNKNOWN) {
			size_t k = 0;
			while (k < s->len && (s->buf[k] == '\r' || s->buf[k] == '\n'))
				k++;
			buf_consume(s, k);
		}
		if (s->len == 0)
			break;
		if (s->hunting) {
			if (!hunt(d, s))
				break;
			s->mode = TM_SIP;
			continue;
		}
		if (s->mode == TM_UNKNOWN) {
			if (is_tls(s->buf, s->len)) {
				if (s->tls || !dir_start_tls(d, t, s))
					s->mode = TM_IGNORE;
				continue;
			}
			if (hep_frame(s->buf, s->len) >= 0) {
				s->mode = TM_HEP;
				continue;
			}
			if (starts_http(s->buf, s->len)) {
				s->mode = TM_HTTP;
				continue;
			}
			if (!s->syn_seen && ws_looks_like_sip_frame(s->buf, s->len)) {
				s->mode = TM_WS;     /* joined a WebSocket mid-session */
				continue;
			}
			size_t ml;
			enum sip_frame_rc rc = sip_frame(s->buf, s->len, &ml);
			if (rc == SIP_FRAME_NOT_SIP) {
				if (s->syn_seen) {
					/* the stream began with something else */
					s->mode = TM_IGNORE;
					continue;
				}
				s->hunting = true;  /* joined mid-stream */
				continue;
			}
			s->mode = TM_SIP;
			if (rc == SIP_FRAME_NEED_MORE)
				break;
			continue;
		}
		if (s->mode == TM_HTTP) {
			const uint8_t *e = memmem(s->buf, s->len, "\r\n\r\n", 4);
			size_t hl = e ? (size_t)(e - s->buf) + 4 : 0;
			if (!e) {
				e = memmem(s->buf, s->len, "\n\n", 2);
				hl = e ? (size_t)(e - s->buf) + 2 : 0;
			}
			if (!hl) {
				if (s->len > TCP_HTTP_MAX)
					s->mode = TM_IGNORE;
				break;
			}
			s->mode = http_upgrades_to_ws(s->buf, hl) ? TM_WS : TM_IGNORE;
			buf_consume(s, hl);
			continue;
		}
		if (s->mode == TM_WS) {
			size_t before = ws_state_mem(&s->ws);
			struct tcp_pi_save sv;
			pi_enter(d, s, &sv);
			size_t used = ws_consume(d, &s->ws, &s->src, &s->dst,
						 s->tls ? RT_TP_WSS : RT_TP_WS, s->buf, s->len,
						 d->opt.tcp_stream_max);
			pi_leave(d, &sv);
			t->mem += ws_state_mem(&s->ws);
			t->mem -= before;
			if (used == SIZE_MAX) {      /* not WebSocket after all */
				s->mode = TM_IGNORE;
				continue;
			}
			buf_consume(s, used);
			if (s->len > d->opt.tcp_stream_max) {
				/* a frame header promising more than we keep: ws.c skips it */
				dis_event_at(d, DIS_EV_TCP_MESSAGE_TOO_LONG, s->file, s->frame);
				d->st.tcp_lost_bytes += s->len;
				s->len = 0;
			}
			break;
		}
		if (s->mode == TM_HEP) {
			long hl = hep_frame(s->buf, s->len);
			if (hl < 0) {
				s->mode = TM_IGNORE;
				continue;
			}
			if (hl == 0)
				break;
			struct tcp_pi_save sv;
			pi_enter(d, s, &sv);
			hep_print(d, cur_make(s->buf, (size_t)hl));
			pi_leave(d, &sv);
			buf_consume(s, (size_t)hl);
			continue;
		}
		/* TM_SIP */
		size_t ml;
		enum sip_frame_rc rc = sip_frame(s->buf, s->len, &ml);
		if (rc == SIP_FRAME_COMPLETE) {
			tcp_emit(d, s, s->buf, ml, NULL);
			buf_consume(s, ml);
			continue;
		}
		if (rc == SIP_FRAME_NOT_SIP) {
			s->hunting = true;
			d->st.tcp_resyncs++;
			continue;
		}
		/* need more */
		if (final) {
			if (!s->ooo)   /* else a gap cut it: that is counted as tcp-gap */
				dis_event_at(d, DIS_EV_TCP_STREAM_TRUNCATED, s->file, s->frame);
			tcp_emit(d, s, s->buf, s->len,
				 "truncated: the stream ended before the message did");
			s->len = 0;
			break;
		}
		if (s->len > d->opt.tcp_stream_max) {
			/* over the bound: report what we have, resynchronise */
			dis_event_at(d, DIS_EV_TCP_MESSAGE_TOO_LONG, s->file, s->frame);
			tcp_emit(d, s, s->buf, s->len,
				 "truncated: message larger than the stream buffer bound");
			d->st.tcp_lost_bytes += s->len;
			d->st.tcp_resyncs++;
			s->len = 0;
			s->hunting = true;
		}
		break;
	}
	if (final && s->hunting)
		s->len = 0;
	if (s->mode == TM_HTTP && final)
		s->len = 0;
	buf_shrink(t, s);
}

/* Pull segments that became contiguous out of the out-of-order list. */
static void dir_pull(struct dis_ctx *d, struct tcp_table *t, struct tcp_dir *s)
{
	while (s->ooo) {
		struct tcp_seg *g = s->ooo;
		int32_t rel = (int32_t)(g->seq - s->next_seq);
		if (rel > 0)
			break;
		s->ooo = g->next;
		s->ooo_bytes -= g->len;
		t->mem -= sizeof *g + g->len;
		uint32_t skip = (uint32_t)-rel;
		if (skip < g->len && s->mode != TM_IGNORE) {
			dir_append(d, t, s, g->data + skip, g->len - skip);
			s->next_seq += g->len - skip;
		} else if (skip < g->len) {
			s->next_seq += g->len - skip;
		}
		free(g);
	}
}

/* Give up waiting for the bytes before the first held segment. */
static void dir_skip_gap(struct dis_ctx *d, struct tcp_table *t, struct tcp_dir *s)
{
	if (!s->ooo)
		return;
	uint32_t gap = s->ooo->seq - s->next_seq;
	dis_event_at(d, DIS_EV_TCP_GAP, s->file, s->frame);
	/* what we had is cut short: report it, then resynchronise */
	dir_process(d, t, s, true);
	d->st.tcp_lost_bytes += gap;
	d->st.tcp_resyncs++;
	s->next_seq = s->ooo->seq;
	if (s->mode == TM_SIP || s->mode == TM_UNKNOWN)
		s->hunting = true;
	else if (s->mode == TM_WS) {
		t->mem -= ws_state_mem(&s->ws);
		ws_state_free(&s->ws);
		s->mode = TM_UNKNOWN;
		s->hunting = true;
	}
	dir_pull(d, t, s);
}

/* Hold a segment beyond a gap (sorted, bounded). */
static void dir_hold(struct dis_ctx *d, struct tcp_table *t, struct tcp_dir *s, uint32_t seq,
		     const uint8_t *p, size_t n)
{
	struct tcp_seg **pp = &s->ooo;
	while (*pp && (int32_t)((*pp)->seq - seq) < 0)
		pp = &(*pp)->next;
	if (*pp && (*pp)->seq == seq && (*pp)->len >= n)
		return;                          /* a retransmission of a held segment */
	struct tcp_seg *g = dis_malloc(d, sizeof *g + n);
	if (!g) {
		d->st.tcp_lost_bytes += n;
		dis_event(d, DIS_EV_ALLOC_FAILED);
		return;
	}
	g->seq = seq;
	g->len = (uint32_t)n;
	memcpy(g->data, p, n);
	g->next = *pp;
	*pp = g;
	s->ooo_bytes += n;
	t->mem += sizeof *g + n;
	/* a gap that would need more than the bound is given up */
	while (s->ooo && s->ooo_bytes + s->len > d->opt.tcp_stream_max)
		dir_skip_gap(d, t, s);
}

/* Everything left in a direction: bytes beyond gaps included. */
static void dir_flush(struct dis_ctx *d, struct tcp_table *t, struct tcp_dir *s)
{
	dir_process(d, t, s, s->ooo == NULL);
	while (s->ooo) {
		dir_skip_gap(d, t, s);
		dir_process(d, t, s, s->ooo == NULL);
	}
	s->len = 0;
	if (s->mode == TM_WS) {
		t->mem -= ws_state_mem(&s->ws);
		ws_state_free(&s->ws);
	}
}

static void tcp_evict(struct dis_ctx *d, struct tcp_table *t, struct tcp_dir *keep)
{
	while (t->mem > d->opt.tcp_mem_max && t->lru_tail && t->lru_tail != keep) {
		struct tcp_dir *s = t->lru_tail;
		dis_event(d, DIS_EV_TCP_OVER_BOUND);
		dir_flush(d, t, s);
		dir_remove(t, s);
	}
}

static struct tcp_dir *dir_get(struct dis_ctx *d, struct tcp_table *t, const struct rt_addr *src,
			       const struct rt_addr *dst)
{
	uint32_t h = dir_hash(src, dst);
	struct tcp_dir *s = dir_find(t, src, dst, h);
	if (s)
		return s;
	s = dis_calloc(d, 1, sizeof *s);
	if (!s)
		return NULL;
	s->src = *src;
	s->dst = *dst;
	s->hash = h;
	s->hnext = t->bucket[h & (t->nbuckets - 1)];
	t->bucket[h & (t->nbuckets - 1)] = s;
	t->count++;
	t->mem += sizeof *s;
	if (t->count > t->nbuckets * 2)
		tcp_rehash(t);
	return s;
}

/* ---------------------------------------------------------------- entry */

/* A refused connection is evidence like an ICMP error (on_icmp). */
static void tcp_refused(struct dis_ctx *d, const struct l3info *l3, const struct rt_addr *cli,
			const struct rt_addr *srv)
{
	struct icmp_evt e = { .version = l3->version, .from = l3->src, .to = l3->dst,
			      .q_src = *cli, .q_dst = *srv, .q_proto = 6, .tcp_refused = true };
	if (d->pi) {
		e.file = d->pi->file;
		e.frame = d->pi->frame;
		e.ts_ns = d->pi->ts_ns;
	}
	d->st.tcp_refused++;
	if (d->cb.on_icmp)
		d->cb.on_icmp(d->cb.user, &e);
}

void tcp_print(struct dis_ctx *d, const struct l3info *l3, struct cur c)
{
	struct rt_addr src = l3->src, dst = l3->dst;
	src.port = cur_be16(&c);
	dst.port = cur_be16(&c);
	uint32_t seq = cur_be32(&c);
	uint32_t ack = cur_be32(&c);
	uint8_t off = cur_u8(&c);
	uint8_t flags = cur_u8(&c);
	cur_skip(&c, 6);                         /* window, checksum, urgent */
	if (!c.bad && (off >> 4) < 5) {
		dis_event(d, DIS_EV_TCP_HEADER_SHORT);   /* invalid, not truncated */
		return;
	}
	if (c.bad || !cur_skip(&c, (size_t)(off >> 4) * 4 - 20)) {
		d->st.truncated++;
		dis_event(d, DIS_EV_TCP_TRUNCATED);
		return;
	}
	bool syn = flags & 0x02, fin = flags & 0x01, rst = flags & 0x04;
	size_t n = cur_left(&c);
	const uint8_t *p = cur_take(&c, n);
	struct tcp_table *t = d->tcp;
	if (!t)
		return;
	struct tcp_dir *s = dir_get(d, t, &src, &dst);
	if (!s) {
		d->st.tcp_lost_bytes += n;
		dis_event(d, DIS_EV_ALLOC_FAILED);
		return;
	}
	lru_front(t, s);

	if (syn) {
		/* a new connection on this 4-tuple: forget the old one */
		if (s->have_seq && (s->len || s->ooo))
			dir_flush(d, t, s);
		dir_drop_data(t, s);
		s->mode = TM_UNKNOWN;
		s->hunting = s->fin_seen = false;
		s->hunted = 0;
		s->syn_seen = s->have_seq = true;
		s->next_seq = seq + 1;
		seq++;
	}
	if (s->mode == TM_IGNORE && !rst) {
		if (fin)
			s->fin_seen = true;
		return;                          /* not SIP: cheap */
	}
	if (n && p) {
		uint32_t before = s->pend.n;
		dis_parts_add_cur(d, &s->pend);
		uint32_t k = s->pend.n >= before ? s->pend.n - before : s->pend.n;
		d->emit_used = NULL;
		s->file = d->pi ? d->pi->file : 0;
		s->iface = d->pi ? d->pi->iface : 0;
		s->frame = d->pi ? d->pi->frame : 0;
		s->ts_ns = d->pi ? d->pi->ts_ns : 0;
		if (!s->have_seq) {
			s->have_seq = true;
			s->next_seq = seq;
		}
		int32_t rel = (int32_t)(seq - s->next_seq);
		if (rel < 0 && (size_t)(-(int64_t)rel) >= n) {
			/* all old: a retransmission */
		} else if (rel <= 0) {
			size_t skip = (size_t)(-(int64_t)rel);
			if (dir_append(d, t, s, p + skip, n - skip))
				s->next_seq += (uint32_t)(n - skip);
			else {
				d->st.tcp_lost_bytes += n - skip;
				dis_event(d, DIS_EV_ALLOC_FAILED);
			}
			dir_pull(d, t, s);
			dir_process(d, t, s, false);
		} else {
			dir_hold(d, t, s, seq, p, n);
		}
		/* TLS: written with -w only when it can be decrypted (a key
		 * log), handshake included so the copy still decrypts */
		if (s->mode != TM_IGNORE && (!s->tls || d->opt.tls_keylog))
			d->had_sip = true;
		if (d->parts_fn)
			pend_trim(d, s, before, k);
		if (s->hunting && s->hunted > TCP_HUNT_MAX && s->mode == TM_UNKNOWN) {
			s->mode = TM_IGNORE;         /* never found a start line */
			dir_drop_data(t, s);
		}
	}
	if (fin) {
		s->fin_seen = true;
		s->fin_seq = seq + (uint32_t)n;
	}
	if (rst || (s->fin_seen && !s->ooo && s->next_seq == s->fin_seq)) {
		/* closed: report what is pending; next_seq stays, so late
		 * retransmissions are still recognised as old */
		dir_flush(d, t, s);
		dir_drop_data(t, s);
		if (rst) {
			struct tcp_dir *r = dir_find(t, &dst, &src, dir_hash(&dst, &src));
			/* RST+ACK of the SYN, the refuser never sent a SYN or data:
			 * the connection was refused (nothing listens there) */
			if (r && r != s && r->syn_seen && !s->syn_seen && !s->have_seq &&
			    (flags & 0x10) && ack == r->next_seq && r->len == 0)
				tcp_refused(d, l3, &dst, &src);
			if (r && r != s) {      /* src == dst: one direction */
				dir_flush(d, t, r);
				dir_remove(t, r);
			}
			dir_remove(t, s);
			return;
		}
	}
	tcp_evict(d, t, s);
}

void tcp_table_flush(struct dis_ctx *d)
{
	struct tcp_table *t = d->tcp;
	if (!t)
		return;
	/* oldest first, so flushed messages keep roughly capture order */
	for (struct tcp_dir *s = t->lru_tail; s; s = s->lru_prev)
		dir_flush(d, t, s);
}

void tcp_table_free(struct tcp_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nbuckets; i++) {
		for (struct tcp_dir *s = t->bucket[i], *n; s; s = n) {
			n = s->hnext;
			dir_drop_data(t, s);
			free(s);
		}
	}
	free(t->bucket);
	free(t);
}
