/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hep_listen.h - receive HEP over UDP or TCP (--hep-listen [udp:|tcp:][ADDR:]PORT).
 *
 * Owns: the listening socket, the TCP connections and their framing (a
 * stream of HEP3 packets, each bounded by its length field), the key check
 * (--hep-key: a packet without the key, or with another, is counted and
 * dropped), and the loop.  Each packet goes to the dissectors as HEP
 * (dis_hep()); heplify, Kamailio siptrace, FreeSWITCH and Asterisk send
 * one HEP packet per datagram.  Frame numbers count the packets accepted;
 * the message time is the one inside HEP.
 */
#ifndef RT_HEP_LISTEN_H
#define RT_HEP_LISTEN_H

#include <signal.h>
#include <stdint.h>

#include "capture.h"
#include "dissect.h"

/* What the listener received and what it did not pass on. */
struct hep_listen_stats {
	uint64_t received;        /* HEP packets (datagrams or framed) */
	uint64_t bad_key;         /* dropped: --hep-key missing or different */
	uint64_t not_hep;         /* TCP connections closed: bytes that were not HEP3 */
	uint64_t truncated;       /* TCP: a connection ended inside a packet */
	uint64_t connections;     /* TCP connections accepted */
	uint64_t refused;         /* TCP connections refused: every slot taken */
};

/* Listen on spec until *stop is set or o->max_packets packets were
 * accepted.  key: NULL accepts every packet.  tick runs after each wake-up
 * and at least every 100 ms (may be NULL); st (may be NULL) gets the
 * counters.  Returns 0, or 2 when the socket cannot be set up (a message
 * says why). */
int hep_listen_run(const char *spec, const char *key, const struct cap_opts *o, struct dis_ctx *d,
		   struct cap_result *r, struct hep_listen_stats *st,
		   volatile sig_atomic_t *stop, cap_tick_fn tick, void *user);

#endif
