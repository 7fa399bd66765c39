#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tls.sh - SIP over TLS decrypted with an NSS key log.  Captures are made
# here (tests/gen/tlsgen.sh: openssl s_client/s_server on loopback in a private
# network namespace, the client writing the key log); ground truth is
# tshark with -o tls.keylog_file, which must list the same SIP messages
# (frame, method or status, Call-ID) in the same order.  Without the key
# log tshark decodes none and regtrace says which connections it could not
# read and why.
. "$(dirname "$0")/../lib/tap.sh"
[ "$(id -u)" = 0 ] || skip_all "needs root for unshare -n"
for t in openssl tcpdump unshare tshark; do
	command -v $t >/dev/null 2>&1 || skip_all "$t not installed"
done
unshare -n true 2>/dev/null || skip_all "unshare -n not permitted here"
tmp=$(tmpdir)
trap 'rm -rf "$tmp"' EXIT
# name version suite options
cat >"$tmp/list" <<'EOL'
t13-aes128 tls1_3 TLS_AES_128_GCM_SHA256
t13-aes256 tls1_3 TLS_AES_256_GCM_SHA384 two
t13-chacha tls1_3 TLS_CHACHA20_POLY1305_SHA256 split
t12-gcm128 tls1_2 ECDHE-RSA-AES128-GCM-SHA256 udp
t12-gcm256 tls1_2 ECDHE-RSA-AES256-GCM-SHA384 ipv6
t12-chacha tls1_2 ECDHE-RSA-CHACHA20-POLY1305 split
t12-cbc384 tls1_2 ECDHE-RSA-AES256-SHA384
t12-cbc256 tls1_2 ECDHE-RSA-AES256-SHA two
t12-cbc128-mte tls1_2 AES128-SHA noetm
t13-keyupdate tls1_3 TLS_AES_128_GCM_SHA256 keyupdate
EOL
plan_n=$(($(wc -l <"$tmp/list") * 5 + 11 + 1 + 3 * 5 + 2 + 3 + 2))
plan $plan_n
# two at a time: each takes a few seconds of sleeps
while read -r name ver suite opts; do
	sh "$RT_SRC/tests/gen/tlsgen.sh" "$tmp" "$name" "$ver" "$suite" $opts 2>"$tmp/$name.gen" &
	[ $((_i = ${_i:-0} + 1)) -eq 2 ] && { wait; _i=0; }
done <"$tmp/list"
wait
# Python ssl client and server (tlsgen.py): 401, 200, then a second
# connection resuming the session: refresh, de-registration
for v in 13 12 ws; do
	o=; [ $v = 12 ] && o=--tls12; [ $v = ws ] && o=--wss
	unshare -n "$PYTHON3" "$RT_SRC/tests/gen/tlsgen.py" "$tmp/py$v.pcap" "$tmp/py$v.keys" $o >"$tmp/py$v.out" 2>&1 &
	wait
done

tsh() { tshark "$@" -Y sip -T fields -e frame.number -e sip.Method -e sip.Status-Code -e sip.Call-ID 2>/dev/null |
	awk -F'\t' '{print $1, ($2 != "" ? $2 : $3), $4}'; }
rtl() { "$RT_BIN" --messages "$@" 2>/dev/null | awk -F'\t' '{split($5, w, " "); print $1, w[1], $6}'; }

