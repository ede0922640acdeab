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


def test_a_virtual_dataset_whose_columns_sql_cannot_name_keeps_them_all() -> None:
    columns = [{"name": "a", "type": "INT"}, {"name": "count(*)", "type": "BIGINT"}]
    for sql in ("SELECT a, COUNT(*) FROM t GROUP BY a", "SELECT * FROM t",
                "SELECT t.* FROM t JOIN u ON t.id = u.id"):
        out = canonical(dataset("v", sql=sql, columns=columns))
        assert [c.model_dump(exclude_defaults=True) for c in out.columns] == [
            {"name": "a"}, {"name": "count(*)"}], sql
    named = canonical(dataset("v", sql="SELECT a, COUNT(*) AS n FROM t GROUP BY a",
                              columns=columns))
    assert named.columns == []


def test_a_dashboard_is_written_in_the_layout_form_it_was_read_in() -> None:
    """No layout step here: the handler reads the canonical form (see test_dashboard)."""
    from superset_iac.model import Dashboard

    spec = Dashboard.model_validate({"title": "T", "layout": [
        {"row": [{"chart": "Price", "width": 6}, {"markdown": "x", "width": 6}]}]})
    out = canonical(spec)
    assert out.layout == spec.layout and out.position is None
