#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# compare-outputs.sh OLD_BIN NEW_BIN [CAPTURE...] - run both binaries on
# every capture (default: captures/, ../shared's real and lab captures) in
# each output mode and report any difference in stdout, stderr or exit
# status.  For changes that must keep outputs byte-identical (moves,
# refactors, optimisations).  Exit 0 when all are identical.
set -u
old=$1 new=$2
shift 2
src=$(cd "$(dirname "$0")/.." && pwd)
shared=${RT_SHARED:-$src/../shared}
if [ $# -eq 0 ]; then
	set -- "$src"/captures/*.pcap* "$shared"/captures/real/*.pcap* "$shared"/captures/lab/*.pcap*
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
modes=("--report" "--json=- --json-raw" "--jsonl" "--messages" "--ladder")
n=0 diff=0
for f in "$@"; do
	[ -f "$f" ] || continue
	for m in "${modes[@]}"; do
		# shellcheck disable=SC2086
		(cd "$tmp" && "$old" -r "$f" $m > o.out 2> o.err; echo $? > o.rc)
		# shellcheck disable=SC2086
		(cd "$tmp" && "$new" -r "$f" $m > n.out 2> n.err; echo $? > n.rc)
		n=$((n + 1))
		for k in out err rc; do
			if ! cmp -s "$tmp/o.$k" "$tmp/n.$k"; then
				diff=$((diff + 1)); echo "DIFF $k: $m $f"; break
			fi
		done
	done
done
echo "compare-outputs: $n runs, $diff with differences"
[ "$diff" -eq 0 ]
