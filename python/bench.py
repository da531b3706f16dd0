"""The cost of a run from Python against the CLI: 10^6 baseline trials (TRIALS), each side
N times (default 5), interleaved, both release builds (`cargo build --release`; `pip install
./python` builds in release). The CLI is timed as a process (`--no-charts --quiet`), Python as the
call `allocsim.run(...)` plus reading its summary into a DataFrame.

    python python/bench.py [N] [TRIALS]     # from the repository root, in the package's venv
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Python puts this script's folder first on the path, and it holds the package's source without
# its native module: import the installed package instead.
sys.path = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import allocsim  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CLI = os.environ.get("ALLOCSIM_BIN", str(ROOT / "target" / "release" / "allocsim"))
SCENARIO = ROOT / "scenarios" / "baseline.toml"


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    trials = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    base = allocsim.load(SCENARIO)
    allocsim.run(base, trials=1000).summary  # pandas imported, caches warm
    cli, py = [], []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(n):
            started = time.perf_counter()
            subprocess.run(
                [CLI, "run", str(SCENARIO), "--trials", str(trials), "--no-charts", "--quiet",
                 "--out", os.path.join(out, "cli")],
                check=True,
            )
            cli.append(time.perf_counter() - started)
            started = time.perf_counter()
            allocsim.run(base, trials=trials).summary
            py.append(time.perf_counter() - started)
    for name, times in (("CLI", cli), ("Python", py)):
        print(f"{name:7} median {statistics.median(times):.3f} s, min {min(times):.3f} s, "
              f"max {max(times):.3f} s ({', '.join(f'{t:.3f}' for t in times)})")
    ratio = statistics.median(py) / statistics.median(cli)
    print(f"Python / CLI (medians): {ratio:.3f}")


if __name__ == "__main__":
    main()
