"""The exceptions allocsim raises.

Every one is an :class:`AllocsimError`. Bad input is also a :class:`ValueError` (a scenario
or an override that does not validate, arguments that cannot be honoured), an output folder
that cannot or must not be written is also an :class:`OSError`, and a bug in allocsim (a Rust
panic) is an :class:`InternalError`, also a :class:`RuntimeError`. Ctrl-C raises the usual
:class:`KeyboardInterrupt`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence, Tuple

__all__ = [
    "AllocsimError",
    "ScenarioError",
    "ScenarioProblem",
    "UsageError",
    "OutputError",
    "InternalError",
]


class AllocsimError(Exception):
    """Base class of every error allocsim raises (KeyboardInterrupt aside)."""


@dataclass(frozen=True)
class ScenarioProblem:
    """One problem of a scenario, where it is and what it is.

    ``file``, ``line`` and ``column`` (1-based) point into the scenario file; they are None
    for a problem in an override (``location`` is then ``--set KEY=VALUE``) and ``line`` and
    ``column`` are None for a problem of the file as a whole (it cannot be read, it is not
    UTF-8). ``field`` is the dotted key the message is about (``domestic.ratio``), when it
    names one.
    """

    location: str
    file: Optional[str]
    line: Optional[int]
    column: Optional[int]
    field: Optional[str]
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class ScenarioError(AllocsimError, ValueError):
    """A scenario, or an override given with ``Scenario.set``, is invalid.

    ``str(error)`` is what the CLI prints for it (without its ``error:`` prefixes): one line
    per problem. ``file``, ``line``, ``column``, ``field`` and ``message`` are those of the
    first problem (the one at the earliest position); ``problems`` lists them all (at most 20;
    ``omitted`` counts the rest).
    """

    problems: Tuple[ScenarioProblem, ...]
    omitted: int

    def __init__(
        self,
        text: str,
        problems: Sequence[Mapping[str, Any]] = (),
        omitted: int = 0,
    ) -> None:
        super().__init__(text)
        self.problems = tuple(ScenarioProblem(**dict(p)) for p in problems)
        self.omitted = int(omitted)

    def _first(self) -> Optional[ScenarioProblem]:
        return self.problems[0] if self.problems else None

    @property
    def file(self) -> Optional[str]:
        """The scenario file of the first problem; None for one in an override."""
        first = self._first()
        return first.file if first else None

    @property
    def line(self) -> Optional[int]:
        """The 1-based line of the first problem, when it has a position in the file."""
        first = self._first()
        return first.line if first else None

    @property
    def column(self) -> Optional[int]:
        """The 1-based column of the first problem, when it has a position in the file."""
        first = self._first()
        return first.column if first else None

    @property
    def field(self) -> Optional[str]:
        """The dotted key the first problem is about (``domestic.ratio``), when it names one."""
        first = self._first()
        return first.field if first else None

    @property
    def message(self) -> str:
        """What is wrong, for the first problem (without its location)."""
        first = self._first()
        return first.message if first else str(self)

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class UsageError(AllocsimError, ValueError):
    """Arguments that cannot be honoured: trials out of range, an unknown firm or metric, a
    sweep whose values do not make a grid, a plan too large for memory."""


class OutputError(AllocsimError, OSError):
    """An output folder that must not be replaced (it holds files allocsim did not write:
    pass ``force=True`` to replace it anyway) or cannot be written (permissions, a full disk).
    The previous folder is left as it was."""


class InternalError(AllocsimError, RuntimeError):
    """A bug in allocsim (a Rust panic), caught before it could crash Python."""
