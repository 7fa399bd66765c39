#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# diag_live.sh - findings while reading equal the batch: see tests/cli/diag_live.py.
. "$(dirname "$0")/../lib/tap.sh"
export RT_BIN RT_SRC RT_SHARED
exec "$PYTHON3" "$RT_SRC/tests/cli/diag_live.py"
