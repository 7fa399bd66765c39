#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""diaggen - registration scenarios for the diagnosis tests (tests/unit/check_diag.c)
that tests/gen/pcapgen.py does not have.  Built with pcapgen's packet and SIP
builders (imported as a module); one UDP datagram per SIP message, so frame
numbers equal message numbers (the comments give them: the tests assert them).

CLI:
    python3 tests/gen/diaggen.py --list
    python3 tests/gen/diaggen.py SCENARIO OUT.pcap

Defaults (pcapgen.Options): user alice, domain example.com, password
"secret", UA 192.0.2.10:5060, registrar 198.51.100.5:5060, rtt 20 ms.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcapgen  # noqa: E402
from pcapgen import (Challenge, authorization_value, digest_response,  # noqa: E402
                     Options, emit_udp, _reg_cap, _ua, _registrar)

SCEN = {}


def scenario(name, desc):
    def deco(fn):
        SCEN[name] = (desc, fn)
        return fn
    return deco


def filler(ua, rg, t):
    """OPTIONS -> 200 at t: keeps the capture going past a rule's window
    (not a REGISTER, so no rule looks at it)."""
    q = ua.options()
    return [(t, True, q), (t + 0.02, False, rg.reply(q, 200))]


def auth_value(ch, user, password, uri, realm=None, hash_realm=None, nc=1, cnonce='0a4f113b',
               algorithm=None, drop=(), opaque=True, hash_user=None):
    """Authorization value answering ch with overrides: realm= sent,
    realm hashed, params dropped."""
    realm = realm or ch.realm
    hrealm = hash_realm or realm
    alg = algorithm or ch.algorithm
    ncs = '%08x' % nc
    qop = ch.qop if 'qop' not in drop else None
    resp = digest_response(hash_user or user, hrealm, password, 'REGISTER', uri, ch.nonce, alg, qop, ncs,
                           cnonce)
    parts = [('username', '"%s"' % user), ('realm', '"%s"' % realm), ('nonce', '"%s"' % ch.nonce),
             ('uri', '"%s"' % uri), ('response', '"%s"' % resp), ('algorithm', alg)]
    if ch.qop:
        parts += [('cnonce', '"%s"' % cnonce), ('qop', ch.qop), ('nc', ncs)]
    if ch.opaque and opaque:
        parts.append(('opaque', '"%s"' % ch.opaque))
    parts = [(k, v) for k, v in parts if k not in drop]
    return 'Digest ' + ', '.join('%s=%s' % kv for kv in parts)


def reg_with(ua, exp, hdr_name, value, **kw):
    """A REGISTER carrying a hand-made credentials header."""
    return ua.register(exp, extra=[(hdr_name, value)], **kw)


def _setup(o):
    cap, ep = _reg_cap(o)
    return cap, ep, _ua(o), _registrar(o)


@scenario('auth-realm', '1 REGISTER, 2 401 realm example.com, 3 REGISTER answering with '
          'realm="other.example" (hashed with it, right password), 4 401, 5-6 OPTIONS filler')
def _auth_realm(o):
    cap, ep, ua, rg = _setup(o)
    r1 = ua.register(3600)
    c1, ch = rg.challenge(r1)
    r2 = reg_with(ua, 3600, 'Authorization',
                  auth_value(ch, 'alice', o.password, 'sip:example.com', realm='other.example'))
    c2, _ = rg.challenge(r2)
    return emit_udp(cap, ep, [(0, True, r1), (0.02, False, c1), (0.05, True, r2),
                              (0.07, False, c2)] + filler(ua, rg, 10.0))


@scenario('auth-variant', '1 REGISTER, 2 401 realm example.com, 3 REGISTER username="a1001" '
          'but hashed with username "alice" (the To user; right password), 4 401, 5-6 OPTIONS filler')
def _auth_variant(o):
    cap, ep, ua, rg = _setup(o)
    r1 = ua.register(3600)
    c1, ch = rg.challenge(r1)
    r2 = reg_with(ua, 3600, 'Authorization',
                  auth_value(ch, 'a1001', o.password, 'sip:example.com', hash_user='alice'))
    c2, _ = rg.challenge(r2)
    return emit_udp(cap, ep, [(0, True, r1), (0.02, False, c1), (0.05, True, r2),
                              (0.07, False, c2)] + filler(ua, rg, 10.0))


