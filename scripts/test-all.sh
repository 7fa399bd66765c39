#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test-all.sh - install, build and run every test suite: unit, script and
# golden tests on a plain build, the same under AddressSanitizer +
# UndefinedBehaviorSanitizer, and the fuzz smoke run.  Prints one closing
# line: "tests: N passed, N failed, N skipped" (summed over all suites).
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
cd "$src"
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
logdir=$src/build/test-logs
pass=0 failn=0 skipn=0

"$src/scripts/deps.sh" || { echo "test-all: installing dependencies failed"; echo "tests: 0 passed, 1 failed"; exit 1; }
mkdir -p "$logdir"

# add_counts LOG: sum automake's "# PASS:" etc. from a make check run
add_counts() {
	p=$(sed -n 's/^# PASS: *//p' "$1" | tail -1)
	f=$(sed -n 's/^# FAIL: *//p' "$1" | tail -1)
	e=$(sed -n 's/^# ERROR: *//p' "$1" | tail -1)
	x=$(sed -n 's/^# XPASS: *//p' "$1" | tail -1)
	s=$(sed -n 's/^# SKIP: *//p' "$1" | tail -1)
	t=$(sed -n 's/^# XFAIL: *//p' "$1" | tail -1)
	pass=$((pass + ${p:-0}))
	failn=$((failn + ${f:-0} + ${e:-0} + ${x:-0}))
	skipn=$((skipn + ${s:-0} + ${t:-0}))
}

run_suite() {   # run_suite NAME BUILDDIR [configure args]
	name=$1 dir=$2
	shift 2
	echo "== $name: build ($dir)"
	if ! "$src/scripts/build.sh" "$dir" "$@" > "$logdir/$name.build" 2>&1; then
		tail -30 "$logdir/$name.build"
		echo "$name: build failed"
		failn=$((failn + 1))
		return
	fi
	echo "== $name: make check"
	(cd "$dir" && make -j"$(nproc)" check) > "$logdir/$name.check" 2>&1
	grep -E '^(FAIL|ERROR|XPASS):' "$logdir/$name.check" | head -40
	grep -E '^# (TOTAL|PASS|SKIP|XFAIL|FAIL|XPASS|ERROR):' "$logdir/$name.check"
	if ! grep -q '^# TOTAL:' "$logdir/$name.check"; then
		tail -30 "$logdir/$name.check"
		failn=$((failn + 1))
		return
	fi
	for f in $(grep -lE '^(not ok|FAIL|ERROR)' "$dir"/tests/*/*.log 2>/dev/null); do
		echo "--- $f"; grep -E '^(not ok|#)' "$f" | head -20
	done
	add_counts "$logdir/$name.check"
}

run_suite plain build

# make distcheck on the plain build: the tarball builds, installs,
# uninstalls and passes make check out of tree, read-only.  Then the
# tarball against the committed files: everything git has must be in it.
if [ -f build/Makefile ]; then
	echo "== distcheck"
	if (cd build && make distcheck) > "$logdir/distcheck.log" 2>&1; then
		pass=$((pass + 1)); echo "ok - make distcheck"
	else
		failn=$((failn + 1)); echo "not ok - make distcheck (build/test-logs/distcheck.log)"
		grep -E '^(FAIL|ERROR):|Error|error:' "$logdir/distcheck.log" | head -20
	fi
	tarball=$(ls -t build/regtrace-*.tar.gz 2>/dev/null | head -1)
	if [ -n "$tarball" ] && git rev-parse --verify -q HEAD > /dev/null 2>&1; then
		top=$(basename "$tarball" .tar.gz)
		tar -tzf "$tarball" | sed "s|^$top/||" | sort > "$logdir/dist-files.txt"
		git ls-files | grep -vx '.gitignore' | sort | comm -23 - "$logdir/dist-files.txt" > "$logdir/dist-missing.txt"
		if [ -s "$logdir/dist-missing.txt" ]; then
			failn=$((failn + 1)); echo "not ok - the dist tarball lacks committed files (EXTRA_DIST):"
			head -20 "$logdir/dist-missing.txt"
		else
			pass=$((pass + 1)); echo "ok - the dist tarball has every committed file"
		fi
	else
		skipn=$((skipn + 1)); echo "skip - the dist tarball against git ls-files: no tarball or no git history"
	fi
fi
SAN="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined"
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
	run_suite sanitizers build-asan CFLAGS="$SAN" LDFLAGS="-fsanitize=address,undefined"

if [ -x "$src/fuzz/run.sh" ] && [ "$FUZZ_SECONDS" -gt 0 ]; then
	echo "== fuzz smoke: ${FUZZ_SECONDS}s per harness"
	"$src/fuzz/run.sh" "$FUZZ_SECONDS" > "$logdir/fuzz.log" 2>&1
	grep -E '^(ok|not ok|#)' "$logdir/fuzz.log" | tail -20
	fp=$(grep -c '^ok' "$logdir/fuzz.log")
	ff=$(grep -c '^not ok' "$logdir/fuzz.log")
	pass=$((pass + fp))
	failn=$((failn + ff))
	[ "$fp" -eq 0 ] && [ "$ff" -eq 0 ] && failn=$((failn + 1)) && echo "fuzz smoke printed no result"
fi

echo "tests: $pass passed, $failn failed, $skipn skipped"
[ "$failn" -eq 0 ]
