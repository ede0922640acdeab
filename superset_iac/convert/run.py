"""Convert, end to end: bundles -> what export would write for the same objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from superset_iac.convert.bundle import KINDS as BUNDLE_KINDS
from superset_iac.convert.bundle import Bundle, read_bundle
from superset_iac.convert.client import BundleClient
from superset_iac.convert.server import import_bundles
from superset_iac.export.run import export_read
from superset_iac.export.select import Selection
from superset_iac.export.writer import ExportReport
from superset_iac.kinds.base import Context
from superset_iac.kinds.registry import handlers
from superset_iac.load.tree import AssetTree
from superset_iac.validate import viztypes

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
    readers = [h for h in handlers() if h.kind in BUNDLE_KINDS.values()]  # what bundles hold
    report = export_read(Context(client=client), readers, tree, root,
                         Selection(everything=True), environ)
    notes = [note for bundle in read for note in bundle.notes] + _legacy(read) + [NOT_IN_BUNDLES]
    return Converted(report, notes)


def _legacy(bundles: list[Bundle]) -> list[str]:
    """Charts of types Superset's import migrates (``viztypes.IMPORT_MIGRATES``):
    convert keeps them as written (validation reports the removed ones, S017)."""
    return [f"{m.where}: viz_type '{m.data.get('viz_type')}' is converted as it is; Superset's "
            f"import would migrate it to '{viztypes.IMPORT_MIGRATES[m.data['viz_type']]}'"
            for b in bundles for m in b.members
            if m.kind == "chart" and m.data.get("viz_type") in viztypes.IMPORT_MIGRATES]
