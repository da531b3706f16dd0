#!/usr/bin/env bash
# Runs docs/cluster.md's Slurm recipe for real on a running cluster (deploy/slurm/local-cluster.sh
# up) and checks it; .ci/run runs it. From the repository root:
#
#   ALLOCSIM=target/debug/allocsim deploy/slurm/check-recipe.sh [WORKDIR]
#
# 1. The recipe's submission block, read from docs/cluster.md and run as written, with this
#    script's settings (4 shards of the baseline, CPUS=1): the merged summary.csv, rounds.csv
#    and results.json must equal one unsharded run's byte for byte.
# 2. The same submission again, with shard 2's process killed (SIGKILL) while it runs: the task
#    must fail, the merge job must be cancelled (not left pending), and the docs' re-submission
#    block, run as written with FAILED=2, must give the same merged files again, with no
#    clean-up in between.
# WORKDIR (default target/slurm-check) is replaced. Every wait has a timeout (TIMEOUT seconds
# per wait, default 120). Exit status 0 if every check holds, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
doc=docs/cluster.md
# Enough trials that shard 2 (a quarter, on one thread) is still running when step 2 kills it,
# however fast the machine: at 40,000 a shard of the test build ended within the 0.3 s it waited.
trials=400000
timeout=${TIMEOUT:-120}
work=${1:-target/slurm-check}
case "$work" in /*) ;; *) work=$root/$work ;; esac

fail() {
  echo "check-recipe.sh: $*" >&2
  exit 1
}

# On any exit, cancel what this script submitted and is still queued, so that a failed check
# leaves no job pending on the cluster.
submitted=()
cancel_submitted() {
  if [ "${#submitted[@]}" -gt 0 ]; then
    scancel "${submitted[@]}" 2>/dev/null || true
  fi
}
trap cancel_submitted EXIT

: "${ALLOCSIM:?set ALLOCSIM to the allocsim binary to run}"
case "$ALLOCSIM" in /*) ;; */*) ALLOCSIM=$root/$ALLOCSIM ;; esac
export ALLOCSIM
[ -x "$ALLOCSIM" ] || command -v "$ALLOCSIM" >/dev/null || fail "ALLOCSIM=$ALLOCSIM is not a program"
command -v sbatch >/dev/null || fail "sbatch is missing: start a cluster first (deploy/slurm/local-cluster.sh up)"

# The indented block after the line `<!-- NAME ... -->` in the docs, unindented.
block() {
  awk -v name="<!-- $1" '
    index($0, name) == 1 { found = 1; next }
    found && /^    / { print substr($0, 5); inside = 1; next }
    found && inside && !/^ *$/ { exit }
  ' "$doc"
}
submit=$(block slurm-submit)
resubmit=$(block slurm-resubmit)
settings=$(block slurm-settings)
if [ -z "$submit" ] || [ -z "$resubmit" ] || [ -z "$settings" ]; then
  fail "$doc: the slurm-settings, slurm-submit and slurm-resubmit blocks were not found"
fi
# The docs' settings must be the ones this script sets, or the blocks would use a variable it
# does not know.
names=$(sed -n -e 's/^export \([A-Z_]*\)=.*/\1/p' -e 's/^\([A-Z_]*\)=.*/\1/p' <<<"$settings" | sort | tr '\n' ' ')
[ "$names" = "ARGS CPUS RUN_DIR SCENARIO SHARDS " ] ||
  fail "$doc: the Slurm settings block sets $names; this script sets ARGS CPUS RUN_DIR SCENARIO SHARDS"
grep -q '^FAILED=' <<<"$resubmit" || fail "$doc: the re-submission block does not set FAILED"

rm -rf "$work"
mkdir -p "$work"
export SHARDS=4 CPUS=1 SCENARIO=$root/scenarios/baseline.toml
# The run options exercise what once broke every shard: --threads and --quiet, which the
# script also sets, and a --set value holding spaces.
overrides=(--set 'domestic.supply={ dist = "pert", min = 60000, mode = 120000, max = 250000 }')
# shellcheck disable=SC2034 # read by the docs' blocks, run below with eval
ARGS=(--trials "$trials" --threads 1 --quiet "${overrides[@]}")
export ALLOCSIM_MERGE_ARGS="--no-charts --quiet"

