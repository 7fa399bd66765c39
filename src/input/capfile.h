/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capfile.h - capture files by content: decompression and the pcapng reader.
 *
 * Owns: recognising an input by its first bytes, not its name (gzip, zstd,
 * lz4 frame and xz streams, decompressed on the fly, from files and stdin;
 * then pcap or pcapng inside), and reading pcapng itself: any number of
 * sections and interfaces, each with its own link type, timestamp resolution
 * and offset, name, description and comment; enhanced, simple and obsolete
 * packet blocks; name resolution and decryption-secrets blocks (TLS key log
 * lines kept for a TLS decoder); unknown blocks skipped and counted; a block
 * whose length lies is a counted anomaly and reading resumes at the next
 * block that checks out.  Classic pcap stays with libpcap (capf_stream()).
 */
#ifndef RT_CAPFILE_H
#define RT_CAPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum capf_kind { CAPF_PCAP, CAPF_PCAPNG };

struct capf_iface {
	int linktype;          /* DLT_ value, as libpcap reports it */
	uint32_t snaplen;
	uint8_t tsresol;       /* if_tsresol: bit 7 set = 2^-n, else 10^-n */
	int64_t tsoffset;      /* if_tsoffset, seconds */
	char *name, *descr, *comment;   /* NULL when absent; untrusted text */
	uint64_t packets;
};

/* What was wrong or skipped in a pcapng file; nothing dropped silently. */
struct capf_anomalies {
	uint64_t unknown_blocks;    /* block types we do not read (custom, ISB counted apart) */
	uint64_t bad_block_length;  /* a length that lies: < 12, not a multiple of 4, too big,
				       or head and tail disagree */
	uint64_t bad_interface;     /* packet for an interface never described */
	uint64_t bad_packet;        /* captured length beyond the block */
	uint64_t bytes_skipped;     /* skipped while looking for the next good block */
	uint64_t stats_blocks;      /* interface statistics blocks (read, nothing to keep) */
	uint64_t name_records;      /* name resolution records seen */
	uint64_t secrets_blocks;    /* decryption secrets blocks */
	uint64_t record_blocks;     /* custom and systemd journal blocks: frames without a packet */
};

struct capf_pkt {
	int64_t ts_ns;
	uint32_t caplen, wirelen;
	int linktype;
	uint32_t iface;            /* index into capf.ifaces (over all sections) */
	const uint8_t *data;       /* valid until the next capf_next() */
	bool record_only;          /* a custom/journal block: a frame number, no packet */
};

struct capf {
	FILE *f;                   /* the (decompressed) byte stream */
	enum capf_kind kind;
	const char *compression;   /* "gzip", "zstd", "lz4", "xz" or NULL */
	struct capf_iface *ifaces;
	size_t nifaces, ifcap;
	size_t section_base;       /* first interface of the current section */
	bool swap;                 /* section byte order differs from ours */
	char *shb_comment, *shb_os, *shb_app;
	struct capf_anomalies an;
	char *tls_keylog;          /* DSB TLS key log lines, concatenated */
	size_t tls_keylog_len;
	uint8_t *buf;              /* read window */
	size_t len, pos, bufcap;
	uint64_t offset;           /* stream offset of buf[pos] */
	bool eof;
	char err[256];
};

/* Open path ("-" = stdin) and look at its first bytes.  Returns 0, or -1
 * when it cannot be opened or read (err says why; the caller may then let
 * libpcap open it by name for its own message). */
int capf_open(struct capf *c, const char *path, char *err, size_t errsz);
/* The same over an open stream, which it owns from then on (even on -1). */
int capf_open_stream(struct capf *c, FILE *raw, char *err, size_t errsz);
/* For CAPF_PCAP: the byte stream, for pcap_fopen_offline(); the caller
 * owns it from then on (fclose frees the decompressor). */
FILE *capf_take_stream(struct capf *c);
/* CAPF_PCAPNG: 1 a packet, 0 end of file, -1 the file cannot be read
 * further (err says why; the packets before are good). */
int capf_next(struct capf *c, struct capf_pkt *p);
/* The TLS key log lines (NSS format) from decryption secrets blocks. */
const char *capf_tls_keylog(const struct capf *c, size_t *len);
void capf_close(struct capf *c);

/* A decompressing stream over raw (which it owns): by the first bytes, or
 * raw itself (wrapped so the peeked bytes are not lost) when it is not
 * compressed.  *kind gets the compression name or NULL. */
FILE *capf_decompress(FILE *raw, const char **kind);

#endif
