#!/usr/bin/env python3
"""Run the SQL that Trennwand renders from rule plans for Spark SQL, case by case, in ONE Spark session.

Usage: plan_spark.py MANIFEST.json [ID ...]
  MANIFEST is a JSON list of cases {"id": str, "setup": [statement, ...], "query": str}, as for
  plan_duckdb.py. All cases run in one local Spark session (the JVM starts once, ~10 s): each case's
  setup replaces every table (the Spark DDL is CREATE OR REPLACE TEMPORARY VIEW, the loads replace
  the views again), then its query runs. One JSON object per case is printed on its own line:
  {"id": ..., "rows": [[...], ...]} or {"id": ..., "error": "..."}.
No SQL is added here: what runs is exactly what Trennwand rendered (plus the dialect's preamble,
given as the first case's setup by the test).
Environment: TW_SPARK_MASTER (default local[2]).
Exit codes: 0 ran (errors are reported per case), 2 usage/setup problem (pyspark or Java missing).
"""
import json
import os
import sys
import time


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        print("pyspark not installed: make pydeps", file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    only = set(sys.argv[2:])
    try:
        spark = (SparkSession.builder.master(os.environ.get("TW_SPARK_MASTER", "local[2]")).appName("trennwand-parity")
                 .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
                 .config("spark.sql.shuffle.partitions", "2").config("spark.driver.memory", "1g")
                 .config("spark.sql.adaptive.enabled", "false")
                 .getOrCreate())
    except Exception as e:  # no Java, JVM failed to start
        print(f"Spark did not start: {e}", file=sys.stderr)
        return 2
    spark.sparkContext.setLogLevel("ERROR")
    try:
        for case in cases:
            if only and case["id"] not in only:
                continue
            started = time.monotonic()
            statement = ""
            try:
                for statement in case["setup"]:
                    spark.sql(statement)
                statement = case["query"]
                rows = [list(r) for r in spark.sql(statement).collect()]
                out = {"id": case["id"], "rows": rows}
            except Exception as e:  # AnalysisException, Py4JJavaError, ParseException
                java = getattr(e, "java_exception", None)  # Py4JJavaError: the JVM's message says what failed
                message = (str(java.toString()) if java is not None else str(e)).strip().splitlines()
                out = {"id": case["id"], "error": f"{message[0] if message else type(e).__name__}\n{statement}"}
            finally:
                spark.catalog.clearCache()
            out["seconds"] = round(time.monotonic() - started, 3)
            print(json.dumps(out, default=str, ensure_ascii=False), flush=True)
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
