"""Problems found in user content, each pinned to a file position.

Every stage (YAML parsing, schema, references, SQL) appends to one
``Diagnostics`` collection instead of raising, so a single run reports every
problem in the tree at once, the way a linter does.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Iterable, Iterator


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Position:
    """A place in a source file; lines and columns are 1-based."""

    file: str
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Diagnostic:
    pos: Position
    code: str
    message: str
    severity: Severity = Severity.ERROR

    def render(self) -> str:
        tag = "" if self.severity is Severity.ERROR else f"{self.severity.value}: "
        return f"{self.pos}: {self.code} {tag}{self.message}"

    def to_dict(self) -> dict:
        data = asdict(self)
        data["pos"] = asdict(self.pos)
        data["severity"] = self.severity.value
        return data


@dataclass
class Diagnostics:
    """An ordered, de-duplicated collection of diagnostics."""

    items: list[Diagnostic] = field(default_factory=list)
    # What ``items`` holds, for a constant-time duplicate test: a list scan
    # made a tree with thousands of problems take quadratic time.
    _seen: set[Diagnostic] = field(default_factory=set, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._seen = set(self.items)

    def add(self, pos: Position, code: str, message: str,
            severity: Severity = Severity.ERROR) -> None:
        self.extend([Diagnostic(pos, code, message, severity)])

    def extend(self, other: Iterable[Diagnostic]) -> None:
        for diag in other:
            if diag not in self._seen:
                self._seen.add(diag)
                self.items.append(diag)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.ERROR]

    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.items)

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.items, key=lambda d: (d.pos, d.code))

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.sorted())

    def __len__(self) -> int:
        return len(self.items)

    def codes(self) -> list[str]:
        return [d.code for d in self.sorted()]

    def render_text(self) -> str:
        return "\n".join(d.render() for d in self.sorted())

    def render_json(self) -> str:
        return json.dumps([d.to_dict() for d in self.sorted()], indent=2)
