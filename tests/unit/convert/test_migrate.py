"""Legacy chart types -> their ECharts successors, as Superset's import rewrites them.

Each case is a legacy chart's form data and what Superset 6.1's processors
(``superset/migrations/shared/migrate_viz/processors.py``) make of it.
"""

from __future__ import annotations

import pytest

from superset_iac.convert.migrate import RULES, Unmigrated, migrate

TIME_FILTER = {"clause": "WHERE", "subject": "ds", "operator": "TEMPORAL_RANGE",
               "comparator": "Last week", "expressionType": "SIMPLE"}


def test_every_type_superset_migrates_has_a_rule() -> None:
    assert {k: r.target for k, r in RULES.items()} == {
        "treemap": "treemap_v2", "pivot_table": "pivot_table_v2",
        "dual_line": "mixed_timeseries", "sunburst": "sunburst_v2",
        "line": "echarts_timeseries_line", "area": "echarts_area",
        "bar": "echarts_timeseries_bar", "dist_bar": "echarts_timeseries_bar",
        "bubble": "bubble_v2", "heatmap": "heatmap_v2", "histogram": "histogram_v2",
        "sankey": "sankey_v2"}


def test_a_type_that_is_not_legacy_is_left_alone() -> None:
    params = {"viz_type": "table", "groupby": ["a"]}
    assert migrate("table", params) == ("table", params)


def test_treemap_keeps_its_first_metric_and_sorts_by_it() -> None:
    assert migrate("treemap", {"viz_type": "treemap", "metrics": ["count", "sum"],
                               "order_desc": True, "groupby": ["g"]}) == \
        ("treemap_v2", {"viz_type": "treemap_v2", "sort_by_metric": True, "groupby": ["g"],
                        "metric": "count"})


def test_pivot_table_renames_its_controls_and_maps_the_aggregate() -> None:
    target, params = migrate("pivot_table", {
        "viz_type": "pivot_table", "groupby": ["r"], "columns": ["c"], "metrics": ["m"],
        "pandas_aggfunc": "mean", "pivot_margins": True, "row_limit": 10,
        "number_format": ".2f", "transpose_pivot": True, "combine_metric": False})
    assert target == "pivot_table_v2"
    assert params == {"viz_type": "pivot_table_v2", "groupbyRows": ["r"],
                      "groupbyColumns": ["c"], "metrics": ["m"],
                      "aggregateFunction": "Average", "series_limit": 10, "valueFormat": ".2f",
                      "transposePivot": True, "combineMetric": False, "colTotals": True,
                      "colSubTotals": True, "rowOrder": "value_z_to_a"}


def test_dual_line_becomes_two_queries_filtered_alike() -> None:
    _, params = migrate("dual_line", {
        "viz_type": "dual_line", "metric": "a", "metric_2": "b", "granularity_sqla": "ds",
        "time_range": "Last week", "x_axis_format": "smart_date", "y_axis_2_format": ",d"})
    assert params["metrics"] == ["a"] and params["metrics_b"] == ["b"]
    assert "metric" not in params and "metric_2" not in params
    assert params["x_axis"] == "ds" and params["time_grain_sqla"] == "P1D"
    assert params["adhoc_filters"] == params["adhoc_filters_b"] == [TIME_FILTER]
    assert params["x_axis_time_format"] == "smart_date"
    assert params["y_axis_format_secondary"] == ",d"
    assert (params["yAxisIndex"], params["yAxisIndexB"], params["truncateYAxis"]) == (0, 1, True)


def test_sunburst_groupby_becomes_columns() -> None:
    assert migrate("sunburst", {"viz_type": "sunburst", "groupby": ["a", "b"], "metric": "m"}) \
        == ("sunburst_v2", {"viz_type": "sunburst_v2", "columns": ["a", "b"], "metric": "m"})


def test_line_moves_its_time_column_to_the_x_axis_and_a_temporal_filter() -> None:
    target, params = migrate("line", {
        "viz_type": "line", "granularity_sqla": "ds", "time_range": "Last week",
        "metrics": ["m"], "show_brush": "yes", "x_axis_label": "Day", "y_log_scale": True,
        "time_compare": ["1 week"], "comparison_type": "absolute", "x_ticks_layout": "45°",
        "adhoc_filters": [{"clause": "WHERE", "subject": "a", "operator": "==",
                           "comparator": "x", "expressionType": "SIMPLE"}]})
    assert target == "echarts_timeseries_line"
    assert params["x_axis"] == "ds" and params["time_grain_sqla"] == "P1D"
    assert params["adhoc_filters"][-1] == TIME_FILTER and len(params["adhoc_filters"]) == 2
    assert "granularity_sqla" not in params and "time_range" not in params
    assert params["zoomable"] is True and "show_brush" not in params
    assert params["x_axis_title"] == "Day" and params["x_axis_title_margin"] == 30
    assert params["logAxis"] is True and params["truncateYAxis"] is True
    assert params["time_compare"] == ["1 week ago"] and params["comparison_type"] == "difference"
    assert params["xAxisLabelRotation"] == 45


