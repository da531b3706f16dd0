#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, to try docs/cluster.md's Slurm recipe on a laptop, a
# VM or in CI (.ci/run uses it). Debian or Ubuntu, as root, no systemd needed: munged, slurmctld
# and slurmd are started by hand.
#
#   deploy/slurm/local-cluster.sh up       # install slurm-wlm and munge if missing, write
#                                          # /etc/slurm/slurm.conf, start the three daemons
#   deploy/slurm/local-cluster.sh status   # which daemons run, and sinfo
#   deploy/slurm/local-cluster.sh down     # cancel every job, stop the daemons it started
#
# `up` and `down` are idempotent: `up` on a running cluster only checks it, `down` on a stopped
# one does nothing. The node is this host on 127.0.0.1, with the CPUs and memory `slurmd -C`
# reports; proctrack/linuxproc and task/none (no cgroups), select/cons_tres (jobs share the node
# by CPU), no accounting database (so no sacct: use squeue and scontrol show job). slurm.conf
# is written only if it is absent or was written by this script (it starts with MARKER below);
# a site's own slurm.conf is never replaced. Logs: /var/log/slurm/. Exit status: 0 done, 1 a
# daemon did not start, 2 usage, 3 this machine cannot have the cluster (not root, no apt-get,
# the packages could not be installed); `status` exits 3 when a daemon is stopped.
set -euo pipefail

MARKER="# Written by allocsim deploy/slurm/local-cluster.sh"
CONF=/etc/slurm/slurm.conf
MUNGE_PID=/run/munge/munged.pid
CTLD_PID=/run/slurmctld.pid
SLURMD_PID=/run/slurmd.pid
conf_changed=0

die() {
  echo "local-cluster.sh: $*" >&2
  exit 1
}

# Exit status 3: this machine cannot have the cluster (not root, or the packages cannot be
# installed), as opposed to 1, a cluster that should start and did not. .ci/run skips on 3.
cannot() {
  echo "local-cluster.sh: $*" >&2
  exit 3
}

# Whether the pid in file $1 is a live process of the daemon that wrote it (named like the
# file: munged, slurmctld, slurmd), not a stale file whose pid now belongs to another process.
alive() {
  local pid name
  [ -r "$1" ] || return 1
  pid=$(cat "$1" 2>/dev/null) || return 1
  name=$(basename "$1" .pid)
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ]
}

install_packages() {
  if command -v slurmctld >/dev/null && command -v slurmd >/dev/null &&
    command -v sbatch >/dev/null && command -v munged >/dev/null; then
    return
  fi
  command -v apt-get >/dev/null || cannot "slurm-wlm and munge are missing and there is no apt-get to install them"
  echo "installing slurm-wlm and munge (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  # Without systemd the packages' start scripts are skipped or fail harmlessly: up starts the
  # daemons itself.
  apt-get update -qq || cannot "apt-get update failed"
  apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null ||
    cannot "apt-get install slurm-wlm munge failed"
}

write_conf() {
  local node cpus
  if [ -e "$CONF" ] && ! head -n 1 "$CONF" | grep -qF "$MARKER"; then
    die "$CONF exists and was not written by this script: not replacing it (move it away to use this one-node cluster)"
  fi
  node=$(hostname -s)
  # slurmd -C prints this machine as a NodeName line; keep its hardware fields.
  cpus=$(slurmd -C | head -n 1 | sed -e 's/^NodeName=[^ ]* //')
  case "$cpus" in
    CPUs=*) ;;
    *) die "unexpected output of slurmd -C: $cpus" ;;
  esac
  local tmp
  tmp=$(mktemp "$CONF.XXXXXX")
  cat >"$tmp" <<EOF
