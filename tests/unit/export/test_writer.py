"""Writing live specs into a tree: new files, in-place updates, idempotency."""

from __future__ import annotations

from pathlib import Path

import pytest

from superset_iac.diagnostics import Diagnostics
from superset_iac.export.writer import FileAction, write
from superset_iac.load.resolve import resolve
from superset_iac.load.tree import load_tree
from superset_iac.plan.diff import plan
from tests.unit.export.conftest import chart, dashboard, database, dataset, live_state


def export_into(root: Path, live, environ=None, env=None):
    tree = load_tree(root) if root.exists() else load_tree_empty(root)
    resolved = resolve(tree, env, environ or {}, Diagnostics())
    return write(root, live, tree, resolved, env.name if env else None)


def load_tree_empty(root: Path):
    from superset_iac.load.tree import AssetTree

    return AssetTree(root)


def existing(tmp_path: Path, rel: str, text: str) -> tuple[Path, Path]:
    """An asset root with one hand-written file at ``rel``; (root, file)."""
    root = tmp_path / "assets"
    path = root / rel
    path.parent.mkdir(parents=True)
    path.write_text(text)
    return root, path


def snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*.yaml"))}


def test_a_fresh_export_writes_one_file_per_object_without_defaults(tmp_path, small_live) -> None:
    root = tmp_path / "assets"
    report = export_into(root, small_live)
    assert sorted(snapshot(root)) == [
        "charts/lonely.yaml", "charts/price.yaml", "charts/volume.yaml",
        "dashboards/market.yaml", "databases/lakehouse.yaml", "databases/other.yaml",
        "datasets/lakehouse/ticks.yaml", "datasets/other/unused.yaml",
        "rls/entitled.yaml", "roles/analyst.yaml"]
    assert report.counts() == {"created": 10, "changed": 0, "unchanged": 0, "objects": 10}
    assert (root / "charts/volume.yaml").read_text() == (
        "name: Volume\ndataset: ticks\nviz_type: table\n")
    assert (root / "datasets/lakehouse/ticks.yaml").read_text() == (
        "name: ticks\n"
        "database: lakehouse\n"
        "sql: |\n"
        "  SELECT symbol, ts,\n"
        "         price\n"
        "  FROM ticks\n"
        "main_dttm_col: ts\n"
        "columns:\n"
        "  - name: ts\n"
        "    is_dttm: true\n"
        "metrics:\n"
        "  - name: avg_price\n"
        "    expression: AVG(price)\n")


def test_passwords_are_written_as_variables_and_listed(tmp_path, small_live) -> None:
    root = tmp_path / "assets"
    report = export_into(root, small_live)
    text = (root / "databases/lakehouse.yaml").read_text()
    assert text == "name: lakehouse\nuri: postgresql://bi:${LAKEHOUSE_PASSWORD}@db:5432/lake\n"
    assert "XXXXXXXXXX" not in "".join(snapshot(root).values())
    assert report.variables == {"LAKEHOUSE_PASSWORD": ["database/lakehouse"]}


def test_the_export_loads_validates_and_diffs_empty_against_what_it_came_from(
        tmp_path, small_live) -> None:
    from superset_iac.validate import validate_tree

    root = tmp_path / "assets"
    export_into(root, small_live)
    tree = load_tree(root)
    assert not validate_tree(tree).has_errors()
    desired = resolve(tree, None, {"LAKEHOUSE_PASSWORD": "XXXXXXXXXX"}, Diagnostics())
    result = plan(desired, small_live)
    assert not result.has_changes
    assert sum(result.unchanged.values()) == 10


def test_exporting_twice_changes_nothing_byte_for_byte(tmp_path, small_live) -> None:
    root = tmp_path / "assets"
    export_into(root, small_live)
    before = snapshot(root)
    mtimes = {p: p.stat().st_mtime_ns for p in root.rglob("*.yaml")}
    report = export_into(root, small_live, {"LAKEHOUSE_PASSWORD": "XXXXXXXXXX"})
    assert snapshot(root) == before
    assert {p: p.stat().st_mtime_ns for p in root.rglob("*.yaml")} == mtimes
    assert report.counts() == {"created": 0, "changed": 0, "unchanged": 10, "objects": 10}


