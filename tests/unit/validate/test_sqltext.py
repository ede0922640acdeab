"""What sqlglot tells us about a piece of SQL, with 0-based positions."""

from __future__ import annotations

import pytest

from superset_iac.validate import sqltext
from superset_iac.validate.sqltext import TableRef, parse


@pytest.mark.parametrize("sql, problem", [
    ("SELECT a FROM t", None),
    ("WITH c AS (SELECT 1 AS a) SELECT a FROM c", None),
    ("SELECT a FROM t UNION ALL SELECT b FROM u", None),
    ("DROP TABLE t", "DROP statement"),
    ("INSERT INTO t SELECT 1", "INSERT statement"),
    ("SELECT * INTO x FROM t", "SELECT ... INTO"),
    ("SET SESSION a = 1", "SET statement"),
    ("SHOW TABLES", "SHOW statement"),
    ("SELEC a", "misspelt"),
])
def test_query_problem(sql: str, problem: str | None) -> None:
    found = sqltext.query_problem(parse(sql).statements[0])
    assert (found is None) if problem is None else (problem in (found or ""))


def test_syntax_error_line_and_column() -> None:
    assert parse("SELECT a\nFROM t\nWHERE (x > 1").problem[:2] == (2, 11)


def test_unterminated_string_points_at_its_quote() -> None:
    assert parse("SELECT a\nFROM t WHERE s = 'x").problem == (1, 17, "unterminated string")


def test_statement_starts() -> None:
    assert parse("SELECT 1;\n  SELECT 2").starts == [(0, 0), (1, 2)]


@pytest.mark.parametrize("text, problem", [
    ("AVG(price)", None),
    ("CASE WHEN a > 1 THEN 1 ELSE 0 END", None),
    ("SUM(x) AS y", "alias"),
    ("SELECT 1", "statement"),
    ("x; y", "more than one"),
    ("", "empty"),
    ("SUM(x", "Expecting )"),
])
def test_expression_problem(text: str, problem: str | None) -> None:
    found = sqltext.expression_problem(parse(text))
    assert (found is None) if problem is None else (problem in found[2])


@pytest.mark.parametrize("text, ok", [
    ("a = 1", True), ("a IN ('x') AND b IS NOT NULL", True), ("(a > 1)", True),
    ("NOT flag", True), ("regexp_like(a, 'x')", True), ("TRUE", True),
    ("a", False), ("a + 1", False), ("'x'", False), ("COUNT(*)", False), ("(a)", False),
])
def test_predicate(text: str, ok: bool) -> None:
    assert (sqltext.predicate_problem(parse(text).statements[0]) is None) is ok


def test_projection_aliases_bare_columns_and_star() -> None:
    def names(sql: str) -> list[str] | None:
        return sqltext.projection(parse(sql).statements[0])
    assert names('SELECT "timestamp", Sym AS symbol, t.x FROM t') == \
        ["timestamp", "symbol", "x"]
    assert names("SELECT a FROM t UNION SELECT b FROM u") == ["a"]
    assert names("SELECT *, a FROM t") == ["*"]


def test_projection_the_database_names_is_unknown() -> None:
    def names(sql: str) -> list[str] | None:
        return sqltext.projection(parse(sql).statements[0])
    assert names("SELECT a, COUNT(*) FROM t GROUP BY a") is None  # count, _col1, "COUNT(*)"
    assert names("SELECT t.*, a FROM t") is None
    assert names("SELECT * FROM t JOIN u ON t.id = u.id") is None
    assert names("WITH c AS (SELECT 1 AS z) SELECT z AS zz FROM c") == ["zz"]


def test_tables_read_leave_out_ctes() -> None:
    query = parse("WITH c AS (SELECT * FROM s.raw) SELECT * FROM c JOIN cat.s.dim d ON 1 = 1"
                  ).statements[0]
    assert set(sqltext.tables_read(query)) == {TableRef("cat", "s", "dim"),
                                               TableRef("", "s", "raw")}


def test_column_refs_skip_lambda_parameters_subqueries_and_placeholders() -> None:
    expr = parse("SUM(price * qty) + any_match(arr, x -> x > lim) "
                 "+ (SELECT max(z) FROM u) + {{ metric('m') }}").statements[0]
    assert sorted(sqltext.column_refs(expr)) == ["arr", "lim", "price", "qty"]


def test_deeply_nested_sql_is_a_problem_not_a_crash() -> None:
    assert parse("(" * 3000 + "1" + ")" * 3000).problem == (0, 0, "nested too deeply to parse")
