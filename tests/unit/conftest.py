"""Unit-test fixtures shared by every module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from superset_iac import secrets


@pytest.fixture(autouse=True)
def no_remembered_secrets() -> Iterator[None]:
    """Secrets one test resolved are not masked in the next one's output."""
    secrets.forget_all()
    yield
    secrets.forget_all()
