#!/usr/bin/env bash
# Time allocsim against the tuned Numba implementation (benches/numba/allocsim_numba.py) on
# scenarios/baseline.toml at 10^7 trials, end to end (read, simulate, summarise, write CSV;
# no charts), side by side in one run on this machine.
#
#   benches/compare-numba.sh                       # 3 interleaved repetitions at 10^7 trials
#   REPS=5 TRIALS=1000000 benches/compare-numba.sh
#   BIN=/path/to/allocsim benches/compare-numba.sh # use that binary, build nothing
#
# Needs python3 (>= 3.11, for tomllib) with the venv module, and cargo unless BIN is given;
# numba, numpy and scipy are installed from PyPI into target/numba-venv on first use. Before
# timing, each program runs once untimed (at the same trial count): that warms the OS page
# cache for both and, for the Numba side, fills Numba's compile cache (cache=True, in
# benches/numba/__pycache__) so that no timed run compiles. Prints each timing, the medians
# and the ratio numba / allocsim. Timings are wall seconds of each whole process, measured
# with time.perf_counter() around subprocess.run (so they include interpreter start-up, the
# imports and loading the compiled kernels for the Python side, and process start-up for
# allocsim). Both use every core. Run it on an otherwise idle machine: anything else using
# the cores slows both sides unevenly.
set -euo pipefail
cd "$(dirname "$0")/.."

TRIALS=${TRIALS:-10000000}
REPS=${REPS:-3}
SCENARIO=${SCENARIO:-scenarios/baseline.toml}
TARGET=${CARGO_TARGET_DIR:-target}
VENV=target/numba-venv

if [ -z "${BIN:-}" ]; then
    echo "== building allocsim (release)" >&2
    cargo build --release --quiet
    BIN="$TARGET/release/allocsim"
fi
if [ ! -x "$BIN" ]; then
    echo "compare-numba.sh: BIN=$BIN is not an executable" >&2
    exit 2
fi

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import numba, numpy, scipy" 2>/dev/null; then
    echo "== creating $VENV and installing numba, numpy and scipy from PyPI" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check numba numpy scipy
fi

mkdir -p target/cmp
"$VENV/bin/python" - "$BIN" "$SCENARIO" "$TRIALS" "$REPS" <<'PY'
import sys

sys.path.insert(0, "benches")
from side_by_side import against  # noqa: E402
import numba, numpy as np

against("numba", f"numba {numba.__version__}, numpy {np.__version__}", ">= 2.5x, aim 3x",
        "cpu time ratio, for reference", digits=2, warmup=True)
PY
