# SPDX-License-Identifier: GPL-2.0-or-later
# tap.sh - sourced by the script tests: TAP output and common paths.
#   plan N | ok COND_RC DESC | pass DESC | fail DESC | skip DESC | skip_all WHY
# RT_BIN, RT_SRC, RT_SHARED come from make check (AM_TESTS_ENVIRONMENT);
# defaults let a test run by hand from the project root.
RT_SRC=${RT_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
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
