#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tlskam.py MODE CLIENT TLSVER HOST PORT KEYS DIR - drive SIP registrations over TLS
against a registrar, the client writing an NSS key log to KEYS.

CLIENT: "python" (ssl, keylog_filename) or "openssl" (openssl s_client
-keylogfile, its session kept with -sess_out and offered again with
-sess_in).  TLSVER: 1.2 or 1.3.  Every second connection offers the first
one's session (a TLS 1.3 PSK ticket or a TLS 1.2 ticket / session id).

MODE "kamailio": the registrar is Kamailio (already listening on HOST:PORT,
the lab's subscribers alice/alicepw and bob/bobpw); digest responses are
computed from its challenges (RFC 2617 §3.2.2, qop=auth):
  connection 1: alice REGISTER -> 401 -> REGISTER with credentials -> 200,
                refresh -> 200 (or 401 -> 200), bob with a wrong password
                until Kamailio answers 403 (401, 401, 401, 403)
  connection 2 (resumed): alice de-registers (Expires: 0) -> 200
MODE "s_server": the registrar is openssl s_server -naccept 2 started here
(DIR/c.pem, DIR/k.pem), answered by this script through its stdin/stdout:
  connection 1: REGISTER -> 401 -> REGISTER with credentials -> 200
  connection 2 (resumed): REGISTER Expires: 0 -> 200

Prints "resumed: [...]" for the Python client (what ssl says) and the
responses it got, one status line each.  TLSKAM_SNI overrides the server
name the client sends (default lab.local)."""
import hashlib
import os
import re
import select
import socket
import ssl
import subprocess
import sys
import threading
import time

mode, client, tlsver, host, port, keys, wdir = sys.argv[1:8]
port = int(port)
SNI = os.environ.get("TLSKAM_SNI", "lab.local")     # the server name the clients send
TIMEOUT = 15.0


def frame(buf):
    """one SIP message from the front of buf (RFC 3261 §18.3), or None"""
    i = buf.find(b"\r\n\r\n")
    if i < 0:
        return None, buf
    m = re.search(rb"(?im)^(?:content-length|l)[ \t]*:[ \t]*(\d+)", buf[:i])
    n = int(m.group(1)) if m else 0
    if len(buf) < i + 4 + n:
        return None, buf
    return buf[:i + 4 + n], buf[i + 4 + n:]


class PyClient:
    ctx = None

    def __init__(self, sess):
        if PyClient.ctx is None:
            c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            c.check_hostname = False
            c.verify_mode = ssl.CERT_NONE
            c.keylog_filename = keys
            if tlsver == "1.2":
                c.maximum_version = ssl.TLSVersion.TLSv1_2
            else:
                c.minimum_version = ssl.TLSVersion.TLSv1_3
            PyClient.ctx = c
        raw = socket.create_connection((host.strip("[]"), port), timeout=TIMEOUT)
        self.s = PyClient.ctx.wrap_socket(raw, server_hostname=SNI, session=sess)
        self.buf = b""

    def send(self, b):
        self.s.sendall(b)

    def recv(self):
        while True:
            m, self.buf = frame(self.buf)
            if m is not None:
                return m
            d = self.s.recv(65536)
            if not d:
                raise EOFError("connection closed")
            self.buf += d

    def close(self):
        # a TLS 1.3 ticket arrives after the handshake: keep the session
        # once it was read (the recv above did so)
        self.session, self.reused = self.s.session, self.s.session_reused
        self.s.close()


class OpenSSLClient:
    """openssl s_client as the transport: what goes to its stdin is sent,
    what it prints (-quiet) was received."""

    def __init__(self, resume):
        sf = os.path.join(wdir, "s_client.sess")
        cmd = ["openssl", "s_client", "-connect", "%s:%d" % (host, port), "-quiet",
               "-no_ign_eof", "-nocommands", "-keylogfile", keys, "-servername", SNI,
               "-tls1_2" if tlsver == "1.2" else "-tls1_3"]
        cmd += ["-sess_in", sf] if resume else ["-sess_out", sf]
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=open(os.path.join(wdir, "s_client.err"), "ab"))
        self.buf = b""
        self.reused = None

    def send(self, b):
        self.p.stdin.write(b)
        self.p.stdin.flush()

    def recv(self):
        end = time.monotonic() + TIMEOUT
        while True:
            m, self.buf = frame(self.buf)
            if m is not None:
                return m
            r, _, _ = select.select([self.p.stdout], [], [], max(0.0, end - time.monotonic()))
            if not r:
                raise TimeoutError("no answer from s_client")
            d = os.read(self.p.stdout.fileno(), 65536)
            if not d:
                raise EOFError("s_client ended")
            self.buf += d

    def close(self):
        self.p.stdin.close()    # -no_ign_eof: close_notify, then exit
        try:
            self.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.p.terminate()
            self.p.wait()


def hdr(msg, name):
    m = re.search(rb"(?im)^" + name.encode() + rb"[ \t]*:[ \t]*(.*?)\r$", msg)
    return m.group(1).decode() if m else None


def digest(chal, user, pw, uri):
    """Authorization for a WWW-Authenticate challenge (RFC 2617 §3.2.2)"""
    p = dict(re.findall(r'(\w+)="?([^",]*)"?', chal))
    md5 = lambda s: hashlib.md5(s.encode()).hexdigest()
    ha1, ha2 = md5("%s:%s:%s" % (user, p["realm"], pw)), md5("REGISTER:%s" % uri)
    a = 'Digest username="%s", realm="%s", nonce="%s", uri="%s"' % (user, p["realm"], p["nonce"], uri)
    if "auth" in p.get("qop", "").split(","):
        cn = "0a4f113b"
        a += ', qop=auth, nc=00000001, cnonce="%s", response="%s"' % (
            cn, md5("%s:%s:00000001:%s:auth:%s" % (ha1, p["nonce"], cn, ha2)))
    else:
        a += ', response="%s"' % md5("%s:%s:%s" % (ha1, p["nonce"], ha2))
    return a + ", algorithm=MD5"


class UA:
    def __init__(self, user, pw, callid):
        self.user, self.pw, self.callid, self.cseq = user, pw, callid, 0
        self.chal = None

    def register(self, t, expires, tries):
        """REGISTER, answering challenges up to `tries` times; the last status"""
        uri = "sip:lab.local"
        for _ in range(tries + 1):
            self.cseq += 1
            auth = "Authorization: %s\r\n" % digest(self.chal, self.user, self.pw, uri) if self.chal else ""
            req = ("REGISTER %s SIP/2.0\r\n"
                   "Via: SIP/2.0/TLS 127.0.0.1:45061;branch=z9hG4bK-%s-%d;rport\r\n"
                   "Max-Forwards: 70\r\nFrom: <sip:%s@lab.local>;tag=%s-t\r\nTo: <sip:%s@lab.local>\r\n"
                   "Call-ID: %s\r\nCSeq: %d REGISTER\r\n"
                   "Contact: <sip:%s@127.0.0.1:45061;transport=tls>\r\nExpires: %d\r\n%s"
                   "User-Agent: regtrace-tlskam\r\nContent-Length: 0\r\n\r\n" %
                   (uri, self.callid, self.cseq, self.user, self.callid, self.user, self.callid,
                    self.cseq, self.user, expires, auth)).encode()
            t.send(req)
            while True:     # provisional answers are skipped
                r = t.recv()
                code = int(r.split(b" ", 2)[1])
                if code >= 200:
                    break
            print(r.split(b"\r\n", 1)[0].decode(), flush=True)
            if code != 401:
                return code
            self.chal = hdr(r, "WWW-Authenticate")
        return code


def connect(n, prev):
    if client == "python":
        return PyClient(prev.session if prev else None)
    return OpenSSLClient(resume=n > 1)


def run_s_server():
    """openssl s_server -naccept 2 as the registrar, answered from here"""
    so = "-tls1_2" if tlsver == "1.2" else "-tls1_3"
    p = subprocess.Popen(["openssl", "s_server", "-accept", "%s:%d" % (host, port), so,
                          "-cert", os.path.join(wdir, "c.pem"), "-key", os.path.join(wdir, "k.pem"),
                          "-naccept", "2", "-quiet"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=open(os.path.join(wdir, "s_server.err"), "ab"))

    def answer():
        buf = b""
        while True:
            m, buf = frame(buf)
            if m is None:
                d = os.read(p.stdout.fileno(), 65536)
                if not d:
                    return
                buf += d
                continue
            head = "".join("%s: %s\r\n" % (h, hdr(m, h)) for h in ("Via", "From", "To", "Call-ID", "CSeq"))
            head = head.replace("@lab.local>\r\nCall-ID", "@lab.local>;tag=srv1\r\nCall-ID")
            if hdr(m, "Authorization") is None and hdr(m, "Expires") != "0":
                r = ("SIP/2.0 401 Unauthorized\r\n" + head +
                     'WWW-Authenticate: Digest realm="lab.local", nonce="4f6e6f6e6365", qop="auth"\r\n'
                     "Content-Length: 0\r\n\r\n")
            else:
                e = hdr(m, "Expires")
                c = "Contact: %s;expires=%s\r\n" % (hdr(m, "Contact"), e) if e != "0" else ""
                r = "SIP/2.0 200 OK\r\n" + head + c + "Content-Length: 0\r\n\r\n"
            p.stdin.write(r.encode())
            p.stdin.flush()

    th = threading.Thread(target=answer, daemon=True)
    th.start()
    for _ in range(100):    # it listens (a probe connection would use up an accept)
        if (":%d " % port) in subprocess.run(["ss", "-ltnH"], capture_output=True, text=True).stdout:
            break
        time.sleep(0.1)
    return p, th


srv = None
if mode == "s_server":
    srv, _th = run_s_server()
resumed = []
try:
    if mode == "kamailio":
        # Call-IDs of their own per run: Kamailio counts wrong passwords per Call-ID
        alice = UA("alice", "alicepw", "tlskam-alice-%d" % os.getpid())
        bob = UA("bob", "not-bobpw", "tlskam-bob-%d" % os.getpid())
        t = connect(1, None)
        alice.register(t, 600, 1)       # 401, 200
        alice.register(t, 600, 1)       # refresh: 200 (the nonce still valid) or 401, 200
        bob.register(t, 600, 4)         # 401, 401, 401, 403
        time.sleep(0.3)
        t.close()
        resumed.append(t.reused)
        time.sleep(0.3)
        t2 = connect(2, t)
        alice.register(t2, 0, 1)        # de-register
        time.sleep(0.3)
        t2.close()
        resumed.append(t2.reused)
    else:
        ua = UA("alice", "alicepw", "tlskam-s")
        t = connect(1, None)
        ua.register(t, 600, 1)
        time.sleep(0.3)
        t.close()
        resumed.append(t.reused)
        time.sleep(0.3)
        t2 = connect(2, t)
        ua.register(t2, 0, 1)
        time.sleep(0.3)
        t2.close()
        resumed.append(t2.reused)
finally:
    if srv:
        try:
            srv.wait(timeout=10)
        except subprocess.TimeoutExpired:
            srv.terminate()
            srv.wait()
print("resumed:", resumed)
