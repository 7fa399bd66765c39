#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# layout.sh - the layering is held by the build's include paths: ui/ sees
# the model, the outputs and the SIP record but no dissector header, and
# the dissectors see nothing of src/.  Each case compiles a one-line file
# with the include path the build gives that folder (from make check).
. "$(dirname "$0")/../lib/tap.sh"
[ -n "${RT_UI_CPPFLAGS:-}" ] && [ -n "${RT_DISSECT_CPPFLAGS:-}" ] ||
	skip_all "run from make check (needs the per-folder include paths)"
CC=${CC:-cc}
tmp=$(tmpdir)
trap 'rm -rf "$tmp"' EXIT
plan 10

# compiles FLAGS HEADER: 0 when '#include "HEADER"' compiles with FLAGS
compiles() {
	printf '#include "%s"\nint rt_layout_probe;\n' "$2" > "$tmp/probe.c"
	# shellcheck disable=SC2086
	$CC -std=c11 -D_GNU_SOURCE -I"$RT_BUILD" $1 -fsyntax-only "$tmp/probe.c" 2> "$tmp/err"
}
refused() {  # refused FLAGS HEADER: fails, and because the header is not found
	! compiles "$1" "$2" && grep -q "$2: No such file" "$tmp/err"
}

compiles "$RT_UI_CPPFLAGS" model.h;   ok $? "ui/ includes model.h"
compiles "$RT_UI_CPPFLAGS" ladder.h;  ok $? "ui/ includes ladder.h"
compiles "$RT_UI_CPPFLAGS" sip_msg.h; ok $? "ui/ includes the SIP record (sip_msg.h)"
refused "$RT_UI_CPPFLAGS" dissect.h;  ok $? "ui/ cannot include dissect.h"
refused "$RT_UI_CPPFLAGS" sip.h;      ok $? "ui/ cannot include sip.h (the parser)"
refused "$RT_UI_CPPFLAGS" cursor.h;   ok $? "ui/ cannot include cursor.h"
refused "$RT_UI_CPPFLAGS" capture.h;  ok $? "ui/ cannot include capture.h"
refused "$RT_DISSECT_CPPFLAGS" model.h;    ok $? "dissectors/ cannot include model.h"
compiles "-I$RT_SRC/src/store" membound.h; ok $? "src/store/ holds membound.h (so the next case can fail)"
refused "$RT_DISSECT_CPPFLAGS" membound.h; ok $? "dissectors/ cannot include membound.h (the memory bound)"
