#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# anomalies.sh - bad input below SIP, by name.  tests/gen/anomalygen.py builds
# one capture per kind of anomaly and states, from the bytes it wrote,
# which events it holds with their count and first frame.  Checked here:
# capture.anomalies of --json is exactly that set (only the events seen);
# the --jsonl summary says the same; the CAP-ANOMALIES finding names each
# with its total; no sanitizer report; clean captures list none; and a
# time out of range is clamped to 2^62 ns while the frames around it keep
# their own.  Memory running out is the one kind bytes cannot craft: those
# cases run with REGTRACE_TEST_ALLOC_FAIL (a knob for tests only, see
# regtrace(1)) naming the frames whose allocations fail.
. "$(dirname "$0")/../lib/tap.sh"
command -v "$PYTHON3" >/dev/null 2>&1 || skip_all "python3 not found"
tmp=$(tmpdir)
trap 'rm -rf "$tmp"' EXIT
_tap_plan_late=1

"$PYTHON3" "$RT_SRC/tests/gen/anomalygen.py" --list > "$tmp/list" || fail "anomalygen --list"
while read -r name expect; do
	"$PYTHON3" "$RT_SRC/tests/gen/anomalygen.py" "$name" "$tmp/c.pcap"
	# shellcheck disable=SC2046
	env $("$PYTHON3" "$RT_SRC/tests/gen/anomalygen.py" --env "$name") \
		"$RT_BIN" -r "$tmp/c.pcap" --json="$tmp/c.json" 2>"$tmp/c.err"
	rc=$?
	if [ $rc -ne 0 ] || grep -q "runtime error\|ERROR: AddressSanitizer" "$tmp/c.err"; then
		fail "$name: exit status $rc or a sanitizer report"; sed 's/^/# /' "$tmp/c.err" | head -5
		continue
	fi
	want="$(printf '%s\n' $expect | sort | tr '\n' ' ')| finding-ok"
	got=$("$PYTHON3" - "$tmp/c.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
an = d["capture"]["anomalies"]
got = " ".join(sorted("%s=%d@%d" % (a["event"], a["count"], a["first_frame"]) for a in an))
total = sum(a["count"] for a in an)
f = [x for x in d["findings"] if x["rule"] == "CAP-ANOMALIES"]
ok = len(f) == 1 and f[0]["severity"] == "INFO" and \
    ("has %d anomal" % total) in f[0]["message"] and \
    all("%s %d (first frame %d)" % (a["event"], a["count"], a["first_frame"]) in f[0]["message"]
        for a in an)
print(got + " | " + ("finding-ok" if ok else "finding-bad: %r" % f))
PY
)
	is "$got" "$want" "$name: capture.anomalies and the CAP-ANOMALIES finding: $want"
done < "$tmp/list"

# every named event (dissectors/record/anomaly.c) has a crafted capture
missing=$(grep -o '"[a-z0-9-]*"' "$RT_SRC/dissectors/record/anomaly.c" | tr -d '"' | sort -u |
	while read -r ev; do grep -q " $ev=" "$tmp/list" || printf '%s ' "$ev"; done)
is "$missing" "" "every event of anomaly.c is in a crafted capture"

