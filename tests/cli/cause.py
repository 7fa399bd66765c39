#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""cause.py - TAP tests of the cause ranking (docs/rules.md, "Which finding
is the cause"): on every capture the project has - captures/, the shared
lab and real corpora, every scenario of tests/gen/pcapgen.py, tests/gen/diaggen.py
and tests/gen/diaggen2.py, each read without and with --credentials - every
registration with two or more findings must be listed in EXPECT below with
the cause argued from the capture (what its scenario or its frames show),
and `registrations[].cause` of `regtrace --json` must name that rule, with
the message of that finding on one line.  A registration with several
findings missing from EXPECT fails: a new rule or scenario must be argued
here.

Env (make check sets them): RT_BIN, RT_SRC, RT_SHARED.
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

SRC = os.environ.get('RT_SRC') or os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get('RT_BIN') or os.path.join(SRC, 'regtrace')
SHARED = os.environ.get('RT_SHARED') or os.path.join(SRC, '..', 'shared')
PY = os.environ.get('PYTHON3') or sys.executable

# (capture, AOR) -> (cause without --credentials, cause with them); the
# second is None when the credentials change nothing.  Captures are named
# by file name, generated ones "GENERATOR:SCENARIO".
EXPECT = {
    # captures/README.md: 401, then 3 digests with password not-alicepw
    # answered 401, 401, 403.  Without the password nothing shows it is
    # wrong: the loop (pattern) leads the 403 (outcome); with alicepw
    # REG-AUTH-BADPW verifies it, and a verified wrong password explains
    # the loop and the 403.
    ('wrong-password.pcap', 'sip:alice@lab.local'): ('REG-AUTH-LOOP', 'REG-AUTH-BADPW'),
    ('03_wrong_password.pcap', 'sip:alice@lab.local'): ('REG-AUTH-LOOP', 'REG-AUTH-BADPW'),
    ('pcapgen:reg-badpw-loop', 'sip:alice@example.com'): ('REG-AUTH-LOOP', 'REG-AUTH-BADPW'),
    # diaggen reg-banned: the same wrong-password loop ending in 403, then
    # a new REGISTER never answered (banned).  The loop starts at frame 1
    # and explains the 403, the ban and the silence after it.
    ('diaggen:reg-banned', 'sip:alice@example.com'): ('REG-AUTH-LOOP', 'REG-AUTH-BADPW'),
    # SHA-256-only challenge, the UA never answers: it cannot hash SHA-256
    # (REG-AUTH-ALG, a cause) - that is why the challenge goes unanswered.
    ('diaggen:auth-alg-sha', 'sip:alice@example.com'): ('REG-AUTH-ALG', None),
    # digest reuses nc=1 on the same nonce (frame 5); REFRESH-EARLY is INFO.
    ('diaggen:auth-qop-nc', 'sip:alice@example.com'): ('REG-AUTH-QOP', None),
    # realm="other.example" answering a challenge for example.com (frame
    # 3).  With the password REG-AUTH-VARIANT also says it was hashed with
    # the other realm; both name the same mistake, REG-AUTH-REALM's
    # evidence starts at the challenge (frame 1 <  3), so it leads.
    ('diaggen:auth-realm', 'sip:alice@example.com'): (None, 'REG-AUTH-REALM'),
    # auth username a1001 != AOR user, answered 401 again and again: the
    # loop is certain (CRIT), a different auth username is only a WARN
    # (often legitimate), so it never leads a failure.
    ('diaggen:auth-user-401', 'sip:alice@example.com'): ('REG-AUTH-LOOP', None),
    # auth username "bob" answered 403: the username (cause) explains the 403.
    ('diaggen:auth-user-403', 'sip:alice@example.com'): ('REG-AUTH-USER-403', None),
    # with a1001's password: hashed with username alice instead of a1001 -
    # the verified variant (ERR) leads the username-differs WARN.
    ('diaggen:auth-variant', 'sip:alice@example.com'): (None, 'REG-AUTH-VARIANT'),
    ('diaggen:cseq-order', 'sip:alice@example.com'): ('REG-CSEQ-ORDER', None),
    # 200 listing 12 bindings: the binding limit, not the duplicates (WARN)
    ('diaggen:reg-many-bindings', 'sip:alice@example.com'): ('REG-MAXCONTACTS', None),
    # 15 copies of one REGISTER then 200: the storm (WARN) leads the INFO
    # "retransmissions later answered".
    ('diaggen:reg-storm', 'sip:alice@example.com'): ('REG-RETX-STORM', None),
    # the refresh's 401 stale=true (or a new nonce) is never retried
    ('diaggen:stale-fail', 'sip:alice@example.com'): ('REG-AUTH-STALE-FAIL', None),
    ('diaggen:stale-omit', 'sip:alice@example.com'): ('REG-AUTH-STALE-FAIL', None),
    # nothing wrong, two INFO notes: the earlier evidence (frame 4, the
    # 200 whose grant the refresh comes early for) before frame 5.
    ('diaggen:stale-ok', 'sip:alice@example.com'): ('REG-REFRESH-EARLY', None),
    # Contact: * with Expires: 3600 (the request's error) explains the 400
    # and the unfinished de-registration.
    ('diaggen:star-misuse', 'sip:alice@example.com'): ('REG-STAR-MISUSE', None),
    ('diaggen2:alg', 'sip:alice@example.com'): ('REG-ALG-SUSPECT', None),
    # keepalives stop after 120 s (ERR); the short expiry is a WARN
    ('diaggen2:gb-bad', 'sip:34020000001320000001@3402000000'): ('GB-KEEPALIVE-MISSING', None),
    # the digest uri (sip:3402000001) differs from the Request-URI: a
    # server checking it (RFC 2617 §3.2.2.5) rejects the answer whatever
    # the domain, and that evidence starts at the challenge (frame 2)
    # before GB-DOMAIN's (frame 3); both are causes, both listed.
    ('diaggen2:gb-fail-fast', 'sip:34020000001320000001@3402000001'): ('REG-AUTH-QOP', None),
    ('diaggen2:gb-fail-slow', 'sip:34020000001320000001@3402000001'): ('REG-AUTH-QOP', None),
    ('diaggen2:gb-ka-rejected', 'sip:34020000001320000001@3402000000'):
        ('GB-KEEPALIVE-REJECTED', None),
    ('diaggen2:gb-typebad', 'sip:34020000009990000001@3402000000'): ('GB-ID-FORMAT', None),
    # the UA refreshes on its own 1800 s timer, the grant is 60 s: that
    # explains both lapses (REG-EXPIRED-GAP, CRIT pattern)
    ('diaggen2:grant-ignored', 'sip:alice@example.com'): ('REG-GRANT-IGNORED', None),
    # one refresh 10 s after a 600 s grant ran out: the lapse (CRIT) leads
    # the WARN late refresh, and its sentence names that refresh as the cause
    ('diaggen2:refresh-late-lapse', 'sip:alice@example.com'): ('REG-EXPIRED-GAP', None),
    ('diaggen2:nat-idle-options', 'sip:alice@example.com'): ('REG-NAT-NO-KEEPALIVE', None),
    # private Contact stored and the NAT port changing, both ERR causes
    # on frame 1: the table order (the stored private Contact first)
    ('diaggen2:nat-registrar', 'sip:alice@example.com'): ('REG-NAT-PRIVATE-CONTACT', None),
    # 401s sent to port 5060 instead of the source port: the UA retransmits
    # because it never gets them (RETX-LOSS and NAT-DETECTED are INFO)
    ('diaggen2:resp-misrouted', 'sip:alice@example.com'): ('REG-RESP-MISROUTED', None),
    # 503 Retry-After 120, retried after 10 s -> 200: the 503 (ERR) is the
    # failure, the early retry a WARN
    ('diaggen2:retry-after', 'sip:alice@example.com'): ('REG-5XX', None),
    # the fragmented 2000-byte REGISTER is why it times out
    ('diaggen2:udp-frag', 'sip:alice@example.com'): ('REG-UDP-FRAG', None),
    # shared real captures (findings-real.txt was reviewed against tshark):
    # CESNET: three accounts challenged and never answered (NAT-DETECTED
    # is INFO); 6001 from the friendly-scanner source: a loop, an
    # unanswered challenge, a storm and a CSeq repeated on one Call-ID -
    # the only cause-kind finding, a UA bug that makes a registrar drop
    # the request (RFC 3261 §10.3 step 7).
    ('CESNET__ipfixprobe__tests__functional__inputs__sip.pcap', 'sip:3241636936@195.113.172.39'):
        ('REG-AUTH-NORETRY', None),
    ('CESNET__ipfixprobe__tests__functional__inputs__sip.pcap', 'sip:6000@195.113.172.39'):
        ('REG-AUTH-NORETRY', None),
    ('CESNET__ipfixprobe__tests__functional__inputs__sip.pcap', 'sip:6002@195.113.172.39'):
        ('REG-AUTH-NORETRY', None),
    ('CESNET__ipfixprobe__tests__functional__inputs__sip.pcap', 'sip:6001@195.113.172.39'):
        ('REG-CSEQ-ORDER', None),
    # unparsable Authorization (ERR) over a transport WARN
    ('OISF__suricata-verify__tests__sip-tcp-pattern-matching__sip.pcap',
     'sip:voi18063@sip.cybercity.dk'): ('REG-AUTH-MALFORMED', None),
    ('arkime__arkime__tests__pcap__gtp-iphone.pcap', 'tel:263734'):
        ('REG-TRANSPORT-MISMATCH', None),
    # sngrep aaa: 35104723 has three INFO notes, the earliest evidence
    # (frame 441) leads; voi18062 a WARN over INFOs; voi18063 the 403.
    ('irontec__sngrep__tests__aaa.pcap', 'sip:35104723@sip.cybercity.dk'):
        ('REG-NAT-DETECTED', None),
    ('irontec__sngrep__tests__aaa.pcap', 'sip:voi18062@sip.cybercity.dk'):
        ('REG-UNREG-INCOMPLETE', None),
    ('irontec__sngrep__tests__aaa.pcap', 'sip:voi18063@sip.cybercity.dk'): ('REG-403', None),
    ('ntop__nDPI__tests__cfgs__default__pcap__webex.pcap', 'sip:45191@172.16.1.75'):
        ('REG-TIMEOUT', None),
    ('sipcapture__heplify__example__pcap__rtp_rtcp_sip_ipv4_udp.pcap', 'sip:Ivan@verso.com'):
        ('REG-REFRESH-LATE', None),
}

