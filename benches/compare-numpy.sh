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
import sys

sys.path.insert(0, "benches")
from side_by_side import against  # noqa: E402
import numpy as np

against("numpy", f"numpy {np.__version__}", ">= 10x",
        "cpu time ratio, for reference only - allocsim uses every core, numpy one",
        digits=1, warmup=False)
PY
