#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tlsgen.sh DIR NAME TLSVER SUITE [split|two|udp|ipv6]... - record one SIP-over-TLS
# exchange on loopback inside a private network namespace (unshare -n), so
# no other traffic leaks in: openssl s_client (writing an NSS key log with
# -keylogfile) sends a REGISTER, openssl s_server answers 200 OK.
# Writes DIR/NAME.pcap and DIR/NAME.keys.  TLSVER: tls1_2 | tls1_3.
# SUITE: an OpenSSL cipher name (TLS 1.2, -cipher) or TLS 1.3 suite name
# (-ciphersuites).  Options: split = the REGISTER goes out in two TLS records;
# two = two connections; udp = a plain UDP REGISTER/200 in the same capture;
# ipv6 = over ::1; noetm = TLS 1.2 without Encrypt-then-MAC; keyupdate = TLS 1.3:
# the server sends a KeyUpdate (s_server's "k" command) before its 200, which
# then goes out under the next traffic secret (RFC 8446 §4.6.3).
# Needs root (unshare), tcpdump, openssl.
set -eu
dir=$1 name=$2 ver=$3 suite=$4
shift 4
split=0 two=0 udp=0 v6=0 noetm=0 ku=0
for o in "$@"; do
	case $o in
	split) split=1 ;; two) two=1 ;; udp) udp=1 ;; ipv6) v6=1 ;; noetm) noetm=1 ;; keyupdate) ku=1 ;;
	*) echo "tlsgen.sh: unknown option $o" >&2; exit 2 ;;
	esac
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tlsgen.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/k.pem" -out "$tmp/c.pem" \
	-days 2 -subj /CN=registrar.test >/dev/null 2>&1
host=127.0.0.1 bind=127.0.0.1
[ $v6 = 1 ] && host='[::1]' bind='[::1]'
if [ "$ver" = tls1_3 ]; then sopt="-tls1_3 -ciphersuites $suite"; else sopt="-tls1_2 -cipher $suite"; fi
[ $noetm = 1 ] && sopt="$sopt -no_etm"
reg() { # reg CALLID CSEQ
	printf 'REGISTER sip:registrar.test SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:40000;branch=z9hG4bK-%s-%s\r\nMax-Forwards: 70\r\nFrom: <sip:alice@registrar.test>;tag=a1\r\nTo: <sip:alice@registrar.test>\r\nCall-ID: %s\r\nCSeq: %s REGISTER\r\nContact: <sip:alice@127.0.0.1:40000;transport=tls>\r\nExpires: 600\r\nContent-Length: 0\r\n\r\n' "$1" "$2" "$1" "$2"
}
ok() {
	printf 'SIP/2.0 200 OK\r\nVia: SIP/2.0/TLS 127.0.0.1:40000;branch=z9hG4bK-%s-%s\r\nFrom: <sip:alice@registrar.test>;tag=a1\r\nTo: <sip:alice@registrar.test>;tag=r1\r\nCall-ID: %s\r\nCSeq: %s REGISTER\r\nContact: <sip:alice@127.0.0.1:40000;transport=tls>;expires=600\r\nContent-Length: 0\r\n\r\n' "$1" "$2" "$1" "$2"
}
export tmp host bind sopt split two udp ku
cat >"$tmp/run.sh" <<'EOS'
set -eu
ip link set lo up
tcpdump -q -i lo -U -w "$tmp/cap.pcap" "tcp port 5061 or udp port 5060" 2>"$tmp/tcpdump.log" &
td=$!
sleep 1
client() { # client CALLID
	{
		sleep 0.6
		if [ $split = 1 ]; then
			head -c 120 "$tmp/reg-$1"; sleep 0.4; tail -c +121 "$tmp/reg-$1"
		else
			cat "$tmp/reg-$1"
		fi
		sleep 1.2
	} | openssl s_client -connect "$host:5061" $sopt -keylogfile "$tmp/keys" -quiet >"$tmp/client-$1.out" 2>"$tmp/client-$1.err" || true
}
n=1; [ $two = 1 ] && n=2
for i in $(seq 1 $n); do
	if [ $ku = 1 ]; then
		# without -quiet s_server reads commands: "k" = KeyUpdate; the 200
		# then starts with CRLF (a keepalive) so its first byte is no command
		{ sleep 1.2; printf 'k\n'; sleep 0.3; cat "$tmp/ok-c$i"; sleep 1.2; } |
			timeout 30 openssl s_server -accept "$bind:5061" -cert "$tmp/c.pem" -key "$tmp/k.pem" $sopt -naccept 1 >"$tmp/server-$i.out" 2>"$tmp/server-$i.err" &
	else
		{ sleep 1.2; cat "$tmp/ok-c$i"; sleep 1.2; } |
			timeout 30 openssl s_server -accept "$bind:5061" -cert "$tmp/c.pem" -key "$tmp/k.pem" $sopt -naccept 1 -quiet >"$tmp/server-$i.out" 2>"$tmp/server-$i.err" &
	fi
	sv=$!
	# the client connects once the server listens (a loaded machine is slow)
	for _w in $(seq 1 100); do
		ss -ltnH 2>/dev/null | grep -q ':5061 ' && break
		sleep 0.1
	done
	client c$i
	wait $sv || true
done
if [ $udp = 1 ]; then
	python3 - "$tmp" <<'EOP'
import socket, sys
t = sys.argv[1]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 5060)); s.settimeout(10)
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); c.bind(("127.0.0.1", 40001)); c.settimeout(10)
c.sendto(open(t + "/reg-u1", "rb").read(), ("127.0.0.1", 5060))
d, a = s.recvfrom(4096)
s.sendto(open(t + "/ok-u1", "rb").read(), a)
c.recvfrom(4096)
EOP
fi
# tcpdump drops what it has not read yet when killed: wait until the file
# stops growing (a loaded machine lags)
prev=-1
for _w in $(seq 1 15); do
	sleep 1
	cur=$(wc -c <"$tmp/cap.pcap")
	[ "$cur" = "$prev" ] && break
	prev=$cur
done
kill $td; wait $td || true
EOS
for i in 1 2; do reg c$i $i >"$tmp/reg-c$i"; ok c$i $i >"$tmp/ok-c$i"; done
reg u1 1 | sed 's#SIP/2.0/TLS 127.0.0.1:40000#SIP/2.0/UDP 127.0.0.1:40001#' >"$tmp/reg-u1"
ok u1 1 | sed 's#SIP/2.0/TLS 127.0.0.1:40000#SIP/2.0/UDP 127.0.0.1:40001#' >"$tmp/ok-u1"
unshare -n sh "$tmp/run.sh"
cp "$tmp/cap.pcap" "$dir/$name.pcap"
cp "$tmp/keys" "$dir/$name.keys"
