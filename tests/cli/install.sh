#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# install.sh - make install / make uninstall with DESTDIR, with prefix given
# to make and with configure's prefix: the program, regtrace.1, the bash
# completion and the docs land where a user looks for them under that
# prefix, nothing outside it, and uninstall leaves no file behind.
. "$(dirname "$0")/../lib/tap.sh"
[ -n "${RT_BUILD:-}" ] && [ -f "$RT_BUILD/Makefile" ] || skip_all "run from make check (needs the build tree)"
MAKE=${MAKE:-make}
command -v "$MAKE" > /dev/null 2>&1 || skip_all "make not found"
tmp=$(tmpdir)
trap 'rm -rf "$tmp"' EXIT
plan 19

# round DEST PREFIX [make args]: install, check, uninstall, check
round() {
	d=$1 p=$2
	shift 2
	$MAKE -s -C "$RT_BUILD" install DESTDIR="$d" "$@" > "$tmp/install.log" 2>&1
	ok $? "make install DESTDIR $* ($p)"
	[ -x "$d$p/bin/regtrace" ] && "$d$p/bin/regtrace" -V | grep -q '^regtrace '
	ok $? "$p/bin/regtrace runs (-V)"
	cmp -s "$d$p/share/man/man1/regtrace.1" "$RT_SRC/docs/regtrace.1"
	ok $? "$p/share/man/man1/regtrace.1 is docs/regtrace.1"
	cmp -s "$d$p/share/bash-completion/completions/regtrace" "$RT_SRC/completion/regtrace"
	ok $? "$p/share/bash-completion/completions/regtrace is completion/regtrace"
	# as a shell would use it: "regtrace" found on the PATH
	PATH="$d$p/bin:$PATH" bash -c '. "$1"; COMP_WORDS=(regtrace --ladd); COMP_CWORD=1; _regtrace
		echo "${COMPREPLY[*]}"' x "$d$p/share/bash-completion/completions/regtrace" | grep -qx -- --ladder
	ok $? "the installed completion completes --ladd from the installed regtrace"
	for f in json.md schema.json rules.md; do
		[ -f "$d$p/share/doc/regtrace/$f" ] || echo "$f"
	done > "$tmp/missing"
	[ ! -s "$tmp/missing" ]; ok $? "$p/share/doc/regtrace: json.md schema.json rules.md"
	# every file under the prefix, none elsewhere in DESTDIR
	(cd "$d" && find . -type f -o -type l) | sed 's/^\.//' | grep -v "^$p/" > "$tmp/outside"
	[ ! -s "$tmp/outside" ]; ok $? "nothing installed outside $p"
	[ -s "$tmp/outside" ] && diag "$(cat "$tmp/outside")"
	$MAKE -s -C "$RT_BUILD" uninstall DESTDIR="$d" "$@" > "$tmp/uninstall.log" 2>&1
	ok $? "make uninstall DESTDIR $*"
	(cd "$d" && find . -type f -o -type l) > "$tmp/left"
	[ ! -s "$tmp/left" ]; ok $? "uninstall removed every file"
	[ -s "$tmp/left" ] && diag "$(cat "$tmp/left")"
	return 0
}

round "$tmp/a" /opt/rt prefix=/opt/rt
# configure's own prefix (the Makefile's "prefix = ...")
cp=$(sed -n 's/^prefix = //p' "$RT_BUILD/Makefile")
[ -n "$cp" ]; ok $? "configure's prefix is $cp"
round "$tmp/b" "$cp"
