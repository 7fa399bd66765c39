#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""json_schema.py - regtrace --json and --jsonl output validated against
docs/schema.json (JSON Schema 2020-12) for every capture of the shared
corpus (captures/real and captures/lab), plus reference checks the schema
cannot express: every message id a registration refers to exists.

usage: json_schema.py REGTRACE SCHEMA SHARED_DIR   (prints TAP)
"""
import glob
import json
import os
import subprocess
import sys

try:
    import jsonschema
except ImportError:
    print("1..0 # SKIP python3-jsonschema not installed")
    sys.exit(0)


def main():
    rt, schema_path, shared = sys.argv[1:4]
    schema = json.load(open(schema_path))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    doc_v = cls(schema)
    line_v = cls({"$schema": schema["$schema"], "$defs": schema["$defs"],
                  "$ref": "#/$defs/jsonl_line"})
    caps = sorted(p for p in glob.glob(os.path.join(shared, "captures", "real", "*"))
                  if not p.endswith((".tsv", ".md", ".txt")) and os.path.isfile(p))
    caps += sorted(glob.glob(os.path.join(shared, "captures", "lab", "*.pcap")))
    if not caps:
        print("1..0 # SKIP no captures under %s" % shared)
        return 0
    res = []
    for cap in caps:
        name = os.path.relpath(cap, os.path.join(shared, "captures"))
        p = subprocess.run([rt, "--json", "--json-raw", "-r", cap], capture_output=True)
        try:
            doc = json.loads(p.stdout)
            errs = sorted(doc_v.iter_errors(doc), key=lambda e: list(e.path))
            why = "; ".join("%s: %s" % ("/".join(map(str, e.path)), e.message[:120])
                            for e in errs[:3])
            if not errs:
                ids = {m["id"] for m in doc["messages"]}
                refs = [i for r in doc["registrations"] for t in r["transactions"]
                        for i in t["request_msgs"] + [x["msg"] for x in t["responses"]]]
                bad = [i for i in refs if i not in ids]
                if bad:
                    why = "message ids %s referred to but not listed" % bad[:5]
        except ValueError as e:
            why = "not JSON (%s), exit %d" % (e, p.returncode)
        res.append((not why, "%s: --json valid" % name, why))

        p = subprocess.run([rt, "--jsonl", "-r", cap], capture_output=True)
        why = ""
        try:
            lines = p.stdout.decode("utf-8").splitlines()
            types = set()
            for n, l in enumerate(lines, 1):
                o = json.loads(l)
                types.add(o.get("type"))
                e = next(iter(line_v.iter_errors(o)), None)
                if e:
                    why = "line %d (%s): %s" % (n, o.get("type"), e.message[:160])
                    break
            if not why and "summary" not in types:
                why = "no summary line"
        except ValueError as e:
            why = "not JSON Lines (%s)" % e
        res.append((not why, "%s: --jsonl valid" % name, why))
    print("1..%d" % len(res))
    for i, (good, desc, why) in enumerate(res, 1):
        print("%s %d - %s%s" % ("ok" if good else "not ok", i, desc, "" if good else " (%s)" % why))
    return 0


if __name__ == "__main__":
    sys.exit(main())
