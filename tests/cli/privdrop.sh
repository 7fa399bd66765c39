#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# privdrop.sh - -Z: root is given up once the interface and the files are
# open, as tcpdump does.  The Uid/Gid lines of /proc/PID/status are read
# while the capture runs; the capture and -w go on working after the drop.
. "$(dirname "$0")/../lib/tap.sh"
[ "$(id -u)" = 0 ] || skip_all "needs root (the drop is from root)"
netns_enter "$@" || skip_all "$NETNS_WHY"
nobody_uid=$(id -u nobody 2>/dev/null) || skip_all "no 'nobody' user"
nobody_gid=$(id -g nobody)
tmp=$(tmpdir)
chmod 755 "$tmp"
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
plan 11
port=$((47000 + $$ % 1000))

send() {
	"$PYTHON3" - "$1" <<'PY'
import socket, sys
port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"REGISTER sip:lab.local SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-pd\r\n"
         b"From: <sip:pd@lab.local>;tag=1\r\nTo: <sip:pd@lab.local>\r\nCall-ID: privdrop-1\r\n"
         b"CSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n", ("127.0.0.1", port))
PY
}
uid_line() { awk -v k="$2:" '$1 == k {print $2, $3, $4, $5}' "/proc/$1/status"; }
wait_line() { i=0; while [ $i -lt 50 ] && ! grep -q "$2" "$1" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done; }

# 1. -Z nobody: every uid and gid is nobody's while capturing; packets still come, -w still writes
"$RT_BIN" -i lo -Z nobody --jsonl -w "$tmp/w.pcap" "udp port $port" > "$tmp/a.out" 2> "$tmp/a.err" &
pid=$!
sleep 1.5
is "$(uid_line $pid Uid)" "$nobody_uid $nobody_uid $nobody_uid $nobody_uid" "-Z nobody: real, effective, saved, fs uid are nobody's"
is "$(uid_line $pid Gid)" "$nobody_gid $nobody_gid $nobody_gid $nobody_gid" "-Z nobody: every gid is nobody's group"
groups=$(awk '$1 == "Groups:" {$1 = ""; print}' "/proc/$pid/status" | tr -s ' ' | sed 's/^ //; s/ $//')
case " $groups " in *" 0 "*) fail "-Z nobody: no root group left (Groups: $groups)" ;; *) pass "-Z nobody: no root group left (Groups: $groups)" ;; esac
send $port
wait_line "$tmp/a.out" privdrop-1
grep -q '"call_id":"privdrop-1"' "$tmp/a.out"; ok $? "-Z nobody: the capture still sees packets after the drop"
kill -INT $pid; wait $pid; rc=$?; pid=
is $rc 0 "-Z nobody: exits 0 on SIGINT"
n=$("$TSHARK" -n -r "$tmp/w.pcap" -Y sip 2>/dev/null | wc -l)
is "$n" 1 "-w written after the drop: tshark reads the one SIP packet"

# 2. root without -Z: drops by itself and says so
"$RT_BIN" -i lo --jsonl "udp port $port" > /dev/null 2> "$tmp/b.err" &
pid=$!
sleep 1.5
want=$(id -u regtrace 2>/dev/null || echo "$nobody_uid")
is "$(uid_line $pid Uid | cut -d' ' -f1-2)" "$want $want" "root without -Z: runs on as regtrace or nobody"
kill -INT $pid; wait $pid; pid=
grep -q "dropped root: capturing as" "$tmp/b.err"; ok $? "root without -Z: stderr says it dropped root"

# 3. -Z root keeps root
"$RT_BIN" -i lo -Z root --jsonl "udp port $port" > /dev/null 2> "$tmp/c.err" &
pid=$!
sleep 1.5
is "$(uid_line $pid Uid | cut -d' ' -f1-2)" "0 0" "-Z root keeps root"
kill -INT $pid; wait $pid; pid=

# 4. a user that does not exist: exit 2 before anything is opened
"$RT_BIN" -i lo -Z no-such-user-rt > /dev/null 2> "$tmp/d.err"
is $? 2 "-Z no-such-user: exit 2"
grep -q -- "-Z no-such-user-rt: no such user" "$tmp/d.err"; ok $? "-Z no-such-user: says so"
