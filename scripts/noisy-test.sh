#!/usr/bin/env bash
# Runs `make test` N times (default 5), each from a fresh clone of this repository's
# HEAD with CI=true, beside a noisy neighbour: a program that keeps the machine busy
# in bursts, such as the workplace's shared/tools/noisy-neighbour.py (two processes
# busy and idle in seeded random bursts of 0.2-1.5 s). A test that fails here asserts
# what a quiet machine happens to give, not what the code guarantees.
#
#   scripts/noisy-test.sh [N] [NEIGHBOUR]
#   scripts/noisy-test.sh 5 ../shared/tools/noisy-neighbour.py
#
# Prints one line per run (commit, exit code, wall time, log) and the failed tests;
# exits 1 if any run failed.
set -uo pipefail
n=${1:-5}
neighbour=${2:-../shared/tools/noisy-neighbour.py}
[ -f "$neighbour" ] || { echo "noisy-test: no neighbour at $neighbour (pass its path)" >&2; exit 2; }
repo=$(git rev-parse --show-toplevel)
failed=0
for i in $(seq 1 "$n"); do
  d=$(mktemp -d)
  git clone -q "$repo" "$d"
  python3 "$neighbour" 1800 &
  nn=$!
  start=$(date +%s)
  (cd "$d" && CI=true bash .ci/run) >"$d.log" 2>&1
  rc=$?
  kill "$nn" 2>/dev/null
  pkill -P "$nn" 2>/dev/null
  wait "$nn" 2>/dev/null
  echo "run $i: commit $(git -C "$d" rev-parse --short HEAD) exit $rc in $(( $(date +%s) - start ))s, log $d.log"
  grep -E '^(--- FAIL|    --- FAIL)' "$d.log"
  [ "$rc" -eq 0 ] || failed=1
  rm -rf "$d"
done
exit "$failed"
