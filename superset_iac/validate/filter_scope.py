"""Every chart in a native filter's scope is one the filter can narrow.

Superset applies a dashboard's native filter to each chart in its scope by
column name, and silently skips a chart whose dataset lacks the column; a
time range reaches only a chart that carries a ``TEMPORAL_RANGE`` filter
(``model/chart.py``: one is added on its dataset's time column unless
``time_filter: false``). A filter scoped to a chart it cannot narrow does
nothing there while the dashboard suggests otherwise: F001, at the chart's
entry in ``charts``, or at the filter when it has no ``charts`` (every chart
of the dashboard is then in its scope).

A chart whose dataset's columns cannot be known offline (a table outside
the tree) is given the benefit of the doubt. Filters of the other types
(time column, time grain) and entries the model keeps raw are not checked.
"""

from __future__ import annotations

from superset_iac.diagnostics import Diagnostics
from superset_iac.load.tree import AssetTree
from superset_iac.model.chart import Chart, default_time_column, temporal_filters, time_subject
from superset_iac.model.dashboard import Dashboard, NativeFilter
from superset_iac.model.dataset import Dataset
from superset_iac.validate.codes import add
from superset_iac.validate.index import Index, index

CHECKED = ("time_range", "select", "range")


def check(tree: AssetTree, diags: Diagnostics) -> None:
    idx = index(tree)
    for dash in tree.each(Dashboard):
        placed = [ref.key for ref in dash.chart_refs()]
        for i, f in enumerate(dash.filters):
            if f.type in CHECKED and set(f.extra) != {"raw"}:
                _filter(idx, dash, i, f, placed, diags)


def _filter(idx: Index, dash: Dashboard, i: int, f: NativeFilter, placed: list[str],
            diags: Diagnostics) -> None:
    if f.charts is not None:
        for j, key in enumerate(f.charts):
            reason = why_not(idx, f, key)
            if reason:
                add(diags, dash.pos("filters", i, "charts", j), "F001",
                    f"{dash.ref}: filter '{f.name}' cannot narrow chart '{key}': {reason}")
        return
    missed = [(key, reason) for key in placed if (reason := why_not(idx, f, key))]
    if missed:
        narrowed = [key for key in placed if key not in dict(missed)]
        listed = "; ".join(f"'{key}': {reason}" for key, reason in missed)
        add(diags, dash.pos("filters", i, "name"), "F001",
            f"{dash.ref}: filter '{f.name}' is scoped to every chart but cannot narrow {listed} "
            f"(scope it with charts: [{', '.join(narrowed)}])")


def why_not(idx: Index, f: NativeFilter, chart_key: str) -> str | None:
    """Why filter ``f`` cannot narrow the chart, or None when it can (or cannot be told)."""
    chart = idx.tree.get("chart", chart_key)
    if not isinstance(chart, Chart):
        return None  # a dangling name is a reference error (R001)
    dataset = idx.tree.get("dataset", chart.dataset)
    if not isinstance(dataset, Dataset):
        return None
    if f.type == "time_range":
        return _no_time_filter(chart, dataset)
    known = idx.dataset_columns(dataset).known()
    if f.column is None or known is None or f.column.lower() in known:
        return None
    return f"dataset '{dataset.name}' has no column '{f.column}'"


def _no_time_filter(chart: Chart, dataset: Dataset) -> str | None:
    if temporal_filters(chart.params):
        return None
    if not chart.time_filter:
        return "the chart says time_filter: false"
    if time_subject(chart.params, default_time_column(dataset)) is None:
        return (f"dataset '{dataset.name}' has no time column "
                "(no main_dttm_col, no column with is_dttm: true)")
    return None
