/* SPDX-License-Identifier: GPL-2.0-or-later */
/* privdrop.h - giving up root once every interface, socket and file is open.
 *
 * Owns: the choice of the user to run as and the drop itself (tcpdump's
 * -Z): supplementary groups, group, user, in that order, then a check that
 * root cannot be had back.  Started as root for a live capture without -Z,
 * regtrace runs on as the "regtrace" system user when the package made one,
 * else as "nobody"; -Z root keeps root.
 */
#ifndef RT_PRIVDROP_H
#define RT_PRIVDROP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct privdrop {
	bool active;            /* a drop is due */
	bool chosen;            /* the user came from -Z, not the default */
	char user[64];
	uid_t uid;
	gid_t gid;
};

/* Decide before anything is opened.  z_user: -Z's argument or NULL.  0,
 * or -1 with a message in err (no such user, -Z without root).  live: a
 * capture from an interface or a socket (the only case with a default). */
int privdrop_plan(struct privdrop *p, const char *z_user, bool live, char *err, size_t errlen);
/* Drop now (no-op when nothing is due): 0, or -1 with a message in err. */
int privdrop_now(const struct privdrop *p, char *err, size_t errlen);

#endif
