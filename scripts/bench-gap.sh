#!/usr/bin/env bash
# The gap report of `make bench` (issue 20): for a target still missed, what limits it, in
# instruction counts (valgrind's callgrind), which are stable on the shared VM where times drift
# by 10-30 %, and the physical floor of the row: the parse alone, in instructions per byte and
# in bytes per cycle of this run's native times.
#
# Usage: scripts/bench-gap.sh csv|xml ...   (bench.sh calls it for each missed target; alone it
# needs a release build, `make release`, and writes to standard output)
# Environment: GAP_MB (corpus size, default 32; the second is an eighth), GAP_TOP (functions listed, default 12);
# GAP_TIMES="name=seconds,..." native times of the 1 GB rows (bench.sh passes its own) for the
# bytes per cycle; GAP_BYTES_CSV / GAP_BYTES_XML the 1 GB files' sizes.
#
# Why small corpora: callgrind runs ~50x slower than native; 32 MB (22 MB CSV, 8 MB XML) takes
# about a minute per target. Each command runs on two corpora of the same generator (GAP_MB and
# GAP_MB / 8): the difference gives the instructions per byte of the per-record work, without
# the fixed cost (arguments, rules, policy, profiles, reference tables, report), which is the
# rest. Valgrind 3.19 gives up on the release binary's DWARF ("Possibly corrupted debuginfo"):
# a copy without debug sections, its symbol table kept, names the functions.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.build/release/trennwand
BENCH=.build/release/trennwand-bench
OUT=.build-bench
MB=${GAP_MB:-32}
SMALL=$(( MB / 8 > 0 ? MB / 8 : 1 ))
TOP=${GAP_TOP:-12}
NOW=2025-12-31T12:00:00+01:00
export TRENNWAND_KEY=${TRENNWAND_KEY:-62656e63682d6b65792d30313233343536373839626173652d6b65792d2d2d2d}
[ -x $BIN ] && [ -x $BENCH ] || { echo "bench-gap: $BIN and $BENCH needed (make release; swift build -c release --product trennwand-bench)" >&2; exit 2; }
command -v valgrind > /dev/null && command -v callgrind_annotate > /dev/null || { echo "bench-gap: valgrind needed (apt-get install -y valgrind)" >&2; exit 2; }
for m in $MB $SMALL; do [ -f $OUT/corpus-$m/ground-truth.tsv ] || $BENCH generate --out $OUT/corpus-$m --mb $m --seed 1 > /dev/null; done
MHZ=$(awk -F': *' '/^cpu MHz/ { print $2; exit }' /proc/cpuinfo)
DEMANGLE=$(command -v swift-demangle || echo cat)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
objcopy --strip-debug $BIN $WORK/trennwand
TW=$WORK/trennwand
RULES=(--rules "$PWD/Rules")   # the copy does not find the built-in rules beside itself
# The detector databases compiled once before the measured runs, as in the bench's warm runs
# (compiling was half of a 22 MB scan's instructions). Under valgrind, since it reports other CPU
# features than the machine and Vectorscan's databases are cached per platform.
export TRENNWAND_CACHE_DIR=$WORK/cache
valgrind --tool=none $TW scan "${RULES[@]}" --now $NOW --format text=/dev/null $OUT/corpus-$SMALL > /dev/null 2>&1

# instructions LABEL cmd...: total instructions (Ir) of one run under callgrind (profile kept).
instructions() {
  local label=$1; shift
  if ! valgrind --tool=callgrind --callgrind-out-file=$WORK/$label.out "$@" > /dev/null 2> $WORK/$label.err; then
    echo "bench-gap: $label failed under callgrind: $(grep -v '^==' $WORK/$label.err | tail -c 300)" >&2
    touch $WORK/failed; echo 0; return
  fi
  awk '/^(summary|totals):/ { print $2; exit }' $WORK/$label.out
}
# fit NAME LABEL FILE cmd-before-file... : per-byte instructions and fixed cost of a command on
# FILE (a corpus file name) from its runs on both corpora; sets PB[NAME] and FX[NAME].
declare -A PB FX
fit() {
  local name=$1 label=$2 file=$3; shift 3
  local big=$OUT/corpus-$MB/$file small=$OUT/corpus-$SMALL/$file
  local ib=$(instructions $label "$@" $big ${EXTRA[@]+"${EXTRA[@]//@C@/$OUT/corpus-$MB}"})
  local is=$(instructions $label-small "$@" $small ${EXTRA[@]+"${EXTRA[@]//@C@/$OUT/corpus-$SMALL}"})
  local bb=$(stat -c %s $big) bs=$(stat -c %s $small)
  if [ "$ib" -gt 0 ] && [ "$is" -gt 0 ] && [ $bb -gt $bs ]; then
    PB[$name]=$(echo "($ib - $is) / ($bb - $bs)" | bc -l)
    FX[$name]=$(echo "$is - ${PB[$name]} * $bs" | bc -l)
  else
    PB[$name]=0; FX[$name]=0
  fi
}
f1() { printf "%.1f" "$1"; }
mega() { printf "%.0f" "$(echo "$1 / 1000000" | bc -l)"; }
# native NAME BYTES: bytes per cycle from GAP_TIMES (seconds of this run's 1 GB row NAME)
native() {
  local t; t=$(echo "${GAP_TIMES:-}" | tr ',' '\n' | sed -n "s/^$1=//p" | head -1)
  if [ -n "$t" ] && [ -n "$MHZ" ] && [ "${2:-0}" -gt 0 ]; then printf "%.3f" "$(echo "$2 / ($t * $MHZ * 1000000)" | bc -l)"; else echo "n/a"; fi
}
# top LABEL inclusive|self: the functions with the highest share of the per-record work —
# the instructions of the run on the large corpus minus those on the small one, function by
# function, so the fixed cost (rules, policy, report) drops out — demangled; inclusive without
# the frames every run passes through, and without recursive calls (`f'2`: callgrind counts a
# recursion's cost once per level).
top() {
  local flag=no; [ "$2" = inclusive ] && flag=yes
  for run in $1 $1-small; do
    callgrind_annotate --inclusive=$flag --threshold=100 $WORK/$run.out 2> /dev/null \
      | sed -n 's/^ *\([0-9,]*\) ([ 0-9.]*%)  [^:]*:\(.*\) \[\(.*\)\]$/\1\t\2  [\3]/p' | tr -d ',' > $WORK/$run.$2
  done
  local total=$(( $(awk '/^(summary|totals):/ { print $2; exit }' $WORK/$1.out) - $(awk '/^(summary|totals):/ { print $2; exit }' $WORK/$1-small.out) ))
  awk -F'\t' -v total=$total 'NR == FNR { small[$2] = $1; next } { d = $1 - small[$2]; if (d > 0) printf "%6.2f%%  %s\n", 100 * d / total, $2 }' \
      $WORK/$1-small.$2 $WORK/$1.$2 | sort -t% -k1,1 -rn \
    | grep -v -E '(below main)|__libc_start|trennwand_main|TrennwandV4main|ArgumentParser08Parsable|CommandV3run|0x[0-9a-f]+  \[' \
    | sed -E 's#\[/[^]]*/([^]/]*)\]$#[\1]#' | $DEMANGLE --simplified 2> /dev/null \
    | grep -v -E "protocol witness|thunk for|partial apply|ReadProgress.reporting|Scan.run\\(|ScanScheduler.run(Units)?\\(|readWholeSequentially|Ingest.runBatches|'[0-9]+  \\[" \
    | cut -c1-160 | head -$TOP
}

