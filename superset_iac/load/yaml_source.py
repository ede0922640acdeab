"""YAML parsing that remembers where every key and item came from.

PyYAML's constructors throw positions away, so we compose the node graph
ourselves and build plain Python data alongside a map from each path
(``("columns", 2, "name")``) to its position. Later stages report problems at
``file:line:col`` through that map without knowing anything about YAML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from superset_iac.diagnostics import Diagnostics, Position
from superset_iac.load import bounds

Path = tuple[str | int, ...]

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc,valid-type]
    """Safe loader without implicit timestamps, with YAML 1.2 booleans.

    A time range such as ``2024-01-01`` must reach the spec as written, not as
    a ``datetime.date`` that fails a ``str`` field. Only ``true``/``false``
    are booleans: PyYAML follows YAML 1.1, where ``yes``, ``no``, ``on`` and
    ``off`` are too, so ``published: yes`` would pass a strict boolean and a
    country code ``NO`` would become ``False``.
    """


_BOOL = "tag:yaml.org,2002:bool"
_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"
         and tag != _BOOL]
    for ch, resolvers in _Base.yaml_implicit_resolvers.copy().items()
}
_Loader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


@dataclass(frozen=True)
class Span:
    """Where a string scalar's text is written: 0-based lines, its style.

    ``style`` is PyYAML's: None (plain), ``'`` or ``"`` (quoted), ``|``
    (literal block) or ``>`` (folded block).
    """

    line: int
    col: int
    end_line: int
    style: str | None


@dataclass
class Document:
    """One YAML document: its data and the position of every path in it."""

    file: str
    data: Any
    positions: dict[Path, Position] = field(default_factory=dict)
    spans: dict[Path, Span] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list, repr=False)

    def pos(self, path: Path = ()) -> Position:
        """Position of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return self.positions.get((), Position(self.file, 1, 1))

    def text_pos(self, path: Path, line: int = 0, col: int = 0) -> Position:
        """Where character ``col`` of line ``line`` (0-based) of the string at
        ``path`` is written, so an SQL error inside a block scalar points at
        its own line. Falls back to ``pos(path)`` for non-string values."""
        span = self.spans.get(tuple(path))
        if span is None:
            return self.pos(path)
        if span.style == "|":
            return self._literal_pos(span, line, col)
        return self._folded_pos(span, line, col)

    def _literal_pos(self, span: Span, line: int, col: int) -> Position:
        # Content starts on the line after the ``|`` indicator, indented by
        # the first non-blank content line's indentation.
        first = span.line + 1
        indent = next((len(t) - len(t.lstrip(" ")) for t in self.lines[first:span.end_line + 1]
                       if t.strip()), 0)
        return Position(self.file, first + line + 1, indent + col + 1)

    def _folded_pos(self, span: Span, line: int, col: int) -> Position:
        """Plain, quoted and ``>`` scalars join source lines with spaces;
        blank source lines become the value's line breaks. Walk the source
        lines the same way to find the character."""
        quote = 1 if span.style in ("'", '"') else 0
        rest = [(n, _indent(self.lines[n]))
                for n in range(span.line + 1, min(span.end_line + 1, len(self.lines)))]
        rows = rest if span.style == ">" else [(span.line, span.col + quote)] + rest
        value_line, offset = 0, 0
        for n, start in rows:
            text = self.lines[n][start:].rstrip()
            if not text:
                value_line, offset = value_line + 1, 0
                continue
            if value_line == line and col <= offset + len(text):
                return Position(self.file, n + 1, start + max(col - offset, 0) + 1)
            offset += len(text) + 1
        first = rows[0] if rows else (span.line, span.col)
        return Position(self.file, first[0] + 1, first[1] + 1)


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_PLAIN_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq",
                         "tag:yaml.org,2002:omap"})


def _mark(file: str, node: yaml.Node) -> Position:
    return _at(file, node.start_mark)


