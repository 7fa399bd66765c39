#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# build.sh [DIR [configure args...]] - configure and build out of tree
# (default DIR: build/).  The source tree itself is never configured, so
# several builds (plain, sanitizers) live side by side.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-build}
[ $# -gt 0 ] && shift
cd "$src"
[ -x configure ] && [ configure -nt configure.ac ] && [ configure -nt Makefile.am ] || ./autogen.sh >/dev/null 2>&1
mkdir -p "$dir"
cd "$dir"
if [ ! -f Makefile ] || [ "$src/configure" -nt config.status ]; then
	"$src/configure" -q "$@"
fi
make -s -j"$(nproc)" >/dev/null
