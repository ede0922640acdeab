"""The JSON Schemas (``superset-iac schema``) accept every file the tool
accepts: assets/, the validator's base fixture tree, and files the exporter
writes (the export tests' trees); and they refuse what the loader refuses.

The files are read with the tool's own YAML loader (dates stay strings, as
for YAML-1.2 editors), one document at a time, as editors validate them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from superset_iac.cli import main
from superset_iac.model.json_schema import schemas
from tests.schema_check import documents, problems, tree_problems, validators

ROOT = Path(__file__).resolve().parents[2]
TREES = [ROOT / "assets", ROOT / "tests" / "fixtures" / "validate" / "base"]


@pytest.mark.parametrize("tree", TREES, ids=lambda p: p.name)
def test_every_file_of_the_tree_validates(tree: Path) -> None:
    assert len({directory for directory, _, _ in documents(tree)}) >= 7, "most kinds covered"
    checked, found = tree_problems(tree)
    assert checked >= 10 and found == {}


def test_what_the_loader_refuses_the_schema_refuses_too() -> None:
    checks = validators()
    chart = {"name": "A", "dataset": "d", "viz_type": "table"}
    assert problems(checks["charts"], chart) == []
    assert problems(checks["charts"], [chart, chart]) == []  # a list of objects
    assert problems(checks["charts"], {**chart, "vis_type": "pie"})  # unknown key (S001)
    assert problems(checks["charts"], {**chart, "cache_timeout": "5"})  # strict type (S002)
    assert problems(checks["charts"], {"name": "A"})  # missing keys (S003)
    database = {"name": "lake", "uri": "duckdb:///x",
                "environments": {"prod": {"uri": "trino://h/c", "cache_timeout": 5}}}
    assert problems(checks["databases"], database) == []
    assert problems(checks["databases"], {**database, "environments": {"prod": {"url": "x"}}})
    view = {"name": "c.s.v", "source": "c.s.t", "columns": [{"name": "a", "mask": "sha"}]}
    assert problems(checks["views"], view)  # not one of the mask policies (S004)


def test_schema_writes_once_then_changes_nothing_and_check_tells_stale(tmp_path: Path) -> None:
    out = tmp_path / "schemas"
    runner = CliRunner()
    first = runner.invoke(main, ["schema", "--out", str(out)])
    assert first.exit_code == 0, first.output
    assert sorted(p.name for p in out.iterdir()) == sorted(schemas())
    assert first.stdout.splitlines()[0] == f"+ {out}/views.schema.json"
    again = runner.invoke(main, ["schema", "--out", str(out)])
    assert again.exit_code == 0 and all(line.startswith("= ") for line in again.stdout.splitlines())
    assert runner.invoke(main, ["schema", "--out", str(out), "--check"]).exit_code == 0
    (out / "charts.schema.json").write_text("{}")
    stale = runner.invoke(main, ["schema", "--out", str(out), "--check"])
    assert stale.exit_code == 1 and f"~ {out}/charts.schema.json (out of date)" in stale.stdout
    assert (out / "charts.schema.json").read_text() == "{}"  # --check wrote nothing
