#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# live_findings.sh - findings while a live capture is still running: the
# bundled wrong-password capture is replayed onto lo with tcpreplay (in a
# network namespace of its own) and the CRIT findings it proves must be
# in --jsonl, and on the live screen (tmux), before regtrace is stopped.
# What the capture proves, from tshark: frames 1-7 are four REGISTERs of
# alice, the first three answered 401, frame 8 is "403 Forbidden - Bad
# Credentials" to the fourth (frame 7): REG-403 with evidence 7 and 8, and
# REG-AUTH-LOOP (credentials rejected again and again) over frames 1-8.
. "$(dirname "$0")/../lib/tap.sh"
netns_enter "$@" || skip_all "$NETNS_WHY"
[ "$(id -u)" = 0 ] || skip_all "live capture needs root"
command -v tcpreplay >/dev/null 2>&1 || skip_all "tcpreplay not installed (scripts/deps.sh)"
TMUX_BIN=${TMUX_BIN:-$(command -v tmux || true)}
plan 13
tmp=$(tmpdir)
cap=$RT_SRC/captures/wrong-password.pcap
pid=
sock="rt-lf-$$"
T() { "$TMUX_BIN" -L "$sock" -f /dev/null "$@"; }
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; [ -n "$TMUX_BIN" ] && T kill-server 2>/dev/null; rm -rf "$tmp"' EXIT

# the same facts from tshark, so the expectations are not regtrace's own
fr403=$(tshark -r "$cap" -Y 'sip.Status-Code == 403' -T fields -e frame.number 2>/dev/null)
n401=$(tshark -r "$cap" -Y 'sip.Status-Code == 401' -T fields -e frame.number 2>/dev/null | wc -l)
is "$fr403 $n401" "8 3" "tshark: the 403 is frame 8, after three 401s"

# ------------------------------------------------------------------ --jsonl
"$RT_BIN" --jsonl -i lo "udp port 5060" > "$tmp/out" 2> "$tmp/err" &
pid=$!
capture_open "$tmp/err" || diag "regtrace not listening after 5 s"
tcpreplay -q -i lo "$cap" > "$tmp/replay" 2>&1
ok $? "tcpreplay sent the capture onto lo"
t0=$(date +%s%N)
i=0
while [ $i -lt 30 ] && ! grep -q '"rule":"REG-403"' "$tmp/out"; do sleep 0.1; i=$((i + 1)); done
t1=$(date +%s%N)
kill -0 $pid 2>/dev/null
ok $? "regtrace still capturing when the finding is read"
"$PYTHON3" - "$tmp/out" <<'PY'
import json, sys
want = {"REG-403": [7, 8], "REG-AUTH-LOOP": [1, 2, 3, 4, 5, 6, 7, 8]}
got = {}
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o.get("type") == "finding" and o.get("live") is True:
        got[o["rule"]] = (o["severity"], o["frames"], o.get("aor"))
for r, fr in want.items():
    if got.get(r) != ("CRIT", fr, "sip:alice@lab.local"):
        print("# %s: got %r" % (r, got.get(r)))
        sys.exit(1)
PY
ok $? "live finding lines: REG-403 frames 7,8 and REG-AUTH-LOOP frames 1-8, CRIT, alice"
ms=$(( (t1 - t0) / 1000000 ))
ok "$([ $ms -le 2000 ] && echo 0 || echo 1)" "the finding was there within 2 s of the 403 being sent (${ms} ms)"
kill -INT $pid
wait $pid
is $? 0 "exits 0 on SIGINT"
pid=
"$PYTHON3" - "$tmp/out" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
types = [o["type"] for o in lines]
withdrawn = [o for o in lines if o["type"] == "finding_withdrawn"]
f403 = [o for o in lines if o["type"] == "finding" and o["rule"] == "REG-403"]
last = types.index("summary") if "summary" in types else -1
ok = not withdrawn and len(f403) == 1 and last == len(lines) - 1
if not ok:
    print("# withdrawn=%r REG-403 lines=%d summary at %d of %d" % (withdrawn, len(f403), last, len(lines)))
sys.exit(0 if ok else 1)
PY
ok $? "at the end: nothing withdrawn, REG-403 not written twice, the summary last"
reg=$("$PYTHON3" -c '
import json, sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o["type"] == "registration": print(o["aor"], o["state"])' "$tmp/out")
is "$reg" "sip:alice@lab.local failed" "the registration: alice failed"

# ------------------------------------------------------------------ the live screen
if [ -z "$TMUX_BIN" ]; then
	for d in up finding row running quit; do skip "tmux not installed"; done
else
	T new-session -d -s rt -x 100 -y 30 \
		"env LANG=C.UTF-8 $RT_BIN -i lo 'udp port 5060' 2>$tmp/tui.err; echo \"EXITED rc=\$?\"; sleep 60"
	screen() { T capture-pane -p -t rt; }
	wait_for() { screen_wait "$@"; }   # tap.sh
	if wait_for "LIVE"; then pass "live screen up"; else fail "live screen up"; fi
	capture_open "$tmp/tui.err" || diag "regtrace not listening after 5 s"
	tcpreplay -q -i lo "$cap" > "$tmp/replay2" 2>&1
	if wait_for "CRIT REG-AUTH-LOOP" 20; then
		pass "the finding is on the AOR's row within 2 s, while capturing"
	else
		fail "the finding is on the AOR's row within 2 s, while capturing"
		diag "$(cat "$tmp/screen")"
	fi
	grep -E "^failed +403 .*sip:alice@lab\.local +CRIT REG-AUTH-LOOP" "$tmp/screen" > /dev/null
	ok $? "row: failed 403 alice, cause REG-AUTH-LOOP"
	grep -q "EXITED" "$tmp/screen"
	is $? 1 "still capturing (not exited) when it showed"
	T send-keys -t rt q
	sleep 0.3
	T send-keys -t rt q
	if wait_for "EXITED rc=0"; then pass "q quits with 0"; else fail "q quits with 0"; diag "$(cat "$tmp/screen")"; fi
fi
tap_done
