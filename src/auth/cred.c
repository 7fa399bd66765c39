/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cred.c - the --credentials FILE store; see cred.h for the format. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cred.h"

/* A credentials file is small; this only stops a wrong path (a capture,
 * a device) from eating memory. */
#define CRED_MAX_FILE (256u << 20)

static void cred_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* free() after wiping: for buffers that held secrets */
static void wipe_free(char *p, size_t n)
{
	if (p) {
		explicit_bzero(p, n);
		free(p);
	}
}

static void wipe_str(char *s)
{
	if (s)
		wipe_free(s, strlen(s));
}

void cred_free(struct cred_store *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		struct cred_entry *e = &s->v[i];
		wipe_str(e->user);
		wipe_str(e->realm);
		wipe_str(e->password);
		wipe_str(e->ha1);
	}
	wipe_free((char *)s->v, s->cap * sizeof *s->v);
	free(s);
}

static char *dupn(const char *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s) {
		memcpy(s, p, n);
		s[n] = '\0';
	}
	return s;
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* user and realm: printable, no blanks (they are compared with header
 * values, which never hold those) */
static int ident_ok(const char *p, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c <= ' ' || c == 0x7f)
			return 0;
	}
	return 1;
}

/* Finds the last ":HA1=" (HA1 case-insensitive) in p[0..n). */
static const char *find_ha1_tag(const char *p, size_t n)
{
	if (n < 5)
		return NULL;
	for (size_t i = n - 5 + 1; i-- > 0;) {
		if (p[i] == ':' && strncasecmp(p + i + 1, "HA1=", 4) == 0)
			return p + i;
	}
	return NULL;
}

static int store_push(struct cred_store *s, struct cred_entry *e)
{
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 16;
		struct cred_entry *nv = calloc(ncap, sizeof *nv);
		if (!nv)
			return -1;
		/* move by hand so the old array (pointers only, but still) is wiped */
		if (s->n)
			memcpy(nv, s->v, s->n * sizeof *nv);
		wipe_free((char *)s->v, s->cap * sizeof *s->v);
		s->v = nv;
		s->cap = ncap;
	}
	s->v[s->n++] = *e;
	return 0;
}

/* Parse one line (no newline).  Returns NULL on success, else a reason
 * (a constant string that never quotes the line). */
