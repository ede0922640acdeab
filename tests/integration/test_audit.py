"""The audit trail of real applies: one JSON line each, in the configured file.

A small tree of its own (two service accounts with a password, uniquely
named, in a git repository so the commit is known) is applied through the CLI to
the shared Superset, then applied again, then with a change that fails, then
with a refused password. Each run appends exactly one record saying who, on
which host, from which commit (and whether the tree had uncommitted changes), when, against which environment and Superset,
the plan and the outcome; earlier lines are never rewritten; no password is
in the file.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest

from superset_iac import audit
from tests.integration.governance_helpers import run_cli

ENV = """\
name: audit
superset:
  url: ${SUPERSET_URL}
  username: ${SUPERSET_USERNAME}
  password: ${SUPERSET_PASSWORD}
audit_log: ${AUDIT_LOG}
"""
ACTOR = "audit-test-actor"


def user_file(name: str, extra: str = "") -> str:
    """A service account with a built-in role (no role of the tree: nothing else to create)."""
    return (f"username: {name}\nfirst_name: Audit\nlast_name: Bot\nemail: {name}@example.com\n"
            f"roles: [Gamma]\npassword: ${{AUDIT_USER_PASSWORD}}\n{extra}")


class Trail:
    """The tree, its variables and the log it writes to."""

    def __init__(self, root: Path, superset: Any, log: Path) -> None:
        suffix = uuid.uuid4().hex[:8]
        self.root, self.log = root, log
        self.users = (f"audit_bot_{suffix}", f"audit_ci_{suffix}")
        self.user_password = f"Audit-user-{uuid.uuid4().hex[:10]}"
        self.env: dict[str, str | None] = {**superset.env(), "AUDIT_LOG": str(log),
                                           "AUDIT_USER_PASSWORD": self.user_password,
                                           "SUPERSET_IAC_ACTOR": ACTOR}
        self.write("environments/audit.yaml", ENV)
        for name in self.users:
            self.write(f"users/{name}.yaml", user_file(name))
        self.commit = self._git_commit()

    def write(self, path: str, text: str) -> None:
        (self.root / path).parent.mkdir(parents=True, exist_ok=True)
        (self.root / path).write_text(text)

    def _git_commit(self) -> str:
        git = ["git", "-C", str(self.root), "-c", "user.name=t", "-c", "user.email=t@t"]
        for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "audit tree"]):
            subprocess.run([*git, *args], check=True, capture_output=True)
        return subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()

    def lines(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []

    def apply(self, *extra: str, **env: str) -> tuple[int, dict[str, Any] | None, dict[str, Any]]:
        """(exit code, the JSON output if any, the one record this run appended)."""
        before = self.lines()
        result = run_cli("apply", "--assets", self.root, "--env", "audit", "--yes",
                         "--format", "json", *extra, env={**self.env, **env})
        after = self.lines()
        assert after[:len(before)] == before, "an earlier record was rewritten"
        assert len(after) == len(before) + 1, (len(before), len(after), result.output[-2000:])
        output = json.loads(result.stdout) if result.stdout.strip() else None
        return result.exit_code, output, json.loads(after[-1])


@pytest.fixture(scope="module")
def trail(superset, tmp_path_factory) -> Trail:
    home = tmp_path_factory.mktemp("audit")
    return Trail(home / "tree", superset, home / "logs" / "nested" / "audit.jsonl")


def test_an_apply_records_who_where_when_the_plan_and_the_outcome(trail, superset):
    started = dt.datetime.now(dt.UTC).replace(microsecond=0)
    code, output, record = trail.apply()
    assert code == 0, record["result"]
    assert trail.log.is_file()  # where audit_log says, its directories created
    assert dt.datetime.fromisoformat(record["time"]) >= started
    assert (record["actor"], record["host"], record["commit"]) == (
        ACTOR, socket.gethostname(), trail.commit)
    assert record["dirty"] is False  # the commit is what was applied
    assert record["tree_sha256"] == audit.tree_digest(trail.root)
    assert (record["environment"], record["superset_url"], record["assets"]) == (
        "audit", superset.url, str(trail.root))
    assert record["outcome"] == "success"
    assert record["plan"] == output["plan"]  # the plan that was applied, as diff shows it
    assert [(c["action"], c["kind"], c["key"]) for c in record["plan"]["changes"]] == [
        ("create", "user", name) for name in trail.users]
    assert [(e["ref"], e["outcome"]) for e in record["result"]["events"]] == [
        (f"user/{name}", "created") for name in trail.users]


def test_an_apply_with_nothing_to_do_is_recorded_too(trail):
    trail.apply()  # converged, whatever ran before
    code, _, record = trail.apply()
    assert code == 0 and record["outcome"] == "success"
    assert record["plan"]["changes"] == [] and record["result"]["events"] == []


def test_a_change_that_fails_is_recorded_as_failed(trail):
    # A second account with the first one's e-mail: valid offline (a group the
    # tree does not define would be R001 now), refused by Superset (unique e-mail).
    broken = f"{trail.users[0]}_broken"
    trail.write("users/broken.yaml", user_file(broken).replace(
        f"email: {broken}@example.com", f"email: {trail.users[0]}@example.com"))
    try:
        code, _, record = trail.apply()
    finally:
        (trail.root / "users" / "broken.yaml").unlink()
    assert code == 1 and record["outcome"] == "failed"
    # An uncommitted file was applied: the commit alone does not say what ran.
    assert record["dirty"] is True and record["tree_sha256"] != audit.tree_digest(trail.root)
    (event,) = record["result"]["events"]
    assert (event["ref"], event["outcome"]) == (f"user/{broken}", "failed")
    assert "email" in event["message"].lower(), event["message"]


def test_a_refused_login_is_recorded_without_the_password(trail):
    wrong = f"Wrong-pw-{uuid.uuid4().hex[:10]}"
    code, output, record = trail.apply(SUPERSET_PASSWORD=wrong)
    assert code == 2 and output is None
    assert (record["outcome"], record["plan"]) == ("failed", None)
    assert "/api/v1/security/login" in record["result"]["error"]
    assert wrong not in trail.log.read_text()


def test_the_log_holds_one_json_object_per_line_and_no_password(trail, superset):
    lines = trail.lines()
    assert lines and all(json.loads(line)["actor"] == ACTOR for line in lines)
    text = trail.log.read_text()
    assert trail.user_password not in text
    assert f'"{superset.password}"' not in text  # not even the admin's, quoted as a value
