#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/run.sh - regtrace speed and memory benchmark.
#
# Times, in one run and interleaved (round-robin, medians of N runs):
#   libpcap read only          bench/parse_floor -n F
#   libosip2 parse floor       bench/parse_floor F   (single thread, every SIP/UDP payload)
#   regtrace report mode       regtrace -r F --report > /dev/null
#   regtrace --json            regtrace -r F --json   > /dev/null
#   regtrace --jsonl           regtrace -r F --jsonl  > /dev/null
#   regtrace --max-memory      regtrace -r F --report --max-memory 64M (the bound at work)
#   regtrace TUI               regtrace -r F in tmux 100x30 (when tmux is installed): wall is
#                              the time until the registrations list is on screen (it fills
#                              while the file loads), then q
#   regtrace TUI loaded        the same, until the status bar no longer says loading/analysing
#   tshark                     tshark -q -z sip,stat -r F
#   sngrep (when installed)    sngrep -N -q -l 1000000 -I F
# Wall time is measured with date +%s%N around the command, peak RSS with
# /usr/bin/time -v.  A row whose command exits non-zero shows "n/a (exit N)".
#
# usage (from the project root):
#   bench/run.sh [--quick] [--workload FILE] [--runs N]
#   --quick          time on a ~100k-packet slice of the workload (made once with editcap)
#   --workload FILE  use FILE instead of $LAB_OUT/big.pcap (no generation then)
#   --runs N         runs per command (default 3; the median is shown)
# env:
#   RT_BIN      regtrace binary (default ./regtrace)
#   LAB_OUT     where gen.sh writes the workload (default ${TMPDIR:-/tmp}/regtrace-lab)
#   RT_SHARED   shared corpus (default ../shared); gen.sh is $RT_SHARED/lab/gen.sh
#   BENCH_OUT   scratch folder: parse_floor binary, slice, logs (default bench/out, git-ignored)
#   BENCH_TIMEOUT  seconds before one command is killed (default 900)
#
# Making the workload (when missing) runs `gen.sh big`: it apt-installs kamailio,
# sip-tester, tshark, tcpdump... from Debian (root needed) and records ~1M packets
# of real Kamailio + SIPp traffic on loopback (several minutes).
set -uo pipefail

QUICK=0 WORKLOAD= RUNS=3
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) QUICK=1 ;;
	--workload) WORKLOAD=${2:?--workload needs a file}; shift ;;
	--workload=*) WORKLOAD=${1#--workload=} ;;
	--runs) RUNS=${2:?--runs needs a number}; shift ;;
	--runs=*) RUNS=${1#--runs=} ;;
	-h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d'; exit 0 ;;
	*) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
case "$RUNS" in ''|*[!0-9]*|0) echo "run.sh: --runs must be a positive number" >&2; exit 2 ;; esac

[ -f bench/parse_floor.c ] || { echo "run.sh: run me from the project root (bench/parse_floor.c not found)" >&2; exit 2; }
RT_BIN=${RT_BIN:-./regtrace}
RT_SHARED=${RT_SHARED:-../shared}
LAB_OUT=${LAB_OUT:-${TMPDIR:-/tmp}/regtrace-lab}
BENCH_OUT=${BENCH_OUT:-bench/out}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-900}
mkdir -p "$BENCH_OUT/logs" || exit 1
[ -x /usr/bin/time ] || { echo "run.sh: /usr/bin/time missing (apt-get install time)" >&2; exit 1; }

log() { echo "[bench $(date +%T)] $*" >&2; }

# ---------------------------------------------------------------- workload
if [ -z "$WORKLOAD" ]; then
	WORKLOAD=$LAB_OUT/big.pcap
	if [ ! -s "$WORKLOAD" ]; then
		[ -f "$RT_SHARED/lab/gen.sh" ] || { echo "run.sh: no workload and no $RT_SHARED/lab/gen.sh" >&2; exit 1; }
		log "workload $WORKLOAD missing: generating it with gen.sh big (several minutes)"
		LAB_OUT=$LAB_OUT bash "$RT_SHARED/lab/gen.sh" big >&2 || { echo "run.sh: gen.sh big failed" >&2; exit 1; }
		[ -s "$WORKLOAD" ] || { echo "run.sh: gen.sh big made no $WORKLOAD" >&2; exit 1; }
	fi
