/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wsel.h - which packets -w writes when a selection is given.
 *
 * Owns: the packets of each dialog (by Call-ID: the dissectors' parts hook
 * names every packet a message was made of, TCP segments and IP fragments
 * included), and which dialogs are selected.  Two ways:
 * - files (pass 2): only (file, frame) pairs are kept per Call-ID; once the
 *   selection is known at the end, wsel_build() sorts the selected ones and
 *   the capture layer reads the inputs again, writing the frames that
 *   wsel_frame_on() names: capture order, nothing held in RAM but numbers.
 * - live and stdin (hold): each packet that carried SIP is copied into a
 *   bounded buffer (hold_max bytes, oldest evicted first and counted) until
 *   a dialog it belongs to is selected (wsel_select(), any thread); then its
 *   held packets are written in capture order, and later ones as they come.
 * The dissecting thread calls wsel_parts() and wsel_packet(); after it has
 * stopped, the caller's thread may call everything.
 */
#ifndef RT_WSEL_H
#define RT_WSEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect.h"
#include "pcapw.h"

struct wsel_stats {
	uint64_t held;              /* packets that went through the hold buffer */
	uint64_t evicted;           /* evicted before any dialog of theirs was selected */
	uint64_t evicted_selected;  /* ... of them, of dialogs selected later: not written */
	uint64_t dialogs_selected;
	uint64_t parts_dropped;     /* out of memory: packets not followed */
};

struct wsel;

struct wsel *wsel_new(bool hold, size_t hold_max);
/* The parts hook (dis_set_parts_hook). */
void wsel_parts(void *w, const struct sip_msg *m, const struct dis_pkt_ref *v, size_t n);
/* Hold: after each packet; a copy is kept when it carried SIP, and what
 * the parts hook said about it is applied (writing to out what a selected
 * dialog owns). */
void wsel_packet(struct wsel *w, struct pw *out, const struct pkt_info *pi, uint32_t caplen,
		 const uint8_t *data, bool had_sip);
/* A dialog is selected (thread-safe; applied by the next wsel_sync()). */
void wsel_select(struct wsel *w, const char *call_id);
/* Apply selections and parts not yet applied (hold: writes to out). */
void wsel_sync(struct wsel *w, struct pw *out);
/* Files: sort the frames of the selected dialogs. */
int wsel_build(struct wsel *w);
/* Files, pass 2 (frames of each file in increasing order): write this one? */
bool wsel_frame_on(struct wsel *w, uint32_t file, uint64_t frame);
bool wsel_hold(const struct wsel *w);
void wsel_get_stats(const struct wsel *w, struct wsel_stats *st);
void wsel_free(struct wsel *w);

#endif
