"""The plan is a pure function: both states are built by hand here."""

from __future__ import annotations

from superset_iac.model import Chart, Database, Dataset, Role
from superset_iac.plan.diff import field_changes, plan
from superset_iac.plan.model import Action, Change, LiveObject, Plan
from superset_iac.plan.render import plan_json, render_plan


def chart(name: str, **params: object) -> Chart:
    return Chart(name=name, dataset="ticks", viz_type="table", params=dict(params))


def live(spec, managed: bool = True, id_: int = 1) -> LiveObject:
    return LiveObject(spec=spec, id=id_, managed=managed)


def test_equal_states_make_an_empty_plan() -> None:
    desired = {"chart": {"A": chart("A", row_limit=10)}}
    result = plan(desired, {"chart": {"A": live(chart("A", row_limit=10))}})
    assert not result.has_changes
    assert result.unchanged == {"chart": 1}
    assert render_plan(result) == "No changes. 1 objects up to date."


def test_missing_object_is_created() -> None:
    result = plan({"chart": {"A": chart("A")}}, {})
    assert [(c.action, c.ref) for c in result.changes] == [(Action.CREATE, "chart/A")]


def test_update_lists_only_the_changed_field_path() -> None:
    desired = {"chart": {"A": chart("A", row_limit=10, groupby=["symbol"])}}
    current = {"chart": {"A": live(chart("A", row_limit=50, groupby=["symbol"]))}}
    (change,) = plan(desired, current).changes
    assert change.action is Action.UPDATE
    assert [(f.path, f.before, f.after) for f in change.fields] == [("params.row_limit", 50, 10)]


def test_named_lists_diff_by_name() -> None:
    def ds(metric_sql: str) -> Dataset:
        return Dataset.model_validate({
            "name": "ticks", "database": "lake", "schema": "s", "sql": "select 1",
            "metrics": [{"name": "m", "expression": metric_sql},
                        {"name": "n", "expression": "COUNT(*)"}]})

    (change,) = plan({"dataset": {"ticks": ds("SUM(v)")}},
                     {"dataset": {"ticks": live(ds("AVG(v)"))}}).changes
    assert [(f.path, f.before, f.after) for f in change.fields] == [
        ("metrics[m].expression", "AVG(v)", "SUM(v)")]


def test_unmanaged_objects_are_never_deleted_even_with_prune() -> None:
    current = {"chart": {"mine": live(chart("mine"), managed=True),
                         "by-hand": live(chart("by-hand"), managed=False)}}
    result = plan({"chart": {}}, current, prune=True)
    assert [(c.action, c.key) for c in result.changes] == [(Action.DELETE, "mine")]
    assert result.unmanaged == {"chart": 1}


def test_without_prune_nothing_is_deleted() -> None:
    result = plan({"chart": {}}, {"chart": {"mine": live(chart("mine"))}})
    assert not result.has_changes


def test_without_prune_the_managed_objects_gone_from_the_tree_are_named() -> None:
    current = {"chart": {"mine": live(chart("mine")), "by-hand": live(chart("by-hand"), managed=False),
                         "kept": live(chart("kept"))}}
    result = plan({"chart": {"kept": chart("kept")}}, current)
    assert (result.not_in_tree, result.unmanaged) == (["chart/mine"], {"chart": 1})
    assert render_plan(result).splitlines() == [
        "No changes. 1 objects up to date.",
        "1 managed object is no longer in the tree (chart/mine); --prune deletes it."]
    assert plan({"chart": {}}, current, prune=True).not_in_tree == []  # they are deletes then
    targeted = plan({"chart": {"kept": chart("kept")}}, current, targets=["chart/kept"])
    assert targeted.not_in_tree == []


def test_a_long_list_of_objects_gone_from_the_tree_is_cut_short() -> None:
    current = {"chart": {f"c{i}": live(chart(f"c{i}"), id_=i) for i in range(7)}}
    result = plan({}, current)
    assert render_plan(result).splitlines()[-1] == (
        "7 managed objects are no longer in the tree (chart/c0, chart/c1, chart/c2, chart/c3, "
        "chart/c4, and 2 more); --prune deletes them.")
    assert plan_json(result).count("chart/c6") == 1  # JSON names every one


def test_creates_follow_dependency_order_and_deletes_run_in_reverse() -> None:
    db = Database(name="lake", uri="duckdb:///x")
    desired = {"chart": {"A": chart("A")}, "database": {"lake": db}}
    current = {"role": {"old": live(Role(name="old"))},
               "chart": {"gone": live(chart("gone"))}}
    refs = [(c.action.value, c.ref) for c in plan(desired, current, prune=True).changes]
    assert refs == [("create", "database/lake"), ("create", "chart/A"),
                    ("delete", "role/old"), ("delete", "chart/gone")]


def test_targets_limit_the_plan() -> None:
    desired = {"chart": {"A": chart("A"), "B": chart("B")}}
    result = plan(desired, {}, targets=["chart/B"])
    assert [c.ref for c in result.changes] == ["chart/B"]


def test_database_passwords_never_reach_a_plan_but_the_host_does() -> None:
    # Superset answers URIs with the password masked; both sides compare masked.
    before = Database(name="lake", uri="trino://u:old-secret@h/c")
    after = Database(name="lake", uri="trino://u:new-secret@h2/c")
    result = plan({"database": {"lake": after}}, {"database": {"lake": live(before)}})
    text, data = render_plan(result), plan_json(result)
    for secret in ("old-secret", "new-secret"):
        assert secret not in text and secret not in data
    assert 'uri: trino://u:XXXXXXXXXX@h/c -> trino://u:XXXXXXXXXX@h2/c' in text


def test_secret_fields_are_masked_in_text_and_json() -> None:
    fields = field_changes({"salt": "old-secret"}, {"salt": "new-secret"}, {"salt"})
    result = Plan(changes=[Change(Action.UPDATE, "view", "v", fields=fields)])
    text, data = render_plan(result), plan_json(result)
    for secret in ("old-secret", "new-secret"):
        assert secret not in text and secret not in data
    assert "salt: (sensitive) -> (sensitive)" in text


def test_plan_json_is_data_first() -> None:
    result = plan({"chart": {"A": chart("A", row_limit=1)}},
                  {"chart": {"A": live(chart("A", row_limit=2))}})
    data = result.to_dict()
    assert data["summary"] == {"create": 0, "update": 1, "delete": 0, "unchanged": 0}
    assert data["changes"][0]["fields"] == [
        {"path": "params.row_limit", "before": 2, "after": 1}]
