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
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    by_alias: dict[str, tuple[str, set[str]]] = {}  # alias -> (stand-in name, columns)
    for i, table in enumerate(list(tree.find_all(exp.Table))):
        if not table.db and table.name.lower() in ctes:
            continue
        known = columns_of(table)
        if known is None or table.name == jinja.PLACEHOLDER:
            return None
        alias = table.alias_or_name
        by_alias[alias.lower()] = (f"_view{i}", known)
        table.replace(exp.Table(this=exp.to_identifier(f"_view{i}"),
                                alias=exp.TableAlias(this=exp.to_identifier(alias))))
    if not by_alias:
        return None
    schema: dict[str, Any] = {name: dict.fromkeys(sorted(known), "UNKNOWN")
                              for name, known in by_alias.values()}
    qualified = [c for c in tree.find_all(exp.Column)
                 if c.table.lower() in by_alias and not c.is_star
                 and c.name.lower() not in by_alias[c.table.lower()][1]]
    for column in qualified:  # known to the qualifier, which would stop at the first
        schema[by_alias[column.table.lower()][0]][column.name.lower()] = "UNKNOWN"
    try:
        qualify(tree, schema=schema, dialect=DIALECT, validate_qualify_columns=False,
                quote_identifiers=False, identify=False)
    except SqlglotError:
        return None
    unresolved = [c for c in tree.find_all(exp.Column)
                  if not c.table and not c.is_star and c.name
                  and c.name != jinja.PLACEHOLDER and not _output_name(c, tree)]
    return sorted(qualified + unresolved, key=lambda c: c.this.meta.get("start", 0))


def _output_name(column: exp.Column, tree: exp.Expression) -> bool:
    """Whether ``column`` names an output column (ORDER BY, and HAVING in DuckDB),
    not being itself the expression of that output (``x AS x``)."""
    parent = column.parent
    if isinstance(parent, exp.Alias) and parent.this is column:
        return False
    return column.name.lower() in {a.alias.lower() for a in tree.find_all(exp.Alias)}
