#!/usr/bin/env bash
# Time allocsim against the NumPy baseline (benches/numpy/allocsim_numpy.py) on
# benches/baseline-v1.toml at 10^6 trials, end to end (read, simulate, summarise, write CSV;
# no charts), side by side in one run on this machine. The version-1 baseline: the NumPy port
# has no Gaussian copula, which scenarios/baseline.toml now uses for the firms' orders (it
# refuses that file, naming [dependence]).
#
#   benches/compare-numpy.sh            # 3 interleaved repetitions of each
#   REPS=5 TRIALS=200000 benches/compare-numpy.sh
#
# Needs cargo and python3 (>= 3.11, for tomllib) with the venv module; numpy is installed from
# PyPI into target/numpy-venv on first use. Prints each timing, the medians and the ratio
# numpy / allocsim. Timings are wall seconds of each whole process, measured with
# time.perf_counter() around subprocess.run (so they include interpreter start-up and the
# numpy import for the Python side, and process start-up for allocsim). Run it on an otherwise
# idle machine: anything else using the cores slows both sides unevenly.
set -euo pipefail
cd "$(dirname "$0")/.."

TRIALS=${TRIALS:-1000000}
REPS=${REPS:-3}
SCENARIO=${SCENARIO:-benches/baseline-v1.toml}
TARGET=${CARGO_TARGET_DIR:-target}
VENV=target/numpy-venv

echo "== building allocsim (release)" >&2
cargo build --release --quiet
BIN="$TARGET/release/allocsim"

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import numpy" 2>/dev/null; then
    echo "== creating $VENV and installing numpy from PyPI" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check numpy
fi

mkdir -p target/cmp
"$VENV/bin/python" - "$BIN" "$SCENARIO" "$TRIALS" "$REPS" <<'PY'
import os, platform, resource, statistics, subprocess, sys, time
import numpy as np

binary, scenario, trials, reps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
cmds = {
    "allocsim": [binary, "run", scenario, "--trials", trials, "--no-charts", "--quiet",
                 "--out", "target/cmp/allocsim"],
    "numpy": [sys.executable, "benches/numpy/allocsim_numpy.py", scenario, "--trials", trials,
              "--out", "target/cmp/numpy/summary.csv"],
}
print(f"scenario {scenario}, {trials} trials, {reps} interleaved repetitions; "
      f"{os.cpu_count()} cores; Python {platform.python_version()}, numpy {np.__version__}; "
      f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
times = {k: [] for k in cmds}
cpus = {k: [] for k in cmds}


def child_cpu():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


for rep in range(1, reps + 1):
    for name, cmd in cmds.items():
        c0 = child_cpu()
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        dt = time.perf_counter() - t0
        cpu = child_cpu() - c0
        times[name].append(dt)
        cpus[name].append(cpu)
        print(f"  rep {rep}  {name:9s} {dt:8.3f} s wall  {cpu:8.3f} s cpu (user+sys)")
med = {k: statistics.median(v) for k, v in times.items()}
medc = {k: statistics.median(v) for k, v in cpus.items()}
print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
print()
print(f"| {'implementation':14s} | {'median wall s':>13s} | {'min':>7s} | {'max':>7s} "
      f"| {'median cpu s':>12s} |")
print(f"|{'-' * 16}|{'-' * 15}|{'-' * 9}|{'-' * 9}|{'-' * 14}|")
for k, v in times.items():
    print(f"| {k:14s} | {med[k]:13.3f} | {min(v):7.3f} | {max(v):7.3f} | {medc[k]:12.3f} |")
ratio = med["numpy"] / med["allocsim"]
print()
print(f"ratio numpy / allocsim, median wall time: {ratio:.1f}x  (target: >= 10x)")
print(f"(cpu time ratio, for reference only - allocsim uses every core, numpy one: "
      f"{medc['numpy'] / medc['allocsim']:.1f}x)")
PY