@scenario('auth-user-401', '1 REGISTER, 2 401, 3 REGISTER(auth username "a1001"), 4 401, '
          '5 REGISTER(auth a1001), 6 401, 7-8 OPTIONS filler')
def _auth_user_401(o):
    cap, ep, ua, rg = _setup(o)
    ua.auth_user = 'a1001'
    r1 = ua.register(3600)
    c1, ch = rg.challenge(r1)
    r2 = ua.register(3600, ch)
    c2, ch2 = rg.challenge(r2)
    r3 = ua.register(3600, ch2)
    c3, _ = rg.challenge(r3)
    return emit_udp(cap, ep, [(0, True, r1), (0.02, False, c1), (0.05, True, r2),
                              (0.07, False, c2), (1.0, True, r3), (1.02, False, c3)] +
                    filler(ua, rg, 10.0))


@scenario('auth-user-403', '1 REGISTER, 2 401, 3 REGISTER(auth username "bob"), '
          '4 403 Forbidden auth ID')
def _auth_user_403(o):
    cap, ep, ua, rg = _setup(o)
    ua.auth_user = 'bob'
    r1 = ua.register(3600)
    c1, ch = rg.challenge(r1)
    r2 = ua.register(3600, ch)
    return emit_udp(cap, ep, [(0, True, r1), (0.02, False, c1), (0.05, True, r2),
                              (0.07, False, rg.reply(r2, 403, 'Forbidden auth ID'))])


@scenario('auth-hdrtype', '1 REGISTER, 2 407, 3 REGISTER answering with Authorization, 4 407, '
          '5-6 OPTIONS filler')
def _auth_hdrtype(o):
    cap, ep, ua, rg = _setup(o)
    r1 = ua.register(3600)
    c1, ch = rg.challenge(r1, proxy=True)
    r2 = reg_with(ua, 3600, 'Authorization', auth_value(ch, 'alice', o.password, 'sip:example.com'))
    c2, _ = rg.challenge(r2, proxy=True)
    return emit_udp(cap, ep, [(0, True, r1), (0.02, False, c1), (0.05, True, r2),
                              (0.07, False, c2)] + filler(ua, rg, 10.0))


@scenario('auth-alg-sha', '1 REGISTER, 2 401 algorithm=SHA-256 only, nothing more from the UA '
          'for 10 s, 3-4 OPTIONS filler')
def _auth_alg_sha(o):
    cap, ep, ua, rg = _setup(o)
    rg.algorithm = 'SHA-256'
    r1 = ua.register(3600)
    c1, _ = rg.challenge(r1)
    return emit_udp(cap, ep, [(0, True, r1), (0.02, False, c1)] + filler(ua, rg, 10.0))


@scenario('auth-alg-md5', '1 REGISTER, 2 401 algorithm=SHA-256, 3 REGISTER answering with '
          'algorithm=MD5, 4 401, 5-6 OPTIONS filler')
def _auth_alg_md5(o):
    cap, ep, ua, rg = _setup(o)
    rg.algorithm = 'SHA-256'
    r1 = ua.register(3600)
    c1, ch = rg.challenge(r1)
    r2 = reg_with(ua, 3600, 'Authorization',
                  auth_value(ch, 'alice', o.password, 'sip:example.com', algorithm='MD5'))
    c2, _ = rg.challenge(r2)
    return emit_udp(cap, ep, [(0, True, r1), (0.02, False, c1), (0.05, True, r2),
                              (0.07, False, c2)] + filler(ua, rg, 10.0))


@scenario('auth-qop-nc', '1 REGISTER, 2 401, 3 REGISTER(auth nc=1), 4 200, then at +60 s '
          '5 REGISTER(auth, same nonce, nc=1 again), 6 401 (same nonce)')
def _auth_qop_nc(o):
    cap, ep, ua, rg = _setup(o)
    r1 = ua.register(3600)
    c1, ch = rg.challenge(r1)
    r2 = reg_with(ua, 3600, 'Authorization',
                  auth_value(ch, 'alice', o.password, 'sip:example.com', nc=1))
    r3 = reg_with(ua, 3600, 'Authorization',
                  auth_value(ch, 'alice', o.password, 'sip:example.com', nc=1, cnonce='11112222'))
    return emit_udp(cap, ep, [(0, True, r1), (0.02, False, c1), (0.05, True, r2),
                              (0.07, False, rg.ok(r2)), (60.0, True, r3),
                              (60.02, False, rg.challenge(r3, nonce=ch.nonce)[0])])