out = []


def tap(ok, desc, diag=None):
    out.append(('ok %d - %s' if ok else 'not ok %d - %s') % (len(out) + 1, desc))
    if not ok and diag:
        out.extend('# ' + line for line in str(diag).splitlines()[:12])


tmp = tempfile.mkdtemp(prefix='rt-cause.')
creds = os.path.join(tmp, 'creds')
# the generators' password is "secret" (pcapgen.Options); a1001 is
# diaggen's auth-variant user; alicepw is the lab's (captures/README.md)
with open(creds, 'w') as fh:
    fh.write('alice:secret\na1001:secret\nalice@lab.local:alicepw\n')
os.chmod(creds, 0o600)

caps = []   # (name, path)
for g in ('pcapgen', 'diaggen', 'diaggen2'):
    lst = subprocess.run([PY, os.path.join(SRC, 'tests', 'gen', g + '.py'), '--list'],
                         capture_output=True, text=True).stdout
    for line in lst.splitlines():
        if not line.strip() or line[0].isspace():
            continue
        sc = line.split()[0]
        p = os.path.join(tmp, '%s-%s.pcap' % (g, sc))
        if subprocess.run([PY, os.path.join(SRC, 'tests', 'gen', g + '.py'), sc, p],
                          capture_output=True).returncode == 0 and os.path.exists(p):
            caps.append(('%s:%s' % (g, sc), p))
