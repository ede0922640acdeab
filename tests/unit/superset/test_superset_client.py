"""HTTP-level tests of the Superset client against ``responses`` mocks.

Response bodies copy what a real Superset 6.1 answers (see the integration
tests for the same behaviours against a live server).
"""

import json
import logging
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from superset_iac.superset import ApiError, SupersetClient, TransientWriteError
from superset_iac.superset.records import RequestRecord

BASE = "http://superset.test"
PASSWORD = "pa55-w0rd-secret"
ACCESS = "access.token.one"
ACCESS2 = "access.token.two"
REFRESH = "refresh.token.one"
CSRF = "csrf-token-value-xyz"
LOGIN = f"{BASE}/api/v1/security/login"
REFRESH_URL = f"{BASE}/api/v1/security/refresh"
CSRF_URL = f"{BASE}/api/v1/security/csrf_token/"
CHARTS = f"{BASE}/api/v1/chart/"
EXPIRED = {"msg": "Token has expired"}
NO_ROUTE = {
    "errors": [
        {
            "message": "404 Not Found: The requested URL was not found on the server. "
            "If you entered the URL manually please check your spelling and try again."
        }
    ]
}
CSRF_EXPIRED = {
    "errors": [
        {
            "message": "400 Bad Request: The CSRF token has expired.",
            "error_type": "GENERIC_BACKEND_ERROR",
        }
    ]
}


@pytest.fixture
def rsps():
    with responses.RequestsMock() as mock:
        yield mock


def client(**kwargs) -> SupersetClient:
    options = {"username": "admin", "password": PASSWORD, "retries": 2, "backoff": 0}
    options.update(kwargs)
    return SupersetClient(BASE, **options)


def add_login(rsps, access=ACCESS):
    rsps.add("POST", LOGIN, json={"access_token": access, "refresh_token": REFRESH})


def add_csrf(rsps, token=CSRF):
    rsps.add(
        "GET",
        CSRF_URL,
        json={"result": token},
        headers={"Set-Cookie": "session=cookie-1; Path=/; HttpOnly"},
    )


def urls(rsps):
    return [(c.request.method, urlsplit(c.request.url).path) for c in rsps.calls]


def query(call) -> str:
    return parse_qs(urlsplit(call.request.url).query)["q"][0]


# -- login --------------------------------------------------------------------


def test_construction_sends_nothing(rsps):
    c = client()
    assert c.requests == []


def test_lazy_login_on_first_request(rsps):
    add_login(rsps)
    rsps.add("GET", CHARTS, json={"count": 0, "result": []})
    client().get("chart/")
    login, get = rsps.calls
    assert json.loads(login.request.body) == {
        "username": "admin",
        "password": PASSWORD,
        "provider": "db",
        "refresh": True,
    }
    assert "Authorization" not in login.request.headers
    assert get.request.headers["Authorization"] == f"Bearer {ACCESS}"
    assert get.request.headers["Accept"] == "application/json"


def test_logs_in_once_for_many_requests(rsps):
    add_login(rsps)
    rsps.add("GET", CHARTS, json={"count": 0, "result": []})
    c = client()
    c.get("chart/")
    c.get("chart/")
    assert urls(rsps).count(("POST", "/api/v1/security/login")) == 1


def test_provider_is_configurable(rsps):
    add_login(rsps)
    rsps.add("GET", CHARTS, json={})
    client(provider="ldap").get("chart/")
    assert json.loads(rsps.calls[0].request.body)["provider"] == "ldap"


def test_bad_credentials_are_one_line(rsps):
    rsps.add("POST", LOGIN, status=401, json={"message": "Not authorized"})
    with pytest.raises(ApiError) as info:
        client().get("chart/")
    assert str(info.value) == (
        "POST /api/v1/security/login → 401: Not authorized (check the username, password and provider)"
    )


def test_a_malformed_token_is_a_credentials_problem(rsps):
    """flask-jwt-extended answers 422 with ``msg`` for a token it cannot read:
    that is a configuration error (exit 2), like a 401, not a failed request."""
    rsps.add("GET", f"{BASE}/api/v1/chart/", status=422, json={"msg": "Not enough segments"})
    with pytest.raises(ApiError) as info:
        client(username=None, password=None, access_token="not-a-jwt").get("chart/")
    assert info.value.credentials_refused and info.value.exit_code == 2
    assert "not-a-jwt" not in str(info.value)


