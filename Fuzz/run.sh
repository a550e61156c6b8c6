#!/bin/bash
# Runs every fuzz target for FUZZ_SECONDS (default 300) after building them and the seed corpus.
# Logs: .build-fuzz/logs/<target>.log; crashing inputs: .build-fuzz/artifacts/<target>/.
# Prints the executions per target; exits 1 when any target found a crash, leak or timeout.
# FUZZ_JOBS targets run at a time (default: one per core): each target is one libFuzzer process on
# one core, so on the 2-core CI machine `make fuzz-short` takes half the wall time for the same
# executions per target (8 targets × 60 s: 4 minutes instead of 8).
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
JOBS=${FUZZ_JOBS:-$(nproc)}

# run_target T: one target for SECONDS_PER_TARGET, its verdict in .build-fuzz/logs/T.result.
run_target() {
  local t=$1 work=.build-fuzz/work/$1 artifacts=.build-fuzz/artifacts/$1 log=.build-fuzz/logs/$1.log
  local bin=$t maxlen=65536 result
  mkdir -p "$work" "$artifacts"
  if [ "$t" = expression-long ]; then bin=expression maxlen=1200000; fi
  # New interesting inputs go to $work; the generated seeds are only read. The Swift backtracer
  # is off so that libFuzzer (not the runtime) handles traps and saves the crashing input.
  if SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=1 ".build-fuzz/fuzz-$bin" "$work" ".build-fuzz/corpus/$t" \
       -max_total_time="$SECONDS_PER_TARGET" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
       -max_len="$maxlen" -artifact_prefix="$artifacts/" > "$log" 2>&1; then
    result=ok
  else
    result="FAILED (see $log, inputs in $artifacts/)"
  fi
  echo "$result" > ".build-fuzz/logs/$t.result"
}

for t in $TARGETS; do
  rm -f ".build-fuzz/logs/$t.result"
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n || true; done
  run_target "$t" &
done
wait

status=0
summary=""
for t in $TARGETS; do
  result=$(cat ".build-fuzz/logs/$t.result" 2>/dev/null || echo "FAILED (no result, see .build-fuzz/logs/$t.log)")
  [ "$result" = ok ] || status=1
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' ".build-fuzz/logs/$t.log" | tail -1)
  summary="$summary
fuzz-$t: ${execs:-?} executions in ${SECONDS_PER_TARGET}s: $result"
done
echo "$summary"
exit $status
