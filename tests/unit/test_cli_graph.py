"""``superset-iac graph`` and ``diff --impact`` through click's runner."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from superset_iac.cli import main
from tests.unit.test_cli_saved_plan import VARS, Server

ROOT = Path(__file__).resolve().parents[2]
ASSETS = str(ROOT / "assets")


def run(*args: str):
    return CliRunner().invoke(main, list(args), env=VARS)


def test_graph_is_dot_by_default_and_renders_every_format() -> None:
    dot = run("graph", "--assets", ASSETS)
    assert dot.exit_code == 0 and dot.stdout.startswith("digraph lineage {")
    mermaid = run("graph", "--assets", ASSETS, "--format", "mermaid")
    assert mermaid.exit_code == 0 and mermaid.stdout.startswith("flowchart LR")
    data = json.loads(run("graph", "--assets", ASSETS, "--format", "json").stdout)
    kinds = {n["kind"] for n in data["nodes"]}
    assert kinds == {"table", "view", "database", "dataset", "annotation_layer", "chart", "role",
                     "css_template", "theme", "dashboard", "group", "rls", "saved_query", "tag",
                     "report"}


def test_a_theme_reaches_the_dashboards_it_styles() -> None:
    result = run("graph", "--assets", ASSETS, "--impact", "theme/Lakehouse")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "1 object(s) downstream of theme/Lakehouse",
        "  dashboard/lakehouse-analytics  (via theme/Lakehouse)"]


def test_impact_lists_what_lies_downstream() -> None:
    result = run("graph", "--assets", ASSETS, "--impact", "dataset/volume_stats")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "2 object(s) downstream of dataset/volume_stats",
        "  chart/Volume by symbol  (via dataset/volume_stats)",
        "  dashboard/lakehouse-analytics  (via chart/Volume by symbol)"]
    data = json.loads(run("graph", "--assets", ASSETS, "--impact", "dataset/volume_stats",
                          "--format", "json").stdout)
    assert data["downstream"][1] == {"id": "dashboard/lakehouse-analytics",
                                     "via": "chart/Volume by symbol"}
    part = run("graph", "--assets", ASSETS, "--impact", "dataset/volume_stats",
               "--format", "mermaid").stdout
    assert part.count('["') == 3  # the dataset and what it reaches, nothing else


def test_an_unknown_object_is_a_usage_error_with_a_suggestion() -> None:
    result = run("graph", "--assets", ASSETS, "--impact", "chart/Volume by symbols")
    assert result.exit_code == 2
    assert result.stderr.strip() == ("error: --impact chart/Volume by symbols: no such object "
                                     "in the tree (did you mean chart/Volume by symbol?)")


def test_an_invalid_tree_exits_1_with_positions(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "assets", tmp_path / "assets")
    chart = tmp_path / "assets" / "charts" / "volume_by_symbol.yaml"
    chart.write_text(chart.read_text().replace("dataset: volume_stats", "dataset: volume_stat"))
    result = run("graph", "--assets", str(tmp_path / "assets"))
    assert result.exit_code == 1 and "volume_by_symbol.yaml:2:" in result.stderr
    assert result.stdout == ""


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Server:
    return Server(monkeypatch)


def test_a_saved_plan_marks_the_graph_and_diff_impact_lists_the_reach(
        server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(ROOT / "assets", tmp_path / "assets")
    monkeypatch.chdir(tmp_path)
    diff = run("diff", "--env", "local", "--out", "plan.json", "--impact")
    assert diff.exit_code == 3
    assert diff.stdout.splitlines()[-2:] == [
        "Impact (what lies downstream of each change):",
        "  chart/Volume by symbol: dashboard/lakehouse-analytics"]
    as_json = json.loads(run("diff", "--env", "local", "--impact", "--format", "json").stdout)
    assert as_json["impact"] == {"chart/Volume by symbol": ["dashboard/lakehouse-analytics"]}
    markdown = run("diff", "--env", "local", "--impact", "--format", "markdown").stdout
    assert ("| <code>chart/Volume by symbol</code> | "
            "<code>dashboard/lakehouse-analytics</code> |") in markdown
    marked = json.loads(run("graph", "--plan", "plan.json", "--format", "json").stdout)
    changed = {n["id"]: n["change"] for n in marked["nodes"] if "change" in n}
    assert changed == {"chart/Volume by symbol": "update"}
