#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""pcapgen - synthetic capture generator for regtrace's tests.

Owns: building packets byte by byte (capture files, link layers, IPv4/IPv6,
fragments, UDP/TCP/SCTP, tunnels, HEP v3, WebSocket, ICMP errors, SIP
messages with correct digest responses) and a table of named scenarios,
each of which writes one small capture.  Python 3 standard library only.

CLI:
    python3 tests/gen/pcapgen.py --list                 name, SIP message count, description
    python3 tests/gen/pcapgen.py --count SCENARIO       the SIP message count only
    python3 tests/gen/pcapgen.py SCENARIO OUT.pcap [--user U --domain D --password P ...]

Library (import pcapgen):
    cap = pcapgen.Capture(pcapgen.LINKTYPE_ETHERNET)
    msg = pcapgen.SipUA('alice', 'example.com', '192.0.2.10').register()
    cap.add(0.0, pcapgen.udp_ip('192.0.2.10', '198.51.100.5', 5060, 5060, msg))
    cap.write('out.pcap'); cap.sip_count   # == 1

Counting: every builder returns a Pkt (bytes) that remembers how many
complete SIP messages it carries (.sip) and which IP fragments it is
(.frags).  A Capture adds up what it is actually given: direct SIP
messages, fragment groups whose fragments all arrived, and TCP stream
units (TcpFlow) whose bytes are all present from the stream start.  Bytes
built by hand (plain bytes, slices, ICMP quotes) count as no message.

Output is deterministic: ids, tags, branches, nonces and cnonces derive from
counters, so the same scenario and options give the same bytes.
"""

import argparse
import base64
import hashlib
import ipaddress
import struct
import sys
import zlib

# ---------------------------------------------------------------- constants

LINKTYPE_NULL = 0
LINKTYPE_ETHERNET = 1        # DLT_EN10MB
LINKTYPE_RAW = 101
LINKTYPE_LOOP = 108
LINKTYPE_LINUX_SLL = 113
LINKTYPE_IPV4 = 228
LINKTYPE_IPV6 = 229
LINKTYPE_LINUX_SLL2 = 276

ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD
ETH_P_8021Q = 0x8100
ETH_P_8021AD = 0x88A8
ETH_P_TEB = 0x6558           # transparent Ethernet bridging (GRE)

IPPROTO_HOPOPTS = 0
IPPROTO_ICMP = 1
IPPROTO_IPIP = 4
IPPROTO_TCP = 6
IPPROTO_UDP = 17
IPPROTO_IPV6 = 41
IPPROTO_ROUTING = 43
IPPROTO_FRAGMENT = 44
IPPROTO_GRE = 47
IPPROTO_ICMPV6 = 58
IPPROTO_NONE = 59
IPPROTO_DSTOPTS = 60
IPPROTO_SCTP = 132

AF_INET = 2
AF_INET6_BSD = 24            # NetBSD/OpenBSD value; FreeBSD uses 28, macOS 30
AF_INET6_HEP = 10            # HEP uses the Linux value

PCAP_MAGIC_US = 0xA1B2C3D4
PCAP_MAGIC_NS = 0xA1B23C4D

GTPU_PORT = 2152
HEP_PORT = 9060
SCTP_PPID_SIP = 39           # not IANA-fixed for SIP; tests may pass their own

DEFAULT_START = 1700000000   # 2023-11-14T22:13:20Z, capture time origin

MAC_CLIENT = bytes.fromhex('020000000a01')
MAC_SERVER = bytes.fromhex('020000000b02')


# ---------------------------------------------------------------- marked bytes

class Pkt(bytes):
    """bytes plus what they carry: .sip complete SIP messages, .frags fragment records."""
    sip = 0
    frags = ()


def mark(data, *inner, sip=None):
    """Wrap data as a Pkt carrying the messages/fragments of the inner parts."""
    p = Pkt(data)
    p.sip = sum(getattr(i, 'sip', 0) for i in inner) if sip is None else sip
    p.frags = tuple(f for i in inner for f in getattr(i, 'frags', ()))
    return p


# ---------------------------------------------------------------- helpers

def inet_checksum(data):
    """RFC 1071 one's-complement sum."""
    if len(data) % 2:
        data = bytes(data) + b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def addr(a):
    """ipaddress object from a string (or pass one through)."""
    return a if isinstance(a, (ipaddress.IPv4Address, ipaddress.IPv6Address)) \
        else ipaddress.ip_address(a)


def _pseudo(src, dst, proto, length):
    s, d = addr(src), addr(dst)
    if s.version == 4:
        return s.packed + d.packed + struct.pack('!BBH', 0, proto, length)
    return s.packed + d.packed + struct.pack('!IxxxB', length, proto)


def _crc32c_table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ (0x82F63B78 if c & 1 else 0)
        t.append(c)
    return t


_CRC32C = _crc32c_table()


