"""The Lakehouse Analytics dashboard, opened in a real browser.

``assets/`` is applied with the local environment to the session's Superset
(over its copy of the lakehouse); headless Chromium logs in through the login
form, opens the dashboard and waits until no chart is loading. Then: every
chart the dashboard's layout places is drawn (an inked canvas, a table with
rows, or a chart-sized svg), none shows an error tile or "No results", and
the native filter bar offers Date range, Symbol and Exchange with their
values loaded. Then each native filter is set to a value that excludes rows
(the dashboard opened with it applied, as a link to a filtered dashboard
does): every chart in the filter's scope receives other data from Superset
and draws something else, every chart outside it the same data and the same
picture. A dashboard of broken and empty charts shows the check can fail.

Every test runs on both warehouses (ids ``[duckdb]``, ``[trino]``): the
session's Superset over the DuckDB file with ``--env local``, and a Superset
of its own over the local Trino with ``--env local-trino`` (the masking views
and the materialized view created in Trino by the same apply).

The screenshot is written to the test's tmp dir, and to
``$SUPERSET_IAC_SCREENSHOT`` when set (``docs/dashboard.png`` for the README,
taken on DuckDB). Without Chromium the tests skip on a laptop and fail in CI.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from superset_iac.load.tree import load_tree
from superset_iac.model.chart import Chart
from superset_iac.model.dashboard import Dashboard
from superset_iac.kinds.rest import managed_uuid
from tests.integration.browser import (
    ROOT,
    Browser,
    BrowserError,
    DashboardView,
    apply_team_assets,
    find_chromium,
    fit_to_page,
    login,
    open_dashboard,
    wait_settled,
)
from tests.integration.trino_stack import WAREHOUSES
from tests.integration.native_filters import (CHARTS, DASHBOARD, chart_data, data_mask,
                                              filtered_query_string, in_scope, narrowing_value,
                                              same_rows)

pytestmark = [pytest.mark.integration, pytest.mark.browser]

SLUG = "lakehouse-analytics"
WIDTH, HEIGHT = 1400, 1000
SCREENSHOT_ENV = "SUPERSET_IAC_SCREENSHOT"


@dataclass
class Seen:
    """What the browser saw of the team's dashboard."""

    landed: str
    view: DashboardView
    screenshot: Path
    seconds: dict[str, float]
    data: dict[int, list]  # chart id -> the data Superset answered, unfiltered


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def chromium() -> str:
    """Session-scoped and first in line, so a missing browser is known before Superset starts."""
    found = find_chromium()
    if found:
        return found
    reason = (f"headless Chromium not found at {os.environ['CHROMIUM']} ($CHROMIUM)"
              if os.environ.get("CHROMIUM") else
              "headless Chromium not found at /usr/bin/chromium (apt-get install chromium)")
    if in_ci():
        pytest.fail(f"{reason}: CI must run the browser check", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def team_dashboard() -> tuple[Dashboard, list[str]]:
    """The dashboard as assets/ defines it, and the names of the charts it places."""
    tree = load_tree(ROOT / "assets")
    (dashboard,) = [d for d in tree.each(Dashboard) if d.slug == SLUG]
    charts = {c.key: c.name for c in tree.each(Chart)}
    return dashboard, [charts[ref.key] for ref in dashboard.chart_refs()]


@dataclass
class StandIn:
    """The Superset the check runs on, with the team's tree applied over ``warehouse``."""

    warehouse: str
    superset: Any
    apply_seconds: float


@pytest.fixture(scope="module", params=WAREHOUSES)
def stand_in(request, chromium, tmp_path_factory) -> StandIn:
    """The session's Superset over the DuckDB file, or the one over the session's
    Trino (started only for the ``[trino]`` tests), the tree applied as the demo does."""
    work = tmp_path_factory.mktemp(f"browser-{request.param}")
    started = time.monotonic()
    if request.param == "trino":
        superset = request.getfixturevalue("trino_superset")
        apply_team_assets(superset, None, work, trino=request.getfixturevalue("trino_server"))
    else:
        superset = request.getfixturevalue("superset")
        apply_team_assets(superset, request.getfixturevalue("lakehouse_path"), work)
    return StandIn(request.param, superset, time.monotonic() - started)


@pytest.fixture(scope="module")
def browser(chromium, stand_in) -> Iterator[Browser]:
    """One browser per Superset: both listen on 127.0.0.1, whose cookies they would share."""
    with Browser(chromium, width=WIDTH, height=HEIGHT, timeout=60) as opened:
        yield opened


@pytest.fixture(scope="module")
def seen(browser, stand_in, team_dashboard, tmp_path_factory) -> Seen:
    superset = stand_in.superset
    work = tmp_path_factory.mktemp("browser")
    started = time.monotonic()
    landed = login(browser, superset.url, superset.username, superset.password,
                   server_log=superset.log_tail)
    logged_in = time.monotonic()
    expected = len(team_dashboard[1])
    before = len(browser.events)
    view = open_dashboard(browser, superset.url, SLUG, expected_charts=expected)
    loaded = time.monotonic()
    # One screenshot of the whole dashboard: the viewport grows to the page.
    fit_to_page(browser, WIDTH)
    view = wait_settled(browser, expected_charts=expected)
    data = chart_data(browser, before)
    shot = browser.screenshot(work / "dashboard.png")
    if os.environ.get(SCREENSHOT_ENV) and stand_in.warehouse == "duckdb":
        keep = Path(os.environ[SCREENSHOT_ENV])
        keep = keep if keep.is_absolute() else ROOT / keep
        keep.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, keep)
    seconds = {"apply": stand_in.apply_seconds, "login": logged_in - started,
               "dashboard": loaded - logged_in, "total": time.monotonic() - started}
    print(f"\nbrowser check on {stand_in.warehouse}: {({k: round(v, 1) for k, v in seconds.items()})}; "
          f"screenshot {shot}")
    return Seen(landed, view, shot, seconds, data)


