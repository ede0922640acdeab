"""The time filter a dashboard's time range needs on a chart: added on write,
read back as ``time_filter``, so neither the tree nor an export spells it."""

from __future__ import annotations

import json

import pytest

from superset_iac.kinds import query_context as qc
from superset_iac.kinds.chart import ChartHandler
from superset_iac.model.chart import (Chart, default_time_column, split_time_filter, time_filter,
                                      time_subject, with_time_filter)
from superset_iac.model.dataset import Dataset
from superset_iac.plan.diff import compare
from superset_iac.plan.model import LiveObject
from tests.unit.kinds.conftest import API, body
from tests.unit.kinds.test_chart import PARAMS, row, spec

# What explore stores for the filter it adds (6.1): the same filter, plus its editing state.
SAVED_IN_UI = {**time_filter("timestamp"), "filterOptionName": "filter_8ly3ebt4d_5w8h",
               "isExtra": False, "isNew": False, "datasourceWarning": False, "sqlExpression": None}


def dataset(name: str = "option_ticks", **fields) -> Dataset:
    return Dataset.model_validate({"name": name, "database": "lakehouse", "schema": "ticks",
                                   "sql": "SELECT 1 AS x", **fields})


@pytest.fixture
def ids() -> dict:
    return {"dataset": {"option_ticks": 4, "volume_stats": 5}}


def desire(ctx, *datasets: Dataset, charts: tuple[Chart, ...] = ()) -> None:
    ctx.desired = {"dataset": {d.name: d for d in datasets}, "chart": {c.key: c for c in charts}}


def sent_params(call) -> dict:
    return json.loads(body(call)["params"])


# -- the model's helpers -------------------------------------------------------------

def test_the_default_time_column_is_main_dttm_col_else_the_first_is_dttm_column() -> None:
    assert default_time_column(dataset(main_dttm_col="ts", columns=[{"name": "d", "is_dttm": True}])) == "ts"
    assert default_time_column(dataset(columns=[{"name": "a"}, {"name": "d", "is_dttm": True}])) == "d"
    assert default_time_column(dataset(columns=[{"name": "a"}])) is None


def test_adding_then_splitting_gives_the_params_back() -> None:
    added = with_time_filter(PARAMS, "timestamp")
    assert added["adhoc_filters"] == [time_filter("timestamp")]
    assert split_time_filter(added, "timestamp") == (PARAMS, True)
    assert with_time_filter(added, "timestamp") == added  # one is enough


def test_explore_editing_state_does_not_make_it_another_filter() -> None:
    stored = {**PARAMS, "adhoc_filters": [SAVED_IN_UI]}
    assert split_time_filter(stored, "timestamp") == (PARAMS, True)


def test_a_temporal_filter_of_its_own_stays_in_the_params() -> None:
    for own in ({**time_filter("timestamp"), "comparator": "Last week"}, time_filter("expiry")):
        stored = {**PARAMS, "adhoc_filters": [own]}
        assert split_time_filter(stored, "timestamp") == (stored, True)


def test_no_temporal_filter_reads_as_false_and_means_nothing_without_a_time_column() -> None:
    assert split_time_filter(PARAMS, "timestamp") == (PARAMS, False)
    assert split_time_filter(PARAMS, None) == (PARAMS, None)


def test_granularity_sqla_chooses_the_column() -> None:
    params = {**PARAMS, "granularity_sqla": "expiry"}
    assert time_subject(params, "timestamp") == "expiry" and time_subject(PARAMS, "timestamp") == "timestamp"


# -- the handler -----------------------------------------------------------------------

def test_create_adds_the_filter_on_the_datasets_time_column(rsps, csrf, ctx) -> None:
    desire(ctx, dataset(main_dttm_col="timestamp"))
    rsps.add("POST", f"{API}/chart/", json={"id": 21, "result": {}})
    rsps.add("PUT", f"{API}/chart/21", json={"id": 21, "result": {}})
    ChartHandler().create(ctx, spec())
    sent = body(rsps.calls[1])
    assert json.loads(sent["params"])["adhoc_filters"] == [time_filter("timestamp")]
    (query,) = json.loads(sent["query_context"])["queries"]
    assert query["filters"] == [{"col": "timestamp", "op": "TEMPORAL_RANGE", "val": "No filter"}]


def test_a_chart_saved_in_the_ui_reads_back_as_the_tree_wrote_it(rsps, ctx) -> None:
    desire(ctx, dataset(main_dttm_col="timestamp"))
    rsps.add("GET", f"{API}/chart/", json={"count": 1, "result": [
        row(3, params={**PARAMS, "adhoc_filters": [SAVED_IN_UI]})]})
    live = ChartHandler().read(ctx)["Price"]
    assert live.spec.params == PARAMS and live.spec.time_filter
    assert compare(spec(), live) is None


