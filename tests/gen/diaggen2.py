#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""diaggen2 - registration scenarios for the part-2 diagnosis tests
(tests/cli/diag2.py): long time spans, NAT seen from either side, scanners and
the GB/T 28181 profile.  Built on tests/gen/pcapgen.py (imported as a module);
one UDP datagram per SIP message unless said otherwise, so frame numbers
equal message numbers.

CLI:
    python3 tests/gen/diaggen2.py --list
    python3 tests/gen/diaggen2.py SCENARIO OUT.pcap

Defaults (pcapgen.Options): user alice, domain example.com, UA
192.0.2.10:5060, registrar 198.51.100.5:5060, rtt 20 ms.  The NAT stories
put the UA at 192.168.1.10:5060 behind the public 203.0.113.7.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcapgen  # noqa: E402
from pcapgen import (Options, SipUA, Registrar, Capture, LINKTYPE_ETHERNET,  # noqa: E402
                     IPPROTO_UDP, udp, udp_ip, ipv4_fragments, sip_response, REASONS,
                     TcpFlow, emit_udp, _reg_cap, _ua, _registrar, generate)

SCEN = {}

NAT_PRIV = '192.168.1.10'
NAT_PUB = '203.0.113.7'
GB_DEV = '34020000001320000001'     # type 132: IPC
GB_PLAT = '34020000002000000001'    # type 200: platform
GB_DOM = '3402000000'


def scenario(name, desc):
    def deco(fn):
        SCEN[name] = (desc, fn)
        return fn
    return deco


def send(cap, t, src, sport, dst, dport, msg):
    cap.add(t, udp_ip(src, dst, sport, dport, msg))


def reply_via(rg, req, code, via=None, extra=(), reason=None):
    """rg.reply() with the top Via replaced (received/rport as a NAT-aware
    registrar writes them)."""
    r = rg.reply(req, code, reason=reason, extra=extra)
    if via is None:
        return r
    hdrs = [(n, v) for n, v in r.headers]
    for i, (n, v) in enumerate(hdrs):
        if n == 'Via':
            hdrs[i] = ('Via', via)
            break
    out = sip_response(code, reason or REASONS.get(code, 'Unknown'), hdrs, r.body)
    return out


def ok_with(rg, req, contacts, extra=()):
    return rg.reply(req, 200, extra=[('Contact', c) for c in contacts] + list(extra))


def pg(name, **kw):
    """A pcapgen scenario with options."""
    return lambda o: generate(name, Options(**kw))


# ---------------------------------------------------------------- timeline (pcapgen stories)

SCEN['refresh-lapse'] = (
    'two hours: REGISTER->401->REGISTER->200 (expires 600), refreshes every 500 s to 7200 s, none '
    'in [3000, 4500): the 200 at 2500.02 s expires at 3100.02 s, the next 200 comes at 4500.02 s '
    '(gap 1400 s)', pg('reg-refresh', expires=600, interval=500, span=7200, lapse_at=3000, lapse=1500))
SCEN['refresh-ok'] = ('two hours of refreshes every 500 s, expires 600, no lapse',
                      pg('reg-refresh', expires=600, interval=500, span=7200))
SCEN['refresh-late'] = ('expires 600, refreshes every 590 s to 3000 s (5 refreshes, each sent '
                        '10.0x s before expiry: room for 4 UDP copies (3.5 s) + the answer)',
                        pg('reg-refresh', expires=600, interval=590, span=3000))
# How baresip and linphone (belle-sip) refresh: at 90 % of the grant
SCEN['refresh-90pct'] = ('rtt 1 ms, expires 60, refreshes every 54 s to 540 s (10 refreshes, '
                         'each 6.0x s before expiry: 3.5 s for 4 UDP copies + 3.5 ms answer '
                         'time of the challenged first attempt fit)',
                         pg('reg-refresh', expires=60, interval=54, span=540, rtt=0.001))
SCEN['refresh-tight'] = ('rtt 1 ms, expires 60, refreshes every 58 s to 580 s (10 refreshes, each '
                         '2.0x s before expiry: less than 3.5 s for 4 UDP copies + 3.5 ms answer '
                         'time); no lapse',
                         pg('reg-refresh', expires=60, interval=58, span=580, rtt=0.001))
