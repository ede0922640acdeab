"""Chart form data in the shortest form that means the same, and back.

The explore UI saves bookkeeping with every adhoc metric, filter and column:
``optionName``/``filterOptionName`` (React keys, random per save), ``isNew``,
``isExtra: false``, ``operatorId`` (which operator menu entry was picked),
``datasourceWarning``, ``hasCustomLabel: false``, a copy of the dataset
column's row (id, type, verbose name) inside a metric, and ``null`` for every
unset field. None of it changes a query or what a chart shows: the frontend
makes new option names when it loads a chart, takes a column by its name, and
treats a missing key as unset.

``tidy`` is the one normal form (equality compares it, export writes it):

* a SIMPLE metric is ``{column: NAME, aggregate: AGG}``, with ``label`` only
  when it is not Superset's default ``AGG(NAME)``;
* a SIMPLE WHERE filter is ``{subject, operator, comparator}``; ``clause``
  only when HAVING;
* bookkeeping keys and null values are left out, at the top level of the form
  data and inside adhoc items.

* for the chart types of ``FRONTEND_DEFAULTS``, a display option equal to the
  frontend's default is left out: an absent key is drawn with that default
  (the plugin's ``DEFAULT_FORM_DATA``, merged under the form data in its
  ``transformProps``) and shown with it in explore (the control's default,
  the same value). Only display options are listed (``renderTrigger``
  controls): a query option such as ``sort_by_metric`` means something else
  when absent (the query builders test it, not the control default).

``expand`` gives Superset's form back for writing (what the explore UI would
save, minus bookkeeping it regenerates): ``tidy(expand(p)) == p`` for every
tidy ``p``, so an applied tree reads back equal.
"""

from __future__ import annotations

from typing import Any, Callable

COLUMN_KEYS = ("groupby", "columns", "all_columns", "groupbyRows", "groupbyColumns", "x_axis",
               "series", "entity", "granularity_sqla", "all_columns_x", "all_columns_y",
               "groupby_b", "source", "target", "column")
METRIC_KEYS = ("metrics", "metric", "metric_2", "percent_metrics", "timeseries_limit_metric",
               "series_limit_metric", "secondary_metric", "size", "x", "y", "metrics_b",
               "timeseries_limit_metric_b")
FILTER_KEYS = ("adhoc_filters", "adhoc_filters_b")

BOOKKEEPING = frozenset({"optionName", "filterOptionName", "isNew", "operatorId",
                         "datasourceWarning"})
# Flags that mean something only when set: ``isExtra: true`` marks a filter a
# dashboard added (Superset's merge_extra_filters treats it apart).
_FALSE_MEANS_ABSENT = frozenset({"hasCustomLabel", "isExtra"})


_LEGEND = {"show_legend": True, "legendType": "scroll", "legendOrientation": "top"}
_TIMESERIES = {**_LEGEND, "rich_tooltip": True, "show_value": False, "zoomable": False,
               "markerEnabled": False, "markerSize": 6, "logAxis": False,
               "minorSplitLine": False}
# Superset 6.1's frontend, read from plugin-chart-echarts (Pie/types.ts and
# Pie/controlPanel.tsx, Timeseries/constants.ts and its control panels) and
# plugin-chart-table (controlPanel.tsx, transformProps.ts), checked against
# the built assets of the 6.1.0 wheel: stored key -> default, where the
# control's default and the one the chart draws with agree.
FRONTEND_DEFAULTS: dict[str, dict[str, Any]] = {
    "pie": {**_LEGEND, "donut": False, "innerRadius": 30, "outerRadius": 70,
            "label_type": "key", "label_line": False, "show_labels": True,
            "labels_outside": True, "show_labels_threshold": 5, "number_format": "SMART_NUMBER",
            "date_format": "smart_date", "show_total": False},
    # align_pn is not here: its control says false, the table draws true when absent.
    "table": {"color_pn": True, "show_cell_bars": True, "include_search": False},
    **{viz: _TIMESERIES for viz in (
        "echarts_timeseries", "echarts_timeseries_line", "echarts_timeseries_bar",
        "echarts_timeseries_scatter", "echarts_timeseries_smooth", "echarts_timeseries_step",
        "echarts_area")},
}


