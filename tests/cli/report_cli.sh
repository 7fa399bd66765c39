#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# report_cli.sh - the text report and --fail-on on the shared lab captures.
# Expected values come from the captures' .txt (scenario and tshark list),
# by hand: 04 = three unknown users answered 404; 03 = wrong password ending
# in 403; 01 = registered after a 401.  Exit statuses in main.c's order.
. "$(dirname "$0")/../lib/tap.sh"
LAB="$RT_SHARED/captures/lab"
REAL="$RT_SHARED/captures/real"
[ -d "$LAB" ] || skip_all "lab captures not found at $LAB (set RT_SHARED)"
T=$(tmpdir)
trap 'rm -rf "$T"' EXIT
caps=$(ls "$LAB"/*.pcap "$REAL"/*.pcap "$REAL"/*.pcapng 2>/dev/null)
ncaps=$(echo "$caps" | wc -l)
plan $((ncaps + 12))

# every report's table fits 100 columns (the findings after it are whole
# lines, to be pasted) and no line carries a control character
table() { sed '/^Findings: /,$d' "$@"; }
for f in $caps; do
	"$RT_BIN" --report -r "$f" > "$T/r" 2>/dev/null
	long=$(table "$T/r" | awk 'length($0) > 100' | wc -l)
	ctl=$(tr -d '\n' < "$T/r" | LC_ALL=C tr -d '\040-\176\200-\377' | wc -c)
	is "$long/$ctl" "0/0" "$(basename "$f"): report within 100 columns, no control bytes"
done

"$RT_BIN" --report -r "$LAB/04_unknown_user.pcap" > "$T/r04" 2>/dev/null
for u in mallory trudy oscar; do
	got=$(table "$T/r04" | awk -v a="sip:$u@lab.local" '$1 == a { print $2, $3, $4 }')
	is "$got" "failed 404 1" "04: $u failed, last code 404, 1 attempt"
done
is "$(grep -c '^3 AORs: 0 registered, 3 failed' "$T/r04")" 1 "04: totals line counts 3 failed AORs"
"$RT_BIN" --report -r "$LAB/01_register_auth_udp.pcap" > "$T/r01" 2>/dev/null
is "$(table "$T/r01" | awk '$1 == "sip:alice@lab.local" { print $2, $3, $4, $6, $7 }')" \
	"registered 200 1 3600 127.0.0.1:5061" "01: alice registered, 200, 1 attempt, 3600 s, contact"
# report is the default when stdout is not a terminal
"$RT_BIN" -r "$LAB/01_register_auth_udp.pcap" > "$T/d01" 2>/dev/null
cmp -s "$T/r01" "$T/d01"; ok $? "report is the default output into a pipe/file"

"$RT_BIN" -r "$LAB/03_wrong_password.pcap" --fail-on=failed > /dev/null 2>&1
is "$?" 1 "--fail-on=failed: 03 (403) exits 1"
"$RT_BIN" -r "$LAB/08_no_answer_registrar_down.pcap" --fail-on=failed > /dev/null 2>&1
is "$?" 1 "--fail-on=failed: 08 (timeout) exits 1"
"$RT_BIN" -r "$LAB/01_register_auth_udp.pcap" --fail-on=failed > /dev/null 2>&1
is "$?" 0 "--fail-on=failed: 01 (registered) exits 0"
"$RT_BIN" -r "$LAB/03_wrong_password.pcap" --fail-on=expired > /dev/null 2>&1
is "$?" 0 "--fail-on=expired: 03 has no expired AOR, exits 0"
"$RT_BIN" -r "$LAB/03_wrong_password.pcap" --fail-on=bogus > /dev/null 2>&1
is "$?" 2 "--fail-on=bogus is a usage error (2)"
"$RT_BIN" -r "$T/missing.pcap" --fail-on=failed > /dev/null 2>&1
is "$?" 2 "unreadable input wins over --fail-on (2)"
