"""allocsim from Python: the same Rust core as the ``allocsim`` command, results as DataFrames.

Three lines answer a policy question::

    import allocsim
    base = allocsim.load("scenarios/baseline.toml")
    allocsim.run(base.set("domestic.ratio", 0.6), trials=100_000).summary

Every table is the one the CLI writes (``summary.csv``, ``rounds.csv``, ``comparison.csv``,
...), read from the very bytes the CLI's writer produces, so for the same scenario and seed a
DataFrame equals ``pandas.read_csv`` of the CLI's file exactly. ``.save(dir)`` writes the folder
the command's ``--out dir`` writes, charts and report.html included, under the same rules
(docs/outputs.md: a folder holding files allocsim did not write is never replaced unless
``force=True``).

The simulation runs with the GIL released; Ctrl-C raises :class:`KeyboardInterrupt` within a
fraction of a second. Tables come as pandas DataFrames, or polars ones with ``frame="polars"``
or the ``*_pl()`` methods (polars is imported only then, and is not a dependency).
"""

from __future__ import annotations

import io
import json
import math
import os
import sys
import time
from pathlib import Path
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    Iterable,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Union,
)

from . import _native
from .errors import (
    AllocsimError,
    InternalError,
    OutputError,
    ScenarioError,
    ScenarioProblem,
    UsageError,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas
    import polars

__all__ = [
    "load",
    "run",
    "sweep",
    "compare",
    "sensitivity",
    "importance",
    "tail",
    "trace",
    "Scenario",
    "Result",
    "Comparison",
    "Importance",
    "Tail",
    "Trace",
    "AllocsimError",
    "ScenarioError",
    "ScenarioProblem",
    "UsageError",
    "OutputError",
    "InternalError",
]

__version__: str = _native.version()

PathLike = Union[str, "os.PathLike[str]"]
#: A value for ``Scenario.set``: a number, a bool, a string as ``--set`` takes it (a bare word
#: such as ``talmud``, or TOML text such as ``{dist="uniform", min=0.3, max=0.7}``), or a list
#: or dict of such values (written as a TOML array or inline table).
Value = Union[bool, int, float, str, Sequence[Any], Mapping[str, Any]]
#: ``progress=``: False (none), True (a bar: tqdm's when it is installed, else a line on
#: stderr), or a callable given (done, total) about ten times a second.
Progress = Union[bool, Callable[[int, int], Any], None]

_CHART_SIZE = (1600, 1000)


# -------------------------------------------------------------------------------------------
# Values and tables


def _toml(value: Any, top: bool) -> str:
    """``value`` as ``--set`` takes it: TOML text, a top-level string as typed."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return value if top else json.dumps(value)
    if isinstance(value, Mapping):
        items = []
        for k, v in value.items():
            key = str(k)
            bare = key.replace("_", "").replace("-", "").isalnum() and key.isascii()
            items.append(f"{key if bare else json.dumps(key)} = {_toml(v, False)}")
        return "{" + ", ".join(items) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v, False) for v in value) + "]"
    raise TypeError(
        f"cannot pass a {type(value).__name__} as a scenario value: give a number, a bool, "
        "a string, or a list or dict of them"
    )


def _override(key: str, value: Any) -> str:
    if not isinstance(key, str):
        raise TypeError(f"a scenario key is a dotted string such as 'domestic.ratio', got {key!r}")
    return f"{key}={_toml(value, True)}"


def _pandas() -> Any:
    import pandas

    return pandas


def _polars() -> Any:
    try:
        import polars
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError(
            "polars is not installed: `pip install polars` to get polars DataFrames "
            "(allocsim does not require it; pandas DataFrames need nothing more)"
        ) from e
    return polars


def _check_frame(frame: str) -> str:
    if frame not in ("pandas", "polars"):
        raise ValueError(f"frame must be 'pandas' or 'polars', got {frame!r}")
    if frame == "polars":
        _polars()
    return frame


def _read_csv(text: str, frame: str) -> Any:
    if frame == "polars":
        return _polars().read_csv(io.BytesIO(text.encode("utf-8")))
    return _pandas().read_csv(io.StringIO(text))


class _Tables:
    """The CSV tables of a result, as DataFrames read on first use."""

    _frame: str

    def _csv(self, name: str) -> Optional[str]:  # pragma: no cover - overridden
        raise NotImplementedError

    def csv(self, name: str) -> str:
        """The CSV text of table ``name`` (``"summary"`` for summary.csv), byte for byte what
        the CLI writes into that file."""
        text = self._csv(name)
        if text is None:
            raise UsageError(self._missing(name))
        return text

    def _missing(self, name: str) -> str:
        return f"this result has no {name} table"

    def table(self, name: str, frame: Optional[str] = None) -> Any:
        """Table ``name`` as a DataFrame: pandas, or polars with ``frame="polars"`` (default:
        the ``frame`` the result was made with)."""
        frame = _check_frame(frame or self._frame)
        cache: Dict[Tuple[str, str], Any] = self.__dict__.setdefault("_cache", {})
        if (name, frame) not in cache:
            cache[(name, frame)] = _read_csv(self.csv(name), frame)
        df = cache[(name, frame)]
        # pandas frames are mutable: every caller gets its own.
        return df.copy() if frame == "pandas" else df


# -------------------------------------------------------------------------------------------
# Progress


class _TextBar:
    """A progress line on stderr, redrawn at most twice a second."""

    def __init__(self, total: int, unit: str) -> None:
        self.total, self.unit = total, unit
        self.started = time.monotonic()
        self.shown = 0.0

    def update(self, done: int) -> None:
        now = time.monotonic()
        if now - self.shown < 0.5 and done < self.total:
            return
        self.shown = now
        elapsed = max(now - self.started, 1e-9)
        share = done / self.total if self.total else 1.0
        sys.stderr.write(
            f"\rallocsim: {done:,}/{self.total:,} {self.unit} ({share:.0%}, "
            f"{done / elapsed:,.0f} {self.unit}/s)"
        )
        sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write("\n")
        sys.stderr.flush()


class _TqdmBar:
    def __init__(self, tqdm: Any, total: int, unit: str) -> None:
        self.bar = tqdm(total=total, unit=f" {unit}", unit_scale=True, desc="allocsim")
        self.done = 0

    def update(self, done: int) -> None:
        if done > self.done:
            self.bar.update(done - self.done)
            self.done = done

    def close(self) -> None:
        self.bar.close()


class _Progress:
    """What the native calls are given as ``progress``: a callable of the count done."""

    def __init__(self, progress: Progress, total: int, unit: str) -> None:
        self.callback: Optional[Callable[[int, int], Any]] = None
        self.bar: Any = None
        self.total = total
        if callable(progress):
            self.callback = progress
        elif progress:
            try:
                from tqdm.auto import tqdm
            except ImportError:
                self.bar = _TextBar(total, unit)
            else:
                self.bar = _TqdmBar(tqdm, total, unit)

    def native(self) -> Optional[Callable[[int], None]]:
        if self.callback is None and self.bar is None:
            return None
        return self

    def __call__(self, done: int) -> None:
        if self.callback is not None:
            self.callback(done, self.total)
        elif self.bar is not None:
            self.bar.update(done)

    def __enter__(self) -> "_Progress":
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.bar is not None:
            self.bar.close()


# -------------------------------------------------------------------------------------------
# Scenarios


class Scenario:
    """A validated scenario: a TOML file as read, with the overrides applied to it.

    Immutable: :meth:`set` returns a changed copy, validated again, so a bad value is caught
    where it is set, with the message ``allocsim run --set`` gives.
    """

    __slots__ = ("_native",)

    def __init__(self, native: Any) -> None:
        self._native = native

    def set(self, key: Union[str, Mapping[str, Value]], value: Value = None) -> "Scenario":
        """This scenario with ``key`` set to ``value``, as ``--set KEY=VALUE`` does: a copy,
        validated (a :class:`ScenarioError` says what is wrong). ``set({"a.b": 1, "c": 2})``
        sets several at once, in order.

        >>> base.set("domestic.ratio", 0.6).set("allocation.rule", "talmud")
        """
        if isinstance(key, Mapping):
            if value is not None:
                raise TypeError("set(mapping) takes no value")
            texts = [_override(k, v) for k, v in key.items()]
        else:
            if value is None:
                raise TypeError(f"set({key!r}, value): the value is missing")
            texts = [_override(key, value)]
        return Scenario(self._native.with_overrides(texts))

    @property
    def name(self) -> str:
        """The scenario's ``name``."""
        return self._native.name

    @property
    def description(self) -> str:
        """The scenario's ``description`` ("" when it has none)."""
        return self._native.description

    @property
    def path(self) -> Path:
        """The file it was read from."""
        return Path(self._native.path)

    @property
    def overrides(self) -> List[str]:
        """The overrides applied, in order, as ``KEY=VALUE``."""
        return list(self._native.overrides)

    @property
    def trials(self) -> int:
        """The trials a run has when ``trials`` is not given."""
        return self._native.trials

    @property
    def seed(self) -> int:
        """The seed a run uses when ``seed`` is not given."""
        return self._native.seed

    @property
    def rounds(self) -> int:
        """The number of approval rounds."""
        return self._native.rounds

    @property
    def rule(self) -> str:
        """The allocation rule's name."""
        return self._native.rule

    @property
    def firms(self) -> List[str]:
        """The firms' names, in listed order."""
        return list(self._native.firms)

    @property
    def title(self) -> str:
        """The name with its overrides, as a run's title shows it."""
        return self._native.title

    def __repr__(self) -> str:
        return f"<allocsim.Scenario {self.title!r} from {str(self.path)!r}>"


def load(path: PathLike) -> Scenario:
    """Reads and validates the scenario file at ``path`` (TOML; docs/scenario-format.md).

    Raises :class:`ScenarioError` (with ``file``, ``line``, ``column``, ``field`` and
    ``message``) when it is invalid.
    """
    return Scenario(_native.Scenario.load(os.fspath(path)))


def _scenario(s: Union[Scenario, PathLike]) -> Scenario:
    if isinstance(s, Scenario):
        return s
    if isinstance(s, (str, os.PathLike)):
        return load(s)
    raise TypeError(f"expected an allocsim.Scenario or a path, got {type(s).__name__}")


def _threads(threads: Optional[int]) -> int:
    if threads is None:
        return 0
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise UsageError(f"threads must be a positive integer or None (one per core), got {threads!r}")
    return threads


def _command(command: str, args: Iterable[str]) -> List[str]:
    """What manifest.json records as the command line: the arguments of the equivalent
    ``allocsim`` command, the program named as the Python package."""
    return ["allocsim (Python package)", command, *args]


def _common_args(scenario: Scenario, trials: int, seed: int, out: PathLike) -> List[str]:
    args = [str(scenario.path), "--trials", str(trials), "--seed", str(seed)]
    for o in scenario.overrides:
        args += ["--set", o]
    return args + ["--out", os.fspath(out)]


def _charts(charts: bool, chart_size: Tuple[int, int]) -> Optional[Tuple[int, int]]:
    if not charts:
        return None
    width, height = chart_size
    return (int(width), int(height))


# -------------------------------------------------------------------------------------------
# run


class Result(_Tables):
    """A finished run: ``summary`` and ``rounds`` (and, when asked, ``trials``) as DataFrames,
    the same rows and columns as summary.csv, rounds.csv and trials.csv."""

    def __init__(self, native: Any, scenario: Scenario, frame: str) -> None:
        self._native = native
        self.scenario = scenario
        self._frame = frame

    def _csv(self, name: str) -> Optional[str]:
        if name == "summary":
            return self._native.summary_csv()
        if name == "rounds":
            return self._native.rounds_csv()
        if name == "trials":
            return self._native.trials_csv()
        raise KeyError(f"a run's tables are summary, rounds and trials, not {name!r}")

    def _missing(self, name: str) -> str:
        return "the run kept no trials: run(..., trials_table=True) keeps one row per trial and firm"

    @property
    def summary(self) -> Any:
        """summary.csv: one row per firm (then ``total``), metric and statistic."""
        return self.table("summary")

    @property
    def rounds(self) -> Any:
        """rounds.csv: per round and firm, the mean of each per-round quantity."""
        return self.table("rounds")

    @property
    def trials(self) -> Any:
        """trials.csv: one row per trial and firm (only with ``run(..., trials_table=True)``)."""
        return self.table("trials")

    def summary_pl(self) -> "polars.DataFrame":
        """``summary`` as a polars DataFrame."""
        return self.table("summary", "polars")

    def rounds_pl(self) -> "polars.DataFrame":
        """``rounds`` as a polars DataFrame."""
        return self.table("rounds", "polars")

    def trials_pl(self) -> "polars.DataFrame":
        """``trials`` as a polars DataFrame."""
        return self.table("trials", "polars")

    @property
    def n_trials(self) -> int:
        """The number of trials run."""
        return self._native.trials

    @property
    def seed(self) -> int:
        """The seed the run used."""
        return self._native.seed

    @property
    def threads(self) -> int:
        """Worker threads used (the results do not depend on it)."""
        return self._native.threads

    @property
    def wall_seconds(self) -> float:
        """Seconds the simulation took."""
        return self._native.wall_seconds

    @property
    def title(self) -> str:
        """The scenario's name and overrides."""
        return self._native.title

    def save(
        self,
        dir: PathLike,
        force: bool = False,
        charts: bool = True,
        chart_size: Tuple[int, int] = _CHART_SIZE,
        xlsx: bool = False,
    ) -> Path:
        """Writes what ``allocsim run --out dir`` writes: summary.csv, rounds.csv,
        results.json, manifest.json, the charts and report.html (unless ``charts=False``),
        trials.csv when the run kept its trials, and results.xlsx with ``xlsx=True``.

        The folder is replaced whole, and only if allocsim wrote it (``force=True`` replaces
        one holding other files, deleting them); see docs/outputs.md. Returns the folder.
        """
        args = _common_args(self.scenario, self.n_trials, self.seed, dir)
        if self._native.trials_csv() is not None:
            args.append("--trials-csv")
        if xlsx:
            args.append("--xlsx")
        return Path(
            self._native.save(
                os.fspath(dir),
                _command("run", args),
                force=force,
                charts=_charts(charts, chart_size),
                xlsx=xlsx,
            )
        )

    def __repr__(self) -> str:
        return (
            f"<allocsim.Result {self.title}: {self.n_trials:,} trials, seed {self.seed}>\n"
            + self._native.table()
        )


def run(
    scenario: Union[Scenario, PathLike],
    trials: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    trials_table: bool = False,
    progress: Progress = False,
    frame: str = "pandas",
) -> Result:
    """Simulates ``scenario`` (a :class:`Scenario` or a path), as ``allocsim run`` does.

    ``trials`` and ``seed`` default to the scenario's; ``threads`` to one per core (the
    results do not depend on it). ``trials_table=True`` keeps one row per trial and firm
    (``Result.trials``, as ``--trials-csv``). ``progress=True`` shows a bar; ``frame="polars"``
    makes the tables polars DataFrames.
    """
    s = _scenario(scenario)
    frame = _check_frame(frame)
    total = trials if trials is not None else s.trials
    with _Progress(progress, total, "trials") as bar:
        native = _native.run(
            s._native,
            trials=trials,
            seed=seed,
            threads=_threads(threads),
            keep_trials=trials_table,
            progress=bar.native(),
        )
    return Result(native, s, frame)


# -------------------------------------------------------------------------------------------
# sweep, compare, sensitivity


class Comparison(_Tables):
    """A finished sweep, compare or sensitivity: ``comparison`` (comparison.csv: every
    point's statistics) and ``differences`` (differences.csv: each point against point 1,
    paired on the same trials), and for a sensitivity ``sensitivity`` (sensitivity.csv)."""

    def __init__(self, native: Any, command: str, args: List[str], frame: str) -> None:
        self._native = native
        self._command_name = command
        self._args = args
        self._frame = frame

    def _csv(self, name: str) -> Optional[str]:
        if name == "comparison":
            return self._native.comparison_csv()
        if name == "differences":
            return self._native.differences_csv()
        if name == "sensitivity":
            return self._native.sensitivity_csv()
        raise KeyError(
            f"a comparison's tables are comparison, differences and sensitivity, not {name!r}"
        )

    def _missing(self, name: str) -> str:
        return "only a sensitivity has a sensitivity table"

    @property
    def comparison(self) -> Any:
        """comparison.csv: one row per point, firm, metric and statistic."""
        return self.table("comparison")

    @property
    def differences(self) -> Any:
        """differences.csv: each point minus point 1, with paired 95% intervals."""
        return self.table("differences")

    @property
    def sensitivity(self) -> Any:
        """sensitivity.csv (a sensitivity only): each knob's swing, ranked."""
        return self.table("sensitivity")

    def comparison_pl(self) -> "polars.DataFrame":
        """``comparison`` as a polars DataFrame."""
        return self.table("comparison", "polars")

    def differences_pl(self) -> "polars.DataFrame":
        """``differences`` as a polars DataFrame."""
        return self.table("differences", "polars")

    def sensitivity_pl(self) -> "polars.DataFrame":
        """``sensitivity`` as a polars DataFrame."""
        return self.table("sensitivity", "polars")

    @property
    def kind(self) -> str:
        """"sweep", "compare" or "sensitivity"."""
        return self._native.kind

    @property
    def labels(self) -> List[str]:
        """The points' labels, point 1 (the reference) first."""
        return list(self._native.labels)

    @property
    def n_trials(self) -> int:
        """Trials per point."""
        return self._native.trials

    @property
    def seed(self) -> int:
        """The seed, the same for every point (common random numbers)."""
        return self._native.seed

    @property
    def wall_seconds(self) -> float:
        """Seconds the simulation took."""
        return self._native.wall_seconds

    def save(
        self,
        dir: PathLike,
        force: bool = False,
        charts: bool = True,
        chart_size: Tuple[int, int] = _CHART_SIZE,
        xlsx: bool = False,
    ) -> Path:
        """Writes what the command's ``--out dir`` writes: comparison.csv, differences.csv
        (and sensitivity.csv), comparison.json, manifest.json, the charts and report.html
        (unless ``charts=False``) and results.xlsx with ``xlsx=True``, under the same folder
        rules as :meth:`Result.save`. Returns the folder."""
        args = self._args + ["--trials", str(self.n_trials), "--seed", str(self.seed)]
        args += ["--out", os.fspath(dir)] + (["--xlsx"] if xlsx else [])
        return Path(
            self._native.save(
                os.fspath(dir),
                _command(self._command_name, args),
                force=force,
                charts=_charts(charts, chart_size),
                xlsx=xlsx,
            )
        )

    def __repr__(self) -> str:
        return (
            f"<allocsim.Comparison ({self.kind}): {len(self.labels)} points × "
            f"{self.n_trials:,} trials, seed {self.seed}>\n" + self._native.table()
        )


def _knob(key: str, values: Any) -> str:
    if isinstance(values, (list, tuple)):
        if not values:
            raise UsageError(f"{key}: give at least one value")
        return f"{key}=" + ",".join(_toml(v, True) for v in values)
    return _override(key, values)


def sweep(
    scenario: Union[Scenario, PathLike],
    knobs: Mapping[str, Union[Value, Sequence[Value]]],
    reference: Optional[Union[Mapping[str, Value], Sequence[Value]]] = None,
    trials: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    progress: Progress = False,
    frame: str = "pandas",
) -> Comparison:
    """Runs every point of the grid of ``knobs`` on the same trials, as ``allocsim sweep``:
    ``{"domestic.ratio": [0.3, 0.5], "allocation.rule": ["proportional", "talmud"]}`` is 4
    points. A knob given one value (not in a list) applies to every point. Point 1, the
    reference the differences are taken against, is the first value of every knob, or the
    values ``reference`` gives (a mapping of knob to value, or one value per knob in order).
    """
    s = _scenario(scenario)
    frame = _check_frame(frame)
    texts = [_knob(k, v) for k, v in knobs.items()]
    ref: Optional[str] = None
    if reference is not None:
        grid = [k for k, v in knobs.items() if isinstance(v, (list, tuple)) and len(v) > 1]
        if isinstance(reference, Mapping):
            missing = [k for k in grid if k not in reference]
            if missing:
                raise UsageError(f"reference: give a value for every knob; missing {missing}")
            values = [reference[k] for k in grid]
        elif isinstance(reference, (str, bytes)) or not isinstance(reference, Sequence):
            values = [reference]
        else:
            values = list(reference)
        ref = ",".join(_toml(v, True) for v in values)
    points = _points_total(texts, trials, s)
    with _Progress(progress, points, "trials of every point") as bar:
        native = _native.sweep(
            s._native,
            texts,
            reference=ref,
            trials=trials,
            seed=seed,
            threads=_threads(threads),
            progress=bar.native(),
        )
    args = [str(s.path)]
    for o in s.overrides:
        args += ["--set", o]
    for t in texts:
        args += ["--set", t]
    if ref is not None:
        args += ["--reference", ref]
    return Comparison(native, "sweep", args, frame)


def _points_total(texts: List[str], trials: Optional[int], s: Scenario) -> int:
    # The progress counts trials of every point: the total is the trials per point.
    return trials if trials is not None else s.trials


def sensitivity(
    scenario: Union[Scenario, PathLike],
    knobs: Mapping[str, Sequence[Value]],
    trials: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    progress: Progress = False,
    frame: str = "pandas",
) -> Comparison:
    """Varies each knob from its low to its high value, the others as written, as
    ``allocsim sensitivity --vary``: ``{"domestic.ratio": [0.3, 0.6]}``."""
    s = _scenario(scenario)
    frame = _check_frame(frame)
    texts = [_knob(k, v) for k, v in knobs.items()]
    with _Progress(progress, _points_total(texts, trials, s), "trials of every point") as bar:
        native = _native.sensitivity(
            s._native,
            texts,
            trials=trials,
            seed=seed,
            threads=_threads(threads),
            progress=bar.native(),
        )
    args = [str(s.path)]
    for o in s.overrides:
        args += ["--set", o]
    for t in texts:
        args += ["--vary", t]
    return Comparison(native, "sensitivity", args, frame)


def compare(
    scenarios: Sequence[Union[Scenario, PathLike]],
    reference: Optional[str] = None,
    set: Optional[Mapping[str, Value]] = None,
    trials: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    progress: Progress = False,
    frame: str = "pandas",
) -> Comparison:
    """Runs whole scenarios side by side on the same trials, as ``allocsim compare``.

    ``reference`` names the scenario that is point 1 (default: the first). ``set`` applies
    overrides to every scenario (``compare --set``); scenarios given with their own overrides
    must all have the same ones, which then apply to every scenario likewise.
    """
    loaded = [_scenario(s) for s in scenarios]
    frame = _check_frame(frame)
    if len(loaded) < 2:
        raise UsageError("compare needs at least two scenarios")
    own = [tuple(s.overrides) for s in loaded]
    if any(o != own[0] for o in own):
        raise UsageError(
            "compare applies the same overrides to every scenario (as `compare --set` does), "
            f"but the scenarios have different ones: {[list(o) for o in own]}; give them with "
            "compare(..., set={...}) instead"
        )
    fixed = list(own[0]) + [_override(k, v) for k, v in (set or {}).items()]
    total = trials if trials is not None else loaded[0].trials
    with _Progress(progress, total, "trials of every point") as bar:
        native = _native.compare(
            [s._native for s in loaded],
            fixed,
            reference=reference,
            trials=trials,
            seed=seed,
            threads=_threads(threads),
            progress=bar.native(),
        )
    args = [str(s.path) for s in loaded]
    for o in fixed:
        args += ["--set", o]
    if reference is not None:
        args += ["--reference", reference]
    return Comparison(native, "compare", args, frame)


# -------------------------------------------------------------------------------------------
# importance, tail, trace


class Importance(_Tables):
    """A finished importance analysis: ``importance`` (importance.csv: each group's
    first-order and total index per firm and in total, with intervals)."""

    def __init__(self, native: Any, args: List[str], frame: str) -> None:
        self._native = native
        self._args = args
        self._frame = frame

    def _csv(self, name: str) -> Optional[str]:
        if name == "importance":
            return self._native.importance_csv()
        raise KeyError(f"an importance analysis' table is importance, not {name!r}")

    @property
    def importance(self) -> Any:
        """importance.csv."""
        return self.table("importance")

    def importance_pl(self) -> "polars.DataFrame":
        """``importance`` as a polars DataFrame."""
        return self.table("importance", "polars")

    @property
    def n_trials(self) -> int:
        """Base trials N."""
        return self._native.trials

    @property
    def trials_run(self) -> int:
        """Model trials run: (groups + 2) × N."""
        return self._native.trials_run

    @property
    def seed(self) -> int:
        """The seed of the base trials."""
        return self._native.seed

    def save(
        self,
        dir: PathLike,
        force: bool = False,
        charts: bool = True,
        chart_size: Tuple[int, int] = _CHART_SIZE,
    ) -> Path:
        """Writes what ``allocsim importance --out dir`` writes: importance.csv,
        manifest.json, importance.png and report.html (unless ``charts=False``)."""
        args = self._args + ["--trials", str(self.n_trials), "--seed", str(self.seed)]
        args += ["--out", os.fspath(dir)]
        return Path(
            self._native.save(
                os.fspath(dir),
                _command("importance", args),
                force=force,
                charts=_charts(charts, chart_size),
            )
        )

    def __repr__(self) -> str:
        return f"<allocsim.Importance: {self.n_trials:,} base trials>\n" + self._native.table()


def importance(
    scenario: Union[Scenario, PathLike],
    trials: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    groups: Optional[Sequence[str]] = None,
    metric: str = "unmet",
    by_firm: bool = False,
    progress: Progress = False,
    frame: str = "pandas",
) -> Importance:
    """Variance-based importance of the scenario's groups of random inputs for ``metric``
    (delivered, unmet, domestic, effective_unmet or fill_rate), as ``allocsim importance``:
    ``trials`` base trials, (groups + 2) × trials model trials."""
    s = _scenario(scenario)
    frame = _check_frame(frame)
    total = trials if trials is not None else s.trials
    with _Progress(progress, total, "base trials") as bar:
        native = _native.importance(
            s._native,
            trials=trials,
            seed=seed,
            threads=_threads(threads),
            groups=list(groups) if groups is not None else None,
            metric=metric,
            by_firm=by_firm,
            progress=bar.native(),
        )
    args = [str(s.path)]
    for o in s.overrides:
        args += ["--set", o]
    if groups is not None:
        args += ["--groups", ",".join(groups)]
    args += ["--metric", metric] + (["--by-firm"] if by_firm else [])
    return Importance(native, args, frame)


class Tail(_Tables):
    """A finished tail analysis: ``tail`` (tail.csv: each input's median in the worst
    trials against all trials, and the standardised difference d)."""

    def __init__(self, native: Any, args: List[str], frame: str) -> None:
        self._native = native
        self._args = args
        self._frame = frame

    def _csv(self, name: str) -> Optional[str]:
        if name == "tail":
            return self._native.tail_csv()
        raise KeyError(f"a tail analysis' table is tail, not {name!r}")

    @property
    def tail(self) -> Any:
        """tail.csv."""
        return self.table("tail")

    def tail_pl(self) -> "polars.DataFrame":
        """``tail`` as a polars DataFrame."""
        return self.table("tail", "polars")

    @property
    def worst_trials(self) -> List[Tuple[int, int]]:
        """The worst trials as (trial, unmet units), worst first: replay one with
        :func:`trace`."""
        return list(self._native.worst_trials())

    @property
    def tail_trials(self) -> int:
        """Trials in the tail."""
        return self._native.tail_trials

    @property
    def threshold(self) -> int:
        """The least unmet demand of a trial in the tail, in units."""
        return self._native.threshold

    @property
    def n_trials(self) -> int:
        """Trials run."""
        return self._native.trials

    @property
    def seed(self) -> int:
        """The seed."""
        return self._native.seed

    def save(
        self,
        dir: PathLike,
        force: bool = False,
        charts: bool = True,
        chart_size: Tuple[int, int] = _CHART_SIZE,
    ) -> Path:
        """Writes what ``allocsim tail --out dir`` writes: tail.csv, manifest.json, tail.png
        and report.html (unless ``charts=False``)."""
        args = self._args + ["--trials", str(self.n_trials), "--out", os.fspath(dir)]
        return Path(
            self._native.save(
                os.fspath(dir),
                _command("tail", args),
                force=force,
                charts=_charts(charts, chart_size),
            )
        )

    def __repr__(self) -> str:
        return (
            f"<allocsim.Tail: {self.tail_trials:,} of {self.n_trials:,} trials, "
            f"unmet >= {self.threshold:,}>"
        )


def tail(
    scenario: Union[Scenario, PathLike],
    trials: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    firm: Optional[str] = None,
    worst: str = "10%",
    progress: Progress = False,
    frame: str = "pandas",
) -> Tail:
    """Finds the worst ``worst`` (a percentage, "10%") of trials by ``firm``'s unmet demand
    (default: the total's) and what marks them, as ``allocsim tail``."""
    s = _scenario(scenario)
    frame = _check_frame(frame)
    n = trials if trials is not None else s.trials
    with _Progress(progress, n, "trials") as bar:
        native = _native.tail_analysis(
            s._native,
            trials=trials,
            seed=seed,
            threads=_threads(threads),
            firm=firm,
            worst=str(worst),
            progress=bar.native(),
        )
    args = [str(s.path)]
    if seed is not None:
        args += ["--seed", str(seed)]
    for o in s.overrides:
        args += ["--set", o]
    if firm is not None:
        args += ["--firm", firm]
    args += ["--worst", str(worst)]
    return Tail(native, args, frame)


class Trace(_Tables):
    """One trial told round by round: ``rounds`` (what ``allocsim trace --csv`` prints) and
    ``text`` (what ``allocsim trace`` prints)."""

    def __init__(self, csv: str, text: str, frame: str) -> None:
        self._csv_text = csv
        self.text: str = text
        self._frame = frame

    def _csv(self, name: str) -> Optional[str]:
        if name == "rounds":
            return self._csv_text
        raise KeyError(f"a trace's table is rounds, not {name!r}")

    @property
    def rounds(self) -> Any:
        """The trial's rounds, as ``allocsim trace --csv`` prints them."""
        return self.table("rounds")

    def rounds_pl(self) -> "polars.DataFrame":
        """``rounds`` as a polars DataFrame."""
        return self.table("rounds", "polars")

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text


def trace(
    scenario: Union[Scenario, PathLike],
    trial: int,
    seed: Optional[int] = None,
    frame: str = "pandas",
) -> Trace:
    """Trial ``trial`` (numbered from 0, as in trials.csv) of ``scenario`` under ``seed``,
    told round by round, as ``allocsim trace --trial``: exactly that trial of :func:`run`."""
    s = _scenario(scenario)
    frame = _check_frame(frame)
    csv, text = _native.trace(s._native, trial, seed=seed)
    return Trace(csv, text, frame)
