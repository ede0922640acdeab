"""``diff``/``apply --rotate-passwords`` through click's runner.

A real tree (password through ``${DB_PASSWORD}``), the real load, plan and
database handler; only Superset is faked (``responses``) and the connection
step that checks its version is replaced by a client for the fake.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import responses
from click.testing import CliRunner

from superset_iac.cli import apply_cmd, diff_cmd, main
from superset_iac.kinds.base import Context
from superset_iac.kinds.rest import managed_uuid
from superset_iac.superset import SupersetClient

BASE = "http://superset.test"
API = f"{BASE}/api/v1"
SECRET = "R0tate-me-7731"
VARS = {"DB_PASSWORD": SECRET, "SUPERSET_PASSWORD": "pw", "SUPERSET_IAC_AUDIT_LOG": ""}
STORED = "postgresql://bi:XXXXXXXXXX@db.internal:5432/lake"


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "databases").mkdir()
    (tmp_path / "environments").mkdir()
    (tmp_path / "databases" / "lake.yaml").write_text(
        "name: lake\nuri: postgresql://bi:${DB_PASSWORD}@db.internal:5432/lake\n")
    (tmp_path / "environments" / "test.yaml").write_text(
        f"name: test\nsuperset:\n  url: {BASE}\n  username: admin\n"
        "  password: ${SUPERSET_PASSWORD}\naudit_log: ${SUPERSET_IAC_AUDIT_LOG}\n"
        "secrets: [DB_PASSWORD]\nallowed_hosts: [db.internal]\n")
    for module in (apply_cmd, diff_cmd):
        monkeypatch.setattr(module, "context", lambda loaded, *a: Context(
            client=SupersetClient(BASE, access_token="unit-test-token", retries=0),
            env=loaded.env))
    return tmp_path


@pytest.fixture
def server() -> responses.RequestsMock:
    """One managed database ``lake`` whose stored URI equals the tree's but for the password."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add("GET", f"{API}/database/", json={"count": 1, "result": [
            {"id": 3, "database_name": "lake", "uuid": managed_uuid("database", "lake")}]})
        mock.add("GET", f"{API}/database/3/connection", json={"id": 3, "result": {
            "id": 3, "database_name": "lake", "sqlalchemy_uri": STORED, "cache_timeout": None,
            "expose_in_sqllab": True, "extra": "{}"}})
        mock.add("GET", f"{API}/security/csrf_token/", json={"result": "csrf"})
        yield mock


def run(tree: Path, *args: str):
    return CliRunner().invoke(main, [*args, "--assets", str(tree), "--env", "test"], env=VARS)


def puts(server: responses.RequestsMock) -> list:
    return [c for c in server.calls if c.request.method == "PUT"]


def test_without_the_flag_nothing_changes(tree: Path, server) -> None:
    assert run(tree, "diff").exit_code == 0
    result = run(tree, "apply", "--yes")
    assert result.exit_code == 0 and "No changes. 1 objects up to date." in result.stdout
    assert puts(server) == []


def test_diff_previews_the_rotation_as_sensitive_in_text_and_json(tree: Path, server) -> None:
    text = run(tree, "diff", "--rotate-passwords")
    assert text.exit_code == 3, text.output
    assert "~ database/lake\n    uri.password: (sensitive) -> (sensitive)\n" in text.stdout
    as_json = run(tree, "diff", "--rotate-passwords", "--format", "json")
    (change,) = json.loads(as_json.stdout)["changes"]
    assert change["rotate"] is True and change["fields"][0]["sensitive"] is True
    assert puts(server) == []  # diff only reads
    assert SECRET not in text.output + as_json.output


def test_apply_sends_the_real_password_and_prints_none(tree: Path, server) -> None:
    server.add("PUT", f"{API}/database/3", json={"id": 3, "result": {}})
    result = run(tree, "apply", "--rotate-passwords", "--yes")
    assert result.exit_code == 0, result.output
    (put,) = puts(server)
    assert json.loads(put.request.body)["sqlalchemy_uri"] == (
        f"postgresql://bi:{SECRET}@db.internal:5432/lake")
    assert SECRET not in result.output


def test_a_refused_password_is_one_line_naming_the_database(tree: Path, server) -> None:
    server.add("PUT", f"{API}/database/3", status=422, json={"message": {
        "sqlalchemy_uri": [f"Connection failed for bi:{SECRET}, please check"]}})
    result = run(tree, "apply", "--rotate-passwords", "--yes", "--format", "json")
    assert result.exit_code == 1
    recap = result.stderr.splitlines()[-1]  # the failure recap: one line per failed change
    assert recap.startswith("  ! database/lake: database 'lake' could not be updated: "
                            "PUT /api/v1/database/3 → 422: ")
    assert "***" in recap
    assert SECRET not in result.output
    assert json.loads(result.stdout)["plan"]["changes"][0]["rotate"] is True