def test_a_validation_422_is_a_failed_request(rsps):
    add_login(rsps)
    rsps.add("GET", f"{BASE}/api/v1/chart/", status=422, json={"message": {"q": ["bad"]}})
    with pytest.raises(ApiError) as info:
        client().get("chart/")
    assert not info.value.credentials_refused and info.value.exit_code == 1


def test_refresh_on_expired_token_then_retry(rsps):
    add_login(rsps)
    rsps.add("GET", CHARTS, status=401, json=EXPIRED)
    rsps.add("POST", REFRESH_URL, json={"access_token": ACCESS2})
    rsps.add("GET", CHARTS, json={"count": 0, "result": []})
    c = client()
    assert c.get("chart/") == {"count": 0, "result": []}
    assert urls(rsps) == [
        ("POST", "/api/v1/security/login"),
        ("GET", "/api/v1/chart/"),
        ("POST", "/api/v1/security/refresh"),
        ("GET", "/api/v1/chart/"),
    ]
    assert rsps.calls[2].request.headers["Authorization"] == f"Bearer {REFRESH}"
    assert rsps.calls[3].request.headers["Authorization"] == f"Bearer {ACCESS2}"


def test_logs_in_again_when_refresh_is_refused(rsps):
    add_login(rsps)
    rsps.add("GET", CHARTS, status=401, json=EXPIRED)
    rsps.add("POST", REFRESH_URL, status=401, json=EXPIRED)
    add_login(rsps, access=ACCESS2)
    rsps.add("GET", CHARTS, json={"result": []})
    client().get("chart/")
    assert rsps.calls[-1].request.headers["Authorization"] == f"Bearer {ACCESS2}"
    assert urls(rsps).count(("POST", "/api/v1/security/login")) == 2


def test_repeats_only_once_after_renewal(rsps):
    add_login(rsps)
    rsps.add("GET", CHARTS, status=401, json=EXPIRED)
    rsps.add("POST", REFRESH_URL, json={"access_token": ACCESS2})
    rsps.add("GET", CHARTS, status=401, json={"msg": "Signature verification failed"})
    with pytest.raises(ApiError) as info:
        client().get("chart/")
    assert info.value.status == 401
    assert len(rsps.calls) == 4


def test_access_token_mode_never_logs_in(rsps):
    rsps.add("GET", CHARTS, json={"result": []})
    client(username=None, password=None, access_token=ACCESS).get("chart/")
    assert urls(rsps) == [("GET", "/api/v1/chart/")]
    assert rsps.calls[0].request.headers["Authorization"] == f"Bearer {ACCESS}"


def test_access_token_mode_explains_expiry(rsps):
    rsps.add("GET", CHARTS, status=401, json=EXPIRED)
    with pytest.raises(ApiError) as info:
        client(username=None, password=None, access_token=ACCESS).get("chart/")
    assert "Token has expired" in str(info.value)
    assert "supply a new one" in str(info.value)
    assert len(rsps.calls) == 1


def test_needs_credentials():
    with pytest.raises(ValueError):
        SupersetClient(BASE)
    with pytest.raises(ValueError):
        SupersetClient(BASE, username="admin")
    with pytest.raises(ValueError):
        SupersetClient("superset.test", access_token=ACCESS)


# -- CSRF -----------------------------------------------------------------------


def test_csrf_fetched_once_and_only_for_writes(rsps):
    add_login(rsps)
    rsps.add("GET", CHARTS, json={"result": []})
    add_csrf(rsps)
    rsps.add("POST", CHARTS, status=201, json={"id": 7, "result": {"slice_name": "x"}})
    rsps.add("PUT", f"{CHARTS}7", json={"id": 7, "result": {}})
    rsps.add("DELETE", f"{CHARTS}7", json={"message": "OK"})
    c = client()
    c.get("chart/")
    c.get("chart/")
    assert ("GET", "/api/v1/security/csrf_token/") not in urls(rsps)
    c.post("chart/", {"slice_name": "x"})
    c.put("chart/7", {"slice_name": "y"})
    c.delete("chart/7")
    assert urls(rsps).count(("GET", "/api/v1/security/csrf_token/")) == 1
    for call in rsps.calls[-3:]:
        assert call.request.headers["X-CSRFToken"] == CSRF
        assert call.request.headers["Referer"] == f"{BASE}/"
        assert "session=cookie-1" in call.request.headers["Cookie"]


