"""Masking policies -> Trino SQL: exact text, quoting, escaping, refusals."""

from __future__ import annotations

import pytest
import sqlglot
from pydantic import ValidationError

from superset_iac.model.view import View
from superset_iac.warehouse import sqlgen
from superset_iac.warehouse.errors import ViewSqlError

SALT = "pep'per"
FROM = ' FROM "hive_prod"."s"."t"'


def view(*columns: dict, **extra) -> View:
    data = {"name": "hive_prod.s.v", "source": "hive_prod.s.t", "columns": list(columns)}
    return View.model_validate({**data, **extra})


def select(column: dict, **extra) -> str:
    return sqlgen.query_sql(view(column, **extra), SALT)


def length(col: str) -> str:
    return f'CAST(LENGTH(CAST("{col}" AS VARCHAR)) AS INTEGER)'


@pytest.mark.parametrize("column, expected", [
    ({"name": "a"}, 'SELECT "a"'),
    ({"name": "b", "source": "bb"}, 'SELECT "bb" AS "b"'),
    ({"name": "h", "mask": "hash"},
     "SELECT LOWER(TO_HEX(SHA256(TO_UTF8('pep''per' || CAST(\"h\" AS VARCHAR))))) AS \"h\""),
    ({"name": "r", "mask": "redact"},
     "SELECT CASE WHEN \"r\" IS NULL THEN NULL ELSE '***' END AS \"r\""),
    ({"name": "e", "mask": "email_domain"},
     "SELECT '***@' || SPLIT_PART(CAST(\"e\" AS VARCHAR), '@', 2) AS \"e\""),
    ({"name": "n", "mask": "null", "type": "decimal(10,2)"},
     'SELECT CAST(NULL AS DECIMAL(10, 2)) AS "n"'),
    ({"name": "n", "mask": "null"}, 'SELECT CAST(NULL AS VARCHAR) AS "n"'),
    ({"name": "c", "mask": "custom", "expression": "upper(a)"}, 'SELECT UPPER(a) AS "c"'),
    ({"name": "p", "mask": "partial", "keep_last": 4},
     f"SELECT CASE WHEN {length('p')} > 4 THEN LPAD(SUBSTR(CAST(\"p\" AS VARCHAR), "
     f"{length('p')} - 3), {length('p')}, '*') ELSE LPAD('', {length('p')}, '*') END AS \"p\""),
])
def test_each_policy_generates_this_trino_sql(column: dict, expected: str) -> None:
    assert select(column) == expected + FROM


def test_partial_keeping_nothing_masks_every_character() -> None:
    sql = select({"name": "p", "mask": "partial", "keep_last": 0})
    assert f"SUBSTR(CAST(\"p\" AS VARCHAR), {length('p')} + 1)" in sql
    assert f"WHEN {length('p')} > 0" in sql


def test_user_values_are_escaped_literals_not_pasted() -> None:
    redact = select({"name": "r", "mask": "redact", "replacement": "n/a' OR 1=1 --"})
    assert "ELSE 'n/a'' OR 1=1 --' END" in redact
    # the salt is one string literal: parsing the SQL finds it whole
    hashed = sqlglot.parse_one(select({"name": "h", "mask": "hash"}), read="trino")
    literals = [lit.this for lit in hashed.find_all(sqlglot.exp.Literal) if lit.is_string]
    assert SALT in literals


def test_identifiers_are_quoted_and_where_is_one_condition() -> None:
    sql = select({"name": "a"}, where="a = 'x' AND b > 1")
    assert sql == 'SELECT "a"' + FROM + " WHERE a = 'x' AND b > 1"


@pytest.mark.parametrize("expression", [
    "1; DROP TABLE x", "a FROM other_table", "a, b", "a AS b", "upper(", "",
])
def test_custom_expression_must_be_exactly_one_expression(expression: str) -> None:
    column = {"name": "c", "mask": "custom", "expression": expression or " "}
    with pytest.raises(ViewSqlError, match="hive_prod.s.v"):
        select(column)


@pytest.mark.parametrize("where", ["1=1; DELETE FROM t", "a = 1 GROUP BY a", "a = 1) OR (1=1"])
def test_where_must_be_one_condition(where: str) -> None:
    with pytest.raises(ViewSqlError, match="where"):
        select({"name": "a"}, where=where)


@pytest.mark.parametrize("type_", ["varchar); DROP TABLE x; --", "not a type", "int, x"])
def test_null_type_must_be_a_type_and_nothing_more(type_: str) -> None:
    with pytest.raises(ViewSqlError, match="not a Trino type"):
        select({"name": "n", "mask": "null", "type": type_})


def test_hash_without_a_salt_names_the_view_and_column() -> None:
    with pytest.raises(ViewSqlError, match=r"hive_prod.s.v: column h is hashed.*mask_salt"):
        sqlgen.query_sql(view({"name": "h", "mask": "hash"}), None)


def test_full_sql_is_checked_and_kept_as_written() -> None:
    v = View(name="hive_prod.s.v", sql="  SELECT a FROM hive_prod.s.t ;\n")
    assert sqlgen.query_sql(v, None) == "SELECT a FROM hive_prod.s.t"


@pytest.mark.parametrize("sql", ["DROP TABLE hive_prod.s.t", "SELECT 1; SELECT 2",
                                 "SELEC a FROM t", "INSERT INTO t SELECT 1"])
