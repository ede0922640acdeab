"""Convert, end to end: bundles -> what export would write for the same objects."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from superset_iac.convert.bundle import KINDS as BUNDLE_KINDS
from superset_iac.convert.bundle import Bundle, Member, read_bundle
from superset_iac.convert.client import BundleClient
from superset_iac.convert.migrate import RULES, Unmigrated, migrate
from superset_iac.convert.server import import_bundles
from superset_iac.diagnostics import Diagnostics, Position
from superset_iac.export.run import export_read
from superset_iac.export.select import Selection
from superset_iac.export.writer import ExportReport
from superset_iac.kinds.base import Context
from superset_iac.kinds.registry import handlers
from superset_iac.load.tree import AssetTree
from superset_iac.validate.codes import add

NOT_IN_BUNDLES = ("roles and row level security rules are not part of a native bundle: "
                  "none were written (export --roles --rls brings them from a Superset)")


@dataclass
class Converted:
    report: ExportReport
    notes: list[str] = field(default_factory=list)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)


def convert(bundles: list[Path], tree: AssetTree, root: Path,
            environ: Mapping[str, str] | None = None, *,
            migrate_legacy: bool = False) -> Converted:
    """Write every object of ``bundles`` into ``root`` (``tree`` is what it holds)."""
    diags = Diagnostics()
    read = [_legacy(read_bundle(path), migrate_legacy, diags) for path in bundles]
    client = BundleClient(import_bundles(read))
    readers = [h for h in handlers() if h.kind in BUNDLE_KINDS.values()]  # what bundles hold
    report = export_read(Context(client=client), readers, tree, root,
                         Selection(everything=True), environ)
    notes = [note for bundle in read for note in bundle.notes] + [NOT_IN_BUNDLES]
    return Converted(report, notes, diags)


def _legacy(bundle: Bundle, migrate_legacy: bool, diags: Diagnostics) -> Bundle:
    """Charts of the types Superset's import migrates: migrated with
    ``migrate_legacy`` (as the import would), else kept as written and named (B001)."""
    members = []
    for member in bundle.members:
        viz = member.data.get("viz_type")
        if member.kind != "chart" or viz not in RULES:
            members.append(member)
            continue
        pos = Position(member.where, member.line("viz_type"))
        name = member.data.get("slice_name")
        if not migrate_legacy:
            add(diags, pos, "B001", f"chart '{name}' has the legacy viz_type '{viz}', which "
                f"Superset's import rewrites to '{RULES[viz].target}'; `superset-iac convert "
                f"--migrate-legacy {bundle.source}` does the same (kept as it is)")
            members.append(member)
            continue
        try:
            members.append(_migrated(member, viz))
        except Unmigrated as err:
            add(diags, pos, "B002", f"chart '{name}' ({viz}) is kept as it is: {err}")
            members.append(member)
    return dataclasses.replace(bundle, members=members)


def _migrated(member: Member, viz: str) -> Member:
    params = member.data.get("params") or {}
    if isinstance(params, str):
        params = json.loads(params or "{}")
    target, new = migrate(viz, params)
    return dataclasses.replace(member, data={**member.data, "viz_type": target, "params": new})
