#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""html_browser.py - the HTML report (--html) in a real browser: Debian's
chromium, headless, driven over the DevTools protocol (python3-websocket).

1. captures/wrong-password.pcap (captures/README.md, tshark: 8 SIP
   messages, frames 1-8; frame 8 is "403 Forbidden - Bad Credentials"):
   one AOR row sip:alice@lab.local, failed, WHY REG-AUTH-LOOP; the loop's
   message in words; one ladder arrow per message (8); a mouse click on
   the last arrow shows its raw text; a finding's frame link flashes its
   arrow; the search box and the state filter filter the rows; a failed
   attempt on the timeline.  Screenshot: tests/artefacts/html-wrong-password.png
   under the build directory.
2. tests/gen/pcapgen.py html-inject (markup in User-Agent, Call-ID, reason
   phrase, Server, To display name): the title is unchanged, no dialog,
   no console error (a script the CSP refused would log one), no element
   came from the capture, and the strings show as text.

Skips when chromium or python3-websocket is missing.  Chromium is started
and stopped by its PID, with a fresh profile directory.
Env (make check): RT_BIN, RT_SRC.
"""
import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

SRC = os.environ.get('RT_SRC') or os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get('RT_BIN') or os.path.join(SRC, 'regtrace')
PY = os.environ.get('PYTHON3') or sys.executable
sys.path.insert(0, os.path.join(SRC, 'tests', 'gen'))

out = []


def tap(ok, desc, diag=None):
    out.append(('ok %d - %s' if ok else 'not ok %d - %s') % (len(out) + 1, desc))
    if not ok and diag is not None:
        out.extend('# ' + line for line in str(diag).splitlines()[:10])


def done():
    print('1..%d' % len(out))
    print('\n'.join(out))
    sys.exit(0)


CHROMIUM = shutil.which('chromium') or shutil.which('chromium-browser')
try:
    import websocket  # python3-websocket
except ImportError:
    websocket = None
if not CHROMIUM or websocket is None:
    print('1..0 # SKIP chromium or python3-websocket not installed (scripts/deps.sh installs them)')
    sys.exit(0)

tmp = tempfile.mkdtemp(prefix='rt-html.')
art = os.path.join(os.getcwd(), 'tests', 'artefacts')
os.makedirs(art, exist_ok=True)


class Tab:
    """One page over the DevTools websocket: commands and the events seen."""

    def __init__(self, url):
        self.ws = websocket.create_connection(url, timeout=30)
        self.n = 0
        self.events = []

    def cmd(self, method, **params):
        self.n += 1
        self.ws.send(json.dumps({'id': self.n, 'method': method, 'params': params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get('id') == self.n:
                if 'error' in msg:
                    raise RuntimeError('%s: %s' % (method, msg['error']))
                return msg.get('result', {})
            self.events.append(msg)

    def wait(self, method, timeout=20):
        t_end = time.time() + timeout
        for e in self.events:
            if e.get('method') == method:
                self.events.remove(e)
                return e
        while time.time() < t_end:
            msg = json.loads(self.ws.recv())
            if msg.get('method') == method:
                return msg
            self.events.append(msg)
        return None

    def js(self, expr):
        r = self.cmd('Runtime.evaluate', expression=expr, returnByValue=True, awaitPromise=True)
        if 'exceptionDetails' in r:
            raise RuntimeError('%s: %s' % (expr[:60], r['exceptionDetails']))
        return r['result'].get('value')

    def open(self, path):
        self.events = []
        self.cmd('Page.navigate', url='file://' + path)
        return self.wait('Page.loadEventFired') is not None

    def click(self, selector):
        """A real mouse click at the element's centre (Input domain)."""
        rect = self.js('(()=>{const e=document.querySelector(%s);e.scrollIntoView({block:"center"});'
                       'const r=e.getBoundingClientRect();return [r.x+r.width/2,r.y+r.height/2];})()'
                       % json.dumps(selector))
        for t in ('mousePressed', 'mouseReleased'):
            self.cmd('Input.dispatchMouseEvent', type=t, x=rect[0], y=rect[1], button='left',
                     clickCount=1)

    def errors(self):
        """Console errors, exceptions, dialogs among the events so far."""
        bad = []
        for e in self.events:
            m, p = e.get('method'), e.get('params', {})
            if m == 'Runtime.exceptionThrown':
                bad.append(p)
            elif m == 'Runtime.consoleAPICalled' and p.get('type') in ('error', 'assert'):
                bad.append(p)
            elif m == 'Log.entryAdded' and p.get('entry', {}).get('level') == 'error':
                bad.append(p['entry'].get('text'))
            elif m == 'Page.javascriptDialogOpening':
                bad.append(p)
        return bad


