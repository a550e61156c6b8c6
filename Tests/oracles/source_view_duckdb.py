#!/usr/bin/env python3
"""Source views against the export (SourceViewTests).

usage: source_view_duckdb.py RAWDIR EXPDIR

RAWDIR holds `trennwand-bench rawsql`'s sql/duckdb-raw/run-all.sql, EXPDIR an export of the same
inputs (same order) with `trennwand sql --dialect duckdb` already run. Both scripts are run here on
DuckDB; then compared:
  1. every record and reference table: the source views' rows against the exported rows, all
     columns except tw_line, tw_column and tw_offset (the views leave them NULL);
  2. every rule's result rows (results/duckdb-raw vs results/duckdb), as JSON objects without
     those three columns, as multisets;
  3. the rejected rows per file and reason against the manifests' rejected_by_reason.
Prints a JSON summary on stdout; exit 1 with the differences on stderr.
"""
import collections
import glob
import json
import os
import sys

import duckdb

LOCATOR = ("tw_line", "tw_column", "tw_offset")
KINDS = ["access", "documentation", "flow", "staff", "secondments", "agreements", "consents", "participants", "offers"]


def run(directory, script):
    con = duckdb.connect(config={"threads": 2})
    cwd = os.getcwd()
    os.chdir(directory)
    try:
        con.execute(open(script, encoding="utf-8").read())
    finally:
        os.chdir(cwd)
    return con


def rows(con, table):
    cur = con.execute(f'SELECT * EXCLUDE ({", ".join(LOCATOR)}) FROM "{table}" ORDER BY tw_file, tw_index')
    names = [d[0] for d in cur.description]
    return names, cur.fetchall()


def result_rows(path):
    out = collections.Counter()
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        for line in f:
            o = json.loads(line)
            for k in LOCATOR:
                o.pop(k, None)
            out[json.dumps(o, sort_keys=True)] += 1
    return out


def main():
    raw_dir, exp_dir = sys.argv[1], sys.argv[2]
    raw = run(raw_dir, "sql/duckdb-raw/run-all.sql")
    exp = run(exp_dir, "sql/duckdb/run-all.sql")
    problems = []
    summary = {"tables": {}, "rules": 0, "result_rows": 0, "rejected": {}}

    for kind in KINDS:
        names_r, r = rows(raw, kind)
        names_e, e = rows(exp, kind)
        if names_r != names_e:
            problems.append(f"{kind}: columns differ: view {names_r} export {names_e}")
            continue
        summary["tables"][kind] = len(e)
        if r != e:
            if len(r) != len(e):
                problems.append(f"{kind}: {len(r)} rows from the view, {len(e)} exported")
            shown = 0
            for a, b in zip(r, e):
                if a != b and shown < 5:
                    diff = {n: (x, y) for n, x, y in zip(names_e, a, b) if x != y}
                    problems.append(f"{kind} {b[names_e.index('tw_file')]}#{b[names_e.index('tw_index')]}: view vs export {diff}")
                    shown += 1

    for path in sorted(glob.glob(os.path.join(exp_dir, "results", "duckdb", "*.jsonl"))):
        name = os.path.basename(path)
        a = result_rows(os.path.join(raw_dir, "results", "duckdb-raw", name))
        b = result_rows(path)
        summary["rules"] += 1
        summary["result_rows"] += sum(b.values())
        if a is None:
            problems.append(f"{name}: no result file from the source views")
        elif a != b:
            only_raw = list((a - b).elements())[:3]
            only_exp = list((b - a).elements())[:3]
            problems.append(f"{name}: {sum(a.values())} rows from the source views, {sum(b.values())} from the export; "
                            f"only views: {only_raw}; only export: {only_exp}")

    rejected = collections.Counter()
    with open(os.path.join(raw_dir, "results", "duckdb-raw", "rejected.jsonl"), encoding="utf-8") as f:
        for line in f:
            o = json.loads(line)
            rejected[(o["tw_file"], o["code"])] += o["records"]
    expected = collections.Counter()
    for path in glob.glob(os.path.join(exp_dir, "manifests", "*.json")):
        m = json.load(open(path, encoding="utf-8"))
        i = m.get("input")
        if i:
            for code, n in (i.get("rejected_by_reason") or {}).items():
                expected[(i["path"], code)] += n
    if rejected != expected:
        problems.append(f"rejected rows: views {dict(rejected)}, export {dict(expected)}")
    summary["rejected"] = {f"{k[0]} {k[1]}": v for k, v in sorted(expected.items())}

    print(json.dumps(summary, sort_keys=True))
    if problems:
        sys.stderr.write("\n".join(problems) + "\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