SCEN['refresh-late-lapse'] = (
    'rtt 1 ms, expires 600, one refresh at 610 s (9.9965 s after the grant of the 200 at '
    '0.0035 s ran out at 600.0035 s, answered 200 at 610.001 s), capture to 610.001 s',
    pg('reg-refresh', expires=600, interval=610, span=610, rtt=0.001))
SCEN['refresh-early'] = ('expires 3600, refreshes every 30 s to 300 s (10 refreshes)',
                         pg('reg-refresh', expires=3600, interval=30, span=300))
SCEN['refresh-half'] = ('expires 600, refreshes every 300 s to 1800 s (on time)',
                        pg('reg-refresh', expires=600, interval=300, span=1800))
SCEN['callid-change'] = ('3 registrations 60 s apart, expires 120, each under a new Call-ID '
                         '(2 changes)', pg('reg-callid-change', cycles=3, interval=60, expires=120))
SCEN['reboot'] = ('2 registrations 60 s apart, expires 120, the second under a new Call-ID '
                  '(one reboot)', pg('reg-callid-change', cycles=2, interval=60, expires=120))
SCEN['scanner'] = ('pcapgen reg-scanner: 30 users from 203.0.113.99:5070, UA friendly-scanner, '
                   '0.1 s apart, each 401', pg('reg-scanner', users=30))
SCEN['retry-after-ok'] = ('pcapgen reg-503: 503 Retry-After 30 at 0.02 s, next REGISTER at 30 s',
                          pg('reg-503'))


# ---------------------------------------------------------------- grants, contacts, flapping

@scenario('grant-ignored', 'REGISTER expires 3600 -> 200 granting 60 (frames 1-2); the UA '
          'refreshes at 1800 s (3-4, granted 60 again), 3600 s (5-6)')
def _grant_ignored(o):
    cap, ep = _reg_cap(o)
    ua, rg = _ua(o), _registrar(o)
    msgs = []
    for t in (0.0, 1800.0, 3600.0):
        r = ua.register(3600)
        msgs += [(t, True, r), (t + 0.02, False, rg.ok(r, expires=60))]
    return emit_udp(cap, ep, msgs)


@scenario('grant-honoured', 'REGISTER expires 3600 -> 200 granting 60, refreshes every 30 s to '
          '300 s (each granted 60)')
def _grant_honoured(o):
    cap, ep = _reg_cap(o)
    ua, rg = _ua(o), _registrar(o)
    msgs = []
    for k in range(11):
        r = ua.register(3600)
        msgs += [(30.0 * k, True, r), (30.0 * k + 0.02, False, rg.ok(r, expires=60))]
    return emit_udp(cap, ep, msgs)


@scenario('contact-rewritten', 'REGISTER Contact sip:alice@192.0.2.10:5060 -> 200 listing only '
          'sip:alice@203.0.113.7:40000;expires=3600 (rewritten by an SBC)')
def _contact_rewritten(o):
    cap, ep = _reg_cap(o)
    ua, rg = _ua(o), _registrar(o)
    r = ua.register(3600)
    return emit_udp(cap, ep, [(0.0, True, r), (0.02, False, ok_with(
        rg, r, ['<sip:alice@203.0.113.7:40000>;expires=3600']))])


@scenario('dup-bindings', 'REGISTER -> 200 listing the own contact (port 5060) and two stale '
          'ones of the same user@host on ports 5062 and 5064')
def _dup_bindings(o):
    cap, ep = _reg_cap(o)
    ua, rg = _ua(o), _registrar(o)
    r = ua.register(3600)
    return emit_udp(cap, ep, [(0.0, True, r), (0.02, False, ok_with(rg, r, [
        '<sip:alice@192.0.2.10:5060>;expires=3600', '<sip:alice@192.0.2.10:5062>;expires=1200',
        '<sip:alice@192.0.2.10:5064>;expires=300']))])


