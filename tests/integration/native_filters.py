"""Values that make each native filter of the team's dashboard exclude rows,
and the data mask the dashboard applies for them.

The masks come from ``model/native_filters.filter_body``, the code that
writes the dashboard's filters, so the browser and chart-data checks set a
filter exactly as Superset's filter bar stores it.
"""

from __future__ import annotations

import json
from typing import Any, Callable
from urllib.parse import parse_qs, quote, urlsplit

from superset_iac.load.tree import load_tree
from superset_iac.model import native_filters as spec_filters
from superset_iac.model.chart import Chart
from superset_iac.model.dashboard import Dashboard, NativeFilter
from superset_iac.superset import rison
from tests.integration.browser import ROOT, Browser

SLUG = "lakehouse-analytics"
TREE = load_tree(ROOT / "assets")
CHARTS = {c.key: c for c in TREE.each(Chart)}
(DASHBOARD,) = [d for d in TREE.each(Dashboard) if d.slug == SLUG]
PLACED = [ref.key for ref in DASHBOARD.chart_refs()]
# devstack/lakehouse.py: ticks and logs over five trading days, 2025-06-02 .. 06;
# two of them in the middle.
NARROW_RANGE = "2025-06-03T00:00:00 : 2025-06-05T00:00:00"

Query = Callable[[dict[str, Any]], list[dict[str, Any]]]


def in_scope(f: NativeFilter) -> list[str]:
    """The chart keys the filter is scoped to (every placed chart if it names none)."""
    return list(f.charts) if f.charts is not None else list(PLACED)


def column_values(query: Query, dataset_id: int, column: str) -> list[Any]:
    """The distinct values of a column (what the filter bar offers), through ``query``
    (a POST /api/v1/chart/data that returns the result list)."""
    context = {"datasource": {"id": dataset_id, "type": "table"}, "force": False,
               "queries": [{"columns": [column], "metrics": [], "orderby": [[column, True]],
                            "row_limit": 10000, "filters": [], "extras": {}}],
               "result_format": "json", "result_type": "full"}
    (result,) = query(context)
    return sorted({row[column] for row in result["data"]})


def narrowing_value(f: NativeFilter, query: Query, dataset_id: Callable[[str], int]) -> Any:
    """A value of ``f`` that leaves some rows and excludes others."""
    if f.type == "time_range":
        return NARROW_RANGE
    assert f.dataset is not None and f.column is not None, f
    values = column_values(query, dataset_id(f.dataset), f.column)
    assert len(values) > 1, f"{f.name}: a single value, nothing to exclude: {values}"
    return [values[0]]


def data_mask(f: NativeFilter, value: Any) -> dict[str, Any]:
    """The filter's data mask with ``value`` set: ``extraFormData`` and ``filterState``."""
    body = spec_filters.filter_body(f.model_copy(update={"default": value}), PLACED)
    return {"id": body["id"], **body["defaultDataMask"]}


def filtered_query_string(masks: list[dict[str, Any]]) -> str:
    """``?native_filters=…``: the dashboard opens with these filter values applied,
    as a link copied from a filtered dashboard does (rison, by filter id)."""
    return "?native_filters=" + quote(rison.dumps({m["id"]: m for m in masks}), safe="")


def chart_data(browser: Browser, after: int) -> dict[int, list[Any]]:
    """What each chart of the page was answered by ``/api/v1/chart/data`` (the data
    of each of its queries), by chart id, for requests seen since event ``after``.

    A chart asked twice (the filter bar settling) counts with its last answer;
    requests of no chart (the filter bar's own value lists) are left out.
    """
    charts: dict[str, int | None] = {}
    finished: list[str] = []
    for event in list(browser.events[after:]):
        params = event.get("params", {})
        if event.get("method") == "Network.requestWillBeSent" and \
                "/api/v1/chart/data" in params["request"]["url"]:
            charts[params["requestId"]] = _chart_id(params["request"])
        elif event.get("method") == "Network.loadingFinished" and params["requestId"] in charts:
            finished.append(params["requestId"])
    out: dict[int, list[Any]] = {}
    for request_id in finished:
        chart = charts[request_id]
        if chart is not None:
            answer = json.loads(browser.response_body(request_id))
            out[chart] = [result.get("data") for result in answer.get("result", [])]
    return out


def _chart_id(request: dict[str, Any]) -> int | None:
    """The ``slice_id`` of a chart data request: in its URL's ``form_data``, else its body."""
    for text in parse_qs(urlsplit(request["url"]).query).get("form_data", []):
        found = json.loads(text).get("slice_id")
        if found is not None:
            return int(found)
    body = json.loads(request.get("postData") or "{}")
    found = (body.get("form_data") or {}).get("slice_id")
    return int(found) if found is not None else None


def same_rows(a: list[Any], b: list[Any]) -> bool:
    """Equal data whatever the order of rows (ties in a sort come back in any order)."""
    def rows(data: list[Any]) -> list[list[str]]:
        return [sorted(json.dumps(r, sort_keys=True, default=str) for r in d or []) for d in data]
    return rows(a) == rows(b)
