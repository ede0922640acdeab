"""Every chart of ``assets/``, through Superset's chart data API.

After ``assets/`` is applied with the local environment, each chart is run
twice, as a server-side consumer (reports, alerts, the API) would run it:

* ``GET /api/v1/chart/{id}/data/``: the saved ``query_context``, post-processing
  included, i.e. the data the chart draws;
* ``POST /api/v1/chart/data`` with that query context and no post-processing:
  the query itself, whose columns must be exactly the chart's dimensions and
  metrics as its YAML names them.

Both answer 200 with rows. Charts are found by the uuid superset-iac gives
what it creates, so charts that other tests made on the shared server with
the same names are never taken for them.

Then each native filter of the team's dashboard is given a value that
excludes rows (the middle of the sample's five trading days; one symbol,
one exchange), and its ``extraFormData`` — built by the same code that
writes the dashboard — is merged into each chart's saved form data the way
the dashboard merges it: every chart in the filter's scope answers other
data, every chart of the dashboard outside it the same data (the filter
cannot narrow those: that is why they are out of scope).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from superset_iac.kinds.query_context import build_query_context
from superset_iac.kinds.rest import managed_uuid
from superset_iac.model.chart import Chart, default_time_column
from tests.integration.browser import apply_team_assets
from tests.integration.native_filters import (DASHBOARD, PLACED, TREE, data_mask, in_scope,
                                              narrowing_value, same_rows)

pytestmark = pytest.mark.integration

CHARTS = sorted(TREE.each(Chart), key=lambda c: c.key)
FILTERED = {c.key: c for c in CHARTS}
# viz types whose saved query pivots the groupby into one column per value
# (ECharts timeseries: one series per value).
PIVOTED = ("echarts_timeseries", "echarts_area")


class ChartApi:
    def __init__(self, superset: Any) -> None:
        self.base = f"{superset.url}/api/v1"
        self.session: requests.Session = superset.session()

    def chart(self, key: str) -> dict:
        answer = self.session.get(f"{self.base}/chart/{managed_uuid('chart', key)}")
        assert answer.status_code == 200, answer.text
        return answer.json()["result"]

    def saved_data(self, chart_id: int) -> list[dict]:
        answer = self.session.get(f"{self.base}/chart/{chart_id}/data/")
        assert answer.status_code == 200, answer.text[:2000]
        return answer.json()["result"]

    def query(self, query_context: dict) -> list[dict]:
        answer = self.session.post(f"{self.base}/chart/data", json=query_context)
        assert answer.status_code == 200, answer.text[:2000]
        return answer.json()["result"]


@pytest.fixture(scope="module")
def api(superset, lakehouse_path, tmp_path_factory) -> ChartApi:
    apply_team_assets(superset, lakehouse_path, tmp_path_factory.mktemp("chart-data"))
    return ChartApi(superset)


def label(column_or_metric: str | dict) -> str:
    """The name a column or metric has in a result (an adhoc one: its label)."""
    if isinstance(column_or_metric, str):
        return column_or_metric
    return column_or_metric.get("label") or column_or_metric["column_name"]


def dimensions(params: dict) -> list[str]:
    found = [params["x_axis"]] if params.get("x_axis") else []
    for key in ("groupby", "groupbyRows", "groupbyColumns", "columns"):
        found += params.get(key) or []
    return [label(d) for d in found]


def metrics(params: dict) -> list[str]:
    listed = params.get("metrics") or ([params["metric"]] if params.get("metric") else [])
    return [label(m) for m in listed]


def raw_query(api: ChartApi, chart: Chart) -> list[dict]:
    """The chart's saved query context, run without its post-processing."""
    saved = api.chart(chart.key)["query_context"]
    assert saved, f"{chart.name}: no query_context saved"
    context = json.loads(saved)
    for query in context["queries"]:
        query["post_processing"] = []
    return api.query(context)


@pytest.mark.parametrize("chart", CHARTS, ids=lambda c: c.key)
def test_the_query_returns_rows_with_the_charts_columns(api, chart):
    (result,) = raw_query(api, chart)
    assert result["rowcount"] > 0 and result["data"], result
    expected = dimensions(chart.params) + metrics(chart.params)
    assert sorted(result["colnames"]) == sorted(expected)


@pytest.mark.parametrize("chart", CHARTS, ids=lambda c: c.key)
def test_the_saved_query_context_returns_the_data_the_chart_draws(api, chart):
    chart_id = api.chart(chart.key)["id"]
    (result,) = api.saved_data(chart_id)
    assert result["rowcount"] > 0 and result["data"], result
    params = chart.params
    if chart.viz_type.startswith(PIVOTED) and params.get("groupby"):
        # One series per group value: a column named by the value (one metric).
        assert len(metrics(params)) == 1 and len(params["groupby"]) == 1, "extend this test"
        (raw,) = raw_query(api, chart)
        groups = {str(row[label(params["groupby"][0])]) for row in raw["data"]}
        expected = [label(params["x_axis"]), *groups]
    else:
        expected = dimensions(params) + metrics(params)
    assert sorted(result["colnames"]) == sorted(expected)


# ------------------------------------------------------------ native filters


def filtered_query(api: ChartApi, chart: Chart, extra: dict) -> list[dict]:
    """The chart's saved form data with ``extra`` merged, as the dashboard sends it."""
    saved = api.chart(chart.key)
    context = json.loads(saved["query_context"])
    form_data = {**context["form_data"], "extra_form_data": extra}
    rebuilt = build_query_context(form_data, chart.viz_type, context["datasource"]["id"],
                                  saved["id"])
    for query in rebuilt["queries"]:
        query["post_processing"] = []
    (result,) = api.query(rebuilt)
    return result["data"]


def dataset_id(api: ChartApi, dataset: str) -> int:
    chart = next(c for c in CHARTS if c.dataset == dataset)
    return json.loads(api.chart(chart.key)["query_context"])["datasource"]["id"]


@pytest.mark.parametrize("f", DASHBOARD.filters, ids=lambda f: f.name)
def test_a_native_filter_narrows_the_charts_in_its_scope_and_no_other(api, f):
    value = narrowing_value(f, api.query, lambda name: dataset_id(api, name))
    extra = data_mask(f, value)["extraFormData"]
    changed = {}
    for key in PLACED:
        (plain,) = raw_query(api, FILTERED[key])
        narrowed = filtered_query(api, FILTERED[key], extra)
        assert narrowed, f"{key}: no rows left under {extra}"
        changed[key] = not same_rows([narrowed], [plain["data"]])
        if changed[key]:
            totals_or_rows = len(narrowed) < len(plain["data"]) or _totals(narrowed) != _totals(plain["data"])
            assert totals_or_rows, key
    assert {k for k, v in changed.items() if v} == set(in_scope(f)), (extra, changed)


def _totals(rows: list[dict]) -> dict:
    """Column sums of the numeric columns: what a narrowed aggregate changes."""
    sums: dict = {}
    for row in rows:
        for name, value in row.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                sums[name] = sums.get(name, 0) + value
    return sums


@pytest.mark.parametrize("chart", CHARTS, ids=lambda c: c.key)
def test_a_chart_carries_the_time_filter_exactly_when_its_dataset_has_a_time_column(api, chart):
    params = json.loads(api.chart(chart.key)["params"])
    temporal = [f for f in params.get("adhoc_filters", []) if f.get("operator") == "TEMPORAL_RANGE"]
    column = default_time_column(TREE.get("dataset", chart.dataset))
    assert [(f["subject"], f["comparator"]) for f in temporal] == \
        ([(column, "No filter")] if column else [])
