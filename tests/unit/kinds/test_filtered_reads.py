"""Reads without --prune ask only for what the tree names (``RestHandler.named_rows``).

The mocked list answers a filter as Superset 6.1 does: the rows whose filter
column takes one of the values, so what the handler read depends on what it
asked, and the request count on the tree alone.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from superset_iac.kinds.chart import ChartHandler
from superset_iac.kinds.dashboard import DashboardHandler
from superset_iac.kinds.rest import FILTER_CHUNK, chunked, key_names, managed_uuid
from superset_iac.model.chart import Chart
from superset_iac.model.dashboard import Dashboard
from tests.unit.kinds.conftest import API
from tests.unit.kinds.test_chart import row, spec

FILTER = re.compile(r"filters:!\(\(col:(\w+),opr:in,value:!\((.*?)\)\)\)")


def serve(rsps: responses.RequestsMock, resource: str, rows: list[dict[str, Any]]) -> list[str]:
    """Answer ``resource``'s list from ``rows``; returns the filter column of each request."""
    asked: list[str] = []

    def answer(request: Any) -> tuple[int, dict[str, str], str]:
        q = parse_qs(urlsplit(request.url).query)["q"][0]
        found = FILTER.search(q)
        assert found, f"an unfiltered read: {q}"
        column, values = found[1], {v.strip("'") for v in re.findall(r"'[^']*'|[^,]+", found[2])}
        asked.append(column)
        hits = [r for r in rows if str(r.get(column)) in values]
        assert len(values) <= FILTER_CHUNK
        return 200, {}, json.dumps({"count": len(hits), "result": hits})

    rsps.add_callback("GET", re.compile(rf"{API}/{resource}/\?"), callback=answer)
    return asked


@pytest.fixture
def ids() -> dict:
    return {"dataset": {"option_ticks": 4}}


def others(n: int, start: int = 1000) -> list[dict[str, Any]]:
    return [row(id_=start + i, name=f"UI chart {i}", key=None,
                uuid_=f"00000000-0000-0000-0000-{i:012d}") for i in range(n)]


@pytest.mark.parametrize("extra", [0, 350])
def test_the_requests_depend_on_the_tree_not_on_what_else_the_server_holds(ctx, rsps, extra):
    ctx.filtered = True
    ctx.desired = {"chart": {"Price": spec(), "Volume": spec(name="Volume")}}
    asked = serve(rsps, "chart", [row(id_=3), row(id_=4, name="Volume", key=None,
                                                  uuid_="11111111-1111-1111-1111-111111111111"),
                                  *others(extra)])
    live = ChartHandler().read(ctx)
    # Price by its managed uuid; Volume (made in the UI) by its name.
    assert asked == ["uuid", "slice_name"]
    assert sorted(live) == ["Price", "Volume"] and live["Price"].managed
    assert not live["Volume"].managed


def test_a_managed_chart_renamed_in_the_ui_is_found_by_its_uuid_alone(ctx, rsps):
    ctx.filtered = True
    ctx.desired = {"chart": {"Price": spec()}}
    asked = serve(rsps, "chart", [row(id_=3, name="Renamed in the UI", key=None,
                                      uuid_=managed_uuid("chart", "Price"))])
    live = ChartHandler().read(ctx)
    assert asked == ["uuid"] and list(live) == ["Price"]
    assert live["Price"].spec.name == "Renamed in the UI"


def test_long_lists_are_asked_in_chunks(ctx, rsps):
    ctx.filtered = True
    names = [f"Chart {i}" for i in range(2 * FILTER_CHUNK + 1)]
    ctx.desired = {"chart": {n: spec(name=n) for n in names}}
    asked = serve(rsps, "chart", [row(id_=i, name=n, key=n) for i, n in enumerate(names)])
    assert len(ChartHandler().read(ctx)) == len(names)
    assert asked == ["uuid"] * 3


def test_a_dashboard_is_looked_up_by_slug_or_by_title_as_its_key_is_made():
    with_slug = Dashboard.model_construct(title="Sales", slug="sales")
    titled = Dashboard.model_construct(title="Costs [EU]", slug=None)
    assert DashboardHandler().lookups({"sales": with_slug, "Costs [EU]": titled}) == [
        ("slug", ["sales"]), ("dashboard_title", ["Costs", "Costs [EU]"])]


def test_a_key_made_unique_with_brackets_is_looked_up_by_its_name_too():
    assert key_names("Price [3f2a9c1e]") == {"Price [3f2a9c1e]", "Price"}
    assert key_names("Price") == {"Price"}
    assert ChartHandler().lookups({"Price [3f2a9c1e]": None, "Vol": Chart.model_construct(
        name="Volume")}) == [("slice_name", ["Price", "Price [3f2a9c1e]", "Volume"])]


def test_with_prune_the_whole_list_is_read(ctx, rsps):
    ctx.desired = {"chart": {"Price": spec()}}  # ctx.filtered stays False, as with --prune
    rsps.add("GET", re.compile(rf"{API}/chart/\?"), json={"count": 2, "result": [
        row(id_=3), *others(1)]})
    assert sorted(ChartHandler().read(ctx)) == ["Price", "UI chart 0"]


def test_chunks_hold_fifty_uuids_or_fewer_long_names():
    uuids = [managed_uuid("chart", str(i)) for i in range(120)]
    assert [len(c) for c in chunked(uuids)] == [50, 50, 20]
    long_names = ["n" * 900] * 5 + ["x" * 3000]
    assert [len(c) for c in chunked(long_names)] == [2, 2, 1, 1]
    assert [v for c in chunked(long_names) for v in c] == long_names
