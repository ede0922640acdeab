"""Roles: canonical forms (pure), and the handler against ``responses`` mocks.

The mocked server is a tiny Superset: a handful of permission/resource pairs
in the shapes 6.1 answers (``/security/permissions-resources/`` rows carry
both names; ``/security/roles/search/`` rows carry ``permission_ids``).
"""

import json
from urllib.parse import unquote

import pytest
from pydantic import ValidationError
from responses import matchers

from superset_iac.kinds import permissions as perms
from superset_iac.kinds.role import RoleError, RoleHandler, infer_extends
from superset_iac.model.role import Role, schema_entry, schema_resource
from superset_iac.plan.diff import compare
from superset_iac.plan.model import Action, Change
from tests.unit.kinds.conftest import API as V1

API = f"{V1}/security"
PVMS = [
    (1, "can_read", "Dashboard"), (2, "can_write", "Dashboard"), (3, "can_read", "Chart"),
    (4, "can_write", "Chart"), (5, "can_sqllab", "Superset"), (6, "menu_access", "SQL Lab"),
    (7, "datasource_access", "[lake].[ticks](id:7)"), (8, "database_access", "[lake].(id:3)"),
    (9, "schema_access", "[lake].[option_ticks_db]"), (10, "can_read", "Dataset"),
    (11, "database_access", "superset-iac://role/Analyst"), (12, "can_write", "Dataset"),
    (13, "schema_access", "[lake].[hive_prod].[logs_db]"), (14, "catalog_access", "[lake].[hive_prod]"),
    (15, "datasource_access", "[lake].[other](id:99)"), (16, "can_write", "Role"),
]
BUILTINS = {"Admin": [1, 2, 3, 4, 5, 6, 10, 12, 16], "Public": [], "Alpha": [1, 2, 3, 4, 10, 12],
            "Gamma": [1, 3, 10], "sql_lab": [5, 6]}
GAMMA_SQL_LAB = [1, 3, 10, 5, 6]


def pvm_rows(pvms=PVMS):
    return [{"id": i, "permission": {"name": p}, "view_menu": {"name": v}} for i, p, v in pvms]


def role_rows(extra=()):
    rows = [{"id": n, "name": name, "permission_ids": ids, "user_ids": [], "group_ids": []}
            for n, (name, ids) in enumerate(BUILTINS.items(), start=1)]
    return rows + [{"id": 6 + n, "name": name, "permission_ids": ids, "user_ids": [], "group_ids": []}
                   for n, (name, ids) in enumerate(extra)]


ANALYST_LIVE = ("Analyst", GAMMA_SQL_LAB + [7, 9, 11])
ANALYST = {"name": "Analyst", "extends": ["sql_lab", "Gamma"],
           "data_access": {"datasets": ["ticks"], "schemas": ["lake.option_ticks_db"]}}


@pytest.fixture
def ids() -> dict:
    return {"dataset": {"ticks": 7}, "database": {"lake": 3}}


def serve(rsps, roles=(), pvms=PVMS):
    rsps.add("GET", f"{API}/roles/search/", json={"count": 5 + len(roles), "result": role_rows(roles)})
    rsps.add("GET", f"{API}/permissions-resources/", json={"count": len(pvms), "result": pvm_rows(pvms)})


# -- pure: canonical forms ---------------------------------------------------

def test_compared_is_order_free_and_drops_empty_resources():
    a = Role.model_validate({"name": "R", "extends": ["sql_lab", "Gamma", "Gamma"],
                             "permissions": {"Chart": ["can_write", "can_read"], "Tag": []},
                             "data_access": {"datasets": ["b", "a"]}})
    b = Role.model_validate({"name": "R", "extends": ["Gamma", "sql_lab"],
                             "permissions": {"Chart": ["can_read", "can_write"]},
                             "data_access": {"datasets": ["a", "b"]}, "description": "docs only"})
    assert a.compared() == b.compared()
    assert a.compared() == {"name": "R", "extends": ["Gamma", "sql_lab"],
                            "permissions": {"Chart": ["can_read", "can_write"]},
                            "data_access": {"datasets": ["a", "b"], "databases": [], "schemas": []}}


