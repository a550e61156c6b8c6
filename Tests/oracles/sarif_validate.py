#!/usr/bin/env python3
"""Validate a SARIF log against the OASIS SARIF 2.1.0 JSON schema (Draft 4).

Usage: sarif_validate.py FILE SHARED_DIR_OR_SCHEMA
  SHARED_DIR_OR_SCHEMA is either the schema file itself or the shared directory that holds
  testsuites/sarif/sarif-schema-2.1.0.json (the schema is read from there, never copied).
Exit codes: 0 valid, 1 invalid (errors printed), 2 usage/setup problem (jsonschema missing).
"""
import json
import os
import sys

def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    log_path, where = sys.argv[1], sys.argv[2]
    schema_path = where if os.path.isfile(where) else os.path.join(where, "testsuites", "sarif", "sarif-schema-2.1.0.json")
    try:
        import jsonschema
    except ImportError:
        print("jsonschema not installed: pip install jsonschema", file=sys.stderr)
        return 2
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    with open(log_path, encoding="utf-8") as f:
        log = json.load(f)
    validator = jsonschema.Draft4Validator(schema)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    for e in errors[:50]:
        print("/".join(str(p) for p in e.absolute_path) + ": " + e.message, file=sys.stderr)
    results = sum(len(r.get("results", [])) for r in log.get("runs", []))
    if errors:
        print(f"INVALID: {len(errors)} error(s)", file=sys.stderr)
        return 1
    print(f"VALID: {results} result(s)")
    return 0

if __name__ == "__main__":
    sys.exit(main())
