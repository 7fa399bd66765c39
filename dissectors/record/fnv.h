/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fnv.h - the one hash of the tree: FNV-1a (Fowler/Noll/Vo), 32 and 64 bit.
 *
 * Owns: rt_fnv32() and rt_fnv64() over bytes, continuing from h (start with
 * RT_FNV32_INIT / RT_FNV64_INIT, the offset bases).  Used by the stream and
 * fragment tables, the model's maps, the rules' grouping and the JSON
 * writer's key counts.  Keys are captured text, so attacker-chosen: every
 * table that uses it grows, so the worst case is long probe chains, never
 * unbounded memory.
 */
#ifndef RT_FNV_H
#define RT_FNV_H

#include <stddef.h>
#include <stdint.h>

#define RT_FNV32_INIT 2166136261u
#define RT_FNV32_PRIME 16777619u
#define RT_FNV64_INIT 1469598103934665603ULL
#define RT_FNV64_PRIME 1099511628211ULL

static inline uint32_t rt_fnv32(uint32_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= RT_FNV32_PRIME;
	}
	return h;
}

static inline uint64_t rt_fnv64(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= RT_FNV64_PRIME;
	}
	return h;
}

#endif
