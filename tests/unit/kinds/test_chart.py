"""Charts: canonical params, keys of list rows, the handler's requests, query contexts."""

from __future__ import annotations

import json
from urllib.parse import unquote

import pytest

from superset_iac.kinds import query_context as qc
from superset_iac.kinds.chart import ChartHandler, chart_keys
from superset_iac.kinds.rest import managed_uuid
from superset_iac.model.chart import KEY_PARAM, Chart
from superset_iac.plan.diff import compare
from superset_iac.plan.model import LiveObject
from tests.unit.kinds.conftest import API, body, paths

PARAMS = {"x_axis": "timestamp", "time_grain_sqla": "PT1H", "metrics": ["avg_price"],
          "groupby": ["symbol"], "adhoc_filters": [], "time_range": "No filter", "row_limit": 10000}


def spec(**fields) -> Chart:
    values = {"name": "Price", "dataset": "option_ticks", "viz_type": "echarts_timeseries_line",
              "params": PARAMS, "description": "Hourly price"}
    values.update(fields)
    return Chart.model_validate(values)


def row(id_=3, name="Price", key="Price", params=None, uuid_=None, **fields) -> dict:
    """A chart list row as Superset 6.1 returns it for ChartHandler.columns."""
    stored = {**(params if params is not None else PARAMS)}
    if key is not None:
        stored[KEY_PARAM] = key
    out = {"id": id_, "uuid": uuid_ or managed_uuid("chart", key or name), "slice_name": name,
           "viz_type": "echarts_timeseries_line", "params": json.dumps(stored), "datasource_id": 4,
           "datasource_type": "table", "table": {"table_name": "option_ticks"},
           "description": "Hourly price", "cache_timeout": None, "certified_by": None,
           "certification_details": None, "owners": [], "is_managed_externally": key is not None}
    out.update(fields)
    return out


@pytest.fixture
def ids() -> dict:
    return {"dataset": {"option_ticks": 4}}


# -- canonical params ---------------------------------------------------------------

def test_what_the_explore_ui_adds_on_save_is_not_a_change() -> None:
    saved_in_ui = {**PARAMS, "datasource": "4__table", "viz_type": "echarts_timeseries_line",
                   "slice_id": 3, "url_params": {}, "dashboards": [1], "extra_form_data": {},
                   KEY_PARAM: "Price"}
    assert spec(params=saved_in_ui).compared() == spec().compared()


def test_non_empty_url_params_are_kept() -> None:
    assert spec(params={**PARAMS, "url_params": {"region": "eu"}}).compared() != spec().compared()


def test_blank_strings_owner_order_and_key_are_not_compared() -> None:
    plain = spec(owners=["b", "a"], certified_by=None)
    other = spec(owners=["a", "b"], certified_by="", key="Price")
    assert plain.compared() == other.compared()


# -- keys of list rows ---------------------------------------------------------------

def test_managed_rows_are_keyed_by_their_marker() -> None:
    rows = [row(1, "Renamed in the UI", key="Price", uuid_=managed_uuid("chart", "Price"))]
    assert chart_keys(rows, []) == ["Price"]


def test_a_copy_saved_in_the_ui_is_not_mistaken_for_the_original() -> None:
    original = row(1, key="Price")
    copy = row(2, key="Price", uuid_="00000000-0000-4000-8000-000000000002", is_managed_externally=False)
    assert chart_keys([original, copy], []) == ["Price", "Price [00000000]"]


def test_marker_lost_and_renamed_is_found_through_the_tree() -> None:
    lost = row(1, "New name", key=None, uuid_=managed_uuid("chart", "Price"))
    assert chart_keys([lost], []) == ["New name"]
    assert chart_keys([lost], ["Price"]) == ["Price"]


def test_unmanaged_charts_sharing_a_name_get_uuid_suffixes() -> None:
    a = row(1, "Sales", key=None, uuid_="aaaaaaaa-0000-4000-8000-000000000000")
    b = row(2, "Sales", key=None, uuid_="bbbbbbbb-0000-4000-8000-000000000000")
    c = row(3, "Other", key=None, uuid_="cccccccc-0000-4000-8000-000000000000")
    assert chart_keys([a, b, c], []) == ["Sales [aaaaaaaa]", "Sales [bbbbbbbb]", "Other"]


