"""Type stubs of allocsim's native module (Rust, PyO3). The documented API is the ``allocsim``
package, which wraps these; they take and return plain values and CSV text."""

from typing import Callable, List, Optional, Sequence, Tuple

_Progress = Optional[Callable[[int], object]]
_Charts = Optional[Tuple[int, int]]

def version() -> str:
    """The allocsim version this module was built from."""

class Scenario:
    """A validated scenario: the file's path and bytes and the overrides applied, in order."""

    @staticmethod
    def load(path: str) -> "Scenario":
        """Reads and validates the scenario file at ``path``."""
    def with_overrides(self, texts: Sequence[str]) -> "Scenario":
        """This scenario with the ``KEY=VALUE`` overrides applied after its own."""
    @property
    def name(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def overrides(self) -> List[str]: ...
    @property
    def trials(self) -> int: ...
    @property
    def seed(self) -> int: ...
    @property
    def rounds(self) -> int: ...
    @property
    def rule(self) -> str: ...
    @property
    def firms(self) -> List[str]: ...
    @property
    def title(self) -> str: ...

class RunResult:
    """A finished run."""

    def summary_csv(self) -> str:
        """summary.csv's text."""
    def rounds_csv(self) -> str:
        """rounds.csv's text."""
    def trials_csv(self) -> Optional[str]:
        """trials.csv's text, None unless the run kept its trials."""
    def table(self) -> str:
        """The table ``allocsim run`` prints."""
    @property
    def title(self) -> str: ...
    @property
    def trials(self) -> int: ...
    @property
    def seed(self) -> int: ...
    @property
    def threads(self) -> int: ...
    @property
    def wall_seconds(self) -> float: ...
    def save(
        self,
        dir: str,
        command_line: Sequence[str],
        force: bool = False,
        charts: _Charts = (1600, 1000),
        xlsx: bool = False,
    ) -> str:
        """Writes the run's folder as ``allocsim run --out dir`` does."""

class PointsResult:
    """A finished sweep, compare or sensitivity."""

    def comparison_csv(self) -> str: ...
    def differences_csv(self) -> str: ...
    def sensitivity_csv(self) -> Optional[str]: ...
    def table(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def labels(self) -> List[str]: ...
    @property
    def trials(self) -> int: ...
    @property
    def seed(self) -> int: ...
    @property
    def wall_seconds(self) -> float: ...
    def save(
        self,
        dir: str,
        command_line: Sequence[str],
        force: bool = False,
        charts: _Charts = (1600, 1000),
        xlsx: bool = False,
    ) -> str:
        """Writes the folder as the command's ``--out dir`` does."""

class ImportanceResult:
    """A finished importance analysis."""

    def importance_csv(self) -> str: ...
    def table(self) -> str: ...
    @property
    def trials(self) -> int: ...
    @property
    def trials_run(self) -> int: ...
    @property
    def seed(self) -> int: ...
    @property
    def wall_seconds(self) -> float: ...
    def save(
        self, dir: str, command_line: Sequence[str], force: bool = False, charts: _Charts = (1600, 1000)
    ) -> str:
        """Writes the folder as ``allocsim importance --out dir`` does."""

class TailAnalysis:
    """A finished tail analysis."""

    def tail_csv(self) -> str: ...
    def worst_trials(self) -> List[Tuple[int, int]]: ...
    @property
    def tail_trials(self) -> int: ...
    @property
    def threshold(self) -> int: ...
    @property
    def trials(self) -> int: ...
    @property
    def seed(self) -> int: ...
    @property
    def wall_seconds(self) -> float: ...
    def save(
        self, dir: str, command_line: Sequence[str], force: bool = False, charts: _Charts = (1600, 1000)
    ) -> str:
        """Writes the folder as ``allocsim tail --out dir`` does."""

def run(
    scenario: Scenario,
    trials: Optional[int] = None,
    seed: Optional[int] = None,
    threads: int = 0,
    keep_trials: bool = False,
    progress: _Progress = None,
) -> RunResult:
    """Runs the scenario's trials, the GIL released."""

def sweep(
    scenario: Scenario,
    knobs: Sequence[str],
    reference: Optional[str] = None,
    trials: Optional[int] = None,
    seed: Optional[int] = None,
    threads: int = 0,
    progress: _Progress = None,
) -> PointsResult:
    """Sweeps the grid of ``KEY=V1,V2,...`` knobs."""

def sensitivity(
    scenario: Scenario,
    knobs: Sequence[str],
    trials: Optional[int] = None,
    seed: Optional[int] = None,
    threads: int = 0,
    progress: _Progress = None,
) -> PointsResult:
    """Varies each ``KEY=LOW,HIGH`` knob."""

def compare(
    scenarios: Sequence[Scenario],
    fixed: Sequence[str],
    reference: Optional[str] = None,
    trials: Optional[int] = None,
    seed: Optional[int] = None,
    threads: int = 0,
    progress: _Progress = None,
) -> PointsResult:
    """Compares whole scenarios, ``fixed`` overrides applied to each."""

def importance(
    scenario: Scenario,
    trials: Optional[int] = None,
    seed: Optional[int] = None,
    threads: int = 0,
    groups: Optional[Sequence[str]] = None,
    metric: str = "unmet",
    by_firm: bool = False,
    progress: _Progress = None,
) -> ImportanceResult:
    """Variance-based importance of the random inputs' groups."""

def tail_analysis(
    scenario: Scenario,
    trials: Optional[int] = None,
    seed: Optional[int] = None,
    threads: int = 0,
    firm: Optional[str] = None,
    worst: str = "10%",
    progress: _Progress = None,
) -> TailAnalysis:
    """The worst trials and what marks them."""

def trace(scenario: Scenario, trial: int, seed: Optional[int] = None) -> Tuple[str, str]:
    """One trial: (the CSV of ``trace --csv``, the text of ``trace``)."""

def _panic_for_tests(on_worker: bool) -> None:
    """Panics on purpose: the tests check it becomes an InternalError."""