@scenario('auth-qop-opaque', '1 REGISTER, 2 401 with opaque="op42", 3 REGISTER(auth without '
          'opaque), 4 401')
def _auth_qop_opaque(o):
    cap, ep, ua, rg = _setup(o)
    r1 = ua.register(3600)
    ch = Challenge('example.com', 'nonce-opq-1', 'MD5', 'auth', opaque='op42')
    c1 = rg.reply(r1, 401, extra=[(ch.header_name(), ch.header_value())])
    r2 = reg_with(ua, 3600, 'Authorization',
                  auth_value(ch, 'alice', o.password, 'sip:example.com', opaque=False))
    return emit_udp(cap, ep, [(0, True, r1), (0.02, False, c1), (0.05, True, r2),
                              (0.07, False, rg.reply(r2, 401, extra=[(ch.header_name(),
                                                                      ch.header_value())]))])


@scenario('auth-qop-uri', '1 REGISTER, 2 401, 3 REGISTER(auth uri="sip:10.0.0.1", R-URI '
          'sip:example.com), 4 401')
def _auth_qop_uri(o):
    cap, ep, ua, rg = _setup(o)
    r1 = ua.register(3600)
    c1, ch = rg.challenge(r1)
    r2 = reg_with(ua, 3600, 'Authorization', auth_value(ch, 'alice', o.password, 'sip:10.0.0.1'))
    return emit_udp(cap, ep, [(0, True, r1), (0.02, False, c1), (0.05, True, r2),
                              (0.07, False, rg.challenge(r2)[0])])


def _stale_base(o):
    cap, ep, ua, rg = _setup(o)
    r1 = ua.register(3600)
    c1, ch = rg.challenge(r1)
    r2 = ua.register(3600, ch)
    msgs = [(0, True, r1), (0.02, False, c1), (0.05, True, r2), (0.07, False, rg.ok(r2))]
    r3 = ua.register(3600, ch)           # refresh on the old nonce, nc=2
    return cap, ep, ua, rg, msgs, r3


@scenario('stale-ok', '1-4 REGISTER/401/REGISTER/200, 5 refresh on the old nonce at +60 s, '
          '6 401 stale=true (new nonce), 7 REGISTER on the new nonce, 8 200')
def _stale_ok(o):
    cap, ep, ua, rg, msgs, r3 = _stale_base(o)
    c3, ch3 = rg.challenge(r3, stale=True)
    r4 = ua.register(3600, ch3)
    msgs += [(60.0, True, r3), (60.02, False, c3), (60.05, True, r4), (60.07, False, rg.ok(r4))]
    return emit_udp(cap, ep, msgs)


@scenario('stale-fail', '1-4 REGISTER/401/REGISTER/200, 5 refresh on the old nonce at +60 s, '
          '6 401 stale=true, no retry, 7-8 OPTIONS filler at +70 s')
def _stale_fail(o):
    cap, ep, ua, rg, msgs, r3 = _stale_base(o)
    c3, _ = rg.challenge(r3, stale=True)
    msgs += [(60.0, True, r3), (60.02, False, c3)] + filler(ua, rg, 70.0)
    return emit_udp(cap, ep, msgs)


@scenario('stale-omit', '1-4 REGISTER/401/REGISTER/200, 5 refresh on the old nonce at +60 s, '
          '6 401 with a new nonce and no stale, no retry, 7-8 OPTIONS filler at +70 s')
def _stale_omit(o):
    cap, ep, ua, rg, msgs, r3 = _stale_base(o)
    c3, _ = rg.challenge(r3)
    msgs += [(60.0, True, r3), (60.02, False, c3)] + filler(ua, rg, 70.0)
    return emit_udp(cap, ep, msgs)


@scenario('auth-malformed', '1 REGISTER, 2 401, 3 REGISTER whose Authorization has an '
          'unterminated quote (libosip2 drops it), 4 401, 5-6 OPTIONS filler')
