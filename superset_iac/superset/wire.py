"""Wire-level helpers for the Superset client: headers, arguments, bodies.

Kept apart from ``client.py`` so the client reads as the auth/CSRF/retry
pipeline it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

import requests

from superset_iac import __version__
from superset_iac.superset import rison
from superset_iac.superset.errors import ApiError, redact, server_message
from superset_iac.superset.records import WRITE_METHODS

Filter = tuple[str, str, Any] | Mapping[str, Any]


def new_session(base_url: str) -> requests.Session:
    """A session with the headers every request carries; the cookie jar keeps ``session``."""
    # ``verify`` goes with each request, not on the session: requests lets
    # REQUESTS_CA_BUNDLE override a session-level value, even ``False``.
    session = requests.Session()
    session.headers.update(
        {
            "Accept": "application/json",
            # Flask-WTF checks the Referer's origin on HTTPS writes.
            "Referer": base_url + "/",
            "User-Agent": f"superset-iac/{__version__}",
        }
    )
    return session


def prepare(method: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Drop empty arguments, Rison-encode structured params, mark writes as JSON.

    A write without a JSON content type that fails CSRF is answered with a
    302 to the login page instead of a JSON error, so every write without a
    multipart body says it is JSON.
    """
    prepared = {key: value for key, value in kwargs.items() if value is not None}
    params = prepared.get("params")
    if params:
        prepared["params"] = {
            k: rison.dumps(v) if isinstance(v, (dict, list, tuple)) else v
            for k, v in params.items()
        }
    if method in WRITE_METHODS and "files" not in prepared and "json" not in prepared:
        prepared["headers"] = {"Content-Type": "application/json"}
    return prepared


def json_body(response: requests.Response, secrets: Iterable[str] = ()) -> Any:
    """The decoded JSON body, None when empty; an ``ApiError`` when it is not JSON.

    A 2xx HTML page usually means the URL points at the web UI (or a login
    proxy) rather than the API, which deserves an error, not a parse crash.
    """
    if not response.content.strip():
        return None
    try:
        return response.json()
    except ValueError:
        kind = response.headers.get("Content-Type", "unknown content")
        excerpt = server_message(response.content, "text/html")
        raise ApiError(
            response.request.method or "?",
            urlsplit(response.url).path,
            response.status_code,
            redact(f"expected JSON, got {kind}: {excerpt}", secrets),
        ) from None


def redirect_message(response: requests.Response) -> str:
    """Where a (never followed) redirect pointed, and what it usually means."""
    location = response.headers.get("Location", "")
    if "/login" in location:
        return f"redirected to the login page {location} (the token or CSRF token was rejected)"
    return f"redirected to {location} (check the Superset URL's scheme, host and path)"


def is_csrf_failure(response: requests.Response) -> bool:
    """Flask-WTF's 400s: token missing/expired/invalid, session token missing, bad referrer."""
    if response.status_code != 400:
        return False
    message = server_message(response.content, response.headers.get("Content-Type", ""))
    return "CSRF" in message or "referrer" in message.lower()


def as_filter(item: Filter) -> dict[str, Any]:
    """``(col, opr, value)`` → the ``{"col", "opr", "value"}`` object Superset expects."""
    if isinstance(item, Mapping):
        return dict(item)
    col, opr, value = item
    return {"col": col, "opr": opr, "value": value}


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
