/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcapw.h - the -w writer: pcap or pcapng files, rotated as tcpdump does.
 *
 * Owns: the output files of -w and their names.  Classic pcap (nanosecond
 * timestamps, one link type per file: packets of another are counted, not
 * written) or pcapng with --pcapng (a Section Header Block per file, an
 * Interface Description Block for each link type met, if_tsresol 9,
 * Enhanced Packet Blocks).  Rotation as tcpdump(8) does it: -C bytes
 * (checked before each packet, "larger than"), -G seconds (the packet's
 * capture time; the name goes through strftime), -W files (a ring with -C,
 * a limit with -G alone), names FILE, FILE1, FILE2... or with -W the
 * count in enough digits (FILE0..FILE9 for -W 10).  pw_request_rotate()
 * (SIGHUP) rotates before the next packet: the next count, a new time
 * name, or the same name opened afresh (after logrotate moved it).
 * A write that fails (full disk) is said once on stderr; that file is
 * given up, what is not written is counted, and the next rotation tries
 * again.  The only global is the SIGHUP flag a handler must reach.
 */
#ifndef RT_PCAPW_H
#define RT_PCAPW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pw_opts {
	const char *path;         /* -w FILE */
	bool pcapng;              /* --pcapng */
	uint64_t rotate_bytes;    /* -C, in bytes; 0: none */
	int rotate_secs;          /* -G; 0: none */
	int max_files;            /* -W; 0: none */
	bool flush_each;          /* live: every packet reaches the file at once */
};

struct pw_stats {
	uint64_t written;         /* packets in the files */
	uint64_t failed;          /* not written: the file could not be written or opened */
	uint64_t other_link;      /* pcap: not written, a link type other than the file's */
	uint64_t over_limit;      /* -G with -W: not written after the last file */
	unsigned files;           /* files opened */
	char last_error[320];     /* the first failure, as said on stderr */
};

struct pw;

/* Opens the first file now unless its name needs a packet's time (-G
 * reading files: then the directory is checked now).  now_s: the time for
 * a -G name opened now.  NULL with a one-line message in err. */
struct pw *pw_new(const struct pw_opts *o, bool open_now, int64_t now_s, char *err, size_t errlen);
/* The link type a classic pcap file is written with (the first input's);
 * the header is written now if the file is open. */
void pw_linktype(struct pw *w, int linktype);
/* One packet (ts in ns since the epoch). 0 written, -1 counted. */
int pw_write(struct pw *w, int linktype, int64_t ts_ns, uint32_t caplen, uint32_t wirelen,
	     const uint8_t *data);
/* Live, between packets: a pending SIGHUP rotation now (now_s: wall time). */
void pw_tick(struct pw *w, int64_t now_s);
void pw_flush(struct pw *w);
const struct pw_stats *pw_stats(const struct pw *w);
/* The file being written (the last one). */
const char *pw_current(const struct pw *w);
/* Closes the last file and frees w; 0, or -1 when something was not written
 * (stats are copied to *st first when st is given). */
int pw_close(struct pw *w, struct pw_stats *st);

/* From a signal handler (SIGHUP): rotate before the next packet. */
void pw_request_rotate(void);

/* -C's value: a number of millions of bytes as tcpdump takes it, or with
 * a k/m/g suffix (KiB, MiB, GiB); 0 when not valid. */
uint64_t pw_parse_size(const char *s);

#endif
