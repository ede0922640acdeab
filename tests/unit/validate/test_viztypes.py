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
