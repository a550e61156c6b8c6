#!/usr/bin/env python3
"""Writes Samples/expected-findings.txt from a scan's JSON Lines (stdin).

Used by `make expected-findings`. The file is the reviewed specification of what a scan of the
Samples must find: regenerate it only after checking every added or removed line by hand.
"""
import json
import sys

rows = []
for line in sys.stdin:
    obj = json.loads(line)
    if obj.get("type") == "summary":
        continue
    rows.append((obj["file"], obj.get("line") or 0, obj["rule_id"], obj.get("record_id") or "", obj["title"]))
rows.sort()
print("# Erwartete Befunde eines Scans von Samples/ (trennwand scan --config Samples/audit.yaml).")
print("# Regel-ID; Datei; Zeile; Datensatz-ID; Titel — geprüft von Hand; neu erzeugen mit `make expected-findings`.")
print("rule_id;file;line;record_id;title")
for f, l, r, rid, t in rows:
    print(f"{r};{f};{l};{rid};{t}")