def report(cap, name):
    html = os.path.join(tmp, name + '.html')
    r = subprocess.run([BIN, '-r', cap, '--html', html, '--no-tui'], capture_output=True)
    return html if r.returncode == 0 else None


wp = report(os.path.join(SRC, 'captures', 'wrong-password.pcap'), 'wrong-password')
inj_cap = os.path.join(tmp, 'inject.pcap')
subprocess.run([PY, os.path.join(SRC, 'tests', 'gen', 'pcapgen.py'), 'html-inject', inj_cap],
               capture_output=True)
inj = report(inj_cap, 'inject')
tap(wp is not None and inj is not None, '--html writes both reports')
if not wp or not inj:
    done()

profile = os.path.join(tmp, 'profile')
os.makedirs(profile)
proc = subprocess.Popen([CHROMIUM, '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
                         '--no-first-run', '--disable-background-networking',
                         '--disable-component-update', '--disable-sync',
                         '--user-data-dir=' + profile, '--remote-debugging-port=0',
                         '--window-size=1280,1000', 'about:blank'],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    port = None
    for _ in range(200):
        try:
            with open(os.path.join(profile, 'DevToolsActivePort')) as fh:
                port = int(fh.readline())
            break
        except (OSError, ValueError):
            time.sleep(0.1)
    tap(port is not None, 'chromium started (pid %d) with a DevTools port' % proc.pid)
    if port is None:
        done()
    pages = []
    for _ in range(50):
        with urllib.request.urlopen('http://127.0.0.1:%d/json/list' % port) as r:
            pages = [p for p in json.load(r) if p.get('type') == 'page']
        if pages:
            break
        time.sleep(0.1)
    tab = Tab(pages[0]['webSocketDebuggerUrl'])
    for d in ('Page.enable', 'Runtime.enable', 'Log.enable'):
        tab.cmd(d)

    # ---- 1. the wrong-password report
    tap(tab.open(wp), 'wrong-password report loads')
    rows = tab.js('[...document.querySelectorAll("#tbody tr.r")].map(r=>[...r.cells].map(c=>c.textContent))')
    tap(len(rows) == 1 and rows[0][:4] == ['sip:alice@lab.local', 'failed', '403', '1'],
        'one AOR row: sip:alice@lab.local, failed, 403, 1 attempt', rows)
    tap(rows and rows[0][6] == 'REG-AUTH-LOOP', 'WHY is the cause REG-AUTH-LOOP', rows)
    text = tab.js('document.body.innerText')
    tap("The server rejected the credentials of user 'alice' (realm 'lab.local') 2 times in a row"
        in text, 'the finding in words on the page')
    tap('User-Agent: sipp-lab' in text and '1-5730@127.0.0.1' in text,
        'User-Agent and Call-ID (captures/README.md: 1-5730@127.0.0.1) visible')
    n = tab.js('document.querySelectorAll("svg.ladder g.arrow").length')
    tap(n == 8, 'one ladder arrow per SIP message (8)', n)
    frames = tab.js('[...document.querySelectorAll("svg.ladder g.arrow")].map(g=>g.id.split("-").pop())')
    tap(frames == [str(i) for i in range(1, 9)], 'arrows carry frames 1..8 in order', frames)
    tap(tab.js('document.querySelectorAll("svg.tl path.fail").length') == 1,
        'timeline: the failed attempt marked')
    tab.click('svg.ladder g.arrow:last-of-type')
    raw = tab.js('document.getElementById("panel").hidden ? null : document.getElementById("raw").textContent')
    tap(raw is not None and raw.startswith('SIP/2.0 403 Forbidden - Bad Credentials\n'),
        'clicking the last arrow shows frame 8, the 403, as raw text', (raw or '')[:80])
    tab.click('a.fr:last-of-type')
    tap(tab.js('document.querySelector("g.arrow.flash") ? document.querySelector("g.arrow.flash").id : null')
        is not None, "a finding's frame link flashes its arrow")
    shot = tab.cmd('Page.captureScreenshot', format='png', captureBeyondViewport=True)
    png = os.path.join(art, 'html-wrong-password.png')
    with open(png, 'wb') as fh:
        fh.write(base64.b64decode(shot['data']))
    tap(os.path.getsize(png) > 10000, 'screenshot saved: ' + png)
    tab.js('(()=>{const q=document.getElementById("q");q.value="nobody-here";'
           'q.dispatchEvent(new Event("input"));})()')
    tap(tab.js('document.querySelectorAll("#tbody tr.r").length') == 0, 'search: no match, no row')
    tab.js('(()=>{const q=document.getElementById("q");q.value="";q.dispatchEvent(new Event("input"));'
           'const s=document.getElementById("st");s.value="registered";s.dispatchEvent(new Event("change"));})()')
    tap(tab.js('document.querySelectorAll("#tbody tr.r").length') == 0, 'state filter registered: no row')
    tab.js('(()=>{const s=document.getElementById("st");s.value="failed";s.dispatchEvent(new Event("change"));})()')
    tap(tab.js('document.querySelectorAll("#tbody tr.r").length') == 1, 'state filter failed: the row')
    tap(tab.errors() == [], 'wrong-password: console without errors', tab.errors())

    # ---- 2. the injection capture
    import pcapgen
    tap(tab.open(inj), 'injection report loads')
    time.sleep(0.5)   # a timer an injected script set would have fired
    title = tab.js('document.title')
    tap(title == 'regtrace report: ' + inj_cap, 'title unchanged', title)
    tap(tab.errors() == [], 'injection: console without errors, no dialog', tab.errors())
    tap(tab.js('[...document.scripts].filter(s=>!s.type||/javascript/.test(s.type)).length') == 1 and
        tab.js('document.querySelectorAll("style").length') == 1 and
        tab.js('document.querySelectorAll("img,iframe,object,[onerror],[onmouseover]").length') == 0,
        'no element from the capture (one executable script, the one <style>, no img/handler)')
    cells = tab.js('[...document.querySelectorAll("#tbody tr.r")[0].cells].map(c=>c.textContent)')
    tap(cells[4] == pcapgen.INJECT_UA and cells[5] == pcapgen.INJECT_CALLID,
        'User-Agent and Call-ID shown as text, byte for byte', cells)
    tab.click('svg.ladder g.arrow:last-of-type')
    raw = tab.js('document.getElementById("raw").textContent')
    tap(raw.startswith('SIP/2.0 403 ' + pcapgen.INJECT_REASON + '\n') and
        pcapgen.INJECT_SERVER in raw and '"<b onmouseover=alert(1)>Alice</b>"' in raw,
        'reason phrase, Server and To display name shown as text', raw[:120])
    shot = tab.cmd('Page.captureScreenshot', format='png')
    with open(os.path.join(art, 'html-inject.png'), 'wb') as fh:
        fh.write(base64.b64decode(shot['data']))
    tap(tab.js('document.title') == 'regtrace report: ' + inj_cap and tab.errors() == [],
        'after the click: title unchanged, no error')
finally:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    shutil.rmtree(tmp, ignore_errors=True)
done()
