#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tui.sh - end-to-end tests of the ncurses TUI: regtrace runs in a detached
# tmux (100x30), keys are sent with send-keys and the screen is read back
# with capture-pane.  Covers every key of the help screen, resize, quit with
# the terminal restored, the ASCII fallback, and a capture whose SIP headers
# carry terminal escape sequences (they must be drawn inert).
#
# Expected values come from the captures, not from regtrace: tshark shows
# wrong-password.pcap ending in "403 Forbidden - Bad Credentials" after 4
# REGISTERs of one attempt (frames 1..8, 401 at frame 2, Authorization in
# frames 3, 5, 7), unknown-user.pcap answering three AORs (To: mallory,
# trudy, oscar) with 404, deregister.pcap = dave, interval-too-brief.pcap =
# erin (423 then 200), register-auth-tcp.pcap = bob (401 then 200).
. "$(dirname "$0")/../lib/tap.sh"
# the live part captures on lo: in a network namespace of its own, or skipped
netns_enter "$@" || rt_no_netns=1

TMUX_BIN=${TMUX_BIN:-$(command -v tmux || true)}
[ -n "$TMUX_BIN" ] || skip_all "tmux not installed"
[ -x "$RT_BIN" ] || skip_all "regtrace not built"

plan 89
tmp=$(tmpdir)
sock="rt-tui-$$"
T() { "$TMUX_BIN" -L "$sock" -f /dev/null "$@"; }
trap 'T kill-server 2>/dev/null; rm -rf "$tmp"' EXIT

C=$RT_SRC/captures
CAPS="-r $C/register-auth-tcp.pcap -r $C/unknown-user.pcap -r $C/deregister.pcap -r $C/interval-too-brief.pcap -r $C/wrong-password.pcap"

