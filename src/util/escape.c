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

void rt_fputs_html_n(const char *s, size_t n, bool lines, FILE *f)
{
	if (!s) {
		fputc('-', f);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			if (lines && c == '\r' && i + 1 < n && s[i + 1] == '\n')
				break;
			if (lines && c == '\n')
				fputc('\n', f);
			else if (needs_escape(c))
				fprintf(f, "\\x%02x", c);
			else
				fputc(c, f);
		}
	}
}

void rt_fputs_html(const char *s, FILE *f)
{
	rt_fputs_html_n(s, s ? strlen(s) : 0, false, f);
}

/* length of a valid UTF-8 sequence at s (RFC 3629), 0 when invalid */
static size_t u8len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	size_t n = s[0] > 0xf4 ? 0 : s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
	if (!n)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((n == 3 && s[0] == 0xe0 && s[1] < 0xa0) || (n == 3 && s[0] == 0xed && s[1] >= 0xa0) ||
	    (n == 4 && s[0] == 0xf0 && s[1] < 0x90) || (n == 4 && s[0] == 0xf4 && s[1] >= 0x90))
		return 0;   /* overlong, surrogate, beyond U+10FFFF */
	return n;
}

void rt_fputs_js(const char *s, FILE *f)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned char c = *p;
		size_t n = u8len(p);
		if (!n) {
			fputs("\\ufffd", f);
			p++;
			continue;
		}
		if (n == 3 && c == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) {
			fprintf(f, "\\u%04x", p[2] == 0xa8 ? 0x2028 : 0x2029);
		} else if (n > 1) {
			fwrite(p, 1, n, f);
		} else if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
		} else if (c < 0x20 || c == 0x7f || c == '<' || c == '>' || c == '&') {
			fprintf(f, "\\u%04x", c);
		} else {
			fputc(c, f);
		}
		p += n;
	}
	fputc('"', f);
}
