"""Offline validation: every check runs over the whole tree and only adds
diagnostics; none stops the others, and none touches a server.

Each check is a function ``check(tree, diags)``, run in this order (YAML and
per-kind schema problems are already reported by the loader):

* ``schema_rules``: rules across fields (dashboard grid, filter fields per
  type, viz types, dataset shape, repeated names);
* ``environments``: environment files and names, secrets only as ``${VAR}``;
* ``uris``: database URIs interpolate only declared secrets, in secret slots,
  to allowed hosts;
* ``references``: names resolve, charts placed once, no view cycles;
* ``sql``: SQL parses as what it is used for (sqlglot, Trino, Jinja rendered);
* ``sandbox``: free SQL reads no warehouse environment, setting or file;
* ``columns``: columns and metrics named exist in their dataset;
* ``masking``: declared PII columns masked in every view, masks that mask;
* ``filter_scope``: a native filter can narrow every chart in its scope;
* ``governance``: masked raw tables reached only by their raw roles;
* ``reports``: recipients the environments allow, alert SQL.

``validate.index`` holds what several checks share (each SQL parsed once);
``validate.codes`` is the table of every diagnostic code.
"""

from __future__ import annotations

from typing import Callable

from superset_iac.diagnostics import Diagnostics
from superset_iac.load.tree import AssetTree

Check = Callable[[AssetTree, Diagnostics], None]


def _checks() -> list[Check]:
    from superset_iac.validate import (
        columns,
        environments,
        filter_scope,
        governance,
        masking,
        references,
        reports,
        sandbox,
        schema_rules,
        sql,
        uris,
    )

    return [schema_rules.check, environments.check, uris.check, references.check, sql.check,
            sandbox.check, columns.check, filter_scope.check, masking.check, governance.check,
            reports.check]


def validate_tree(tree: AssetTree) -> Diagnostics:
    """Run every check; the tree's own load diagnostics come first."""
    diags = Diagnostics()
    diags.extend(tree.diagnostics.items)
    for check in _checks():
        check(tree, diags)
    return diags
