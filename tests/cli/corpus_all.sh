#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# corpus_all.sh - every file of the shared corpus, however its SIP travels
# (TCP reassembly, IP fragments, GRE/IP-in-IP/GTP-U, HEP, WebSocket, SCTP):
# the number of `regtrace --messages` lines equals the manifest's sip_msgs
# (tshark's count; the HEP files were counted by decoding HEP, see the
# notes).  The port-6060 TCP file needs no option: SIP is found by content.
# Lab captures: the count in each .txt ("capture: NAME (N packets, M SIP
# messages)").
#
# The one file whose count differs is the fuzzed derivative of aaa.pcap
# (notes: MALFORMED).  Worked out by hand with tshark 4.0
# (tshark -r FILE -Y sip -T fields -e frame.number, compared line by line;
# that list is kept below for machines without tshark):
# regtrace lists two messages tshark does not, frames 108 and 348, status
# lines whose reason phrase holds a NUL byte ("401 Unauthori%s\0",
# "403 Wrong passw%s\0"): tshark's SIP heuristic rejects them and shows the
# packets as data; regtrace keeps them, marked malformed ("NUL byte in
# headers"), because a corrupted 401/403 is still evidence.  Every frame
# tshark lists, regtrace lists too (frame 247, a CANCEL whose request line
# ends in a lone CR, included).
. "$(dirname "$0")/../lib/tap.sh"
have_shared || skip_all "shared corpus not found at $RT_SHARED (set RT_SHARED)"
real=$RT_SHARED/captures/real
lab=$RT_SHARED/captures/lab
man=$real/MANIFEST.tsv
t=$(tmpdir)
trap 'rm -rf "$t"' EXIT
tail -n +2 "$man" | cut -f1,10 > "$t/sel"
nlab=$(ls "$lab"/*.txt 2>/dev/null | wc -l)
plan $(( $(wc -l < "$t/sel") + 2 + nlab ))
fuzz=ntop__nDPI__tests__cfgs__default__pcap__fuzz-2006-06-26-2594.pcap
# frames tshark 4.0 lists as SIP in the fuzzed file (see above)
fuzz_tshark_frames="19 20 31 32 107 121 144 155 169 170 182 227 247 249 251 252 253 257 259 260 264 266 325 326 327 349 421 430 432 442 453 454 516 524 526 527 539 548 550 578 580 581 602 603 617 620 621 622 639 640 648 650"
while IFS="$(printf '\t')" read -r file want; do
	"$RT_BIN" --messages -r "$real/$file" > "$t/out" 2>/dev/null
	got=$(wc -l < "$t/out")
	if [ "$file" = "$fuzz" ]; then
		is "$got" "$((want + 2))" "$file: $want (tshark) + 2: frames 108 and 348, status lines with a NUL byte tshark's heuristic rejects, listed malformed"
		extra=$(awk -F'\t' '$1 == 108 || $1 == 348 { print $1 ":" $NF }' "$t/out" | tr '\n' ' ')
		is "$extra" "108:malformed NUL byte in headers 348:malformed NUL byte in headers " \
			"$file: the 2 extra messages are frames 108 and 348, malformed (NUL byte)"
		continue
	fi
	is "$got" "$want" "$file: $want SIP messages (tshark)"
done < "$t/sel"

# the fuzzed file: every frame tshark lists is listed (nothing lost);
# re-derived with tshark when it is installed
"$RT_BIN" --messages -r "$real/$fuzz" 2>/dev/null | cut -f1 | sort -n > "$t/rt"
if [ -n "$TSHARK" ]; then
	"$TSHARK" -r "$real/$fuzz" -Y sip -T fields -e frame.number 2>/dev/null | sort -n > "$t/ts"
else
	printf '%s\n' $fuzz_tshark_frames | sort -n > "$t/ts"
fi
missing=$(comm -23 "$t/ts" "$t/rt" | tr '\n' ' ')
is "$missing" "" "$fuzz: no frame tshark lists as SIP is missing"

for txt in "$lab"/*.txt; do
	name=$(sed -n 's/^capture: \([^ ]*\) (.*/\1/p' "$txt" | head -1)
	want=$(sed -n 's/^capture: [^ ]* ([0-9]* packets, \([0-9]*\) SIP messages).*/\1/p' "$txt" | head -1)
	got=$("$RT_BIN" --messages -r "$lab/$name" 2>/dev/null | wc -l)
	is "$got" "$want" "lab/$name: $want SIP messages (its .txt)"
done