class _Builder:
    def __init__(self, file: str, loader: _Loader, diags: Diagnostics) -> None:
        self.file = file
        self.loader = loader
        self.diags = diags
        self.positions: dict[Path, Position] = {}
        self.spans: dict[Path, Span] = {}
        # id(mapping node) -> its pairs with merge keys expanded
        self.merged: dict[int, list[tuple[yaml.Node, yaml.Node]]] = {}

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.positions.setdefault(path, _mark(self.file, node))
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _PLAIN_TAGS:
            # Scalars go through the safe constructor, which refuses such
            # tags; collections are built here, so refuse them the same way.
            raise yaml.constructor.ConstructorError(
                None, None, f"could not determine a constructor for the tag '{node.tag}'",
                node.start_mark)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        value = self._scalar(node)
        if isinstance(value, str) and isinstance(node, yaml.ScalarNode):
            self.spans[path] = Span(node.start_mark.line, node.start_mark.column,
                                    node.end_mark.line, node.style)
        return value

    def _scalar(self, node: yaml.Node) -> Any:
        # Most scalars are strings: skip the constructor's dispatch for them
        # (a third of the load time of a large tree); the rest go through it.
        if node.tag == _STR_TAG and isinstance(node, yaml.ScalarNode):
            return node.value
        return self.loader.construct_object(node, deep=True)

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict:
        result: dict = {}
        for key_node, value_node in self._merged_pairs(node):
            key = self._scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, (str, int, float, bool)):
                self.diags.add(_mark(self.file, key_node), "Y003",
                               "mapping keys must be plain scalars")
                continue
            key = str(key) if not isinstance(key, str) else key
            if key in result:
                self.diags.add(_mark(self.file, key_node), "Y002",
                               f"duplicate key '{key}'")
            self.positions[path + (key,)] = _mark(self.file, key_node)
            result[key] = self.build(value_node, path + (key,))
        return result

    def _merged_pairs(self, node: yaml.MappingNode) -> list[tuple[yaml.Node, yaml.Node]]:
        """Expand ``<<: *anchor`` merge keys as YAML 1.1 says: explicit keys win
        over merged ones, and among merged sources the first one that has a
        key wins (``<<: [*a, *b]``: a's). Each node is expanded once per
        document (merges of merges are shared, not expanded again)."""
        if not any(key.tag == _MERGE_TAG for key, _ in node.value):
            return node.value
        done = self.merged.get(id(node))
        if done is not None:
            return done
        pairs: list[tuple[yaml.Node, yaml.Node]] = []
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag != _MERGE_TAG:
                pairs.append((key_node, value_node))
                continue
            sources = value_node.value if isinstance(value_node, yaml.SequenceNode) \
                else [value_node]
            for src in sources:
                if isinstance(src, yaml.MappingNode):
                    merged.extend(self._merged_pairs(src))
        seen = {k.value for k, _ in pairs if isinstance(k, yaml.ScalarNode)}
        out: list[tuple[yaml.Node, yaml.Node]] = []
        for key_node, value_node in merged:
            name = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if name is None or name not in seen:
                out.append((key_node, value_node))
                if name is not None:
                    seen.add(name)
        self.merged[id(node)] = out = out + pairs
        return out


_PROBLEM_RX = re.compile(r"\s+")
# What YAML refuses to read (outside its printable set): NUL, other C0/C1
# controls, lone surrogates and the two non-characters.
_UNPRINTABLE_RX = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd"
                             "\U00010000-\U0010ffff]")


def _one_line(err: Exception) -> str:
    return _PROBLEM_RX.sub(" ", str(err)).strip()


def parse_yaml(text: str, file: str, diags: Diagnostics) -> list[Document]:
    """Parse every document in ``text``; a syntax error becomes a diagnostic.

    The bounds of ``bounds.py`` are checked on the parser's events first, so
    a file that would expand or nest beyond them is never composed. The
    documents before a syntax error are kept (and reported on as usual).
    """
    docs: list[Document] = []
    try:
        _within_bounds(text)
        _documents(text, file, diags, docs)
    except bounds.TooLarge as err:
        diags.add(_at(file, err.mark) if err.mark else Position(file), err.code, err.message)
    except yaml.reader.ReaderError as err:
        diags.add(_unprintable_pos(text, file), "Y001", f"invalid YAML: {err.reason}")
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        pos = _at(file, mark) if mark else Position(file)
        problem = _PROBLEM_RX.sub(" ", str(err.problem or err.context or "invalid YAML"))
        diags.add(pos, "Y001", f"invalid YAML: {problem}")
    except yaml.YAMLError as err:  # non-marked errors
        diags.add(Position(file), "Y001", f"invalid YAML: {_one_line(err)}")
    return docs


def _within_bounds(text: str) -> None:
    """Raise ``TooLarge`` if the events up to the end (or to the first syntax
    error, which composing then meets and reports) cross a bound."""
    loader = _Loader(text)
    try:
        bounds.check(loader)
    except yaml.YAMLError:
        return
    finally:
        loader.dispose()


def _documents(text: str, file: str, diags: Diagnostics, docs: list[Document]) -> None:
    loader = _Loader(text)
    lines = text.splitlines()
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            builder = _Builder(file, loader, diags)
            data = builder.build(node, ())
            docs.append(Document(file, data, builder.positions, builder.spans, lines))
    finally:
        loader.dispose()


def _at(file: str, mark: yaml.Mark) -> Position:
    return Position(file, mark.line + 1, mark.column + 1)


def _unprintable_pos(text: str, file: str) -> Position:
    """Where the first character YAML refuses is (the reader gives only an
    offset, in bytes for libyaml, so find the character itself)."""
    found = _UNPRINTABLE_RX.search(text)
    if found is None:
        return Position(file)
    start = found.start()
    line = text.count("\n", 0, start)
    col = start - (text.rfind("\n", 0, start) + 1)
    return Position(file, line + 1, col + 1)