def _auth_malformed(o):
    cap, ep, ua, rg = _setup(o)
    r1 = ua.register(3600)
    c1, ch = rg.challenge(r1)
    r2 = reg_with(ua, 3600, 'Authorization', 'Digest username="alice, realm="example.com", '
                  'nonce="%s", uri="sip:example.com", response="00' % ch.nonce)
    c2, _ = rg.challenge(r2)
    return emit_udp(cap, ep, [(0, True, r1), (0.02, False, c1), (0.05, True, r2),
                              (0.07, False, c2)] + filler(ua, rg, 10.0))


@scenario('noretry-nocreds', '1 REGISTER, 2 401, 3 REGISTER again without credentials at +1 s, '
          '4 401, 5-6 OPTIONS filler')
def _noretry_nocreds(o):
    cap, ep, ua, rg = _setup(o)
    r1 = ua.register(3600)
    c1, _ = rg.challenge(r1)
    r2 = ua.register(3600)
    c2, _ = rg.challenge(r2)
    return emit_udp(cap, ep, [(0, True, r1), (0.02, False, c1), (1.0, True, r2),
                              (1.02, False, c2)] + filler(ua, rg, 10.0))


@scenario('reg-420', '1 REGISTER with Require: path, 2 420 Bad Extension with Unsupported: path')
def _reg_420(o):
    cap, ep, ua, rg = _setup(o)
    r1 = ua.register(3600, extra=[('Require', 'path')])
    return emit_udp(cap, ep, [(0, True, r1), (0.02, False, rg.reply(
        r1, 420, 'Bad Extension', extra=[('Unsupported', 'path')]))])


@scenario('reg-maxcontacts', '1 REGISTER, 2 401, 3 REGISTER(auth), 4 503 Service Unavailable '
          'with P-Registrar-Error: Too many registered contacts')
def _reg_maxc(o):
    cap, ep, ua, rg = _setup(o)
    r1 = ua.register(3600)
    c1, ch = rg.challenge(r1)
    r2 = ua.register(3600, ch)
    return emit_udp(cap, ep, [(0, True, r1), (0.02, False, c1), (0.05, True, r2), (0.07, False, rg.reply(
        r2, 503, extra=[('P-Registrar-Error', 'Too many registered contacts')]))])


@scenario('reg-many-bindings', '1 REGISTER, 2 401, 3 REGISTER(auth), 4 200 listing 12 bindings')
def _reg_many(o):
    cap, ep, ua, rg = _setup(o)
    r1 = ua.register(3600)
    c1, ch = rg.challenge(r1)
    r2 = ua.register(3600, ch)
    cts = ['<sip:alice@192.0.2.10:%d>;expires=3600' % (5060 + k) for k in range(12)]
    return emit_udp(cap, ep, [(0, True, r1), (0.02, False, c1), (0.05, True, r2),
                              (0.07, False, rg.ok(r2, contacts=cts))])


@scenario('reg-603', '1 REGISTER, 2 603 Decline')
def _reg_603(o):
    cap, ep, ua, rg = _setup(o)
    r1 = ua.register(3600)
    return emit_udp(cap, ep, [(0, True, r1), (0.02, False, rg.reply(r1, 603, 'Decline'))])


@scenario('reg-408', '1 REGISTER, 2 408 Request Timeout')
def _reg_408(o):
    cap, ep, ua, rg = _setup(o)
    r1 = ua.register(3600)
    return emit_udp(cap, ep, [(0, True, r1), (0.02, False, rg.reply(r1, 408, 'Request Timeout'))])


@scenario('reg-banned', '1 REGISTER, 2 401, 3/5/7 REGISTER(auth, wrong password) answered '
          '4 401, 6 401, 8 403; then at +60 s a new REGISTER (new Call-ID) sent 11 times '
          '(frames 9-19, 0 .. 31.5 s), never answered; 20-21 OPTIONS filler at +100 s')
def _reg_banned(o):
    cap, ep, ua, rg = _setup(o)
    r = ua.register(3600)
    c, ch = rg.challenge(r)
    msgs = [(0.0, True, r), (0.02, False, c)]
    t = 0.0
    for k in range(3):
        t += 1.0
        r = ua.register(3600, ch, password='wrong')
        if k < 2:
            c, ch = rg.challenge(r)
        else:
            c = rg.reply(r, 403)
        msgs += [(t, True, r), (t + 0.02, False, c)]
    ua.new_call_id()
    r = ua.register(3600)
    for dt in pcapgen.REG_TIMEOUT_TIMES:
        msgs.append((60.0 + dt, True, r))
    q = ua.options()
    msgs += [(100.0, True, q)]
    return emit_udp(cap, ep, msgs)


