/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capfile.c - decompression by content and a pcapng reader of our own.
 *
 * pcapng: draft-ietf-opsawg-pcapng (sections 3-4: block layout, SHB, IDB,
 * EPB, SPB, NRB, ISB, DSB; appendix: the obsolete Packet Block).  Every
 * field is read through the bounded cursor, so a lying length can at worst
 * make us skip a block, never read past one.
 */
#include "capfile.h"
#include "cursor.h"

#include <errno.h>
#include <lz4frame.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

/* ---------------------------------------------------------------- decompression */

enum dz_kind { DZ_NONE, DZ_GZIP, DZ_ZSTD, DZ_LZ4, DZ_XZ };

struct dz {
	FILE *raw;
	enum dz_kind kind;
	uint8_t peek[8];
	size_t npeek, ppos;
	uint8_t in[65536];
	size_t inlen, inpos;
	bool in_eof, out_end, failed;
	z_stream z;
	ZSTD_DStream *zs;
	LZ4F_dctx *lz;
	lzma_stream xz;
};

/* Raw bytes: the peeked ones first. */
static size_t dz_raw(struct dz *d, uint8_t *buf, size_t n)
{
	size_t k = 0;
	while (k < n && d->ppos < d->npeek)
		buf[k++] = d->peek[d->ppos++];
	if (k < n)
		k += fread(buf + k, 1, n - k, d->raw);
	return k;
}

static bool dz_fill(struct dz *d)
{
	if (d->inpos < d->inlen)
		return true;
	if (d->in_eof)
		return false;
	d->inlen = dz_raw(d, d->in, sizeof d->in);
	d->inpos = 0;
	if (d->inlen == 0)
		d->in_eof = true;
	return d->inlen > 0;
}

static ssize_t dz_read(void *cookie, char *out, size_t n)
{
	struct dz *d = cookie;
	if (d->kind == DZ_NONE)
		return (ssize_t)dz_raw(d, (uint8_t *)out, n);
	size_t got = 0;
	while (got == 0 && n > 0 && !d->failed) {
		bool have = dz_fill(d);
		if (!have && d->kind != DZ_XZ)
			break;   /* end of input: a truncated stream just ends */
		const uint8_t *ip = d->in + d->inpos;
		size_t il = d->inlen - d->inpos;
		switch (d->kind) {
		case DZ_GZIP: {
			if (d->out_end) {
				/* another gzip member follows (concatenated .gz, RFC 1952 §2.2) */
				if (inflateReset(&d->z) != Z_OK) {
					d->failed = true;
					break;
				}
				d->out_end = false;
			}
			d->z.next_in = (Bytef *)ip;
			d->z.avail_in = (uInt)il;
			d->z.next_out = (Bytef *)out;
			d->z.avail_out = (uInt)(n > UINT32_MAX ? UINT32_MAX : n);
			int rc = inflate(&d->z, Z_NO_FLUSH);
			got = (size_t)((uint8_t *)d->z.next_out - (uint8_t *)out);
			d->inpos = d->inlen - d->z.avail_in;
			if (rc == Z_STREAM_END)
				d->out_end = true;
			else if (rc != Z_OK && rc != Z_BUF_ERROR)
				d->failed = true;
			break;
		}
		case DZ_ZSTD: {
			ZSTD_inBuffer zi = { ip, il, 0 };
			ZSTD_outBuffer zo = { out, n, 0 };
			size_t rc = ZSTD_decompressStream(d->zs, &zo, &zi);
			d->inpos += zi.pos;
			got = zo.pos;
			if (ZSTD_isError(rc))
				d->failed = true;
			break;
		}
		case DZ_LZ4: {
			size_t ol = n, inl = il;
			size_t rc = LZ4F_decompress(d->lz, out, &ol, ip, &inl, NULL);
			d->inpos += inl;
			got = ol;
			if (LZ4F_isError(rc))
				d->failed = true;
			break;
		}
		case DZ_XZ: {
			d->xz.next_in = have ? ip : NULL;
			d->xz.avail_in = have ? il : 0;
			d->xz.next_out = (uint8_t *)out;
			d->xz.avail_out = n;
			lzma_ret rc = lzma_code(&d->xz, have ? LZMA_RUN : LZMA_FINISH);
			got = n - d->xz.avail_out;
			d->inpos = d->inlen - d->xz.avail_in;
			if (rc == LZMA_STREAM_END)
				return (ssize_t)got;
			if (rc != LZMA_OK && rc != LZMA_BUF_ERROR)
				d->failed = true;
			else if (!have && got == 0)
				return 0;   /* truncated: no more will come */
			break;
		}
		case DZ_NONE:
			break;
		}
	}
	/* a corrupt stream ends like a truncated one, after what decoded */
	if (got == 0 && d->failed) {
		errno = EIO;
		return -1;
	}
	return (ssize_t)got;
}

