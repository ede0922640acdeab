"""Lineage from a tree, offline: the team's assets/ and small trees written here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from superset_iac import workflow
from superset_iac.lineage import graph as lineage
from superset_iac.lineage.render import to_dot, to_json, to_mermaid

ROOT = Path(__file__).resolve().parents[3]
MASKED = "view/hive_prod.option_ticks_db.v_option_ticks_masked"
RAW = "table/hive_prod.option_ticks_db.bronze_option_ticks"


@pytest.fixture(scope="module")
def assets() -> lineage.Graph:
    loaded = workflow.load(ROOT / "assets", None, connecting=False)
    assert not loaded.diagnostics.has_errors()
    return lineage.build(loaded.tree)


def test_the_chain_from_a_raw_table_to_the_dashboard(assets: lineage.Graph) -> None:
    chain = [(RAW, MASKED, "reads"), (MASKED, "dataset/option_ticks", "reads"),
             ("dataset/option_ticks", "chart/Option price over time", "plots"),
             ("chart/Option price over time", "dashboard/lakehouse-analytics", "shows"),
             ("database/lakehouse", "dataset/option_ticks", "connects"),
             ("dataset/option_ticks", "dashboard/lakehouse-analytics", "filters"),
             ("role/Analyst", "dashboard/lakehouse-analytics", "opens"),
             ("role/Analyst", "dataset/option_ticks", "grants"),
             ("rls/analyst_symbol_entitlement", "dataset/option_ticks", "restricts"),
             ("rls/analyst_symbol_entitlement", "role/Analyst", "applies to")]
    for source, target, relation in chain:
        assert lineage.Edge(source, target, relation) in assets.edges
    assert assets.nodes[RAW] == "table"
    # a dataset that reads the view is not said to read the raw table too
    assert not any(e.source == RAW and e.target.startswith("dataset/") for e in assets.edges)


def test_impact_of_a_view_reaches_its_datasets_charts_and_dashboard(assets) -> None:
    assert lineage.impact(assets, MASKED) == {
        "dataset/option_ticks": MASKED, "dataset/volume_stats": MASKED,
        "chart/Option price over time": "dataset/option_ticks",
        "chart/Option volume over time": "dataset/option_ticks",
        "chart/Volume by symbol": "dataset/volume_stats",
        "dashboard/lakehouse-analytics": "dataset/option_ticks",
        # the analysts' saved query reads the view in its SQL
        "saved_query/Notional by symbol, latest trading day": MASKED}


def test_a_saved_query_connects_through_its_database_and_reads_its_views(assets) -> None:
    saved = "saved_query/Notional by symbol, latest trading day"
    assert {(e.source, e.relation) for e in assets.edges if e.target == saved} == {
        ("database/lakehouse", "connects"), (MASKED, "reads")}


def test_impact_of_a_role_stops_at_what_it_grants(assets) -> None:
    assert list(lineage.impact(assets, "role/Ops")) == [
        "dataset/app_log_events", "dataset/mv_daily_stats", "dataset/option_ticks",
        "dataset/volume_stats", "dashboard/lakehouse-analytics"]


def test_impact_of_an_rls_rule_goes_through_its_datasets_not_its_role(assets) -> None:
    reached = lineage.impact(assets, "rls/analyst_symbol_entitlement")
    assert "role/Analyst" in reached and "chart/Volume by symbol" in reached
    assert "dataset/app_log_events" not in reached  # granted to Analyst, not filtered


def test_a_table_is_found_by_its_short_name(assets) -> None:
    assert lineage.find(assets, "table/bronze_option_ticks") == RAW
    assert lineage.find(assets, "table/option_ticks_db.bronze_option_ticks") == RAW
    assert lineage.find(assets, "table/nothing") is None


def test_renderings_are_sorted_marked_and_escaped(tmp_path: Path) -> None:
    g = lineage.Graph()
    g.add('dataset/t"1', "chart/A [x] | <b>", "plots")
    marks = {"chart/A [x] | <b>": "update"}
    assert to_mermaid(g, marks).splitlines() == [
        "flowchart LR", '  n0["dataset: t#quot;1"]',
        '  n1["~ chart: A #91;x#93; #124; #lt;b#gt;"]', "  n0 -->|plots| n1",
        "  classDef update fill:khaki", "  class n1 update"]
    dot = to_dot(g, marks)
    assert '"dataset/t\\"1" -> "chart/A [x] | <b>" [label="plots"];' in dot
    assert "style=filled, fillcolor=khaki" in dot
    data = json.loads(to_json(g, marks))
    assert data["nodes"][1] == {"id": "chart/A [x] | <b>", "kind": "chart",
                                "name": "A [x] | <b>", "change": "update"}
    assert data["edges"] == [{"from": 'dataset/t"1', "to": "chart/A [x] | <b>",
                              "relation": "plots"}]


def test_plan_impact_leaves_out_objects_not_in_the_tree(assets) -> None:
    reach = lineage.plan_impact(assets, ["chart/Volume by symbol", "chart/Pruned"])
    assert reach == {"chart/Volume by symbol": ["dashboard/lakehouse-analytics"]}
