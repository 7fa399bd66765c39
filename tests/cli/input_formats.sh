#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# input_formats.sh - pcapng with several interfaces and sections, compressed
# input, lenient start lines (tests/gen/capgen_input.py), against tshark's own
# message list (tests/lib/tshark_messages.py) and what the generator states.
#
# Where tshark 4.0 differs, the check says so instead of pretending:
#   - a Simple Packet Block has no timestamp: tshark prints an empty epoch
#     (".000000" after tshark_messages.py), regtrace 0.000000;
#   - frame.interface_id of section 2 is the section's own id (0) in tshark
#     4.0; regtrace numbers interfaces over the whole file (4), as the
#     generator states;
#   - tshark stops at the block whose length lies; regtrace counts it and
#     reads on: the messages before it are tshark's, the rest the generator's;
#   - tshark does not take the lenient start lines as SIP at all: it lists
#     the canonical ones, regtrace all of them, marked start_line;
#   - tshark 4.0 reads gzip, zstd and lz4 but not xz;
#   - a merged set is checked against tshark on mergecap -w's file, whose
#     frame numbers run over the whole set: regtrace keeps them per file;
#     inputs that do not overlap are read in the given order, checked on
#     mergecap -a's file (concatenated) the same way.
. "$(dirname "$0")/../lib/tap.sh"
plan 32
tmp=$(tmpdir)
trap 'rm -rf "$tmp"' EXIT
g=$tmp/gen
if ! "$PYTHON3" "$RT_SRC/tests/gen/capgen_input.py" "$g" 2>"$tmp/gen.err"; then
	diag "$(cat "$tmp/gen.err")"
	while [ "$_tap_n" -lt 32 ]; do fail "capgen_input.py failed"; done
	exit 0
fi
have_ts=0
[ -n "$TSHARK" ] && [ "$TSHARK" != no ] && command -v "$TSHARK" >/dev/null 2>&1 && have_ts=1
tsm() { "$PYTHON3" "$RT_SRC/tests/lib/tshark_messages.py" "$@" 2>/dev/null | sed 's/\t\.000000\t/\t0.000000\t/'; }
msgs() { "$RT_BIN" -r "$1" --messages 2>/dev/null; }
# the --messages view without the interface column
noif() { sed 's/^if[0-9]*\t//'; }

# ---- multi.pcapng: 4 link types, 2 sections, PB/SPB, skipped blocks
msgs "$g/multi.pcapng" > "$tmp/multi.rt"
if [ $have_ts = 1 ]; then
	tsm "$g/multi.pcapng" > "$tmp/multi.ts"
	noif < "$tmp/multi.rt" > "$tmp/multi.rt0"
	if [ -s "$tmp/multi.ts" ] && cmp -s "$tmp/multi.ts" "$tmp/multi.rt0"; then
		pass "multi.pcapng: tshark's $(wc -l < "$tmp/multi.ts") messages, in tshark's order and frames"
	else
		fail "multi.pcapng: differs from tshark"; diff "$tmp/multi.ts" "$tmp/multi.rt0" | head | sed 's/^/# /'
	fi
	"$TSHARK" -r "$g/multi.pcapng" -Y sip -T fields -e frame.number -e frame.interface_id \
		-e frame.section_number 2>/dev/null | awk -F'\t' '$3 == 1 { print "if" $2 "\t" $1 }' > "$tmp/if.ts"
	cut -f1,2 "$tmp/multi.rt" | awk -F'\t' '$1 != "if4"' > "$tmp/if.rt"
	if [ -s "$tmp/if.ts" ] && cmp -s "$tmp/if.ts" "$tmp/if.rt"; then
		pass "multi.pcapng: section 1 interfaces as tshark's frame.interface_id"
	else
		fail "multi.pcapng: interfaces differ from tshark"; diff "$tmp/if.ts" "$tmp/if.rt" | head | sed 's/^/# /'
	fi
else
	skip "multi.pcapng: tshark not found"
	skip "multi.pcapng interfaces: tshark not found"
