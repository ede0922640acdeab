"""One notion of "the same view": canonical SQL, salt masked, in the plan too."""

from __future__ import annotations

import json

import pytest

from superset_iac.model.view import View
from superset_iac.plan.diff import compare
from superset_iac.plan.model import LiveObject, Plan
from superset_iac.plan.render import plan_json, render_plan
from superset_iac.warehouse.canonical import (
    Target, canonical, mask_salts, render, salt_digest, to_dialect)

SALT = "s3cr3t-salt"
TRINO = Target("trino", {}, SALT)
DUCKDB = Target("duckdb", {"hive_prod": "lakehouse"}, SALT)


def same(a: str, b: str, dialect: str = "trino", home: str | None = None) -> bool:
    return render(canonical(a, dialect, home), dialect) == render(canonical(b, dialect, home), dialect)


def masked_view(target: Target, **mask) -> View:
    columns = [{"name": "symbol"}, {"name": "trader_id", "mask": "hash"},
               {"name": "trader_email", **(mask or {"mask": "email_domain"})}]
    v = View.model_validate({"name": "hive_prod.s.v", "source": "hive_prod.s.t",
                             "columns": columns})
    return v.for_target(target)


@pytest.mark.parametrize("a, b", [
    ('SELECT "A", b AS "B" FROM "T"', "select a, b from t"),
    ("SELECT a FROM t WHERE ((x = 1) AND (y > 2))", "SELECT a FROM t WHERE x = 1 AND y > 2"),
    ("SELECT (lower((a))) AS c FROM t", "SELECT lower(a) c FROM t"),
    ("SELECT a AS a, b FROM t", "SELECT a, b AS b FROM t"),
    ("CREATE VIEW s.v AS SELECT a FROM t;", "SELECT a\n  FROM t"),
    ("SELECT ((1 + (2 * 3))) AS e FROM t", "SELECT 1 + 2 * 3 AS e FROM t"),
    # Trino stores NOT LIKE as NOT (... LIKE ...), and drops comments
    ("SELECT a FROM t WHERE (NOT (a LIKE 'x%'))", "SELECT a FROM t WHERE a NOT LIKE 'x%'"),
    ("SELECT a FROM t WHERE (NOT (a IS NULL))", "SELECT a FROM t WHERE a IS NOT NULL"),
    ("SELECT\n  a\n, b\nFROM\n  t\n", "SELECT a, /* why */ b FROM t -- a comment"),
])
def test_rewrites_that_keep_meaning_compare_equal(a: str, b: str) -> None:
    assert same(a, b), (a, b)


@pytest.mark.parametrize("a, b", [
    ("SELECT (a + b) * c FROM t", "SELECT a + b * c FROM t"),
    ("SELECT a FROM t WHERE (x OR y) AND z", "SELECT a FROM t WHERE x OR y AND z"),
    ("SELECT a, b FROM t", "SELECT b, a FROM t"),
    ("SELECT a FROM t", "SELECT a FROM u"),
    ("SELECT a AS b FROM t", "SELECT a FROM t"),
    ("SELECT a FROM t WHERE a NOT LIKE 'x%'", "SELECT a FROM t WHERE a LIKE 'x%'"),
])
def test_real_changes_stay_different(a: str, b: str) -> None:
    assert not same(a, b), (a, b)


def test_the_views_own_catalog_is_dropped_as_duckdb_does() -> None:
    stored = "CREATE VIEW s.v AS SELECT a FROM s.t;"
    ours = 'SELECT "a" FROM "lakehouse"."s"."t"'
    assert same(stored, ours, "duckdb", home="lakehouse")
    assert not same(stored, 'SELECT "a" FROM "other"."s"."t"', "duckdb", home="lakehouse")


def test_to_dialect_maps_catalogs_and_transpiles_json_for_duckdb() -> None:
    sql = ("SELECT json_extract_scalar(payload, '$.http.method') AS m, "
           "split_part(json_extract_scalar(payload, '$.user_email'), '@', 2) AS d "
           "FROM hive_prod.logs_db.app_logs")
    out = to_dialect(sql, DUCKDB)
    assert out == ("SELECT payload ->> '$.http.method' AS m, "
                   "SPLIT_PART(payload ->> '$.user_email', '@', 2) AS d "
                   'FROM "lakehouse".logs_db.app_logs')
    assert to_dialect(sql, TRINO) == sql


