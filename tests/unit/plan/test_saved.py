"""Saved plans are pure: plans built by hand, written, read back and checked."""

from __future__ import annotations

import json

import pytest

from superset_iac.load.digest import TreeDigest
from superset_iac.model import Chart, Database, User
from superset_iac.plan import saved
from superset_iac.plan.diff import plan
from superset_iac.plan.model import LiveObject

SECRET = "Sx-saved-plan-4f1c9e7a2b"


def chart(name: str, **params: object) -> Chart:
    return Chart(name=name, dataset="ticks", viz_type="table", params=dict(params))


def live(spec, id_: int = 1) -> LiveObject:
    return LiveObject(spec=spec, id=id_, managed=True)


def origin(**changes: object) -> saved.Origin:
    base = dict(environment="prod", superset_url="https://bi.example.com", tool_version="0.1.0",
                assets="assets", tree=TreeDigest({"charts/a.yaml": "1" * 64}))
    return saved.Origin(**{**base, **changes})  # type: ignore[arg-type]


DESIRED = {"chart": {"A": chart("A", row_limit=10), "B": chart("B")}}
LIVE = {"chart": {"A": live(chart("A", row_limit=50)), "C": live(chart("C"), 3)}}


def written(desired=DESIRED, current=LIVE, **where: object) -> saved.SavedPlan:
    text = saved.to_json(saved.save(plan(desired, current), origin(**where)))
    return saved.from_json(text, "plan.json")


def test_a_saved_plan_reads_back_with_its_origin_changes_and_fingerprints() -> None:
    back = written()
    assert back.refs == ["chart/A", "chart/B"]
    assert back.origin == origin()
    assert back.live["chart/B"] is None  # a create: nothing on the server yet
    assert back.live["chart/A"] == saved.fingerprint(LIVE["chart"]["A"])
    assert back.changes[0]["fields"] == [{"path": "params.row_limit", "before": 50, "after": 10}]
    assert back.summary == {"create": 1, "update": 1, "delete": 0, "unchanged": 0}


def test_an_unchanged_server_and_tree_leave_the_plan_exactly_as_saved() -> None:
    back = written()
    now = plan(DESIRED, LIVE)
    assert saved.check_origin(back, origin()) == []
    assert saved.check_live(back, now) == []
    assert [c.ref for c in saved.select(back, now).changes] == ["chart/A", "chart/B"]


def test_an_object_edited_on_the_server_is_named() -> None:
    back = written()
    edited = {"chart": {**LIVE["chart"], "A": live(chart("A", row_limit=25))}}
    assert saved.check_live(back, plan(DESIRED, edited)) == [
        "chart/A changed on the server since the plan was made"]


def test_an_object_created_or_deleted_since_is_named() -> None:
    back = written()
    moved = {"chart": {"B": live(chart("B", row_limit=1), 2), "C": LIVE["chart"]["C"]}}
    assert saved.check_live(back, plan(DESIRED, moved)) == [
        "chart/A was deleted on the server since the plan was made",
        "chart/B was created on the server since the plan was made"]


def test_an_object_made_equal_by_hand_needs_no_change_and_is_named() -> None:
    back = written()
    fixed = {"chart": {**LIVE["chart"], "A": live(chart("A", row_limit=10))}}
    assert saved.check_live(back, plan(DESIRED, fixed)) == [
        "chart/A changed on the server since the plan was made (it needs no change now)"]


def test_a_desired_state_that_differs_now_is_named() -> None:
    back = written()
    other = {"chart": {**DESIRED["chart"], "A": chart("A", row_limit=11)}}
    assert saved.check_live(back, plan(other, LIVE)) == [
        "chart/A: the change planned for it is different now (a variable it uses changed?)"]


def test_drift_outside_the_plan_is_not_applied() -> None:
    back = written()
    drifted = {"chart": {**LIVE["chart"]}}
    desired = {"chart": {**DESIRED["chart"], "C": chart("C", row_limit=5)}}
    now = plan(desired, drifted)
    assert [c.ref for c in now.changes] == ["chart/A", "chart/B", "chart/C"]
    assert saved.check_live(back, now) == []
    assert [c.ref for c in saved.select(back, now).changes] == ["chart/A", "chart/B"]


def test_origin_differences_are_each_named() -> None:
    back = written()
    now = origin(environment="staging", superset_url="https://other.example.com",
                 tool_version="0.2.0", tree=TreeDigest({"charts/a.yaml": "2" * 64,
                                                        "charts/b.yaml": "3" * 64}))
    assert saved.check_origin(back, now) == [
        "it was made for environment 'prod', this run is for 'staging'",
        "it was made by superset-iac 0.1.0, this is 0.2.0",
        ("it was made against https://bi.example.com, this run connects to "
         "https://other.example.com"),
        "assets/charts/a.yaml was edited since the plan was made",
        "assets/charts/b.yaml was added since the plan was made"]
    assert saved.check_tree(back, TreeDigest({}), "tree") == [
        "tree/charts/a.yaml was removed since the plan was made"]


def test_no_secret_reaches_the_file() -> None:
    database = Database(name="lake", uri=f"postgresql://bi:{SECRET}@db:5432/lake")
    user = User(username="svc", first_name="S", last_name="V", email="s@example.com",
                password=SECRET)
    desired = {"database": {"lake": database}, "user": {"svc": user}}
    current = {"database": {"lake": live(Database(name="lake", uri="postgresql://bi:XXXXXXXXXX@old:5432/lake"))}}
    result = plan(desired, current, rotate=True)
    url = f"https://admin:{SECRET}@bi.example.com"
    text = saved.to_json(saved.save(result, origin(superset_url=url)))
    assert SECRET not in text and SECRET[-12:] not in text
    data = json.loads(text)
    assert data["origin"]["superset_url"] == "https://bi.example.com"
    assert {"path": "uri.password", "before": "(sensitive)", "after": "(sensitive)",
            "sensitive": True} in data["changes"][0]["fields"]


@pytest.mark.parametrize("text, message", [
    ("not json", "plan.json is not a saved plan (not JSON"),
    ('{"changes": []}', "plan.json is not a saved plan of this tool (format None"),
    (json.dumps({"format": saved.FORMAT, "origin": {}}), "plan.json: a saved plan with a missing"),
])
def test_a_file_that_is_not_a_saved_plan_is_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(saved.PlanFileError) as err:
        saved.from_json(text, "plan.json")
    assert str(err.value).startswith(message)


def test_the_stale_error_lists_every_reason_and_exits_4() -> None:
    err = saved.StalePlan("plan.json", ["chart/A changed", "chart/B changed"])
    assert int(err.exit_code) == 4
    assert [str(err), *err.lines] == [
        "the saved plan plan.json is stale; nothing was changed:",
        "  - chart/A changed", "  - chart/B changed",
        "Run diff --out plan.json again and review the new plan."]