def test_builtin_role_may_only_restate_itself():
    assert Role.model_validate({"name": "Admin", "extends": ["Admin"]}).builtin
    for bad in ({"name": "Admin"}, {"name": "Gamma", "extends": ["Gamma"], "permissions": {"Chart": ["can_read"]}},
                {"name": "Alpha", "extends": ["Gamma"]}):
        with pytest.raises(ValidationError, match="built-in role owned by Superset"):
            Role.model_validate(bad)


@pytest.mark.parametrize("spec, message", [
    ({"name": "R", "extends": ["Public"]}, "extends only built-in roles"),
    ({"name": "R", "extends": ["Viewer"]}, "extends only built-in roles"),
    ({"name": "R", "extends": ["R"]}, "extends only built-in roles"),
    ({"name": "R", "permissions": {"[lake].[ticks](id:7)": ["datasource_access"]}}, "embeds a server id"),
    ({"name": "R", "permissions": {"[lake].[s]": ["schema_access"]}}, "written under data_access"),
    ({"name": "R", "data_access": {"schemas": ["nodot"]}}, "must be database.schema"),
])
def test_offline_checks(spec, message):
    with pytest.raises(ValidationError, match=message):
        Role.model_validate(spec)


def test_schema_entries_round_trip():
    for entry, resource in [("lake.option_ticks_db", "[lake].[option_ticks_db]"),
                            ("mine.lake.main", "[mine].[lake.main]"),
                            ("[lake].[hive_prod].[logs_db]", "[lake].[hive_prod].[logs_db]")]:
        assert schema_resource(entry) == resource
        assert schema_entry(resource) == entry


def test_refs_name_the_database_of_schema_entries():
    role = Role.model_validate({"name": "R", "data_access": {
        "schemas": ["lake.s", "[wh].[cat].[s]"], "datasets": ["ticks"]}})
    assert [(r.kind, r.key) for r in role.refs()] == [("dataset", "ticks"), ("database", "lake"),
                                                      ("database", "wh")]


def test_infer_extends_keeps_only_outermost_builtins():
    sets = {name: set(ids) for name, ids in BUILTINS.items()}
    assert infer_extends(set(GAMMA_SQL_LAB) | {7}, sets) == ["Gamma", "sql_lab"]
    assert infer_extends(set(BUILTINS["Alpha"]) | {5, 6}, sets) == ["Alpha", "sql_lab"]
    assert infer_extends(set(BUILTINS["Admin"]), sets) == ["Admin"]
    assert infer_extends({1, 3}, sets) == []  # Public (empty) is never inferred
    equal = {**sets, "sql_lab": set(sets["Gamma"])}
    assert infer_extends(set(BUILTINS["Gamma"]), equal) == ["Gamma"]  # ties: first in order


# -- reading -------------------------------------------------------------------

def test_read_costs_two_requests_and_subtracts_extends(rsps, ctx):
    serve(rsps, [ANALYST_LIVE, ("Handmade", [1, 3, 4, 14, 15])])
    live = RoleHandler().read(ctx)

    assert len(rsps.calls) == 2
    assert "order_column:id" in unquote(rsps.calls[1].request.url)
    analyst = live["Analyst"]
    assert analyst.managed and analyst.id == 6 and ctx.ids.id("role", "Analyst") == 6
    assert analyst.spec.compared() == Role.model_validate(ANALYST).compared()
    assert compare(Role.model_validate(ANALYST), analyst) is None
    hand = live["Handmade"]
    assert not hand.managed
    assert hand.spec.compared()["permissions"] == {
        "Chart": ["can_read", "can_write"], "Dashboard": ["can_read"],
        "[lake].[hive_prod]": ["catalog_access"],
        "[lake].[other](id:99)": ["datasource_access"]}  # a dataset this run does not know
    for name in ("Admin", "Alpha", "Gamma", "sql_lab", "Public"):
        assert not live[name].managed
        assert live[name].spec.compared()["extends"] == [name]


