#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# html_cli.sh - --html without a browser: exit status, the size policy of a
# large report, and the escaping of the file's bytes.  memgen.py N makes N
# users that each end registered without a WARN finding (its header).
. "$(dirname "$0")/../lib/tap.sh"
plan 12
T=$(tmpdir)
trap 'rm -rf "$T"' EXIT
WP="$RT_SRC/captures/wrong-password.pcap"

"$RT_BIN" -r "$WP" --html "$T/no/such/dir/x.html" > "$T/o" 2> "$T/e"
is "$?" 2 "unwritable FILE: exit 2"
is "$(grep -c 'cannot write' "$T/e")/$(grep -c 'packets' "$T/e")/$(wc -c < "$T/o")" "1/0/0" \
	"unwritable FILE: said before anything is read (no packet count, no report)"

"$RT_BIN" -r "$WP" --html "$T/wp.html" > /dev/null 2>&1
is "$?" 0 "wrong-password: exit 0"
is "$(grep -c 'http:\|https:\|src=' "$T/wp.html")" "$(grep -c 'http://www.w3.org/2000/svg' "$T/wp.html")" \
	"no reference outside the file (only the SVG namespace name)"
is "$(grep -c '<script type="text/plain" id="d1">' "$T/wp.html")/$(grep -c 'id="omitted"' "$T/wp.html")" "1/0" \
	"small report: the ladder embedded, nothing left out"

"$PYTHON3" "$RT_SRC/tests/gen/memgen.py" "$T/many.pcap" 120 > /dev/null
"$RT_BIN" -r "$T/many.pcap" --html "$T/many.html" > /dev/null 2>&1
is "$(grep -c '<script type="text/plain"' "$T/many.html")" 0 "120 AORs without WARN: no ladder embedded"
is "$(grep -o 'This report has [0-9]* registrations. Ladders and raw messages are embedded for [0-9]* of them; [0-9]* without' "$T/many.html")" \
	"This report has 120 registrations. Ladders and raw messages are embedded for 0 of them; 120 without" \
	"the page says what it left out"
is "$(grep -c -- "--aor 'AOR'" "$T/many.html")" 1 "and how to get it"
"$RT_BIN" -r "$T/many.pcap" --html "$T/one.html" --aor 'sip:user7@*' > /dev/null 2>&1
is "$(grep -c '<script type="text/plain"' "$T/one.html")/$(grep -c 'id="omitted"' "$T/one.html")" "1/0" \
	"--aor: that AOR's ladder, nothing left out"

"$PYTHON3" "$RT_SRC/tests/gen/pcapgen.py" html-inject "$T/inj.pcap" > /dev/null
"$RT_BIN" -r "$T/inj.pcap" --html "$T/inj.html" > /dev/null 2>&1
is "$(grep -o '<script[^>]*>' "$T/inj.html" | sed 's/nonce="[0-9a-f]*"/nonce/' | tr '\n' ' ')" \
	'<script type="application/json" id="data"> <script type="text/plain" id="d1"> <script nonce> ' \
	"injection: only the page's three script elements"
is "$(grep -c -e '<img' -e '<b onmouseover' -e "<script>document" -e '</style></svg>' "$T/inj.html")" 0 \
	"injection: no captured markup in the file"
is "$(sed -n '/id="data"/,/<\/script>/p' "$T/inj.html" | grep -c -e '<\/script' -e "$(printf '\342\200\250')")" 1 \
	"injection: the JSON block holds no </script or U+2028 but its own end"