@scenario('flap', 'two devices on one account (max_contacts=1): A 192.0.2.10 at 0, 120, 240 s, '
          'B 192.0.2.20 at 60, 180 s; each 200 lists only the sender: bindings replaced at 60, '
          '120, 180, 240 s')
def _flap(o):
    cap = Capture(LINKTYPE_ETHERNET, start=o.start)
    rg = _registrar(o)
    A = _ua(o)
    B = _ua(o, ip='192.0.2.20')
    for k in range(5):
        ua = A if k % 2 == 0 else B
        r = ua.register(3600)
        t = 60.0 * k
        send(cap, t, ua.ip, 5060, o.server_ip, 5060, r)
        send(cap, t + 0.02, o.server_ip, 5060, ua.ip, 5060,
             ok_with(rg, r, ['<%s>;expires=3600' % ua.contact_uri()]))
    return cap


@scenario('retry-after', 'REGISTER -> 503 Retry-After: 120 (frames 1-2), REGISTER again after '
          '10 s -> 200 (3-4)')
def _retry_after(o):
    cap, ep = _reg_cap(o)
    ua, rg = _ua(o), _registrar(o)
    r = ua.register(3600)
    r2 = ua.register(3600)
    return emit_udp(cap, ep, [(0.0, True, r), (0.02, False, rg.reply(r, 503, extra=[
        ('Retry-After', '120')])), (10.0, True, r2), (10.02, False, rg.ok(r2))])


# ---------------------------------------------------------------- NAT

def _nat_ua(o):
    return SipUA(o.user, o.domain, NAT_PRIV, 5060, password=o.password)


@scenario('nat-registrar', 'registrar-side capture; UA 192.168.1.10:5060 behind 203.0.113.7: '
          'REGISTER from 203.0.113.7:40312 -> 200 echoing the private Contact (no received) '
          'granting 3600; refreshes at 300 s from port 40999 and 600 s from port 41500; the UA '
          'sends nothing in between')
def _nat_registrar(o):
    cap = Capture(LINKTYPE_ETHERNET, start=o.start)
    ua, rg = _nat_ua(o), _registrar(o)
    for t, port in ((0.0, 40312), (300.0, 40999), (600.0, 41500)):
        r = ua.register(3600)
        via = r.header('Via').replace(';rport', ';rport=%d;received=%s' % (port, NAT_PUB))
        send(cap, t, NAT_PUB, port, o.server_ip, 5060, r)
        send(cap, t + 0.02, o.server_ip, 5060, NAT_PUB, port, reply_via(
            rg, r, 200, via, extra=[('Contact', '<%s>;expires=3600' % ua.contact_uri())]))
    return cap


@scenario('nat-aware', 'registrar-side capture, UA 192.168.1.10 behind 203.0.113.7:40312 (stable '
          'port): 200 lists the Contact with ;received=, refreshes at 300 and 600 s')
def _nat_aware(o):
    cap = Capture(LINKTYPE_ETHERNET, start=o.start)
    ua, rg = _nat_ua(o), _registrar(o)
    for t in (0.0, 300.0, 600.0):
        r = ua.register(3600)
        via = r.header('Via').replace(';rport', ';rport=40312;received=%s' % NAT_PUB)
        send(cap, t, NAT_PUB, 40312, o.server_ip, 5060, r)
        send(cap, t + 0.02, o.server_ip, 5060, NAT_PUB, 40312, reply_via(
            rg, r, 200, via, extra=[('Contact', '<%s>;expires=3600;received="sip:%s:40312"' % (
                ua.contact_uri(), NAT_PUB))]))
    return cap


@scenario('nat-idle-options', 'registrar-side capture, UA 192.168.1.10 behind 203.0.113.7:40312, '
          'NAT-aware 200 (expires 3600); at 200 s the registrar sends OPTIONS to 203.0.113.7:40312 '
          '11 times (200 .. 231.5 s), never answered; capture ends at 300 s with another OPTIONS '
          'from the UA side to keep it open longer')
