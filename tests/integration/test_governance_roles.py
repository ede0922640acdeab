"""The five roles as their users meet them, through Superset's own API.

A user of each role (``gov_<role>``, declared in the test overlay with a
password of its own) signs in and lists dashboards, datasets and charts: each
list is exactly what the tree gives that role — its ``data_access`` datasets,
the charts on them, the dashboards naming it — and everything else is refused
(404 for an object its filters hide, 403 for an action). Admin sees all.

Then drift made by hand is shown by diff and taken back by apply, as the user
feels it: a dataset granted to a role, a role given to a user, a role taken
off a dashboard. (A permission added to Viewer by hand is
test_apply_security's; it is not repeated here.)
"""

from __future__ import annotations

import pytest

from tests.integration.governance_helpers import (STAND_INS, RAW_DASHBOARD, ROLES, Governed, RoleSession,
                                                   governed_on, sql_body, username)

NON_ADMIN = tuple(r for r in ROLES if r != "Admin")
REFUSED = (403, 404)


@pytest.fixture(scope="module", params=STAND_INS)
def gov(request, tmp_path_factory) -> Governed:
    return governed_on(request, tmp_path_factory)


def datasets_of(gov: Governed, role: str) -> set[str]:
    """The datasets the tree gives ``role``; for Admin, every dataset on the server."""
    if role == "Admin":
        return gov.admin().listed("dataset", "table_name")
    return set(gov.role(role).data_access.datasets)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lists_exactly_the_dashboards_it_is_given(gov, role):
    user = gov.as_role(role)
    listed = user.listed("dashboard", "slug")
    if role == "Admin":
        assert listed == gov.admin().listed("dashboard", "slug")
        assert {"lakehouse-analytics", RAW_DASHBOARD} <= listed
        return
    assert listed == gov.dashboards_for(role) == {"lakehouse-analytics"}
    assert user.get("dashboard/lakehouse-analytics").status_code == 200
    assert user.get(f"dashboard/{RAW_DASHBOARD}").status_code in REFUSED


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lists_exactly_the_datasets_it_is_given(gov, role):
    user = gov.as_role(role)
    mine = datasets_of(gov, role)
    assert user.listed("dataset", "table_name") == mine
    for name, dataset_id in gov.dataset_ids().items():
        status = user.get(f"dataset/{dataset_id}").status_code
        assert status == (200 if name in mine else 404), (name, status)


@pytest.mark.parametrize("role", ROLES)
def test_charts_run_for_a_role_only_on_its_datasets_or_through_its_dashboards(gov, role):
    """Chart data without a dashboard needs the dataset; from a dashboard naming the role
    (DASHBOARD_RBAC) its charts run whatever their dataset; any other dashboard's do not."""
    user = gov.as_role(role)
    mine = datasets_of(gov, role)
    listed = user.listed("chart", "slice_name")
    if role == "Admin":
        assert listed == gov.admin().listed("chart", "slice_name")
    else:
        assert listed == gov.charts_on(mine)
    given = gov.dashboards_for(role)
    for slug in ("lakehouse-analytics", RAW_DASHBOARD):
        dashboard_id, charts = gov.dashboard(slug)
        for chart in charts:
            alone = user.post("chart/data", chart.request(None))
            assert alone.status_code == (200 if chart.dataset in mine else 403), (
                chart.name, alone.status_code, alone.text[:300])
            framed = user.post("chart/data", chart.request(dashboard_id))
            allowed = role == "Admin" or slug in given
            assert framed.status_code == (200 if allowed else 403), (
                slug, chart.name, framed.status_code, framed.text[:300])


@pytest.mark.parametrize("role", ROLES)
def test_only_roles_given_sql_lab_may_run_sql(gov, role):
    database_id = gov.database_id()
    answer = gov.as_role(role).post("sqllab/execute/", sql_body(database_id, "SELECT 1 AS one"))
    if role == "Admin" or "sql_lab" in gov.role(role).extends:
        assert answer.status_code == 200, answer.text[:300]
        assert answer.json()["data"] == [{"one": 1}]
    else:
        assert answer.status_code == 403, answer.text[:300]


@pytest.mark.parametrize("role", NON_ADMIN)
def test_no_role_outside_raw_access_may_create_a_dataset(gov, role):
    """Owning a dataset grants its data: a role that could create one on the raw table
    would read the PII the views mask. None of the tree's roles may."""
    answer = gov.as_role(role).post("dataset/", {
        "database": gov.database_id(), "schema": "option_ticks_db",
        "table_name": "bronze_option_ticks", "sql": "SELECT account_id FROM "
        "option_ticks_db.bronze_option_ticks"})
    assert answer.status_code == 403, answer.text[:300]


