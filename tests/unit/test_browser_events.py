"""The browser check's reading of network events (tests/integration/browser.py):
what its login failures report rests on it, so it is pinned on the events
Chromium sends for a login that was accepted and one that was refused."""

from __future__ import annotations

from tests.integration.browser import Browser

BASE = "http://127.0.0.1:8088"


def _sent(request_id: str, method: str, url: str, redirected_by: int | None = None) -> dict:
    params: dict = {"requestId": request_id, "request": {"method": method, "url": url}}
    if redirected_by:
        params["redirectResponse"] = {"status": redirected_by}
    return {"method": "Network.requestWillBeSent", "params": params}


def _answered(request_id: str, status: int) -> dict:
    return {"method": "Network.responseReceived",
            "params": {"requestId": request_id, "response": {"status": status}}}


def _browser(events: list[dict]) -> Browser:
    browser = Browser.__new__(Browser)  # no Chromium: only the recorded events
    browser.events = events
    return browser


ACCEPTED_THEN_LOST = [
    _sent("1", "GET", f"{BASE}/login/"), _answered("1", 200),
    _sent("2", "POST", f"{BASE}/login/"),
    _sent("2", "GET", f"{BASE}/", redirected_by=302),
    _sent("2", "GET", f"{BASE}/superset/welcome/", redirected_by=302),
    _sent("2", "GET", f"{BASE}/login/?next=%2Fsuperset%2Fwelcome%2F", redirected_by=302),
    _answered("2", 200),
    _sent("3", "POST", f"{BASE}/superset/log/?explode=events"),
    {"method": "Network.loadingFailed",
     "params": {"requestId": "3", "blockedReason": "inspector", "errorText": ""}},
]
REFUSED = [
    _sent("1", "GET", f"{BASE}/login/"), _answered("1", 200),
    _sent("2", "POST", f"{BASE}/login/"),
    _sent("2", "GET", f"{BASE}/login/?next=/", redirected_by=302), _answered("2", 200),
]


def test_each_hop_of_a_redirect_chain_is_a_line_of_its_own_when_it_matches():
    browser = _browser(ACCEPTED_THEN_LOST)
    assert browser.requests_since(0, path="/login/") == [
        f"GET {BASE}/login/ -> 200",
        f"POST {BASE}/login/ -> 302",  # to / and /superset/welcome/, not lines here
        f"GET {BASE}/login/?next=%2Fsuperset%2Fwelcome%2F -> 200",
    ]
    assert browser.requests_since(2, method="POST", path="/login/") == [f"POST {BASE}/login/ -> 302"]
    assert browser.requests_since(2, method="GET", path="/login/") == [
        f"GET {BASE}/login/?next=%2Fsuperset%2Fwelcome%2F -> 200"]
    assert browser.requests_since(0, path="/log/") == [
        f"POST {BASE}/superset/log/?explode=events -> failed (inspector)"]


def test_where_the_login_post_went_first_tells_accepted_from_refused():
    assert _browser(ACCEPTED_THEN_LOST).first_redirect(2, method="POST", path="/login/") == f"{BASE}/"
    assert (_browser(REFUSED).first_redirect(2, method="POST", path="/login/")
            == f"{BASE}/login/?next=/")
    assert _browser(REFUSED[:3]).first_redirect(2, method="POST", path="/login/") is None


def test_a_request_not_answered_yet_says_so():
    assert _browser(REFUSED[:3]).requests_since(2, path="/login/") == [
        f"POST {BASE}/login/ -> (no answer yet)"]
