#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# cause.sh - the cause ranking on every capture (see tests/cli/cause.py).
. "$(dirname "$0")/../lib/tap.sh"
export RT_BIN RT_SRC RT_SHARED PYTHON3
exec "$PYTHON3" "$RT_SRC/tests/cli/cause.py"
