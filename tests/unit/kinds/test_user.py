"""Users: one list read, marker group, password sent on create only and never compared."""

import json

import pytest
from responses import matchers

from superset_iac.kinds.user import UserError, UserHandler
from superset_iac.model.user import User
from superset_iac.plan.diff import compare
from superset_iac.plan.model import Action
from tests.unit.kinds.conftest import API

USERS = f"{API}/security/users/"
GROUPS = f"{API}/security/groups/"
PASSWORD = "Sup3r-secret-pw"
MARKER = {"id": 4, "name": "superset-iac", "label": "Managed by superset-iac", "description": "…"}


def row(uid, username, roles, groups=(), active=True):
    return {"id": uid, "username": username, "first_name": "Svc", "last_name": username,
            "email": f"{username}@example.com", "active": active, "login_count": 3,
            "roles": [{"id": i, "name": n} for i, n in roles], "groups": list(groups),
            "created_by": {"id": 1}, "changed_by": None}


SPEC = {"username": "svc_viewer", "first_name": "Svc", "last_name": "svc_viewer",
        "email": "svc_viewer@example.com", "roles": ["Viewer"], "password": PASSWORD}


@pytest.fixture
def ids() -> dict:
    return {"role": {"Viewer": 8, "Analyst": 6}}


def test_read_is_one_request_and_only_marked_users_are_managed(rsps, ctx):
    rsps.add("GET", USERS, json={"count": 3, "result": [
        row(1, "admin", [(1, "Admin")]),
        row(2, "svc_viewer", [(8, "Viewer")], [MARKER]),
        row(3, "sso.person", [(6, "Analyst")], [{"id": 5, "name": "desk-a"}])]})
    live = UserHandler().read(ctx)
    assert len(rsps.calls) == 1
    assert [k for k, v in live.items() if v.managed] == ["svc_viewer"]
    assert ctx.ids.id("user", "sso.person") == 3
    assert compare(User.model_validate(SPEC), live["svc_viewer"]) is None  # marker hidden
    assert live["sso.person"].spec.compared()["groups"] == ["desk-a"]


def test_create_sends_password_roles_and_marker_group(rsps, csrf, ctx):
    rsps.add("GET", GROUPS, json={"count": 0, "result": []})
    rsps.add("POST", GROUPS, json={"id": 4}, status=201,
             match=[matchers.json_params_matcher({"name": "superset-iac", "label": "Managed by superset-iac",
                                                  "description": "Users created by superset-iac from the "
                                                  "asset tree. Grants no role; members may be deleted by "
                                                  "`apply --prune`."})])
    rsps.add("POST", USERS, json={"id": 12}, status=201, match=[matchers.json_params_matcher({
        "first_name": "Svc", "last_name": "svc_viewer", "email": "svc_viewer@example.com",
        "active": True, "roles": [8], "groups": [4], "username": "svc_viewer", "password": PASSWORD})])
    assert UserHandler().create(ctx, User.model_validate(SPEC)) == 12
    assert ctx.ids.id("user", "svc_viewer") == 12


def test_password_never_appears_in_a_plan(rsps, ctx):
    change = compare(User.model_validate(SPEC), None)
    assert change.action is Action.CREATE
    assert PASSWORD not in json.dumps(change.to_dict())
    assert "password" not in {f.path for f in change.fields}


def test_roles_replaced_on_update_without_password(rsps, csrf, ctx):
    rsps.add("GET", USERS, json={"count": 1, "result": [
        row(2, "svc_viewer", [(8, "Viewer"), (6, "Analyst")], [MARKER], active=True)]})
    handler = UserHandler()
    live = handler.read(ctx)["svc_viewer"]
    desired = User.model_validate(SPEC)
    change = compare(desired, live)
    assert [f.to_dict() for f in change.fields] == [
        {"path": "roles", "before": ["Analyst", "Viewer"], "after": ["Viewer"]}]
    rsps.add("GET", GROUPS, json={"count": 1, "result": [{"id": 4, "name": "superset-iac"}]})
    rsps.add("PUT", f"{USERS}2", json={"result": {}}, match=[matchers.json_params_matcher({
        "first_name": "Svc", "last_name": "svc_viewer", "email": "svc_viewer@example.com",
        "active": True, "roles": [8], "groups": [4]})])
    handler.update(ctx, change)


def test_role_order_is_not_a_change():
    a = User.model_validate({**SPEC, "roles": ["Viewer", "Analyst"]})
    b = User.model_validate({**SPEC, "roles": ["Analyst", "Viewer"], "password": "other"})
    assert a.compared() == b.compared()


def test_create_without_password_is_refused_before_any_request(rsps, ctx):
    spec = User.model_validate({**SPEC, "password": None})
    with pytest.raises(UserError, match="a password"):
        UserHandler().create(ctx, spec)
    assert not rsps.calls


def test_unknown_group_is_named(rsps, ctx):
    rsps.add("GET", GROUPS, json={"count": 1, "result": [{"id": 4, "name": "superset-iac"}]})
    with pytest.raises(UserError, match="group\\(s\\) nope do not exist"):
        UserHandler().create(ctx, User.model_validate({**SPEC, "groups": ["nope"]}))
