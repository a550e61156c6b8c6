#!/usr/bin/env python3
"""Run the SQL that Trennwand renders for conditions in DuckDB (an in-memory database).

Usage: sql_duckdb.py SETUP_SQL QUERIES_SQL
  SETUP_SQL creates and fills the tables (one statement per line), QUERIES_SQL holds one query
  per line; every row of every query is printed on a line of its own, in query order.
The rendering targets PostgreSQL; DuckDB reads that dialect except for what is defined below:
  btrim(s)                  PostgreSQL's name for trim(s)
  tw_within_schedule(t,s,z) the schedule function a deployment provides, stubbed to true
Exit codes: 0 ran, 1 a statement failed (printed), 2 usage/setup problem (duckdb missing).
"""
import sys


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        import duckdb
    except ImportError:
        print("duckdb not installed: make pydeps", file=sys.stderr)
        return 2
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("CREATE MACRO btrim(s) AS trim(s)")
    con.execute("CREATE MACRO tw_within_schedule(t, s, z) AS true")
    with open(sys.argv[1], encoding="utf-8") as f:
        setup = [line for line in f.read().splitlines() if line.strip()]
    with open(sys.argv[2], encoding="utf-8") as f:
        queries = [line for line in f.read().splitlines() if line.strip()]
    for number, statement in enumerate(setup + queries, 1):
        try:
            rows = con.execute(statement).fetchall()
        except duckdb.Error as e:
            print(f"statement {number} failed: {e}\n{statement}", file=sys.stderr)
            return 1
        if number > len(setup):
            for row in rows:
                print(row[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
