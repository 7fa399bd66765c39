#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# metrics.sh - --metrics scraped by a real Prometheus server (Debian's,
# started here on loopback with its own config and stopped by PID) during
# a live capture, and the page checked by promtool.  The traffic is made
# here: alice registers through a 401 challenge, her 200 coming 0.3 s
# after her first REGISTER; bob is refused with 403.  So Prometheus must
# answer: 1 AOR registered, 1 failed; attempts ending 200 and 403 once
# each; one registration request delay (RFC 6076 §4.1) of 0.3 s, in the
# 0.5 s bucket but not the 0.25 s one.
. "$(dirname "$0")/../lib/tap.sh"
[ "$(id -u)" = 0 ] || skip_all "live capture needs root"
command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 ||
	skip_all "prometheus not installed (scripts/deps.sh installs it)"
netns_enter "$@" || skip_all "$NETNS_WHY"
tmp=$(tmpdir)
rt= prom=
trap '[ -n "$rt" ] && kill $rt 2>/dev/null; [ -n "$prom" ] && kill $prom 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
plan 13
sip=$((48000 + $$ % 500)) mport=$((48600 + $$ % 500)) pport=$((49200 + $$ % 500))

"$RT_BIN" -i lo -N --report --metrics "127.0.0.1:$mport" "udp port $sip" > "$tmp/report" 2> "$tmp/rt.err" &
rt=$!
cat > "$tmp/prom.yml" <<EOF
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: regtrace
    static_configs:
      - targets: ['127.0.0.1:$mport']
EOF
prometheus --config.file="$tmp/prom.yml" --storage.tsdb.path="$tmp/tsdb" \
	--web.listen-address="127.0.0.1:$pport" > "$tmp/prom.log" 2>&1 &
prom=$!
sleep 2

"$PYTHON3" - "$sip" > "$tmp/sent" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
ua = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); ua.bind(("127.0.0.1", port + 1))
reg = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); reg.bind(("127.0.0.1", port))
def msg(first, user, cseq, branch, extra=""):
    return (first + "\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-%s\r\n"
            "From: <sip:%s@lab.local>;tag=f%s\r\nTo: <sip:%s@lab.local>%s\r\nCall-ID: metrics-%s\r\n"
            "CSeq: %d REGISTER\r\n%sContent-Length: 0\r\n\r\n" % (
                port + 1, branch, user, user, user, ";tag=t" if first.startswith("SIP/") else "",
                user, cseq, extra)).encode()
contact = "Contact: <sip:%s@127.0.0.1:%d>\r\nExpires: 600\r\n"
def send(s, to, b): s.sendto(b, ("127.0.0.1", to))
# alice: REGISTER, 401, REGISTER with credentials, 200 - 0.3 s after the first REGISTER
t0 = time.time()
send(ua, port, msg("REGISTER sip:lab.local SIP/2.0", "alice", 1, "a1", contact % ("alice", port + 1)))
time.sleep(0.05)
send(reg, port + 1, msg("SIP/2.0 401 Unauthorized", "alice", 1, "a1",
                        'WWW-Authenticate: Digest realm="lab.local", nonce="n1", qop="auth"\r\n'))
time.sleep(0.05)
send(ua, port, msg("REGISTER sip:lab.local SIP/2.0", "alice", 2, "a2", contact % ("alice", port + 1) +
                   'Authorization: Digest username="alice", realm="lab.local", nonce="n1", uri="sip:lab.local", '
                   'response="00000000000000000000000000000000", qop=auth, nc=00000001, cnonce="c"\r\n'))
time.sleep(0.2)
print("%.6f" % (time.time() - t0))   # the delay as sent (a loaded machine sleeps longer)
send(reg, port + 1, msg("SIP/2.0 200 OK", "alice", 2, "a2", "Contact: <sip:alice@127.0.0.1:%d>;expires=600\r\n" % (port + 1)))
# bob: REGISTER, 403
send(ua, port, msg("REGISTER sip:lab.local SIP/2.0", "bob", 1, "b1", contact % ("bob", port + 1)))
time.sleep(0.05)
send(reg, port + 1, msg("SIP/2.0 403 Forbidden", "bob", 1, "b1"))
PY

# PromQL over Prometheus's HTTP API: the value of QUERY, or "none"
q() {
	"$PYTHON3" - "http://127.0.0.1:$pport/api/v1/query" "$1" <<'PY'
import json, sys, urllib.parse, urllib.request
url = sys.argv[1] + "?" + urllib.parse.urlencode({"query": sys.argv[2]})
try:
    r = json.load(urllib.request.urlopen(url, timeout=5))["data"]["result"]
    print(r[0]["value"][1] if r else "none")
except Exception as e:
    print("error: %s" % e)
PY
}
# wait (at most 20 s) until Prometheus has scraped the registered AOR
i=0
while [ $i -lt 40 ] && [ "$(q 'regtrace_registrations{state="registered"}')" != 1 ]; do sleep 0.5; i=$((i + 1)); done

is "$(q 'up{job="regtrace"}')" 1 "Prometheus scrapes regtrace (up = 1)"
is "$(q 'regtrace_registrations{state="registered"}')" 1 "registrations{state=registered} = 1 (alice)"
is "$(q 'regtrace_registrations{state="failed"}')" 1 "registrations{state=failed} = 1 (bob)"
is "$(q 'regtrace_attempts_total{code="200"}')" 1 "attempts_total{code=200} = 1"
is "$(q 'regtrace_attempts_total{code="403"}')" 1 "attempts_total{code=403} = 1"
is "$(q 'regtrace_registration_request_delay_seconds_count')" 1 "one registration request delay observed"
# the buckets the delay as sent falls in (0.3 s planned); its sum within 20 ms of it
d=$(cat "$tmp/sent")
in05=$(awk -v d="$d" 'BEGIN { print (d <= 0.5) ? 1 : 0 }')
is "$(q 'regtrace_registration_request_delay_seconds_bucket{le="0.5"}')" "$in05" "RRD of ${d}s: le=0.5 bucket holds $in05"
is "$(q 'regtrace_registration_request_delay_seconds_bucket{le="0.25"}')" 0 "... and the le=0.25 bucket none (at least 0.3 s)"
sum=$(q 'regtrace_registration_request_delay_seconds_sum')
awk -v s="$sum" -v d="$d" 'BEGIN { exit !(s - d < 0.02 && d - s < 0.02) }'
ok $? "RRD sum $sum s is the delay as sent ($d s) within 20 ms"
is "$(q 'regtrace_sip_messages_total')" 6 "sip_messages_total = the 6 messages sent"

"$PYTHON3" -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' \
	"http://127.0.0.1:$mport/metrics" > "$tmp/page"
promtool check metrics < "$tmp/page" > "$tmp/promtool" 2>&1
ok $? "promtool check metrics: no problems $(head -c 200 "$tmp/promtool")"
code=$("$PYTHON3" -c '
import sys, urllib.request, urllib.error
try: urllib.request.urlopen(sys.argv[1], timeout=5); print(200)
except urllib.error.HTTPError as e: print(e.code)' "http://127.0.0.1:$mport/other")
is "$code" 404 "any other path: 404"

kill -INT $rt; wait $rt; rc=$?; rt=
is $rc 0 "regtrace exits 0 on SIGINT with the metrics server running"