def test_permission_added_by_hand_is_exactly_the_drift(rsps, ctx):
    name, ids = ANALYST_LIVE
    serve(rsps, [(name, ids + [12])])
    change = compare(Role.model_validate(ANALYST), RoleHandler().read(ctx)["Analyst"])
    assert change.action is Action.UPDATE
    assert [f.to_dict() for f in change.fields] == [
        {"path": "permissions.Dataset", "before": ["can_write"], "after": None}]


def test_missing_builtin_permission_shows_as_lost_extends(rsps, ctx):
    # Gamma gained pvm 12 (a Superset upgrade + superset init): Analyst no longer holds it whole.
    rows = role_rows([ANALYST_LIVE])
    rows[3]["permission_ids"] = BUILTINS["Gamma"] + [12]
    rsps.add("GET", f"{API}/roles/search/", json={"count": len(rows), "result": rows})
    rsps.add("GET", f"{API}/permissions-resources/", json={"count": len(PVMS), "result": pvm_rows()})
    change = compare(Role.model_validate(ANALYST), RoleHandler().read(ctx)["Analyst"])
    assert {f.path for f in change.fields} == {"extends", "permissions.Chart",
                                               "permissions.Dashboard", "permissions.Dataset"}


def test_read_falls_back_to_per_role_reads_without_search(rsps, ctx):
    rsps.add("GET", f"{API}/roles/search/", status=404, json={"message": "Not found"})
    rsps.add("GET", f"{API}/roles/", json={"count": 2, "result": [{"id": 4, "name": "Gamma"},
                                                                  {"id": 6, "name": "Analyst"}]})
    rsps.add("GET", f"{API}/roles/4/permissions/", json={"result": [
        {"id": i, "permission_name": "x", "view_menu_name": "y"} for i in BUILTINS["Gamma"]]})
    rsps.add("GET", f"{API}/roles/6/permissions/", json={"result": [
        {"id": i, "permission_name": "x", "view_menu_name": "y"} for i in BUILTINS["Gamma"] + [7, 11]]})
    rsps.add("GET", f"{API}/permissions-resources/", json={"count": len(PVMS), "result": pvm_rows()})
    live = RoleHandler().read(ctx)
    assert live["Analyst"].managed
    assert live["Analyst"].spec.compared()["extends"] == ["Gamma"]
    assert live["Analyst"].spec.compared()["data_access"]["datasets"] == ["ticks"]


# -- writing -------------------------------------------------------------------

def test_create_resolves_everything_then_writes_the_set_with_its_marker(rsps, csrf, ctx):
    serve(rsps)
    handler = RoleHandler()
    handler.read(ctx)
    spec = Role.model_validate({"name": "Viewer", "permissions": {"Dashboard": ["can_read"], "Chart": ["can_read"]},
                                "data_access": {"datasets": ["ticks"], "databases": ["lake"]}})
    rsps.add("POST", f"{API}/roles/", match=[matchers.json_params_matcher({"name": "Viewer"})],
             json={"id": 9, "result": {"name": "Viewer"}}, status=201)
    rsps.add("GET", f"{API}/resources/", json={"count": 0, "result": []})
    rsps.add("POST", f"{API}/resources/",
             match=[matchers.json_params_matcher({"name": "superset-iac://role/Viewer"})],
             json={"id": 50, "result": {}}, status=201)
    rsps.add("GET", f"{API}/permissions/", json={"count": 1, "result": [{"id": 89, "name": "database_access"}]})
    rsps.add("POST", f"{API}/permissions-resources/",
             match=[matchers.json_params_matcher({"permission_id": 89, "view_menu_id": 50})],
             json={"id": 60, "result": {}}, status=201)
    rsps.add("POST", f"{API}/roles/9/permissions",
             match=[matchers.json_params_matcher({"permission_view_menu_ids": [1, 3, 7, 8, 60]})],
             json={"result": {}})

    assert handler.create(ctx, spec) == 9
    assert ctx.ids.id("role", "Viewer") == 9
    assert "filters:!((col:name,opr:eq,value:'superset-iac://role/Viewer'))" in unquote(
        rsps.calls[4].request.url)


