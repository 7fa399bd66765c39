# SPDX-License-Identifier: GPL-2.0-or-later
# bench/soak_real.sh - the real form of bench/soak.sh (sourced by it with
# --real; see its header): Kamailio + SIPp in a network namespace of their
# own while regtrace -i lo captures.  Set by soak.sh: RT_BIN, RT_SHARED,
# BENCH_OUT, SAMPLE, INNER.
# shellcheck shell=bash

SOAK_TPS=${SOAK_TPS:-1000}
SOAK_SECS=${SOAK_SECS:-600}
SOAK_USERS=${SOAK_USERS:-100000}
SOAK_ERR_CPS=${SOAK_ERR_CPS:-$(( SOAK_TPS / 100 > 0 ? SOAK_TPS / 100 : 1 ))}
SOAK_KAM_MEM=${SOAK_KAM_MEM:-1024}
LAB=$(readlink -f "$RT_SHARED/lab")
SC=$LAB/scenarios

# ---------------------------------------------------------------- outside
if [ "$INNER" = 0 ]; then
	[ -r "$LAB/kamailio/kamailio.cfg.in" ] && [ -r "$SC/a_register_auth.xml" ] ||
		{ echo "soak.sh --real: no lab at $LAB (set RT_SHARED)" >&2; exit 2; }
	for p in kamailio sipp; do
		command -v $p >/dev/null 2>&1 && continue
		echo "soak.sh --real: installing kamailio and sip-tester from Debian" >&2
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kamailio sip-tester >/dev/null; } ||
			{ echo "soak.sh --real: cannot install kamailio/sip-tester" >&2; exit 1; }
		break
	done
	# the Debian package may start kamailio.service on the host: it does not
	# matter here (the namespace has its own lo and ports)
	command -v unshare >/dev/null && command -v ip >/dev/null ||
		{ echo "soak.sh --real: needs unshare and ip (util-linux, iproute2)" >&2; exit 2; }
	main_cps=$(( (SOAK_TPS - 5 * SOAK_ERR_CPS) / 2 ))
	[ "$main_cps" -ge 1 ] || { echo "soak.sh --real: SOAK_TPS too low for SOAK_ERR_CPS=$SOAK_ERR_CPS" >&2; exit 2; }
	# soak.sh appends /soak to BENCH_OUT again inside
	BENCH_OUT=$(dirname "$BENCH_OUT")
	RT_SHARED=$(readlink -f "$RT_SHARED")
	export RT_BIN RT_SHARED BENCH_OUT SOAK_TPS SOAK_SECS SOAK_USERS SOAK_ERR_CPS SOAK_KAM_MEM
	exec unshare -n -- "$0" --real-inner --sample "$SAMPLE"
fi

# ---------------------------------------------------------------- inside the namespace
ip link set lo up || { echo "soak.sh --real: cannot bring lo up in the namespace" >&2; exit 2; }
OUT=$BENCH_OUT/real
RUN=$OUT/run
rm -rf "$OUT"
mkdir -p "$RUN/db" "$RUN/csv" "$RUN/sipp"
ulimit -n 65536 2>/dev/null || ulimit -n 8192
KPID= RPID= SPID= SIPP_PIDS=()
STOP_KILLED=0
stop_pid() {   # stop_pid PID [signal [seconds]]: signal, wait (10 s), then SIGKILL
	local pid=$1 sig=${2:-TERM} secs=${3:-10} i
	STOP_KILLED=0
	[ -n "$pid" ] || return 0
	kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
	kill -"$sig" "$pid" 2>/dev/null
	for i in $(seq $(( secs * 5 ))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
	kill -0 "$pid" 2>/dev/null && { kill -KILL "$pid" 2>/dev/null; STOP_KILLED=1; }
	wait "$pid" 2>/dev/null
	return 0
}
cleanup() {
	local p
	for p in "${SIPP_PIDS[@]}"; do stop_pid "$p" INT; done
	stop_pid "$RPID" INT; RPID=
	stop_pid "$SPID"; SPID=
	stop_pid "$KPID"; KPID=
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { echo "[soak $(date +%T)] $*" >&2; }

main_cps=$(( (SOAK_TPS - 5 * SOAK_ERR_CPS) / 2 ))
N=$SOAK_USERS
# Kamailio's config and subscribers, as gen.sh renders them
sed -e "s#@LAB@#$LAB#g" -e "s#@RUN@#$RUN#g" "$LAB/kamailio/kamailio.cfg.in" > "$RUN/kamailio.cfg"
awk -v n="$N" 'BEGIN {
	print "id(int,auto) key_name(string) key_type(int) value_type(int) key_value(string) expires(int)";
	for (i = 1; i <= n; i++) printf "%d:u%06d:0:0:pw-u%06d:0\n", i, i, i }' > "$RUN/db/subscriber_ht"
printf 'table_name(string) table_version(int)\nhtable:2\n' > "$RUN/db/version"
awk -v n="$N" 'BEGIN { print "SEQUENTIAL"; for (i = 1; i <= n; i++)
	printf "u%06d;pw-u%06d;[authentication username=u%06d password=pw-u%06d]\n", i, i, i, i }' > "$RUN/csv/main.csv"
