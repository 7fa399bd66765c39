#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# select.sh - --aor, --state, --finding: one selection for every output.
# Three generated captures read together (tests/gen/pcapgen.py, counts from
# its --list): alice reg-ok (4 messages, registered, no finding), bob
# reg-404 (2 messages, failed, REG-404), carol reg-badpw-loop (8 messages,
# failed, REG-AUTH-LOOP and REG-403).  Each user has its own Call-ID.
. "$(dirname "$0")/../lib/tap.sh"
plan 24
T=$(tmpdir)
trap 'rm -rf "$T"' EXIT
G="$PYTHON3 $RT_SRC/tests/gen/pcapgen.py"
$G reg-ok "$T/a.pcap" > /dev/null
$G --user bob reg-404 "$T/b.pcap" > /dev/null
$G --user carol --wrong-password nope reg-badpw-loop "$T/c.pcap" > /dev/null
rt() { "$RT_BIN" -r "$T/a.pcap" -r "$T/b.pcap" -r "$T/c.pcap" "$@"; }
rows() { rt --report "$@" 2>/dev/null | sed '/^$/,$d' | awk 'NR > 1 { print $1 }' | tr '\n' ' '; }

is "$(rows)" "sip:alice@example.com sip:bob@example.com sip:carol@example.com " "no selection: all three"
is "$(rows --aor 'sip:bob@*')" "sip:bob@example.com " "--aor glob"
is "$(rows --aor 'sip:bob@*' --aor 'sip:alice@example.com')" "sip:alice@example.com sip:bob@example.com " \
	"--aor repeated: either"
is "$(rows --state registered)" "sip:alice@example.com " "--state registered"
is "$(rows --state failed)" "sip:bob@example.com sip:carol@example.com " "--state failed"
is "$(rows --finding 'REG-AUTH-*')" "sip:carol@example.com " "--finding glob"
is "$(rows --finding reg-404)" "sip:bob@example.com " "--finding is case-insensitive"
is "$(rows --aor 'sip:*' --state failed --finding REG-403)" "sip:carol@example.com " "options combine: and"
is "$(rt --report --aor 'sip:bob@*' 2>/dev/null | grep -c '^1 AORs: 0 registered, 1 failed')" 1 \
	"report totals count the selection"
is "$(rt --report --aor 'sip:bob@*' 2>/dev/null | grep -c 'REG-AUTH-LOOP')" 0 "report: other AORs' findings left out"

rt --json --aor 'sip:bob@*' > "$T/j" 2>/dev/null
is "$("$PYTHON3" -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(len(d["messages"]), [r["aor"] for r in d["registrations"]], len(d["dialogs"]),
      [f["rule"] for f in d["findings"]], sorted({m["call_id"] for m in d["messages"]}) == [d["dialogs"][0]["call_id"]])
' "$T/j")" "2 ['sip:bob@example.com'] 1 ['REG-404'] True" \
	"--json: bob's 2 messages, his registration, his dialog, his finding"
rt --jsonl --aor 'sip:bob@*' > "$T/l" 2>/dev/null
for t in message:2 transaction:1 attempt:1 registration:1 finding:1 summary:1; do
	is "$(grep -c "^{\"type\":\"${t%:*}\"" "$T/l")" "${t#*:}" "--jsonl: ${t#*:} ${t%:*} line(s)"
done
is "$(rt --messages --state registered 2>/dev/null | wc -l)" 4 "--messages: alice's 4 messages"
is "$(rt --messages --state registered 2>/dev/null | cut -f1 | sort -u)" "$T/a.pcap" \
	"--messages: only from a.pcap"
rt --ladder --finding REG-404 > "$T/lad" 2>/dev/null
is "$(grep -q 'bob@example.com' "$T/lad" && echo bob):$(grep -c -e alice -e carol "$T/lad")" "bob:0" \
	"--ladder: bob's ladder only"

# no match: exit 0, nothing on stdout, one line saying so
rt --report --aor 'sip:nobody*' > "$T/o" 2> "$T/e"
is "$?/$(wc -c < "$T/o")" "0/0" "no match: exit 0, empty report"
is "$(grep -c "^regtrace: no registration matches --aor 'sip:nobody\*'$" "$T/e")" 1 "no match: said once on stderr"
rt --ladder --state expired > "$T/o" 2>/dev/null
is "$?/$(wc -c < "$T/o")" "0/0" "no match: empty ladder"
rt --state bogus > /dev/null 2>&1
is "$?" 2 "--state bogus: usage error"
