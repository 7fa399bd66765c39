#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tls_https.sh - HTTPS next to SIP over TLS in one capture: every TLS
# connection is in capture.tls, but CAP-TLS-UNDECRYPTED counts only those
# that can carry SIP (docs/rules.md).  Made here, in a network namespace of
# its own: openssl s_server -www on 443 fetched by s_client (no ALPN), a
# Python ssl HTTP server on 8443 fetched by http.client offering ALPN
# h2,http/1.1 (as curl and browsers do), and SIP registrations through
# openssl s_server (tests/gen/tlskam.py) on 5061 and on 443 with the server name
# sip.lab.local: two connections each.  Ground truth is tshark: its
# ClientHellos and their ALPN, the HTTP it decodes with the web clients'
# key logs and the SIP with the SIP client's.
. "$(dirname "$0")/../lib/tap.sh"
[ "$(id -u)" = 0 ] || skip_all "needs root (network namespace, tcpdump)"
for t in openssl tcpdump tshark ss; do
	command -v $t >/dev/null 2>&1 || skip_all "$t not installed (scripts/deps.sh)"
done
netns_enter "$@" || skip_all "$NETNS_WHY"
tmp=$(tmpdir)
TPID= SPID=
stop() {
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null
	for _i in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.2; done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}
trap 'stop "$SPID"; stop "$TPID"; rm -rf "$tmp"' EXIT
plan 14
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/k.pem" -out "$tmp/c.pem" \
	-days 2 -subj /CN=lab.local >/dev/null 2>&1
listening() { ss -ltnH 2>/dev/null | grep -q ":$1 "; }
p=$tmp/mix.pcap
tcpdump -q -i lo -U -w "$p" tcp 2>"$tmp/tcpdump.log" &
TPID=$!
for _i in $(seq 50); do grep -q 'listening on' "$tmp/tcpdump.log" && break; sleep 0.1; done
sleep 0.3

# 1: HTTPS on 443, no ALPN
openssl s_server -accept 127.0.0.1:443 -www -naccept 1 -cert "$tmp/c.pem" -key "$tmp/k.pem" \
	>"$tmp/www.out" 2>&1 &
SPID=$!
for _i in $(seq 100); do listening 443 && break; sleep 0.1; done
{ printf 'GET / HTTP/1.0\r\n\r\n'; sleep 1; } | timeout 20 openssl s_client -connect 127.0.0.1:443 \
	-quiet -keylogfile "$tmp/web.keys" >"$tmp/www.got" 2>/dev/null
wait $SPID
SPID=
# 2: HTTPS on 8443, ALPN h2,http/1.1
timeout 30 "$PYTHON3" - "$tmp" <<'EOP' >"$tmp/py.got" 2>&1
import http.client, http.server, ssl, sys, threading
d = sys.argv[1]
sc = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
sc.load_cert_chain(d + "/c.pem", d + "/k.pem")
srv = http.server.HTTPServer(("127.0.0.1", 8443), http.server.SimpleHTTPRequestHandler)
srv.socket = sc.wrap_socket(srv.socket, server_side=True)
th = threading.Thread(target=srv.handle_request)
th.start()
cc = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
cc.check_hostname = False
cc.verify_mode = ssl.CERT_NONE
cc.keylog_filename = d + "/web.keys"
cc.set_alpn_protocols(["h2", "http/1.1"])
c = http.client.HTTPSConnection("127.0.0.1", 8443, context=cc)
c.request("GET", "/")
print(c.getresponse().status)
c.close()
th.join()
EOP
# 3, 4: SIP on 5061; 5, 6: SIP on 443 with the server name sip.lab.local
timeout 60 "$PYTHON3" "$RT_SRC/tests/gen/tlskam.py" s_server openssl 1.3 127.0.0.1 5061 "$tmp/sip.keys" "$tmp" >"$tmp/sip1.out" 2>&1
TLSKAM_SNI=sip.lab.local timeout 60 "$PYTHON3" "$RT_SRC/tests/gen/tlskam.py" s_server openssl 1.2 127.0.0.1 443 \
	"$tmp/sip.keys" "$tmp" >"$tmp/sip2.out" 2>&1
file_settled "$p"
stop "$TPID"
TPID=
cat "$tmp/web.keys" "$tmp/sip.keys" >"$tmp/all.keys"

# tshark: the TLS connections by their ClientHello: server port, ALPN offer, SNI
hellos=$(tshark -r "$p" -Y 'tls.handshake.type == 1' -T fields -e tcp.dstport \
	-e tls.handshake.extensions_alpn_str -e tls.handshake.extensions_server_name 2>/dev/null |
	tr '\t' ' ' | tr -s ' ' | sed 's/ *$//')
