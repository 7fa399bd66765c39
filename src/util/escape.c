/* SPDX-License-Identifier: GPL-2.0-or-later */
/* escape.c - see escape.h. */
#include "escape.h"

#include <string.h>

static int needs_escape(unsigned char c)
{
	/* C0 controls, DEL, and the C1 range's single-byte form; UTF-8
	 * continuation bytes pass (a lone 0x9b is CSI on some terminals,
	 * but in UTF-8 it only appears inside a sequence) */
	return c < 0x20 || c == 0x7f;
}

char *rt_escape(const char *s, char *buf, size_t n)
{
	if (n == 0)
		return buf;
	if (!s)
		s = "-";
	size_t o = 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		size_t need = needs_escape(c) ? 4 : 1;
		if (o + need + 1 > n) {
			if (n >= 4) {
				o = o > n - 4 ? n - 4 : o;
				memcpy(buf + o, "...", 3);
				o += 3;
			}
			break;
		}
		if (need == 4) {
			static const char hex[] = "0123456789abcdef";
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15];
		} else {
			buf[o++] = (char)c;
		}
	}
	buf[o] = '\0';
	return buf;
}

void rt_fputs_escaped(const char *s, FILE *f)
{
	if (!s) {
		fputc('-', f);
		return;
	}
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (needs_escape(c))
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}
