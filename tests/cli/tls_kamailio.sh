#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tls_kamailio.sh - SIP over TLS against real servers, decrypted with the
# client's key log.  Kamailio (the lab's registrar, ../shared/lab/kamailio,
# with its tls module listening on 5061, a self-signed certificate made
# here) is driven by tests/gen/tlskam.py through Python ssl and through
# openssl s_client, TLS 1.3 and 1.2: register (401, 200), refresh, a wrong
# password (401 x3, 403), de-register on a second connection that resumes
# the first one's session.  Then openssl s_server as the server, resumed
# with s_client -sess_out / -sess_in, TLS 1.3 and 1.2.
# Ground truth is tshark: with -o tls.keylog_file it decodes the SIP
# messages regtrace must list (frame, method or status, Call-ID, same
# order); without it none; the registration states and attempt counts are
# worked out from tshark's decode (RFC 3261 §10.3: the last final answer per
# AOR) and must be regtrace's.  Runs in a network namespace of its own.
. "$(dirname "$0")/../lib/tap.sh"
[ "$(id -u)" = 0 ] || skip_all "needs root (network namespace, tcpdump)"
for t in openssl tcpdump tshark kamailio ss; do
	command -v $t >/dev/null 2>&1 || skip_all "$t not installed (scripts/deps.sh)"
done
kcfg=$RT_SHARED/lab/kamailio/kamailio.cfg.in
[ -r "$kcfg" ] || skip_all "the lab's Kamailio config is not at $kcfg (RT_SHARED)"
kmod=$(sed -n 's/^mpath="\(.*\)"/\1/p' "$kcfg")
[ -r "$kmod/tls.so" ] || skip_all "Kamailio's tls module is not installed (kamailio-tls-modules)"
netns_enter "$@" || skip_all "$NETNS_WHY"

tmp=$(tmpdir)
KPID= TPID=
stop() { # stop PID: TERM, up to 10 s, then KILL
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null
	for _i in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.2; done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}
trap 'stop "$TPID"; stop "$KPID"; rm -rf "$tmp"' EXIT

# name mode client version host
cat >"$tmp/list" <<'EOL'
kam-py13 kamailio python 1.3 127.0.0.1
kam-py12 kamailio python 1.2 127.0.0.1
kam-os13 kamailio openssl 1.3 127.0.0.1
kam-os12-v6 kamailio openssl 1.2 [::1]
srv-os13 s_server openssl 1.3 127.0.0.1
srv-os12 s_server openssl 1.2 127.0.0.1
EOL
plan $(($(wc -l <"$tmp/list") * 6 + 4 * 1))

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/k.pem" -out "$tmp/c.pem" \
	-days 2 -subj /CN=lab.local >/dev/null 2>&1

# The lab's config, read in place, with TLS added: the tls module and its
# certificate, listeners on 5061 (RFC 3261 §26.2: sips), a small db_text
# row bound, and one TCP worker: OpenSSL's ticket keys are made per process
# after the fork, so with two workers a resumed session lands on the other
# one and is refused (seen with Kamailio 5.6).
mkdir -p "$tmp/db"
printf 'id(int,auto) key_name(string) key_type(int) value_type(int) key_value(string) expires(int)\n1:alice:0:0:alicepw:0\n2:bob:0:0:bobpw:0\n' >"$tmp/db/subscriber_ht"
printf 'table_name(string) table_version(int)\nhtable:2\n' >"$tmp/db/version"
sed -e "s#@RUN@#$tmp#g" -e "s#@LAB@#$RT_SHARED/lab#g" "$kcfg" | awk -v d="$tmp" '
/^listen=udp:127\.0\.0\.1:5070/ { print; print "enable_tls=yes"; print "listen=tls:127.0.0.1:5061"; print "listen=tls:[::1]:5061"; next }
/^tcp_children=/ { print "tcp_children=1"; next }
/"max_result_rows"/ { print "modparam(\"db_text\", \"max_result_rows\", 100)"; next }
/^loadmodule "kex\.so"/ {
	print "loadmodule \"tls.so\""
	print "modparam(\"tls\", \"certificate\", \"" d "/c.pem\")"
	print "modparam(\"tls\", \"private_key\", \"" d "/k.pem\")"
	print "modparam(\"tls\", \"tls_method\", \"TLSv1.2+\")"
	print "modparam(\"tls\", \"verify_certificate\", 0)"
	print "modparam(\"tls\", \"require_certificate\", 0)"
}
{ print }' >"$tmp/kamailio.cfg"

