"""Masking cannot be turned off by accident.

A pull request that removes ``mask: hash`` from a column shows, to a
reviewer, as one deleted line; the view then passes the value in clear. So
a view may declare which columns of its source are personal data
(``pii: [trader_id, email]``), and from then on:

* G010 (error) a declared PII column that a view of that source passes
  through unmasked: a column without ``mask`` in a column-list view, or a
  view's ``sql`` selecting it or ``*`` — at the top (found with G004 in
  ``validate.governance``) or in any inner SELECT: a UNION branch, a CTE, a
  subquery (here; conservative: a CTE that selects the column only to mask
  it later is refused too, mask where the raw table is read). Undeclared
  columns masked elsewhere stay the G004 warning.
* G012 (warning) a masked column its source does not declare under ``pii``:
  nothing would stop a later change from dropping that mask.
* G011 (error) a mask that does not mask: ``mask: custom`` whose expression
  gives the column back unchanged (``trader_id``, ``CAST(trader_id AS
  VARCHAR)``, ``lower(trim(trader_id))``, ``trader_id || ''``,
  ``coalesce(trader_id, '-')``). Not exhaustive: a reviewer still reads
  custom masks; this catches the ways of writing "no mask" that look like one.

The declaration lives with the raw table's masking view, so removing a
column from ``pii`` is itself the line a reviewer sees. ``mask: null`` read
as YAML null, an unknown policy, and a null ``pii``/``raw_access_roles``,
RLS ``roles``, dashboard ``roles`` or role ``data_access`` are schema errors
(S010, S004, S002) raised while loading.
"""

from __future__ import annotations

from sqlglot import exp

from superset_iac.diagnostics import Diagnostics
from superset_iac.load.tree import AssetTree
from superset_iac.model.view import View, ViewColumn
from superset_iac.validate.codes import add
from superset_iac.validate.index import Index, index, table_ref
from superset_iac.validate.sqltext import TableRef

# Functions that give back the same information: wrapping a column in them masks nothing.
_SAME_VALUE = (exp.Paren, exp.Cast, exp.TryCast, exp.Upper, exp.Lower, exp.Trim)
# ... nor joining it with constants only.
_WITH_CONSTANTS = (exp.DPipe, exp.Concat, exp.Coalesce)


def declared_pii(tree: AssetTree) -> dict[TableRef, set[str]]:
    """Raw table -> the columns any of its views declares as PII (lower case)."""
    found: dict[TableRef, set[str]] = {}
    for view in tree.each(View):
        if view.source and view.pii:
            found.setdefault(table_ref(view.source), set()).update(c.lower() for c in view.pii)
    return found


def check(tree: AssetTree, diags: Diagnostics) -> None:
    pii = declared_pii(tree)
    idx = index(tree)
    for view in tree.each(View):
        if view.sql is not None:
            _inner_selects(idx, view, pii, diags)
        if view.source is None:
            continue
        declared = pii.get(table_ref(view.source), set())
        for i, column in enumerate(view.columns):
            if column.source_column.lower() in declared and not column.mask:
                add(diags, view.pos("columns", i), "G010",
                    f"{view.ref}: column {column.name} passes PII column "
                    f"{column.source_column} of {view.source} through unmasked "
                    "(declared under pii); give it a mask")
            if column.mask and column.source_column.lower() not in declared:
                add(diags, view.pos("columns", i, "mask"), "G012",
                    f"{view.ref}: column {column.source_column} is masked but not declared "
                    "under pii: a change removing the mask would pass validation")
            if column.mask == "custom" and column.expression and _identity(idx, column):
                add(diags, view.pos("columns", i, "expression"), "G011",
                    f"{view.ref}: column {column.name}: this custom mask returns "
                    f"{column.source_column} unchanged; it masks nothing")


def _inner_selects(idx: Index, view: View, pii: dict[TableRef, set[str]],
                   diags: Diagnostics) -> None:
    """G010 for a declared PII column (or ``*``) projected by a SELECT below the
    top one of a view's ``sql``, when the view reads that column's raw table."""
    declared = set().union(*(pii.get(ref, set()) for ref in idx.view_reads(view)))
    query = idx.query(view.sql, templated=False)
    if not declared or query is None:
        return
    for select in query.find_all(exp.Select):
        if select is query:
            continue  # the top SELECT: validate.governance (G004/G010)
        for item in select.expressions:
            node = item.this if isinstance(item, exp.Alias) else item
            while isinstance(node, _SAME_VALUE):
                node = node.this
            star = isinstance(node, exp.Star) or (isinstance(node, exp.Column) and node.is_star)
            if star or (isinstance(node, exp.Column) and node.name.lower() in declared):
                add(diags, view.pos("sql"), "G010",
                    f"{view.ref}: an inner SELECT passes {'*' if star else node.name} through "
                    "unmasked, a column declared as pii; mask it where the raw table is read")


def _identity(idx: Index, column: ViewColumn) -> bool:
    """Whether the custom expression is the source column, at most re-typed,
    re-cased, or joined with constants (``x || ''``, ``coalesce(x, '-')``)."""
    node = idx.parsed(column.expression or "", templated=False).single
    return node is not None and _gives_back(node, column.source_column.lower())


def _gives_back(node: exp.Expression, name: str) -> bool:
    while isinstance(node, _SAME_VALUE):
        node = node.this
    if isinstance(node, exp.Column):
        return node.name.lower() == name
    if isinstance(node, _WITH_CONSTANTS):
        parts = list(node.iter_expressions())
        others = [p for p in parts if not _gives_back(p, name)]
        return len(others) < len(parts) and all(
            isinstance(p, (exp.Literal, exp.Null)) for p in others)
    return False
