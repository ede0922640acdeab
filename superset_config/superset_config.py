"""Superset server configuration: production.

Point Superset at this file with ``SUPERSET_CONFIG_PATH``. Every secret and
every address comes from the environment (see ``deploy/.env.example`` for the
names and ``deploy/docker-compose.yml`` for how they are wired); nothing
secret lives in this file.

It refuses to load, with a message naming what to set, when:

* ``SUPERSET_SECRET_KEY`` is missing, short, or a publicly known value
  (Superset's own default, documentation placeholders, the local profile's key);
* no metadata database is configured (``SUPERSET_METADATA_DB_URI`` or
  ``DATABASE_HOST`` + ``DATABASE_PASSWORD`` …).

Redis is optional only in the sense that a missing ``REDIS_HOST`` leaves the
caches on the metadata database and disables Celery (async SQL Lab, alerts and
reports, audit-log pruning), with a warning in the log.

The module imports Superset, Celery and cachelib only where it must, and
tolerates their absence, so that ``python -c 'import superset_config'`` can
check a deployment's environment without a Superset install (the tool's test
suite does exactly that).

``superset_config/local.py`` imports this module and overrides what a laptop
or CI needs (SQLite, in-process caches, plain HTTP).
"""

from __future__ import annotations

import json
import logging
import os
import re
from datetime import timedelta
from typing import Any
from urllib.parse import quote

logger = logging.getLogger(__name__)


class ConfigurationError(RuntimeError):
    """The deployment's environment is unusable; the message says what to set."""


# --------------------------------------------------------------------------
# reading the environment


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip()


def _env_int(name: str, default: int) -> int:
    value = _env(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as err:
        raise ConfigurationError(f"{name} must be an integer, got {value!r}") from err


def _env_bool(name: str, default: bool) -> bool:
    value = _env(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name} must be true or false, got {value!r}")


# Which profile imports this module: "production" unless superset_config/local.py
# says otherwise before importing it.
PROFILE = _env("SUPERSET_CONFIG_PROFILE", "production")


# --------------------------------------------------------------------------
# secret key

# The key of superset_config/local.py: public (it is in git), so only the
# local profile may use it.
LOCAL_PROFILE_SECRET_KEY = "superset-iac-local-profile-not-a-secret-0123456789abcdef"

# Values that appear in Superset's source and documentation and so are public.
_PUBLIC_SECRET_KEYS = {
    "CHANGE_ME_TO_A_COMPLEX_RANDOM_SECRET",
    "TEST_NON_DEV_SECRET",
    "YOUR_OWN_RANDOM_GENERATED_SECRET_KEY",
    "thisISaSECRET_1234",
    "\2\1thisismyscretkey\1\2\\e\\y\\y\\h",
    "changeme",
    "secret",
}
_MIN_SECRET_LENGTH = 32


def check_secret_key(value: str | None, profile: str = "production") -> str:
    """Return a usable SECRET_KEY or raise ConfigurationError saying why not.

    The key signs session cookies and encrypts database passwords stored in
    the metadata database: a guessable key gives away both.
    """
    hint = ("Set SUPERSET_SECRET_KEY to a long random value, e.g. the output of "
            "`openssl rand -base64 42`, and keep it: stored database passwords "
            "are encrypted with it (rotate with PREVIOUS_SECRET_KEY and "
            "`superset re-encrypt-secrets`).")
    if not value:
        raise ConfigurationError(f"SUPERSET_SECRET_KEY is not set; Superset will not start without a real secret. {hint}")
    if value in _PUBLIC_SECRET_KEYS:
        raise ConfigurationError(f"SUPERSET_SECRET_KEY is a publicly known placeholder. {hint}")
    if value == LOCAL_PROFILE_SECRET_KEY and profile != "local":
        raise ConfigurationError(
            f"SUPERSET_SECRET_KEY is the local development key, which is public. {hint}")
    if len(value) < _MIN_SECRET_LENGTH:
        raise ConfigurationError(
            f"SUPERSET_SECRET_KEY is too short ({len(value)} characters, need at least "
            f"{_MIN_SECRET_LENGTH}). {hint}")
    return value


SECRET_KEY = check_secret_key(_env("SUPERSET_SECRET_KEY"), PROFILE)
# Set only while rotating the key (`superset re-encrypt-secrets`).
if _env("SUPERSET_PREVIOUS_SECRET_KEY"):
    PREVIOUS_SECRET_KEY = _env("SUPERSET_PREVIOUS_SECRET_KEY")


# --------------------------------------------------------------------------
# metadata database


def metadata_db_uri() -> str:
    """SUPERSET_METADATA_DB_URI, or a URI built from the DATABASE_* parts."""
    uri = _env("SUPERSET_METADATA_DB_URI")
    if uri:
        return uri
    host = _env("DATABASE_HOST")
    password = _env("DATABASE_PASSWORD")
    if not host or password is None:
        raise ConfigurationError(
            "No metadata database configured: set SUPERSET_METADATA_DB_URI, or "
            "DATABASE_HOST and DATABASE_PASSWORD (with DATABASE_USER, DATABASE_DB, "
            "DATABASE_PORT, DATABASE_DIALECT defaulting to superset, superset, 5432, "
            "postgresql+psycopg2)."
        )
    dialect = _env("DATABASE_DIALECT", "postgresql+psycopg2")
    user = _env("DATABASE_USER", "superset")
    port = _env("DATABASE_PORT", "5432")
    name = _env("DATABASE_DB", "superset")
    return f"{dialect}://{quote(user, safe='')}:{quote(password, safe='')}@{host}:{port}/{name}"


SQLALCHEMY_DATABASE_URI = metadata_db_uri()
# Connections to PostgreSQL die when it restarts or a proxy times them out.
SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True, "pool_recycle": 1800}


