/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tls_keylog.c - NSS key log parsing and lookup (see tls_keylog.h). */
#include "tls_keylog.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"

/* A line longer than this is not a key log line (the longest real one,
 * a 48-byte secret: 31 + 1 + 64 + 1 + 96 characters). */
#define KL_LINE_MAX 512

struct kl_entry {
	uint8_t cr[32];
	uint8_t len[TLS_KL_N];
	uint8_t sec[TLS_KL_N][TLS_KL_SECRET_MAX];
};

struct tls_keylog {
	FILE *f;
	struct kl_entry *e;
	size_t n, cap;
	size_t *idx;            /* open addressing: entry index + 1, 0 = empty */
	size_t nidx;
	char line[KL_LINE_MAX + 1];
	size_t llen;
	bool overlong;          /* the current line already passed KL_LINE_MAX */
	struct tls_keylog_stats st;
};

static const struct {
	const char *label;
	int which;              /* enum tls_secret, -1: known but unused */
} kl_labels[] = {
	{ "CLIENT_RANDOM", TLS_KL_MASTER },
	{ "CLIENT_HANDSHAKE_TRAFFIC_SECRET", TLS_KL_CHTS },
	{ "SERVER_HANDSHAKE_TRAFFIC_SECRET", TLS_KL_SHTS },
	{ "CLIENT_TRAFFIC_SECRET_0", TLS_KL_CTS0 },
	{ "SERVER_TRAFFIC_SECRET_0", TLS_KL_STS0 },
	{ "EXPORTER_SECRET", -1 },
	{ "EARLY_EXPORTER_SECRET", -1 },
	{ "CLIENT_EARLY_TRAFFIC_SECRET", -1 },
};

struct tls_keylog *tls_keylog_new(void)
{
	return calloc(1, sizeof(struct tls_keylog));
}

struct tls_keylog *tls_keylog_open(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	struct tls_keylog *k = tls_keylog_new();
	if (!k) {
		fclose(f);
		return NULL;
	}
	k->f = f;
	tls_keylog_refresh(k);
	return k;
}

static uint64_t cr_hash(const uint8_t cr[32])
{
	uint64_t h = 1469598103934665603ull;
	for (int i = 0; i < 32; i++)
		h = (h ^ cr[i]) * 1099511628211ull;
	return h;
}

static struct kl_entry *kl_find(const struct tls_keylog *k, const uint8_t cr[32])
{
	if (!k->nidx)
		return NULL;
	for (size_t i = cr_hash(cr) & (k->nidx - 1);; i = (i + 1) & (k->nidx - 1)) {
		size_t v = k->idx[i];
		if (!v)
			return NULL;
		if (memcmp(k->e[v - 1].cr, cr, 32) == 0)
			return &k->e[v - 1];
	}
}

static bool kl_reindex(struct tls_keylog *k, size_t nidx)
{
	size_t *idx = calloc(nidx, sizeof *idx);
	if (!idx)
		return false;
	for (size_t j = 0; j < k->n; j++) {
		size_t i = cr_hash(k->e[j].cr) & (nidx - 1);
		while (idx[i])
			i = (i + 1) & (nidx - 1);
		idx[i] = j + 1;
	}
	free(k->idx);
	k->idx = idx;
	k->nidx = nidx;
	return true;
}

static struct kl_entry *kl_get(struct tls_keylog *k, const uint8_t cr[32])
{
	struct kl_entry *e = kl_find(k, cr);
	if (e)
		return e;
	if (k->n == k->cap) {
		size_t nc = k->cap ? k->cap * 2 : 16;
		struct kl_entry *ne = realloc(k->e, nc * sizeof *ne);
		if (!ne)
			return NULL;
		k->e = ne;
		k->cap = nc;
	}
	if ((k->n + 1) * 2 > k->nidx && !kl_reindex(k, k->nidx ? k->nidx * 2 : 32))
		return NULL;
	e = &k->e[k->n];
	memset(e, 0, sizeof *e);
	memcpy(e->cr, cr, 32);
	k->n++;
	size_t i = cr_hash(cr) & (k->nidx - 1);
	while (k->idx[i])
		i = (i + 1) & (k->nidx - 1);
	k->idx[i] = k->n;
	return e;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hex digits up to a space or the end into out; the byte count or -1. */
static int read_hex(struct cur *c, uint8_t *out, size_t max)
{
	size_t n = 0;
	while (cur_left(c) && cur_peek_u8(c, 0) != ' ') {
		int hi = hexval(cur_u8(c)), lo = hexval(cur_u8(c));
		if (c->bad || hi < 0 || lo < 0 || n == max)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | lo);
	}
	return (int)n;
}

static void kl_line(struct tls_keylog *k, const char *s, size_t n)
{
	k->st.lines++;
	while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0 || s[0] == '#')
		return;
	struct cur c = cur_make((const uint8_t *)s, n);
	const uint8_t *sp = memchr(s, ' ', n);
	size_t ll = sp ? (size_t)(sp - (const uint8_t *)s) : n;
	int which = -2;
	for (size_t i = 0; i < sizeof kl_labels / sizeof kl_labels[0]; i++)
		if (strlen(kl_labels[i].label) == ll && memcmp(kl_labels[i].label, s, ll) == 0)
			which = kl_labels[i].which;
	cur_skip(&c, ll + 1);
	uint8_t cr[32], sec[TLS_KL_SECRET_MAX];
	int crn = read_hex(&c, cr, sizeof cr);
	cur_skip(&c, 1);
	int sn = read_hex(&c, sec, sizeof sec);
	if (which == -2 || c.bad || crn != 32 || sn <= 0 || cur_left(&c) ||
	    (which == TLS_KL_MASTER && sn != 48)) {
		k->st.garbage++;
		if (!k->st.first_garbage)
			k->st.first_garbage = k->st.lines;
		return;
	}
	if (which < 0) {
		k->st.other++;
		return;
	}
	struct kl_entry *e = kl_get(k, cr);
	if (!e)
		return;
	if (!e->len[which])
		k->st.secrets++;
	e->len[which] = (uint8_t)sn;
	memcpy(e->sec[which], sec, (size_t)sn);
}

void tls_keylog_feed(struct tls_keylog *k, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n') {
			if (k->overlong) {
				k->st.lines++;
				k->st.garbage++;
				if (!k->st.first_garbage)
					k->st.first_garbage = k->st.lines;
			} else {
				kl_line(k, k->line, k->llen);
			}
			k->llen = 0;
			k->overlong = false;
		} else if (k->llen < KL_LINE_MAX) {
			k->line[k->llen++] = p[i];
		} else {
			k->overlong = true;
		}
	}
}

void tls_keylog_refresh(struct tls_keylog *k)
{
	if (!k || !k->f)
		return;
	char buf[4096];
	size_t r;
	clearerr(k->f);         /* EOF is not sticky: the file may have grown */
	while ((r = fread(buf, 1, sizeof buf, k->f)) > 0)
		tls_keylog_feed(k, buf, r);
}

const uint8_t *tls_keylog_get(const struct tls_keylog *k, const uint8_t cr[32],
			      enum tls_secret which, size_t *len)
{
	const struct kl_entry *e = k ? kl_find(k, cr) : NULL;
	if (!e || !e->len[which])
		return NULL;
	*len = e->len[which];
	return e->sec[which];
}

const struct tls_keylog_stats *tls_keylog_stats(const struct tls_keylog *k)
{
	return &k->st;
}

void tls_keylog_free(struct tls_keylog *k)
{
	if (!k)
		return;
	if (k->f)
		fclose(k->f);
	free(k->e);
	free(k->idx);
	free(k);
}
