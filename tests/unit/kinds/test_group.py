"""Groups: one list read, the marker line in the description, roles and members by id."""

from __future__ import annotations

import pytest
from responses import matchers

from superset_iac.kinds.group import GroupError, GroupHandler
from superset_iac.kinds.markers import with_marker
from superset_iac.kinds.user import UserHandler
from superset_iac.load.tree import load_tree
from superset_iac.model.group import Group
from superset_iac.model.user import User
from superset_iac.plan.diff import compare
from superset_iac.plan.model import Action
from tests.unit.kinds.conftest import API

GROUPS = f"{API}/security/groups/"
USERS = f"{API}/security/users/"
MARKER = {"id": 4, "name": "superset-iac", "label": "Managed by superset-iac",
          "description": "…", "roles": [], "users": [{"id": 12, "username": "svc"}]}
SPEC = {"name": "analysts", "label": "Analysts", "description": "Market analysts.",
        "roles": ["Analyst"], "members": ["bob", "alice"]}


def row(gid, name, description, roles=(), users=()):
    return {"id": gid, "name": name, "label": name.title(), "description": description,
            "roles": [{"id": i, "name": n} for i, n in roles],
            "users": [{"id": i, "username": n} for i, n in users]}


def users_listed(rsps, *names):
    rsps.add("GET", USERS, json={"count": len(names), "result": [
        {"id": 20 + i, "username": n} for i, n in enumerate(names)]})


@pytest.fixture
def ids() -> dict:
    return {"role": {"Analyst": 6, "Gamma": 3}}


def test_read_is_one_request_hides_the_users_marker_group_and_strips_the_marker(rsps, ctx):
    rsps.add("GET", GROUPS, json={"count": 3, "result": [
        MARKER,
        row(7, "analysts", with_marker("group", "Market analysts.", "analysts"),
            [(6, "Analyst")], [(21, "alice"), (20, "bob")]),
        row(8, "by-hand", "Made in the UI.", [(3, "Gamma")])]})
    live = GroupHandler().read(ctx)
    assert len(rsps.calls) == 1
    assert sorted(live) == ["analysts", "by-hand"]  # the marker group is the user kind's
    assert [k for k, v in live.items() if v.managed] == ["analysts"]
    assert compare(Group.model_validate(SPEC), live["analysts"]) is None  # order-free, marker hidden
    assert ctx.ids.id("group", "by-hand") == 8
    # the users' group ids come from the same read
    assert ctx.cache.user_groups == {"superset-iac": 4, "analysts": 7, "by-hand": 8}


def test_a_marker_naming_another_group_is_not_managed(rsps, ctx):
    rsps.add("GET", GROUPS, json={"count": 1, "result": [
        row(7, "renamed", with_marker("group", None, "analysts"))]})
    assert not GroupHandler().read(ctx)["renamed"].managed


def test_create_sends_roles_members_and_the_marker_in_one_post(rsps, csrf, ctx):
    users_listed(rsps, "bob", "alice", "carol")
    rsps.add("POST", GROUPS, json={"id": 9}, status=201, match=[matchers.json_params_matcher({
        "name": "analysts", "label": "Analysts",
        "description": "Market analysts.\n\nsuperset-iac://group/analysts",
        "roles": [6], "users": [20, 21]})])
    ctx.cache.user_groups = {"superset-iac": 4}
    assert GroupHandler().create(ctx, Group.model_validate(SPEC)) == 9
    assert ctx.ids.id("group", "analysts") == 9
    assert ctx.cache.user_groups["analysts"] == 9  # a user written next can join it


def test_update_puts_the_whole_group(rsps, csrf, ctx):
    rsps.add("GET", GROUPS, json={"count": 1, "result": [
        row(7, "analysts", with_marker("group", "Market analysts.", "analysts"),
            [(3, "Gamma")], [(20, "bob"), (22, "carol")])]})
    users_listed(rsps, "bob", "alice", "carol")
    rsps.add("PUT", f"{GROUPS}7", json={"result": {}}, match=[matchers.json_params_matcher({
        "name": "analysts", "label": "Analysts",
        "description": "Market analysts.\n\nsuperset-iac://group/analysts",
        "roles": [6], "users": [20, 21]})])
    handler = GroupHandler()
    live = handler.read(ctx)["analysts"]
    change = compare(Group.model_validate(SPEC), live)
    assert change is not None and change.action is Action.UPDATE
    assert {f.path for f in change.fields} == {"roles", "members"}
    handler.update(ctx, change)


