"""Owner usernames <-> user ids: one lazy directory read per run."""

from urllib.parse import unquote, urlsplit

import pytest

from superset_iac.kinds.owners import UnknownOwner, owner_ids, owner_names

BASE = "http://superset.test"
USERS = f"{BASE}/api/v1/security/users/"
ME = f"{BASE}/api/v1/me/"
ROWS = [{"id": 1, "username": "admin"}, {"id": 7, "username": "ci-bot"}, {"id": 9, "username": "alice"}]


def test_ids_and_names_share_one_directory_read(rsps, ctx):
    rsps.add("GET", USERS, json={"count": 3, "result": ROWS})

    assert owner_ids(ctx, ["ci-bot", "admin"]) == [7, 1]
    assert owner_names(ctx, [{"id": 9, "first_name": "A"}, {"id": 1}]) == ["admin", "alice"]
    assert owner_ids(ctx, ["alice"]) == [9]

    assert len(rsps.calls) == 1
    assert "columns:!(id,username)" in unquote(rsps.calls[0].request.url)


def test_no_owners_costs_no_request(rsps, ctx):
    assert owner_ids(ctx, []) == []
    assert owner_names(ctx, []) == []
    assert len(rsps.calls) == 0


def test_unknown_username_is_named(rsps, ctx):
    rsps.add("GET", USERS, json={"count": 3, "result": ROWS})
    with pytest.raises(UnknownOwner) as err:
        owner_ids(ctx, ["admin", "bob", "carol"])
    assert str(err.value) == "unknown owner(s) 'bob', 'carol': no Superset user has that username"


def test_pages_are_followed(rsps, ctx):
    first = [{"id": i, "username": f"u{i}"} for i in range(100)]
    rsps.add("GET", USERS, json={"count": 101, "result": first})
    rsps.add("GET", USERS, json={"count": 101, "result": [{"id": 100, "username": "last"}]})
    assert owner_ids(ctx, ["last", "u0"]) == [100, 0]
    assert len(rsps.calls) == 2


def test_without_security_api_only_the_current_user_resolves(rsps, ctx):
    rsps.add("GET", USERS, status=403, json={"message": "Forbidden"})
    rsps.add("GET", ME, json={"result": {"id": 7, "username": "ci-bot", "first_name": "C"}})

    assert owner_ids(ctx, ["ci-bot"]) == [7]
    assert owner_names(ctx, [{"id": 7}, {"id": 3}]) == ["#3", "ci-bot"]
    with pytest.raises(UnknownOwner, match="cannot resolve owner.s. 'alice': the security API .*403"):
        owner_ids(ctx, ["alice"])
    assert [urlsplit(c.request.url).path for c in rsps.calls] == ["/api/v1/security/users/", "/api/v1/me/"]
