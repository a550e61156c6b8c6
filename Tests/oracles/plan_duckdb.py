#!/usr/bin/env python3
"""Run the SQL that `trennwand sql --dialect duckdb` renders, case by case, in DuckDB.

Usage: plan_duckdb.py MANIFEST.json
  MANIFEST is a JSON list of cases {"id": str, "setup": [statement, ...], "query": str}. Each case
  runs in a fresh in-memory database: the setup statements (DDL, loads of exported JSON Lines
  files), then the query. One JSON object per case is printed on its own line:
  {"id": ..., "rows": [[...], ...]} or {"id": ..., "error": "..."}.
No SQL is added here: what runs is exactly what Trennwand rendered (the DuckDB renderer needs no
shims). Exit codes: 0 ran (errors are reported per case), 2 usage/setup problem (duckdb missing).
"""
import json
import sys


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        import duckdb
    except ImportError:
        print("duckdb not installed: make pydeps", file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    for case in cases:
        con = duckdb.connect()
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
        print(json.dumps(out, default=str, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
