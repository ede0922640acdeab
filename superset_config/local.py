"""Superset server configuration: the local profile (laptops, CI, tests).

devstack/superset.py points ``SUPERSET_CONFIG_PATH`` here and sets
``SUPERSET_HOME`` to the instance's home directory. Everything comes from the
production configuration (superset_config.py beside this file) except what a
single-user, plain-HTTP, throw-away instance needs:

* the metadata database (and the examples data) are SQLite files in
  ``SUPERSET_HOME``;
* a fixed, public SECRET_KEY, so that template databases copied between homes
  can decrypt what they store — never use it anywhere else (the production
  configuration refuses it);
* in-process caches, no Redis and no Celery;
* no secure-only cookies, no proxy fix, no login rate limit (test suites
  log in many times a second). Talisman stays on with production's content
  security policy (cookies not Secure), because that policy is what keeps
  the browser from loading Superset's telemetry image on every page.

CSRF protection stays on, as in production, so the tool's CSRF handling is
exercised by every local run. DuckDB databases are allowed by Superset's
default blocklist, so ``PREVENT_UNSAFE_DB_CONNECTIONS`` stays on too;
``SUPERSET_IAC_ALLOW_UNSAFE_DB_CONNECTIONS=1`` turns it off for instances that
must (re)create SQLite databases, such as the examples corpus, whose data is
SQLite.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
from pathlib import Path

_HERE = Path(__file__).resolve().parent
_HOME = Path(os.environ.get("SUPERSET_HOME") or _HERE.parent / ".superset" / "home").resolve()

LOCAL_SECRET_KEY = "superset-iac-local-profile-not-a-secret-0123456789abcdef"


def _sqlite(name: str) -> str:
    return f"sqlite:///{_HOME / name}?check_same_thread=false"


# The production module reads these at import: give it the local values, and
# make sure nothing of a real deployment in the caller's environment (a
# production metadata URI, a Redis) leaks into a local instance.
os.environ["SUPERSET_CONFIG_PROFILE"] = "local"
# The production file refuses the local key whatever the profile: it loads
# with a throw-away one, replaced below.
os.environ["SUPERSET_SECRET_KEY"] = secrets.token_urlsafe(48)
os.environ.pop("SUPERSET_PREVIOUS_SECRET_KEY", None)
os.environ["SUPERSET_METADATA_DB_URI"] = _sqlite("superset.db")
os.environ.pop("REDIS_HOST", None)


def _load_production():
    spec = importlib.util.spec_from_file_location(
        "superset_iac_production_config", _HERE / "superset_config.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_production = _load_production()
globals().update({key: value for key, value in vars(_production).items() if key.isupper()})

SECRET_KEY = LOCAL_SECRET_KEY
GUEST_TOKEN_JWT_SECRET = _production.guest_token_secret(SECRET_KEY)
SQLALCHEMY_DATABASE_URI = _sqlite("superset.db")
SQLALCHEMY_EXAMPLES_URI = _sqlite("examples.db")
SQLALCHEMY_ENGINE_OPTIONS: dict = {}

# Superset's objects in process memory; query results never cached, so a
# test that changes data sees the change on its next query. Filter state and
# Explore form data stay in the metadata DB (Superset's default), which works
# with several gunicorn workers.
CACHE_CONFIG = {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 300}
DATA_CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
FILTER_STATE_CACHE_CONFIG = {
    "CACHE_TYPE": "SupersetMetastoreCache",
    "CACHE_DEFAULT_TIMEOUT": 7 * 24 * 3600,
    "REFRESH_TIMEOUT_ON_RETRIEVAL": True,
}
EXPLORE_FORM_DATA_CACHE_CONFIG = dict(FILTER_STATE_CACHE_CONFIG)
CELERY_CONFIG = None
RESULTS_BACKEND = None
# Reports and alerts can be applied and read (the API answers), but none is
# ever sent: no Celery beat runs here. The production stand-in runs them.
FEATURE_FLAGS = {**_production.FEATURE_FLAGS, "ALERT_REPORTS": True}

TALISMAN_ENABLED = True
TALISMAN_CONFIG = {**_production.TALISMAN_CONFIG, "session_cookie_secure": False}
SESSION_COOKIE_SECURE = False
ENABLE_PROXY_FIX = False
RATELIMIT_ENABLED = False
AUTH_RATE_LIMITED = False
RATELIMIT_STORAGE_URI = "memory://"

WTF_CSRF_ENABLED = True

PREVENT_UNSAFE_DB_CONNECTIONS = os.environ.get(
    "SUPERSET_IAC_ALLOW_UNSAFE_DB_CONNECTIONS", "").lower() not in {"1", "true", "yes"}
