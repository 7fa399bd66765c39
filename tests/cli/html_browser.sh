#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# html_browser.sh - the HTML report in headless chromium (tests/cli/html_browser.py).
. "$(dirname "$0")/../lib/tap.sh"
export RT_BIN RT_SRC
# python3-websocket is Debian's: take the interpreter that has it
for p in "$PYTHON3" /usr/bin/python3; do
	if "$p" -c 'import websocket' 2>/dev/null; then
		PYTHON3=$p exec "$p" "$RT_SRC/tests/cli/html_browser.py"
	fi
done
skip_all "python3-websocket not installed (scripts/deps.sh installs it)"
