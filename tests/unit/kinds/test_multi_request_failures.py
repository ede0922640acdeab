"""Failures injected between the requests of one change (``responses``).

What each leaves is written in the handlers' docstrings: an update that is
one request leaves the object as it was; a create of several requests
deletes the new object when a later one fails (``kinds/rollback.py``).
"""

import json

import pytest
from responses import matchers

from superset_iac.kinds.dashboard import DashboardHandler
from superset_iac.kinds.rest import WriteFailed
from superset_iac.kinds.rls import RlsHandler
from superset_iac.kinds.role import RoleHandler
from superset_iac.model.rls import RlsRule
from superset_iac.model.role import Role
from superset_iac.plan.diff import compare
from superset_iac.plan.model import LiveObject
from superset_iac.superset.errors import ApiError
from tests.unit.kinds import test_dashboard as dash
from tests.unit.kinds import test_role as role
from tests.unit.kinds.conftest import API, paths


@pytest.fixture
def ids() -> dict:
    """The dashboard tests' ids and the role tests' ones."""
    return {"dataset": {"ticks": 7}, "database": {"lake": 3}, "chart": {"Price": 10, "Volume": 11},
            "role": {"Viewer": 5}}


@pytest.fixture
def ctx(ctx):
    ctx.cache.chart_names = {"Price": "Price", "Volume": "Volume"}  # as the chart read leaves them
    return ctx


def writes(rsps) -> list[tuple[str, str]]:
    return [p for p in paths(rsps) if p[0] != "GET"]


# -- dashboards --------------------------------------------------------------------

def test_a_dashboard_whose_put_fails_after_its_post_is_deleted_again(rsps, csrf, ctx):
    rsps.add("POST", f"{API}/dashboard/", json={"id": 8, "result": {}})
    rsps.add("PUT", f"{API}/dashboard/8", status=422,
             json={"message": {"json_metadata": ["Not a valid JSON."]}})
    rsps.add("DELETE", f"{API}/dashboard/8", json={"message": "OK"})

    with pytest.raises(WriteFailed) as err:
        DashboardHandler().create(ctx, dash.spec())

    assert str(err.value) == (
        "dashboard 'lakehouse' was created, but its charts and layout could not be set: "
        "PUT /api/v1/dashboard/8 → 422: json_metadata: Not a valid JSON.; it was removed again, "
        "nothing is left")
    assert writes(rsps) == [("POST", "/api/v1/dashboard/"), ("PUT", "/api/v1/dashboard/8"),
                            ("DELETE", "/api/v1/dashboard/8")]
    assert ctx.ids.key("dashboard", 8) is None


def test_a_dashboard_that_cannot_be_removed_again_says_the_next_apply_finishes_it(rsps, csrf, ctx):
    rsps.add("POST", f"{API}/dashboard/", json={"id": 8, "result": {}})
    rsps.add("PUT", f"{API}/dashboard/8", status=500, json={"message": "Fatal error"})
    rsps.add("DELETE", f"{API}/dashboard/8", status=403, json={"message": "Forbidden"})
    with pytest.raises(WriteFailed, match=r"Fatal error; removing it again failed too \(DELETE "
                                          r"/api/v1/dashboard/8 → 403: Forbidden\): the next "
                                          r"apply finishes it$"):
        DashboardHandler().create(ctx, dash.spec())


def test_a_dashboard_update_is_one_put(rsps, csrf, ctx):
    rsps.add("PUT", f"{API}/dashboard/8", status=500, json={"message": "Fatal error"})
    detail = dash.applied_detail(ctx, dash.spec(title="Old"))
    live = LiveObject(DashboardHandler().to_spec(ctx, detail), 8, True, detail)
    with pytest.raises(ApiError):
        DashboardHandler().update(ctx, compare(dash.spec(), live))
    sent = json.loads(rsps.calls[1].request.body)
    assert {"dashboard_title", "position_json", "json_metadata", "owners", "roles"} <= set(sent)
    assert writes(rsps) == [("PUT", "/api/v1/dashboard/8")]


# -- roles ---------------------------------------------------------------------------

S = f"{API}/security"


