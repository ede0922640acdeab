"""The did-you-mean for chart types and the params check of everyday chart types."""

from __future__ import annotations

from superset_iac.validate import chart_fields, viztypes


def test_the_nearest_real_chart_type_is_proposed() -> None:
    assert viztypes.nearest("pie_chart") == "pie"
    assert viztypes.nearest("table_chart") == "table"
    assert viztypes.nearest("bar_chart") == "echarts_timeseries_bar"
    assert viztypes.nearest("echarts_line") == "echarts_timeseries_line"
    assert viztypes.nearest("tabel") == "table"
    assert viztypes.nearest("big_number_totl") == "big_number_total"
    assert viztypes.nearest("zzzz") is None


def test_a_params_key_no_control_reads_is_reported_for_checked_types_only() -> None:
    params = {"time_grain": "P1D", "time_grain_sqla": "P1D", "since": "x",
              "superset_iac_key": "k", "metrics": ["m"]}
    assert chart_fields.unknown_params("echarts_timeseries_line", params) == ["time_grain"]
    assert chart_fields.unknown_params("deck_arc", params) == []


def test_the_second_query_of_a_mixed_chart_is_known() -> None:
    params = {"metrics_b": [], "seriesTypeB": "line", "groupby_c": []}
    assert chart_fields.unknown_params("mixed_timeseries", params) == ["groupby_c"]
    assert chart_fields.unknown_params("table", {"metrics_b": []}) == ["metrics_b"]


def test_keys_the_61_ui_writes_in_public_bundles_are_known() -> None:
    # Found in the corpus (tests/fixtures/bundles/adsb_live, gotwitch): 6.1's
    # matrix controls, generated per axis, font sizes and the explore UI's own keys.
    params = {"matrixify_mode_rows": "metrics", "matrixify_topn_value_columns": 10,
              "matrixify_show_row_labels": True, "metric_name_font_size": 0.15,
              "subtitle_font_size": 0.15, "group_others_when_limit_reached": False,
              "echart_options": None, "applied_time_extras": {}, "standardizedFormData": {}}
    assert chart_fields.unknown_params("big_number_total", params) == []
    assert chart_fields.unknown_params("table", {"matrixify_mode_cols": 1}) == \
        ["matrixify_mode_cols"]