def _nat_idle(o):
    cap = Capture(LINKTYPE_ETHERNET, start=o.start)
    ua, rg = _nat_ua(o), _registrar(o)
    r = ua.register(3600)
    via = r.header('Via').replace(';rport', ';rport=40312;received=%s' % NAT_PUB)
    send(cap, 0.0, NAT_PUB, 40312, o.server_ip, 5060, r)
    send(cap, 0.02, o.server_ip, 5060, NAT_PUB, 40312, reply_via(
        rg, r, 200, via, extra=[('Contact', '<%s>;expires=3600;received="sip:%s:40312"' % (
            ua.contact_uri(), NAT_PUB))]))
    srv = SipUA('registrar', o.domain, o.server_ip, 5060)
    q = srv.request('OPTIONS', 'sip:alice@%s:40312' % NAT_PUB, [('Accept', 'application/sdp')])
    for dt in pcapgen.REG_TIMEOUT_TIMES:
        send(cap, 200.0 + dt, o.server_ip, 5060, NAT_PUB, 40312, q)
    q2 = srv.request('OPTIONS', 'sip:%s' % o.domain, [])
    send(cap, 300.0, o.server_ip, 5060, '198.51.100.77', 5060, q2)
    return cap


@scenario('nat-ua-side', 'UA-side capture: REGISTER from 192.168.1.10:5060 (= sent-by) -> 401 '
          'and 200 with received=203.0.113.7;rport=40312')
def _nat_ua_side(o):
    cap = Capture(LINKTYPE_ETHERNET, start=o.start)
    ua, rg = _nat_ua(o), _registrar(o)
    r1 = ua.register(3600)
    via1 = r1.header('Via').replace(';rport', ';rport=40312;received=%s' % NAT_PUB)
    c, ch = rg.challenge(r1)
    c = reply_via(rg, r1, 401, via1, extra=[(ch.header_name(), ch.header_value())])
    r2 = ua.register(3600, ch)
    via2 = r2.header('Via').replace(';rport', ';rport=40312;received=%s' % NAT_PUB)
    send(cap, 0.0, NAT_PRIV, 5060, o.server_ip, 5060, r1)
    send(cap, 0.02, o.server_ip, 5060, NAT_PRIV, 5060, c)
    send(cap, 0.05, NAT_PRIV, 5060, o.server_ip, 5060, r2)
    send(cap, 0.07, o.server_ip, 5060, NAT_PRIV, 5060, reply_via(
        rg, r2, 200, via2, extra=[('Contact', '<%s>;expires=3600' % ua.contact_uri())]))
    return cap


@scenario('resp-misrouted', 'registrar-side capture: REGISTER (Via 192.168.1.10:5060, no rport) '
          'from 203.0.113.7:40312 sent at 0, .5, 1.5 s (frames 1, 3, 5); each answered 401 to '
          '203.0.113.7:5060 (frames 2, 4, 6)')
def _resp_misrouted(o):
    cap = Capture(LINKTYPE_ETHERNET, start=o.start)
    ua, rg = _nat_ua(o), _registrar(o)
    r = ua.register(3600)
    r = pcapgen.sip_request('REGISTER', 'sip:%s' % o.domain,
                            [(n, v.replace(';rport', '') if n == 'Via' else v)
                             for n, v in r.headers])
    c, _ = rg.challenge(r)
    for t in (0.0, 0.5, 1.5):
        send(cap, t, NAT_PUB, 40312, o.server_ip, 5060, r)
        send(cap, t + 0.02, o.server_ip, 5060, NAT_PUB, 5060, c)
    return cap


@scenario('alg', 'registrar-side capture: REGISTER from 203.0.113.7:40312 whose Via and Contact '
          'say 203.0.113.7:5062 (rewritten host, port kept), rport; 200')
def _alg(o):
    cap = Capture(LINKTYPE_ETHERNET, start=o.start)
    ua = SipUA(o.user, o.domain, NAT_PUB, 5062, password=o.password)
    rg = _registrar(o)
    r = ua.register(3600)
    send(cap, 0.0, NAT_PUB, 40312, o.server_ip, 5060, r)
    send(cap, 0.02, o.server_ip, 5060, NAT_PUB, 40312, rg.ok(r))
    return cap


