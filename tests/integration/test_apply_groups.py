"""User groups applied to a real Superset 6.1: the round trip, drift, prune, and a
member who holds a role through the group alone.

The tree: the local environment, a role of its own (Gamma plus reading
annotation layers, which Gamma may not), a group holding it whose members are a user of the tree and
a person made by hand (an account the tree does not manage), that user of the
tree naming the group back (R007), and a second group holding a built-in role.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest
import requests

from superset_iac.plan.model import Action
from tests.integration.trees import Api, Run, assert_export_unchanged

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Group-member-pw-4-tests!"


@pytest.fixture(scope="module")
def names() -> dict[str, str]:
    u = uuid.uuid4().hex[:8]
    return {"role": f"it_group_role_{u}", "group": f"it_desk_{u}", "user": f"it_member_{u}",
            "person": f"it_person_{u}", "by_hand": f"it_by_hand_{u}", "extra": f"it_extra_{u}"}


@pytest.fixture(scope="module")
def api(superset) -> Api:
    return Api(superset)


@pytest.fixture(scope="module")
def person(api, names) -> int:
    """Someone whose account exists on the server only (SSO, or made in the UI)."""
    gamma = api.first("security/roles/", "(filters:!((col:name,opr:eq,value:Gamma)))")["id"]
    return api.call("POST", "security/users/", {
        "username": names["person"], "first_name": "Pat", "last_name": "Person",
        "email": f"{names['person']}@example.com", "password": PASSWORD, "roles": [gamma],
        "active": True})["id"]


@pytest.fixture(scope="module")
def tree(tmp_path_factory, names, person) -> Path:
    root = tmp_path_factory.mktemp("groups-assets")
    shutil.copytree(ROOT / "assets" / "environments", root / "environments")
    # a role's managed marker is a database_access permission, which Superset
    # has only once it has a database
    shutil.copytree(ROOT / "assets" / "databases", root / "databases")
    (root / "groups").mkdir()
    (root / "groups" / "extra.yaml").write_text(f"name: {names['extra']}\nroles: [Gamma]\n")
    (root / "roles").mkdir()
    # restated, as an export of the groups that name it writes it
    (root / "roles" / "gamma.yaml").write_text("name: Gamma\nextends: [Gamma]\n")
    (root / "roles" / "desk.yaml").write_text(
        f"name: {names['role']}\nextends: [Gamma]\npermissions:\n  Annotation: [can_read]\n")
    (root / "groups" / "desk.yaml").write_text(
        f"name: {names['group']}\nlabel: Desk\ndescription: The trading desk.\n"
        f"roles: [{names['role']}]\nmembers: [{names['person']}, {names['user']}]\n")
    (root / "users").mkdir()
    (root / "users" / "member.yaml").write_text(
        f"username: {names['user']}\nfirst_name: It\nlast_name: Member\n"
        f"email: {names['user']}@example.com\ngroups: [{names['group']}]\n"
        "password: ${IT_MEMBER_PASSWORD}\n")
    return root


@pytest.fixture(scope="module")
def environ(superset, lakehouse_path, tmp_path_factory) -> dict[str, str]:
    audit = tmp_path_factory.mktemp("groups-audit") / "audit.jsonl"
    return {**superset.env(lakehouse_path), "IT_MEMBER_PASSWORD": PASSWORD,
            "SUPERSET_IAC_AUDIT_LOG": str(audit)}


def group_row(api: Api, name: str) -> dict:
    return api.first("security/groups/", f"(filters:!((col:name,opr:eq,value:'{name}')))")


@pytest.fixture(scope="module")
def applied(tree, environ, names) -> Run:
    first = Run(tree, environ)
    created = [(c.kind, c.key) for c in first.plan.changes if c.action is Action.CREATE]
    assert ("group", names["group"]) in created and ("user", names["user"]) in created
    # a group before the user who names it, its role before it
    assert created.index(("role", names["role"])) < created.index(("group", names["group"])) \
        < created.index(("user", names["user"]))
    first.apply()
    return first


def test_the_group_holds_its_role_and_both_members(applied, api, names):
    row = group_row(api, names["group"])
    assert [r["name"] for r in row["roles"]] == [names["role"]]
    assert sorted(u["username"] for u in row["users"]) == sorted([names["person"], names["user"]])
    assert row["description"].endswith(f"\n\nsuperset-iac://group/{names['group']}")


def test_apply_then_diff_is_empty_and_writes_nothing(applied, tree, environ):
    again = Run(tree, environ)
    assert again.changes() == []
    assert again.writes() == []


def test_a_member_holds_the_groups_role(applied, superset, api, names):
    """FAB adds a group's roles to its members': the tree user has no role of its
    own, and reads annotation layers through the group; the person, a member
    too but Gamma on its own account, likewise; once out of the group it may not."""
    for username in (names["user"], names["person"]):
        answer = _session(superset, username).get(f"{superset.url}/api/v1/annotation_layer/")
        assert answer.status_code == 200, (username, answer.text[:300])
    row = group_row(api, names["group"])
    api.put(f"security/groups/{row['id']}", {
        "users": [u["id"] for u in row["users"] if u["username"] != names["person"]]})
    answer = _session(superset, names["person"]).get(f"{superset.url}/api/v1/annotation_layer/")
    assert answer.status_code == 403, answer.text[:300]


def _session(superset, username: str) -> requests.Session:
    session = requests.Session()
    token = session.post(f"{superset.url}/api/v1/security/login", json={
        "username": username, "password": PASSWORD, "provider": "db", "refresh": False},
        timeout=30)
    assert token.status_code == 200, token.text[:300]
    session.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    return session


def test_drift_by_hand_is_shown_and_apply_restores_it(applied, api, tree, environ, names):
    row = group_row(api, names["group"])
    gamma = api.first("security/roles/", "(filters:!((col:name,opr:eq,value:Gamma)))")["id"]
    mine = [u["id"] for u in row["users"] if u["username"] == names["user"]]
    api.put(f"security/groups/{row['id']}", {"roles": [r["id"] for r in row["roles"]] + [gamma],
                                            "users": mine, "label": "Renamed"})
    drift = Run(tree, environ)
    assert drift.changes() == [("update", "group", names["group"], ["label", "roles", "members"])]
    fields = {f.path: (f.before, f.after) for f in drift.plan.changes[0].fields}
    assert fields["roles"] == (sorted(["Gamma", names["role"]]), [names["role"]])
    assert fields["members"] == ([names["user"]], sorted([names["person"], names["user"]]))
    drift.apply()
    assert Run(tree, environ).changes() == []


def test_export_writes_the_tree_back_unchanged(applied, tree, environ):
    assert_export_unchanged(tree, environ, "--groups")


def test_prune_deletes_only_managed_groups(applied, api, tree, environ, names):
    api.call("POST", "security/groups/", {"name": names["by_hand"], "description": "UI"})
    (tree / "groups" / "extra.yaml").rename(tree / "extra.yaml.off")
    try:
        pruned = Run(tree, environ, prune=True, targets=("group",))  # others: other modules
        deletes = [(c.kind, c.key) for c in pruned.plan.changes if c.action is Action.DELETE]
        assert ("group", names["extra"]) in deletes
        assert ("group", names["by_hand"]) not in deletes
        pruned.apply()
        assert api.call("GET", "security/groups/",
                        q=f"(filters:!((col:name,opr:eq,value:'{names['extra']}')))")["count"] == 0
    finally:
        (tree / "extra.yaml.off").rename(tree / "groups" / "extra.yaml")
    assert group_row(api, names["by_hand"])["name"] == names["by_hand"]
    restored = Run(tree, environ)
    assert restored.changes() == [("create", "group", names["extra"], ["name", "roles", "members"])]
    restored.apply()
