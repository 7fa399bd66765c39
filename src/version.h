/* SPDX-License-Identifier: GPL-2.0-or-later */
/* version.h - what -V prints.
 *
 * Owns: the version text: regtrace's own version, then one line per
 * library with the version of the copy it runs with where the library can
 * tell (libpcap, ncurses, Jansson, nettle, zlib), and for libosip2, which
 * has no such call, the version it was built with (said so on the line).
 */
#ifndef RT_VERSION_H
#define RT_VERSION_H

#include <stdio.h>

void rt_version_print(FILE *f);

#endif
