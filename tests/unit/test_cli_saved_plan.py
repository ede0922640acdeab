"""``diff --out`` and ``apply PLAN`` through click's runner: the team's tree,
the real plan function, the server faked as a live state held in memory.

The same flow against a real Superset is in tests/integration/test_saved_plan.py.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from superset_iac.cli import apply_cmd, diff_cmd, main
from superset_iac.kinds.base import Context
from superset_iac.model import Chart
from superset_iac.plan.diff import plan as make_plan
from superset_iac.plan.model import LiveObject
from tests.unit.apply.recorder import Recorder

ROOT = Path(__file__).resolve().parents[2]
VARS = {"SUPERSET_URL": "http://superset.invalid", "SUPERSET_PASSWORD": "Sx-unit-admin-pw-93d1",
        "LAKEHOUSE_PATH": "/nowhere/lake.duckdb", "SUPERSET_IAC_AUDIT_LOG": "",
        "MASK_SALT": "Sx-unit-salt-5e0b77c2"}
CHART = "Volume by symbol"


class Server:
    """Everything of the tree is live and equal, but one chart's row_limit."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.live: dict[str, dict[str, LiveObject]] | None = None
        self.connected = 0
        self.charts = Recorder(Chart)
        for module in (apply_cmd, diff_cmd):
            monkeypatch.setattr(module, "context", self.context)
            monkeypatch.setattr(module.workflow, "diff", self.plan)
        monkeypatch.setattr(apply_cmd, "stdin_is_terminal", lambda: False)
        monkeypatch.setattr(apply_cmd, "HANDLERS", {"chart": self.charts})

    def context(self, *args: Any) -> Context:
        self.connected += 1
        return Context(client=None)

    def plan(self, loaded: Any, ctx: Context, *, prune: bool = False, targets: tuple = (),
             rotate: bool = False):
        if self.live is None:  # first read: the tree as it is, one chart behind
            self.live = {kind: {key: LiveObject(spec, id=i, managed=True)
                                for i, (key, spec) in enumerate(specs.items())}
                         for kind, specs in loaded.desired.items()}
            self.edit(CHART, row_limit=50)
        return make_plan(loaded.desired, self.live, prune=prune, targets=targets, rotate=rotate)

    def edit(self, key: str, **params: object) -> None:
        """Change a chart by hand, as in the UI."""
        assert self.live is not None
        old = self.live["chart"][key]
        spec = old.spec.model_copy(update={"params": {**old.spec.params, **params}})
        self.live["chart"][key] = LiveObject(spec, id=old.id, managed=True)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Server:
    return Server(monkeypatch)


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "assets", tmp_path / "assets")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "assets"


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env={**VARS, **(env or {})})


def test_diff_out_saves_the_plan_and_apply_applies_exactly_it(server: Server, tree: Path) -> None:
    diff = run("diff", "--env", "local", "--out", "plan.json")
    assert diff.exit_code == 3, diff.output
    assert "~ chart/Volume by symbol" in diff.stdout
    assert "Saved the plan to plan.json; apply exactly it with: superset-iac apply plan.json" \
        in diff.stderr
    data = json.loads(Path("plan.json").read_text())
    assert data["origin"]["environment"] == "local" and data["origin"]["assets"] == "assets"
    assert [c["key"] for c in data["changes"]] == [CHART]
    applied = run("apply", "plan.json")  # the tree and environment come from the plan
    assert applied.exit_code == 0, applied.output
    assert server.charts.calls == [f"update {CHART}"]
    assert "Apply: 1 updated" in applied.stdout


def test_a_chart_edited_on_the_server_since_is_named_and_nothing_is_applied(
        server: Server, tree: Path) -> None:
    assert run("diff", "--env", "local", "--out", "plan.json").exit_code == 3
    server.edit(CHART, row_limit=75)
    applied = run("apply", "plan.json")
    assert applied.exit_code == 4, applied.output
    errors = [line for line in applied.stderr.splitlines() if " warning: " not in line]
    assert errors[:2] == [
        "error: the saved plan plan.json is stale; nothing was changed:",
        f"  - chart/{CHART} changed on the server since the plan was made"]
    assert server.charts.calls == [] and "Traceback" not in applied.output


def test_drift_elsewhere_is_not_applied(server: Server, tree: Path) -> None:
    assert run("diff", "--env", "local", "--out", "plan.json").exit_code == 3
    server.edit("Log events by service", row_limit=3)
    applied = run("apply", "plan.json")
    assert applied.exit_code == 0, applied.output
    assert server.charts.calls == [f"update {CHART}"]  # only what the plan says


