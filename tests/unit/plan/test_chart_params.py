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
