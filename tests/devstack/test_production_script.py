"""devstack/production.py without starting anything: what it hands Superset.

The stand-in must run the configuration as deploy/ does: the same variables
(each one read by superset_config.py), secrets of its own, the plain-HTTP
switch and nothing else of a laptop, one Redis database per purpose, and
the gunicorn command of the compose file.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
import yaml

from tests.conftest import load_devstack_module

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def production(tmp_path, monkeypatch):
    monkeypatch.setenv("SUPERSET_IAC_STATE_DIR", str(tmp_path / "state"))
    return load_devstack_module("production")


def _config_env_names() -> set[str]:
    source = (ROOT / "superset_config" / "superset_config.py").read_text()
    return set(re.findall(r'_env(?:_int|_bool)?\("([A-Z0-9_]+)"', source))


def test_the_environment_is_the_deployments(production, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = production.server_env(home, {"port": 8123, "pg_port": 5999, "redis_port": 6999})
    assert env["SUPERSET_CONFIG_PATH"] == str(ROOT / "superset_config" / "superset_config.py")
    secrets = production.home_secrets(home)
    assert env["SUPERSET_SECRET_KEY"] == secrets["secret_key"]
    assert env["DATABASE_PASSWORD"] == secrets["database_password"]
    assert env["REDIS_PASSWORD"] == secrets["redis_password"]
    assert (env["DATABASE_HOST"], env["DATABASE_PORT"]) == ("127.0.0.1", "5999")
    assert (env["REDIS_HOST"], env["REDIS_PORT"]) == ("127.0.0.1", "6999")
    # The laptop's one difference: no TLS, so the documented plain-HTTP switch.
    assert env["SUPERSET_SESSION_COOKIE_SECURE"] == "false"
    # Reports read the chart's data from this stack's own web server.
    assert env["SUPERSET_WEBDRIVER_BASEURL"] == "http://127.0.0.1:8123/"
    # Nothing set that the configuration would ignore (a typo), and what the
    # caller's shell had for another Superset is cleared.
    ours = {k for k, v in env.items() if k.startswith(("SUPERSET_", "DATABASE_", "REDIS_")) and v
            and os.environ.get(k) != v}  # set by the script, not inherited from the shell
    assert ours - {"SUPERSET_CONFIG_PATH", "SUPERSET_HOME"} <= _config_env_names()
    assert env["SUPERSET_METADATA_DB_URI"] == env["SUPERSET_CONFIG_PROFILE"] == ""


def test_one_redis_database_per_purpose(production):
    names = _config_env_names()
    assert set(production.REDIS_DBS) <= names
    assert len(set(production.REDIS_DBS.values())) == len(production.REDIS_DBS)


def test_secrets_are_generated_once_and_private(production, tmp_path):
    first = production.home_secrets(tmp_path)
    assert production.home_secrets(tmp_path) == first
    assert len(set(first.values())) == 3 and all(len(v) >= 32 for v in first.values())
    assert stat.S_IMODE((tmp_path / "secrets.json").stat().st_mode) == 0o600


def test_redis_listens_on_loopback_with_its_password_in_a_private_file(production, tmp_path):
    cmd = production.services.redis_command(tmp_path / "redis", 6999, "pw-123")
    conf = Path(cmd[-1])
    text = conf.read_text()
    assert "bind 127.0.0.1\n" in text and "port 6999\n" in text and "requirepass pw-123\n" in text
    assert "pw-123" not in " ".join(cmd)  # not on the command line, where `ps` shows it
    assert stat.S_IMODE(conf.stat().st_mode) == 0o600


def test_gunicorn_runs_as_the_compose_file_runs_it(production):
    cmd = production.core._server_command(8088, workers="4", timeout=150)
    compose = yaml.safe_load((ROOT / "deploy" / "docker-compose.yml").read_text())
    deployed = " ".join(compose["services"]["superset"]["command"])
    for flag in ("--worker-class", "--threads", "--graceful-timeout"):
        assert f"{flag} {cmd[cmd.index(flag) + 1]}" in deployed, flag
    assert compose["x-superset-env"]["GUNICORN_TIMEOUT"] == cmd[cmd.index("--timeout") + 1]
    assert "statsd" not in deployed and not any("statsd" in part for part in cmd)


def test_postgres_data_goes_where_its_user_can_reach_it(production, tmp_path, monkeypatch):
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    monkeypatch.setattr(production.services, "_pg_owner", lambda: {"user": 1, "group": 1})
    placed = production.services.pg_place(private / "state" / "production", "tag")
    assert placed.name == "production" and private not in placed.parents
    assert production.services.pg_can_reach(Path("/tmp/x"))
