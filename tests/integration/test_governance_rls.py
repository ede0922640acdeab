"""Row level security as the roles meet it on the chart data API.

Every chart of the Lakehouse Analytics dashboard is run as the dashboard runs
it (its saved query_context, with the dashboard as context) by a user of each
role, and compared with what Admin gets. The expected symbols are not written
here: they are the raw table's symbols that satisfy the rule's own clause,
evaluated by DuckDB on the lakehouse file.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path
from typing import Any

import pytest

from superset_iac.model.rls import RlsRule
from tests.integration.governance_helpers import (STAND_INS, ChartRef, Governed, RoleSession, governed_on,
                                                   symbols_in, symbols_where)

RULE = "analyst_symbol_entitlement"
BASE_RULE = """\
name: gov_base_hide_spy
description: Test only; a Base rule hides SPY from everyone but Admin and Ops.
filter_type: Base
datasets: [volume_stats]
roles: [Admin, Ops]
clause: symbol <> 'SPY'
"""


@pytest.fixture(scope="module", params=STAND_INS)
def gov(request, tmp_path_factory) -> Governed:
    return governed_on(request, tmp_path_factory)


@pytest.fixture(scope="module")
def rule(gov) -> RlsRule:
    spec = gov.specs.get("rls", RULE)
    assert isinstance(spec, RlsRule)
    return spec


@pytest.fixture(scope="module")
def board(gov) -> tuple[int, list[ChartRef]]:
    return gov.dashboard("lakehouse-analytics")


@pytest.fixture(scope="module")
def every_symbol(gov) -> set[str]:
    return symbols_where(gov.lakehouse)


def run(user: RoleSession, chart: ChartRef, dashboard_id: int) -> dict[str, Any]:
    answer = user.post("chart/data", chart.request(dashboard_id, force=True))
    assert answer.status_code == 200, (user.user, chart.name, answer.text[:300])
    return answer.json()


def rows(body: dict[str, Any]) -> list[tuple]:
    """The answer's rows, order-free, floats rounded (an average over fewer groups may
    differ in the last bit), for comparing two users' answers."""
    def value(v: Any) -> Any:
        return float(f"{v:.9g}") if isinstance(v, float) and math.isfinite(v) else v
    out = []
    for result in body["result"]:
        out += [tuple(sorted((k, value(v)) for k, v in row.items())) for row in result["data"]]
    return sorted(out, key=repr)


def only(body: dict[str, Any], allowed: set[str], known: set[str]) -> dict[str, Any]:
    """``body`` as it would be had only ``allowed`` symbols been read: rows of other
    symbols dropped, or (once pivoted into columns) their columns."""
    results = []
    for result in body["result"]:
        data = []
        for row in result["data"]:
            if "symbol" in row:
                if row["symbol"] in allowed:
                    data.append(row)
                continue
            kept = {k: v for k, v in row.items() if k not in known or k in allowed}
            if any(kept.get(s) is not None for s in allowed) or not known & set(row):
                data.append(kept)
        results.append({"data": data})
    return {"result": results}


def test_an_analyst_gets_only_entitled_symbols_from_every_chart_on_the_dashboard(
        gov, rule, board, every_symbol):
    dashboard_id, charts = board
    entitled = symbols_where(gov.lakehouse, rule.clause)
    assert entitled and entitled < every_symbol
    analyst, admin = gov.as_role("Analyst"), gov.as_role("Admin")
    assert {c.dataset for c in charts} > set(rule.datasets)  # one chart is not filtered
    for chart in charts:
        mine, all_rows = run(analyst, chart, dashboard_id), run(admin, chart, dashboard_id)
        assert rows(mine), chart.name
        if chart.dataset in rule.datasets:
            assert symbols_in(mine, every_symbol) == entitled, chart.name
            assert symbols_in(all_rows, every_symbol) == every_symbol, chart.name
            assert rows(mine) == rows(only(all_rows, entitled, every_symbol)), chart.name
        else:
            assert rows(mine) == rows(all_rows), chart.name


