#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""capgen_input.py DIR - captures for the input layer (tests/cli/input_formats.sh).

Writes into DIR:
  multi.pcapng      two sections (little- then big-endian); interfaces
                    Ethernet "eth0", NULL "lo0", SLL2 "any", RAW "tun0" and,
                    in section 2, Ethernet "eth1"; EPB, obsolete PB and SPB
                    packets; NRB, ISB, DSB (TLS key log), a custom block and
                    an unknown block type in between (both to be skipped)
  lying.pcapng      multi-interface; one block's length lies (head says 4
                    bytes more than the tail); the rest is good
  lenient.pcap      start lines with extra blanks, lower-case sip/2.0, no
                    reason phrase, beside canonical ones
  rot1.pcap rot2.pcap  a rotated pair whose times overlap (merge by time)
  rot3.pcap         follows rot2 without overlap
  early.pcap late.pcap  do not overlap (late starts 600 s after early
                    began): read in the given order; REGISTER flows of
                    eight users, each with another outcome (200, 401 then
                    200, 404, unanswered until Timer F, unanswered at the end)
Each SIP message is stated in DIR/NAME.expect as "label<TAB>Call-ID" lines
in capture order, worked out here from what was written (not by a reader).
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapgen import (sip_build, udp_ip, eth, null_hdr, sll2, pcap_bytes,  # noqa: E402
                     LINKTYPE_ETHERNET, LINKTYPE_NULL, LINKTYPE_LINUX_SLL2, LINKTYPE_RAW)

T0 = 1700000000 * 10**9


def hdrs(cid, cseq, method='REGISTER', tag=''):
    return [('Via', 'SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK%s%d' % (cid, cseq)),
            ('From', '<sip:alice@lab.local>;tag=f%s' % cid),
            ('To', '<sip:alice@lab.local>' + tag), ('Call-ID', cid),
            ('CSeq', '%d %s' % (cseq, method)), ('Contact', '<sip:alice@10.0.0.1>'),
            ('Expires', '60')]


def msg(start, cid, cseq, label):
    return bytes(sip_build(start, hdrs(cid, cseq))), label, cid


def flow(cid, c=1):
    """REGISTER, 401, REGISTER, 200 of one registration."""
    return [msg('REGISTER sip:lab.local SIP/2.0', cid, c, 'REGISTER'),
            msg('SIP/2.0 401 Unauthorized', cid, c, '401 Unauthorized'),
            msg('REGISTER sip:lab.local SIP/2.0', cid, c + 1, 'REGISTER'),
            msg('SIP/2.0 200 OK', cid, c + 1, '200 OK')]


def pkt(payload, i):
    a, b = ('10.0.0.1', '10.0.0.2') if i % 2 == 0 else ('10.0.0.2', '10.0.0.1')
    return udp_ip(a, b, 5060, 5060, payload)


# ---------------------------------------------------------------- pcapng writer

def pad4(b):
    return b + b'\0' * (-len(b) % 4)


def opt(e, code, value):
    if isinstance(value, str):
        value = value.encode()
    return struct.pack(e + 'HH', code, len(value)) + pad4(value)


def opts(e, *o):
    return b''.join(o) + struct.pack(e + 'HH', 0, 0) if o else b''


def block(e, btype, body, lie=0):
    total = 12 + len(body)
    return struct.pack(e + 'II', btype, total + lie) + body + struct.pack(e + 'I', total)


def shb(e, comment=None):
    return block(e, 0x0A0D0D0A, struct.pack(e + 'IHHq', 0x1A2B3C4D, 1, 0, -1) +
                 opts(e, *([opt(e, 1, comment)] if comment else [])))


def idb(e, lt, name, comment=None, tsresol=None):
    o = [opt(e, 2, name)]
    if comment:
        o.append(opt(e, 1, comment))
    if tsresol is not None:
        o.append(opt(e, 9, bytes([tsresol])))
    return block(e, 1, struct.pack(e + 'HHI', lt, 0, 262144) + opts(e, *o))


def epb(e, ifid, units, data, comment=None):
    body = struct.pack(e + 'IIIII', ifid, units >> 32, units & 0xFFFFFFFF, len(data), len(data))
    return block(e, 6, body + pad4(data) + opts(e, *([opt(e, 1, comment)] if comment else [])))


def obsolete_pb(e, ifid, units, data):
    body = struct.pack(e + 'HHIIII', ifid, 0, units >> 32, units & 0xFFFFFFFF, len(data), len(data))
    return block(e, 2, body + pad4(data))


