"""``plan(rotate=True)``: database passwords as explicit, sensitive updates.

Superset never returns a stored password, so ``compared()`` masks the desired
one and a password changed only in its variable is no change. Rotation adds
it on request. Both states are built by hand; nothing touches the network.
"""

from __future__ import annotations

import copy
import json

from superset_iac.model import Chart, Database
from superset_iac.plan.diff import plan
from superset_iac.plan.model import Action, LiveObject
from superset_iac.plan.render import plan_json, render_plan

SECRET = "n3w-r0tated-pw"
URI = f"postgresql://bi:{SECRET}@db.internal:5432/lake"
MASKED = "postgresql://bi:XXXXXXXXXX@db.internal:5432/lake"


def db(name: str = "lake", uri: str = URI, **fields: object) -> Database:
    return Database.model_validate({"name": name, "uri": uri, **fields})


def live(spec, id_: int = 3) -> LiveObject:
    return LiveObject(spec=spec, id=id_, managed=True)


def chart(name: str) -> Chart:
    return Chart(name=name, dataset="ticks", viz_type="table")


def test_without_the_flag_a_password_alone_is_no_change() -> None:
    result = plan({"database": {"lake": db()}}, {"database": {"lake": live(db(uri=MASKED))}})
    assert not result.has_changes and result.unchanged == {"database": 1}


def test_rotation_is_an_update_whose_only_field_is_the_sensitive_password() -> None:
    result = plan({"database": {"lake": db()}}, {"database": {"lake": live(db(uri=MASKED))}},
                  rotate=True)

    (change,) = result.changes
    assert (change.action, change.ref, change.rotate) == (Action.UPDATE, "database/lake", True)
    assert [(f.path, f.sensitive) for f in change.fields] == [("uri.password", True)]
    assert render_plan(result).splitlines() == [
        "~ database/lake",
        "    uri.password: (sensitive) -> (sensitive)",
        "Plan: 0 to create, 1 to update, 0 to delete, 0 unchanged."]
    assert json.loads(plan_json(result))["changes"] == [{
        "action": "update", "kind": "database", "key": "lake", "rotate": True,
        "fields": [{"path": "uri.password", "before": "(sensitive)", "after": "(sensitive)",
                    "sensitive": True}]}]
    assert SECRET not in render_plan(result) + plan_json(result)


def test_rotation_joins_a_real_change_of_the_same_database() -> None:
    current = live(db(uri=MASKED.replace("db.internal", "db-old"), cache_timeout=60))
    (change,) = plan({"database": {"lake": db(cache_timeout=60)}},
                     {"database": {"lake": current}}, rotate=True).changes
    assert [f.path for f in change.fields] == ["uri", "uri.password"] and change.rotate
    assert SECRET not in json.dumps([f.to_dict() for f in change.fields])


def test_a_password_query_parameter_is_rotated_too() -> None:
    uri = f"mssql+pyodbc://db/lake?user=bi&password={SECRET}"
    (change,) = plan({"database": {"lake": db(uri=uri)}},
                     {"database": {"lake": live(db(uri=uri.replace(SECRET, "XXXXXXXXXX")))}},
                     rotate=True).changes
    assert [f.path for f in change.fields] == ["uri.password"]


def test_databases_without_a_password_and_other_kinds_stay_unchanged() -> None:
    duck = db("duck", "duckdb:////data/lake.duckdb")
    no_pw = db("trusted", "postgresql://bi@db.internal/lake")
    desired = {"database": {"duck": duck, "trusted": no_pw}, "chart": {"A": chart("A")}}
    current = {"database": {"duck": live(duck), "trusted": live(no_pw, 4)},
               "chart": {"A": live(chart("A"), 5)}}
    result = plan(desired, current, rotate=True)
    assert not result.has_changes
    assert result.unchanged == {"database": 2, "chart": 1}


def test_a_new_database_is_a_plain_create() -> None:
    (change,) = plan({"database": {"lake": db()}}, {}, rotate=True).changes
    assert change.action is Action.CREATE and not change.rotate
    assert "uri.password" not in [f.path for f in change.fields]


def test_targets_limit_the_rotation() -> None:
    desired = {"database": {"lake": db(), "other": db("other")},
               "chart": {"A": chart("A")}}
    current = {"database": {"lake": live(db(uri=MASKED)), "other": live(db("other", MASKED), 4)},
               "chart": {"A": live(chart("A"), 5)}}
    only = plan(desired, current, targets=["database/other"], rotate=True)
    assert [c.ref for c in only.changes] == ["database/other"]
    assert not plan(desired, current, targets=["chart"], rotate=True).has_changes
    assert [c.ref for c in plan(desired, current, rotate=True).changes] == [
        "database/lake", "database/other"]


def test_the_plan_stays_pure_with_the_flag() -> None:
    desired = {"database": {"lake": db()}}
    current = {"database": {"lake": live(db(uri=MASKED))}}
    before = copy.deepcopy((desired, current))
    first = plan(desired, current, rotate=True).to_dict()
    assert plan(desired, current, rotate=True).to_dict() == first
    assert (desired["database"]["lake"].compared(), current["database"]["lake"].spec.compared()) \
        == (before[0]["database"]["lake"].compared(), before[1]["database"]["lake"].spec.compared())
