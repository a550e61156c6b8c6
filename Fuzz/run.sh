#!/bin/sh
# Runs every fuzz target for FUZZ_SECONDS (default 300) after building them and the seed corpus.
# Logs: .build-fuzz/logs/<target>.log; crashing inputs: .build-fuzz/artifacts/<target>/.
# Prints the executions per target; exits 1 when any target found a crash, leak or timeout.
set -eu
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${FUZZ_SECONDS:-300}
# expression-long: the expression target on inputs up to 1.2 MB (long and/or chains, big lists, past
# the 1 MiB condition limit) from its own seeds; a pass of its own, because ~0.1 s per 1 MB input
# would leave the short inputs a few hundred executions.
TARGETS=${FUZZ_TARGETS:-csv xml jsonl profile normalise expression expression-long archive}
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
  bin=$t maxlen=65536
  if [ "$t" = expression-long ]; then bin=expression maxlen=1200000; fi
  # New interesting inputs go to $work; the generated seeds are only read. The Swift backtracer
  # is off so that libFuzzer (not the runtime) handles traps and saves the crashing input.
  if SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=1 ".build-fuzz/fuzz-$bin" "$work" ".build-fuzz/corpus/$t" \
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
