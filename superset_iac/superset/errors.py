"""Exceptions raised by the Superset client, and how server errors become one line.

Superset answers errors in several shapes depending on which layer failed:

- SIP-40: ``{"errors": [{"message": "…", "error_type": "…", …}]}``
  (Superset's own handlers, including CSRF failures and unknown URLs);
- ``{"message": "Not found"}`` or, for marshmallow validation,
  ``{"message": {"field": ["msg", …]}}`` (possibly nested);
- ``{"msg": "Token has expired"}`` (flask-jwt-extended);
- HTML or plain text from a proxy or a misrouted URL.

``server_message`` turns any of them into one readable line, and every message
passes through ``redact`` so passwords and tokens never reach a terminal or log.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from superset_iac.errors import ConfigError, IacError
from superset_iac.secrets import redact as secrets_redact

_BODY_CHARS = 200
_MESSAGE_CHARS = 1000

# Werkzeug prefixes its messages with the status ("400 Bad Request: …"),
# which the rendered error already shows.
_STATUS_PREFIX = re.compile(r"^\d{3} [A-Za-z' ]+: ")
_TAG = re.compile(r"<[^>]*>")
_WHITESPACE = re.compile(r"\s+")


class ApiError(IacError):
    """A Superset request that failed; ``str()`` is a single line.

    ``status`` is None when no HTTP response came back (connection refused,
    DNS, TLS, timeout). ``message`` is already redacted.
    """

    def __init__(self, method: str, path: str, status: int | None, message: str,
                 *, credentials_refused: bool = False) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.message = _one_line(message)
        # The token layer's own refusals: 401 (expired, missing) but also 422
        # for a malformed or forged token.
        self.credentials_refused = credentials_refused or status == 401
        super().__init__(self._render())

    @property
    def exit_code(self) -> int:
        """2 when the server cannot be reached or refuses our credentials (a
        configuration problem), 1 for any other failed request."""
        return 2 if self.status is None or self.credentials_refused else 1

    def _render(self) -> str:
        outcome = "no response" if self.status is None else str(self.status)
        return f"{self.method} {self.path} → {outcome}: {self.message}"


class TransientWriteError(ApiError):
    """A POST failed in a way that does not tell whether it was applied.

    Raised on 502/503/504, read timeouts or a connection dropped after the
    request was sent. The client never repeats a POST on its own because a
    second create could duplicate the object: the caller should read the live
    state and decide.
    """

    may_have_landed = True


class ListChanged(ApiError):
    """A list read twice that changed under both reads (see ``SupersetClient.list``)."""

    def __init__(self, path: str) -> None:
        super().__init__("GET", path, 200, "the list changed while it was read, twice "
                         "(objects created, edited or deleted meanwhile); nothing was "
                         "planned from it: run again")

    def _render(self) -> str:
        return f"{self.method} {self.path}: {self.message}"


class UnsupportedServer(ConfigError):
    """The Superset server is a version or configuration the tool cannot manage."""


def server_message(body: bytes | str, content_type: str = "", reason: str = "") -> str:
    """The human message inside an error response body, on one line."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    payload = _json_or_none(text) if "html" not in content_type else None
    if isinstance(payload, dict):
        found = _from_payload(payload)
        if found:
            return _one_line(found)
    if isinstance(payload, str) and payload:
        return _one_line(payload)
    plain = _one_line(_TAG.sub(" ", text)) if text.strip() else ""
    return plain[:_BODY_CHARS] or reason or "(empty response)"


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Remove known secret values and URI passwords from ``text``
    (``superset_iac.secrets.redact``: remembered secrets too)."""
    return secrets_redact(text, secrets)


def _from_payload(payload: dict[str, Any]) -> str:
    errors = payload.get("errors")
    if isinstance(errors, list) and errors:
        messages = [
            _strip_status(str(e.get("message", e))) if isinstance(e, dict) else str(e)
            for e in errors
        ]
        return "; ".join(m for m in messages if m)
    for key in ("message", "msg"):
        value = payload.get(key)
        if isinstance(value, str) and value:
            return _strip_status(value)
        if isinstance(value, (dict, list)) and value:
            return "; ".join(_flatten(value))
    return ""


def _flatten(value: Any, prefix: str = "") -> list[str]:
    """Marshmallow-style ``{"field": ["msg"], "nested": {"0": {...}}}`` → ``field: msg``."""
    if isinstance(value, dict):
        lines: list[str] = []
        for key, item in value.items():
            lines.extend(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return lines
    if isinstance(value, list):
        return [line for item in value for line in _flatten(item, prefix)]
    return [f"{prefix}: {value}" if prefix else str(value)]


def _strip_status(message: str) -> str:
    return _STATUS_PREFIX.sub("", message, count=1)


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _one_line(text: str) -> str:
    line = _WHITESPACE.sub(" ", text).strip()
    return line if len(line) <= _MESSAGE_CHARS else line[: _MESSAGE_CHARS - 1] + "…"