# wrong passwords for existing users (every 37th, wrapping), unknown users
awk -v n="$N" 'BEGIN { print "SEQUENTIAL"; m = n < 2000 ? n : 2000; for (i = 1; i <= m; i++) {
	u = (i * 37 - 1) % n + 1; printf "u%06d;bad-%06d;[authentication username=u%06d password=bad-%06d]\n", u, i, u, i } }' \
	> "$RUN/csv/badpw.csv"
awk 'BEGIN { print "SEQUENTIAL"; for (i = 1; i <= 2000; i++) printf "ghost%05d;x;-\n", i }' > "$RUN/csv/ghost.csv"

# regtrace first, its JSONL through a stamper (the wall-clock time each
# finding line arrives; message lines are not kept, only 403/404 evidence)
cat > "$OUT/stamp.py" <<'PY'
import json, os, sys, time
out = sys.argv[1]
ev = open(out + "/evidence.tsv", "w")
fi = open(out + "/findings.tsv", "w")
counts, reg_final, buf = {}, 0, b""
fd = sys.stdin.fileno()
while True:
    chunk = os.read(fd, 1 << 16)
    if not chunk:
        break
    now = time.time()
    buf += chunk
    *lines, buf = buf.split(b"\n")
    for line in lines:
        t = line[9:line.find(b'"', 9)].decode() if line.startswith(b'{"type":"') else "?"
        counts[t] = counts.get(t, 0) + 1
        if t == "message":
            if b'"status":403,' in line or b'"status":404,' in line:
                m = json.loads(line)
                ev.write("%.6f\t%d\t%s\n" % (m["time"], m["status"], m.get("to") or "-"))
        elif t == "transaction":
            if b'"method":"REGISTER"' in line and b'"outcome":"final"' in line:
                reg_final += 1
        elif t == "finding":
            f = json.loads(line)
            fi.write("%.6f\t%s\t%s\t%s\n" % (now, f.get("aor") or "-", f["rule"], f["severity"]))
        elif t == "summary":
            open(out + "/summary.json", "wb").write(line)
json.dump({"lines": counts, "register_final_lines": reg_final}, open(out + "/counts.json", "w"))
PY
MAXDISK=
"$RT_BIN" --help 2>&1 | grep -q -- '--max-disk' && MAXDISK="--max-disk 256M"
mkfifo "$OUT/jsonl.fifo"
python3 "$OUT/stamp.py" "$OUT" < "$OUT/jsonl.fifo" & SPID=$!
# shellcheck disable=SC2086
"$RT_BIN" -i lo --jsonl --max-memory 128M $MAXDISK > "$OUT/jsonl.fifo" 2> "$OUT/regtrace.stderr" & RPID=$!
sleep 2
kill -0 $RPID 2>/dev/null || { log "regtrace did not start:"; cat "$OUT/regtrace.stderr" >&2; exit 1; }

: > "$RUN/kamailio.log"
kamailio -f "$RUN/kamailio.cfg" -Y "$RUN" -P "$RUN/kamailio.pid" -DD -E -m "$SOAK_KAM_MEM" -M 192 \
	>> "$RUN/kamailio.log" 2>&1 & KPID=$!
for i in $(seq 100); do
	ss -lnu 2>/dev/null | grep -q '127.0.0.1:5060 ' && break
	kill -0 $KPID 2>/dev/null || break
	sleep 0.1
done
kill -0 $KPID 2>/dev/null || { log "kamailio did not start:"; tail -20 "$RUN/kamailio.log" >&2; exit 1; }
sleep 0.5