for p in sorted(glob.glob(os.path.join(SRC, 'captures', '*.pcap'))):
    caps.append((os.path.basename(p), p))
shared = sorted(glob.glob(os.path.join(SHARED, 'captures', 'lab', '*.pcap')) +
                glob.glob(os.path.join(SHARED, 'captures', 'real', '*.pcap*')))
for p in shared:
    caps.append((os.path.basename(p), p))

seen = set()
for name, path in caps:
    for with_creds in (False, True):
        opts = ['--credentials', creds] if with_creds else []
        r = subprocess.run([BIN, '--json', '-r', path] + opts, capture_output=True)
        try:
            regs = json.loads(r.stdout)['registrations']
        except (ValueError, KeyError):
            continue   # unreadable or damaged inputs are other tests' business
        for reg in regs:
            fs = reg['findings']
            c = reg['cause']
            if not fs:
                if c is not None:
                    tap(False, '%s %s: cause null without findings' % (name, reg['aor']))
                continue
            if len(fs) < 2:
                continue
            key = (name, reg['aor'])
            want = EXPECT.get(key)
            tag = '%s%s %s' % (name, ' --credentials' if with_creds else '', reg['aor'])
            if want is None:
                tap(False, '%s: %d findings, no expected cause argued in tests/cli/cause.py' %
                    (tag, len(fs)), ' '.join(f['rule'] for f in fs))
                continue
            seen.add(key)
            w = want[1] if with_creds and want[1] else want[0]
            got = c['rule'] if c else None
            lead = [f for f in fs if f['rule'] == got]
            tap(got == w and lead and c['message'] == lead[0]['message'] and '\n' not in c['message'],
                '%s: cause %s' % (tag, w), 'got %s; findings %s' % (got, [f['rule'] for f in fs]))

if not shared:
    out.append('ok %d # SKIP shared corpus absent (RT_SHARED=%s)' % (len(out) + 1, SHARED))
for key in sorted(EXPECT):
    in_shared = not key[0].endswith('.pcap') or os.path.basename(key[0]) in \
        [os.path.basename(p) for _, p in caps]
    if in_shared:
        tap(key in seen, '%s %s: the expected registration with several findings exists' % key)

print('1..%d' % len(out))
print('\n'.join(out))
subprocess.run(['rm', '-rf', tmp])
sys.exit(0)
