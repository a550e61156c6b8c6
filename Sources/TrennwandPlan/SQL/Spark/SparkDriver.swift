/// `sql/spark/run-all.py`, written by `trennwand sql --dialect spark` next to `run-all.sql`: a
/// generic PySpark driver with no rule logic. It runs the statements of `run-all.sql` (one per
/// line end `;`) with `spark.sql` in one session, and honours psql's `\o FILE` … `\o`: the rows of
/// the query between them are written to FILE as JSON Lines (`DataFrame.toJSON`, rows pulled to the
/// driver in the query's order with `toLocalIterator`, into `FILE.tmp`, renamed when complete).
/// Every result file the script names is removed before the first statement, so a run that stops
/// early leaves no stale results for `trennwand collect`.
///
/// Invocation, in the export directory: `spark-submit --master local[2] sql/spark/run-all.py`
/// (a cluster master in production; paths are relative to the working directory, docs/scale-out.md).
/// Exit codes: 0 done; 1 a statement failed (its number, first line and Spark's message on stderr);
/// 2 the script is unreadable or malformed.
package enum SparkDriver {
    package static let fileName = "run-all.py"

    package static let text = #"""
#!/usr/bin/env python3
"""Trennwand: run sql/spark/run-all.sql on Spark (written by `trennwand sql --dialect spark`).

Usage, in the export directory:
  spark-submit --master local[2] sql/spark/run-all.py [SCRIPT]
SCRIPT defaults to run-all.sql next to this file. Statements end with ';' at a line end; the client
command '\o FILE' sends the rows of the following query to FILE as JSON Lines, '\o' ends that.
No rule logic here: what runs is exactly the SQL Trennwand wrote.
Exit codes: 0 done, 1 a statement failed, 2 the script is unreadable or malformed.
"""
import os
import sys


def steps(path):
    """The script as ("sql", text, line) and ("out", file or None, line) steps."""
    out, pending, start = [], [], 0
    with open(path, encoding="utf-8") as f:
        for number, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if not pending and line.startswith("\\"):
                command, _, argument = line.partition(" ")
                if command != "\\o":
                    raise ValueError(f"line {number}: unknown client command {command}")
                out.append(("out", argument or None, number))
                continue
            if not pending and not line.strip():
                continue
            if not pending:
                start = number
            pending.append(line)
            if line.endswith(";"):
                out.append(("sql", "\n".join(pending)[:-1], start))
                pending = []
    if pending:
        raise ValueError(f"line {start}: statement without ';'")
    return out


def main():
    here = os.path.dirname(os.path.abspath(sys.argv[0]))
    script = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "run-all.sql")
    try:
        plan = steps(script)
    except (OSError, UnicodeDecodeError, ValueError) as e:
        print(f"run-all.py: {script}: {e}", file=sys.stderr)
        return 2
    for kind, target, _ in plan:
        if kind == "out" and target and os.path.exists(target):
            os.remove(target)

    from pyspark.sql import SparkSession
    spark = SparkSession.builder.appName("trennwand").getOrCreate()
    spark.sparkContext.setLogLevel(os.environ.get("TW_SPARK_LOG_LEVEL", "ERROR"))
    target = None
    try:
        for kind, text, line in plan:
            if kind == "out":
                target = text
                continue
            try:
                frame = spark.sql(text)
                if target is None:
                    continue
                directory = os.path.dirname(target)
                if directory:
                    os.makedirs(directory, exist_ok=True)
                with open(target + ".tmp", "w", encoding="utf-8", newline="\n") as f:
                    for row in frame.toJSON().toLocalIterator():
                        f.write(row + "\n")
                os.replace(target + ".tmp", target)
            except Exception as e:  # Spark's errors arrive as several Python and Java types
                java = getattr(e, "java_exception", None)  # Py4JJavaError: the JVM's message says what failed
                message = (str(java.toString()) if java is not None else str(e)).strip().splitlines()
                first = text.splitlines()[0] if text else ""
                print(f"run-all.py: {script}:{line}: {first[:200]}", file=sys.stderr)
                print("  " + (message[0] if message else type(e).__name__), file=sys.stderr)
                return 1
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
"""#
}