def spb(e, data):
    return block(e, 3, struct.pack(e + 'I', len(data)) + pad4(data))


def nrb(e):
    rec = struct.pack(e + 'HH', 1, 4 + 10) + bytes([10, 0, 0, 2]) + pad4(b'lab.local\0')
    return block(e, 4, rec + struct.pack(e + 'HH', 0, 0))


def isb(e, ifid, units):
    return block(e, 5, struct.pack(e + 'III', ifid, units >> 32, units & 0xFFFFFFFF))


def dsb(e, text):
    return block(e, 0x0A, struct.pack(e + 'II', 0x544c534b, len(text)) + pad4(text))


TLS_KEYLOG = b'CLIENT_RANDOM ' + b'ab' * 32 + b' ' + b'cd' * 48 + b'\n'

# link type -> wrapper of an IP packet
WRAP = {LINKTYPE_ETHERNET: eth, LINKTYPE_NULL: null_hdr, LINKTYPE_LINUX_SLL2: sll2,
        LINKTYPE_RAW: lambda ip: ip}


def multi(lie_at=None):
    """(bytes, expect lines).  Interfaces of section 1: 0 eth0, 1 lo0, 2 any, 3 tun0;
    section 2 (big-endian): 4 eth1.  Timestamps: if 0 in microseconds, if 1
    in nanoseconds (if_tsresol 9), the rest default."""
    le, be = '<', '>'
    ifs = [(LINKTYPE_ETHERNET, 'eth0', 'uplink', None), (LINKTYPE_NULL, 'lo0', None, 9),
           (LINKTYPE_LINUX_SLL2, 'any', None, None), (LINKTYPE_RAW, 'tun0', None, None)]
    out = [shb(le, 'generated by capgen_input.py')]
    for lt, name, comment, res in ifs:
        out.append(idb(le, lt, name, comment, res))
    out.append(nrb(le))
    out.append(dsb(le, TLS_KEYLOG))
    msgs = flow('m1') + flow('m2') + flow('m3')
    expect = []
    k = 0
    for i, (data, label, cid) in enumerate(msgs):
        ifid = i % 4
        lt = ifs[ifid][0]
        frame = WRAP[lt](pkt(data, i))
        ts_ns = T0 + i * 10**6
        units = ts_ns if ifs[ifid][3] == 9 else ts_ns // 1000
        if i == 5:
            out.append(obsolete_pb(le, ifid, units, bytes(frame)))
        else:
            blk = epb(le, ifid, units, bytes(frame), comment='packet %d' % i if i == 2 else None)
            if lie_at == i:
                blk = block(le, 6, blk[8:-4], lie=4)
            out.append(blk)
        expect.append((label, cid, ifid))
        k += 1
        if i == 3:
            out.append(isb(le, 0, units))
            out.append(block(le, 0x00000BAD, struct.pack(le + 'I', 32473) + b'custom!\0'))
            out.append(block(le, 0x0000FFF0, b'unknown block\0\0\0'))
    # section 2, big-endian, its own interface 0 (global 4); an SPB has no time
    out.append(shb(be))
    out.append(idb(be, LINKTYPE_ETHERNET, 'eth1'))
    for j, (data, label, cid) in enumerate(flow('m4')):
        frame = eth(pkt(data, j))
        ts_ns = T0 + (20 + j) * 10**6
        if j == 3:
            out.append(spb(be, bytes(frame)))
        else:
            out.append(epb(be, 0, ts_ns // 1000, bytes(frame)))
        expect.append((label, cid, 4))
    return b''.join(out), expect


def lenient():
    starts = [('REGISTER sip:lab.local SIP/2.0', 'REGISTER', True),
              ('SIP/2.0  401 Unauthorized', '401 Unauthorized', False),
              ('REGISTER sip:lab.local sip/2.0', 'REGISTER', False),
              ('sip/2.0 200 OK', '200 OK', False),
              ('SIP/2.0 200', '200 ', False),
              ('REGISTER  sip:lab.local  SIP/2.0', 'REGISTER', False),
              ('SIP/2.0 404 Not Found', '404 Not Found', True)]
    frames, expect = [], []
    for i, (s, label, canonical) in enumerate(starts):
        cid = 'l%d' % i
        frames.append((T0 + i * 10**6, eth(pkt(bytes(sip_build(s, hdrs(cid, 1))), i))))
        expect.append((label, cid, canonical))
    return pcap_bytes(frames, LINKTYPE_ETHERNET), expect


def rotated():
    """rot1 and rot2 overlap in time (two capture points, one flow each,
    interleaved); rot3 starts after both end."""
    files = {}
    for name, cid, t_first in (('rot1', 'r1', 0), ('rot2', 'r2', 500), ('rot3', 'r3', 10000)):
        frames = []
        for j, (data, label, c) in enumerate(flow(cid)):
            frames.append((T0 + (t_first + j * 1000) * 10**6, eth(pkt(data, j))))
        files[name] = (pcap_bytes(frames, LINKTYPE_ETHERNET), [(lab, c) for _, lab, c in flow(cid)])
    return files


def reg_msg(start, user, cseq, expires=None, tag='', auth=False):
    """A REGISTER or a response of user's one Call-ID (RFC 3261 §10.2)."""
    cid = 'ap-' + user
    contact = '<sip:%s@10.0.1.1>' % user + (';expires=%d' % expires if expires else '')
    h = [('Via', 'SIP/2.0/UDP 10.0.1.1:5060;branch=z9hG4bK%s%d' % (cid, cseq)),
         ('From', '<sip:%s@lab.local>;tag=f%s' % (user, user)),
         ('To', '<sip:%s@lab.local>' % user + tag), ('Call-ID', cid),
         ('CSeq', '%d REGISTER' % cseq), ('Contact', contact)]
    if auth:
        h.append(('Authorization', 'Digest username="%s", realm="lab.local", nonce="n1", '
                  'uri="sip:lab.local", response="00112233445566778899aabbccddeeff"' % user))
    return bytes(sip_build(start, h))


def apart():
    """early.pcap and late.pcap: (seconds from the file's start, to the
    registrar?, message).  Outcomes are the reader's to work out (tests/
    apart_expect.py does it from tshark's list)."""
    R, OK, C401, NF = ('REGISTER sip:lab.local SIP/2.0', 'SIP/2.0 200 OK',
                       'SIP/2.0 401 Unauthorized', 'SIP/2.0 404 Not Found')
    retrans = [0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5]  # T1 doubling to T2 (§17.1.2.2)
    early = [(0, R, 'alice', 1), (0.01, C401, 'alice', 1), (0.1, R, 'alice', 2),
             (0.11, OK, 'alice', 2, 3600)]
    early += [(1 + d, R, 'bob', 1) for d in retrans]
    early += [(40, R, 'carol', 1), (40.01, OK, 'carol', 1, 60), (41, R, 'ivan', 1)]
    late = [(0, R, 'dave', 1), (0.01, OK, 'dave', 1, 3600), (1, R, 'erin', 1), (1.01, NF, 'erin', 1)]
    late += [(2 + d, R, 'frank', 1) for d in retrans]
    late += [(45, R, 'gina', 1), (45.01, C401, 'gina', 1)]
    files = {}
    for name, t0, flows in (('early', 0, early), ('late', 600, late)):
        frames, expect = [], []
        for ev in sorted(flows, key=lambda e: e[0]):
            t, start, user = ev[0], ev[1], ev[2]
            req = start.startswith('REGISTER')
            data = reg_msg(start, user, ev[3], ev[4] if len(ev) > 4 else None,
                           '' if req else ';tag=r' + user, auth=req and ev[3] == 2)
            a, b = ('10.0.1.1', '10.0.1.2') if req else ('10.0.1.2', '10.0.1.1')
            frames.append((T0 + int((t0 + t) * 10**9), eth(udp_ip(a, b, 5060, 5060, data))))
            expect.append(('REGISTER' if req else start[8:], 'ap-' + user))
        files[name] = (pcap_bytes(frames, LINKTYPE_ETHERNET), expect)
    return files


def main():
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)

    def write(name, data, expect):
        with open(os.path.join(d, name), 'wb') as f:
            f.write(data)
        with open(os.path.join(d, name + '.expect'), 'w') as f:
            for e in expect:
                f.write('\t'.join(str(x) for x in e) + '\n')
    data, exp = multi()
    write('multi.pcapng', data, exp)
    data, exp = multi(lie_at=6)
    write('lying.pcapng', data, exp)
    data, exp = lenient()
    write('lenient.pcap', data, exp)
    for name, (data, exp) in rotated().items():
        write(name + '.pcap', data, exp)
    for name, (data, exp) in apart().items():
        write(name + '.pcap', data, exp)


main()
