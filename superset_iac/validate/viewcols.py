"""Columns a query names that the tree's views it reads do not have (pure).

Used for a dataset whose SQL reads views of the tree: their columns are
known offline (``Index.view_columns``), so sqlglot's column qualifier can
tell which names of the SQL no table provides. Checked only when every
table the query reads is such a view: a table outside the tree could hold
any column, so an unqualified name could be its. Queries with constructs
that bring columns of their own (``UNNEST``, lambdas, ``LATERAL``) are left
alone, as the qualifier would take those for missing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.qualify import qualify

from superset_iac.validate import jinja
from superset_iac.validate.sqltext import DIALECT

# Columns of the views a query reads, by the table node that names one (None: not known).
ViewColumns = Callable[[exp.Table], "set[str] | None"]
_OWN_COLUMNS = (exp.Unnest, exp.Lambda, exp.Lateral, exp.TableFromRows)


def missing_columns(query: exp.Expression, columns_of: ViewColumns) -> list[exp.Column] | None:
    """The column nodes of ``query`` that none of its views has, in order;
    None when that cannot be known (a table not a view of the tree)."""
    if not isinstance(query, exp.Query) or any(query.find(t) for t in _OWN_COLUMNS):
        return None
    tree = query.copy()
    views = _stand_ins(tree, columns_of)
    if not views:
        return None
    schema: dict[str, Any] = {name: dict.fromkeys(sorted(known), "UNKNOWN")
                              for _, name, known in views}
    by_alias: dict[str, set[str]] = {}  # an alias used in two scopes: either's columns
    for alias, _, known in views:
        by_alias.setdefault(alias, set()).update(known)
    qualified = [c for c in tree.find_all(exp.Column)
                 if c.table.lower() in by_alias and not c.is_star
                 and c.name.lower() not in by_alias[c.table.lower()]]
    for column in qualified:  # made known to the qualifier, which would stop at the first
        for alias, name, _ in views:
            if alias == column.table.lower():
                schema[name][column.name.lower()] = "UNKNOWN"
    try:
        qualify(tree, schema=schema, dialect=DIALECT, validate_qualify_columns=False,
                quote_identifiers=False, identify=False)
    except SqlglotError:
        return None
    unresolved = [c for c in tree.find_all(exp.Column)
                  if not c.table and not c.is_star and c.name
                  and c.name != jinja.PLACEHOLDER and not _output_name(c, tree)]
    return sorted(qualified + unresolved, key=lambda c: c.this.meta.get("start", 0))


def _stand_ins(tree: exp.Expression,
               columns_of: ViewColumns) -> list[tuple[str, str, set[str]]] | None:
    """Rename each view ``tree`` reads to ``_view<n>``, keeping its alias so
    ``v.col`` still resolves: (alias, stand-in name, columns) each. None when
    a table is not a view of the tree; CTEs are the query's own."""
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    views: list[tuple[str, str, set[str]]] = []
    for i, table in enumerate(list(tree.find_all(exp.Table))):
        if not table.db and table.name.lower() in ctes:
            continue
        known = columns_of(table)
        if known is None or table.name == jinja.PLACEHOLDER:
            return None
        alias = table.alias_or_name
        views.append((alias.lower(), f"_view{i}", known))
        table.replace(exp.Table(this=exp.to_identifier(f"_view{i}"),
                                alias=exp.TableAlias(this=exp.to_identifier(alias))))
    return views


def _output_name(column: exp.Column, tree: exp.Expression) -> bool:
    """Whether ``column`` names an output column (ORDER BY, and HAVING in DuckDB),
    not being itself the expression of that output (``x AS x``)."""
    parent = column.parent
    if isinstance(parent, exp.Alias) and parent.this is column:
        return False
    return column.name.lower() in {a.alias.lower() for a in tree.find_all(exp.Alias)}