# shares LABEL: both lists of `top` for the full scan LABEL.
shares() {
  [ -e $WORK/failed ] && { echo "  (no function shares: a command failed under callgrind, see above)"; return; }
  for kind in inclusive self; do
    echo "  full scan, share of the per-record instructions ($MB minus $SMALL MB), $kind (top $TOP):"
    top $1 $kind | sed 's/^/    /'
  done
}

gap_csv() {
  local f=Jobcenter-Zugriffe.csv
  EXTRA=(); fit reader csv-reader $f $TW ingest "${RULES[@]}" --count-only
  EXTRA=(@C@/Stammdaten --threads 1); fit scan csv-scan $f $TW scan "${RULES[@]}" --now $NOW --format text=/dev/null
  echo "full scan vs reader alone (CSV, one thread): callgrind on the access logs of corpora of $MB and $SMALL MB"
  echo "  instructions per byte: reader alone $(f1 ${PB[reader]}), full scan $(f1 ${PB[scan]}); reader / scan $(printf "%.2f" "$(echo "${PB[reader]} / (${PB[scan]} + 0.000001)" | bc -l)") (the target, in time: >= 0.67)"
  echo "  fixed cost: reader $(mega ${FX[reader]}) M, scan $(mega ${FX[scan]}) M instructions (arguments, profiles, rules and policy, reference tables, report)"
  echo "  floor, bytes per cycle of this run's 1 GB rows at $MHZ MHz: reader alone $(native reader ${GAP_BYTES_CSV:-0}), full scan 1 thread $(native scan1 ${GAP_BYTES_CSV:-0})"
  shares csv-scan
}

gap_xml() {
  local f=Traeger-Dokumentation.xml
  EXTRA=(); fit xmllint xmllint $f xmllint --stream --noout
  EXTRA=(); fit reader xml-reader $f $TW ingest "${RULES[@]}" --count-only
  EXTRA=(@C@/Stammdaten --threads 1); fit scan xml-scan $f $TW scan "${RULES[@]}" --now $NOW --format text=/dev/null
  echo "XML, all detectors, vs xmllint --stream: callgrind on the documentation exports of corpora of $MB and $SMALL MB"
  echo "  instructions per byte: xmllint --stream $(f1 ${PB[xmllint]}), our reader alone $(f1 ${PB[reader]}), full scan $(f1 ${PB[scan]}); xmllint / scan $(printf "%.2f" "$(echo "${PB[xmllint]} / (${PB[scan]} + 0.000001)" | bc -l)") (with two threads, in time: >= 1.5)"
  echo "  fixed cost: scan $(mega ${FX[scan]}) M instructions (arguments, profiles, rules and policy, reference tables, report)"
  echo "  floor, bytes per cycle of this run's 1 GB rows at $MHZ MHz: xmllint --stream $(native xmllint ${GAP_BYTES_XML:-0}), full scan 1 thread $(native xml1 ${GAP_BYTES_XML:-0}), 2 threads $(native xml2 ${GAP_BYTES_XML:-0}) (wall time, both cores)"
  shares xml-scan
}

for target in "$@"; do
  case $target in
    csv) gap_csv ;;
    xml) gap_xml ;;
    *) echo "bench-gap: unknown target $target (csv, xml)" >&2; exit 2 ;;
  esac
done
# A command that failed under callgrind fails the report (its figures are zeros).
[ ! -e $WORK/failed ]
