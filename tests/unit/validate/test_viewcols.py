"""``viewcols.missing_columns``: names a query gives that its views lack (pure)."""

from __future__ import annotations

import pytest

from superset_iac.validate import sqltext, viewcols

TICKS = {"ts", "symbol", "price", "qty"}


def missing(sql: str, views: dict[str, set[str]] | None = None) -> list[str] | None:
    known = {"v_ticks": TICKS} if views is None else views
    query = sqltext.parse(sql).single
    assert query is not None, sql
    found = viewcols.missing_columns(query, lambda table: known.get(table.name.lower()))
    return None if found is None else [c.name for c in found]


@pytest.mark.parametrize("sql, names", [
    ("SELECT symbol, nope FROM s.v_ticks", ["nope"]),
    ("SELECT t.symbol, t.nope FROM s.v_ticks t WHERE t.prise > 0", ["nope", "prise"]),
    ("SELECT symbol, SUM(qty) AS total FROM s.v_ticks GROUP BY 1 ORDER BY total", []),
    ("SELECT Symbol, \"PRICE\" FROM s.V_TICKS", []),  # Trino folds even quoted names
    ("WITH d AS (SELECT symbol AS s2 FROM s.v_ticks) SELECT s2, zz FROM d", ["zz"]),
    ("SELECT symbol FROM s.v_ticks WHERE price > (SELECT AVG(price) FROM s.v_ticks)", []),
    ("SELECT symbol FROM s.v_ticks WHERE ts > '{{ from_dttm }}'", []),
    ("SELECT * FROM s.v_ticks", []),
])
def test_columns_of_the_views(sql, names):
    assert missing(sql) == names


@pytest.mark.parametrize("sql", [
    "SELECT symbol, nope FROM s.v_ticks JOIN s.outside o ON o.symbol = symbol",  # a table not known
    "SELECT symbol, x FROM s.v_ticks CROSS JOIN UNNEST(ARRAY[1, 2]) AS u(x)",  # its own columns
    "SELECT 1 AS one",
])
def test_what_cannot_be_known_is_not_checked(sql):
    assert missing(sql) is None
