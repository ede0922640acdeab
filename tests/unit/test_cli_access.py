"""``superset-iac access`` through click's runner: offline on a fixture tree, live with
the server side faked (the same command against a real Superset is in
tests/integration/test_access.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from superset_iac.cli import access_cmd, main
from superset_iac.kinds.base import Context
from superset_iac.model import Chart, Dashboard, Dataset, Role

BASE = Path(__file__).resolve().parents[1] / "fixtures" / "validate" / "base"


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(BASE, tmp_path / "assets")
    return tmp_path / "assets"


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, ["access", *args], env={
        "SUPERSET_URL": None, "SUPERSET_IAC_ENV": None, **(env or {})})  # type: ignore[dict-item]


def test_offline_text_names_each_path_with_its_place(tree: Path) -> None:
    (tree / "roles" / "analyst.yaml").write_text(
        "name: Analyst\nextends: [Gamma]\ndata_access:\n  datasets: [daily]\n")
    result = run()
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Effective access from the tree (assets)."
    assert "role Analyst (SQL Lab: no)" in lines
    text = result.stdout
    assert "dataset grant (datasource access)  (assets/roles/analyst.yaml:4:14)" in text
    assert ("dashboard 'sales' (unpublished): chart 'Price', filter 'Symbol' [inactive]  "
            "(assets/dashboards/sales.yaml:3:9)") in text
    assert "! only through a dashboard: the role's grants leave it out (G006)" in text


def test_json_with_a_role_filter(tree: Path) -> None:
    result = run("--format", "json", "--role", "Analyst")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["source"] == "tree" and data["where"] == "assets"
    [analyst] = data["roles"]
    assert analyst["role"] == "Analyst"
    assert {d["name"]: d["granted"] for d in analyst["datasets"]} == {"daily": True,
                                                                      "trades": True}
    assert [p["via"] for p in analyst["dashboards"][0]["paths"]] == ["roles"]


def test_superset_url_alone_does_not_go_live(tree: Path) -> None:
    result = run("--format", "json", env={"SUPERSET_URL": "http://superset.invalid"})
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["source"] == "tree"


def test_an_unknown_role_is_a_usage_error_with_a_hint(tree: Path) -> None:
    result = run("--role", "Analist")
    assert result.exit_code == 2
    assert "--role Analist: no such role (did you mean 'Analyst'?)" in result.stderr
    assert result.stdout == ""


def test_a_tree_with_errors_exits_1_and_shows_them(tree: Path) -> None:
    (tree / "roles" / "analyst.yaml").write_text("name: Analyst\ndata_access:\n  datasets: [x]\n")
    result = run()
    assert result.exit_code == 1
    assert "assets/roles/analyst.yaml:3:14: R001" in result.stderr and result.stdout == ""


def test_a_missing_asset_directory_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run()
    assert result.exit_code == 2 and "asset directory 'assets' not found" in result.stderr


def test_live_reads_the_server_not_the_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With --url the state is the server's (here faked): no tree needed."""
    monkeypatch.chdir(tmp_path)
    seen: list[Any] = []
    live = {
        "dataset": {"logs": Dataset.model_validate({"name": "logs", "database": "lake",
                                                    "schema": "ops"})},
        "chart": {"Errors": Chart(name="Errors", dataset="logs", viz_type="table")},
        "role": {"Ops": Role.model_construct(name="Ops", extends=[], permissions={},
                                             data_access=Role(name="x").data_access)},
        "dashboard": {"ops": Dashboard.model_validate({
            "title": "Ops", "slug": "ops", "published": True, "roles": ["Ops"],
            "layout": [{"row": [{"chart": "Errors"}]}]})},
    }

    def context(loaded: Any, url: str | None, *rest: Any) -> Context:
        seen.append(url)
        return Context(client=None, url=url)

    monkeypatch.setattr(access_cmd, "context", context)
    monkeypatch.setattr(access_cmd, "read_specs", lambda ctx: live)
    result = run("--url", "http://ci:pw-in-url@superset.invalid", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert seen == ["http://ci:pw-in-url@superset.invalid"]
    assert data["source"] == "live" and data["where"] == "http://ci:***@superset.invalid"
    assert "pw-in-url" not in result.output
    [ops] = data["roles"]
    assert ops["datasets"] == [{"name": "logs", "granted": False, "paths": [{
        "via": "dashboard", "detail": "dashboard 'ops': chart 'Errors'", "at": None,
        "active": True, "dashboard": "ops"}]}]
