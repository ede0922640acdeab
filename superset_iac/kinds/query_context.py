"""A chart's ``query_context``, built from its form data the way Superset's
frontend builds it when a chart is saved in explore.

Superset stores the query context beside ``params``; server-side consumers
(``GET /api/v1/chart/{id}/data/``, alerts and reports, cache warm-up) run the
chart from it, so a chart created through the API without one cannot be run
by them. The shape, for every viz type:

    {"datasource": {"id": <dataset id>, "type": "table"}, "force": false,
     "queries": [<query object>], "form_data": {<params>, "datasource",
     "viz_type"[, "slice_id"]}, "result_format": "json", "result_type": "full"}

The query object follows the 6.x ``buildQuery`` of the viz types the assets
use (ECharts time series line/bar, pivot table v2, table, big number total,
pie) and of histogram v2; any other type gets a generic query of its columns
(deck.gl's spatial columns included) and metrics, which the data API runs but
whose shape may differ from what the plugin would ask (checked: the query
contexts of all 103 charts of Superset's examples, 38 viz types, run on the
data API). A query context is derived data: it is never compared, only
written.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from superset_iac.model.chart import KEY_PARAM

FormData = dict[str, Any]
Query = dict[str, Any]

TIMESERIES = frozenset({"echarts_timeseries_line", "echarts_timeseries_bar", "echarts_timeseries",
                        "echarts_area", "echarts_timeseries_scatter", "echarts_timeseries_smooth",
                        "echarts_timeseries_step"})


def build_query_context(form_data: FormData, viz_type: str, dataset_id: int,
                        chart_id: int | None = None) -> dict[str, Any]:
    fd = {k: v for k, v in form_data.items() if k != KEY_PARAM}
    fd.update(datasource=f"{dataset_id}__table", viz_type=viz_type)
    if chart_id is not None:
        fd["slice_id"] = chart_id
    build = BUILDERS.get(viz_type, generic_query)
    return {"datasource": {"id": dataset_id, "type": "table"}, "force": False,
            "queries": [build(with_extra_form_data(fd))], "form_data": fd,
            "result_format": "json", "result_type": "full"}


# -- labels -------------------------------------------------------------------


def metric_label(metric: Any) -> str:
    """The column name a metric gets in results (Superset's getMetricLabel)."""
    if isinstance(metric, str):
        return metric
    if metric.get("label"):
        return metric["label"]
    if metric.get("expressionType") == "SQL":
        return metric.get("sqlExpression", "")
    column = metric.get("column") or {}
    return f"{metric.get('aggregate')}({column.get('column_name')})"


def column_label(column: Any) -> str:
    if isinstance(column, str):
        return column
    return column.get("label") or column.get("sqlExpression") or column.get("column_name", "")


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


# -- the common part of every query -------------------------------------------


def base_query(fd: FormData) -> Query:
    """What every viz's query starts from (Superset's buildQueryObject)."""
    filters, where, having = _adhoc_filters(fd.get("adhoc_filters") or [])
    extras: dict[str, Any] = {"having": having, "where": where}
    if fd.get("time_grain_sqla"):
        extras["time_grain_sqla"] = fd["time_grain_sqla"]
    query: Query = {
        "filters": filters, "extras": extras, "applied_time_extras": {},
        "columns": [], "metrics": _metrics(fd),
        # as buildQueryObject passes them; the server drops formulas and loads
        # each native layer's annotations into the answer's annotation_data
        "annotation_layers": _list(fd.get("annotation_layers")),
        "series_limit": int(fd.get("series_limit") or fd.get("limit") or 0),
        "order_desc": bool(fd.get("order_desc", True)),
        "url_params": fd.get("url_params") or {}, "custom_params": {}, "custom_form_data": {},
    }
    if fd.get("time_range"):
        query["time_range"] = fd["time_range"]
    if fd.get("granularity_sqla"):
        query["granularity"] = fd["granularity_sqla"]
    if fd.get("row_limit") not in (None, ""):
        query["row_limit"] = int(fd["row_limit"])
    if fd.get("series_limit_metric"):
        query["series_limit_metric"] = fd["series_limit_metric"]
    return query


# extra_form_data keys that replace a form data key of the same name.
_OVERRIDES = ("time_range", "granularity_sqla", "time_grain_sqla")


def with_extra_form_data(fd: FormData) -> FormData:
    """``fd`` with its ``extra_form_data`` merged in, as a dashboard merges a native
    filter's: ``filters`` become more adhoc filters, ``time_range`` the comparator
    of every ``TEMPORAL_RANGE`` filter (the only place Superset's SQL reads it)."""
    extra = fd.get("extra_form_data")
    if not isinstance(extra, dict) or not extra:
        return fd
    out = {**fd, **{k: extra[k] for k in _OVERRIDES if k in extra}}
    adhoc = [dict(f) for f in fd.get("adhoc_filters") or [] if isinstance(f, dict)]
    if "time_range" in extra:
        for f in adhoc:
            if f.get("operator") == "TEMPORAL_RANGE":
                f["comparator"] = extra["time_range"]
    adhoc += [{"clause": "WHERE", "expressionType": "SIMPLE", "subject": f.get("col"),
               "operator": f.get("op"), "comparator": f.get("val")}
              for f in extra.get("filters") or [] if isinstance(f, dict)]
    out["adhoc_filters"] = adhoc
    return out


def _metrics(fd: FormData) -> list[Any]:
    if fd.get("metrics") is not None:
        return _list(fd["metrics"])
    return _list(fd.get("metric"))


def _adhoc_filters(adhoc: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], str, str]:
    """Simple WHERE filters stay filters; SQL ones are ANDed into where/having."""
    filters: list[dict[str, Any]] = []
    where: list[str] = []
    having: list[str] = []
    for item in adhoc:
        clause = (item.get("clause") or "WHERE").upper()
        if item.get("expressionType") == "SQL":
            (having if clause == "HAVING" else where).append(f"({item.get('sqlExpression')})")
        elif clause == "WHERE":
            entry = {"col": item.get("subject"), "op": item.get("operator")}
            if "comparator" in item and item.get("operator") not in ("IS NULL", "IS NOT NULL"):
                entry["val"] = item["comparator"]
            filters.append(entry)
    return filters, " AND ".join(where), " AND ".join(having)


