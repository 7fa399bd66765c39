/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcapw.c - see pcapw.h.  Formats: pcap (libpcap's savefile, the
 * nanosecond magic 0xa1b23c4d) and pcapng (draft-ietf-opsawg-pcapng:
 * SHB §4.1, IDB §4.2 with if_tsresol, EPB §4.3), both in host byte order
 * as their magic says. */
#include "pcapw.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#define PW_SNAPLEN 262144u
#define PW_MAX_LT 32
#define PW_BUF (256u * 1024)

static volatile sig_atomic_t g_rotate;

void pw_request_rotate(void)
{
	g_rotate = 1;
}

struct pw {
	struct pw_opts o;
	int wchars;               /* digits of the count (tcpdump's WflagChars) */
	int fd;                   /* -1: not open (yet, or given up after an error) */
	/* our own buffer, so a failed write(2) says exactly which packets did
	 * not reach the file: bpk of them are in it */
	uint8_t *buf;
	size_t blen;
	uint64_t bpk;
	char name[PATH_MAX + 1];
	uint64_t pos;             /* bytes in the current file */
	int linktype;             /* pcap: the file's; -1 not known yet */
	bool header_done;
	int idb_lt[PW_MAX_LT];    /* pcapng: link type of each IDB in this file */
	int nidb;
	int c_count;              /* -C: which file of the set */
	int g_count;              /* -G: files so far */
	int64_t g_time;           /* -G: when the current file began (s); -1 not begun */
	bool stopped;             /* -G with -W: the last file is done */
	bool opened_once;
	struct pw_stats st;
};

uint64_t pw_parse_size(const char *s)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (end == s || errno || v == 0 || *s == '-')
		return 0;
	uint64_t mul = 1000000;   /* no suffix: millions of bytes, as tcpdump */
	if (*end) {
		if (end[1])
			return 0;
		switch (*end) {
		case 'k': case 'K': mul = 1024; break;
		case 'm': case 'M': mul = 1024 * 1024; break;
		case 'g': case 'G': mul = 1024 * 1024 * 1024; break;
		default: return 0;
		}
	}
	if (v > UINT64_MAX / mul)
		return 0;
	return v * mul;
}

/* tcpdump's MakeFilename(): strftime with -G, then the count in wchars
 * digits unless both are 0. */
static int make_name(struct pw *w, int cnt, int wchars, char *out, size_t n)
{
	char base[PATH_MAX + 1];
	if (w->o.rotate_secs) {
		time_t t = (time_t)w->g_time;
		struct tm tm;
		if (!localtime_r(&t, &tm) || strftime(base, sizeof base, w->o.path, &tm) == 0)
			snprintf(base, sizeof base, "%s", w->o.path);
	} else {
		snprintf(base, sizeof base, "%s", w->o.path);
	}
	int l = cnt == 0 && wchars == 0 ? snprintf(out, n, "%s", base)
					: snprintf(out, n, "%s%0*d", base, wchars, cnt);
	return l < 0 || (size_t)l >= n ? -1 : 0;
}

static void fail(struct pw *w, const char *what)
{
	int e = errno;
	if (!w->st.last_error[0]) {
		/* the name as far as it fits: the reason must stay readable */
		snprintf(w->st.last_error, sizeof w->st.last_error, "-w %.200s: %s: %s", w->name, what,
			 e ? strerror(e) : "short write");
		fprintf(stderr, "regtrace: %s; what is not written is counted%s\n", w->st.last_error,
			w->o.rotate_bytes || w->o.rotate_secs ? " (the next file is tried at rotation)" : "");
	}
	w->st.failed += w->bpk;   /* buffered, never reached the file */
	w->bpk = 0;
	w->blen = 0;
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
}

/* The buffer to the file: true when all of it got there. */
static bool drain(struct pw *w)
{
	size_t off = 0;
	while (off < w->blen) {
		ssize_t k = write(w->fd, w->buf + off, w->blen - off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			if (k == 0)
				errno = ENOSPC;
			fail(w, "cannot write");
			return false;
		}
		off += (size_t)k;
	}
	w->blen = 0;
	w->st.written += w->bpk;
	w->bpk = 0;
	return true;
}

static bool put(struct pw *w, const void *p, size_t n)
{
	if (w->fd < 0)
		return false;
	if (w->blen + n > PW_BUF && !drain(w))
		return false;
	if (n > PW_BUF) {   /* cannot happen: a packet is at most the snap length */
		errno = EMSGSIZE;
		fail(w, "cannot write");
		return false;
	}
	memcpy(w->buf + w->blen, p, n);
	w->blen += n;
	w->pos += n;
	return true;
}

static bool pcap_header(struct pw *w)
{
	/* pcap savefile header, nanosecond resolution */
	struct { uint32_t magic; uint16_t vmaj, vmin; int32_t zone; uint32_t sigfigs, snaplen, lt; } h = {
		0xa1b23c4d, 2, 4, 0, 0, PW_SNAPLEN, (uint32_t)w->linktype };
	w->header_done = put(w, &h, sizeof h);
	return w->header_done;
}

