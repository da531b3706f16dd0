#!/usr/bin/env bash
# Runs a scenario as N shards in parallel on this machine, then merges them: the same steps a
# Slurm job array or a Kubernetes Indexed Job performs (docs/cluster.md), without a cluster.
#
#   deploy/local-shards.sh SCENARIO N WORKDIR [RUN OPTIONS...]
#
# Shard K writes WORKDIR/shard-K/; the merged run is WORKDIR/merged/. RUN OPTIONS go to every
# shard's `allocsim run` as quoted (e.g. --trials 1000000 --threads 1 --set 'KEY=A VALUE');
# --shard and --out are set here and refused there.
# Environment:
#   ALLOCSIM             the binary [default: allocsim on PATH, else target/release/allocsim]
#   ALLOCSIM_RUN_ARGS    more arguments for every shard, split on whitespace, before RUN OPTIONS
#   ALLOCSIM_MERGE_ARGS  more arguments for the merge, split on whitespace, e.g. "--no-charts"
set -euo pipefail

if [ "$#" -lt 3 ]; then
  echo "usage: $0 SCENARIO N WORKDIR [RUN OPTIONS...]" >&2
  exit 2
fi
scenario=$1
shards=$2
workdir=$3
shift 3
case "$shards" in
  '' | *[!0-9]*) echo "$0: N must be a whole number, got '$shards'" >&2; exit 2 ;;
esac

if [ -z "${ALLOCSIM:-}" ]; then
  if command -v allocsim >/dev/null 2>&1; then
    ALLOCSIM=allocsim
  else
    ALLOCSIM="$(dirname "$0")/../target/release/allocsim"
  fi
fi
read -r -a run_args <<<"${ALLOCSIM_RUN_ARGS:-}"
run_args+=("$@")
read -r -a merge_args <<<"${ALLOCSIM_MERGE_ARGS:-}"
quiet=(--quiet)
for a in "${run_args[@]}"; do
  case $a in
    --shard | --shard=* | --out | --out=*)
      echo "$0: ${a%%=*} is set by this script (--shard K/$shards --out $workdir/shard-K): remove it from the run options" >&2
      exit 2
      ;;
    --quiet | -q) quiet=() ;;
  esac
done
mkdir -p "$workdir"

# Every shard is independent: start them all, then wait for each and report its status.
pids=()
for ((k = 1; k <= shards; k++)); do
  "$ALLOCSIM" run "$scenario" --shard "$k/$shards" --out "$workdir/shard-$k" "${quiet[@]}" \
    "${run_args[@]}" &
  pids+=("$!")
done
failed=0
for ((k = 1; k <= shards; k++)); do
  if ! wait "${pids[k - 1]}"; then
    echo "$0: shard $k/$shards failed" >&2
    failed=1
  fi
done
if [ "$failed" -ne 0 ]; then
  exit 1
fi

# The merge checks that every shard 1..N of one run is present exactly once.
dirs=()
for ((k = 1; k <= shards; k++)); do
  dirs+=("$workdir/shard-$k")
done
"$ALLOCSIM" merge "${dirs[@]}" --out "$workdir/merged" "${merge_args[@]}"
