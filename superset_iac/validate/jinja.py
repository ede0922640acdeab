"""Superset's Jinja templating, rendered with placeholders so SQL can be parsed.

Superset renders dataset SQL, metrics and RLS clauses through Jinja at query
time (``{{ current_username() }}``, ``{{ filter_values('x') | where_in }}``,
``{% if ... %}``). Offline there is no user, filter or URL, so each construct
becomes something with the same SQL shape:

* ``{{ ... }}`` inside a quoted string -> ``jinja`` (the string stays a string);
  elsewhere -> the identifier ``__jinja__`` (a value, a column or a table);
  ``| where_in`` -> ``('jinja')``; ``dataset(...)`` -> a one-column subquery.
* ``{% if %}`` / ``{% for %}`` keep their first body once; ``elif``/``else``
  bodies are dropped (keeping both would glue alternatives together).
* ``{% set %}``, ``{% macro %}`` … and ``{# comments #}`` disappear.

Everything removed is replaced by its newlines only, so a line number in the
rendered text is the line in the source. A simple scanner is enough: the goal
is the SQL around the template, not Jinja semantics, and it avoids a Jinja
dependency whose sandbox would need every Superset macro defined.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PLACEHOLDER = "__jinja__"
_TAG = re.compile(r"\{\{(?P<expr>.*?)\}\}|\{%-?(?P<stmt>.*?)-?%\}|\{#.*?#\}", re.S)
_DATASET = "(SELECT 1 AS __jinja__) AS __jinja__"
# Block tags whose first body is kept once, and those whose body is dropped.
_KEPT = frozenset({"if", "for"})
_SKIPPED = frozenset({"macro", "call", "filter", "raw"})


@dataclass
class Rendered:
    text: str
    templated: bool = False
    problems: list[tuple[int, str]] = field(default_factory=list)  # (0-based line, message)


@dataclass
class _Frame:
    tag: str
    line: int
    emitting: bool  # whether this frame's current branch is kept


class SqlScanner:
    """Tracks whether a position is inside a string, identifier or comment
    (and where that began: the place to blame when it is never closed)."""

    def __init__(self) -> None:
        self.state = ""  # "", "'", '"', "--", "/*"
        self.opened = 0  # offset where the current state began
        self.seen = 0  # characters fed so far

    def feed(self, text: str) -> None:
        i, base = 0, self.seen
        self.seen += len(text)
        while i < len(text):
            ch, pair = text[i], text[i:i + 2]
            if self.state in ("'", '"'):
                if ch == self.state:
                    self.state = ""
            elif self.state == "--":
                if ch == "\n":
                    self.state = ""
            elif self.state == "/*":
                if pair == "*/":
                    self.state, i = "", i + 1
            elif pair in ("--", "/*"):
                self.state, self.opened, i = pair, base + i, i + 1
            elif ch in ("'", '"'):
                self.state, self.opened = ch, base + i
            i += 1

    @property
    def in_string(self) -> bool:
        return self.state in ("'", '"')


def render(text: str) -> Rendered:
    """``text`` with every Jinja construct replaced by a same-shaped placeholder."""
    if "{" not in text or not _TAG.search(text):
        return Rendered(text)
    out: list[str] = []
    result = Rendered("", templated=True)
    stack: list[_Frame] = []
    scanner = SqlScanner()
    pos = 0
    for m in _TAG.finditer(text):
        emitting = all(f.emitting for f in stack)
        literal = text[pos:m.start()]
        out.append(literal if emitting else _newlines(literal))
        if emitting:
            scanner.feed(literal)
        line = text.count("\n", 0, m.start())
        if m.group("expr") is not None and emitting:
            out.append(_expression(m.group("expr"), scanner.in_string) + _newlines(m.group(0)))
        else:
            out.append(_newlines(m.group(0)))
            if m.group("stmt") is not None:
                _statement(m.group("stmt").split(), line, stack, result)
        pos = m.end()
    tail = text[pos:]
    out.append(tail if all(f.emitting for f in stack) else _newlines(tail))
    for frame in stack:
        result.problems.append((frame.line, f"'{{% {frame.tag} %}}' is never closed"))
    result.text = "".join(out)
    return result


def first_tag(text: str) -> int | None:
    """Offset of the first Jinja construct in ``text``, if any."""
    m = _TAG.search(text) if "{" in text else None
    return m.start() if m else None


def _expression(expr: str, in_string: bool) -> str:
    if in_string:
        return "jinja"
    body = expr.strip()
    if re.search(r"\|\s*where_in\b", body):
        return "('jinja')"
    if body.startswith("dataset("):
        return _DATASET
    return PLACEHOLDER


def _statement(words: list[str], line: int, stack: list[_Frame], result: Rendered) -> None:
    tag = words[0] if words else ""
    if tag in _KEPT or tag in _SKIPPED or (tag == "set" and "=" not in "".join(words)):
        stack.append(_Frame(tag, line, tag in _KEPT))
    elif tag in ("elif", "else"):
        if stack and stack[-1].tag in ("if", "for"):
            stack[-1].emitting = False
        else:
            result.problems.append((line, f"'{{% {tag} %}}' outside an if or for block"))
    elif tag.startswith("end"):
        opener = tag[3:]
        if stack and stack[-1].tag == opener:
            stack.pop()
        else:
            expected = f"'{{% end{stack[-1].tag} %}}'" if stack else "no block to close"
            result.problems.append((line, f"'{{% {tag} %}}' does not match: expected {expected}"))
    # set x = ..., do, include, ...: nothing to keep


def _newlines(text: str) -> str:
    return "\n" * text.count("\n")
