"""``superset-iac access`` against what each role's user actually reads on a live Superset.

The governance tree (the team's ``assets/`` plus one user per role and the
Admin-only raw control dashboard, ``governance_helpers``) is applied; then
``access`` is run offline and live, and each role's user signs in and tries
every dataset and chart of the tree and every dashboard:

* a dataset the role's grants reach is readable through the dataset API and
  its charts run without a dashboard; one they do not reach is refused;
* a chart sent with a dashboard's id runs exactly where ``access`` says that
  dashboard (dashboard RBAC) or a grant reaches its dataset;
* a dashboard opens exactly where ``access`` says it is reached;
* SQL Lab runs on each table ``access`` lists for the role, and not on the
  raw ticks table it does not.

So what the command shows is what Superset enforces, path by path, and the
live computation agrees with the tree's.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterator

import pytest

from superset_iac import workflow
from superset_iac.access import effective_access
from superset_iac.access.live import AccessContext, read_specs
from tests.integration.conftest import SupersetInstance, start_instance
from tests.integration.governance_helpers import (RAW_DASHBOARD, RAW_TICKS, ROLES, Governed,
                                                   governed, run_cli, sql_body)

REFUSED = (403, 404)
DASHBOARDS = ("lakehouse-analytics", RAW_DASHBOARD)


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[SupersetInstance]:
    """A Superset of this module's own: the governance tree's roles (Analyst,
    Viewer, ...) would otherwise be on the shared instance before the modules
    that create those roles themselves."""
    instance = start_instance(tmp_path_factory.mktemp("access-home"), "base")
    yield instance
    instance.stop()


@pytest.fixture(scope="module")
def gov(server, lakehouse_path, tmp_path_factory) -> Governed:
    return governed(server, lakehouse_path, tmp_path_factory)


def access_json(gov: Governed, source: str, *extra: str) -> dict[str, dict[str, Any]]:
    """``access --format json`` (the connection variables are set either way: only
    ``--env`` makes it read the server)."""
    result = run_cli("access", "--assets", gov.tree, "--format", "json", *extra, env=gov.env)
    assert result.exit_code == 0, result.output[-3000:]
    data = json.loads(result.stdout)
    assert data["source"] == source
    return {r["role"]: r for r in data["roles"]}


@pytest.fixture(scope="module")
def tree_access(gov: Governed) -> dict[str, dict[str, Any]]:
    return access_json(gov, "tree")


@pytest.fixture(scope="module")
def live_access(gov: Governed) -> dict[str, dict[str, Any]]:
    return access_json(gov, "live", "--env", "local")


def _reached(role: dict[str, Any], section: str, *, names: set[str] | None = None,
             via: set[str] | None = None, dashboard: str | None = None) -> set[str]:
    """Names of ``section`` reached by an active path (of ``via``, or of ``dashboard``)."""
    return {entry["name"] for entry in role[section]
            if (names is None or entry["name"] in names)
            and any(p["active"] and (via is None or p["via"] in via)
                    and (dashboard is None or p.get("dashboard") == dashboard)
                    for p in entry["paths"])}


GRANTS = {"dataset", "schema", "catalog", "database", "all"}


def test_live_access_agrees_with_the_tree_on_every_role(gov, tree_access, live_access):
    datasets = set(gov.dataset_ids())
    for role in ROLES:
        tree, live = tree_access[role], live_access[role]
        for section, names in (("datasets", datasets), ("dashboards", set(DASHBOARDS))):
            for via in (GRANTS, {"roles", "admin", "data"}):
                assert _reached(live, section, names=names, via=via) == \
                    _reached(tree, section, names=names, via=via), (role, section, via)
        for slug in DASHBOARDS:  # (other modules' dashboards may name these roles too)
            assert _reached(live, "datasets", names=datasets, dashboard=slug) == \
                _reached(tree, "datasets", names=datasets, dashboard=slug), (role, slug)
        assert live["sql_lab"] == tree["sql_lab"], role
        assert all(p["at"] is None for d in live["datasets"] for p in d["paths"])


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reads_exactly_the_datasets_access_says_its_grants_reach(
        gov, live_access, role):
    user, ids = gov.as_role(role), gov.dataset_ids()
    granted = _reached(live_access[role], "datasets", names=set(ids), via=GRANTS)
    assert granted, role  # every role of the tree is granted something
    for name, dataset_id in ids.items():
        status = user.get(f"dataset/{dataset_id}").status_code
        assert status == (200 if name in granted else 404), (role, name, status)


@pytest.mark.parametrize("role", ROLES)
def test_chart_data_runs_exactly_where_access_says_the_dataset_is_reached(
        gov, live_access, role):
    """Without a dashboard: by the role's grants only. With a dashboard's id: also
    through that dashboard (RBAC), and only there."""
    user, mine = gov.as_role(role), live_access[role]
    granted = _reached(mine, "datasets", via=GRANTS)
    checked: dict[str, int] = {"allowed": 0, "refused": 0}
    for slug in DASHBOARDS:
        dashboard_id, charts = gov.dashboard(slug)
        through = _reached(mine, "datasets", dashboard=slug)
        for chart in charts:
            alone = user.post("chart/data", chart.request(None))
            assert alone.status_code == (200 if chart.dataset in granted else 403), (
                role, chart.name, alone.status_code, alone.text[:300])
            reached = chart.dataset in granted | through
            framed = user.post("chart/data", chart.request(dashboard_id))
            assert framed.status_code == (200 if reached else 403), (
                role, slug, chart.name, framed.status_code, framed.text[:300])
            checked["allowed" if reached else "refused"] += 1
    # the tree exercises both outcomes for every role but Admin, which reads all
    assert checked["allowed"] and (role == "Admin" or checked["refused"]), (role, checked)


@pytest.mark.parametrize("role", ROLES)
def test_dashboards_open_exactly_where_access_says(gov, live_access, role):
    user = gov.as_role(role)
    reached = _reached(live_access[role], "dashboards", names=set(DASHBOARDS))
    for slug in DASHBOARDS:
        status = user.get(f"dashboard/{slug}").status_code
        assert (status == 200) == (slug in reached), (role, slug, status)


@pytest.mark.parametrize("role", ROLES)
def test_sql_lab_reads_the_tables_access_lists_and_not_the_raw_table(gov, live_access, role):
    mine, database_id = live_access[role], gov.database_id()
    user = gov.as_role(role)
    raw = user.post("sqllab/execute/", sql_body(database_id, f"SELECT 1 FROM {RAW_TICKS} LIMIT 1"))
    whole = _reached(mine, "databases", names={"lakehouse"})
    if not mine["sql_lab"]:
        assert raw.status_code == 403 and not mine["tables"], (role, raw.status_code)
        return
    assert (raw.status_code == 200) == bool(whole), (role, raw.status_code, raw.text[:300])
    if not whole:
        assert "TABLE_SECURITY_ACCESS_ERROR" in raw.text, (role, raw.text[:300])
    assert mine["tables"] or whole, role
    for entry in mine["tables"]:
        schema_table = entry["name"].split(".", 1)[1]  # lakehouse.<schema>.<table>
        answer = user.post("sqllab/execute/",
                           sql_body(database_id, f"SELECT 1 FROM {schema_table} LIMIT 1"))
        # Security lets it through; a virtual dataset's name may be no table of the
        # lakehouse, and then the database (not Superset's access check) answers.
        assert answer.status_code == 200 or "TABLE_SECURITY_ACCESS_ERROR" not in answer.text, (
            role, entry["name"], answer.text[:300])


def test_the_live_read_costs_one_detail_per_dashboard_and_never_writes(gov):
    env = {k: v for k, v in gov.env.items() if v is not None}
    loaded = workflow.load(gov.tree, "local", env)
    client = workflow.connect(loaded.env, workflow.Connection())
    specs = read_specs(AccessContext(client=client, env=loaded.env))
    dashboards = client.list("dashboard", columns=["id"])
    details = [r for r in client.requests if re.fullmatch(r"/api/v1/dashboard/\d+", r.path)]
    assert len(details) == len(dashboards) and client.count(("POST", "PUT", "DELETE")) == 0
    assert not [r for r in client.requests if re.fullmatch(r"/api/v1/dataset/\d+", r.path)]
    assert set(effective_access(specs).roles) >= set(ROLES)
