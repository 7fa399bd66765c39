/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * readcount.c - how fast a capture file can be read, nothing else (bench/readers.sh).
 *
 * Owns nothing in regtrace: reads every packet of FILE and counts packets and
 * captured bytes (each packet's bytes are summed, so the data is touched).
 *   readcount pcap FILE   libpcap alone (pcap_open_offline: classic pcap, and
 *                         pcapng as far as libpcap reads it): the read floor
 *   readcount capf FILE   what regtrace's capture layer does: capfile.c by
 *                         content (gzip/zstd/lz4/xz decompressed on the fly;
 *                         pcapng by our block reader), classic pcap by libpcap
 *                         (over the decompressing stream when compressed)
 * Prints "packets N bytes B secs S cpu C" (S: CLOCK_MONOTONIC around open +
 * read; C: user + system CPU seconds of the same).
 * Build: bench/readers.sh (cc -O2 ... src/input/capfile.c -lpcap -lz -lzstd -llz4 -llzma).
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "capfile.h"

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

static uint64_t sum_bytes(const unsigned char *d, uint32_t n)
{
	uint64_t s = 0;
	for (uint32_t i = 0; i < n; i += 64)   /* one read per cache line */
		s += d[i];
	return s;
}

static int pcap_loop_count(pcap_t *p, uint64_t *np, uint64_t *nb, uint64_t *chk)
{
	struct pcap_pkthdr *h;
	const u_char *d;
	int rc;
	while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
		++*np;
		*nb += h->caplen;
		*chk += sum_bytes(d, h->caplen);
	}
	if (rc == PCAP_ERROR)
		fprintf(stderr, "readcount: %s\n", pcap_geterr(p));
	pcap_close(p);
	return rc == PCAP_ERROR ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[1], "pcap") && strcmp(argv[1], "capf"))) {
		fprintf(stderr, "usage: readcount pcap|capf FILE\n");
		return 2;
	}
	const char *path = argv[2];
	char err[PCAP_ERRBUF_SIZE > 256 ? PCAP_ERRBUF_SIZE : 256] = "";
	uint64_t np = 0, nb = 0, chk = 0;
	int rc = 0;
	double t0 = now_s(), c0 = cpu_s();
	if (!strcmp(argv[1], "pcap")) {
		pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
		if (!p) {
			fprintf(stderr, "readcount: %s: %s\n", path, err);
			return 1;
		}
		rc = pcap_loop_count(p, &np, &nb, &chk);
	} else {
		struct capf cf;
		if (capf_open(&cf, path, err, sizeof err) != 0) {
			fprintf(stderr, "readcount: %s: %s\n", path, err);
			return 1;
		}
		if (cf.kind == CAPF_PCAPNG) {
			struct capf_pkt pk;
			int r;
			while ((r = capf_next(&cf, &pk)) == 1) {
				if (pk.record_only)
					continue;
				np++;
				nb += pk.caplen;
				chk += sum_bytes(pk.data, pk.caplen);
			}
			if (r < 0) {
				fprintf(stderr, "readcount: %s: %s\n", path, cf.err);
				rc = 1;
			}
			capf_close(&cf);
		} else {
			pcap_t *p = NULL;
			const char *comp = cf.compression;
			if (comp) {
				FILE *fp = capf_take_stream(&cf);
				if (fp && !(p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, err)))
					fclose(fp);
			}
			capf_close(&cf);
			if (!p && !comp)
				p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
			if (!p) {
				fprintf(stderr, "readcount: %s: %s\n", path, err);
				return 1;
			}
			rc = pcap_loop_count(p, &np, &nb, &chk);
		}
	}
	printf("packets %llu bytes %llu secs %.3f cpu %.3f (check %llu)\n", (unsigned long long)np,
	       (unsigned long long)nb, now_s() - t0, cpu_s() - c0, (unsigned long long)(chk & 0xff));
	return rc;
}