screen() { T capture-pane -p -t rt; }
# wait_for TEXT: poll the screen up to 5 s for a fixed string (tap.sh)
wait_for() { screen_wait "$1"; }
# wait_re REGEX
wait_re() {
	i=0
	while [ $i -lt 50 ]; do
		screen > "$tmp/screen" 2>/dev/null
		grep -qE -- "$1" "$tmp/screen" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
keys() { T send-keys -t rt "$@"; sleep 0.15; }
check() { # check DESC TEXT
	if wait_for "$2"; then pass "$1"; else fail "$1 (no '$2' on screen)"; diag "$(cat "$tmp/screen")"; fi
}
check_re() {
	if wait_re "$2"; then pass "$1"; else fail "$1 (no /$2/ on screen)"; diag "$(cat "$tmp/screen")"; fi
}
start() { # start ENV ARGS...: a fresh session running regtrace
	T kill-session -t rt 2>/dev/null
	sleep 0.2
	env=$1
	shift
	T new-session -d -s rt -x 100 -y 30 \
		"env $env $RT_BIN $* 2>$tmp/stderr; echo \"EXITED rc=\$?\"; sleep 120"
}

# ------------------------------------------------------------------ start screen
start "LANG=C.UTF-8" $CAPS
check "start screen is the registrations list, all 7 AORs" "registrations (7 of 7)"
check_re "failed registration row: alice, 403, 1 attempt" "^failed +403 +1 .*sip:alice@lab\.local"
check_re "registered row: bob, 200" "^registered +200 +1 .*sip:bob@lab\.local"
check_re "unregistered row: dave" "^unregistered +200 .*sip:dave@lab\.local"
check_re "404 rows for the unknown users" "^failed +404 .*sip:mallory@lab\.local"
check "status bar: packets and SIP messages" "34 SIP msgs"
check "status bar: pcap drops and memory" "0 drops  mem "

# ------------------------------------------------------------------ selection
# --aor (two globs: or) and --state (and): of the 7 AORs, bob matches a glob but
# is registered, so the failed four remain (alice 403; mallory, trudy, oscar 404)
start "LANG=C.UTF-8" $CAPS --aor "'sip:*@lab.local'" --aor "'sip:bob@*'" --state failed
check "selection --aor/--state: 4 of the 7 registrations listed" "registrations (4 of 7)"
if grep -q "sip:bob@lab.local" "$tmp/screen"; then fail "selection: bob (registered) is not listed"; else
	pass "selection: bob (registered) is not listed"; fi
start "LANG=C.UTF-8" $CAPS

# ------------------------------------------------------------------ filter, sort
keys f
check "f: state filter 'failed' keeps the 4 failed AORs" "registrations (4 of 7)  filter: failed"
keys f f f f f
check "f cycles back to all" "(7 of 7)  filter: all"
keys s
check "s: sort by AOR" "sort: AOR"
keys Home Enter
check "sorted by AOR: first row is alice" "registration sip:alice@lab.local - failed"
keys q r
check "r: reverse the sort" "sort: AOR (reversed)"
keys g Enter
check "reversed: first row is trudy (g)" "registration sip:trudy@lab.local"
keys Escape G Enter
check "G: last row is alice" "registration sip:alice@lab.local"
keys q End Enter
check "End: last row" "registration sip:alice@lab.local"
keys q Up Enter
check "Up: the row above alice is bob" "registration sip:bob@lab.local"
keys q k Enter
check "k: above bob is dave" "registration sip:dave@lab.local"
keys q Down Enter
check "Down: back to bob" "registration sip:bob@lab.local"
keys q j Enter
check "j: down to alice" "registration sip:alice@lab.local"
keys q PageUp Enter
check "PgUp: to the first row (trudy)" "registration sip:trudy@lab.local"
keys q PageDown Enter
check "PgDn: to the last row (alice)" "registration sip:alice@lab.local"
keys q s s s s r
check "s cycles back to first seen" "sort: first seen  ["

# ------------------------------------------------------------------ search
keys /
check "/ opens the search prompt" "(Enter: keep, Esc: clear)"
keys e r i n
check "incremental search by user 'erin'" "registrations (1 of 7)"
check_re "the erin row" "sip:erin@lab\.local"
keys Enter
check "Enter keeps the search" "(search; / to edit)"
keys Escape
check "Esc clears the search" "registrations (7 of 7)"
keys / 1 - 5 7 3 0 Enter
check "search by Call-ID 1-5730 finds alice" "registrations (1 of 7)"
check_re "... the alice row" "sip:alice@lab\.local"
keys Escape / 4 2 3 Enter
check "search by code 423 finds erin" "registrations (1 of 7)"
check_re "... the erin row" "sip:erin@lab\.local"
keys Escape / 1 2 7 . 0 . 0 . 1 : 5 0 6 7 Enter
check_re "search by IP:port finds dave" "sip:dave@lab\.local"
keys Escape / R E G I S T E R Enter
check "search by method REGISTER matches all" "registrations (7 of 7)"
keys Escape

# ------------------------------------------------------------------ open a failed registration
# first seen (capture time): bob 12:50:29, alice :32, mallory/trudy/oscar :35, erin :38, dave :47
keys f G Enter
check "the last failed AOR: oscar, 404" "registration sip:oscar@lab.local - failed (last 404)"
keys Escape g Enter
check "Enter opens the failed registration: alice, failed (last 403)" "registration sip:alice@lab.local - failed (last 403)"
check_re "ladder: 403 arrow at frame 8" "^ +8 12:50:32\.312569 .*403 Forbidden"
check_re "ladder: UTF-8 lifelines" "│.*REGISTER.*│"
check_re "ladder: 401 -> authorized REGISTER pairing marked" "^ +2 .*challenge -> #3"
check_re "ladder: auth for #2" "^ +3 .*auth for #2"
check "ladder: endpoint names from User-Agent/Server" "sipp-lab/3.6.1"
check_re "ladder: a finding shown beside its messages" "│  .*\[1\]"
keys End
check "ladder End: selects frame 8" "frame 8  12:50:32.312569"
keys Home
check "ladder Home: frame 1" "frame 1  12:50:32.311032"
keys Down j
check "ladder Down, j: frame 3" "frame 3  12:50:32.311555"
keys Up
check "ladder Up: frame 2" "frame 2  12:50:32.311348"
keys k G
check "ladder k then G: frame 8" "frame 8  "
keys g PageDown
check "ladder g then PgDn: past the first page end" "frame 8  "
keys PageUp
check "ladder PgUp: frame 1" "frame 1  "

# ------------------------------------------------------------------ message view
keys Enter
check "Enter on an arrow opens the message" "message 1/8"
check "raw SIP start line" "REGISTER sip:lab.local SIP/2.0"
keys n
check "n: next message, the 401" "SIP/2.0 401 Unauthorized"
check_re "challenge decoded" "WWW-Authenticate \(Digest\), decoded:"
keys Right
check "Right: the authorized REGISTER, digest decoded" "username   alice"
keys p
check "p: previous message" "message 2/8"
keys Left
check "Left: previous message" "message 1/8"
keys Right Right
screen > "$tmp/before"
keys Down j PageDown
screen > "$tmp/after"
if ! cmp -s "$tmp/before" "$tmp/after" && grep -q "message 3/8" "$tmp/after"; then pass "Down/j/PgDn scroll the message"; else fail "Down/j/PgDn scroll the message"; fi
keys PageUp Up k
check "PgUp/Up/k scroll back to the top" "Authorization (Digest), decoded:"
keys q
check "q: back to the ladder" "registration sip:alice@lab.local - failed"
keys Escape
check "Esc: back to the list" "registrations ("
keys f f f f f

# ------------------------------------------------------------------ dialogs list
keys Tab
check "Tab: the dialogs list" "regtrace - dialogs (7 of 7)"
keys / 1 - 5 7 3 0 Enter Enter
check "dialog ladder by Call-ID" "dialog 1-5730@127.0.0.1 - REGISTER, 8 messages"
keys q Escape Tab
check "Tab: back to registrations" "registrations (7 of 7)"

# ------------------------------------------------------------------ help, redraw, resize
keys F1
check "F1: help" "help: keys"
check "help lists the search key" "search AOR, user, IP, Call-ID, method, code"
keys x
check "any key closes the help" "registrations (7 of 7)"
keys ?
check "?: help" "help: keys"
keys q C-l
check "Ctrl-L redraws" "registrations (7 of 7)"
T resize-window -t rt -x 80 -y 24
sleep 0.5
screen > "$tmp/screen"
lines=$(wc -l < "$tmp/screen")
last=$(sed -n 24p "$tmp/screen")
case $last in *"SIP msgs"*) pass "SIGWINCH: status bar redrawn on line 24 of 80x24" ;;
*) fail "SIGWINCH: status bar on line 24 (got '$last', $lines lines)" ;; esac
keys f Enter
check "80x24: the failed ladder still opens" "registration sip:alice@lab.local"
check_re "80 columns: arrows and notes fit" "^ +1 .*REGISTER.*│  exp 3600"
keys q f f f f f