def crc32c(data):
    """CRC-32C (Castagnoli) as SCTP uses it."""
    c = 0xFFFFFFFF
    for b in data:
        c = _CRC32C[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


class _Ids:
    """Deterministic hex ids (branches, tags, nonces) from a label and a counter."""

    def __init__(self, seed='pcapgen'):
        self.seed, self.n = seed, 0

    def __call__(self, label, length=16):
        self.n += 1
        h = hashlib.sha256(('%s/%s/%d' % (self.seed, label, self.n)).encode())
        return h.hexdigest()[:length]


# ---------------------------------------------------------------- capture files

def _ts_split(ts_ns, nano):
    sec, frac = divmod(ts_ns, 1_000_000_000)
    return sec, (frac if nano else frac // 1000)


def pcap_header(linktype, nano=False, big_endian=False, snaplen=262144):
    e = '>' if big_endian else '<'
    return struct.pack(e + 'IHHiIII', PCAP_MAGIC_NS if nano else PCAP_MAGIC_US,
                       2, 4, 0, 0, snaplen, linktype)


def pcap_record(ts_ns, data, nano=False, big_endian=False, snaplen=262144):
    e = '>' if big_endian else '<'
    sec, sub = _ts_split(ts_ns, nano)
    cap = bytes(data[:snaplen])
    return struct.pack(e + 'IIII', sec, sub, len(cap), len(data)) + cap


def pcap_bytes(frames, linktype, nano=False, big_endian=False, snaplen=262144):
    """Classic pcap.  frames: iterable of (ts_ns, data)."""
    out = [pcap_header(linktype, nano, big_endian, snaplen)]
    out += [pcap_record(ts, d, nano, big_endian, snaplen) for ts, d in frames]
    return b''.join(out)


def pcap_truncated_bytes(frames, linktype, keep=3, cut='data', **kw):
    """A pcap whose first `keep` records are whole and whose next record is
    cut: in its data (cut='data', header says more than follows) or in its
    16-byte record header (cut='header')."""
    frames = list(frames)
    if len(frames) <= keep:
        raise ValueError('need more than %d frames to cut one' % keep)
    nano, be, snap = kw.get('nano', False), kw.get('big_endian', False), kw.get('snaplen', 262144)
    head = pcap_bytes(frames[:keep], linktype, nano, be, snap)
    rec = pcap_record(frames[keep][0], frames[keep][1], nano, be, snap)
    n = 16 + max(1, (len(rec) - 16) // 2) if cut == 'data' else 7
    return head + rec[:n]


def write_truncated_pcap(path, frames, linktype, keep=3, cut='data', **kw):
    with open(path, 'wb') as f:
        f.write(pcap_truncated_bytes(frames, linktype, keep, cut, **kw))


def _pad4(b):
    return b + b'\0' * (-len(b) % 4)


def _ng_option(code, value, e):
    return struct.pack(e + 'HH', code, len(value)) + _pad4(value)


def _ng_block(btype, body, e):
    total = 12 + len(body)
    return struct.pack(e + 'II', btype, total) + body + struct.pack(e + 'I', total)


def pcapng_bytes(frames, linktype, tsresol=6, snaplen=0, big_endian=False, comment=None):
    """pcapng: SHB, one IDB (if_tsresol = 10^-tsresol s), one EPB per frame."""
    e = '>' if big_endian else '<'
    opts = b''
    if comment:
        opts += _ng_option(1, comment.encode(), e)
    if opts:
        opts += struct.pack(e + 'HH', 0, 0)
    shb = _ng_block(0x0A0D0D0A, struct.pack(e + 'IHHq', 0x1A2B3C4D, 1, 0, -1) + opts, e)
    iopts = b''
    if tsresol != 6:
        iopts += _ng_option(9, bytes([tsresol]), e)
    iopts += struct.pack(e + 'HH', 0, 0)
    idb = _ng_block(0x00000001, struct.pack(e + 'HHI', linktype, 0, snaplen) + iopts, e)
    out = [shb, idb]
    for ts_ns, data in frames:
        units = ts_ns // (10 ** (9 - tsresol))
        cap = bytes(data[:snaplen]) if snaplen else bytes(data)
        body = struct.pack(e + 'IIIII', 0, units >> 32, units & 0xFFFFFFFF,
                           len(cap), len(data)) + _pad4(cap)
        out.append(_ng_block(0x00000006, body, e))
    return b''.join(out)


# ---------------------------------------------------------------- link layers

def ethertype_of(ip):
    """Ethertype for an IP packet by its version nibble."""
    return ETH_P_IPV6 if ip and ip[0] >> 4 == 6 else ETH_P_IP


def eth(payload, ethertype=None, src=MAC_CLIENT, dst=MAC_SERVER, vlans=()):
    """Ethernet II; vlans = [(tpid, vid), ...] outermost first, e.g.
    [(0x88a8, 100), (0x8100, 200)] for QinQ."""
    et = ethertype_of(payload) if ethertype is None else ethertype
    tags = b''.join(struct.pack('!HH', tpid, vid & 0x0FFF) for tpid, vid in vlans)
    return mark(dst + src + tags + struct.pack('!H', et) + payload, payload)


def sll(payload, proto=None, pkttype=0, hatype=1, lladdr=MAC_CLIENT):
    """Linux cooked capture v1 (LINKTYPE_LINUX_SLL, 16 bytes)."""
    p = ethertype_of(payload) if proto is None else proto
    hdr = struct.pack('!HHH', pkttype, hatype, len(lladdr)) + lladdr[:8].ljust(8, b'\0') \
        + struct.pack('!H', p)
    return mark(hdr + payload, payload)


def sll2(payload, proto=None, ifindex=1, pkttype=0, hatype=1, lladdr=MAC_CLIENT):
    """Linux cooked capture v2 (LINKTYPE_LINUX_SLL2, 20 bytes)."""
    p = ethertype_of(payload) if proto is None else proto
    hdr = struct.pack('!HHIHBB', p, 0, ifindex, hatype, pkttype, len(lladdr)) \
        + lladdr[:8].ljust(8, b'\0')
    return mark(hdr + payload, payload)


def null_hdr(payload, af=None, big_endian=False):
    """BSD loopback header: 4-byte address family.  LINKTYPE_NULL stores it in
    the capturing host's byte order (either), LINKTYPE_LOOP in network order."""
    if af is None:
        af = AF_INET6_BSD if payload and payload[0] >> 4 == 6 else AF_INET
    return mark(struct.pack('>I' if big_endian else '<I', af) + payload, payload)


def link_frame(linktype, ip, **kw):
    """Wrap an IP packet for the given link type (kw go to the link builder)."""
    if linktype == LINKTYPE_ETHERNET:
        return eth(ip, **kw)
    if linktype == LINKTYPE_LINUX_SLL:
        return sll(ip, **kw)
    if linktype == LINKTYPE_LINUX_SLL2:
        return sll2(ip, **kw)
    if linktype == LINKTYPE_NULL:
        return null_hdr(ip, **kw)
    if linktype == LINKTYPE_LOOP:
        kw.setdefault('big_endian', True)
        return null_hdr(ip, **kw)
    if linktype in (LINKTYPE_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6):
        return mark(ip, ip)
    raise ValueError('no link builder for linktype %d' % linktype)


# ---------------------------------------------------------------- IPv4 / IPv6

def ipv4(src, dst, proto, payload, ident=0, ttl=64, tos=0, df=False, mf=False,
         frag_off=0, options=b'', total_len=None, checksum=None):
    """IPv4 header (+options) with a correct checksum unless one is forced.
    frag_off is in bytes (multiple of 8)."""
    options = _pad4(options)
    ihl = 5 + len(options) // 4
    flags = (0x4000 if df else 0) | (0x2000 if mf else 0) | ((frag_off // 8) & 0x1FFF)
    tl = 4 * ihl + len(payload) if total_len is None else total_len
    h = struct.pack('!BBHHHBBH4s4s', 0x40 | ihl, tos, tl, ident, flags, ttl, proto, 0,
                    addr(src).packed, addr(dst).packed) + options
    c = inet_checksum(h) if checksum is None else checksum
    h = h[:10] + struct.pack('!H', c) + h[12:]
    return mark(h + payload, payload)


class V6Ext:
    """One IPv6 extension header: .proto is its own next-header number,
    .encode(nh) its bytes given the next header that follows it."""

    def __init__(self, proto, body_fn):
        self.proto, self._body = proto, body_fn

    def encode(self, nh):
        return self._body(nh)


def _v6_opts_body(opts):
    def body(nh):
        data = bytes(opts)
        pad = -(2 + len(data)) % 8
        if pad == 1:
            data += b'\0'                       # Pad1
        elif pad:
            data += bytes([1, pad - 2]) + b'\0' * (pad - 2)   # PadN
        return bytes([nh, (2 + len(data)) // 8 - 1]) + data
    return body


def v6_hop_by_hop(opts=b''):
    """Hop-by-hop options header; opts are raw TLVs (padded with PadN)."""
    return V6Ext(IPPROTO_HOPOPTS, _v6_opts_body(opts))


def v6_dest_opts(opts=b''):
    return V6Ext(IPPROTO_DSTOPTS, _v6_opts_body(opts))


def v6_routing(addrs=(), segleft=0, rtype=0):
    """Routing header (type 0 layout: reserved word + addresses)."""
    def body(nh):
        a = b''.join(addr(x).packed for x in addrs)
        return struct.pack('!BBBBI', nh, 2 * len(addrs), rtype, segleft, 0) + a
    return V6Ext(IPPROTO_ROUTING, body)


def v6_fragment(offset, mf, ident):
    def body(nh):
        return struct.pack('!BBHI', nh, 0, (offset // 8) << 3 | (1 if mf else 0), ident)
    return V6Ext(IPPROTO_FRAGMENT, body)


def ipv6(src, dst, nh, payload, exts=(), hlim=64, tclass=0, flow=0):
    """IPv6 header, then exts (in order), then payload whose protocol is nh."""
    chain = b''
    nexts = [e.proto for e in exts] + [nh]
    for i, e in enumerate(exts):
        chain += e.encode(nexts[i + 1])
    body = chain + payload
    h = struct.pack('!IHBB16s16s', 6 << 28 | (tclass & 0xFF) << 20 | (flow & 0xFFFFF),
                    len(body), nexts[0], hlim, addr(src).packed, addr(dst).packed)
    return mark(h + body, payload)


def ip(src, dst, proto, payload, **kw):
    """IPv4 or IPv6 by the source address' family."""
    if addr(src).version == 4:
        return ipv4(src, dst, proto, payload, **kw)
    return ipv6(src, dst, proto, payload, **kw)


# ---------------------------------------------------------------- fragments

class FragGroup:
    """One fragmented datagram: counts its SIP messages once every byte of it
    and its last fragment have been written to a capture."""

    def __init__(self, total, sip):
        self.total, self.sip = total, sip
        self.have = []
        self.seen_last = False

    def cover(self, off, length, mf):
        self.have.append((off, off + length))
        if not mf:
            self.seen_last = True

    def complete(self):
        end = 0
        for a, b in sorted(self.have):
            if a > end:
                return False
            end = max(end, b)
        return self.seen_last and end >= self.total


def fragment_plan(total, n):
    """Split total bytes into n pieces with offsets on 8-byte boundaries."""
    size = -(-total // n)
    size += -size % 8
    plan, off = [], 0
    while off < total:
        plan.append((off, min(size, total - off)))
        off += size
    return plan


def _frag_pick(plan, order, extra):
    pieces = list(plan) + list(extra)
    idx = list(range(len(plan))) if order is None else list(order)
    return pieces, idx


def ipv4_fragments(src, dst, proto, payload, n=3, ident=0x1234, order=None, extra=(), **ipkw):
    """Fragment an upper-layer datagram (e.g. udp(...)) into n IPv4 fragments.
    order: indexes to emit (repeats = duplicates); extra: additional (offset,
    length) pieces, indexed after the n planned ones, for overlaps."""
    grp = FragGroup(len(payload), getattr(payload, 'sip', 0))
    pieces, idx = _frag_pick(fragment_plan(len(payload), n), order, extra)
    out = []
    for i in idx:
        off, ln = pieces[i]
        mf = off + ln < len(payload)
        p = ipv4(src, dst, proto, bytes(payload[off:off + ln]), ident=ident, mf=mf,
                 frag_off=off, **ipkw)
        p.frags = ((grp, off, ln, mf),)
        out.append(p)
    return out


def ipv6_fragments(src, dst, nh, payload, n=3, ident=0x1234, order=None, extra=(),
                   unfrag_exts=(), **ipkw):
    """Fragment an upper-layer datagram into n IPv6 fragments (Fragment
    header after unfrag_exts, e.g. hop-by-hop)."""
    grp = FragGroup(len(payload), getattr(payload, 'sip', 0))
    pieces, idx = _frag_pick(fragment_plan(len(payload), n), order, extra)
    out = []
    for i in idx:
        off, ln = pieces[i]
        mf = off + ln < len(payload)
        p = ipv6(src, dst, nh, bytes(payload[off:off + ln]),
                 exts=list(unfrag_exts) + [v6_fragment(off, mf, ident)], **ipkw)
        p.frags = ((grp, off, ln, mf),)
        out.append(p)
    return out


# ---------------------------------------------------------------- transports

def udp(src, dst, sport, dport, payload, checksum=True):
    """UDP header + payload; checksum over the pseudo-header of src/dst."""
    ln = 8 + len(payload)
    h = struct.pack('!HHHH', sport, dport, ln, 0)
    if checksum:
        c = inet_checksum(_pseudo(src, dst, IPPROTO_UDP, ln) + h + payload) or 0xFFFF
        h = h[:6] + struct.pack('!H', c)
    return mark(h + payload, payload)


def udp_ip(src, dst, sport, dport, payload, **ipkw):
    """A whole IP packet carrying one UDP datagram."""
    return ip(src, dst, IPPROTO_UDP, udp(src, dst, sport, dport, payload), **ipkw)


TCP_FLAGS = {'F': 0x01, 'S': 0x02, 'R': 0x04, 'P': 0x08, 'A': 0x10, 'U': 0x20}


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b'', window=65535, options=b''):
    """TCP segment; flags as letters ('S', 'SA', 'PA', 'FA', 'R', ...)."""
    options = _pad4(options)
    f = 0
    for ch in flags:
        f |= TCP_FLAGS[ch]
    if 'A' not in flags:
        ack = 0
    h = struct.pack('!HHIIBBHHH', sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                    (5 + len(options) // 4) << 4, f, window, 0, 0) + options
    c = inet_checksum(_pseudo(src, dst, IPPROTO_TCP, len(h) + len(payload)) + h + payload)
    h = h[:16] + struct.pack('!H', c) + h[18:]
    return mark(h + payload, payload)


def sctp_data_chunk(tsn, payload, sid=0, ssn=0, ppid=SCTP_PPID_SIP, flags=0x03):
    """SCTP DATA chunk (flags 0x03 = B|E: the whole user message)."""
    ch = struct.pack('!BBHIHHI', 0, flags, 16 + len(payload), tsn, sid, ssn, ppid) + payload
    return mark(_pad4(ch), payload)


def sctp(sport, dport, vtag, chunks):
    """SCTP common header + chunks, CRC-32C checksum."""
    body = b''.join(chunks)
    h = struct.pack('!HHII', sport, dport, vtag, 0)
    c = crc32c(h + body)
    return mark(h[:8] + struct.pack('<I', c) + body, *chunks)


class _TcpDir:
    def __init__(self, isn):
        self.isn = isn
        self.stream = bytearray()
        self.units = []          # (offset, length, sip)
        self.have = []           # (start, end) of stream bytes written to the capture

    def prefix(self):
        end = 0
        for a, b in sorted(self.have):
            if a > end:
                break
            end = max(end, b)
        return end


class TcpFlow:
    """One TCP connection written into a Capture.  write() appends bytes to a
    direction's stream (remembering message units), seg() emits any byte
    range of it with its true sequence number (for out-of-order,
    retransmitted or overlapping segments), send() does both in order.
    A unit counts once all stream bytes up to its end are in the capture."""

    def __init__(self, cap, cli, srv, isn_client=1000, isn_server=500000, mss=1400, **ipkw):
        self.cap, self.cli, self.srv, self.mss, self.ipkw = cap, cli, srv, mss, ipkw
        self.d = {True: _TcpDir(isn_client), False: _TcpDir(isn_server)}
        cap.counters.append(self)

    def _ends(self, from_client):
        return (self.cli, self.srv) if from_client else (self.srv, self.cli)

    def _ack(self, from_client):
        o = self.d[not from_client]
        return o.isn + 1 + o.prefix()

    def raw(self, t, from_client, seq, flags, payload=b''):
        (a, ap), (b, bp) = self._ends(from_client)
        seg = tcp(a, b, ap, bp, seq, self._ack(from_client), flags, payload)
        return self.cap.add(t, ip(a, b, IPPROTO_TCP, seg, **self.ipkw))

    def handshake(self, t, rtt=0.001):
        c, s = self.d[True], self.d[False]
        self.raw(t, True, c.isn, 'S')
        (a, ap), (b, bp) = self._ends(False)
        self.cap.add(t + rtt / 2, ip(a, b, IPPROTO_TCP,
                                     tcp(a, b, ap, bp, s.isn, c.isn + 1, 'SA'), **self.ipkw))
        (a, ap), (b, bp) = self._ends(True)
        self.cap.add(t + rtt, ip(a, b, IPPROTO_TCP,
                                 tcp(a, b, ap, bp, c.isn + 1, s.isn + 1, 'A'), **self.ipkw))
        return t + rtt

    def write(self, from_client, data):
        """Append to the stream; returns its stream offset."""
        d = self.d[from_client]
        off = len(d.stream)
        d.stream += data
        d.units.append((off, len(data), getattr(data, 'sip', 0)))
        return off

    def seg(self, t, from_client, off, length, flags='PA'):
        """Emit stream[off:off+length] as one segment with its real seq."""
        d = self.d[from_client]
        payload = bytes(d.stream[off:off + length])
        d.have.append((off, off + len(payload)))
        return self.raw(t, from_client, d.isn + 1 + off, flags, payload)

    def send(self, t, from_client, data, mss=None, gap=0.0001):
        """write() then emit in order in mss-sized segments; returns last time.
        data may be a list of units (e.g. two SIP messages in one segment)."""
        units = data if isinstance(data, (list, tuple)) else [data]
        off = None
        for u in units:
            o = self.write(from_client, u)
            off = o if off is None else off
        total = sum(len(u) for u in units)
        mss = mss or self.mss
        pos = 0
        while pos < total:
            n = min(mss, total - pos)
            self.seg(t, from_client, off + pos, n)
            pos += n
            t += gap
        return t

    def fin(self, t, from_client):
        d = self.d[from_client]
        return self.raw(t, from_client, d.isn + 1 + len(d.stream), 'FA')

    def rst(self, t, from_client):
        d = self.d[from_client]
        return self.raw(t, from_client, d.isn + 1 + len(d.stream), 'R')

    def sip_count(self):
        n = 0
        for d in self.d.values():
            p = d.prefix()
            n += sum(s for off, ln, s in d.units if off + ln <= p)
        return n


# ---------------------------------------------------------------- tunnels

def ipip(outer_src, outer_dst, inner, **ipkw):
    """IP-in-IP: protocol 4 for an IPv4 inner packet, 41 for IPv6."""
    proto = IPPROTO_IPV6 if inner[0] >> 4 == 6 else IPPROTO_IPIP
    return ip(outer_src, outer_dst, proto, inner, **ipkw)


def gre(payload, proto=None, key=None, seq=None, checksum=False):
    """GRE (RFC 2784/2890) header + payload; proto defaults from an IP payload."""
    if proto is None:
        proto = ethertype_of(payload)
    flags = (0x8000 if checksum else 0) | (0x2000 if key is not None else 0) | \
        (0x1000 if seq is not None else 0)
    h = struct.pack('!HH', flags, proto)
    if checksum:
        h += b'\0\0\0\0'
    if key is not None:
        h += struct.pack('!I', key)
    if seq is not None:
        h += struct.pack('!I', seq)
    if checksum:
        c = inet_checksum(h + payload)
        h = h[:4] + struct.pack('!H', c) + h[6:]
    return mark(h + payload, payload)


def gre_ip(outer_src, outer_dst, payload, proto=None, **grekw):
    return ip(outer_src, outer_dst, IPPROTO_GRE, gre(payload, proto, **grekw))


def gtpu(teid, inner, seq=None):
    """GTPv1-U G-PDU (message type 255) carrying an IP packet."""
    opt = b''
    flags = 0x30
    if seq is not None:
        flags |= 0x02
        opt = struct.pack('!HBB', seq, 0, 0)
    h = struct.pack('!BBHI', flags, 0xFF, len(opt) + len(inner), teid) + opt
    return mark(h + inner, inner)


def gtpu_ip(outer_src, outer_dst, teid, inner, **kw):
    return udp_ip(outer_src, outer_dst, GTPU_PORT, GTPU_PORT, gtpu(teid, inner, **kw))


# ---------------------------------------------------------------- HEP v3

def hep_chunk(ctype, data, vendor=0):
    return struct.pack('!HHH', vendor, ctype, 6 + len(data)) + data


def hep3(payload, src, dst, sport, dport, ts, proto_type=1, capture_id=2001,
         ip_proto=IPPROTO_UDP, compress=False, auth_key=None, correlation_id=None):
    """HEP v3 packet: ts is absolute epoch seconds (float ok).  compress=True
    sends chunk 0x10 (zlib) instead of 0x0f."""
    s, d = addr(src), addr(dst)
    sec = int(ts)
    usec = int(round((ts - sec) * 1e6))
    ch = [hep_chunk(1, bytes([AF_INET if s.version == 4 else AF_INET6_HEP])),
          hep_chunk(2, bytes([ip_proto]))]
    if s.version == 4:
        ch += [hep_chunk(3, s.packed), hep_chunk(4, d.packed)]
    else:
        ch += [hep_chunk(5, s.packed), hep_chunk(6, d.packed)]
    ch += [hep_chunk(7, struct.pack('!H', sport)), hep_chunk(8, struct.pack('!H', dport)),
           hep_chunk(9, struct.pack('!I', sec)), hep_chunk(10, struct.pack('!I', usec)),
           hep_chunk(11, bytes([proto_type])), hep_chunk(12, struct.pack('!I', capture_id))]
    if auth_key is not None:
        ch.append(hep_chunk(14, auth_key.encode()))
    if correlation_id is not None:
        ch.append(hep_chunk(17, correlation_id.encode()))
    ch.append(hep_chunk(16, zlib.compress(bytes(payload))) if compress
              else hep_chunk(15, bytes(payload)))
    body = b''.join(ch)
    return mark(b'HEP3' + struct.pack('!H', 6 + len(body)) + body, payload)


def hep3_parse(data):
    """Minimal reader used by the self-check: {type: bytes} (payload inflated)."""
    if data[:4] != b'HEP3':
        raise ValueError('not HEP3')
    total = struct.unpack('!H', data[4:6])[0]
    out, pos = {}, 6
    while pos + 6 <= total:
        _, t, ln = struct.unpack('!HHH', data[pos:pos + 6])
        if ln < 6:
            raise ValueError('bad chunk length')
        out[t] = data[pos + 6:pos + ln]
        pos += ln
    if 16 in out:
        out[15] = zlib.decompress(out[16])
    return out


# ---------------------------------------------------------------- WebSocket

WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'


def ws_accept(key):
    """Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 §4.2.2)."""
    return base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()


def ws_frame(payload, opcode=1, fin=True, mask=None, rsv=0, length_form=None):
    """One frame.  mask: 4 bytes (client frames) or None.  length_form forces
    7/16/64-bit length encoding (default: the shortest)."""
    n = len(payload)
    form = length_form or (7 if n < 126 else 16 if n < 65536 else 64)
    b0 = (0x80 if fin else 0) | (rsv & 7) << 4 | (opcode & 0x0F)
    mbit = 0x80 if mask else 0
    if form == 7:
        h = struct.pack('!BB', b0, mbit | n)
    elif form == 16:
        h = struct.pack('!BBH', b0, mbit | 126, n)
    else:
        h = struct.pack('!BBQ', b0, mbit | 127, n)
    data = bytes(payload)
    if mask:
        h += mask
        data = bytes(c ^ mask[i % 4] for i, c in enumerate(data))
    # a frame "carries" its message only when it is the final frame of it
    return mark(h + data, payload, sip=getattr(payload, 'sip', 0) if fin else 0)


def ws_fragments(payload, size, mask=None, opcode=1):
    """Split one message into frames of `size` bytes: first with opcode,
    the rest continuation (0); only the last has FIN.  Only the last frame
    counts the message."""
    parts = [bytes(payload[i:i + size]) for i in range(0, len(payload), size)] or [b'']
    out = []
    for i, p in enumerate(parts):
        last = i == len(parts) - 1
        out.append(ws_frame(p, opcode if i == 0 else 0, fin=last, mask=mask))
        if last:
            out[-1].sip = getattr(payload, 'sip', 0)
    return out


def ws_upgrade_request(host, key, path='/', protocol='sip', eol='\r\n'):
    lines = ['GET %s HTTP/1.1' % path, 'Host: %s' % host, 'Upgrade: websocket',
             'Connection: Upgrade', 'Sec-WebSocket-Key: %s' % key,
             'Origin: http://%s' % host, 'Sec-WebSocket-Protocol: %s' % protocol,
             'Sec-WebSocket-Version: 13']
    return (eol.join(lines) + eol + eol).encode()


def ws_upgrade_response(key, protocol='sip', eol='\r\n'):
    lines = ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket',
             'Connection: Upgrade', 'Sec-WebSocket-Accept: %s' % ws_accept(key),
             'Sec-WebSocket-Protocol: %s' % protocol]
    return (eol.join(lines) + eol + eol).encode()


# ---------------------------------------------------------------- ICMP

def icmp_unreach(src, orig, code=3, quote=None):
    """IPv4 ICMP destination unreachable (code 3 = port) from src back to the
    sender of orig (an IPv4 packet), quoting `quote` bytes of it (default: IP
    header + UDP header + 64 bytes of payload).  Counts as no message."""
    ihl = (orig[0] & 0x0F) * 4
    q = bytes(orig[:(ihl + 8 + 64) if quote is None else quote])
    body = struct.pack('!BBHI', 3, code, 0, 0) + q
    body = body[:2] + struct.pack('!H', inet_checksum(body)) + body[4:]
    return mark(ipv4(src, ipaddress.IPv4Address(bytes(orig[12:16])), IPPROTO_ICMP, body), sip=0)


def icmp6_unreach(src, orig, code=4, quote=None):
    """ICMPv6 destination unreachable (code 4 = port) quoting an IPv6 packet."""
    q = bytes(orig[:(40 + 8 + 64) if quote is None else quote])
    dst = ipaddress.IPv6Address(bytes(orig[8:24]))
    body = struct.pack('!BBHI', 1, code, 0, 0) + q
    c = inet_checksum(_pseudo(src, dst, IPPROTO_ICMPV6, len(body)) + body)
    body = body[:2] + struct.pack('!H', c) + body[4:]
    return mark(ipv6(src, dst, IPPROTO_ICMPV6, body), sip=0)


# ---------------------------------------------------------------- SIP messages

COMPACT = {'Via': 'v', 'From': 'f', 'To': 't', 'Call-ID': 'i', 'Contact': 'm',
           'Content-Length': 'l', 'Content-Type': 'c', 'Supported': 'k',
           'Subject': 's', 'Event': 'o', 'Allow-Events': 'u'}


class SipStyle:
    """How a message is rendered (the variants tests need):
    eol             line ending ('\\r\\n' or '\\n')
    compact         compact header names (Via -> v, ...)
    fold            fold header values at ';' / ',' onto continuation lines
    junk            bytes put before the start line
    content_length  force the Content-Length value (None = correct)
    cl_delta        add this to the correct Content-Length
    omit_cl         leave Content-Length out
    extra           [(name, value)] appended to every message
    """

    def __init__(self, eol='\r\n', compact=False, fold=False, junk=b'', content_length=None,
                 cl_delta=0, omit_cl=False, extra=()):
        self.eol, self.compact, self.fold, self.junk = eol, compact, fold, junk
        self.content_length, self.cl_delta, self.omit_cl = content_length, cl_delta, omit_cl
        self.extra = list(extra)


PLAIN = SipStyle()


class Sip(Pkt):
    """A rendered SIP message (bytes) that counts as one message.  Keeps its
    parts: .start, .headers [(name, value)] (canonical names), .body,
    .method / .code."""

    def header(self, name):
        for n, v in self.headers:
            if n.lower() == name.lower():
                return v
        return None

    def headers_all(self, name):
        return [v for n, v in self.headers if n.lower() == name.lower()]


def _fold(value, eol):
    for sep in (';', ','):
        if sep in value:
            i = value.index(sep)
            return value[:i + 1] + eol + '\t' + value[i + 1:].lstrip() if sep == ',' \
                else value[:i] + eol + ' ' + value[i:]
    return value


def sip_build(start, headers, body=b'', style=PLAIN):
    """Render start line + headers (+ Content-Length) + body with a style."""
    if isinstance(body, str):
        body = body.encode()
    eol = style.eol
    hdrs = list(headers) + list(style.extra)
    lines = [start]
    for n, v in hdrs:
        name = COMPACT.get(n, n) if style.compact else n
        v = str(v)
        lines.append('%s: %s' % (name, _fold(v, eol) if style.fold else v))
    if not style.omit_cl:
        cl = len(body) + style.cl_delta if style.content_length is None else style.content_length
        lines.append('%s: %d' % ('l' if style.compact else 'Content-Length', cl))
    data = style.junk + (eol.join(lines) + eol + eol).encode() + body
    m = Sip(data)
    m.sip = 1
    m.start, m.headers, m.body = start, hdrs, body
    m.method = m.code = None
    return m


def sip_request(method, ruri, headers, body=b'', style=PLAIN):
    m = sip_build('%s %s SIP/2.0' % (method, ruri), headers, body, style)
    m.method = method
    return m


def sip_response(code, reason, headers, body=b'', style=PLAIN):
    m = sip_build('SIP/2.0 %d %s' % (code, reason), headers, body, style)
    m.code = code
    return m


def _h(alg):
    name = {'MD5': 'md5', 'SHA-256': 'sha256', 'SHA-512-256': 'sha512_256'}[alg.upper().replace('-SESS', '')]
    return lambda s: hashlib.new(name, s.encode()).hexdigest()


def digest_response(username, realm, password, method, uri, nonce, algorithm='MD5',
                    qop=None, nc='00000001', cnonce=''):
    """RFC 2617 / RFC 7616 digest `response` (MD5, SHA-256, their -sess forms)."""
    H = _h(algorithm)
    ha1 = H('%s:%s:%s' % (username, realm, password))
    if algorithm.upper().endswith('-SESS'):
        ha1 = H('%s:%s:%s' % (ha1, nonce, cnonce))
    ha2 = H('%s:%s' % (method, uri))
    if qop:
        return H('%s:%s:%s:%s:%s:%s' % (ha1, nonce, nc, cnonce, qop, ha2))
    return H('%s:%s:%s' % (ha1, nonce, ha2))


class Challenge:
    """What a 401/407 asked for."""

    def __init__(self, realm, nonce, algorithm='MD5', qop='auth', opaque=None,
                 stale=False, proxy=False):
        self.realm, self.nonce, self.algorithm, self.qop = realm, nonce, algorithm, qop
        self.opaque, self.stale, self.proxy = opaque, stale, proxy

    def header_name(self):
        return 'Proxy-Authenticate' if self.proxy else 'WWW-Authenticate'

    def header_value(self):
        v = 'Digest realm="%s", nonce="%s"' % (self.realm, self.nonce)
        if self.opaque:
            v += ', opaque="%s"' % self.opaque
        if self.stale:
            v += ', stale=true'
        v += ', algorithm=%s' % self.algorithm
        if self.qop:
            v += ', qop="%s"' % self.qop
        return v


def authorization_value(ch, username, password, method, uri, nc=1, cnonce='0a4f113b'):
    """Credentials answering Challenge ch (value of Authorization /
    Proxy-Authorization)."""
    ncs = '%08x' % nc
    resp = digest_response(username, ch.realm, password, method, uri, ch.nonce,
                           ch.algorithm, ch.qop, ncs, cnonce)
    v = 'Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s", algorithm=%s' % (
        username, ch.realm, ch.nonce, uri, resp, ch.algorithm)
    if ch.qop:
        v += ', cnonce="%s", qop=%s, nc=%s' % (cnonce, ch.qop, ncs)
    if ch.opaque:
        v += ', opaque="%s"' % ch.opaque
    return v


def parse_auth_params(value):
    """'Digest a="x", b=y' -> {'a': 'x', 'b': 'y'} (for checks)."""
    v = value.split(None, 1)[1] if ' ' in value else ''
    out, i = {}, 0
    while i < len(v):
        while i < len(v) and v[i] in ' ,\t\r\n':
            i += 1
        j = v.find('=', i)
        if j < 0:
            break
        k = v[i:j].strip().lower()
        i = j + 1
        if i < len(v) and v[i] == '"':
            e = v.find('"', i + 1)
            out[k] = v[i + 1:e]
            i = e + 1
        else:
            e = v.find(',', i)
            e = len(v) if e < 0 else e
            out[k] = v[i:e].strip()
            i = e
    return out


def verify_authorization(req, password):
    """True when req's Authorization/Proxy-Authorization response matches
    password (recomputed from the header's own fields)."""
    v = req.header('Authorization') or req.header('Proxy-Authorization')
    if not v:
        return False
    p = parse_auth_params(v)
    want = digest_response(p['username'], p['realm'], password, req.method, p['uri'],
                           p['nonce'], p.get('algorithm', 'MD5'), p.get('qop'),
                           p.get('nc', ''), p.get('cnonce', ''))
    return want == p['response']


class SipUA:
    """A registering user agent: keeps Call-ID, CSeq, From tag and builds
    requests.  Transport goes into Via/Contact only; sending is the caller's."""

    def __init__(self, user, domain, ip, port=5060, transport='UDP', password='secret',
                 auth_user=None, user_agent='pcapgen-ua/1.0', display=None, ids=None,
                 style=PLAIN, contact_host=None):
        self.user, self.domain, self.ip, self.port = user, domain, str(ip), port
        self.transport, self.password = transport, password
        self.auth_user = auth_user or user
        self.user_agent, self.display, self.style = user_agent, display, style
        self.ids = ids or _Ids('ua/%s@%s' % (user, domain))
        self.contact_host = contact_host
        self.call_id = None
        self.new_call_id()
        self.nc = 0

    def new_call_id(self):
        self.call_id = '%s@%s' % (self.ids('callid', 20), self.ip)
        self.from_tag = self.ids('tag', 10)
        self.cseq = 0
        return self.call_id

    def _hostport(self):
        h = self.ip if ':' not in self.ip else '[%s]' % self.ip
        return '%s:%d' % (h, self.port)

    def contact_uri(self):
        h = self.contact_host or self._hostport()
        tp = ';transport=%s' % self.transport.lower() if self.transport != 'UDP' else ''
        return 'sip:%s@%s%s' % (self.user, h, tp)

    def aor(self):
        return 'sip:%s@%s' % (self.user, self.domain)

    def request(self, method, ruri=None, extra=(), body=b'', style=None, to=None,
                branch=None, cseq=None):
        if cseq is None:
            self.cseq += 1
            cseq = self.cseq
        ruri = ruri or 'sip:%s' % self.domain
        fr = '<%s>;tag=%s' % (self.aor(), self.from_tag)
        if self.display:
            fr = '"%s" %s' % (self.display, fr)
        hdrs = [('Via', 'SIP/2.0/%s %s;branch=z9hG4bK%s;rport' % (
                    self.transport, self._hostport(), branch or self.ids('branch'))),
                ('Max-Forwards', '70'),
                ('From', fr),
                ('To', to or '<%s>' % self.aor()),
                ('Call-ID', self.call_id),
                ('CSeq', '%d %s' % (cseq, method))]
        hdrs += list(extra)
        hdrs.append(('User-Agent', self.user_agent))
        return sip_request(method, ruri, hdrs, body, style or self.style)

    def register(self, expires=3600, challenge=None, password=None, style=None, extra=(),
                 contact=None, branch=None):
        """REGISTER; with challenge, adds Authorization (or Proxy-Authorization
        for a 407) computed for password (default: the UA's)."""
        ruri = 'sip:%s' % self.domain
        hdrs = [('Contact', contact or '<%s>' % self.contact_uri()), ('Expires', str(expires))]
        if challenge is not None:
            self.nc = 1 if getattr(self, '_last_nonce', None) != challenge.nonce else self.nc + 1
            self._last_nonce = challenge.nonce
            hdrs.append(('Proxy-Authorization' if challenge.proxy else 'Authorization',
                         authorization_value(challenge, self.auth_user,
                                             self.password if password is None else password,
                                             'REGISTER', ruri, self.nc,
                                             self.ids('cnonce', 8))))
        hdrs += list(extra)
        return self.request('REGISTER', ruri, hdrs, style=style, branch=branch)

    def options(self, ruri=None, style=None):
        return self.request('OPTIONS', ruri, [('Accept', 'application/sdp')], style=style)

    def invite(self, callee, body=None, style=None):
        sdp = body if body is not None else (
            'v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n'
            'm=audio 40000 RTP/AVP 0\r\n' % (self.ip, self.ip))
        ruri = 'sip:%s@%s' % (callee, self.domain)
        return self.request('INVITE', ruri, [('Contact', '<%s>' % self.contact_uri()),
                                            ('Content-Type', 'application/sdp')],
                            body=sdp, style=style, to='<%s>' % ruri)


REASONS = {100: 'Trying', 200: 'OK', 401: 'Unauthorized', 403: 'Forbidden',
           404: 'Not Found', 407: 'Proxy Authentication Required',
           423: 'Interval Too Brief', 486: 'Busy Here', 500: 'Server Internal Error',
           503: 'Service Unavailable'}


class Registrar:
    """Builds responses to a UA's requests (copies Via/From/To/Call-ID/CSeq)."""

    def __init__(self, realm, server='pcapgen-registrar/1.0', ids=None, algorithm='MD5',
                 qop='auth', style=PLAIN):
        self.realm, self.server, self.algorithm, self.qop = realm, server, algorithm, qop
        self.ids = ids or _Ids('registrar/%s' % realm)
        self.style = style
        self.to_tags = {}

    def reply(self, req, code, reason=None, extra=(), body=b'', style=None):
        tag = self.to_tags.setdefault(req.header('Call-ID'), self.ids('totag', 10))
        to = req.header('To')
        if ';tag=' not in to:
            to += ';tag=%s' % tag
        hdrs = [('Via', v) for v in req.headers_all('Via')]
        hdrs += [('From', req.header('From')), ('To', to), ('Call-ID', req.header('Call-ID')),
                 ('CSeq', req.header('CSeq'))]
        hdrs += list(extra)
        hdrs.append(('Server', self.server))
        return sip_response(code, reason or REASONS.get(code, 'Unknown'), hdrs, body,
                            style or self.style)

    def challenge(self, req, proxy=False, stale=False, nonce=None, style=None):
        """401 (or 407) with a fresh nonce; returns (response, Challenge)."""
        ch = Challenge(self.realm, nonce or self.ids('nonce', 24), self.algorithm, self.qop,
                       stale=stale, proxy=proxy)
        r = self.reply(req, 407 if proxy else 401, extra=[(ch.header_name(), ch.header_value())],
                       style=style)
        return r, ch

    def ok(self, req, expires=None, contacts=None, style=None):
        """200 to a REGISTER: Contact;expires=N of the request's Contact (or
        the given list); no Contact for a removal (Expires: 0)."""
        exp = int(req.header('Expires') or 3600) if expires is None else expires
        extra = []
        if contacts is not None:
            extra += [('Contact', c) for c in contacts]
        elif exp > 0 and req.header('Contact') and req.header('Contact') != '*':
            extra.append(('Contact', '%s;expires=%d' % (req.header('Contact'), exp)))
        extra.append(('Date', 'Tue, 14 Nov 2023 22:13:20 GMT'))
        return self.reply(req, 200, extra=extra, style=style)


# ---------------------------------------------------------------- the capture

class Capture:
    """Frames in time order plus the bookkeeping that counts SIP messages.
    t arguments are seconds after `start` (float); fmt 'pcap' or 'pcapng'."""

    def __init__(self, linktype=LINKTYPE_ETHERNET, fmt='pcap', nano=False, big_endian=False,
                 snaplen=262144, start=DEFAULT_START, tsresol=6, link_kw=None):
        self.linktype, self.fmt, self.nano, self.big_endian = linktype, fmt, nano, big_endian
        self.snaplen, self.start_ns, self.tsresol = snaplen, int(start) * 10 ** 9, tsresol
        self.link_kw = dict(link_kw or {})
        self.frames = []          # [ts_ns, data]
        self.frame_sip = []       # SIP messages carried whole by each frame
        self.direct = 0
        self.groups = []
        self.counters = []        # objects with sip_count() (TcpFlow)
        self.truncate_after = None

    def add(self, t, pkt, link=True, ns=0, **link_kw):
        """Append one packet at time t (+ns nanoseconds).  pkt is an IP packet
        (wrapped for the link type) unless link=False."""
        kw = dict(self.link_kw)
        kw.update(link_kw)
        frame = link_frame(self.linktype, pkt, **kw) if link else pkt
        self.frames.append((self.start_ns + int(round(t * 1e9)) + ns, bytes(frame)))
        self.direct += getattr(pkt, 'sip', 0)
        self.frame_sip.append(getattr(pkt, 'sip', 0))
        for g, off, ln, mf in getattr(pkt, 'frags', ()):
            if g not in self.groups:
                self.groups.append(g)
            g.cover(off, ln, mf)
        return frame

    @property
    def sip_count(self):
        if self.truncate_after is not None:
            # only whole frames before the cut are readable
            return sum(self.frame_sip[:self.truncate_after])
        return self.direct + sum(g.sip for g in self.groups if g.complete()) + \
            sum(c.sip_count() for c in self.counters)

    def to_bytes(self):
        if self.truncate_after is not None:
            return pcap_truncated_bytes(self.frames, self.linktype, self.truncate_after,
                                        nano=self.nano, big_endian=self.big_endian,
                                        snaplen=self.snaplen)
        if self.fmt == 'pcapng':
            return pcapng_bytes(self.frames, self.linktype, self.tsresol, self.snaplen,
                                big_endian=self.big_endian)
        return pcap_bytes(self.frames, self.linktype, self.nano, self.big_endian, self.snaplen)

    def write(self, path):
        data = self.to_bytes()
        if path == '-':
            sys.stdout.buffer.write(data)
        else:
            with open(path, 'wb') as f:
                f.write(data)
        return len(data)


class Endpoints:
    """Client/server addresses and a UDP send helper for scenarios."""

    def __init__(self, cli, srv, cport=5060, sport=5060):
        self.cli, self.srv, self.cport, self.sport = cli, srv, cport, sport

    def udp(self, from_client, payload, **ipkw):
        a, ap, b, bp = (self.cli, self.cport, self.srv, self.sport) if from_client else \
            (self.srv, self.sport, self.cli, self.cport)
        return udp_ip(a, b, ap, bp, payload, **ipkw)


# ---------------------------------------------------------------- scenarios

class Options:
    """Scenario parameters; None means "the scenario's own default"."""

    DEFAULTS = dict(user='alice', domain='example.com', password='secret',
                    wrong_password='wrong-secret', client_ip='192.0.2.10',
                    server_ip='198.51.100.5', client_ip6='2001:db8::10',
                    server_ip6='2001:db8::5', start=DEFAULT_START, expires=None,
                    interval=None, span=None, lapse_at=None, lapse=0.0, algorithm='MD5',
                    qop='auth', rtt=0.02, users=30, min_expires=120, cycles=3)

    def __init__(self, **kw):
        for k, v in self.DEFAULTS.items():
            setattr(self, k, kw.pop(k, v))
        if kw:
            raise TypeError('unknown options: %s' % ', '.join(sorted(kw)))
        if self.qop in ('none', ''):
            self.qop = None

    def get(self, name, default):
        v = getattr(self, name)
        return default if v is None else v


SCENARIOS = {}


class Scenario:
    def __init__(self, name, expect, desc, fn):
        self.name, self.expect, self.desc, self.fn = name, expect, desc, fn

    def expected(self, o):
        """The count the description states (hand-worked, independent of counting)."""
        return self.expect(o) if callable(self.expect) else self.expect


def scenario(name, expect, desc):
    """Register fn(o) -> Capture under name; expect = stated SIP message count
    (int or fn(o)), desc says the same number in words."""
    def deco(fn):
        SCENARIOS[name] = Scenario(name, expect, desc, fn)
        return fn
    return deco


def generate(name, o=None):
    """Build a scenario's Capture (not yet written)."""
    o = o or Options()
    return SCENARIOS[name].fn(o)


def _ua(o, ip=None, transport='UDP', style=PLAIN, port=5060, **kw):
    return SipUA(o.user, o.domain, ip or o.client_ip, port, transport, o.password,
                 style=style, **kw)


def _registrar(o, style=PLAIN):
    return Registrar(o.domain, algorithm=o.algorithm, qop=o.qop, style=style)


def reg_flow(o, t0=0.0, style=PLAIN, ua=None, rg=None, transport='UDP', ip=None,
             expires=None):
    """REGISTER -> 401 -> REGISTER(auth) -> 200: [(t, from_client, msg)]."""
    ua = ua or _ua(o, ip=ip, transport=transport, style=style)
    rg = rg or _registrar(o, style)
    exp = o.get('expires', 3600) if expires is None else expires
    r1 = ua.register(exp)
    c, ch = rg.challenge(r1)
    r2 = ua.register(exp, ch)
    ok = rg.ok(r2)
    rtt = o.rtt
    return [(t0, True, r1), (t0 + rtt, False, c), (t0 + 2.5 * rtt, True, r2),
            (t0 + 3.5 * rtt, False, ok)]


def options_flow(o, t0, ip, rg=None, transport='UDP'):
    """OPTIONS -> 200."""
    ua = _ua(o, ip=ip, transport=transport)
    req = ua.options()
    return [(t0, True, req), (t0 + o.rtt, False, (rg or _registrar(o)).reply(req, 200))]


def emit_udp(cap, ep, flow, **kw):
    for t, fc, m in flow:
        cap.add(t, ep.udp(fc, m), **kw)
    return cap


def _ep4(o):
    return Endpoints(o.client_ip, o.server_ip)


def _ep6(o):
    return Endpoints(o.client_ip6, o.server_ip6)


def _simple(linktype, v6=False, **capkw):
    def fn(o):
        cap = Capture(linktype, start=o.start, **capkw)
        ep = _ep6(o) if v6 else _ep4(o)
        return emit_udp(cap, ep, reg_flow(o, ip=ep.cli))
    return fn


FLOW4 = 'REGISTER -> 401 -> REGISTER(auth) -> 200 over UDP'

# -- link layers and file formats
scenario('sll2', 4, FLOW4 + ', Linux SLL2 (276); 4 SIP messages')(_simple(LINKTYPE_LINUX_SLL2))
scenario('sll', 4, FLOW4 + ', Linux SLL (113); 4 SIP messages')(_simple(LINKTYPE_LINUX_SLL))
scenario('vlan', 4, FLOW4 + ', Ethernet + one 802.1Q tag (vid 100); 4 SIP messages')(
    _simple(LINKTYPE_ETHERNET, link_kw={'vlans': [(ETH_P_8021Q, 100)]}))
scenario('qinq', 4, FLOW4 + ', Ethernet QinQ 0x88a8 vid 100 + 0x8100 vid 200; 4 SIP messages')(
    _simple(LINKTYPE_ETHERNET, link_kw={'vlans': [(ETH_P_8021AD, 100), (ETH_P_8021Q, 200)]}))
scenario('pcap-be', 4, FLOW4 + ', big-endian pcap (magic a1b2c3d4 written BE); 4 SIP messages')(
    _simple(LINKTYPE_ETHERNET, big_endian=True))
scenario('raw-ipv4', 4, FLOW4 + ', LINKTYPE_RAW (101) IPv4; 4 SIP messages')(
    _simple(LINKTYPE_RAW))
scenario('raw-ipv6', 4, FLOW4 + ', LINKTYPE_RAW (101) IPv6; 4 SIP messages')(
    _simple(LINKTYPE_RAW, v6=True))
scenario('linktype-ipv4', 4, FLOW4 + ', LINKTYPE_IPV4 (228); 4 SIP messages')(
    _simple(LINKTYPE_IPV4))
scenario('linktype-ipv6', 4, FLOW4 + ', LINKTYPE_IPV6 (229); 4 SIP messages')(
    _simple(LINKTYPE_IPV6, v6=True))
scenario('loop', 4, FLOW4 + ', LINKTYPE_LOOP (108, AF in network order); 4 SIP messages')(
    _simple(LINKTYPE_LOOP))
scenario('eth-ipv6', 4, FLOW4 + ', Ethernet IPv6; 4 SIP messages')(
    _simple(LINKTYPE_ETHERNET, v6=True))


@scenario('pcap-ns', 4, FLOW4 + ', nanosecond pcap (a1b23c4d), odd ns timestamps; 4 SIP messages')
def _pcap_ns(o):
    cap = Capture(LINKTYPE_ETHERNET, nano=True, start=o.start)
    ep = _ep4(o)
    for i, (t, fc, m) in enumerate(reg_flow(o)):
        cap.add(t, ep.udp(fc, m), ns=123 + 111 * i)
    return cap


@scenario('pcapng', 4, FLOW4 + ', pcapng SHB/IDB(if_tsresol=9)/EPB; 4 SIP messages')
def _pcapng(o):
    cap = Capture(LINKTYPE_ETHERNET, fmt='pcapng', tsresol=9, start=o.start)
    return emit_udp(cap, _ep4(o), reg_flow(o))


@scenario('null-loop', 6, FLOW4 + ' (IPv4) + OPTIONS -> 200 (IPv6, AF 24), LINKTYPE_NULL '
          'with the AF value alternately little- and big-endian; 6 SIP messages')
def _null_loop(o):
    cap = Capture(LINKTYPE_NULL, start=o.start)
    flow = reg_flow(o)
    for i, (t, fc, m) in enumerate(flow):
        cap.add(t, _ep4(o).udp(fc, m), big_endian=bool(i % 2))
    for i, (t, fc, m) in enumerate(options_flow(o, 1.0, o.client_ip6)):
        cap.add(t, _ep6(o).udp(fc, m), big_endian=bool(i % 2))
    return cap


@scenario('ipv6-ext', 4, FLOW4 + ' over IPv6 with hop-by-hop + destination options before '
          'UDP (the auth REGISTER also has a routing header, segments left 0); 4 SIP messages')
def _ipv6_ext(o):
    cap = Capture(LINKTYPE_ETHERNET, start=o.start)
    ep = _ep6(o)
    ra = bytes([5, 2, 0, 0])            # router alert option (MLD value 0)
    for i, (t, fc, m) in enumerate(reg_flow(o, ip=ep.cli)):
        exts = [v6_hop_by_hop(ra)]
        if i == 2:
            exts.append(v6_routing())
        exts.append(v6_dest_opts())
        cap.add(t, ep.udp(fc, m, exts=exts))
    return cap


# -- TCP framing

def _tcp(o, cap=None):
    cap = cap or Capture(LINKTYPE_ETHERNET, start=o.start)
    return cap, TcpFlow(cap, (o.client_ip, 50000), (o.server_ip, 5060))


@scenario('tcp-multi', 6, 'TCP: OPTIONS+REGISTER in one segment (REGISTER second), '
          '200+401 in one segment, REGISTER(auth), 200; 6 SIP messages')
def _tcp_multi(o):
    cap, fl = _tcp(o)
    ua, rg = _ua(o, transport='TCP'), _registrar(o)
    t = fl.handshake(0.0)
    opt = ua.options()
    r1 = ua.register(o.get('expires', 3600))
    fl.send(t + 0.01, True, [opt, r1])
    c, ch = rg.challenge(r1)
    fl.send(t + 0.03, False, [rg.reply(opt, 200), c])
    r2 = ua.register(o.get('expires', 3600), ch)
    fl.send(t + 0.05, True, r2)
    fl.send(t + 0.07, False, rg.ok(r2))
    return cap


@scenario('tcp-split', 4, 'TCP: REGISTER split over 3 segments, 401, REGISTER(auth), 200; '
          '4 SIP messages')
def _tcp_split(o):
    cap, fl = _tcp(o)
    flow = reg_flow(o, transport='TCP')
    t = fl.handshake(0.0)
    r1 = flow[0][2]
    fl.send(t + 0.01, True, r1, mss=-(-len(r1) // 3), gap=0.001)
    for tt, fc, m in flow[1:]:
        fl.send(t + tt, fc, m)
    return cap


@scenario('tcp-ooo', 4, 'TCP: REGISTER in 3 segments sent 1,3,2 then 2 retransmitted; 401; '
          'REGISTER(auth) in 2 segments overlapping by 100 bytes; 200; 4 SIP messages '
          '(tshark needs tcp.reassemble_out_of_order)')
def _tcp_ooo(o):
    cap, fl = _tcp(o)
    flow = reg_flow(o, transport='TCP')
    t = fl.handshake(0.0)
    r1 = flow[0][2]
    off = fl.write(True, r1)
    plan = fragment_plan(len(r1), 3)
    for k, i in enumerate([0, 2, 1, 1]):
        fl.seg(t + 0.01 + 0.001 * k, True, off + plan[i][0], plan[i][1])
    fl.send(t + flow[1][0] + 0.01, False, flow[1][2])
    r2 = flow[2][2]
    off = fl.write(True, r2)
    half = len(r2) // 2
    fl.seg(t + flow[2][0] + 0.01, True, off, half + 50)
    fl.seg(t + flow[2][0] + 0.011, True, off + half - 50, len(r2) - half + 50)
    fl.send(t + flow[3][0] + 0.01, False, flow[3][2])
    return cap


@scenario('tcp-keepalive', 4, 'TCP: REGISTER, CRLFCRLF ping, CRLF pong, 401, CRLFCRLF ping, '
          'REGISTER(auth), 200 (keepalives in their own segments); 4 SIP messages')
def _tcp_keepalive(o):
    cap, fl = _tcp(o)
    flow = reg_flow(o, transport='TCP')
    t = fl.handshake(0.0)
    fl.send(t + 0.01, True, flow[0][2])
    fl.send(t + 0.015, True, b'\r\n\r\n')
    fl.send(t + 0.016, False, b'\r\n')
    fl.send(t + 0.03, False, flow[1][2])
    fl.send(t + 0.04, True, b'\r\n\r\n')
    fl.send(t + 0.05, True, flow[2][2])
    fl.send(t + 0.07, False, flow[3][2])
    return cap


@scenario('tcp-crlf-prefix', 4, 'TCP: REGISTER, 401, then CRLFCRLF and REGISTER(auth) in the '
          'same segment (RFC 3261 7.5: ignore CRLF before the start line), 200; 4 SIP messages '
          '(tshark 4.0 misses the prefixed one)')
def _tcp_crlf_prefix(o):
    cap, fl = _tcp(o)
    flow = reg_flow(o, transport='TCP')
    t = fl.handshake(0.0)
    fl.send(t + 0.01, True, flow[0][2])
    fl.send(t + 0.03, False, flow[1][2])
    fl.send(t + 0.05, True, [b'\r\n\r\n', flow[2][2]])
    fl.send(t + 0.07, False, flow[3][2])
    return cap


@scenario('tcp-truncated', 2, 'TCP: REGISTER, 401, then REGISTER(auth) of which only the '
          'first half is captured (stream ends mid-message); 2 SIP messages')
def _tcp_truncated(o):
    cap, fl = _tcp(o)
    flow = reg_flow(o, transport='TCP')
    t = fl.handshake(0.0)
    fl.send(t + 0.01, True, flow[0][2])
    fl.send(t + 0.03, False, flow[1][2])
    r2 = flow[2][2]
    off = fl.write(True, r2)
    fl.seg(t + 0.05, True, off, len(r2) // 2)
    return cap


@scenario('big-header', 4, 'TCP: REGISTER with a 65536-byte X-Big header line (48 segments), '
          '401, REGISTER(auth), 200; 4 SIP messages')
def _big_header(o):
    cap, fl = _tcp(o)
    ua, rg = _ua(o, transport='TCP'), _registrar(o)
    t = fl.handshake(0.0)
    r1 = ua.register(3600, extra=[('X-Big', 'a' * 65536)])
    t = fl.send(t + 0.01, True, r1)
    c, ch = rg.challenge(r1)
    fl.send(t + 0.02, False, c)
    r2 = ua.register(3600, ch)
    fl.send(t + 0.04, True, r2)
    fl.send(t + 0.06, False, rg.ok(r2))
    return cap


# -- SIP syntax variants (UDP)

def _styled(style, req_only=False):
    def fn(o):
        cap = Capture(LINKTYPE_ETHERNET, start=o.start)
        ua = _ua(o, style=style)
        rg = _registrar(o, PLAIN if req_only else style)
        return emit_udp(cap, _ep4(o), reg_flow(o, ua=ua, rg=rg))
    return fn


scenario('lf-only', 4, FLOW4 + ', every line ends in LF only; 4 SIP messages')(
    _styled(SipStyle(eol='\n')))
scenario('compact', 4, FLOW4 + ', compact header names (v f t i m l); 4 SIP messages')(
    _styled(SipStyle(compact=True)))
scenario('folded', 4, FLOW4 + ', Via/From/To/Contact/Authorization... folded onto '
         'continuation lines; 4 SIP messages')(_styled(SipStyle(fold=True)))
scenario('junk-before', 4, FLOW4 + ', both REGISTERs preceded by CRLF CRLF before the start '
         'line (tolerated as on streams, RFC 3261 7.5; tshark 4.0 misses them); 4 SIP messages')(_styled(SipStyle(junk=b'\r\n\r\n'), req_only=True))


@scenario('cl-mismatch', 4, 'UDP: REGISTER whose Content-Length (50) is larger than its 5-byte '
          'body, 401, REGISTER(auth) whose Content-Length (5) is smaller than its 20-byte body, '
          '200; 4 SIP messages')
def _cl_mismatch(o):
    cap = Capture(LINKTYPE_ETHERNET, start=o.start)
    ua, rg = _ua(o), _registrar(o)
    ct = [('Content-Type', 'text/plain')]
    r1 = ua.register(3600, extra=ct, style=SipStyle(content_length=50))
    r1 = sip_build(r1.start, r1.headers, b'hello', SipStyle(content_length=50))
    r1.method = 'REGISTER'
    c, ch = rg.challenge(r1)
    r2 = ua.register(3600, ch, extra=ct)
    r2 = sip_build(r2.start, r2.headers, b'0123456789abcdefghij', SipStyle(content_length=5))
    r2.method = 'REGISTER'
    flow = [(0.0, True, r1), (0.02, False, c), (0.05, True, r2), (0.07, False, rg.ok(r2))]
    return emit_udp(cap, _ep4(o), flow)


@scenario('hello-keepalive', 1, 'UDP to port 5060: three 5-byte non-SIP payloads '
          '("hello", 5 NULs, "ping\\n") around one REGISTER; 1 SIP message')
def _hello(o):
    cap = Capture(LINKTYPE_ETHERNET, start=o.start)
    ep = _ep4(o)
    cap.add(0.0, ep.udp(True, b'hello'))
    cap.add(0.5, ep.udp(True, b'\0\0\0\0\0'))
    cap.add(1.0, ep.udp(True, _ua(o).register(3600)))
    cap.add(1.5, ep.udp(True, b'ping\n'))
    return cap


# -- IP fragments

def _big_register(o, ua, size=3000):
    r = ua.register(3600, extra=[('X-Pad', 'p' * 10)])
    pad = max(10, size - len(r) + 10)
    return ua.register(3600, extra=[('X-Pad', 'p' * pad)])


@scenario('ipv4-frag', 4, FLOW4 + '; the first REGISTER (~3000 bytes) in 3 IPv4 fragments '
          'sent in reverse order; 4 SIP messages')
def _ipv4_frag(o):
    cap = Capture(LINKTYPE_ETHERNET, start=o.start)
    ep, ua, rg = _ep4(o), _ua(o), _registrar(o)
    r1 = _big_register(o, ua)
    for i, f in enumerate(ipv4_fragments(ep.cli, ep.srv, IPPROTO_UDP,
                                         udp(ep.cli, ep.srv, 5060, 5060, r1), 3,
                                         ident=0x4242, order=[2, 1, 0])):
        cap.add(0.001 * i, f)
    c, ch = rg.challenge(r1)
    r2 = ua.register(3600, ch)
    return emit_udp(cap, ep, [(0.02, False, c), (0.05, True, r2), (0.07, False, rg.ok(r2))])


@scenario('ipv6-frag', 4, FLOW4 + ' (IPv6); the first REGISTER (~3000 bytes) in 3 IPv6 '
          'fragments sent 3,1,2 with fragment 1 duplicated; 4 SIP messages')
def _ipv6_frag(o):
    cap = Capture(LINKTYPE_ETHERNET, start=o.start)
    ep = _ep6(o)
    ua, rg = _ua(o, ip=ep.cli), _registrar(o)
    r1 = _big_register(o, ua)
    for i, f in enumerate(ipv6_fragments(ep.cli, ep.srv, IPPROTO_UDP,
                                         udp(ep.cli, ep.srv, 5060, 5060, r1), 3,
                                         ident=0x42424242, order=[2, 0, 1, 0])):
        cap.add(0.001 * i, f)
    c, ch = rg.challenge(r1)
    r2 = ua.register(3600, ch)
    return emit_udp(cap, ep, [(0.02, False, c), (0.05, True, r2), (0.07, False, rg.ok(r2))])


@scenario('frag-overlap', 4, FLOW4 + '; the first REGISTER in 3 IPv4 fragments plus one extra '
          'fragment overlapping fragments 1 and 2 with the same bytes; 4 SIP messages')
def _frag_overlap(o):
    cap = Capture(LINKTYPE_ETHERNET, start=o.start)
    ep, ua, rg = _ep4(o), _ua(o), _registrar(o)
    r1 = _big_register(o, ua)
    d = udp(ep.cli, ep.srv, 5060, 5060, r1)
    plan = fragment_plan(len(d), 3)
    extra = [(plan[1][0] - 96, 200)]
    for i, f in enumerate(ipv4_fragments(ep.cli, ep.srv, IPPROTO_UDP, d, 3, ident=0x4343,
                                         order=[0, 3, 1, 2], extra=extra)):
        cap.add(0.001 * i, f)
    c, ch = rg.challenge(r1)
    r2 = ua.register(3600, ch)
    return emit_udp(cap, ep, [(0.02, False, c), (0.05, True, r2), (0.07, False, rg.ok(r2))])


@scenario('frag-incomplete', 4, 'UDP: a ~3000-byte REGISTER of which only IPv4 fragments 1 and 3 '
          'of 3 arrive (never reassembled), then ' + FLOW4 + '; 4 SIP messages')
def _frag_incomplete(o):
    cap = Capture(LINKTYPE_ETHERNET, start=o.start)
    ep, ua = _ep4(o), _ua(o)
    r0 = _big_register(o, ua)
    for i, f in enumerate(ipv4_fragments(ep.cli, ep.srv, IPPROTO_UDP,
                                         udp(ep.cli, ep.srv, 5060, 5060, r0), 3,
                                         ident=0x4444, order=[0, 2])):
        cap.add(0.001 * i, f)
    return emit_udp(cap, ep, reg_flow(o, t0=1.0, ua=ua))


# -- tunnels, encapsulations

OUTER_A, OUTER_B = '203.0.113.1', '203.0.113.2'


@scenario('ipip', 6, FLOW4 + ' inside IPv4-in-IPv4 (proto 4), then OPTIONS -> 200 over IPv6 '
          'inside IPv4 (proto 41); 6 SIP messages')
def _ipip(o):
    cap = Capture(LINKTYPE_ETHERNET, start=o.start)
    for t, fc, m in reg_flow(o):
        a, b = (OUTER_A, OUTER_B) if fc else (OUTER_B, OUTER_A)
        cap.add(t, ipip(a, b, _ep4(o).udp(fc, m)))
    for t, fc, m in options_flow(o, 1.0, o.client_ip6):
        a, b = (OUTER_A, OUTER_B) if fc else (OUTER_B, OUTER_A)
        cap.add(t, ipip(a, b, _ep6(o).udp(fc, m)))
    return cap


@scenario('gre-eth', 6, FLOW4 + ' inside GRE 0x6558 (Ethernet frames), then OPTIONS -> 200 '
          'inside GRE 0x0800; 6 SIP messages')
def _gre_eth(o):
    cap = Capture(LINKTYPE_ETHERNET, start=o.start)
    for t, fc, m in reg_flow(o):
        a, b = (OUTER_A, OUTER_B) if fc else (OUTER_B, OUTER_A)
        inner = eth(_ep4(o).udp(fc, m), src=MAC_CLIENT if fc else MAC_SERVER,
                    dst=MAC_SERVER if fc else MAC_CLIENT)
        cap.add(t, gre_ip(a, b, inner, ETH_P_TEB))
    for t, fc, m in options_flow(o, 1.0, o.client_ip):
        a, b = (OUTER_A, OUTER_B) if fc else (OUTER_B, OUTER_A)
        cap.add(t, gre_ip(a, b, _ep4(o).udp(fc, m), ETH_P_IP, key=7))
    return cap


@scenario('gtpu', 4, FLOW4 + ' inside GTP-U G-PDUs (UDP 2152, TEIDs 0x1001/0x2002); '
          '4 SIP messages')
def _gtpu(o):
    cap = Capture(LINKTYPE_ETHERNET, start=o.start)
    for t, fc, m in reg_flow(o):
        a, b = (OUTER_A, OUTER_B) if fc else (OUTER_B, OUTER_A)
        cap.add(t, gtpu_ip(a, b, 0x1001 if fc else 0x2002, _ep4(o).udp(fc, m)))
    return cap


HEP_AGENT, HEP_COLLECTOR = '203.0.113.50', '203.0.113.60'


def _hep(o, compress):
    cap = Capture(LINKTYPE_ETHERNET, start=o.start)
    hep = Endpoints(HEP_AGENT, HEP_COLLECTOR, 40000, HEP_PORT)
    flows = [(reg_flow(o), o.client_ip, o.server_ip)]
    if not compress:
        flows.append((options_flow(o, 1.0, o.client_ip6), o.client_ip6, o.server_ip6))
    for flow, c, s in flows:
        for t, fc, m in flow:
            a, b = (c, s) if fc else (s, c)
            h = hep3(m, a, b, 5060, 5060, o.start + t, compress=compress)
            cap.add(t + 0.0001, hep.udp(True, h))
    return cap


scenario('hep3', 6, 'HEPv3 over UDP 9060: ' + FLOW4 + ' (IPv4 chunks) + OPTIONS -> 200 '
         '(IPv6 chunks); 6 SIP messages')(lambda o: _hep(o, False))
scenario('hep3-zlib', 4, 'HEPv3 over UDP 9060 with zlib-compressed payload chunks (0x10): '
         + FLOW4 + '; 4 SIP messages')(lambda o: _hep(o, True))


@scenario('ws', 4, 'SIP over WebSocket (TCP 8080, HTTP Upgrade + 101): REGISTER in masked '
          '100-byte fragments (7-bit lengths) with a ping/pong after the first, 401 unmasked 16-bit length, '
          'REGISTER(auth) masked 16-bit, 200 unmasked; 4 SIP messages')
def _ws(o):
    cap = Capture(LINKTYPE_ETHERNET, start=o.start)
    fl = TcpFlow(cap, (o.client_ip, 50001), (o.server_ip, 8080))
    flow = reg_flow(o, transport='WS')
    t = fl.handshake(0.0)
    key = base64.b64encode(hashlib.md5(b'pcapgen-ws').digest()).decode()
    fl.send(t + 0.001, True, ws_upgrade_request(o.server_ip + ':8080', key))
    fl.send(t + 0.002, False, ws_upgrade_response(key))
    mask = b'\x11\x22\x33\x44'
    frags = ws_fragments(flow[0][2], 100, mask=mask)
    for i, f in enumerate(frags):
        fl.send(t + 0.01 + 0.001 * i, True, f)
        if i == 0:
            fl.send(t + 0.0105, True, ws_frame(b'ka', opcode=9, mask=mask))
            fl.send(t + 0.0107, False, ws_frame(b'ka', opcode=10))
    fl.send(t + 0.03, False, ws_frame(flow[1][2]))
    fl.send(t + 0.05, True, ws_frame(flow[2][2], mask=b'\xa5\x5a\x0f\xf0'))
    fl.send(t + 0.07, False, ws_frame(flow[3][2]))
    return cap


@scenario('icmp-unreach', 1, 'UDP REGISTER, then ICMP port unreachable from the server '
          'quoting it (IP+UDP+64 bytes of SIP); 1 SIP message (the quote is not one)')
def _icmp(o):
    cap = Capture(LINKTYPE_ETHERNET, start=o.start)
    ep = _ep4(o)
    p = ep.udp(True, _ua(o).register(3600))
    cap.add(0.0, p)
    cap.add(0.0005, icmp_unreach(ep.srv, p))
    return cap


@scenario('icmp6-unreach', 1, 'IPv6 UDP REGISTER, then ICMPv6 port unreachable quoting it; '
          '1 SIP message (the quote is not one)')
def _icmp6(o):
    cap = Capture(LINKTYPE_ETHERNET, start=o.start)
    ep = _ep6(o)
    p = ep.udp(True, _ua(o, ip=ep.cli).register(3600))
    cap.add(0.0, p)
    cap.add(0.0005, icmp6_unreach(ep.srv, p))
    return cap


@scenario('sctp', 4, FLOW4.replace('UDP', 'SCTP') + ' DATA chunks (port 5060, PPID 39); '
          '4 SIP messages')
def _sctp(o):
    cap = Capture(LINKTYPE_ETHERNET, start=o.start)
    for i, (t, fc, m) in enumerate(reg_flow(o, transport='SCTP')):
        a, b = (o.client_ip, o.server_ip) if fc else (o.server_ip, o.client_ip)
        vtag = 0x11111111 if fc else 0x22222222
        ch = sctp_data_chunk(100 + i // 2, m, ssn=i // 2)
        cap.add(t, ip(a, b, IPPROTO_SCTP, sctp(5060, 5060, vtag, [ch])))
    return cap


@scenario('truncated', 3, 'a valid pcap of ' + FLOW4 + ' cut in the middle of the 4th record; '
          '3 SIP messages readable')
def _truncated(o):
    cap = emit_udp(Capture(LINKTYPE_ETHERNET, start=o.start), _ep4(o), reg_flow(o))
    cap.truncate_after = 3
    return cap


# -- registration stories (timings for the registration / diagnosis tests)

def _reg_cap(o):
    return Capture(LINKTYPE_ETHERNET, start=o.start), _ep4(o)


@scenario('reg-ok', 4, FLOW4 + ' (Contact;expires=--expires, default 3600); 4 SIP messages')
def _reg_ok(o):
    cap, ep = _reg_cap(o)
    return emit_udp(cap, ep, reg_flow(o))


@scenario('reg-badpw-loop', 8, 'REGISTER -> 401, then 3 x REGISTER(auth with --wrong-password, '
          'each on the newest nonce) answered 401, 401, 403; 8 SIP messages')
def _reg_badpw(o):
    cap, ep = _reg_cap(o)
    ua, rg = _ua(o), _registrar(o)
    exp = o.get('expires', 3600)
    r = ua.register(exp)
    t = 0.0
    c, ch = rg.challenge(r)
    msgs = [(t, True, r), (t + o.rtt, False, c)]
    for k in range(3):
        t += 1.0
        r = ua.register(exp, ch, password=o.wrong_password)
        if k < 2:
            c, ch = rg.challenge(r)
        else:
            c = rg.reply(r, 403)
        msgs += [(t, True, r), (t + o.rtt, False, c)]
    return emit_udp(cap, ep, msgs)


REG_TIMEOUT_TIMES = [0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5]


@scenario('reg-timeout', 11, 'one REGISTER retransmitted over UDP at 0, .5, 1.5, 3.5, 7.5, '
          '11.5 ... 31.5 s (Timer E/F), never answered; 11 SIP messages')
def _reg_timeout(o):
    cap, ep = _reg_cap(o)
    r = _ua(o).register(o.get('expires', 3600))
    for t in REG_TIMEOUT_TIMES:
        cap.add(t, ep.udp(True, r))
    return cap


def _min_exp(rg, r, o):
    return rg.reply(r, 423, extra=[('Min-Expires', str(o.min_expires))])


@scenario('reg-423', 6, 'REGISTER Expires 60 -> 423 Min-Expires 120 -> REGISTER Expires 120 '
          '-> 401 -> REGISTER(auth) -> 200; 6 SIP messages')
def _reg_423(o):
    cap, ep = _reg_cap(o)
    ua, rg = _ua(o), _registrar(o)
    r = ua.register(o.get('expires', 60))
    msgs = [(0.0, True, r), (o.rtt, False, _min_exp(rg, r, o))]
    msgs += reg_flow(o, t0=0.1, ua=ua, rg=rg, expires=o.min_expires)
    return emit_udp(cap, ep, msgs)


@scenario('reg-423-loop', 6, 'REGISTER Expires 60 -> 423 Min-Expires 120, three times '
          '(the UA never raises its expiry); 6 SIP messages')
def _reg_423_loop(o):
    cap, ep = _reg_cap(o)
    ua, rg = _ua(o), _registrar(o)
    msgs = []
    for k in range(3):
        r = ua.register(o.get('expires', 60))
        msgs += [(k * 2.0, True, r), (k * 2.0 + o.rtt, False, _min_exp(rg, r, o))]
    return emit_udp(cap, ep, msgs)


@scenario('reg-407', 4, 'REGISTER -> 407 Proxy-Authenticate -> REGISTER(Proxy-Authorization) '
          '-> 200; 4 SIP messages')
def _reg_407(o):
    cap, ep = _reg_cap(o)
    ua, rg = _ua(o), _registrar(o)
    exp = o.get('expires', 3600)
    r1 = ua.register(exp)
    c, ch = rg.challenge(r1, proxy=True)
    r2 = ua.register(exp, ch)
    return emit_udp(cap, ep, [(0.0, True, r1), (o.rtt, False, c), (2.5 * o.rtt, True, r2),
                              (3.5 * o.rtt, False, rg.ok(r2))])


@scenario('reg-dereg', 6, FLOW4 + ', then at +30 s REGISTER Expires: 0 (auth, nc=2) -> 200 '
          'without Contact; 6 SIP messages')
def _reg_dereg(o):
    cap, ep = _reg_cap(o)
    ua, rg = _ua(o), _registrar(o)
    exp = o.get('expires', 3600)
    r1 = ua.register(exp)
    c, ch = rg.challenge(r1)
    r2 = ua.register(exp, ch)
    r3 = ua.register(0, ch)
    return emit_udp(cap, ep, [(0.0, True, r1), (o.rtt, False, c), (2.5 * o.rtt, True, r2),
                              (3.5 * o.rtt, False, rg.ok(r2)), (30.0, True, r3),
                              (30.0 + o.rtt, False, rg.ok(r3))])


def refresh_times(o):
    """Refresh instants of reg-refresh: every --interval (60) s up to --span
    (600) s, skipping those inside [--lapse-at, --lapse-at + --lapse)."""
    iv, span = o.get('interval', 60), o.get('span', 600)
    out, k = [], 1
    while k * iv <= span:
        t = k * iv
        if not (o.lapse_at is not None and o.lapse_at <= t < o.lapse_at + o.lapse):
            out.append(t)
        k += 1
    return out


@scenario('reg-refresh', lambda o: 4 + 2 * len(refresh_times(o)),
          FLOW4 + ' (Expires --expires=120), then REGISTER(auth, same Call-ID, nc+1) -> 200 every '
          '--interval=60 s up to --span=600 s, none inside [--lapse-at, +--lapse); '
          '4 + 2 per refresh SIP messages (24 by default)')
def _reg_refresh(o):
    cap, ep = _reg_cap(o)
    ua, rg = _ua(o), _registrar(o)
    exp = o.get('expires', 120)
    r1 = ua.register(exp)
    c, ch = rg.challenge(r1)
    r2 = ua.register(exp, ch)
    msgs = [(0.0, True, r1), (o.rtt, False, c), (2.5 * o.rtt, True, r2),
            (3.5 * o.rtt, False, rg.ok(r2))]
    for t in refresh_times(o):
        r = ua.register(exp, ch)
        msgs += [(t, True, r), (t + o.rtt, False, rg.ok(r))]
    return emit_udp(cap, ep, msgs)


@scenario('reg-callid-change', lambda o: 4 * o.cycles,
          '--cycles=3 registrations --interval=60 s apart, each with a new Call-ID and its own '
          'REGISTER -> 401 -> REGISTER(auth) -> 200; 4 per cycle SIP messages (12 by default)')
def _reg_callid(o):
    cap, ep = _reg_cap(o)
    ua, rg = _ua(o), _registrar(o)
    iv = o.get('interval', 60)
    msgs = []
    for k in range(o.cycles):
        if k:
            ua.new_call_id()
        msgs += reg_flow(o, t0=k * iv, ua=ua, rg=rg, expires=o.get('expires', 120))
    return emit_udp(cap, ep, msgs)


@scenario('reg-scanner', lambda o: 2 * o.users,
          'one source (port 5070, User-Agent friendly-scanner) sends REGISTER for --users=30 '
          'different users 0.1 s apart, each answered 401; 2 per user SIP messages (60 by default)')
def _reg_scanner(o):
    cap = Capture(LINKTYPE_ETHERNET, start=o.start)
    ep = Endpoints('203.0.113.99', o.server_ip, 5070, 5060)
    rg = _registrar(o)
    msgs = []
    for i in range(o.users):
        ua = SipUA('%d' % (100 + i), o.domain, ep.cli, 5070, user_agent='friendly-scanner',
                   display='sipvicious')
        r = ua.register(3600)
        msgs += [(0.1 * i, True, r), (0.1 * i + 0.005, False, rg.challenge(r)[0])]
    return emit_udp(cap, ep, msgs)


@scenario('reg-404', 2, 'REGISTER for an unknown user -> 404 Not Found; 2 SIP messages')
def _reg_404(o):
    cap, ep = _reg_cap(o)
    r = _ua(o).register(3600)
    return emit_udp(cap, ep, [(0.0, True, r), (o.rtt, False, _registrar(o).reply(r, 404))])


# Markup in every captured string the HTML report shows (--html tests):
# nothing of it may run or change the page.
INJECT_UA = "<script>document.title='PWNED'</script>\u2028x"
INJECT_CALLID = '<script>alert(1)</script>'
INJECT_REASON = "Forbidden <img src=x onerror=document.title='PWNED'>"
INJECT_SERVER = "</style></svg></template><script>document.title='PWNED'</script>"
INJECT_TO = '"<b onmouseover=alert(1)>Alice</b>" <sip:%s@%s>'


@scenario('html-inject', 4, 'REGISTER -> 401 -> REGISTER(auth) -> 403 with markup in User-Agent, '
          'Call-ID, the 403 reason phrase, Server and the To display name; 4 SIP messages')
def _html_inject(o):
    cap, ep = _reg_cap(o)
    ua = _ua(o, user_agent=INJECT_UA)
    ua.call_id = INJECT_CALLID
    rg = Registrar(o.domain, server=INJECT_SERVER, algorithm=o.algorithm, qop=o.qop)
    to = INJECT_TO % (o.user, o.domain)
    ruri = 'sip:%s' % o.domain
    hdrs = [('Contact', '<%s>' % ua.contact_uri()), ('Expires', '3600')]
    r1 = ua.request('REGISTER', ruri, hdrs, to=to)
    c1, ch = rg.challenge(r1)
    auth = authorization_value(ch, o.user, o.password, 'REGISTER', ruri, 1, '0a4f113b')
    r2 = ua.request('REGISTER', ruri, hdrs + [('Authorization', auth)], to=to)
    return emit_udp(cap, ep, [(0.0, True, r1), (o.rtt, False, c1), (1.0, True, r2),
                              (1.0 + o.rtt, False, rg.reply(r2, 403, INJECT_REASON))])


@scenario('reg-503', 6, 'REGISTER -> 503 Retry-After: 30, then at +30 s ' + FLOW4 +
          '; 6 SIP messages')
def _reg_503(o):
    cap, ep = _reg_cap(o)
    ua, rg = _ua(o), _registrar(o)
    r = ua.register(o.get('expires', 3600))
    msgs = [(0.0, True, r), (o.rtt, False, rg.reply(r, 503, extra=[('Retry-After', '30')]))]
    msgs += reg_flow(o, t0=30.0, ua=ua, rg=rg)
    return emit_udp(cap, ep, msgs)


@scenario('invite-options', 4, 'UDP: OPTIONS -> 200, INVITE with SDP -> 486 Busy Here '
          '(not registrations); 4 SIP messages')
def _invite_options(o):
    cap, ep = _reg_cap(o)
    ua, rg = _ua(o), _registrar(o)
    opt = ua.options()
    inv = ua.invite('bob')
    return emit_udp(cap, ep, [(0.0, True, opt), (o.rtt, False, rg.reply(opt, 200)),
                              (1.0, True, inv), (1.0 + o.rtt, False, rg.reply(inv, 486))])


# ---------------------------------------------------------------- CLI

def _parser():
    ap = argparse.ArgumentParser(description='Write a synthetic capture for regtrace tests.')
    ap.add_argument('scenario', nargs='?', help='scenario name (see --list)')
    ap.add_argument('out', nargs='?', help='output file ("-" for stdout)')
    ap.add_argument('--list', action='store_true',
                    help='list scenarios: name, SIP message count, description')
    ap.add_argument('--count', action='store_true',
                    help='print the scenario\'s SIP message count and exit')
    d = Options.DEFAULTS
    for k in ('user', 'domain', 'password', 'wrong_password', 'client_ip', 'server_ip',
              'client_ip6', 'server_ip6', 'algorithm', 'qop'):
        ap.add_argument('--' + k.replace('_', '-'), default=d[k], help='default %(default)s')
    ap.add_argument('--start', type=int, default=d['start'], help='capture epoch seconds')
    for k in ('expires', 'interval', 'span', 'lapse_at'):
        ap.add_argument('--' + k.replace('_', '-'), type=float, default=None,
                        help='seconds (scenario default)')
    ap.add_argument('--lapse', type=float, default=0.0, help='seconds without refreshes')
    ap.add_argument('--rtt', type=float, default=d['rtt'], help='response delay, s')
    for k in ('users', 'min_expires', 'cycles'):
        ap.add_argument('--' + k.replace('_', '-'), type=int, default=d[k],
                        help='default %(default)s')
    return ap


def options_from_args(a):
    kw = {k: getattr(a, k) for k in Options.DEFAULTS}
    if kw['expires'] is not None:
        kw['expires'] = int(kw['expires'])
    return Options(**kw)


def main(argv=None):
    ap = _parser()
    a = ap.parse_args(argv)
    o = options_from_args(a)
    if a.list:
        for name, sc in SCENARIOS.items():
            print('%-18s %4d  %s' % (name, generate(name, o).sip_count, sc.desc))
        return 0
    if not a.scenario or a.scenario not in SCENARIOS:
        ap.error('unknown or missing scenario (see --list)')
    cap = generate(a.scenario, o)
    if a.count:
        print(cap.sip_count)
        return 0
    if not a.out:
        ap.error('missing output file')
    cap.write(a.out)
    return 0


if __name__ == '__main__':
    sys.exit(main())