def test_an_unmanaged_chart_named_like_a_managed_key_is_suffixed() -> None:
    managed = row(1, "Price", key="Price")
    by_hand = row(2, "Price", key=None, uuid_="dddddddd-0000-4000-8000-000000000000")
    assert chart_keys([managed, by_hand], []) == ["Price", "Price [dddddddd]"]


# -- read -------------------------------------------------------------------------------

def test_read_is_one_list_request_and_matches_the_spec(rsps, ctx) -> None:
    rsps.add("GET", f"{API}/chart/", json={"count": 2, "result": [
        row(3), row(9, "By hand", key=None, uuid_="eeeeeeee-0000-4000-8000-000000000000",
                    params={"metrics": ["count"], "datasource": "4__table", "slice_id": 9})]})
    live = ChartHandler().read(ctx)

    assert paths(rsps) == [("GET", "/api/v1/chart/")]
    query = unquote(rsps.calls[0].request.url)
    assert "params" in query and "owners.id" in query and "query_context" not in query
    assert compare(spec(), live["Price"]) is None
    assert live["Price"].managed and not live["By hand"].managed
    assert live["By hand"].spec.params == {"metrics": ["count"]}
    assert ctx.ids.id("chart", "Price") == 3 and ctx.ids.key("chart", 9) == "By hand"


def test_a_param_changed_by_hand_is_that_field_alone(rsps, ctx) -> None:
    rsps.add("GET", f"{API}/chart/", json={"count": 1, "result": [
        row(3, params={**PARAMS, "row_limit": 50})]})
    change = compare(spec(), ChartHandler().read(ctx)["Price"])
    assert [(f.path, f.before, f.after) for f in change.fields] == [("params.row_limit", 50, 10000)]


# -- writes ---------------------------------------------------------------------------

def test_create_posts_uuid_marker_and_query_context_then_clears_owners(rsps, csrf, ctx) -> None:
    rsps.add("POST", f"{API}/chart/", json={"id": 21, "result": {}})
    rsps.add("PUT", f"{API}/chart/21", json={"id": 21, "result": {}})

    assert ChartHandler().create(ctx, spec()) == 21

    sent = body(rsps.calls[1])
    assert sent["uuid"] == managed_uuid("chart", "Price")
    assert sent["is_managed_externally"] is True and sent["external_url"] == "superset-iac://chart/Price"
    # The canonical params: an empty adhoc_filters is no filter, and left out.
    canonical = {k: v for k, v in PARAMS.items() if k != "adhoc_filters"}
    assert json.loads(sent["params"]) == {**canonical, KEY_PARAM: "Price"}
    assert (sent["datasource_id"], sent["datasource_type"], sent["owners"]) == (4, "table", [])
    context = json.loads(sent["query_context"])
    assert context["datasource"] == {"id": 4, "type": "table"}
    assert context["queries"][0]["columns"][0]["columnType"] == "BASE_AXIS"
    assert body(rsps.calls[2]) == {"owners": []}
    assert ctx.ids.id("chart", "Price") == 21


def test_create_with_owners_is_one_post(rsps, csrf, ctx) -> None:
    rsps.add("GET", f"{API}/security/users/", json={"count": 1, "result": [{"id": 7, "username": "ana"}]})
    rsps.add("POST", f"{API}/chart/", json={"id": 21, "result": {}})
    ChartHandler().create(ctx, spec(owners=["ana"]))
    assert [m for m, _ in paths(rsps)] == ["GET", "GET", "POST"]
    assert body(rsps.calls[2])["owners"] == [7]


def test_update_puts_the_whole_chart_with_its_id_in_the_query_context(rsps, csrf, ctx) -> None:
    rsps.add("PUT", f"{API}/chart/3", json={"id": 3, "result": {}})
    live = LiveObject(spec(params={**PARAMS, "row_limit": 5}), 3, True)
    ChartHandler().update(ctx, compare(spec(), live))
    sent = body(rsps.calls[1])
    assert json.loads(sent["params"])["row_limit"] == 10000
    assert json.loads(sent["query_context"])["form_data"]["slice_id"] == 3


