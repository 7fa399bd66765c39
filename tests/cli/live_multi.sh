#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# live_multi.sh - several -i at once, each with its own link type (as
# dumpcap takes them): -i lo (Ethernet) -i any (Linux cooked) both see the
# datagrams sent over loopback, so each REGISTER is listed twice, once per
# interface, in the if0 / if1 column (needs root; skipped otherwise).
. "$(dirname "$0")/../lib/tap.sh"
[ "$(id -u)" = 0 ] || skip_all "live capture needs root"
ip link show lo >/dev/null 2>&1 || skip_all "no loopback interface"
netns_enter "$@" || skip_all "$NETNS_WHY"
plan 4
tmp=$(tmpdir)
port=$((38000 + $$ % 2000))
"$RT_BIN" --messages --json="$tmp/json" -i lo -i any "udp port $port" > "$tmp/out" 2> "$tmp/err" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
"$PYTHON3" "$RT_SRC/tests/gen/live_send.py" "$port" multi 1.5
sleep 1
kill -INT $pid
wait $pid
rc=$?
is "$rc" 0 "regtrace -i lo -i any exits 0 on SIGINT"
is "$(grep -c 'multi-call-' "$tmp/out")" 6 "each REGISTER listed once per interface"
is "$(cut -f1 "$tmp/out" | sort | uniq -c | awk '{ printf "%s:%s ", $2, $1 }')" "if0:3 if1:3 " \
	"three on if0 (lo), three on if1 (any)"
# lo is Ethernet (1); any is Linux cooked v1 (113) or v2 (276)
got=$("$PYTHON3" -c '
import json, sys
f = json.load(open(sys.argv[1]))["capture"]["files"]
print(" ".join("%s/%s" % (x["name"], "sll" if x["linktype"] in (113, 276) else x["linktype"]) for x in f))' "$tmp/json" 2>&1)
is "$got" "lo/1 any/sll" "JSON lists both interfaces with their own link types"