def test_the_saved_chart_endpoint_filters_the_same_way(gov, rule, board, every_symbol):
    """``GET /chart/{id}/data/`` (the saved query_context alone) for the charts an Analyst
    reaches without the dashboard."""
    entitled = symbols_where(gov.lakehouse, rule.clause)
    analyst = gov.as_role("Analyst")
    direct = [c for c in board[1] if c.dataset in rule.datasets]
    assert direct
    for chart in direct:
        answer = analyst.get(f"chart/{chart.id}/data/", force="true")
        assert answer.status_code == 200, answer.text[:300]
        assert symbols_in(answer.json(), every_symbol) == entitled, chart.name


def test_a_regular_rule_leaves_every_other_role_unfiltered(gov, rule, board, every_symbol):
    dashboard_id, charts = board
    filtered = [c for c in charts if c.dataset in rule.datasets]
    for role in ("Admin", "Developer", "Ops", "Viewer"):
        assert role not in rule.roles
        user = gov.as_role(role)
        for chart in filtered:
            assert symbols_in(run(user, chart, dashboard_id), every_symbol) == every_symbol, (
                role, chart.name)


def test_a_base_rule_filters_everyone_but_its_roles(gov, board, every_symbol, tmp_path):
    tree = copy_tree(gov, tmp_path)
    (tree / "rls" / "base_hide_spy.yaml").write_text(BASE_RULE)
    dashboard_id, charts = board
    volume = next(c for c in charts if c.dataset == "volume_stats")
    gov.apply(tree)
    try:
        seen = {role: symbols_in(run(gov.as_role(role), volume, dashboard_id), every_symbol)
                for role in ("Admin", "Ops", "Developer", "Viewer", "Analyst")}
    finally:
        gov.apply(None, "--prune", "--target", "rls/gov_base_hide_spy")
    assert seen["Admin"] == seen["Ops"] == every_symbol
    assert seen["Developer"] == seen["Viewer"] == every_symbol - {"SPY"}
    assert "SPY" not in seen["Analyst"]
    developer = symbols_in(run(gov.as_role("Developer"), volume, dashboard_id), every_symbol)
    assert developer == every_symbol  # the rule is gone, and so is its filter


def test_a_changed_rule_changes_what_the_analyst_gets_once_applied(gov, rule, board,
                                                                    every_symbol, tmp_path):
    tree = copy_tree(gov, tmp_path)
    path = tree / "rls" / "symbol_entitlement.yaml"
    new_clause = "symbol IN ('TSLA', 'SPY')"
    path.write_text(path.read_text().replace(rule.clause, new_clause))
    dashboard_id, charts = board
    filtered = [c for c in charts if c.dataset in rule.datasets]
    analyst = gov.as_role("Analyst")
    before = {c.name: symbols_in(run(analyst, c, dashboard_id), every_symbol) for c in filtered}

    code, plan = gov.diff(tree)
    assert code == 3
    assert [(c["kind"], c["key"], [(f["path"], f["before"], f["after"]) for f in c["fields"]])
            for c in plan["changes"]] == [("rls", RULE, [("clause", rule.clause, new_clause)])]
    # Nothing changes for the analyst until apply runs.
    assert {c.name: symbols_in(run(analyst, c, dashboard_id), every_symbol)
            for c in filtered} == before
    gov.apply(tree)
    try:
        after = {c.name: symbols_in(run(analyst, c, dashboard_id), every_symbol)
                 for c in filtered}
    finally:
        gov.apply()
    assert symbols_where(gov.lakehouse, new_clause) == {"TSLA", "SPY"}
    assert after == {name: {"TSLA", "SPY"} for name in before}
    entitled = symbols_where(gov.lakehouse, rule.clause)
    assert before == {name: entitled for name in before}
    restored = {c.name: symbols_in(run(analyst, c, dashboard_id), every_symbol) for c in filtered}
    assert restored == before


def copy_tree(gov: Governed, tmp_path: Path) -> Path:
    tree = tmp_path / "assets"
    shutil.copytree(gov.tree, tree)
    return tree