fi
[ -r "$WORKLOAD" ] || { echo "run.sh: cannot read workload $WORKLOAD" >&2; exit 1; }

if [ $QUICK = 1 ]; then
	slice=$BENCH_OUT/slice-100k.pcap
	if [ ! -s "$slice" ] || [ "$WORKLOAD" -nt "$slice" ]; then
		log "cutting the first 100000 packets of $WORKLOAD into $slice"
		if command -v editcap > /dev/null; then
			editcap -r "$WORKLOAD" "$slice.tmp" 1-100000 || exit 1
		else
			tcpdump -r "$WORKLOAD" -c 100000 -w "$slice.tmp" 2> /dev/null || exit 1
		fi
		mv "$slice.tmp" "$slice"
	fi
	F=$slice
else
	F=$WORKLOAD
fi

# ---------------------------------------------------------------- parse floor
FLOOR=$BENCH_OUT/parse_floor
if [ ! -x "$FLOOR" ] || [ bench/parse_floor.c -nt "$FLOOR" ]; then
	log "compiling $FLOOR"
	cc -O2 -Wall -Wextra -o "$FLOOR" bench/parse_floor.c -losipparser2 -lpcap ||
		{ echo "run.sh: cannot build parse_floor (apt-get install libosip2-dev libpcap-dev)" >&2; exit 1; }
fi
PACKETS=$("$FLOOR" -n "$F" | sed -n 's/^packets \([0-9]*\) .*/\1/p')
[ -n "$PACKETS" ] && [ "$PACKETS" -gt 0 ] || { echo "run.sh: no packets in $F" >&2; exit 1; }
log "workload $F: $PACKETS packets, $(du -h "$F" | cut -f1)"

# ---------------------------------------------------------------- commands
# name|label|command (F is substituted; all stdout goes to /dev/null)
NAMES=() LABELS=() CMDS=()
add() { NAMES+=("$1"); LABELS+=("$2"); CMDS+=("$3"); }
add read   "libpcap read only"        "$FLOOR -n \"\$F\""
add floor  "libosip2 parse floor"     "$FLOOR \"\$F\""
if [ -x "$RT_BIN" ]; then
	add report "regtrace --report"    "$RT_BIN -r \"\$F\" --report"
	add json   "regtrace --json"      "$RT_BIN -r \"\$F\" --json"
	add jsonl  "regtrace --jsonl"     "$RT_BIN -r \"\$F\" --jsonl"
	add maxmem "regtrace --max-memory 64M" "$RT_BIN -r \"\$F\" --report --max-memory 64M"
	command -v tmux > /dev/null && add tui "regtrace TUI (to 1st screen)" "@tui"
	command -v tmux > /dev/null && add tuiload "regtrace TUI (fully loaded)" "@tuiload"
else
	log "no regtrace binary at $RT_BIN (set RT_BIN): its rows are n/a"
	for n in report json jsonl; do add "$n" "regtrace --$n" ""; done
fi
if command -v tshark > /dev/null; then
	add tshark "tshark -q -z sip,stat" "tshark -q -z sip,stat -r \"\$F\""
else
	add tshark "tshark -q -z sip,stat" ""
fi
if command -v sngrep > /dev/null; then
	add sngrep "sngrep -N -q -l 1000000" "sngrep -N -q -l 1000000 -I \"\$F\""
fi

# one timed run: run_one NAME RUN -> appends "wall_s rss_kb exit" to $BENCH_OUT/logs/NAME.res
run_one() {
	local i=$1 r=$2 name=${NAMES[$1]} cmd=${CMDS[$1]} t0 t1 rc rss
	local tv=$BENCH_OUT/logs/$name.$r.time err=$BENCH_OUT/logs/$name.$r.err
	if [ -z "$cmd" ]; then echo "- - missing" >> "$BENCH_OUT/logs/$name.res"; return; fi
	if [ "$cmd" = @tui ]; then run_tui "$name" "$r" first; return; fi
	if [ "$cmd" = @tuiload ]; then run_tui "$name" "$r" loaded; return; fi
	t0=$(date +%s%N)
	F=$F timeout "$BENCH_TIMEOUT" /usr/bin/time -v -o "$tv" bash -c "exec $cmd" > /dev/null 2> "$err" < /dev/null
	rc=$?
	t1=$(date +%s%N)
	rss=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$tv" 2> /dev/null)
	echo "$(( (t1 - t0) / 1000000 )) ${rss:--} $rc" >> "$BENCH_OUT/logs/$name.res"
}