def test_a_chart_without_the_filter_is_updated_once_to_carry_it(rsps, csrf, ctx) -> None:
    desire(ctx, dataset(main_dttm_col="timestamp"))
    rsps.add("GET", f"{API}/chart/", json={"count": 1, "result": [row(3)]})
    rsps.add("PUT", f"{API}/chart/3", json={"id": 3, "result": {}})
    change = compare(spec(), ChartHandler().read(ctx)["Price"])
    assert [(f.path, f.before, f.after) for f in change.fields] == [("time_filter", False, True)]
    ChartHandler().update(ctx, change)
    assert sent_params(rsps.calls[2])["adhoc_filters"] == [time_filter("timestamp")]


def test_time_filter_false_writes_none_and_reads_back_false(rsps, csrf, ctx) -> None:
    desire(ctx, dataset(main_dttm_col="timestamp"))
    rsps.add("PUT", f"{API}/chart/3", json={"id": 3, "result": {}})
    off = spec(time_filter=False)
    ChartHandler().update(ctx, compare(off, LiveObject(spec(), 3, True)))
    assert sent_params(rsps.calls[1]).get("adhoc_filters", []) == []  # none: no key
    rsps.add("GET", f"{API}/chart/", json={"count": 1, "result": [row(3)]})
    assert compare(off, ChartHandler().read(ctx)["Price"]) is None


def test_without_a_time_column_nothing_is_added_and_the_flag_is_the_trees(rsps, csrf, ctx) -> None:
    off = spec(dataset="volume_stats", time_filter=False)
    desire(ctx, dataset("volume_stats"), charts=(off,))
    rsps.add("PUT", f"{API}/chart/3", json={"id": 3, "result": {}})
    ChartHandler().update(ctx, compare(spec(dataset="volume_stats"), LiveObject(off, 3, True)))
    assert sent_params(rsps.calls[1]).get("adhoc_filters", []) == []  # none: no key
    rsps.add("GET", f"{API}/chart/", json={"count": 1, "result": [row(3, datasource_id=5)]})
    assert compare(off, ChartHandler().read(ctx)["Price"]) is None


def test_export_reads_the_time_column_of_the_dataset_read_before(rsps, ctx) -> None:
    """No tree (export): the dataset handler's read, in ``ctx.live``, tells the column."""
    ctx.live["dataset"] = {"option_ticks": LiveObject(dataset(main_dttm_col="timestamp"), 4, True)}
    rsps.add("GET", f"{API}/chart/", json={"count": 1, "result": [
        row(3, params={**PARAMS, "adhoc_filters": [SAVED_IN_UI]})]})
    assert ChartHandler().read(ctx)["Price"].spec.params == PARAMS


def test_time_filter_false_and_a_temporal_filter_of_its_own_contradict() -> None:
    with pytest.raises(ValueError, match="time_filter: false"):
        spec(time_filter=False, params={**PARAMS, "adhoc_filters": [time_filter("timestamp")]})


# -- a dashboard's filter values, merged as the dashboard merges them --------------------

def test_extra_form_data_narrows_the_query_as_a_dashboard_filter_would() -> None:
    fd = {**with_time_filter(PARAMS, "timestamp"), "extra_form_data": {
        "time_range": "2025-06-02 : 2025-06-04",
        "filters": [{"col": "symbol", "op": "IN", "val": ["AAPL"]}]}}
    context = qc.build_query_context(fd, "echarts_timeseries_line", 4)
    (query,) = context["queries"]
    assert query["filters"] == [
        {"col": "timestamp", "op": "TEMPORAL_RANGE", "val": "2025-06-02 : 2025-06-04"},
        {"col": "symbol", "op": "IN", "val": ["AAPL"]}]
    assert query["time_range"] == "2025-06-02 : 2025-06-04"
    assert context["form_data"]["adhoc_filters"] == [time_filter("timestamp")]  # stored as it was


def test_a_time_column_only_the_server_knows_counts(rsps, csrf, ctx) -> None:
    """Superset marks DATE/TIMESTAMP columns is_dttm itself: a tree need not declare them."""
    desire(ctx, dataset())
    ctx.live["dataset"] = {"option_ticks": LiveObject(
        dataset(columns=[{"name": "timestamp", "is_dttm": True}]), 4, True)}
    rsps.add("PUT", f"{API}/chart/3", json={"id": 3, "result": {}})
    ChartHandler().update(ctx, compare(spec(), LiveObject(spec(time_filter=False), 3, True)))
    assert sent_params(rsps.calls[1])["adhoc_filters"] == [time_filter("timestamp")]
