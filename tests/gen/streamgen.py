#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""streamgen - hostile stream captures for tests/cli/streams.sh.

Owns: the scenarios pcapgen.py does not have: randomly ordered TCP
segments, 1 MB of garbage inside a SIP stream, Content-Length 2^31,
100,000 open streams, IP fragments that never complete.  The expected
counts are worked out here from how the bytes are built (not from
regtrace's output).  Small scenarios reuse pcapgen's builders; the big ones
write packets directly (no checksums: regtrace does not check them) so the
test stays fast.

CLI:
    python3 tests/gen/streamgen.py --list
    python3 tests/gen/streamgen.py SCENARIO OUT.pcap    prints the expected count
"""
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcapgen  # noqa: E402

CLI, SRV = '192.0.2.10', '198.51.100.5'


def _ua():
    return pcapgen.SipUA('alice', 'example.com', CLI, transport='TCP')


def tcp_shuffle(out):
    """20 OPTIONS (own Call-IDs) in one TCP direction, cut into segments of
    1..300 bytes sent in random order, a quarter of them twice, some
    overlapping their neighbours; all bytes present -> 20 messages."""
    rnd = random.Random(7)
    cap = pcapgen.Capture()
    flow = pcapgen.TcpFlow(cap, (CLI, 50000), (SRV, 5060))
    t = flow.handshake(0.0)
    ua = _ua()
    for _ in range(20):
        ua.new_call_id()
        flow.write(True, ua.options())
    total = len(flow.d[True].stream)
    cuts, pos = [], 0
    while pos < total:
        n = rnd.randint(1, 300)
        cuts.append((pos, min(n, total - pos)))
        pos += n
    segs = list(cuts)
    segs += rnd.sample(cuts, len(cuts) // 4)                  # retransmissions
    for off, n in rnd.sample(cuts, len(cuts) // 8):           # overlaps
        segs.append((max(0, off - 20), min(n + 40, total - max(0, off - 20))))
    rnd.shuffle(segs)
    for off, n in segs:
        t += 0.001
        flow.seg(t, True, off, n)
    cap.write(out)
    return 20


def tcp_garbage(out):
    """REGISTER, 1 MiB of garbage lines, REGISTER, in one TCP stream:
    the 2 messages are kept, the garbage skipped (resync on the start
    line that follows the garbage's last CRLF)."""
    rnd = random.Random(8)
    cap = pcapgen.Capture()
    flow = pcapgen.TcpFlow(cap, (CLI, 50001), (SRV, 5060))
    t = flow.handshake(0.0)
    ua = _ua()
    t = flow.send(t + 0.01, True, ua.register())
    junk = bytearray()
    while len(junk) < 1 << 20:
        line = bytes(rnd.randrange(256) for _ in range(rnd.randint(10, 200)))
        junk += line.replace(b'\n', b'.') + b'\r\n'
    t = flow.send(t + 0.01, True, bytes(junk), mss=1400, gap=0.00001)
    t = flow.send(t + 0.01, True, ua.register())
    flow.fin(t + 0.01, True)
    cap.write(out)
    return 2


def tcp_binary(out):
    """A TCP stream that starts (after its SYN) with 1 MiB of binary bytes,
    and a second connection with a REGISTER: 1 message; the first stream
    is recognised as not SIP and not buffered."""
    rnd = random.Random(9)
    cap = pcapgen.Capture()
    flow = pcapgen.TcpFlow(cap, (CLI, 50002), (SRV, 443))
    t = flow.handshake(0.0)
    t = flow.send(t, True, bytes(rnd.randrange(256) for _ in range(1 << 20)), gap=0.00001)
    flow2 = pcapgen.TcpFlow(cap, (CLI, 50003), (SRV, 5060))
    t = flow2.handshake(t + 0.01)
    flow2.send(t + 0.01, True, _ua().register())
    cap.write(out)
    return 1


def cl_huge(out):
    """Content-Length: 2147483648 over TCP (1000 body bytes, then FIN):
    1 message, reported cut; and over UDP: 1 message (datagram trusted)."""
    cap = pcapgen.Capture()
    flow = pcapgen.TcpFlow(cap, (CLI, 50004), (SRV, 5060))
    t = flow.handshake(0.0)
    ua = _ua()
    msg = ua.register().replace(b'Content-Length: 0', b'Content-Length: 2147483648')
    assert b'2147483648' in msg
    t = flow.send(t + 0.01, True, msg + b'x' * 1000)
    flow.fin(t + 0.01, True)
    udp = pcapgen.SipUA('bob', 'example.com', CLI).register()
    udp = udp.replace(b'Content-Length: 0', b'Content-Length: 2147483648')
    cap.add(t + 0.1, pcapgen.udp_ip(CLI, SRV, 5060, 5060, udp + b'y' * 10))
    cap.write(out)
    return 2


# ---------------------------------------------------------------- big ones

def _eth_ip4(src, dst, proto, payload, ident=0, frag=0x4000):
    ip = struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + len(payload), ident, frag, 64, proto, 0,
                     bytes(map(int, src.split('.'))), bytes(map(int, dst.split('.'))))
    return b'\x02\x00\x00\x00\x0b\x02\x02\x00\x00\x00\x0a\x01\x08\x00' + ip + payload


def _write(out, frames):
    with open(out, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for ts, data in frames:
            sec, usec = divmod(int(ts * 1e6), 1000000)
            f.write(struct.pack('<IIII', sec, usec, len(data), len(data)))
            f.write(data)


def many_streams(out, n=100000):
    """100,000 TCP connections (no handshake seen), each sending the first
    200 bytes of a REGISTER and nothing more: every one is reported as a
    cut message (malformed) when memory runs out or at the end -> n."""
    reg = pcapgen.SipUA('carol', 'example.com', CLI, transport='TCP').register()[:200]
    frames = []
    t0 = pcapgen.DEFAULT_START
    for i in range(n):
        sport = 1024 + i % 60000
        src = '10.%d.%d.%d' % (1 + i // 60000, (i >> 8) & 255, i & 255)
        tcp = struct.pack('>HHIIBBHHH', sport, 5060, 1000, 0, 0x50, 0x18, 65535, 0, 0)
        frames.append((t0 + i * 1e-4, _eth_ip4(src, SRV, 6, tcp + reg)))
    _write(out, frames)
    return n


def frag_never(out, n=60000):
    """60,000 first IPv4 fragments (1480 bytes, MF set, distinct ids) that
    never complete, then one REGISTER over UDP -> 1 message; the
    fragments are dropped (memory bound) or pending at the end."""
    frames = []
    t0 = pcapgen.DEFAULT_START
    body = b'\x13\xc4\x13\xc4\x0b\xb8\x00\x00' + b'z' * 1472
    for i in range(n):
        frames.append((t0 + i * 1e-4, _eth_ip4(CLI, SRV, 17, body, ident=i & 0xffff,
                                               frag=0x2000)))
    reg = pcapgen.SipUA('dave', 'example.com', CLI).register()
    udp = struct.pack('>HHHH', 5060, 5060, 8 + len(reg), 0) + reg
    frames.append((t0 + n * 1e-4 + 1, _eth_ip4(CLI, SRV, 17, udp)))
    _write(out, frames)
    return 1


SCENARIOS = {
    'tcp-shuffle': tcp_shuffle,
    'tcp-garbage': tcp_garbage,
    'tcp-binary': tcp_binary,
    'cl-huge': cl_huge,
    'many-streams': many_streams,
    'frag-never': frag_never,
}


def main():
    if len(sys.argv) == 2 and sys.argv[1] == '--list':
        for k, f in SCENARIOS.items():
            print('%-14s %s' % (k, ' '.join(f.__doc__.split())))
        return 0
    if len(sys.argv) != 3 or sys.argv[1] not in SCENARIOS:
        sys.stderr.write('usage: streamgen.py --list | SCENARIO OUT.pcap\n')
        return 2
    print(SCENARIOS[sys.argv[1]](sys.argv[2]))
    return 0


if __name__ == '__main__':
    sys.exit(main())
