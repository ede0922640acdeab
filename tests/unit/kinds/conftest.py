"""What the handler tests share: a mocked Superset, a client and a context for it.

A module says which ids its context knows before a test runs by overriding
the ``ids`` fixture; ``body`` and ``paths`` read what the handler sent.
"""

from __future__ import annotations

import json
from typing import Any, Iterator
from urllib.parse import urlsplit

import pytest
import responses

from superset_iac.kinds.base import Context
from superset_iac.superset import SupersetClient

BASE = "http://superset.test"
API = f"{BASE}/api/v1"


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    """Every request must be mocked, and every mock used."""
    with responses.RequestsMock() as mock:
        yield mock


@pytest.fixture
def client() -> SupersetClient:
    """A client for ``BASE`` that needs no login and never retries.

    The token is long on purpose: the client redacts it from error messages,
    and a one-letter token would be redacted out of every word.
    """
    return SupersetClient(BASE, access_token="unit-test-token", retries=0)


@pytest.fixture
def csrf(rsps: responses.RequestsMock) -> None:
    """The CSRF token a client fetches before its first write."""
    rsps.add("GET", f"{API}/security/csrf_token/", json={"result": "csrf"})


@pytest.fixture
def ids() -> dict[str, dict[str, Any]]:
    """Ids of objects other kinds' reads would have registered: {kind: {key: id}}."""
    return {}


@pytest.fixture
def ctx(client: SupersetClient, ids: dict[str, dict[str, Any]]) -> Context:
    context = Context(client=client)
    for kind, known in ids.items():
        for key, id_ in known.items():
            context.ids.set(kind, key, id_)
    return context


def body(call: Any) -> Any:
    """The JSON a mocked call sent."""
    return json.loads(call.request.body)


def paths(rsps: responses.RequestsMock) -> list[tuple[str, str]]:
    """(method, path) of every call, in order."""
    return [(c.request.method, urlsplit(c.request.url).path) for c in rsps.calls]
