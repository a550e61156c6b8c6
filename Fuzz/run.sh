#!/bin/sh
# Runs every fuzz target for FUZZ_SECONDS (default 300) after building them and the seed corpus.
# Logs: .build-fuzz/logs/<target>.log; crashing inputs: .build-fuzz/artifacts/<target>/.
# Prints the executions per target; exits 1 when any target found a crash, leak or timeout.
set -eu
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${FUZZ_SECONDS:-300}
TARGETS=${FUZZ_TARGETS:-csv xml profile normalise expression}
Fuzz/build.sh
Fuzz/corpus.sh
mkdir -p .build-fuzz/logs
status=0
summary=""
for t in $TARGETS; do
  work=.build-fuzz/work/$t
  artifacts=.build-fuzz/artifacts/$t
  mkdir -p "$work" "$artifacts"
  log=.build-fuzz/logs/$t.log
  # The expression target takes inputs past the 1 MiB condition limit (long and/or chains, big lists).
  maxlen=65536
  if [ "$t" = expression ]; then maxlen=1200000; fi
  # New interesting inputs go to $work; the generated seeds are only read. The Swift backtracer
  # is off so that libFuzzer (not the runtime) handles traps and saves the crashing input.
  if SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=1 ".build-fuzz/fuzz-$t" "$work" ".build-fuzz/corpus/$t" \
       -max_total_time="$SECONDS_PER_TARGET" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
       -max_len="$maxlen" -artifact_prefix="$artifacts/" > "$log" 2>&1; then
    result=ok
  else
    result="FAILED (see $log, inputs in $artifacts/)"
    status=1
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  summary="$summary
fuzz-$t: ${execs:-?} executions in ${SECONDS_PER_TARGET}s: $result"
done
echo "$summary"
exit $status
