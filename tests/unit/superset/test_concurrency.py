"""Requests side by side: the bound, the log's order, one login, errors as before.

The mocked server answers the earlier requests more slowly than the later
ones, so they finish in the reverse of the order they were sent in: what the
client logs and returns must still be in the order the calls were made.
"""

import json
import re
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from click.testing import CliRunner

from superset_iac import workflow
from superset_iac.cli import main
from superset_iac.errors import ConfigError
from superset_iac.superset import ApiError, SupersetClient

BASE = "http://superset.test"
ROOT = Path(__file__).resolve().parents[3]
LOGIN = f"{BASE}/api/v1/security/login"
REFRESH_URL = f"{BASE}/api/v1/security/refresh"


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def client(concurrency: int = 4) -> SupersetClient:
    return SupersetClient(BASE, username="admin", password="pw", retries=1, backoff=0,
                          concurrency=concurrency)


def add_login(rsps, access="token-1"):
    rsps.add("POST", LOGIN, json={"access_token": access, "refresh_token": "refresh-1"})


class SlowServer:
    """``GET /api/v1/chart/{n}``: answers after (10 - n) * 10 ms, counting requests in flight."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most = 0
        self.threads: set[str] = set()

    def __call__(self, request):
        n = int(urlsplit(request.url).path.rstrip("/").split("/")[-1])
        with self.lock:
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
            self.threads.add(threading.current_thread().name)
        time.sleep((10 - n) * 0.01)
        with self.lock:
            self.in_flight -= 1
        if n == 7:
            return 404, {}, json.dumps({"message": "Not found"})
        return 200, {}, json.dumps({"result": {"id": n}})


def add_charts(rsps) -> SlowServer:
    server = SlowServer()
    rsps.add_callback("GET", re.compile(rf"{BASE}/api/v1/chart/\d+"), callback=server)
    return server


def test_results_and_log_follow_the_calls_not_the_answers(rsps):
    add_login(rsps)
    server = add_charts(rsps)
    api = client()
    got = api.concurrently(lambda n: api.get_by_id("chart", n)["id"], range(6))
    assert got == list(range(6))
    assert [r.path for r in api.requests if r.kind == "api"] == \
        [f"/api/v1/chart/{n}" for n in range(6)]
    assert server.most == 4  # the bound, and it was reached
    assert sum(r.path == "/api/v1/security/login" for r in api.requests) == 1


def test_one_at_a_time_runs_in_the_calling_thread(rsps):
    add_login(rsps)
    server = add_charts(rsps)
    api = client(concurrency=1)
    assert api.concurrently(lambda n: api.get_by_id("chart", n)["id"], range(4)) == [0, 1, 2, 3]
    assert server.most == 1 and server.threads == {threading.current_thread().name}


def test_the_first_failure_in_call_order_is_raised_as_one_line(rsps):
    add_login(rsps)
    add_charts(rsps)
    api = client()
    with pytest.raises(ApiError) as caught:
        # 9 answers first, 7 (a 404) later: the 7 is the first failure in call order
        api.concurrently(lambda n: api.get_by_id("chart", n), [5, 7, 8, 9])
    assert str(caught.value) == "GET /api/v1/chart/7 → 404: Not found"
    logged = [r.path for r in api.requests if r.kind == "api"]
    assert logged[:2] == ["/api/v1/chart/5", "/api/v1/chart/7"]


def test_nested_calls_log_depth_first(rsps):
    add_login(rsps)
    add_charts(rsps)
    api = client()
    api.concurrently(lambda pair: api.concurrently(lambda n: api.get_by_id("chart", n), pair),
                     [[0, 1], [2, 3]])
    assert [r.path for r in api.requests if r.kind == "api"] == \
        [f"/api/v1/chart/{n}" for n in range(4)]


def test_an_expired_token_is_renewed_once_for_every_thread(rsps):
    add_login(rsps, access="old")
    rsps.add("POST", REFRESH_URL, json={"access_token": "new"})

    def answer(request):
        time.sleep(0.02)  # all four are in flight with the old token
        if request.headers["Authorization"] != "Bearer new":
            return 401, {}, json.dumps({"msg": "Token has expired"})
        return 200, {}, json.dumps({"result": {"id": 1}})

    rsps.add_callback("GET", f"{BASE}/api/v1/chart/1", callback=answer)
    api = client()
    api.concurrently(lambda _: api.get_by_id("chart", 1), range(4))
    auth = [r.path for r in api.requests if r.kind == "auth"]
    assert auth == ["/api/v1/security/login", "/api/v1/security/refresh"]
    assert [r.status for r in api.requests if r.kind == "api"].count(200) == 4


def test_pages_after_the_first_go_side_by_side_in_page_order(rsps):
    add_login(rsps)

    def page(request):
        q = parse_qs(urlsplit(request.url).query)["q"][0]
        n = int(q.split("page:")[1].split(",")[0].rstrip(")"))
        time.sleep((4 - n) * 0.01)
        rows = [{"id": 100 * n + i} for i in range(100 if n < 3 else 50)]
        return 200, {}, json.dumps({"count": 350, "result": rows})

    rsps.add_callback("GET", f"{BASE}/api/v1/chart/", callback=page)
    api = client()
    rows = api.list("chart")
    assert [r["id"] for r in rows] == [100 * n + i for n in range(4) for i in range(100)][:350]
    pages = [parse_qs(urlsplit(c.request.url).query)["q"][0] for c in rsps.calls
             if "/chart/" in c.request.url]
    assert len(pages) == 4 and api.count("GET") == 4
    assert [r.path for r in api.requests if r.kind == "api"] == ["/api/v1/chart/"] * 4


def test_the_client_takes_its_bound_from_the_connection() -> None:
    conn = workflow.Connection(url=BASE, username="admin", password="pw", concurrency=2)
    assert workflow.connect(None, conn).concurrency == 2
    assert workflow.connect(None, workflow.Connection(url=BASE, username="admin",
                                                      password="pw")).concurrency == 4
    with pytest.raises(ValueError, match="at least 1"):
        client(concurrency=0)


@pytest.mark.parametrize("args, environ, expected", [
    ([], {}, 4), ([], {"SUPERSET_IAC_CONCURRENCY": "2"}, 2),
    (["--concurrency", "1"], {"SUPERSET_IAC_CONCURRENCY": "2"}, 1)])
def test_the_option_and_the_variable_reach_the_connection(monkeypatch, args, environ,
                                                          expected) -> None:
    seen = []

    def connect(env, given):
        seen.append(given.concurrency)
        raise ConfigError("stopped before any request")

    monkeypatch.setattr(workflow, "connect", connect)
    env = {"SUPERSET_URL": BASE, "SUPERSET_PASSWORD": "pw", "SUPERSET_IAC_AUDIT_LOG": "",
           "LAKEHOUSE_PATH": "/nowhere/lake.duckdb", **environ}
    for command in ("diff", "apply"):
        result = CliRunner().invoke(main, [command, "--env", "local", "--assets",
                                           str(ROOT / "assets"), *args], env=env)
        assert result.exit_code == 2 and "stopped before any request" in result.output
    assert seen == [expected, expected]


def test_a_bound_below_one_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["diff", "--concurrency", "0"])
    assert result.exit_code == 2 and "--concurrency" in result.output