static bool ng_shb(struct pw *w)
{
	/* SHB: type, length, byte-order magic, version 1.0, section length
	 * unknown (-1), no options, length again: 28 bytes */
	uint8_t b[28];
	const uint32_t head[3] = { 0x0A0D0D0A, 28, 0x1A2B3C4D };
	const uint16_t ver[2] = { 1, 0 };
	const int64_t slen = -1;
	const uint32_t len2 = 28;
	memcpy(b, head, 12);
	memcpy(b + 12, ver, 4);
	memcpy(b + 16, &slen, 8);
	memcpy(b + 24, &len2, 4);
	w->header_done = put(w, b, sizeof b);
	return w->header_done;
}

/* The IDB index for a link type in this file, written when new; -1 failed. */
static int ng_idb(struct pw *w, int lt)
{
	for (int i = 0; i < w->nidb; i++)
		if (w->idb_lt[i] == lt)
			return i;
	if (w->nidb == PW_MAX_LT)
		return -1;
	/* IDB with if_tsresol = 9 (nanoseconds) and opt_endofopt */
	struct { uint32_t type, len; uint16_t lt, res; uint32_t snaplen;
		 uint16_t oc, ol; uint8_t tsres, pad[3]; uint16_t ec, el; uint32_t len2; } b = {
		1, 32, (uint16_t)lt, 0, PW_SNAPLEN, 9, 1, 9, { 0 }, 0, 0, 32 };
	if (!put(w, &b, sizeof b))
		return -1;
	w->idb_lt[w->nidb] = lt;
	return w->nidb++;
}

