"""The pipeline's offline half on the team's real assets."""

from __future__ import annotations

from pathlib import Path

import pytest

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


def test_a_missing_login_variable_is_left_to_connect_which_names_it() -> None:
    environ = {"LAKEHOUSE_PATH": "/data/lake.duckdb"}
    loaded = workflow.load(ASSETS, "local", environ)
    assert not loaded.diagnostics.has_errors(), loaded.diagnostics.render_text()
    assert loaded.missing_login == {"password": ["SUPERSET_PASSWORD"]}
    with pytest.raises(workflow.ConfigError) as err:
        workflow.connect(loaded.env, workflow.Connection(unset_login=loaded.missing_login))
    assert str(err.value) == ("SUPERSET_PASSWORD is not set: no password to log in to "
                              "http://127.0.0.1:8088 as 'admin'; set it, or SUPERSET_ACCESS_TOKEN")
    # Given as an option, the password is enough: the client is made, nothing is sent yet.
    client = workflow.connect(loaded.env, workflow.Connection(password="pw",
                                                              unset_login=loaded.missing_login))
    assert client.requests == []
    # validate never connects: the variable is still worth a warning there.
    offline = workflow.load(ASSETS, "local", environ, connecting=False)
    assert [d.code for d in offline.diagnostics if "SUPERSET_PASSWORD" in d.message] == ["E001"]


@pytest.mark.parametrize("prune", [False, True])
def test_only_a_diff_without_prune_reads_filtered_lists(monkeypatch, prune) -> None:
    """--prune must find every managed object, so it reads whole lists."""
    from superset_iac.kinds.base import Context

    loaded = workflow.load(ASSETS, "local", LOCAL_VARS)
    seen: list[tuple[bool, set[str]]] = []

    def read_live(ctx: Context, kinds: list) -> dict:
        seen.append((ctx.filtered, set(ctx.named("dataset"))))
        return {}

    monkeypatch.setattr(workflow, "read_live", read_live)
    workflow.diff(loaded, Context(client=None), prune=prune)
    ((filtered, datasets),) = seen
    assert filtered is not prune
    assert datasets == set(loaded.desired["dataset"])  # the tree's datasets, each named
