import pytest
import responses

from superset_iac.superset import ApiError, ServerVersion, SupersetClient, UnsupportedServer
from superset_iac.superset.version import support_warnings

BASE = "http://superset.test"
NOT_FOUND = {
    "errors": [
        {
            "message": "404 Not Found: The requested URL was not found on the server. If you entered the URL "
            "manually please check your spelling and try again."
        }
    ]
}


@pytest.fixture
def rsps():
    with responses.RequestsMock() as mock:
        mock.add(
            "POST",
            f"{BASE}/api/v1/security/login",
            json={"access_token": "a", "refresh_token": "r"},
        )
        yield mock


def client() -> SupersetClient:
    return SupersetClient(BASE, username="admin", password="admin-pw", retries=0, backoff=0)


@pytest.mark.parametrize(
    ("raw", "parts"),
    [
        ("6.1.0", (6, 1, 0)),
        ("6.1.0rc2", (6, 1, 0)),
        ("6.0", (6, 0, 0)),
        ("v7.2.1", (7, 2, 1)),
        ("0.0.0-dev", None),
        ("unknown", None),
        ("", None),
    ],
)
def test_parse(raw, parts):
    assert ServerVersion.parse(raw).parts == parts


@pytest.mark.parametrize(
    ("raw", "warnings"),
    [
        ("6.1.0", 0),
        ("6.1.3", 0),
        ("6.0.0", 1),
        ("6.2.0", 1),
        ("0.0.0-dev", 1),
    ],
)
def test_supported_versions(raw, warnings):
    assert len(support_warnings(ServerVersion.parse(raw))) == warnings


@pytest.mark.parametrize("raw", ["5.0.0", "4.1.2", "3.1.0"])
def test_old_versions_are_refused_with_what_they_need(raw):
    with pytest.raises(UnsupportedServer) as info:
        support_warnings(ServerVersion.parse(raw))
    assert f"Superset {raw} is too old" in str(info.value)
    assert "FAB_ADD_SECURITY_API = True" in str(info.value)


def test_next_major_is_refused():
    with pytest.raises(UnsupportedServer) as info:
        support_warnings(ServerVersion.parse("7.0.0"))
    assert "owners → editors" in str(info.value)


def test_version_from_version_endpoint(rsps):
    rsps.add(
        "GET",
        f"{BASE}/version",
        json={"build_number": None, "version_sha": "", "version_string": "6.1.0"},
    )
    c = client()
    assert c.server_version() == ServerVersion("6.1.0", (6, 1, 0), exact=True)
    assert c.check_supported() == []
    c.server_version()
    assert c.count("GET", include_auth=True) == 1  # asked once per client
    assert c.count("GET") == 0  # bookkeeping, like the login: not what a plan costs


def test_6_0_has_no_version_endpoint_but_a_theme_api(rsps):
    rsps.add("GET", f"{BASE}/version", status=404, json=NOT_FOUND)
    rsps.add("GET", f"{BASE}/api/v1/theme/_info", json={"permissions": ["can_read"]})
    version = client().server_version()
    assert (version.parts, version.exact) == ((6, 0, 0), False)


def test_older_servers_are_refused(rsps):
    rsps.add("GET", f"{BASE}/version", status=404, json=NOT_FOUND)
    rsps.add("GET", f"{BASE}/api/v1/theme/_info", status=404, json=NOT_FOUND)
    with pytest.raises(UnsupportedServer) as info:
        client().check_supported()
    assert str(info.value).startswith("Superset 5.x or older is too old")


def test_version_endpoint_errors_propagate(rsps):
    rsps.add("GET", f"{BASE}/version", status=500, body="boom")
    with pytest.raises(ApiError) as info:
        client().server_version()
    assert str(info.value) == "GET /version → 500: boom"


def test_security_api_off(rsps):
    rsps.add("GET", f"{BASE}/api/v1/security/roles/", status=404, json=NOT_FOUND)
    with pytest.raises(UnsupportedServer) as info:
        client().check_security_api()
    assert "FAB_ADD_SECURITY_API = True" in str(info.value)


def test_security_api_on(rsps):
    rsps.add(
        "GET",
        f"{BASE}/api/v1/security/roles/",
        json={"count": 5, "result": [{"id": 1, "name": "Admin"}]},
    )
    client().check_security_api()
