#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/soak.sh - a live capture that lasts: regtrace -i lo while tcpreplay
# sends a recorded workload onto lo at 1x, 2x and 4x its recorded rate.
# A benchmark, not a test: it prints a table and says which targets held.
#
# For each rate it runs, in a network namespace of its own (so nothing
# else on the machine reaches that lo):
#   regtrace -i lo --jsonl --max-memory 128M   (stdout to a file)
#   tcpreplay -i lo --multiplier=X WORKLOAD
# samples regtrace's RSS (VmRSS) and the bytes of its unlinked temp files
# every 10 s, and reads the kernel drops, packets and messages regtrace
# reports at the end (JSONL summary: capture.kernel_drops, packets).
#
# usage (from the project root, as root):
#   bench/soak.sh [--workload FILE] [--rates "1 2 4"] [--sample SECONDS]
#   --workload FILE  the capture to replay (default $LAB_OUT/big.pcap, made
#                    by ../shared/lab/gen.sh big when missing)
# env: RT_BIN (default ./regtrace), LAB_OUT, RT_SHARED, BENCH_OUT (bench/out)
# Installs tcpreplay from Debian when it is missing.
#
# Not yet here (the live work goes on): the "real" form that starts
# Kamailio and SIPp itself for 10 minutes, and --max-disk (regtrace has
# no such bound yet); the disk column shows what the store keeps.
set -uo pipefail

WORKLOAD= RATES="1 2 4" SAMPLE=10
while [ $# -gt 0 ]; do
	case "$1" in
	--workload) WORKLOAD=${2:?}; shift ;;
	--rates) RATES=${2:?}; shift ;;
	--sample) SAMPLE=${2:?}; shift ;;
	-h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d'; exit 0 ;;
	*) echo "soak.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
[ "$(id -u)" = 0 ] || { echo "soak.sh: needs root (live capture, network namespace)" >&2; exit 2; }
RT_BIN=$(readlink -f "${RT_BIN:-./regtrace}")
RT_SHARED=${RT_SHARED:-../shared}
LAB_OUT=${LAB_OUT:-${TMPDIR:-/tmp}/regtrace-lab}
BENCH_OUT=$(mkdir -p "${BENCH_OUT:-bench/out}/soak" && cd "${BENCH_OUT:-bench/out}/soak" && pwd)
[ -x "$RT_BIN" ] || { echo "soak.sh: no regtrace at $RT_BIN (set RT_BIN)" >&2; exit 2; }
WORKLOAD=${WORKLOAD:-$LAB_OUT/big.pcap}
if [ ! -s "$WORKLOAD" ]; then
	echo "soak.sh: making the workload with $RT_SHARED/lab/gen.sh big" >&2
	LAB_OUT=$LAB_OUT "$RT_SHARED/lab/gen.sh" big >&2 || exit 1
fi
command -v tcpreplay >/dev/null 2>&1 ||
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tcpreplay >/dev/null; } ||
	{ echo "soak.sh: cannot install tcpreplay" >&2; exit 1; }
WORKLOAD=$(readlink -f "$WORKLOAD")

# one rate, inside the namespace: prints "rate secs drops packets msgs rss_max disk_max" last
one_rate() {
	local x=$1 out=$BENCH_OUT/rate$1
	mkdir -p "$out"
	unshare -n bash -c '
		set -u
		ip link set lo up
		x=$1 out=$2 rt=$3 wl=$4 sample=$5
		"$rt" -i lo --jsonl --max-memory 128M > "$out/jsonl" 2> "$out/stderr" &
		rp=$!
		sleep 2
		: > "$out/samples"
		t0=$(date +%s)
		tcpreplay -i lo --multiplier="$x" "$wl" > "$out/tcpreplay" 2>&1 &
		tp=$!
		while kill -0 $tp 2>/dev/null; do
			rss=$(awk "/^VmRSS/ {print \$2}" /proc/$rp/status 2>/dev/null)
			disk=0
			for f in /proc/$rp/fd/*; do
				case "$(readlink "$f")" in *"(deleted)") disk=$((disk + $(stat -L -c %b "$f") * 512)) ;; esac
			done
			echo "$(( $(date +%s) - t0 )) ${rss:-0} $disk" >> "$out/samples"
			sleep "$sample"
		done
		wait $tp
		secs=$(( $(date +%s) - t0 ))
		sleep 3
		kill -INT $rp; wait $rp
		python3 - "$out/jsonl" "$out/samples" "$x" "$secs" <<PY
import json, sys
summ = None
for line in open(sys.argv[1]):
    if line.startswith("{\"type\":\"summary\""):
        summ = json.loads(line)
c = summ["capture"] if summ else {}
rows = [l.split() for l in open(sys.argv[2]) if l.strip()]
rss = max((int(r[1]) for r in rows), default=0) // 1024
disk = max((int(r[2]) for r in rows), default=0) // 1048576
print(sys.argv[3], sys.argv[4], c.get("kernel_drops", "?"), c.get("packets", "?"),
      c.get("sip_messages", "?"), rss, disk)
PY
	' soak "$x" "$out" "$RT_BIN" "$WORKLOAD" "$SAMPLE" | tail -1
}

wl_packets=$(capinfos -c -M "$WORKLOAD" 2>/dev/null | awk -F: '/Number of packets/ {gsub(/ /, "", $2); print $2}')
echo "workload: $WORKLOAD (${wl_packets:-?} packets); regtrace -i lo --jsonl --max-memory 128M; samples every ${SAMPLE}s"
printf '| %-5s | %8s | %12s | %10s | %10s | %10s | %10s |\n' rate "replay" "kernel drops" packets "SIP msgs" "peak RSS" "peak disk"
printf '|%s|%s|%s|%s|%s|%s|%s|\n' ------- ---------- -------------- ------------ ------------ ------------ ------------
best=none
for x in $RATES; do
	read -r r secs drops pk msgs rss disk < <(one_rate "$x")
	printf '| %4sx | %6s s | %12s | %10s | %10s | %7s MB | %7s MB |\n' "$r" "$secs" "$drops" "$pk" "$msgs" "$rss" "$disk"
	[ "$drops" = 0 ] && best=${x}x
done
echo "highest rate without kernel drops: $best (target: 0 drops at 1x with the default buffer)"
echo "logs: $BENCH_OUT/rate*/ (jsonl, stderr, samples: seconds RSS_KiB disk_bytes, tcpreplay)"
