#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/readers.sh - capture file readers on the benchmark workload.
#
# How long it takes only to read every packet (count packets, sum their bytes),
# by three readers, on four forms of the same capture:
#   libpcap floor   bench/readcount pcap F   pcap_open_offline + pcap_next_ex
#   our reader      bench/readcount capf F   regtrace's capture layer: src/input/capfile.c
#                                            by content (gzip/zstd on the fly, pcapng
#                                            by our block reader), classic pcap by libpcap
#   libwiretap      bench/wtapcount F        Wireshark's reader (Debian libwiretap-dev)
# forms: the workload (classic pcap), `editcap -F pcapng`, `gzip -c`, `zstd -c`.
# Runs are interleaved round-robin after one warm-up read of each file (page
# cache); each cell is the median of N runs with min-max, from the programs'
# own clocks around open + read (process start left out): wall time
# (CLOCK_MONOTONIC), and CPU time (user + system), which the other work on a
# shared machine disturbs less.
# Every run's packet count is checked against capinfos' count of the workload:
# a reader that reads fewer packets is marked, not averaged in.
# The two programs are built here, not by the main build (libwiretap is GPL-2+
# and only the benchmark links it).
#
# usage (from the project root):  bench/readers.sh [--workload FILE] [--runs N]
# env: LAB_OUT (default ${TMPDIR:-/tmp}/regtrace-lab: the workload is $LAB_OUT/big.pcap,
#      made by ../shared/lab/gen.sh big), BENCH_OUT (default bench/out: binaries and
#      the converted copies, ~1.3 GB for the 545 MB workload; kept between runs).
# Needs gcc, libpcap-dev, zlib/libzstd/liblz4/liblzma -dev (scripts/deps.sh), editcap,
# gzip, zstd; for the libwiretap column libwiretap-dev, libwsutil-dev and libglib2.0-dev,
# which this script apt-installs when it runs as root (else that column says n/a).
set -uo pipefail

RUNS=3 WORKLOAD=
while [ $# -gt 0 ]; do
	case "$1" in
	--workload) WORKLOAD=${2:?--workload needs a file}; shift ;;
	--runs) RUNS=${2:?--runs needs a number}; shift ;;
	-h|--help) sed -n '2,/^set -uo/p' "$0" | sed 's/^# \{0,1\}//;/^set -uo/d'; exit 0 ;;
	*) echo "usage: $0 [--workload FILE] [--runs N]" >&2; exit 2 ;;
	esac
	shift
done
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LAB_OUT=${LAB_OUT:-${TMPDIR:-/tmp}/regtrace-lab}
WORKLOAD=${WORKLOAD:-$LAB_OUT/big.pcap}
OUT=$(mkdir -p "${BENCH_OUT:-$ROOT/bench/out}/readers" && cd "${BENCH_OUT:-$ROOT/bench/out}/readers" && pwd)
log() { echo "[readers $(date +%T)] $*" >&2; }

[ -r "$WORKLOAD" ] || { echo "no workload at $WORKLOAD: run ../shared/lab/gen.sh big (LAB_OUT=$LAB_OUT)" >&2; exit 2; }
for t in gcc editcap capinfos gzip zstd; do
	command -v $t >/dev/null || { echo "$t not found (apt-get install gcc wireshark-common gzip zstd)" >&2; exit 2; }
done

# ---- libwiretap headers (bench-only dependency)
WTAP=1
if [ ! -e /usr/include/wireshark/wiretap/wtap.h ] || [ ! -e /usr/include/wireshark/wireshark.h ] ||
   ! pkg-config --exists glib-2.0 2>/dev/null; then
	if [ "$(id -u)" = 0 ]; then
		log "installing libwiretap-dev libwsutil-dev libglib2.0-dev (for the libwiretap column only)"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q libwiretap-dev libwsutil-dev libglib2.0-dev \
			> "$OUT/apt.log" 2>&1 || { log "apt-get failed (see $OUT/apt.log)"; WTAP=0; }
	else
		log "libwiretap-dev/libwsutil-dev/libglib2.0-dev missing and not root: no libwiretap column"
		WTAP=0
	fi
fi

# ---- build
CF="-std=gnu11 -O2 -Wall -Wextra -D_GNU_SOURCE"
gcc $CF -I"$ROOT/src/input" -I"$ROOT/dissectors" -o "$OUT/readcount" "$ROOT/bench/readcount.c" \
	"$ROOT/src/input/capfile.c" -lpcap -lz -lzstd -llz4 -llzma || { echo "cannot build readcount" >&2; exit 2; }