listening() { ss -ltnH 2>/dev/null | grep -q ":$1 "; }
cap_start() { # cap_start PCAP
	tcpdump -q -i lo -U -w "$1" "tcp port 5061" 2>"$tmp/tcpdump.log" &
	TPID=$!
	for _i in $(seq 50); do grep -q 'listening on' "$tmp/tcpdump.log" && break; sleep 0.1; done
	sleep 0.3
}
cap_stop() { # cap_stop PCAP: tcpdump loses what it has not written when stopped
	file_settled "$1"
	stop "$TPID"
	TPID=
}

kamailio -f "$tmp/kamailio.cfg" -Y "$tmp" -P "$tmp/kamailio.pid" -DD -E -m 64 -M 16 >"$tmp/kamailio.log" 2>&1 &
KPID=$!
for _i in $(seq 100); do listening 5061 && break; kill -0 $KPID 2>/dev/null || break; sleep 0.1; done
listening 5061
ok $? "Kamailio listens for TLS on 5061 ($(grep -m1 -E 'ERROR|CRITICAL' "$tmp/kamailio.log" || echo no error))"

while read -r name mode client ver host; do
	if [ "$mode" = s_server ] && [ -n "$KPID" ]; then
		stop "$KPID"    # s_server takes port 5061 over
		KPID=
	fi
	cap_start "$tmp/$name.pcap"
	timeout 90 "$PYTHON3" "$RT_SRC/tests/gen/tlskam.py" "$mode" "$client" "$ver" "$host" 5061 \
		"$tmp/$name.keys" "$tmp" >"$tmp/$name.out" 2>&1
	echo $? >"$tmp/$name.rc"
	cap_stop "$tmp/$name.pcap"
done <"$tmp/list"
[ -n "$KPID" ] && stop "$KPID"
KPID=

tsh() { tshark "$@" -Y sip -T fields -e frame.number -e sip.Method -e sip.Status-Code -e sip.Call-ID 2>/dev/null |
	awk -F'\t' '{print $1, ($2 != "" ? $2 : $3), $4}'; }
