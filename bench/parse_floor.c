/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * parse_floor.c - the libosip2 parse floor for the regtrace benchmark.
 *
 * Owns nothing in regtrace: a standalone program that reads a pcap with libpcap,
 * finds UDP payloads (link types Ethernet [+VLAN], Linux SLL/SLL2, BSD NULL/LOOP,
 * raw IPv4/IPv6; IPv4 and IPv6 with extension headers; fragments are skipped, no
 * reassembly) and runs osip_message_init / osip_message_parse / osip_message_free
 * on every payload that starts like a SIP message.  It is the single-thread
 * lower bound that regtrace's full analysis is compared against: libpcap read +
 * libosip2 parse, nothing else.
 *
 * usage: parse_floor [-n] FILE.pcap
 *   -n   read and decode to UDP only, do not parse (libpcap read floor)
 * Prints one line of counters and the elapsed wall time (CLOCK_MONOTONIC).
 *
 * Build (bench/run.sh does this): cc -O2 -o parse_floor parse_floor.c -losipparser2 -lpcap
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pcap/pcap.h>
#include <osipparser2/osip_parser.h>
#include <osipparser2/osip_port.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* link types that not every libpcap header names */
#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

struct pf_stats {
	uint64_t packets, udp, fragments, other, candidates, parsed_ok, parse_err;
};

/* libosip2 traces to stdout by default (osip_trace_initialize_func): swallow it */
static void pf_trace_quiet(const char *fi, int li, osip_trace_level_t level,
			   const char *chfr, va_list ap)
{
	(void)fi; (void)li; (void)level; (void)chfr; (void)ap;
}