def test_delete_says_it_is_json(rsps):
    """Without it, Superset answers a CSRF failure on DELETE with a 302 to /login/."""
    add_login(rsps)
    add_csrf(rsps)
    rsps.add("DELETE", f"{CHARTS}7", json={"message": "OK"})
    client().delete("chart/7")
    assert rsps.calls[-1].request.headers["Content-Type"] == "application/json"


def test_csrf_refetched_once_when_expired(rsps):
    add_login(rsps)
    add_csrf(rsps)
    rsps.add("POST", CHARTS, status=400, json=CSRF_EXPIRED)
    add_csrf(rsps, token="csrf-token-two")
    rsps.add("POST", CHARTS, status=201, json={"id": 1, "result": {}})
    assert client().post("chart/", {}) == {"id": 1, "result": {}}
    assert rsps.calls[-1].request.headers["X-CSRFToken"] == "csrf-token-two"


def test_csrf_failure_twice_is_an_error(rsps):
    add_login(rsps)
    add_csrf(rsps)
    rsps.add("POST", CHARTS, status=400, json=CSRF_EXPIRED)
    add_csrf(rsps)
    rsps.add("POST", CHARTS, status=400, json=CSRF_EXPIRED)
    with pytest.raises(ApiError) as info:
        client().post("chart/", {})
    assert str(info.value) == "POST /api/v1/chart/ → 400: The CSRF token has expired."
    assert len(rsps.calls) == 5


def test_other_400s_do_not_refetch_csrf(rsps):
    add_login(rsps)
    add_csrf(rsps)
    rsps.add(
        "POST",
        CHARTS,
        status=400,
        json={"message": {"slice_name": ["Missing data for required field."]}},
    )
    with pytest.raises(ApiError):
        client().post("chart/", {})
    assert urls(rsps).count(("GET", "/api/v1/security/csrf_token/")) == 1


def test_csrf_fetch_renews_an_expired_token(rsps):
    add_login(rsps)
    rsps.add("GET", CSRF_URL, status=401, json=EXPIRED)
    rsps.add("POST", REFRESH_URL, json={"access_token": ACCESS2})
    add_csrf(rsps)
    rsps.add("POST", CHARTS, status=201, json={"id": 1})
    client().post("chart/", {})
    assert rsps.calls[-1].request.headers["Authorization"] == f"Bearer {ACCESS2}"


# -- paths, bodies, redirects ---------------------------------------------------------


def test_paths_relative_to_api_v1_unless_absolute(rsps):
    add_login(rsps)
    rsps.add("GET", f"{BASE}/version", json={"version_string": "6.1.0"})
    rsps.add("GET", f"{BASE}/api/v1/dashboard/3", json={"result": {"id": 3}})
    c = client()
    c.get("/version")
    c.get("dashboard/3")
    assert urls(rsps)[1:] == [("GET", "/version"), ("GET", "/api/v1/dashboard/3")]


def test_what_each_method_returns(rsps):
    add_login(rsps)
    add_csrf(rsps)
    rsps.add("GET", f"{CHARTS}5", json={"id": 5, "result": {"id": 5, "slice_name": "a"}})
    rsps.add("POST", CHARTS, status=201, json={"id": 6, "result": {"slice_name": "b"}})
    rsps.add("PUT", f"{CHARTS}6", json={"id": 6, "result": {"slice_name": "c"}})
    rsps.add("DELETE", f"{CHARTS}6", body="")
    rsps.add("GET", f"{CHARTS}export/", body=b"PK\x03\x04zip", content_type="application/zip")
    c = client()
    assert c.get_by_id("chart", 5) == {"id": 5, "slice_name": "a"}
    assert c.post("chart/", {"slice_name": "b"}) == {"id": 6, "result": {"slice_name": "b"}}
    assert c.put("chart/6", {"slice_name": "c"}) == {"id": 6, "result": {"slice_name": "c"}}
    assert c.delete("chart/6") is None
    assert c.get_bytes("chart/export/", params={"q": [5]}) == b"PK\x03\x04zip"
    assert query(rsps.calls[-1]) == "!(5)"