# --------------------------------------------------------------------------
# Redis: caches, Celery broker and results, rate limits

REDIS_HOST = _env("REDIS_HOST")
REDIS_PORT = _env_int("REDIS_PORT", 6379)
REDIS_PASSWORD = _env("REDIS_PASSWORD")
# One Redis database per purpose, so each can be flushed on its own.
REDIS_CELERY_DB = _env_int("REDIS_CELERY_DB", 0)
REDIS_RESULTS_DB = _env_int("REDIS_RESULTS_DB", 1)
REDIS_CACHE_DB = _env_int("REDIS_CACHE_DB", 2)
REDIS_RATELIMIT_DB = _env_int("REDIS_RATELIMIT_DB", 3)


def redis_url(db: int) -> str:
    auth = f":{quote(REDIS_PASSWORD, safe='')}@" if REDIS_PASSWORD else ""
    return f"redis://{auth}{REDIS_HOST}:{REDIS_PORT}/{db}"


def redis_cache(prefix: str, timeout: timedelta) -> dict[str, Any]:
    """A Flask-Caching config for one of Superset's caches on Redis."""
    config: dict[str, Any] = {
        "CACHE_TYPE": "RedisCache",
        "CACHE_DEFAULT_TIMEOUT": int(timeout.total_seconds()),
        "CACHE_KEY_PREFIX": f"superset_{prefix}_",
        "CACHE_REDIS_HOST": REDIS_HOST,
        "CACHE_REDIS_PORT": REDIS_PORT,
        "CACHE_REDIS_DB": REDIS_CACHE_DB,
    }
    if REDIS_PASSWORD:
        config["CACHE_REDIS_PASSWORD"] = REDIS_PASSWORD
    return config


CACHE_DEFAULT_TIMEOUT = _env_int("SUPERSET_CACHE_TIMEOUT", int(timedelta(days=1).total_seconds()))

if REDIS_HOST:
    # Superset's own objects (dashboards' and charts' metadata).
    CACHE_CONFIG = redis_cache("cache", timedelta(days=1))
    # Chart query results; short enough that fresh lakehouse data shows up.
    DATA_CACHE_CONFIG = redis_cache("data", timedelta(seconds=_env_int("SUPERSET_DATA_CACHE_TIMEOUT", 3600)))
    # Native filter state and Explore form data: Superset needs these to work.
    FILTER_STATE_CACHE_CONFIG = {**redis_cache("filter_state", timedelta(days=90)),
                                 "REFRESH_TIMEOUT_ON_RETRIEVAL": True}
    EXPLORE_FORM_DATA_CACHE_CONFIG = {**redis_cache("explore_form_data", timedelta(days=7)),
                                      "REFRESH_TIMEOUT_ON_RETRIEVAL": True}
    # Login rate limits shared across web workers.
    RATELIMIT_STORAGE_URI = redis_url(REDIS_RATELIMIT_DB)
elif PROFILE != "local":
    logger.warning(
        "REDIS_HOST is not set: caching falls back to the metadata database and "
        "Celery (async SQL Lab, alerts & reports, log pruning) is disabled"
    )


# --------------------------------------------------------------------------
# Celery: async SQL Lab, alerts & reports, housekeeping


