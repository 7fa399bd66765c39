/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cred.h - the --credentials FILE store (passwords / HA1 for digest checks).
 *
 * Owns: loading the file, the entries, wiping them on free.
 *
 * File format, one entry a line (blank lines and '#' comments ignored,
 * a trailing CR is dropped):
 *     user:password              password for user, any realm
 *     user@realm:password        password for user in that realm
 *                                (the last '@' before the first ':' splits)
 *     user:realm:HA1=hex         H(user:realm:password); 32 hex (MD5) or
 *                                64 hex (SHA-256 / SHA-512-256)
 * The password is everything after the first ':' (it may hold ':' and
 * spaces); a line whose tail is ":HA1=<hex>" is an HA1 line.
 *
 * The file must not be accessible by group or others (mode & 077 == 0),
 * checked with fstat on the opened descriptor.  Secrets are never printed:
 * errors name the file and the line number, not the line.
 */
#ifndef RT_CRED_H
#define RT_CRED_H

#include <stddef.h>

struct cred_entry {
	char *user;
	char *realm;            /* NULL: any realm */
	char *password;         /* NULL for an HA1 entry */
	char *ha1;              /* lower-case hex, NULL for a password entry */
	unsigned line;          /* line number in the file (1-based) */
};

struct cred_store {
	struct cred_entry *v;
	size_t n, cap;
};

/* Load FILE.  On success returns 0 and *out (free with cred_free).  On
 * error returns -1 and writes a message (no secret) into err. */
int cred_load(const char *path, struct cred_store **out, char *err, size_t errlen);

/* Parse text already in memory (tests; name is used in messages). */
int cred_parse(const char *name, const char *text, size_t len,
	       struct cred_store **out, char *err, size_t errlen);

/* Wipes every secret, then frees.  NULL is fine. */
void cred_free(struct cred_store *s);

/* Entries are kept sorted by user (then file line).  Finds the entries
 * whose user is exactly user[0..len); returns how many, *first the first. */
size_t cred_lookup(const struct cred_store *s, const char *user, size_t len,
		   const struct cred_entry **first);

/* Does entry e apply to the digest username user?  Yes when e->user is
 * user, or when user is "e->user@e->realm" of a password entry (an
 * auth username holding '@'; *any_realm is then set). */
int cred_entry_matches(const struct cred_entry *e, const char *user, int *any_realm);

#endif
