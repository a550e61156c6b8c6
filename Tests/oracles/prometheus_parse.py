#!/usr/bin/env python3
"""Test oracle: parses a Prometheus text exposition file with prometheus_client's own parser
(`make pydeps` installs prometheus-client) and prints its samples as JSON lines
{"name", "labels", "value", "type"}. Exits 1 on a parse error."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

with open(sys.argv[1], encoding="utf-8") as f:
    text = f.read()
try:
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            print(json.dumps({"name": s.name, "labels": s.labels, "value": float(s.value), "type": family.type, "help": family.documentation}))
except Exception as e:  # the parser raises ValueError and others on malformed input
    print(f"parse error: {e}", file=sys.stderr)
    sys.exit(1)
