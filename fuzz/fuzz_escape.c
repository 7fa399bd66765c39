/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_escape.c - the escapers of captured text (src/util/escape.c) on any
 * bytes, with the properties the outputs rely on checked: the terminal
 * form has no control byte, the HTML form no markup character, the
 * <script> JSON form no < > & or raw control byte and is valid UTF-8. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

static void check_js(const unsigned char *s, size_t n)
{
	if (n < 2 || s[0] != '"' || s[n - 1] != '"')
		abort();
	for (size_t i = 1; i + 1 < n;) {
		unsigned char c = s[i];
		if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x7f)
			abort();
		size_t k = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
		if (!k || i + k > n - 1)
			abort();
		for (size_t q = 1; q < k; q++)
			if ((s[i + q] & 0xc0) != 0x80)
				abort();
		if (k == 3 && c == 0xe2 && s[i + 1] == 0x80 && (s[i + 2] == 0xa8 || s[i + 2] == 0xa9))
			abort();   /* U+2028/2029 must be escaped */
		i += k;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	char *out = NULL;
	size_t outn = 0;
	FILE *f = open_memstream(&out, &outn);
	rt_fputs_js(s, f);
	fclose(f);
	check_js((const unsigned char *)out, outn);
	free(out);
	f = open_memstream(&out, &outn);
	rt_fputs_html_n(s, size, (size & 1) != 0, f);   /* every byte, NULs included */
	fclose(f);
	for (size_t i = 0; i < outn; i++)
		if (out[i] == '<' || out[i] == '>' || out[i] == '"' || out[i] == '\'' ||
		    ((unsigned char)out[i] < 0x20 && out[i] != '\n'))
			abort();
	free(out);
	f = open_memstream(&out, &outn);
	rt_fputs_escaped(s, f);
	fclose(f);
	for (size_t i = 0; i < outn; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			abort();
	free(out);
	char buf[64];
	rt_escape(s, buf, sizeof buf);
	if (strlen(buf) >= sizeof buf)
		abort();
	free(s);
	return 0;
}
