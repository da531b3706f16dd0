"""Shared fixtures: the repository's scenarios and the CLI binary the answers are checked against."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.toml"
BAD = ROOT / "tests" / "data" / "bad"


def cli_path() -> Path:
    """The allocsim binary: $ALLOCSIM_BIN, else the one `cargo build` / `cargo test` made."""
    given = os.environ.get("ALLOCSIM_BIN")
    return Path(given) if given else ROOT / "target" / "debug" / "allocsim"


@pytest.fixture(scope="session")
def cli():
    """Runs the allocsim CLI; returns the finished process (stdout and stderr as text)."""
    binary = cli_path()
    if not binary.exists():
        pytest.fail(f"{binary} is missing: run `cargo build` first, or set ALLOCSIM_BIN")

    def run(*args, check=True):
        done = subprocess.run(
            [str(binary), *map(str, args)], capture_output=True, text=True, cwd=ROOT
        )
        if check and done.returncode != 0:
            raise AssertionError(f"allocsim {args} failed: {done.stderr}")
        return done

    return run


@pytest.fixture(scope="session")
def baseline():
    import allocsim

    return allocsim.load(BASELINE)
