"""Free SQL cannot read the warehouse's environment, settings or files.

Every SQL text of the tree (view ``sql``, ``where`` and ``mask: custom``
expressions, dataset SQL, metric and column expressions, RLS clauses, adhoc
SQL in charts, saved queries) runs inside a warehouse process: views are
created by the tool's own connection, datasets and saved queries run as
Superset's. A pull request must not
turn one into a way to read that process's secrets. Checked on sqlglot's AST
(the Trino parse ``validate.sql`` already made), never by matching text:

* Q010 a function that reads the process or its files. DuckDB has them:
  ``getenv`` and ``current_setting``/``getvariable`` (settings can hold S3
  keys), ``read_text``/``read_blob``, the ``read_*`` readers (CSV, Parquet,
  JSON), ``glob``, ``parquet_*``, ``sniff_csv``, the ``duckdb_*`` catalog
  functions (``duckdb_secrets()``, ``duckdb_settings()``), scanners of other
  databases (``sqlite_scan``, ``postgres_scan``, ...).
* Q011 a table that is not a table: a table function in FROM (DuckDB's
  readers, Trino's ``TABLE(system.query(...))`` pass-through of raw SQL to a
  connector's database), a table *name* that DuckDB would open as a file
  (``FROM '/etc/passwd'`` or ``"secrets.csv"``: a replacement scan), and
  Trino's ``system`` catalog (``system.runtime.queries`` shows other users'
  statements, the view DDL with its salt included).

Statements (COPY, ATTACH, INSTALL, LOAD, PRAGMA, SET, DML, DDL) are refused
by ``validate.sql`` already, in every SQL text and at any depth: Q003 for a
dataset's or view's query (``sqltext.query_problem`` walks the whole tree,
CTEs included), Q004 for an expression, Q001 for what does not parse.

Trino has no function that reads the server's files or environment: its
functions are pure or read the session (``current_user``), and data is
reached only through catalogs, whose connectors Trino's access control
governs. What is dangerous there is the ``system`` catalog and connector
table functions (``query``/``raw_query``), refused above; the rest is
Trino's sandbox.
"""

from __future__ import annotations

from collections.abc import Iterator

from superset_iac.diagnostics import Diagnostics
from superset_iac.load.tree import AssetTree
from superset_iac.model.base import Spec
from superset_iac.model.chart import Chart
from superset_iac.model.dataset import Dataset
from superset_iac.model.rls import RlsRule
from superset_iac.model.view import View
from superset_iac.validate import chart_fields
from superset_iac.validate.codes import add
from superset_iac.validate.index import Index, index
from superset_iac.warehouse.sandbox import FUNCTION, problems

_CODES = {FUNCTION: "Q010"}


def check(tree: AssetTree, diags: Diagnostics) -> None:
    idx = index(tree)
    for spec, path, text, templated in _texts(tree):
        check_text(idx, spec, path, text, templated, diags)


def check_text(idx: Index, spec: Spec, path: tuple, text: str, templated: bool,
               diags: Diagnostics) -> None:
    """Q010/Q011 for one SQL text of ``spec`` (a kind's own checks call it too)."""
    parsed = idx.parsed(text, templated)
    for statement in parsed.statements:
        if statement is not None:
            for problem, what in problems(statement):
                add(diags, spec.text_pos(path), _CODES.get(what, "Q011"),
                    f"{spec.ref}: {problem}")


def _texts(tree: AssetTree) -> Iterator[tuple[Spec, tuple, str, bool]]:
    """Every SQL text of the tree: (spec, path, text, Jinja-templated)."""
    for ds in tree.each(Dataset):
        if ds.sql:
            yield ds, ("sql",), ds.sql, True
        for i, metric in enumerate(ds.metrics):
            yield ds, ("metrics", i, "expression"), metric.expression, True
        for i, column in enumerate(ds.columns):
            if column.expression:
                yield ds, ("columns", i, "expression"), column.expression, True
    for view in tree.each(View):
        if view.sql:
            yield view, ("sql",), view.sql, False
        if view.where:
            yield view, ("where",), view.where, False
        for i, view_column in enumerate(view.columns):
            if view_column.expression:
                yield view, ("columns", i, "expression"), view_column.expression, False
    for rule in tree.each(RlsRule):
        yield rule, ("clause",), rule.clause, True
    for spec in tree:  # ``Spec.queries``: a saved query's SQL
        for held in spec.queries():
            yield spec, held.path, held.text, True
    for chart in tree.each(Chart):
        for use in chart_fields.uses(chart.params):
            if use.kind.startswith("sql_"):
                yield chart, use.path, use.text, True


