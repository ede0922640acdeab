"""Superset's event log without secrets, and one JSON line per change.

Loaded by superset_config.py (beside it here and in the image). Superset's
database event log (the `logs` table, Settings → Action Log, /api/v1/log/)
records every request: who (user_id), what (action, dashboard_id, slice_id),
when (dttm), and the request's payload in `json`. That payload is stored as
it came, so a database POST would keep its URI's password; `redact` takes
those out first. The JSON lines go to the process's output, where the
platform's log shipping keeps them beyond the database's retention and out
of reach of Superset admins.

Imports Superset only inside `event_logger`, so the module loads without it.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

logger = logging.getLogger(__name__)

_WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# POST endpoints that read, log in, or keep a user's UI state: not changes.
_READ_PATHS = ("/api/v1/chart/data", "/api/v1/sqllab/", "/api/v1/security/login",
               "/api/v1/security/refresh", "/api/v1/database/test_connection",
               "/api/v1/database/validate_parameters", "/api/v1/explore/",
               "/superset/log/", "/api/v1/dashboard/permalink", "/api/v1/log/")
_READ_ACTIONS = ("ChartDataRestApi.", "SqlLabRestApi.", "SecurityApi.", "execute_sql",
                 "test_connection_", "log_this")


def audit_record(user_id: int | None, username: str | None, action: str, method: str,
                 path: str | None, records: list[dict[str, Any]],
                 dashboard_id: int | None, slice_id: int | None,
                 duration_ms: int | None) -> dict[str, Any] | None:
    """One JSON-ready line for a change made through the web or the API.

    None for reads: the database log keeps those; the audit stream is for
    who changed what.
    """
    if method not in _WRITE_METHODS or action.startswith(_READ_ACTIONS):
        return None
    if path and (path.startswith(_READ_PATHS) or "/filter_state" in path):
        return None
    first = records[0] if records else {}
    return {
        "audit": "superset", "user_id": user_id, "username": username,
        "action": action, "method": method, "path": path,
        "object_ref": first.get("object_ref"),
        "pk": first.get("pk"),
        "dashboard_id": dashboard_id, "slice_id": slice_id,
        "duration_ms": duration_ms,
    }


_SECRET_WORDS = r"password|passwd|pwd|secret|token|encrypted_extra|private_key|credential|api_key"
_SECRET_KEY_NAMES = re.compile(_SECRET_WORDS, re.I)
# user:password@ in a URI.
_URI_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^@\s]+@")
# ?password=… or &token=… in a URI's query (DuckDB takes its password there,
# the form `superset-iac --rotate-passwords` writes), up to the next & or quote.
_QUERY_SECRET = re.compile(rf"([?&][\w.-]*(?:{_SECRET_WORDS})[\w.-]*=)[^&\s\"'#]+", re.I)
REDACTED = "XXXXXXXXXX"


def _redact_text(value: str) -> str:
    """A string without the secrets it may carry: a URI's, or a JSON document's.

    A database's `extra` (and other JSON fields) arrive as JSON text, whose
    keys the dict walk below never sees: parse, redact, serialise back.
    """
    stripped = value.strip()
    if stripped[:1] in ("{", "[") and _SECRET_KEY_NAMES.search(stripped):
        try:
            parsed = json.loads(stripped)
        except ValueError:
            pass
        else:
            return json.dumps(redact(parsed))
    if "://" in value or "=" in value:
        value = _URI_PASSWORD.sub(rf"\1{REDACTED}@", value)
        value = _QUERY_SECRET.sub(rf"\1{REDACTED}", value)
    return value


def redact(value: Any) -> Any:
    """A copy of a logged request payload without secrets.

    Values under secret-sounding keys are replaced; strings are searched for
    URI passwords (user:password@, ?password=) and JSON documents walked.
    """
    if isinstance(value, dict):
        return {key: (REDACTED if isinstance(key, str) and _SECRET_KEY_NAMES.search(key)
                      and value[key] not in (None, "") else redact(value[key]))
                for key in value}
    if isinstance(value, (list, tuple)):
        return [redact(item) for item in value]
    if isinstance(value, str):
        return _redact_text(value)
    return value


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _viewed(body: Any, dashboard_id: int | None, slice_id: int | None) -> tuple:
    """The dashboard and chart a chart-data request ran for.

    The UI and the API send chart data as JSON whose form_data names them
    (dashboardId, slice_id); Superset logs the first query in place of that
    form_data and fills its `dashboard_id`/`slice_id` columns only from
    form-encoded requests. Filled here from the request body, the Action Log
    answers "who ran which chart on which dashboard" by column.
    """
    form_data = body.get("form_data") if isinstance(body, dict) else None
    if isinstance(form_data, dict):
        dashboard_id = dashboard_id or _int(form_data.get("dashboardId"))
        slice_id = slice_id or _int(form_data.get("slice_id"))
    return dashboard_id, slice_id


def event_logger(audit_logger_name: str) -> Any:
    """Superset's DBEventLogger, without secrets, plus one JSON line per change."""
    try:
        from flask import g, has_request_context, request

        from superset.utils.log import DBEventLogger
    except ImportError:  # checked without Superset installed
        return None

    audit = logging.getLogger(audit_logger_name)

    class AuditEventLogger(DBEventLogger):
        def log(self, user_id, action, dashboard_id, duration_ms, slice_id,  # noqa: PLR0913
                referrer, *args, **kwargs):
            for key in ("records", "curated_payload"):
                if kwargs.get(key):
                    kwargs[key] = redact(kwargs[key])
            if has_request_context() and request.is_json:
                dashboard_id, slice_id = _viewed(request.get_json(cache=True, silent=True),
                                                 dashboard_id, slice_id)
            super().log(user_id, action, dashboard_id, duration_ms, slice_id,
                        referrer, *args, **kwargs)
            try:
                if not has_request_context():
                    return
                user = getattr(g, "user", None)
                line = audit_record(
                    user_id, getattr(user, "username", None), action, request.method,
                    request.path, kwargs.get("records") or [], dashboard_id, slice_id,
                    duration_ms)
                if line is not None:
                    audit.info(json.dumps(line, default=str, sort_keys=True))
            except Exception:  # pylint: disable=broad-except
                # Auditing must never break the request it describes.
                logger.exception("audit log line failed")

    return AuditEventLogger()