def test_an_edited_file_is_named_before_anything_is_read(server: Server, tree: Path) -> None:
    assert run("diff", "--env", "local", "--out", "plan.json").exit_code == 3
    chart = tree / "charts" / "log_events.yaml"
    chart.write_text(chart.read_text() + "\n# reviewed\n")
    server.connected = 0
    applied = run("apply", "plan.json")
    assert applied.exit_code == 4
    assert "  - assets/charts/log_events.yaml was edited since the plan was made" in applied.stderr
    assert server.connected == 0 and server.charts.calls == []


def test_another_environment_is_refused_by_name(server: Server, tree: Path) -> None:
    assert run("diff", "--env", "local", "--out", "plan.json").exit_code == 3
    other = run("apply", "plan.json", "--env", "prod")  # prod's variables are not even set
    assert other.exit_code == 4, other.output
    assert "  - it was made for environment 'local', this run is for 'prod'" in other.stderr
    refused = run("apply", "plan.json", "--url", "http://elsewhere.invalid")
    assert refused.exit_code == 4
    assert ("it was made against http://superset.invalid, this run connects to "
            "http://elsewhere.invalid") in refused.stderr
    assert server.charts.calls == []


@pytest.mark.parametrize("option", [["--target", "chart/Log events by service"], ["--prune"],
                                    ["--rotate-passwords"]])
def test_options_that_would_change_a_saved_plan_are_usage_errors(
        server: Server, tree: Path, option: list[str]) -> None:
    assert run("diff", "--env", "local", "--out", "plan.json").exit_code == 3
    result = run("apply", "plan.json", *option)
    assert result.exit_code == 2
    assert "a saved plan is applied with the options it was made with" in result.stderr


def test_saved_options_are_applied(server: Server, tree: Path) -> None:
    diff = run("diff", "--env", "local", "--out", "plan.json",
               "--target", "chart/Log events by service")
    assert diff.exit_code == 0 and json.loads(Path("plan.json").read_text())["changes"] == []
    applied = run("apply", "plan.json")
    assert applied.exit_code == 0 and server.charts.calls == []  # the target came along


def test_a_file_that_is_not_a_plan_exits_2(server: Server, tree: Path) -> None:
    Path("plan.json").write_text("{}")
    result = run("apply", "plan.json")
    assert result.exit_code == 2
    assert "plan.json is not a saved plan of this tool" in result.stderr
    missing = run("apply", "nothing.json")
    assert missing.exit_code == 2 and "cannot read the saved plan nothing.json" in missing.stderr


def test_no_secret_in_the_saved_plan(server: Server, tree: Path) -> None:
    assert run("diff", "--env", "local").exit_code == 3  # the server as it is
    (tree / "databases" / "pg.yaml").write_text(
        "name: pg\nuri: postgresql://bi:${PG_PASSWORD}@db.internal:5432/bi\n")
    for env_file in (tree / "environments").glob("*.yaml"):  # where the password may go
        env_file.write_text(env_file.read_text().replace(
            "allowed_hosts: [", "secrets: [PG_PASSWORD]\nallowed_hosts: [db.internal, "))
    secrets = {**VARS, "PG_PASSWORD": "Sx-unit-db-pw-c41a0f"}
    diff = run("diff", "--env", "local", "--out", "plan.json", env=secrets)
    assert diff.exit_code == 3, diff.output
    text = Path("plan.json").read_text()
    assert "postgresql://bi:XXXXXXXXXX@db.internal:5432/bi" in text  # the create, masked
    for name in ("SUPERSET_PASSWORD", "MASK_SALT", "PG_PASSWORD"):
        assert secrets[name] not in text, name


def test_a_plan_applied_once_is_refused_the_second_time(server: Server, tree: Path) -> None:
    assert run("diff", "--env", "local", "--out", "plan.json").exit_code == 3
    assert run("apply", "plan.json").exit_code == 0
    server.edit(CHART, row_limit=100)  # what the apply wrote: the tree's value
    again = run("apply", "plan.json")
    assert again.exit_code == 4
    assert (f"  - chart/{CHART} changed on the server since the plan was made "
            "(it needs no change now)") in again.stderr
    assert server.charts.calls == [f"update {CHART}"]
