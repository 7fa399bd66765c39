#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""seeds.py - seed corpora for the fuzz harnesses, built from captures at
run time (nothing large is committed).

    python3 fuzz/seeds.py OUTDIR CAPTURE...

OUTDIR/packet/: one file per packet (at most 40 per capture): a byte
selecting the link type (fuzz_common.h fz_linktypes) + the packet.
OUTDIR/stream/: one file per capture: fuzz_stream.c records rebuilt from
its Ethernet/IPv4 TCP segments (sequence relative to the first seen) and
UDP datagrams.
OUTDIR/pcapfile/: one file per capture: the capture itself, cut at a
record (pcap) or block (pcapng) boundary to at most 64 KiB.
Standard library only; pcap and pcapng.
"""
import os
import struct
import sys

LINKTYPES = [1, 113, 276, 0, 101, 228, 229, 108, 12, 14]


def read_packets(path):
    """[(linktype, bytes)] from a pcap or pcapng file."""
    with open(path, 'rb') as f:
        data = f.read()
    out = []
    if len(data) < 24:
        return out
    magic = data[:4]
    if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1', b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
        e = '<' if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
        lt = struct.unpack(e + 'I', data[20:24])[0] & 0xffff
        off = 24
        while off + 16 <= len(data):
            incl = struct.unpack(e + 'I', data[off + 8:off + 12])[0]
            off += 16
            out.append((lt, data[off:off + incl]))
            off += incl
        return out
    if magic == b'\x0a\x0d\x0d\x0a':
        e = '<' if data[8:12] == b'\x4d\x3c\x2b\x1a' else '>'
        off = 0
        ifs = []
        while off + 12 <= len(data):
            btype, blen = struct.unpack(e + 'II', data[off:off + 8])
            if blen < 12:
                break
            body = data[off + 8:off + blen - 4]
            if btype == 1:
                ifs.append(struct.unpack(e + 'H', body[:2])[0])
            elif btype == 6 and len(body) >= 20:
                ifid, _, _, cap, _ = struct.unpack(e + 'IIIII', body[:20])
                lt = ifs[ifid] if ifid < len(ifs) else 1
                out.append((lt, body[20:20 + cap]))
            off += blen
    return out


def file_head(path, limit=65536):
    """The capture's first records/blocks that fit in limit bytes (the file
    header always): still a well-formed capture, small enough to mutate."""
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) <= limit:
        return data
    magic = data[:4]
    if magic == b'\x0a\x0d\x0d\x0a':
        e = '<' if data[8:12] == b'\x4d\x3c\x2b\x1a' else '>'
        off = 0
        while off + 12 <= len(data):
            blen = struct.unpack(e + 'I', data[off + 4:off + 8])[0]
            if blen < 12 or off + blen > limit:
                break
            off += blen
        return data[:off]
    e = '<' if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(e + 'I', data[off + 8:off + 12])[0]
        if off + 16 + incl > limit:
            break
        off += 16 + incl
    return data[:off]


def stream_records(pkts):
    recs = []
    base = {}
    conns = {}
    for lt, p in pkts:
        if lt != 1 or len(p) < 34 or p[12:14] != b'\x08\x00':
            continue
        ip = p[14:]
        ihl = (ip[0] & 15) * 4
        tot = struct.unpack('>H', ip[2:4])[0]
        proto = ip[9]
        pl = ip[ihl:tot]
        src, dst = ip[12:16], ip[16:20]
        if proto == 6 and len(pl) >= 20:
            sp, dp, seq = struct.unpack('>HHI', pl[:8])
            doff = (pl[12] >> 4) * 4
            data = pl[doff:]
            key = tuple(sorted([(src, sp), (dst, dp)]))
            conn = conns.setdefault(key, len(conns) % 4)
            flip = 1 if (src, sp) != key[0] else 0
            b = base.setdefault((src, sp, dst, dp), seq)
            a = conn | (flip << 2) | ((pl[13] & 7) << 3)
            rel = (seq - b) & 0xffff
            recs.append(struct.pack('>BBHH', 0, a, rel, len(data)) + data)
        elif proto == 17 and len(pl) >= 8:
            data = pl[8:]
            recs.append(struct.pack('>BBHH', 3, 0, 1, len(data)) + data)
    return b'\x00' + b''.join(recs)


def main():
    out = sys.argv[1]
    os.makedirs(os.path.join(out, 'packet'), exist_ok=True)
    os.makedirs(os.path.join(out, 'stream'), exist_ok=True)
    os.makedirs(os.path.join(out, 'pcapfile'), exist_ok=True)
    n = 0
    for i, path in enumerate(sys.argv[2:]):
        try:
            pkts = read_packets(path)
        except (OSError, struct.error):
            continue
        for j, (lt, p) in enumerate(pkts[:40]):
            sel = LINKTYPES.index(lt) if lt in LINKTYPES else 0
            with open(os.path.join(out, 'packet', '%03d_%03d' % (i, j)), 'wb') as f:
                f.write(bytes([sel]) + p[:65535])
            n += 1
        s = stream_records(pkts)
        if len(s) > 1:
            with open(os.path.join(out, 'stream', '%03d' % i), 'wb') as f:
                f.write(s[:200000])
        try:
            head = file_head(path)
        except (OSError, struct.error):
            head = b''
        if len(head) >= 24:
            with open(os.path.join(out, 'pcapfile', '%03d' % i), 'wb') as f:
                f.write(head)
    print('seeds: %d packets' % n)


if __name__ == '__main__':
    main()