def test_a_chart_with_an_explicit_key_writes_that_key(rsps, csrf, ctx) -> None:
    rsps.add("PUT", f"{API}/chart/3", json={"id": 3, "result": {}})
    keyed = spec(key="price-aapl")
    ChartHandler().update(ctx, compare(keyed, LiveObject(spec(key="price-aapl", name="Old"), 3, True)))
    assert json.loads(body(rsps.calls[1])["params"])[KEY_PARAM] == "price-aapl"


# -- query contexts ---------------------------------------------------------------------

def test_timeseries_query_context_shape() -> None:
    context = qc.build_query_context({**PARAMS, KEY_PARAM: "k"}, "echarts_timeseries_line", 4)
    assert set(context) == {"datasource", "force", "queries", "form_data", "result_format", "result_type"}
    assert context["form_data"]["datasource"] == "4__table" and KEY_PARAM not in context["form_data"]
    (query,) = context["queries"]
    assert query["columns"] == [{"columnType": "BASE_AXIS", "sqlExpression": "timestamp", "label": "timestamp",
                                 "expressionType": "SQL", "timeGrain": "PT1H"}, "symbol"]
    assert query["metrics"] == ["avg_price"] and query["series_columns"] == ["symbol"]
    assert query["orderby"] == [["avg_price", False]] and query["row_limit"] == 10000
    assert [s["operation"] for s in query["post_processing"]] == ["pivot", "rename", "flatten"]


def test_filters_split_into_simple_filters_and_where() -> None:
    fd = {"metric": "count", "adhoc_filters": [
        {"expressionType": "SIMPLE", "clause": "WHERE", "subject": "symbol", "operator": "IN", "comparator": ["A"]},
        {"expressionType": "SQL", "clause": "WHERE", "sqlExpression": "volume > 0"},
        {"expressionType": "SQL", "clause": "HAVING", "sqlExpression": "COUNT(*) > 1"}]}
    (query,) = qc.build_query_context(fd, "big_number_total", 4)["queries"]
    assert query["filters"] == [{"col": "symbol", "op": "IN", "val": ["A"]}]
    assert query["extras"] == {"where": "(volume > 0)", "having": "(COUNT(*) > 1)"}
    assert query["metrics"] == ["count"] and query["columns"] == []


def test_pivot_table_table_and_pie_queries() -> None:
    pivot = qc.build_query_context({"groupbyRows": ["d"], "groupbyColumns": ["s"], "metrics": ["m"]},
                                   "pivot_table_v2", 1)["queries"][0]
    assert pivot["columns"] == ["s", "d"] and pivot["orderby"] == [["m", False]]
    table = qc.build_query_context({"query_mode": "aggregate", "groupby": ["a"], "metrics": ["m"],
                                    "percent_metrics": ["p"]}, "table", 1)["queries"][0]
    assert table["metrics"] == ["m", "p"] and table["post_processing"][0]["operation"] == "contribution"
    raw = qc.build_query_context({"query_mode": "raw", "all_columns": ["a", "b"],
                                  "order_by_cols": ['["a", true]']}, "table", 1)["queries"][0]
    assert raw["columns"] == ["a", "b"] and raw["metrics"] == [] and raw["orderby"] == [["a", True]]
    pie = qc.build_query_context({"groupby": ["s"], "metric": "m"}, "pie", 1)["queries"][0]
    assert pie["columns"] == ["s"] and pie["metrics"] == ["m"] and pie["orderby"] == [["m", False]]


def test_unknown_viz_types_get_a_generic_query() -> None:
    query = qc.build_query_context({"x_axis": "x", "groupby": ["g"], "metric": "m", "metric_2": "n"},
                                   "heatmap_v2", 1)["queries"][0]
    assert query["columns"][0]["columnType"] == "BASE_AXIS" and query["columns"][1:] == ["g"]
    assert query["metrics"] == ["m", "n"]