log "regtrace -i lo --jsonl --max-memory 128M${MAXDISK:+ $MAXDISK} (pid $RPID); kamailio (pid $KPID); $N users"
log "SIPp: main $main_cps calls/s (2 REGISTER transactions each), badpw and ghost $SOAK_ERR_CPS calls/s each, for $SOAK_SECS s"
common="-nostdin -nd -auth_uri lab.local -i 127.0.0.1 -trace_counts -fd 10 -max_socket 4000"
tmo=$(( SOAK_SECS + 60 ))
start_sipp() {   # start_sipp NAME SCENARIO CSV PORT CPS LIMIT [extra...]
	local name=$1 sf=$2 csv=$3 port=$4 cps=$5 lim=$6; shift 6
	# shellcheck disable=SC2086
	mkdir -p "$RUN/sipp/$name"   # -trace_counts writes <scenario>_<pid>_counts.csv here
	( cd "$RUN/sipp/$name" && exec timeout "$tmo" sipp 127.0.0.1:5060 -sf "$SC/$sf" -inf "$RUN/csv/$csv" \
		-p "$port" -r "$cps" -m $(( cps * SOAK_SECS )) -l "$lim" -timeout "$(( SOAK_SECS + 30 ))s" \
		$common "$@" > "$RUN/$name.sipp.log" 2>&1 ) &
	SIPP_PIDS+=($!)
}
t0=$(date +%s)
start_sipp main a_register_auth.xml main.csv 5080 "$main_cps" 4000 -t un
start_sipp badpw c_wrong_password.xml badpw.csv 5081 "$SOAK_ERR_CPS" 200
start_sipp ghost d_unknown_user.xml ghost.csv 5082 "$SOAK_ERR_CPS" 200

