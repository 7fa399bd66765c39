# SPDX-License-Identifier: GPL-2.0-or-later
# tap.sh - sourced by the script tests: TAP output and common paths.
#   plan N | ok COND_RC DESC | pass DESC | fail DESC | skip DESC | skip_all WHY
# RT_BIN, RT_SRC, RT_SHARED come from make check (AM_TESTS_ENVIRONMENT);
# defaults let a test run by hand from the project root.
RT_SRC=${RT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
RT_BIN=${RT_BIN:-$RT_SRC/regtrace}
RT_SHARED=${RT_SHARED:-$RT_SRC/../shared}
PYTHON3=${PYTHON3:-python3}
TSHARK=${TSHARK:-$(command -v tshark || true)}
_tap_n=0
_tap_failed=0

plan() { echo "1..$1"; }
pass() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $*"; }
fail() { _tap_n=$((_tap_n + 1)); _tap_failed=1; echo "not ok $_tap_n - $*"; }
skip() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n # SKIP $*"; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
# ok RC DESC: pass when RC is 0
ok() { local rc=$1; shift; if [ "$rc" -eq 0 ]; then pass "$@"; else fail "$@"; fi; }
# is GOT WANT DESC
is() {
	if [ "$1" = "$2" ]; then pass "$3"; else fail "$3 (got '$1', want '$2')"; fi
}
have_shared() { [ -d "$RT_SHARED/captures/real" ]; }
tap_done() { [ -n "${_tap_plan_late:-}" ] && echo "1..$_tap_n"; return 0; }
tmpdir() { mktemp -d "${TMPDIR:-/tmp}/rt-test.XXXXXX"; }
# netns_enter "$@": run this test again in a network namespace of its own with
# lo up, so what it captures or receives is only its own traffic - never SIP
# that another test (make -j2) or process sends on the host's 127.0.0.1.
# Root gets `unshare -n`, others a user namespace (`unshare -rn`).  Returns 1
# where no namespace can be made (the caller skips its live part); inside,
# RT_NETNS=1.
netns_enter() {
	[ "${RT_NETNS:-}" = 1 ] && return 0
	command -v unshare >/dev/null 2>&1 && command -v ip >/dev/null 2>&1 || return 1
	_ns_opt=-n
	[ "$(id -u)" = 0 ] || _ns_opt=-rn
	unshare $_ns_opt true 2>/dev/null || return 1
	RT_NETNS=1 exec unshare $_ns_opt -- /bin/sh -c 'ip link set lo up && exec "$@"' sh "$0" "$@"
}
# capture_open FILE [TENTHS]: wait (5 s by default) until regtrace's
# stderr, FILE, says "listening on": the filter is set and packets flow
# (a screen that already says LIVE may still be opening the interface)
capture_open() {
	_i=0
	while [ $_i -lt "${2:-50}" ]; do
		grep -q "listening on" "$1" 2>/dev/null && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}
# file_settled FILE: wait (at most 7.5 s) until a capture file stops
# growing: tcpdump loses what it has not written yet when it is stopped
file_settled() {
	_prev=-1
	for _i in $(seq 15); do
		sleep 0.5
		_cur=$(wc -c <"$1")
		[ "$_cur" = "$_prev" ] && return 0
		_prev=$_cur
	done
}
# screen_wait TEXT [TENTHS]: poll the caller's screen() (a tmux pane) for a
# fixed string, 5 s by default; the last screen is left in $tmp/screen
screen_wait() {
	_i=0
	while [ $_i -lt "${2:-50}" ]; do
		screen > "$tmp/screen" 2>/dev/null
		grep -qF -- "$1" "$tmp/screen" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}
NETNS_WHY="no network namespace here (unshare -n): a live test would see other traffic on the host's lo"