@scenario('via-tcp-over-udp', 'REGISTER over UDP whose Via says SIP/2.0/TCP, 200')
def _via_mismatch(o):
    cap, ep = _reg_cap(o)
    ua, rg = _ua(o), _registrar(o)
    r = ua.register(3600)
    r = pcapgen.sip_request('REGISTER', 'sip:%s' % o.domain,
                            [(n, v.replace('SIP/2.0/UDP', 'SIP/2.0/TCP') if n == 'Via' else v)
                             for n, v in r.headers])
    return emit_udp(cap, ep, [(0.0, True, r), (0.02, False, rg.ok(r))])


@scenario('tcp-contact-udp', 'REGISTER over TCP (Via TCP) whose Contact has no transport '
          'parameter, 200 (4 SIP messages: REGISTER, 401, REGISTER(auth), 200)')
def _tcp_contact(o):
    cap = Capture(LINKTYPE_ETHERNET, start=o.start)
    fl = TcpFlow(cap, (o.client_ip, 50000), (o.server_ip, 5060))
    ua, rg = _ua(o, transport='TCP'), _registrar(o)
    ct = '<sip:alice@192.0.2.10:5060>'
    r1 = ua.register(3600, contact=ct)
    c, ch = rg.challenge(r1)
    r2 = ua.register(3600, ch, contact=ct)
    t = fl.handshake(0.0)
    for dt, fc, m in ((0.01, True, r1), (0.03, False, c), (0.05, True, r2),
                      (0.07, False, rg.ok(r2))):
        fl.send(t + dt, fc, m)
    return cap


@scenario('udp-frag', 'REGISTER -> 401 (frames 1-2), then an authorized REGISTER of 2000+ bytes '
          '(X-Pad header) in 2 IPv4 fragments, sent 11 times over 31.5 s, never answered')
def _udp_frag(o):
    cap, ep = _reg_cap(o)
    ua, rg = _ua(o), _registrar(o)
    r1 = ua.register(3600)
    c, ch = rg.challenge(r1)
    emit_udp(cap, ep, [(0.0, True, r1), (0.02, False, c)])
    r2 = ua.register(3600, ch, extra=[('X-Pad', 'x' * 1500)])
    for dt in pcapgen.REG_TIMEOUT_TIMES:
        for f in ipv4_fragments(ep.cli, ep.srv, IPPROTO_UDP, udp(ep.cli, ep.srv, 5060, 5060, r2), 2,
                                ident=0x5000 + int(dt * 10)):
            cap.add(0.05 + dt, f)
    return cap


def _sweep(o, ua_name, users, src='203.0.113.50', ok=False):
    cap = Capture(LINKTYPE_ETHERNET, start=o.start)
    rg = _registrar(o)
    for i in range(users):
        ua = SipUA('%d' % (200 + i), o.domain, src, 5060, user_agent=ua_name)
        r = ua.register(3600)
        send(cap, 0.1 * i, src, 5060, o.server_ip, 5060, r)
        send(cap, 0.1 * i + 0.005, o.server_ip, 5060, src, 5060,
             rg.ok(r) if ok else rg.challenge(r)[0])
    return cap


@scenario('bruteforce', '30 users from 203.0.113.50 0.1 s apart, User-Agent "Yealink SIP-T46S", '
          'each answered 401 (no scanner name: caught by rate)')
def _bruteforce(o):
    return _sweep(o, 'Yealink SIP-T46S', 30)


@scenario('scanner-case', 'one REGISTER from 203.0.113.50, User-Agent "SIPVicious/0.3.4" '
          '(upper case), answered 401')
def _scanner_case(o):
    return _sweep(o, 'SIPVicious/0.3.4', 1)


@scenario('few-users', '5 users from 203.0.113.50 0.1 s apart, User-Agent "Yealink SIP-T46S", '
          'each answered 401')
def _few_users(o):
    return _sweep(o, 'Yealink SIP-T46S', 5)


# ---------------------------------------------------------------- GB/T 28181

MANSCDP = ('<?xml version="1.0" encoding="GB2312"?>\r\n<Notify>\r\n<CmdType>Keepalive</CmdType>\r\n'
           '<SN>%d</SN>\r\n<DeviceID>%s</DeviceID>\r\n<Status>OK</Status>\r\n</Notify>\r\n')