static int dz_close(void *cookie)
{
	struct dz *d = cookie;
	switch (d->kind) {
	case DZ_GZIP: inflateEnd(&d->z); break;
	case DZ_ZSTD: ZSTD_freeDStream(d->zs); break;
	case DZ_LZ4: LZ4F_freeDecompressionContext(d->lz); break;
	case DZ_XZ: lzma_end(&d->xz); break;
	case DZ_NONE: break;
	}
	int rc = d->raw ? fclose(d->raw) : 0;
	free(d);
	return rc;
}

FILE *capf_decompress(FILE *raw, const char **kind)
{
	*kind = NULL;
	struct dz *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->raw = raw;
	d->npeek = fread(d->peek, 1, 6, raw);
	static const uint8_t gz[] = { 0x1f, 0x8b }, zs[] = { 0x28, 0xb5, 0x2f, 0xfd },
			     lz[] = { 0x04, 0x22, 0x4d, 0x18 }, xz[] = { 0xfd, '7', 'z', 'X', 'Z', 0 };
	bool ok = true;
	if (d->npeek >= 2 && memcmp(d->peek, gz, 2) == 0) {
		d->kind = DZ_GZIP;
		*kind = "gzip";
		ok = inflateInit2(&d->z, 15 + 16) == Z_OK;
	} else if (d->npeek >= 4 && memcmp(d->peek, zs, 4) == 0) {
		d->kind = DZ_ZSTD;
		*kind = "zstd";
		ok = (d->zs = ZSTD_createDStream()) != NULL;
	} else if (d->npeek >= 4 && memcmp(d->peek, lz, 4) == 0) {
		d->kind = DZ_LZ4;
		*kind = "lz4";
		ok = !LZ4F_isError(LZ4F_createDecompressionContext(&d->lz, LZ4F_VERSION));
	} else if (d->npeek >= 6 && memcmp(d->peek, xz, 6) == 0) {
		d->kind = DZ_XZ;
		*kind = "xz";
		lzma_stream init = LZMA_STREAM_INIT;
		d->xz = init;
		ok = lzma_stream_decoder(&d->xz, 1u << 30, LZMA_CONCATENATED) == LZMA_OK;
	}
	cookie_io_functions_t io = { .read = dz_read, .close = dz_close };
	FILE *f = ok ? fopencookie(d, "r", io) : NULL;
	if (!f) {
		d->raw = NULL;   /* the caller still owns raw */
		dz_close(d);
	}
	return f;
}

/* ---------------------------------------------------------------- opening */

#define CAPF_MAX_BLOCK (16u << 20)   /* beyond this a block length is taken to lie (Wireshark's limit too) */
#define CAPF_RESYNC_MAX (8u << 20)   /* bytes scanned for the next good block */

int capf_open(struct capf *c, const char *path, char *err, size_t errsz)
{
	FILE *raw = strcmp(path, "-") == 0 ? fdopen(dup(0), "rb") : fopen(path, "rb");
	if (!raw) {
		memset(c, 0, sizeof *c);
		snprintf(err, errsz, "%s", strerror(errno));
		return -1;
	}
	return capf_open_stream(c, raw, err, errsz);
}

int capf_open_stream(struct capf *c, FILE *raw, char *err, size_t errsz)
{
	memset(c, 0, sizeof *c);
	c->f = capf_decompress(raw, &c->compression);
	if (!c->f) {
		fclose(raw);
		snprintf(err, errsz, "cannot set up the decompressor");
		return -1;
	}
	/* pcapng begins with a Section Header Block, type 0x0A0D0D0A in
	 * either byte order (a palindrome); anything else goes to libpcap */
	c->bufcap = 1 << 16;
	c->buf = malloc(c->bufcap);
	if (!c->buf) {
		snprintf(err, errsz, "out of memory");
		capf_close(c);
		return -1;
	}
	c->len = fread(c->buf, 1, 4, c->f);
	c->kind = c->len == 4 && memcmp(c->buf, "\n\r\r\n", 4) == 0 ? CAPF_PCAPNG : CAPF_PCAP;
	return 0;
}

