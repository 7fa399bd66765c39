#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# deb-check.sh - the Debian package, as someone given the tree would build
# it: the committed tree (git archive HEAD) into an empty directory, apt-get
# build-dep ./ there (so debian/control's Build-Depends are what it gets),
# dpkg-buildpackage -us -uc -b, lintian (no errors), then the .deb installed
# with apt and used: /usr/bin/regtrace -r on a bundled capture, man -w
# regtrace, the completion, the system user, ${shlibs:Depends}.  Removes the
# package at the end (CI_KEEP_DEB=1 keeps it).  DEB_CHECK_REF=COMMIT packs
# another commit than HEAD (git stash create: the work tree as it is).
# Root, on Debian 12; installs the tools it needs itself (dpkg-dev,
# debhelper, lintian, man-db, git).  Prints TAP lines, the lintian output,
# and last "deb-check: N passed, N failed".
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
cd "$src" || exit 1
log=${DEB_CHECK_LOG:-$src/build/deb-check}
rm -rf "$log"; mkdir -p "$log"
n=0 pass=0 failn=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then pass=$((pass + 1)); echo "ok $n - $2"; else failn=$((failn + 1)); echo "not ok $n - $2"; fi; }
finish() { echo "deb-check: $pass passed, $failn failed"; [ "$failn" -eq 0 ]; exit $?; }
bail() { ok 1 "$1"; finish; }

[ "$(id -u)" = 0 ] || bail "deb-check needs root (apt-get build-dep, dpkg -i)"
command -v apt-get > /dev/null 2>&1 || bail "not Debian: no apt-get"
export DEBIAN_FRONTEND=noninteractive
tools="dpkg-dev debhelper lintian man-db git"
need=""
for p in $tools; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need="$need $p"
done
if [ -n "$need" ]; then
	echo "deb-check: installing$need"
	{ apt-get update -qq && apt-get install -y -qq --no-install-recommends $need; } > "$log/tools.log" 2>&1
	ok $? "install the packaging tools:$need"
fi
git -C "$src" rev-parse --verify -q HEAD > /dev/null || bail "no git history at $src: deb-check packs the committed tree"

ver=$(sed -n '1s/^regtrace (\([^)]*\)).*/\1/p' debian/changelog)
cver=$(sed -n 's/^AC_INIT(\[regtrace\], \[\([^]]*\)\].*/\1/p' configure.ac)
[ -n "$ver" ] && [ "$ver" = "$cver" ]; ok $? "debian/changelog's version ($ver) is configure.ac's ($cver)"

tmp=$(mktemp -d /tmp/regtrace-deb.XXXXXX) || bail "mktemp"
trap 'rm -rf "$tmp"' EXIT
tree=$tmp/regtrace-$ver
mkdir "$tree" && git -C "$src" archive "${DEB_CHECK_REF:-HEAD}" | tar -x -C "$tree"
ok $? "git archive ${DEB_CHECK_REF:-HEAD} into an empty $tree"

(cd "$tree" && apt-get build-dep -y -q ./) > "$log/build-dep.log" 2>&1
ok $? "apt-get build-dep -y ./ (log: build-dep.log)"

(cd "$tree" && dpkg-buildpackage -us -uc -b) > "$log/dpkg-buildpackage.log" 2>&1
rc=$?
ok $rc "dpkg-buildpackage -us -uc -b (log: dpkg-buildpackage.log)"
[ "$rc" -eq 0 ] || { tail -30 "$log/dpkg-buildpackage.log"; finish; }
grep -E '^# (TOTAL|PASS|SKIP|FAIL|ERROR):' "$log/dpkg-buildpackage.log" | sed 's/^/  make check in the build: /'

arch=$(dpkg --print-architecture)
deb=$tmp/regtrace_${ver}_$arch.deb
changes=$tmp/regtrace_${ver}_$arch.changes
[ -f "$deb" ]; ok $? "built $(basename "$deb")"
cp "$deb" "$changes" "$log/" 2>/dev/null

lintian --fail-on error --display-info "$changes" > "$log/lintian.log" 2>&1
rc=$?
echo "  lintian output ($(wc -l < "$log/lintian.log") lines):"
sed 's/^/    /' "$log/lintian.log"
ok $rc "lintian: no errors"

deps=$(dpkg-deb -f "$deb" Depends)
echo "  Depends: $deps"
missing=""
for l in libpcap0.8 libosip2- libjansson4 libnettle8 libncursesw6 zlib1g adduser; do
	echo "$deps" | grep -q "$l" || missing="$missing $l"
done
[ -z "$missing" ]; ok $? "Depends from \${shlibs:Depends}: the libraries regtrace links${missing:+ (missing:$missing)}"

dpkg-deb -c "$deb" > "$log/contents.txt"
apt-get install -y -q "$deb" > "$log/install.log" 2>&1
ok $? "apt-get install ./$(basename "$deb")"
[ -x /usr/bin/regtrace ]; ok $? "/usr/bin/regtrace is installed"

# the bundled wrong-password capture: alice is refused (403 after the
# credentials), as captures/README.md says
/usr/bin/regtrace -r "$tree/captures/wrong-password.pcap" --report > "$log/report.txt" 2> "$log/report.err"
rc=$?
grep -E '^sip:alice@lab.local +failed +403 ' "$log/report.txt" > /dev/null
ok $(( rc != 0 || $? )) "/usr/bin/regtrace -r captures/wrong-password.pcap: alice failed with 403 (exit $rc)"
/usr/bin/regtrace -V > "$log/version.txt" 2>&1 && grep -q "^regtrace $ver\$" "$log/version.txt"
ok $? "/usr/bin/regtrace -V says $ver"
m=$(man -w regtrace 2> "$log/man.err")
[ "$m" = /usr/share/man/man1/regtrace.1.gz ]; ok $? "man -w regtrace: ${m:-nothing}"
[ -n "$m" ] && man -P cat regtrace 2> /dev/null | grep -q 'EXIT STATUS'; ok $? "man regtrace shows the page"
# every path regtrace(1) lists under FILES is there
missing=""
for p in $(MANWIDTH=200 man -P cat regtrace 2> /dev/null | sed -n '/^FILES/,/^[A-Z]/p' | grep -oE '/usr/share/[^ ,]+'); do
	[ -e "$p" ] || missing="$missing $p"
done
[ -z "$missing" ]; ok $? "the FILES of regtrace(1) are installed${missing:+ (missing:$missing)}"
f=/usr/share/bash-completion/completions/regtrace
[ -f "$f" ] && bash -c '. "$1"; COMP_WORDS=(regtrace --list-r); COMP_CWORD=1; _regtrace; echo "${COMPREPLY[*]}"' x "$f" |
	grep -qx -- --list-rules
ok $? "the installed bash completion completes --list-r"
getent passwd regtrace > "$log/user.txt"; rc=$?
sh_=$(cut -d: -f7 "$log/user.txt")
uid=$(cut -d: -f3 "$log/user.txt")
[ "$rc" -eq 0 ] && [ "${uid:-0}" -gt 0 ] && [ "${uid:-1000}" -lt 1000 ] && [ "$sh_" != /bin/bash ]
ok $? "postinst made the system user regtrace ($(cat "$log/user.txt"))"

if [ "${CI_KEEP_DEB:-0}" != 1 ]; then
	apt-get purge -y -q regtrace > "$log/purge.log" 2>&1
	[ $? -eq 0 ] && [ ! -e /usr/bin/regtrace ] && [ ! -e /usr/share/man/man1/regtrace.1.gz ]
	ok $? "apt-get purge regtrace removes it"
fi
finish
