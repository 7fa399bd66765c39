#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# report_words.sh - the report's findings in words, the cause in WHY, -v,
# escaping, and no table when nothing was read.  Expected values from the
# capture (captures/README.md and tshark, by hand): wrong-password.pcap is
# frames 1-8, REGISTER CSeq 1-4 on odd frames, 401 on frames 2, 4, 6 and
# "403 Forbidden - Bad Credentials" on frame 8; digests (frames 3, 5, 7)
# made with not-alicepw, alice's password is alicepw.
. "$(dirname "$0")/../lib/tap.sh"
plan 22
T=$(tmpdir)
trap 'rm -rf "$T"' EXIT
WP="$RT_SRC/captures/wrong-password.pcap"
printf 'alice@lab.local:alicepw\n' > "$T/creds"
chmod 600 "$T/creds"
why() { sed '/^$/,$d' "$1" | awk -v a="$2" '$1 == a { print $NF }'; }
# the lines of one AOR's block in the findings section
block() { awk -v a="$2" 'f && /^$/ { exit } f { print } $0 == a { f = 1 }' "$1"; }

"$RT_BIN" -r "$WP" > "$T/r" 2>/dev/null
is "$(why "$T/r" sip:alice@lab.local)" "AUTH-LOOP" "WHY without the password: the loop"
is "$(grep -c '^Findings: 2 shown, 1 INFO not shown (-v lists them)$' "$T/r")" 1 \
	"findings header: 2 shown (CRIT), the INFO counted"
block "$T/r" "sip:alice@lab.local (failed)" > "$T/b"
is "$(sed -n 1p "$T/b" | cut -c1-118)" \
	"  CRIT REG-AUTH-LOOP (cause): The server rejected the credentials of user 'alice' (realm 'lab.local') 2 times in a row" \
	"the cause leads: severity, rule, message (frames 4 and 6 are the 2 rejections)"
is "$(sed -n 1p "$T/b" | grep -c 'it ended with 403 Forbidden - Bad Credentials\.$')" 1 \
	"the message is one unwrapped line ending with frame 8's reason phrase"
is "$(sed -n 2p "$T/b" | cut -c1-30)" "       fix: Check the password" "the fix below it"
is "$(sed -n 3p "$T/b")" "       frames 1-8" "the loop's evidence: every frame of the flow"
is "$(sed -n 4p "$T/b" | cut -c1-50)" "  CRIT REG-403: The registrar refused sip:alice@la" "then the 403"
is "$(sed -n 6p "$T/b")" "       frames 7, 8" "the 403's evidence: CSeq 4 and its answer"
is "$(grep -c REG-CAPTURE-POINT "$T/r")" 0 "INFO not listed without -v"

"$RT_BIN" -r "$WP" -v > "$T/v" 2>/dev/null
is "$(grep -c '^Findings: 3 shown$' "$T/v")" 1 "-v: 3 shown, nothing left out"
is "$(block "$T/v" capture-wide | grep -c '^  INFO REG-CAPTURE-POINT: ')" 1 \
	"-v: the capture-wide INFO finding under capture-wide"

"$RT_BIN" -r "$WP" --credentials "$T/creds" > "$T/c" 2>/dev/null
is "$(why "$T/c" sip:alice@lab.local)" "AUTH-BADPW" "WHY with the password: the verified wrong password"
block "$T/c" "sip:alice@lab.local (failed)" | grep '^  [A-Z]' | cut -d: -f1 > "$T/order"
is "$(tr '\n' '|' < "$T/order")" \
	"  CRIT REG-AUTH-BADPW (cause)|  CRIT REG-AUTH-LOOP|  CRIT REG-403|" \
	"cause first, then the loop it explains, then the 403"
is "$(block "$T/c" "sip:alice@lab.local (failed)" | sed -n 3p)" "       frames 3, 5, 7" \
	"BADPW's evidence: the three REGISTERs with a digest"

# captured control bytes stay escaped in the findings (a reason phrase with ESC)
"$PYTHON3" - "$T/esc.pcap" <<'EOF'
import sys
sys.path.insert(0, __import__('os').environ['RT_SRC'] + '/tests/gen')
from pcapgen import Options, emit_udp, _reg_cap, _ua, _registrar
o = Options()
cap, ep = _reg_cap(o)
ua, rg = _ua(o), _registrar(o)
r = ua.register(3600)
emit_udp(cap, ep, [(0.0, True, r), (0.02, False, rg.reply(r, 403, 'Forbidden \x1b[2J\x07 x'))]).write(sys.argv[1])
EOF
"$RT_BIN" -r "$T/esc.pcap" > "$T/e" 2>/dev/null
is "$(LC_ALL=C tr -d '\n\040-\176\200-\377' < "$T/e" | wc -c)" 0 "no control byte reaches the report"
is "$(grep -c 'Forbidden \\x1b\[2J\\x07 x' "$T/e")" 1 "the reason phrase shown escaped, on its line"

# nothing read: the error on stderr, exit 2, nothing on stdout
"$RT_BIN" -r "$T/missing.pcap" > "$T/o" 2> "$T/err"
is "$?/$(wc -c < "$T/o")" "2/0" "missing file: exit 2, no table"
is "$(grep -c 'missing.pcap: cannot read' "$T/err")" 1 "missing file: the error is said"
"$RT_BIN" -r "$WP" 'port or' > "$T/o" 2> "$T/err"
is "$?/$(wc -c < "$T/o")" "2/0" "bad BPF filter: exit 2, no table"
is "$(grep -c 'bad filter' "$T/err")" 1 "bad BPF filter: the error is said"
"$RT_BIN" -i rt-nosuch0 --report > "$T/o" 2>/dev/null
is "$?/$(wc -c < "$T/o")" "2/0" "no such interface: exit 2, no table"
"$RT_BIN" --json -r "$T/missing.pcap" > "$T/o" 2>/dev/null
is "$?/$(wc -c < "$T/o")" "2/0" "--json, missing file: exit 2, no half document"
