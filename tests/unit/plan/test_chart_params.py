"""Chart form data: UI bookkeeping left out, adhoc items in their shortest form,
one normal form for equality and export, and Superset's form for writing."""

from __future__ import annotations

from superset_iac.model import Chart
from superset_iac.model.chart_params import expand, tidy

# As the 6.1 explore UI saves them (from the Sales Dashboard example).
UI_METRIC = {
    "aggregate": "SUM", "expressionType": "SIMPLE", "hasCustomLabel": False, "isNew": False,
    "label": "SUM(quantity_ordered)", "optionName": "metric_twq59hf4ej_g70qjfmehsq",
    "sqlExpression": None,
    "column": {"column_name": "quantity_ordered", "description": None, "expression": None,
               "filterable": True, "groupby": True, "id": 914, "is_dttm": False,
               "python_date_format": None, "type": "BIGINT", "verbose_name": None},
}
UI_FILTER = {"clause": "WHERE", "comparator": "No filter", "expressionType": "SIMPLE",
             "filterOptionName": "filter_8ly1bm8b9sg_fk0rr0dyg5f", "isExtra": False,
             "isNew": False, "operator": "TEMPORAL_RANGE", "operatorId": "TEMPORAL_RANGE",
             "sqlExpression": None, "subject": "order_date"}


def test_ui_bookkeeping_and_nulls_are_left_out_and_adhoc_items_shortened() -> None:
    params = {"metric": UI_METRIC, "adhoc_filters": [UI_FILTER], "color_scheme": None,
              "groupby": [{"expressionType": "SQL", "sqlExpression": "UPPER(x)", "label": "X",
                           "optionName": "o1", "hasCustomLabel": True}]}
    assert tidy(params) == {
        "metric": {"column": "quantity_ordered", "aggregate": "SUM"},
        "adhoc_filters": [{"subject": "order_date", "operator": "TEMPORAL_RANGE",
                           "comparator": "No filter"}],
        "groupby": [{"expressionType": "SQL", "sqlExpression": "UPPER(x)", "label": "X",
                     "hasCustomLabel": True}]}


def test_what_carries_meaning_is_kept() -> None:
    custom = {**UI_METRIC, "label": "SUM(Sales)"}  # the query's column name
    having = {**UI_FILTER, "clause": "HAVING", "isExtra": True}
    out = tidy({"metrics": [custom], "adhoc_filters": [having]})
    assert out["metrics"] == [{"column": "quantity_ordered", "aggregate": "SUM",
                               "label": "SUM(Sales)"}]
    assert out["adhoc_filters"][0]["clause"] == "HAVING"
    assert out["adhoc_filters"][0]["isExtra"] is True


def test_expand_gives_superset_form_that_tidies_back_to_the_same() -> None:
    short = tidy({"metrics": [UI_METRIC, {**UI_METRIC, "label": "Qty"}, "count"],
                  "adhoc_filters": [UI_FILTER]})
    full = expand(short)
    assert full["metrics"][0] == {"expressionType": "SIMPLE",
                                  "column": {"column_name": "quantity_ordered"},
                                  "aggregate": "SUM", "label": "SUM(quantity_ordered)"}
    assert full["metrics"][1]["label"] == "Qty" and full["metrics"][2] == "count"
    assert full["adhoc_filters"][0]["expressionType"] == "SIMPLE"
    assert full["adhoc_filters"][0]["clause"] == "WHERE"
    assert tidy(full) == short
    assert tidy(short) == short


def test_a_chart_saved_by_the_ui_equals_its_short_form() -> None:
    def chart(params: dict) -> Chart:
        return Chart.model_validate({"name": "c", "dataset": "d", "viz_type": "big_number_total",
                                     "params": params})
    ui = chart({"metric": UI_METRIC, "adhoc_filters": [UI_FILTER], "y_axis_format": None})
    short = chart({"metric": {"column": "quantity_ordered", "aggregate": "SUM"},
                   "adhoc_filters": [{"subject": "order_date", "operator": "TEMPORAL_RANGE",
                                      "comparator": "No filter"}]})
    assert ui.compared() == short.compared()


# -- display options at the frontend's default --------------------------------------


def test_a_display_option_at_its_frontend_default_is_left_out() -> None:
    params = {"viz_type": "pie", "metric": "count", "groupby": ["a"], "donut": False,
              "innerRadius": 30, "outerRadius": 70, "label_type": "key", "show_legend": True,
              "legendOrientation": "top", "show_labels_threshold": 5, "sort_by_metric": True}
    # sort_by_metric changes the query when absent: it stays, as does a non-default.
    assert tidy(params) == {"viz_type": "pie", "metric": "count", "groupby": ["a"],
                            "sort_by_metric": True}
    assert tidy({**params, "donut": True, "outerRadius": 80}, "pie")["outerRadius"] == 80


def test_the_chart_type_given_wins_over_the_form_datas_own() -> None:
    params = {"viz_type": "table", "rich_tooltip": True, "zoomable": False}
    assert tidy(params, "echarts_timeseries_bar") == {"viz_type": "table"}
    assert tidy(params) == params  # no defaults are known for table


def test_a_default_of_another_type_is_not_the_default() -> None:
    # True == 1 and 6.0 == 6 in Python; the frontend tells a boolean from a number.
    assert tidy({"markerSize": True, "show_value": 0}, "echarts_timeseries_line") == \
        {"markerSize": True, "show_value": 0}
    assert tidy({"markerSize": 6.0}, "echarts_timeseries_line") == {}


def test_expand_of_a_tidy_form_with_defaults_left_out_reads_back_equal() -> None:
    params = {"viz_type": "echarts_timeseries_line", "metrics": ["m"], "show_legend": True,
              "rich_tooltip": True, "markerEnabled": True}
    tidied = tidy(params)
    assert tidied == {"viz_type": "echarts_timeseries_line", "metrics": ["m"],
                      "markerEnabled": True}
    assert tidy(expand(tidied)) == tidied


def test_a_table_keeps_align_pn_whose_control_and_drawing_disagree() -> None:
    # Explore shows align_pn off when absent; the table draws it on: not a default.
    params = {"align_pn": False, "color_pn": True, "show_cell_bars": True,
              "include_search": False}
    assert tidy(params, "table") == {"align_pn": False}