def test_an_unknown_member_fails_before_any_write_with_its_line_and_a_did_you_mean(
        rsps, ctx, tmp_path):
    (tmp_path / "groups").mkdir()
    (tmp_path / "groups" / "analysts.yaml").write_text(
        "name: analysts\nroles: [Analyst]\nmembers:\n  - bob\n  - alcie\n")
    (group,) = load_tree(tmp_path).each(Group)
    users_listed(rsps, "bob", "alice")
    with pytest.raises(GroupError) as err:
        GroupHandler().create(ctx, group)
    message = str(err.value)
    assert "groups/analysts.yaml:5:5" in message
    assert "member 'alcie' cannot be found" in message and "did you mean 'alice'?" in message


def test_a_member_the_tree_creates_later_is_left_to_that_user(rsps, csrf, ctx):
    users_listed(rsps, "bob")
    ctx.desired = {"user": {"svc": User.model_validate({
        "username": "svc", "first_name": "S", "last_name": "V", "email": "svc@example.com",
        "groups": ["analysts"]})}}
    rsps.add("POST", GROUPS, json={"id": 9}, status=201,
             match=[matchers.json_params_matcher({"users": [20]}, strict_match=False)])
    GroupHandler().create(ctx, Group.model_validate({**SPEC, "members": ["bob", "svc"]}))


def test_a_group_without_members_reads_no_user(rsps, csrf, ctx):
    rsps.add("POST", GROUPS, json={"id": 9}, status=201,
             match=[matchers.json_params_matcher({"users": [], "label": None,
                                                  "description": "superset-iac://group/g"},
                                                 strict_match=False)])
    GroupHandler().create(ctx, Group.model_validate({"name": "g", "roles": ["Gamma"]}))
    assert [c.request.method for c in rsps.calls] == ["GET", "POST"]  # the CSRF token, the group


def test_a_create_another_run_made_meanwhile_is_adopted_by_name(rsps, csrf, ctx):
    rsps.add("POST", GROUPS, status=422, json={"message": "UNIQUE constraint failed: ab_group.name"})
    rsps.add("GET", GROUPS, json={"count": 1, "result": [
        row(9, "g", with_marker("group", None, "g"))]})
    assert GroupHandler().create(ctx, Group.model_validate({"name": "g"})) == 9


def test_a_user_resolves_a_group_created_in_the_same_run(rsps, csrf, ctx):
    """The group's create fills the cache the user kind reads groups from."""
    rsps.add("GET", GROUPS, json={"count": 1, "result": [MARKER]})
    rsps.add("POST", GROUPS, json={"id": 9}, status=201)
    rsps.add("POST", USERS, json={"id": 30}, status=201,
             match=[matchers.json_params_matcher({"groups": [4, 9]}, strict_match=False)])
    GroupHandler().read(ctx)
    GroupHandler().create(ctx, Group.model_validate({"name": "g"}))
    UserHandler().create(ctx, User.model_validate({
        "username": "svc", "first_name": "S", "last_name": "V", "email": "svc@example.com",
        "roles": ["Gamma"], "groups": ["g"], "password": "Pw-1234567890"}))


def test_delete_removes_the_group(rsps, csrf, ctx):
    rsps.add("GET", GROUPS, json={"count": 1, "result": [row(7, "g", with_marker("group", None, "g"))]})
    rsps.add("DELETE", f"{GROUPS}7", json={"message": "OK"})
    handler = GroupHandler()
    handler.delete(ctx, handler.read(ctx)["g"])
    assert ctx.ids.key("group", 7) is None


@pytest.mark.parametrize("data, message", [
    ({"name": "superset-iac"}, "marks the users it created"),
    ({"name": ""}, "at least 1 character"),
    ({"name": "g", "description": "x" * 400}, "at most"),
    ({"name": "g", "members": "bob"}, "valid list"),
])
def test_spec_rules(data, message):
    with pytest.raises(ValueError, match=message):
        Group.model_validate(data)
