#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# write_roundtrip.sh - -w keeps every packet that carried SIP: reading the
# written file lists the same messages (frame numbers aside, since the
# other packets are left out).
. "$(dirname "$0")/../lib/tap.sh"
have_shared || skip_all "shared corpus not found at $RT_SHARED (set RT_SHARED)"
set -- \
	captures/real/irontec__sngrep__tests__aaa.pcap \
	captures/real/sipcapture__heplify__example__pcap__rtp_rtcp_sip_ipv4_udp.pcap \
	captures/real/CESNET__ipfixprobe__tests__functional__inputs__sip.pcap \
	captures/lab/14_register_auth_ipv6.pcap \
	captures/lab/02_register_auth_tcp.pcap \
	captures/real/sipcapture__heplify__example__pcap__sip_ipv4_tcp.pcap
plan $(($# * 2))
tmp=$(tmpdir)
trap 'rm -rf "$tmp"' EXIT
for f in "$@"; do
	name=$(basename "$f")
	"$RT_BIN" --messages -r "$RT_SHARED/$f" -w "$tmp/w.pcap" 2>/dev/null | cut -f2- > "$tmp/a"
	"$RT_BIN" --messages -r "$tmp/w.pcap" 2>/dev/null | cut -f2- > "$tmp/b"
	if [ -s "$tmp/a" ] && cmp -s "$tmp/a" "$tmp/b"; then
		pass "$name: written file lists the same $(wc -l < "$tmp/a") messages"
	else
		fail "$name: messages differ after -w"
		diff "$tmp/a" "$tmp/b" | head -10 | sed 's/^/# /'
	fi
	# fewer packets written than read (the non-SIP ones are left out)
	all=$(tcpdump_count=0; "$RT_BIN" -r "$RT_SHARED/$f" --messages 2>&1 >/dev/null | sed -n 's/^regtrace: \([0-9]*\) packets.*/\1/p')
	kept=$("$RT_BIN" -r "$tmp/w.pcap" --messages 2>&1 >/dev/null | sed -n 's/^regtrace: \([0-9]*\) packets.*/\1/p')
	if [ "$kept" -le "$all" ] && [ "$kept" -gt 0 ]; then
		pass "$name: $kept of $all packets written"
	else
		fail "$name: $kept of $all packets written"
	fi
done