def test_a_role_another_run_created_meanwhile_is_adopted_and_given_its_permissions(rsps, csrf, ctx):
    """Two applies at once on PostgreSQL: the second POST of the name fails on
    the unique constraint (FAB answers 500); the role is found by name and
    the same permission set written, never a second role or a failure."""
    serve(rsps)
    handler = RoleHandler()
    handler.read(ctx)
    spec = Role.model_validate({"name": "Viewer", "permissions": {"Dashboard": ["can_read"]}})
    rsps.add("POST", f"{API}/roles/", status=500, json={"message": "Fatal error"})
    rsps.add("GET", f"{API}/roles/", json={"count": 2, "result": [
        {"id": 3, "name": "Gamma"}, {"id": 12, "name": "Viewer"}]})
    rsps.add("GET", f"{API}/resources/", json={"count": 0, "result": []})
    rsps.add("POST", f"{API}/resources/", json={"id": 50, "result": {}}, status=201)
    rsps.add("GET", f"{API}/permissions/", json={"count": 1, "result": [{"id": 89, "name": "database_access"}]})
    rsps.add("POST", f"{API}/permissions-resources/", json={"id": 60, "result": {}}, status=201)
    rsps.add("POST", f"{API}/roles/12/permissions",
             match=[matchers.json_params_matcher({"permission_view_menu_ids": [1, 60]})],
             json={"result": {}})

    assert handler.create(ctx, spec) == 12
    assert ctx.cache.notes["role/Viewer"].startswith("created meanwhile by another run")


def test_a_refused_role_create_that_did_not_land_is_the_refusal(rsps, csrf, ctx):
    serve(rsps)
    handler = RoleHandler()
    handler.read(ctx)
    spec = Role.model_validate({"name": "Viewer", "permissions": {"Dashboard": ["can_read"]}})
    rsps.add("POST", f"{API}/roles/", status=500, json={"message": "Fatal error"})
    rsps.add("GET", f"{API}/roles/", json={"count": 1, "result": [{"id": 3, "name": "Gamma"}]})
    with pytest.raises(Exception, match="500: Fatal error"):
        handler.create(ctx, spec)


def test_update_replaces_the_whole_set_in_one_write(rsps, csrf, ctx):
    name, ids = ANALYST_LIVE
    serve(rsps, [(name, ids + [12])])
    handler = RoleHandler()
    change = compare(Role.model_validate(ANALYST), handler.read(ctx)["Analyst"])
    rsps.add("POST", f"{API}/roles/6/permissions",
             match=[matchers.json_params_matcher({"permission_view_menu_ids": [1, 3, 5, 6, 7, 9, 10, 11]})],
             json={"result": {}})
    handler.update(ctx, change)
    assert [c.request.method for c in rsps.calls] == ["GET", "GET", "GET", "POST"]


def test_dataset_created_this_run_is_found_after_one_refresh(rsps, ctx):
    serve(rsps, [ANALYST_LIVE])
    handler = RoleHandler()
    handler.read(ctx)
    ctx.ids.set("dataset", "fresh", 21)
    rsps.add("GET", f"{API}/permissions-resources/", json={"count": len(PVMS) + 1, "result": pvm_rows(
        PVMS + [(30, "datasource_access", "[lake].[fresh](id:21)")])})
    spec = Role.model_validate({**ANALYST, "data_access": {"datasets": ["ticks", "fresh"]}})
    assert handler.desired_ids(ctx, spec) == {1, 3, 5, 6, 7, 10, 30}


