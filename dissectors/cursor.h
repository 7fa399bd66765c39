/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cursor.h - the one bounds-checked reader every dissector uses.
 *
 * Owns: struct cur and its accessors.  Every byte a dissector reads from a
 * packet goes through these functions (tcpdump's GET_* macros and
 * Wireshark's tvb are the models).  A read past the end never touches
 * memory: it returns 0 / NULL and sets the sticky `bad` flag, so a printer
 * can do a run of reads and check once at the end.
 */
#ifndef RT_CURSOR_H
#define RT_CURSOR_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

struct cur {
	const uint8_t *p;   /* start of the bounded buffer */
	size_t len;         /* bytes in the buffer */
	size_t off;         /* next byte to read */
	bool bad;           /* a read went out of bounds (sticky) */
};

static inline struct cur cur_make(const uint8_t *p, size_t len)
{
	struct cur c = { p, p ? len : 0, 0, false };
	return c;
}

static inline size_t cur_left(const struct cur *c)
{
	return c->off <= c->len ? c->len - c->off : 0;
}

static inline bool cur_has(const struct cur *c, size_t n)
{
	return !c->bad && cur_left(c) >= n;
}

/* Pointer to the next n bytes (and consume them), NULL if not all there. */
static inline const uint8_t *cur_take(struct cur *c, size_t n)
{
	if (!cur_has(c, n)) {
		c->bad = true;
		return NULL;
	}
	if (!c->p)
		return NULL;    /* empty buffer: no pointer arithmetic on NULL */
	const uint8_t *r = c->p + c->off;
	c->off += n;
	return r;
}

/* Pointer to the next n bytes without consuming them. */
static inline const uint8_t *cur_peek(const struct cur *c, size_t n)
{
	return c->p && cur_has(c, n) ? c->p + c->off : NULL;
}

static inline bool cur_skip(struct cur *c, size_t n)
{
	return cur_take(c, n) != NULL;
}

static inline uint8_t cur_u8(struct cur *c)
{
	const uint8_t *b = cur_take(c, 1);
	return b ? b[0] : 0;
}

static inline uint16_t cur_be16(struct cur *c)
{
	const uint8_t *b = cur_take(c, 2);
	return b ? (uint16_t)((b[0] << 8) | b[1]) : 0;
}

static inline uint16_t cur_le16(struct cur *c)
{
	const uint8_t *b = cur_take(c, 2);
	return b ? (uint16_t)((b[1] << 8) | b[0]) : 0;
}

static inline uint32_t cur_be32(struct cur *c)
{
	const uint8_t *b = cur_take(c, 4);
	return b ? ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) |
		   ((uint32_t)b[2] << 8) | b[3] : 0;
}

static inline uint32_t cur_le32(struct cur *c)
{
	const uint8_t *b = cur_take(c, 4);
	return b ? ((uint32_t)b[3] << 24) | ((uint32_t)b[2] << 16) |
		   ((uint32_t)b[1] << 8) | b[0] : 0;
}

static inline uint64_t cur_be64(struct cur *c)
{
	uint64_t hi = cur_be32(c);
	return (hi << 32) | cur_be32(c);
}

/* Peek at a byte at an offset from the current position (no consume). */
static inline int cur_peek_u8(const struct cur *c, size_t at)
{
	return cur_has(c, at + 1) ? c->p[c->off + at] : -1;
}

/* A sub-cursor over the next n bytes (consumed from c); bad if short. */
static inline struct cur cur_sub(struct cur *c, size_t n)
{
	const uint8_t *b = cur_take(c, n);
	struct cur s = cur_make(b, b ? n : 0);
	s.bad = (b == NULL);
	return s;
}

/* The rest of the buffer as a sub-cursor (consumes it). */
static inline struct cur cur_rest(struct cur *c)
{
	return cur_sub(c, cur_left(c));
}

#endif
