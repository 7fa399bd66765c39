#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# pipeline.sh - reading files on two threads (src/input/pipeline.c) gives exactly
# what the one-thread path gives: the same JSON document (messages with raw
# text, transactions, registrations, findings, stats) and the same summary
# on stderr, for every bundled and shared capture.  The one-thread path is
# the one the golden, ground-truth and tshark comparisons were checked on;
# the captures with more than one batch (512 items) of messages and the TCP
# ones (streams flushed on the reader thread) are the interesting cases.
. "$(dirname "$0")/../lib/tap.sh"
[ -x "$RT_BIN" ] || skip_all "regtrace not built"
set --
for f in "$RT_SRC"/captures/*.pcap; do set -- "$@" "$f"; done
if have_shared; then
	for f in "$RT_SHARED"/captures/real/*.pcap* "$RT_SHARED"/captures/lab/*.pcap*; do
		[ -f "$f" ] && set -- "$@" "$f"
	done
fi
plan $(($# + 1))
have_shared || skip "shared corpus not found at $RT_SHARED: only the bundled captures"
[ -d "$RT_SHARED/captures/real" ] && pass "shared corpus present"
tmp=$(tmpdir)
trap 'rm -rf "$tmp"' EXIT
for f in "$@"; do
	name=$(basename "$f")
	"$RT_BIN" -r "$f" --json --json-raw > "$tmp/t.json" 2> "$tmp/t.err"
	rt=$?
	REGTRACE_THREADS=1 "$RT_BIN" -r "$f" --json --json-raw > "$tmp/s.json" 2> "$tmp/s.err"
	rs=$?
	n=$(grep -o '"id":' "$tmp/s.json" | wc -l)
	if [ $rt -eq $rs ] && cmp -s "$tmp/t.json" "$tmp/s.json" && cmp -s "$tmp/t.err" "$tmp/s.err" && [ -s "$tmp/s.json" ]; then
		pass "$name: two threads = one thread (exit $rt, $n ids)"
	else
		fail "$name: outputs differ (exit $rt vs $rs)"
		diff "$tmp/t.json" "$tmp/s.json" | head -5 | cut -c1-200 | sed 's/^/# /'
		diff "$tmp/t.err" "$tmp/s.err" | head -5 | sed 's/^/# /'
	fi
done
