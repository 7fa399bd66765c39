#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# corpus_udp.sh - on every plain-UDP file of the shared real corpus (no IP
# fragments, tunnels, HEP, WebSocket, SCTP or MALFORMED in its notes), the
# number of --messages lines equals tshark's count (MANIFEST.tsv sip_msgs).
. "$(dirname "$0")/../lib/tap.sh"
have_shared || skip_all "shared corpus not found at $RT_SHARED (set RT_SHARED)"
man=$RT_SHARED/captures/real/MANIFEST.tsv
sel=$(mktemp)
trap 'rm -f "$sel"' EXIT
awk -F'\t' 'NR > 1 && $14 == "udp" && $16 !~ /fragment|GRE|IP-in-IP|GTP|HEP|MALFORMED|WebSocket|SCTP|tunnel/ { print $1 "\t" $10 }' "$man" > "$sel"
plan "$(wc -l < "$sel")"
while IFS="$(printf '\t')" read -r file want; do
	got=$("$RT_BIN" --messages -r "$RT_SHARED/captures/real/$file" 2>/dev/null | wc -l)
	is "$got" "$want" "$file: $want SIP messages (tshark)"
done < "$sel"
