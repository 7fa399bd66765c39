#!/usr/bin/env python3
"""tlsgen.py PCAP KEYS [--tls12] - a registration over TLS between Python ssl
client and server, recorded with tcpdump on loopback.  Run it inside a
private network namespace (unshare -n: it brings lo up itself) so no other
traffic leaks in.  The client writes the NSS key log (keylog_filename).

Connection 1: REGISTER -> 401, REGISTER with credentials -> 200.
Connection 2 resumes connection 1's session (TLS 1.3: a PSK ticket; TLS
1.2: the session ticket): REGISTER refresh -> 200, REGISTER Expires: 0 ->
200 (de-registration)."""
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
        while True:
            m, buf = read_msg(s, buf)
            if m is None:
                break
            s.sendall(answer(m))
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
    for m in msgs:
        s.sendall(m)
        r, buf = read_msg(s, buf)
        time.sleep(0.1)
    resumed.append(s.session_reused)
    sess = s.session
    s.close()
    time.sleep(0.3)
th.join()
time.sleep(0.5)
td.terminate()
td.wait()
print("resumed:", resumed)
