#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# json_schema.sh - every shared corpus capture gives --json and --jsonl
# output valid against docs/schema.json (work in json_schema.py).
. "$(dirname "$0")/../lib/tap.sh"
have_shared || skip_all "shared corpus not found at $RT_SHARED (set RT_SHARED)"
exec "$PYTHON3" "$RT_SRC/tests/cli/json_schema.py" "$RT_BIN" "$RT_SRC/docs/schema.json" "$RT_SHARED"