while read -r name ver suite opts; do
	p=$tmp/$name.pcap k=$tmp/$name.keys
	if [ ! -s "$p" ] || [ ! -s "$k" ]; then
		for i in 1 2 3 4 5; do fail "$name: capture not generated ($(head -c 200 "$tmp/$name.gen"))"; done
		continue
	fi
	want=$(tsh -o "tls.keylog_file:$k" -r "$p")
	got=$(rtl --tls-keylog "$k" -r "$p")
	n=2; case " $opts " in *" two "*|*" udp "*) n=4 ;; esac
	is "$(echo "$want" | grep -c .)" $n "$name: tshark decodes $n SIP messages with the key log"
	is "$got" "$want" "$name ($ver $suite $opts): the messages tshark decodes, same frames and order"
	ntls=$("$RT_BIN" --messages --tls-keylog "$k" -r "$p" 2>/dev/null | awk -F'\t' '$4 == "TLS"' | wc -l)
	wtls=2; case " $opts " in *" two "*) wtls=4 ;; esac
	is "$ntls" $wtls "$name: $wtls messages marked TLS"
	nudp=0; case " $opts " in *" udp "*) nudp=2 ;; esac
	is "$(tsh -r "$p" | grep -c .)-$(rtl -r "$p" | grep -c .)" "$nudp-$nudp" \
		"$name: without the key log tshark and regtrace decode only the $nudp plain messages"
	"$RT_BIN" --messages -r "$p" >/dev/null 2>"$tmp/err"
	nc=1; case " $opts " in *" two "*) nc=2 ;; esac
	grep -q "$nc TLS connections, 0 decrypted, $nc not decrypted" "$tmp/err" &&
		grep -q "not decrypted: no key log" "$tmp/err"
	ok $? "$name: without the key log: $nc connections not decrypted, reason given"
done <"$tmp/list"

p=$tmp/t13-aes128.pcap k=$tmp/t13-aes128.keys
# registration state from the decrypted messages
"$RT_BIN" --report --tls-keylog "$k" -r "$p" 2>/dev/null | grep -q '^sip:alice@registrar.test *registered *200'
ok $? "t13-aes128: alice registered (200) per --report"
# a key log holding only other sessions' lines
"$RT_BIN" --messages --tls-keylog "$tmp/t12-gcm128.keys" -r "$p" >"$tmp/out" 2>"$tmp/err"
is "$(wc -l <"$tmp/out")" 0 "key log of other sessions: no message"
grep -q "not decrypted: no key for this session in the key log" "$tmp/err"
ok $? "key log of other sessions: the reason is named"
# garbage lines are counted, the good lines still used
{ echo "not a key log line"; echo "CLIENT_RANDOM 00 11"; cat "$k"; } >"$tmp/g.keys"
"$RT_BIN" --messages --tls-keylog "$tmp/g.keys" -r "$p" >"$tmp/out" 2>"$tmp/err"
is "$(wc -l <"$tmp/out")" 2 "garbage lines in the key log: still 2 messages"
grep -q -- "--tls-keylog: 2 lines are not key log lines (first: line 1)" "$tmp/err"
ok $? "garbage lines counted, first one named"
# a wrong client traffic secret: the REGISTER fails authentication, the 200 is read
sed -n 's/^CLIENT_TRAFFIC_SECRET_0 [0-9a-f]* \(.\).*/\1/p' "$k" | tr 0-9a-f 1-9a-f0 >"$tmp/c1"
awk -v c="$(cat "$tmp/c1")" '$1 == "CLIENT_TRAFFIC_SECRET_0" { $3 = c substr($3, 2) } { print }' "$k" >"$tmp/w.keys"
"$RT_BIN" --messages --tls-keylog "$tmp/w.keys" -r "$p" >"$tmp/out" 2>"$tmp/err"
is "$(cut -f5 "$tmp/out")" "200 OK" "wrong client secret: only the 200 OK is decrypted"
grep -q "[1-9][0-9]* failed authentication" "$tmp/err"
ok $? "wrong client secret: records that failed authentication are counted"

