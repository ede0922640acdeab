"""Tags end to end against a real Superset 6.1 (TAGGING_SYSTEM on): apply, an
empty diff with zero writes, drift made by hand through the tag API (an object
tagged, another untagged) shown and restored, export by tag giving the same
file, and ``--prune`` deleting only managed tags, never Superset's own.

One tree: a database, a dataset of ticks, two charts, a dashboard with one of
them, a saved query, and three tags over them (names made unique: the
session's Superset is shared). The steps run in file order, each one a test.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.integration.trees import Api, WrittenTree, cli, fields, new_tree, snapshot

pytestmark = pytest.mark.integration

TYPE = {"query": 1, "chart": 2, "dashboard": 3}  # Superset's ObjectType values


class Tree(WrittenTree):
    def __init__(self, root: Path, superset: Any, lakehouse: Path, u: str) -> None:
        super().__init__(root, superset, superset.env(lakehouse))
        self.db, self.dataset = f"lake_tag_{u}", f"ticks_tag_{u}"
        self.slug, self.title = f"tagged-{u}", f"Tagged {u}"
        self.price, self.volume, self.query = f"Price {u}", f"Volume {u}", f"Ticks {u}"
        self.gold, self.silver, self.gone = f"gold-{u}", f"silver-{u}", f"scratch-{u}"
        self.write(f"databases/{self.db}.yaml", f"name: {self.db}\nuri: duckdb:///${{LAKEHOUSE_PATH}}\n")
        self.write(f"datasets/{self.dataset}.yaml", f"""\
            name: {self.dataset}
            database: {self.db}
            schema: option_ticks_db
            sql: |
              SELECT symbol, exchange, last_price, volume
              FROM option_ticks_db.bronze_option_ticks
            metrics:
              - name: total_volume
                expression: SUM(volume)
            """)
        for name in (self.price, self.volume):
            self.write(f"charts/{name.split()[0].lower()}.yaml", json.dumps({
                "name": name, "dataset": self.dataset, "viz_type": "table",
                "params": {"query_mode": "aggregate", "groupby": ["symbol"],
                           "metrics": ["total_volume"], "row_limit": 10}}))
        self.write("dashboards/tagged.yaml", json.dumps({
            "title": self.title, "slug": self.slug,
            "layout": [{"row": [{"chart": self.price, "width": 12}]}]}))
        self.write("saved_queries/ticks.yaml", f"""\
            label: {self.query}
            database: {self.db}
            sql: SELECT COUNT(*) FROM option_ticks_db.bronze_option_ticks
            """)
        # as export writes a tag (short lists in flow style), to compare bytes
        self.write("tags/gold.yaml", f"""\
            name: {self.gold}
            description: Aggregates.
            dashboards: [{self.slug}]
            charts: [{self.price}]
            saved_queries: [{self.query}]
            """)
        self.write("tags/silver.yaml", f"name: {self.silver}\ncharts:\n  - {self.volume}\n")
        self.write("tags/scratch.yaml", f"name: {self.gone}\n")


@pytest.fixture(scope="module")
def tree(tmp_path_factory, superset, lakehouse_path) -> Tree:
    return Tree(tmp_path_factory.mktemp("tags") / "assets", superset, lakehouse_path,
                uuid.uuid4().hex[:8])


@pytest.fixture(scope="module")
def api(superset) -> Api:
    return Api(superset)


def tag_id(api: Api, name: str) -> int:
    return api.first("tag/", f"(filters:!((col:name,opr:eq,value:'{name}')))")["id"]


def members(api: Api, name: str) -> set[tuple[str, str]]:
    """(type, name) of what the tag tags, as the tag page lists them."""
    found = api.call("GET", "tag/get_objects/", tagIds=str(tag_id(api, name)))["result"]
    return {(o["type"], o["name"]) for o in found}


def ids(api: Api, tree: Tree) -> dict[str, int]:
    return {"volume": api.find("chart", "slice_name", tree.volume)["id"],
            "query": api.find("saved_query", "label", tree.query)["id"]}


def test_apply_tags_the_objects_and_a_second_diff_is_empty_with_zero_writes(tree, api) -> None:
    plan = tree.diff()
    assert sorted(c.ref for c in plan.changes if c.kind == "tag") == [
        f"tag/{tree.gold}", f"tag/{tree.gone}", f"tag/{tree.silver}"]
    # tags after everything they name
    kinds = [c.kind for c in plan.changes]
    assert kinds.index("tag") > max(kinds.index(k) for k in ("dashboard", "chart", "saved_query"))
    tree.apply(plan)
    assert members(api, tree.gold) == {("dashboard", tree.title),
                                       ("chart", tree.price), ("query", tree.query)}
    assert members(api, tree.silver) == {("chart", tree.volume)}
    again = tree.diff()
    assert not again.has_changes and again.unchanged["tag"] == 3
    # tags cost one list filtered by name and one membership read
    assert tree.gets().count("/api/v1/tag/") == 1
    assert tree.gets().count("/api/v1/tag/get_objects/") == 1
    tree.apply(again)
    assert tree.writes() == []


def test_drift_tagged_by_hand_is_shown_and_apply_restores_it(tree, api) -> None:
    objects = ids(api, tree)
    # The UI's tag picker on a chart, and the "x" on a tagged saved query.
    api.call("POST", f"tag/{TYPE['chart']}/{objects['volume']}/",
             {"properties": {"tags": [tree.gold]}})
    api.call("DELETE", f"tag/{TYPE['query']}/{objects['query']}/{tree.gold}/")
    plan = tree.diff()
    assert fields(plan) == [
        (f"tag/{tree.gold}", "charts", sorted([tree.price, tree.volume]), [tree.price]),
        (f"tag/{tree.gold}", "saved_queries", [], [tree.query])]
    tree.apply(plan)
    assert tree.writes() == [("PUT", f"/api/v1/tag/{tag_id(api, tree.gold)}")]
    assert not tree.diff().has_changes
    assert members(api, tree.silver) == {("chart", tree.volume)}  # untouched


def test_export_by_tag_writes_the_same_files(tree, tmp_path) -> None:
    env = tree.environ
    into_tree = cli("export", "--assets", tree.root, "--env", "local", "--tag", tree.gold,
                    "--tag", tree.silver, "--format", "json", env=env)
    assert into_tree.exit_code == 0, into_tree.output
    summary = json.loads(into_tree.stdout)["summary"]
    assert summary["created"] == 0 and summary["changed"] == 0, into_tree.stdout
    fresh = new_tree(tmp_path / "fresh", "local")
    result = cli("export", "--assets", fresh, "--env", "local", "--tag", tree.gold, env=env)
    assert result.exit_code == 0, result.output
    exported = snapshot(fresh)
    assert exported[f"tags/{tree.gold.replace('-', '_')}.yaml"] == \
        (tree.root / "tags" / "gold.yaml").read_text()
    # what the tag names came along, and nothing it does not
    assert sorted(p.split("/")[0] for p in exported) == [
        "charts", "dashboards", "databases", "datasets", "saved_queries", "tags"]
    assert cli("validate", "--assets", fresh, env=env).exit_code == 0
    again = cli("diff", "--assets", fresh, "--env", "local", env=env)
    assert again.exit_code == 0, again.output  # 0: no changes


def test_prune_deletes_only_managed_tags_never_superset_s_own(tree, api) -> None:
    api.call("POST", "tag/", {"name": f"{tree.gone}-by-hand", "objects_to_tag": []})
    system = {t["name"] for t in api.get("tag/")["result"] if t["type"] != 1}
    assert any(name.startswith("type:") for name in system)
    (tree.root / "tags" / "scratch.yaml").unlink()
    # named, not the whole kind: other trees of this session's Superset hold managed tags
    pruned = tree.diff(prune=True, targets=(f"tag/{tree.gone}", f"tag/{tree.gone}-by-hand"))
    assert [(c.action.value, c.ref) for c in pruned.changes] == [("delete", f"tag/{tree.gone}")]
    tree.apply(pruned)
    names = {t["name"] for t in api.get("tag/")["result"]}
    assert tree.gone not in names and f"{tree.gone}-by-hand" in names and system <= names
    api.call("DELETE", "tag/", q=f"!('{tree.gone}-by-hand')")
