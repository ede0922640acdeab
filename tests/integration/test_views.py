"""Masking views applied for real, on each warehouse: DuckDB (the embedded
stand-in) and Trino 476 (the production engine, devstack/trino.py).

No Superset here: the views are read the way Superset reads them -- the
DuckDB file opened read-only, Trino as Superset's user ``superset``, which
may read the views and never a raw table. Everything goes through the same
path as ``superset-iac apply``: resolve -> view handler read -> pure plan ->
apply engine -> read again. Test ids name the warehouse (``[duckdb]``,
``[trino]``).
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from superset_iac import workflow
from superset_iac.apply.engine import apply_plan
from superset_iac.kinds.base import Context
from superset_iac.kinds.view import ViewHandler
from superset_iac.model.environment import Environment
from superset_iac.model.view import View
from superset_iac.plan.diff import plan as make_plan
from superset_iac.plan.model import Plan
from superset_iac.plan.render import plan_json, render_plan
from superset_iac.warehouse import connect_warehouse
from superset_iac.warehouse.canonical import Target
from tests.integration.trino_stack import SUPERSET_USER, TOOL_USER, TrinoInstance, trino_assets

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
PEOPLE_COLUMNS = "id INTEGER, country VARCHAR, name VARCHAR, email VARCHAR, account VARCHAR, phone VARCHAR"


class Lake:
    """One warehouse holding ``crm.people``: its environment, and reads as
    Superset would make them (``raw=True``: as the tool's own user)."""

    name: str

    def environment(self, salt: str = SALT) -> Environment:
        return Environment.model_validate({
            "name": "local", "superset": {"url": "http://127.0.0.1:1"},
            "warehouse": {**self.warehouse_config(), "mask_salt": salt}})

    def warehouse_config(self) -> dict[str, Any]:
        raise NotImplementedError

    def rows(self, sql: str, raw: bool = False) -> list[tuple]:
        raise NotImplementedError

    def kind(self, name: str) -> str | None:
        """``view``, ``materialized`` or None for ``crm.<name>``."""
        raise NotImplementedError


class DuckLake(Lake):
    name = "duckdb"

    def __init__(self, path: Path) -> None:
        self.path = path

    def with_people(self) -> "DuckLake":
        with duckdb.connect(str(self.path)) as con:
            con.execute(f"CREATE SCHEMA crm; CREATE TABLE crm.people ({PEOPLE_COLUMNS})")
            con.executemany("INSERT INTO crm.people VALUES (?, ?, ?, ?, ?, ?)", PEOPLE)
        return self

    def warehouse_config(self) -> dict[str, Any]:
        return {"type": "duckdb", "path": str(self.path), "catalogs": {"hive_prod": "lakehouse"}}

    def rows(self, sql: str, raw: bool = False) -> list[tuple]:
        with duckdb.connect(str(self.path), read_only=True) as con:
            return con.execute(sql).fetchall()

    def kind(self, name: str) -> str | None:
        if self.rows(f"SELECT 1 FROM duckdb_views() WHERE view_name = '{name}'"):
            return "view"
        # The stand-in for a materialized view is a CTAS table.
        return "materialized" if self.rows(
            f"SELECT 1 FROM duckdb_tables() WHERE table_name = '{name}'") else None


class TrinoLake(Lake):
    name = "trino"

    def __init__(self, server: TrinoInstance) -> None:
        self.server = server

    def with_people(self) -> "TrinoLake":
        """``crm`` holding only ``people`` (earlier tests' views dropped)."""
        server = self.server
        for kind, objects in (("MATERIALIZED VIEW", "system.metadata.materialized_views "
                               "WHERE catalog_name = 'hive_prod' AND schema_name = 'crm'"),
                              ("VIEW", "hive_prod.information_schema.views WHERE table_schema = 'crm'")):
            column = "name" if kind.startswith("M") else "table_name"
            for (name,) in server.query(f"SELECT {column} FROM {objects}"):
                server.query(f"DROP {kind} hive_prod.crm.{name}")
        server.query("CREATE SCHEMA IF NOT EXISTS hive_prod.crm")
        server.query("DROP TABLE IF EXISTS hive_prod.crm.people")
        server.query(f"CREATE TABLE hive_prod.crm.people ({PEOPLE_COLUMNS})")
        values = ", ".join("(" + ", ".join("NULL" if v is None else repr(v) if isinstance(v, int)
                                           else "'" + v + "'" for v in p) + ")" for p in PEOPLE)
        server.query(f"INSERT INTO hive_prod.crm.people VALUES {values}")
        return self

    def warehouse_config(self) -> dict[str, Any]:
        return self.server.warehouse()

    def rows(self, sql: str, raw: bool = False) -> list[tuple]:
        return [tuple(r) for r in self.server.query(sql, TOOL_USER if raw else SUPERSET_USER)]

    def kind(self, name: str) -> str | None:
        if self.rows("SELECT 1 FROM system.metadata.materialized_views WHERE catalog_name = "
                     f"'hive_prod' AND schema_name = 'crm' AND name = '{name}'", raw=True):
            return "materialized"
        return "view" if self.rows("SELECT 1 FROM hive_prod.information_schema.views WHERE "
                                   f"table_schema = 'crm' AND table_name = '{name}'", raw=True) else None

    def freshness(self, name: str) -> str:
        return self.rows("SELECT freshness FROM system.metadata.materialized_views WHERE "
                         f"catalog_name = 'hive_prod' AND schema_name = 'crm' AND name = '{name}'",
                         raw=True)[0][0]


@pytest.fixture
def lake(warehouse: str, tmp_path: Path, request: pytest.FixtureRequest) -> Lake:
    if warehouse == "trino":
        return TrinoLake(request.getfixturevalue("trino_server")).with_people()
    return DuckLake(tmp_path / "lakehouse.duckdb").with_people()


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
def test_each_policy_hides_every_raw_value_and_keeps_the_rest(lake: Lake, policy: str) -> None:
    mask, column, expected = POLICIES[policy]
    env = lake.environment()
    apply(env, bind(env, people_view(mask, column)))
    got = lake.rows(f"SELECT id, region, {column} FROM crm.v_people ORDER BY id")
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


# How each warehouse's stored definition renders in a plan (its own dialect).
SHOWN: dict[str, dict[str, str]] = {
    "duckdb": {
        "hash": "LOWER(HEX(UNHEX(SHA256(ENCODE('(sensitive)' || ",
        "email_domain": "'***@' || SPLIT_PART(CAST(email AS TEXT), '@', 2)",
        "redact": "CASE WHEN name IS NULL THEN NULL ELSE '***' END",
        "partial": "CASE WHEN CAST(LENGTH(CAST(name AS TEXT)) AS INT) > 2",
    },
    "trino": {
        "hash": "LOWER(TO_HEX(SHA256(TO_UTF8('(sensitive)' || ",
        "email_domain": "'***@' || SPLIT_PART(CAST(email AS VARCHAR), '@', 2)",
        "redact": "CASE WHEN name IS NULL THEN NULL ELSE '***' END",
        "partial": "CASE WHEN CAST(LENGTH(CAST(name AS VARCHAR)) AS INTEGER) > 2",
    },
}


def test_diff_after_apply_is_empty_and_a_changed_mask_is_exactly_one_change(lake: Lake) -> None:
    env = lake.environment()
    other = View(name="hive_prod.crm.v_countries",
                 sql="SELECT country, count(*) AS n FROM hive_prod.crm.people GROUP BY country")
    ctx = apply(env, bind(env, people_view({"mask": "hash"}), other))
    assert diff(ctx, bind(env, people_view({"mask": "hash"}), other)).changes == []

    changed = diff(ctx, bind(env, people_view({"mask": "email_domain"}), other))
    # the salted hash is gone: its (sensitive) salt digest changes too
    assert [(c.ref, c.action.value, [f.path for f in c.fields]) for c in changed.changes] == [
        ("view/hive_prod.crm.v_people", "update", ["definition.columns[email].sql", "mask_salt"])]
    field = changed.changes[0].fields[0]
    assert field.before.startswith(SHOWN[lake.name]["hash"])
    assert field.after == SHOWN[lake.name]["email_domain"]
    for text in (render_plan(changed), plan_json(changed)):
        assert SALT not in text and SALT.replace("'", "''") not in text


def test_changing_one_mask_changes_exactly_that_column_of_that_view(lake: Lake) -> None:
    env = lake.environment()

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
    shown = SHOWN[lake.name]
    assert f"~ view/hive_prod.crm.v_two\n    definition.columns[name].sql: {shown['redact']} " \
        f"-> {shown['partial']}" in text
    assert SALT not in text
    # applied, it is one replace of that view, and the next diff is empty
    ctx = apply(env, bind(env, two_masks({"mask": "partial", "keep_last": 2}), other))
    assert diff(ctx, bind(env, two_masks({"mask": "partial", "keep_last": 2}), other)).changes == []
    assert [r[1] for r in lake.rows("SELECT id, name FROM crm.v_two ORDER BY id")] == \
        ["**********in", "********en", "*********si", None]


def test_a_new_salt_replaces_the_view_without_showing_either_salt(lake: Lake) -> None:
    env = lake.environment()
    apply(env, bind(env, people_view({"mask": "hash"})))
    rotated = lake.environment(salt="another-salt")
    ctx = Context(client=None, env=rotated, warehouse=connect_warehouse(rotated))
    changed = diff(ctx, bind(rotated, people_view({"mask": "hash"})))
    assert [f.path for c in changed.changes for f in c.fields] == ["mask_salt"]
    text = render_plan(changed) + plan_json(changed)
    assert SALT not in text and "another-salt" not in text and "(sensitive)" in text


def test_materialized_view_is_created_and_refreshes(lake: Lake) -> None:
    env = lake.environment()
    mv = View(name="hive_prod.crm.mv_by_country", materialized=True,
              sql="SELECT country, count(*) AS n FROM hive_prod.crm.people GROUP BY country")
    ctx = apply(env, bind(env, mv))
    assert lake.kind("mv_by_country") == "materialized"
    assert sorted(lake.rows("SELECT n FROM crm.mv_by_country")) == [(1,), (1,), (1,), (1,)]
    assert diff(ctx, bind(env, mv)).changes == []

    insert = "INSERT INTO crm.people VALUES (5, 'FR', 'E', NULL, NULL, NULL)"
    if isinstance(lake, TrinoLake):
        lake.rows(insert, raw=True)
        # Trino answers a stale materialized view from its query (still right),
        # and records that it is stale until refreshed.
        assert lake.freshness("mv_by_country") == "STALE"
        ctx.warehouse.refresh(mv.name)
        assert lake.freshness("mv_by_country") == "FRESH"
    else:
        with duckdb.connect(str(lake.path)) as con:
            con.execute(insert)
        # the CTAS stand-in is a snapshot until refreshed
        assert lake.rows("SELECT n FROM crm.mv_by_country WHERE country = 'FR'") == [(1,)]
        ctx.warehouse.refresh(mv.name)
    assert lake.rows("SELECT n FROM crm.mv_by_country WHERE country = 'FR'") == [(2,)]
    assert diff(ctx, bind(env, mv)).changes == []  # a refresh is not a change


def test_switching_between_view_and_materialized_replaces_the_object(lake: Lake) -> None:
    env = lake.environment()
    sql = "SELECT country, count(*) AS n FROM hive_prod.crm.people GROUP BY country"
    plain = View(name="hive_prod.crm.v_by_country", sql=sql)
    mat = View(name="hive_prod.crm.v_by_country", sql=sql, materialized=True)
    apply(env, bind(env, plain))
    ctx = apply(env, bind(env, mat))
    assert lake.kind("v_by_country") == "materialized"
    assert diff(ctx, bind(env, mat)).changes == []
    ctx = apply(env, bind(env, plain))
    assert lake.kind("v_by_country") == "view"
    assert diff(ctx, bind(env, plain)).changes == []


def test_dropping_a_materialized_name_never_drops_a_raw_table(lake: Lake) -> None:
    env = lake.environment()
    try:
        connect_warehouse(env).drop("hive_prod.crm.people", materialized=True)
    except Exception as err:  # Trino refuses outright; DuckDB's stand-in checks first
        assert isinstance(lake, TrinoLake), err
    assert lake.rows("SELECT count(*) FROM crm.people", raw=True) == [(len(PEOPLE),)]


# Each warehouse stores a view's text after rewriting it -- DuckDB:
# count_star(), date_part, to_days(...) for intervals, parenthesised joins and
# set operations, = ANY; Trino: its formatter (one item per line, ``AS``
# dropped, every operator parenthesised, concat(), DECIMAL '1.5', 1.5E0).
# Each must still compare equal to what was sent.
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
    "SELECT name || ' <' || email || '>' AS who, 1.5 AS d, 2.5e0 AS f, 'café' AS u, "
    "(id + 1) * 2 AS x, -id AS neg, id % 3 AS m FROM hive_prod.crm.people -- a comment",
    "SELECT CAST(id AS DOUBLE) / 2 AS half, CASE WHEN id > 2 THEN 'big' ELSE 'small' END AS size, "
    "date_trunc('day', TIMESTAMP '2025-06-02 10:00:00') AS d FROM hive_prod.crm.people "
    "WHERE NOT (id = 2) AND email IS NOT NULL",
]