def test_params_structures_are_rison_encoded(rsps):
    add_login(rsps)
    rsps.add("GET", CHARTS, json={"result": []})
    client().get(
        "chart/", params={"q": {"filters": [{"col": "slice_name", "opr": "eq", "value": "A b"}]}}
    )
    assert query(rsps.calls[-1]) == "(filters:!((col:slice_name,opr:eq,value:'A b')))"


def test_multipart_post_is_not_marked_json(rsps):
    add_login(rsps)
    add_csrf(rsps)
    rsps.add("POST", f"{BASE}/api/v1/assets/import/", json={"message": "OK"})
    client().post("assets/import/", files={"bundle": ("b.zip", b"PK")}, data={"overwrite": "true"})
    assert rsps.calls[-1].request.headers["Content-Type"].startswith("multipart/form-data")


def test_non_json_success_is_an_error(rsps):
    add_login(rsps)
    rsps.add(
        "GET",
        CHARTS,
        body="<html><title>Superset</title><body>login</body></html>",
        content_type="text/html",
    )
    with pytest.raises(ApiError) as info:
        client().get("chart/")
    assert str(info.value).startswith(
        "GET /api/v1/chart/ → 200: expected JSON, got text/html: Superset login"
    )


def test_redirects_are_not_followed(rsps):
    add_login(rsps)
    add_csrf(rsps)
    rsps.add(
        "DELETE",
        f"{CHARTS}1",
        status=302,
        headers={"Location": "/login/?next=%2Fapi%2Fv1%2Fchart%2F1"},
    )
    with pytest.raises(ApiError) as info:
        client().delete("chart/1")
    assert info.value.status == 302
    assert "redirected to the login page /login/?next=" in str(info.value)
    assert len(rsps.calls) == 3


def test_missing_security_api_is_explained(rsps):
    add_login(rsps)
    rsps.add("GET", f"{BASE}/api/v1/security/roles/", status=404, json=NO_ROUTE)
    with pytest.raises(ApiError) as info:
        client().get("security/roles/")
    assert "FAB_ADD_SECURITY_API = True" in str(info.value)


def test_missing_object_is_not_blamed_on_the_security_api(rsps):
    add_login(rsps)
    rsps.add("GET", f"{BASE}/api/v1/security/roles/99", status=404, json={"message": "Not found"})
    with pytest.raises(ApiError) as info:
        client().get("security/roles/99")
    assert str(info.value) == "GET /api/v1/security/roles/99 → 404: Not found"


# -- list and paging ------------------------------------------------------------------


def page(rows, start, count):
    return {
        "count": count,
        "ids": list(range(start, start + rows)),
        "result": [{"id": i} for i in range(start, start + rows)],
    }


def test_list_reads_all_pages(rsps):
    add_login(rsps)
    for start, rows in ((0, 100), (100, 100), (200, 50)):
        rsps.add("GET", CHARTS, json=page(rows, start, 250))
    rows = client().list(
        "chart", filters=[("slice_name", "ct", "x")], columns=["id", "uuid"], order_column="id"
    )
    assert [r["id"] for r in rows] == list(range(250))
    gets = [c for c in rsps.calls if c.request.method == "GET"]
    assert len(gets) == 3
    assert query(gets[0]) == (
        "(page_size:100,filters:!((col:slice_name,opr:ct,value:x)),columns:!(id,uuid),"
        "order_column:id,order_direction:asc,page:0)"
    )
    assert query(gets[2]).endswith("page:2)")


def test_list_stops_at_count_without_an_extra_request(rsps):
    add_login(rsps)
    rsps.add("GET", CHARTS, json=page(100, 0, 200))
    rsps.add("GET", CHARTS, json=page(100, 100, 200))
    assert len(client().list("chart/")) == 200
    assert len(rsps.calls) == 3


def test_list_tolerates_a_server_page_cap(rsps):
    """Asking for 500 rows a page gets 100: the count, not the short page, ends the loop."""
    add_login(rsps)
    for start, rows in ((0, 100), (100, 100), (200, 30)):
        rsps.add("GET", CHARTS, json=page(rows, start, 230))
    assert len(client().list("chart/", page_size=500)) == 230


