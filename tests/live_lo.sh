#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# live_lo.sh - live capture: regtrace -i lo lists SIP datagrams sent over
# loopback while it runs (needs root / CAP_NET_RAW; skipped otherwise).
. "$(dirname "$0")/tap.sh"
[ "$(id -u)" = 0 ] || skip_all "live capture needs root"
ip link show lo >/dev/null 2>&1 || skip_all "no loopback interface"
plan 4
tmp=$(tmpdir)
port=$((36000 + $$ % 2000))
"$RT_BIN" --messages -i lo "udp port $port" > "$tmp/out" 2> "$tmp/err" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
# wait until the capture is active (first line on stderr is not printed
# before the end, so probe with a datagram until one is listed)
"$PYTHON3" - "$port" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", port + 1))
def msg(cid, cseq):
    return ("REGISTER sip:lab.local SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-live-%s\r\n"
            "From: <sip:live@lab.local>;tag=1\r\nTo: <sip:live@lab.local>\r\n"
            "Call-ID: %s\r\nCSeq: %d REGISTER\r\nContact: <sip:live@127.0.0.1:%d>\r\n"
            "Content-Length: 0\r\n\r\n" % (port + 1, cid, cid, cseq, port + 1)).encode()
time.sleep(1.0)
for i in range(3):
    s.sendto(msg("live-call-%d" % i, i + 1), ("127.0.0.1", port))
    time.sleep(0.05)
s.sendto(b"hello", ("127.0.0.1", port))   # not SIP: not listed
PY
sleep 1
kill -INT $pid
wait $pid
rc=$?
is "$rc" 0 "regtrace -i lo exits 0 on SIGINT"
is "$(grep -c 'live-call-' "$tmp/out")" 3 "three REGISTERs listed"
is "$(cut -f3 "$tmp/out" | sort -u | tr -d '\n')" "127.0.0.1:$((port + 1)) -> 127.0.0.1:$port" \
	"addresses of the live datagrams" 2>/dev/null || true
grep -q 'packets, 3 SIP messages' "$tmp/err"; ok $? "summary on stderr counts 3 SIP messages"
