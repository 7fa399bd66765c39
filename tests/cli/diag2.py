#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""diag2.py - TAP tests of the part-2 diagnosis rules (time, NAT, scanners,
GB/T 28181: rules_time.c, rules_nat.c, rules_gb.c): for each
rule a capture from tests/gen/diaggen2.py that fires it and one that does not,
run through `regtrace -r F --json`, asserting id, severity and the concrete
values in the message (worked out from the scenario timings written in
diaggen2.py, not from regtrace's output).  Then: healthy captures give no
CRIT/ERR finding of these rules, and the findings of these rules on the
shared real captures equal tests/golden/findings-real-part2.txt (reviewed
by hand against tshark, see its header).

Env (make check sets them): RT_BIN, RT_SRC, RT_SHARED.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

SRC = os.environ.get('RT_SRC') or os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get('RT_BIN') or os.path.join(SRC, 'regtrace')
SHARED = os.environ.get('RT_SHARED') or os.path.join(SRC, '..', 'shared')
sys.path.insert(0, os.path.join(SRC, 'tests', 'gen'))
import diaggen2  # noqa: E402
from pcapgen import Options  # noqa: E402

# the rules of this part (the tables in rules_time.c, rules_nat.c, rules_gb.c)
PART2 = set()
for f in ('rules_time.c', 'rules_nat.c', 'rules_gb.c'):
    with open(os.path.join(SRC, 'src', 'diag', f)) as fh:
        PART2 |= set(re.findall(r'\{ "((?:REG|GB)-[A-Z0-9-]+)", SEV_', fh.read()))

out = []
failed = 0


def tap(ok, desc, diag=None):
    global failed
    out.append(('ok %d - %s' if ok else 'not ok %d - %s') % (len(out) + 1, desc))
    if not ok:
        failed += 1
        if diag:
            for line in str(diag).splitlines()[:12]:
                out.append('# ' + line)


def run(path, *opts):
    p = subprocess.run([BIN, '-r', path, '--json'] + list(opts), capture_output=True)
    try:
        return json.loads(p.stdout)['findings']
    except (ValueError, KeyError):
        return None


tmp = tempfile.mkdtemp(prefix='rt-diag2.')
cache = {}


def gen(name):
    if name not in cache:
        path = os.path.join(tmp, name + '.pcap')
        diaggen2.SCEN[name][1](Options()).write(path)
        cache[name] = path
    return cache[name]


# (scenario, extra options, rule, severity or None for "must not fire", [message parts], frames)
CASES = [
    # REG-EXPIRED-GAP: 200 at 2500.02 s + 600 s -> 3100.02 s; next 200 at 4500.02 s
    ('refresh-lapse', [], 'REG-EXPIRED-GAP', 'CRIT',
     ['expired for 1400.0 s', 'from 2023-11-14 23:05:00.020 UTC (+3100.0 s)',
      'to 2023-11-14 23:28:20.020 UTC (+4500.0 s)', 'last granted 600 s'], None),
    ('refresh-ok', [], 'REG-EXPIRED-GAP', None, [], None),
    # the capture ends 0.02 s after the last refresh: no lapse inside it
    ('refresh-late', [], 'REG-EXPIRED-GAP', None, [], None),
    # REG-REFRESH-LATE: grant 600, refresh every 590 s: lead 10.0x s > 3.5 s (4 UDP copies,
    # RFC 3261 Timer E) + 0.07 s answer time (the challenged first attempt): not late
    ('refresh-late', [], 'REG-REFRESH-LATE', None, [], None),
    # 90 % of 60 s (baresip, linphone) on a path answering in 1 ms: lead 6.0 s, need 3.5035 s
    ('refresh-90pct', [], 'REG-REFRESH-LATE', None, [], None),
    ('refresh-90pct', [], 'REG-EXPIRED-GAP', None, [], None),
    # 58 of 60 s: the 200 at 0.0035 s grants to 60.0035, refresh at 58 s: lead 2.0035 s < need
    # 3.5 s + 0.0035 s (first attempt 0 -> 3.5 ms, printed 0.004 s); all 10 refreshes alike, none
    # lapsed
    ('refresh-tight', [], 'REG-REFRESH-LATE', 'WARN',
     ['sent only 2.0 s before the 60 s grant expired', 'less than the 3.5 s a REGISTER needs',
      'UDP: Timer E copies at 0, 0.5, 1.5, 3.5 s', '0.004 s answer time', 'no lapse followed',
      '10 of 10 refreshes'], None),
    ('refresh-tight', [], 'REG-EXPIRED-GAP', None, [], None),
    # 200 at 0.0035 s (rtt 1 ms: 3.5 rtt) + 600 -> 600.0035; refresh at 610 s, 200 at 610.001 s:
    # sent 9.9965 s after expiry (within max(5, 0.1 x 600) s), lapse 9.9975 s >= 5 s
    ('refresh-late-lapse', [], 'REG-REFRESH-LATE', 'WARN',
     ['sent 10.0 s after the 600 s grant expired', 'a lapse followed',
      'the registration lapsed for 10.0 s until its 200', '1 of 1 refreshes lapsed'], [4, 5]),
    ('refresh-late-lapse', [], 'REG-EXPIRED-GAP', 'CRIT',
     ['expired for 10.0 s', '(+600.0 s)', '(+610.0 s)',
      'caused by the late refresh sent at 2023-11-14 22:23:30.000 UTC (+610.0 s), 10.0 s after '
      'the grant ran out'], None),
    ('refresh-half', [], 'REG-REFRESH-LATE', None, [], None),
    ('refresh-lapse', [], 'REG-REFRESH-LATE', None, [], None),
    # REG-REFRESH-EARLY: grant 3600, every 30 s (10 refreshes)
    ('refresh-early', [], 'REG-REFRESH-EARLY', 'INFO',
     ['every 30.0 s on average', 'granted 3600 s', '10 of 10 refreshes'], None),
    ('refresh-half', [], 'REG-REFRESH-EARLY', None, [], None),
    # REG-GRANT-LT-REQ / REG-GRANT-IGNORED: asked 3600, granted 60, refresh after 1800 s
    ('grant-ignored', [], 'REG-GRANT-LT-REQ', 'INFO', ['asked 3600 s, got 60 s (3 times)'], None),
    ('refresh-ok', [], 'REG-GRANT-LT-REQ', None, [], None),
    ('grant-ignored', [], 'REG-GRANT-IGNORED', 'ERR',
     ['asked 3600 s', 'granted 60 s', 'next refresh after 1800.0 s (2 times)'], [1, 2, 3, 4, 5]),
    ('grant-honoured', [], 'REG-GRANT-IGNORED', None, [], None),
    ('grant-honoured', [], 'REG-GRANT-LT-REQ', 'INFO', ['asked 3600 s, got 60 s (11 times)'], None),
    # ... and the lapses it causes: 0.02+60 -> 1800.02, 1800.02+60 -> 3600.02
    ('grant-ignored', [], 'REG-EXPIRED-GAP', 'CRIT', ['expired for 1740.0 s', '(+60.0 s)',
                                                      '(+1800.0 s)'], None),
    # REG-CONTACT-MISSING
    ('contact-rewritten', [], 'REG-CONTACT-MISSING', 'WARN',
     ["does not list the phone's Contact sip:alice@192.0.2.10:5060",
      'first sip:alice@203.0.113.7:40000', '1 of 1'], [1, 2]),
    ('refresh-ok', [], 'REG-CONTACT-MISSING', None, [], None),
    # REG-DUP-BINDINGS
    ('dup-bindings', [], 'REG-DUP-BINDINGS', 'WARN',
     ['lists 3 Contacts of one UA', 'sip:alice@192.0.2.10:5062', 'sip:alice@192.0.2.10:5064',
      '2 stale bindings'], [1, 2]),
    ('refresh-ok', [], 'REG-DUP-BINDINGS', None, [], None),
    # REG-FLAP: replaced at 60, 120, 180 s (240 s is the last creation itself)
    ('flap', [], 'REG-FLAP', 'ERR',
     ['lost its binding 3 times within 120 s', '192.0.2.10:5060, 192.0.2.20:5060',
      'alternating sources'], None),
    ('refresh-lapse', [], 'REG-FLAP', None, [], None),
    # REG-CALLID-CHANGE: 2 changes; one change = a reboot
    ('callid-change', [], 'REG-CALLID-CHANGE', 'INFO',
     ['new Call-ID for 2 consecutive refreshes', 'contact sip:alice@192.0.2.10:5060'], [3, 5, 7, 9]),
    ('reboot', [], 'REG-CALLID-CHANGE', None, [], None),
    # REG-RETRY-AFTER-IGNORED: 503 at 0.02 s asks 120 s, retry at 10 s
    ('retry-after', [], 'REG-RETRY-AFTER-IGNORED', 'WARN',
     ['the 503 asked to wait 120 s', 'came after 10.0 s'], [2, 3]),
    ('retry-after-ok', [], 'REG-RETRY-AFTER-IGNORED', None, [], None),
    # capture point
    ('nat-registrar', [], 'REG-CAPTURE-POINT', 'INFO',
     ['Capture point: registrar', '3 REGISTERs arrive from an address other than their Via'], None),
    ('nat-ua-side', [], 'REG-CAPTURE-POINT', 'INFO', ['Capture point: ua'], None),
    ('refresh-ok', [], 'REG-CAPTURE-POINT', 'INFO', ['Capture point: unknown'], None),
    ('flap', [], 'REG-CAPTURE-POINT', 'INFO',
     ['Capture point: registrar', 'REGISTERs from 2 UA addresses meet at one registrar'], None),
    # REG-NAT-DETECTED
    ('nat-registrar', [], 'REG-NAT-DETECTED', 'INFO',
     ['public 203.0.113.7:40312', 'Via sent-by 192.168.1.10:5060 but source 203.0.113.7:40312',
      'Assumed capture point: on the registrar side'], [1, 2]),
    ('nat-ua-side', [], 'REG-NAT-DETECTED', 'INFO',
     ['public 203.0.113.7:40312', 'received=203.0.113.7 for sent-by 192.168.1.10:5060',
      'Assumed capture point: at the UA'], [1, 2]),
    ('refresh-ok', [], 'REG-NAT-DETECTED', None, [], None),
    # REG-NAT-PRIVATE-CONTACT
    ('nat-registrar', [], 'REG-NAT-PRIVATE-CONTACT', 'ERR',
     ['REGISTER from public 203.0.113.7:40312', 'private Contact sip:alice@192.168.1.10:5060',
      '(3 times)', 'Assumed capture point: on the registrar side'], [1, 2, 3, 4, 5, 6]),
    ('nat-aware', [], 'REG-NAT-PRIVATE-CONTACT', None, [], None),
    # REG-NAT-PORT-CHURN: 40312 -> 40999 at 300 s, -> 41500 at 600 s
    ('nat-registrar', [], 'REG-NAT-PORT-CHURN', 'ERR',
     ['source 203.0.113.7:40312 became 203.0.113.7:40999 after 300.0 s (2 changes)',
      'Assumed capture point'], [1, 3, 5]),
    ('nat-aware', [], 'REG-NAT-PORT-CHURN', None, [], None),
    # REG-NAT-NO-KEEPALIVE: silence 0.02 -> 300 s, next REGISTER from a new port;
    # or silence 0.02 -> 200 s, then the registrar's OPTIONS unanswered
    ('nat-registrar', [], 'REG-NAT-NO-KEEPALIVE', 'WARN',
     ['UDP 203.0.113.7:40312', 'granted 3600 s', 'for 300.0 s',
      'next REGISTER came from another source (203.0.113.7:40999)'], None),
    ('nat-idle-options', [], 'REG-NAT-NO-KEEPALIVE', 'WARN',
     ['for 200.0 s', 'the OPTIONS sent to it afterwards was never answered'], None),
    ('nat-aware', [], 'REG-NAT-NO-KEEPALIVE', None, [], None),
    # REG-RESP-MISROUTED
    ('resp-misrouted', [], 'REG-RESP-MISROUTED', 'CRIT',
     ['sent the 401 for sip:alice@example.com to 203.0.113.7:5060',
      'the REGISTER came from 203.0.113.7:40312', 'Via had no rport', '3 responses'], [1, 2, 4, 6]),
    ('nat-registrar', [], 'REG-RESP-MISROUTED', None, [], None),
    # REG-ALG-SUSPECT
    ('alg', [], 'REG-ALG-SUSPECT', 'WARN',
     ['Contact sip:alice@203.0.113.7:5062 names the source IP but port 5062',
      'came from port 40312'], [1, 2]),
    ('nat-registrar', [], 'REG-ALG-SUSPECT', None, [], None),
    # REG-TRANSPORT-MISMATCH
    ('via-tcp-over-udp', [], 'REG-TRANSPORT-MISMATCH', 'WARN',
     ['the REGISTER went over UDP but its top Via says TCP'], [1, 2]),
    ('tcp-contact-udp', [], 'REG-TRANSPORT-MISMATCH', 'WARN',
     ['registered over TCP but the Contact sip:alice@192.0.2.10:5060 has no transport',
      '(2 REGISTERs)'], None),
    ('refresh-ok', [], 'REG-TRANSPORT-MISMATCH', None, [], None),
    # REG-UDP-FRAG: the size is checked against the generator below
    ('udp-frag', [], 'REG-UDP-FRAG', 'ERR',
     ['The authorized REGISTER', 'over UDP (over 1300', 'never answered (11 copies)'], None),
    ('refresh-ok', [], 'REG-UDP-FRAG', None, [], None),
    # REG-SCANNER
    ('scanner', [], 'REG-SCANNER', 'WARN',
     ['Source 203.0.113.99', '30 user(s) tried with 30 REGISTER(s) in 2.9 s',
      "User-Agent 'friendly-scanner'"], None),
    ('bruteforce', [], 'REG-SCANNER', 'WARN',
     ['Source 203.0.113.50', '30 user(s) tried', "User-Agent 'Yealink SIP-T46S'"], None),
    ('scanner-case', [], 'REG-SCANNER', 'WARN',
     ["User-Agent 'SIPVicious/0.3.4'", "matches scanner name 'sipvicious'"], [1, 2]),
    ('few-users', [], 'REG-SCANNER', None, [], None),
    # GB/T 28181
    ('gb-ok', [], 'GB-PROFILE', 'INFO', ['20-digit device codes (e.g. 34020000001320000001)'], None),
    ('refresh-ok', [], 'GB-PROFILE', None, [], None),
    ('gb-idbad', ['--profile', 'gb28181'], 'GB-PROFILE', 'INFO', ['--profile gb28181'], None),
    ('gb-bad', [], 'GB-EXPIRES-SHORT', 'WARN', ['expiry of 600 s', 'must be >= 3600 s'], None),
    ('gb-ok', [], 'GB-EXPIRES-SHORT', None, [], None),
    ('gb-fail-fast', [], 'GB-RETRY-FAST', 'WARN',
     ['retried registration 9.9 s after a failed attempt (403)', 'wait >= 60 s'], None),
    ('gb-fail-slow', [], 'GB-RETRY-FAST', None, [], None),
    ('gb-idbad', ['--profile', 'gb28181'], 'GB-ID-FORMAT', 'ERR',
     ["From user '3402000000999000001' is not 20 digits", "Request-URI user '' is not"], [1, 2]),
    ('gb-idbad', [], 'GB-ID-FORMAT', None, [], None),        # profile off: 19 digits
    ('gb-typebad', [], 'GB-ID-FORMAT', 'ERR', ['type code 999'], None),
    ('gb-ok', [], 'GB-ID-FORMAT', None, [], None),
    ('gb-fail-fast', [], 'GB-DOMAIN', 'ERR',
     ["To host) '3402000001' differs from the platform domain '3402000000'",
      'platform ID 34020000002000000001', 'answers 403'], [3, 4]),
    ('gb-ok', [], 'GB-DOMAIN', None, [], None),
    # keepalives at 60, 120 s, capture to 600 s: 480 s without one
    ('gb-bad', [], 'GB-KEEPALIVE-MISSING', 'ERR',
     ['device 34020000001320000001 for 480.0 s', '(+120.0 s)', '(+600.0 s)', '2 keepalives seen'],
     None),
    ('gb-ok', [], 'GB-KEEPALIVE-MISSING', None, [], None),
    ('gb-ka-rejected', [], 'GB-KEEPALIVE-REJECTED', 'ERR',
     ['keepalive of device 34020000001320000001 with 404 Not Found', '(+60.0 s)',
      'no REGISTER followed'], [5, 6]),
    ('gb-ka-rereg', [], 'GB-KEEPALIVE-REJECTED', None, [], None),
    ('gb-ok', [], 'GB-DATE', 'INFO', ['sent time sync', 'Date 2023-11-14T22:13:20.123'], [4]),
    ('gb-bad', [], 'GB-DATE', 'INFO',
     ["did not send time sync", "Date 'Tue, 14 Nov 2023 22:13:20 GMT' is not"], [4]),
    ('refresh-ok', [], 'GB-DATE', None, [], None),
]

for scen, opts, rule, sev, parts, frames in CASES:
    fs = run(gen(scen), *opts)
    label = '%s %s%s' % (scen, ' '.join(opts) + ' ' if opts else '', rule)
    if fs is None:
        tap(False, label + ': regtrace --json failed')
        continue
    mine = [f for f in fs if f['rule'] == rule]
    if sev is None:
        tap(not mine, '%s does not fire' % label, mine)
        continue
    hit = [f for f in mine if all(p in f['message'] for p in parts)]
    ok = bool(hit) and all(f['severity'] == sev for f in mine)
    if ok and frames is not None:
        ok = hit[0]['frames'] == frames
    tap(ok, '%s fires %s with %s' % (label, sev, '; '.join(parts)),
        json.dumps(mine, indent=1, ensure_ascii=False))

# REG-UDP-FRAG names the REGISTER's size: the generator's own byte count
import pcapgen  # noqa: E402
_o = Options()
_ua = pcapgen._ua(_o)
_r1 = _ua.register(3600)
_c, _ch = pcapgen._registrar(_o).challenge(_r1)
_size = len(_ua.register(3600, _ch, extra=[('X-Pad', 'x' * 1500)]))
fs = run(gen('udp-frag')) or []
tap(any(f['rule'] == 'REG-UDP-FRAG' and ('is %d bytes' % _size) in f['message'] for f in fs),
    'udp-frag REG-UDP-FRAG names the size %d bytes' % _size)

# the rule list names every part-2 rule
PART2_RULES = ('REG-EXPIRED-GAP REG-REFRESH-LATE REG-REFRESH-EARLY REG-GRANT-LT-REQ REG-GRANT-IGNORED '
          'REG-CONTACT-MISSING REG-DUP-BINDINGS REG-FLAP REG-CALLID-CHANGE REG-RETRY-AFTER-IGNORED '
          'REG-NAT-DETECTED REG-NAT-PRIVATE-CONTACT REG-NAT-PORT-CHURN REG-NAT-NO-KEEPALIVE '
          'REG-RESP-MISROUTED REG-ALG-SUSPECT REG-TRANSPORT-MISMATCH REG-UDP-FRAG REG-SCANNER '
          'GB-EXPIRES-SHORT GB-RETRY-FAST GB-ID-FORMAT GB-DOMAIN GB-KEEPALIVE-MISSING '
          'GB-KEEPALIVE-REJECTED GB-DATE').split()
listed = subprocess.run([BIN, '--list-rules'], capture_output=True, text=True).stdout
tap(all(re.search(r'^%s\s' % re.escape(r), listed, re.M) for r in PART2_RULES),
    '--list-rules names all 26 part-2 rules')
tap(subprocess.run([BIN, '--profile', 'nosuch', '-r', gen('gb-ok')],
                   capture_output=True).returncode == 2, '--profile with an unknown name is refused')

# healthy captures: no CRIT/ERR of these rules
healthy = [os.path.join(SRC, 'captures', f) for f in (
    'register-auth-udp.pcap', 'register-auth-tcp.pcap', 'register-auth-ipv6.pcap',
    'proxy-auth-407.pcap', 'deregister.pcap', 'interval-too-brief.pcap')]
labdir = os.path.join(SHARED, 'captures', 'lab')
healthy_lab = ['01_register_auth_udp', '02_register_auth_tcp', '06_refresh', '07_deregister',
               '11_proxy_auth_register', '14_register_auth_ipv6']
for h in healthy + [os.path.join(labdir, n + '.pcap') for n in healthy_lab]:
    name = os.path.basename(h)
    if not os.path.exists(h):
        out.append('ok %d # SKIP %s absent' % (len(out) + 1, name))
        continue
    fs = run(h)
    bad = [f for f in (fs or []) if f['rule'] in PART2 and f['severity'] in ('CRIT', 'ERR')]
    tap(fs is not None and not bad, 'healthy %s: no CRIT/ERR finding of part 2' % name, bad)

# golden: findings of these rules on the shared real captures


def golden_lines(realdir):
    lines = []
    for f in sorted(os.listdir(realdir)):
        if not (f.endswith('.pcap') or f.endswith('.pcapng')):
            continue
        fs = run(os.path.join(realdir, f))
        if fs is None:
            lines.append('%s\tregtrace failed' % f)
            continue
        for x in fs:
            if x['rule'] in PART2:
                lines.append('%s\t%s\t%s\t%s\t%s' % (f, x['rule'], x['severity'],
                                                     ','.join(map(str, x['frames'])), x['message']))
    return lines


realdir = os.path.join(SHARED, 'captures', 'real')
gold = os.path.join(SRC, 'tests', 'golden', 'findings-real-part2.txt')
if os.environ.get('RT_DIAG2_REGEN'):
    sys.stdout.write('\n'.join(golden_lines(realdir)) + '\n')
    sys.exit(0)
if not os.path.isdir(realdir):
    out.append('ok %d # SKIP shared real captures absent' % (len(out) + 1))
else:
    with open(gold) as fh:
        want = [ln.rstrip('\n') for ln in fh if ln.strip() and not ln.startswith('#')]
    got = golden_lines(realdir)
    import difflib
    tap(got == want, 'findings of part-2 rules on the shared real captures equal '
        'tests/golden/findings-real-part2.txt',
        '\n'.join(difflib.unified_diff(want, got, 'golden', 'got', lineterm='', n=0)))

print('1..%d' % len(out))
print('\n'.join(out))
subprocess.run(['rm', '-rf', tmp])
sys.exit(0)