if [ $WTAP = 1 ]; then
	# shellcheck disable=SC2046
	gcc $CF -I/usr/include/wireshark $(pkg-config --cflags glib-2.0) -o "$OUT/wtapcount" \
		"$ROOT/bench/wtapcount.c" -lwiretap -lwsutil $(pkg-config --libs glib-2.0) ||
		{ log "cannot build wtapcount: no libwiretap column"; WTAP=0; }
fi

# ---- the four forms (made once; again when the workload is newer)
base=$(basename "$WORKLOAD")
mk() {   # mk OUTFILE command...   (writes to OUTFILE.tmp, then renames)
	local f=$1; shift
	if [ ! -s "$f" ] || [ "$WORKLOAD" -nt "$f" ]; then
		log "making $(basename "$f")"
		"$@" > "$f.tmp" && mv "$f.tmp" "$f" || { rm -f "$f.tmp"; echo "cannot make $f" >&2; exit 2; }
	fi
}
NG=$OUT/$base.pcapng GZ=$OUT/$base.gz ZS=$OUT/$base.zst
if [ ! -s "$NG" ] || [ "$WORKLOAD" -nt "$NG" ]; then
	log "making $(basename "$NG")"
	editcap -F pcapng "$WORKLOAD" "$NG.tmp" && mv "$NG.tmp" "$NG" || { echo "editcap failed" >&2; exit 2; }
fi
mk "$GZ" gzip -c "$WORKLOAD"
mk "$ZS" zstd -q -c "$WORKLOAD"
WANT=$(capinfos -c -M "$WORKLOAD" | awk '/Number of packets/ { print $NF }')
FILES=("$WORKLOAD" "$NG" "$GZ" "$ZS")
NAMES=("pcap" "pcapng" "pcap.gz" "pcap.zst")
READERS=(pcap capf wtap)
RNAMES=("libpcap floor" "our reader" "libwiretap")

for f in "${FILES[@]}"; do cat "$f" > /dev/null; done   # warm the page cache
declare -A T
run1() {   # run1 READER FILE -> prints WALL:CPU seconds, or "n/a" / "short:N"
	local out
	case $1 in
	pcap|capf) out=$("$OUT/readcount" "$1" "$2" 2>/dev/null) ;;
	wtap) [ $WTAP = 1 ] || { echo n/a; return; }; out=$("$OUT/wtapcount" "$2" 2>/dev/null) ;;
	esac
	local n s
	n=$(awk '{ print $2 }' <<< "$out"); s=$(awk '{ print $6 ":" $8 }' <<< "$out")
	if [ -z "$n" ]; then echo n/a
	elif [ "$n" != "$WANT" ]; then echo "short:$n"
	else echo "$s"
	fi
}
log "$RUNS runs of ${#READERS[@]} readers on ${#FILES[@]} files ($WANT packets each), interleaved"
for r in $(seq "$RUNS"); do
	for i in "${!FILES[@]}"; do
		for rd in "${READERS[@]}"; do
			T[$i,$rd]="${T[$i,$rd]:-} $(run1 "$rd" "${FILES[$i]}")"
		done
	done
done

cell() {   # cell RUNS FIELD: median (min-max) of field 1 (wall) or 2 (CPU), or what went wrong
	local v=$1
	case $v in *n/a*) echo "n/a"; return ;; *short:*) echo "SHORT ($(tr ' ' '\n' <<< "$v" | grep -m1 short: | cut -d: -f2) pkts)"; return ;; esac
	tr ' ' '\n' <<< "$v" | grep . | cut -d: -f"$2" | sort -g | awk '{ a[NR] = $1 } END {
		m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
		printf "%.3f s (%.3f-%.3f)", m, a[1], a[NR] }'
}
hr() { printf '%-10s %9s  %-22s %-22s %-22s\n' "$@"; }
for k in 1 2; do
	echo
	echo "Readers on $WORKLOAD ($WANT packets), read only: $( [ $k = 1 ] && echo wall || echo CPU) time," \
		"median (min-max) of $RUNS runs"
	hr "form" "size" "${RNAMES[0]}" "${RNAMES[1]}" "${RNAMES[2]}"
	for i in "${!FILES[@]}"; do
		sz=$(stat -c %s "${FILES[$i]}" | awk '{ printf "%.0f MB", $1 / 1e6 }')
		hr "${NAMES[$i]}" "$sz" "$(cell "${T[$i,pcap]}" $k)" "$(cell "${T[$i,capf]}" $k)" "$(cell "${T[$i,wtap]}" $k)"
	done
done
echo "(libpcap reads neither gzip nor zstd: n/a there; a SHORT cell read fewer than $WANT packets)"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(pcap-config --version 2>/dev/null || echo libpcap) $(dpkg-query -W -f='libwiretap ${Version}' libwiretap-dev 2>/dev/null)"