def test_adhoc_metric_labels() -> None:
    assert qc.metric_label({"expressionType": "SIMPLE", "aggregate": "SUM",
                            "column": {"column_name": "v"}}) == "SUM(v)"
    assert qc.metric_label({"expressionType": "SQL", "sqlExpression": "AVG(x)"}) == "AVG(x)"
    assert qc.metric_label({"label": "nice", "expressionType": "SQL", "sqlExpression": "1"}) == "nice"


def test_histogram_and_spatial_columns() -> None:
    hist = qc.build_query_context({"column": "age", "groupby": ["g"], "bins": 10}, "histogram_v2", 1)
    (query,) = hist["queries"]
    assert query["columns"] == ["g", "age"] and query["metrics"] == []
    assert query["post_processing"][0]["options"]["bins"] == 10
    arcs = qc.build_query_context({"start_spatial": {"type": "latlong", "latCol": "LAT", "lonCol": "LON"},
                                   "end_spatial": {"type": "latlong", "latCol": "LAT2", "lonCol": "LON2"}},
                                  "deck_arc", 1)["queries"][0]
    assert arcs["columns"] == ["LAT", "LON", "LAT2", "LON2"]


def test_a_short_adhoc_metric_is_written_in_superset_form(rsps, csrf, ctx) -> None:
    rsps.add("POST", f"{API}/chart/", json={"id": 22, "result": {}})
    rsps.add("PUT", f"{API}/chart/22", json={"id": 22, "result": {}})
    short = {**PARAMS, "metrics": [{"column": "last_price", "aggregate": "AVG"}],
             "adhoc_filters": [{"subject": "symbol", "operator": "==", "comparator": "X"}]}
    ChartHandler().create(ctx, spec(params=short))
    sent = json.loads(body(rsps.calls[1])["params"])
    assert sent["metrics"] == [{"expressionType": "SIMPLE", "column": {"column_name": "last_price"},
                                "aggregate": "AVG", "label": "AVG(last_price)"}]
    assert sent["adhoc_filters"][0]["expressionType"] == "SIMPLE"
    query = json.loads(body(rsps.calls[1])["query_context"])["queries"][0]
    assert query["filters"] == [{"col": "symbol", "op": "==", "val": "X"}]
    # what the server then returns reads back as the tree wrote it
    live = ChartHandler().to_spec(ctx, row(params=sent))
    assert live.params["metrics"] == short["metrics"]


def test_no_adhoc_filters_and_an_empty_list_compare_equal() -> None:
    """A chart written without adhoc_filters reads back with [] once its added time
    filter is taken off: no drift. A filter that filters still counts."""
    bare = {k: v for k, v in PARAMS.items() if k != "adhoc_filters"}
    assert spec(params={**bare, "adhoc_filters": []}).compared() == spec(params=bare).compared()
    where = {"clause": "WHERE", "expressionType": "SQL", "sqlExpression": "volume > 0"}
    assert spec(params={**bare, "adhoc_filters": [where]}).compared() != spec(params=bare).compared()


def test_a_percent_metric_labelled_like_a_metric_is_queried_once():
    # p2p_payments' CurrencyAmountSummary (the corpus): COUNT(amount) as SQL among the
    # metrics and as a SIMPLE percent metric; twice, Superset answers 400.
    sql = {"expressionType": "SQL", "sqlExpression": "COUNT(amount)", "label": "COUNT(amount)"}
    simple = {"expressionType": "SIMPLE", "column": {"column_name": "amount"},
              "aggregate": "COUNT", "label": "COUNT(amount)"}
    total = {"expressionType": "SIMPLE", "column": {"column_name": "amount"},
             "aggregate": "SUM", "label": "SUM(amount)"}
    (query,) = qc.build_query_context({"groupby": ["currency_code"], "metrics": [sql, total],
                                       "percent_metrics": [simple, simple]}, "table", 4)["queries"]
    assert [qc.metric_label(m) for m in query["metrics"]] == ["COUNT(amount)", "SUM(amount)"]
    assert query["post_processing"][0]["options"]["columns"] == ["COUNT(amount)"]
