"""Write selected live objects into an asset tree, updating files in place.

For each object:

* the tree already defines it (wherever its file is) and it equals the live
  object by ``Spec.compared()``, the same test ``diff`` uses -> the file is
  not touched (so a second export changes nothing, byte for byte);
* the tree defines it and it differs -> its document in that file is
  rewritten (see ``files.py``), keeping the fields that still agree as
  written (``content.merged``);
* the tree does not define it -> a new file at a stable path (``paths.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from superset_iac.diagnostics import printable
from superset_iac.errors import AssetError
from superset_iac.export import content, files, paths
from superset_iac.export.yamlout import dump
from superset_iac.load.resolve import Desired
from superset_iac.load.tree import AssetTree
from superset_iac.model import Spec
from superset_iac.plan.diff import compare
from superset_iac.plan.model import LiveObject

Live = dict[str, dict[str, LiveObject]]


class OutsideTree(AssetError):
    """A file export would write leads outside the asset tree (a symbolic link)."""


class FileAction(str, Enum):
    CREATED = "created"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass
class FileResult:
    path: str
    action: FileAction
    objects: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "action": self.action.value, "objects": self.objects}


@dataclass
class ExportReport:
    files: list[FileResult] = field(default_factory=list)
    variables: dict[str, list[str]] = field(default_factory=dict)  # VAR -> objects needing it
    missing: list[str] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)  # kinds without a handler

    def counts(self) -> dict[str, int]:
        out = {a.value: 0 for a in FileAction}
        for f in self.files:
            out[f.action.value] += 1
        out["objects"] = sum(len(f.objects) for f in self.files)
        return out

    @property
    def comments_may_be_lost(self) -> bool:
        return any(f.action is FileAction.CHANGED for f in self.files)

    def to_dict(self) -> dict[str, Any]:
        return {"files": [f.to_dict() for f in self.files], "summary": self.counts(),
                "variables": self.variables, "missing": self.missing,
                "unavailable": self.unavailable}


def write(root: Path, objects: Live, tree: AssetTree, resolved: Desired,
          env: str | None) -> ExportReport:
    report = ExportReport()
    results: dict[Path, FileResult] = {}
    changed: dict[Path, dict[str, dict[str, Any]]] = {}
    new: list[Spec] = []
    new_content: dict[tuple[str, str], content.Content] = {}
    for kind, by_key in objects.items():
        for key, live in by_key.items():
            written = tree.get(kind, key)
            if written is None:
                new.append(live.spec)
                new_content[(kind, key)] = content.fresh(live.spec)
                continue
            path = Path(written.file)
            result = results.setdefault(path, FileResult(_show(path), FileAction.UNCHANGED))
            result.objects.append(live.spec.ref)
            current = resolved.get(kind, {}).get(key, written)
            if compare(current, live) is None:
                _need(report, live.spec.ref, content.variables_of(written))
                continue
            result.action = FileAction.CHANGED
            merged = content.merged(live.spec, written, current, env)
            changed.setdefault(path, {})[key] = merged.data
            _need(report, live.spec.ref, merged.variables)
    created = _new_paths(root, new)
    _refuse_outside(root, [*changed, *created.values()])
    for path, replacements in changed.items():
        cls = _kind_of(tree, path)
        text = path.read_text(encoding="utf-8")
        path.write_text(files.replace_objects(text, replacements, _key_of(cls)), encoding="utf-8")
    _create(created, new_content, results, report)
    report.files = sorted(results.values(), key=lambda f: f.path)
    return report


def _new_paths(root: Path, new: list[Spec]) -> dict[tuple[str, str], Path]:
    """Where each new object goes; a name already used, by a file or by a
    link (dangling ones too), is taken."""
    taken = ({p.relative_to(root) for p in root.rglob("*") if p.is_file() or p.is_symlink()}
             if root.is_dir() else set())
    return {ref: root / rel for ref, rel in paths.assign_paths(new, taken).items()}


def _refuse_outside(root: Path, targets: list[Path]) -> None:
    """Nothing is written when any file would land outside the tree: a
    symbolic link in it (to a file, or a directory on the way) must not let an
    export overwrite or fill what lies beyond it."""
    for path in targets:
        real = paths.outside(root, path)
        if real is not None:
            raise OutsideTree(f"{_show(path)} leads outside the asset tree (to {printable(real)}) "
                              "through a symbolic link; nothing was exported")


def _create(created: dict[tuple[str, str], Path],
            new_content: dict[tuple[str, str], content.Content],
            results: dict[Path, FileResult], report: ExportReport) -> None:
    for (kind, key), path in created.items():
        item = new_content[(kind, key)]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump(item.data), encoding="utf-8")
        ref = f"{kind}/{key}"
        results[path] = FileResult(_show(path), FileAction.CREATED, [ref])
        _need(report, ref, item.variables)


def _need(report: ExportReport, ref: str, variables: list[str]) -> None:
    for name in variables:
        report.variables.setdefault(name, []).append(ref)


def _kind_of(tree: AssetTree, path: Path) -> type[Spec]:
    for spec in tree:
        if Path(spec.file) == path:
            return type(spec)
    raise AssertionError(f"no object of the tree comes from {path}")


def _key_of(cls: type[Spec]) -> files.KeyOf:
    def key(data: Any) -> str | None:
        try:
            return cls.model_validate(data).key
        except ValidationError:
            return None
    return key


def _show(path: Path) -> str:
    """A path as the user gave it: relative to the working directory when below it."""
    try:
        shown = str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        shown = str(path)
    return printable(shown)

