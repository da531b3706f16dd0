#!/usr/bin/env bash
# Callgrind instructions per trial of `allocsim run`: (I(40,000) - I(20,000)) / 20,000 on one
# thread without charts, so that start-up and reporting cancel out. Deterministic, unlike a
# timer on a shared machine: compare two builds with it (docs/performance.md).
#
#   bash scripts/callgrind-per-trial.sh target/release/allocsim benches/baseline-v1.toml
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 ALLOCSIM_BINARY SCENARIO" >&2
  exit 2
fi
command -v valgrind >/dev/null || { echo "$0: valgrind is required (apt-get install valgrind)" >&2; exit 1; }
bin=$1
scenario=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
count() {
  valgrind --tool=callgrind --callgrind-out-file="$work/cg.$1" "$bin" run "$scenario" \
    --trials "$1" --threads 1 --no-charts --quiet --out "$work/out" --force 2>&1 |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
a=$(count 20000)
b=$(count 40000)
echo $(((b - a) / 20000))
