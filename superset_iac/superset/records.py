"""The client's request log: what a command cost in HTTP round trips.

Every HTTP attempt, including retries and failed connections, is recorded so
tests can assert things like "a plan against an unchanged Superset sends N GETs
and no writes". Login, token refresh and CSRF-token fetches are recorded with
``kind="auth"`` and left out of counts by default: they are bookkeeping whose
number depends on token lifetimes, not on the work done.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

API = "api"
AUTH = "auth"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class RequestRecord:
    """One HTTP attempt. ``status`` is None when no response came back."""

    method: str
    path: str
    status: int | None
    elapsed_s: float
    kind: str = API


def count(
    records: Iterable[RequestRecord],
    method: str | Iterable[str] | None = None,
    *,
    include_auth: bool = False,
) -> int:
    """How many records match ``method`` (one name, several, or any)."""
    wanted = _methods(method)
    return sum(
        1
        for record in records
        if (include_auth or record.kind != AUTH) and (wanted is None or record.method in wanted)
    )


def _methods(method: str | Iterable[str] | None) -> frozenset[str] | None:
    if method is None:
        return None
    if isinstance(method, str):
        return frozenset({method.upper()})
    return frozenset(m.upper() for m in method)
