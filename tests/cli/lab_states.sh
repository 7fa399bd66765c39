#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# lab_states.sh - per-AOR registration state, last final code and attempts on
# the shared lab captures (Kamailio + SIPp, ../shared/captures/lab).
# Expected values come from each capture's .txt (scenario, checks and the
# tshark message list), worked out by hand below; capture 13's AOR list and
# count come from tshark (when installed) and from its .txt ("1000 users get
# 200"), never from regtrace.
. "$(dirname "$0")/../lib/tap.sh"
LAB="$RT_SHARED/captures/lab"
[ -d "$LAB" ] || skip_all "lab captures not found at $LAB (set RT_SHARED)"
T=$(tmpdir)
trap 'rm -rf "$T"' EXIT

# file | AOR | state | last final code | attempts (REGISTER -> 401 -> REGISTER -> final = 1)
cat > "$T/want" <<'W'
01_register_auth_udp|sip:alice@lab.local|registered|200|1
02_register_auth_tcp|sip:bob@lab.local|registered|200|1
03_wrong_password|sip:alice@lab.local|failed|403|1
04_unknown_user|sip:mallory@lab.local|failed|404|1
04_unknown_user|sip:trudy@lab.local|failed|404|1
04_unknown_user|sip:oscar@lab.local|failed|404|1
05_interval_too_brief|sip:erin@lab.local|registered|200|2
06_refresh|sip:carol@lab.local|registered|200|3
07_deregister|sip:dave@lab.local|unregistered|200|4
08_no_answer_registrar_down|sip:alice@lab.local|timeout|-|1
09_no_answer_blackhole|sip:alice@lab.local|timeout|-|1
11_proxy_auth_register|sip:alice@lab.local|registered|200|1
14_register_auth_ipv6|sip:alice@lab.local|registered|200|1
W
# AORs per file (12 is an INVITE with 407: no registration at all)
cat > "$T/count" <<'W'
01_register_auth_udp 1
02_register_auth_tcp 1
03_wrong_password 1
04_unknown_user 3
05_interval_too_brief 1
06_refresh 1
07_deregister 1
08_no_answer_registrar_down 1
09_no_answer_blackhole 1
11_proxy_auth_register 1
12_proxy_auth_invite 0
14_register_auth_ipv6 1
W

# one line per AOR: aor state last_status attempts
states() {
	"$RT_BIN" --json -r "$LAB/$1.pcap" 2>/dev/null | "$PYTHON3" -c '
import json, sys
d = json.load(sys.stdin)
for r in d["registrations"]:
    s = r["summary"]
    print(r["aor"], r["state"], s["last_status"] if s["last_status"] is not None else "-", s["attempts"])
'
}

# capture 13: the AORs that got a 200 to REGISTER, from tshark; else the
# naming the .txt shows (u000001 ... one per user), numbered up to its count
n13=$(sed -n 's/.*users get 200 (got \([0-9]*\)).*/\1/p' "$LAB/13_concurrent_1000_users.txt")
if [ -n "$TSHARK" ] && [ -x "$TSHARK" ]; then
	"$TSHARK" -r "$LAB/13_concurrent_1000_users.pcap" \
		-Y 'sip.Status-Code == 200 && sip.CSeq.method == "REGISTER"' \
		-T fields -e sip.to.addr 2>/dev/null | sort -u > "$T/aors13"
else
	i=1; while [ "$i" -le "${n13:-0}" ]; do printf 'sip:u%06d@lab.local\n' "$i"; i=$((i + 1)); done > "$T/aors13"
fi
n=$(wc -l < "$T/want"); c=$(wc -l < "$T/count"); a13=$(wc -l < "$T/aors13")
plan $((n + c + 2 + a13))

for f in $(cut -d' ' -f1 "$T/count"); do states "$f" > "$T/$f.got"; done
while IFS='|' read -r f aor st code att; do
	got=$(awk -v a="$aor" '$1 == a { print $2 "|" $3 "|" $4 }' "$T/$f.got")
	is "$got" "$st|$code|$att" "$f: $aor is $st (last $code, $att attempts)"
done < "$T/want"
while read -r f k; do
	is "$(wc -l < "$T/$f.got" | tr -d ' ')" "$k" "$f: $k AOR(s)"
done < "$T/count"

states 13_concurrent_1000_users > "$T/13.got"
is "$(wc -l < "$T/13.got" | tr -d ' ')" "$n13" "13: $n13 AORs (count from the .txt)"
is "$(wc -l < "$T/aors13" | tr -d ' ')" "$n13" "13: tshark/.txt list $n13 AORs answered 200"
awk '$2 == "registered" { print $1 }' "$T/13.got" | sort > "$T/reg13"
while read -r aor; do
	if grep -qxF "$aor" "$T/reg13"; then pass "13: $aor registered"; else fail "13: $aor registered"; fi
done < "$T/aors13"
