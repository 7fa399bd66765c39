#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/soak.sh - a live capture that lasts, in two forms.
# A benchmark, not a test: it prints a table and says which targets held.
#
# replay (default): regtrace -i lo while tcpreplay sends a recorded workload
# onto lo at 1x, 2x and 4x its recorded rate.  For each rate it runs, in a
# network namespace of its own (so nothing else on the machine reaches that lo):
#   regtrace -i lo --jsonl --max-memory 128M   (stdout to a file)
#   tcpreplay -i lo --multiplier=X WORKLOAD
# samples regtrace's RSS (VmRSS) and the bytes of its unlinked temp files
# every 10 s, and reads the kernel drops, packets and messages regtrace
# reports at the end (JSONL summary: capture.kernel_drops, packets).
#
# real (--real): real traffic, made here.  In a network namespace of its own
# the script starts Kamailio from $RT_SHARED/lab/kamailio/kamailio.cfg.in
# (rendered as gen.sh renders it: subscribers u000001.. with password
# pw-u000001..) and three SIPp UACs with the scenarios of $RT_SHARED/lab/
# scenarios/ (read in place):
#   main   a_register_auth.xml: REGISTER -> 401 -> REGISTER+credentials -> 200,
#          users u000001..SOAK_USERS round robin (2 REGISTER transactions each)
#   badpw  c_wrong_password.xml: existing users, wrong password: 401 401 401 403
#          (4 transactions; Kamailio answers the 3rd bad digest of a Call-ID with 403)
#   ghost  d_unknown_user.xml: users Kamailio does not know: 404 (1 transaction)
# at SOAK_TPS REGISTER transactions/s in all (the error flows at SOAK_ERR_CPS
# calls/s each, main gets the rest) for SOAK_SECS seconds, while
#   regtrace -i lo --jsonl --max-memory 128M [--max-disk 256M when regtrace has it]
# captures.  Every SAMPLE s it samples regtrace's RSS and disk (bytes allocated
# to the store's unlinked temp files, from /proc/PID/fd); at the end it prints
# kernel drops, RSS at minute 5 and 10, the REGISTER transactions SIPp completed
# (final responses received, from its -trace_counts files) beside regtrace's
# (summary line: transactions with a final; transaction lines), and for each
# failing user the delay from the evidence (capture time of its first 403/404)
# to the wall-clock time the first `finding` line for it reached the pipe
# ("no finding before the end" when it came only after regtrace was stopped).
# Every process is started here and stopped by its PID.
#
# usage (from the project root, as root):
#   bench/soak.sh [--workload FILE] [--rates "1 2 4"] [--sample SECONDS]
#   bench/soak.sh --real [--sample SECONDS]
#   --workload FILE  the capture to replay (default $LAB_OUT/big.pcap, made
#                    by ../shared/lab/gen.sh big when missing)
# env: RT_BIN (default ./regtrace), LAB_OUT, RT_SHARED, BENCH_OUT (bench/out)
#   --real only: SOAK_TPS (1000), SOAK_SECS (600), SOAK_USERS (100000),
#   SOAK_ERR_CPS (badpw and ghost calls/s each; default SOAK_TPS/100, at least 1),
#   SOAK_KAM_MEM (Kamailio shared memory MB, 1024)
# Installs tcpreplay (replay) or kamailio/sip-tester (real) from Debian when missing.
# regtrace keeps no message detail on disk: the disk column checks that it stays 0.
set -uo pipefail

WORKLOAD= RATES="1 2 4" SAMPLE=10 REAL=0 INNER=0
while [ $# -gt 0 ]; do
	case "$1" in
	--real) REAL=1 ;;
	--real-inner) REAL=1 INNER=1 ;;   # internal: already in the namespace
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
[ $REAL = 1 ] && . "$(dirname "$(readlink -f "$0")")/soak_real.sh"
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
