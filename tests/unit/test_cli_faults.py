"""Faults of the server, through the real command: a server that never
answers, one that goes away mid-apply. Real sockets on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from superset_iac.cli import apply_cmd, main
from superset_iac.kinds.base import Context, Handler
from superset_iac.model import Chart, Dataset
from superset_iac.model.environment import Environment
from superset_iac.plan.diff import plan as make_plan
from superset_iac.superset.client import SupersetClient
from tests.unit.apply.recorder import dataset
from tests.unit.superset.local_servers import DyingServer, silent_server



# The valid fixture tree as ./assets in a fresh working directory.
from tests.unit.test_cli_validate import tree  # noqa: E402,F401  (a fixture)


@pytest.mark.parametrize("how", ["option", "variable"])
def test_a_server_that_never_answers_fails_within_the_timeout_saying_so(tree: Path,
                                                                         how: str) -> None:
    with silent_server() as (url, accepted):
        args = ["diff", "--env", "dev", "--url", url]
        env = {"SUPERSET_PASSWORD": "pw", "LAKE_PATH": "/nowhere", "CI_BOT_PASSWORD": "pw"}
        if how == "option":
            args += ["--timeout", "0.3"]
        else:
            env["SUPERSET_IAC_TIMEOUT"] = "0.3"
        result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 2, result.output
    assert f"no response: no answer from {url} within 0.3 s" in result.stderr
    assert "Traceback" not in result.output
    assert len(accepted) == 1  # one attempt: a timeout is never repeated


def test_timeout_must_be_a_positive_number(tree: Path) -> None:
    result = CliRunner().invoke(main, ["diff", "--env", "dev", "--timeout", "0"])
    assert result.exit_code == 2 and "--timeout" in result.output


class Poster(Handler):
    """Creates by POSTing to the (dying) server, like a REST handler."""

    def __init__(self, spec_type: type) -> None:
        self.spec_type = spec_type

    def read(self, ctx: Context) -> dict:
        return {}

    def create(self, ctx: Context, spec: Any) -> Any:
        return ctx.client.post(f"{self.kind}/", {"name": spec.key})["id"]

    def update(self, ctx: Context, change: Any) -> None:
        raise AssertionError("no update planned")

    def delete(self, ctx: Context, live: Any) -> None:
        raise AssertionError("no delete planned")


DESIRED = {"dataset": {name: dataset(name) for name in ("a", "b", "c")},
           "chart": {n: Chart(name=n, dataset="a", viz_type="table") for n in ("P", "Q")}}


def test_a_server_gone_mid_apply_stops_the_run_and_says_how_far_it_got(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    audit_log = tmp_path / "audit.jsonl"
    env = Environment.model_validate({"name": "local", "superset": {"url": "http://x"},
                                      "audit_log": str(audit_log)})

    class Loaded:
        desired = DESIRED

    Loaded.env = env  # type: ignore[attr-defined]
    with DyingServer(die_at=3) as server:
        # Retries with a real backoff: the run must not spend them per change.
        client = SupersetClient(server.url, username="admin", password="pw", retries=3,
                                backoff=0.2)
        monkeypatch.setattr(apply_cmd, "load_valid", lambda assets, env: Loaded())
        monkeypatch.setattr(apply_cmd, "context", lambda *a: Context(client=client))
        monkeypatch.setattr(apply_cmd.workflow, "diff",
                            lambda *a, **k: make_plan(DESIRED, {}))
        monkeypatch.setattr(apply_cmd, "HANDLERS", {"dataset": Poster(Dataset),
                                                    "chart": Poster(Chart)})
        result = CliRunner().invoke(main, ["apply", "--env", "local", "--assets", str(tmp_path)],
                                    env={"NO_COLOR": "1"})
    assert result.exit_code == 1, result.output
    assert server.creates == ["/api/v1/dataset/", "/api/v1/dataset/"]
    # After the dropped create, nothing more was sent: no retries, no other change.
    assert [r.method for r in client.requests if r.kind != "auth"] == ["POST"] * 3
    assert ("error: stopped: dataset/c got no answer from the server; 2 of 5 changes applied, "
            "the 2 after it not attempted; run apply again when the server answers") \
        in result.stderr
    assert "Apply: 2 created, 1 failed, 2 not attempted (" in result.stdout
    [record] = [json.loads(line) for line in audit_log.read_text().splitlines()]
    assert record["outcome"] == "failed"
    assert record["result"]["not_attempted"] == ["chart/P", "chart/Q"]
    assert record["result"]["summary"]["not_attempted"] == 2
