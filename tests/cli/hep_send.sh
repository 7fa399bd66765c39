#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# hep_send.sh - --hep-send checked by receivers regtrace did not write, and
# --hep-listen over UDP and TCP with --hep-key:
#   hep-js (sipcapture's HEP library) decodes every packet with the chunks
#     heplify sends, values from tshark's reading of the capture;
#   sngrep as the collector writes a pcap whose SIP tshark lists as in the input;
#   regtrace --hep-send -> regtrace --hep-listen (udp: and tcp:) gives the
#     messages, registrations and findings of reading the file;
#   a wrong key is counted and dropped; a collector that is down costs a
#     counted drop and no hang.
# Runs in a network namespace of its own (unshare -n) where it can, so
# nothing else on the host's lo reaches the collectors.
. "$(dirname "$0")/../lib/tap.sh"
netns_enter "$@" || skip_all "$NETNS_WHY"
[ -n "$TSHARK" ] || skip_all "tshark not installed"
tmp=$(tmpdir)
pids=
trap 'for p in $pids; do kill $p 2>/dev/null; done; rm -rf "$tmp"' EXIT
caps=$(ls "$RT_SRC"/captures/*.pcap)
ncaps=$(echo "$caps" | wc -l)
node_ok=0
if command -v node >/dev/null 2>&1 && [ -d "$RT_SRC/tests/js/node_modules/hep-js" ]; then node_ok=1; fi
plan $((ncaps * 3 + 7))
port=$((46000 + $$ % 1000))

# 1. hep-js decodes each packet: chunks as tshark reads the capture
for c in $caps; do
	n=$(basename "$c" .pcap)
	if [ $node_ok = 0 ]; then skip "$n: hep-js: node or tests/js/node_modules missing (scripts/deps.sh)"; continue; fi
	port=$((port + 1))
	node "$RT_SRC/tests/js/hep_decode.js" $port 4 > "$tmp/$n.hepjs" 2> "$tmp/$n.node" &
	np=$!; pids="$pids $np"
	i=0; while [ $i -lt 50 ] && ! grep -q listening "$tmp/$n.node"; do sleep 0.1; i=$((i + 1)); done
	"$RT_BIN" -r "$c" -N --hep-send "127.0.0.1:$port" --hep-id 4711 --hep-key s3cret --hep-node probe-a \
		> /dev/null 2> "$tmp/$n.send"
	wait $np
	"$PYTHON3" "$RT_SRC/tests/cli/hep_check.py" hepjs "$c" "$tmp/$n.hepjs" 4711 s3cret probe-a 2> "$tmp/$n.why"
	ok $? "$n: hep-js decodes one HEP packet per SIP message with tshark's values $(cat "$tmp/$n.why")"
done

# 2. regtrace -> regtrace over UDP and TCP: the same analysis as the file.
# A listener's clock is the wall clock (grants run out in real time), so
# each capture is first moved to the present (editcap -t): replayed as it
# was recorded, a week-old 3600 s grant would rightly have expired.
for c0 in $caps; do
	n=$(basename "$c0" .pcap)
	first=$("$TSHARK" -n -r "$c0" -c 1 -T fields -e frame.time_epoch 2>/dev/null | cut -d. -f1)
	c=$tmp/$n.now.pcap
	editcap -t $(( $(date +%s) - first )) "$c0" "$c" 2>/dev/null
	"$RT_BIN" -r "$c" --json="$tmp/$n.direct.json" -N > /dev/null 2>&1
	msgs=$("$PYTHON3" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["messages"]))' "$tmp/$n.direct.json")
	if [ "$msgs" = 0 ]; then
		skip "$n: no SIP message to send over udp"; skip "$n: no SIP message to send over tcp"; continue
	fi
	for proto in udp tcp; do
		port=$((port + 1))
		"$RT_BIN" --hep-listen "$proto:127.0.0.1:$port" --hep-key k -c "$msgs" --json="$tmp/$n.$proto.json" -N \
			> /dev/null 2> "$tmp/$n.$proto.err" &
		lp=$!; pids="$pids $lp"
		sleep 0.3
		"$RT_BIN" -r "$c" -N --hep-send "$proto:127.0.0.1:$port" --hep-key k > /dev/null 2> "$tmp/$n.$proto.send"
		i=0; while [ $i -lt 50 ] && kill -0 $lp 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
		kill -INT $lp 2>/dev/null; wait $lp
		"$PYTHON3" "$RT_SRC/tests/cli/hep_check.py" same "$tmp/$n.direct.json" "$tmp/$n.$proto.json" 2> "$tmp/$n.$proto.why"
		ok $? "$n: --hep-send $proto: -> --hep-listen gives the file's messages, registrations, findings $(head -c 300 "$tmp/$n.$proto.why")"
	done
done

# 3. sngrep as the collector; tshark reads what it saved
c=$RT_SRC/captures/register-auth-udp.pcap
if command -v sngrep >/dev/null 2>&1; then
	port=$((port + 1))
	TERM=dumb sngrep -N -q -L "udp:127.0.0.1:$port" -O "$tmp/sngrep.pcap" > "$tmp/sngrep.log" 2>&1 &
	sp=$!; pids="$pids $sp"
	sleep 1
	"$RT_BIN" -r "$c" -N --hep-send "127.0.0.1:$port" > /dev/null 2>&1
	sleep 1
	kill -INT $sp 2>/dev/null; sleep 0.5; kill $sp 2>/dev/null; wait $sp 2>/dev/null
	"$PYTHON3" "$RT_SRC/tests/cli/hep_check.py" tshark-same "$c" "$tmp/sngrep.pcap" 2> "$tmp/sngrep.why"
	ok $? "sngrep -L saves what --hep-send sent: tshark lists the input's SIP $(cat "$tmp/sngrep.why")"
else
	skip "sngrep not installed (scripts/deps.sh installs it)"
fi

# 4. --hep-key: a listener with another key takes nothing, and says so
port=$((port + 1))
"$RT_BIN" --hep-listen "127.0.0.1:$port" --hep-key right --json="$tmp/key.json" -N > /dev/null 2> "$tmp/key.err" &
lp=$!; pids="$pids $lp"
sleep 0.3
"$RT_BIN" -r "$c" -N --hep-send "127.0.0.1:$port" --hep-key wrong > /dev/null 2>&1
"$RT_BIN" -r "$c" -N --hep-send "127.0.0.1:$port" > /dev/null 2>&1
sleep 0.5
kill -INT $lp; wait $lp
sent=$(( $("$TSHARK" -n -r "$c" -Y 'sip && !icmp' 2>/dev/null | wc -l) * 2 ))
got=$("$PYTHON3" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["messages"]))' "$tmp/key.json")
is "$got" 0 "--hep-listen --hep-key: no message taken from a wrong or missing key"
grep -q "$sent of $sent HEP packets dropped for a missing or wrong --hep-key" "$tmp/key.err"
ok $? "--hep-listen: stderr counts the $sent dropped packets"

# 5. a TCP collector that is down: counted drops, no hang
port=$((port + 1))
start=$(date +%s)
"$RT_BIN" -r "$c" -N --hep-send "tcp:127.0.0.1:$port" > /dev/null 2> "$tmp/down.err"
rc=$?
took=$(( $(date +%s) - start ))
is $rc 0 "collector down: the run still ends with exit 0"
n=$("$TSHARK" -n -r "$c" -Y 'sip && !icmp' 2>/dev/null | wc -l)
grep -q "HEP to tcp:127.0.0.1:$port: 0 sent, $n dropped (never connected: Connection refused)" "$tmp/down.err"
ok $? "collector down: each of the $n messages counted as dropped, and why"
[ "$took" -le 10 ]; ok $? "collector down: no hang (${took}s)"

# 6. a malformed target is a usage error
"$RT_BIN" -r "$c" -N --hep-send "tcp:nohostport" > /dev/null 2> "$tmp/bad.err"
is $? 2 "--hep-send without a port: exit 2"
