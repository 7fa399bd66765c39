/* SPDX-License-Identifier: GPL-2.0-or-later */
/* version.c - regtrace -V: its version and its libraries' (version.h). */
#include "config.h"

#include <string.h>

#include <jansson.h>
#include <nettle/version.h>
#include <pcap/pcap.h>
#include <zlib.h>

#include "tui.h"
#include "version.h"

void rt_version_print(FILE *f)
{
	/* "libpcap version 1.10.3 (with TPACKET_V3)": keep what follows "version " */
	const char *pcap = pcap_lib_version();
	const char *v = strstr(pcap, "version ");
	fprintf(f, "regtrace %s\n", PACKAGE_VERSION);
	fprintf(f, "libpcap %s\n", v ? v + 8 : pcap);
	fprintf(f, "libosip2 %s (built with; the library cannot report its own)\n", RT_OSIP_VERSION);
	fprintf(f, "%s\n", tui_curses_version());
	fprintf(f, "jansson %s\n", jansson_version_str());
	fprintf(f, "nettle %d.%d\n", nettle_version_major(), nettle_version_minor());
	fprintf(f, "zlib %s\n", zlibVersion());
}
