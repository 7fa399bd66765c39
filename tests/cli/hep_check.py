#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""hep_check.py - checks of --hep-send against decoders regtrace did not write.

  hep_check.py hepjs CAPTURE DECODED.jsonl AGENT_ID KEY NODE
      DECODED.jsonl is what sipcapture's hep-js made of each datagram
      (tests/js/hep_decode.js).  Expected values come from tshark's
      reading of CAPTURE: one HEP packet per SIP message, in order, with
      the message's addresses, ports, IP protocol, capture time (seconds
      and microseconds), payload type 1, the agent id, key and node name
      given, and the message itself as payload (its start line and Call-ID
      as tshark reads them).
  hep_check.py same A.json B.json
      Two regtrace --json documents describe the same SIP (messages:
      endpoints, transport, method/status, Call-ID, time) and the same
      registrations (AOR, state, attempts) and findings (rule, severity,
      AOR) - frame numbers aside (a listener numbers what it received).
  hep_check.py tshark-same CAPTURE_A CAPTURE_B
      tshark lists the same SIP messages (method/status, Call-ID, ports,
      time) in both captures.
Exit 0 when the check holds; otherwise the first difference on stderr.
"""
import json
import os
import subprocess
import sys

TSHARK = os.environ.get('TSHARK') or 'tshark'
FIELDS = ['ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'udp.srcport', 'udp.dstport', 'tcp.srcport',
          'tcp.dstport', 'frame.time_epoch', 'sip.Method', 'sip.Status-Code', 'sip.Call-ID']


def tshark_sip(cap):
    # SIP quoted inside an ICMP error is evidence, not a message: HEP carries messages
    cmd = [TSHARK, '-n', '-r', cap, '-Y', 'sip && !icmp && !icmpv6', '-T', 'fields', '-E', 'occurrence=l']
    for f in FIELDS:
        cmd += ['-e', f]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines():
        v = dict(zip(FIELDS, line.split('\t')))
        sec, _, frac = v['frame.time_epoch'].partition('.')
        v['sec'] = int(sec)
        v['usec'] = int((frac + '000000000')[:6])
        rows.append(v)
    return rows


def fail(msg):
    sys.stderr.write(msg + '\n')
    sys.exit(1)


def hepjs(cap, decoded, agent, key, node):
    want = tshark_sip(cap)
    got = [json.loads(line) for line in open(decoded) if line.strip()]
    if len(got) != len(want):
        fail('%d HEP packets decoded, tshark lists %d SIP messages' % (len(got), len(want)))
    for i, (g, w) in enumerate(zip(got, want), 1):
        if 'error' in g:
            fail('packet %d: hep-js: %s' % (i, g['error']))
        r = g['rcinfo']
        v6 = bool(w['ipv6.src'])
        tcp = bool(w['tcp.srcport'])
        exp = {
            'protocolFamily': 10 if v6 else 2,
            'protocol': 6 if tcp else 17,
            'srcPort': int(w['tcp.srcport' if tcp else 'udp.srcport']),
            'dstPort': int(w['tcp.dstport' if tcp else 'udp.dstport']),
            'timeSeconds': w['sec'], 'timeUseconds': w['usec'],
            'payloadType': 1, 'captureId': int(agent), 'capturePass': key, 'hepNodeName': node,
        }
        if not v6:
            exp['srcIp'] = w['ip.src']
            exp['dstIp'] = w['ip.dst']
        for k, e in exp.items():
            if r.get(k) != e:
                fail('packet %d: %s is %r, want %r' % (i, k, r.get(k), e))
        first = g['payload'].split('\r\n', 1)[0]
        if w['sip.Method'] and not first.startswith(w['sip.Method'] + ' '):
            fail('packet %d: payload starts %r, want method %s' % (i, first, w['sip.Method']))
        if w['sip.Status-Code'] and not first.startswith('SIP/2.0 ' + w['sip.Status-Code']):
            fail('packet %d: payload starts %r, want status %s' % (i, first, w['sip.Status-Code']))
        if ('Call-ID: ' + w['sip.Call-ID']) not in g['payload'] and ('i: ' + w['sip.Call-ID']) not in g['payload']:
            fail('packet %d: payload lacks Call-ID %s' % (i, w['sip.Call-ID']))
    return 0


# HEP carries SIP messages only: the TCP resets a capture holds do not travel
# with it, so a finding that rests on them alone is not expected of a listener.
NOT_OVER_HEP = {'REG-TCP-REFUSED'}


def view(doc):
    msgs = [(m['src'], m['dst'], m['transport'], m['kind'], m.get('method'), m.get('status'),
             m['call_id'], m['ts_ns']) for m in doc['messages']]
    regs = [(r['aor'], r['state'], len(r['attempts'])) for r in doc['registrations']]
    finds = sorted((f['rule'], f['severity'], f.get('aor')) for f in doc['findings']
                   if f['rule'] not in NOT_OVER_HEP)
    return msgs, regs, finds


def same(a, b):
    va, vb = view(json.load(open(a))), view(json.load(open(b)))
    for name, x, y in zip(('messages', 'registrations', 'findings'), va, vb):
        if x != y:
            fail('%s differ:\n  %s\n  %s' % (name, x[:5], y[:5]))
    if not va[0]:
        fail('no messages at all')
    return 0


def tshark_same(a, b):
    def key(rows):
        return [(r['sip.Method'], r['sip.Status-Code'], r['sip.Call-ID'], r['sec'], r['usec'],
                 r['udp.srcport'] or r['tcp.srcport']) for r in rows]
    ka, kb = key(tshark_sip(a)), key(tshark_sip(b))
    if ka != kb:
        fail('tshark lists differ:\n  %s\n  %s' % (ka[:4], kb[:4]))
    if not ka:
        fail('tshark lists no SIP')
    return 0


if __name__ == '__main__':
    mode = sys.argv[1]
    if mode == 'hepjs':
        sys.exit(hepjs(*sys.argv[2:7]))
    if mode == 'same':
        sys.exit(same(*sys.argv[2:4]))
    if mode == 'tshark-same':
        sys.exit(tshark_same(*sys.argv[2:4]))
    fail('usage: see the top of this file')