def _results_backend() -> Any:
    try:
        from cachelib.redis import RedisCache
    except ImportError:  # checked without Superset installed
        return None
    return RedisCache(host=REDIS_HOST, port=REDIS_PORT, password=REDIS_PASSWORD,
                      db=REDIS_RESULTS_DB, key_prefix="superset_results_")


def _crontab(**fields: str) -> Any:
    try:
        from celery.schedules import crontab
    except ImportError:  # checked without Superset installed
        return {"crontab": fields}
    return crontab(**fields)


# How long the audit trail (the `logs` table, Superset's "Action Log") is kept.
AUDIT_LOG_RETENTION_DAYS = _env_int("SUPERSET_AUDIT_LOG_RETENTION_DAYS", 365)


class CeleryConfig:  # pylint: disable=too-few-public-methods
    broker_url = redis_url(REDIS_CELERY_DB) if REDIS_HOST else None
    result_backend = redis_url(REDIS_CELERY_DB) if REDIS_HOST else None
    imports = (
        "superset.sql_lab",
        "superset.tasks.scheduler",
        "superset.tasks.thumbnails",
        "superset.tasks.cache",
    )
    worker_prefetch_multiplier = 1
    task_acks_late = True
    task_annotations = {"sql_lab.get_sql_results": {"rate_limit": "100/s"}}
    beat_schedule = {
        "reports.scheduler": {"task": "reports.scheduler",
                              "schedule": _crontab(minute="*", hour="*")},
        "reports.prune_log": {"task": "reports.prune_log",
                              "schedule": _crontab(minute="0", hour="0")},
        # Keep the audit trail bounded but long.
        "prune_logs": {
            "task": "prune_logs",
            "schedule": _crontab(minute="30", hour="1"),
            "kwargs": {"retention_period_days": AUDIT_LOG_RETENTION_DAYS,
                       "max_rows_per_run": 100000},
        },
    }


if REDIS_HOST:
    CELERY_CONFIG = CeleryConfig
    RESULTS_BACKEND = _results_backend()
else:
    CELERY_CONFIG = None


# --------------------------------------------------------------------------
# features and security

FAB_ADD_SECURITY_API = True

FEATURE_FLAGS: dict[str, bool] = {
    # Dashboard access by role: superset-iac manages dashboard roles.
    "DASHBOARD_RBAC": True,
    # Row level security applies in SQL Lab too, not only to charts: the
    # symbol entitlements must hold wherever analysts query.
    "RLS_IN_SQLLAB": True,
    # Alerts and reports need Celery workers and beat.
    "ALERT_REPORTS": bool(REDIS_HOST),
    # Jinja in SQL runs arbitrary templates; the managed datasets do not need it.
    "ENABLE_TEMPLATE_PROCESSING": False,
}

# Connections that can read the server's files (SQLite, shillelagh) are refused.
PREVENT_UNSAFE_DB_CONNECTIONS = True

# HTTPS headers and CSP. Superset's default policy, less the telemetry image
# host its navbar loads on every page: with these hosts absent from img-src,
# users' browsers never report usage outside the company. Map tiles and web
# fonts from outside hosts are not allowed either: add their hosts here if a
# dashboard needs them.
TALISMAN_ENABLED = True
TALISMAN_CONFIG = {
    "content_security_policy": {
        "base-uri": ["'self'"],
        "default-src": ["'self'"],
        "img-src": ["'self'", "blob:", "data:"],
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": "'none'",
        "style-src": ["'self'", "'unsafe-inline'"],
        "font-src": ["'self'"],
        "script-src": ["'self'", "'strict-dynamic'"],
    },
    "content_security_policy_nonce_in": ["script-src"],
    # TLS ends at the load balancer; the session cookie is HTTPS-only there.
    "force_https": False,
    "session_cookie_secure": _env_bool("SUPERSET_COOKIE_SECURE", True),
}
# CSRF protection on Superset's own write endpoints; API clients (superset-iac)
# fetch /api/v1/security/csrf_token/ and send X-CSRFToken.
WTF_CSRF_ENABLED = True

# TLS ends at the proxy in front of Superset: cookies only over HTTPS.
SESSION_COOKIE_SECURE = _env_bool("SUPERSET_SESSION_COOKIE_SECURE", True)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Trust X-Forwarded-* from that proxy (scheme, host) so redirects stay on HTTPS.
ENABLE_PROXY_FIX = _env_bool("SUPERSET_ENABLE_PROXY_FIX", True)

RATELIMIT_ENABLED = True
AUTH_RATE_LIMITED = True
AUTH_RATE_LIMIT = "5 per second"

# Nobody browses anonymously.
PUBLIC_ROLE_LIKE = None


# --------------------------------------------------------------------------
# query limits