# JSON: capture.tls and the finding, with and without the key log
p=$tmp/t13-aes256.pcap k=$tmp/t13-aes256.keys
"$RT_BIN" --json -r "$p" 2>/dev/null | "$PYTHON3" -c '
import json, sys
d = json.load(sys.stdin)
t = d["capture"]["tls"]
f = [x for x in d["findings"] if x["rule"] == "CAP-TLS-UNDECRYPTED"]
assert t["connections"] == 2 and t["decrypted"] == 0 and t["undecryptable"]["count"] == 2, t
assert [c["server"] for c in t["undecryptable"]["connections"]] == ["127.0.0.1:5061"] * 2, t
assert all(c["reason"] == "no key log" for c in t["undecryptable"]["connections"]), t
assert t["keylog"] is None
assert len(f) == 1 and f[0]["severity"] == "WARN" and f[0]["message"].startswith("2 of 2 TLS connections"), f
assert "--tls-keylog" in f[0]["fix"], f
'
ok $? "no key log: capture.tls counts 2 undecryptable connections to 127.0.0.1:5061, WARN finding names --tls-keylog"
"$RT_BIN" --json --tls-keylog "$k" -r "$p" 2>/dev/null | "$PYTHON3" -c '
import json, sys
d = json.load(sys.stdin)
t = d["capture"]["tls"]
assert t["connections"] == 2 and t["decrypted"] == 2 and t["undecryptable"]["count"] == 0, t
assert t["records"]["decrypt_failures"] == 0 and t["keylog"]["secrets"] == 8, t
assert not [x for x in d["findings"] if x["rule"] == "CAP-TLS-UNDECRYPTED"]
assert [m["transport"] for m in d["messages"]] == ["TLS"] * 4, [m["transport"] for m in d["messages"]]
'
ok $? "with the key log: 2 of 2 decrypted, 8 secrets (4 per TLS 1.3 session), messages transport TLS, no finding"
# a plain capture has no capture.tls at all (the output stays as before)
"$RT_BIN" --json -r "$tmp/t12-gcm128.pcap" "udp" 2>/dev/null | "$PYTHON3" -c '
import json, sys
d = json.load(sys.stdin)
assert "tls" not in d["capture"] and len(d["messages"]) == 2
'
ok $? "UDP only (BPF udp): no capture.tls"
if "$PYTHON3" -c 'import jsonschema' 2>/dev/null; then
	"$RT_BIN" --json --tls-keylog "$tmp/g.keys" -r "$tmp/t13-aes128.pcap" 2>/dev/null >"$tmp/j.json"
	"$PYTHON3" -c '
import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))
' "$tmp/j.json" "$RT_SRC/docs/schema.json"
	ok $? "capture.tls validates against docs/schema.json"
else
	skip "python3-jsonschema not installed"
fi

# the KeyUpdate (tshark sees handshake type 24) was followed: the 200 after it was read
is "$(tshark -o "tls.keylog_file:$tmp/t13-keyupdate.keys" -r "$tmp/t13-keyupdate.pcap" -Y 'tls.handshake.type == 24' 2>/dev/null | wc -l)-$("$RT_BIN" --json --tls-keylog "$tmp/t13-keyupdate.keys" -r "$tmp/t13-keyupdate.pcap" 2>/dev/null | "$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)["capture"]["tls"]["key_updates"])')" "1-1" \
	"t13-keyupdate: one KeyUpdate in the capture (tshark), one followed"

for v in 13 12 ws; do
	p=$tmp/py$v.pcap k=$tmp/py$v.keys
	is "$(tail -1 "$tmp/py$v.out")" "resumed: [False, True]" "py$v (Python ssl): the client reports the second connection resumed"
	is "$(tshark -o "tls.keylog_file:$k" -r "$p" -Y 'tls.handshake.type == 11' 2>/dev/null | wc -l)" 1 \
		"py$v: one Certificate message in two handshakes: the second was abbreviated (tshark)"
	want=$(tsh -o "tls.keylog_file:$k" -r "$p")
	is "$(echo "$want" | grep -c .)" 8 "py$v: tshark decodes 8 SIP messages with the key log"
	is "$(rtl --tls-keylog "$k" -r "$p")" "$want" "py$v: the messages tshark decodes, same frames and order"
	"$RT_BIN" --report --tls-keylog "$k" -r "$p" 2>/dev/null | grep -q '^sip:alice@registrar.test *unregistered *200 *3 '
	ok $? "py$v: 401, 200, refresh, de-register: alice unregistered after 3 attempts (--report)"
done

# WebSocket inside TLS: transport WSS
is "$("$RT_BIN" --messages --tls-keylog "$tmp/pyws.keys" -r "$tmp/pyws.pcap" 2>/dev/null | cut -f4 | sort | uniq -c | tr -s ' ')" " 8 WSS" \
	"pyws: the 8 messages over WebSocket in TLS are marked WSS"
