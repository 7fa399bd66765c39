#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# write_select.sh - -w with --aor/--state/--finding writes the packets of the
# selected registrations' dialogs, every TCP segment and IP fragment of
# their messages included, in capture order.  The expected packets are
# tshark's: the frames its filter on the input selects plus the
# tcp.segment / ip.fragment frames it reassembled them from (tests/gen/wselgen.py:
# alice over TCP in segments, one shared with dave's OPTIONS; bob's REGISTER
# in IP fragments; carol plain UDP).  Packets are matched by capture time
# (unique in the input).
. "$(dirname "$0")/../lib/tap.sh"
command -v tshark > /dev/null || skip_all "tshark not installed"
command -v mergecap > /dev/null || skip_all "mergecap not installed"
plan 22
T=$(tmpdir)
trap 'rm -rf "$T"' EXIT
"$PYTHON3" "$RT_SRC/tests/gen/wselgen.py" "$T/in.pcap"
"$PYTHON3" "$RT_SRC/tests/gen/wselgen.py" --sll "$T/sll.pcap"
ts() { tshark -r "$@" 2> /dev/null; }

# the capture times of what tshark's filter selects, with the segments
# and fragments of those messages
expect() {  # expect FILE FILTER
	frames=$(ts "$1" -Y "$2" -T fields -e frame.number -e tcp.segment -e ip.fragment |
		tr '\t,' '\n\n' | sed '/^$/d' | sort -n -u | tr '\n' ',' | sed 's/,$//')
	[ -n "$frames" ] || return
	ts "$1" -Y "frame.number in {$(echo "$frames" | sed "s/,/, /g")}" -T fields -e frame.time_epoch
}
got() { ts "$1" -T fields -e frame.time_epoch; }
party() { echo "sip.to.user == \"$1\" || sip.from.user == \"$1\""; }

check() {  # check NAME FILTER regtrace-selection...
	name=$1 filter=$2
	shift 2
	expect "$T/in.pcap" "$filter" > "$T/want"
	"$RT_BIN" -r "$T/in.pcap" "$@" -w "$T/out.pcap" --report > /dev/null 2> "$T/err"
	is "$?" 0 "$name: exit 0"
	got "$T/out.pcap" > "$T/have"
	if [ -s "$T/want" ] && cmp -s "$T/want" "$T/have"; then
		pass "$name: the $(wc -l < "$T/want") packets tshark's filter predicts, in capture order"
	else
		fail "$name: packets differ from tshark's"
		diff "$T/want" "$T/have" | sed 's/^/# /'
	fi
	# re-read: tshark and regtrace find the selected messages, no others
	ts "$T/in.pcap" -Y "sip && ($filter)" -T fields -e sip.Call-ID -e sip.CSeq > "$T/m.want"
	ts "$T/out.pcap" -Y sip -T fields -e sip.Call-ID -e sip.CSeq > "$T/m.tshark"
	"$RT_BIN" -r "$T/out.pcap" --messages 2> /dev/null | cut -f6 > "$T/m.rt"
	cut -f1 "$T/m.want" > "$T/m.want.cid"
	if cmp -s "$T/m.want" "$T/m.tshark" && cmp -s "$T/m.want.cid" "$T/m.rt"; then
		pass "$name: tshark and regtrace read the same $(wc -l < "$T/m.want") messages back"
	else
		fail "$name: messages read back differ"
		diff "$T/m.want" "$T/m.tshark" | sed 's/^/# tshark /'
		diff "$T/m.want.cid" "$T/m.rt" | sed 's/^/# regtrace /'
	fi
}

check "--aor alice (TCP segments, a segment shared with dave)" "$(party alice)" --aor 'sip:alice@*'
check "--state failed (bob: IP fragments)" "$(party bob)" --state failed
check "--finding REG-404" "$(party bob)" --finding REG-404
check "--aor carol or bob" "$(party carol) || $(party bob)" --aor 'sip:carol@*' --aor 'sip:bob@*'

# stdin cannot be read twice: the packets are held instead, same result
expect "$T/in.pcap" "$(party alice)" > "$T/want"
"$RT_BIN" -r - --aor 'sip:alice@*' -w "$T/hold.pcap" --report < "$T/in.pcap" > /dev/null 2> "$T/err"
got "$T/hold.pcap" > "$T/have"
cmp -s "$T/want" "$T/have"; ok $? "stdin (held): alice's $(wc -l < "$T/want") packets, as from the file"

# a hold buffer too small: evictions are counted, on stderr and in JSON
"$RT_BIN" -r - --aor 'sip:alice@*' -w "$T/tiny.pcap" --write-hold 1k --json="$T/tiny.json" \
	< "$T/in.pcap" > /dev/null 2> "$T/err"
"$PYTHON3" - "$T/tiny.json" > "$T/w" <<'PY'
import json, sys
w = json.load(open(sys.argv[1]))["capture"]["write"]
print(w["held"], w["evicted"], w["evicted_selected"], w["packets"], w["selection"])
PY
read -r held ev evsel wrote selflag < "$T/w"
diag "hold 1k: held $held, evicted $ev ($evsel of alice's), written $wrote"
# tshark: 18 of the 21 packets carry SIP (the handshake does not)
is "$held" "$(ts "$T/in.pcap" -Y 'sip || tcp.len > 0 || ip.flags.mf == 1 || ip.frag_offset > 0' | wc -l)" \
	"every SIP-carrying packet went through the hold buffer"
[ "$ev" -gt 0 ] && [ "$evsel" -gt 0 ] && [ $((wrote + evsel)) -eq "$(wc -l < "$T/want")" ]
ok $? "evicted counted: written + evicted of alice's = alice's $(wc -l < "$T/want") packets"
grep -q "^regtrace: -w: $ev held packets evicted (--write-hold) before a registration of theirs was selected; $evsel of them" "$T/err"
ok $? "stderr says the same counts"
is "$selflag" "True" "JSON capture.write.selection"

# pcapng: one interface block per link type, both written
mergecap -w "$T/mixed.pcapng" "$T/in.pcap" "$T/sll.pcap"
"$RT_BIN" -r "$T/mixed.pcapng" --pcapng -w "$T/o.pcapng" --report > /dev/null 2>&1
is "$(capinfos -t "$T/o.pcapng" 2> /dev/null | sed -n 's/^File type: *//p')" "Wireshark/... - pcapng" "--pcapng writes pcapng"
is "$(ts "$T/o.pcapng" -T fields -e frame.interface_id -e frame.encap_type | sort -u | tr '\n' ' ')" \
	"$(printf '0\t1 1\t25 ')" "two interfaces: Ethernet and Linux SLL"
is "$(ts "$T/o.pcapng" -Y sip | wc -l)" "$(ts "$T/mixed.pcapng" -Y sip | wc -l)" "pcapng: every SIP message of both link types"
"$RT_BIN" -r "$T/mixed.pcapng" -w "$T/o.pcap" --report > /dev/null 2> "$T/err"
grep -q "^regtrace: -w: 2 packets not written (0 the file could not take, 2 of another link type" "$T/err"
ok $? "classic pcap: the SLL packets are counted as another link type"
"$RT_BIN" -r "$T/mixed.pcapng" --aor 'sip:erin@*' --pcapng -w "$T/e.pcapng" --report > /dev/null 2>&1
is "$(ts "$T/e.pcapng" -T fields -e frame.time_epoch | tr '\n' ' ')" \
	"$(expect "$T/mixed.pcapng" "$(party erin)" | tr '\n' ' ')" "--pcapng --aor erin: erin's SLL packets"