def tidy(params: dict[str, Any], viz_type: str | None = None) -> dict[str, Any]:
    defaults = FRONTEND_DEFAULTS.get(viz_type or params.get("viz_type") or "", {})
    return _each_item({k: v for k, v in params.items()
                       if v is not None and not _is_default(v, defaults.get(k))},
                      _tidy_metric, _tidy_filter, _clean)


def _is_default(value: Any, default: Any) -> bool:
    """Equal and of one type (``True == 1`` in Python, not in the frontend)."""
    if default is None:
        return False
    numeric = (int, float)
    same_type = type(value) is type(default) or (
        isinstance(value, numeric) and isinstance(default, numeric)
        and not isinstance(value, bool) and not isinstance(default, bool))
    return same_type and value == default


def expand(params: dict[str, Any]) -> dict[str, Any]:
    return _each_item(dict(params), _expand_metric, _expand_filter, lambda v: v)


def _each_item(params: dict[str, Any], metric: Callable[[Any], Any],
               filter_: Callable[[Any], Any], column: Callable[[Any], Any]) -> dict[str, Any]:
    for keys, one in ((METRIC_KEYS, metric), (FILTER_KEYS, filter_), (COLUMN_KEYS, column)):
        for key in keys:
            if key in params:
                value = params[key]
                params[key] = [one(v) for v in value] if isinstance(value, list) else one(value)
    return params


def _clean(item: Any) -> Any:
    """An adhoc dict without bookkeeping and null fields (anything else as it is)."""
    if not isinstance(item, dict):
        return item
    return {k: v for k, v in item.items()
            if v is not None and k not in BOOKKEEPING
            and not (k in _FALSE_MEANS_ABSENT and v is False)}


def _default_label(aggregate: str, column: str) -> str:
    return f"{aggregate}({column})"  # Superset's getMetricLabel for a SIMPLE metric


def _tidy_metric(item: Any) -> Any:
    item = _clean(item)
    if not isinstance(item, dict) or item.get("expressionType") != "SIMPLE":
        return item
    column, aggregate = item.get("column"), item.get("aggregate")
    name = column.get("column_name") if isinstance(column, dict) else column
    if not isinstance(name, str) or not isinstance(aggregate, str):
        return item
    out = {"column": name, "aggregate": aggregate}
    rest = {k: v for k, v in item.items() if k not in ("expressionType", "column", "aggregate")}
    if rest.get("label") == _default_label(aggregate, name):
        del rest["label"]
    return {**out, **rest}


def _expand_metric(item: Any) -> Any:
    if not isinstance(item, dict) or "expressionType" in item or "aggregate" not in item:
        return item
    name = item.get("column")
    if not isinstance(name, str):
        return item
    rest = {k: v for k, v in item.items() if k not in ("column", "aggregate")}
    return {"expressionType": "SIMPLE", "column": {"column_name": name},
            "aggregate": item["aggregate"],
            "label": rest.pop("label", None) or _default_label(item["aggregate"], name), **rest}


def _tidy_filter(item: Any) -> Any:
    item = _clean(item)
    if not isinstance(item, dict) or item.get("expressionType") != "SIMPLE":
        return item
    out = {k: v for k, v in item.items() if k != "expressionType"}
    if out.get("clause", "WHERE") == "WHERE":
        out.pop("clause", None)
    return out


def _expand_filter(item: Any) -> Any:
    if not isinstance(item, dict) or "expressionType" in item or "subject" not in item:
        return item
    return {"expressionType": "SIMPLE", "clause": item.get("clause", "WHERE"),
            **{k: v for k, v in item.items() if k != "clause"}}
