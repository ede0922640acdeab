"""Limits that keep a hostile YAML file from exhausting the runner.

Anchors and aliases make a YAML document a graph: ten aliases of an anchor
that holds ten aliases of the next, nine levels deep, is a 400-byte file that
stands for a billion nodes ("billion laughs"). PyYAML composes the graph
cheaply, but building plain data from it (what the loader must do to give
each path its own position) expands every alias.

So before anything is composed, one pass over the parser's events (libyaml's
parser is iterative and cheap) computes, for every anchor, how many nodes
and scalar characters it stands for once expanded and how deep it nests. An
alias is charged its anchor's full size, a merge key (``<<: *base``) too, so
the sums are upper bounds of what the builder will produce. The first event
past a bound is reported where it is written (the alias ``*h`` that makes
the document too large, the bracket that nests too deep); nothing is
composed then. Legitimate anchors (a few shared columns, ``<<: [*base,
{row_limit: 20}]``) are far below the bounds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

# Nesting deeper than any asset needs (a dashboard layout is ~15 levels) yet
# far below what would exhaust Python's recursion while building the data.
MAX_DEPTH = 100
# What aliases may add to one document once expanded: nodes and characters.
MAX_ALIAS_NODES = 10_000
MAX_ALIAS_BYTES = 1024 * 1024


class TooLarge(Exception):
    """A bound was crossed at ``mark``; ``code`` is the diagnostic to report."""

    # ``mark`` is a yaml.Mark of the pure or of the C parser (two classes).
    def __init__(self, code: str, message: str, mark: Any) -> None:
        super().__init__(message)
        self.code, self.message, self.mark = code, message, mark


@dataclass
class _Size:
    """What a node stands for once its aliases are expanded."""

    nodes: int = 0
    chars: int = 0
    depth: int = 0  # levels below this node (0 for a scalar or an empty collection)


@dataclass
class _Frame:
    anchor: str | None
    size: _Size = field(default_factory=_Size)


class _Scan:
    def __init__(self) -> None:
        self.anchors: dict[str, _Size] = {}
        self.stack: list[_Frame] = []
        self.alias_nodes = 0
        self.alias_chars = 0

    def event(self, event: yaml.Event) -> None:
        if isinstance(event, yaml.DocumentStartEvent):
            self.anchors.clear()  # anchors never cross documents
            self.alias_nodes = self.alias_chars = 0
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if len(self.stack) >= MAX_DEPTH:
                raise TooLarge("L005", f"nested more than {MAX_DEPTH} levels deep",
                               event.start_mark)
            self.stack.append(_Frame(event.anchor))
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            frame = self.stack.pop()
            size = _Size(frame.size.nodes + 1, frame.size.chars, frame.size.depth + 1)
            self._close(frame.anchor, size)
        elif isinstance(event, yaml.ScalarEvent):
            self._close(event.anchor, _Size(1, len(event.value), 0))
        elif isinstance(event, yaml.AliasEvent):
            self._alias(event)

    def _alias(self, event: yaml.AliasEvent) -> None:
        if any(frame.anchor == event.anchor for frame in self.stack):
            raise TooLarge("L004", f"alias *{event.anchor} is inside its own anchor: "
                                   "the document would be infinite", event.start_mark)
        size = self.anchors.get(event.anchor or "")
        if size is None:
            return  # undefined alias: the composer reports it
        if len(self.stack) + size.depth > MAX_DEPTH:
            raise TooLarge("L005", f"alias *{event.anchor} nests the document more than "
                                   f"{MAX_DEPTH} levels deep", event.start_mark)
        self.alias_nodes += size.nodes
        self.alias_chars += size.chars
        if self.alias_nodes > MAX_ALIAS_NODES or self.alias_chars > MAX_ALIAS_BYTES:
            raise TooLarge("L004", f"alias *{event.anchor} expands the document's aliases "
                                   f"beyond {MAX_ALIAS_NODES:,} nodes or "
                                   f"{MAX_ALIAS_BYTES // 1024 // 1024} MiB of text",
                           event.start_mark)
        self._add(size)

    def _close(self, anchor: str | None, size: _Size) -> None:
        if anchor is not None:
            self.anchors[anchor] = size
        self._add(size)

    def _add(self, size: _Size) -> None:
        if self.stack:
            parent = self.stack[-1].size
            parent.nodes += size.nodes
            parent.chars += size.chars
            parent.depth = max(parent.depth, size.depth)


def check(loader: yaml.BaseLoader) -> None:
    """Consume ``loader``'s events; raise ``TooLarge`` at the first one past a bound.

    Syntax errors propagate as PyYAML raises them (with their marks).
    """
    scan = _Scan()
    while loader.check_event():
        scan.event(loader.get_event())
