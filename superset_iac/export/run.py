"""Export, end to end and without CLI concerns: read live -> select -> write.

Reading goes through the same handlers ``diff`` uses, in dependency order (a
chart's dataset id is turned into a name by the dataset handler's read), so
the specs written are exactly what ``diff`` will compare with.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

from superset_iac.diagnostics import Diagnostics
from superset_iac.export.select import Selection, select
from superset_iac.export.writer import ExportReport, write
from superset_iac.kinds.base import Context, Handler
from superset_iac.kinds.registry import handlers
from superset_iac.load.resolve import resolve
from superset_iac.load.tree import AssetTree
from superset_iac.workflow import read_live


def export(ctx: Context, tree: AssetTree, root: Path, selection: Selection,
           environ: Mapping[str, str] | None = None) -> ExportReport:
    """Write the selected objects of ``ctx``'s Superset into ``root``.

    ``tree`` is what ``root`` already holds; it is resolved for ``ctx.env``
    so that an object written with ``${VAR}`` values or per-environment
    overrides is recognised as unchanged.
    """
    wanted = selection.kinds_to_read()
    available = [h for h in handlers() if h.kind in wanted]
    report = export_read(ctx, available, tree, root, selection, environ)
    report.unavailable = [k for k in wanted if k not in {h.kind for h in available}]
    return report


def export_read(ctx: Context, readers: list[Handler], tree: AssetTree, root: Path,
                selection: Selection, environ: Mapping[str, str] | None = None) -> ExportReport:
    """What ``readers`` read from ``ctx.client``, selected and written into ``root``
    (``convert`` runs this on a client that answers from bundles)."""
    environ = os.environ if environ is None else environ
    live = read_live(ctx, readers)
    chosen = select(live, selection)
    # Unset variables only mean the object cannot be proven unchanged.
    resolved = resolve(tree, ctx.env, environ, Diagnostics())
    env_name = ctx.env.name if ctx.env else None
    report = write(root, chosen.objects, tree, resolved, env_name)
    report.missing = chosen.missing
    return report
