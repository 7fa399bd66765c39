#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# phones.sh - captures of real phones (tests/gen/record_phones.sh: baresip 1.0
# and linphonec 5.1 against the lab's Kamailio, in a network namespace):
# healthy registrations with 60 s and 3600 s grants carry no WARN or worse;
# a REGISTER into a closed UDP port names the ICMP port unreachables; a TCP
# connection refused names the RST.  Expected values come from tshark.
. "$(dirname "$0")/../lib/tap.sh"
[ -n "$TSHARK" ] || skip_all "tshark not installed"
C=$RT_SRC/captures
[ -f "$C/phones-udp-60.pcap" ] || skip_all "no captures/phones-udp-60.pcap"
plan 11
tmp=$(tmpdir)
trap 'rm -rf "$tmp"' EXIT
ts() { "$TSHARK" -r "$1" -Y "$2" -T fields -e "$3" 2>/dev/null; }
json() { "$RT_BIN" -r "$1" --json="$tmp/out.json" > /dev/null 2>&1; }
# messages of rule $2's findings on capture $1
msg_of() {
	json "$1"
	"$PYTHON3" -c 'import json, sys
print([x["message"] for x in json.load(open(sys.argv[1]))["findings"] if x["rule"] == sys.argv[2]])' \
		"$tmp/out.json" "$2"
}

# ---- healthy: per AOR, tshark's 200s and the refresh after each
f=$C/phones-udp-60.pcap
"$TSHARK" -r "$f" -Y 'sip.CSeq.method == "REGISTER" && !icmp' -T fields \
	-e frame.time_relative -e sip.Status-Code -e sip.to.user -e sip.Contact -e sip.User-Agent \
	2>/dev/null > "$tmp/ts"
# what tshark says: every AOR's REGISTERs, 200s, its grant and the margin the
# refreshes leave (time from a 200 to the next REGISTER of the AOR, against the grant)
"$PYTHON3" - "$tmp/ts" > "$tmp/facts" <<'PY'
import re, sys
rows = [l.rstrip('\n').split('\t', 4) for l in open(sys.argv[1])]
aors = {}
for t, code, user, contact, ua in rows:
    a = aors.setdefault(user, {'reg': [], 'ok': [], 'ua': set()})
    if code == '200':
        m = re.search(r'expires=(\d+)', contact)
        a['ok'].append((float(t), int(m.group(1)) if m else None))
    elif not code:
        a['reg'].append(float(t))
        a['ua'].add(re.split(r'[ /]', ua)[0] if ua else '?')
for user in sorted(aors):
    a = aors[user]
    margins = []
    for t, g in a['ok']:
        nxt = [r for r in a['reg'] if r > t]
        if nxt:
            margins.append(t + g - nxt[0])
    print(user, '/'.join(sorted(a['ua'])), len(a['reg']), len(a['ok']),
          sorted(set(g for _, g in a['ok'])), '%.1f' % min(margins) if margins else '-')
PY
diag "tshark: user UA REGISTERs 200s grants smallest-margin" "$(cat "$tmp/facts")"
is "$(awk '{print $1":"$2":"$5}' "$tmp/facts" | tr '\n' ' ')" \
	"alice:baresip:[60] bob:Linphonec:[60] carol:baresip:[3600] dave:Linphonec:[3600] " \
	"tshark: baresip and linphonec, 60 s and 3600 s grants"
# 60 s grants refreshed at 90 %: the margin is ~6 s (> 3.5 s of UDP copies)
is "$(awk '$5 == "[60]" { print ($6 >= 5.0 && $6 <= 7.0) }' "$tmp/facts" | tr -d '\n')" "11" \
	"tshark: the 60 s grants are refreshed 5-7 s before expiry (90 %)"
is "$(awk '$5 == "[60]" { print ($4 >= 3) }' "$tmp/facts" | tr -d '\n')" "11" \
	"tshark: the 60 s grants were granted at least 3 times (2 refreshes)"
json "$f"
"$PYTHON3" - "$tmp/out.json" > "$tmp/regtrace" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for r in d['registrations']:
    print('aor', r['aor'], r['state'])
for x in d['findings']:
    print('finding', x['severity'], x['rule'], x.get('aor', '-'))
PY
diag "$(cat "$tmp/regtrace")"
is "$(grep -c '^aor .* registered$' "$tmp/regtrace")" 4 "regtrace: the 4 AORs registered"
is "$(grep -cE '^finding (WARN|ERR|CRIT) ' "$tmp/regtrace")" 0 "regtrace: no WARN, ERR or CRIT finding"
is "$(grep -c 'REG-REFRESH-LATE' "$tmp/regtrace")" 0 "regtrace: no REG-REFRESH-LATE at 90 % of 60 s"

# ---- closed UDP port: baresip's copies each drew an ICMP port unreachable
f=$C/phones-udp-closed.pcap
n=$(ts "$f" 'sip.Method == "REGISTER" && !icmp' frame.number | wc -l)
ni=$(ts "$f" 'icmp.type == 3 && icmp.code == 3 && ip.src == 127.0.0.1' frame.number | wc -l)
diag "tshark: $n REGISTER copies, $ni ICMP port unreachable"
is "$ni" "$n" "tshark: each REGISTER copy drew an ICMP port unreachable"
msg=$(msg_of "$f" REG-TIMEOUT)
case $msg in *"nothing listens on 127.0.0.1:5060 (UDP): each of the $n copies drew an ICMP port unreachable from 127.0.0.1"*) pass "REG-TIMEOUT names the $n ICMP port unreachables";; *) fail "REG-TIMEOUT names the ICMP (got $msg)";; esac
case $msg in *"$n copies over"*) pass "REG-TIMEOUT counts the $n copies";; *) fail "REG-TIMEOUT copies (got $msg)";; esac

# ---- TCP refused: each SYN drew a RST, no SIP at all
f=$C/phones-tcp-refused.pcap
ns=$(ts "$f" 'tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.dstport == 5060' frame.number | wc -l)
nr=$(ts "$f" 'tcp.flags.reset == 1 && tcp.srcport == 5060' frame.number | wc -l)
diag "tshark: $ns SYNs to 5060, $nr RSTs from it"
is "$nr" "$ns" "tshark: each SYN drew a RST"
msg=$(msg_of "$f" REG-TCP-REFUSED)
if [ "$ns" = 1 ]; then each="the only connection attempt (SYN)"; else each="each of the $ns connection attempts (SYN)"; fi
case $msg in *"Nothing listens on 127.0.0.1:5060 (TCP): $each from 127.0.0.1 drew a TCP reset (RST) from 127.0.0.1"*) pass "REG-TCP-REFUSED names the $ns refused connections";; *) fail "REG-TCP-REFUSED (got $msg)";; esac
