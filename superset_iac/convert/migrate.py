"""Legacy chart types rewritten to their ECharts successors, as Superset does.

Superset 6.1 no longer renders the nvd3-era chart types; its import
(``migrate_chart``) and ``superset viz-migrations`` rewrite them with the
processors of ``superset/migrations/shared/migrate_viz/``. This module does
the same to a chart's form data, offline, so that ``convert
--migrate-legacy`` writes what a Superset that imported the bundle exports.
The behaviour follows those processors (written anew from reading them):

* keys are renamed (a target key already present gives way to the renamed
  one) or removed, in the form data's order;
* the old time column (``granularity_sqla``) becomes a ``TEMPORAL_RANGE``
  adhoc filter on it with the chart's ``time_range`` (``No filter`` when
  unset), and, for charts with an x-axis control, the x-axis itself, with
  ``time_grain_sqla`` defaulting to a day; ``time_range`` is dropped;
* each type then has its own rules (``_BEFORE``), run before the renames.

Form data whose own ``viz_type`` is not the legacy one gets the type's own
rules and the new type, but no renames (Superset does the same). A time column given as an adhoc
SQL expression with a time range is not migrated here: Superset rewrites the
range into SQL with dates computed at import time, which no offline tool
could reproduce; ``Unmigrated`` says so.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Callable

from superset_iac.errors import IacError

NO_FILTER = "No filter"  # Superset's DEFAULT_TIME_FILTER
DAY = "P1D"


class Unmigrated(IacError):
    """Form data this module cannot migrate the way Superset would."""


@dataclass(frozen=True)
class Rule:
    target: str
    renames: dict[str, str] = field(default_factory=dict)
    removes: frozenset[str] = frozenset()
    x_axis: bool = False  # the target has an x-axis control the time column moves to


_TIMESERIES_RENAMES = {
    "bottom_margin": "x_axis_title_margin", "left_margin": "y_axis_title_margin",
    "show_controls": "show_extra_controls", "x_axis_label": "x_axis_title",
    "x_axis_format": "x_axis_time_format", "x_axis_showminmax": "truncateXAxis",
    "x_ticks_layout": "xAxisLabelRotation", "y_axis_label": "y_axis_title",
    "y_axis_showminmax": "truncateYAxis", "y_log_scale": "logAxis",
}
_TIMESERIES_REMOVES = frozenset({"contribution", "line_interpolation", "reduce_x_ticks",
                                 "show_brush", "show_markers"})
_BAR_RENAMES = {**_TIMESERIES_RENAMES, "show_bar_value": "show_value"}

RULES: dict[str, Rule] = {
    "treemap": Rule("treemap_v2", {"order_desc": "sort_by_metric"}, frozenset({"metrics"})),
    "pivot_table": Rule("pivot_table_v2", {
        "columns": "groupbyColumns", "combine_metric": "combineMetric",
        "groupby": "groupbyRows", "number_format": "valueFormat",
        "pandas_aggfunc": "aggregateFunction", "row_limit": "series_limit",
        "timeseries_limit_metric": "series_limit_metric", "transpose_pivot": "transposePivot",
    }, frozenset({"pivot_margins"})),
    "dual_line": Rule("mixed_timeseries", {
        "x_axis_format": "x_axis_time_format", "y_axis_2_format": "y_axis_format_secondary",
        "y_axis_2_bounds": "y_axis_bounds_secondary",
    }, frozenset({"metric", "metric_2"}), x_axis=True),
    "sunburst": Rule("sunburst_v2", {"groupby": "columns"}),
    "line": Rule("echarts_timeseries_line", _TIMESERIES_RENAMES, _TIMESERIES_REMOVES,
                 x_axis=True),
    "area": Rule("echarts_area", _TIMESERIES_RENAMES,
                 _TIMESERIES_REMOVES | {"stacked_style"}, x_axis=True),
    "bar": Rule("echarts_timeseries_bar", _BAR_RENAMES, _TIMESERIES_REMOVES | {"bar_stacked"},
                x_axis=True),
    "dist_bar": Rule("echarts_timeseries_bar", _BAR_RENAMES,
                     _TIMESERIES_REMOVES | {"bar_stacked", "columns"}),
    "bubble": Rule("bubble_v2", {
        "bottom_margin": "x_axis_title_margin", "left_margin": "y_axis_title_margin",
        "limit": "row_limit", "x_axis_format": "xAxisFormat", "x_log_scale": "logXAxis",
        "x_ticks_layout": "xAxisLabelRotation", "y_axis_showminmax": "truncateYAxis",
        "y_log_scale": "logYAxis",
    }, frozenset({"x_axis_showminmax"})),
    "heatmap": Rule("heatmap_v2", {
        "all_columns_x": "x_axis", "all_columns_y": "groupby", "y_axis_bounds": "value_bounds",
        "show_perc": "show_percentage",
    }, frozenset({"sort_by_metric", "canvas_image_rendering"})),
    "histogram": Rule("histogram_v2", {
        "x_axis_label": "x_axis_title", "y_axis_label": "y_axis_title",
        "normalized": "normalize",
    }, frozenset({"all_columns_x", "link_length", "queryFields"})),
    "sankey": Rule("sankey_v2", removes=frozenset({"groupby"})),
}


def migrate(viz_type: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The successor type and form data of a legacy chart (others unchanged)."""
    rule = RULES.get(viz_type)
    if rule is None:
        return viz_type, params
    data = copy.deepcopy(params)
    target = _BEFORE.get(viz_type, _nothing)(data) or rule.target
    if data.get("viz_type") == viz_type:
        data = _renamed(data, rule)
        _time_filter(data, rule.x_axis)
        if viz_type == "dual_line":  # the second query filters like the first
            data["adhoc_filters_b"] = data.get("adhoc_filters") or []
    data["viz_type"] = target
    return target, data


