"""The client against real sockets that fail: a server that never answers,
and one that goes away in the middle of a run."""

from __future__ import annotations

import pytest

from superset_iac.superset import ApiError, SupersetClient, TransientWriteError
from superset_iac.superset.client import server_unreachable, timeouts
from tests.unit.superset.local_servers import DyingServer, silent_server


def test_a_server_that_never_answers_is_given_up_after_one_timeout_not_four() -> None:
    with silent_server() as (url, accepted):
        client = SupersetClient(url, access_token="token-1", timeout=timeouts(0.3), retries=3,
                                backoff=0)
        with pytest.raises(ApiError) as info:
            client.get("chart/")
    assert str(info.value) == (f"GET /api/v1/chart/ → no response: no answer from {url} within "
                               "0.3 s (raise it with --timeout or SUPERSET_IAC_TIMEOUT)")
    assert len(client.requests) == 1 and len(accepted) == 1  # the timeout was not repeated
    assert server_unreachable(info.value)


def test_a_login_that_never_answers_is_not_repeated_either() -> None:
    with silent_server() as (url, accepted):
        client = SupersetClient(url, username="admin", password="pw", timeout=timeouts(0.3),
                                retries=3, backoff=0)
        with pytest.raises(ApiError, match="no answer from .* within 0.3 s"):
            client.get("chart/")
    assert [(r.method, r.path) for r in client.requests] == [("POST", "/api/v1/security/login")]


def test_timeouts_bound_the_connect_wait_too() -> None:
    assert timeouts(60) == (5.0, 60)
    assert timeouts(0.5) == (0.5, 0.5)


def test_a_server_gone_mid_run_is_a_dropped_write_then_refused_connections() -> None:
    with DyingServer(die_at=2) as server:
        client = SupersetClient(server.url, username="admin", password="pw", retries=2,
                                backoff=0)
        assert client.post("chart/", {"slice_name": "a"})["id"] == 1
        with pytest.raises(TransientWriteError) as dropped:
            client.post("chart/", {"slice_name": "b"})
        assert server_unreachable(dropped.value)
        server.dead.wait(5)
        with pytest.raises(ApiError, match="connection refused") as refused:
            client.get("chart/")
    assert refused.value.status is None and server_unreachable(refused.value)
    assert server.creates == ["/api/v1/chart/"]


def test_an_answered_refusal_is_not_unreachable() -> None:
    wrapped = RuntimeError("wrapper")
    wrapped.__cause__ = ApiError("POST", "/api/v1/chart/", 422, "could not be created")
    assert not server_unreachable(wrapped)
    wrapped.__cause__.__context__ = ApiError("GET", "/api/v1/chart/1", None, "refused")
    assert server_unreachable(wrapped)
