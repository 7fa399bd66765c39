#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# record_phones.sh - record real SIP phones registering: baresip and linphonec
# (Debian packages baresip-core, linphone-cli) against the lab's Kamailio
# (../shared/lab/kamailio/kamailio.cfg.in: digest auth, usrloc in memory,
# Min-Expires 60), all in a network namespace of its own (unshare -n, lo up),
# so nothing else on the host's 127.0.0.1 enters the captures and the phones
# reach nothing but this Kamailio.  Not part of `make check` (it takes ~2.5
# minutes and pulls in the phones); its captures are committed to captures/
# and checked there by tests/cli/phones.sh.
#
# usage: tests/gen/record_phones.sh OUTDIR      (root; installs what is missing)
# Writes, in OUTDIR:
#   phones-udp-60.pcap: baresip alice (regint 60) and carol (regint 3600),
#     linphonec bob (reg_expires 60) and dave (3600), every message over UDP
#     to 127.0.0.1:5060, for RECORD_SECS (default 125 s: the 60 s grants are
#     refreshed twice at 90 %, the 3600 s grants show their first
#     registration only);
#   phones-udp-closed.pcap: baresip alice, no Kamailio: ICMP port unreachable;
#   phones-tcp-refused.pcap: baresip alice over TCP, no Kamailio: RST.
# The phones bind 127.0.0.1 (baresip -n 127.0.0.1: with only lo it finds no
# address of its own otherwise).  linphonec runs on a terminal of a private
# tmux server.  Each process started here is stopped by its PID (tmux by its
# own socket).
set -uo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
LAB=${RT_SHARED:-$SRC/../shared}/lab
OUT=${1:?usage: record_phones.sh OUTDIR}
SECS=${RECORD_SECS:-125}
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)
[ -f "$LAB/kamailio/kamailio.cfg.in" ] || { echo "no $LAB/kamailio/kamailio.cfg.in" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "needs root (apt-get, unshare -n, tcpdump)" >&2; exit 1; }

if [ "${RT_NETNS:-}" != 1 ]; then
	need=
	for p in baresip-core linphone-cli kamailio tcpdump tshark iproute2 tmux; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need="$need $p"
	done
	if [ -n "$need" ]; then
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $need || exit 1
	fi
	# lo up, and a default route onto it: linphone stops refreshing while it
	# thinks the network is down (no route); nothing can leave the namespace
	RT_NETNS=1 exec unshare -n -- /bin/bash -c 'ip link set lo up && ip route add default dev lo &&
		exec "$@"' bash "$0" "$@"
fi

RUN=$(mktemp -d "${TMPDIR:-/tmp}/rt-phones.XXXXXX")
PIDS=()
TMUX_SOCK=
stop_all() {
	local p i
	[ -z "$TMUX_SOCK" ] || tmux -L "$TMUX_SOCK" kill-server 2>/dev/null
	TMUX_SOCK=
	for p in "${PIDS[@]}"; do kill -INT "$p" 2>/dev/null; done
	for i in $(seq 30); do
		local alive=0
		for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ $alive = 0 ] && break
		sleep 0.2
	done
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	PIDS=()
}
trap 'stop_all; [ -n "${KEEP_RUN:-}" ] || rm -rf "$RUN"' EXIT

# Kamailio as ../shared/lab/gen.sh starts it: its config, the named users
mkdir -p "$RUN/db"
sed -e "s#@LAB@#$LAB#g" -e "s#@RUN@#$RUN#g" "$LAB/kamailio/kamailio.cfg.in" > "$RUN/kamailio.cfg"
{
	echo "id(int,auto) key_name(string) key_type(int) value_type(int) key_value(string) expires(int)"
	i=1; for u in alice bob carol dave erin frank; do echo "$i:$u:0:0:${u}pw:0"; i=$((i + 1)); done
} > "$RUN/db/subscriber_ht"
printf 'table_name(string) table_version(int)\nhtable:2\n' > "$RUN/db/version"

