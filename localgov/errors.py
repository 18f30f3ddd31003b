"""Problems found in the sources, collected and reported together."""

from __future__ import annotations

import reprlib
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


class LocalgovError(Exception):
    """An error with a message fit for the user."""


class UsageError(LocalgovError):
    """The command was used wrongly (exit code 2)."""


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one file: where, what was expected and what was found."""

    file: str
    line: int
    message: str
    field: str = ""
    expected: str = ""
    found: str = ""
    severity: Severity = "error"

    def format(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        what = f"'{self.field}': " if self.field else ""
        text = f"{where}: {self.severity}: {what}{self.message}"
        if self.expected:
            text += f"; expected {self.expected}"
            if self.found:
                text += f", got {self.found}"
        elif self.found:
            text += f" (got {self.found})"
        return text


@dataclass
class Problems:
    """A collector that stages add to; the build stops once, at the end of a stage, if any are errors."""

    items: list[Problem] = field(default_factory=list)

    def error(self, file: str, line: int, message: str, *, field: str = "", expected: str = "",
              found: str = "") -> None:
        self.items.append(Problem(file, line, message, field, expected, found, "error"))

    def warn(self, file: str, line: int, message: str, *, field: str = "", expected: str = "", found: str = "") -> None:
        self.items.append(Problem(file, line, message, field, expected, found, "warning"))

    def extend(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.items.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return sorted(p for p in self.items if p.severity == "error")

    @property
    def warnings(self) -> list[Problem]:
        return sorted(p for p in self.items if p.severity == "warning")


class BuildFailed(LocalgovError):
    """The sources have errors; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        count = len(problems)
        super().__init__(f"build failed with {count} problem{'s' if count != 1 else ''}")

    def report(self) -> str:
        return "\n".join(p.format() for p in self.problems)


def describe(value: object) -> str:
    """Describe a found value briefly for an error message."""
    if value is None:
        return "nothing"
    if isinstance(value, (list, tuple, dict, set)):
        return f"a {type(value).__name__} of {len(value)} item{'s' if len(value) != 1 else ''}"
    text = repr(value[:80]) if isinstance(value, str) else f"{type(value).__name__} {reprlib.repr(value)}"
    return text if len(text) <= 60 else text[:57] + "..."