/* Open the file for count cnt (wchars digits); false when it failed (said, counted later). */
static bool open_file(struct pw *w, int cnt, int wchars)
{
	if (make_name(w, cnt, wchars, w->name, sizeof w->name) < 0) {
		errno = ENAMETOOLONG;
		fail(w, "cannot name the file");
		return false;
	}
	w->fd = open(w->name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	w->pos = 0;
	w->nidb = 0;
	w->header_done = false;
	if (w->fd < 0) {
		fail(w, "cannot open");
		return false;
	}
	w->st.files++;
	w->opened_once = true;
	if (w->o.pcapng)
		return ng_shb(w);
	return w->linktype < 0 || pcap_header(w);
}

static void close_file(struct pw *w)
{
	if (w->fd < 0)
		return;
	if (!w->header_done && !w->o.pcapng && w->linktype < 0) {
		w->linktype = 1;   /* nothing came: an empty Ethernet savefile */
		pcap_header(w);
	}
	if (w->fd >= 0 && drain(w) && close(w->fd) != 0) {
		w->fd = -1;
		fail(w, "cannot write");
	}
	w->fd = -1;
}

struct pw *pw_new(const struct pw_opts *o, bool open_now, int64_t now_s, char *err, size_t errlen)
{
	struct pw *w = calloc(1, sizeof *w);
	if (!w) {
		snprintf(err, errlen, "-w: out of memory");
		return NULL;
	}
	w->o = *o;
	w->fd = -1;
	w->linktype = -1;
	if (!(w->buf = malloc(PW_BUF))) {
		snprintf(err, errlen, "-w: out of memory");
		free(w);
		return NULL;
	}
	w->g_time = -1;
	if (o->max_files > 0)
		for (int x = o->max_files - 1; x > 0; x /= 10)
			w->wchars++;
	if (!o->rotate_secs || open_now) {
		w->g_time = now_s;
		/* the first file must open: a long capture must not end in this */
		if (make_name(w, 0, o->rotate_bytes ? w->wchars : 0, w->name, sizeof w->name) < 0) {
			snprintf(err, errlen, "-w %s: file name too long", o->path);
			free(w->buf);
			free(w);
			return NULL;
		}
		w->fd = open(w->name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (w->fd < 0) {
			snprintf(err, errlen, "-w %s: cannot open: %s", w->name, strerror(errno));
			free(w->buf);
			free(w);
			return NULL;
		}
		w->st.files = 1;
		w->opened_once = true;
		if (o->pcapng && !ng_shb(w)) {
			snprintf(err, errlen, "%s", w->st.last_error);
			free(w->buf);
			free(w);
			return NULL;
		}
	} else {
		/* -G reading files: named by the first packet's time; the
		 * directory must at least be writable now */
		char dir[PATH_MAX + 1];
		snprintf(dir, sizeof dir, "%s", o->path);
		char *sl = strrchr(dir, '/');
		if (sl)
			*(sl == dir ? sl + 1 : sl) = '\0';
		else
			snprintf(dir, sizeof dir, ".");
		if (access(dir, W_OK) != 0) {
			snprintf(err, errlen, "-w %s: directory %s is not writable: %s", o->path, dir,
				 strerror(errno));
			free(w->buf);
			free(w);
			return NULL;
		}
	}
	return w;
}

void pw_linktype(struct pw *w, int linktype)
{
	if (!w || w->linktype >= 0 || w->o.pcapng)
		return;
	w->linktype = linktype;
	if (w->fd >= 0 && !w->header_done)
		pcap_header(w);
}

/* Rotate now (time t for a -G name).  by_time: -G's own rotation. */
static void rotate(struct pw *w, int64_t t, bool by_time)
{
	close_file(w);
	if (by_time || (w->o.rotate_secs && !w->o.rotate_bytes)) {
		w->g_time = t;
		w->g_count++;
		if (!w->o.rotate_bytes && w->o.max_files > 0 && w->g_count >= w->o.max_files) {
			/* tcpdump exits here ("Maximum file limit reached") */
			w->stopped = true;
			fprintf(stderr, "regtrace: -w: maximum file limit reached: %d (-W); further packets are "
				"counted, not written\n", w->o.max_files);
			return;
		}
		w->c_count = 0;
		open_file(w, 0, 0);
		return;
	}
	if (w->o.rotate_bytes) {
		w->c_count++;
		if (w->o.max_files > 0 && w->c_count >= w->o.max_files)
			w->c_count = 0;   /* the ring starts over */
		open_file(w, w->c_count, w->wchars);
		return;
	}
	open_file(w, 0, 0);   /* SIGHUP without rotation: the same name afresh */
}

void pw_tick(struct pw *w, int64_t now_s)
{
	if (w && g_rotate && !w->stopped) {
		g_rotate = 0;
		rotate(w, now_s, false);
	}
}

int pw_write(struct pw *w, int linktype, int64_t ts_ns, uint32_t caplen, uint32_t wirelen,
	     const uint8_t *data)
{
	if (!w)
		return -1;
	if (w->stopped) {
		w->st.over_limit++;
		return -1;
	}
	int64_t ts_s = ts_ns / 1000000000;
	if (!w->opened_once) {
		w->g_time = ts_s;   /* -G reading files: the first packet names the first file */
		open_file(w, 0, w->o.rotate_bytes ? w->wchars : 0);
	}
	if (g_rotate) {
		g_rotate = 0;
		rotate(w, ts_s, false);
	}
	if (w->o.rotate_secs && ts_s - w->g_time >= w->o.rotate_secs)
		rotate(w, ts_s, true);
	if (w->o.rotate_bytes && w->fd >= 0 && w->pos > w->o.rotate_bytes)
		rotate(w, ts_s, false);
	if (w->stopped) {
		w->st.over_limit++;
		return -1;
	}
	if (!w->o.pcapng) {
		if (w->linktype < 0)
			pw_linktype(w, linktype);
		if (linktype != w->linktype) {
			if (!w->st.other_link++)
				fprintf(stderr, "regtrace: -w: link type %d differs from the file's (%d); those "
					"packets are not written (--pcapng writes each)\n", linktype, w->linktype);
			return -1;
		}
	}
	if (w->fd < 0) {
		w->st.failed++;
		return -1;
	}
	if (caplen > PW_SNAPLEN)
		caplen = PW_SNAPLEN;
	bool ok;
	if (w->o.pcapng) {
		int idb = ng_idb(w, linktype);
		uint32_t pad = (4 - (caplen & 3)) & 3;
		uint32_t len = 32 + caplen + pad;
		uint64_t ts = (uint64_t)ts_ns;
		struct { uint32_t type, len, idb, hi, lo, cap, orig; } b = { 6, len, (uint32_t)idb,
			(uint32_t)(ts >> 32), (uint32_t)ts, caplen, wirelen };
		static const uint8_t zero[4];
		ok = idb >= 0 && put(w, &b, sizeof b) && put(w, data, caplen) && put(w, zero, pad) &&
		     put(w, &len, 4);
	} else {
		struct { uint32_t sec, nsec, cap, len; } h = { (uint32_t)ts_s,
			(uint32_t)(ts_ns % 1000000000), caplen, wirelen };
		ok = put(w, &h, sizeof h) && put(w, data, caplen);
	}
	if (!ok) {
		w->st.failed++;
		return -1;
	}
	w->bpk++;   /* written once drain() has put it in the file */
	if (w->o.flush_each && !drain(w))
		return -1;
	return 0;
}

void pw_flush(struct pw *w)
{
	if (w && w->fd >= 0)
		drain(w);
}

const struct pw_stats *pw_stats(const struct pw *w)
{
	return &w->st;
}

const char *pw_current(const struct pw *w)
{
	return w->name[0] ? w->name : w->o.path;
}

int pw_close(struct pw *w, struct pw_stats *st)
{
	if (!w)
		return 0;
	close_file(w);
	if (st)
		*st = w->st;
	int rc = w->st.failed || w->st.last_error[0] ? -1 : 0;
	free(w->buf);
	free(w);
	return rc;
}