rtl() { "$RT_BIN" --messages "$@" 2>/dev/null | awk -F'\t' '{split($5, w, " "); print $1, w[1], $6}'; }
# per AOR from tshark's decode: "AOR STATE ATTEMPTS", the state from the last
# final answer (2xx to Expires: 0 -> unregistered, other 2xx -> registered,
# 401/407 -> challenged, other >= 300 -> failed); an attempt is a REGISTER
# that does not answer a challenge (the one before it on its Call-ID got no 401/407)
states_tshark() {
	tshark "$@" -Y sip -T fields -e sip.Method -e sip.Status-Code -e sip.to.user -e sip.to.host \
		-e sip.Call-ID -e sip.Expires 2>/dev/null | "$PYTHON3" -c '
import sys
st, att, req_exp, last = {}, {}, {}, {}
for line in sys.stdin:
    meth, code, user, host, cid, exp = (line.rstrip("\n").split("\t") + [""] * 6)[:6]
    aor = "sip:%s@%s" % (user, host)
    if meth == "REGISTER":
        if last.get(cid) not in (401, 407):
            att[aor] = att.get(aor, 0) + 1
        req_exp[cid] = exp
    elif code and int(code) >= 200:
        c = int(code)
        last[cid] = c
        st[aor] = ("unregistered" if req_exp.get(cid) == "0" else "registered") if c < 300 else \
            "challenged" if c in (401, 407) else "failed"
for a in sorted(st):
    print(a, st[a], att.get(a, 0))'; }
states_rt() {
	"$RT_BIN" --json "$@" 2>/dev/null | "$PYTHON3" -c '
import json, sys
for r in sorted(json.load(sys.stdin)["registrations"], key=lambda r: r["aor"]):
    print(r["aor"], r["state"], r["summary"]["attempts"])'; }

while read -r name mode client ver host; do
	p=$tmp/$name.pcap k=$tmp/$name.keys
	if [ "$(cat "$tmp/$name.rc")" != 0 ] || [ ! -s "$p" ] || [ ! -s "$k" ]; then
		diag "$name: $(tail -3 "$tmp/$name.out")"
		for _i in 1 2 3 4 5 6; do fail "$name: capture not made (client exit $(cat "$tmp/$name.rc"))"; done
		continue
	fi
	want=$(tsh -o "tls.keylog_file:$k" -r "$p")
	n=16; [ "$mode" = s_server ] && n=6
	is "$(echo "$want" | grep -c .)" $n "$name: tshark decodes $n SIP messages with the client's key log"
	is "$(rtl --tls-keylog "$k" -r "$p")" "$want" "$name ($client TLS $ver to $mode on $host): the messages tshark decodes, same frames and order"
	is "$(tsh -r "$p" | grep -c .)-$(rtl -r "$p" | grep -c .)" "0-0" \
		"$name: without the key log tshark and regtrace decode no SIP"
	"$RT_BIN" --json -r "$p" 2>/dev/null | "$PYTHON3" -c '
import json, sys
d = json.load(sys.stdin)
t = d["capture"]["tls"]
f = [x for x in d["findings"] if x["rule"] == "CAP-TLS-UNDECRYPTED"]
assert t["connections"] == 2 and t["undecryptable"]["count"] == 2, t
assert len(f) == 1 and f[0]["message"].startswith("2 of 2 TLS connections"), f'
	ok $? "$name: without the key log: 2 TLS connections counted, CAP-TLS-UNDECRYPTED names both"
	# resumption: two ClientHellos, one Certificate (the second handshake abbreviated)
	is "$(tshark -o "tls.keylog_file:$k" -r "$p" -Y 'tls.handshake.type == 1' 2>/dev/null | wc -l)-$(tshark -o "tls.keylog_file:$k" -r "$p" -Y 'tls.handshake.type == 11' 2>/dev/null | wc -l)" "2-1" \
		"$name: two handshakes, one Certificate: the second connection resumed the first's session (tshark)"
	want=$(states_tshark -o "tls.keylog_file:$k" -r "$p")
	case $mode in
	kamailio) w="sip:alice@lab.local unregistered 3
sip:bob@lab.local failed 1" ;;
	*) w="sip:alice@lab.local unregistered 2" ;;
	esac
	if [ "$want" != "$w" ]; then
		fail "$name: tshark's decode gives other registrations than the scenario made: $(echo "$want" | tr '\n' ';')"
	else
		is "$(states_rt --tls-keylog "$k" -r "$p")" "$want" "$name: states and attempts per AOR as worked out from tshark's decode ($(echo "$want" | tr '\n' ';'))"
	fi
done <"$tmp/list"

# what Kamailio answered, as the clients saw it: the wrong password ends in 403
for v in py13 os12-v6; do
	is "$(grep '^SIP/2.0' "$tmp/kam-$v.out" | cut -d' ' -f2 | tr '\n' ' ')" "401 200 200 401 401 401 403 200 " \
		"kam-$v: Kamailio answered 401 200, refresh 200, bad password 401 401 401 403, de-register 200"
done
is "$(tail -1 "$tmp/kam-py13.out")" "resumed: [False, True]" "kam-py13: Python ssl reports the second connection resumed"
tap_done