# Waits up to $1 seconds until none of the jobs $2... is pending or running.
wait_jobs() {
  local ids limit=$1 start=$SECONDS
  shift
  ids=$(tr ' ' ',' <<<"$*")
  while [ -n "$(squeue -h -j "$ids" 2>/dev/null)" ]; do
    if ((SECONDS - start > limit)); then
      squeue -j "$ids" -o '%i %j %t %r' >&2 || true
      fail "jobs $ids still queued after $limit s"
    fi
    sleep 0.2
  done
}

# The state of job $1 (COMPLETED, FAILED, CANCELLED...), while slurmctld remembers it.
state() {
  scontrol show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -n 1
}

# Every state of array job $1's tasks, one line each: "TASK STATE".
task_states() {
  scontrol show job "$1" 2>/dev/null |
    awk '/ArrayTaskId=/ { match($0, /ArrayTaskId=[0-9]+/); t = substr($0, RSTART + 12, RLENGTH - 12) }
         /JobState=/ { match($0, /JobState=[A-Z_]+/); print t, substr($0, RSTART + 9, RLENGTH - 9) }' |
    sort -n
}

same_as_whole() {
  local file
  for file in summary.csv rounds.csv results.json; do
    [ -s "$RUN_DIR/merged/$file" ] || fail "$1: $RUN_DIR/merged/$file is missing (logs: $RUN_DIR/logs)"
    cmp -s "$work/whole/$file" "$RUN_DIR/merged/$file" ||
      fail "$1: merged $file differs from one run's ($work/whole/$file)"
  done
  echo "$1: merged summary.csv, rounds.csv and results.json equal one run's byte for byte"
}

# One unsharded run to compare with, beside the cluster's work.
"$ALLOCSIM" run "$SCENARIO" --trials "$trials" "${overrides[@]}" --no-charts --quiet \
  --out "$work/whole" &
whole_pid=$!

# 1. The recipe as written.
export RUN_DIR=$work/run
eval "$submit"
submitted+=("${JOBID%%;*}" "$MERGEID")
wait_jobs "$timeout" "${JOBID%%;*}" "$MERGEID"
wait "$whole_pid" || fail "the unsharded run failed"
[ "$(state "$MERGEID")" = COMPLETED ] || fail "merge job $MERGEID ended $(state "$MERGEID") (logs: $RUN_DIR/logs)"
same_as_whole "recipe"

# 2. A shard killed while it runs, then the docs' re-submission.
export RUN_DIR=$work/killed
eval "$submit"
submitted+=("${JOBID%%;*}" "$MERGEID")
first=${JOBID%%;*}
first_merge=$MERGEID
start=$SECONDS
pid=
while [ -z "$pid" ]; do
  pid=$(pgrep -f -- "--shard 2/$SHARDS --out $RUN_DIR/shard-2" | head -n 1 || true)
  ((SECONDS - start <= timeout)) || fail "shard 2 did not start within $timeout s"
  [ -n "$pid" ] || sleep 0.05
done
sleep 0.1
kill -0 "$pid" 2>/dev/null || fail "shard 2 ended before it could be killed: make its run longer"
kill -KILL "$pid"
wait_jobs "$timeout" "$first"
# Slurm cancels the merge once its dependency cannot be met: seconds, not a timeout's worth.
wait_jobs 15 "$first_merge"
states=$(task_states "$first" | tr '\n' ' ')
[ "$states" = "1 COMPLETED 2 FAILED 3 COMPLETED 4 COMPLETED " ] ||
  fail "after killing shard 2 the tasks ended: $states"
[ "$(state "$first_merge")" = CANCELLED ] ||
  fail "merge job $first_merge ended $(state "$first_merge"), not cancelled, after shard 2 failed"
[ ! -e "$RUN_DIR/shard-2/partial.json" ] || fail "the killed shard 2 left a partial.json"
[ ! -e "$RUN_DIR/merged" ] || fail "a merge ran although shard 2 failed"
echo "killed shard 2 (process $pid): task 2 FAILED, merge job $first_merge CANCELLED"
eval "$(sed 's/^FAILED=.*/FAILED=2/' <<<"$resubmit")"
submitted+=("${JOBID%%;*}" "$MERGEID")
wait_jobs "$timeout" "${JOBID%%;*}" "$MERGEID"
[ "$(state "$MERGEID")" = COMPLETED ] || fail "merge job $MERGEID ended $(state "$MERGEID") (logs: $RUN_DIR/logs)"
same_as_whole "shard 2 killed and re-submitted"
