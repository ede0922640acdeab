"""Superset Jinja rendered with placeholders: same SQL shape, same lines."""

from __future__ import annotations

import pytest

from superset_iac.validate.jinja import PLACEHOLDER, render
from superset_iac.validate.sqltext import parse


@pytest.mark.parametrize("sql, rendered", [
    ("WHERE u = '{{ current_username() }}'", "WHERE u = 'jinja'"),
    ("WHERE u = {{ current_user_id() }}", f"WHERE u = {PLACEHOLDER}"),
    ("WHERE s IN {{ filter_values('s') | where_in }}", "WHERE s IN ('jinja')"),
    ("FROM {{ dataset(42) }}", "FROM (SELECT 1 AS __jinja__) AS __jinja__"),
    ("SELECT 1 {# a comment #}", "SELECT 1 "),
    ("a{% set x = 1 %}b", "ab"),
])
def test_expressions_become_placeholders(sql: str, rendered: str) -> None:
    assert render(sql).text == rendered


def test_if_keeps_the_first_branch_and_every_line() -> None:
    sql = ("SELECT a\nFROM t\n{% if x %}\nWHERE a > 1\n{% elif y %}\nWHERE a > 2\n"
           "{% else %}\nWHERE 1 = 1\n{% endif %}\nLIMIT 5")
    out = render(sql)
    assert out.text.count("\n") == sql.count("\n")
    assert "a > 1" in out.text and "a > 2" not in out.text and "1 = 1" not in out.text
    assert out.text.splitlines()[9] == "LIMIT 5"


def test_nested_blocks_and_for_loops() -> None:
    out = render("{% for c in cols %}{% if c %}{{ c }},{% endif %}{% endfor %} 1")
    assert out.text == f"{PLACEHOLDER}, 1" and not out.problems


def test_a_comment_with_a_quote_does_not_open_a_string() -> None:
    assert render("SELECT 1 -- it's\nWHERE u = {{ x }}").text.endswith(PLACEHOLDER)


@pytest.mark.parametrize("sql, line, message", [
    ("SELECT 1\n{% if x %}\nWHERE a", 1, "never closed"),
    ("SELECT 1\n\n{% endfor %}", 2, "does not match"),
    ("{% if a %}{% endfor %}{% endif %}", 0, "expected '{% endif %}'"),
    ("{% else %}", 0, "outside an if or for"),
])
def test_unbalanced_blocks_are_problems_with_lines(sql: str, line: int, message: str) -> None:
    problems = render(sql).problems
    assert problems and problems[0][0] == line and message in problems[0][1]


def test_templated_sql_parses() -> None:
    parsed = parse("SELECT * FROM t\nWHERE d >= '{{ from_dttm }}'\n"
                   "{% if filter_values('s') %}AND s IN {{ filter_values('s')|where_in }}"
                   "{% endif %}")
    assert parsed.problem is None and parsed.templated and len(parsed.statements) == 1


def test_text_without_jinja_is_untouched() -> None:
    out = render("SELECT '{' || x || '}'")
    assert out.text == "SELECT '{' || x || '}'" and not out.templated