/* Serves the peeked bytes, then the stream. */
struct replay {
	FILE *f;
	uint8_t head[4];
	size_t n, pos;
};

static ssize_t replay_read(void *cookie, char *out, size_t n)
{
	struct replay *r = cookie;
	size_t k = 0;
	while (k < n && r->pos < r->n)
		out[k++] = (char)r->head[r->pos++];
	if (k < n) {
		size_t m = fread(out + k, 1, n - k, r->f);
		if (m == 0 && k == 0 && ferror(r->f)) {
			errno = EIO;
			return -1;
		}
		k += m;
	}
	return (ssize_t)k;
}

static int replay_close(void *cookie)
{
	struct replay *r = cookie;
	int rc = fclose(r->f);
	free(r);
	return rc;
}

FILE *capf_take_stream(struct capf *c)
{
	struct replay *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->f = c->f;
	r->n = c->len;
	memcpy(r->head, c->buf, c->len);
	cookie_io_functions_t io = { .read = replay_read, .close = replay_close };
	FILE *f = fopencookie(r, "r", io);
	if (!f) {
		free(r);
		return NULL;
	}
	c->f = NULL;
	return f;
}

void capf_close(struct capf *c)
{
	if (c->f)
		fclose(c->f);
	for (size_t i = 0; i < c->nifaces; i++) {
		free(c->ifaces[i].name);
		free(c->ifaces[i].descr);
		free(c->ifaces[i].comment);
	}
	free(c->ifaces);
	free(c->shb_comment);
	free(c->shb_os);
	free(c->shb_app);
	free(c->tls_keylog);
	free(c->buf);
	memset(c, 0, sizeof *c);
}

const char *capf_tls_keylog(const struct capf *c, size_t *len)
{
	*len = c->tls_keylog_len;
	return c->tls_keylog;
}

/* ---------------------------------------------------------------- the window */

/* At least n bytes at buf+pos, unless the stream ends first. */
static bool win_need(struct capf *c, size_t n)
{
	if (c->len - c->pos >= n)
		return true;
	if (c->pos) {
		memmove(c->buf, c->buf + c->pos, c->len - c->pos);
		c->len -= c->pos;
		c->pos = 0;
	}
	while (c->len < n && !c->eof) {
		/* grow as the bytes arrive, not by what a length field claims */
		if (c->len == c->bufcap) {
			size_t nc = c->bufcap * 2 < n ? c->bufcap * 2 : n;
			uint8_t *nb = realloc(c->buf, nc);
			if (!nb)
				return false;
			c->buf = nb;
			c->bufcap = nc;
		}
		size_t k = fread(c->buf + c->len, 1, c->bufcap - c->len, c->f);
		if (k == 0)
			c->eof = true;
		c->len += k;
	}
	return c->len >= n;
}

static void win_skip(struct capf *c, size_t n)
{
	c->pos += n;
	c->offset += n;
}

/* ---------------------------------------------------------------- pcapng */

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 0x00000001u
#define BT_PB  0x00000002u   /* obsolete Packet Block */
#define BT_SPB 0x00000003u
#define BT_NRB 0x00000004u
#define BT_ISB 0x00000005u
#define BT_EPB 0x00000006u
#define BT_DSB 0x0000000Au
#define BT_SJE 0x00000009u   /* systemd journal export */
#define BT_CB  0x00000BADu   /* custom block, may be copied */
#define BT_DCB 0x40000BADu   /* custom block, do not copy */
#define BYTE_ORDER_MAGIC 0x1A2B3C4Du
#define SECRETS_TLS 0x544c534bu   /* "TLSK": NSS key log lines */

static uint32_t rd32(const struct capf *c, const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return c->swap ? __builtin_bswap32(v) : v;
}

static bool host_le(void)
{
	const uint16_t one = 1;
	uint8_t b;
	memcpy(&b, &one, 1);
	return b == 1;
}

/* The section is big-endian when it differs from a little-endian host or
 * matches a big-endian one. */
static uint16_t g16(const struct capf *c, struct cur *k)
{
	return c->swap == host_le() ? cur_be16(k) : cur_le16(k);
}

