#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# live_capture.sh - live capture options and the kernel-drop count: -s and
# -B are checked; JSON capture has the interface and kernel_drops; with the
# reader stopped (SIGSTOP) and a small -B buffer, a burst overflows the
# kernel ring and every sent datagram is either captured or counted as
# dropped (PF_PACKET's tp_drops), in JSON and on stderr alike.
# On lo the packet socket sees each datagram twice (its transmit and its
# receive copy); libpcap drops the transmit copy after reading it, but the
# kernel counts both copies it could not queue.  So 2 x sent = drops +
# copies read, and copies read = 2 x captured, give or take one transmit
# copy read without its receive copy.
. "$(dirname "$0")/../lib/tap.sh"
[ "$(id -u)" = 0 ] || skip_all "live capture needs root"
ip link show lo >/dev/null 2>&1 || skip_all "no loopback interface"
netns_enter "$@" || skip_all "$NETNS_WHY"
plan 12
tmp=$(tmpdir)
pid=
trap '[ -n "$pid" ] && kill -CONT $pid 2>/dev/null && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT

# option checks: a bad value is a usage error (exit 2) with a message
"$RT_BIN" -i lo -s 300000 > /dev/null 2> "$tmp/e1"; is $? 2 "-s over 262144: exit 2"
grep -q -- "-s takes" "$tmp/e1"; ok $? "-s: the message says what it takes"
"$RT_BIN" -i lo -B 0 > /dev/null 2> "$tmp/e2"; is $? 2 "-B 0: exit 2"
"$RT_BIN" -i lo -B 12x > /dev/null 2> "$tmp/e3"; is $? 2 "-B not a number: exit 2"

# send N REGISTERs from port+1 to port, one datagram each
send() {  # send PORT N
	"$PYTHON3" - "$1" "$2" <<'PY'
import socket, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", port + 1))
for i in range(n):
    req = ("REGISTER sip:lab.local SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-lc-%d\r\n"
           "From: <sip:lc%d@lab.local>;tag=%d\r\nTo: <sip:lc%d@lab.local>\r\nCall-ID: live-capture-%d\r\n"
           "CSeq: 1 REGISTER\r\nContact: <sip:lc@127.0.0.1:%d>\r\nExpires: 60\r\nContent-Length: 0\r\n\r\n"
           % (port + 1, i, i, i, i, i, port + 1))
    s.sendto(req.encode(), ("127.0.0.1", port))
PY
}
wait_started() { i=0; while [ $i -lt 50 ] && ! [ -s "$1" ]; do sleep 0.1; i=$((i + 1)); done; sleep 0.5; }

# 1. a quiet capture: 20 datagrams, none dropped
port=$((41000 + $$ % 2000))
"$RT_BIN" -i lo -s 0 -B 4096 --json="$tmp/a.json" --jsonl "udp port $port" > "$tmp/a.jsonl" 2> "$tmp/a.err" &
pid=$!
sleep 1.5
send $port 20
i=0; while [ $i -lt 50 ] && [ "$(grep -c '"type":"message"' "$tmp/a.jsonl")" -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
kill -INT $pid; wait $pid; rc=$?; pid=
is $rc 0 "quiet capture exits 0 on SIGINT"
"$PYTHON3" - "$tmp/a.json" > "$tmp/a.got" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["capture"]
print(c.get("interface"), c.get("kernel_drops"), c["packets"], c["sip_messages"])
PY
is "$(cat "$tmp/a.got")" "lo 0 20 20" "JSON capture: interface lo, kernel_drops 0, 20 packets, 20 SIP messages"

# 2. the reader stopped while 3000 datagrams arrive into a 1 MiB buffer
port=$((43000 + $$ % 2000))
"$RT_BIN" -i lo -B 1024 --json="$tmp/b.json" "udp port $port" > /dev/null 2> "$tmp/b.err" &
pid=$!
sleep 1.5
kill -STOP $pid
send $port 3000
kill -CONT $pid
sleep 2
kill -INT $pid; wait $pid; rc=$?; pid=
is $rc 0 "overflowed capture exits 0 on SIGINT"
"$PYTHON3" - "$tmp/b.json" > "$tmp/b.got" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["capture"]
print(c["kernel_drops"], c["packets"], c["sip_messages"])
PY
read -r drops pkts msgs < "$tmp/b.got"
diag "kernel_drops $drops, packets $pkts, SIP messages $msgs"
[ "$drops" -gt 0 ]; ok $? "kernel_drops counts the overflow ($drops)"
acc=$((drops + 2 * pkts))
[ "$acc" -ge 5999 ] && [ "$acc" -le 6000 ]
ok $? "every datagram accounted for: drops + 2 x captured = 2 x 3000 sent, within one copy (got $acc)"
is "$msgs" "$pkts" "every captured datagram is a SIP message"
grep -q ", $drops dropped by the kernel" "$tmp/b.err"; ok $? "stderr's closing line has the same drop count"
"$PYTHON3" - "$RT_SRC/docs/schema.json" "$tmp/b.json" <<'PY'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.validators.validator_for(schema)(schema).validate(json.load(open(sys.argv[2])))
PY
ok $? "the live document validates against docs/schema.json"