is "$(echo "$hellos" | tr '\n' ';')" "443;8443 h2,http/1.1;5061 lab.local;5061 lab.local;443 sip.lab.local;443 sip.lab.local;" \
	"tshark: 6 ClientHellos: HTTPS on 443 (no ALPN), on 8443 (h2,http/1.1), SIP on 5061 and on 443 (sip.lab.local)"
# tshark with the web clients' key log decodes HTTP in the two web connections
is "$(tshark -r "$p" -o "tls.keylog_file:$tmp/web.keys" -Y 'http.request' -T fields -e tcp.dstport 2>/dev/null | tr '\n' ' ')" \
	"443 8443 " "tshark with the web key log: one HTTP request on 443, one on 8443 (they are HTTPS)"

"$RT_BIN" --json -r "$p" 2>"$tmp/err" | "$PYTHON3" -c '
import json, sys
d = json.load(sys.stdin)
t = d["capture"]["tls"]
u = t["undecryptable"]
print(t["connections"], u["count"], u["https"])
for c in u["connections"]:
    print(c["server"].rsplit(":", 1)[1], c["alpn"], "https" if c["https"] else "sip")
f = [x for x in d["findings"] if x["rule"] == "CAP-TLS-UNDECRYPTED"]
print(len(f), f[0]["message"] if f else "-")' >"$tmp/nokeys"
is "$(sed -n 1p "$tmp/nokeys")" "6 6 2" "no key log: capture.tls counts all 6 connections (tshark: 6 ClientHellos), 6 undecrypted, 2 of them HTTPS"
is "$(sed -n '2,7p' "$tmp/nokeys" | sort | tr '\n' ';')" "443 None https;443 None sip;443 None sip;5061 None sip;5061 None sip;8443 h2,http/1.1 https;" \
	"no key log: the two web connections (the ones tshark decodes as HTTP) are marked https, the ALPN offer is tshark's; SIP on 443 with its server name is not"
msg=$(sed -n 8p "$tmp/nokeys")
case $msg in
"1 4 of 4 TLS connections could not be decrypted ("*"): no key log; SIP carried in them is not in this analysis. 2 more that look like HTTPS are left out (capture.tls in --json).") r=0 ;;
*) r=1 ;;
esac
ok $r "no key log: CAP-TLS-UNDECRYPTED counts the 4 SIP connections and says 2 HTTPS ones are left out ($msg)"
is "$(echo "$msg" | grep -o '127.0.0.1:[0-9]* -> 127.0.0.1:[0-9]*' | sed 's/.*://' | tr '\n' ' ')" "5061 5061 443 443 " \
	"no key log: the finding names the SIP servers only (5061 twice, 443 with sip.lab.local twice)"
grep -q '^regtrace: 6 TLS connections, 0 decrypted, 6 not decrypted (2 of them HTTPS, not SIP)$' "$tmp/err"
ok $? "stderr: 6 TLS connections, 6 not decrypted, 2 of them HTTPS"
grep -q 'TLS 127.0.0.1:[0-9]* -> 127.0.0.1:8443 not decrypted: no key log (HTTPS, not SIP: ALPN offers only HTTP, HTTP/2 among it)' "$tmp/err"
ok $? "stderr: the 8443 connection is named HTTPS by its ALPN offer"

# with the SIP client's key log: the SIP is read, only HTTPS stays encrypted: no finding
tsh() { tshark "$@" -Y sip -T fields -e frame.number -e sip.Method -e sip.Status-Code -e sip.Call-ID 2>/dev/null |
	awk -F'\t' '{print $1, ($2 != "" ? $2 : $3), $4}'; }
want=$(tsh -o "tls.keylog_file:$tmp/sip.keys" -d tls.port==443,sip -r "$p")
is "$(echo "$want" | grep -c .)" 12 "tshark with the SIP key log (SIP decoded on 443 too): 12 SIP messages"
is "$("$RT_BIN" --messages --tls-keylog "$tmp/sip.keys" -r "$p" 2>/dev/null | awk -F'\t' '{split($5, w, " "); print $1, w[1], $6}')" "$want" \
	"SIP key log: regtrace lists the SIP messages tshark decodes, on 5061 and on 443"
