#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# write_errors.sh - -w that cannot be written: a missing directory is one
# line and exit 2 before anything is read; a full disk (/dev/full, a 64 KiB
# tmpfs) is said once, the capture goes on to its report, every packet is
# either in the files or counted, and the exit status is 2; a directory
# the dropped user cannot write fails at rotation, counted, never a hang.
. "$(dirname "$0")/../lib/tap.sh"
have_shared || skip_all "shared corpus not found at $RT_SHARED (set RT_SHARED)"
command -v tshark > /dev/null || skip_all "tshark not installed"
plan 14
T=$(tmpdir)
trap 'umount "$T/small" 2> /dev/null; rm -rf "$T"' EXIT
SMALL=$RT_SHARED/captures/lab/01_register_auth_udp.pcap
BIG=$RT_SHARED/captures/lab/13_concurrent_1000_users.pcap
nsip() { tshark -r "$1" -Y sip 2> /dev/null | wc -l; }

"$RT_BIN" -r "$SMALL" -w "$T/no/such/dir/x.pcap" --report > "$T/o" 2> "$T/e"
is "$?/$(wc -c < "$T/o")/$(wc -l < "$T/e")" "2/0/1" "missing directory: exit 2, no report, one line"
grep -q "^regtrace: -w $T/no/such/dir/x.pcap: cannot open: No such file or directory$" "$T/e"
ok $? "missing directory: the line names the file and the reason"

"$RT_BIN" -r "$SMALL" -w /dev/full --report > "$T/o" 2> "$T/e"
is "$?" 2 "/dev/full: exit 2"
n=$(nsip "$SMALL")
grep -q "^regtrace: -w /dev/full: cannot write: No space left on device; what is not written is counted$" "$T/e" &&
	grep -q "^regtrace: -w: $n packets not written ($n the file could not take" "$T/e"
ok $? "/dev/full: said once, the $n SIP packets counted as not written"
grep -q "^1 AORs" "$T/o"; ok $? "/dev/full: the report is still written"

if [ "$(id -u)" = 0 ] && mkdir "$T/small" && mount -t tmpfs -o size=64k tmpfs "$T/small" 2> /dev/null; then
	total=$(nsip "$BIG")
	timeout 60 "$RT_BIN" -r "$BIG" -w "$T/small/r" -C 16k --json="$T/j" --report > "$T/o" 2> "$T/e"
	is "$?" 2 "64 KiB tmpfs: exit 2 (not a hang: timeout 60)"
	"$PYTHON3" - "$T/j" > "$T/w" <<'PY'
import json, sys
w = json.load(open(sys.argv[1]))["capture"]["write"]
print(w["packets"], w["failed"], w["files"], w["error"] is not None)
PY
	read -r wrote failed files err < "$T/w"
	inside=0
	for f in "$T/small"/r*; do inside=$((inside + $(tshark -r "$f" 2> /dev/null | wc -l))); done
	diag "written $wrote, failed $failed, $files files opened, tshark reads $inside packets in them"
	[ "$wrote" -gt 0 ] && [ "$failed" -gt 0 ] && [ $((wrote + failed)) -eq "$total" ]
	ok $? "64 KiB tmpfs: written + not written = the $total SIP packets"
	[ "$inside" -ge "$wrote" ]; ok $? "64 KiB tmpfs: tshark reads at least the $wrote counted as written"
	is "$(grep -c 'No space left on device' "$T/e")/$err" "1/True" "64 KiB tmpfs: said once, JSON has the error"
	umount "$T/small"
else
	skip "no tmpfs (needs root)"; skip "no tmpfs"; skip "no tmpfs"; skip "no tmpfs"
fi

if [ "$(id -u)" = 0 ] && id nobody > /dev/null 2>&1; then
	mkdir "$T/rootonly" && chmod 755 "$T/rootonly" && chmod 755 "$T"
	# -r with -Z drops before reading: nobody must read the input
	cp "$BIG" "$T/in.pcap" && chmod 644 "$T/in.pcap"
	timeout 60 "$RT_BIN" -Z nobody -r "$T/in.pcap" -w "$T/rootonly/r" -C 1 --report > "$T/o" 2> "$T/e"
	is "$?" 2 "a directory nobody cannot write: exit 2 (timeout 60)"
	grep -q "^regtrace: -w $T/rootonly/r1: cannot open: Permission denied; what is not written is counted (the next file is tried at rotation)$" "$T/e" &&
		[ "$(tshark -r "$T/rootonly/r" 2> /dev/null | wc -l)" -gt 0 ] && grep -q "^1000 AORs" "$T/o"
	ok $? "rotation refused: the first file (opened as root) is kept, the rest counted, the report written"
	grep -q "^regtrace: -w: $T/rootonly is not writable by nobody: the rotated files cannot be made" "$T/e"
	ok $? "said before the capture: the directory is not writable by the user run as"
	# a directory nobody may write: the ring (-W 2) reopens the first file as nobody
	mkdir "$T/ring" && chown nobody "$T/ring"
	timeout 60 "$RT_BIN" -Z nobody -r "$T/in.pcap" -w "$T/ring/r" -C 1 -W 2 --report > "$T/o2" 2> "$T/e2"
	rc=$?
	owner=$(stat -c %U "$T/ring/r0" 2> /dev/null)
	n=$(for f in "$T"/ring/r0 "$T"/ring/r1; do tshark -r "$f" 2> /dev/null | wc -l; done | awk '{s += $1} END {print s + 0}')
	is "$rc $owner $(grep -c 'cannot open' "$T/e2")" "0 nobody 0" "-Z nobody -C 1 -W 2: the first file handed to nobody, the ring reopens it, exit 0"
	[ "$n" -gt 0 ]
	ok $? "tshark reads the ring's two files ($n packets)"
else
	skip "needs root and a nobody user"; skip "needs root"; skip "needs root"; skip "needs root"; skip "needs root"
fi
