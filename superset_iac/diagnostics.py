"""Problems found in user content, each pinned to a file position.

Every stage (YAML parsing, schema, references, SQL) appends to one
``Diagnostics`` collection instead of raising, so a single run reports every
problem in the tree at once, the way a linter does.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Iterable, Iterator

# Control characters (C0, DEL, C1, line and paragraph separators) and the
# surrogates Python uses for file-name bytes that are not UTF-8.
_UNSAFE_RX = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_SURROGATE_RX = re.compile("[\ud800-\udfff]")


def printable(text: str) -> str:
    """``text`` safe to print on one line and to encode as UTF-8 JSON.

    A file name or a YAML key may hold a newline (which would forge an output
    line, ``ok.yaml:1:1: ...``), terminal escapes, or bytes that are not UTF-8
    (kept by Python as lone surrogates, which neither a terminal nor a JSON
    parser accepts). They are written as ``\\n``, ``\\x1b``, ``\\xff``.
    """
    return _UNSAFE_RX.sub(_escape, text)


def _escape(found: re.Match[str]) -> str:
    char = found.group()
    if "\udc80" <= char <= "\udcff":  # surrogateescape: one raw byte of the name
        return f"\\x{ord(char) - 0xdc00:02x}"
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char)
    return named or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")


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
        return f"{printable(self.file)}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Diagnostic:
    pos: Position
    code: str
    message: str
    severity: Severity = Severity.ERROR

    def render(self) -> str:
        tag = "" if self.severity is Severity.ERROR else f"{self.severity.value}: "
        return f"{self.pos}: {self.code} {tag}{printable(self.message)}"

    def to_dict(self) -> dict:
        """JSON-ready; the message keeps its newlines (JSON escapes them), names
        lose only what JSON cannot carry (see ``printable``)."""
        data = asdict(self)
        data["pos"] = {**asdict(self.pos), "file": printable(self.pos.file)}
        data["message"] = _SURROGATE_RX.sub(_escape, self.message)
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