# the TUI needs a terminal: run it in a detached tmux session, wait for the
# registrations list, press q; peak RSS from /usr/bin/time -v as for the others
run_tui() {
	local name=$1 r=$2 until=$3 tv=$BENCH_OUT/logs/$1.$2.time err=$BENCH_OUT/logs/$1.$2.err
	local sock=rt-bench-$$ t0 t1 rc=124 rss i=0
	local T="tmux -L $sock -f /dev/null"
	rm -f "$tv.rc"
	t0=$(date +%s%N)
	$T new-session -d -x 100 -y 30 "TERM=xterm-256color /usr/bin/time -v -o '$tv' '$RT_BIN' -r '$F' 2> '$err'; echo \$? > '$tv.rc'"
	while [ $i -lt $((BENCH_TIMEOUT * 10)) ]; do
		local scr
		scr=$($T capture-pane -p 2> /dev/null)
		if printf '%s\n' "$scr" | grep -q 'registrations (' &&
			{ [ "$until" = first ] || ! printf '%s\n' "$scr" | grep -qE 'loading|analysing'; }; then
			t1=$(date +%s%N)
			$T send-keys q
			for _ in $(seq 600); do [ -s "$tv.rc" ] && break; sleep 0.1; done
			rc=$(cat "$tv.rc" 2> /dev/null || echo 1)
			break
		fi
		[ -s "$tv.rc" ] && { rc=$(cat "$tv.rc"); [ "$rc" = 0 ] && rc=1; break; }
		sleep 0.1
		i=$((i + 1))
	done
	$T kill-server 2> /dev/null
	[ -n "${t1:-}" ] || t1=$(date +%s%N)
	rss=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$tv" 2> /dev/null)
	echo "$(( (t1 - t0) / 1000000 )) ${rss:--} $rc" >> "$BENCH_OUT/logs/$name.res"
}

for n in "${NAMES[@]}"; do rm -f "$BENCH_OUT/logs/$n".*; done
for r in $(seq "$RUNS"); do
	for i in "${!NAMES[@]}"; do
		log "run $r/$RUNS: ${LABELS[$i]}"
		run_one "$i" "$r"
	done
done

# ---------------------------------------------------------------- table
median() { sort -n | awk '{v[NR] = $1} END { if (NR) print v[int((NR + 1) / 2)] }'; }
declare -A WALL RSS STATUS
for n in "${NAMES[@]}"; do
	res=$BENCH_OUT/logs/$n.res
	if grep -q ' missing$' "$res"; then STATUS[$n]="n/a (missing)"; continue; fi
	bad=$(awk '$3 != 0 { print $3; exit }' "$res")
	if [ -n "$bad" ]; then
		case "$bad" in
		124) STATUS[$n]="n/a (timeout ${BENCH_TIMEOUT}s)" ;;
		*) STATUS[$n]="n/a (exit $bad)" ;;
		esac
		continue
	fi
	STATUS[$n]=ok
	WALL[$n]=$(awk '{print $1}' "$res" | median)
	RSS[$n]=$(awk '{print $2}' "$res" | median)
done

echo
echo "workload: $F ($PACKETS packets), medians of $RUNS interleaved runs, $(nproc) cores"
ROWF='| %-28s | %13s | %10s | %9s | %15s | %8s |\n'
printf "$ROWF" what "wall median" packets/s "peak RSS" "ratio to report" "vs floor"
printf '|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..30})" "$(printf -- "-%.0s" {1..14}):" \
	"$(printf -- '-%.0s' {1..11}):" "$(printf -- '-%.0s' {1..10}):" "$(printf -- '-%.0s' {1..16}):" "$(printf -- '-%.0s' {1..9}):"