static uint32_t g32(const struct capf *c, struct cur *k)
{
	return c->swap == host_le() ? cur_be32(k) : cur_le32(k);
}

static char *dup_text(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);
	if (s) {
		memcpy(s, p, n);
		s[n] = '\0';
		/* option strings are UTF-8 "not zero-terminated", but some writers
		 * add the NUL anyway: cut at the first one */
		s[strlen(s)] = '\0';
	}
	return s;
}

/* Options after the fixed part of a block (section 3.5): code, length,
 * value padded to 32 bits, until opt_endofopt or the end of the block.
 * fn sees each option; a length past the block ends the walk. */
typedef void (*opt_fn)(struct capf *c, void *obj, uint16_t code, const uint8_t *v, uint16_t n);

static void walk_opts(struct capf *c, struct cur k, opt_fn fn, void *obj)
{
	while (cur_left(&k) >= 4) {
		uint16_t code = g16(c, &k), n = g16(c, &k);
		if (code == 0)
			break;
		const uint8_t *v = cur_take(&k, n);
		if (!v)
			break;
		cur_skip(&k, (size_t)((4 - n % 4) % 4));
		fn(c, obj, code, v, n);
	}
}

static void set_text(char **dst, const uint8_t *v, uint16_t n)
{
	if (*dst)
		return;   /* the first comment is the one shown */
	*dst = dup_text(v, n);
}

static void shb_opt(struct capf *c, void *obj, uint16_t code, const uint8_t *v, uint16_t n)
{
	(void)obj;
	if (code == 1)
		set_text(&c->shb_comment, v, n);
	else if (code == 3)
		set_text(&c->shb_os, v, n);
	else if (code == 4)
		set_text(&c->shb_app, v, n);
}

static void idb_opt(struct capf *c, void *obj, uint16_t code, const uint8_t *v, uint16_t n)
{
	struct capf_iface *f = obj;
	if (code == 1)
		set_text(&f->comment, v, n);
	else if (code == 2)
		set_text(&f->name, v, n);
	else if (code == 3)
		set_text(&f->descr, v, n);
	else if (code == 9 && n >= 1)
		f->tsresol = v[0];
	else if (code == 14 && n >= 8) {
		uint64_t o;
		memcpy(&o, v, 8);
		if (c->swap)
			o = __builtin_bswap64(o);
		f->tsoffset = (int64_t)o;
	}
}

/* LINKTYPE_ values as libpcap's pcap_datalink() reports them (DLT_),
 * for the few where the two differ and we dissect the type. */
static int linktype_to_dlt(int lt)
{
	return lt == 101 ? 12 : lt;   /* LINKTYPE_RAW -> DLT_RAW */
}

/* Timestamp units since the epoch -> ns, saturating on absurd values. */
static int64_t units_to_ns(const struct capf_iface *f, uint64_t units)
{
	unsigned __int128 ns;
	unsigned r = f->tsresol & 0x7f;
	if (f->tsresol & 0x80) {
		if (r > 63)
			return 0;
		ns = ((unsigned __int128)units * 1000000000u) >> r;
	} else if (r <= 9) {
		uint64_t mul = 1;
		for (unsigned i = r; i < 9; i++)
			mul *= 10;
		ns = (unsigned __int128)units * mul;
	} else {
		unsigned __int128 div = 1;
		for (unsigned i = 9; i < r && i < 40; i++)
			div *= 10;
		ns = units / div;
	}
	__int128 t = (__int128)ns + (__int128)f->tsoffset * 1000000000;
	if (t > INT64_MAX)
		return INT64_MAX;
	if (t < INT64_MIN)
		return INT64_MIN;
	return (int64_t)t;
}

static bool known_type(uint32_t t)
{
	return t == BT_SHB || t == BT_IDB || t == BT_PB || t == BT_SPB || t == BT_NRB ||
	       t == BT_ISB || t == BT_EPB || t == BT_DSB || t == BT_SJE || t == BT_CB || t == BT_DCB;
}

