#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""memgen - a ~100k-packet registration capture for the --max-memory test.

Owns nothing else: USERS distinct users, each REGISTER -> 401 ->
REGISTER(auth) -> 200 over UDP (pcapgen.reg_flow, the reg-ok scenario),
flows interleaved 10 ms apart so many are open at once.  Every user ends
registered; the AOR is sip:userN@example.com.  Python stdlib + pcapgen only.

usage: memgen.py OUT.pcap USERS
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcapgen  # noqa: E402


def main():
    out, users = sys.argv[1], int(sys.argv[2])
    cap = pcapgen.Capture(pcapgen.LINKTYPE_ETHERNET, start=pcapgen.DEFAULT_START)
    rg = None
    for i in range(users):
        o = pcapgen.Options(user='user%d' % i, client_ip='10.%d.%d.%d' % (
            (i >> 16) & 255, (i >> 8) & 255, i & 255 or 1))
        rg = rg or pcapgen._registrar(o)
        ep = pcapgen.Endpoints(o.client_ip, o.server_ip)
        pcapgen.emit_udp(cap, ep, pcapgen.reg_flow(o, t0=i * 0.01, rg=rg))
    cap.write(out)
    print(cap.sip_count)


if __name__ == '__main__':
    main()
