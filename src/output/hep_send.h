/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hep_send.h - HEPv3 out to HOMER collectors (--hep-send).
 *
 * Owns: struct hep_send (every collector of a run, its socket and queue),
 * the HEPv3 encoder of one SIP message, and the counters of what each
 * collector took and what it did not.  One HEP packet per complete SIP
 * message (after IP and TCP reassembly, never per segment), with the
 * chunks heplify sends for SIP: family, protocol, addresses, ports, the
 * capture time, payload type 1, agent id, key, node name, payload.
 *
 * UDP sends on an unconnected socket: an ICMP port unreachable from a
 * collector that is down never fails the next datagram.  TCP connects
 * without blocking, reconnects with backoff and keeps a bounded queue;
 * what does not fit is dropped and counted.  Live capture never waits for
 * a collector; reading a file waits a little for a slow one (backpressure)
 * before it drops.
 */
#ifndef RT_HEP_SEND_H
#define RT_HEP_SEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sip_msg.h"

struct hep_send_opts {
	const char *const *targets;  /* "[udp:|tcp:]HOST:PORT" */
	size_t ntargets;
	uint32_t agent_id;           /* chunk 0x000c */
	const char *key;             /* chunk 0x000e, NULL: none */
	const char *node;            /* chunk 0x0013, NULL: the host name */
	size_t queue_max;            /* TCP: messages queued per collector (0: 10000) */
	bool live;                   /* never wait for a collector */
};

struct hep_send_stats {
	uint64_t sent;               /* packets handed to the kernel, summed over collectors */
	uint64_t dropped;            /* queue full, collector down at the end, send errors */
	uint64_t queued;             /* TCP: waiting for a collector now */
	uint64_t too_large;          /* messages over HEP's 64 KiB length field (not sent) */
};

struct hep_send;

/* NULL with a one-line message in err when a target is malformed or
 * cannot be resolved. */
struct hep_send *hep_send_new(const struct hep_send_opts *o, char *err, size_t errlen);
/* Encode and send (UDP) or queue (TCP) one message to every collector. */
void hep_send_msg(struct hep_send *s, const struct sip_msg *m);
/* Reconnect, write queued data; wait at most timeout_ms (0: do not wait). */
void hep_send_poll(struct hep_send *s, int timeout_ms);
void hep_send_get_stats(const struct hep_send *s, struct hep_send_stats *st);
/* Flush what can be flushed within flush_ms, count the rest as dropped,
 * say per collector on f (NULL: silent) what it took, and free. */
void hep_send_close(struct hep_send *s, int flush_ms, FILE *f);

/* One HEPv3 packet for m into buf (cap bytes): its length, or 0 when it
 * does not fit (or is over 65535 bytes). */
size_t hep3_encode(const struct sip_msg *m, uint32_t agent_id, const char *key, const char *node,
		   uint8_t *buf, size_t cap);

#endif