def test_list_stops_on_an_empty_page_and_takes_a_count_two_reads_agree_on(rsps):
    """Fewer rows than counted, the same twice: the server's own count."""
    add_login(rsps)
    for _ in range(2):
        rsps.add("GET", CHARTS, json=page(100, 0, 150))
        rsps.add("GET", CHARTS, json=page(0, 100, 150))
    assert len(client().list("chart/")) == 100
    assert sum(c.request.method == "GET" for c in rsps.calls) == 4


def test_list_without_count_stops_on_a_short_page(rsps):
    add_login(rsps)
    rsps.add("GET", CHARTS, json={"result": [{"id": i} for i in range(100)]})
    rsps.add("GET", CHARTS, json={"result": [{"id": 100}]})
    assert len(client().list("chart/")) == 101


def test_a_list_that_moved_between_two_pages_is_read_again(rsps):
    """A chart edited between page 0 and page 1 moves to the front of the
    ``changed_on`` order: row 99 is read twice, row 199 never."""
    add_login(rsps)
    moved = {"count": 200, "result": [{"id": i} for i in range(99, 199)]}
    for body in (page(100, 0, 200), moved, page(100, 0, 200), page(100, 100, 200)):
        rsps.add("GET", CHARTS, json=body)
    rows = client().list("chart/")
    assert [r["id"] for r in rows] == list(range(200))
    assert sum(c.request.method == "GET" for c in rsps.calls) == 4


def test_a_list_that_changes_on_every_read_is_an_error_not_a_plan(rsps):
    add_login(rsps)
    for shift in (99, 98):
        rsps.add("GET", CHARTS, json=page(100, 0, 200))
        rsps.add("GET", CHARTS, json={"count": 200,
                                      "result": [{"id": i} for i in range(shift, shift + 100)]})
    with pytest.raises(ApiError, match=r"^GET /api/v1/chart/: the list changed while it was "
                                       r"read, twice .*: run again$"):
        client().list("chart/")


def test_list_of_nothing_is_one_request(rsps):
    add_login(rsps)
    rsps.add("GET", CHARTS, json={"count": 0, "result": []})
    assert client().list("chart/") == []
    assert len(rsps.calls) == 2


def test_list_accepts_filter_dicts(rsps):
    add_login(rsps)
    rsps.add("GET", CHARTS, json={"count": 0, "result": []})
    client().list("chart/", filters=[{"col": "id", "opr": "chart_is_favorite", "value": True}])
    assert "filters:!((col:id,opr:chart_is_favorite,value:!t))" in query(rsps.calls[-1])


# -- retries -----------------------------------------------------------------------------


def test_get_retried_on_503_then_succeeds(rsps):
    add_login(rsps)
    rsps.add("GET", CHARTS, status=503, body="Service Unavailable")
    rsps.add("GET", CHARTS, status=503, body="Service Unavailable")
    rsps.add("GET", CHARTS, json={"result": []})
    c = client(retries=2)
    assert c.get("chart/") == {"result": []}
    assert [r.status for r in c.requests if r.kind == "api"] == [503, 503, 200]


def test_get_gives_up_after_retries(rsps):
    add_login(rsps)
    rsps.add(
        "GET",
        CHARTS,
        status=504,
        body="<html><title>504 Gateway Time-out</title></html>",
        content_type="text/html",
    )
    with pytest.raises(ApiError) as info:
        client(retries=2).get("chart/")
    assert str(info.value) == "GET /api/v1/chart/ → 504: 504 Gateway Time-out"
    assert len(rsps.calls) == 1 + 3


def test_put_and_delete_are_retried(rsps):
    add_login(rsps)
    add_csrf(rsps)
    rsps.add("PUT", f"{CHARTS}1", status=502)
    rsps.add("PUT", f"{CHARTS}1", json={"id": 1})
    rsps.add("DELETE", f"{CHARTS}1", status=503)
    rsps.add("DELETE", f"{CHARTS}1", json={"message": "OK"})
    c = client()
    c.put("chart/1", {})
    c.delete("chart/1")
    assert c.count("PUT") == 2
    assert c.count("DELETE") == 2


