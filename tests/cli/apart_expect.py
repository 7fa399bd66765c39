#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""apart_expect.py want FILE... | got < JSON

REGISTER outcomes of captures read one after the other (tests/cli/input_formats.sh).

want: from tshark's list of each FILE, in the order given, what every
REGISTER transaction and AOR should come to when the files are read in
that order, each on its own clock:
  - a transaction (Call-ID, CSeq) with a final response is "final STATUS";
    without one it is "timeout" when its file goes on for 32 s (Timer F =
    64*T1, RFC 3261 §17.1.2.2) after its first copy, or when it was sent
    >= 3 times (a UA retransmitting into silence), else "unknown";
  - an AOR is decided by its last transaction that was answered or timed
    out: 2xx "registered" ("expired" when the grant - the Contact's
    expires param, else the Expires header, §10.2.1.1 - runs out by the
    latest time of all files), 401/407 "challenged", another final
    "failed", a timeout "timeout"; with none, "unknown".
got: the same lines from regtrace's --json document on stdin.
Lines: "txn CALL-ID CSEQ OUTCOME" and "aor AOR STATE", sorted.
"""
import json
import re
import subprocess
import sys

TIMER_F = 32.0
MIN_COPIES = 3
FIELDS = ['frame.time_epoch', 'sip.Call-ID', 'sip.CSeq.seq', 'sip.Method', 'sip.Status-Code',
          'sip.to.addr', 'sip.Contact', 'sip.Expires']


def tshark(path):
    out = subprocess.run(['tshark', '-r', path, '-Y', 'sip', '-T', 'fields', '-E', 'separator=\t']
                         + sum((['-e', f] for f in FIELDS), []),
                         capture_output=True, text=True, check=True).stdout
    return [dict(zip(FIELDS, line.split('\t'))) for line in out.splitlines()]


def want(files):
    rows = [tshark(f) for f in files]
    latest = max(float(v['frame.time_epoch']) for r in rows for v in r)
    txns, order = {}, []          # (cid, cseq) -> state, in reading order
    for r in rows:
        end = max(float(v['frame.time_epoch']) for v in r)
        here = []
        for v in r:
            k = (v['sip.Call-ID'], int(v['sip.CSeq.seq']))
            t = float(v['frame.time_epoch'])
            if v['sip.Method']:
                if k not in txns:
                    txns[k] = {'aor': v['sip.to.addr'], 'first': t, 'copies': 0, 'final': None}
                    order.append(k)
                    here.append(k)
                txns[k]['copies'] += 1
            elif int(v['sip.Status-Code']) >= 200 and txns[k]['final'] is None:
                m = re.search(r'expires=(\d+)', v['sip.Contact'])
                grant = int(m.group(1)) if m else int(v['sip.Expires'] or 3600)
                txns[k].update(final=int(v['sip.Status-Code']), t_final=t, grant=grant)
        for k in here:               # this file's end is the end of its clock
            x = txns[k]
            if x['final'] is not None:
                x['outcome'] = 'final %d' % x['final']
            elif end - x['first'] >= TIMER_F or x['copies'] >= MIN_COPIES:
                x['outcome'] = 'timeout'
            else:
                x['outcome'] = 'unknown'
    lines, aors = [], {}
    for k in order:
        x = txns[k]
        lines.append('txn %s %d %s' % (k[0], k[1], x['outcome']))
        aors.setdefault(x['aor'], 'unknown')
        if x['outcome'] == 'timeout':
            aors[x['aor']] = 'timeout'
        elif x['final'] is not None:
            f = x['final']
            aors[x['aor']] = ('expired' if x['t_final'] + x['grant'] <= latest else 'registered') \
                if f < 300 else 'challenged' if f in (401, 407) else 'failed'
    lines += ['aor %s %s' % a for a in aors.items()]
    return sorted(lines)


def got(doc):
    lines = []
    for r in doc['registrations']:
        lines.append('aor %s %s' % (r['aor'], r['state']))
        for t in r['transactions']:
            o = t['outcome'] + (' %d' % t['final_status'] if t['outcome'] == 'final' else '')
            lines.append('txn %s %d %s' % (t['call_id'], t['cseq'], o))
    return sorted(lines)


if __name__ == '__main__':
    out = want(sys.argv[2:]) if sys.argv[1] == 'want' else got(json.load(sys.stdin))
    print('\n'.join(out))
