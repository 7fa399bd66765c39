#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# max_memory.sh - --max-memory and the message store (src/store/): a ~100k-packet
# capture made here (tests/memgen.py: 25000 users, each REGISTER -> 401 ->
# REGISTER(auth) -> 200, interleaved) is analysed with a small --max-memory.
# Expected values come from the generator, not from regtrace: every user
# sip:userN@example.com (N = 0..24999) ends registered with 200, 1 attempt;
# the SIP text in the capture is the sum of the UDP payloads (record length
# - 14 Ethernet - 20 IPv4 - 8 UDP bytes), read from the pcap by this script.
# Memory: peak RSS (wait4 ru_maxrss) with the store must be below the peak
# with records kept on the heap (REGTRACE_NO_STORE=1) by at least 80 % of
# that SIP text, and within the 64 MiB given (the model of 25000 AORs /
# 50000 transactions, ~80 MB on the heap, lives in the store's file too since
# the model's objects moved there; all records are ~125 MB).  Under a sanitizer
# build (shadow memory, no pager) the RSS checks are skipped.
. "$(dirname "$0")/tap.sh"
command -v "$PYTHON3" > /dev/null || skip_all "python3 missing"
[ -r /proc/self/status ] || skip_all "no /proc"
plan 9
T=$(tmpdir)
trap 'rm -rf "$T"' EXIT
n=$("$PYTHON3" "$RT_SRC/tests/memgen.py" "$T/mem.pcap" 25000)
is "$n" 100000 "the generator wrote 100000 SIP messages"

"$PYTHON3" - "$RT_BIN" "$T" <<'PY'
import os, re, struct, subprocess, sys, json
rt, T = sys.argv[1], sys.argv[2]
cap = os.path.join(T, 'mem.pcap')
n = 0
def out(ok, desc):
    global n
    n += 1
    print(('ok' if ok else 'not ok') + ' %d - %s' % (n + 1, desc))
def skip(desc):
    global n
    n += 1
    print('ok %d # SKIP %s' % (n + 1, desc))

# SIP text in the capture, from the pcap records (Ethernet + IPv4 + UDP)
with open(cap, 'rb') as f:
    data = f.read()
off, payload = 24, 0
while off + 16 <= len(data):
    incl = struct.unpack_from('<I', data, off + 8)[0]
    payload += incl - 42
    off += 16 + incl

def run(args, env_extra=None):
    env = dict(os.environ)
    env.pop('REGTRACE_NO_STORE', None)
    env.update(env_extra or {})
    with open(os.path.join(T, 'out'), 'wb') as o, open(os.path.join(T, 'err'), 'wb') as e:
        p = subprocess.Popen([rt] + args, stdout=o, stderr=e, env=env)
        _, status, ru = os.wait4(p.pid, 0)
    rc = os.waitstatus_to_exitcode(status)
    return rc, ru.ru_maxrss * 1024, open(os.path.join(T, 'out'), 'rb').read().decode('utf-8', 'replace'), \
        open(os.path.join(T, 'err'), 'rb').read().decode('utf-8', 'replace')

rc, rss_small, rep, err = run(['--max-memory', '64M', '--report', '-r', cap])
out(rc == 0, 'report with --max-memory 64M exits 0 (rc %d)' % rc)
states = {}
for line in rep.splitlines():
    m = re.match(r'^(sip:user\d+@example\.com)\s+(\S+)\s+(\d+)\s+(\d+)\s', line)
    if m:
        states.setdefault(m.group(1), []).append((m.group(2), m.group(3), m.group(4)))
want = {'sip:user%d@example.com' % i for i in range(25000)}
bad = [a for a in want if states.get(a) != [('registered', '200', '1')]]
out(set(states) == want and not bad,
    'every one of the 25000 AORs is listed once: registered, 200, 1 attempt (%d listed, %d wrong: %s)'
    % (len(states), len(bad), bad[:3]))
out('25000 AORs: 25000 registered, 0 failed' in rep, 'the totals line says 25000 registered')
out(re.search(r'message detail: .* evicted from RAM', err) is not None,
    'stderr says how much message detail was evicted')

asan = b'asan' in subprocess.run(['ldd', rt], capture_output=True).stdout or \
       b'__asan_init' in open(rt, 'rb').read()
rc2, rss_heap, rep2, _ = run(['--report', '-r', cap], {'REGTRACE_NO_STORE': '1'})
out(rc2 == 0 and rep2 == rep, 'with the records on the heap the report is the same')
if asan:
    skip('sanitizer build: RSS not comparable')
    skip('sanitizer build: RSS not comparable')
else:
    out(rss_small <= rss_heap - 0.8 * payload,
        'peak RSS %.1f MB <= %.1f MB (heap records) - 80%% of the %.1f MB of SIP text'
        % (rss_small / 2**20, rss_heap / 2**20, payload / 2**20))
    out(rss_small <= 64 * 2**20, 'peak RSS %.1f MB <= 64 MiB (--max-memory 64M holds)' % (rss_small / 2**20))

rc3, _, js, _ = run(['--max-memory', '64M', '--json', '-r', cap])
try:
    d = json.loads(js)
    mem = d['capture'].get('memory') or {}
    ok = rc3 == 0 and mem.get('limit_bytes') == 64 * 2**20 and \
        mem.get('evicted_bytes', 0) >= 0.8 * payload and mem.get('message_bytes', 0) >= payload
    desc = 'JSON capture.memory: limit 64 MiB, message_bytes >= SIP text, evicted >= 80%% of it (%s)' % mem
except Exception as ex:
    ok, desc = False, 'JSON capture.memory (%s)' % ex
out(ok, desc)
PY
