#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test_pcapgen_selfcheck.sh - checks tests/gen/pcapgen.py against published test
# vectors and the file-format specs (TAP).  Expected values come from the
# RFCs (2617, 7616, 6455, 1071 example header, CRC-32C check value), from
# the scenario descriptions (hand-stated counts) and from reading the
# written bytes back with a small reader written here from the pcap/pcapng
# specs - never from pcapgen's own output alone.
here=$(cd "$(dirname "$0")" && pwd)
py=${PYTHON3:-python3}
[ "$py" = no ] && py=python3
if ! command -v "$py" >/dev/null 2>&1; then
	echo "1..0 # SKIP python3 not found"
	exit 0
fi
exec "$py" - "$here" <<'EOF'
import re, struct, subprocess, sys
sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, sys.argv[1])
import pcapgen as g

results = []
def ok(cond, name):
    results.append((bool(cond), name))

# ---- published vectors
ok(g.digest_response('Mufasa', 'testrealm@host.com', 'Circle Of Life', 'GET',
                     '/dir/index.html', 'dcd98b7102dd2f0e8b11d0f600bfb0c093', 'MD5', 'auth',
                     '00000001', '0a4f113b') == '6629fae49393a05397450978507c4ef1',
   'RFC 2617 3.5 MD5 qop=auth digest vector')
n7616 = '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v'
c7616 = 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ'
ok(g.digest_response('Mufasa', 'http-auth@example.org', 'Circle of Life', 'GET',
                     '/dir/index.html', n7616, 'SHA-256', 'auth', '00000001', c7616)
   == '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
   'RFC 7616 3.9.1 SHA-256 digest vector')
ok(g.digest_response('Mufasa', 'http-auth@example.org', 'Circle of Life', 'GET',
                     '/dir/index.html', n7616, 'MD5', 'auth', '00000001', c7616)
   == '8ca523f5e9506fed4657c9700eebdbec', 'RFC 7616 3.9.1 MD5 digest vector')
ok(g.ws_accept('dGhlIHNhbXBsZSBub25jZQ==') == 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=',
   'RFC 6455 1.3 Sec-WebSocket-Accept vector')
hdr = bytes.fromhex('450000730000400040110000c0a80001c0a800c7')
ok(g.inet_checksum(hdr) == 0xb861, 'IPv4 header checksum of the classic example = 0xb861')
ok(g.crc32c(b'123456789') == 0xE3069283, 'CRC-32C check value')

# ---- every scenario: stated count == counted, size, determinism
o = g.Options()
for name, sc in g.SCENARIOS.items():
    cap = g.generate(name, o)
    data = cap.to_bytes()
    stated = sc.expected(o)
    ok(stated == cap.sip_count, '%s: stated count %d == counted %d' % (name, stated, cap.sip_count))
    ok(re.search(r'\b%d SIP message|\(%d by default\)' % (stated, stated), sc.desc),
       '%s: description states %d' % (name, stated))
    ok(0 < len(data) < 100 * 1024, '%s: %d bytes < 100 KB' % (name, len(data)))
    ok(g.generate(name, g.Options()).to_bytes() == data, '%s: deterministic' % name)

# ---- a reader written from the specs
def read_pcap(b):
    m = b[:4]
    e = {b'\xd4\xc3\xb2\xa1': '<', b'\x4d\x3c\xb2\xa1': '<',
         b'\xa1\xb2\xc3\xd4': '>', b'\xa1\xb2\x3c\x4d': '>'}[m]
    magic, vmaj, vmin, _, _, snap, lt = struct.unpack(e + 'IHHiIII', b[:24])
    nano = magic == 0xA1B23C4D
    recs, pos, partial = [], 24, False
    while pos < len(b):
        if pos + 16 > len(b):
            partial = True; break
        s, sub, incl, orig = struct.unpack(e + 'IIII', b[pos:pos + 16])
        if pos + 16 + incl > len(b):
            partial = True; break
        recs.append((s * 10**9 + sub * (1 if nano else 1000), b[pos + 16:pos + 16 + incl], orig))
        pos += 16 + incl
    return dict(endian=e, nano=nano, linktype=lt, version=(vmaj, vmin), recs=recs, partial=partial)

def gen(name, **kw):
    return g.generate(name, g.Options(**kw)).to_bytes()