def _renamed(data: dict[str, Any], rule: Rule) -> dict[str, Any]:
    for source, target in rule.renames.items():
        if source in data and target in data:
            del data[target]
    return {rule.renames.get(k, k): v for k, v in data.items() if k not in rule.removes}


def _time_filter(data: dict[str, Any], x_axis: bool) -> None:
    column = data.pop("granularity_sqla", None)
    time_range = data.pop("time_range", None) or NO_FILTER
    if not column:
        return
    if isinstance(column, dict):
        if time_range != NO_FILTER:
            raise Unmigrated(f"its time column is an SQL expression with the time range "
                             f"'{time_range}', which Superset rewrites into dates of the day "
                             "it imports the chart")
        data["adhoc_filters"] = data.get("adhoc_filters") or []
        return
    if x_axis:
        data["x_axis"] = column
        data["time_grain_sqla"] = data.get("time_grain_sqla") or DAY
    data["adhoc_filters"] = [*(data.get("adhoc_filters") or []), {
        "clause": "WHERE", "subject": column, "operator": "TEMPORAL_RANGE",
        "comparator": time_range, "expressionType": "SIMPLE"}]


# -- what each type does before the renames (a new target, when it picks one) ---------


def _nothing(data: dict[str, Any]) -> str | None:
    return None


def _treemap(data: dict[str, Any]) -> None:
    metrics = data.get("metrics")
    if isinstance(metrics, list) and metrics:
        data["metric"] = metrics[0]


_AGGREGATES = {"sum": "Sum", "mean": "Average", "median": "Median", "min": "Minimum",
               "max": "Maximum", "std": "Sample Standard Deviation",
               "var": "Sample Variance"}


def _pivot_table(data: dict[str, Any]) -> None:
    if margins := data.get("pivot_margins"):
        data["colTotals"] = data["colSubTotals"] = margins
    if aggregate := data.get("pandas_aggfunc"):
        if aggregate not in _AGGREGATES:
            raise Unmigrated(f"pandas_aggfunc '{aggregate}' has no pivot_table_v2 aggregate")
        data["pandas_aggfunc"] = _AGGREGATES[aggregate]
    data["rowOrder"] = "value_z_to_a"