@scenario('reg-storm', '1-15 one REGISTER sent 15 times 0.1 s apart, 16 200')
def _reg_storm(o):
    cap, ep, ua, rg = _setup(o)
    r1 = ua.register(3600)
    msgs = [(0.1 * k, True, r1) for k in range(15)] + [(1.45, False, rg.ok(r1))]
    return emit_udp(cap, ep, msgs)


@scenario('reg-loss', '1 REGISTER at 0, 2 its retransmission at 0.5 s, 3 200 at 0.52 s')
def _reg_loss(o):
    cap, ep, ua, rg = _setup(o)
    r1 = ua.register(3600)
    return emit_udp(cap, ep, [(0, True, r1), (0.5, True, r1), (0.52, False, rg.ok(r1))])


@scenario('reg-180', '1 REGISTER, 2 180 Ringing, 3 200')
def _reg_180(o):
    cap, ep, ua, rg = _setup(o)
    r1 = ua.register(3600)
    return emit_udp(cap, ep, [(0, True, r1), (0.01, False, rg.reply(r1, 180, 'Ringing')),
                              (0.02, False, rg.ok(r1))])


@scenario('reg-100-late', '1 REGISTER, 2-4 retransmissions at 0.5/1.5/3.5 s, 5 100 Trying at '
          '3.6 s, 6 200 at 4 s')
def _reg_100_late(o):
    cap, ep, ua, rg = _setup(o)
    r1 = ua.register(3600)
    return emit_udp(cap, ep, [(0, True, r1), (0.5, True, r1), (1.5, True, r1), (3.5, True, r1),
                              (3.6, False, rg.reply(r1, 100, 'Trying')), (4.0, False, rg.ok(r1))])


@scenario('unreg-incomplete', '1-4 REGISTER/401/REGISTER/200, 5 REGISTER Expires: 0 without '
          'credentials at +30 s, 6 401, nothing more; 7-8 OPTIONS filler at +40 s')
def _unreg_incomplete(o):
    cap, ep, ua, rg = _setup(o)
    r1 = ua.register(3600)
    c1, ch = rg.challenge(r1)
    r2 = ua.register(3600, ch)
    r3 = ua.register(0)
    c3, _ = rg.challenge(r3)
    return emit_udp(cap, ep, [(0, True, r1), (0.02, False, c1), (0.05, True, r2),
                              (0.07, False, rg.ok(r2)), (30.0, True, r3), (30.02, False, c3)] +
                    filler(ua, rg, 40.0))


@scenario('star-misuse', '1 REGISTER Contact: * with Expires: 3600, 2 400 Bad Request')
def _star_misuse(o):
    cap, ep, ua, rg = _setup(o)
    r1 = ua.register(3600, contact='*')
    return emit_udp(cap, ep, [(0, True, r1), (0.02, False, rg.reply(r1, 400, 'Bad Request'))])


@scenario('cseq-order', '1-4 REGISTER(CSeq 1)/401/REGISTER(CSeq 2)/200, then at +60 s '
          '5 REGISTER(auth, CSeq 2 again, new branch), 6 200')
def _cseq_order(o):
    cap, ep, ua, rg = _setup(o)
    r1 = ua.register(3600)
    c1, ch = rg.challenge(r1)
    r2 = ua.register(3600, ch)
    ua.cseq = 1                           # the UA forgets it sent CSeq 2
    r3 = ua.register(3600, ch)
    return emit_udp(cap, ep, [(0, True, r1), (0.02, False, c1), (0.05, True, r2),
                              (0.07, False, rg.ok(r2)), (60.0, True, r3), (60.02, False, rg.ok(r3))])


@scenario('branch-reuse', '1 REGISTER (CSeq 1, branch z9hG4bKsame1), 2 401, 3 REGISTER(auth, '
          'CSeq 2, same branch), 4 200')
def _branch_reuse(o):
    cap, ep, ua, rg = _setup(o)
    r1 = ua.register(3600, branch='same1')
    c1, ch = rg.challenge(r1)
    r2 = ua.register(3600, ch, branch='same1')
    return emit_udp(cap, ep, [(0, True, r1), (0.02, False, c1), (0.05, True, r2),
                              (0.07, False, rg.ok(r2))])


