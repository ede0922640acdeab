"""Masking views applied for real on DuckDB (the local stand-in for Trino).

No Superset here: the views are read the way Superset reads them, by opening
the file read-only and querying. Everything goes through the same path as
``superset-iac apply``: resolve -> view handler read -> pure plan -> apply
engine -> read again.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from superset_iac import workflow
from superset_iac.apply.engine import Outcome, apply_plan
from superset_iac.kinds.base import Context
from superset_iac.kinds.view import ViewHandler
from superset_iac.model.environment import Environment
from superset_iac.model.view import View
from superset_iac.plan.diff import plan as make_plan
from superset_iac.plan.model import Plan
from superset_iac.plan.render import plan_json, render_plan
from superset_iac.warehouse import connect_warehouse
from superset_iac.warehouse.canonical import Target

ROOT = Path(__file__).resolve().parents[2]
SALT = "it's-a-test-salt"
HANDLER = ViewHandler()

PEOPLE = [  # id, country, name, email, account, phone
    (1, "FR", "Alice Martin", "alice.martin@trading.example.com", "ACC-00010000", "+33 6 12 34 56 78"),
    (2, "DE", "Bob Nguyen", "bob@broker.example.org", "ACC-00011037", "+49 151 2345678"),
    (3, "US", "Carla Rossi", None, "AB12", None),  # NULLs stay NULL; a short value
    (4, None, None, "dmitri@x.example", None, "555"),
]
PII = {"name": 2, "email": 3, "account": 4, "phone": 5}  # column -> index in PEOPLE


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    path = tmp_path / "lakehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA crm; CREATE TABLE crm.people (id INTEGER, country VARCHAR, "
                    "name VARCHAR, email VARCHAR, account VARCHAR, phone VARCHAR)")
        con.executemany("INSERT INTO crm.people VALUES (?, ?, ?, ?, ?, ?)", PEOPLE)
    return path


def environment(path: Path, salt: str = SALT) -> Environment:
    return Environment.model_validate({
        "name": "local", "superset": {"url": "http://127.0.0.1:1"},
        "warehouse": {"type": "duckdb", "path": str(path), "catalogs": {"hive_prod": "lakehouse"},
                      "mask_salt": salt}})


def people_view(mask: dict[str, Any], column: str = "email", **extra: Any) -> View:
    columns = [{"name": "id"}, {"name": "region", "source": "country"},
               {"name": column, **mask}]
    return View.model_validate({"name": "hive_prod.crm.v_people", "source": "hive_prod.crm.people",
                                "columns": columns, **extra})


def bind(env: Environment, *views: View) -> dict[str, dict[str, View]]:
    target = Target.of(env.warehouse)
    return {"view": {v.key: v.for_target(target) for v in views}}


def diff(ctx: Context, desired: dict) -> Plan:
    ctx.desired = desired
    return make_plan(desired, {"view": HANDLER.read(ctx)})


def apply(env: Environment, desired: dict) -> Context:
    ctx = Context(client=None, env=env,
                  warehouse=connect_warehouse(env, desired["view"].values()))
    report = apply_plan(diff(ctx, desired), ctx, {"view": HANDLER})
    assert report.ok, [e.to_dict() for e in report.events]
    return ctx


def rows(path: Path, sql: str) -> list[tuple]:
    """Read as Superset does: the file opened directly, read-only."""
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def raw_values(column: str) -> set[str]:
    return {p[PII[column]] for p in PEOPLE if p[PII[column]] is not None}


POLICIES = {
    "hash": ({"mask": "hash"}, "email",
             lambda raw: None if raw is None else hashlib.sha256((SALT + raw).encode()).hexdigest()),
    "redact": ({"mask": "redact"}, "name", lambda raw: None if raw is None else "***"),
    "partial": ({"mask": "partial", "keep_last": 4}, "phone",
                lambda raw: None if raw is None else
                ("*" * len(raw) if len(raw) <= 4 else "*" * (len(raw) - 4) + raw[-4:])),
    "email_domain": ({"mask": "email_domain"}, "email",
                     lambda raw: None if raw is None else "***@" + raw.split("@")[1]),
    "null": ({"mask": "null", "type": "varchar"}, "account", lambda raw: None),
    "custom": ({"mask": "custom", "expression": "substr(name, 1, 1) || '.'"}, "name",
               lambda raw: None if raw is None else raw[0] + "."),
}


@pytest.mark.parametrize("policy", sorted(POLICIES))
def test_each_policy_hides_every_raw_value_and_keeps_the_rest(lake: Path, policy: str) -> None:
    mask, column, expected = POLICIES[policy]
    env = environment(lake)
    apply(env, bind(env, people_view(mask, column)))
    got = rows(lake, f"SELECT id, region, {column} FROM crm.v_people ORDER BY id")
    # passed-through and renamed columns equal the source
    assert [(r[0], r[1]) for r in got] == [(p[0], p[1]) for p in PEOPLE]
    # the masked column is exactly the policy's output, NULL kept NULL ...
    assert [r[2] for r in got] == [expected(p[PII[column]]) for p in PEOPLE]
    # ... and no cell of the view holds (or contains) any raw PII value
    cells = [str(cell) for row in got for cell in row if cell is not None]
    for column_name in PII:
        for raw in raw_values(column_name):
            if column_name == column or policy != "custom":
                assert not any(raw in cell for cell in cells), (policy, raw)


def test_diff_after_apply_is_empty_and_a_changed_mask_is_exactly_one_change(lake: Path) -> None:
    env = environment(lake)
    other = View(name="hive_prod.crm.v_countries",
                 sql="SELECT country, count(*) AS n FROM hive_prod.crm.people GROUP BY country")
    ctx = apply(env, bind(env, people_view({"mask": "hash"}), other))
    assert diff(ctx, bind(env, people_view({"mask": "hash"}), other)).changes == []

    changed = diff(ctx, bind(env, people_view({"mask": "email_domain"}), other))
    # the salted hash is gone: its (sensitive) salt digest changes too
    assert [(c.ref, [f.path for f in c.fields]) for c in changed.changes] == [
        ("view/hive_prod.crm.v_people", ["definition.columns[email].sql", "mask_salt"])]
    field = changed.changes[0].fields[0]
    assert field.before.startswith("LOWER(HEX(UNHEX(SHA256(ENCODE('(sensitive)' || ")
    assert field.after == "'***@' || SPLIT_PART(CAST(email AS TEXT), '@', 2)"
    for text in (render_plan(changed), plan_json(changed)):
        assert SALT not in text and SALT.replace("'", "''") not in text


def test_changing_one_mask_changes_exactly_that_column_of_that_view(lake: Path) -> None:
    env = environment(lake)

    def two_masks(name_mask: dict) -> View:
        columns = [{"name": "id"}, {"name": "email", "mask": "hash"}, {"name": "name", **name_mask}]
        return View.model_validate({"name": "hive_prod.crm.v_two", "source": "hive_prod.crm.people",
                                    "columns": columns})

    other = people_view({"mask": "redact"})
    ctx = apply(env, bind(env, two_masks({"mask": "redact"}), other))
    changed = diff(ctx, bind(env, two_masks({"mask": "partial", "keep_last": 2}), other))
    assert [(c.ref, [f.path for f in c.fields]) for c in changed.changes] == [
        ("view/hive_prod.crm.v_two", ["definition.columns[name].sql"])]
    text = render_plan(changed)
    assert "~ view/hive_prod.crm.v_two\n    definition.columns[name].sql: CASE WHEN name IS " \
        "NULL THEN NULL ELSE '***' END -> CASE WHEN CAST(LENGTH(CAST(name AS TEXT)) AS INT) > 2" in text
    assert SALT not in text


def test_a_new_salt_replaces_the_view_without_showing_either_salt(lake: Path) -> None:
    env = environment(lake)
    apply(env, bind(env, people_view({"mask": "hash"})))
    rotated = environment(lake, salt="another-salt")
    ctx = Context(client=None, env=rotated, warehouse=connect_warehouse(rotated))
    changed = diff(ctx, bind(rotated, people_view({"mask": "hash"})))
    assert [f.path for c in changed.changes for f in c.fields] == ["mask_salt"]
    text = render_plan(changed) + plan_json(changed)
    assert SALT not in text and "another-salt" not in text and "(sensitive)" in text


def test_materialized_view_stand_in_is_a_ctas_table_and_refreshes(lake: Path) -> None:
    env = environment(lake)
    mv = View(name="hive_prod.crm.mv_by_country", materialized=True,
              sql="SELECT country, count(*) AS n FROM hive_prod.crm.people GROUP BY country")
    ctx = apply(env, bind(env, mv))
    kind = rows(lake, "SELECT table_name FROM duckdb_tables() WHERE table_name = 'mv_by_country'")
    assert kind == [("mv_by_country",)]  # a table, not a view
    assert sorted(rows(lake, "SELECT n FROM crm.mv_by_country")) == [(1,), (1,), (1,), (1,)]
    assert diff(ctx, bind(env, mv)).changes == []

    with duckdb.connect(str(lake)) as con:
        con.execute("INSERT INTO crm.people VALUES (5, 'FR', 'E', NULL, NULL, NULL)")
    assert rows(lake, "SELECT n FROM crm.mv_by_country WHERE country = 'FR'") == [(1,)]  # snapshot
    ctx.warehouse.refresh(mv.name)
    assert rows(lake, "SELECT n FROM crm.mv_by_country WHERE country = 'FR'") == [(2,)]
    assert diff(ctx, bind(env, mv)).changes == []  # a refresh is not a change


def test_switching_between_view_and_materialized_replaces_the_object(lake: Path) -> None:
    env = environment(lake)
    sql = "SELECT country, count(*) AS n FROM hive_prod.crm.people GROUP BY country"
    plain = View(name="hive_prod.crm.by_country", sql=sql)
    mat = View(name="hive_prod.crm.by_country", sql=sql, materialized=True)
    apply(env, bind(env, plain))
    ctx = apply(env, bind(env, mat))
    assert rows(lake, "SELECT count(*) FROM duckdb_views() WHERE view_name = 'by_country'") == [(0,)]
    assert diff(ctx, bind(env, mat)).changes == []
    ctx = apply(env, bind(env, plain))
    assert rows(lake, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'by_country'") == [(0,)]
    assert diff(ctx, bind(env, plain)).changes == []


def test_dropping_a_materialized_name_never_drops_a_raw_table(lake: Path) -> None:
    env = environment(lake)
    connect_warehouse(env).drop("hive_prod.crm.people", materialized=True)
    assert rows(lake, "SELECT count(*) FROM crm.people") == [(len(PEOPLE),)]


# DuckDB stores a view's text after rewriting it (count_star(), date_part,
# to_days(...) for intervals, parenthesised joins and set operations, = ANY):
# each must still compare equal to what was sent.
REWRITTEN = [
    "SELECT country, count(*) AS n FROM hive_prod.crm.people GROUP BY country HAVING count(*) > 0",
    "SELECT extract(year FROM DATE '2025-06-02') AS y, CAST(id AS VARCHAR) AS i FROM hive_prod.crm.people",
    "SELECT TIMESTAMP '2025-01-01 00:00:00' + INTERVAL '1' DAY AS t FROM hive_prod.crm.people",
    "SELECT p.id, q.name FROM hive_prod.crm.people AS p LEFT OUTER JOIN hive_prod.crm.people AS q "
    "ON p.id = q.id INNER JOIN hive_prod.crm.people r ON r.id = p.id",
    "SELECT id FROM hive_prod.crm.people UNION ALL SELECT id FROM hive_prod.crm.people",
    "SELECT id FROM hive_prod.crm.people WHERE id IN (SELECT id FROM hive_prod.crm.people) "
    "AND name NOT LIKE 'x%' AND country BETWEEN 'A' AND 'Z'",
    "SELECT row_number() OVER (PARTITION BY country ORDER BY id DESC) AS rn, "
    "if(id > 1, 'y', 'n') AS big, coalesce(email, '-') AS e FROM hive_prod.crm.people",
]


@pytest.mark.parametrize("sql", REWRITTEN)
def test_duckdb_rewrites_are_not_changes(lake: Path, sql: str) -> None:
    env = environment(lake)
    view = View(name="hive_prod.crm.v_rewritten", sql=sql)
    ctx = apply(env, bind(env, view))
    assert diff(ctx, bind(env, view)).changes == []
    assert rows(lake, "SELECT count(*) FROM crm.v_rewritten")[0][0] > 0


# -- the team's real views on the real lakehouse -------------------------------

@pytest.fixture
def assets_applied(lakehouse_path: Path, tmp_path: Path) -> tuple[Path, workflow.Loaded, Context]:
    # A name other than lakehouse.duckdb: views must not depend on the file name.
    path = tmp_path / "demo_copy.duckdb"
    shutil.copyfile(lakehouse_path, path)
    loaded = workflow.load(ROOT / "assets", "local",
                           {"LAKEHOUSE_PATH": str(path), "SUPERSET_PASSWORD": "unused"})
    assert not loaded.diagnostics.has_errors(), loaded.diagnostics.render_text()
    desired = {"view": loaded.desired["view"]}
    assert len(desired["view"]) == 3
    return path, loaded, apply(loaded.env, desired)


def test_assets_views_apply_and_diff_clean(assets_applied) -> None:
    path, loaded, ctx = assets_applied
    assert diff(ctx, {"view": loaded.desired["view"]}).changes == []
    live = ctx.warehouse.list_views()
    assert {k: v.materialized for k, v in live.items() if v.managed} == {
        "hive_prod.logs_db.v_app_logs": False,
        "hive_prod.option_ticks_db.mv_daily_stats": True,
        "hive_prod.option_ticks_db.v_option_ticks_masked": False,
    }


def test_masked_ticks_hold_no_raw_identifiers(assets_applied) -> None:
    path, _, _ = assets_applied
    passed = "timestamp, symbol, exchange, last_price, volume, option_type, strike, expiry"
    order = "ORDER BY ALL"
    assert rows(path, f"SELECT {passed} FROM option_ticks_db.v_option_ticks_masked {order}") == \
        rows(path, f"SELECT {passed} FROM option_ticks_db.bronze_option_ticks {order}")
    raw = rows(path, "SELECT DISTINCT account_id, trader_id, trader_email "
                     "FROM option_ticks_db.bronze_option_ticks")
    masked = rows(path, "SELECT DISTINCT account_id, trader_id, trader_email "
                        "FROM option_ticks_db.v_option_ticks_masked")
    raw_values = {value for row in raw for value in row}
    assert len(raw_values) > 20
    assert not raw_values & {value for row in masked for value in row}
    assert {r[2] for r in masked} == {"***@trading.example.com"}
    assert all(r[0].startswith("********") and len(r[0]) == 12 for r in masked)
    assert all(len(r[1]) == 64 for r in masked)


def test_materialized_daily_stats_and_app_logs_run(assets_applied) -> None:
    path, _, _ = assets_applied
    assert rows(path, "SELECT count(*) FROM option_ticks_db.mv_daily_stats") == [(25,)]
    assert rows(path, "SELECT count(*), count(DISTINCT level) FROM logs_db.v_app_logs") == [(1500, 4)]


def test_the_demo_datasets_sql_runs_on_the_views(assets_applied) -> None:
    path, loaded, _ = assets_applied
    virtual = {k: d for k, d in loaded.desired["dataset"].items() if d.sql}
    assert virtual, "no virtual datasets in assets"
    for name, dataset in virtual.items():
        assert rows(path, f"SELECT count(*) FROM ({dataset.sql}) AS q")[0][0] > 0, name


def test_app_logs_json_fields_are_parsed(assets_applied) -> None:
    path, _, _ = assets_applied
    assert rows(path, "SELECT count(*) FROM logs_db.v_app_logs WHERE http_method IS NULL "
                      "OR http_status IS NULL OR user_domain IS NULL") == [(0,)]
