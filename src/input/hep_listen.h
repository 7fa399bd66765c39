/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hep_listen.h - receive HEP over UDP (--hep-listen [ADDR:]PORT).
 *
 * Owns: the listening socket and its loop.  Each datagram goes to the
 * dissectors as HEP (dis_hep()); heplify, Kamailio siptrace, FreeSWITCH
 * and Asterisk send one HEP packet per datagram.  Frame numbers count the
 * datagrams received; the message time is the one inside HEP.
 */
#ifndef RT_HEP_LISTEN_H
#define RT_HEP_LISTEN_H

#include <signal.h>

#include "capture.h"
#include "dissect.h"

/* Listen on spec ("PORT", "ADDR:PORT", "[V6ADDR]:PORT") until *stop is
 * set or o->max_packets datagrams arrived.  tick runs after each datagram
 * and on idle (may be NULL).  Returns 0, or 2 when the socket cannot be
 * set up (a message says why). */
int hep_listen_run(const char *spec, const struct cap_opts *o, struct dis_ctx *d,
		   struct cap_result *r, volatile sig_atomic_t *stop, cap_tick_fn tick, void *user);

#endif
