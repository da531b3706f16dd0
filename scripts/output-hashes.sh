#!/usr/bin/env bash
# The SHA-256 of every output of a fixed set of commands: `run` on each shipped scenario (with
# charts, report.html and trials.csv), sweeps of policy knobs, of a distribution, of the copula
# and of a regime factor, compares of scenarios with other firm lists, sensitivities and
# importance analyses (by group and by firm): the points and trials that share a world (issue
# 19) and those that draw their own. Two builds
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
q=(--trials 3000 --quiet --force)
"$BIN" sweep scenarios/baseline.toml --set domestic.ratio=0.3,0.5 \
  --set allocation.rule=proportional,talmud,random_priority,priority "${q[@]}" --out "$OUT/sweep-rules"
"$BIN" sweep scenarios/baseline.toml \
  --set 'approval.batch={dist="uniform",min=100000,max=300000},{dist="fixed",value=200000}' \
  --set domestic.ratio=0.2,0.6 "${q[@]}" --out "$OUT/sweep-batch"
"$BIN" sweep scenarios/futures.toml --set dependence.orders=0,0.3,0.6 \
  --set dependence.conversion=0,0.5 "${q[@]}" --out "$OUT/sweep-dependence"
"$BIN" sweep benches/correlated-regimes.toml --set regime.tense.approval_factor=0.3,0.5 \
  --set domestic.ratio=0.1,0.4 "${q[@]}" --out "$OUT/sweep-regime"
"$BIN" compare scenarios/baseline.toml scenarios/futures.toml scenarios/accelerated-domestic.toml \
  "${q[@]}" --out "$OUT/compare-firms"
"$BIN" sensitivity scenarios/futures.toml --vary domestic.ratio=0.3,0.6 "${q[@]}" \
  --out "$OUT/sensitivity-futures"
"$BIN" importance scenarios/baseline.toml --trials 2000 --quiet --force --out "$OUT/importance"
"$BIN" importance scenarios/futures.toml --trials 2000 --quiet --force --out "$OUT/importance-futures"
"$BIN" importance scenarios/baseline.toml --by-firm --trials 1000 --quiet --force \
  --out "$OUT/importance-by-firm"
"$BIN" importance benches/correlated-regimes.toml --by-firm --trials 1000 --quiet --force \
  --out "$OUT/importance-correlated"
"$BIN" importance scenarios/futures.toml --set allocation.rule=random_priority --trials 1000 \
  --quiet --force --out "$OUT/importance-random-order"
"$BIN" sweep scenarios/futures.toml --set allocation.rule=random_priority \
  --set domestic.ratio=0.2,0.4,0.6 "${q[@]}" --out "$OUT/sweep-random-order"
for m in delivered domestic effective_unmet fill_rate; do
  "$BIN" importance scenarios/futures.toml --metric "$m" --no-charts --trials 1000 --quiet --force \
    --out "$OUT/importance-$m"
done
cd "$OUT"
find . -type f ! -name manifest.json ! -name report.html | LC_ALL=C sort | xargs sha256sum
find . -type f -name report.html | LC_ALL=C sort | while read -r f; do
  echo "$(grep -v wall_seconds "$f" | sha256sum | cut -c1-64)  $f (without wall_seconds)"
done