def test_post_is_never_repeated_on_503(rsps):
    add_login(rsps)
    add_csrf(rsps)
    rsps.add("POST", CHARTS, status=503, body="Service Unavailable")
    c = client(retries=3)
    with pytest.raises(TransientWriteError) as info:
        c.post("chart/", {"slice_name": "x"})
    assert c.count("POST") == 1
    assert info.value.status == 503
    assert (
        str(info.value)
        == "POST /api/v1/chart/ → 503: Service Unavailable; it may or may not have been applied"
    )


def test_post_read_timeout_is_a_transient_write(rsps):
    add_login(rsps)
    add_csrf(rsps)
    rsps.add("POST", CHARTS, body=requests.exceptions.ReadTimeout("read timed out"))
    c = client(retries=3, timeout=(2, 9))
    with pytest.raises(TransientWriteError) as info:
        c.post("chart/", {})
    assert info.value.status is None
    assert "no answer from http://superset.test within 9 s" in str(info.value)
    assert c.count("POST") == 1


def test_get_retried_on_connection_error(rsps):
    add_login(rsps)
    rsps.add("GET", CHARTS, body=requests.exceptions.ConnectionError("Connection aborted"))
    rsps.add("GET", CHARTS, json={"result": []})
    c = client()
    assert c.get("chart/") == {"result": []}
    assert [r.status for r in c.requests if r.kind == "api"] == [None, 200]


def test_backoff_doubles(rsps, monkeypatch):
    slept = []
    monkeypatch.setattr("superset_iac.superset.transport.time.sleep", slept.append)
    add_login(rsps)
    rsps.add("GET", CHARTS, status=503)
    with pytest.raises(ApiError):
        client(retries=3, backoff=0.5).get("chart/")
    assert slept == [0.5, 1.0, 2.0]


def test_unreachable_server_is_one_line_without_traceback_text():
    c = SupersetClient(
        "http://127.0.0.1:1", username="admin", password=PASSWORD, retries=1, backoff=0
    )
    with pytest.raises(ApiError) as info:
        c.get("chart/")
    assert info.value.status is None
    assert (
        str(info.value)
        == "POST /api/v1/security/login → no response: cannot reach http://127.0.0.1:1: connection refused"
    )
    # Nothing was sent, so even the login POST was safely tried again.
    assert [(r.method, r.status) for r in c.requests] == [("POST", None), ("POST", None)]


def test_unreachable_server_on_a_post_is_not_transient():
    c = SupersetClient("http://127.0.0.1:1", access_token=ACCESS, retries=0, backoff=0)
    c._csrf_token = CSRF  # skip the fetch: the POST itself meets the refused connection
    with pytest.raises(ApiError) as info:
        c.post("chart/", {})
    assert not isinstance(info.value, TransientWriteError)
    assert "connection refused" in str(info.value)


# -- timeouts, TLS ----------------------------------------------------------------------


def test_timeouts_and_verify_are_passed_through(rsps):
    add_login(rsps)
    rsps.add("GET", CHARTS, json={})
    client(timeout=(3, 7), verify="/etc/ssl/my-ca.pem").get("chart/")
    for call in rsps.calls:
        assert call.request.req_kwargs["timeout"] == (3, 7)
        assert call.request.req_kwargs["verify"] == "/etc/ssl/my-ca.pem"


def test_tls_verification_can_be_disabled_explicitly(rsps):
    add_login(rsps)
    rsps.add("GET", CHARTS, json={})
    client(verify=False).get("chart/")
    assert rsps.calls[-1].request.req_kwargs["verify"] is False


def test_tls_failure_points_at_the_ca_bundle_option(rsps):
    rsps.add("POST", LOGIN, body=requests.exceptions.SSLError("certificate verify failed"))
    with pytest.raises(ApiError) as info:
        client(retries=0).get("chart/")
    assert "TLS error talking to http://superset.test: certificate verify failed" in str(info.value)
    assert "verify=<CA bundle path>" in str(info.value)


# -- request log ------------------------------------------------------------------------