def _gb_ua(o, dev=GB_DEV, dom=GB_DOM):
    return SipUA(dev, dom, '192.0.2.30', 5060, password=o.password, user_agent='IP Camera')


def _gb_register(ua, expires, ch=None, plat=GB_PLAT, dom=GB_DOM):
    r = ua.register(expires, ch)
    # GB: Request-URI user = platform ID
    return pcapgen.sip_request('REGISTER', 'sip:%s@%s' % (plat, dom), r.headers, r.body)


def _gb_keepalive(ua, sn, plat=GB_PLAT, dom=GB_DOM):
    body = MANSCDP % (sn, ua.user)
    return ua.request('MESSAGE', 'sip:%s@%s' % (plat, dom),
                      [('Content-Type', 'Application/MANSCDP+xml')], body=body,
                      to='<sip:%s@%s>' % (plat, dom))


def _gb_flow(o, cap, ua, rg, t0, expires, date):
    r1 = _gb_register(ua, expires)
    c, ch = rg.challenge(r1)
    r2 = _gb_register(ua, expires, ch)
    ok = rg.reply(r2, 200, extra=[('Contact', '%s;expires=%d' % (r2.header('Contact'), expires)),
                                  ('Expires', str(expires)), ('Date', date)])
    for dt, fc, m in ((0.0, True, r1), (0.02, False, c), (0.05, True, r2), (0.07, False, ok)):
        if fc:
            send(cap, t0 + dt, ua.ip, 5060, o.server_ip, 5060, m)
        else:
            send(cap, t0 + dt, o.server_ip, 5060, ua.ip, 5060, m)


def _gb_rg(o):
    return Registrar(GB_DOM, server='GB platform')


@scenario('gb-ok', 'GB device 34020000001320000001 -> platform 34020000002000000001@3402000000: '
          'REGISTER(expires 3600) -> 401 -> REGISTER(auth) -> 200 with Date '
          '2023-11-14T22:13:20.123 (frames 1-4); keepalive MESSAGE every 60 s from 60 to 600 s, '
          'each answered 200')
def _gb_ok(o):
    cap = Capture(LINKTYPE_ETHERNET, start=o.start)
    ua, rg = _gb_ua(o), _gb_rg(o)
    _gb_flow(o, cap, ua, rg, 0.0, 3600, '2023-11-14T22:13:20.123')
    for k in range(1, 11):
        m = _gb_keepalive(ua, k)
        send(cap, 60.0 * k, ua.ip, 5060, o.server_ip, 5060, m)
        send(cap, 60.0 * k + 0.02, o.server_ip, 5060, ua.ip, 5060, rg.reply(m, 200))
    return cap


@scenario('gb-bad', 'GB device registers with expires 600 and an RFC 1123 Date in the 200 '
          '(frames 1-4); keepalives at 60 and 120 s only (answered 200); capture ends with an '
          'unrelated OPTIONS at 600 s')
def _gb_bad(o):
    cap = Capture(LINKTYPE_ETHERNET, start=o.start)
    ua, rg = _gb_ua(o), _gb_rg(o)
    _gb_flow(o, cap, ua, rg, 0.0, 600, 'Tue, 14 Nov 2023 22:13:20 GMT')
    for k in (1, 2):
        m = _gb_keepalive(ua, k)
        send(cap, 60.0 * k, ua.ip, 5060, o.server_ip, 5060, m)
        send(cap, 60.0 * k + 0.02, o.server_ip, 5060, ua.ip, 5060, rg.reply(m, 200))
    q = SipUA('probe', GB_DOM, '192.0.2.99', 5060).options()
    send(cap, 600.0, '192.0.2.99', 5060, o.server_ip, 5060, q)
    return cap


