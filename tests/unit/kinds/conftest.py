"""What the handler tests share: a mocked Superset and a client for it."""

from __future__ import annotations

from typing import Iterator

import pytest
import responses

from superset_iac.superset import SupersetClient

BASE = "http://superset.test"


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
    rsps.add("GET", f"{BASE}/api/v1/security/csrf_token/", json={"result": "csrf"})
