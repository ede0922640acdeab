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

import importlib.util
import logging
import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

logger = logging.getLogger(__name__)


def _load_sibling(name: str) -> Any:
    """superset_config/NAME.py, found beside this file wherever it is deployed.

    Superset loads this file by path (SUPERSET_CONFIG_PATH), so its folder is
    not necessarily on sys.path; the image copies the sibling beside it.
    """
    spec = importlib.util.spec_from_file_location(
        f"superset_config_{name}", Path(__file__).resolve().parent / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


_guards = _load_sibling("superset_guards")
# The deployment's environment is unusable; the message says what to set.
ConfigurationError = _guards.ConfigurationError


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

LOCAL_PROFILE_SECRET_KEY = _guards.LOCAL_PROFILE_SECRET_KEY
check_secret_key = _guards.check_secret_key

SECRET_KEY = check_secret_key(_env("SUPERSET_SECRET_KEY"))
# Set only while rotating the key (`superset re-encrypt-secrets`).
if _env("SUPERSET_PREVIOUS_SECRET_KEY"):
    PREVIOUS_SECRET_KEY = _env("SUPERSET_PREVIOUS_SECRET_KEY")


def guest_token_secret(secret_key: str) -> str:
    """The key embedded dashboards' guest tokens are signed with: derived from
    SECRET_KEY (already checked), never Superset's public default
    (``test-guest-secret-change-me``), with which anyone could mint a token for
    any embedded dashboard the moment EMBEDDED_SUPERSET is on."""
    import hashlib
    import hmac

    return hmac.new(secret_key.encode(), b"superset-guest-token", hashlib.sha256).hexdigest()


GUEST_TOKEN_JWT_SECRET = guest_token_secret(SECRET_KEY)


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
# Celery's task results (async SQL Lab keeps its result sets in REDIS_RESULTS_DB).
REDIS_CELERY_RESULTS_DB = _env_int("REDIS_CELERY_RESULTS_DB", 4)


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
    result_backend = redis_url(REDIS_CELERY_RESULTS_DB) if REDIS_HOST else None
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
    # superset-iac manages embedded dashboards' allowed domains (embedded/).
    "EMBEDDED_SUPERSET": True,
    # Tags group dashboards, charts and saved queries by medallion layer; superset-iac manages them.
    "TAGGING_SYSTEM": True,
}

# Connections that can read the server's files (SQLite, shillelagh) are refused.
PREVENT_UNSAFE_DB_CONNECTIONS = True

# TLS ends at the proxy in front of Superset: cookies only over HTTPS.
# SUPERSET_SESSION_COOKIE_SECURE=false is the one switch for plain HTTP.
SESSION_COOKIE_SECURE = _env_bool("SUPERSET_SESSION_COOKIE_SECURE", True)

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
    # Talisman sets the session cookie's Secure flag itself: the same switch
    # as SESSION_COOKIE_SECURE above, or plain HTTP loses its session (and
    # with it the CSRF token) on every write.
    "session_cookie_secure": SESSION_COOKIE_SECURE,
}
# CSRF protection on Superset's own write endpoints; API clients (superset-iac)
# fetch /api/v1/security/csrf_token/ and send X-CSRFToken.
WTF_CSRF_ENABLED = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Trust X-Forwarded-* from that proxy (scheme, host) so redirects stay on HTTPS.
ENABLE_PROXY_FIX = _env_bool("SUPERSET_ENABLE_PROXY_FIX", True)

# Login attempts per client address, counted in Redis across web workers.
# Superset 6.1 attaches AUTH_RATE_LIMIT to its own /login/ view, which only
# serves GET: the form POST (FAB's AuthDBView) and the API login
# (/api/v1/security/login) would go unlimited. FLASK_APP_MUTATOR limits both.
RATELIMIT_ENABLED = True
AUTH_RATE_LIMITED = True
AUTH_RATE_LIMIT = _env("SUPERSET_AUTH_RATE_LIMIT", "10 per minute")
# The POST endpoints that check a password.
LOGIN_ENDPOINTS = ("AuthDBView.login", "SecurityApi.login")


def limit_logins(app: Any) -> None:
    _guards.limit_logins(app, LOGIN_ENDPOINTS)


FLASK_APP_MUTATOR = limit_logins

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

AUDIT_LOGGER_NAME = "superset.audit"


_audit = _load_sibling("superset_audit")
audit_record, redact, REDACTED = _audit.audit_record, _audit.redact, _audit.REDACTED

_logger = _audit.event_logger(AUDIT_LOGGER_NAME)
if _logger is not None:
    EVENT_LOGGER = _logger


# --------------------------------------------------------------------------
# optional integrations

if _env("MAPBOX_API_KEY"):
    MAPBOX_API_KEY = _env("MAPBOX_API_KEY")

# Where reports and alerts send e-mail: the company's relay. Without
# SUPERSET_SMTP_HOST Superset's defaults stand (localhost:25, STARTTLS).
if _env("SUPERSET_SMTP_HOST"):
    SMTP_HOST = _env("SUPERSET_SMTP_HOST")
    SMTP_PORT = _env_int("SUPERSET_SMTP_PORT", 25)
    SMTP_STARTTLS = _env_bool("SUPERSET_SMTP_STARTTLS", True)
    SMTP_SSL = _env_bool("SUPERSET_SMTP_SSL", False)
    # No login when unset (a relay that trusts the network).
    SMTP_USER = _env("SUPERSET_SMTP_USER")
    SMTP_PASSWORD = _env("SUPERSET_SMTP_PASSWORD")
    SMTP_MAIL_FROM = _env("SUPERSET_SMTP_MAIL_FROM", "superset@localhost")

# The address reports' screenshots and CSV data are read from (the worker
# calls the web server), and links in e-mails.
if _env("SUPERSET_WEBDRIVER_BASEURL"):
    WEBDRIVER_BASEURL = _env("SUPERSET_WEBDRIVER_BASEURL")
    WEBDRIVER_BASEURL_USER_FRIENDLY = _env("SUPERSET_PUBLIC_URL", WEBDRIVER_BASEURL)