def _order_by(fd: FormData, query: Query) -> list[list[Any]]:
    """[[metric, ascending]] on the sort metric, else the first metric (normalizeOrderBy)."""
    key = fd.get("series_limit_metric") or fd.get("timeseries_limit_metric")
    if not key and query["metrics"]:
        key = query["metrics"][0]
    return [[key, not query["order_desc"]]] if key else []


def _axis_column(x_axis: Any, time_grain: str | None) -> dict[str, Any]:
    """The x axis as Superset's BASE_AXIS column (with its time grain)."""
    if isinstance(x_axis, dict):
        column = {**x_axis, "columnType": "BASE_AXIS"}
    else:
        column = {"columnType": "BASE_AXIS", "sqlExpression": x_axis, "label": x_axis,
                  "expressionType": "SQL"}
    if time_grain:
        column["timeGrain"] = time_grain
    return column


# -- per viz type -------------------------------------------------------------


def timeseries_query(fd: FormData) -> Query:
    """ECharts time series: x axis + groupby, pivoted on the x axis, flattened."""
    query = base_query(fd)
    x_axis = fd.get("x_axis") or fd.get("granularity_sqla")
    groupby = _list(fd.get("groupby"))
    axis = [_axis_column(x_axis, fd.get("time_grain_sqla"))] if x_axis else []
    query.update(columns=axis + groupby, series_columns=groupby, orderby=_order_by(fd, query),
                 time_offsets=[])
    if not x_axis:
        return query
    labels = [metric_label(m) for m in query["metrics"]]
    steps: list[dict[str, Any]] = [{"operation": "pivot", "options": {
        "index": [column_label(x_axis)],
        "columns": [column_label(g) for g in groupby],
        "aggregates": {label: {"operator": "mean"} for label in labels},
        "drop_missing_columns": not fd.get("show_empty_columns", True)}}]
    if len(labels) == 1 and groupby:
        steps.append({"operation": "rename",
                      "options": {"columns": {labels[0]: None}, "level": 0, "inplace": True}})
    if fd.get("x_axis_sort") and fd["x_axis_sort"] != column_label(x_axis):
        steps.append({"operation": "sort", "options": {
            "by": fd["x_axis_sort"], "ascending": bool(fd.get("x_axis_sort_asc", True))}})
    steps.append({"operation": "flatten"})
    query["post_processing"] = steps
    return query


def _grained(columns: list[Any], fd: FormData) -> list[Any]:
    """The time column under a time grain becomes a BASE_AXIS column, as the frontend does."""
    grain = fd.get("time_grain_sqla")
    temporal = fd.get("granularity_sqla")
    return [_axis_column(c, grain) if grain and isinstance(c, str) and c == temporal else c
            for c in columns]