def test_the_login_form_lets_the_admin_in(seen):
    assert seen.landed.startswith("/superset/"), seen.landed


def test_every_chart_placed_on_the_dashboard_is_drawn(seen, team_dashboard):
    dashboard, placed = team_dashboard
    view = seen.view
    assert view.url == f"/superset/dashboard/{SLUG}/"
    assert view.title == dashboard.title
    assert sorted(t.title for t in view.charts) == sorted(placed), view.describe()
    for tile in view.charts:
        assert tile.id is not None and tile.drawn, view.describe()


def test_no_chart_shows_an_error_or_no_results(seen, browser):
    bad = [t for t in seen.view.charts if t.errors or t.empty or t.loading]
    assert not bad, f"{seen.view.describe()}\nconsole: {browser.console_errors()[-10:]}"


def test_the_filter_bar_offers_date_range_symbol_and_exchange(seen, team_dashboard):
    dashboard, _ = team_dashboard
    shown = {f["name"]: f["shows"] for f in seen.view.filters}
    assert list(shown) == [f.name for f in dashboard.filters] == ["Date range", "Symbol", "Exchange"]
    assert shown["Date range"] == "No filter"
    # "5 options": the select filters' values were queried from the dataset.
    for name in ("Symbol", "Exchange"):
        match = re.fullmatch(r"(\d+) options", shown[name])
        assert match and int(match.group(1)) > 0, shown


def test_the_screenshot_holds_the_whole_dashboard(seen):
    head = seen.screenshot.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", head[16:24])
    assert width == WIDTH and height >= HEIGHT, (width, height)


# ------------------------------------------------------------ native filters


@pytest.fixture(scope="module")
def narrowing(stand_in, seen) -> dict[str, object]:
    """For each filter of the dashboard, a value that excludes some rows."""
    superset = stand_in.superset
    api = superset.session()
    base = f"{superset.url}/api/v1"

    def query(context: dict) -> list[dict]:
        answer = api.post(f"{base}/chart/data", json=context)
        assert answer.status_code == 200, answer.text[:2000]
        return answer.json()["result"]

    def dataset_id(name: str) -> int:
        answer = api.get(f"{base}/dataset/{managed_uuid('dataset', name)}")
        assert answer.status_code == 200, answer.text[:2000]
        return answer.json()["result"]["id"]

    return {f.name: narrowing_value(f, query, dataset_id) for f in DASHBOARD.filters}


@pytest.mark.parametrize("f", DASHBOARD.filters, ids=lambda f: f.name)
def test_a_native_filter_narrows_every_chart_in_its_scope_and_no_other(
        browser, stand_in, seen, team_dashboard, narrowing, f):
    superset = stand_in.superset
    expected = len(team_dashboard[1])
    before = len(browser.events)
    query = filtered_query_string([data_mask(f, narrowing[f.name])])
    view = open_dashboard(browser, superset.url, SLUG, expected_charts=expected, query=query)
    data = chart_data(browser, before)
    shown = {x["name"]: x["shows"] for x in view.filters}
    assert shown[f.name] != {x["name"]: x["shows"] for x in seen.view.filters}[f.name], shown
    scope = {CHARTS[key].name for key in in_scope(f)}
    baseline = {t.title: t for t in seen.view.charts}
    for tile in view.charts:
        assert tile.id in data and tile.id in seen.data, (tile.title, sorted(data), sorted(seen.data))
        narrowed = not same_rows(data[tile.id], seen.data[tile.id])
        redrawn = tile.look != baseline[tile.title].look
        # Out of scope: the same rows. Not the same picture: rows that tie on the
        # sort order may come back in another order and be drawn so.
        wanted = (True, True) if tile.title in scope else (False, redrawn)
        assert (narrowed, redrawn) == wanted, \
            f"{f.name} = {narrowing[f.name]!r}: {tile.title!r} narrowed={narrowed} redrawn={redrawn}" \
            f"\n{view.describe()}"
        assert tile.drawn and not tile.errors and not tile.empty, view.describe()


