"""One written form per object: what equality ignores does not reach the file."""

from __future__ import annotations

from superset_iac.export.canonical import canonical
from superset_iac.model import Database
from tests.unit.export.conftest import chart, dataset


def test_free_form_json_gets_sorted_keys_at_any_depth() -> None:
    spec = chart(params={"z": 1, "a": {"y": [{"b": 1, "a": 2}], "x": None}, "m": []})
    out = canonical(spec)
    assert list(out.params) == ["a", "m", "z"]
    assert list(out.params["a"]) == ["x", "y"]
    assert list(out.params["a"]["y"][0]) == ["a", "b"]
    assert out.compared() == spec.compared()


def test_model_fields_and_named_overrides_keep_their_order() -> None:
    spec = Database.model_validate({
        "name": "lake", "uri": "duckdb:///x", "extra": {"b": 1, "a": 2},
        "environments": {"prod": {"uri": "trino://t"}, "local": {"extra": {"z": 1, "c": 2}}}})
    out = canonical(spec)
    assert list(out.model_dump()) == list(spec.model_dump())
    assert list(out.environments) == ["prod", "local"]
    assert list(out.environments["local"].extra or {}) == ["c", "z"]
    assert list(out.extra) == ["a", "b"]


def test_a_physical_dataset_keeps_only_the_columns_equality_sees() -> None:
    spec = dataset("t", schema="s", columns=[{"name": "a", "type": "INT"},
                                             {"name": "b", "type": "INT", "is_dttm": True}])
    out = canonical(spec)
    assert [c.model_dump(exclude_defaults=True) for c in out.columns] == [
        {"name": "b", "is_dttm": True}]


def test_a_dashboard_tree_is_written_with_parents_that_follow_children() -> None:
    from superset_iac.model import Dashboard

    tree = {
        "DASHBOARD_VERSION_KEY": "v2",
        "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
        "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": ["ROW-1"], "parents": ["ROOT_ID"]},
        "ROW-1": {"type": "ROW", "id": "ROW-1", "children": ["CHART-1"],
                  "parents": ["ROOT_ID", "GRID_ID"], "meta": {"background": "BACKGROUND_TRANSPARENT"}},
        "CHART-1": {"type": "CHART", "id": "CHART-1", "children": [],
                    "parents": ["ROOT_ID", "GRID_ID", "ROW-STALE"],
                    "meta": {"chart": "Price", "width": 4, "height": 50, "unknownKey": 1}},
    }
    spec = Dashboard.model_validate({"title": "T", "position": tree})
    out = canonical(spec)
    assert out.compared() == spec.compared()
    if out.position is not None:  # kept as a tree: parents recomputed
        assert out.position["CHART-1"]["parents"] == ["ROOT_ID", "GRID_ID", "ROW-1"]
    else:  # or said in the compact layout
        assert out.chart_refs()[0].key == "Price"
