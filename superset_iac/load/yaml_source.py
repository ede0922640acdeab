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

Path = tuple[str | int, ...]

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc,valid-type]
    """Safe loader without implicit timestamps: dates stay strings.

    A time range such as ``2024-01-01`` must reach the spec as written, not as
    a ``datetime.date`` that fails a ``str`` field.
    """


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in _Base.yaml_implicit_resolvers.copy().items()
}


@dataclass
class Document:
    """One YAML document: its data and the position of every path in it."""

    file: str
    data: Any
    positions: dict[Path, Position] = field(default_factory=dict)

    def pos(self, path: Path = ()) -> Position:
        """Position of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return self.positions.get((), Position(self.file, 1, 1))


def _mark(file: str, node: yaml.Node) -> Position:
    return Position(file, node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    def __init__(self, file: str, loader: _Loader, diags: Diagnostics) -> None:
        self.file = file
        self.loader = loader
        self.diags = diags
        self.positions: dict[Path, Position] = {}

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.positions.setdefault(path, _mark(self.file, node))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        return self.loader.construct_object(node, deep=True)

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict:
        result: dict = {}
        for key_node, value_node in self._merged_pairs(node):
            key = self.loader.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) or key is None:
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
        """Expand ``<<: *anchor`` merge keys; explicit keys win over merged ones."""
        pairs: list[tuple[yaml.Node, yaml.Node]] = []
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                for src in sources:
                    if isinstance(src, yaml.MappingNode):
                        merged.extend(self._merged_pairs(src))
            else:
                pairs.append((key_node, value_node))
        explicit = {k.value for k, _ in pairs if isinstance(k, yaml.ScalarNode)}
        return [(k, v) for k, v in merged if k.value not in explicit] + pairs


_PROBLEM_RX = re.compile(r"\s+")


def parse_yaml(text: str, file: str, diags: Diagnostics) -> list[Document]:
    """Parse every document in ``text``; a syntax error becomes a diagnostic."""
    loader = _Loader(text)
    docs: list[Document] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            builder = _Builder(file, loader, diags)
            data = builder.build(node, ())
            docs.append(Document(file, data, builder.positions))
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        pos = Position(file, mark.line + 1, mark.column + 1) if mark else Position(file)
        problem = _PROBLEM_RX.sub(" ", str(err.problem or err.context or "invalid YAML"))
        diags.add(pos, "Y001", f"invalid YAML: {problem}")
    except yaml.YAMLError as err:  # non-marked errors, e.g. bad encoding
        diags.add(Position(file), "Y001", f"invalid YAML: {err}")
    finally:
        loader.dispose()
    return docs