# invalid is not truncated (tcpdump's distinction): a wrong version or a
# header length below the minimum leaves truncated_packets at 0, a cut
# header counts (frames 2 and 4)
for n in ipv4-bad-version:0 ipv4-header-short:0 ipv6-bad-version:0 tcp-header-short:0 \
	ipv4-truncated:2 tcp-truncated:2; do
	"$PYTHON3" "$RT_SRC/tests/gen/anomalygen.py" "${n%%:*}" "$tmp/t.pcap"
	got=$("$RT_BIN" -r "$tmp/t.pcap" --json=- 2>/dev/null | "$PYTHON3" -c 'import json,sys
print(json.load(sys.stdin)["capture"]["truncated_packets"])')
	is "$got" "${n#*:}" "${n%%:*}: truncated_packets ${n#*:}"
done

# what the allocation failures cost: frames 2 and 4 carried the lost
# REGISTER records (sip-alloc-failed) or the lost TCP / fragment state
# (alloc-failed); frames 1, 3 and 5 are messages; without the knob the
# same capture loses nothing (5 messages; alloc-failed: 3 and the
# TCP REGISTER, the lone fragment pending at the end)
for n in "sip-alloc-failed:1 3 5:1 2 3 4 5" "alloc-failed:1 3 5:1 2 3 5"; do
	name=${n%%:*} rest=${n#*:}
	"$PYTHON3" "$RT_SRC/tests/gen/anomalygen.py" "$name" "$tmp/a.pcap"
	frames='import json,sys
print(" ".join(str(m["frame"]) for m in json.load(sys.stdin)["messages"]))'
	# shellcheck disable=SC2046
	got=$(env $("$PYTHON3" "$RT_SRC/tests/gen/anomalygen.py" --env "$name") \
		"$RT_BIN" -r "$tmp/a.pcap" --json=- 2>/dev/null | "$PYTHON3" -c "$frames")
	is "$got" "${rest%%:*}" "$name: the messages of frames ${rest%%:*} are kept"
	got=$("$RT_BIN" -r "$tmp/a.pcap" --json=- 2>/dev/null | "$PYTHON3" -c "$frames")
	is "$got" "${rest#*:}" "$name without the knob: frames ${rest#*:} are messages"
done

# the finding, for one of them, in words
"$PYTHON3" "$RT_SRC/tests/gen/anomalygen.py" fragment-timeout "$tmp/ft.pcap"
"$RT_BIN" -r "$tmp/ft.pcap" --json="$tmp/ft.json" 2>/dev/null
got=$("$PYTHON3" -c 'import json,sys
d = json.load(open(sys.argv[1]))
print([(f["message"], f["frames"]) for f in d["findings"] if f["rule"] == "CAP-ANOMALIES"])' "$tmp/ft.json")
is "$got" "[('The capture has 2 anomalies below SIP, 2 kinds: fragment-timeout 1 (first frame 2), fragment-incomplete 1 (first frame 3).', [2, 3])]" \
	"fragment-timeout: one CAP-ANOMALIES finding, evidence frames 2 and 3"

# --jsonl: the summary line's capture carries the same array
"$RT_BIN" -r "$tmp/ft.pcap" --jsonl > "$tmp/ft.jsonl" 2>/dev/null
got=$("$PYTHON3" -c 'import json,sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    if "capture" in o:
        print(json.dumps(o["capture"]["anomalies"], sort_keys=True))' "$tmp/ft.jsonl")
is "$got" '[{"count": 1, "event": "fragment-timeout", "first_frame": 2}, {"count": 1, "event": "fragment-incomplete", "first_frame": 3}]' \
	"--jsonl summary: the same anomalies"

# a clean capture: an empty array and no finding
"$PYTHON3" "$RT_SRC/tests/gen/pcapgen.py" tcp-split "$tmp/clean.pcap" >/dev/null
"$RT_BIN" -r "$tmp/clean.pcap" --json="$tmp/clean.json" 2>/dev/null
got=$("$PYTHON3" -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(d["capture"]["anomalies"], [f for f in d["findings"] if f["rule"] == "CAP-ANOMALIES"])' "$tmp/clean.json")
is "$got" "[] []" "clean capture (pcapgen tcp-split): no anomalies, no finding"

# timestamp-out-of-range: 9907765552 s (pcapng, if_tsresol 10^0) would be
# 9907765552 * 10^9 ns, past INT64_MAX: clamped to 2^62 = 4611686018427387904
"$PYTHON3" "$RT_SRC/tests/gen/anomalygen.py" timestamp-out-of-range "$tmp/ts.pcapng"
"$RT_BIN" -r "$tmp/ts.pcapng" --json="$tmp/ts.json" 2>/dev/null
got=$("$PYTHON3" -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(" ".join("%d:%d" % (m["frame"], m["ts_ns"]) for m in d["messages"]))' "$tmp/ts.json")
is "$got" "1:1700000000000000000 2:4611686018427387904 3:1700000001000000000" \
	"timestamp-out-of-range: frame 2 clamped to 2^62 ns, frames 1 and 3 exact"
tap_done
