#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# json_golden.sh - the registration view of --json (tests/golden/json_subset.py)
# for a few captures, against golden files checked by hand against tshark
# (each file's second line says what was checked).
. "$(dirname "$0")/../lib/tap.sh"
set -- lab01 lab03 lab05 lab07 lab09 lab11 aaa
plan $#
tmp=$(tmpdir)
trap 'rm -rf "$tmp"' EXIT
for name in "$@"; do
	gold=$RT_SRC/tests/golden/json-$name.txt
	cap=$(sed -n '1s/^# regtrace -r \([^ ]*\) .*/\1/p' "$gold")
	path=$RT_SHARED/${cap#shared/}
	if [ ! -f "$path" ]; then
		skip "$name: $cap not present (shared corpus absent)"
		continue
	fi
	"$RT_BIN" -r "$path" --json 2>/dev/null | "$PYTHON3" "$RT_SRC/tests/golden/json_subset.py" > "$tmp/got"
	grep -v '^#' "$gold" > "$tmp/want"
	if cmp -s "$tmp/got" "$tmp/want"; then
		pass "$name: registrations as checked by hand"
	else
		fail "$name: registrations differ from the golden file"
		diff "$tmp/want" "$tmp/got" | head -20 | sed 's/^/# /'
	fi
done