ratio() {  # ratio NAME BASE
	if [ "${STATUS[$2]}" = ok ] && [ "${WALL[$2]}" -gt 0 ]; then
		awk -v a="${WALL[$1]}" -v b="${WALL[$2]}" 'BEGIN { printf "%.2fx", a / b }'
	else
		echo n/a
	fi
}
NOTES=()
for i in "${!NAMES[@]}"; do
	n=${NAMES[$i]}
	if [ "${STATUS[$n]}" != ok ]; then
		printf "$ROWF" "${LABELS[$i]}" "${STATUS[$n]}" - - - -
		e=$(ls "$BENCH_OUT/logs/$n".*.err 2> /dev/null | head -1)
		[ -n "$e" ] && [ -s "$e" ] && NOTES+=("${LABELS[$i]}: $(head -1 "$e" | tr -cd '[:print:]' | cut -c1-100)")
		continue
	fi
	w=${WALL[$n]} rss=${RSS[$n]}
	pps=$(awk -v p="$PACKETS" -v w="$w" 'BEGIN { if (w > 0) { r = p / (w / 1000); if (r >= 1e6) printf "%.2f M", r / 1e6; else if (r >= 1e3) printf "%.0f k", r / 1e3; else printf "%.0f", r } else print "-" }')
	rssh=$(awk -v k="$rss" 'BEGIN { if (k == "-") print "-"; else printf "%.0f MB", k / 1024 }')
	printf "$ROWF" "${LABELS[$i]}" "$(awk -v w="$w" 'BEGIN { printf "%.2f s", w / 1000 }')" "$pps" "$rssh" \
		"$(ratio "$n" report)" "$(ratio "$n" floor)"
done
for x in "${NOTES[@]}"; do echo "note: $x"; done

# the targets (meaningful on the full workload; --quick only shows the trend)
echo
target() {  # target NAME LIMIT_RATIO RSS_LIMIT_MB
	local n=$1 lim=$2 mb=$3
	if [ "${STATUS[$n]}" != ok ] || [ "${STATUS[floor]}" != ok ]; then
		echo "target regtrace --$n: ${STATUS[$n]}"; return
	fi
	awk -v a="${WALL[$n]}" -v b="${WALL[floor]}" -v lim="$lim" -v k="${RSS[$n]}" -v mb="$mb" -v n="$n" 'BEGIN {
		r = a / b; m = k / 1024
		printf "target regtrace --%s: %.2fx the parse floor (target <= %.1fx: %s), peak RSS %.0f MB (target <= %d MB: %s)\n",
			n, r, lim, (r <= lim ? "met" : "NOT met"), m, mb, (m <= mb ? "met" : "NOT met") }'
}
target report 1.2 100
target json 1.5 200
if [ "${STATUS[tui]:-}" = ok ]; then
	awk -v w="${WALL[tui]}" 'BEGIN { printf "target regtrace TUI: the list on screen after %.2f s (target <= 1 s: %s)\n", w / 1000, (w <= 1000 ? "met" : "NOT met") }'
fi
if [ "${STATUS[tuiload]:-}" = ok ]; then
	awk -v k="${RSS[tuiload]}" 'BEGIN { m = k / 1024; printf "target regtrace TUI: peak RSS %.0f MB when loaded (target <= 300 MB: %s)\n", m, (m <= 300 ? "met" : "NOT met") }'
fi
if [ "${STATUS[maxmem]:-}" = ok ]; then
	awk -v k="${RSS[maxmem]}" 'BEGIN { m = k / 1024; printf "--max-memory 64M: peak RSS %.0f MB (%s the bound)\n", m, (m <= 64 ? "within" : "ABOVE") }'
	grep -h 'regtrace: ' "$BENCH_OUT/logs/maxmem.1.err" 2> /dev/null | sed 's/^/  /'
fi
echo "logs: $BENCH_OUT/logs/ (per run: NAME.RUN.time = /usr/bin/time -v, NAME.RUN.err = stderr)"
