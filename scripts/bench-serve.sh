#!/usr/bin/env bash
# make bench-serve (and the end of make bench): load test of the review workspace `trennwand serve`
# with wrk on loopback, the state store holding SERVE_FINDINGS findings (default 100,000). Never a
# timed test. Writes docs/performance-serve.md (included in docs/performance.md by scripts/bench.sh).
#
# The store: the Samples scanned into a seed store, then `trennwand-bench serve-state` clones its
# masked findings into SERVE_FINDINGS distinct ones over 6 monthly runs (cached in .build-bench/; each
# load run works on a fresh copy, since the run adds accounts, sessions and audit rows).
# Targets (scripts/bench/serve_load.py): p99 <= 100 ms and zero errors for the grouped list, a rule
# list and a finding page, each 30 s at 32 connections; server RSS after <= 1.5 x RSS before.
set -uo pipefail
cd "$(dirname "$0")/.."
N=${SERVE_FINDINGS:-100000}
SECONDS_EACH=${SERVE_SECONDS:-30}
CONNECTIONS=${SERVE_CONNECTIONS:-32}
OUT=.build-bench
BIN=.build/release/trennwand
BENCH=.build/release/trennwand-bench
export TRENNWAND_KEY=${TRENNWAND_KEY:-62656e63682d6b65792d30313233343536373839626173652d6b65792d2d2d2d}
mkdir -p $OUT
SEED=$OUT/serve-seed.sqlite
STORE=$OUT/serve-state-$N.sqlite
WORK=$OUT/serve-load.sqlite
if [ ! -f $STORE ]; then
  rm -f $SEED $SEED-wal $SEED-shm $SEED.lock
  $BIN scan Samples --now 2025-12-31T12:00:00+01:00 --state $SEED --format text=/dev/null 2>/dev/null
  [ $? -le 1 ] || { echo "bench-serve: scan of the Samples failed"; exit 1; }
  t0=$(date +%s)
  $BENCH serve-state --from $SEED --out $STORE.tmp --findings $N --runs 6 || exit 1
  mv $STORE.tmp $STORE
  echo "generated $STORE in $(( $(date +%s) - t0 )) s"
fi
rm -f $WORK $WORK-wal $WORK-shm $WORK.lock
cp $STORE $WORK
python3 scripts/bench/serve_load.py $BIN $WORK --seconds $SECONDS_EACH --connections $CONNECTIONS --out $OUT/serve-load.json \
  | tee $OUT/serve-load.txt
rc=${PIPESTATUS[0]}
{
  echo "## Review workspace under load (make bench-serve)"
  echo
  echo "Latest \`scripts/bench-serve.sh\` output: \`trennwand serve\` (release build) on 127.0.0.1 over a state store of"
  echo "$N findings ($(du -m $STORE | cut -f1) MB; the Samples' masked findings cloned by \`trennwand-bench serve-state\`, 6 monthly runs),"
  echo "wrk with 2 threads and $CONNECTIONS connections for $SECONDS_EACH s per page, as a \`reader\` account's session."
  echo "Machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), wrk on the same cores, $(date -u +%F)."
  echo
  echo '```'
  cat $OUT/serve-load.txt
  echo '```'
  echo
  echo "Targets: p99 at most 100 ms and zero errors (non-2xx responses, socket errors, timeouts) per page;"
  echo "the server's resident memory after the three runs at most 1.5 times what it was after warm-up."
} > docs/performance-serve.md
rm -f $WORK $WORK-wal $WORK-shm $WORK.lock $WORK.serve.log
exit $rc