def test_a_changed_object_is_rewritten_where_it_lives_keeping_other_documents(tmp_path) -> None:
    root, path = existing(
        tmp_path, "charts/team/all.yaml",
        "# Price: the main chart\n"
        "name: Price\n"
        "dataset: ticks\n"
        "viz_type: table\n"
        "params:\n"
        "  row_limit: 10   # lost: inside the rewritten object\n"
        "# kept: trailing comment\n"
        "---\n"
        "# Volume, untouched, with its odd formatting\n"
        "{name: Volume, dataset: ticks, viz_type: table}\n")
    live = live_state(chart("Price", params={"row_limit": 50}), chart("Volume"))
    report = export_into(root, live)
    assert path.read_text() == (
        "# Price: the main chart\n"
        "name: Price\n"
        "dataset: ticks\n"
        "viz_type: table\n"
        "params:\n"
        "  row_limit: 50\n"
        "# kept: trailing comment\n"
        "---\n"
        "# Volume, untouched, with its odd formatting\n"
        "{name: Volume, dataset: ticks, viz_type: table}\n")
    assert [(f.path.endswith("charts/team/all.yaml"), f.action, f.objects) for f in report.files] == [
        (True, FileAction.CHANGED, ["chart/Price", "chart/Volume"])]
    assert report.comments_may_be_lost
    assert sorted(snapshot(root)) == ["charts/team/all.yaml"]  # no new file for either


def test_an_object_in_a_list_file_is_replaced_within_the_list(tmp_path) -> None:
    root, path = existing(tmp_path, "charts/list.yaml",
                          "- name: A\n  dataset: ticks\n  viz_type: table\n"
                          "- name: B\n  dataset: ticks\n  viz_type: table\n")
    export_into(root, live_state(chart("B", viz_type="pie")))
    assert path.read_text() == ("- name: A\n  dataset: ticks\n  viz_type: table\n"
                                "- name: B\n  dataset: ticks\n  viz_type: pie\n")


def test_unchanged_fields_keep_their_variables_and_overrides(tmp_path) -> None:
    from superset_iac.model import Environment

    root, path = existing(
        tmp_path, "databases/lake.yaml",
        "name: lake\n"
        "description: not compared, kept\n"
        "uri: trino://bi@trino:8080/hive\n"
        "environments:\n"
        "  local:\n"
        "    uri: duckdb:///${LAKE_PATH}\n"
        "    cache_timeout: 60\n")
    env = Environment.model_validate({"name": "local", "superset": {"url": "http://x"},
                                      "path_variables": ["LAKE_PATH"]})
    # same as the tree: untouched
    same = live_state(database("lake", "duckdb:////data/l.db", cache_timeout=60))
    report = export_into(root, same, {"LAKE_PATH": "/data/l.db"}, env)
    assert report.counts()["unchanged"] == 1
    assert report.variables == {"LAKE_PATH": ["database/lake"]}
    # a changed flag and a changed overridden value: the override takes the value
    changed = live_state(database("lake", "duckdb:////data/l.db", cache_timeout=120,
                                  allow_dml=True))
    export_into(root, changed, {"LAKE_PATH": "/data/l.db"}, env)
    assert path.read_text() == (
        "name: lake\n"
        "description: not compared, kept\n"
        "uri: trino://bi@trino:8080/hive\n"
        "allow_dml: true\n"
        "environments:\n"
        "  local:\n"
        "    uri: duckdb:///${LAKE_PATH}\n"
        "    cache_timeout: 120\n")


def test_a_changed_password_protected_uri_gets_a_variable_not_the_mask(tmp_path) -> None:
    root = tmp_path / "assets"
    export_into(root, live_state(database("lake", "postgresql://bi:XXXXXXXXXX@old/lake")))
    export_into(root, live_state(database("lake", "postgresql://bi:XXXXXXXXXX@new/lake")))
    assert (root / "databases/lake.yaml").read_text() == (
        "name: lake\nuri: postgresql://bi:${LAKE_PASSWORD}@new/lake\n")


def test_new_objects_never_overwrite_a_file_holding_something_else(tmp_path) -> None:
    root = tmp_path / "assets"
    (root / "charts").mkdir(parents=True)
    (root / "charts" / "price.yaml").write_text("name: Other\ndataset: ticks\nviz_type: table\n")
    report = export_into(root, live_state(chart("Price")))
    (created,) = [f for f in report.files if f.action is FileAction.CREATED]
    assert created.path.endswith(".yaml") and "price-" in created.path
    assert (root / "charts" / "price.yaml").read_text().startswith("name: Other")


@pytest.mark.parametrize("default_field", [{"cache_timeout": None}, {"owners": []},
                                           {"params": {}}, {"description": None}])
