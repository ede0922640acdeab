"""The audit trail: one JSON line per apply, who/where/when/plan/outcome, nothing secret.

The record itself (``superset_iac.audit``) is tested directly; the command's
use of it through click's runner with the server side replaced by recording
handlers (the real thing is tests/integration/test_audit.py).
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from superset_iac import __version__, audit
from superset_iac.cli import apply_cmd, main
from superset_iac.errors import ConfigError, IacError
from superset_iac.kinds.base import Context, Handler
from superset_iac.model import Database, User
from superset_iac.model.environment import Environment
from superset_iac.plan.diff import plan as make_plan
from superset_iac.superset.errors import ApiError

USER_PASSWORD = "unit-user-pw-5be1"
DB_PASSWORD = "unit-db-pw-77c0"
FIELDS = {"time", "actor", "host", "tool_version", "environment", "superset_url", "assets",
          "commit", "dirty", "tree_sha256", "outcome", "plan", "result"}


def desired() -> dict[str, dict[str, Any]]:
    """A user with a password and a database with one in its URI (both resolved ${VAR}s)."""
    return {
        "database": {"lake": Database(name="lake", uri=f"trino://svc:{DB_PASSWORD}@trino:8080/hive")},
        "user": {"bot": User(username="bot", first_name="B", last_name="O", email="b@o.io",
                             roles=["Viewer"], password=USER_PASSWORD)},
    }


def record(tmp_path: Path, ok: bool = True) -> dict[str, Any]:
    plan = make_plan(desired(), {})
    return audit.build_record(env="prod", url="https://bi.example.com", assets=tmp_path,
                              plan=plan.to_dict(), result={"events": []}, ok=ok)


def test_a_record_says_who_where_when_what_and_how_it_ended(tmp_path, monkeypatch):
    monkeypatch.setenv("SUPERSET_IAC_ACTOR", "release-bot")
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    rec = record(tmp_path)
    assert set(rec) == FIELDS
    when = dt.datetime.fromisoformat(rec["time"])
    assert when.tzinfo is not None and before <= when <= dt.datetime.now(dt.UTC)
    assert (rec["actor"], rec["host"], rec["tool_version"]) == (
        "release-bot", socket.gethostname(), __version__)
    assert (rec["environment"], rec["superset_url"], rec["assets"]) == (
        "prod", "https://bi.example.com", str(tmp_path))
    assert rec["outcome"] == "success" and record(tmp_path, ok=False)["outcome"] == "failed"
    assert [(c["action"], c["kind"], c["key"]) for c in rec["plan"]["changes"]] == [
        ("create", "database", "lake"), ("create", "user", "bot")]


@pytest.mark.parametrize(("variables", "expected"), [
    ({"SUPERSET_IAC_ACTOR": "a", "GITHUB_ACTOR": "b", "USER": "c"}, "a"),
    ({"GITHUB_ACTOR": "b", "GITLAB_USER_LOGIN": "g", "USER": "c"}, "b"),
    ({"GITLAB_USER_LOGIN": "g", "USER": "c"}, "g"),
    ({"USER": "c"}, "c"),
])
def test_the_actor_is_the_ci_user_before_the_os_user(monkeypatch, variables, expected):
    for name in audit._ACTOR_VARS:
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert audit.actor() == expected


def test_the_commit_is_the_trees_git_head_and_none_outside_git(tmp_path):
    assert audit.git_commit(tmp_path) is None
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    (tmp_path / "a.yaml").write_text("name: a\n")
    subprocess.run([*git, "add", "a.yaml"], check=True)
    subprocess.run([*git, "commit", "-qm", "a"], check=True)
    head = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    assert audit.git_commit(tmp_path) == head.strip() and len(head.strip()) == 40


def test_uncommitted_changes_make_the_record_dirty_and_the_digest_follows_content(tmp_path):
    tree = tmp_path / "assets"
    (tree / "charts").mkdir(parents=True)
    (tree / "charts" / "a.yaml").write_text("name: a\n")
    assert audit.git_dirty(tree) is None  # not in git: unknown, not clean
    git = ["git", "-C", str(tree), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "a"], check=True)
    clean = record(tree)
    assert clean["dirty"] is False and len(clean["tree_sha256"]) == 64

    (tree / "charts" / "a.yaml").write_text("name: b\n")  # edited, not committed
    edited = record(tree)
    assert edited["dirty"] is True and edited["commit"] == clean["commit"]
    assert edited["tree_sha256"] != clean["tree_sha256"]

    (tree / "charts" / "a.yaml").write_text("name: a\n")
    (tree / "charts" / "new.yaml").write_text("name: n\n")  # untracked counts too
    added = record(tree)
    assert added["dirty"] is True and added["tree_sha256"] not in (
        clean["tree_sha256"], edited["tree_sha256"])
    (tree / "charts" / "new.yaml").unlink()
    assert record(tree)["dirty"] is False and record(tree)["tree_sha256"] == clean["tree_sha256"]


def test_the_digest_is_of_paths_and_content_only(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    for root in (one, two):
        (root / "d").mkdir(parents=True)
        (root / "d" / "x.yaml").write_text("x: 1\n")
    assert audit.tree_digest(one) == audit.tree_digest(two)
    (two / "d" / "x.yaml").rename(two / "d" / "y.yaml")
    assert audit.tree_digest(one) != audit.tree_digest(two)
    assert audit.tree_digest(tmp_path / "missing") is None


def test_each_append_adds_one_json_line_and_creates_the_directory(tmp_path):
    log = tmp_path / "deep" / "er" / "audit.jsonl"
    first, second = record(tmp_path), record(tmp_path, ok=False)
    audit.append(log, first)
    audit.append(log, second)
    lines = log.read_text().splitlines()
    assert [json.loads(line) for line in lines] == [first, second]


def test_an_unwritable_log_is_one_line_configuration_error(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(ConfigError) as err:
        audit.append(tmp_path / "file" / "audit.jsonl", record(tmp_path))
    assert str(err.value).startswith(f"cannot write the audit log {tmp_path}/file/audit.jsonl")


def test_no_secret_of_the_plan_reaches_the_record(tmp_path):
    log = tmp_path / "audit.jsonl"
    audit.append(log, record(tmp_path))
    text = log.read_text()
    assert USER_PASSWORD not in text and DB_PASSWORD not in text
    assert "trino://svc:XXXXXXXXXX@trino:8080/hive" in text  # the URI, its password masked


# -- the command --------------------------------------------------------------------


class Users(Handler):
    """Creates users, or fails/interrupts on the names it is told."""

    spec_type = User

    def __init__(self) -> None:
        self.fail: set[str] = set()
        self.interrupt: set[str] = set()

    def read(self, ctx: Context) -> dict:
        return {}

    def create(self, ctx: Context, spec: Any) -> int:
        if spec.key in self.interrupt:
            raise KeyboardInterrupt
        if spec.key in self.fail:
            raise ApiError("POST", "/api/v1/security/users/", 422, f"bad {spec.key}")
        return 1

    def update(self, ctx: Context, change: Any) -> None:
        raise AssertionError("nothing to update")

    def delete(self, ctx: Context, live: Any) -> None:
        raise AssertionError("nothing to delete")


class Command:
    """``apply`` with the tree, the connection and the server replaced; the log is real."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, log: Path) -> None:
        self.log, self.users, self.desired = log, Users(), {"user": desired()["user"]}
        self.diff_error: IacError | None = None
        self.connect_error: IacError | None = None
        env = Environment.model_validate({"name": "ci", "superset": {"url": "https://bi.io"},
                                          "audit_log": str(log)})

        class Loaded:
            pass

        loaded = Loaded()
        loaded.env, loaded.desired = env, self.desired  # type: ignore[attr-defined]
        monkeypatch.setattr(apply_cmd, "load_valid", lambda assets, env_name: loaded)
        monkeypatch.setattr(apply_cmd, "context", self.connect)
        monkeypatch.setattr(apply_cmd.workflow, "diff", self.plan)
        monkeypatch.setattr(apply_cmd, "HANDLERS", {"user": self.users})

    def connect(self, *args: Any) -> Context:
        if self.connect_error is not None:  # the version check, before any read
            raise self.connect_error
        return Context(client=None, url="https://bi.io")

    def plan(self, loaded: Any, ctx: Context, **options: Any):
        if self.diff_error is not None:
            raise self.diff_error
        return make_plan(self.desired, {})

    def apply(self) -> tuple[int, list[dict[str, Any]]]:
        result = CliRunner().invoke(main, ["apply", "--env", "ci", "--yes"])
        lines = self.log.read_text().splitlines() if self.log.exists() else []
        return result.exit_code, [json.loads(line) for line in lines]