def test_unknown_permissions_are_named_and_nothing_is_written(rsps, ctx):
    serve(rsps)
    handler = RoleHandler()
    handler.read(ctx)
    rsps.add("GET", f"{API}/permissions-resources/", json={"count": len(PVMS), "result": pvm_rows()})
    spec = Role.model_validate({"name": "Bad", "permissions": {"Dashbaord": ["can_read"], "Chart": ["can_fly"]}})
    with pytest.raises(perms.UnknownPermission) as err:
        handler.create(ctx, spec)
    assert str(err.value) == ("permission 'can_fly' on 'Chart' does not exist (it has: can_read, "
                              "can_write); resource 'Dashbaord' does not exist in this Superset "
                              "(did you mean 'Dashboard'?)")
    assert all(c.request.method == "GET" for c in rsps.calls)


def test_unknown_dataset_is_named(rsps, ctx):
    serve(rsps)
    handler = RoleHandler()
    handler.read(ctx)
    with pytest.raises(Exception, match="dataset 'nope' does not exist on the server"):
        handler.desired_ids(ctx, Role.model_validate({"name": "R", "data_access": {"datasets": ["nope"]}}))


@pytest.mark.parametrize("spec, message", [
    ({"name": "R", "extends": ["Alpha", "Gamma"]}, r"would read back as 'extends: \[Alpha\]'"),
    ({"name": "R", "extends": ["Gamma"], "permissions": {"Dashboard": ["can_read"]}},
     "Dashboard.can_read already come from extends"),
    ({"name": "R", "permissions": {"Superset": ["can_sqllab"], "SQL Lab": ["menu_access"]}},
     r"would read back as 'extends: \[sql_lab\]'"),
])
def test_specs_that_would_not_read_back_are_refused(rsps, ctx, spec, message):
    serve(rsps)
    handler = RoleHandler()
    handler.read(ctx)
    with pytest.raises(RoleError, match=message):
        handler.desired_ids(ctx, Role.model_validate(spec))


def test_builtin_roles_are_never_written(rsps, ctx):
    serve(rsps)
    handler = RoleHandler()
    live = handler.read(ctx)
    admin = Role.model_validate({"name": "Admin", "extends": ["Admin"]})
    assert compare(admin, live["Admin"]) is None
    with pytest.raises(RoleError, match="never rewrites"):
        handler.update(ctx, Change(Action.UPDATE, "role", "Admin", desired=admin, live=live["Admin"]))
    with pytest.raises(RoleError, match="never deleted"):
        handler.delete(ctx, live["Admin"])
    assert len(rsps.calls) == 2


def test_delete_removes_the_role_then_its_marker(rsps, csrf, ctx):
    serve(rsps, [ANALYST_LIVE])
    handler = RoleHandler()
    live = handler.read(ctx)
    rsps.add("DELETE", f"{API}/roles/6", json={"message": "OK"})
    rsps.add("DELETE", f"{API}/permissions-resources/11", json={"message": "OK"})
    rsps.add("GET", f"{API}/resources/", json={"count": 1, "result": [{"id": 40, "name": "superset-iac://role/Analyst"}]})
    rsps.add("DELETE", f"{API}/resources/40", json={"message": "OK"})
    handler.delete(ctx, live["Analyst"])
    assert [(c.request.method, c.request.path_url.split("?")[0]) for c in rsps.calls[2:]] == [
        ("GET", "/api/v1/security/csrf_token/"), ("DELETE", "/api/v1/security/roles/6"),
        ("DELETE", "/api/v1/security/permissions-resources/11"),
        ("GET", "/api/v1/security/resources/"), ("DELETE", "/api/v1/security/resources/40")]
    with pytest.raises(Exception):
        ctx.ids.id("role", "Analyst")


def test_a_copy_of_a_managed_role_is_not_managed(rsps, ctx):
    name, ids = ANALYST_LIVE
    serve(rsps, [(name, ids), ("Analyst copy", ids)])
    live = RoleHandler().read(ctx)
    assert live["Analyst"].managed and not live["Analyst copy"].managed
    # and its marker is not part of the spec
    assert "superset-iac://role/Analyst" not in json.dumps(live["Analyst copy"].spec.compared())