# ------------------------------------------------------------ the check can fail


@pytest.fixture
def bad_dashboard(stand_in, seen, unique) -> Iterator[str]:
    """A dashboard with a chart whose SQL fails and a chart that finds no rows."""
    superset = stand_in.superset
    api = superset.session()
    base = f"{superset.url}/api/v1"

    def call(method: str, path: str, body: dict | None = None) -> dict:
        answer = api.request(method, f"{base}/{path}", json=body)
        assert answer.status_code in (200, 201), (method, path, answer.text)
        return answer.json()

    q = "(filters:!((col:table_name,opr:eq,value:option_ticks)))"
    (dataset,) = call("GET", f"dataset/?q={q}")["result"]
    slug = f"browser-check-{unique}"
    dashboard = call("POST", "dashboard/", {"dashboard_title": f"Browser check {unique}",
                                            "slug": slug, "published": True})["id"]
    source = {"datasource_id": dataset["id"], "datasource_type": "table", "dashboards": [dashboard]}
    failing = {"viz_type": "big_number_total", "adhoc_filters": [], "metric": {
        "expressionType": "SQL", "sqlExpression": "SUM(no_such_column)", "label": "broken"}}
    empty = {"viz_type": "table", "query_mode": "aggregate", "groupby": ["symbol"],
             "metrics": ["avg_price"], "row_limit": 10, "adhoc_filters": [
                 {"expressionType": "SQL", "sqlExpression": "1 = 0", "clause": "WHERE"}]}
    charts = [call("POST", "chart/", {**source, "slice_name": f"{name} {unique}",
                                      "viz_type": params["viz_type"],
                                      "params": json.dumps(params)})["id"]
              for name, params in (("Failing", failing), ("Empty", empty))]
    call("PUT", f"dashboard/{dashboard}", {"position_json": json.dumps(_one_row(charts))})
    yield slug
    for chart in charts:
        api.delete(f"{base}/chart/{chart}")
    api.delete(f"{base}/dashboard/{dashboard}")


def _one_row(chart_ids: list[int]) -> dict:
    """position_json placing the charts side by side in one row."""
    row = {"type": "ROW", "id": "ROW-check", "children": [f"CHART-{i}" for i in chart_ids],
           "parents": ["ROOT_ID", "GRID_ID"], "meta": {"background": "BACKGROUND_TRANSPARENT"}}
    position = {"DASHBOARD_VERSION_KEY": "v2",
                "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
                "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": ["ROW-check"],
                            "parents": ["ROOT_ID"]},
                "ROW-check": row}
    for chart in chart_ids:
        position[f"CHART-{chart}"] = {
            "type": "CHART", "id": f"CHART-{chart}", "children": [],
            "parents": ["ROOT_ID", "GRID_ID", "ROW-check"],
            "meta": {"chartId": chart, "width": 6, "height": 50}}
    return position


def test_a_failing_chart_and_an_empty_chart_are_caught(browser, stand_in, bad_dashboard, unique):
    view = open_dashboard(browser, stand_in.superset.url, bad_dashboard, expected_charts=2)
    tiles = {t.title: t for t in view.charts}
    assert set(tiles) == {f"Failing {unique}", f"Empty {unique}"}, view.describe()
    failing, empty = tiles[f"Failing {unique}"], tiles[f"Empty {unique}"]
    assert failing.errors and not failing.drawn, view.describe()
    assert empty.empty, view.describe()


def test_a_refused_login_says_what_the_server_answered(chromium, superset):
    """The login helper fails at once on a refusal, quoting the exchange:
    what a failed check in CI has to go on."""
    with (Browser(chromium, width=WIDTH, height=HEIGHT, timeout=60) as fresh,
          pytest.raises(BrowserError, match="the server refused the login") as refused):
        login(fresh, superset.url, superset.username, "not-the-password",
              server_log=superset.log_tail)
    story = str(refused.value)
    assert re.search(r"POST http://\S+/login/ -> 302", story), story
    assert "server log:" in story
