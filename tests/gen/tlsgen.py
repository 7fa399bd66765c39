#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tlsgen.py PCAP KEYS [--tls12] [--wss] - a registration over TLS between Python ssl
client and server, recorded with tcpdump on loopback.  Run it inside a
private network namespace (unshare -n: it brings lo up itself) so no other
traffic leaks in.  The client writes the NSS key log (keylog_filename).

Connection 1: REGISTER -> 401, REGISTER with credentials -> 200.
Connection 2 resumes connection 1's session (TLS 1.3: a PSK ticket; TLS
1.2: the session ticket): REGISTER refresh -> 200, REGISTER Expires: 0 ->
200 (de-registration).  --wss: each connection first upgrades to WebSocket
(RFC 6455, subprotocol sip, RFC 7118) and every SIP message is one text
frame (the client's masked)."""
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

pcap, keys = sys.argv[1], sys.argv[2]
tls12 = "--tls12" in sys.argv
wss = "--wss" in sys.argv
UPGRADE = (b"GET / HTTP/1.1\r\nHost: registrar.test\r\nUpgrade: websocket\r\n"
           b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
           b"Sec-WebSocket-Protocol: sip\r\nSec-WebSocket-Version: 13\r\n\r\n")
ACCEPT = (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: sip\r\n\r\n")


def ws_frame(data, mask):
    n = len(data)
    h = bytes([0x81]) + (bytes([(0x80 if mask else 0) | n]) if n < 126 else
                         bytes([(0x80 if mask else 0) | 126, n >> 8, n & 255]))
    if not mask:
        return h + data
    k = b"\x37\xfa\x21\x3d"
    return h + k + bytes(b ^ k[i & 3] for i, b in enumerate(data))


def ws_read(s, buf):
    """one frame's payload (unmasked), or None at the end"""
    while True:
        if len(buf) >= 2:
            n, off = buf[1] & 0x7f, 2
            if n == 126 and len(buf) >= 4:
                n, off = buf[2] << 8 | buf[3], 4
            if buf[1] & 0x80:
                off += 4
            if n != 126 and len(buf) >= off + n:
                p = buf[off:off + n]
                if buf[1] & 0x80:
                    k = buf[off - 4:off]
                    p = bytes(b ^ k[i & 3] for i, b in enumerate(p))
                return p, buf[off + n:]
        d = s.recv(4096)
        if not d:
            return None, buf
        buf += d
tmp = tempfile.mkdtemp(prefix="tlsgen-py.")
cert, key = os.path.join(tmp, "c.pem"), os.path.join(tmp, "k.pem")
subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                "-out", cert, "-days", "2", "-subj", "/CN=registrar.test"],
               check=True, capture_output=True)
subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
td = subprocess.Popen(["tcpdump", "-q", "-i", "lo", "-U", "-w", pcap, "tcp port 5061"],
                      stderr=subprocess.DEVNULL)
time.sleep(1)

def reg(cseq, expires, auth):
    a = ('Authorization: Digest username="alice", realm="registrar.test", nonce="n1", '
         'uri="sip:registrar.test", response="00000000000000000000000000000000"\r\n') if auth else ""
    return ("REGISTER sip:registrar.test SIP/2.0\r\n"
            "Via: SIP/2.0/TLS 127.0.0.1:40000;branch=z9hG4bK-py-%d\r\n"
            "Max-Forwards: 70\r\nFrom: <sip:alice@registrar.test>;tag=a1\r\n"
            "To: <sip:alice@registrar.test>\r\nCall-ID: py1\r\nCSeq: %d REGISTER\r\n"
            "Contact: <sip:alice@127.0.0.1:40000;transport=tls>\r\nExpires: %d\r\n%s"
            "Content-Length: 0\r\n\r\n" % (cseq, cseq, expires, a)).encode()

def answer(req):
    lines = req.decode().split("\r\n")
    hdr = {l.split(":", 1)[0].lower(): l.split(":", 1)[1].strip() for l in lines[1:] if ":" in l}
    head = "".join("%s: %s\r\n" % (h, hdr[h.lower()]) for h in ("Via", "From", "To", "Call-ID", "CSeq"))
    if "authorization" not in hdr:
        return ("SIP/2.0 401 Unauthorized\r\n" + head.replace("To: <sip:alice@registrar.test>",
                "To: <sip:alice@registrar.test>;tag=r1") +
                'WWW-Authenticate: Digest realm="registrar.test", nonce="n1", algorithm=MD5\r\n'
                "Content-Length: 0\r\n\r\n").encode()
    exp = hdr.get("expires", "600")
    return ("SIP/2.0 200 OK\r\n" + head.replace("To: <sip:alice@registrar.test>",
            "To: <sip:alice@registrar.test>;tag=r1") +
            ("Contact: <sip:alice@127.0.0.1:40000;transport=tls>;expires=%s\r\n" % exp
             if exp != "0" else "") + "Content-Length: 0\r\n\r\n").encode()

def read_msg(s, buf):
    while b"\r\n\r\n" not in buf:
        d = s.recv(4096)
        if not d:
            return None, buf
        buf += d
    i = buf.index(b"\r\n\r\n") + 4
    return buf[:i], buf[i:]

sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
sctx.load_cert_chain(cert, key)
if tls12:
    sctx.maximum_version = ssl.TLSVersion.TLSv1_2
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", 5061))
ls.listen(4)

def server():
    for _ in range(2):
        c, _a = ls.accept()
        s = sctx.wrap_socket(c, server_side=True)
        buf = b""
        if wss:
            _h, buf = read_msg(s, buf)
            s.sendall(ACCEPT)
        while True:
            m, buf = ws_read(s, buf) if wss else read_msg(s, buf)
            if m is None:
                break
            s.sendall(ws_frame(answer(m), False) if wss else answer(m))
        s.close()

th = threading.Thread(target=server)
th.start()
cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
cctx.check_hostname = False
cctx.verify_mode = ssl.CERT_NONE
cctx.keylog_filename = keys
sess = None
resumed = []
for conn, msgs in ((1, [reg(1, 600, False), reg(2, 600, True)]),
                   (2, [reg(3, 600, True), reg(4, 0, True)])):
    c = socket.create_connection(("127.0.0.1", 5061))
    s = cctx.wrap_socket(c, server_hostname="registrar.test", session=sess)
    buf = b""
    if wss:
        s.sendall(UPGRADE)
        _h, buf = read_msg(s, buf)
    for m in msgs:
        s.sendall(ws_frame(m, True) if wss else m)
        r, buf = ws_read(s, buf) if wss else read_msg(s, buf)
        time.sleep(0.1)
    resumed.append(s.session_reused)
    sess = s.session
    s.close()
    time.sleep(0.3)
th.join()
# tcpdump drops what it has not read yet when stopped: wait until the file
# stops growing (a loaded machine lags)
prev = -1
for _ in range(15):
    time.sleep(1)
    cur = os.path.getsize(pcap) if os.path.exists(pcap) else 0
    if cur == prev:
        break
    prev = cur
td.terminate()
td.wait()
print("resumed:", resumed)
