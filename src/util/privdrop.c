/* SPDX-License-Identifier: GPL-2.0-or-later */
/* privdrop.c - see privdrop.h. */
#include "privdrop.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int privdrop_plan(struct privdrop *p, const char *z_user, bool live, char *err, size_t errlen)
{
	memset(p, 0, sizeof *p);
	if (geteuid() != 0) {
		if (z_user && strcmp(z_user, "root") != 0) {
			struct passwd *pw = getpwnam(z_user);
			if (pw && pw->pw_uid == geteuid())
				return 0;   /* already that user */
			snprintf(err, errlen, "-Z %s: only root can change user", z_user);
			return -1;
		}
		return 0;
	}
	if (z_user && strcmp(z_user, "root") == 0)
		return 0;
	if (!z_user && !live)
		return 0;           /* reading files as root: nothing to give up by default */
	const char *name = z_user;
	struct passwd *pw = NULL;
	if (name) {
		errno = 0;
		pw = getpwnam(name);
		if (!pw) {
			snprintf(err, errlen, "-Z %s: no such user", name);
			return -1;
		}
	} else {
		name = "regtrace";
		if (!(pw = getpwnam(name))) {
			name = "nobody";
			if (!(pw = getpwnam(name))) {
				snprintf(err, errlen, "neither a 'regtrace' nor a 'nobody' user to drop root to; "
					 "give -Z USER, or -Z root to keep root");
				return -1;
			}
		}
	}
	p->active = true;
	p->chosen = z_user != NULL;
	snprintf(p->user, sizeof p->user, "%s", name);
	p->uid = pw->pw_uid;
	p->gid = pw->pw_gid;
	return 0;
}

int privdrop_now(const struct privdrop *p, char *err, size_t errlen)
{
	if (!p->active)
		return 0;
	/* groups first: after setuid() they can no longer be changed */
	if (initgroups(p->user, p->gid) != 0 && setgroups(1, &p->gid) != 0) {
		snprintf(err, errlen, "-Z %s: setgroups: %s", p->user, strerror(errno));
		return -1;
	}
	if (setgid(p->gid) != 0 || setuid(p->uid) != 0) {
		snprintf(err, errlen, "-Z %s: %s", p->user, strerror(errno));
		return -1;
	}
	if (getuid() != p->uid || geteuid() != p->uid || getgid() != p->gid || getegid() != p->gid ||
	    (p->uid != 0 && setuid(0) == 0)) {
		snprintf(err, errlen, "-Z %s: the drop did not hold", p->user);
		return -1;
	}
	return 0;
}