@pytest.fixture
def command(monkeypatch, tmp_path) -> Command:
    return Command(monkeypatch, tmp_path / "logs" / "audit.jsonl")


def test_every_apply_appends_a_record_with_its_plan_and_result(command):
    code, records = command.apply()
    assert code == 0 and len(records) == 1
    (rec,) = records
    assert (rec["environment"], rec["superset_url"], rec["outcome"]) == ("ci", "https://bi.io",
                                                                        "success")
    assert [c["key"] for c in rec["plan"]["changes"]] == ["bot"]
    assert [(e["ref"], e["outcome"]) for e in rec["result"]["events"]] == [("user/bot", "created")]
    command.desired.clear()  # nothing left to do: still an apply, still a record
    code, records = command.apply()
    assert code == 0 and len(records) == 2
    assert records[1]["plan"]["changes"] == [] and records[1]["outcome"] == "success"
    assert USER_PASSWORD not in command.log.read_text()


def test_a_failed_change_is_recorded_as_failed(command):
    command.users.fail = {"bot"}
    code, (rec,) = command.apply()
    assert code == 1 and rec["outcome"] == "failed"
    (event,) = rec["result"]["events"]
    assert (event["outcome"], event["message"]) == (
        "failed", "POST /api/v1/security/users/ → 422: bad bot")


@pytest.mark.parametrize("stage", ["connect", "diff"])
def test_an_apply_stopped_before_its_plan_is_on_record_with_the_error(command, stage):
    refused = ApiError("POST", "/api/v1/security/login", 401,
                       "Not authorized (check the username, password and provider)")
    setattr(command, f"{stage}_error", refused)
    code, (rec,) = command.apply()
    assert code == 2
    assert (rec["outcome"], rec["plan"]) == ("failed", None)
    assert rec["result"] == {"error": "POST /api/v1/security/login → 401: Not authorized "
                                      "(check the username, password and provider)"}


def test_an_interrupted_apply_is_on_record_with_how_far_it_got(command):
    command.users.interrupt = {"bot"}
    code, (rec,) = command.apply()
    assert code == 1 and rec["outcome"] == "failed"
    assert [c["key"] for c in rec["plan"]["changes"]] == ["bot"]
    assert rec["result"]["error"].startswith("interrupted after 0 of 1 changes")
