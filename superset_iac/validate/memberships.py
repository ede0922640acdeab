"""Checks of the group and embedding kinds beyond their schema: a group
membership stated on one side only (R007, see ``model/group.py``), an
embedding any site may frame (G013, ``model/embedded.py``)."""

from __future__ import annotations

from superset_iac.diagnostics import Diagnostics
from superset_iac.load.tree import AssetTree
from superset_iac.model.embedded import Embedded
from superset_iac.model.group import one_sided_memberships
from superset_iac.validate.codes import add


def check(tree: AssetTree, diags: Diagnostics) -> None:
    for spec in tree:
        for pos, message in one_sided_memberships(spec, tree.get):
            add(diags, pos, "R007", message)
    for embedding in tree.each(Embedded):
        if not embedding.allowed_domains:
            add(diags, embedding.pos("allowed_domains"), "G013",
                f"{embedding.ref}: no allowed_domains, so any site may embed this dashboard "
                "(Superset allows every origin for an empty list); name the host origins")
