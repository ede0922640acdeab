"""What production refuses or limits: the secret key check and the login rate limit.

Loaded by superset_config.py (beside it here and in the image); no import
of Superset, so it loads (and is tested) without it.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)


class ConfigurationError(RuntimeError):
    """The deployment's environment is unusable; the message says what to set."""


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


def check_secret_key(value: str | None) -> str:
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
    if value == LOCAL_PROFILE_SECRET_KEY:
        # Whatever SUPERSET_CONFIG_PROFILE says: local.py replaces the key
        # after loading this file, it never asks this file to accept it.
        raise ConfigurationError(
            f"SUPERSET_SECRET_KEY is the local development key, which is public. {hint}")
    if len(value) < _MIN_SECRET_LENGTH:
        raise ConfigurationError(
            f"SUPERSET_SECRET_KEY is too short ({len(value)} characters, need at least "
            f"{_MIN_SECRET_LENGTH}). {hint}")
    return value


def limit_logins(app: Any, endpoints: tuple[str, ...]) -> None:
    """Apply AUTH_RATE_LIMIT to each of `endpoints` (POST only); FLASK_APP_MUTATOR calls it."""
    if not (app.config.get("RATELIMIT_ENABLED") and app.config.get("AUTH_RATE_LIMITED")):
        return
    limiter = app.appbuilder.sm.limiter
    found = {rule.endpoint for rule in app.url_map.iter_rules()} & set(endpoints)
    if found != set(endpoints):
        # A Superset upgrade renamed them: say so rather than run unlimited quietly.
        logger.error("login rate limit: endpoints %s not found", sorted(set(endpoints) - found))
    for endpoint in sorted(found):
        app.view_functions[endpoint] = limiter.limit(
            app.config["AUTH_RATE_LIMIT"], methods=["POST"])(app.view_functions[endpoint])