def _dual_line(data: dict[str, Any]) -> None:
    data.update({"yAxisIndex": 0, "yAxisIndexB": 1, "adhoc_filters_b": data.get("adhoc_filters"),
                 "truncateYAxis": True, "metrics": [data.get("metric")],
                 "metrics_b": [data.get("metric_2")]})


def _margins(data: dict[str, Any], *, left: bool) -> None:
    """An axis label needs room: an unset or ``auto`` margin becomes 30 pixels."""
    sides = (("x_axis_label", "bottom_margin"), ("y_axis_label", "left_margin"))
    for label, margin in sides if left else sides[:1]:
        if data.get(label) and data.get(margin) in (None, "", 0, "auto"):
            data[margin] = 30


def _tick_layout(data: dict[str, Any]) -> None:
    if layout := data.get("x_ticks_layout"):
        data["x_ticks_layout"] = 45 if layout == "45°" else 0


def _timeseries(data: dict[str, Any]) -> None:
    data["contributionMode"] = "row" if data.get("contribution") else None
    data["zoomable"] = data.get("show_brush") == "yes"
    data["markerEnabled"] = data.get("show_markers") or False
    data["y_axis_showminmax"] = True
    _margins(data, left=True)
    if (compare := data.get("time_compare")) is not None:
        values = compare if isinstance(compare, list) else [compare]
        data["time_compare"] = [v if v.endswith(" ago") else f"{v} ago"
                                for v in (str(x).strip() for x in values) if v]
    kind = data.get("comparison_type") or "values"
    data["comparison_type"] = "difference" if kind == "absolute" else kind
    _tick_layout(data)


def _line(data: dict[str, Any]) -> str | None:
    _timeseries(data)
    interpolation = data.get("line_interpolation")
    if interpolation == "cardinal":
        return "echarts_timeseries_smooth"
    if interpolation in ("step-before", "step-after"):
        data["seriesType"] = "start" if interpolation == "step-before" else "end"
        return "echarts_timeseries_step"
    return None


def _area(data: dict[str, Any]) -> None:
    _timeseries(data)
    styles = {"expand": "Expand", "stack": "Stack", "stream": "Stream"}
    data["stack"] = styles.get(data.get("stacked_style") or "stack")
    data["opacity"] = 0.7


def _bar(data: dict[str, Any]) -> None:
    _timeseries(data)
    data["stack"] = "Stack" if data.get("bar_stacked") else None


def _dist_bar(data: dict[str, Any]) -> None:
    _timeseries(data)
    groupby, columns = data.get("groupby") or [], data.get("columns") or []
    if groupby:
        data["x_axis"] = groupby[0]  # one x-axis; the rest become dimensions
    data["groupby"] = [*groupby[1:], *columns]
    data["stack"] = "Stack" if data.get("bar_stacked") else None
    data["x_ticks_layout"] = 45


def _bubble(data: dict[str, Any]) -> None:
    _margins(data, left=False)
    _tick_layout(data)
    data["y_axis_showminmax"] = True


def _heatmap(data: dict[str, Any]) -> None:
    data["legend_type"] = "continuous"


def _histogram(data: dict[str, Any]) -> None:
    if columns := data.get("all_columns_x"):
        data["column"] = columns[0]
    length = data.get("link_length")
    data["bins"] = int(length) if length else 5
    if not data.get("groupby"):
        data["groupby"] = []


def _sankey(data: dict[str, Any]) -> None:
    groupby = data.get("groupby")
    if groupby and len(groupby) > 1:
        data["source"], data["target"] = groupby[0], groupby[1]


_BEFORE: dict[str, Callable[[dict[str, Any]], str | None]] = {
    "treemap": _treemap, "pivot_table": _pivot_table, "dual_line": _dual_line,
    "line": _line, "area": _area, "bar": _bar, "dist_bar": _dist_bar,
    "bubble": _bubble, "heatmap": _heatmap, "histogram": _histogram,
    "sankey": _sankey,
}
