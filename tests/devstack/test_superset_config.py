"""superset_config/: the production configuration checks its environment,
the local profile overrides only what a laptop needs.

Superset is not installed in the tool's venv: this also proves both modules
load without it.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pytest

CONFIG_DIR = Path(__file__).resolve().parents[2] / "superset_config"
REAL_KEY = "k9V2-x7Qp_u3Lr8Zt5Wn1Ys6Hb4Jc0Md2Fg7Ae9RiTo"

PRODUCTION_ENV = {
    "SUPERSET_SECRET_KEY": REAL_KEY,
    "DATABASE_HOST": "superset-db",
    "DATABASE_PASSWORD": "p@ss:w/rd",
}


@pytest.fixture
def clean_env(monkeypatch):
    """An environment without any of the configuration's variables.

    local.py writes os.environ on import (as it does inside Superset):
    monkeypatch puts back whatever it changes.
    """
    for name in list(os.environ):
        if name.startswith(("SUPERSET_", "DATABASE_", "REDIS_", "MAPBOX_")):
            monkeypatch.delenv(name)
    # Registered so that monkeypatch restores them after local.py sets them.
    for name in ("SUPERSET_CONFIG_PROFILE", "SUPERSET_SECRET_KEY", "SUPERSET_METADATA_DB_URI",
                 "REDIS_HOST", "SUPERSET_PREVIOUS_SECRET_KEY"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    return monkeypatch


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"cfg_{name}", CONFIG_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def production(monkeypatch, **env):
    for key, value in {**PRODUCTION_ENV, **env}.items():
        if value is None:
            monkeypatch.delenv(key, raising=False)
        else:
            monkeypatch.setenv(key, value)
    return load("superset_config")


def test_production_loads_without_superset(clean_env):
    cfg = production(clean_env)
    assert cfg.SECRET_KEY == REAL_KEY
    assert cfg.FAB_ADD_SECURITY_API is True
    assert cfg.FEATURE_FLAGS["DASHBOARD_RBAC"] is True
    assert cfg.FEATURE_FLAGS["TAGGING_SYSTEM"] is True  # the tags in assets/tags/
    assert cfg.TALISMAN_ENABLED is True
    assert cfg.WTF_CSRF_ENABLED is True
    assert cfg.PREVENT_UNSAFE_DB_CONNECTIONS is True
    assert cfg.SESSION_COOKIE_SECURE is True
    assert 0 < cfg.ROW_LIMIT <= cfg.SQL_MAX_ROW


@pytest.mark.parametrize("secret, reason", [
    (None, "not set"),
    ("", "not set"),
    ("CHANGE_ME_TO_A_COMPLEX_RANDOM_SECRET", "publicly known"),
    ("thisISaSECRET_1234", "publicly known"),
    ("short-but-random", "too short"),
    ("superset-iac-local-profile-not-a-secret-0123456789abcdef", "local development key"),
])
def test_production_refuses_a_missing_or_weak_secret(clean_env, secret, reason):
    with pytest.raises(RuntimeError, match=reason) as err:
        production(clean_env, SUPERSET_SECRET_KEY=secret)
    assert "SUPERSET_SECRET_KEY" in str(err.value)


def test_production_requires_a_metadata_database(clean_env):
    with pytest.raises(RuntimeError, match="No metadata database"):
        production(clean_env, DATABASE_HOST=None)


def test_metadata_uri_from_parts_is_quoted(clean_env):
    cfg = production(clean_env)
    assert cfg.SQLALCHEMY_DATABASE_URI == (
        "postgresql+psycopg2://superset:p%40ss%3Aw%2Frd@superset-db:5432/superset")
    cfg = production(clean_env, SUPERSET_METADATA_DB_URI="postgresql://u:p@h/db")
    assert cfg.SQLALCHEMY_DATABASE_URI == "postgresql://u:p@h/db"


def test_redis_caches_and_celery_from_env(clean_env):
    cfg = production(clean_env, REDIS_HOST="redis", REDIS_PASSWORD="r3dis")
    for name in ("CACHE_CONFIG", "DATA_CACHE_CONFIG", "FILTER_STATE_CACHE_CONFIG",
                 "EXPLORE_FORM_DATA_CACHE_CONFIG"):
        cache = getattr(cfg, name)
        assert cache["CACHE_TYPE"] == "RedisCache", name
        assert cache["CACHE_REDIS_HOST"] == "redis"
        assert cache["CACHE_REDIS_PASSWORD"] == "r3dis"
    prefixes = {getattr(cfg, n)["CACHE_KEY_PREFIX"] for n in (
        "CACHE_CONFIG", "DATA_CACHE_CONFIG", "FILTER_STATE_CACHE_CONFIG", "EXPLORE_FORM_DATA_CACHE_CONFIG")}
    assert len(prefixes) == 4
    assert cfg.CELERY_CONFIG.broker_url == "redis://:r3dis@redis:6379/0"
    # One database per purpose: the broker's queue, Celery's task results,
    # SQL Lab's result sets, the caches and the login counters never share one.
    assert cfg.CELERY_CONFIG.result_backend == "redis://:r3dis@redis:6379/4"
    assert len({cfg.REDIS_CELERY_DB, cfg.REDIS_CELERY_RESULTS_DB, cfg.REDIS_RESULTS_DB,
                cfg.REDIS_CACHE_DB, cfg.REDIS_RATELIMIT_DB}) == 5
    assert "prune_logs" in cfg.CELERY_CONFIG.beat_schedule
    assert cfg.FEATURE_FLAGS["ALERT_REPORTS"] is True


def test_report_mail_relay_from_env(clean_env):
    cfg = production(clean_env, SUPERSET_SMTP_HOST="relay.corp", SUPERSET_SMTP_PORT="2525",
                     SUPERSET_SMTP_STARTTLS="false", SUPERSET_SMTP_MAIL_FROM="bi@corp.example",
                     SUPERSET_WEBDRIVER_BASEURL="http://superset:8088/")
    assert (cfg.SMTP_HOST, cfg.SMTP_PORT, cfg.SMTP_STARTTLS, cfg.SMTP_SSL) == (
        "relay.corp", 2525, False, False)
    assert cfg.SMTP_USER is None and cfg.SMTP_PASSWORD is None  # no login
    assert cfg.SMTP_MAIL_FROM == "bi@corp.example"
    assert cfg.WEBDRIVER_BASEURL == "http://superset:8088/"


def test_without_redis_celery_is_off(clean_env):
    cfg = production(clean_env)
    assert cfg.CELERY_CONFIG is None
    assert not hasattr(cfg, "CACHE_CONFIG") or cfg.CACHE_CONFIG["CACHE_TYPE"] != "RedisCache"


def test_audit_record_only_for_changes(clean_env):
    cfg = production(clean_env)
    assert cfg.audit_record(1, "admin", "ChartRestApi.get", "GET", "/api/v1/chart/1",
                            [], None, 1, 5) is None
    assert cfg.audit_record(1, "admin", "ChartDataRestApi.data", "POST", "/api/v1/chart/data",
                            [], None, None, 5) is None
    assert cfg.audit_record(1, "admin", "execute_sql", "POST", "/api/v1/chart/data",
                            [], None, None, 5) is None
    assert cfg.audit_record(1, "admin", "DashboardFilterStateRestApi.post", "POST",
                            "/api/v1/dashboard/3/filter_state", [], 3, None, 5) is None
    line = cfg.audit_record(1, "admin", "ChartRestApi.put", "PUT", "/api/v1/chart/7",
                            [{"pk": 7, "object_ref": "ChartRestApi.put"}], None, 7, 12)
    assert line["username"] == "admin" and line["pk"] == 7 and line["method"] == "PUT"


def test_local_profile(clean_env, tmp_path):
    clean_env.setenv("SUPERSET_HOME", str(tmp_path))
    # Whatever a developer's shell holds must not reach a local instance.
    clean_env.setenv("SUPERSET_METADATA_DB_URI", "postgresql://prod/superset")
    clean_env.setenv("REDIS_HOST", "prod-redis")
    clean_env.setenv("SUPERSET_SECRET_KEY", REAL_KEY)
    cfg = load("local")
    prod = load("superset_config")  # as local.py left the environment
    assert cfg.SECRET_KEY == cfg.LOCAL_SECRET_KEY == prod.LOCAL_PROFILE_SECRET_KEY
    assert cfg.SQLALCHEMY_DATABASE_URI == f"sqlite:///{tmp_path}/superset.db?check_same_thread=false"
    assert cfg.SQLALCHEMY_EXAMPLES_URI.startswith(f"sqlite:///{tmp_path}/examples.db")
    assert cfg.CACHE_CONFIG["CACHE_TYPE"] == "SimpleCache"
    assert cfg.CELERY_CONFIG is None and cfg.RESULTS_BACKEND is None
    # Talisman's CSP keeps the telemetry image out locally too; plain HTTP cookies.
    assert cfg.TALISMAN_ENABLED is True
    assert cfg.TALISMAN_CONFIG["content_security_policy"] == prod.TALISMAN_CONFIG["content_security_policy"]
    assert cfg.SESSION_COOKIE_SECURE is False and cfg.TALISMAN_CONFIG["session_cookie_secure"] is False
    # What production keeps, local keeps.
    assert cfg.WTF_CSRF_ENABLED is True
    assert cfg.FAB_ADD_SECURITY_API is True
    assert cfg.FEATURE_FLAGS["DASHBOARD_RBAC"] is True
    assert cfg.PREVENT_UNSAFE_DB_CONNECTIONS is True
    assert cfg.ROW_LIMIT == prod.ROW_LIMIT
    # Reports can be applied and read locally; without Celery none is sent.
    assert cfg.FEATURE_FLAGS["ALERT_REPORTS"] is True


def test_local_profile_may_allow_sqlite(clean_env, tmp_path):
    clean_env.setenv("SUPERSET_HOME", str(tmp_path))
    clean_env.setenv("SUPERSET_IAC_ALLOW_UNSAFE_DB_CONNECTIONS", "1")
    assert load("local").PREVENT_UNSAFE_DB_CONNECTIONS is False


def test_logged_payloads_lose_their_secrets(clean_env):
    cfg = production(clean_env)
    record = {
        "path": "/api/v1/database/",
        "sqlalchemy_uri": "trino://superset:s3cr3t@trino:8080/hive_prod",
        "masked_encrypted_extra": '{"credentials_info": {"private_key": "k"}}',
        "nested": [{"password": "hunter2", "name": "x"}],
        "access_token": "",
        "database_name": "lakehouse",
    }
    clean = cfg.redact(record)
    assert clean["sqlalchemy_uri"] == "trino://superset:XXXXXXXXXX@trino:8080/hive_prod"
    assert clean["masked_encrypted_extra"] == "XXXXXXXXXX"
    assert clean["nested"] == [{"password": "XXXXXXXXXX", "name": "x"}]
    assert clean["database_name"] == "lakehouse" and clean["access_token"] == ""
    assert record["nested"][0]["password"] == "hunter2"  # the original is untouched
    assert cfg.redact("duckdb:////data/lakehouse.duckdb") == "duckdb:////data/lakehouse.duckdb"


def test_redaction_reaches_query_passwords_and_json_extra(clean_env):
    cfg = production(clean_env)
    rotated = "duckdb:////data/lake.duckdb?access_mode=read_only&password=r0t4t3d"
    assert cfg.redact(rotated) == "duckdb:////data/lake.duckdb?access_mode=read_only&password=XXXXXXXXXX"
    extra = ('{"engine_params": {"connect_args": {"password": "hunter2", "http_scheme": "https"}},'
             ' "metadata_params": {}}')
    clean = cfg.redact({"database_name": "lakehouse", "extra": extra,
                        "sqlalchemy_uri": "duckdb:///x.duckdb?password=p%40ss"})
    assert "hunter2" not in str(clean) and "p%40ss" not in str(clean)
    # The rest of the JSON survives, still JSON.
    assert json.loads(clean["extra"])["engine_params"]["connect_args"] == {
        "password": "XXXXXXXXXX", "http_scheme": "https"}
    assert cfg.redact('{"sql": "SELECT 1"}') == '{"sql": "SELECT 1"}'


def test_one_switch_for_plain_http_cookies(clean_env):
    secure = production(clean_env)
    assert secure.SESSION_COOKIE_SECURE is True and secure.TALISMAN_CONFIG["session_cookie_secure"] is True
    plain = production(clean_env, SUPERSET_SESSION_COOKIE_SECURE="false")
    # Talisman writes the session cookie's flags itself: both must follow the switch.
    assert plain.SESSION_COOKIE_SECURE is False and plain.TALISMAN_CONFIG["session_cookie_secure"] is False


def test_the_local_profile_name_does_not_unlock_the_public_key(clean_env):
    key = load_local_key()
    with pytest.raises(RuntimeError, match="local development key"):
        production(clean_env, SUPERSET_CONFIG_PROFILE="local", SUPERSET_SECRET_KEY=key)


def load_local_key() -> str:
    # Read from the file, so that a change of the local key cannot pass unseen.
    text = (CONFIG_DIR / "local.py").read_text()
    return text.split('LOCAL_SECRET_KEY = "', 1)[1].split('"', 1)[0]


def test_telemetry_hosts_are_outside_the_content_security_policy(clean_env, tmp_path):
    clean_env.setenv("SUPERSET_HOME", str(tmp_path))
    for cfg in (production(clean_env), load("local")):
        policy = cfg.TALISMAN_CONFIG["content_security_policy"]
        assert cfg.TALISMAN_ENABLED is True
        assert policy["img-src"] == ["'self'", "blob:", "data:"]
        assert "scarf" not in json.dumps(policy)


def test_login_rate_limit_covers_both_login_endpoints(clean_env):
    cfg = production(clean_env, SUPERSET_AUTH_RATE_LIMIT="3 per minute")
    assert cfg.AUTH_RATE_LIMIT == "3 per minute" and cfg.FLASK_APP_MUTATOR is cfg.limit_logins
    assert set(cfg.LOGIN_ENDPOINTS) == {"AuthDBView.login", "SecurityApi.login"}


def test_chart_data_records_name_their_dashboard_and_chart(clean_env):
    viewed = production(clean_env)._audit._viewed
    # Superset passes 0 when it found none: the request's form_data fills them.
    assert viewed({"form_data": {"dashboardId": 3, "slice_id": "7"}}, 0, 0) == (3, 7)
    assert viewed({"queries": []}, None, None) == (None, None)
    assert viewed(None, 5, 6) == (5, 6)


def test_embedding_is_on_and_guest_tokens_are_signed_with_no_public_key(clean_env, tmp_path):
    """EMBEDDED_SUPERSET turns on guest tokens: signed with Superset's default
    key (test-guest-secret-change-me), anyone could mint one for an embedded
    dashboard's data. Both profiles derive theirs from their SECRET_KEY."""
    prod = production(clean_env)
    assert prod.FEATURE_FLAGS["EMBEDDED_SUPERSET"] is True
    assert prod.GUEST_TOKEN_JWT_SECRET not in ("test-guest-secret-change-me", REAL_KEY)
    assert len(prod.GUEST_TOKEN_JWT_SECRET) == 64
    assert production(clean_env).GUEST_TOKEN_JWT_SECRET == prod.GUEST_TOKEN_JWT_SECRET  # stable
    other = production(clean_env, SUPERSET_SECRET_KEY=REAL_KEY[::-1]).GUEST_TOKEN_JWT_SECRET
    assert other != prod.GUEST_TOKEN_JWT_SECRET
    clean_env.setenv("SUPERSET_HOME", str(tmp_path))
    local = load("local")
    assert local.FEATURE_FLAGS["EMBEDDED_SUPERSET"] is True
    assert local.GUEST_TOKEN_JWT_SECRET == prod.guest_token_secret(local.SECRET_KEY)