# ------------------------------------------------------------------ quit
keys q
if wait_for "EXITED rc=0"; then pass "q on the list quits, exit status 0"; else fail "q quits"; fi
if ! grep -q "registrations (" "$tmp/screen"; then pass "terminal restored (the TUI screen is gone)"; else fail "terminal restored"; fi

# ------------------------------------------------------------------ ASCII fallback
start "LANG=C LC_ALL=C" -r "$C/wrong-password.pcap"
keys Enter
check_re "ASCII fallback: | and - lines" "\|-+ REGISTER -+>\|"

# ------------------------------------------------------------------ escape sequences in headers are inert
"$PYTHON3" - "$tmp/evil.pcap" "$RT_SRC/tests/gen" <<'EOF'
import sys
sys.path.insert(0, sys.argv[2])
import pcapgen as g
esc = '\x1b]0;pwned\x07\x1b[2J'
cid = 'evil\x1b[31m-1@192.0.2.10'
reg = ('REGISTER sip:example.com SIP/2.0\r\n'
       'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-evil1\r\n'
       'From: <sip:mallet@example.com>;tag=1\r\nTo: <sip:mallet@example.com>\r\n'
       'Call-ID: ' + cid + '\r\nCSeq: 1 REGISTER\r\n'
       'Contact: <sip:mallet@192.0.2.10:5060>\r\nExpires: 60\r\n'
       'User-Agent: Evil ' + esc + 'Phone\r\nContent-Length: 0\r\n\r\n').encode()
