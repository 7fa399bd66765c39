#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# ground_truth.sh - every REGISTER transaction of the shared ground-truth
# files (captures/real/expected/*.detail.tsv, made with tshark and by hand,
# not by regtrace) found by regtrace --json with the same request frame and
# first final status.  The work is in ground_truth.py; this prints its TAP.
. "$(dirname "$0")/../lib/tap.sh"
have_shared || skip_all "shared corpus not found at $RT_SHARED (set RT_SHARED)"
[ -d "$RT_SHARED/captures/real/expected" ] || skip_all "no $RT_SHARED/captures/real/expected"
exec "$PYTHON3" "$RT_SRC/tests/cli/ground_truth.py" "$RT_BIN" "$RT_SHARED"
