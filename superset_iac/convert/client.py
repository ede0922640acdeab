"""The read-only client export's handlers talk to when converting a bundle.

It answers exactly the reads ``export --all`` makes of the content kinds
(see ``server.py``) and refuses anything else, so a handler that starts
needing another endpoint fails loudly in the tests instead of converting
something different from what export writes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, Mapping, TypeVar

from superset_iac.convert.server import Imported
from superset_iac.errors import IacError
from superset_iac.superset.errors import ApiError

T = TypeVar("T")
List = list  # the method named `list` shadows the builtin in annotations
R = TypeVar("R")

_DETAIL = re.compile(r"^(?P<resource>database|dataset|dashboard)/(?P<id>\d+)(?P<tail>/connection)?$")


class BundleClient:
    def __init__(self, server: Imported) -> None:
        self._server = server
        self._requests = 0

    def count(self) -> int:
        return self._requests

    def list(self, resource: str, filters: Any = (), columns: Any = None,
             order_column: str | None = None, order_direction: str = "asc",
             page_size: int = 100) -> list[dict[str, Any]]:
        self._requests += 1
        return [dict(row) for row in self._server.rows.get(resource, [])]

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        self._requests += 1
        match = _DETAIL.match(path.strip("/"))
        resource = match.group("resource") if match else ""
        if match is None or (resource == "database") != bool(match.group("tail")):
            raise IacError(f"convert cannot answer GET {path} (a bundle holds no such thing)")
        detail = self._server.details.get(resource, {}).get(int(match.group("id")))
        if detail is None:
            raise IacError(f"convert: no {resource} {match.group('id')} in the bundles")
        return {"result": dict(detail)}

    def get_bytes(self, path: str, params: Mapping[str, Any] | None = None) -> bytes:
        """No export bundles: the details are in memory (a reader falls back to them)."""
        raise ApiError("GET", path, 404, "convert holds details, not export bundles")

    def get_by_id(self, resource: str, id: int | str) -> dict[str, Any]:
        return dict(self.get(f"{resource}/{id}")["result"])

    concurrency = 1  # the answers are in memory: nothing to wait for side by side

    def concurrently(self, fn: Callable[[T], R], items: Iterable[T]) -> List[R]:
        return [fn(item) for item in items]

    # Convert only reads: a write reaching this client is a bug, never sent anywhere.
    def post(self, path: str, json: Any = None, *, files: Mapping[str, Any] | None = None,
             data: Mapping[str, Any] | None = None) -> Any:
        raise IacError(f"convert writes nothing (POST {path})")

    def put(self, path: str, json: Any) -> Any:
        raise IacError(f"convert writes nothing (PUT {path})")

    def delete(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        raise IacError(f"convert writes nothing (DELETE {path})")