def test_salts_inside_hash_functions_are_masked_and_digested() -> None:
    tree = canonical(f"SELECT lower(to_hex(sha256(to_utf8('{SALT}' || x)))) AS h, 'keep' AS k "
                     "FROM t", "trino")
    tree, digests = mask_salts(tree)
    text = render(tree, "trino")
    assert SALT not in text and "'(sensitive)'" in text and "'keep'" in text
    assert digests == [salt_digest(SALT)]


@pytest.mark.parametrize("target", [TRINO, DUCKDB], ids=["trino", "duckdb"])
def test_a_view_never_shows_its_salt(target: Target) -> None:
    compared = masked_view(target).compared()
    dumped = json.dumps(compared)
    assert SALT not in dumped
    assert compared["mask_salt"] == salt_digest(SALT)
    assert [c["name"] for c in compared["definition"]["columns"]] == [
        "symbol", "trader_id", "trader_email"]


def test_plan_shows_exactly_the_changed_column_as_sql_before_after() -> None:
    live = masked_view(TRINO)
    desired = masked_view(TRINO, mask="redact")
    change = compare(desired, LiveObject(spec=live, id=live.key))
    assert change is not None
    assert [f.path for f in change.fields] == ["definition.columns[trader_email].sql"]
    assert change.fields[0].before == "'***@' || SPLIT_PART(CAST(trader_email AS VARCHAR), '@', 2)"
    assert change.fields[0].after == "CASE WHEN trader_email IS NULL THEN NULL ELSE '***' END"


def test_a_rotated_salt_is_a_sensitive_change_and_never_printed() -> None:
    old = masked_view(Target("trino", {}, "old-salt-value"))
    new = masked_view(TRINO)
    change = compare(new, LiveObject(spec=old, id=old.key))
    assert change is not None and [f.path for f in change.fields] == ["mask_salt"]
    plan = Plan(changes=[change])
    for text in (render_plan(plan), plan_json(plan)):
        assert SALT not in text and "old-salt-value" not in text
        assert "(sensitive)" in text


def test_a_create_renders_without_the_salt() -> None:
    plan = Plan(changes=[compare(masked_view(DUCKDB), None)])
    text = render_plan(plan) + plan_json(plan)
    assert SALT not in text and "+ view/hive_prod.s.v" in text


def test_stored_duckdb_text_equals_the_desired_view() -> None:
    desired = masked_view(DUCKDB, mask="partial", keep_last=4)
    # what DuckDB 1.x/2.x keeps in duckdb_views().sql for that view
    stored = (
        "CREATE VIEW s.v AS SELECT symbol, lower(hex(unhex(sha256(encode(('s3cr3t-salt' || "
        "CAST(trader_id AS VARCHAR))))))) AS trader_id, CASE  WHEN ((CAST(length(CAST("
        "trader_email AS VARCHAR)) AS INTEGER) > 4)) THEN (lpad(\"substring\"(CAST(trader_email "
        "AS VARCHAR), (CAST(length(CAST(trader_email AS VARCHAR)) AS INTEGER) - 3)), CAST(length("
        "CAST(trader_email AS VARCHAR)) AS INTEGER), '*')) ELSE lpad('', CAST(length(CAST("
        "trader_email AS VARCHAR)) AS INTEGER), '*') END AS trader_email FROM s.t;")
    live = View.from_warehouse("hive_prod.s.v", stored, False, DUCKDB)
    assert live.compared() == desired.compared()


@pytest.mark.parametrize("stored, sent", [
    ("CREATE VIEW s.v AS SELECT b, count_star() AS n FROM s.t GROUP BY b HAVING (count_star() > 1);",
     "SELECT b, COUNT(*) AS n FROM s.t GROUP BY b HAVING COUNT(*) > 1"),
    ("CREATE VIEW s.v AS SELECT date_part('YEAR', ts) AS c FROM s.t;",
     "SELECT EXTRACT(year FROM ts) AS c FROM s.t"),
    ("CREATE VIEW s.v AS SELECT (ts + to_days(CAST(trunc(CAST('1' AS DOUBLE)) AS INTEGER))) AS c "
     "FROM s.t;", "SELECT ts + INTERVAL '1' DAY AS c FROM s.t"),
    ("CREATE VIEW s.v AS SELECT (ts >= CAST('2025-01-01' AS TIMESTAMP_S)) AS c FROM s.t;",
     "SELECT ts >= CAST('2025-01-01' AS TIMESTAMP(0)) AS c FROM s.t"),
    ("CREATE VIEW s.v AS SELECT p.id FROM ((s.t AS p LEFT JOIN s.u AS q ON ((p.id = q.id))) "
     "INNER JOIN s.u AS r ON ((r.id = p.id)));",
     "SELECT p.id FROM s.t AS p LEFT OUTER JOIN s.u AS q ON p.id = q.id JOIN s.u r ON r.id = p.id"),
    ("CREATE VIEW s.v AS (SELECT a FROM s.t) UNION ALL (SELECT a FROM s.u);",
     "SELECT a FROM s.t UNION ALL SELECT a FROM s.u"),
    ("CREATE VIEW s.v AS SELECT a FROM s.t WHERE (a = ANY(SELECT a FROM s.u));",
     "SELECT a FROM s.t WHERE a IN (SELECT a FROM s.u)"),
])
def test_what_duckdb_rewrites_in_a_stored_view_compares_equal(stored: str, sent: str) -> None:
    assert same(stored, sent, "duckdb")