/* Does a plausible block start at buf+pos (length sane, tail agrees)? */
static bool block_ok_at(struct capf *c, uint32_t *type, uint32_t *total)
{
	if (!win_need(c, 12))
		return false;
	const uint8_t *h = c->buf + c->pos;
	uint32_t t, len;
	memcpy(&t, h, 4);
	if (t == BT_SHB) {
		/* the byte order comes with the section */
		uint32_t bom;
		memcpy(&bom, h + 8, 4);
		if (bom == BYTE_ORDER_MAGIC)
			c->swap = false;
		else if (bom == __builtin_bswap32(BYTE_ORDER_MAGIC))
			c->swap = true;
		else
			return false;
	}
	t = rd32(c, h);
	len = rd32(c, h + 4);
	if (len < 12 || len % 4 || len > CAPF_MAX_BLOCK)
		return false;
	if (!win_need(c, len))
		return false;
	if (rd32(c, c->buf + c->pos + len - 4) != len)
		return false;
	*type = t;
	*total = len;
	return true;
}

/* After a block that does not check out: the next one that does, scanning
 * 32-bit steps (blocks are 32-bit aligned).  Only known block types count
 * as a resync point, so random data is not taken for a block. */
static bool resync(struct capf *c, uint32_t *type, uint32_t *total)
{
	c->an.bad_block_length++;
	for (uint64_t skipped = 4; skipped <= CAPF_RESYNC_MAX; skipped += 4) {
		if (!win_need(c, 4 + 12)) {
			c->an.bytes_skipped += c->len - c->pos;
			win_skip(c, c->len - c->pos);
			return false;
		}
		win_skip(c, 4);
		c->an.bytes_skipped += 4;
		bool swap = c->swap;
		uint32_t t, len;
		if (block_ok_at(c, &t, &len) && known_type(t)) {
			*type = t;
			*total = len;
			return true;
		}
		c->swap = swap;
	}
	return false;
}

static struct capf_iface *add_iface(struct capf *c)
{
	if (c->nifaces == c->ifcap) {
		size_t nc = c->ifcap ? c->ifcap * 2 : 4;
		if (nc > 1u << 20)
			return NULL;
		struct capf_iface *ni = realloc(c->ifaces, nc * sizeof *ni);
		if (!ni)
			return NULL;
		c->ifaces = ni;
		c->ifcap = nc;
	}
	struct capf_iface *f = &c->ifaces[c->nifaces++];
	memset(f, 0, sizeof *f);
	f->tsresol = 6;
	return f;
}

static void add_secrets(struct capf *c, uint32_t type, const uint8_t *p, uint32_t n)
{
	c->an.secrets_blocks++;
	if (type != SECRETS_TLS || !n)
		return;
	if (c->tls_keylog_len + n + 2 > (64u << 20))
		return;
	char *nb = realloc(c->tls_keylog, c->tls_keylog_len + n + 2);
	if (!nb)
		return;
	c->tls_keylog = nb;
	memcpy(nb + c->tls_keylog_len, p, n);
	c->tls_keylog_len += n;
	if (nb[c->tls_keylog_len - 1] != '\n')
		nb[c->tls_keylog_len++] = '\n';
	nb[c->tls_keylog_len] = '\0';
}

/* A packet of interface ifid with the given captured bytes. */
static int packet(struct capf *c, struct capf_pkt *p, uint32_t ifid, uint64_t units, bool has_ts,
		  struct cur *k, uint32_t caplen, uint32_t wirelen)
{
	size_t gi = c->section_base + ifid;
	if (ifid >= c->nifaces - c->section_base || gi >= c->nifaces) {
		c->an.bad_interface++;
		return 0;
	}
	struct capf_iface *f = &c->ifaces[gi];
	const uint8_t *data = cur_take(k, caplen);
	if (!data) {
		c->an.bad_packet++;
		return 0;
	}
	p->ts_ns = has_ts ? units_to_ns(f, units) : 0;
	p->caplen = caplen;
	p->wirelen = wirelen < caplen ? caplen : wirelen;
	p->linktype = f->linktype;
	p->iface = (uint32_t)gi;
	p->data = data;
	p->record_only = false;
	f->packets++;
	return 1;
}

/* One block at buf+pos of the given type and total length: 1 when it is a
 * packet (p filled), 0 otherwise. */