p = read_pcap(gen('pcap-ns'))
ok(p['nano'] and p['endian'] == '<' and p['version'] == (2, 4), 'pcap-ns: LE nanosecond magic, v2.4')
ok(p['recs'][0][0] % 1000 == 123, 'pcap-ns: first timestamp keeps its 123 ns')
p = read_pcap(gen('pcap-be'))
ok(p['endian'] == '>' and not p['nano'] and len(p['recs']) == 4, 'pcap-be: BE microsecond, 4 records')
for name, lt in (('sll2', 276), ('sll', 113), ('null-loop', 0), ('loop', 108), ('raw-ipv4', 101),
                 ('linktype-ipv4', 228), ('linktype-ipv6', 229)):
    ok(read_pcap(gen(name))['linktype'] == lt, '%s: linktype %d' % (name, lt))

p = read_pcap(gen('null-loop'))
afs = [r[1][:4] for r in p['recs']]
ok(afs[0] == b'\x02\0\0\0' and afs[1] == b'\0\0\0\x02' and afs[5] == b'\0\0\0\x18',
   'null-loop: AF 2 little-endian, then big-endian; AF 24 for IPv6')
p = read_pcap(gen('qinq'))
ok(p['recs'][0][1][12:20] == bytes.fromhex('88a800648100 00c8'.replace(' ', '')),
   'qinq: 0x88a8 vid 100 then 0x8100 vid 200')
p = read_pcap(gen('sll2'))
ok(p['recs'][0][1][:2] == b'\x08\x00' and p['recs'][0][1][20] == 0x45, 'sll2: protocol 0x0800, IPv4 at 20')

p = read_pcap(gen('reg-timeout'))
t0 = p['recs'][0][0]
ok([(r[0] - t0) / 1e9 for r in p['recs']] == g.REG_TIMEOUT_TIMES and
   len({r[1] for r in p['recs']}) == 1, 'reg-timeout: 11 identical copies at the RFC 3261 Timer E times')

b = gen('truncated')
p = read_pcap(b)
ok(len(p['recs']) == 3 and p['partial'], 'truncated: 3 whole records, then a cut one')

# pcapng walk
b = gen('pcapng')
pos, blocks, tsresol = 0, [], None
while pos < len(b):
    bt, ln = struct.unpack('<II', b[pos:pos + 8])
    ok_len = struct.unpack('<I', b[pos + ln - 4:pos + ln])[0] == ln
    blocks.append((bt, ok_len))
    if bt == 1:
        opt = b[pos + 16:pos + ln - 4]
        while len(opt) >= 4:
            code, olen = struct.unpack('<HH', opt[:4])
            if code == 9:
                tsresol = opt[4]
            if code == 0:
                break
            opt = opt[4 + olen + (-olen % 4):]
    pos += ln
ok([bt for bt, _ in blocks] == [0x0A0D0D0A, 1, 6, 6, 6, 6] and all(x for _, x in blocks)
   and tsresol == 9, 'pcapng: SHB, IDB(if_tsresol=9), 4 EPBs, lengths consistent')

# ---- digests inside generated messages
def reqs(name, **kw):
    out = []
    for r in read_pcap(gen(name, **kw))['recs']:
        frame = r[1]
        i = frame.find(b'REGISTER sip:')
        if i >= 0:
            out.append(frame[i:])
    return out

def authed(name, **kw):
    # rebuild Sip objects from the bytes written: re-parse the header lines
    found = []
    for raw in reqs(name, **kw):
        text = raw.decode('latin-1')
        head = text.split('\r\n\r\n')[0].split('\r\n')
        m = g.Sip(raw)
        m.method = 'REGISTER'
        m.headers = [tuple(x.split(': ', 1)) for x in head[1:] if ': ' in x]
        if m.header('Authorization') or m.header('Proxy-Authorization'):
            found.append(m)
    return found

a = authed('reg-ok')
ok(len(a) == 1 and g.verify_authorization(a[0], 'secret') and
   not g.verify_authorization(a[0], 'wrong-secret'), 'reg-ok: digest verifies with the password only')
a = authed('reg-ok', algorithm='SHA-256', password='pw256')
ok(len(a) == 1 and 'algorithm=SHA-256' in a[0].header('Authorization') and
   g.verify_authorization(a[0], 'pw256'), 'reg-ok --algorithm SHA-256: digest verifies')
a = authed('reg-ok', qop='none')
ok(len(a) == 1 and 'qop' not in a[0].header('Authorization') and
   g.verify_authorization(a[0], 'secret'), 'reg-ok --qop none: RFC 2069-style digest verifies')
a = authed('reg-badpw-loop')
ok(len(a) == 3 and all(g.verify_authorization(x, 'wrong-secret') and
                       not g.verify_authorization(x, 'secret') for x in a),
   'reg-badpw-loop: 3 authorized REGISTERs, all with the wrong password')