res = ('SIP/2.0 403 Go\x1b[2Jaway\r\n'
       'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-evil1\r\n'
       'From: <sip:mallet@example.com>;tag=1\r\nTo: <sip:mallet@example.com>;tag=2\r\n'
       'Call-ID: ' + cid + '\r\nCSeq: 1 REGISTER\r\n'
       'Server: Reg\x1b]2;owned\x07\r\nContent-Length: 0\r\n\r\n').encode()
cap = g.Capture(g.LINKTYPE_ETHERNET)
cap.add(0.0, g.udp_ip('192.0.2.10', '198.51.100.5', 5060, 5060, reg))
cap.add(0.1, g.udp_ip('198.51.100.5', '192.0.2.10', 5060, 5060, res))
cap.write(sys.argv[1])
EOF
start "LANG=C.UTF-8" -r "$tmp/evil.pcap"
check "escape capture: the AOR is listed" "sip:mallet@example.com"
keys Enter
check "ladder: User-Agent escape sequence shown as text" 'Evil \x1b]0;pwned'
check 'ladder: reason phrase escape shown as text' '403 Go\x1b[2Jaway'
keys End Enter
check "message view: Server escape shown as text" 'Server: Reg\x1b]2;owned\x07'
keys p
check "message view: User-Agent escape shown as text" 'User-Agent: Evil \x1b]0;pwned\x07\x1b[2JPhone'
title=$(T display-message -p -t rt '#{pane_title}')
case $title in *pwned* | *owned*) fail "pane title untouched (got '$title')" ;; *) pass "pane title untouched by OSC 0/2" ;; esac
check "screen not cleared by ESC[2J: the bars are still there" "F1/? help"
keys q q Tab
check 'dialogs list: Call-ID escape shown as text' 'evil\x1b[31m-1@'
keys q

# ------------------------------------------------------------------ no TUI
start "LANG=C.UTF-8" -N -r "$C/wrong-password.pcap"
check "-N on a terminal: the text report, no screen" "1 AORs:"
start "LANG=C.UTF-8" --ladder -r "$C/wrong-password.pcap"
check "--ladder on a terminal: the text ladder" "== registration sip:alice@lab.local - failed"

# ------------------------------------------------------------------ live mode
if [ -n "${rt_no_netns:-}" ]; then
	skip "live: $NETNS_WHY"
	skip "live: list updates"
	skip "live: registered"
	skip "live: q quits"
elif start "LANG=C.UTF-8" -i lo "udp port 5099"; wait_for "LIVE"; then
	pass "live: the screen comes up with LIVE in the status bar"
	capture_open "$tmp/stderr"
	"$PYTHON3" - <<'EOF'
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('127.0.0.1', 0))
hdr = ('Via: SIP/2.0/UDP 127.0.0.1:5098;branch=z9hG4bK-live1\r\n'
       'From: <sip:liveuser@example.com>;tag=1\r\nTo: <sip:liveuser@example.com>%s\r\n'
       'Call-ID: live-1@127.0.0.1\r\nCSeq: 1 REGISTER\r\n'
       'Contact: <sip:liveuser@127.0.0.1:5098>;expires=60\r\nContent-Length: 0\r\n\r\n')
s.sendto(('REGISTER sip:example.com SIP/2.0\r\n' + hdr % '').encode(), ('127.0.0.1', 5099))
time.sleep(1.0)
s.sendto(('SIP/2.0 200 OK\r\n' + hdr % ';tag=9').encode(), ('127.0.0.1', 5099))
EOF
	check "live: the list updates as packets arrive" "2 SIP msgs"
	check_re "live: the AOR is registered after the 200" "^registered +200 .*sip:liveuser@example\.com"
	keys q
	if wait_for "EXITED rc=0"; then pass "live: q quits"; else fail "live: q quits"; fi
else
	skip "live: cannot capture on lo here"
	skip "live: list updates"
	skip "live: registered"
	skip "live: q quits"
fi

T kill-server 2>/dev/null
tap_done
