#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""diag_live.py - findings as they happen equal the end-of-run batch.

For every capture (bundled, ../shared real and lab, every generated
diagnosis scenario of diaggen.py and diaggen2.py) regtrace runs three
ways: REGTRACE_DIAG=batch (findings only at the end: the test aid the
live evaluation is checked against), REGTRACE_DIAG=every (a checkpoint
before every message, so short captures are evaluated as they go too)
and the default.  Checked for each:
 - the --jsonl finding lines, read as a consumer must read them (a later
   line with the same rule, AOR, first frame and ordinal replaces an
   earlier one, finding_withdrawn removes it), are the batch's findings:
   rule, AOR, severity, frames and message;
 - every other line is the batch's, in the same order;
 - --json --json-raw is byte-identical to the batch's (the evaluations
   while reading leave nothing behind in the model).
"""
import json
import os
import subprocess
import sys
import tempfile

RT_BIN = os.environ["RT_BIN"]
RT_SRC = os.environ["RT_SRC"]
RT_SHARED = os.environ.get("RT_SHARED", os.path.join(RT_SRC, "..", "shared"))
PY = sys.executable
n = 0
failed = 0
live_total = 0
live_caps = 0


def out(s):
    sys.stdout.write(s + "\n")
    sys.stdout.flush()


def ok(cond, desc, why=""):
    global n, failed
    n += 1
    if cond:
        out("ok %d - %s" % (n, desc))
    else:
        failed += 1
        out("not ok %d - %s" % (n, desc))
        for l in why.splitlines()[:20]:
            out("# " + l)


def run(mode, cap, *args):
    env = dict(os.environ, REGTRACE_DIAG=mode, REGTRACE_THREADS=os.environ.get("REGTRACE_THREADS", "2"))
    if mode == "default":
        env.pop("REGTRACE_DIAG")
    p = subprocess.run([RT_BIN, "-r", cap] + list(args), env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL)
    return p.stdout


def fkey(o):
    return (o["rule"], o.get("aor"), o["frames"][0] if o["frames"] else 0)


def reduce(lines):
    """(finding set as a consumer rebuilds it, the other lines, live count)"""
    cur = {}          # key -> list of findings (ordinal = place)
    order = []
    other = []
    live = 0
    seen_in_batch = {}
    for raw in lines:
        o = json.loads(raw)
        t = o["type"]
        if t == "finding":
            if o.pop("live", False):
                live += 1
            k = fkey(o)
            lst = cur.setdefault(k, [])
            # the ordinal: findings of one key come in the same order each time
            # an AOR is evaluated; a line replaces the first of its key not
            # yet replaced in this round
            r = seen_in_batch.get(k, 0)
            if r < len(lst):
                lst[r] = o
            else:
                lst.append(o)
            seen_in_batch[k] = r + 1
        elif t == "finding_withdrawn":
            k = (o["rule"], o.get("aor"), o["frames"][0] if o["frames"] else 0)
            if cur.get(k):
                cur[k].pop(0)
        else:
            other.append(raw)
            # a new round of replacements starts after any non-finding line
            seen_in_batch = {}
    fs = sorted(json.dumps(f, sort_keys=True) for lst in cur.values() for f in lst)
    return fs, other, live


def check(cap, name):
    global live_total, live_caps
    b = run("batch", cap, "--jsonl").splitlines()
    bf, bo, bl = reduce(b)
    any_live = 0
    for mode in ("every", "default"):
        l = run(mode, cap, "--jsonl").splitlines()
        lf, lo, ll = reduce(l)
        any_live = max(any_live, ll)
        why = ""
        if lf != bf:
            why = "findings differ:\n  batch %s\n  %s %s" % (bf, mode, lf)
        elif lo != bo:
            why = "other lines differ"
        ok(not why, "%s: %s --jsonl findings = batch (%d findings, %d reported live)" % (name, mode, len(bf), ll), why)
    jb = run("batch", cap, "--json", "--json-raw")
    je = run("every", cap, "--json", "--json-raw")
    ok(jb == je, "%s: --json --json-raw identical after evaluating before every message" % name)
    live_total += any_live
    live_caps += 1 if any_live else 0


def main():
    caps = []
    for d in (os.path.join(RT_SRC, "captures"), os.path.join(RT_SHARED, "captures", "real"),
              os.path.join(RT_SHARED, "captures", "lab")):
        if os.path.isdir(d):
            for f in sorted(os.listdir(d)):
                if f.endswith((".pcap", ".pcapng")):
                    caps.append((os.path.join(d, f), os.path.basename(d) + "/" + f))
    have_shared = os.path.isdir(os.path.join(RT_SHARED, "captures", "real"))
    tmp = tempfile.mkdtemp(prefix="rt-dl-")
    for gen in ("diaggen.py", "diaggen2.py"):
        g = os.path.join(RT_SRC, "tests", "gen", gen)
        for line in subprocess.run([PY, g, "--list"], stdout=subprocess.PIPE, text=True).stdout.splitlines():
            sc = line.split()[0]
            p = os.path.join(tmp, "%s-%s.pcap" % (gen[:-3], sc))
            if subprocess.run([PY, g, sc, p]).returncode == 0:
                caps.append((p, "%s/%s" % (gen[:-3], sc)))
    out("1..%d" % (3 * len(caps) + 1))
    if not have_shared:
        out("# ../shared absent: only the bundled and generated captures")
    for p, name in caps:
        check(p, name)
    # the live path must actually have run on the corpus, or the above proves nothing
    ok(live_caps >= 10, "findings were reported while reading on %d captures (%d lines)" % (live_caps, live_total))
    for f in os.listdir(tmp):
        os.unlink(os.path.join(tmp, f))
    os.rmdir(tmp)
    return 1 if failed else 0


sys.exit(main())