@scenario('reg-timeout-host-unreach', 'REGISTER 192.0.2.10 -> 198.51.100.5 over UDP sent at 0, '
          '.5, 1.5 ... 31.5 s (11 copies, odd frames 1-21), each answered 3 ms later by an ICMP '
          'host unreachable (type 3 code 1) from the router 192.0.2.1 quoting the whole datagram (even '
          'frames 2-22)')
def _reg_timeout_host(o):
    cap, ep = _reg_cap(o)
    r = _ua(o).register(3600)
    for t in pcapgen.REG_TIMEOUT_TIMES:
        p = ep.udp(True, r)
        cap.add(t, p)
        cap.add(t + 0.003, pcapgen.icmp_unreach('192.0.2.1', p, code=1, quote=len(p)))
    return cap


@scenario('reg-timeout-net-unreach6', 'REGISTER 2001:db8::10 -> 2001:db8::5 over UDP sent at 0, '
          '.5, 1.5 ... 31.5 s (11 copies); the first 7 each answered 1 ms later by an ICMPv6 '
          'no route to destination (type 1 code 0) from the router 2001:db8:ffff::1, quoting the '
          'whole datagram (frames '
          '2, 4, ... 14), the last 4 copies (frames 15-18) by nothing')
def _reg_timeout_net6(o):
    cap = pcapgen.Capture(pcapgen.LINKTYPE_ETHERNET, start=o.start)
    ep = pcapgen._ep6(o)
    r = _ua(o, ip=ep.cli).register(3600)
    for k, t in enumerate(pcapgen.REG_TIMEOUT_TIMES):
        p = ep.udp(True, r)
        cap.add(t, p)
        if k < 7:
            cap.add(t + 0.001, pcapgen.icmp6_unreach('2001:db8:ffff::1', p, code=0, quote=len(p)))
    return cap


def _syn_rst(cap, t, cli, cport, srv, sport, isn):
    """A SYN and the RST+ACK (ack = ISN + 1) that refuses it 1 ms later."""
    cap.add(t, pcapgen.ip(cli, srv, pcapgen.IPPROTO_TCP,
                          pcapgen.tcp(cli, srv, cport, sport, isn, 0, 'S')))
    cap.add(t + 0.001, pcapgen.ip(srv, cli, pcapgen.IPPROTO_TCP,
                                  pcapgen.tcp(srv, cli, sport, cport, 0, isn + 1, 'RA')))


@scenario('tcp-refused', 'the phone 192.0.2.10 connects to 198.51.100.5:5060 over TCP at 0, 30 and '
          '60 s from ports 40001-40003 (SYN, frames 1, 3, 5); each refused with RST+ACK 1 ms later '
          '(frames 2, 4, 6); no SIP')
def _tcp_refused(o):
    cap = pcapgen.Capture(pcapgen.LINKTYPE_ETHERNET, start=o.start)
    for k in range(3):
        _syn_rst(cap, 30.0 * k, o.client_ip, 40001 + k, o.server_ip, 5060, 1000 * (k + 1))
    return cap


@scenario('tcp-refused-other', 'REGISTER -> 200 over UDP 192.0.2.10 -> 198.51.100.5:5060 (frames '
          '1-2), then a TCP SYN from 192.0.2.10:40001 to 203.0.113.50:8080 refused with RST+ACK '
          '(frames 3-4): not a SIP address')
def _tcp_refused_other(o):
    cap, ep, ua, rg = _setup(o)
    r = ua.register(3600)
    cap = emit_udp(cap, ep, [(0.0, True, r), (0.02, False, rg.ok(r))])
    _syn_rst(cap, 1.0, o.client_ip, 40001, '203.0.113.50', 8080, 5000)
    return cap


def main(argv):
    if argv[:1] == ['--list']:
        for k, (d, _) in SCEN.items():
            print('%-18s %s' % (k, d))
        return 0
    if len(argv) != 2 or argv[0] not in SCEN:
        sys.stderr.write('usage: diaggen.py --list | SCENARIO OUT.pcap\n')
        return 2
    SCEN[argv[0]][1](Options()).write(argv[1])
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
