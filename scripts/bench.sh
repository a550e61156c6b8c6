#!/usr/bin/env bash
# make bench: end-to-end throughput of trennwand next to floor tools and DuckDB, on one generated
# corpus (cached in .build-bench/). Never a timed test. Prints a table and the targets with
# PASS/FAIL, and writes the table to docs/performance.md.
set -uo pipefail
cd "$(dirname "$0")/.."
MB=${BENCH_MB:-1024}
SEED=${BENCH_SEED:-1}
OUT=.build-bench
C1=$OUT/corpus-$MB
C4=$OUT/corpus-$((MB * 4))
BIN=.build/release/trennwand
BENCH=.build/release/trennwand-bench
NOW=2025-12-31T12:00:00+01:00
export TRENNWAND_KEY=${TRENNWAND_KEY:-62656e63682d6b65792d30313233343536373839626173652d6b65792d2d2d2d}
mkdir -p $OUT
# The commit measured (the release build is made from the working tree), for the table's header.
BUILD="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- Sources Package.swift 2>/dev/null || echo ' + uncommitted changes')"
[ -f $C1/ground-truth.tsv ] || $BENCH generate --out $C1 --mb $MB --seed $SEED
if [ "${BENCH_SCALE:-1}" = 1 ]; then [ -f $C4/ground-truth.tsv ] || $BENCH generate --out $C4 --mb $((MB * 4)) --seed $SEED; fi
# DuckDB, PySpark, PostgreSQL: `make benchdeps` (the bench target depends on it).

CSV=$C1/Jobcenter-Zugriffe.csv
XML=$C1/Traeger-Dokumentation.xml
CSV_BYTES=$(stat -c %s $CSV); XML_BYTES=$(stat -c %s $XML)
CSV_RECS=$(( $(wc -l < $CSV) - 1 ))
XML_RECS=$(grep -c '<doku:Vermerk ' $XML)
TABLE=$OUT/table.txt
: > $TABLE
declare -A T M
BENCH_FAILED=0

