#!/bin/sh
# anomalies.sh - bad input below SIP (tests/anomalygen.py builds one capture
# per kind): regtrace neither crashes nor misbehaves under the sanitizers
# (stderr is checked for their reports), and times out of range are
# clamped to 2^62 ns while the frames around them keep their own.
. "$(dirname "$0")/tap.sh"
command -v "$PYTHON3" >/dev/null 2>&1 || skip_all "python3 not found"
tmp=$(tmpdir)
trap 'rm -rf "$tmp"' EXIT
_tap_plan_late=1

# timestamp-out-of-range: 9907765552 s (pcapng, if_tsresol 10^0) would be
# 9907765552 * 10^9 ns, past INT64_MAX: clamped to 2^62 = 4611686018427387904
"$PYTHON3" "$RT_SRC/tests/anomalygen.py" timestamp-out-of-range "$tmp/ts.pcapng"
"$RT_BIN" -r "$tmp/ts.pcapng" --json="$tmp/ts.json" 2>"$tmp/ts.err"
ok $? "timestamp-out-of-range: exit status 0"
if grep -q "runtime error\|ERROR: AddressSanitizer" "$tmp/ts.err"; then
	fail "timestamp-out-of-range: sanitizer report"; sed 's/^/# /' "$tmp/ts.err" | head -5
else
	pass "timestamp-out-of-range: no sanitizer report"
fi
got=$("$PYTHON3" -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(" ".join("%d:%d" % (m["frame"], m["ts_ns"]) for m in d["messages"]))' "$tmp/ts.json")
is "$got" "1:1700000000000000000 2:4611686018427387904 3:1700000001000000000" \
	"timestamp-out-of-range: frame 2 clamped to 2^62 ns, frames 1 and 3 exact"
tap_done
