"""Schema rules that span fields, beyond what each kind's model enforces.

The models already refuse a layout item that is not exactly one of row,
header, divider or tabs, a view with both ``sql`` and ``source``, a custom
mask without expression (reported as S010 by the loader). Here: the dashboard
grid's arithmetic, native filter fields per type, chart types, datasets'
physical/virtual shape and repeated names.
"""

from __future__ import annotations

import re
from typing import Any

from superset_iac.diagnostics import Diagnostics
from superset_iac.load.schema import did_you_mean
from superset_iac.load.tree import AssetTree
from superset_iac.model.base import Spec
from superset_iac.model.chart import Chart
from superset_iac.model.dashboard import Cell, Dashboard, LayoutItem, NativeFilter
from superset_iac.model.database import Database
from superset_iac.model.dataset import Dataset
from superset_iac.model.native_filters import filter_id
from superset_iac.model.view import View
from superset_iac.validate import chart_fields, viztypes
from superset_iac.validate.codes import add

GRID = 12  # Superset's dashboard grid is 12 columns wide


def check(tree: AssetTree, diags: Diagnostics) -> None:
    for dashboard in tree.each(Dashboard):
        _items(dashboard, dashboard.layout, ("layout",), GRID, diags)
        _filters(dashboard, diags)
    for chart in tree.each(Chart):
        _viz_type(chart, diags)
        _params(chart, diags)
    for dataset in tree.each(Dataset):
        _dataset(dataset, tree.get("database", dataset.database), diags)
    for view in tree.each(View):
        _view(view, diags)


# -- dashboards -------------------------------------------------------------------

def _items(dash: Dashboard, items: list[Any], path: tuple, limit: int, diags: Diagnostics) -> None:
    """Rows hold at most ``limit`` grid units: 12 at the top, a column's width inside it."""
    for i, item in enumerate(items):
        if isinstance(item, Cell):  # a cell stacked directly in a column
            _cell(dash, item, path + (i,), limit, diags)
            continue
        assert isinstance(item, LayoutItem)
        for j, tab in enumerate(item.tabs or []):
            _items(dash, tab.layout, path + (i, "tabs", j, "layout"), limit, diags)
        if item.row is None:
            continue
        for j, cell in enumerate(item.row):
            _cell(dash, cell, path + (i, "row", j), limit, diags)
        total = sum(cell.width for cell in item.row)
        if total > limit:
            add(diags, dash.pos(*path, i, "row"), "S012",
                f"{dash.ref}: this row is {total} units wide; at most {limit} fit")


def _cell(dash: Dashboard, cell: Cell, path: tuple, limit: int, diags: Diagnostics) -> None:
    if not 1 <= cell.width <= limit:
        add(diags, dash.pos(*path, "width"), "S011",
            f"{dash.ref}: width {cell.width} is outside 1..{limit}")
    if cell.column is None and cell.height < 1:
        add(diags, dash.pos(*path, "height"), "S011", f"{dash.ref}: height must be at least 1")
    if cell.column is not None:
        _items(dash, cell.column, path + ("column",), min(max(cell.width, 1), limit), diags)


_NEEDS = {  # filter type -> (needs a dataset, needs a column)
    "select": (True, True), "range": (True, True), "time_range": (False, False),
    "time_column": (True, False), "time_grain": (True, False)}


def _filters(dash: Dashboard, diags: Diagnostics) -> None:
    seen: dict[str, int] = {}
    names: dict[str, int] = {}
    for i, f in enumerate(dash.filters):
        if set(f.extra) == {"raw"}:
            continue  # kept verbatim from the server: nothing modelled to check
        _filter_fields(dash, i, f, diags)
        fid = filter_id(f)
        for key, table, what in ((fid, seen, f"id '{fid}'"), (f.name, names, f"name '{f.name}'")):
            if key in table:
                add(diags, dash.pos("filters", i), "S015",
                    f"{dash.ref}: filter {what} is also used by filter {table[key] + 1}")
            table.setdefault(key, i)


