"""Saved queries end to end against a real Superset 6.1: apply, an empty diff
with zero writes, drift made by hand through the API as SQL Lab makes it,
apply restoring it, export giving the same file, and ``--prune`` deleting only
the managed ones.

One tree, names made unique (the session's Superset is shared); the steps run
in file order on it, each one a test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.integration.trees import Api, WrittenTree, cli, fields, new_tree, snapshot

pytestmark = pytest.mark.integration


class Tree(WrittenTree):
    def __init__(self, root: Path, superset: Any, lakehouse: Path, suffix: str) -> None:
        super().__init__(root, superset, superset.env(lakehouse))
        self.db, self.label, self.gone = f"lake_sq_{suffix}", f"Top symbols {suffix}", \
            f"Scratch {suffix}"
        self.write(f"databases/{self.db}.yaml", f"""\
            name: {self.db}
            uri: duckdb:///${{LAKEHOUSE_PATH}}
            expose_in_sqllab: true
            """)
        self.write("saved_queries/top.yaml", f"""\
            label: {self.label}
            database: {self.db}
            schema: option_ticks_db
            description: Volume per symbol, for the analysts.
            sql: |
              SELECT symbol, SUM(volume) AS total_volume
              FROM option_ticks_db.bronze_option_ticks
              GROUP BY symbol
              ORDER BY total_volume DESC
            """)
        self.write("saved_queries/scratch.yaml", f"""\
            label: {self.gone}
            database: {self.db}
            sql: SELECT 1
            """)


@pytest.fixture(scope="module")
def tree(tmp_path_factory, superset, lakehouse_path) -> Tree:
    import uuid

    return Tree(tmp_path_factory.mktemp("saved-queries") / "assets", superset, lakehouse_path,
                uuid.uuid4().hex[:8])


@pytest.fixture(scope="module")
def api(superset) -> Api:
    return Api(superset)


def row(api: Api, label: str) -> dict[str, Any]:
    return api.first("saved_query/", f"(filters:!((col:label,opr:eq,value:'{label}')),"
                                     "columns:!(id,label,description,sql,schema,extra))")


def test_apply_creates_them_and_a_second_diff_is_empty_with_zero_writes(tree, api) -> None:
    plan = tree.diff()
    assert sorted((c.action.value, c.ref) for c in plan.changes) == [
        ("create", f"database/{tree.db}"), ("create", f"saved_query/{tree.gone}"),
        ("create", f"saved_query/{tree.label}")]
    tree.apply(plan)
    live = row(api, tree.label)
    assert live["schema"] == "option_ticks_db" and live["sql"].startswith("SELECT symbol")
    assert live["extra"] == {"superset_iac": f"superset-iac://saved_query/{tree.label}"}
    again = tree.diff()
    assert not again.has_changes and again.unchanged == {"database": 1, "saved_query": 2}
    # the saved queries cost one list, filtered by label
    assert tree.gets().count("/api/v1/saved_query/") == 1
    tree.apply(again)
    assert tree.writes() == []


def test_drift_made_in_sql_lab_is_shown_and_apply_restores_it(tree, api) -> None:
    live = row(api, tree.label)
    # What SQL Lab's "Save" sends for an existing query: no extra_json.
    api.put(f"saved_query/{live['id']}", {
        "label": tree.label, "description": "edited by hand", "schema": "option_ticks_db",
        "sql": "SELECT 1", "db_id": api.find("database", "database_name", tree.db)["id"]})
    assert row(api, tree.label)["extra"]["superset_iac"].endswith(tree.label)  # marker kept
    plan = tree.diff()
    assert fields(plan) == [
        (f"saved_query/{tree.label}", "description", "edited by hand",
         "Volume per symbol, for the analysts."),
        (f"saved_query/{tree.label}", "sql", "SELECT 1",
         "SELECT symbol, SUM(volume) AS total_volume\nFROM option_ticks_db.bronze_option_ticks"
         "\nGROUP BY symbol\nORDER BY total_volume DESC")]
    tree.apply(plan)
    assert tree.writes() == [("PUT", f"/api/v1/saved_query/{live['id']}")]
    assert not tree.diff().has_changes


def test_export_writes_the_same_files(tree, tmp_path) -> None:
    env = tree.environ
    into_tree = cli("export", "--assets", tree.root, "--env", "local", "--saved-queries",
                    "--format", "json", env=env)
    assert into_tree.exit_code == 0, into_tree.output
    report = json.loads(into_tree.stdout)
    # The session's Superset holds other tests' saved queries of the same
    # login: those are new files; no file of the tree changes.
    assert report["summary"]["changed"] == 0
    assert [f["action"] for f in report["files"]
            if f"saved_query/{tree.label}" in f["objects"]] == ["unchanged"]
    fresh = new_tree(tmp_path / "fresh", "local")
    result = cli("export", "--assets", fresh, "--env", "local", "--saved-queries", env=env)
    assert result.exit_code == 0, result.output
    exported = snapshot(fresh)
    mine = [text for path, text in exported.items() if path.startswith("saved_queries/")
            and f"label: {tree.label}" in text]
    # byte for byte the file the tree was applied from
    assert mine == [(tree.root / "saved_queries" / "top.yaml").read_text()]
    assert cli("validate", "--assets", fresh, env=env).exit_code == 0
    again = cli("diff", "--assets", fresh, "--env", "local", env=env)
    assert again.exit_code == 0, again.output  # 0: no changes


def test_prune_deletes_only_managed_saved_queries(tree, api) -> None:
    db_id = api.find("database", "database_name", tree.db)["id"]
    by_hand = api.post("saved_query/", {"label": f"{tree.gone} by hand", "db_id": db_id,
                                        "sql": "SELECT 2"})
    (tree.root / "saved_queries" / "scratch.yaml").unlink()
    plan = tree.diff()
    assert not plan.has_changes  # reads are filtered by the tree: the gone one is not read
    pruned = tree.diff(prune=True, targets=(f"saved_query/{tree.gone}",
                                            f"saved_query/{tree.gone} by hand"))
    assert [(c.action.value, c.ref) for c in pruned.changes] == [
        ("delete", f"saved_query/{tree.gone}")]
    tree.apply(pruned)
    labels = {r["label"] for r in api.get("saved_query/")["result"]}
    assert tree.gone not in labels and f"{tree.gone} by hand" in labels
    api.call("DELETE", f"saved_query/{by_hand}")
