#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# golden.sh - tcpdump-style golden tests (tests/golden/TESTLIST): each
# capture's output must equal its golden file; where the list says so, the
# golden file itself is re-derived from tshark and must agree too.
. "$(dirname "$0")/../lib/tap.sh"
list=$RT_SRC/tests/golden/TESTLIST
n=$(grep -v '^#' "$list" | grep -c .)
plan $((n * 2))
tmp=$(tmpdir)
trap 'rm -rf "$tmp"' EXIT
grep -v '^#' "$list" | grep . | while read -r name cap opts check; do
	case $cap in shared/*) path=$RT_SHARED/${cap#shared/} ;; *) path=$RT_SRC/$cap ;; esac
	gold=$RT_SRC/tests/golden/$name.out
	if [ ! -f "$path" ]; then
		skip "$name: $cap not present (shared corpus absent)"
		skip "$name: tshark check needs the capture"
		continue
	fi
	# shellcheck disable=SC2086
	"$RT_BIN" -r "$path" $opts > "$tmp/$name.got" 2> "$tmp/$name.err"
	grep -v '^#' "$gold" > "$tmp/$name.want"
	if cmp -s "$tmp/$name.got" "$tmp/$name.want"; then
		pass "$name: output equals golden file"
	else
		fail "$name: output differs from golden file"
		diff "$tmp/$name.want" "$tmp/$name.got" | head -20 | sed 's/^/# /'
	fi
	if [ "$check" != messages ]; then
		skip "$name: checked by hand, no tshark re-derivation"
	elif [ -z "$TSHARK" ]; then
		skip "$name: tshark not installed"
	else
		"$PYTHON3" "$RT_SRC/tests/lib/tshark_messages.py" "$path" > "$tmp/$name.tshark" 2>/dev/null
		if cmp -s "$tmp/$name.tshark" "$tmp/$name.want"; then
			pass "$name: golden file agrees with tshark"
		else
			fail "$name: golden file disagrees with tshark"
			diff "$tmp/$name.tshark" "$tmp/$name.want" | head -20 | sed 's/^/# /'
		fi
	fi
done