static const char *parse_line(struct cred_store *s, const char *p, size_t n, unsigned lineno)
{
	struct cred_entry e = { .line = lineno };
	const char *colon, *tag;

	if (n && p[n - 1] == '\r')
		n--;
	while (n && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	if (n == 0 || *p == '#')
		return "";      /* blank or comment: nothing to add */
	if (memchr(p, '\0', n))
		return "NUL byte in line";

	colon = memchr(p, ':', n);
	if (!colon)
		return "no ':' (expected user:password, user@realm:password or user:realm:HA1=hex)";
	if (!ident_ok(p, (size_t)(colon - p)))
		return "empty user name or blank / control character in it";

	tag = find_ha1_tag(p, n);
	if (tag) {
		const char *hex = tag + 5, *end = p + n;
		size_t hlen = (size_t)(end - hex);

		if (tag == colon)
			return "HA1 line needs a realm (user:realm:HA1=hex)";
		if (!ident_ok(colon + 1, (size_t)(tag - colon - 1)))
			return "empty realm or blank / control character in it";
		if (hlen != 32 && hlen != 64)
			return "HA1 must be 32 (MD5) or 64 (SHA-256, SHA-512-256) hex digits";
		for (size_t i = 0; i < hlen; i++)
			if (!is_hex(hex[i]))
				return "HA1 holds a character that is not a hex digit";
		e.user = dupn(p, (size_t)(colon - p));
		e.realm = dupn(colon + 1, (size_t)(tag - colon - 1));
		e.ha1 = dupn(hex, hlen);
		if (e.ha1)
			for (char *q = e.ha1; *q; q++)
				if (*q >= 'A' && *q <= 'F')
					*q = (char)(*q - 'A' + 'a');
	} else {
		const char *at = NULL, *pw = colon + 1;
		size_t pwlen = (size_t)(p + n - pw);

		for (const char *q = p; q < colon; q++)
			if (*q == '@')
				at = q;
		if (pwlen == 0)
			return "empty password";
		if (at) {
			if (at == p || at + 1 == colon)
				return "empty user or realm around '@'";
			e.user = dupn(p, (size_t)(at - p));
			e.realm = dupn(at + 1, (size_t)(colon - at - 1));
		} else {
			e.user = dupn(p, (size_t)(colon - p));
		}
		e.password = dupn(pw, pwlen);
	}
	/* an entry always has a user and one secret; a realm was asked for
	 * when the line had one (HA1 line or '@') */
	if (!e.user || (!e.password && !e.ha1) ||
	    (!e.realm && (tag || memchr(p, '@', (size_t)(colon - p)))) ||
	    store_push(s, &e) < 0) {
		wipe_str(e.user);
		wipe_str(e.realm);
		wipe_str(e.password);
		wipe_str(e.ha1);
		return "out of memory";
	}
	return NULL;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct cred_entry *x = a, *y = b;
	int c = strcmp(x->user, y->user);

	if (c)
		return c;
	return (x->line > y->line) - (x->line < y->line);
}

/* strcmp of e->user against the counted string user[0..len) */
static int user_cmp(const char *eu, const char *user, size_t len)
{
	int c = strncmp(eu, user, len);

	if (c)
		return c;
	return eu[len] != '\0';   /* eu longer than user: eu sorts after */
}

size_t cred_lookup(const struct cred_store *s, const char *user, size_t len,
		   const struct cred_entry **first)
{
	size_t lo = 0, hi, end;

	*first = NULL;
	if (!s || !user || memchr(user, '\0', len))
		return 0;
	hi = s->n;
	while (lo < hi) {               /* lower bound */
		size_t mid = lo + (hi - lo) / 2;
		if (user_cmp(s->v[mid].user, user, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < s->n && user_cmp(s->v[end].user, user, len) == 0; end++)
		;
	if (end == lo)
		return 0;
	*first = &s->v[lo];
	return end - lo;
}

int cred_parse(const char *name, const char *text, size_t len,
	       struct cred_store **out, char *err, size_t errlen)
{
	struct cred_store *s = calloc(1, sizeof *s);
	unsigned lineno = 0;
	size_t off = 0;

	*out = NULL;
	if (!s) {
		cred_err(err, errlen, "%s: out of memory", name);
		return -1;
	}
	while (off < len) {
		const char *p = text + off, *nl = memchr(p, '\n', len - off);
		size_t n = nl ? (size_t)(nl - p) : len - off;
		const char *why;

		lineno++;
		why = parse_line(s, p, n, lineno);
		if (why && *why) {
			cred_err(err, errlen, "%s:%u: malformed credentials line: %s", name, lineno, why);
			cred_free(s);
			return -1;
		}
		off += n + (nl ? 1 : 0);
	}
	if (s->n > 1)
		qsort(s->v, s->n, sizeof *s->v, entry_cmp);
	*out = s;
	return 0;
}

int cred_load(const char *path, struct cred_store **out, char *err, size_t errlen)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0, cap;
	int fd, rc;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		cred_err(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* fstat the descriptor we read, not the path (no race with a swap) */
	if (fstat(fd, &st) < 0) {
		cred_err(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		cred_err(err, errlen, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	if (st.st_mode & 077) {
		cred_err(err, errlen, "%s: refused: the credentials file is readable or writable "
			 "by group or others (mode %04o); run chmod 600 on it",
			 path, (unsigned)(st.st_mode & 07777));
		close(fd);
		return -1;
	}
	if ((unsigned long long)st.st_size > CRED_MAX_FILE) {
		cred_err(err, errlen, "%s: too large for a credentials file", path);
		close(fd);
		return -1;
	}
	cap = (size_t)st.st_size + 1;
	buf = malloc(cap);
	if (!buf) {
		cred_err(err, errlen, "%s: out of memory", path);
		close(fd);
		return -1;
	}
	for (;;) {
		ssize_t r;

		if (len == cap) {       /* the file grew while we read it */
			if (cap > CRED_MAX_FILE) {
				cred_err(err, errlen, "%s: too large for a credentials file", path);
				wipe_free(buf, cap);
				close(fd);
				return -1;
			}
			char *nb = malloc(cap * 2);
			if (!nb) {
				cred_err(err, errlen, "%s: out of memory", path);
				wipe_free(buf, cap);
				close(fd);
				return -1;
			}
			memcpy(nb, buf, len);
			wipe_free(buf, cap);
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			cred_err(err, errlen, "%s: %s", path, strerror(errno));
			wipe_free(buf, cap);
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	rc = cred_parse(path, buf, len, out, err, errlen);
	wipe_free(buf, cap);
	return rc;
}

int cred_entry_matches(const struct cred_entry *e, const char *user, int *any_realm)
{
	size_t ul, rl;

	if (any_realm)
		*any_realm = 0;
	if (!e || !user || !e->user)
		return 0;
	if (strcmp(e->user, user) == 0)
		return 1;
	if (!e->password || !e->realm)
		return 0;
	ul = strlen(e->user);
	rl = strlen(e->realm);
	if (strlen(user) == ul + 1 + rl && strncmp(user, e->user, ul) == 0 &&
	    user[ul] == '@' && strcmp(user + ul + 1, e->realm) == 0) {
		if (any_realm)
			*any_realm = 1;
		return 1;
	}
	return 0;
}