a = authed('reg-407')
ok(len(a) == 1 and a[0].header('Proxy-Authorization'), 'reg-407: Proxy-Authorization used')
a = authed('reg-refresh')
ncs = [g.parse_auth_params(x.header('Authorization'))['nc'] for x in a]
ok(ncs == ['%08x' % i for i in range(1, 12)], 'reg-refresh: nc counts 1..11 on one nonce')

# ---- parameters
def count(*args):
    out = subprocess.run([sys.executable, sys.argv[1] + '/pcapgen.py', '--count'] + list(args),
                         capture_output=True, text=True)
    return int(out.stdout.strip() or -1)
ok(count('reg-refresh', '--interval', '30', '--span', '300') == 4 + 2 * 10,
   'reg-refresh --interval 30 --span 300: 24 messages')
ok(count('reg-refresh', '--lapse-at', '300', '--lapse', '200') == 4 + 2 * 6,
   'reg-refresh with a 200 s lapse at 300 s: refreshes at 300..480 dropped')
ok(count('reg-scanner', '--users', '12') == 24, 'reg-scanner --users 12: 24 messages')

# ---- HEP read back
def hep_payloads(name):
    out = []
    for r in read_pcap(gen(name))['recs']:
        f = r[1]
        i = f.find(b'HEP3')
        out.append(g.hep3_parse(f[i:]))
    return out
h = hep_payloads('hep3')
ok(len(h) == 6 and all(c[11] == b'\x01' and c[7] == b'\x13\xc4' for c in h) and
   h[0][15].startswith(b'REGISTER ') and h[1][15].startswith(b'SIP/2.0 401') and
   h[4][1] == b'\x0a' and len(h[4][5]) == 16, 'hep3: 6 packets, proto SIP, ports 5060, v4 and v6 chunks')
h = hep_payloads('hep3-zlib')
ok(len(h) == 4 and all(16 in c and 15 in c for c in h) and h[2][15].startswith(b'REGISTER '),
   'hep3-zlib: compressed chunks inflate to SIP')
ok(g.hep3_parse(g.hep3(b'x', '192.0.2.1', '192.0.2.2', 1, 2, 1700000000.25))[10]
   == struct.pack('!I', 250000), 'hep3: microseconds chunk')

# ---- fragments, WebSocket, TCP accounting
d = bytes(range(256)) * 12
frs = g.ipv4_fragments('192.0.2.1', '192.0.2.2', 17, d, 3, order=[2, 0, 1])
pieces = sorted((((struct.unpack('!H', f[6:8])[0] & 0x1fff) * 8, f[20:]) for f in frs))
ok(b''.join(p for _, p in pieces) == d and [bool(f[6] & 0x20) for f in frs] == [False, True, True],
   'ipv4_fragments: pieces reassemble, MF clear only on the last')
f6 = g.ipv6_fragments('2001:db8::1', '2001:db8::2', 17, d, 3, unfrag_exts=[g.v6_hop_by_hop()])
ok(f6[0][6] == 0 and f6[0][40] == 44 and f6[0][48] == 17, 'ipv6_fragments: HBH -> Fragment -> UDP chain')
for n, hl in ((125, 2), (126, 4), (65535, 4), (65536, 10)):
    fr = g.ws_frame(b'a' * n)
    ok(len(fr) == hl + n, 'ws_frame: %d-byte payload has a %d-byte header' % (n, hl))
fr = g.ws_frame(b'hello', mask=b'\x01\x02\x03\x04')
ok(fr[1] == 0x85 and bytes(c ^ fr[2 + i % 4] for i, c in enumerate(fr[6:])) == b'hello',
   'ws_frame: masked frame unmasks to its payload')
ok(g.ws_frame(b'x', length_form=64)[1] == 127, 'ws_frame: forced 64-bit length')
cap = g.Capture()
fl = g.TcpFlow(cap, ('192.0.2.1', 1000), ('192.0.2.2', 5060))
m = g.SipUA('a', 'example.com', '192.0.2.1').register()
off = fl.write(True, m)
fl.seg(0, True, off + 10, len(m) - 10)
ok(cap.sip_count == 0, 'TcpFlow: a message with a hole before it does not count')
fl.seg(1, True, off, 20)
ok(cap.sip_count == 1, 'TcpFlow: it counts once the hole is filled')

print('1..%d' % len(results))
for i, (c, name) in enumerate(results, 1):
    print('%s %d - %s' % ('ok' if c else 'not ok', i, name))
EOF
