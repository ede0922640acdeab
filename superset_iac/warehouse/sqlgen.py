"""Views as Trino SQL: masking policies -> a SELECT, and the DDL around it.

Everything is built as sqlglot expressions, never by pasting text: names are
quoted identifiers, the salt and the redact constant are escaped string
literals, a custom expression or a ``where`` must parse as exactly one
expression, a full ``sql`` as exactly one query. The generated SQL is parsed
back (Trino dialect) before it is returned, as a last check.

Policies, each keeping NULL as NULL:

=============  ===============================================================
(none)         the column, passed through (renamed with ``source:``)
hash           lower hex SHA-256 of ``salt || CAST(value AS VARCHAR)``
redact         the ``replacement`` constant (default ``'***'``)
partial        ``*`` for every character but the last ``keep_last``; a value
               no longer than ``keep_last`` is masked entirely
email_domain   ``'***@' || domain``
null           ``CAST(NULL AS type)``
custom         the given Trino expression
=============  ===============================================================
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Callable, cast

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from superset_iac.model.base import managed_url
from superset_iac.warehouse import sandbox
from superset_iac.warehouse.errors import ViewSqlError, first_line

if TYPE_CHECKING:
    # What sqlglot's builders return (>= 30); exp.Expression is one kind of Expr.
    from sqlglot.expressions import Expr

    # Types only: model.view compares views through this module.
    from superset_iac.model.view import View, ViewColumn

DIALECT = "trino"


def managed_comment(name: str) -> str:
    """The comment that marks a view as created (and prunable) by superset-iac."""
    return managed_url("view", name)


def is_managed_comment(comment: str | None, name: str) -> bool:
    """Whether a view's comment marks it as the view ``name`` created here.

    The marker is the comment's first line (DuckDB keeps the SQL after it);
    a line that only begins like it names another view (a copy of its DDL).
    """
    return (comment or "").split("\n", 1)[0] == managed_comment(name)


def table(name: str) -> exp.Table:
    """``catalog.schema.name`` as a quoted, three-part table reference."""
    catalog, schema, table_name = name.split(".")
    return exp.Table(this=_ident(table_name), db=_ident(schema), catalog=_ident(catalog))


def quoted_name(name: str) -> str:
    return table(name).sql(dialect=DIALECT)


def string(value: str, dialect: str = DIALECT) -> str:
    """An escaped SQL string literal."""
    return exp.Literal.string(value).sql(dialect=dialect)


# -- the SELECT ----------------------------------------------------------------

def query_sql(view: View, salt: str | None) -> str:
    """The view's query in Trino SQL; ``salt`` is needed only by ``hash``."""
    if view.sql is not None:
        return _checked_query(view, view.sql)
    assert view.source is not None  # the model asks for source or sql
    select = exp.select(*[_column(view, c, salt) for c in view.columns]).from_(table(view.source))
    if view.where:
        select = select.where(_expression(view, view.where, "where"))
    return _checked_query(view, select.sql(dialect=DIALECT))


def _column(view: View, column: ViewColumn, salt: str | None) -> Expr:
    value = exp.column(_ident(column.source_column))
    if column.mask is None:
        if column.source is None or column.source == column.name:
            return value
        return exp.alias_(value, _ident(column.name))
    policy = _POLICIES[column.mask]
    return exp.alias_(policy(view, column, value, salt), _ident(column.name))


def _text(value: Expr) -> Expr:
    return exp.cast(value, exp.DataType.build("VARCHAR"))


def _hash(view: View, column: ViewColumn, value: Expr,
          salt: str | None) -> Expr:
    if salt is None:
        raise ViewSqlError(f"view {view.name}: column {column.name} is hashed, but the "
                           "environment's warehouse has no mask_salt")
    salted = exp.DPipe(this=exp.Literal.string(salt), expression=_text(value))
    digest = exp.func("sha256", exp.func("to_utf8", salted))
    return exp.func("lower", exp.func("to_hex", digest))


def _redact(view: View, column: ViewColumn, value: Expr,
            salt: str | None) -> Expr:
    return exp.case().when(exp.Is(this=value, expression=exp.null()), exp.null()) \
        .else_(exp.Literal.string(column.replacement))


def _partial(view: View, column: ViewColumn, value: Expr,
             salt: str | None) -> Expr:
    # lpad, not repeat: Trino's repeat() builds an array, not a string. The
    # INTEGER cast is for DuckDB's lpad; Trino widens it back to BIGINT.
    text = _text(value)
    length = exp.cast(exp.func("length", text), exp.DataType.build("INTEGER"))
    keep = column.keep_last
    start = exp.Add(this=length.copy(), expression=exp.Literal.number(1)) if keep == 0 else \
        exp.Sub(this=length.copy(), expression=exp.Literal.number(keep - 1))
    tail = exp.func("substr", text.copy(), start)
    masked = exp.func("lpad", tail, length.copy(), exp.Literal.string("*"))
    all_stars = exp.func("lpad", exp.Literal.string(""), length.copy(), exp.Literal.string("*"))
    return exp.case().when(exp.GT(this=length, expression=exp.Literal.number(keep)), masked) \
        .else_(all_stars)


def _email_domain(view: View, column: ViewColumn, value: Expr,
                  salt: str | None) -> Expr:
    domain = exp.func("split_part", _text(value), exp.Literal.string("@"),
                      exp.Literal.number(2))
    return exp.DPipe(this=exp.Literal.string("***@"), expression=domain)


