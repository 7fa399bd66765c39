#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# live_lo.sh - live capture: regtrace -i lo lists SIP datagrams sent over
# loopback while it runs (needs root / CAP_NET_RAW; skipped otherwise), in a
# network namespace of its own.
. "$(dirname "$0")/../lib/tap.sh"
netns_enter "$@" || skip_all "$NETNS_WHY"
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
"$PYTHON3" "$RT_SRC/tests/gen/live_send.py" "$port" live 1.0 --hello
sleep 1
kill -INT $pid
wait $pid
rc=$?
is "$rc" 0 "regtrace -i lo exits 0 on SIGINT"
is "$(grep -c 'live-call-' "$tmp/out")" 3 "three REGISTERs listed"
is "$(cut -f3 "$tmp/out" | sort -u | tr -d '\n')" "127.0.0.1:$((port + 1)) -> 127.0.0.1:$port" \
	"addresses of the live datagrams" 2>/dev/null || true
grep -q 'packets, 3 SIP messages' "$tmp/err"; ok $? "summary on stderr counts 3 SIP messages"