def test_full_sql_must_be_one_select(sql: str) -> None:
    with pytest.raises(ViewSqlError, match="hive_prod.s.v"):
        sqlgen.query_sql(View(name="hive_prod.s.v", sql=sql), None)


def test_every_generated_query_parses_back_as_trino() -> None:
    columns = [{"name": "a"}, {"name": "b", "source": "bb"}, {"name": "h", "mask": "hash"},
               {"name": "r", "mask": "redact"}, {"name": "p", "mask": "partial"},
               {"name": "e", "mask": "email_domain"}, {"name": "n", "mask": "null"},
               {"name": "c", "mask": "custom", "expression": "coalesce(x, 'y')"}]
    tree = sqlglot.parse_one(sqlgen.query_sql(view(*columns), SALT), read="trino")
    assert [e.alias_or_name for e in tree.expressions] == [c["name"] for c in columns]


def test_ddl_statements() -> None:
    name = "hive_prod.s.v"
    assert sqlgen.create_view(name, "SELECT 1") == (
        'CREATE OR REPLACE VIEW "hive_prod"."s"."v" COMMENT '
        "'superset-iac://view/hive_prod.s.v' SECURITY DEFINER AS\nSELECT 1")
    assert sqlgen.create_materialized_view(name, "SELECT 1") == (
        'CREATE OR REPLACE MATERIALIZED VIEW "hive_prod"."s"."v" COMMENT '
        "'superset-iac://view/hive_prod.s.v' AS\nSELECT 1")
    assert sqlgen.refresh_materialized_view(name) == 'REFRESH MATERIALIZED VIEW "hive_prod"."s"."v"'
    assert sqlgen.drop_view(name, False) == 'DROP VIEW IF EXISTS "hive_prod"."s"."v"'
    assert sqlgen.drop_view(name, True) == 'DROP MATERIALIZED VIEW IF EXISTS "hive_prod"."s"."v"'


def test_problems_point_at_the_field_for_validation() -> None:
    v = view({"name": "a"}, {"name": "c", "mask": "custom", "expression": "a FROM t"},
             {"name": "n", "mask": "null", "type": "varchar; x"}, where="1 = ")
    assert [path for path, _ in sqlgen.problems(v)] == [
        ("columns", 1, "expression"), ("columns", 2, "type"), ("where",)]
    assert sqlgen.problems(View(name="hive_prod.s.v", sql="DELETE FROM t")) == [
        (("sql",), "view hive_prod.s.v: sql must be exactly one SELECT query")]


@pytest.mark.parametrize("data, message", [
    ({"name": "hive_prod.s.v"}, "needs sql, or source"),
    ({"name": "hive_prod.s.v", "sql": "SELECT 1", "source": "hive_prod.s.t"}, "not both"),
    ({"name": "s.v", "sql": "SELECT 1"}, "catalog.schema.name"),
    ({"name": "hive_prod.s.V_Masked", "sql": "SELECT 1"}, "lower case"),
    ({"name": "hive_prod.s.v", "source": "t", "columns": [{"name": "a"}]}, "catalog.schema.name"),
    ({"name": "hive_prod.s.v", "source": "hive_prod.s.t",
      "columns": [{"name": "a"}, {"name": "a"}]}, "duplicate column"),
    ({"name": "hive_prod.s.v", "source": "hive_prod.s.t",
      "columns": [{"name": "a", "mask": "custom"}]}, "needs an expression"),
    ({"name": "hive_prod.s.v", "source": "hive_prod.s.t",
      "columns": [{"name": "a", "expression": "1"}]}, "only used with mask: custom"),
    ({"name": "hive_prod.s.v", "source": "hive_prod.s.t",
      "columns": [{"name": "a b"}]}, "column name"),
    ({"name": "hive_prod.s.v", "source": "hive_prod.s.t",
      "columns": [{"name": "a", "mask": "partial", "keep_last": -1}]}, "0 or more"),
])
def test_view_spec_refuses(data: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        View.model_validate(data)


def test_a_view_is_managed_only_when_its_comment_names_that_view() -> None:
    name = "hive_prod.s.v"
    assert sqlgen.is_managed_comment("superset-iac://view/hive_prod.s.v", name)
    assert sqlgen.is_managed_comment("superset-iac://view/hive_prod.s.v\nSELECT 1", name)  # DuckDB
    assert not sqlgen.is_managed_comment("superset-iac://view/hive_prod.s.v2", name)  # a copy's DDL
    assert not sqlgen.is_managed_comment("made by hand", name)
    assert not sqlgen.is_managed_comment(None, name)


@pytest.mark.parametrize("expression", [
    "getenv('AWS_SECRET_ACCESS_KEY')", "current_setting('s3_secret_access_key')",
    "(SELECT max(content) FROM read_text('/etc/passwd'))",
])
def test_a_custom_mask_reading_the_process_is_never_built(expression: str) -> None:
    with pytest.raises(ViewSqlError, match=r"hive_prod.s.v: column c: .*refused|table function"):
        select({"name": "c", "mask": "custom", "expression": expression})


@pytest.mark.parametrize("sql", ["SELECT * FROM system.runtime.queries",
                                 "SELECT * FROM \"/run/secrets/key.csv\""])
def test_a_view_reading_the_process_is_never_built(sql: str) -> None:
    with pytest.raises(ViewSqlError, match="hive_prod.s.v: sql: "):
        sqlgen.query_sql(View(name="hive_prod.s.v", sql=sql), None)
