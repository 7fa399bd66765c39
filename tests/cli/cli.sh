#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# cli.sh - the capture layer's contract: inputs (stdin, several
# files, pcap/pcapng, precisions, byte orders, link types), BPF, exit
# statuses and where output goes.  Captures come from tests/gen/pcapgen.py,
# whose stated counts were checked against tshark (pcapgen_check.sh).
. "$(dirname "$0")/../lib/tap.sh"
plan 25
tmp=$(tmpdir)
trap 'rm -rf "$tmp"' EXIT
gen() { "$PYTHON3" "$RT_SRC/tests/gen/pcapgen.py" "$1" "$tmp/$1.pcap" > /dev/null; }
for s in reg-ok pcap-ns pcap-be pcapng sll sll2 qinq null-loop linktype-ipv6 ipv6-ext truncated hello-keepalive; do gen $s; done

count() { "$RT_BIN" --messages "$@" 2>/dev/null | wc -l; }

# link types, file formats, precisions: every scenario's stated count
for s in pcap-ns pcap-be pcapng sll sll2 qinq null-loop linktype-ipv6 ipv6-ext hello-keepalive; do
	want=$("$PYTHON3" "$RT_SRC/tests/gen/pcapgen.py" --count $s)
	is "$(count -r "$tmp/$s.pcap")" "$want" "$s: $want SIP messages"
done

# nanosecond timestamps keep their microseconds (pcapgen writes odd ns values)
t=$("$RT_BIN" --messages -r "$tmp/pcap-ns.pcap" 2>/dev/null | head -1 | cut -f2)
tt=$(tshark -r "$tmp/pcap-ns.pcap" -c 1 -T fields -e frame.time_epoch 2>/dev/null | cut -c1-17)
if [ -n "$TSHARK" ]; then is "$t" "$tt" "nanosecond pcap: time matches tshark's to the microsecond"; else skip "tshark not installed"; fi

# stdin
is "$(cat "$tmp/reg-ok.pcap" | count -r -)" 4 "-r - reads stdin"

# several files: file name prefix, frame numbers restart at 1 (--no-merge:
# one after the other; both start at the same time, so merged by time they
# would interleave - tests/cli/input_formats.sh checks the merge)
"$RT_BIN" --messages --no-merge -r "$tmp/reg-ok.pcap" -r "$tmp/sll.pcap" > "$tmp/two" 2>/dev/null
is "$(wc -l < "$tmp/two")" 8 "two files: 8 lines"
is "$(cut -f1,2 "$tmp/two" | sed -n '5p')" "$tmp/sll.pcap	1" "second file: name prefix, frame restarts at 1"

# stdout holds only the message lines; the counts go to stderr
"$RT_BIN" --messages -r "$tmp/reg-ok.pcap" > "$tmp/out" 2> "$tmp/err"
is "$(grep -vc '^[0-9]' "$tmp/out")" 0 "--messages: stdout has message lines only"
grep -q '4 SIP messages' "$tmp/err"; ok $? "counts on stderr"

# BPF after the options, as tcpdump takes it
is "$(count -r "$tmp/reg-ok.pcap" 'udp and src host 198.51.100.5')" 2 "BPF 'src host' (the registrar) keeps the 2 responses"

# exit statuses
"$RT_BIN" --messages -r "$tmp/truncated.pcap" > "$tmp/out" 2> "$tmp/err"
is $? 3 "truncated input: exit 3"
is "$(wc -l < "$tmp/out")" 3 "truncated input: the 3 messages before the damage are listed"
is "$(grep -c 'truncated' "$tmp/err")" 1 "truncated input: one clear message"
grep -q "truncated.pcap" "$tmp/err" && grep -q "frame 3" "$tmp/err"; ok $? "message names the file and the last good frame"
"$RT_BIN" --messages -r "$tmp/missing.pcap" > /dev/null 2>&1
is $? 2 "unreadable input: exit 2"
"$RT_BIN" --no-such-option > /dev/null 2>&1
is $? 2 "usage error: exit 2"
"$RT_BIN" --messages -r "$tmp/reg-ok.pcap" 'this is not bpf' > /dev/null 2>&1
is $? 2 "bad BPF expression: exit 2"
printf 'not a capture at all\n' > "$tmp/garbage.pcap"
"$RT_BIN" --messages -r "$tmp/garbage.pcap" > /dev/null 2>&1
is $? 2 "garbage file: exit 2"