@pytest.mark.parametrize("sql", REWRITTEN)
def test_stored_rewrites_are_not_changes(lake: Lake, sql: str) -> None:
    env = lake.environment()
    view = View(name="hive_prod.crm.v_rewritten", sql=sql)
    ctx = apply(env, bind(env, view))
    assert [(f.path, f.before, f.after) for c in diff(ctx, bind(env, view)).changes
            for f in c.fields] == []
    assert lake.rows("SELECT count(*) FROM crm.v_rewritten")[0][0] > 0


# -- the team's real views on the real lakehouse -------------------------------

ASSET_ENV = {"duckdb": "local", "trino": "local-trino"}


@pytest.fixture
def assets_applied(warehouse: str, tmp_path: Path, request: pytest.FixtureRequest
                   ) -> tuple[Lake, workflow.Loaded, Context]:
    lake: Lake
    if warehouse == "trino":
        server = request.getfixturevalue("trino_server")
        root, environ = trino_assets(tmp_path / "assets", server), server.env()
        lake = TrinoLake(server)  # the session's lakehouse, as loaded
    else:
        # A name other than lakehouse.duckdb: views must not depend on the file name.
        path = tmp_path / "demo_copy.duckdb"
        shutil.copyfile(request.getfixturevalue("lakehouse_path"), path)
        root, environ = ROOT / "assets", {"LAKEHOUSE_PATH": str(path)}
        lake = DuckLake(path)
    loaded = workflow.load(root, ASSET_ENV[warehouse], {**environ, "SUPERSET_PASSWORD": "unused"})
    assert not loaded.diagnostics.has_errors(), loaded.diagnostics.render_text()
    desired = {"view": loaded.desired["view"]}
    assert len(desired["view"]) == 3
    return lake, loaded, apply(loaded.env, desired)


