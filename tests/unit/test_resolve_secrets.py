"""Resolving a tree: URIs filled only from declared variables, every secret
value remembered for masking, and a user's password needed only to create it."""

from __future__ import annotations

from pathlib import Path

import pytest

from superset_iac import secrets, workflow
from superset_iac.errors import AssetError
from superset_iac.model.user import User
from superset_iac.plan.diff import plan as make_plan
from superset_iac.plan.model import LiveObject

ENV = """\
name: ci
superset:
  url: http://127.0.0.1:8088
  username: admin
  password: ${SUPERSET_PASSWORD}
secrets: [WAREHOUSE_PASSWORD]
allowed_hosts: [trino]
"""
DATABASE = "name: wh\nuri: trino://svc:${WAREHOUSE_PASSWORD}@trino:8080/hive\n"
USER = """\
username: bot
first_name: B
last_name: T
email: bot@example.com
password: ${BOT_PASSWORD}
"""


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for rel, text in {"environments/ci.yaml": ENV, "databases/wh.yaml": DATABASE,
                      "users/bot.yaml": USER}.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    secrets.forget_all()
    return tmp_path


VARS = {"SUPERSET_PASSWORD": "admin-pw-0123456", "WAREHOUSE_PASSWORD": "wh-secret-98765"}


def test_a_missing_user_password_is_no_error_until_the_user_must_be_created(tree: Path) -> None:
    loaded = workflow.load(tree, "ci", VARS)
    assert not loaded.diagnostics.has_errors(), loaded.diagnostics.render_text()
    user = loaded.desired["user"]["bot"]
    assert isinstance(user, User) and user.unset == ("BOT_PASSWORD",)
    existing = User(username="bot", first_name="B", last_name="T", email="bot@example.com")
    live = {"user": {"bot": LiveObject(spec=existing, id=7, managed=True)}}
    workflow._require_create_passwords(loaded, make_plan(loaded.desired, live))  # no raise
    with pytest.raises(AssetError) as err:
        workflow._require_create_passwords(loaded, make_plan(loaded.desired, {}))
    assert "users/bot.yaml:5:1: E001" in str(err.value) and "BOT_PASSWORD" in str(err.value)


def test_uri_secrets_and_credentials_are_remembered_and_masked(tree: Path) -> None:
    loaded = workflow.load(tree, "ci", {**VARS, "BOT_PASSWORD": "bot-password-42"})
    assert loaded.desired["database"]["wh"].uri == "trino://svc:wh-secret-98765@trino:8080/hive"
    text = "wh-secret-98765 admin-pw-0123456 bot-password-42"
    assert secrets.redact(text) == "*** *** ***"


def test_an_undeclared_variable_is_not_filled_even_when_set(tree: Path) -> None:
    (tree / "databases/wh.yaml").write_text(
        "name: wh\nuri: trino://svc:${AWS_SECRET_ACCESS_KEY}@trino:8080/hive\n")
    loaded = workflow.load(tree, "ci", {**VARS, "AWS_SECRET_ACCESS_KEY": "aws-key-123456789"})
    assert [d.code for d in loaded.diagnostics.errors] == ["S031"]
    assert "aws-key" not in loaded.desired["database"]["wh"].uri
    assert "aws-key" not in loaded.diagnostics.render_text()