# Rows a chart query may return.
ROW_LIMIT = _env_int("SUPERSET_ROW_LIMIT", 50000)
# Rows shown by "samples" and the dataset preview.
SAMPLES_ROW_LIMIT = _env_int("SUPERSET_SAMPLES_ROW_LIMIT", 1000)
# Rows a SQL Lab query may fetch, and how many the browser renders.
SQL_MAX_ROW = _env_int("SUPERSET_SQL_MAX_ROW", 100000)
DISPLAY_MAX_ROW = _env_int("SUPERSET_DISPLAY_MAX_ROW", 10000)
# Synchronous SQL Lab queries; long ones belong to async (Celery) execution.
SQLLAB_TIMEOUT = _env_int("SUPERSET_SQLLAB_TIMEOUT", 300)
SQLLAB_ASYNC_TIME_LIMIT_SEC = _env_int("SUPERSET_SQLLAB_ASYNC_TIME_LIMIT", int(timedelta(hours=1).total_seconds()))
# Web requests (chart data on Trino can be slow); keep gunicorn's timeout above it.
SUPERSET_WEBSERVER_TIMEOUT = _env_int("SUPERSET_WEBSERVER_TIMEOUT", 120)


# --------------------------------------------------------------------------
# audit trail

LOG_LEVEL = getattr(logging, (_env("SUPERSET_LOG_LEVEL", "INFO") or "INFO").upper(), logging.INFO)

# Superset's Action Log (Settings → Action Log, /api/v1/log/) shows the events.
SUPERSET_LOG_VIEW = True

_WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# POST endpoints that read, log in, or keep a user's UI state: not changes.
_READ_PATHS = ("/api/v1/chart/data", "/api/v1/sqllab/", "/api/v1/security/login",
               "/api/v1/security/refresh", "/api/v1/database/test_connection",
               "/api/v1/database/validate_parameters", "/api/v1/explore/",
               "/superset/log/", "/api/v1/dashboard/permalink", "/api/v1/log/")
_READ_ACTIONS = ("ChartDataRestApi.", "SqlLabRestApi.", "SecurityApi.", "execute_sql",
                 "test_connection_", "log_this")

AUDIT_LOGGER_NAME = "superset.audit"


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


_SECRET_KEY_NAMES = re.compile(r"password|passwd|secret|token|encrypted_extra|private_key|credential", re.I)
_URI_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^@\s]+@")
REDACTED = "XXXXXXXXXX"


def redact(value: Any) -> Any:
    """A copy of a logged request payload without secrets.

    Superset's database log stores request bodies as they came: a database
    POST would keep its URI's password, a user POST the user's password.
    """
    if isinstance(value, dict):
        return {key: (REDACTED if isinstance(key, str) and _SECRET_KEY_NAMES.search(key)
                      and value[key] not in (None, "") else redact(value[key]))
                for key in value}
    if isinstance(value, list):
        return [redact(item) for item in value]
    if isinstance(value, str) and "://" in value:
        return _URI_PASSWORD.sub(rf"\1{REDACTED}@", value)
    return value


def _event_logger() -> Any:
    """Superset's DBEventLogger, without secrets, plus one JSON line per change.

    The database log feeds Superset's Action Log; the JSON lines go to the
    container's output, where the platform's log shipping keeps them beyond
    the database's retention and out of reach of Superset admins.
    """
    try:
        from flask import g, has_request_context, request

        from superset.utils.log import DBEventLogger
    except ImportError:  # checked without Superset installed
        return None

    audit = logging.getLogger(AUDIT_LOGGER_NAME)

    class AuditEventLogger(DBEventLogger):
        def log(self, user_id, action, dashboard_id, duration_ms, slice_id,  # noqa: PLR0913
                referrer, *args, **kwargs):
            for key in ("records", "curated_payload"):
                if kwargs.get(key):
                    kwargs[key] = redact(kwargs[key])
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


_logger = _event_logger()
if _logger is not None:
    EVENT_LOGGER = _logger


# --------------------------------------------------------------------------
# optional integrations

if _env("MAPBOX_API_KEY"):
    MAPBOX_API_KEY = _env("MAPBOX_API_KEY")

# The address reports' screenshots are taken from, and links in e-mails.
if _env("SUPERSET_WEBDRIVER_BASEURL"):
    WEBDRIVER_BASEURL = _env("SUPERSET_WEBDRIVER_BASEURL")
    WEBDRIVER_BASEURL_USER_FRIENDLY = _env("SUPERSET_PUBLIC_URL", WEBDRIVER_BASEURL)
