#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# version.sh - regtrace -V: its own version (AC_INIT in configure.ac) and
# each library's, against what pkg-config says of the installed library
# (Debian builds the -dev package and the shared library from one source,
# so the .pc version is the version of the .so regtrace loads).
. "$(dirname "$0")/../lib/tap.sh"
[ -x "$RT_BIN" ] || skip_all "regtrace not built"
command -v pkg-config > /dev/null 2>&1 || skip_all "pkg-config missing"
tmp=$(tmpdir)
trap 'rm -rf "$tmp"' EXIT
plan 9

"$RT_BIN" -V > "$tmp/out" 2> "$tmp/err"
ok $? "-V exits 0"
want=$(sed -n 's/^AC_INIT(\[regtrace\], \[\([^]]*\)\].*/\1/p' "$RT_SRC/configure.ac")
is "$(sed -n 1p "$tmp/out")" "regtrace $want" "first line: regtrace and the version in configure.ac"

# line NAME: the rest of the line that starts with "NAME "
line() { sed -n "s/^$1 //p" "$tmp/out"; }
pc() { pkg-config --modversion "$1"; }

# libpcap: "1.10.3 (with TPACKET_V3)": the number first
is "$(line libpcap | cut -d' ' -f1)" "$(pc libpcap)" "libpcap runtime version"
is "$(line libosip2)" "$(pc libosip2) (built with; the library cannot report its own)" \
	"libosip2: the build-time version, said to be one"
is "$(line ncurses)" "$(pc ncursesw)" "ncurses runtime version"
is "$(line jansson)" "$(pc jansson)" "jansson runtime version"
# nettle reports major.minor only
is "$(line nettle)" "$(pc nettle | cut -d. -f1-2)" "nettle runtime version (major.minor)"
is "$(line zlib)" "$(pc zlib)" "zlib runtime version"
is "$(wc -l < "$tmp/out" | tr -d ' ')" 7 "seven lines: regtrace and six libraries"
