#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""anomalygen - crafted captures, each with one kind of bad input below SIP.

    python3 tests/gen/anomalygen.py --list         one line per case: NAME EXPECT...
    python3 tests/gen/anomalygen.py --env NAME     VAR=VALUE words regtrace runs with
    python3 tests/gen/anomalygen.py NAME OUT       write that case's capture

Every capture starts with one well-formed REGISTER over UDP/IPv4 (frame 1),
then carries the bad packets at the frames its case states, with good
REGISTERs between them.  EXPECT is what the capture holds by construction:
event=count@first_frame for each anomaly it carries, worked out from the
bytes built here (not from regtrace's output).  Standard library + pcapgen.
Memory running out cannot be crafted in bytes: those cases name frames in
REGTRACE_TEST_ALLOC_FAIL (--env), a knob for tests only that makes the
dissectors' allocations fail while those frames are dissected (regtrace(1)).
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcapgen as pg  # noqa: E402

START = pg.DEFAULT_START * 10 ** 9
CLI, SRV = '192.0.2.10', '198.51.100.5'


def register(n):
    """A REGISTER whose Call-ID differs per n."""
    ua = pg.SipUA('alice%d' % n, 'example.com', CLI)
    return ua.register(3600)


def good(n):
    """Ethernet + IPv4 + UDP + REGISTER."""
    return bytes(pg.eth(pg.udp_ip(CLI, SRV, 5060, 5060, register(n))))


CASES = {}
ENV = {}


def case(name, expect, env=None):
    def deco(fn):
        CASES[name] = (expect, fn)
        if env:
            ENV[name] = env
        return fn
    return deco


def pcap(frames, linktype=pg.LINKTYPE_ETHERNET, step_us=1000000):
    """Classic pcap, frames step_us apart (default one second).  A frame is
    bytes, or (bytes, wirelen) for a record whose original length is more
    than it holds."""
    out = [pg.pcap_header(linktype)]
    for i, f in enumerate(frames):
        data, wire = (f, len(f)) if isinstance(f, (bytes, bytearray)) else f
        sec, usec = divmod(pg.DEFAULT_START * 10 ** 6 + i * step_us, 10 ** 6)
        out.append(struct.pack('<IIII', sec, usec, len(data), wire) + bytes(data))
    return b''.join(out)


def bad_between(bad):
    """Frames 1, 3, 5 good, 2 and 4 the bad one: expect count 2, first frame 2."""
    return pcap([good(1), bad, good(3), bad, good(5)])


def eth4(ip_bytes):
    return bytes(pg.eth(ip_bytes, ethertype=pg.ETH_P_IP))


def eth6(ip_bytes):
    return bytes(pg.eth(ip_bytes, ethertype=pg.ETH_P_IPV6))


def ip4(proto, payload, **kw):
    return bytes(pg.ipv4(CLI, SRV, proto, payload, **kw))


def tcp4(seq, payload, flags='PA', sport=40000):
    return eth4(ip4(pg.IPPROTO_TCP, bytes(pg.tcp(CLI, SRV, sport, 5060, seq, 1, flags, payload))))


def frag4(ident, off, mf, payload):
    return eth4(ip4(pg.IPPROTO_UDP, payload, ident=ident, frag_off=off, mf=mf))


# frames 2 and 4 keep 200 of their bytes; the record says the rest was on the
# wire (snap length): the IPv4 total length then promises more than is there
SNAP = 200


@case('packet-snapped', {'packet-snapped': (2, 2), 'ipv4-truncated': (2, 2)})
def _snapped():
    cut = good(2)
    return pcap([good(1), (cut[:SNAP], len(cut)), good(3), (cut[:SNAP], len(cut)), good(5)])


# pcapng with if_tsresol = 10^0 (units of one second): frame 2's timestamp,
# 9907765552 s, is past what a 64-bit count of nanoseconds holds (about
# 9223372036 s), as in a byte-flipped file.  Frames 1 and 3 are ordinary.
TS_BIG = 9907765552


@case('timestamp-out-of-range', {'timestamp-out-of-range': (1, 2)})
def _ts():
    frames = [(START, good(1)), (TS_BIG * 10 ** 9, good(2)), (START + 10 ** 9, good(3))]
    return pg.pcapng_bytes(frames, pg.LINKTYPE_ETHERNET, tsresol=0)


# LINKTYPE_USER0 (147): three packets, none read
@case('link-unsupported', {'link-unsupported': (3, 1)})
def _link_unsupported():
    return pcap([good(1), good(2), good(3)], linktype=147)


# an Ethernet frame of 10 bytes: not even the two MAC addresses
@case('link-truncated', {'link-truncated': (2, 2)})
def _link_truncated():
    return bad_between(good(2)[:10])


# LINKTYPE_RAW: the first nibble says version 5
@case('ip-bad-version', {'ip-bad-version': (2, 2)})
def _ip_bad_version():
    ok = [bytes(pg.udp_ip(CLI, SRV, 5060, 5060, register(i))) for i in (1, 3, 5)]
    bad = b'\x55' + bytes(pg.udp_ip(CLI, SRV, 5060, 5060, register(2)))[1:]
    return pcap([ok[0], bad, ok[1], bad, ok[2]], linktype=pg.LINKTYPE_RAW)


# EtherType IPv4, 12 bytes of the 20-byte header
@case('ipv4-truncated', {'ipv4-truncated': (2, 2)})
def _ipv4_truncated():
    return bad_between(eth4(ip4(pg.IPPROTO_UDP, b'x' * 40)[:12]))


# EtherType IPv4 carrying an IPv6 packet (version 6)
@case('ipv4-bad-version', {'ipv4-bad-version': (2, 2)})
def _ipv4_bad_version():
    v6 = bytes(pg.udp_ip('2001:db8::10', '2001:db8::5', 5060, 5060, register(2)))
    return bad_between(eth4(v6))


# IHL 4 (16 bytes): below the 20-byte minimum of RFC 791
@case('ipv4-header-short', {'ipv4-header-short': (2, 2)})
def _ipv4_header_short():
    h = bytearray(ip4(pg.IPPROTO_UDP, b'x' * 40))
    h[0] = 0x44
    return bad_between(eth4(bytes(h)))


# total length 10, less than the 20-byte header
@case('ipv4-bad-total-length', {'ipv4-bad-total-length': (2, 2)})
def _ipv4_bad_total():
    return bad_between(eth4(ip4(pg.IPPROTO_UDP, b'x' * 40, total_len=10)))


# EtherType IPv6, 20 bytes of the 40-byte header
@case('ipv6-truncated', {'ipv6-truncated': (2, 2)})
def _ipv6_truncated():
    v6 = bytes(pg.udp_ip('2001:db8::10', '2001:db8::5', 5060, 5060, b'x' * 40))
    return bad_between(eth6(v6[:20]))


# EtherType IPv6 carrying an IPv4 packet (version 4)
@case('ipv6-bad-version', {'ipv6-bad-version': (2, 2)})
def _ipv6_bad_version():
    return bad_between(eth6(bytes(pg.udp_ip(CLI, SRV, 5060, 5060, register(2)))))


# 16 destination-options headers before UDP: the walk stops at 16
# extension headers (dissectors/ip.c), so the UDP is never reached
@case('ipv6-ext-chain-too-long', {'ipv6-ext-chain-too-long': (2, 2)})
def _ipv6_ext_chain():
    u = bytes(pg.udp('2001:db8::10', '2001:db8::5', 5060, 5060, register(2)))
    v6 = pg.ipv6('2001:db8::10', '2001:db8::5', pg.IPPROTO_UDP, u,
                 exts=[pg.v6_dest_opts() for _ in range(16)])
    return bad_between(eth6(bytes(v6)))


# the REGISTER inside 8 IPv4-in-IPv4 headers: with the outer one, 9 IP
# layers, one more than the dissectors' depth bound of 8
@case('tunnel-too-deep', {'tunnel-too-deep': (2, 2)})
def _tunnel_deep():
    p = bytes(pg.udp_ip(CLI, SRV, 5060, 5060, register(2)))
    for _ in range(8):
        p = ip4(pg.IPPROTO_IPIP, p)
    return bad_between(eth4(p))


# a first fragment (more fragments set) of 13 bytes: not a multiple of 8
@case('fragment-bad-length', {'fragment-bad-length': (2, 2)})
def _frag_bad_len():
    return bad_between(frag4(0x77, 0, True, b'x' * 13))


# frame 2: the last fragment of datagram 0x55 ends at 16; frame 3: another
# last fragment of it ending at 24.  Two ends: given up, counted at the
# datagram's first packet (frame 2)
@case('fragment-inconsistent', {'fragment-inconsistent': (1, 2)})
def _frag_inconsistent():
    return pcap([good(1), frag4(0x55, 8, False, b'a' * 8), frag4(0x55, 16, False, b'b' * 8),
                 good(4)])


# frame 2 (t = 1 s): a first fragment of datagram 0x10; frame 3 (t = 32 s):
# a first fragment of datagram 0x11.  The table's 30 s timeout runs when a
# fragment arrives: 0x10 goes (first frame 2); 0x11 is still incomplete
# when the capture ends (frame 3)
@case('fragment-timeout', {'fragment-timeout': (1, 2), 'fragment-incomplete': (1, 3)})
def _frag_timeout():
    frames = [good(1), frag4(0x10, 0, True, b'a' * 16), frag4(0x11, 0, True, b'b' * 16)]
    out = [pg.pcap_header(pg.LINKTYPE_ETHERNET)]
    for t, f in zip((0, 1, 32), frames):
        out.append(struct.pack('<IIII', pg.DEFAULT_START + t, 0, len(f), len(f)) + f)
    return b''.join(out)


# 1025 fragments of 8 bytes (offsets 0, 8, ..., 8192), all with more
# fragments set, 1 ms apart: the table holds at most 1024 pieces of a
# datagram, so the 1025th (frame 1026) gives it up
@case('fragment-over-bound', {'fragment-over-bound': (1, 2)})
def _frag_over():
    return pcap([good(1)] + [frag4(0x66, 8 * i, True, b'z' * 8) for i in range(1025)],
                step_us=1000)


# frame 2: a first fragment whose other pieces never come
@case('fragment-incomplete', {'fragment-incomplete': (1, 2)})
def _frag_incomplete():
    return pcap([good(1), frag4(0x44, 0, True, b'a' * 16), good(3)])


# IPv4 protocol 17 with 4 bytes after the IP header
@case('udp-truncated', {'udp-truncated': (2, 2)})
def _udp_truncated():
    return bad_between(eth4(ip4(pg.IPPROTO_UDP, b'\x13\xc4\x13\xc4')))


# frame 2: UDP length 10 more than the IP payload (the capture holds the
# whole IP packet); frame 4: 10 less (trailing bytes after the datagram)
@case('udp-length-mismatch', {'udp-length-mismatch': (2, 2)})
def _udp_len():
    def with_len(n, delta):
        u = bytearray(pg.udp(CLI, SRV, 5060, 5060, register(n), checksum=False))
        struct.pack_into('!H', u, 4, len(u) + delta)
        return eth4(ip4(pg.IPPROTO_UDP, bytes(u)))
    return pcap([good(1), with_len(2, 10), good(3), with_len(4, -10), good(5)])


# IPv4 protocol 6 with 10 bytes of the 20-byte TCP header
@case('tcp-truncated', {'tcp-truncated': (2, 2)})
def _tcp_truncated():
    seg = bytes(pg.tcp(CLI, SRV, 40000, 5060, 1000, 1, 'PA', b''))
    return bad_between(eth4(ip4(pg.IPPROTO_TCP, seg[:10])))


# TCP data offset 4 (16 bytes): below the minimum of 5 (RFC 9293 3.1)
@case('tcp-header-short', {'tcp-header-short': (2, 2)})
def _tcp_header_short():
    seg = bytearray(pg.tcp(CLI, SRV, 40000, 5060, 1000, 1, 'PA', b'x' * 20))
    seg[12] = 0x40
    return bad_between(eth4(ip4(pg.IPPROTO_TCP, bytes(seg))))


# one REGISTER over TCP: frame 2 holds its first 100 bytes, frame 3 the
# bytes from 200 on; bytes 100-199 were never captured.  At the end the gap
# is given up, counted at the direction's last segment (frame 3)
@case('tcp-gap', {'tcp-gap': (1, 3)})
def _tcp_gap():
    r = bytes(register(2))
    return pcap([good(1), tcp4(1000, r[:100]), tcp4(1200, r[200:])])


# one REGISTER over TCP of which only the first 100 bytes were sent before
# the capture ended (frame 2)
@case('tcp-stream-truncated', {'tcp-stream-truncated': (1, 2)})
def _tcp_stream_truncated():
    return pcap([good(1), tcp4(1000, bytes(register(2))[:100])])


# a request line and a header line that never ends, in 1400-byte segments
# from frame 2 on: after 188 segments (263200 bytes) the stream holds more
# than its 256 KiB bound (262144), at frame 189
@case('tcp-message-too-long', {'tcp-message-too-long': (1, 189)})
def _tcp_too_long():
    data = b'REGISTER sip:example.com SIP/2.0\r\nX-Long: ' + b'a' * (1400 * 188)
    segs = [tcp4(1000 + 1400 * i, data[1400 * i:1400 * (i + 1)]) for i in range(188)]
    return pcap([good(1)] + segs)


# IPv4 protocol 132 with 8 of the 12 bytes of the SCTP common header
@case('sctp-truncated', {'sctp-truncated': (2, 2)})
def _sctp_truncated():
    return bad_between(eth4(ip4(132, b'\x13\xc4\x13\xc4\0\0\0\1')))


# SCTP common header, then a chunk whose length field says 2 (< 4)
@case('sctp-bad-chunk-length', {'sctp-bad-chunk-length': (2, 2)})
def _sctp_bad_chunk():
    return bad_between(eth4(ip4(132, struct.pack('!HHII', 5060, 5060, 1, 0) +
                                struct.pack('!BBH', 0, 3, 2) + b'\0' * 12)))


# frames 2 and 4 are dissected with allocations refused: frame 2's
# REGISTER gets no record, frame 4's neither; frames 1, 3 and 5 are kept
@case('sip-alloc-failed', {'sip-alloc-failed': (2, 2)},
      env='REGTRACE_TEST_ALLOC_FAIL=2,4')
def _sip_alloc_failed():
    return pcap([good(1), good(2), good(3), good(4), good(5)])


# allocations refused at frames 2 and 4: frame 2 opens a TCP direction with
# a whole REGISTER (no state for the direction), frame 4 is the first
# fragment of a datagram (no state for the datagram: nothing left pending)
@case('alloc-failed', {'alloc-failed': (2, 2)}, env='REGTRACE_TEST_ALLOC_FAIL=2,4')
def _alloc_failed():
    return pcap([good(1), tcp4(1000, bytes(register(2))), good(3),
                 frag4(0x44, 0, True, b'a' * 16), good(5)])


# The TCP bound (64 MiB, dissectors/dissect.c) counts each direction's
# buffer as allocated - 2 KiB doubled until the bytes fit - plus its state
# (struct tcp_dir, 216 bytes on x86-64).  Directions 1..258 (source ports
# 40001..40258) one after the other, each sending three 51200-byte segments
# of one REGISTER whose headers never end: its buffer is 65536, 131072 then
# 262144 bytes (153600 < 256 KiB, the per-direction bound, so no message is
# too long).  Direction k's segments are frames 3k-1, 3k, 3k+1.
# 255 whole directions hold 255 * (262144 + S) bytes; direction 256's
# second segment brings 67033088 with S = 216 (at most 64 MiB = 67108864
# for any S <= 512), its third 67164160: over, and the least recently used
# direction (1) is given up at frame 769.  Each later direction passes the
# bound at its third segment again (the evicted one's 262144 + S bytes make
# room for 2 segments): directions 257 and 258 at frames 772 and 775.
# tcp-over-bound: 3 at frame 769.  Every direction's message is cut -
# directions 1-3 when evicted, the rest at the end - and the first cut is
# direction 1's, counted at its last segment (frame 4): tcp-stream-truncated
# 258 at frame 4.
OVER_DIRS, OVER_SEG = 258, 51200


@case('tcp-over-bound', {'tcp-over-bound': (OVER_DIRS - 255, 769),
                         'tcp-stream-truncated': (OVER_DIRS, 4)})
def _tcp_over_bound():
    data = b'REGISTER sip:example.com SIP/2.0\r\nX-Long: ' + b'a' * (3 * OVER_SEG)
    frames = [good(1)]
    for k in range(1, OVER_DIRS + 1):
        for i in range(3):
            frames.append(tcp4(1000 + OVER_SEG * i, data[OVER_SEG * i:OVER_SEG * (i + 1)],
                               sport=40000 + k))
    return pcap(frames, step_us=1000)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == '--env':
        print(ENV.get(sys.argv[2], ''))
        return 0
    if sys.argv[1:] == ['--list']:
        for name, (expect, _) in CASES.items():
            print(name, ' '.join('%s=%d@%d' % (e, c, f) for e, (c, f) in sorted(expect.items())))
        return 0
    if len(sys.argv) != 3 or sys.argv[1] not in CASES:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(sys.argv[2], 'wb') as f:
        f.write(CASES[sys.argv[1]][1]())
    return 0


if __name__ == '__main__':
    sys.exit(main())
