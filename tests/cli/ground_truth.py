#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""ground_truth.py - REGISTER transactions of regtrace --json against the
shared corpus' ground truth (captures/real/expected/*.detail.tsv).

The expected files were made independently of regtrace (tshark, read by
hand; see captures/real/README.md): one line per REGISTER client
transaction with the frame of the first request copy and the first final
status.  For every line, the JSON must hold a REGISTER transaction with
that request_frame and final_status, in the registration of that AOR; and no REGISTER transaction beyond
the expected ones.  A line whose request frame regtrace did not dissect at
all (no message at that frame: TCP reassembly / GTP not built yet) is
reported as TAP "# TODO", never hidden.

usage: ground_truth.py REGTRACE SHARED_DIR   (prints TAP)
"""
import csv
import glob
import json
import os
import subprocess
import sys


def main():
    rt, shared = sys.argv[1], sys.argv[2]
    exp_dir = os.path.join(shared, "captures", "real", "expected")
    files = sorted(glob.glob(os.path.join(exp_dir, "*.detail.tsv")))
    if not files:
        print("1..0 # SKIP no ground truth in %s" % exp_dir)
        return 0
    out = []
    for tsv in files:
        cap = os.path.join(shared, "captures", "real",
                           os.path.basename(tsv)[: -len(".detail.tsv")])
        name = os.path.basename(cap)
        with open(tsv, newline="") as f:
            rows = list(csv.DictReader(f, delimiter="\t"))
        p = subprocess.run([rt, "--json", "-r", cap], capture_output=True)
        try:
            doc = json.loads(p.stdout)
        except ValueError as e:
            out.append(("not ok", "%s: regtrace --json gives JSON (%s, exit %d)"
                        % (name, e, p.returncode), ""))
            continue
        frames = {m["frame"] for m in doc["messages"]}
        txns = {}
        for reg in doc["registrations"]:
            for t in reg["transactions"]:
                txns.setdefault(t["request_frame"], []).append(
                    (t["final_status"], reg["aor"]))
        missing_dissect = 0
        for r in rows:
            fr = int(r["frame_of_request"])
            want = None if r["final_status"] in ("-", "none", "") else int(r["final_status"])
            desc = "%s: frame %d CSeq %s %s -> %s" % (
                name, fr, r["cseq"], r["to_aor"], r["final_status"])
            got = txns.get(fr, [])
            if any(g[0] == want and g[1] == r["to_aor"] for g in got):
                out.append(("ok", desc, ""))
            elif fr not in frames:
                missing_dissect += 1
                out.append(("not ok", desc, " # TODO frame %d not dissected yet (%s transport;"
                            " TCP/GTP dissection is the streams issue)" % (fr, r["transport"])))
            else:
                out.append(("not ok", desc + " (got %s)" % (got or "no transaction"), ""))
        # no REGISTER transaction beyond the expected ones
        want_frames = sorted(int(r["frame_of_request"]) for r in rows)
        got_frames = sorted(fr for fr, v in txns.items() for _ in v)
        desc = "%s: %d REGISTER transactions, no extra" % (name, len(want_frames))
        if got_frames == want_frames:
            out.append(("ok", desc, ""))
        elif missing_dissect:
            out.append(("not ok", desc + " (got %d)" % len(got_frames),
                        " # TODO %d request(s) not dissected yet" % missing_dissect))
        else:
            out.append(("not ok", desc + " (got frames %s)" % got_frames, ""))
    print("1..%d" % len(out))
    for i, (st, desc, todo) in enumerate(out, 1):
        print("%s %d - %s%s" % (st, i, desc, todo))
    return 0


if __name__ == "__main__":
    sys.exit(main())
