"""Charts and a dashboard through diff and apply, against a real Superset 6.1.

One tree per test (names made unique: the session's Superset is shared): a
DuckDB database on the session's lakehouse copy, a virtual dataset of option
ticks, six charts of the viz types the assets use, and a dashboard with a
header, a column, tabs, a divider, a markdown block and three native filters
(date range, symbol, exchange). Runs go through ``workflow`` and
``apply_plan`` as the CLI does.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from superset_iac import workflow
from superset_iac.apply.engine import Outcome
from superset_iac.kinds.base import Context
from superset_iac.kinds.registry import handlers
from superset_iac.plan.model import Action
from tests.integration.trees import WrittenTree, fields

pytestmark = pytest.mark.integration

CHARTS = {  # file name -> (viz_type, params)
    "price": ("echarts_timeseries_line", {"x_axis": "timestamp", "time_grain_sqla": "PT1H",
                                          "metrics": ["avg_price"], "groupby": ["symbol"],
                                          "adhoc_filters": [], "time_range": "No filter",
                                          "row_limit": 10000, "show_legend": True}),
    "volume": ("echarts_timeseries_bar", {"x_axis": "symbol", "metrics": ["total_volume"],
                                          "groupby": [], "adhoc_filters": [], "row_limit": 100,
                                          "x_axis_sort": "total_volume", "x_axis_sort_asc": False}),
    "pivot": ("pivot_table_v2", {"groupbyRows": ["symbol"], "groupbyColumns": ["exchange"],
                                 "metrics": ["avg_price", "total_volume"], "metricsLayout": "COLUMNS",
                                 "adhoc_filters": [], "time_range": "No filter", "row_limit": 10000}),
    "table": ("table", {"query_mode": "aggregate", "groupby": ["symbol", "exchange"],
                        "metrics": ["tick_count", {"expressionType": "SQL", "sqlExpression": "MAX(volume)",
                                                   "label": "max volume"}],
                        "adhoc_filters": [{"expressionType": "SIMPLE", "clause": "WHERE",
                                           "subject": "volume", "operator": ">", "comparator": 0}],
                        "row_limit": 1000, "order_desc": True}),
    "ticks": ("big_number_total", {"metric": "tick_count", "adhoc_filters": [],
                                   "time_range": "No filter"}),
    "share": ("pie", {"groupby": ["exchange"], "metric": "total_volume", "adhoc_filters": [],
                      "row_limit": 10, "sort_by_metric": True}),
}


class Tree(WrittenTree):
    """A database, a dataset of ticks, the charts of ``CHARTS``, a role and a dashboard."""

    def __init__(self, root: Path, superset, lakehouse: Path, suffix: str) -> None:
        super().__init__(root, superset, superset.env(lakehouse))
        self.suffix = suffix
        self.db, self.dataset = f"lake_cd_{suffix}", f"ticks_cd_{suffix}"
        self.slug = f"lakehouse-{suffix}"
        self.role = f"Viewer {suffix}"
        self._write_base()

    def chart(self, name: str) -> str:
        return f"{name.capitalize()} {self.suffix}"

    def _write_base(self) -> None:
        self.write(f"databases/{self.db}.yaml", f"""\
            name: {self.db}
            uri: duckdb:///${{LAKEHOUSE_PATH}}
            extra:
              engine_params:
                connect_args:
                  read_only: true
            """)
        self.write(f"datasets/{self.dataset}.yaml", f"""\
            name: {self.dataset}
            database: {self.db}
            schema: option_ticks_db
            sql: |
              SELECT "timestamp", symbol, exchange, last_price, volume
              FROM option_ticks_db.bronze_option_ticks
            main_dttm_col: timestamp
            columns:
              - name: timestamp
                is_dttm: true
              - name: symbol
              - name: exchange
            metrics:
              - name: avg_price
                expression: AVG(last_price)
              - name: total_volume
                expression: SUM(volume)
              - name: tick_count
                expression: COUNT(*)
            """)
        for name, (viz, params) in CHARTS.items():
            self.write_chart(name, viz, params)
        self.write("roles/viewer.yaml", f"""\
            name: {self.role}
            permissions:
              Dashboard: [can_read]
              Chart: [can_read]
            data_access:
              datasets: [{self.dataset}]
            """)
        self.write(f"dashboards/{self.slug}.yaml", json.dumps(self.dashboard(), indent=1))

    def write_chart(self, name: str, viz: str, params: dict) -> None:
        self.write(f"charts/{name}.yaml", json.dumps({
            "name": self.chart(name), "dataset": self.dataset, "viz_type": viz, "params": params}))

    def dashboard(self) -> dict:
        c = self.chart
        return {
            "title": f"Lakehouse {self.suffix}", "slug": self.slug, "published": True,
            "roles": [self.role], "css": ".dashboard { margin: 0 }",
            "layout": [
                {"header": "Overview", "size": "LARGE_HEADER"},
                {"row": [{"chart": c("price"), "width": 8, "height": 60},
                         {"column": [{"chart": c("ticks"), "width": 4, "height": 25},
                                     {"markdown": "Ticks from **option_ticks_db**.", "width": 4,
                                      "height": 30}], "width": 4}]},
                {"tabs": [{"title": "Volumes", "layout": [
                              {"row": [{"chart": c("volume"), "width": 6}, {"chart": c("share"), "width": 6}]}]},
                          {"title": "Tables", "layout": [
                              {"row": [{"chart": c("pivot"), "width": 6},
                                       {"chart": c("table"), "width": 6, "title": "Ticks by venue"}]}]}]},
                {"divider": True},
            ],
            "filters": [
                {"name": "Date range", "type": "time_range", "default": "No filter"},
                {"name": "Symbol", "dataset": self.dataset, "column": "symbol",
                 "charts": [c("price"), c("volume"), c("pivot"), c("table")]},
                {"name": "Exchange", "dataset": self.dataset, "column": "exchange", "multiple": False,
                 "default": ["CBOE"], "description": "One venue at a time"},
            ],
            "metadata": {"color_scheme": "supersetColors", "refresh_frequency": 0},
        }


@pytest.fixture
def tree(tmp_path, superset, lakehouse_path, unique) -> Tree:
    return Tree(tmp_path / "assets", superset, lakehouse_path, unique)


@pytest.fixture
def applied(tree) -> Tree:
    plan = tree.diff()
    report = tree.apply(plan)
    assert [e.outcome for e in report.events] == [Outcome.CREATED] * (2 + len(CHARTS) + 2)
    return tree


def test_apply_then_diff_is_empty_and_a_second_apply_writes_nothing(applied):
    tree = applied
    again = tree.diff()
    assert not again.has_changes, fields(again)
    assert again.unchanged == {"database": 1, "dataset": 1, "chart": len(CHARTS), "role": 1,
                               "dashboard": 1}
    # Charts: list pages only. Dashboards: list pages + one detail for ours.
    gets = tree.gets()
    charts_total = tree.api().get(tree.url("chart/"), params={"q": "(page_size:1)"}).json()["count"]
    assert gets.count("/api/v1/chart/") == max(1, math.ceil(charts_total / 100))
    assert not [g for g in gets if g.startswith("/api/v1/chart/") and g != "/api/v1/chart/"]
    dashboard_id = tree.ctx.ids.id("dashboard", tree.slug)
    assert [g for g in gets if g.startswith("/api/v1/dashboard/") and g != "/api/v1/dashboard/"] == \
        [f"/api/v1/dashboard/{dashboard_id}"]
    tree.apply(again)
    assert tree.ctx.client.requests == []


def test_the_dashboard_is_linked_and_its_charts_run_from_their_saved_query_context(applied):
    tree, api = applied, applied.api()
    dashboard = api.get(tree.url(f"dashboard/{tree.slug}")).json()["result"]
    assert sorted(dashboard["charts"]) == sorted(tree.chart(n) for n in CHARTS)
    assert [r["name"] for r in dashboard["roles"]] == [tree.role]
    metadata = json.loads(dashboard["json_metadata"])
    exchange = next(f for f in metadata["native_filter_configuration"] if f["name"] == "Exchange")
    assert exchange["targets"][0]["datasetId"] == tree.ctx.ids.id("dataset", tree.dataset)
    position = json.loads(dashboard["position_json"])
    assert {n["type"] for n in position.values() if isinstance(n, dict)} >= {
        "ROOT", "GRID", "HEADER", "ROW", "COLUMN", "CHART", "MARKDOWN", "TABS", "TAB", "DIVIDER"}

    charts = api.get(tree.url(f"dashboard/{dashboard['id']}/charts")).json()["result"]
    assert len(charts) == len(CHARTS)
    for chart in charts:
        saved = api.get(tree.url(f"chart/{chart['id']}")).json()["result"]["query_context"]
        answer = api.post(tree.url("chart/data"), json=json.loads(saved))
        assert answer.status_code == 200, (chart["slice_name"], answer.text[:300])
        assert answer.json()["result"][0]["rowcount"] > 0, chart["slice_name"]
        by_id = api.get(tree.url(f"chart/{chart['id']}/data/"))
        assert by_id.status_code == 200, (chart["slice_name"], by_id.text[:300])

    # The exchange filter's default, applied the way the dashboard applies it,
    # narrows the chart it targets.
    price = tree.ctx.ids.id("chart", tree.chart("price"))
    context = json.loads(api.get(tree.url(f"chart/{price}")).json()["result"]["query_context"])
    everything = api.post(tree.url("chart/data"), json=context).json()["result"][0]["rowcount"]
    context["queries"][0]["filters"] += exchange["defaultDataMask"]["extraFormData"]["filters"]
    narrowed = api.post(tree.url("chart/data"), json=context).json()["result"][0]
    assert 0 < narrowed["rowcount"] <= everything


def test_hand_edits_show_as_exactly_those_fields_and_apply_restores_them(applied):
    tree, api = applied, applied.api()
    dashboard = api.get(tree.url(f"dashboard/{tree.slug}")).json()["result"]
    metadata = json.loads(dashboard["json_metadata"])
    symbol = next(f for f in metadata["native_filter_configuration"] if f["name"] == "Symbol")
    symbol["controlValues"]["multiSelect"] = False
    edit = api.put(tree.url(f"dashboard/{dashboard['id']}"),
                   json={"dashboard_title": "Renamed by hand", "json_metadata": json.dumps(metadata)})
    assert edit.status_code == 200, edit.text
    pie = tree.ctx.ids.id("chart", tree.chart("share"))
    params = json.loads(api.get(tree.url(f"chart/{pie}")).json()["result"]["params"])
    edit = api.put(tree.url(f"chart/{pie}"), json={"params": json.dumps({**params, "row_limit": 5})})
    assert edit.status_code == 200, edit.text

    drift = tree.diff()
    assert fields(drift) == [
        (f"chart/{tree.chart('share')}", "params.row_limit", 5, 10),
        (f"dashboard/{tree.slug}", "title", "Renamed by hand", f"Lakehouse {tree.suffix}"),
        (f"dashboard/{tree.slug}", "filters[Symbol].multiple", False, True)]

    tree.apply(drift)
    assert tree.writes() == [("PUT", f"/api/v1/chart/{pie}"), ("PUT", f"/api/v1/dashboard/{dashboard['id']}")]
    assert not tree.diff().has_changes


def test_a_save_from_explore_changes_nothing_and_a_rename_there_is_a_name_change(applied):
    tree, api = applied, applied.api()
    chart_id = tree.ctx.ids.id("chart", tree.chart("volume"))
    dashboard_id = tree.ctx.ids.id("dashboard", tree.slug)
    saved = api.get(tree.url(f"chart/{chart_id}")).json()["result"]
    # What explore's save sends: its form data (the stored params plus what
    # the server adds on load) and the save dialog's dashboards.
    form_data = {**json.loads(saved["params"]), "datasource": f"{saved['datasource_id']}__table",
                 "viz_type": saved["viz_type"], "slice_id": chart_id, "url_params": {},
                 "dashboards": [dashboard_id], "extra_form_data": {}}
    edit = api.put(tree.url(f"chart/{chart_id}"), json={
        "params": json.dumps(form_data), "slice_name": saved["slice_name"], "viz_type": saved["viz_type"],
        "datasource_id": saved["datasource_id"], "datasource_type": "table",
        "dashboards": [dashboard_id], "query_context": saved["query_context"]})
    assert edit.status_code == 200, edit.text
    assert not tree.diff().has_changes

    edit = api.put(tree.url(f"chart/{chart_id}"), json={"slice_name": "Renamed in explore"})
    assert edit.status_code == 200, edit.text
    drift = tree.diff()
    assert fields(drift) == [(f"chart/{tree.chart('volume')}", "name", "Renamed in explore",
                              tree.chart("volume"))]
    tree.apply(drift)
    assert not tree.diff().has_changes


def test_export_reads_back_what_was_applied(applied):
    """The read side of export (no tree to compare with) gives the same specs."""
    tree = applied
    loaded = workflow.load(tree.root, "local", tree.environ)
    ctx = Context(client=tree.ctx.client, env=loaded.env)  # desired None: read everything
    live = workflow.read_live(ctx, [h for h in handlers() if h.kind in ("database", "dataset", "chart", "role", "dashboard")])
    for kind in ("chart", "dashboard"):
        for key, spec in loaded.desired[kind].items():
            assert live[kind][key].spec.compared() == spec.compared(), key
    read = live["dashboard"][tree.slug].spec
    assert read.position is None and read.layout == loaded.desired["dashboard"][tree.slug].layout


def test_charts_made_by_hand_are_named_apart_and_never_pruned(applied):
    tree, api = applied, applied.api()
    dataset_id = tree.ctx.ids.id("dataset", tree.dataset)
    made = []
    for _ in range(2):  # two charts built in the UI with one name
        answer = api.post(tree.url("chart/"), json={
            "slice_name": tree.chart("price"), "viz_type": "table", "datasource_id": dataset_id,
            "datasource_type": "table", "params": json.dumps({"metrics": ["tick_count"]})})
        assert answer.status_code == 201, answer.text
        made.append(api.get(tree.url(f"chart/{answer.json()['id']}")).json()["result"]["uuid"])
    keys = [f"{tree.chart('price')} [{u[:8]}]" for u in made]

    plan = tree.diff(prune=True, targets=tuple(f"chart/{k}" for k in keys))
    assert not plan.has_changes and plan.unmanaged == {"chart": 2}

    # A managed chart removed from the tree (and from no dashboard) is pruned.
    tree.write_chart("extra", "table", {"query_mode": "aggregate", "groupby": ["symbol"],
                                        "metrics": ["tick_count"]})
    tree.apply(tree.diff(targets=(f"chart/{tree.chart('extra')}",)))
    (tree.root / "charts" / "extra.yaml").unlink()
    plan = tree.diff(prune=True, targets=(f"chart/{tree.chart('extra')}", *(f"chart/{k}" for k in keys)))
    assert [(c.action, c.ref) for c in plan.changes] == [(Action.DELETE, f"chart/{tree.chart('extra')}")]
    tree.apply(plan)
    assert not tree.diff().has_changes
