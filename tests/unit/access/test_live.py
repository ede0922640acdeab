"""The live read of ``access``: the handlers against a ``responses`` Superset.

One dataset list (no dataset detail), one chart list, the roles with their
permission sets, one detail per database and per dashboard; then the computation on what was
read. The hand-made dashboard (not in any tree) and the role's grant by id
come back as names.
"""

from __future__ import annotations

import json
from typing import Iterator

import pytest
import responses

from superset_iac.access import Via, effective_access
from superset_iac.access.live import read_specs
from superset_iac.kinds.base import Context
from superset_iac.superset import SupersetClient

BASE = "http://superset.test"
API = f"{BASE}/api/v1"
PVMS = [(1, "can_read", "Dashboard"), (2, "can_read", "Chart"),
        (3, "datasource_access", "[lake].[logs](id:7)"), (4, "can_read", "Dataset"),
        (5, "all_datasource_access", "all_datasource_access"), (6, "catalog_access", "[lake].[hive]")]
ROLES = [{"id": 1, "name": "Admin", "permission_ids": [1, 2, 3, 4, 5]},
         {"id": 2, "name": "Gamma", "permission_ids": [1, 2, 4]},
         {"id": 3, "name": "Ops", "permission_ids": [1, 2, 4, 3]},
         {"id": 4, "name": "Lake", "permission_ids": [1, 2, 4, 6]}]
POSITION = {"ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
            "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": ["ROW-1"]},
            "ROW-1": {"type": "ROW", "id": "ROW-1", "children": ["CHART-1"],
                      "meta": {"background": "BACKGROUND_TRANSPARENT"}},
            "CHART-1": {"type": "CHART", "id": "CHART-1", "children": [],
                        "meta": {"chartId": 11, "width": 4, "height": 50, "sliceName": "Price"}}}


def page(rows: list[dict]) -> dict:
    return {"count": len(rows), "result": rows}


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as mock:
        yield mock


def test_live_state_is_read_once_per_list_and_once_per_dashboard(rsps) -> None:
    rsps.add("GET", f"{API}/database/", json=page([{"id": 3, "uuid": "u3", "database_name": "lake"}]))
    rsps.add("GET", f"{API}/database/3/connection", json={"result": {
        "id": 3, "database_name": "lake", "sqlalchemy_uri": "trino://u@trino:8080/hive"}})
    rsps.add("GET", f"{API}/dataset/", json=page([
        {"id": 7, "uuid": "u7", "table_name": "logs", "database": {"database_name": "lake"},
         "schema": "ops", "sql": None},
        {"id": 8, "uuid": "u8", "table_name": "ticks", "database": {"database_name": "lake"},
         "schema": "market", "sql": None}]))
    rsps.add("GET", f"{API}/chart/", json=page([
        {"id": 11, "uuid": "u11", "slice_name": "Price", "viz_type": "table", "params": "{}",
         "datasource_id": 8, "datasource_type": "table", "table": {"table_name": "ticks"}}]))
    rsps.add("GET", f"{API}/security/roles/search/", json=page(ROLES))
    rsps.add("GET", f"{API}/security/permissions-resources/", json=page(
        [{"id": i, "permission": {"name": p}, "view_menu": {"name": v}} for i, p, v in PVMS]))
    rsps.add("GET", f"{API}/dashboard/", json=page([
        {"id": 5, "uuid": "u5", "dashboard_title": "Made by hand", "slug": "by-hand",
         "published": True, "roles": [{"id": 3, "name": "Ops"}], "owners": []}]))
    rsps.add("GET", f"{API}/dashboard/5", json={"result": {
        "id": 5, "dashboard_title": "Made by hand", "slug": "by-hand", "published": True,
        "roles": [{"id": 3, "name": "Ops"}], "owners": [], "json_metadata": "{}",
        "position_json": json.dumps(POSITION)}})
    client = SupersetClient(BASE, access_token="unit-test-token", retries=0)

    roles = effective_access(read_specs(Context(client=client))).roles
    found = roles["Ops"]

    assert {k: [p.via for p in v] for k, v in found.datasets.items()} == {
        "logs": [Via.DATASET], "ticks": [Via.DASHBOARD]}
    assert found.datasets["ticks"][0].dashboard == "by-hand" and not found.granted("ticks")
    assert [p.via for p in found.dashboards["by-hand"]] == [Via.ROLES]
    # the catalog the database's URI names is the datasets' catalog
    assert {k: [p.via for p in v] for k, v in roles["Lake"].datasets.items()} == {
        "logs": [Via.CATALOG], "ticks": [Via.CATALOG]}
    assert client.count("GET") == 8 and client.count(("POST", "PUT", "DELETE")) == 0
