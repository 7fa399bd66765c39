#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# diag2.sh - part-2 diagnosis rules (time, NAT, scanners, GB/T 28181): see tests/cli/diag2.py.
. "$(dirname "$0")/../lib/tap.sh"
export RT_BIN RT_SRC RT_SHARED
exec "$PYTHON3" "$RT_SRC/tests/cli/diag2.py"
