/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wtapcount.c - how fast libwiretap (Wireshark's file reader, Debian
 * libwiretap-dev) reads a capture file, nothing else (bench/readers.sh).
 *
 * Owns nothing in regtrace: wtap_open_offline(FILE) by content (every format
 * and compression Wireshark reads), wtap_read() every record, count packets
 * and captured bytes (each packet's bytes summed, as readcount.c does).
 * Prints "packets N bytes B secs S cpu C" (S: CLOCK_MONOTONIC around open +
 * read; C: user + system CPU seconds of the same).
 * Written for the Wireshark 4.0 API (Debian 12); the API changes between
 * major versions.
 * Build: bench/readers.sh (cc -O2 -I/usr/include/wireshark $(glib-2.0 cflags)
 *        wtapcount.c -lwiretap -lwsutil -lglib-2.0).
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

#include <wiretap/wtap.h>
#include <wsutil/wslog.h>

/* user + system CPU seconds so far: steadier than wall time on a shared machine */
static double cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: wtapcount FILE\n");
		return 2;
	}
	/* without ws_log_init the library logs every record at debug level */
	ws_log_init("wtapcount", NULL);
	ws_log_set_level(LOG_LEVEL_WARNING);
	double t0 = now_s(), c0 = cpu_s();
	wtap_init(FALSE);
	int err = 0;
	gchar *err_info = NULL;
	wtap *w = wtap_open_offline(argv[1], WTAP_TYPE_AUTO, &err, &err_info, FALSE);
	if (!w) {
		fprintf(stderr, "wtapcount: %s: %s%s%s\n", argv[1], wtap_strerror(err),
			err_info ? ": " : "", err_info ? err_info : "");
		return 1;
	}
	wtap_rec rec;
	Buffer buf;
	wtap_rec_init(&rec);
	ws_buffer_init(&buf, 2048);
	uint64_t np = 0, nb = 0, chk = 0;
	gint64 off;
	while (wtap_read(w, &rec, &buf, &err, &err_info, &off)) {
		if (rec.rec_type == REC_TYPE_PACKET) {
			uint32_t n = rec.rec_header.packet_header.caplen;
			const uint8_t *d = ws_buffer_start_ptr(&buf);
			np++;
			nb += n;
			for (uint32_t i = 0; i < n; i += 64)
				chk += d[i];
		}
		wtap_rec_reset(&rec);
	}
	int rc = 0;
	if (err) {
		fprintf(stderr, "wtapcount: %s: %s%s%s\n", argv[1], wtap_strerror(err),
			err_info ? ": " : "", err_info ? err_info : "");
		rc = 1;
	}
	wtap_rec_cleanup(&rec);
	ws_buffer_free(&buf);
	wtap_close(w);
	wtap_cleanup();
	printf("packets %llu bytes %llu secs %.3f cpu %.3f (check %llu)\n", (unsigned long long)np,
	       (unsigned long long)nb, now_s() - t0, cpu_s() - c0, (unsigned long long)(chk & 0xff));
	return rc;
}
