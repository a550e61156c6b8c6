#!/usr/bin/env python3
"""Run the SQL that Trennwand renders from rule plans for DuckDB, case by case.

Usage: plan_duckdb.py MANIFEST.json [ID ...]
  MANIFEST is a JSON list of cases {"id": str, "setup": [statement, ...], "query": str}. Each case
  (or only the given IDs) runs in a fresh in-memory database: the setup statements (DDL, loads of
  exported JSON Lines files), then the query. One JSON object per case is printed on its own line:
  {"id": ..., "rows": [[...], ...]} or {"id": ..., "error": "..."}.
No SQL is added here: what runs is exactly what Trennwand rendered (the DuckDB renderer needs no
shims). Exit codes: 0 ran (errors are reported per case), 2 usage/setup problem (duckdb missing).
"""
import json
import sys
import time


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        import duckdb
    except ImportError:
        print("duckdb not installed: make pydeps", file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    only = set(sys.argv[2:])
    for case in cases:
        if only and case["id"] not in only:
            continue
        started = time.monotonic()
        con = duckdb.connect(config={"threads": 1})
        statement = ""
        try:
            for statement in case["setup"]:
                con.execute(statement)
            statement = case["query"]
            rows = con.execute(statement).fetchall()
            out = {"id": case["id"], "rows": [list(r) for r in rows]}
        except duckdb.Error as e:
            out = {"id": case["id"], "error": f"{e}\n{statement}"}
        finally:
            con.close()
        out["seconds"] = round(time.monotonic() - started, 3)
        print(json.dumps(out, default=str, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
