"""References by name must point at objects defined in the tree."""

from __future__ import annotations

from superset_iac.diagnostics import Diagnostics
from superset_iac.load.tree import AssetTree


def check(tree: AssetTree, diags: Diagnostics) -> None:
    for spec in tree:
        for ref in spec.refs():
            if tree.get(ref.kind, ref.key) is None:
                diags.add(spec.pos(*ref.path), "R001",
                          f"{spec.ref}: {ref.kind} '{ref.key}' is not defined")
