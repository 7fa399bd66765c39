#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# diag_golden.sh - the findings on every shared real capture equal
# tests/golden/findings-real.txt (reviewed by hand against tshark; see its
# header).  One TAP line per capture.
. "$(dirname "$0")/../lib/tap.sh"
have_shared || skip_all "shared corpus absent (RT_SHARED=$RT_SHARED)"
RT_BUILD=${RT_BUILD:-$RT_SRC}
DUMP=$RT_BUILD/tests/unit/diagdump
[ -x "$DUMP" ] || skip_all "tests/unit/diagdump not built"
GOLD=$RT_SRC/tests/golden/findings-real.txt
files=$(grep '^# [^ ]*$' "$GOLD" | sed 's/^# //' | grep -v ':$')
n=$(printf '%s\n' "$files" | wc -l)
plan $((n + 1))
tmp=$(tmpdir)
trap 'rm -rf "$tmp"' EXIT
# every capture of the corpus is in the golden file
ls "$RT_SHARED/captures/real" | grep -v -e '^MANIFEST' -e '^README' -e '^expected$' | sort > "$tmp/have"
printf '%s\n' "$files" | sort > "$tmp/want"
if cmp -s "$tmp/have" "$tmp/want"; then pass "golden lists every real capture"
else fail "golden lists every real capture"; diag "$(diff "$tmp/want" "$tmp/have")"; fi
for f in $files; do
	awk -v f="# $f" '$0 == f { on = 1; next } /^# [^ ]*$/ && on { exit } on && !/^#/' "$GOLD" > "$tmp/want1"
	"$DUMP" -1 "$RT_SHARED/captures/real/$f" | grep -v '^#' > "$tmp/got1"
	if cmp -s "$tmp/want1" "$tmp/got1"; then pass "findings on $f"
	else fail "findings on $f"; diag "$(diff "$tmp/want1" "$tmp/got1")"; fi
done
