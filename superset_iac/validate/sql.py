"""SQL in the tree parses as what it is used for (sqlglot, Trino dialect).

* dataset ``sql`` and the queries a kind holds (``Spec.queries``, a saved
  query's): exactly one read-only query (SELECT, WITH, UNION, ...);
* view ``sql``: exactly one query; ``where``: a condition; a custom mask:
  one expression; a ``null`` mask's type: a Trino type;
* metric and calculated column expressions, adhoc SQL in charts: exactly
  one expression; RLS clauses and adhoc SQL filters: a boolean condition.

Superset's Jinja is rendered with placeholders first (``validate.jinja``);
warehouse views are not templated. Problems point at the line and column
inside the SQL as written in the YAML.
"""

from __future__ import annotations

from superset_iac.diagnostics import Diagnostics
from superset_iac.load.tree import AssetTree
from superset_iac.model.base import Spec
from superset_iac.model.chart import Chart
from superset_iac.model.dataset import Dataset
from superset_iac.model.rls import RlsRule
from superset_iac.model.view import View
from superset_iac.validate import chart_fields, sqltext
from superset_iac.validate.codes import add
from superset_iac.validate.index import Index, index
from superset_iac.warehouse import sqlgen

_CHART_SQL = {"sql_metric": "metric", "sql_column": "column", "sql_filter": "filter"}


def check(tree: AssetTree, diags: Diagnostics) -> None:
    idx = index(tree)
    for ds in tree.each(Dataset):
        _dataset(idx, ds, diags)
    for view in tree.each(View):
        _view(idx, view, diags)
    for spec in tree:  # a saved query's SQL (``Spec.queries``)
        for held in spec.queries():
            query(idx, spec, held.path, held.text, diags)
    for rule in tree.each(RlsRule):
        expression(idx, rule, ("clause",), rule.clause, "clause", diags, predicate=True)
    for chart in tree.each(Chart):
        for use in chart_fields.uses(chart.params):
            if use.kind in _CHART_SQL:
                expression(idx, chart, use.path, use.text, f"adhoc {_CHART_SQL[use.kind]}",
                           diags, predicate=use.kind == "sql_filter")


def _dataset(idx: Index, ds: Dataset, diags: Diagnostics) -> None:
    if ds.sql is not None and ds.sql.strip():
        query(idx, ds, ("sql",), ds.sql, diags)
    for i, metric in enumerate(ds.metrics):
        expression(idx, ds, ("metrics", i, "expression"), metric.expression,
                   f"metric '{metric.name}'", diags)
    for i, column in enumerate(ds.columns):
        if column.expression:
            expression(idx, ds, ("columns", i, "expression"), column.expression,
                       f"column '{column.name}'", diags)


def _view(idx: Index, view: View, diags: Diagnostics) -> None:
    if view.sql is not None:
        query(idx, view, ("sql",), view.sql, diags, templated=False)
        return
    if view.where:
        expression(idx, view, ("where",), view.where, "where", diags,
                   predicate=True, templated=False)
    for i, column in enumerate(view.columns):
        if column.mask == "custom" and column.expression:
            expression(idx, view, ("columns", i, "expression"), column.expression,
                       f"column '{column.name}'", diags, templated=False)
    # The type of a ``null`` mask: sqlgen already knows what Trino accepts.
    for path, message in sqlgen.problems(view):
        if path[-1] == "type":
            add(diags, view.pos(*path), "Q001", message)


def query(idx: Index, spec: Spec, path: tuple, text: str, diags: Diagnostics,
          templated: bool = True) -> None:
    """``text`` must be exactly one read-only query."""
    parsed = idx.parsed(text, templated)
    if parsed.problem:
        line, col, message = parsed.problem
        add(diags, spec.text_pos(path, line, col), "Q001", f"{spec.ref}: {message}")
        return
    if not parsed.statements:
        add(diags, spec.pos(*path), "Q001", f"{spec.ref}: no SQL statement")
        return
    if len(parsed.statements) > 1:
        line, col = parsed.starts[1] if len(parsed.starts) > 1 else (0, 0)
        add(diags, spec.text_pos(path, line, col), "Q002",
            f"{spec.ref}: {len(parsed.statements)} statements; give exactly one query")
    for node, (line, col) in zip(parsed.statements, parsed.starts, strict=False):
        problem = sqltext.query_problem(node)
        if problem:
            add(diags, spec.text_pos(path, line, col), "Q003", f"{spec.ref}: {problem}")


def expression(idx: Index, spec: Spec, path: tuple, text: str, what: str, diags: Diagnostics,
               predicate: bool = False, templated: bool = True) -> None:
    """``text`` must be one expression (a boolean condition if ``predicate``)."""
    parsed = idx.parsed(text, templated)
    problem = sqltext.expression_problem(parsed)
    if problem:
        line, col, message = problem
        code = "Q001" if parsed.problem else "Q004"
        add(diags, spec.text_pos(path, line, col), code, f"{spec.ref}: {what}: {message}")
        return
    if predicate:
        reason = sqltext.predicate_problem(parsed.statements[0])
        if reason:
            add(diags, spec.text_pos(path), "Q005", f"{spec.ref}: {what}: {reason}")
