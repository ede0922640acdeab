"""Every column and metric named exists where it is named.

A dataset's columns are its declared columns plus what its table offers: the
projection of its SQL (aliases and bare columns), or the columns of the view
of the tree it reads. ``SELECT *`` offers exactly the declared columns, so
it needs some. A table outside the tree cannot be checked, and is not.
Metric and calculated-column SQL runs over the table itself, so it may name
only the table's columns (``Columns.base``), not other calculated columns.
Names compare case-insensitively, as Trino folds unquoted identifiers.
SQL that reads only views of the tree may name only their columns
(``viewcols``): a name none of them has would fail on the database.
"""

from __future__ import annotations

from sqlglot import exp

from superset_iac.diagnostics import Diagnostics
from superset_iac.load.schema import did_you_mean
from superset_iac.load.tree import AssetTree
from superset_iac.model.base import Spec
from superset_iac.model.chart import Chart
from superset_iac.model.dashboard import Dashboard
from superset_iac.model.dataset import Dataset
from superset_iac.model.view import View
from superset_iac.validate import chart_fields, sqltext, viewcols
from superset_iac.validate.codes import add
from superset_iac.validate.index import Columns, Index, index, qualified, table_ref


def check(tree: AssetTree, diags: Diagnostics) -> None:
    idx = index(tree)
    for ds in tree.each(Dataset):
        _dataset(idx, ds, diags)
    for chart in tree.each(Chart):
        source = tree.get("dataset", chart.dataset)
        if isinstance(source, Dataset):
            _chart(idx, chart, source, diags)
    for dash in tree.each(Dashboard):
        _filters(idx, dash, diags)
    for view in tree.each(View):
        _view_source(idx, view, diags)


def _dataset(idx: Index, ds: Dataset, diags: Diagnostics) -> None:
    cols = idx.dataset_columns(ds)
    if cols.star and cols.base is None:
        add(diags, ds.pos("sql"), "C003",
            f"{ds.ref}: the SQL selects *, so its columns cannot be known offline: "
            "declare the columns charts and filters use")
    if cols.base is not None and not cols.star:
        for i, column in enumerate(ds.columns):
            if not column.is_calculated and column.name.lower() not in cols.base:
                add(diags, ds.pos("columns", i, "name"), "C004",
                    f"{ds.ref}: column '{column.name}' is not returned by "
                    f"{'its SQL' if ds.sql is not None else 'its view'}"
                    f"{did_you_mean(column.name, cols.base)}")
    if ds.sql is not None:
        _sql_over_views(idx, ds, diags)
    if ds.main_dttm_col is not None:
        _column(ds, ("main_dttm_col",), ds.main_dttm_col, cols, ds, diags)
    for i, metric in enumerate(ds.metrics):
        _sql_columns(idx, ds, ("metrics", i, "expression"), metric.expression, cols, diags)
    for i, column in enumerate(ds.columns):
        if column.expression:
            _sql_columns(idx, ds, ("columns", i, "expression"), column.expression, cols, diags)


def _sql_over_views(idx: Index, ds: Dataset, diags: Diagnostics) -> None:
    """Columns a dataset's SQL names that the tree views it reads lack (C006)."""
    query = idx.query(ds.sql)
    if query is None or ds.sql is None:
        return
    catalog, schema = idx.catalog_of(ds), ds.schema_ or ""
    seen: list[set[str]] = []

    def columns_of(table: exp.Table) -> set[str] | None:
        ref = sqltext.TableRef(table.catalog.lower(), table.db.lower(), table.name.lower())
        views = idx.view_map.find(qualified(ref, catalog, schema))
        found = idx.view_columns(views[0]) if len(views) == 1 else None
        seen.append(found or set())
        return found

    missing = viewcols.missing_columns(query, columns_of)
    if not missing:
        return
    available = sorted(set().union(*seen))
    # Offsets are those of the text parsed: Jinja rendering moves them.
    plain = "{{" not in ds.sql and "{%" not in ds.sql
    for column in missing:
        start = column.this.meta.get("start") if plain else None
        line, col = sqltext.line_col(ds.sql, start) if isinstance(start, int) else (0, 0)
        add(diags, ds.text_pos(("sql",), line, col), "C006",
            f"{ds.ref}: its SQL names column '{column.name}', which the view(s) it reads "
            f"do not have{did_you_mean(column.name, available)}")


def _chart(idx: Index, chart: Chart, ds: Dataset, diags: Diagnostics) -> None:
    cols = idx.dataset_columns(ds)
    metrics = {m.name for m in ds.metrics}
    for use in chart_fields.uses(chart.params):
        if use.kind == "column":
            _column(chart, use.path, use.text, cols, ds, diags)
        elif use.kind == "metric" and use.text not in metrics:
            add(diags, chart.pos(*use.path), "C002",
                f"{chart.ref}: dataset '{ds.name}' has no metric '{use.text}'"
                f"{did_you_mean(use.text, metrics)}")
        elif use.kind.startswith("sql_"):
            _sql_columns(idx, chart, use.path, use.text, cols, diags)


def _filters(idx: Index, dash: Dashboard, diags: Diagnostics) -> None:
    for i, f in enumerate(dash.filters):
        ds = idx.tree.get("dataset", f.dataset) if f.dataset else None
        if isinstance(ds, Dataset) and f.column is not None:
            _column(dash, ("filters", i, "column"), f.column, idx.dataset_columns(ds), ds, diags)


def _column(spec: Spec, path: tuple, name: str, cols: Columns, ds: Dataset,
            diags: Diagnostics) -> None:
    known = cols.known()
    if known is None or name.lower() in known:
        return
    names = list(cols.declared.values()) + sorted(cols.base or ())
    add(diags, spec.pos(*path), "C001",
        f"{spec.ref}: dataset '{ds.name}' has no column '{name}'{did_you_mean(name, names)}")


def _sql_columns(idx: Index, spec: Spec, path: tuple, text: str, cols: Columns,
                 diags: Diagnostics) -> None:
    """Columns named in an expression must be the table's (SQL problems are sql.py's)."""
    if cols.base is None:
        return
    parsed = idx.parsed(text)
    if sqltext.expression_problem(parsed):
        return
    for name in sqltext.column_refs(parsed.statements[0]):
        if name not in cols.base:
            add(diags, spec.pos(*path), "C005",
                f"{spec.ref}: '{name}' is not a column of the table this SQL runs over"
                f"{did_you_mean(name, cols.base)}")


def _view_source(idx: Index, view: View, diags: Diagnostics) -> None:
    """A view over another view of the tree reads columns that view has."""
    if view.source is None:
        return
    sources = idx.view_map.find(table_ref(view.source))
    available = idx.view_columns(sources[0]) if len(sources) == 1 else None
    if available is None:
        return
    for i, column in enumerate(view.columns):
        if column.source_column.lower() not in available:
            field = "source" if column.source else "name"
            add(diags, view.pos("columns", i, field), "C001",
                f"{view.ref}: view '{sources[0].name}' has no column '{column.source_column}'"
                f"{did_you_mean(column.source_column, available)}")