def _gb_fail(o, gap):
    cap = Capture(LINKTYPE_ETHERNET, start=o.start)
    ua = _gb_ua(o, dom='3402000001')        # wrong SIP domain on the device
    rg = _gb_rg(o)
    t = 0.0
    for _ in range(2):
        r1 = _gb_register(ua, 3600, dom='3402000001')
        c, ch = rg.challenge(r1)
        r2 = _gb_register(ua, 3600, ch, dom='3402000001')
        for dt, fc, m in ((0.0, True, r1), (0.02, False, c), (0.05, True, r2),
                          (0.07, False, rg.reply(r2, 403))):
            if fc:
                send(cap, t + dt, ua.ip, 5060, o.server_ip, 5060, m)
            else:
                send(cap, t + dt, o.server_ip, 5060, ua.ip, 5060, m)
        t += gap
    return cap


@scenario('gb-fail-fast', 'GB device with SIP domain 3402000001 (platform domain 3402000000): '
          'REGISTER -> 401 -> REGISTER(auth) -> 403 (frames 1-4), again 10 s later (5-8)')
def _gb_fail_fast(o):
    return _gb_fail(o, 10.0)


@scenario('gb-fail-slow', 'as gb-fail-fast but the second try comes 60 s after the first '
          '(59.93 s after the 403 at 0.07 s ... i.e. 60.0 - 0.07)')
def _gb_fail_slow(o):
    return _gb_fail(o, 60.1)


@scenario('gb-idbad', 'REGISTER From/To user 3402000000999000001 (19 digits) to '
          'sip:3402000000 (no platform ID) -> 200 (needs --profile gb28181)')
def _gb_idbad(o):
    cap = Capture(LINKTYPE_ETHERNET, start=o.start)
    ua = _gb_ua(o, dev='3402000000999000001')
    rg = _gb_rg(o)
    r = ua.register(3600)
    send(cap, 0.0, ua.ip, 5060, o.server_ip, 5060, r)
    send(cap, 0.02, o.server_ip, 5060, ua.ip, 5060, rg.ok(r))
    return cap


@scenario('gb-typebad', 'GB device 34020000009990000001 (type code 999) registers -> 200 (Date '
          'GB style)')
def _gb_typebad(o):
    cap = Capture(LINKTYPE_ETHERNET, start=o.start)
    ua, rg = _gb_ua(o, dev='34020000009990000001'), _gb_rg(o)
    _gb_flow(o, cap, ua, rg, 0.0, 3600, '2023-11-14T22:13:20.123')
    return cap


def _gb_ka_reject(o, rereg_after):
    cap = Capture(LINKTYPE_ETHERNET, start=o.start)
    ua, rg = _gb_ua(o), _gb_rg(o)
    _gb_flow(o, cap, ua, rg, 0.0, 3600, '2023-11-14T22:13:20.123')
    m = _gb_keepalive(ua, 1)
    send(cap, 60.0, ua.ip, 5060, o.server_ip, 5060, m)
    send(cap, 60.02, o.server_ip, 5060, ua.ip, 5060, rg.reply(m, 404))
    if rereg_after is not None:
        ua.new_call_id()
        _gb_flow(o, cap, ua, rg, 60.02 + rereg_after, 3600, '2023-11-14T22:14:25.000')
    m2 = _gb_keepalive(ua, 2)
    send(cap, 170.0, ua.ip, 5060, o.server_ip, 5060, m2)
    send(cap, 170.02, o.server_ip, 5060, ua.ip, 5060, rg.reply(m2, 200 if rereg_after else 404))
    return cap


@scenario('gb-ka-rejected', 'GB device registered (frames 1-4); keepalive at 60 s answered '
          '404 (5-6); no REGISTER; keepalive at 170 s answered 404 (7-8)')
def _gb_ka_rejected(o):
    return _gb_ka_reject(o, None)


@scenario('gb-ka-rereg', 'as gb-ka-rejected, but the device re-registers 5 s after the 404 '
          '(new Call-ID) and the keepalive at 170 s is answered 200')
def _gb_ka_rereg(o):
    return _gb_ka_reject(o, 5.0)


def main(argv):
    if argv[:1] == ['--list']:
        for k, (d, _) in SCEN.items():
            print('%-18s %s' % (k, d))
        return 0
    if len(argv) != 2 or argv[0] not in SCEN:
        sys.stderr.write('usage: diaggen2.py --list | SCENARIO OUT.pcap\n')
        return 2
    SCEN[argv[0]][1](Options()).write(argv[1])
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