# the ladder marks decrypted messages
"$RT_BIN" --ladder --tls-keylog "$tmp/t12-gcm128.keys" -r "$tmp/t12-gcm128.pcap" 2>/dev/null >"$tmp/lad"
is "$(grep -c '|  TLS, ' "$tmp/lad")-$(grep -E '^ +[0-9]+ ' "$tmp/lad" | grep -vc '|  TLS, ')" "2-2" \
	"ladder: the 2 decrypted messages noted TLS, the 2 UDP ones not"

# bad input, built byte by byte (tests/gen/pcapgen.py): one connection each
"$PYTHON3" - "$RT_SRC/tests/gen" "$tmp" <<'EOP'
import sys
sys.path.insert(0, sys.argv[1])
import pcapgen as g
C, S = "192.0.2.10", "198.51.100.5"
def conn(path, client_bytes):
    fr, t = [], 1_700_000_000 * 10**9
    def seg(src, dst, sp, dp, seq, ack, fl, pl=b""):
        nonlocal t
        t += 10**6
        fr.append((t, g.link_frame(1, g.ip(src, dst, 6, g.tcp(src, dst, sp, dp, seq, ack, fl, pl)))))
    seg(C, S, 40000, 5061, 99, 0, "S")
    seg(S, C, 5061, 40000, 499, 100, "SA")
    seq = 100
    for b in client_bytes:
        seg(C, S, 40000, 5061, seq, 500, "PA", b)
        seq += len(b)
    seg(C, S, 40000, 5061, seq, 500, "FA")
    open(path, "wb").write(g.pcap_bytes(fr, 1))
rec = lambda t, body, claim=None: bytes([t, 3, 3]) + (len(body) if claim is None else claim).to_bytes(2, "big") + body
hello = bytes([1, 0, 0, 38, 3, 3]) + b"\x11" * 32 + bytes([0, 0, 0, 0])
# 1: a record claiming 2^14 + 2048 + 1 bytes
conn(sys.argv[2] + "/oversize.pcap", [rec(22, hello), rec(23, b"\0" * 64, claim=16384 + 2048 + 1)])
# 2: a record cut by the end of the stream (split over two segments first)
r = rec(23, b"\x42" * 300)
conn(sys.argv[2] + "/cut.pcap", [rec(22, hello), r[:100], r[100:200]])
# 3: bytes that are no record header after a good record
conn(sys.argv[2] + "/nottls.pcap", [rec(22, hello) + b"\x99\x99\x99\x99\x99garbage"])
EOP
tlsrec() { "$RT_BIN" --json --tls-keylog "$k" -r "$tmp/$1.pcap" 2>/dev/null | "$PYTHON3" -c '
import json, sys
t = json.load(sys.stdin)["capture"]["tls"]
r = t["records"]
u = t["undecryptable"]["connections"]
print(t["connections"], r["total"], r["oversize"], r["truncated"], r["not_tls"], u[0]["reason"] if u else "-")'; }
is "$(tlsrec oversize)" "1 1 1 0 0 not a valid TLS record" "record claiming 2^14+2048+1 bytes: counted oversize, connection named"
is "$(tlsrec cut)" "1 1 0 1 0 -" "record cut by the stream end (over 2 segments): counted truncated (no whole encrypted record: not listed)"
is "$(tlsrec nottls)" "1 1 0 0 1 not a valid TLS record" "bytes that are no record header: counted not_tls, no crash"

# -w: with the key log the TLS packets are kept (they carry SIP) and the copy
# still decrypts; without it only the plain SIP is written, as before
p=$tmp/t12-gcm128.pcap k=$tmp/t12-gcm128.keys
"$RT_BIN" -r "$p" --tls-keylog "$k" -w "$tmp/w1.pcap" --report >/dev/null 2>&1
is "$(tsh -o "tls.keylog_file:$k" -r "$tmp/w1.pcap" | grep -c .)" 4 "-w with the key log: tshark decodes all 4 SIP messages from the copy"
"$RT_BIN" -r "$p" -w "$tmp/w2.pcap" --report >/dev/null 2>&1
is "$(tshark -r "$tmp/w2.pcap" 2>/dev/null | wc -l)-$(tsh -r "$tmp/w2.pcap" | grep -c .)" "2-2" "-w without a key log: only the 2 UDP SIP packets written"
