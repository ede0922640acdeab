"""A small, strict client for Superset's REST API.

``SupersetClient`` is the API as callers use it: JSON in and out, list
endpoints paged to the end, the server's version asked once. How each
request is sent (auth, CSRF, retries, timeouts, errors) is ``transport.py``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from superset_iac.superset import records
from superset_iac.superset.errors import ApiError, ListChanged, UnsupportedServer
from superset_iac.superset.records import AUTH
from superset_iac.superset.timeouts import DEFAULT_CONCURRENCY  # noqa: F401  (re-exported)
from superset_iac.superset.transport import (  # noqa: F401  (re-exported)
    CONNECT_TIMEOUT,
    DEFAULT_TIMEOUT,
    Transport,
    server_unreachable,
    timeouts,
)
from superset_iac.superset.version import SECURITY_API_HELP, ServerVersion, support_warnings
from superset_iac.superset.wire import Filter, as_filter

List = list  # the method named `list` below shadows the builtin in annotations

PAGE_SIZE = 100  # Superset silently caps most list endpoints at 100 rows.
T = TypeVar("T")
R = TypeVar("R")


class SupersetClient(Transport):
    """Talks to one Superset server as one user (see ``Transport`` for the
    connection arguments).

    Paths not starting with ``/`` are relative to ``/api/v1/``. List
    endpoints need their trailing slash (``chart/``); the server redirects
    without one.
    """

    _version: ServerVersion | None = None

    # -- public API -----------------------------------------------------------

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET ``path``; returns the whole decoded JSON body (``result``, ``count``…).

        Dict and list values in ``params`` are Rison-encoded, so
        ``params={"q": {"page_size": 10}}`` works.
        """
        return self._body(self._request("GET", path, params=params))

    def get_bytes(self, path: str, params: Mapping[str, Any] | None = None) -> bytes:
        """GET ``path`` and return the raw body (export ZIP bundles)."""
        return self._request("GET", path, params=params).content

    def post(
        self,
        path: str,
        json: Any = None,
        *,
        files: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> Any:
        """POST JSON (or a multipart form with ``files``/``data``); returns the decoded body.

        Creates answer ``{"id": …, "result": {…}}``: the id is outside ``result``,
        so the body is returned whole. Raises ``TransientWriteError`` when the
        outcome is unknown. Give file contents as bytes, not open files: a
        request refused for its CSRF token is sent a second time.
        """
        return self._body(self._request("POST", path, json=json, files=files, data=data))

    def put(self, path: str, json: Any) -> Any:
        """PUT JSON; returns the decoded body (``{"id": …, "result": {…}}``)."""
        return self._body(self._request("PUT", path, json=json))

    def delete(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """DELETE ``path``; returns the decoded body (``{"message": "OK"}``) or None if empty."""
        return self._body(self._request("DELETE", path, params=params))

    def get_by_id(self, resource: str, id: int | str) -> dict[str, Any]:
        """The object at ``resource/id``, unwrapped from ``result``.

        ``id`` may be a uuid or slug where the resource allows it (dashboards,
        charts, datasets; databases take numeric ids only).
        """
        return self.get(f"{resource.strip('/')}/{id}")["result"]

    def list(
        self,
        resource: str,
        filters: Iterable[Filter] = (),
        columns: Sequence[str] | None = None,
        order_column: str | None = None,
        order_direction: str = "asc",
        page_size: int = PAGE_SIZE,
    ) -> list[dict[str, Any]]:
        """Every row of a list endpoint, all pages, as the ``result`` rows.

        ``filters`` are ``(column, operator, value)`` triples (operators as
        ``GET resource/_info`` lists them, e.g. ``eq``, ``ct``, ``rel_o_m``).
        Paging stops at ``count`` rows, at an empty page, or at a short page
        when the server gives no ``count``; the server may cap ``page_size``
        below what was asked, which the ``count`` rule tolerates.
        """
        query: dict[str, Any] = {"page_size": page_size}
        if filters:
            query["filters"] = [as_filter(f) for f in filters]
        if columns:
            query["columns"] = list(columns)
        if order_column:
            query.update(order_column=order_column, order_direction=order_direction)
        return self._all_pages(f"{resource.strip('/')}/", query, page_size)

    def concurrently(self, fn: Callable[[T], R], items: Iterable[T]) -> List[R]:
        """``fn(item)`` for every item, up to ``concurrency`` requests in flight;
        the results in item order. Only for calls that do not depend on each
        other (reads; in ``apply``, writes naming none of each other). The
        request log lists each call's requests in item order, as one after
        another would; the first failure in item order is raised (see
        ``pool.RequestPool.run``).
        """
        self._ensure_login()  # once, before any thread needs it
        return self._pool.run(fn, items)

    def count(
        self, method: str | Iterable[str] | None = None, *, include_auth: bool = False
    ) -> int:
        """Requests logged so far for ``method`` (e.g. ``"GET"`` or ``("POST", "PUT", "DELETE")``).

        Login, refresh and CSRF fetches are excluded unless ``include_auth``.
        """
        return records.count(self.requests, method, include_auth=include_auth)

    def reset_log(self) -> None:
        """Forget logged requests (tokens and CSRF state are kept)."""
        self.requests.clear()

    def server_version(self) -> ServerVersion:
        """The server's Superset version, asked once per client.

        6.1+ answers ``GET /version``; for older servers the version is
        inferred (``exact=False``) from whether the 6.0 theme API exists.
        """
        if self._version is None:
            self._version = self._probe_version()
        return self._version

    def check_supported(self) -> List[str]:
        """Raise ``UnsupportedServer`` unless the server is 6.x; return warnings to show.

        See ``superset_iac.superset.version`` for the policy and its reasons.
        """
        return support_warnings(self.server_version())

    def check_security_api(self) -> None:
        """Raise ``UnsupportedServer`` when FAB's security API (roles, users) is switched off."""
        try:
            self.get("security/roles/", params={"q": {"page_size": 1}})
        except ApiError as exc:
            if exc.status == 404:
                raise UnsupportedServer(f"{self.url}: {SECURITY_API_HELP}") from None
            raise

    # -- paging and version probes ----------------------------------------------

    def _all_pages(self, path: str, query: dict[str, Any], page_size: int) -> List[dict[str, Any]]:
        """Every page, read again once when the list changed while it was read.

        Superset pages by offset, charts and dashboards in ``changed_on``
        order: an object edited, created or deleted between two pages moves
        the rows after it, so one row is read twice and another never. A
        plan built on that list would create an object that exists. The
        rows must be distinct and as many as page 0's ``count``; if not, the
        list is read again, and two reads that still disagree are an error
        (two that agree are the server's own count, taken as it is).
        """
        first = self._pages(path, query, page_size)
        if _whole(*first):
            return first[0]
        second = self._pages(path, query, page_size)
        if _whole(*second) or _ids(second[0]) == _ids(first[0]):
            return _distinct(second[0])
        raise ListChanged(f"/api/v1/{path}")

    def _pages(self, path: str, query: dict[str, Any],
               page_size: int) -> tuple[List[dict[str, Any]], int | None]:
        """Page by page until a stop rule of ``list``, with page 0's ``count``;
        with concurrency, the pages that ``count`` says are left go side by side."""
        def page(n: int) -> tuple[List[dict[str, Any]], int | None]:
            body = self.get(path, params={"q": {**query, "page": n}})
            return body.get("result") or [], body.get("count")

        rows, total = page(0)
        rows = list(rows)
        n = 1
        if self.concurrency > 1 and rows and total is not None and len(rows) < total:
            left = math.ceil((total - len(rows)) / len(rows))  # the server's page size
            for batch in self.concurrently(lambda k: page(k)[0], range(1, 1 + left)):
                if not batch:  # fewer rows than counted: the end
                    return rows, total
                rows.extend(batch)
            n += left
        batch, counted = rows, total
        while not _last_page(batch, len(rows), counted, page_size):
            batch, counted = page(n)
            rows.extend(batch)
            n += 1
        return rows, total

    def _probe_version(self) -> ServerVersion:
        # Logged as connection bookkeeping, like the login: it is asked once per
        # run and is not part of what a plan costs.
        try:
            body = self._body(self._request("GET", "/version", kind=AUTH))
        except ApiError as exc:
            if exc.status != 404:
                raise
            return self._infer_old_version()
        raw = body.get("version_string") if isinstance(body, dict) else None
        if not raw:
            raise ApiError("GET", "/version", 200, "no version_string in the answer")
        return ServerVersion.parse(str(raw))

    def _infer_old_version(self) -> ServerVersion:
        """No ``/version`` (added in 6.1): the theme API exists from 6.0 on."""
        try:
            self._request("GET", "theme/_info", kind=AUTH,
                          params={"q": {"keys": ["permissions"]}})
        except ApiError as exc:
            if exc.status == 404:
                return ServerVersion("5.x or older", (5, 0, 0), exact=False)
            if exc.status != 403:
                raise
        return ServerVersion("6.0", (6, 0, 0), exact=False)


def _ids(rows: List[dict[str, Any]]) -> List[Any]:
    """Each row's identity: its id, or the whole row when it has none."""
    return [row["id"] if "id" in row else repr(row) for row in rows]


def _whole(rows: List[dict[str, Any]], total: int | None) -> bool:
    """Distinct rows, as many as counted (any number when the server gives no count)."""
    ids = _ids(rows)
    return len(set(ids)) == len(ids) and (total is None or len(ids) == total)


def _distinct(rows: List[dict[str, Any]]) -> List[dict[str, Any]]:
    seen: set[Any] = set()
    out = []
    for row, key in zip(rows, _ids(rows)):
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out


def _last_page(batch: List[Any], rows: int, total: int | None, page_size: int) -> bool:
    """An empty page, ``count`` rows reached, or a short page when there is no ``count``."""
    if not batch or (total is not None and rows >= total):
        return True
    return total is None and len(batch) < page_size