def test_assets_views_apply_and_diff_clean(assets_applied) -> None:
    lake, loaded, ctx = assets_applied
    assert diff(ctx, {"view": loaded.desired["view"]}).changes == []
    live = ctx.warehouse.list_views()
    assert {k: v.materialized for k, v in live.items() if v.managed} == {
        "hive_prod.logs_db.v_app_logs": False,
        "hive_prod.option_ticks_db.mv_daily_stats": True,
        "hive_prod.option_ticks_db.v_option_ticks_masked": False,
    }


def test_masked_ticks_hold_no_raw_identifiers(assets_applied) -> None:
    lake, _, _ = assets_applied
    passed = '"timestamp", symbol, exchange, last_price, volume, option_type, strike, expiry'
    order = "ORDER BY 1, 2, 3, 4, 5, 6, 7, 8"
    assert lake.rows(f"SELECT {passed} FROM option_ticks_db.v_option_ticks_masked {order}") == \
        lake.rows(f"SELECT {passed} FROM option_ticks_db.bronze_option_ticks {order}", raw=True)
    raw = lake.rows("SELECT DISTINCT account_id, trader_id, trader_email "
                    "FROM option_ticks_db.bronze_option_ticks", raw=True)
    masked = lake.rows("SELECT DISTINCT account_id, trader_id, trader_email "
                       "FROM option_ticks_db.v_option_ticks_masked")
    raw_values = {value for row in raw for value in row}
    assert len(raw_values) > 20
    assert not raw_values & {value for row in masked for value in row}
    assert {r[2] for r in masked} == {"***@trading.example.com"}
    assert all(r[0].startswith("********") and len(r[0]) == 12 for r in masked)
    assert all(len(r[1]) == 64 for r in masked)


def test_materialized_daily_stats_and_app_logs_run(assets_applied) -> None:
    lake, _, _ = assets_applied
    assert lake.rows("SELECT count(*) FROM option_ticks_db.mv_daily_stats") == [(25,)]
    assert lake.rows("SELECT count(*), count(DISTINCT level) FROM logs_db.v_app_logs") == [(1500, 4)]


def test_the_demo_datasets_sql_runs_on_the_views(assets_applied) -> None:
    lake, loaded, _ = assets_applied
    virtual = {k: d for k, d in loaded.desired["dataset"].items() if d.sql}
    assert virtual, "no virtual datasets in assets"
    for name, dataset in virtual.items():
        assert lake.rows(f"SELECT count(*) FROM ({dataset.sql}) AS q")[0][0] > 0, name


def test_app_logs_json_fields_are_parsed(assets_applied) -> None:
    lake, _, _ = assets_applied
    assert lake.rows("SELECT count(*) FROM logs_db.v_app_logs WHERE http_method IS NULL "
                     "OR http_status IS NULL OR user_domain IS NULL") == [(0,)]
