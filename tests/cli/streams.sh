#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# streams.sh - SIP however it travels, on crafted captures: TCP reassembly
# (several messages per segment, split, out of order, keepalives, cut at
# the end, a 64 KiB header line), lenient SIP, IP fragments, tunnels, HEP
# (captured and --hep-listen), WebSocket, SCTP, link types, the truncated
# file, -r twice, and hostile streams (bounded memory, no crash).
#
# Counts come from the generators (tests/gen/pcapgen.py, tests/gen/streamgen.py),
# which count what they build.  Frame numbers were checked by hand with
# tshark 4.0 (`tshark -o tcp.reassemble_out_of_order:TRUE -Y sip -T fields
# -e frame.number`; a frame with two messages appears once there).
. "$(dirname "$0")/../lib/tap.sh"
# the --hep-listen part receives on 127.0.0.1: in a network namespace of its own
netns_enter "$@" || rt_no_netns=1
command -v "$PYTHON3" >/dev/null 2>&1 || skip_all "python3 not found"
gen="$PYTHON3 $RT_SRC/tests/gen/pcapgen.py"
sgen="$PYTHON3 $RT_SRC/tests/gen/streamgen.py"
t=$(tmpdir)
trap 'rm -rf "$t"' EXIT

# scenario -> count, from the generator
scen="sll sll2 vlan qinq pcap-be pcap-ns pcapng raw-ipv4 raw-ipv6 linktype-ipv4 linktype-ipv6
loop null-loop eth-ipv6 ipv6-ext tcp-multi tcp-split tcp-ooo tcp-keepalive big-header lf-only
compact folded junk-before cl-mismatch hello-keepalive ipv4-frag ipv6-frag frag-overlap
frag-incomplete ipip gre-eth gtpu hep3 hep3-zlib ws icmp-unreach icmp6-unreach sctp"
nscen=$(echo $scen | wc -w)
plan $((nscen + 39))

msgs() { "$RT_BIN" --messages "$@" 2>/dev/null; }
frames() { msgs -r "$1" | cut -f1 | tr '\n' ' '; }

for s in $scen; do
	want=$($gen --count "$s" 2>/dev/null)
	if ! $gen "$s" "$t/$s.pcap" >/dev/null 2>&1; then
		fail "$s: generator failed"
		continue
	fi
	got=$(msgs -r "$t/$s.pcap" | wc -l)
	is "$got" "$want" "$s: $want SIP messages"
done

# TCP: frames are the packets that completed each message (tshark's)
is "$(frames "$t/tcp-multi.pcap")" "4 4 5 5 6 7 " "tcp-multi: two messages in frame 4 and two in 5"
is "$(msgs -r "$t/tcp-multi.pcap" | sed -n 2p | cut -f5)" "REGISTER" \
	"tcp-multi: the second message of a segment (sngrep #466) is the REGISTER"
is "$(frames "$t/tcp-split.pcap")" "6 7 8 9 " "tcp-split: REGISTER completed by its 3rd segment (frame 6)"
is "$(frames "$t/tcp-ooo.pcap")" "6 8 10 11 " "tcp-ooo: out of order, retransmitted, overlapping (tshark with reassemble_out_of_order)"
is "$(frames "$t/tcp-keepalive.pcap")" "4 7 9 10 " "tcp-keepalive: CRLF pings/pongs are not messages"
is "$(frames "$t/big-header.pcap")" "51 52 53 54 " "big-header: 64 KiB header line over 48 segments"
is "$(msgs -r "$t/big-header.pcap" | grep -c malformed)" "0" "big-header: not malformed"

# a stream cut mid-message: reported, malformed, not dropped (tshark shows 2
# messages and a lone segment)
$gen tcp-truncated "$t/tcp-truncated.pcap" >/dev/null 2>&1
msgs -r "$t/tcp-truncated.pcap" > "$t/out"
is "$(wc -l < "$t/out")" "3" "tcp-truncated: 2 whole messages + the cut one"
is "$(sed -n 3p "$t/out" | cut -f1,5,7)" "6	REGISTER	malformed truncated: the stream ended before the message did" \
	"tcp-truncated: the cut REGISTER (frame 6) is listed, malformed"

# lenient SIP: parsed, not malformed, Call-ID found
for s in lf-only compact folded junk-before; do
	is "$(msgs -r "$t/$s.pcap" | awk -F'\t' '$6 != "-" && $7 == ""' | wc -l)" "4" \
		"$s: 4 messages parsed with their Call-ID, none malformed"
done

# fragments, tunnels, HEP, WebSocket
is "$(frames "$t/ipv4-frag.pcap")" "3 4 5 6 " "ipv4-frag: reassembled in frame 3 (last fragment to arrive)"
is "$(frames "$t/ipv6-frag.pcap")" "3 5 6 7 " "ipv6-frag: fragments 3,1,2 with a duplicate"
"$RT_BIN" --messages -r "$t/frag-incomplete.pcap" 2>"$t/err" >/dev/null
is "$(grep -c 'IP datagrams never completed (1 incomplete' "$t/err")" "1" \
	"frag-incomplete: the datagram that never completed is counted on stderr"
is "$(frames "$t/gre-eth.pcap")" "1 2 3 4 5 6 " "gre-eth: GRE 0x6558 and 0x0800"
is "$(msgs -r "$t/ws.pcap" | cut -f1,4 | tr '\t\n' ': ')" "11:WS 12:WS 13:WS 14:WS " \
	"ws: 4 messages over WebSocket (fragmented masked, 16-bit lengths), transport WS"
is "$(msgs -r "$t/hep3.pcap" | sed -n 5p | cut -f2,3)" "1700000001.000000	[2001:db8::10]:5060 -> [2001:db8::5]:5060" \
	"hep3: HEP's own timestamp and IPv6 addresses"