$MARKER: a one-node cluster on 127.0.0.1.
ClusterName=allocsim-local
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
# A toy cluster: look at pending jobs every second (default 60 s), so a job starts as soon as
# the one before it, or its dependency, ends.
SchedulerParameters=sched_interval=1
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=$CTLD_PID
SlurmdPidFile=$SLURMD_PID
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
NodeName=$node NodeAddr=127.0.0.1 $cpus State=UNKNOWN
PartitionName=local Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
  chmod 644 "$tmp"
  if [ -e "$CONF" ] && cmp -s "$tmp" "$CONF"; then
    rm -f "$tmp"
  else
    mv "$tmp" "$CONF"
    conf_changed=1
  fi
}

# Waits up to $2 tenths of a second for command $1 to succeed.
wait_for() {
  local i
  for ((i = 0; i < $2; i++)); do
    if eval "$1" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.1
  done
  return 1
}

up() {
  [ "$(id -u)" -eq 0 ] || cannot "run as root (it installs packages and starts daemons)"
  install_packages
  write_conf
  mkdir -p /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge /var/log/munge /var/lib/munge
  if [ ! -s /etc/munge/munge.key ]; then
    mungekey --create --keyfile=/etc/munge/munge.key
  fi
  chown munge:munge /etc/munge/munge.key /run/munge /var/log/munge /var/lib/munge
  chmod 400 /etc/munge/munge.key
  chmod 755 /run/munge
  if ! alive "$MUNGE_PID"; then
    runuser -u munge -- munged
    wait_for "munge -n | unmunge" 50 || die "munged did not start (see /var/log/munge/munged.log)"
  fi
  if alive "$CTLD_PID" && [ "$conf_changed" -eq 1 ]; then
    scontrol reconfigure
  fi
  if ! alive "$CTLD_PID"; then
    slurmctld
    wait_for "scontrol ping | grep -q UP" 100 || die "slurmctld did not start (see /var/log/slurm/slurmctld.log)"
  fi
  if ! alive "$SLURMD_PID"; then
    slurmd
  fi
  # The node is usable once it is idle (or already running jobs).
  if ! wait_for "sinfo -h -N -o %t | grep -Eq '^(idle|mix|alloc)'" 150; then
    sinfo -N -l >&2 || true
    die "the node did not come up (see /var/log/slurm/slurmd.log)"
  fi
  status
}

# Stops the daemons whose pid files are $@ (SIGTERM), and waits up to 10 s for each to exit.
stop() {
  local file pid pids=()
  for file in "$@"; do
    if alive "$file"; then
      pid=$(cat "$file")
      kill "$pid"
      pids+=("$pid")
    fi
  done
  for pid in "${pids[@]}"; do
    wait_for "! kill -0 $pid" 100 || echo "local-cluster.sh: process $pid did not stop" >&2
  done
}

down() {
  if [ -e "$CONF" ] && ! head -n 1 "$CONF" | grep -qF "$MARKER"; then
    die "$CONF was not written by this script: not stopping a cluster it did not start"
  fi
  # Every job of this one-node cluster, so that the next `up` starts with an empty queue.
  if alive "$CTLD_PID"; then
    squeue -h -o %A | xargs -r scancel || true
  fi
  # Each daemon takes a second or two to stop: slurmd and slurmctld together, then munged,
  # which they need until they are gone.
  stop "$SLURMD_PID" "$CTLD_PID"
  stop "$MUNGE_PID"
  echo "local cluster stopped"
}

status() {
  local name file state=0
  for name in munged slurmctld slurmd; do
    case $name in
      munged) file=$MUNGE_PID ;;
      slurmctld) file=$CTLD_PID ;;
      slurmd) file=$SLURMD_PID ;;
    esac
    if alive "$file"; then
      echo "$name: running (pid $(cat "$file"))"
    else
      echo "$name: stopped"
      state=3
    fi
  done
  if [ "$state" -eq 0 ]; then
    sinfo -h -N -o 'node %N: %t, %c CPUs, %m MB'
  fi
  return "$state"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *)
    echo "usage: $0 up|down|status" >&2
    exit 2
    ;;
esac
