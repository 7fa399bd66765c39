#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tshark_messages.py FILE - the --messages view of FILE, derived from tshark.

An independent check of regtrace's golden files: same columns (frame,
epoch.usec, src -> dst, transport, method or "code reason", Call-ID), from
tshark's own SIP dissector.  Handles one SIP message per frame (UDP) and
several per frame (TCP) by pairing tshark's occurrence lists.  SIP quoted
inside ICMP errors is left out, as regtrace does.
"""
import subprocess, sys

FIELDS = ["frame.number", "frame.time_epoch", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
          "udp.srcport", "udp.dstport", "tcp.srcport", "tcp.dstport",
          "sip.Request-Line", "sip.Status-Line", "sip.Call-ID", "icmp.type", "icmpv6.type"]

def main():
    path = sys.argv[1]
    extra = sys.argv[2:]
    cmd = ["tshark", "-r", path, "-Y", "sip", "-T", "fields", "-E", "separator=\t",
           "-E", "occurrence=a", "-E", "aggregator=\x1f"] + extra
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        v = dict(zip(FIELDS, line.split("\t")))
        if v.get("icmp.type") or v.get("icmpv6.type"):
            continue
        sec, _, frac = v["frame.time_epoch"].partition(".")
        ts = "%s.%s" % (sec, (frac + "000000")[:6])
        v6 = bool(v.get("ipv6.src"))
        src = v["ipv6.src"] if v6 else v["ip.src"].split("\x1f")[-1]
        dst = v["ipv6.dst"] if v6 else v["ip.dst"].split("\x1f")[-1]
        tcp = bool(v.get("tcp.srcport"))
        sp = (v["tcp.srcport"] if tcp else v["udp.srcport"]).split("\x1f")[-1]
        dp = (v["tcp.dstport"] if tcp else v["udp.dstport"]).split("\x1f")[-1]
        fmt = (lambda a, p: "[%s]:%s" % (a, p)) if v6 else (lambda a, p: "%s:%s" % (a, p))
        reqs = [x for x in v["sip.Request-Line"].split("\x1f") if x]
        stats = [x for x in v["sip.Status-Line"].split("\x1f") if x]
        cids = [x for x in v["sip.Call-ID"].split("\x1f") if x]
        # tshark lists requests then statuses per field; order within a frame
        # is by position, which for mixed frames we cannot recover: keep
        # requests first (golden captures do not mix them in one frame)
        labels = [r.split(" ")[0] for r in reqs] + [" ".join(s.split(" ")[1:]) for s in stats]
        for i, lab in enumerate(labels):
            cid = cids[i] if i < len(cids) else "-"
            print("\t".join([v["frame.number"], ts, "%s -> %s" % (fmt(src, sp), fmt(dst, dp)),
                             "TCP" if tcp else "UDP", lab, cid]))

main()