def test_values_equal_to_defaults_are_left_out(tmp_path, default_field) -> None:
    root = tmp_path / "assets"
    export_into(root, live_state(chart("A", **default_field)))
    assert (root / "charts/a.yaml").read_text() == "name: A\ndataset: ticks\nviz_type: table\n"


def test_plain_physical_columns_and_their_types_are_left_out(tmp_path) -> None:
    root = tmp_path / "assets"
    spec = dataset("sales", schema="main", columns=[
        {"name": "region", "type": "VARCHAR"},
        {"name": "ds", "type": "TIMESTAMP", "is_dttm": True},
        {"name": "big", "type": "BIGINT", "expression": "num * 2"},
        {"name": "code", "type": "VARCHAR", "verbose_name": "Code"}])
    export_into(root, live_state(spec))
    assert (root / "datasets/lakehouse/sales.yaml").read_text() == (
        "name: sales\ndatabase: lakehouse\nschema: main\ncolumns:\n"
        "  - name: ds\n    is_dttm: true\n"
        "  - name: big\n    type: BIGINT\n    expression: num * 2\n"
        "  - name: code\n    verbose_name: Code\n")


def test_a_rewritten_object_keeps_the_key_order_of_its_file(tmp_path) -> None:
    root, path = existing(tmp_path, "charts/price.yaml",
                          "name: Price\ndescription: Old.\ndataset: ticks\nviz_type: table\n"
                          "params:\n  x_axis: ts\n  metrics: [avg]\n  row_limit: 10\n")
    live = live_state(chart("Price", description="New.", cache_timeout=5,
                            params={"metrics": ["avg"], "row_limit": 50, "x_axis": "ts",
                                    "groupby": ["symbol"]}))
    export_into(root, live)
    assert path.read_text() == (
        "name: Price\ndescription: New.\ndataset: ticks\nviz_type: table\n"
        "params:\n  x_axis: ts\n  groupby: [symbol]\n  metrics: [avg]\n  row_limit: 50\n"
        "cache_timeout: 5\n")


def test_a_dashboard_written_as_a_full_tree_changed_in_the_ui_is_rewritten_whole(tmp_path) -> None:
    """``layout`` and ``position`` are one thing to equality: never one from each side."""
    import json

    from superset_iac.model.layout import compile_layout
    from superset_iac.model.dashboard import LayoutItem

    tree = compile_layout([LayoutItem.model_validate({"row": [{"chart": "Price"}]})])
    written = {"title": "Market", "slug": "market", "position": tree}
    root, path = existing(tmp_path, "dashboards/market.yaml", json.dumps(written))
    report = export_into(root, live_state(dashboard(charts=("Price", "Volume"))))
    assert [f.action for f in report.files if f.objects == ["dashboard/market"]] == [
        FileAction.CHANGED]
    assert "position" not in path.read_text() and "Volume" in path.read_text()


def test_a_kind_directory_linked_outside_the_tree_is_never_filled(tmp_path) -> None:
    from superset_iac.export.writer import OutsideTree

    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "assets"
    root.mkdir()
    (root / "charts").symlink_to(outside, target_is_directory=True)
    with pytest.raises(OutsideTree, match="leads outside the asset tree.*nothing was exported"):
        export_into(root, live_state(chart("Price"), database(), dataset()))
    assert list(outside.iterdir()) == []
    assert list(root.rglob("*.yaml")) == []  # nothing half-written either


def test_a_dangling_link_where_a_new_file_would_go_is_not_written_through(tmp_path) -> None:
    root = tmp_path / "assets"
    (root / "charts").mkdir(parents=True)
    (root / "charts" / "price.yaml").symlink_to(tmp_path / "outside.yaml")
    report = export_into(root, live_state(chart("Price")))
    assert not (tmp_path / "outside.yaml").exists()
    [created] = [f.path for f in report.files]
    assert "charts/price-" in created and (root / "charts" / "price.yaml").is_symlink()


def test_a_link_inside_the_tree_is_written_through_where_it_leads(tmp_path) -> None:
    root, target = existing(tmp_path, "shared/p.yaml",
                            "name: Price\ndataset: ticks\nviz_type: table\n")
    (root / "charts").mkdir()
    (root / "charts" / "price.yaml").symlink_to("../shared/p.yaml")
    export_into(root, live_state(chart("Price", params={"row_limit": 5})))
    assert "row_limit: 5" in target.read_text()
    assert (root / "charts" / "price.yaml").is_symlink()
