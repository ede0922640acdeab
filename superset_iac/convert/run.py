"""Convert, end to end: bundles -> what export would write for the same objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from superset_iac.convert.bundle import read_bundle
from superset_iac.convert.client import BundleClient
from superset_iac.convert.server import import_bundles
from superset_iac.export.run import export_read
from superset_iac.export.select import CONTENT_KINDS, Selection
from superset_iac.export.writer import ExportReport
from superset_iac.kinds.base import Context
from superset_iac.kinds.registry import handlers
from superset_iac.load.tree import AssetTree

NOT_IN_BUNDLES = ("roles and row level security rules are not part of a native bundle: "
                  "none were written (export --roles --rls brings them from a Superset)")


@dataclass
class Converted:
    report: ExportReport
    notes: list[str] = field(default_factory=list)


def convert(bundles: list[Path], tree: AssetTree, root: Path,
            environ: Mapping[str, str] | None = None) -> Converted:
    """Write every object of ``bundles`` into ``root`` (``tree`` is what it holds)."""
    read = [read_bundle(path) for path in bundles]
    client = BundleClient(import_bundles(read))
    readers = [h for h in handlers() if h.kind in CONTENT_KINDS]
    report = export_read(Context(client=client), readers, tree, root,
                         Selection(everything=True), environ)
    notes = [note for bundle in read for note in bundle.notes] + [NOT_IN_BUNDLES]
    return Converted(report, notes)