def _null(view: View, column: ViewColumn, value: Expr,
          salt: str | None) -> Expr:
    return exp.cast(exp.null(), _data_type(view, column))


def _custom(view: View, column: ViewColumn, value: Expr,
            salt: str | None) -> Expr:
    return _expression(view, column.expression or "", f"column {column.name}")


_POLICIES: dict[str, Callable[[View, ViewColumn, Expr, str | None], Expr]] = {
    "hash": _hash, "redact": _redact, "partial": _partial,
    "email_domain": _email_domain, "null": _null, "custom": _custom,
}


# -- DDL -----------------------------------------------------------------------

def create_view(name: str, query: str) -> str:
    """``SECURITY DEFINER``: readers need no right on the raw table, which is
    the point of a masking view (it is Trino's default; written to be sure)."""
    return (f"CREATE OR REPLACE VIEW {quoted_name(name)} COMMENT "
            f"{string(managed_comment(name))} SECURITY DEFINER AS\n{query}")


def create_materialized_view(name: str, query: str) -> str:
    return (f"CREATE OR REPLACE MATERIALIZED VIEW {quoted_name(name)} COMMENT "
            f"{string(managed_comment(name))} AS\n{query}")


def refresh_materialized_view(name: str) -> str:
    return f"REFRESH MATERIALIZED VIEW {quoted_name(name)}"


def drop_view(name: str, materialized: bool) -> str:
    what = "MATERIALIZED VIEW" if materialized else "VIEW"
    return f"DROP {what} IF EXISTS {quoted_name(name)}"


# -- checks --------------------------------------------------------------------

def problems(view: View) -> list[tuple[tuple[str | int, ...], str]]:
    """Offline checks for validation: (path inside the view, message) pairs."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    if view.sql is not None:
        _collect(found, ("sql",), lambda: _checked_query(view, view.sql or ""))
        return found
    for i, column in enumerate(view.columns):
        path: tuple[str | int, ...] = ("columns", i)
        if column.mask == "custom":
            _collect(found, path + ("expression",), partial(_custom, view, column, exp.null(), None))
        elif column.mask == "null":
            _collect(found, path + ("type",), partial(_data_type, view, column))
    if view.where:
        _collect(found, ("where",), lambda: _expression(view, view.where or "", "where"))
    return found


def _collect(found: list, path: tuple, check: Callable[[], object]) -> None:
    try:
        check()
    except ViewSqlError as err:
        found.append((path, str(err)))


def _ident(name: str) -> exp.Identifier:
    return exp.to_identifier(name, quoted=True)


def _data_type(view: View, column: ViewColumn) -> exp.DataType:
    # sqlglot builds a type from a prefix and ignores the rest, so compare the
    # round trip: "varchar); drop table x" must not quietly become VARCHAR.
    try:
        built = exp.DataType.build(column.type, dialect=DIALECT)
    except (SqlglotError, ValueError):
        built = None
    squash = lambda text: "".join(text.split()).upper()  # noqa: E731
    if built is None or squash(built.sql(dialect=DIALECT)) != squash(column.type):
        raise ViewSqlError(f"view {view.name}: column {column.name}: "
                           f"not a Trino type: {column.type!r}")
    return built


def _expression(view: View, text: str, where: str) -> Expr:
    """Exactly one expression: ``x FROM y; DROP ...`` is refused, not pasted."""
    try:
        statements = sqlglot.parse(f"SELECT {text}", read=DIALECT)
    except SqlglotError as err:
        raise ViewSqlError(f"view {view.name}: {where}: cannot parse "
                           f"{text!r}: {first_line(err)}") from None
    select = statements[0] if len(statements) == 1 else None
    extra = [k for k, v in (select.args.items() if select else []) if v and k != "expressions"]
    if not isinstance(select, exp.Select) or len(select.expressions) != 1 or extra:
        raise ViewSqlError(f"view {view.name}: {where}: expected one SQL expression, "
                           f"got {text!r}")
    node = select.expressions[0]
    if isinstance(node, exp.Alias):
        raise ViewSqlError(f"view {view.name}: {where}: no alias here; the column's "
                           "name is its alias")
    _sandboxed(view, node, where)
    return node


def _sandboxed(view: View, node: exp.Expression, where: str) -> None:
    """Again here what validation refuses (``warehouse.sandbox``): no view is
    built that reads the warehouse process's environment or files."""
    for message, _ in sandbox.problems(node):
        raise ViewSqlError(f"view {view.name}: {where}: {message}")


def _checked_query(view: View, sql: str) -> str:
    """Parse back in Trino dialect: exactly one query, nothing else."""
    text = sql.strip().rstrip(";").strip()
    try:
        statements = [s for s in sqlglot.parse(text, read=DIALECT) if s is not None]
    except SqlglotError as err:
        # The parser quotes the text it failed on; generated SQL holds the salt.
        detail = first_line(err) if view.sql is not None else "generated SQL does not parse"
        raise ViewSqlError(f"view {view.name}: invalid Trino SQL: {detail}") from None
    if len(statements) != 1 or not isinstance(statements[0], exp.Query):
        raise ViewSqlError(f"view {view.name}: sql must be exactly one SELECT query")
    # sqlglot >= 30 types a parsed Query as an Expr, not an Expression.
    _sandboxed(view, cast(exp.Expression, statements[0]), "sql")
    return text