@pytest.mark.parametrize(("interpolation", "target", "series"), [
    ("cardinal", "echarts_timeseries_smooth", None),
    ("step-before", "echarts_timeseries_step", "start"),
    ("step-after", "echarts_timeseries_step", "end"),
    ("linear", "echarts_timeseries_line", None)])
def test_line_interpolation_picks_the_successor(interpolation: str, target: str,
                                                series: str | None) -> None:
    got, params = migrate("line", {"viz_type": "line", "line_interpolation": interpolation})
    assert got == target and params["viz_type"] == target
    assert params.get("seriesType") == series and "line_interpolation" not in params


def test_area_stacks_as_its_style_said() -> None:
    _, params = migrate("area", {"viz_type": "area", "stacked_style": "expand"})
    assert params["stack"] == "Expand" and params["opacity"] == 0.7
    assert "stacked_style" not in params
    assert migrate("area", {"viz_type": "area"})[1]["stack"] == "Stack"


def test_bar_stacks_and_shows_values_under_the_new_names() -> None:
    _, params = migrate("bar", {"viz_type": "bar", "bar_stacked": True, "show_bar_value": True})
    assert params["stack"] == "Stack" and params["show_value"] is True
    assert "bar_stacked" not in params and "show_bar_value" not in params


def test_dist_bar_puts_its_first_group_on_the_x_axis() -> None:
    target, params = migrate("dist_bar", {"viz_type": "dist_bar", "groupby": ["a", "b"],
                                          "columns": ["c"], "metrics": ["m"],
                                          "granularity_sqla": "ds"})
    assert target == "echarts_timeseries_bar"
    assert params["x_axis"] == "a" and params["groupby"] == ["b", "c"]
    assert "columns" not in params and params["stack"] is None
    assert params["xAxisLabelRotation"] == 45
    # No x-axis control of its own: the time column only filters (No filter by default).
    assert params["adhoc_filters"] == [{**TIME_FILTER, "comparator": "No filter"}]


def test_bubble_renames_its_axes() -> None:
    _, params = migrate("bubble", {"viz_type": "bubble", "limit": 10, "x_log_scale": True,
                                   "x_axis_showminmax": True, "x_axis_format": ".3s"})
    assert params == {"viz_type": "bubble_v2", "row_limit": 10, "logXAxis": True,
                      "xAxisFormat": ".3s", "truncateYAxis": True}


def test_heatmap_takes_its_axes_from_the_column_controls() -> None:
    _, params = migrate("heatmap", {"viz_type": "heatmap", "all_columns_x": "x",
                                    "all_columns_y": "y", "show_perc": True,
                                    "sort_by_metric": True, "y_axis_bounds": [0, 1]})
    assert params == {"viz_type": "heatmap_v2", "x_axis": "x", "groupby": "y",
                      "show_percentage": True, "value_bounds": [0, 1],
                      "legend_type": "continuous"}


def test_histogram_takes_one_column_and_its_bins() -> None:
    _, params = migrate("histogram", {"viz_type": "histogram", "all_columns_x": ["v", "w"],
                                      "link_length": "10", "normalized": True})
    assert params == {"viz_type": "histogram_v2", "normalize": True, "column": "v",
                      "bins": 10, "groupby": []}


def test_sankey_names_its_source_and_target() -> None:
    _, params = migrate("sankey", {"viz_type": "sankey", "groupby": ["s", "t"], "metric": "m"})
    assert params == {"viz_type": "sankey_v2", "metric": "m", "source": "s", "target": "t"}


def test_a_renamed_key_replaces_one_already_there() -> None:
    _, params = migrate("sunburst", {"viz_type": "sunburst", "groupby": ["a"],
                                     "columns": ["stale"]})
    assert params["columns"] == ["a"]


def test_form_data_of_another_type_gets_the_new_type_only() -> None:
    _, params = migrate("sunburst", {"viz_type": "pie", "groupby": ["a"]})
    assert params == {"viz_type": "sunburst_v2", "groupby": ["a"]}


def test_an_sql_time_column_with_a_range_is_not_migrated_offline() -> None:
    with pytest.raises(Unmigrated, match="SQL expression"):
        migrate("line", {"viz_type": "line", "time_range": "Last week",
                         "granularity_sqla": {"label": "d", "sqlExpression": "d"}})


def test_the_input_is_not_changed() -> None:
    params = {"viz_type": "dist_bar", "groupby": ["a"]}
    migrate("dist_bar", params)
    assert params == {"viz_type": "dist_bar", "groupby": ["a"]}