static int block(struct capf *c, uint32_t type, uint32_t total, struct capf_pkt *p)
{
	struct cur k = cur_make(c->buf + c->pos + 8, total - 12);
	switch (type) {
	case BT_SHB: {
		cur_skip(&k, 4);                 /* byte-order magic, checked */
		uint16_t major = g16(c, &k);
		cur_skip(&k, 2 + 8);             /* minor, section length */
		if (major != 1) {
			/* a section we cannot read: its interfaces are unknown */
			c->an.unknown_blocks++;
		}
		c->section_base = c->nifaces;
		walk_opts(c, k, shb_opt, NULL);
		return 0;
	}
	case BT_IDB: {
		struct capf_iface *f = add_iface(c);
		if (!f)
			return 0;
		f->linktype = linktype_to_dlt(g16(c, &k));
		cur_skip(&k, 2);
		f->snaplen = g32(c, &k);
		walk_opts(c, k, idb_opt, f);
		return 0;
	}
	case BT_EPB:
	case BT_PB: {
		/* the obsolete PB has a 16-bit interface and a drops count where
		 * the EPB has a 32-bit interface; the rest is the same */
		uint32_t ifid = type == BT_EPB ? g32(c, &k) : g16(c, &k);
		if (type == BT_PB)
			cur_skip(&k, 2);
		uint32_t hi = g32(c, &k), lo = g32(c, &k);
		uint32_t cap = g32(c, &k), orig = g32(c, &k);
		if (k.bad) {
			c->an.bad_packet++;
			return 0;
		}
		return packet(c, p, ifid, (uint64_t)hi << 32 | lo, true, &k, cap, orig);
	}
	case BT_SPB: {
		/* no timestamp, interface 0; captured = the block's data, at
		 * most the snap length (section 4.4) */
		uint32_t orig = g32(c, &k);
		if (k.bad || c->nifaces <= c->section_base) {
			c->an.bad_interface++;
			return 0;
		}
		uint32_t cap = (uint32_t)cur_left(&k);
		if (orig < cap)
			cap = orig;
		uint32_t snap = c->ifaces[c->section_base].snaplen;
		if (snap && cap > snap)
			cap = snap;
		return packet(c, p, 0, 0, false, &k, cap, orig);
	}
	case BT_NRB:
		/* records: type, length, value padded; kept as a count */
		while (cur_left(&k) >= 4) {
			uint16_t rt = g16(c, &k), rl = g16(c, &k);
			if (rt == 0 || !cur_take(&k, rl))
				break;
			cur_skip(&k, (size_t)((4 - rl % 4) % 4));
			c->an.name_records++;
		}
		return 0;
	case BT_ISB:
		c->an.stats_blocks++;
		return 0;
	case BT_CB: case BT_DCB: case BT_SJE:
		/* Wireshark numbers these as frames: so do we, to keep frame
		 * numbers the same; there is no packet to read */
		c->an.record_blocks++;
		memset(p, 0, sizeof *p);
		p->record_only = true;
		return 1;
	case BT_DSB: {
		uint32_t st = g32(c, &k), sl = g32(c, &k);
		const uint8_t *sp = cur_take(&k, sl);
		if (sp)
			add_secrets(c, st, sp, sl);
		else
			c->an.bad_packet++;
		return 0;
	}
	default:
		c->an.unknown_blocks++;
		return 0;
	}
}

int capf_next(struct capf *c, struct capf_pkt *p)
{
	if (c->kind != CAPF_PCAPNG || !c->f)
		return 0;
	for (;;) {
		if (!win_need(c, 1))
			return 0;                /* clean end */
		uint32_t type, total;
		bool swap = c->swap;
		if (!block_ok_at(c, &type, &total)) {
			c->swap = swap;
			if (c->len - c->pos < 12 || (c->eof && c->len - c->pos < CAPF_MAX_BLOCK &&
			    c->len - c->pos < rd32(c, c->buf + c->pos + 4))) {
				/* the last block is cut short: a truncated file */
				snprintf(c->err, sizeof c->err, "pcapng block at offset %llu cut short "
					 "(%zu bytes left)", (unsigned long long)c->offset, c->len - c->pos);
				c->an.bytes_skipped += c->len - c->pos;
				win_skip(c, c->len - c->pos);
				return -1;
			}
			uint64_t at = c->offset;
			if (!resync(c, &type, &total)) {
				snprintf(c->err, sizeof c->err, "pcapng block at offset %llu has a length "
					 "that lies, and no good block follows", (unsigned long long)at);
				return -1;
			}
		}
		if (c->offset == 0 && type != BT_SHB) {
			snprintf(c->err, sizeof c->err, "pcapng file does not start with a section header");
			return -1;
		}
		int rc = block(c, type, total, p);
		/* the packet's bytes stay valid: the window moves on the next call */
		win_skip(c, total);
		if (rc == 1)
			return 1;
	}
}

