/* tcp.c - TCP (placeholder: each segment is framed on its own, no
 * reassembly, until the stream table lands). */
#include "dissect_int.h"

#include <stdlib.h>

struct tcp_table { int unused; };

struct tcp_table *tcp_table_new(const struct dis_opts *o)
{
	(void)o;
	return calloc(1, sizeof(struct tcp_table));
}

void tcp_table_flush(struct dis_ctx *d) { (void)d; }
void tcp_table_free(struct tcp_table *t) { free(t); }

void tcp_print(struct dis_ctx *d, const struct l3info *l3, struct cur c)
{
	struct rt_addr src = l3->src, dst = l3->dst;
	src.port = cur_be16(&c);
	dst.port = cur_be16(&c);
	cur_skip(&c, 8);
	uint8_t off = cur_u8(&c);
	cur_skip(&c, 7);
	if (c.bad || (off >> 4) < 5) {
		d->st.truncated++;
		return;
	}
	cur_skip(&c, (size_t)(off >> 4) * 4 - 20);
	size_t n = cur_left(&c);
	const uint8_t *p = cur_take(&c, n);
	while (p && n) {
		size_t len;
		if (sip_frame(p, n, &len) != SIP_FRAME_COMPLETE)
			break;
		struct sip_meta meta = { .file = d->pi->file, .frame = d->pi->frame,
			.ts_ns = d->pi->ts_ns, .src = src, .dst = dst, .transport = RT_TP_TCP };
		struct sip_msg *m = sip_parse(p, len, &meta);
		if (m)
			dis_emit(d, m);
		p += len;
		n -= len;
		while (n && (*p == '\r' || *p == '\n')) {
			p++;
			n--;
		}
	}
}
