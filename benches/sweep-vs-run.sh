#!/usr/bin/env bash
# Issue 19's measure of a policy sweep's cost, side by side and interleaved: a 20-point
# domestic.ratio sweep at 10^5 trials a point against one run of 2x10^6 trials (the same
# point-trials), end to end with --no-charts --quiet, for each allocsim binary given; the best
# of REPS runs of each, and the ratio sweep / run. Run it on an otherwise idle machine.
#
#   benches/sweep-vs-run.sh target/release/allocsim [another/allocsim ...]
#   REPS=5 S=scenarios/futures.toml benches/sweep-vs-run.sh target/release/allocsim
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${REPS:-3}; S=${S:-scenarios/baseline.toml}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
vals=$(python3 -c "print(','.join(str(round(0.05*i,2)) for i in range(20)))")
declare -A best
for r in $(seq $REPS); do
  for b in "$@"; do
    for what in sweep run; do
      if [ $what = sweep ]; then cmd="$b sweep $S --set domestic.ratio=$vals --trials 100000 --no-charts --quiet --out $out/sweep --force"
      else cmd="$b run $S --trials 2000000 --no-charts --quiet --out $out/run --force"; fi
      s=$(date +%s.%N); $cmd >/dev/null 2>&1; e=$(date +%s.%N)
      t=$(echo "$e - $s" | bc); k="$b $what"
      if [ -z "${best[$k]:-}" ] || (( $(echo "$t < ${best[$k]}" | bc) )); then best[$k]=$t; fi
    done
  done
done
for b in "$@"; do echo "$b: sweep ${best[$b sweep]} s, run ${best[$b run]} s, ratio $(echo "scale=3; ${best[$b sweep]} / ${best[$b run]}" | bc)"; done
