#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# write_live.sh - live -w on loopback, in a namespace of its own.  Three
# captures of the same traffic (alice REGISTER -> 200, bob REGISTER -> 404,
# over UDP) beside tcpdump's, the reference:
#  A: -w, --hep-send tcp to a collector, --json, the report; SIGTERM.  The
#     file is complete (tshark reads every SIP packet tcpdump saw, no cut),
#     the collector got one HEP packet per message, JSON and report are whole.
#  B: --state failed -w: bob's packets only (tshark's sip.to.user on tcpdump's).
#  C: -w -C 100 and a SIGHUP between two halves of the traffic: FILE, FILE1
#     (-Z root: rotated files are opened after the drop, in a root-owned dir).
. "$(dirname "$0")/../lib/tap.sh"
[ "$(id -u)" = 0 ] || skip_all "live capture needs root"
command -v tshark > /dev/null || skip_all "tshark not installed"
command -v tcpdump > /dev/null || skip_all "tcpdump not installed"
netns_enter "$@" || skip_all "$NETNS_WHY"
plan 11
T=$(tmpdir)
chmod 755 "$T"
pids=
trap 'for p in $pids; do kill $p 2> /dev/null; done; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
port=$((45000 + $$ % 1000))
hport=$((port + 10))

# the collector: HEP3 over TCP, framed by its length field (bytes 4-5)
"$PYTHON3" - "$hport" "$T/hep.count" <<'PY' &
import socket, struct, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1)
c, _ = s.accept(); buf = b""; n = 0
while True:
    d = c.recv(65536)
    if not d:
        break
    buf += d
    while len(buf) >= 6 and buf[:4] == b"HEP3":
        ln = struct.unpack("!H", buf[4:6])[0]
        if len(buf) < ln:
            break
        buf = buf[ln:]; n += 1
open(sys.argv[2], "w").write("%d\n" % n)
PY
coll=$!
pids="$pids $coll"
tcpdump -Z root -i lo -U -w "$T/ref.pcap" "udp port $port" 2> /dev/null &
td=$!
pids="$pids $td"
sleep 0.5
F="udp port $port"
"$RT_BIN" -i lo -N -w "$T/a.pcap" --hep-send "tcp:127.0.0.1:$hport" --json="$T/a.json" --report "$F" \
	> "$T/a.out" 2> "$T/a.err" &
ra=$!
"$RT_BIN" -i lo -N --state failed -w "$T/b.pcap" --report "$F" > /dev/null 2> "$T/b.err" &
rb=$!
"$RT_BIN" -i lo -N -Z root -w "$T/c.pcap" -C 100 --report "$F" > /dev/null 2> "$T/c.err" &
rc=$!
pids="$pids $ra $rb $rc"
sleep 2

send() {  # send FIRST LAST: rounds of alice -> 200 and bob -> 404
	"$PYTHON3" - "$port" "$1" "$2" <<'PY'
import socket, sys, time
port, a, b = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); srv.bind(("127.0.0.1", port))
def ua(user, cport):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", cport)); return s
cli = {"alice": ua("alice", port + 1), "bob": ua("bob", port + 2)}
for k in range(a, b + 1):
    for user, code in (("alice", "200 OK"), ("bob", "404 Not Found")):
        cp = cli[user].getsockname()[1]
        h = ("Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-wl-%s-%d\r\n"
             "From: <sip:%s@lab.local>;tag=%s\r\nTo: <sip:%s@lab.local>%s\r\n"
             "Call-ID: wl-%s@127.0.0.1\r\nCSeq: %d REGISTER\r\n")
        req = ("REGISTER sip:lab.local SIP/2.0\r\n" + h % (cp, user, k, user, user, user, "", user, k + 1) +
               "Contact: <sip:%s@127.0.0.1:%d>\r\nExpires: 60\r\nContent-Length: 0\r\n\r\n" % (user, cp))
        cli[user].sendto(req.encode(), ("127.0.0.1", port))
        srv.recvfrom(65536)
        resp = ("SIP/2.0 %s\r\n" % code + h % (cp, user, k, user, user, user, ";tag=reg", user, k + 1) +
                ("Contact: <sip:%s@127.0.0.1:%d>;expires=60\r\n" % (user, cp) if code[0] == "2" else "") +
                "Content-Length: 0\r\n\r\n")
        srv.sendto(resp.encode(), ("127.0.0.1", cp))
        cli[user].recvfrom(65536)
        time.sleep(0.005)
PY
}
send 0 9
sleep 1.5
kill -HUP $rc
sleep 0.5
send 10 19
sleep 1.5
kill -TERM $ra $rb $rc
wait $ra; sa=$?
wait $rb; sb=$?
wait $rc; sc=$?
wait $coll
kill $td; wait $td 2> /dev/null
pids=
is "$sa/$sb/$sc" "0/0/0" "SIGTERM: the three captures exit 0"

ref=$(tshark -r "$T/ref.pcap" -Y sip 2> /dev/null | wc -l)
diag "tcpdump saw $ref SIP packets"
[ "$ref" -eq 80 ]; ok $? "the reference has the 80 packets sent"
tshark -r "$T/a.pcap" -Y sip 2>&1 > "$T/a.list" | grep -v "^Running as user" > "$T/a.tshark"
is "$(wc -l < "$T/a.list")/$(wc -c < "$T/a.tshark")" "$ref/0" "A: tshark reads all $ref packets of -w, no error (flushed)"
is "$(cat "$T/hep.count")" "$ref" "A: the HEP collector received every message ($ref)"
"$PYTHON3" - "$T/a.json" > "$T/a.j" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(d["capture"]["write"]["packets"], len(d["messages"]), len(d["registrations"]))
PY
is "$(cat "$T/a.j")" "$ref $ref 2" "A: JSON complete: write.packets, messages, 2 registrations"
grep -q "^2 AORs: 1 registered, 1 failed" "$T/a.out"; ok $? "A: the final report is printed"

# tcpdump keeps microseconds, regtrace nanoseconds: compared to the microsecond
usec() { cut -c1-17; }
tshark -r "$T/ref.pcap" -Y 'sip.to.user == "bob"' -T fields -e frame.time_epoch 2> /dev/null | usec > "$T/b.want"
tshark -r "$T/b.pcap" -T fields -e frame.time_epoch 2> /dev/null | usec > "$T/b.have"
[ -s "$T/b.want" ] && cmp -s "$T/b.want" "$T/b.have"
ok $? "B: --state failed wrote bob's $(wc -l < "$T/b.want") packets, no other"
grep -q "packets written to $T/b.pcap" "$T/b.err"; ok $? "B: the final line on stderr"

n0=$(tshark -r "$T/c.pcap" 2> /dev/null | wc -l)
n1=$(tshark -r "$T/c.pcap1" 2> /dev/null | wc -l)
is "$n0/$n1" "40/40" "C: SIGHUP between the halves: 40 packets in FILE, 40 in FILE1"
last0=$(tshark -r "$T/c.pcap" -T fields -e frame.time_epoch 2> /dev/null | tail -1)
first1=$(tshark -r "$T/c.pcap1" -T fields -e frame.time_epoch 2> /dev/null | head -1)
"$PYTHON3" -c "import sys; sys.exit(0 if float('$last0') < float('$first1') else 1)"
ok $? "C: FILE1 begins after FILE ends"
grep -q "80 packets written to $T/c.pcap (2 files)" "$T/c.err"; ok $? "C: stderr counts 80 in 2 files"
