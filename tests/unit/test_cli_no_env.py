"""``diff``/``apply`` without ``--env``: for a tree without environment files,
the connection from options or variables (the server faked with ``responses``)."""

from __future__ import annotations

from pathlib import Path

import pytest
import responses
from click.testing import CliRunner

from superset_iac.cli import main

BASE = "http://superset.invalid"
API = f"{BASE}/api/v1"
DB = "name: lake\nuri: postgresql://bi:${DB_PASSWORD}@db.internal:5432/lake\n"
VARS = {"SUPERSET_URL": BASE, "SUPERSET_ACCESS_TOKEN": "unit-token", "DB_PASSWORD": "Sx-pw-81c2",
        "SUPERSET_IAC_ENV": "", "SUPERSET_USERNAME": "", "SUPERSET_PASSWORD": ""}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "databases").mkdir()
    (tmp_path / "databases" / "lake.yaml").write_text(DB)
    return tmp_path


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env={**VARS, **(env or {})})


@responses.activate
def test_diff_without_env_plans_against_the_superset_of_the_variables(tree: Path) -> None:
    responses.add("GET", f"{API}/database/", json={"count": 0, "result": []})
    responses.add("GET", f"{API}/security/csrf_token/", json={"result": "csrf"})
    responses.add("GET", f"{BASE}/version", json={"version_string": "6.1.0"})
    result = run("diff", "--assets", str(tree))
    assert result.exit_code == 3, result.output
    assert "+ database/lake" in result.stdout
    assert "postgresql://bi:XXXXXXXXXX@db.internal:5432/lake" in result.stdout
    assert VARS["DB_PASSWORD"] not in result.output


def test_without_a_url_it_says_where_one_comes_from(tree: Path) -> None:
    result = run("diff", "--assets", str(tree), env={"SUPERSET_URL": ""})
    assert result.exit_code == 2
    assert "no Superset URL: pass --url, set SUPERSET_URL, or choose --env" in result.stderr


def test_a_tree_with_environments_still_needs_env(tree: Path) -> None:
    (tree / "environments").mkdir()
    for name in ("prod", "staging"):
        (tree / "environments" / f"{name}.yaml").write_text(
            f"name: {name}\nsuperset:\n  url: {BASE}\n")
    for command in ("diff", "apply"):
        result = run(command, "--assets", str(tree))
        assert result.exit_code == 2
        assert "defines environments (prod, staging): say which one with --env" in result.stderr


def test_a_tree_with_views_needs_an_environment_for_its_warehouse(tree: Path) -> None:
    (tree / "views").mkdir()
    (tree / "views" / "v.yaml").write_text(
        "name: c.s.v\nsource: c.s.t\ncolumns: [{name: a}]\n")
    result = run("apply", "--assets", str(tree), "--yes")
    assert result.exit_code == 2
    assert "has views, which are created in an environment's warehouse" in result.stderr


def test_a_missing_variable_is_still_named_with_its_line(tree: Path) -> None:
    result = CliRunner().invoke(main, ["diff", "--assets", str(tree)],
                                env={**VARS, "DB_PASSWORD": None})  # type: ignore[dict-item]
    assert result.exit_code == 1
    assert "lake.yaml:2:" in result.stderr and "DB_PASSWORD is not set" in result.stderr
