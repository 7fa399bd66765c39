#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# licence.sh - the licence is stated once and everywhere alike: LICENSE is
# the GPL version 2, every source and script file of the project's folders
# carries "SPDX-License-Identifier: GPL-2.0-or-later", and debian/copyright
# (DEP-5) gives the same licence for every file.
. "$(dirname "$0")/../lib/tap.sh"
plan 5
cd "$RT_SRC" || exit 1

grep -q 'GNU GENERAL PUBLIC LICENSE' LICENSE && grep -q '^ *Version 2, June 1991' LICENSE
ok $? "LICENSE is the GNU GPL version 2"

# the project's own files, not what autotools or a build generate
{
	find dissectors src ui tests fuzz bench scripts completion debian \
		-path bench/out -prune -o -path debian/regtrace -prune -o \
		-path 'debian/.debhelper' -prune -o \
		-type f \( -name '*.c' -o -name '*.h' -o -name '*.sh' -o -name '*.py' -o -name '*.am' \) -print
	ls configure.ac Makefile.am autogen.sh .ci/run debian/rules debian/regtrace.postinst \
		completion/regtrace docs/regtrace.1 2> /dev/null
} | sort -u > "${TMPDIR:-/tmp}/rt-licence.$$"
n=$(wc -l < "${TMPDIR:-/tmp}/rt-licence.$$")
[ "$n" -ge 100 ]; ok $? "source and script files found ($n)"
while read -r f; do
	head -3 "$f" | grep -q 'SPDX-License-Identifier: GPL-2.0-or-later' || echo "$f"
done < "${TMPDIR:-/tmp}/rt-licence.$$" > "${TMPDIR:-/tmp}/rt-licence-missing.$$"
[ ! -s "${TMPDIR:-/tmp}/rt-licence-missing.$$" ]
ok $? "each has SPDX-License-Identifier: GPL-2.0-or-later in its first 3 lines"
[ -s "${TMPDIR:-/tmp}/rt-licence-missing.$$" ] && diag "without it:" "$(head -20 "${TMPDIR:-/tmp}/rt-licence-missing.$$")"
rm -f "${TMPDIR:-/tmp}/rt-licence.$$" "${TMPDIR:-/tmp}/rt-licence-missing.$$"

head -1 debian/copyright | grep -qx 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/'
ok $? "debian/copyright is DEP-5"
# every Files: stanza's License is GPL-2+, and that licence text is given
awk '/^Files:/ { f = 1; next } f && /^License:/ { print $2; f = 0 }' debian/copyright | sort -u > "${TMPDIR:-/tmp}/rt-lic.$$"
[ "$(cat "${TMPDIR:-/tmp}/rt-lic.$$")" = "GPL-2+" ] && grep -q '^License: GPL-2+$' debian/copyright &&
	grep -q 'either version 2 of the License, or' debian/copyright
ok $? "debian/copyright: GPL-2+ for every Files stanza, with its text"
rm -f "${TMPDIR:-/tmp}/rt-lic.$$"
