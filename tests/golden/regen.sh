#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# regen.sh [NAME...] - rewrite tests/golden/NAME.out from regtrace's output.
# A regenerated file proves nothing until it is checked: golden.sh compares
# it with tshark's view of the same capture (tests/lib/tshark_messages.py) for
# every entry whose tshark column says so; look at the diff before committing.
set -eu
cd "$(dirname "$0")/../.."
RT_BIN=${RT_BIN:-./regtrace}
RT_SHARED=${RT_SHARED:-../shared}
grep -v '^#' tests/golden/TESTLIST | while read -r name cap opts check; do
	[ -n "$name" ] || continue
	if [ $# -gt 0 ]; then
		case " $* " in *" $name "*) ;; *) continue ;; esac
	fi
	case $cap in shared/*) path=$RT_SHARED/${cap#shared/} ;; *) path=$cap ;; esac
	out=tests/golden/$name.out
	{
		echo "# regtrace -r $cap $opts"
		if [ "$check" = messages ]; then
			echo "# checked against: tests/lib/tshark_messages.py $cap (tshark -Y sip fields: frame, time, addresses, request/status line, Call-ID)"
		else
			echo "# checked by hand: $check"
		fi
		# shellcheck disable=SC2086
		"$RT_BIN" -r "$path" $opts 2>/dev/null
	} > "$out"
	echo "wrote $out"
done
