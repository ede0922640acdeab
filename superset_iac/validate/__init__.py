"""Offline validation: every check runs over the whole tree and only adds
diagnostics; none stops the others.

Each check is a function ``check(tree, diags)``; ``CHECKS`` lists them in the
order their findings are most useful (schema problems are already reported by
the loader).
"""

from __future__ import annotations

from typing import Callable

from superset_iac.diagnostics import Diagnostics
from superset_iac.load.tree import AssetTree

Check = Callable[[AssetTree, Diagnostics], None]


def _checks() -> list[Check]:
    from superset_iac.validate import (columns, environments, governance, references,
                                       schema_rules, sql)

    return [schema_rules.check, environments.check, references.check, sql.check,
            columns.check, governance.check]


def validate_tree(tree: AssetTree) -> Diagnostics:
    """Run every check; the tree's own load diagnostics come first."""
    diags = Diagnostics()
    diags.extend(tree.diagnostics.items)
    for check in _checks():
        check(tree, diags)
    return diags