fi
# what the generator wrote: label, Call-ID, interface, in order
awk -F'\t' '{ print "if" $3 "\t" $1 "\t" $2 }' "$g/multi.pcapng.expect" > "$tmp/multi.want"
awk -F'\t' '{ print $1 "\t" $6 "\t" $7 }' "$tmp/multi.rt" > "$tmp/multi.got"
if cmp -s "$tmp/multi.want" "$tmp/multi.got"; then
	pass "multi.pcapng: the generator's 16 messages and interfaces (section 2's is 4)"
else
	fail "multi.pcapng: differs from the generator"; diff "$tmp/multi.want" "$tmp/multi.got" | head | sed 's/^/# /'
fi
"$RT_BIN" -r "$g/multi.pcapng" --json=- 2>/dev/null > "$tmp/multi.json"
got=$("$PYTHON3" -c '
import json, sys
d = json.load(open(sys.argv[1]))
f = d["capture"]["files"][0]
print(",".join("%s/%d/%s" % (i["name"], i["linktype"], i["comment"]) for i in f["interfaces"]),
      f.get("tls_keylog_bytes"), f["pcapng_anomalies"]["unknown_blocks"],
      sorted(set(m.get("interface") for m in d["messages"])))' "$tmp/multi.json" 2>&1)
# link types as libpcap reports them (DLT_RAW 12 for LINKTYPE_RAW 101); the
# key log line is 14 + 64 + 1 + 96 + 1 bytes; one block of an unknown type
is "$got" "eth0/1/uplink,lo0/0/None,any/276/None,tun0/12/None,eth1/1/None 176 1 [0, 1, 2, 3, 4]" \
	"multi.pcapng JSON: interfaces, names, comment, TLS key log, skipped block"
"$RT_BIN" -r "$g/multi.pcapng" --messages 2>&1 >/dev/null | grep -q "1 pcapng blocks of types we do not read were skipped"
ok $? "multi.pcapng: the skipped block is said on stderr"

# ---- lying.pcapng: the block of message 7 says 4 bytes more than it has
msgs "$g/lying.pcapng" > "$tmp/lying.rt"
if [ $have_ts = 1 ]; then
	"$TSHARK" -r "$g/lying.pcapng" -Y sip -T fields -e frame.number -e sip.Call-ID 2>/dev/null > "$tmp/lying.ts"
	cut -f2,7 "$tmp/lying.rt" | head -n "$(wc -l < "$tmp/lying.ts")" > "$tmp/lying.rt0"
	n=$(wc -l < "$tmp/lying.ts")
	if [ "$n" -gt 0 ] && cmp -s "$tmp/lying.ts" "$tmp/lying.rt0"; then
		pass "lying.pcapng: tshark's $n messages before the lying block"
	else
		fail "lying.pcapng: the part tshark reads differs"; diff "$tmp/lying.ts" "$tmp/lying.rt0" | head | sed 's/^/# /'
	fi
else
	skip "lying.pcapng: tshark not found"
fi
awk -F'\t' 'NR != 7 { print $1 "\t" $2 }' "$g/lying.pcapng.expect" > "$tmp/lying.want"
cut -f6,7 "$tmp/lying.rt" > "$tmp/lying.got"
if cmp -s "$tmp/lying.want" "$tmp/lying.got"; then
	pass "lying.pcapng: every message but the lying block's, read after it"
else
	fail "lying.pcapng: not the generator's messages"; diff "$tmp/lying.want" "$tmp/lying.got" | head | sed 's/^/# /'
fi
"$RT_BIN" -r "$g/lying.pcapng" --messages 2>&1 >/dev/null | grep -q "1 blocks with a length that lies"
ok $? "lying.pcapng: the anomaly is named on stderr"
got=$("$RT_BIN" -r "$g/lying.pcapng" --json=- 2>/dev/null | "$PYTHON3" -c '
import json, sys; print(json.load(sys.stdin)["capture"]["files"][0]["pcapng_anomalies"]["bad_block_length"])' 2>&1)
is "$got" 1 "lying.pcapng JSON: pcapng_anomalies.bad_block_length"

# ---- compressed, by content: files and stdin
for z in gzip zstd lz4 xz; do
	if ! command -v $z >/dev/null 2>&1; then
		skip "$z: $z not found"; skip "$z stdin: $z not found"
		continue
	fi
	$z -c < "$g/multi.pcapng" > "$tmp/c.$z.bin" 2>/dev/null
	msgs "$tmp/c.$z.bin" > "$tmp/c.rt"
	if [ $have_ts = 1 ] && [ $z != xz ]; then
		tsm "$tmp/c.$z.bin" > "$tmp/c.ts"
		noif < "$tmp/c.rt" > "$tmp/c.rt0"
		if [ -s "$tmp/c.ts" ] && cmp -s "$tmp/c.ts" "$tmp/c.rt0" && cmp -s "$tmp/c.rt" "$tmp/multi.rt"; then
			pass "$z: multi.pcapng compressed (no telling name) gives tshark's messages"
		else
			fail "$z: differs from tshark on the same file"
		fi
	else
		# tshark 4.0 has no xz reader: the uncompressed file's list, checked above
		cmp -s "$tmp/c.rt" "$tmp/multi.rt"
		ok $? "$z: multi.pcapng compressed gives the uncompressed file's messages"
	fi
	$z -c < "$g/lenient.pcap" | "$RT_BIN" -r - --messages > "$tmp/s.rt" 2>/dev/null
	msgs "$g/lenient.pcap" > "$tmp/s.want"
	if [ -s "$tmp/s.want" ] && cmp -s "$tmp/s.rt" "$tmp/s.want"; then
		pass "$z stdin: a compressed classic pcap on stdin reads as the file"
	else
		fail "$z stdin: differs"
	fi
done
got=$(gzip -c < "$g/multi.pcapng" | "$RT_BIN" -r - --json=- 2>/dev/null | "$PYTHON3" -c '
import json, sys; print(json.load(sys.stdin)["capture"]["files"][0].get("compression"))' 2>&1)
is "$got" gzip "JSON names the compression"

# ---- lenient start lines
msgs "$g/lenient.pcap" > "$tmp/len.rt"
if [ $have_ts = 1 ]; then
	tsm "$g/lenient.pcap" > "$tmp/len.ts"
	awk -F'\t' '$3 == "True" { print $2 }' "$g/lenient.pcap.expect" > "$tmp/len.canon"
	cut -f6 "$tmp/len.ts" > "$tmp/len.tscid"
	grep -F -f "$tmp/len.canon" "$tmp/len.rt" > "$tmp/len.rt0"
	if cmp -s "$tmp/len.canon" "$tmp/len.tscid" && cmp -s "$tmp/len.ts" "$tmp/len.rt0"; then
		pass "lenient.pcap: the canonical lines are tshark's messages"
	else
		fail "lenient.pcap: canonical lines differ from tshark"
	fi
else
	skip "lenient.pcap: tshark not found"
fi
cut -f1,2 "$g/lenient.pcap.expect" > "$tmp/len.want"
cut -f5,6 "$tmp/len.rt" > "$tmp/len.got"
if cmp -s "$tmp/len.want" "$tmp/len.got"; then
	pass "lenient.pcap: all 7 start lines read, with the reason phrase as sent"
else
	fail "lenient.pcap: not as written"; diff "$tmp/len.want" "$tmp/len.got" | sed 's/^/# /'
fi
got=$("$RT_BIN" -r "$g/lenient.pcap" --json=- 2>/dev/null | "$PYTHON3" -c '
import json, sys
print(" ".join(str("start_line" in m.get("lenient", [])) for m in json.load(sys.stdin)["messages"]))' 2>&1)
want=$(awk -F'\t' '{ printf "%s%s", (NR > 1 ? " " : ""), ($3 == "True" ? "False" : "True") }' "$g/lenient.pcap.expect")
is "$got" "$want" "lenient.pcap JSON: start_line exactly on the repaired lines"
# ---- a rotated set, merged by time (mergecap's order), frames per file
"$RT_BIN" -r "$g/rot*.pcap" --messages 2>/dev/null > "$tmp/rot.rt"
if [ $have_ts = 1 ] && command -v mergecap >/dev/null 2>&1; then
	mergecap -w "$tmp/rot.merged" "$g/rot3.pcap" "$g/rot1.pcap" "$g/rot2.pcap" 2>/dev/null
	tsm "$tmp/rot.merged" | cut -f2- > "$tmp/rot.ts"
	cut -f3- "$tmp/rot.rt" > "$tmp/rot.rt0"
	if [ -s "$tmp/rot.ts" ] && cmp -s "$tmp/rot.ts" "$tmp/rot.rt0"; then
		pass "rot*.pcap (a quoted glob): mergecap's order, tshark's messages"
	else
		fail "rot*.pcap: differs from mergecap + tshark"; diff "$tmp/rot.ts" "$tmp/rot.rt0" | head | sed 's/^/# /'
	fi
else
	skip "rot*.pcap: tshark or mergecap not found"
fi
# frames per file: the n-th message of rotN is frame n there
for n in 1 2 3; do awk -F'\t' -v f="$g/rot$n.pcap" '{ print f "\t" NR "\t" $1 "\t" $2 }' "$g/rot$n.pcap.expect"; done |
	sort > "$tmp/rot.want"
awk -F'\t' '{ print $1 "\t" $2 "\t" $6 "\t" $7 }' "$tmp/rot.rt" | sort > "$tmp/rot.got"
cmp -s "$tmp/rot.want" "$tmp/rot.got"
ok $? "rot*.pcap: frame numbers stay per file"
"$RT_BIN" -r "$g/rot2.pcap" -r "$g/rot1.pcap" --no-merge --messages 2>/dev/null | cut -f1,2 > "$tmp/nm.got"
for n in 2 1; do awk -v f="$g/rot$n.pcap" '{ print f "\t" NR }' "$g/rot$n.pcap.expect"; done > "$tmp/nm.want"
cmp -s "$tmp/nm.want" "$tmp/nm.got"
ok $? "--no-merge: one file after the other, in the given order"
gzip -c < "$g/rot2.pcap" > "$tmp/rot2.pcap.gz"
cp "$g/rot1.pcap" "$g/rot3.pcap" "$tmp/"
"$RT_BIN" -r "$tmp/rot*.pcap*" --messages 2>/dev/null | cut -f3- > "$tmp/rotz.rt"
cmp -s "$tmp/rotz.rt" "$tmp/rot.rt0" 2>/dev/null || cut -f3- "$tmp/rot.rt" | cmp -s - "$tmp/rotz.rt"
ok $? "a rotated set with a gzip member merges the same"
# ---- inputs that do not overlap: in the given order (mergecap -a), each on
# its own clock: late.pcap given first starts 600 s after early.pcap
"$RT_BIN" -r "$g/late.pcap" -r "$g/early.pcap" --messages 2>"$tmp/ap.err" > "$tmp/ap.rt"
if [ $have_ts = 1 ] && command -v mergecap >/dev/null 2>&1; then
	mergecap -a -w "$tmp/ap.cat" "$g/late.pcap" "$g/early.pcap" 2>/dev/null
	tsm "$tmp/ap.cat" | cut -f2- > "$tmp/ap.ts"
	cut -f3- "$tmp/ap.rt" > "$tmp/ap.rt0"
	if [ -s "$tmp/ap.ts" ] && cmp -s "$tmp/ap.ts" "$tmp/ap.rt0"; then
		pass "late.pcap early.pcap (no overlap): the given order, mergecap -a's, tshark's messages"
	else
		fail "late early: differs from mergecap -a + tshark"; diff "$tmp/ap.ts" "$tmp/ap.rt0" | head | sed 's/^/# /'
	fi
	# rot3 first, then rot2 and rot1 (they overlap: one unit, merged, where rot2 stands)
	mergecap -w "$tmp/rot21" "$g/rot2.pcap" "$g/rot1.pcap" 2>/dev/null
	mergecap -a -w "$tmp/rot321" "$g/rot3.pcap" "$tmp/rot21" 2>/dev/null
	tsm "$tmp/rot321" | cut -f2- > "$tmp/rot321.ts"
	"$RT_BIN" -r "$g/rot3.pcap" -r "$g/rot2.pcap" -r "$g/rot1.pcap" --messages 2>/dev/null | cut -f3- > "$tmp/rot321.rt"
	if [ -s "$tmp/rot321.ts" ] && cmp -s "$tmp/rot321.ts" "$tmp/rot321.rt"; then
		pass "rot3 rot2 rot1: rot3 first (given order), then rot1+rot2 merged by time"
	else
		fail "rot3 rot2 rot1: differs from mergecap -a rot3 (mergecap rot2 rot1)"
		diff "$tmp/rot321.ts" "$tmp/rot321.rt" | head | sed 's/^/# /'
	fi
	# outcomes worked out from tshark's lists (tests/cli/apart_expect.py)
	"$PYTHON3" "$RT_SRC/tests/cli/apart_expect.py" want "$g/late.pcap" "$g/early.pcap" > "$tmp/ap.want" 2>/dev/null
	for how in "" "REGTRACE_THREADS=1" "--no-merge"; do
		case $how in
		--no-merge) "$RT_BIN" -r "$g/late.pcap" -r "$g/early.pcap" --no-merge --json=- ;;
		?*) env "$how" "$RT_BIN" -r "$g/late.pcap" -r "$g/early.pcap" --json=- ;;
		*) "$RT_BIN" -r "$g/late.pcap" -r "$g/early.pcap" --json=- ;;
		esac 2>/dev/null | "$PYTHON3" "$RT_SRC/tests/cli/apart_expect.py" got > "$tmp/ap.got" 2>&1
		if [ "$(wc -l < "$tmp/ap.want")" -ge 17 ] && cmp -s "$tmp/ap.want" "$tmp/ap.got"; then
			pass "late early ${how:-(merge)}: every REGISTER transaction and AOR as worked out from tshark (none timed out across the boundary)"
		else
			fail "late early ${how:-(merge)}: outcomes differ"; diff "$tmp/ap.want" "$tmp/ap.got" | head -20 | sed 's/^/# /'
		fi
	done
else
	for n in 1 2 3 4 5; do skip "late early: tshark or mergecap not found"; done
fi
n=$(grep -c 'early.pcap starts 645.010 s before' "$tmp/ap.err")
is "$n" 1 "the time going back at early.pcap is said once on stderr"
# findings as they happen across the rewind: the --jsonl finding lines are
# the batch's (--json) - none lost, none made up on the wrong clock
fl() { "$PYTHON3" -c '
import json, sys
text = sys.stdin.read()
try:
    rows = json.loads(text)["findings"]          # --json: one document
except ValueError:
    rows = [json.loads(l) for l in text.splitlines() if l.strip()]   # --jsonl lines
print("\n".join(sorted("%s %s %s" % (f["rule"], f.get("aor"), f["frames"]) for f in rows
                        if f.get("type", "finding") == "finding")))'; }
"$RT_BIN" -r "$g/late.pcap" -r "$g/early.pcap" --jsonl 2>/dev/null | grep '"type":"finding"' | fl > "$tmp/ap.jl"
"$RT_BIN" -r "$g/late.pcap" -r "$g/early.pcap" --json=- 2>/dev/null | fl > "$tmp/ap.js"
if [ -s "$tmp/ap.js" ] && cmp -s "$tmp/ap.js" "$tmp/ap.jl"; then
	pass "late early --jsonl: the $(wc -l < "$tmp/ap.js") findings written are the batch's"
else
	fail "late early --jsonl: findings differ from --json's"; diff "$tmp/ap.js" "$tmp/ap.jl" | head | sed 's/^/# /'
fi
tap_done