@pytest.mark.parametrize("role", ROLES)
def test_only_admin_administers_roles_users_and_row_level_security(gov, role):
    user = gov.as_role(role)
    for path in ("security/roles/", "security/users/", "rowlevelsecurity/"):
        status = user.get(path).status_code
        assert status == (200 if role == "Admin" else 403), (path, status)


# -- drift made by hand, as the user meets it -------------------------------------------


def test_a_dataset_granted_by_hand_is_drift_that_apply_takes_back(gov):
    admin = gov.admin()
    analyst = gov.as_role("Analyst")
    assert "bronze_option_ticks" not in analyst.listed("dataset", "table_name")
    role = _role_row(admin, "Analyst")
    raw_access = _pvm_id(admin, "datasource_access",
                         f"[{gov.raw_database}].[bronze_option_ticks](id:")
    _set_permissions(admin, role["id"], role["permission_ids"] + [raw_access])
    assert "bronze_option_ticks" in gov.as_role("Analyst").listed("dataset", "table_name")

    code, plan = gov.diff()
    assert code == 3
    assert [(c["action"], c["kind"], c["key"]) for c in plan["changes"]] == [
        ("update", "role", "Analyst")]
    (field,) = plan["changes"][0]["fields"]
    assert field["path"] == "data_access.datasets"
    assert set(field["before"]) - set(field["after"]) == {"bronze_option_ticks"}
    gov.apply()
    assert "bronze_option_ticks" not in gov.as_role("Analyst").listed("dataset", "table_name")
    assert gov.diff()[0] == 0


def test_a_role_given_to_a_user_by_hand_is_drift_that_apply_takes_back(gov):
    admin = gov.admin()
    user = _user_row(admin, username("Viewer"))
    roles = {r["name"]: r["id"] for r in _all(admin, "security/roles/")}
    _put_user_roles(admin, user["id"], [roles["Viewer"], roles["Admin"]])
    assert gov.as_role("Viewer").get("security/users/").status_code == 200  # an admin now

    code, plan = gov.diff()
    assert code == 3
    assert [(c["kind"], c["key"], [(f["path"], f["before"], f["after"]) for f in c["fields"]])
            for c in plan["changes"]] == [
        ("user", username("Viewer"), [("roles", ["Admin", "Viewer"], ["Viewer"])])]
    gov.apply()
    assert gov.as_role("Viewer").get("security/users/").status_code == 403
    assert gov.diff()[0] == 0


def test_a_role_taken_off_a_dashboard_by_hand_is_drift_that_apply_gives_back(gov):
    admin = gov.admin()
    dashboard = admin.get("dashboard/lakehouse-analytics").json()["result"]
    kept = [r["id"] for r in dashboard["roles"] if r["name"] != "Ops"]
    answer = admin.put(f"dashboard/{dashboard['id']}", {"roles": kept})
    assert answer.status_code == 200, answer.text[:300]
    ops = gov.as_role("Ops")
    assert "lakehouse-analytics" not in ops.listed("dashboard", "slug")

    code, plan = gov.diff()
    assert code == 3
    (change,) = plan["changes"]
    assert (change["kind"], change["key"]) == ("dashboard", "lakehouse-analytics")
    assert [(f["path"], sorted(set(f["after"]) - set(f["before"]))) for f in change["fields"]] == [
        ("roles", ["Ops"])]
    gov.apply()
    assert "lakehouse-analytics" in gov.as_role("Ops").listed("dashboard", "slug")
    assert gov.diff()[0] == 0


# -- helpers -----------------------------------------------------------------------------


def _all(admin: RoleSession, path: str) -> list[dict]:
    rows: list[dict] = []
    while True:
        body = admin.get(path, q=f"(page:{len(rows) // 100},page_size:100)").json()
        rows += body["result"]
        if not body["result"] or len(rows) >= body["count"]:
            return rows


def _role_row(admin: RoleSession, name: str) -> dict:
    return next(r for r in _all(admin, "security/roles/search/") if r["name"] == name)


def _user_row(admin: RoleSession, name: str) -> dict:
    return next(u for u in _all(admin, "security/users/") if u["username"] == name)


def _pvm_id(admin: RoleSession, permission: str, resource_prefix: str) -> int:
    return next(p["id"] for p in _all(admin, "security/permissions-resources/")
                if p["permission"]["name"] == permission
                and p["view_menu"]["name"].startswith(resource_prefix))


def _set_permissions(admin: RoleSession, role_id: int, ids: list[int]) -> None:
    answer = admin.post(f"security/roles/{role_id}/permissions",
                        {"permission_view_menu_ids": ids})
    assert answer.status_code == 200, answer.text[:300]


def _put_user_roles(admin: RoleSession, user_id: int, role_ids: list[int]) -> None:
    answer = admin.put(f"security/users/{user_id}", {"roles": role_ids})
    assert answer.status_code == 200, answer.text[:300]
