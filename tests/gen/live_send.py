#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""live_send.py PORT NAME SLEEP [--hello] - for the live tests: after SLEEP
seconds (the capture getting ready), three REGISTERs over loopback from
PORT+1 to PORT, Call-IDs NAME-call-0..2; --hello adds a datagram that is
not SIP (it must not be listed)."""
import socket
import sys
import time

port, name, pause = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", port + 1))


def msg(cid, cseq):
    return ("REGISTER sip:lab.local SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-%s-%s\r\n"
            "From: <sip:live@lab.local>;tag=1\r\nTo: <sip:live@lab.local>\r\n"
            "Call-ID: %s\r\nCSeq: %d REGISTER\r\nContact: <sip:live@127.0.0.1:%d>\r\n"
            "Content-Length: 0\r\n\r\n" % (port + 1, name, cid, cid, cseq, port + 1)).encode()


time.sleep(pause)
for i in range(3):
    s.sendto(msg("%s-call-%d" % (name, i), i + 1), ("127.0.0.1", port))
    time.sleep(0.05)
if "--hello" in sys.argv:
    s.sendto(b"hello", ("127.0.0.1", port))