def test_a_role_whose_permissions_fail_is_deleted_with_its_marker(rsps, csrf, ctx):
    role.serve(rsps, pvms=role.PVMS + [(60, "database_access", "superset-iac://role/Viewer")])
    handler = RoleHandler()
    handler.read(ctx)
    spec = Role.model_validate({"name": "Viewer", "permissions": {"Dashboard": ["can_read"]}})
    rsps.add("POST", f"{S}/roles/", json={"id": 9, "result": {}}, status=201)
    rsps.add("POST", f"{S}/roles/9/permissions", status=500, json={"message": "Fatal error"})
    rsps.add("DELETE", f"{S}/roles/9", json={"message": "OK"})
    rsps.add("DELETE", f"{S}/permissions-resources/60", json={"message": "OK"})
    rsps.add("GET", f"{S}/resources/", json={"count": 1, "result": [
        {"id": 50, "name": "superset-iac://role/Viewer"}]})
    rsps.add("DELETE", f"{S}/resources/50", json={"message": "OK"})

    with pytest.raises(WriteFailed) as err:
        handler.create(ctx, spec)

    assert str(err.value) == (
        "role 'Viewer' was created, but its permissions could not be set: POST "
        "/api/v1/security/roles/9/permissions → 500: Fatal error; it was removed again, "
        "nothing is left")
    assert writes(rsps) == [
        ("POST", "/api/v1/security/roles/"), ("POST", "/api/v1/security/roles/9/permissions"),
        ("DELETE", "/api/v1/security/roles/9"), ("DELETE", "/api/v1/security/permissions-resources/60"),
        ("DELETE", "/api/v1/security/resources/50")]


def test_a_role_update_whose_marker_fails_half_way_changes_nothing_and_converges(rsps, csrf, ctx):
    name, held = role.ANALYST_LIVE
    role.serve(rsps, [(name, [i for i in held if i not in (9, 11)])],  # no marker yet, drifted
               pvms=[p for p in role.PVMS if p[0] != 11])
    handler = RoleHandler()
    change = compare(Role.model_validate(role.ANALYST), handler.read(ctx)["Analyst"])
    rsps.add("GET", f"{S}/resources/", json={"count": 0, "result": []})
    rsps.add("POST", f"{S}/resources/", json={"id": 50, "result": {}}, status=201)
    rsps.add("GET", f"{S}/permissions/", json={"count": 1, "result": [{"id": 89, "name": "database_access"}]})
    rsps.add("POST", f"{S}/permissions-resources/", status=500, json={"message": "Fatal error"})
    with pytest.raises(ApiError):
        handler.update(ctx, change)
    assert ("POST", "/api/v1/security/roles/6/permissions") not in writes(rsps)

    # The rerun finds the resource made before the failure and creates only the pvm.
    rsps.replace("GET", f"{S}/resources/", json={"count": 1, "result": [
        {"id": 50, "name": "superset-iac://role/Analyst"}]})
    rsps.replace("POST", f"{S}/permissions-resources/",
                 match=[matchers.json_params_matcher({"permission_id": 89, "view_menu_id": 50})],
                 json={"id": 61, "result": {}}, status=201)
    rsps.add("POST", f"{S}/roles/6/permissions", json={"result": {}})
    before = len(writes(rsps))
    handler.update(ctx, change)
    assert writes(rsps)[before:] == [("POST", "/api/v1/security/permissions-resources/"),
                                     ("POST", "/api/v1/security/roles/6/permissions")]
    assert 61 in json.loads(rsps.calls[-1].request.body)["permission_view_menu_ids"]


# -- RLS -------------------------------------------------------------------------------

def test_an_rls_update_is_one_put_with_the_whole_rule(rsps, csrf, ctx):
    rsps.add("PUT", f"{API}/rowlevelsecurity/3", status=422, json={"message": {"roles": ["bad"]}})
    ctx.ids.set("role", "Analyst", 6)
    spec = RlsRule.model_validate({"name": "r", "filter_type": "Regular", "datasets": ["ticks"],
                                   "roles": ["Analyst"], "clause": "symbol = 'A'"})
    live = LiveObject(RlsRule.model_validate({**spec.model_dump(), "clause": "1 = 1"}), 3, True)
    with pytest.raises(ApiError):
        RlsHandler().update(ctx, compare(spec, live))
    sent = json.loads(rsps.calls[1].request.body)
    assert set(sent) == {"name", "filter_type", "tables", "roles", "group_key", "clause", "description"}
    assert writes(rsps) == [("PUT", "/api/v1/rowlevelsecurity/3")]