disk_of() {   # bytes allocated to the unlinked files PID holds open (the store)
	local f d=0
	for f in /proc/$1/fd/*; do
		case "$(readlink "$f" 2>/dev/null)" in *"(deleted)") d=$(( d + $(stat -L -c %b "$f" 2>/dev/null || echo 0) * 512 )) ;; esac
	done
	echo $d
}
: > "$OUT/samples"
alive=1
while [ $alive = 1 ]; do
	alive=0
	for p in "${SIPP_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
	if ! kill -0 $RPID 2>/dev/null; then
		log "regtrace exited while capturing (see $OUT/regtrace.stderr)"
		break
	fi
	rss=$(awk '/^VmRSS/ { print $2 }' /proc/$RPID/status 2>/dev/null)
	echo "$(( $(date +%s) - t0 )) ${rss:-0} $(disk_of $RPID)" >> "$OUT/samples"
	[ $alive = 1 ] && sleep "$SAMPLE"
done
for p in "${SIPP_PIDS[@]}"; do wait "$p"; done
secs=$(( $(date +%s) - t0 ))
log "SIPp done after $secs s; stopping regtrace"
sleep 3            # the last answers reach the capture
t_stop=$(date +%s.%N)
# regtrace's end of run (the batch over every AOR, a registration line
# each, the summary) takes seconds with 100k AORs: give it time, say how long
stop_pid "$RPID" INT 300; RPID=
log "regtrace ended $(python3 -c "import sys,time; print('%.1f' % (time.time() - float(sys.argv[1])))" "$t_stop") s after SIGINT$([ "$STOP_KILLED" = 1 ] && echo ': KILLED (no summary line)')"
wait "$SPID"; SPID=
stop_pid "$KPID"; KPID=

python3 - "$OUT" "$RUN/sipp" "$t_stop" "$t0" <<'PY'
import csv, glob, json, os, statistics, sys
out, sdir, t_stop, t0 = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
rows = [list(map(int, l.split())) for l in open(out + "/samples") if l.strip()]
print("\n| t (s) | RSS (MB) | disk (MB) |")
print("|------:|---------:|----------:|")
for t, rss, disk in rows:
    print("| %5d | %8.1f | %9.1f |" % (t, rss / 1024, disk / 1048576))
def rss_at(sec):
    near = [r for r in rows if abs(r[0] - sec) <= 10]
    return "%.1f MB (t=%d s)" % (near[0][1] / 1024, near[0][0]) if near else "not reached"
try:
    summ = json.load(open(out + "/summary.json"))
except (OSError, ValueError):
    summ = {}
cap, st = summ.get("capture", {}), summ.get("stats", {})
counts = json.load(open(out + "/counts.json")) if os.path.exists(out + "/counts.json") else {}
print("\nkernel drops: %s (capture.kernel_drops); packets %s, SIP messages %s" %
      (cap.get("kernel_drops", "?"), cap.get("packets", "?"), cap.get("sip_messages", "?")))
print("peak RSS %.1f MB (bound 128M), peak disk %.1f MB" %
      (max(r[1] for r in rows) / 1024 if rows else 0, max(r[2] for r in rows) / 1048576 if rows else 0))
print("RSS at minute 5: %s; at minute 10: %s" % (rss_at(300), rss_at(600)))
# SIPp: a REGISTER transaction it completed = a final response it received
sent = done = 0
per = {}
for f in sorted(glob.glob(sdir + "/*/*_counts.csv")):
    lines = [l for l in csv.reader(open(f), delimiter=";") if l]
    if len(lines) < 2:
        continue
    head, last = lines[0], lines[-1]
    s = d = 0
    for k, v in zip(head, last):
        parts = k.split("_")
        if len(parts) >= 3 and v.strip().isdigit():
            if parts[1] == "REGISTER" and parts[2] == "Sent":
                s += int(v)
            elif parts[1].isdigit() and int(parts[1]) >= 200 and parts[2] == "Recv":
                d += int(v)
    per[os.path.basename(os.path.dirname(f))] = (s, d)
    sent += s
    done += d
tx = st.get("transactions", {})
print("REGISTER transactions: SIPp completed %d (%s; requests sent %d incl. retransmissions)" %
      (done, ", ".join("%s %d" % (k, v[1]) for k, v in per.items()), sent))
print("                       regtrace: %s with a final response (summary), %s transaction lines "
      "REGISTER+final, %s timeout, %s unknown; %s" %
      (tx.get("final", "?"), counts.get("register_final_lines", "?"), tx.get("timeout", "?"),
       tx.get("unknown", "?"),
       "all of SIPp's are in regtrace's counts" if isinstance(tx.get("final"), int) and tx["final"] >= done
       else "MISSING %s" % (done - tx["final"] if isinstance(tx.get("final"), int) else "?")))
# failing users: first 403/404 (capture time) -> first finding line for that AOR (wall clock)
def key(uri):
    u = uri.split(":", 1)[-1]
    return u.split(";")[0].split(">")[0]
evid = {}
for l in open(out + "/evidence.tsv"):
    t, code, to = l.rstrip("\n").split("\t")
    evid.setdefault(key(to), (float(t), code))
first = {}
for l in open(out + "/findings.tsv"):
    w, aor, rule, sev = l.rstrip("\n").split("\t")
    if aor != "-":
        first.setdefault(key(aor), (float(w), rule, sev))
delays, late, rows_out = [], 0, []
for u, (t, code) in sorted(evid.items(), key=lambda x: x[1][0]):
    f = first.get(u)
    if not f or f[0] >= t_stop:
        late += 1
        rows_out.append("%-24s %s at t=%.3f s: no finding before the end" % (u, code, t - t0))
    else:
        delays.append(f[0] - t)
        rows_out.append("%-24s %s at t=%.3f s: %s %s after %.3f s" % (u, code, t - t0, f[2], f[1], f[0] - t))
open(out + "/delays.txt", "w").write("\n".join(rows_out) + "\n")
print("\nfailing users (a 403 or 404 seen; t counts from SIPp's start): %d; first finding while capturing: %d, "
      "no finding before the end: %d" % (len(evid), len(delays), late))
if delays:
    delays.sort()
    print("delay evidence -> first finding: median %.3f s, p90 %.3f s, max %.3f s; within 2 s: %d of %d" %
          (statistics.median(delays), delays[int(0.9 * (len(delays) - 1))], delays[-1],
           sum(d <= 2 for d in delays), len(evid)))
for r in rows_out[:20]:
    print("  " + r)
if len(rows_out) > 20:
    print("  ... %d more in %s/delays.txt" % (len(rows_out) - 20, out))
PY
echo "logs: $OUT (samples: seconds RSS_KiB disk_bytes; regtrace.stderr; evidence.tsv, findings.tsv, delays.txt; run/: kamailio.log, *.sipp.log, sipp/NAME/*_counts.csv)"
exit 0
