#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# write_rotate.sh - -C / -W / -G as tcpdump(8) rotates.  The lab capture of
# 1000 registering users is SIP only (tshark: no packet is not SIP), so -w
# writes every packet and tcpdump itself, given the same -C / -W, is the
# oracle for names and where each file ends.  -G (capture time here,
# tcpdump uses the clock) is checked against a split worked out from
# tshark's packet times.
. "$(dirname "$0")/../lib/tap.sh"
have_shared || skip_all "shared corpus not found at $RT_SHARED (set RT_SHARED)"
command -v tcpdump > /dev/null || skip_all "tcpdump not installed"
command -v tshark > /dev/null || skip_all "tshark not installed"
plan 11
T=$(tmpdir)
trap 'rm -rf "$T"' EXIT
IN=$RT_SHARED/captures/lab/13_concurrent_1000_users.pcap
zroot=
[ "$(id -u)" = 0 ] && zroot="-Z root"
is "$(tshark -r "$IN" -Y '!sip' 2> /dev/null | wc -l)" 0 "the input is SIP only"

# what a set of files holds: name and packet count, one per line
sizes() {  # sizes DIR PREFIX
	for f in "$1"/"$2"*; do
		printf '%s %s\n' "${f##*/$2}" "$(tshark -r "$f" 2> /dev/null | wc -l)"
	done
}
rot() {  # rot NAME -C/-W args...
	name=$1
	shift
	mkdir -p "$T/$name"
	# as root tcpdump drops to its own user before the first -C file: keep root
	tcpdump $zroot -r "$IN" -w "$T/$name/t" "$@" 2> /dev/null
	"$RT_BIN" -r "$IN" -w "$T/$name/r" "$@" --report > /dev/null 2> "$T/$name.err"
	is "$?" 0 "$name: exit 0"
	sizes "$T/$name" t > "$T/$name.want"
	sizes "$T/$name" r > "$T/$name.have"
	if [ "$(wc -l < "$T/$name.want")" -gt 1 ] && cmp -s "$T/$name.want" "$T/$name.have"; then
		pass "$name: the files tcpdump makes: $(tr '\n' ' ' < "$T/$name.want")"
	else
		fail "$name: files differ from tcpdump's"
		diff "$T/$name.want" "$T/$name.have" | sed 's/^/# /'
	fi
}
rot "-C 1" -C 1
rot "-C 1 -W 2 (a ring)" -C 1 -W 2
rot "-C 1 -W 12 (two digits)" -C 1 -W 12
is "$(ls "$T/-C 1 -W 12 (two digits)" | grep '^r' | tr '\n' ' ')" "r00 r01 r02 " "-W 12: counts in two digits"

# -G 2 on capture time, names by strftime %s: a new file when a packet is
# 2 s or more after the one that began the current file
mkdir "$T/g"
TZ=UTC "$RT_BIN" -r "$IN" -w "$T/g/g-%s" -G 2 --report > /dev/null 2>&1
tshark -r "$IN" -T fields -e frame.time_epoch 2> /dev/null | "$PYTHON3" -c '
import sys
files, g = {}, None
for line in sys.stdin:
    t = int(float(line))
    if g is None or t - g >= 2:
        g = t
    files[g] = files.get(g, 0) + 1
for k in sorted(files):
    print(k, files[k])
' > "$T/g.want"
sizes "$T/g" g- > "$T/g.have"
cmp -s "$T/g.want" "$T/g.have"; ok $? "-G 2: $(tr '\n' ' ' < "$T/g.want")(from tshark's times)"
# -G with -W: no more than W files, the rest counted
mkdir "$T/gw"
TZ=UTC "$RT_BIN" -r "$IN" -w "$T/gw/g-%s" -G 2 -W 2 --report > /dev/null 2> "$T/gw.err"
rest=$(tail -n +3 "$T/g.want" | awk '{ n += $2 } END { print n + 0 }')
is "$(ls "$T/gw" | wc -l)/$(grep -c "after the -W limit" "$T/gw.err")" "2/1" "-G 2 -W 2: two files"
grep -q "^regtrace: -w: $rest packets not written (0 the file could not take, 0 of another link type, $rest after the -W limit)" "$T/gw.err"
ok $? "-G 2 -W 2: the $rest packets after the second file are counted"