def test_request_log_counts_and_kinds(rsps):
    add_login(rsps)
    rsps.add("GET", CHARTS, json={"result": []})
    add_csrf(rsps)
    rsps.add("POST", CHARTS, status=201, json={"id": 1})
    c = client()
    c.get("chart/")
    c.get("chart/")
    c.post("chart/", {})
    assert [(r.method, r.path, r.status, r.kind) for r in c.requests] == [
        ("POST", "/api/v1/security/login", 200, "auth"),
        ("GET", "/api/v1/chart/", 200, "api"),
        ("GET", "/api/v1/chart/", 200, "api"),
        ("GET", "/api/v1/security/csrf_token/", 200, "auth"),
        ("POST", "/api/v1/chart/", 201, "api"),
    ]
    assert all(isinstance(r, RequestRecord) and r.elapsed_s >= 0 for r in c.requests)
    assert c.count() == 3
    assert c.count("GET") == 2
    assert c.count("post") == 1
    assert c.count(("POST", "PUT", "DELETE")) == 1
    assert c.count("POST", include_auth=True) == 2
    assert c.count(include_auth=True) == 5
    c.reset_log()
    assert c.requests == [] and c.count() == 0
    c.get("chart/")
    assert c.count() == 1  # tokens survive a reset: no new login


# -- secrets ------------------------------------------------------------------------------


def test_secrets_never_reach_messages_reprs_or_logs(rsps, caplog):
    caplog.set_level(logging.DEBUG)
    add_login(rsps)
    add_csrf(rsps)
    echo = f"bad request from admin/{PASSWORD} with {ACCESS} and {CSRF} for postgresql://u:dbpass99@h/db"
    rsps.add("POST", f"{BASE}/api/v1/database/", status=422, json={"message": echo})
    c = client()
    with pytest.raises(ApiError) as info:
        c.post("database/", {"sqlalchemy_uri": "postgresql://u:dbpass99@h/db"})
    shown = [str(info.value), repr(info.value), repr(c), caplog.text, repr(c.requests)]
    for secret in (PASSWORD, ACCESS, REFRESH, CSRF, "dbpass99"):
        for text in shown:
            assert secret not in text
    assert str(info.value) == (
        "POST /api/v1/database/ → 422: bad request from admin/*** with *** and *** for postgresql://u:***@h/db"
    )


def test_repr_shows_url_and_auth_kind_only():
    assert repr(client()) == "SupersetClient(url='http://superset.test', auth=user 'admin')"
    assert (
        repr(SupersetClient(BASE, access_token=ACCESS))
        == "SupersetClient(url='http://superset.test', auth=access token)"
    )


def test_access_token_mode_explains_a_malformed_token(rsps):
    rsps.add("GET", CHARTS, status=422, json={"msg": "Not enough segments"})
    with pytest.raises(ApiError) as info:
        client(username=None, password=None, access_token="garbage").get("chart/")
    assert str(info.value).startswith(
        "GET /api/v1/chart/ → 422: Not enough segments (the access token"
    )


def test_a_rate_limited_post_is_repeated_after_the_wait_the_server_asks(rsps, monkeypatch):
    """A production Superset limits each client (RATELIMIT_APPLICATION, 50/s by
    default): a 429 was refused before it ran, so even a POST is repeated."""
    waits: list[float] = []
    monkeypatch.setattr("superset_iac.superset.transport.time.sleep", waits.append)
    add_login(rsps)
    add_csrf(rsps)
    limited = {"errors": [{"message": "429 Too Many Requests: 50 per 1 second"}]}
    rsps.add("POST", CHARTS, status=429, json=limited, headers={"Retry-After": "1"})
    rsps.add("POST", CHARTS, status=429, json=limited, headers={"Retry-After": "3600"})
    rsps.add("POST", CHARTS, json={"id": 7, "result": {}})
    c = client(retries=3, backoff=0.5)
    assert c.post("chart/", {"slice_name": "x"})["id"] == 7
    assert [r.status for r in c.requests if r.method == "POST" and r.kind == "api"] == [429, 429, 200]
    assert waits == [1.0, 10.0]  # the server's wait, capped


def test_a_rate_limit_that_lasts_past_the_retries_is_one_error(rsps, monkeypatch):
    monkeypatch.setattr("superset_iac.superset.transport.time.sleep", lambda _s: None)
    add_login(rsps)
    rsps.add("GET", CHARTS, status=429, json={"message": "429 Too Many Requests"})
    with pytest.raises(ApiError) as info:
        client(retries=1).get("chart/")
    assert info.value.status == 429 and len(rsps.calls) == 1 + 2