@pytest.mark.parametrize("a, b", [
    ("SELECT p.id FROM s.t AS p LEFT JOIN s.u AS q ON p.id = q.id",
     "SELECT p.id FROM s.t AS p JOIN s.u AS q ON p.id = q.id"),
    ("(SELECT a FROM s.t LIMIT 1) UNION ALL SELECT a FROM s.u",
     "SELECT a FROM s.t UNION ALL SELECT a FROM s.u"),
    ("SELECT ts + INTERVAL '1' DAY FROM s.t", "SELECT ts + INTERVAL '1' HOUR FROM s.t"),
])
def test_undoing_duckdb_rewrites_keeps_real_differences(a: str, b: str) -> None:
    assert not same(a, b, "duckdb")


def test_what_trinos_formatter_stores_compares_equal_to_the_desired_view() -> None:
    salt = "sél-1'2"  # non-ASCII: Trino stores it as a U& literal
    target = Target("trino", {}, salt)
    columns = [{"name": "symbol"}, {"name": "trader", "source": "trader_id", "mask": "hash"},
               {"name": "account_id", "mask": "partial", "keep_last": 4},
               {"name": "trader_email", "mask": "email_domain"}, {"name": "note", "mask": "redact"},
               {"name": "gone", "mask": "null", "type": "bigint"},
               {"name": "px", "mask": "custom", "expression": "round(last_price * 1.5, 2)"}]
    desired = View.model_validate({"name": "hive_prod.s.v", "source": "hive_prod.s.t",
                                   "columns": columns, "where": "volume > 0 AND symbol <> 'X'"})
    length = 'CAST(length(CAST("account_id" AS VARCHAR)) AS INTEGER)'
    # SqlFormatter's layout: one item per line, operators in parentheses,
    # || as concat(), implicit aliases, DECIMAL literals, U& strings.
    stored = (
        'SELECT\n  "symbol"\n'
        ", lower(to_hex(sha256(to_utf8(concat(U&'s\\00E9l-1''2', CAST(\"trader_id\" AS VARCHAR))))))"
        ' "trader"\n'
        f", (CASE WHEN ({length} > 4) THEN lpad(substr(CAST(\"account_id\" AS VARCHAR), ({length} - 3)),"
        f" {length}, '*') ELSE lpad('', {length}, '*') END) \"account_id\"\n"
        ", concat('***@', split_part(CAST(\"trader_email\" AS VARCHAR), '@', 2)) \"trader_email\"\n"
        ", (CASE WHEN (\"note\" IS NULL) THEN null ELSE '***' END) \"note\"\n"
        ', CAST(null AS bigint) "gone"\n'
        ", round((last_price * DECIMAL '1.5'), 2) \"px\"\n"
        'FROM\n  "hive_prod"."s"."t"\n'
        "WHERE ((volume > 0) AND (symbol <> 'X'))\n")
    live = View.from_warehouse("hive_prod.s.v", stored, False, target)
    assert live.compared() == desired.for_target(target).compared()
    assert salt not in str(live.compared()) and "s\\00E9l" not in str(live.compared())


def test_an_unreadable_stored_definition_is_a_change_not_a_crash() -> None:
    live = View.from_warehouse("hive_prod.s.v", f"SELEC sha256('{SALT}') FROM", False, TRINO)
    change = compare(masked_view(TRINO), LiveObject(spec=live, id=live.key))
    assert change is not None and "definition.sql" in [f.path for f in change.fields]
    assert SALT not in render_plan(Plan(changes=[change]))


def test_a_stored_view_never_shows_its_sql_in_a_repr() -> None:
    live = View.from_warehouse("hive_prod.s.v", f"SELECT sha256('{SALT}')", False, TRINO)
    assert SALT not in repr(live) and SALT not in repr(LiveObject(spec=live, id=live.key))
    assert SALT not in repr(masked_view(TRINO))  # the target's salt is not in a repr either
