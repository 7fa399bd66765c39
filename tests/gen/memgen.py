#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""memgen - a ~100k-packet registration capture for the --max-memory test.

Owns nothing else: USERS distinct users, each REGISTER -> 401 ->
REGISTER(auth) -> 200 over UDP (pcapgen.reg_flow, the reg-ok scenario),
flows interleaved 10 ms apart so many are open at once.  Every user ends
registered; the AOR is sip:userN@example.com.  Python stdlib + pcapgen only.

With BOOTS > 1 every user registers BOOTS times, 100 s apart, each time
from a new port (5060 + boot) with a new Call-ID and a 60 s grant, so each
boot is a new session, attempt and binding and the last boot's binding is
the only one active at the end.

usage: memgen.py OUT.pcap USERS [BOOTS]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcapgen  # noqa: E402


def main():
    out, users = sys.argv[1], int(sys.argv[2])
    boots = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    cap = pcapgen.Capture(pcapgen.LINKTYPE_ETHERNET, start=pcapgen.DEFAULT_START)
    rg = None
    flows = []
    for i in range(users):
        o = pcapgen.Options(user='user%d' % i, client_ip='10.%d.%d.%d' % (
            (i >> 16) & 255, (i >> 8) & 255, i & 255 or 1))
        rg = rg or pcapgen._registrar(o)
        if boots == 1:
            ep = pcapgen.Endpoints(o.client_ip, o.server_ip)
            pcapgen.emit_udp(cap, ep, pcapgen.reg_flow(o, t0=i * 0.01, rg=rg))
            continue
        for b in range(boots):
            ua = pcapgen._ua(o, port=5060 + b)
            for _ in range(b):
                ua.new_call_id()        # the UA's Call-ID sequence: one per boot
            ep = pcapgen.Endpoints(o.client_ip, o.server_ip, cport=5060 + b)
            flows.append((ep, pcapgen.reg_flow(o, t0=b * 100 + i * 0.01, ua=ua, rg=rg,
                                               expires=60)))
    # in time order across users and boots
    pk = [(t, ep, fc, m) for ep, fl in flows for t, fc, m in fl]
    pk.sort(key=lambda x: x[0])
    for t, ep, fc, m in pk:
        cap.add(t, ep.udp(fc, m))
    cap.write(out)
    print(cap.sip_count)


if __name__ == '__main__':
    main()
