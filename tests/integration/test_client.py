"""The Superset client against a real Superset 6.1 (the `superset` session fixture)."""

import uuid

import pytest

from superset_iac.superset import ApiError, SupersetClient

pytestmark = pytest.mark.integration

CSRF_PATH = "/api/v1/security/csrf_token/"


@pytest.fixture
def client(superset):
    with SupersetClient(
        superset.url, username=superset.username, password=superset.password, backoff=0
    ) as c:
        yield c


@pytest.fixture
def prefix() -> str:
    return f"iac-client-{uuid.uuid4().hex[:8]}"


def auth_calls(client: SupersetClient, path: str) -> int:
    return sum(1 for r in client.requests if r.kind == "auth" and r.path == path)


def test_lazy_login_and_version(client):
    assert client.requests == []
    version = client.server_version()
    assert version.exact and version.parts[:2] == (6, 1)
    assert client.check_supported() == []
    client.check_security_api()
    assert auth_calls(client, "/api/v1/security/login") == 1
    assert client.count("POST") == 0


def test_bad_password_is_one_line(superset):
    c = SupersetClient(
        superset.url, username=superset.username, password="wrong-password-1", backoff=0
    )
    with pytest.raises(ApiError) as info:
        c.get("chart/")
    assert str(info.value) == (
        "POST /api/v1/security/login → 401: Not authorized (check the username, password and provider)"
    )


def test_list_pages_over_an_existing_list(client):
    """A fresh 6.1 has >200 permission/resource pairs; the server caps pages at 100."""
    total = client.get("security/permissions-resources/", params={"q": {"page_size": 1}})["count"]
    assert total > 200
    client.reset_log()
    rows = client.list("security/permissions-resources")
    assert len(rows) == total
    assert len({row["id"] for row in rows}) == total
    assert client.count("GET") == -(-total // 100)
    assert client.count(("POST", "PUT", "DELETE")) == 0


def test_create_page_and_bulk_delete_with_csrf(client, prefix):
    """120 annotation layers: CSRF-protected writes, a filtered 2-page list, a bulk delete."""
    ids = [
        client.post("annotation_layer/", {"name": f"{prefix} {i:03d}"})["id"] for i in range(120)
    ]
    try:
        assert auth_calls(client, CSRF_PATH) == 1
        client.reset_log()
        rows = client.list(
            "annotation_layer",
            filters=[("name", "ct", prefix)],
            columns=["id", "name"],
            order_column="name",
        )
        assert [row["name"] for row in rows] == [f"{prefix} {i:03d}" for i in range(120)]
        assert client.count("GET") == 2
        layer = client.get_by_id("annotation_layer", ids[0])
        assert layer["name"] == f"{prefix} 000"
        assert client.put(f"annotation_layer/{ids[0]}", {"descr": "changed"})["id"] == ids[0]
    finally:
        client.delete("annotation_layer/", params={"q": ids})
    assert client.list("annotation_layer", filters=[("name", "ct", prefix)]) == []
    assert auth_calls(client, CSRF_PATH) == 0  # still the token fetched before the first write


def test_rejected_csrf_token_is_fetched_again(client, prefix):
    created = client.post("annotation_layer/", {"name": prefix})
    # Lose the session cookie the token belongs to: Superset answers 400
    # "The CSRF session token is missing." and the client fetches a new pair.
    client._pool.cookies.clear()
    client.reset_log()
    client.delete(f"annotation_layer/{created['id']}")
    assert auth_calls(client, CSRF_PATH) == 1
    assert [r.status for r in client.requests if r.kind == "api"] == [400, 200]


def test_role_create_and_delete(client, prefix):
    role = client.post("security/roles/", {"name": prefix})
    assert client.get_by_id("security/roles", role["id"]) == {"id": role["id"], "name": prefix}
    assert client.list("security/roles", filters=[("name", "eq", prefix)]) == [
        {"id": role["id"], "name": prefix}
    ]
    client.delete(f"security/roles/{role['id']}")
    with pytest.raises(ApiError) as info:
        client.get_by_id("security/roles", role["id"])
    assert str(info.value) == f"GET /api/v1/security/roles/{role['id']} → 404: Not found"


def test_validation_errors_are_one_line(client):
    with pytest.raises(ApiError) as info:
        client.post("security/roles/", {})
    assert (
        str(info.value)
        == "POST /api/v1/security/roles/ → 422: name: Missing data for required field."
    )
    with pytest.raises(ApiError) as info:
        client.post("chart/", {})
    assert info.value.status == 400
    assert "slice_name: Missing data for required field." in str(info.value)
    assert "\n" not in str(info.value)


def test_database_errors_never_echo_the_uri_password(client, prefix):
    with pytest.raises(ApiError) as info:
        client.post(
            "database/",
            {
                "database_name": prefix,
                "sqlalchemy_uri": "postgresql://app:Sup3rS3cret@127.0.0.1:1/lake",
            },
        )
    # 422 when Superset has no PostgreSQL driver; 400 with the connection's own
    # error (psycopg2 is in Superset's environment for its production metadata DB).
    assert info.value.status in (400, 422)
    assert "Sup3rS3cret" not in str(info.value)


def test_unknown_route_and_missing_slash(client):
    with pytest.raises(ApiError) as info:
        client.get("no_such_resource/")
    assert info.value.status == 404
    with pytest.raises(ApiError) as info:
        client.get("chart")
    assert info.value.status == 308
    assert "redirected to" in str(info.value)
