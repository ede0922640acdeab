"""Load an asset directory into typed specs, collecting every problem.

Layout: one directory per kind (``databases/``, ``charts/``, …, and
``environments/``), any depth below it, ``*.yaml``/``*.yml`` files holding one
object, a list of objects, or several ``---`` documents. The directory names
the kind, so files need no ``kind:`` line.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any, Iterator, TypeVar

from pydantic import ValidationError

from superset_iac.diagnostics import Diagnostics, Position
from superset_iac.load import schema
from superset_iac.load.walk import Display, Limits, Reader, Walker
from superset_iac.load.yaml_source import Document, Path, parse_yaml
from superset_iac.model import KINDS, Spec
from superset_iac.model.environment import Environment

ENV_DIR = "environments"
S = TypeVar("S", bound=Spec)


@dataclass
class AssetTree:
    root: FsPath
    specs: dict[str, dict[str, Spec]] = field(default_factory=dict)
    environments: dict[str, Environment] = field(default_factory=dict)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    # Derived facts computed once per tree by later stages (parsed SQL, the
    # view index, ...), so each check can ask for them without re-parsing.
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    # kind -> names of objects written but refused by the schema: already
    # reported, so a reference to one is not "undefined" too.
    invalid: dict[str, set[str]] = field(default_factory=dict)

    def of(self, kind: str) -> dict[str, Spec]:
        return self.specs.setdefault(kind, {})

    def each(self, cls: type[S]) -> list[S]:
        """Every spec of ``cls``'s kind, typed as ``cls``."""
        return [s for s in self.specs.get(cls.KIND, {}).values() if isinstance(s, cls)]

    def get(self, kind: str, key: str) -> Spec | None:
        return self.specs.get(kind, {}).get(key)

    def __iter__(self) -> Iterator[Spec]:
        for cls in KINDS.values():
            yield from self.specs.get(cls.KIND, {}).values()

    def count(self) -> int:
        return sum(len(v) for v in self.specs.values())


def load_tree(root: str | FsPath, environ: Mapping[str, str] | None = None) -> AssetTree:
    """Load every kind directory of ``root``; ``environ`` may set the size
    bounds (see ``walk.py``)."""
    root = FsPath(root)
    tree = AssetTree(root)
    if not root.is_dir():
        tree.diagnostics.add(Position(_rel(root)), "L001", "asset directory not found")
        return tree
    known = set(KINDS) | {ENV_DIR}
    for entry in sorted(root.iterdir()):
        if entry.is_dir() and not entry.name.startswith(".") and entry.name not in known:
            tree.diagnostics.add(Position(_rel(entry)), "L002",
                                 f"unknown asset directory '{entry.name}'; "
                                 f"expected one of: {', '.join(sorted(known))}")
    display = Display(root)
    walker = Walker(root, display, tree.diagnostics)
    reader = Reader(Limits.from_environ(os.environ if environ is None else environ),
                    tree.diagnostics)
    kinds: list[tuple[str, type[Spec]]] = [*KINDS.items(), (ENV_DIR, Environment)]
    for dirname, cls in kinds:
        for path in walker.files(root / dirname):
            shown = display(path)
            text = reader.read(path, shown)
            if text is not None:
                _load_text(tree, text, shown, cls)
    for cls in KINDS.values():
        tree.specs.setdefault(cls.KIND, {})
    return tree


def _rel(path: FsPath) -> str:
    """Paths as a linter prints them: relative to the working directory if below it."""
    try:
        return str(path.resolve().relative_to(FsPath.cwd()))
    except ValueError:
        return str(path)


def _load_text(tree: AssetTree, text: str, display: str, cls: type[Spec]) -> None:
    for doc in parse_yaml(text, display, tree.diagnostics):
        if isinstance(doc.data, list):
            for i, item in enumerate(doc.data):
                _add(tree, cls, doc, (i,), item)
        elif doc.data is not None:
            _add(tree, cls, doc, (), doc.data)


def _add(tree: AssetTree, cls: type[Spec], doc: Document, prefix: Path, data: object) -> None:
    if not isinstance(data, dict):
        tree.diagnostics.add(doc.pos(prefix), "S006",
                             f"a {cls.KIND} must be a mapping, got {type(data).__name__}")
        return
    try:
        spec = cls.model_validate(data).attach(doc, prefix)
    except ValidationError as err:
        schema.report(err, cls, doc, prefix, data, tree.diagnostics)
        key = _raw_key(cls, data)
        if key is not None:
            tree.invalid.setdefault(cls.KIND, set()).add(key)
        return
    target: dict = tree.environments if cls is Environment else tree.of(cls.KIND)
    if spec.key in target:
        first = target[spec.key]
        tree.diagnostics.add(spec.pos(), "S005",
                             f"duplicate {cls.KIND} '{spec.key}' (first defined at {first.pos()})")
        return
    target[spec.key] = spec


def _raw_key(cls: type[Spec], data: dict) -> str | None:
    for name in cls.KEY_FIELDS:
        if isinstance(data.get(name), str):
            return data[name]
    return None