def pivot_table_query(fd: FormData) -> Query:
    """Pivot table v2: group by columns and rows; the frontend pivots the rows."""
    query = base_query(fd)
    columns: list[Any] = []
    for column in _list(fd.get("groupbyColumns")) + _list(fd.get("groupbyRows")):
        if column not in columns:
            columns.append(column)
    query.update(columns=_grained(columns, fd), orderby=_order_by(fd, query))
    return query


def table_query(fd: FormData) -> Query:
    """Table: aggregated (groupby + metrics) or raw (all_columns)."""
    query = base_query(fd)
    if fd.get("query_mode") == "raw":
        order = [_parse_order(o) for o in _list(fd.get("order_by_cols"))]
        query.update(columns=_list(fd.get("all_columns")), metrics=[], orderby=order)
        return query
    query.update(columns=_grained(_list(fd.get("groupby")), fd), orderby=_order_by(fd, query))
    percent = _list(fd.get("percent_metrics"))
    if percent:
        # One metric per label, as the frontend's buildQuery has it: a percent
        # metric labelled like a metric (COUNT(amount) written as SQL and as a
        # SIMPLE metric) is that metric; twice, Superset refuses the query (400
        # "Duplicate column/metric labels").
        seen = {metric_label(m) for m in query["metrics"]}
        for metric in percent:
            if metric_label(metric) not in seen:
                seen.add(metric_label(metric))
                query["metrics"] = [*query["metrics"], metric]
        labels = list(dict.fromkeys(metric_label(m) for m in percent))
        query["post_processing"] = [{"operation": "contribution", "options": {
            "columns": labels, "rename_columns": [f"%{label}" for label in labels]}}]
    return query


def _parse_order(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return [value, True]
    return value


def big_number_total_query(fd: FormData) -> Query:
    query = base_query(fd)
    query.update(columns=[], orderby=[])
    return query


def pie_query(fd: FormData) -> Query:
    query = base_query(fd)
    sort = fd.get("sort_by_metric", True) and query["metrics"]
    query.update(columns=_list(fd.get("groupby")),
                 orderby=[[query["metrics"][0], False]] if sort else [])
    return query


def histogram_query(fd: FormData) -> Query:
    """Histogram v2: the raw values of one column, binned by the server."""
    query = base_query(fd)
    groupby = _list(fd.get("groupby"))
    column = fd.get("column")
    query.update(columns=groupby + _list(column), metrics=[], orderby=[])
    query["post_processing"] = [{"operation": "histogram", "options": {
        "column": column_label(column), "groupby": [column_label(g) for g in groupby],
        "bins": int(fd.get("bins") or 5), "cumulative": bool(fd.get("cumulative")),
        "normalize": bool(fd.get("normalize"))}}] if column else []
    return query


_COLUMN_KEYS = ("groupby", "columns", "all_columns", "series", "entity", "groupbyRows",
                "groupbyColumns", "column", "line_column")
# deck.gl points: {"type": "latlong", "latCol": …, "lonCol": …} and the like.
_SPATIAL_KEYS = ("spatial", "start_spatial", "end_spatial")
_METRIC_KEYS = ("metrics", "metric", "metric_2", "secondary_metric", "percent_metrics", "size")


def generic_query(fd: FormData) -> Query:
    """Any other viz type: its columns (x axis first) and metrics, ordered by the first metric."""
    query = base_query(fd)
    columns: list[Any] = []
    if fd.get("x_axis"):
        columns.append(_axis_column(fd["x_axis"], fd.get("time_grain_sqla")))
    for key in _COLUMN_KEYS:
        columns += [c for c in _list(fd.get(key)) if c not in columns]
    for key in _SPATIAL_KEYS:
        spatial = fd.get(key)
        if not isinstance(spatial, dict):
            continue
        columns += [v for k, v in sorted(spatial.items())
                    if k.endswith("Col") and isinstance(v, str) and v not in columns]
    metrics: list[Any] = []
    for key in _METRIC_KEYS:
        metrics += [m for m in _list(fd.get(key)) if m not in metrics and isinstance(m, (str, dict))]
    query.update(columns=columns, metrics=metrics, orderby=_order_by(fd, {**query, "metrics": metrics}))
    return query


BUILDERS: dict[str, Callable[[FormData], Query]] = {
    **{viz: timeseries_query for viz in TIMESERIES},
    "pivot_table_v2": pivot_table_query,
    "table": table_query,
    "big_number_total": big_number_total_query,
    "pie": pie_query,
    "histogram_v2": histogram_query,
}