# Rows are measured in groups: `row NAME BYTES RECORDS cmd...` adds a row, `rows` measures the
# group in BENCH_REPEAT rounds (default 3, the acceptance of issue 20), each round running every
# row of the group once, and reports per row the fastest time and the highest peak RSS (children),
# for every tool alike. Why rounds: the shared 2-core VM drifts by 10-15 % within minutes, and a
# ratio of two rows timed minutes apart (all runs of one, then all of the other) measured that
# drift (2 vs 1 thread: 1.50 in the bench against 1.73-1.75 alternating, docs/executor.md); the
# rows a target compares are in one group. `run` is a group of one row.
REPEAT=${BENCH_REPEAT:-3}
G_NAMES=(); G_BYTES=(); G_RECS=(); G_CMDS=()
row() { G_NAMES+=("$1"); G_BYTES+=("$2"); G_RECS+=("$3"); shift 3; G_CMDS+=("$(printf '%q ' "$@")"); }
rows() {
  local n=${#G_NAMES[@]} k
  local -a best rss rc
  for ((k = 0; k < n; k++)); do best[$k]=""; rss[$k]=0; rc[$k]=0; done
  for _ in $(seq $REPEAT); do
    for ((k = 0; k < n; k++)); do
      sync; cat "$CSV" "$XML" > /dev/null   # warm page cache: the disk is not what is measured here
      local t0=$(date +%s.%N)
      eval "/usr/bin/time -f %M -o $OUT/rss ${G_CMDS[$k]}" > $OUT/last.out 2> $OUT/last.err
      local r=$?
      local t1=$(date +%s.%N)
      local one=$(echo "$t1 - $t0" | bc -l) m=$(tail -1 $OUT/rss)
      [ $r -ne 0 ] && { rc[$k]=$r; tail -c 300 $OUT/last.err | tr '\n' ' ' > $OUT/last.err.$k; }
      if [ -z "${best[$k]}" ] || [ "$(echo "$one < ${best[$k]}" | bc -l)" = 1 ]; then best[$k]=$one; fi
      [[ "$m" =~ ^[0-9]+$ ]] && [ "$m" -gt "${rss[$k]}" ] && rss[$k]=$m
    done
  done
  for ((k = 0; k < n; k++)); do
    local name=${G_NAMES[$k]} s=${best[$k]}
    # A command that failed gives no number: the row says so, its verdicts say FAIL without a
    # ratio and the bench fails at its end (exit 1).
    if [ ${rc[$k]} -ne 0 ]; then
      printf "%-44s FAILED (exit %s): %s\n" "$name" ${rc[$k]} "$(cat $OUT/last.err.$k)" | tee -a $TABLE
      BENCH_FAILED=1; continue
    fi
    T[$name]=$s; M[$name]=${rss[$k]}
    printf "%-44s %8.1f MB/s %12.0f rec/s %7.1f s %7.1f MB  rc=%s\n" "$name" \
      "$(echo "${G_BYTES[$k]} / 1048576 / $s" | bc -l)" "$(echo "${G_RECS[$k]} / $s" | bc -l)" "$s" "$(echo "${rss[$k]} / 1024" | bc -l)" 0 | tee -a $TABLE
  done
  G_NAMES=(); G_BYTES=(); G_RECS=(); G_CMDS=()
}
run() { row "$@"; rows; }
SCAN=($BIN scan --now $NOW --format text=/dev/null)

# Reshaping check: BENCH_BEFORE=<earlier trennwand binary> times three scans with this build and
# with that binary, alternated BENCH_PAIRS times (default 3) so that a slow phase of the shared
# machine hits both alike (run one after the other, the same binary differed by 30 % within ten
# minutes), the fastest of each; this build must take at most 1.05 times as long and give the same
# findings. BENCH_ONLY_COMPARE=1 runs only this check (docs/performance.md is left as it is).
if [ -n "${BENCH_BEFORE:-}" ]; then
  # An earlier binary copied elsewhere does not find the built-in rules beside itself: name them.
  OLD=("$BENCH_BEFORE" scan --rules "$PWD/Rules" --now $NOW --format text=/dev/null)
  NEW=($BIN scan --rules "$PWD/Rules" --now $NOW --format text=/dev/null)
  declare -A P
  # pair NAME scan-arguments… (@WHO@ in an argument becomes "now" or "before")
  pair() {
    local name=$1; shift
    local best_now="" best_before=""
    for _ in $(seq ${BENCH_PAIRS:-3}); do
      for who in now before; do
        local cmd; if [ $who = now ]; then cmd=("${NEW[@]}"); else cmd=("${OLD[@]}"); fi
        sync; cat "$CSV" "$XML" > /dev/null
        local t0=$(date +%s.%N)
        "${cmd[@]}" "${@//@WHO@/$who}" > /dev/null 2>&1
        local t1=$(date +%s.%N)
        local one=$(echo "$t1 - $t0" | bc -l)
        if [ $who = now ]; then
          if [ -z "$best_now" ] || [ "$(echo "$one < $best_now" | bc -l)" = 1 ]; then best_now=$one; fi
        else
          if [ -z "$best_before" ] || [ "$(echo "$one < $best_before" | bc -l)" = 1 ]; then best_before=$one; fi
        fi
      done
    done
    P["$name"]=$(echo "$best_now / $best_before" | bc -l)
    printf "%-44s %7.1f s (before: %7.1f s)\n" "this build: $name" "$best_now" "$best_before" | tee -a $OUT/compare.txt
  }
  : > $OUT/compare.txt
  pair "scan CSV, all rules, 1 thread" $CSV $C1/Stammdaten --threads 1 --format jsonl=$OUT/@WHO@-1.jsonl
  pair "scan CSV, all rules, 2 threads" $CSV $C1/Stammdaten --threads 2
  pair "scan XML, all detectors, 1 thread" $XML $C1/Stammdaten --threads 1
  compare_verdicts() {
    for k in "scan CSV, all rules, 1 thread" "scan CSV, all rules, 2 threads" "scan XML, all detectors, 1 thread"; do
      local ok=FAIL; [ "$(echo "${P[$k]} <= 1.05" | bc -l)" = 1 ] && ok=PASS
      printf "%-58s %6.2f  (need <= 1.05)  %s\n" "time vs earlier binary: $k" "${P[$k]}" $ok
    done
    local s0=FAIL
    cmp -s <(grep -v '"type":"summary"' $OUT/now-1.jsonl) <(grep -v '"type":"summary"' $OUT/before-1.jsonl) && s0=PASS
    printf "%-58s %s\n" "same findings as earlier binary" $s0
  }
  if [ "${BENCH_ONLY_COMPARE:-0}" = 1 ]; then
    compare_verdicts | tee -a $OUT/compare.txt
    exit 0
  fi
fi

echo "corpus $C1: CSV $((CSV_BYTES >> 20)) MB ($CSV_RECS records), XML $((XML_BYTES >> 20)) MB ($XML_RECS notes)" | tee -a $TABLE
printf "%-44s %13s %16s %9s %10s\n" what throughput records time "peak RSS" | tee -a $TABLE
# One group: the rows the targets compare (reader vs 1 thread, 1 vs 2 threads, XML vs xmllint)
# are measured in the same rounds.
row "wc -l (CSV floor)"                      $CSV_BYTES $CSV_RECS wc -l $CSV
row "xmllint --stream --noout (XML floor)"   $XML_BYTES $XML_RECS xmllint --stream --noout $XML
row "reader alone: CSV (ingest --count-only)"   $CSV_BYTES $CSV_RECS $BIN ingest --count-only $CSV
row "scan CSV, all rules, 1 thread"          $CSV_BYTES $CSV_RECS "${SCAN[@]}" $CSV $C1/Stammdaten --threads 1 --format jsonl=$OUT/f1.jsonl
row "scan CSV, all rules, 2 threads"         $CSV_BYTES $CSV_RECS "${SCAN[@]}" $CSV $C1/Stammdaten --threads 2 --format jsonl=$OUT/f2.jsonl
row "scan CSV, 10 rules, 2 threads"          $CSV_BYTES $CSV_RECS "${SCAN[@]}" $CSV $C1/Stammdaten --threads 2 $(for r in TW101 TW102 TW103 TW104 TW105 TW106 TW107 TW108 TW109 TW110; do echo --rule $r; done)
row "scan CSV, all rules, chunked 1 thread"  $CSV_BYTES $CSV_RECS "${SCAN[@]}" $CSV $C1/Stammdaten --threads 1 --chunk-bytes 1048576 --format jsonl=$OUT/fc.jsonl
row "scan XML, all detectors, 1 thread"      $XML_BYTES $XML_RECS "${SCAN[@]}" $XML $C1/Stammdaten --threads 1
row "scan XML, all detectors, 2 threads"     $XML_BYTES $XML_RECS "${SCAN[@]}" $XML $C1/Stammdaten --threads 2
rows
# DuckDB like for like (issue 20): the whole rule pack from the raw CSV files the scan above reads
# (the access log and the Stammdaten), each file's source profile rendered as a DuckDB view over
# read_csv (`trennwand-bench rawsql`, Sources/TrennwandPlan/SQL/SourceView/) and read once into a
# table, then the rule queries `trennwand sql --dialect duckdb` generates; rendering the script is
# not timed (as `trennwand sql` is not). docs/performance-notes.md, "DuckDB from the raw CSV".
RAW=$OUT/raw-$MB
rm -rf $RAW
if $BENCH rawsql --out $RAW --now $NOW $CSV $C1/Stammdaten > $OUT/rawsql.log 2> $OUT/rawsql.err; then
  RAW_RULES=$(sed -n 's/^\([0-9]*\) rules.*/\1/p' $OUT/rawsql.log)
  echo "duckdb raw CSV pack: $RAW_RULES rules on DuckDB from the raw CSV + Stammdaten (the scan's rules: all)" | tee -a $TABLE
else
  echo "trennwand-bench rawsql FAILED: $(tail -c 300 $OUT/rawsql.err)" | tee -a $TABLE; BENCH_FAILED=1
fi
for n in 1 2; do
  run "duckdb raw CSV pack, $n thr"          $CSV_BYTES $CSV_RECS bash -c "cd $RAW && python3 -c \"
import duckdb
c = duckdb.connect(config={'threads': $n})
c.execute(open('sql/duckdb-raw/run-all.sql', encoding='utf-8').read())\""
done
# The hand-written subset of the access rules (7 rules, no time zone, no rejections, no locator),
# kept for continuity with earlier benches; not the like-for-like comparison above.
sed "s|{{DIR}}|$C1|g" scripts/bench/access_rules.sql > $OUT/access_rules.sql
for n in 1 2; do
  run "duckdb access SQL, $n thread(s)"      $CSV_BYTES $CSV_RECS python3 -c "
import duckdb, sys
c = duckdb.connect(); c.execute('SET threads=$n')
print(c.execute(open('$OUT/access_rules.sql').read()).fetchall())"
done
# Identifier detection on the documentation export: the identifier detectors of Rules/detectors.yaml
# (Vectorscan candidates, then check digits and context words) next to ripgrep searching the very
# same candidate patterns (`trennwand-bench idscan --patterns`), one thread each, same file.
$BENCH idscan --patterns > $OUT/id-patterns.txt
row "identifier detection + check digits (XML)"  $XML_BYTES $XML_RECS $BENCH idscan $XML
row "rg same identifier candidates (XML)"        $XML_BYTES $XML_RECS rg -c -j 1 -f $OUT/id-patterns.txt $XML
rows
# Scale-out (issue 19, docs/scale-out.md): the rule pack as `trennwand sql` generates it, on the
# engines, next to the in-process scan of the same inputs.
# 1. The access CSV of the main corpus: `export` (normalising, detector columns; one input per
#    process, so this is the per-core export rate of the capacity plan), then DuckDB running the
#    generated run-all.sql over the exported files (load + all 32 rules), 1 and 2 threads.
EXP1=$OUT/export-$MB
rm -rf $EXP1
run "export CSV + Stammdaten (1 process)"    $CSV_BYTES $CSV_RECS $BIN export $CSV $C1/Stammdaten --out $EXP1
$BIN sql --dialect duckdb --out $EXP1 --now $NOW > /dev/null
for n in 1 2; do
  run "duckdb generated pack on export, $n thr" $CSV_BYTES $CSV_RECS bash -c "cd $EXP1 && python3 -c \"
import duckdb
c = duckdb.connect(config={'threads': $n})
c.execute(open('sql/duckdb/run-all.sql', encoding='utf-8').read())\""
done
# 2. PostgreSQL (load + rules) and Spark local mode on a smaller corpus (BENCH_SCALEOUT_MB, default
#    100: loading the export through jsonb and starting a JVM are what is measured, and 1 GB would
#    take PostgreSQL most of an hour on 2 cores), with the in-process scan of the same corpus.
SMB=${BENCH_SCALEOUT_MB:-100}
CS=$OUT/corpus-$SMB
[ -f $CS/ground-truth.tsv ] || $BENCH generate --out $CS --mb $SMB --seed $SEED > /dev/null
CS_BYTES=$(du -sb --exclude=ground-truth.tsv $CS | cut -f1)
CS_RECS=$(cat $CS/*.csv | wc -l); CS_RECS=$(( CS_RECS + $(grep -c '<doku:Vermerk ' $CS/Traeger-Dokumentation.xml) ))
EXPS=$OUT/export-$SMB
rm -rf $EXPS
run "scan corpus $SMB MB, all rules, 2 threads" $CS_BYTES $CS_RECS "${SCAN[@]}" $CS --threads 2
run "export corpus $SMB MB (1 process)"     $CS_BYTES $CS_RECS $BIN export $CS --out $EXPS
$BIN sql --dialect duckdb --out $EXPS --now $NOW > /dev/null
run "duckdb pack, corpus $SMB MB, 2 thr"     $CS_BYTES $CS_RECS bash -c "cd $EXPS && python3 -c \"
import duckdb
c = duckdb.connect(config={'threads': 2})
c.execute(open('sql/duckdb/run-all.sql', encoding='utf-8').read())\""
$BIN sql --dialect postgres --out $EXPS --now $NOW > /dev/null
PGDIR=/tmp/tw-bench-pg-$$
if scripts/pg-test-server.sh start $PGDIR > $OUT/pg-start.log 2>&1; then
  printf '%s\n' "\\cd '$PWD/$EXPS'" "DROP SCHEMA IF EXISTS bench CASCADE;" "CREATE SCHEMA bench;" "SET search_path TO bench;" \
    "\\i sql/postgres/run-all.sql" > $OUT/pg-bench.sql
  run "postgresql load + pack, corpus $SMB MB"  $CS_BYTES $CS_RECS psql -X -q -v ON_ERROR_STOP=1 -h $PGDIR -U trennwand -d postgres -f $OUT/pg-bench.sql
  scripts/pg-test-server.sh stop $PGDIR > /dev/null 2>&1; rm -rf $PGDIR
else
  echo "PostgreSQL did not start: $(cat $OUT/pg-start.log)" | tee -a $TABLE; BENCH_FAILED=1
fi
if $BIN sql --dialect spark --out $EXPS --now $NOW > $OUT/spark-sql.log 2>&1; then
  SPARK_SUBMIT=$(python3 -c 'import pyspark, os; print(os.path.join(os.path.dirname(pyspark.__file__), "bin", "spark-submit"))')
  run "spark local[2] load + pack, corpus $SMB MB" $CS_BYTES $CS_RECS bash -c "cd $EXPS && $SPARK_SUBMIT --master 'local[2]' --driver-memory 2g --conf spark.sql.shuffle.partitions=4 --conf spark.ui.enabled=false --conf spark.ui.showConsoleProgress=false sql/spark/run-all.py"
else
  echo "spark: $(cat $OUT/spark-sql.log)" | tee -a $TABLE; BENCH_FAILED=1
fi
if [ "${BENCH_SCALE:-1}" = 1 ]; then
  B4=$(stat -c %s $C4/Jobcenter-Zugriffe.csv); R4=$(( $(wc -l < $C4/Jobcenter-Zugriffe.csv) - 1 ))
  run "scan CSV 4x, all rules, 2 threads"    $B4 $R4 "${SCAN[@]}" $C4/Jobcenter-Zugriffe.csv $C4/Stammdaten --threads 2
fi


same() { [ -f "$1" ] && [ -f "$2" ] && cmp -s <(grep -v '"type":"summary"' "$1") <(grep -v '"type":"summary"' "$2"); }
ratio() { echo "$1 / $2" | bc -l; }
verdict() { # name ratio min
  local ok=FAIL; [ "$(echo "$2 >= $3" | bc -l)" = 1 ] && ok=PASS
  printf "%-58s %6.2f  (need >= %s)  %s\n" "$1" "$2" "$3" $ok | tee -a $TABLE
}
# faster NAME ROW-A ROW-B MIN: time of row B / time of row A, i.e. how many times faster A is; a
# failed row has no time: FAIL without a number.
faster() {
  if [ -z "${T[$2]:-}" ] || [ -z "${T[$3]:-}" ]; then
    printf "%-58s %6s  (need >= %s)  FAIL\n" "$1" "n/a" "$4" | tee -a $TABLE; return
  fi
  verdict "$1" $(ratio ${T[$3]} ${T[$2]}) $4
}
echo | tee -a $TABLE
echo "targets" | tee -a $TABLE
faster "access CSV full pack 2 thr vs DuckDB raw CSV pack 2 thr" "scan CSV, all rules, 2 threads" "duckdb raw CSV pack, 2 thr" 1.5
faster "full scan vs reader alone (reader time / scan time)"      "scan CSV, all rules, 1 thread" "reader alone: CSV (ingest --count-only)" 0.667
if [ -n "${T["reader alone: CSV (ingest --count-only)"]:-}" ]; then
  verdict "reader alone, one core (MB/s / 400 MB/s)"               $(echo "$CSV_BYTES / 1048576 / ${T["reader alone: CSV (ingest --count-only)"]} / 400" | bc -l) 1.0
else
  printf "%-58s %6s  (need >= 1.0)  FAIL\n" "reader alone, one core (MB/s / 400 MB/s)" "n/a" | tee -a $TABLE
fi
faster "XML all detectors 2 thr vs xmllint --stream (speed ratio)" "scan XML, all detectors, 2 threads" "xmllint --stream --noout (XML floor)" 1.5
faster "identifier detection vs rg (speed ratio)"                 "identifier detection + check digits (XML)" "rg same identifier candidates (XML)" 1.0
faster "2 threads vs 1 thread on the CSV (speedup)"              "scan CSV, all rules, 2 threads" "scan CSV, all rules, 1 thread" 1.8
for k in "scan CSV, all rules, 2 threads" "scan CSV 4x, all rules, 2 threads"; do
  if [ -n "${M[$k]:-}" ]; then verdict "peak RSS <= 100 MB: $k (100 MB / RSS)" $(ratio 102400 ${M[$k]}) 1.0
  elif [ "$k" = "scan CSV, all rules, 2 threads" ] || [ "${BENCH_SCALE:-1}" = 1 ]; then
    printf "%-58s %6s  (need >= 1.0)  FAIL\n" "peak RSS <= 100 MB: $k (100 MB / RSS)" "n/a" | tee -a $TABLE
  fi
done
if [ -n "${BENCH_BEFORE:-}" ]; then
  cat $OUT/compare.txt >> $TABLE
  compare_verdicts | tee -a $TABLE
fi
# The gap report (scripts/bench-gap.sh): for the targets of the reader and XML rows still missed,
# what limits them in instruction counts (stable where times drift) and the floor of the row. A
# report that could not be made fails the bench, as a failed row does. BENCH_GAP=0 skips it.
GAP=()
[ "$(echo "${T["reader alone: CSV (ingest --count-only)"]:-0} / ${T["scan CSV, all rules, 1 thread"]:-1} < 0.667" | bc -l)" = 1 ] && GAP+=(csv)
[ "$(echo "${T["xmllint --stream --noout (XML floor)"]:-0} / ${T["scan XML, all detectors, 2 threads"]:-1} < 1.5" | bc -l)" = 1 ] && GAP+=(xml)
: > $OUT/gap.txt
if [ ${#GAP[@]} -gt 0 ] && [ "${BENCH_GAP:-1}" = 1 ]; then
  echo
  echo "gap report (scripts/bench-gap.sh)" | tee -a $OUT/gap.txt
  GAP_TIMES="reader=${T["reader alone: CSV (ingest --count-only)"]:-},scan1=${T["scan CSV, all rules, 1 thread"]:-},xmllint=${T["xmllint --stream --noout (XML floor)"]:-},xml1=${T["scan XML, all detectors, 1 thread"]:-},xml2=${T["scan XML, all detectors, 2 threads"]:-}" \
    GAP_BYTES_CSV=$CSV_BYTES GAP_BYTES_XML=$XML_BYTES scripts/bench-gap.sh "${GAP[@]}" | tee -a $OUT/gap.txt
  [ "${PIPESTATUS[0]}" = 0 ] || { echo "gap report: FAILED (scripts/bench-gap.sh, see above)" | tee -a $OUT/gap.txt; BENCH_FAILED=1; }
fi
s1=FAIL; same $OUT/f1.jsonl $OUT/f2.jsonl && s1=PASS
s2=FAIL; same $OUT/f1.jsonl $OUT/fc.jsonl && s2=PASS
printf "%-58s %s\n" "same findings 1 vs 2 threads" $s1 | tee -a $TABLE
printf "%-58s %s\n" "same findings whole vs chunked" $s2 | tee -a $TABLE

{
  echo "# Performance"
  echo
  echo "Latest \`make bench\` output (scripts/bench.sh; corpus from \`trennwand-bench generate --mb $MB --seed $SEED\`, page cache warm; every row the fastest of $REPEAT runs, peak RSS the highest)."
  echo
  echo "Machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/Mem:/{print $2}') GB RAM, $(date -u +%F)."
  echo
  echo "Build: \`$BUILD\`; BENCH_SCALE=${BENCH_SCALE:-1} (0: no 4× corpus row), BENCH_SCALEOUT_MB=${BENCH_SCALEOUT_MB:-100} (the PostgreSQL and Spark rows' corpus)."
  echo
  echo '```'
  cat $TABLE
  echo '```'
  if [ -s $OUT/gap.txt ]; then
    echo
    echo "## Gap report of the targets still missed"
    echo
    echo "From \`scripts/bench-gap.sh\` (run by the bench for each missed target; valgrind's callgrind on two small corpora of the same generator, 32 and 4 MB): instructions per byte of the parse alone and of the scan, the floor in bytes per cycle from the table's native times, and the scan's functions by their share of its per-record instructions (inclusive and self). Analysis: \"What limits the targets still missed\" below."
    echo
    echo '```'
    cat $OUT/gap.txt
    echo '```'
  fi
  [ -f docs/performance-serve.md ] && { echo; cat docs/performance-serve.md; }
  [ -f docs/performance-notes.md ] && { echo; cat docs/performance-notes.md; }
} > docs/performance.md
[ "$BENCH_FAILED" = 0 ] || { echo "bench: at least one command failed (rows marked FAILED)" >&2; exit 1; }