"$RT_BIN" --json --tls-keylog "$tmp/sip.keys" -r "$p" 2>/dev/null | "$PYTHON3" -c '
import json, sys
d = json.load(sys.stdin)
t = d["capture"]["tls"]
print(t["connections"], t["decrypted"], t["undecryptable"]["count"], t["undecryptable"]["https"],
      len([x for x in d["findings"] if x["rule"] == "CAP-TLS-UNDECRYPTED"]))' >"$tmp/sipkeys"
is "$(cat "$tmp/sipkeys")" "6 4 2 2 0" "SIP key log: 6 connections, 4 decrypted, the 2 HTTPS undecrypted and left out: no CAP-TLS-UNDECRYPTED"
# with every key log: all decrypted, the same SIP
"$RT_BIN" --json --tls-keylog "$tmp/all.keys" -r "$p" 2>/dev/null | "$PYTHON3" -c '
import json, sys
d = json.load(sys.stdin)
t = d["capture"]["tls"]
print(t["connections"], t["decrypted"], t["undecryptable"]["count"], len(d["messages"]))' >"$tmp/allkeys"
is "$(cat "$tmp/allkeys")" "6 6 0 12" "every key log: 6 of 6 decrypted, still the 12 SIP messages (the HTTP is not SIP)"
if "$PYTHON3" -c 'import jsonschema' 2>/dev/null; then
	"$RT_BIN" --json -r "$p" 2>/dev/null >"$tmp/j.json"
	"$PYTHON3" -c '
import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))
' "$tmp/j.json" "$RT_SRC/docs/schema.json"
	ok $? "capture.tls with https and alpn validates against docs/schema.json"
else
	skip "python3-jsonschema not installed"
fi

# hostile and edge-case ClientHellos, built byte by byte (tests/gen/pcapgen.py),
# each followed by one encrypted record: the ALPN and server name as read
"$PYTHON3" - "$RT_SRC/tests/gen" "$tmp/crafted.pcap" <<'EOP'
import sys
sys.path.insert(0, sys.argv[1])
import pcapgen as g
fr, t = [], 1_700_000_000 * 10**9
def seg(src, dst, sp, dp, seq, ack, fl, pl=b""):
    global t
    t += 10**6
    fr.append((t, g.link_frame(1, g.ip(src, dst, 6, g.tcp(src, dst, sp, dp, seq, ack, fl, pl)))))
def ext(typ, body):
    return typ.to_bytes(2, "big") + len(body).to_bytes(2, "big") + body
def alpn(*names, lie=b""):
    l = b"".join(bytes([len(n)]) + n for n in names) + lie
    return ext(0x10, len(l).to_bytes(2, "big") + l)
def sni(name):
    e = b"\0" + len(name).to_bytes(2, "big") + name
    return ext(0, len(e).to_bytes(2, "big") + e)
def hello(exts):
    b = b"\x03\x03" + b"\x22" * 32 + b"\0" + b"\0\x02\x13\x01" + b"\x01\0"
    b += len(exts).to_bytes(2, "big") + exts
    h = bytes([1]) + len(b).to_bytes(3, "big") + b
    return bytes([22, 3, 1]) + len(h).to_bytes(2, "big") + h
C, S = "192.0.2.10", "198.51.100.5"
for i, exts in enumerate([
        alpn(b"h2", b"\x01\xffx", lie=b"\x09abc"),   # a byte not printable, a length that lies
        alpn(b"h2", b"http/1.1"),
        sni(b"SIP.example.com"),
        b""]):
    cp = 41000 + i
    seg(C, S, cp, 443, 99, 0, "S")
    seg(S, C, 443, cp, 499, 100, "SA")
    h = hello(exts)
    app = bytes([23, 3, 3, 0, 40]) + b"\x55" * 40
    seg(C, S, cp, 443, 100, 500, "PA", h + app)
    seg(C, S, cp, 443, 100 + len(h) + len(app), 500, "FA")
open(sys.argv[2], "wb").write(g.pcap_bytes(fr, 1))
EOP
is "$("$RT_BIN" --json -r "$tmp/crafted.pcap" 2>/dev/null | "$PYTHON3" -c '
import json, sys
for c in json.load(sys.stdin)["capture"]["tls"]["undecryptable"]["connections"]:
    print(c["alpn"], c["https"])' | tr '\n' ';')" \
	"h2,??x None;h2,http/1.1 ALPN offers only HTTP, HTTP/2 among it;None None;None port 443 (HTTPS), no SIP port, server name or ALPN;" \
	"crafted ClientHellos to 443: odd ALPN bytes shown as ?, a lying length stops the list (not HTTP only: can be SIP); h2,http/1.1 is HTTPS; server name SIP.example.com is SIP; nothing offered is HTTPS"
tap_done