static uint16_t pf_be16(const u_char *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* Cheap pre-check before any parse: "SIP/2.0 " or an upper-case token + ' '. */
static int pf_looks_like_sip(const u_char *p, size_t len)
{
	size_t i;

	if (len < 12)
		return 0;
	if (memcmp(p, "SIP/2.0 ", 8) == 0)
		return 1;
	for (i = 0; i < len && i < 17; i++) {
		if (p[i] == ' ')
			return i > 1;
		if (!((p[i] >= 'A' && p[i] <= 'Z') || p[i] == '-' || p[i] == '_'))
			return 0;
	}
	return 0;
}

/* UDP header at p (len bytes available) -> payload, or NULL */
static const u_char *pf_udp(const u_char *p, size_t len, size_t *plen)
{
	size_t ulen;

	if (len < 8)
		return NULL;
	ulen = pf_be16(p + 4);
	/* trust the smaller of UDP length and captured bytes (snaplen, padding) */
	if (ulen >= 8 && ulen - 8 < len - 8)
		*plen = ulen - 8;
	else
		*plen = len - 8;
	return p + 8;
}

/* IPv4 or IPv6 datagram at p -> UDP payload or NULL; counts why not */
static const u_char *pf_ip(const u_char *p, size_t len, size_t *plen, struct pf_stats *st)
{
	if (len < 1)
		return NULL;
	if ((p[0] >> 4) == 4) {
		size_t ihl, tot;

		if (len < 20)
			return NULL;
		ihl = (size_t)(p[0] & 0x0f) * 4;
		tot = pf_be16(p + 2);
		if (ihl < 20 || ihl > len)
			return NULL;
		if (tot >= ihl && tot < len)
			len = tot;          /* drop Ethernet padding */
		if ((pf_be16(p + 6) & 0x3fff) != 0) {   /* MF or offset: no reassembly */
			st->fragments++;
			return NULL;
		}
		if (p[9] != 17)
			return NULL;
		return pf_udp(p + ihl, len - ihl, plen);
	}
	if ((p[0] >> 4) == 6) {
		size_t off = 40, pl;
		int nh;

		if (len < 40)
			return NULL;
		pl = pf_be16(p + 4);
		if (pl + 40 < len)
			len = pl + 40;
		nh = p[6];
		for (;;) {
			if (nh == 17)
				return pf_udp(p + off, len - off, plen);
			if (nh == 44) {             /* fragment header: no reassembly */
				st->fragments++;
				return NULL;
			}
			if (nh != 0 && nh != 43 && nh != 60)
				return NULL;
			if (len - off < 8)
				return NULL;
			{
				size_t hl = ((size_t)p[off + 1] + 1) * 8;

				if (hl > len - off)
					return NULL;
				nh = p[off];
				off += hl;
			}
		}
	}
	return NULL;
}

/* link-layer frame -> start of the IP header, or NULL */
static const u_char *pf_link(int dlt, const u_char *p, size_t len, size_t *rest)
{
	size_t off;
	uint16_t et;

	switch (dlt) {
	case DLT_EN10MB:
		if (len < 14)
			return NULL;
		et = pf_be16(p + 12);
		off = 14;
		while ((et == 0x8100 || et == 0x88a8) && len - off >= 4) {
			et = pf_be16(p + off + 2);
			off += 4;
		}
		if (et != 0x0800 && et != 0x86dd)
			return NULL;
		break;
	case DLT_LINUX_SLL:
		if (len < 16)
			return NULL;
		et = pf_be16(p + 14);
		off = 16;
		if (et != 0x0800 && et != 0x86dd)
			return NULL;
		break;
	case DLT_LINUX_SLL2:
		if (len < 20)
			return NULL;
		et = pf_be16(p);
		off = 20;
		if (et != 0x0800 && et != 0x86dd)
			return NULL;
		break;
	case DLT_NULL:
	case DLT_LOOP:
		/* 4-byte address family in either byte order; the IP version nibble decides */
		off = 4;
		break;
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
#if DLT_RAW != 12
	case 12:
#endif
	case 101:       /* LINKTYPE_RAW as some libpcaps report it */
		off = 0;
		break;
	default:
		return NULL;
	}
	if (off > len)
		return NULL;
	*rest = len - off;
	return p + off;
}

int main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pf_stats st;
	struct pcap_pkthdr *h;
	const u_char *data;
	struct timespec t0, t1;
	const char *file;
	pcap_t *pc;
	int parse = 1, dlt, rc;
	double secs;

	if (argc == 3 && strcmp(argv[1], "-n") == 0) {
		parse = 0;
		file = argv[2];
	} else if (argc == 2) {
		file = argv[1];
	} else {
		fprintf(stderr, "usage: %s [-n] FILE.pcap\n", argv[0]);
		return 2;
	}

	osip_trace_initialize_func(TRACE_LEVEL0, pf_trace_quiet);
	parser_init();
	memset(&st, 0, sizeof st);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	pc = pcap_open_offline(file, errbuf);
	if (pc == NULL) {
		fprintf(stderr, "parse_floor: %s\n", errbuf);
		return 1;
	}
	dlt = pcap_datalink(pc);
	while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
		const u_char *ip, *pay;
		size_t iplen, plen = 0;

		st.packets++;
		ip = pf_link(dlt, data, h->caplen, &iplen);
		pay = ip ? pf_ip(ip, iplen, &plen, &st) : NULL;
		if (pay == NULL) {
			st.other++;
			continue;
		}
		st.udp++;
		if (!pf_looks_like_sip(pay, plen))
			continue;
		st.candidates++;
		if (parse) {
			osip_message_t *m = NULL;

			if (osip_message_init(&m) != 0 || m == NULL) {
				fprintf(stderr, "parse_floor: out of memory\n");
				return 1;
			}
			if (osip_message_parse(m, (const char *)pay, plen) == 0)
				st.parsed_ok++;
			else
				st.parse_err++;
			osip_message_free(m);
		}
	}
	if (rc == -1)
		fprintf(stderr, "parse_floor: %s: %s (stopping)\n", file, pcap_geterr(pc));
	pcap_close(pc);
	clock_gettime(CLOCK_MONOTONIC, &t1);

	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("packets %llu udp %llu fragments %llu sip_candidates %llu parsed_ok %llu "
	       "parse_err %llu mode %s time_s %.3f packets_per_s %.0f\n",
	       (unsigned long long)st.packets, (unsigned long long)st.udp,
	       (unsigned long long)st.fragments, (unsigned long long)st.candidates,
	       (unsigned long long)st.parsed_ok, (unsigned long long)st.parse_err,
	       parse ? "parse" : "read-only", secs, secs > 0 ? (double)st.packets / secs : 0.0);
	return 0;
}
