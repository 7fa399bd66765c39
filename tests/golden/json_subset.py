#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""json_subset.py < regtrace.json - the registration view a golden file pins:
per AOR its state, summary counts and each REGISTER transaction's request
frame, copies, credentials, final status and outcome; one line each, so a
golden file can be checked by hand against tshark's frame list."""
import json, sys

d = json.load(sys.stdin)
for r in d["registrations"]:
    s = r["summary"]
    print("aor %s state=%s attempts=%s failures=%s last=%s exp_req=%s exp_granted=%s contacts=%s"
          % (r["aor"], r["state"], s["attempts"], s["failures"], s["last_status"],
             s["expires_requested"], s["expires_granted"], s["contacts"]))
    for t in r["transactions"]:
        print("  txn frame=%s cseq=%s copies=%s creds=%s final=%s outcome=%s"
              % (t["request_frame"], t["cseq"], t["request_copies"], str(t["credentials"]).lower(),
                 t["final_status"], t["outcome"]))