def _filter_fields(dash: Dashboard, i: int, f: NativeFilter, diags: Diagnostics) -> None:
    needs_dataset, needs_column = _NEEDS[f.type]
    for field, needed, value in (("dataset", needs_dataset, f.dataset),
                                 ("column", needs_column, f.column)):
        if needed and value is None:
            add(diags, dash.pos("filters", i), "S014",
                f"{dash.ref}: filter '{f.name}' ({f.type}) needs a {field}")
        elif not needed and value is not None:
            add(diags, dash.pos("filters", i, field), "S014",
                f"{dash.ref}: filter '{f.name}' ({f.type}) takes no {field}")
    problem = _default_problem(f)
    if problem:
        add(diags, dash.pos("filters", i, "default"), "S014",
            f"{dash.ref}: filter '{f.name}': {problem}")


def _default_problem(f: NativeFilter) -> str | None:
    value = f.default
    if value is None:
        return None
    if f.type == "range" and not (isinstance(value, list) and len(value) == 2):
        return "a range default is [low, high] (either may be null)"
    if f.type == "time_range" and not isinstance(value, str):
        return "a time_range default is a string such as 'Last week' or 'No filter'"
    if f.type == "select" and not f.multiple and isinstance(value, list) and len(value) > 1:
        return "a single-value filter (multiple: false) has one default"
    return None


# -- charts, datasets, views --------------------------------------------------------

def _viz_type(chart: Chart, diags: Diagnostics) -> None:
    viz = chart.viz_type
    if viz in viztypes.KNOWN:
        return
    if viz in viztypes.REMOVED:
        add(diags, chart.pos("viz_type"), "S017",
            f"{chart.ref}: viz_type '{viz}' was removed from Superset; "
            f"use {_quoted(viztypes.REMOVED[viz])}")
        return
    near = viztypes.nearest(viz)
    add(diags, chart.pos("viz_type"), "S016",
        f"{chart.ref}: viz_type '{viz}' is not a Superset 6.1 chart type"
        f"{f'; did you mean {near!r}?' if near else ''}")


def _params(chart: Chart, diags: Diagnostics) -> None:
    for key in chart_fields.unknown_params(chart.viz_type, chart.params):
        add(diags, chart.pos("params", key), "S023",
            f"{chart.ref}: params key '{key}' is read by no control of {chart.viz_type}"
            f"{did_you_mean(key, viztypes.PARAMS)}")


def _quoted(replacement: str) -> str:
    return f"'{replacement}'" if " " not in replacement else replacement


def _dataset(ds: Dataset, database: Spec | None, diags: Diagnostics) -> None:
    if ds.sql is None and not ds.schema_ and _needs_schema(database):
        add(diags, ds.pos("name"), "S013",
            f"{ds.ref}: a physical dataset on Trino needs a schema "
            "(or give sql for a virtual one)")
    if ds.sql is not None and not ds.sql.strip():
        add(diags, ds.pos("sql"), "S013", f"{ds.ref}: sql is empty")
    named: list[tuple[str, list[Any]]] = [("columns", ds.columns), ("metrics", ds.metrics)]
    for field, items in named:
        first: dict[str, int] = {}
        for i, item in enumerate(items):
            key = item.name.lower()
            if key in first:
                add(diags, ds.pos(field, i, "name"), "S021",
                    f"{ds.ref}: {field[:-1]} '{item.name}' is already defined "
                    f"(at {ds.pos(field, first[key], 'name')})")
            first.setdefault(key, i)


# trino://user@host:port/catalog: no schema, so an unqualified table has no home.
_NO_DEFAULT_SCHEMA = re.compile(r"^(?:trino|presto)(?:\+\w+)?://[^/]*(?:/[^/?#]*)?/?(?:[?#].*)?$")


def _needs_schema(database: Spec | None) -> bool:
    """Whether ``schema: null`` leaves the table without a schema.

    SQLite has no schemas and DuckDB, PostgreSQL and most others have a
    default one: Superset stores ``schema: null`` for those, and it works.
    Trino has a default schema only when the URI names one. A database
    outside the tree cannot be told, and is not reported.
    """
    return isinstance(database, Database) and bool(_NO_DEFAULT_SCHEMA.match(database.uri))


def _view(view: View, diags: Diagnostics) -> None:
    for i, column in enumerate(view.columns):
        if "keep_last" in column.model_fields_set and column.mask != "partial":
            add(diags, view.pos("columns", i, "keep_last"), "S022",
                f"{view.ref}: keep_last only applies to mask: partial")