is "$(msgs -r "$t/sctp.pcap" | cut -f4 | sort -u)" "SCTP" "sctp: transport SCTP"

# the truncated capture: exit status 3 and one clear message
$gen truncated "$t/trunc.pcap" >/dev/null 2>&1
"$RT_BIN" --messages -r "$t/trunc.pcap" >"$t/out" 2>"$t/err"
is "$?" "3" "truncated capture: exit status 3"
is "$(grep -c 'damaged or truncated' "$t/err")" "1" "truncated capture: one message on stderr"
is "$(wc -l < "$t/out")" "3" "truncated capture: the 3 messages before the cut are listed"

# -r twice: frame numbers restart, each line starts with the file name
# (--no-merge: one after the other; merged by time the two would interleave)
msgs --no-merge -r "$t/tcp-split.pcap" -r "$t/sll.pcap" > "$t/out"
is "$(cut -f1,2 "$t/out" | tr '\t\n' ': ' | sed "s|$t/||g")" \
	"tcp-split.pcap:6 tcp-split.pcap:7 tcp-split.pcap:8 tcp-split.pcap:9 sll.pcap:1 sll.pcap:2 sll.pcap:3 sll.pcap:4 " \
	"-r twice: file name prefix, frames restart at 1"

# hostile streams: bounded memory (max RSS via getrusage), no crash
rss() {   # rss FILE -> "LINES MALFORMED RSS_KB EXIT"
	"$PYTHON3" - "$RT_BIN" "$1" <<'EOF'
import resource, subprocess, sys
p = subprocess.run([sys.argv[1], '--messages', '-r', sys.argv[2]],
                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
lines = p.stdout.decode('utf-8', 'replace').splitlines()
mal = sum(1 for l in lines if '\tmalformed' in l)
print(len(lines), mal, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, p.returncode)
EOF
}
# under ASan freed memory sits in quarantine: RSS says nothing there
asan=$(grep -l __asan_init "$RT_BIN" 2>/dev/null || true)
hostile() {   # hostile SCENARIO WANT_LINES WANT_MALFORMED MAX_RSS_KB WHAT
	want=$($sgen "$1" "$t/h.pcap" 2>/dev/null) || { fail "$1: generator failed"; return; }
	set -- "$@" $(rss "$t/h.pcap")
	is "$6 $7 $9" "$2 $3 0" "$1: $5: $2 messages ($3 malformed), exit 0"
	if [ -n "$asan" ]; then skip "$1: max RSS ${8} KiB not checked: sanitizer build (shadow memory, quarantine)"
	elif [ "${8:-999999999}" -le "$4" ]; then pass "$1: max RSS ${8} KiB <= $4 KiB"; else fail "$1: max RSS ${8} KiB > $4 KiB"; fi
	[ "$want" = "$2" ] || diag "$1: generator says $want"
}
hostile tcp-shuffle 20 0 65536 "20 messages in segments of random order, retransmitted and overlapping"
is "$(msgs -r "$t/h.pcap" | cut -f6 | uniq | wc -l)" "20" "tcp-shuffle: 20 distinct Call-IDs, in stream order"
hostile tcp-garbage 2 0 65536 "1 MiB of garbage lines between two REGISTERs"
hostile tcp-binary 1 0 65536 "a 1 MiB binary stream is ignored, not buffered"
hostile cl-huge 2 1 65536 "Content-Length 2^31 over TCP (reported cut) and UDP"
hostile many-streams 100000 100000 163840 "100,000 open streams, each a cut REGISTER"
hostile frag-never 1 0 98304 "60,000 fragments that never complete (32 MiB bound)"

# --hep-listen: HEP datagrams over loopback
if [ -n "${rt_no_netns:-}" ]; then
	skip "--hep-listen: $NETNS_WHY"
	skip "--hep-listen: messages"
else
	port=$((20000 + $$ % 20000))
	"$RT_BIN" --hep-listen "127.0.0.1:$port" --messages -c 4 > "$t/hep.out" 2>"$t/hep.err" &
	pid=$!
	"$PYTHON3" - "$RT_SRC/tests/gen" "$port" <<'EOF'
import socket, sys, time
sys.path.insert(0, sys.argv[1])
import pcapgen
port = int(sys.argv[2])
ua = pcapgen.SipUA('alice', 'example.com', '192.0.2.10')
reg = ua.register()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
pkts = [pcapgen.hep3(reg, '192.0.2.10', '198.51.100.5', 5060, 5060, 1700000000.5),
        b'hello',
        pcapgen.hep3(ua.options(), '2001:db8::10', '2001:db8::5', 5062, 5060, 1700000001.25)]
pkts.append(pcapgen.hep3(reg, '192.0.2.10', '198.51.100.5', 5060, 5060, 1700000002.0))
time.sleep(0.3)
for p in pkts:
    s.sendto(p, ('127.0.0.1', port))
    time.sleep(0.05)
EOF
	( sleep 5; kill $pid 2>/dev/null ) &
	wait $pid
	is "$?" "0" "--hep-listen: exits 0 after -c 4 datagrams"
	is "$(cut -f1-5 "$t/hep.out" | tr '\t' ' ')" "1 1700000000.500000 192.0.2.10:5060 -> 198.51.100.5:5060 UDP REGISTER
3 1700000001.250000 [2001:db8::10]:5062 -> [2001:db8::5]:5060 UDP OPTIONS
4 1700000002.000000 192.0.2.10:5060 -> 198.51.100.5:5060 UDP REGISTER" \
		"--hep-listen: 3 messages with HEP's addresses and times; 'hello' is not one"
fi
