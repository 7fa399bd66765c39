#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""wselgen.py OUT.pcap | --sll OUT.pcap - a capture for -w with a selection (tests/cli/write_select.sh).

Three registrations whose packets interleave, each message of some made of
several packets:
  alice  TCP 192.0.2.10:5070 -> 198.51.100.5:5060: REGISTER -> 401 -> REGISTER
         -> 200; each REGISTER in 3 segments (mss 160); the 200 shares its last
         segment with the start of an OPTIONS to dave (another dialog), so one
         packet belongs to both.
  bob    UDP, his REGISTER in 3 IPv4 fragments; 404 Not Found.
  carol  UDP, REGISTER -> 200, one packet each.
--sll: erin's REGISTER -> 200 over UDP on Linux cooked capture (another
link type, 1 s later), to merge with the first for a pcapng of two.
Which frames belong to whom is for tshark to say (the test asks it), not
this script.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcapgen as g  # noqa: E402

C4, S4 = '192.0.2.10', '198.51.100.5'
B4, K4 = '192.0.2.20', '192.0.2.30'


def main(out):
    cap = g.Capture()
    reg = g.Registrar('example.com')
    alice = g.SipUA('alice', 'example.com', C4, port=5070, transport='TCP')
    bob = g.SipUA('bob', 'example.com', B4)
    carol = g.SipUA('carol', 'example.com', K4)
    flow = g.TcpFlow(cap, (C4, 5070), (S4, 5060), mss=160)
    t = flow.handshake(0.0)

    def ev(dt):
        nonlocal t
        t += dt
        return t

    # alice's first REGISTER in three segments, bob's fragments in between
    r1 = alice.register()
    o1 = flow.write(True, r1)
    b_req = bob.register()
    frags = g.ipv4_fragments(B4, S4, g.IPPROTO_UDP, g.udp(B4, S4, 5060, 5060, b_req), n=3, ident=0x4242)
    third = -(-len(r1) // 3)
    flow.seg(ev(0.01), True, o1, third)
    cap.add(ev(0.01), frags[0])
    flow.seg(ev(0.01), True, o1 + third, third)
    cap.add(ev(0.01), frags[1])
    c_req = carol.register()
    cap.add(ev(0.01), g.udp_ip(K4, S4, 5060, 5060, c_req))
    flow.seg(ev(0.01), True, o1 + 2 * third, len(r1) - 2 * third)
    cap.add(ev(0.01), frags[2])
    ch_resp, ch = reg.challenge(r1)
    flow.send(ev(0.01), False, ch_resp)
    cap.add(ev(0.01), g.udp_ip(S4, B4, 5060, 5060, reg.reply(b_req, 404)))
    cap.add(ev(0.01), g.udp_ip(S4, K4, 5060, 5060, reg.ok(c_req)))
    r2 = alice.register(challenge=ch)
    o2 = flow.write(True, r2)
    third = -(-len(r2) // 3)
    for k in range(3):
        ln = third if k < 2 else len(r2) - 2 * third
        flow.seg(ev(0.01), True, o2 + k * third, ln)
    # the 200 and an OPTIONS to dave on the same connection: the 200's last
    # bytes and the OPTIONS' first share a segment
    ok = reg.ok(r2)
    dave = g.SipUA('dave', 'example.com', S4, port=5060, transport='TCP')
    opt = dave.request('OPTIONS', 'sip:dave@%s:5070;transport=tcp' % C4,
                       [('Accept', 'application/sdp')], to='<sip:dave@example.com>')
    oo = flow.write(False, ok)
    flow.write(False, opt)
    total = len(ok) + len(opt)
    cut1 = len(ok) - 40            # segment 1: most of the 200
    cut2 = len(ok) + 40            # segment 2: its end + the OPTIONS' start
    flow.seg(ev(0.01), False, oo, cut1)
    flow.seg(ev(0.01), False, oo + cut1, cut2 - cut1)
    flow.seg(ev(0.01), False, oo + cut2, total - cut2)
    cap.write(out)


def sll(out):
    cap = g.Capture(linktype=g.LINKTYPE_LINUX_SLL)
    reg = g.Registrar('example.com')
    erin = g.SipUA('erin', 'example.com', '192.0.2.40')
    req = erin.register()
    cap.add(1.0, g.udp_ip('192.0.2.40', S4, 5060, 5060, req))
    cap.add(1.01, g.udp_ip(S4, '192.0.2.40', 5060, 5060, reg.ok(req)))
    cap.write(out)


if __name__ == '__main__':
    if sys.argv[1] == '--sll':
        sll(sys.argv[2])
    else:
        main(sys.argv[1])