cap_start() {   # cap_start FILE FILTER
	: > "$RUN/tcpdump.log"
	tcpdump -i lo -n -s 0 -U --immediate-mode -w "$1" "$2" 2> "$RUN/tcpdump.log" &
	PIDS+=($!)
	for i in $(seq 50); do grep -q 'listening on' "$RUN/tcpdump.log" && break; sleep 0.1; done
}
kamailio_start() {
	kamailio -f "$RUN/kamailio.cfg" -Y "$RUN" -P "$RUN/kamailio.pid" -DD -E -m 256 -M 192 \
		> "$RUN/kamailio.log" 2>&1 &
	PIDS+=($!)
	for i in $(seq 50); do ss -lnu | grep -q '127.0.0.1:5060 ' && break; sleep 0.1; done
}
baresip_start() {   # baresip_start SECS ACCOUNT...
	local secs=$1; shift
	# baresip: two accounts, no audio modules (nothing here has a sound card)
	mkdir -p "$RUN/baresip"
	cat > "$RUN/baresip/config" <<-CFG
	sip_listen		127.0.0.1:5080
	module_path		/usr/lib/baresip/modules
	module			account.so
	audio_player		none
	audio_source		none
	CFG
	printf '%s\n' "$@" > "$RUN/baresip/accounts"
	(cd "$RUN" && exec baresip -n 127.0.0.1 -f "$RUN/baresip" -t "$((secs + 5))" < /dev/null > "$RUN/baresip.log" 2>&1) &
	PIDS+=($!)
}
linphonec_start() {   # linphonec_start SECS
	local secs=$1
	# linphonec: two proxies (bob 60 s, dave 3600 s).  It runs on a terminal
	# (a detached tmux of its own): with stdin a pipe or /dev/null it registers
	# once and never refreshes (its main loop waits on the input).
	mkdir -p "$RUN/linphone/.local/share/linphone"
	cat > "$RUN/linphone/rc" <<-RC
	[sip]
	use_ipv6=0
	bind_address=127.0.0.1
	sip_port=5090
	sip_tcp_port=-1
	sip_tls_port=-1
	default_proxy=0
	register_only_when_network_is_up=0
	auto_net_state_mon=0
	[net]
	auto_net_state_mon=0
	[rtp]
	audio_rtp_port=7078
	[sound]
	echocancellation=0
	[proxy_0]
	reg_proxy=<sip:127.0.0.1:5060;transport=udp>
	reg_identity=sip:bob@lab.local
	reg_expires=60
	reg_sendregister=1
	publish=0
	[proxy_1]
	reg_proxy=<sip:127.0.0.1:5060;transport=udp>
	reg_identity=sip:dave@lab.local
	reg_expires=3600
	reg_sendregister=1
	publish=0
	[auth_info_0]
	username=bob
	passwd=bobpw
	realm=lab.local
	domain=lab.local
	[auth_info_1]
	username=dave
	passwd=davepw
	realm=lab.local
	domain=lab.local
	RC
	TMUX_SOCK="rt-phones-$$"
	(cd "$RUN/linphone" && HOME="$RUN/linphone" tmux -L "$TMUX_SOCK" -f /dev/null new-session -d \
		-x 120 -y 40 "linphonec -c '$RUN/linphone/rc' -d 5 -l '$RUN/linphone.log'")
}
done_msg() { echo "recorded $1: $(tshark -r "$1" 2>/dev/null | wc -l) packets"; }

# 1. healthy: baresip alice (60 s) and carol (3600 s), linphonec bob (60 s)
#    and dave (3600 s) against Kamailio
pcap=$OUT/phones-udp-60.pcap
cap_start "$pcap" 'udp port 5060 or icmp'
kamailio_start
baresip_start "$SECS" \
	'<sip:alice@lab.local;transport=udp>;auth_pass=alicepw;outbound="sip:127.0.0.1:5060";regint=60' \
	'<sip:carol@lab.local;transport=udp>;auth_pass=carolpw;outbound="sip:127.0.0.1:5060";regint=3600'
linphonec_start "$SECS"
sleep "$SECS"
stop_all
done_msg "$pcap"

# 2. closed port: baresip alice over UDP, no Kamailio (ICMP port unreachable)
pcap=$OUT/phones-udp-closed.pcap
cap_start "$pcap" 'udp port 5060 or icmp'
baresip_start 9 '<sip:alice@lab.local;transport=udp>;auth_pass=alicepw;outbound="sip:127.0.0.1:5060";regint=60'
sleep 9
stop_all
done_msg "$pcap"

# 3. closed port over TCP: the SYN draws a RST
pcap=$OUT/phones-tcp-refused.pcap
cap_start "$pcap" 'tcp port 5060'
baresip_start 4 '<sip:alice@lab.local;transport=tcp>;auth_pass=alicepw;outbound="sip:127.0.0.1:5060;transport=tcp";regint=60'
sleep 4
stop_all
done_msg "$pcap"
