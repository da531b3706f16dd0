#!/usr/bin/env bash
# The SHA-256 of every output of a fixed set of commands: `run` on each shipped scenario (with
# charts, report.html and trials.csv), a two-knob `sweep`, a `compare` and a `sensitivity` run. Two builds
# whose lists are equal write byte-identical outputs. manifest.json is left out (its wall time
# varies), and report.html is hashed without its copy of the manifest's wall_seconds line.
#
#   bash scripts/output-hashes.sh target/release/allocsim > before.txt
#   ... change the code, rebuild ...
#   bash scripts/output-hashes.sh target/release/allocsim | diff before.txt - && echo identical
#
# Give the same binary path both times: the command line is part of report.html.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-target/release/allocsim}
OUT=target/output-hashes
mkdir -p "$OUT"
for s in scenarios/*.toml; do
  "$BIN" run "$s" --trials 20000 --trials-csv --quiet --force --out "$OUT/run-$(basename "$s" .toml)"
done
"$BIN" sweep scenarios/baseline.toml --set domestic.ratio=0.3,0.6 \
  --set allocation.rule=proportional,talmud --trials 5000 --quiet --force --out "$OUT/sweep"
"$BIN" compare scenarios/baseline.toml scenarios/tighter-oversight.toml --trials 5000 --quiet \
  --force --out "$OUT/compare"
"$BIN" sensitivity scenarios/baseline.toml --vary domestic.ratio=0.2,0.6 \
  --vary approval.probability=0.5,0.9 --trials 5000 --quiet --force --out "$OUT/sensitivity"
cd "$OUT"
find . -type f ! -name manifest.json ! -name report.html | LC_ALL=C sort | xargs sha256sum
find . -type f -name report.html | LC_ALL=C sort | while read -r f; do
  echo "$(grep -v wall_seconds "$f" | sha256sum | cut -c1-64)  $f (without wall_seconds)"
done
