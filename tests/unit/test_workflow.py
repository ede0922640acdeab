"""The pipeline's offline half on the team's real assets."""

from __future__ import annotations

from pathlib import Path

from superset_iac import workflow

ASSETS = Path(__file__).resolve().parents[2] / "assets"
LOCAL_VARS = {"SUPERSET_PASSWORD": "pw-for-test", "LAKEHOUSE_PATH": "/data/lake.duckdb"}


def test_datasets_depend_on_the_views_their_sql_reads() -> None:
    loaded = workflow.load(ASSETS, None)
    refs = {r.key for r in loaded.tree.get("dataset", "option_ticks").refs() if r.kind == "view"}
    assert refs == {"hive_prod.option_ticks_db.v_option_ticks_masked"}
    physical = loaded.tree.get("dataset", "mv_daily_stats").refs()
    assert ("view", "hive_prod.option_ticks_db.mv_daily_stats") in {(r.kind, r.key) for r in physical}


def test_local_environment_resolves_the_database_override() -> None:
    loaded = workflow.load(ASSETS, "local", LOCAL_VARS)
    assert not loaded.diagnostics.has_errors(), loaded.diagnostics.render_text()
    database = loaded.desired["database"]["lakehouse"]
    assert database.uri == "duckdb:////data/lake.duckdb"
    assert database.extra["engine_params"] == {"connect_args": {"read_only": True}}
    assert loaded.env is not None and loaded.env.superset.password == "pw-for-test"


def test_a_missing_variable_is_an_error_naming_its_line() -> None:
    loaded = workflow.load(ASSETS, "local", {"SUPERSET_PASSWORD": "x"})
    found = {(d.pos.file.rsplit("/", 1)[-1], d.pos.line) for d in loaded.diagnostics.errors
             if d.code == "E001" and "LAKEHOUSE_PATH" in d.message}
    # the database's local override line, and the warehouse path of the environment
    assert found == {("lakehouse.yaml", 17), ("local.yaml", 11)}
