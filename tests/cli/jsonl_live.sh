#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# jsonl_live.sh - --jsonl in live capture is flushed line by line: the first
# objects can be read while regtrace -i lo is still running (in a network
# namespace of its own).
. "$(dirname "$0")/../lib/tap.sh"
netns_enter "$@" || skip_all "$NETNS_WHY"
[ "$(id -u)" = 0 ] || skip_all "live capture needs root"
plan 4
tmp=$(tmpdir)
port=$((38000 + $$ % 2000))
"$RT_BIN" --jsonl -i lo "udp port $port" > "$tmp/out" 2> "$tmp/err" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
"$PYTHON3" - "$port" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
ua = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); ua.bind(("127.0.0.1", port + 1))
srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); srv.bind(("127.0.0.1", port))
hdr = ("Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-jl-1\r\n"
       "From: <sip:jl@lab.local>;tag=1\r\nTo: <sip:jl@lab.local>%s\r\n"
       "Call-ID: jsonl-live-1\r\nCSeq: 1 REGISTER\r\n")
req = ("REGISTER sip:lab.local SIP/2.0\r\n" + hdr % (port + 1, "") +
       "Contact: <sip:jl@127.0.0.1:%d>\r\nExpires: 60\r\nContent-Length: 0\r\n\r\n" % (port + 1))
ok = ("SIP/2.0 200 OK\r\n" + hdr % (port + 1, ";tag=srv") +
      "Contact: <sip:jl@127.0.0.1:%d>;expires=60\r\nContent-Length: 0\r\n\r\n" % (port + 1))
time.sleep(1.0)
ua.sendto(req.encode(), ("127.0.0.1", port))
time.sleep(0.05)
srv.sendto(ok.encode(), ("127.0.0.1", port + 1))
PY
# wait (at most 5 s) for the transaction line while regtrace keeps running
i=0
while [ $i -lt 50 ] && ! grep -q '"transaction"' "$tmp/out"; do sleep 0.1; i=$((i + 1)); done
kill -0 $pid 2>/dev/null; ok $? "regtrace still running when the lines are read"
is "$(grep -c '"jsonl-live-1"' "$tmp/out" | awk '{print ($1 >= 2)}')" 1 "message lines for both datagrams written while running"
"$PYTHON3" -c '
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o.get("type") == "transaction":
        assert o.get("final_status") == 200, o
        sys.exit(0)
sys.exit(1)' "$tmp/out"
ok $? "a transaction object with final_status 200 is already there"
kill -INT $pid
wait $pid
is $? 0 "exits 0 on SIGINT"
