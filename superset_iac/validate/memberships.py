"""Group memberships stated on one side only (R007): see ``model/group.py``."""

from __future__ import annotations

from superset_iac.diagnostics import Diagnostics
from superset_iac.load.tree import AssetTree
from superset_iac.model.group import one_sided_memberships
from superset_iac.validate.codes import add


def check(tree: AssetTree, diags: Diagnostics) -> None:
    for spec in tree:
        for pos, message in one_sided_memberships(spec, tree.get):
            add(diags, pos, "R007", message)
