"""One notion of "the same view": canonical SQL through sqlglot.

Plan, apply and the view handler compare a view's *definition as the
warehouse stores it*, not its YAML. Both sides go through ``canonical``:

* desired: YAML -> Trino SQL (``sqlgen``) -> the warehouse dialect
  (``to_dialect``: identity for Trino; sqlglot transpile plus the catalog
  mapping for DuckDB);
* live: the stored text (Trino ``view_definition``, DuckDB ``duckdb_views()``).

``canonical`` then parses with the warehouse's dialect and removes what a
warehouse rewrites without changing meaning: identifier case and quoting,
redundant parentheses (DuckDB adds many), ``x AS x`` aliases, the view's own
catalog on table names (DuckDB drops it), SQL comments (both drop them),
whitespace and keyword case. Nested
operators are re-parenthesised explicitly, so ``(a + b) * c`` and
``a + (b * c)`` never collide.

The hash salt is part of the SQL. ``mask_salts`` replaces every string literal
inside a SHA function with a placeholder before anything is shown; only a
short digest of it is compared (the SECRET ``mask_salt`` field), so a rotated
salt is a change that renders as ``(sensitive)``.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

from superset_iac.model.refs import MASK
from superset_iac.model.view_target import Target
from superset_iac.warehouse import sqlgen
from superset_iac.warehouse.errors import ViewSqlError, first_line

if TYPE_CHECKING:
    from superset_iac.model.view import View

__all__ = ["NO_SALT", "Target", "canonical", "compared_definition", "mask_salts", "to_dialect"]

_SIMPLE_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")
# Functions whose string arguments are salts in our hash policy (and, in
# hand-written SQL, most likely salts too): never shown.
_HASHES = (exp.SHA2, exp.SHA2Digest, exp.SHA, exp.MD5)
# Compared in place of the salt when the environment has none (validate,
# plans without an environment): creating such a view fails in sqlgen.
NO_SALT = "\0no-salt"


def to_dialect(trino_sql: str, target: Target) -> str:
    """Trino SQL as the target warehouse runs it (catalogs renamed)."""
    if target.dialect == "trino" and not target.catalogs:
        return trino_sql
    tree = _parse(trino_sql, "trino")
    for table in tree.find_all(exp.Table):
        if table.catalog:
            table.set("catalog", exp.to_identifier(target.local_catalog(table.catalog),
                                                   quoted=True))
    return tree.sql(dialect=target.dialect)


def canonical(sql: str, dialect: str, home_catalog: str | None = None) -> exp.Expression:
    """The query of ``sql`` (a SELECT or a CREATE VIEW), normalised."""
    tree = _parse(sql, dialect)
    if isinstance(tree, exp.Create):
        tree = tree.expression
    tree = normalize_identifiers(tree, dialect=dialect)
    for node in tree.walk():
        node.comments = None  # neither Trino nor DuckDB keeps SQL comments
    for paren in list(tree.find_all(exp.Paren)):
        if not isinstance(paren.this, exp.Query):
            paren.replace(paren.this)
    for table in tree.find_all(exp.Table):
        if home_catalog and table.catalog.lower() == home_catalog.lower():
            table.set("catalog", None)
    _negations_as_not(tree)
    _same_meaning(tree, dialect)
    if isinstance(tree, exp.Select):
        tree.set("expressions", [_drop_self_alias(e) for e in tree.expressions])
    for node in list(tree.find_all(exp.Expression)):
        _reparen(node)
    for ident in tree.find_all(exp.Identifier):
        ident.set("quoted", not _SIMPLE_IDENT.match(ident.name))
    return tree


def mask_salts(tree: exp.Expression) -> tuple[exp.Expression, list[str]]:
    """Replace string literals inside hash functions; return their digests."""
    digests: list[str] = []
    for node in list(tree.find_all(*_HASHES)):
        for literal in list(node.find_all(exp.Literal, exp.UnicodeString)):
            if isinstance(literal, exp.UnicodeString) or \
                    (literal.is_string and literal.arg_key != "charset"):  # encode(x, 'utf-8')
                digests.append(salt_digest(literal.this))
                literal.replace(exp.Literal.string(MASK))
    return tree, digests


def salt_digest(salt: str) -> str:
    return hashlib.sha256(salt.encode()).hexdigest()[:16]


def render(tree: exp.Expression, dialect: str) -> str:
    return tree.sql(dialect=dialect)


def decompose(tree: exp.Expression, dialect: str) -> dict[str, Any]:
    """The definition as the plan shows it: one entry per output column when
    the query is a plain SELECT (so a changed mask is one line of the plan),
    else the whole SQL."""
    if not isinstance(tree, exp.Select) or tree.args.get("distinct") or tree.args.get("with"):
        return {"sql": render(tree, dialect)}
    columns = [{"name": _output_name(e, dialect), "sql": render(e.unalias(), dialect)}
               for e in tree.expressions]
    rest = tree.copy()
    rest.set("expressions", [exp.Star()])
    body = render(rest, dialect)[len("SELECT *"):].strip()
    return {"columns": columns, "from": body}


def compared_definition(view: "View") -> dict[str, Any]:
    """The compared part of a view: its canonical definition and salt digest."""
    target = view.target or Target()
    home = target.local_catalog(view.name.split(".")[0])
    if view.stored:
        try:
            tree = canonical(view.sql or "", target.dialect, home)
        except ViewSqlError:
            # Shown as a change (apply replaces it), never as a crash; the
            # parser's message could quote the text, salt included.
            return {"definition": {"sql": "(stored definition sqlglot cannot read)"}}
    else:
        sql = to_dialect(sqlgen.query_sql(view, target.salt or NO_SALT), target)
        tree = canonical(sql, target.dialect, home)
    tree, digests = mask_salts(tree)
    data: dict[str, Any] = {"definition": decompose(tree, target.dialect)}
    if digests:
        data["mask_salt"] = ",".join(sorted(set(digests)))
    return data


# -- helpers -------------------------------------------------------------------

def _parse(sql: str, dialect: str) -> exp.Expression:
    try:
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except SqlglotError as err:
        raise ViewSqlError(f"cannot parse SQL ({dialect}): {first_line(err)}") from None
    if len(statements) != 1:
        raise ViewSqlError(f"expected one SQL statement, got {len(statements)}")
    statement = statements[0]
    if not isinstance(statement, exp.Expression):  # parse() is typed as any sqlglot node
        raise ViewSqlError(f"cannot parse SQL ({dialect}): not a statement")
    return statement


# DuckDB keeps a view's text after its own rewrites; each is undone here on
# both sides (idempotent, and harmless for Trino text, which is kept verbatim).
_TO_UNIT = re.compile(r"^TO_(YEAR|MONTH|WEEK|DAY|HOUR|MINUTE|SECOND|MILLISECOND|MICROSECOND)S$")
_TIMESTAMP_PRECISION = {0: exp.DataType.Type.TIMESTAMP_S, 3: exp.DataType.Type.TIMESTAMP_MS,
                        6: exp.DataType.Type.TIMESTAMP, 9: exp.DataType.Type.TIMESTAMP_NS}


def _same_meaning(tree: exp.Expression, dialect: str) -> None:
    rewrite = _rewrite_trino if dialect == "trino" else _rewrite
    for node in list(tree.find_all(exp.Expression)):
        replacement = rewrite(node)
        if replacement is not node:
            node.replace(replacement)


# Trino keeps a view as its formatter prints the query (SqlFormatter): every
# operator parenthesised, ``a || b`` as ``concat(a, b)``, decimals as
# ``DECIMAL '1.5'``, doubles as ``1.5E0``, non-ASCII text as ``U&'caf\00E9'``.
_UNICODE_ESCAPE = re.compile(r"\\(\+[0-9A-Fa-f]{6}|[0-9A-Fa-f]{4}|\\)")


def _rewrite_trino(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Concat) and len(node.expressions) == 2:  # same function in Trino
        return exp.DPipe(this=node.expressions[0], expression=node.expressions[1], safe=False)
    if isinstance(node, exp.UnicodeString) and not node.args.get("escape"):
        return exp.Literal.string(_UNICODE_ESCAPE.sub(_unescape, node.this))
    if isinstance(node, exp.Cast) and node.to.is_type(exp.DataType.Type.DECIMAL) \
            and not node.to.expressions and isinstance(node.this, exp.Literal) \
            and node.this.is_string and _NUMBER.match(node.this.name):
        return exp.Literal.number(node.this.name)
    if isinstance(node, exp.Literal) and not node.is_string and "e" in node.name.lower():
        return exp.Literal.number(f"{float(node.name)!r}E0")
    return _rewrite(node)


_NUMBER = re.compile(r"^-?\d+(\.\d*)?$")


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    return "\\" if code == "\\" else chr(int(code.lstrip("+"), 16))


def _rewrite(node: exp.Expression) -> exp.Expression:
    name = _func_name(node)
    if name == "COUNT_STAR" and not node.expressions:  # count(*)
        return exp.Count(this=exp.Star())
    if isinstance(node, exp.Extract):  # EXTRACT(year FROM x) is date_part('YEAR', x)
        return exp.Anonymous(this="DATE_PART", expressions=[
            exp.Literal.string(node.name.upper()), node.expression])
    if name == "DATE_PART" and node.expressions and node.expressions[0].is_string:
        node.expressions[0].replace(exp.Literal.string(node.expressions[0].name.upper()))
    unit = _TO_UNIT.match(name)
    if unit:  # INTERVAL '1' DAY is stored as to_days(CAST(trunc(CAST('1' AS DOUBLE)) AS INT))
        value = node.this if node.this is not None else (node.expressions or [None])[0]
        while isinstance(value, (exp.Cast, exp.Trunc)) or _func_name(value) == "TRUNC":
            value = value.this if value.this is not None else value.expressions[0]
        if isinstance(value, exp.Literal):
            return exp.Interval(this=exp.Literal.string(value.name), unit=exp.var(unit.group(1)))
    if isinstance(node, exp.Interval) and isinstance(node.this, exp.Literal):
        node.set("this", exp.Literal.string(node.this.name))
    if isinstance(node, exp.DataType) and node.is_type(*exp.DataType.TEMPORAL_TYPES) \
            and len(node.expressions) == 1:
        precision = node.expressions[0].this
        if isinstance(precision, exp.Literal) and int(precision.name) in _TIMESTAMP_PRECISION \
                and node.is_type(exp.DataType.Type.TIMESTAMP, exp.DataType.Type.TIMESTAMPNTZ):
            return exp.DataType(this=_TIMESTAMP_PRECISION[int(precision.name)])
    # JOIN is INNER JOIN, LEFT JOIN is LEFT OUTER JOIN
    if isinstance(node, exp.Join) and (node.kind or "").upper() in ("INNER", "OUTER"):
        node.set("kind", None)
    if isinstance(node, exp.Subquery) and not node.alias:
        inner = node.this
        if isinstance(node.parent, (exp.From, exp.Join)):
            return _flat_joins(node)  # FROM ((a JOIN b ON ...) JOIN c ON ...)
        if isinstance(node.parent, exp.SetOperation) and isinstance(inner, exp.Select) \
                and not any(inner.args.get(k) for k in ("order", "limit", "offset")):
            return inner  # (SELECT ...) UNION ALL (SELECT ...)
    if isinstance(node, exp.EQ) and isinstance(node.expression, exp.Any) \
            and isinstance(node.expression.this, exp.Subquery):  # a = ANY (SELECT) is a IN
        return exp.In(this=node.this, query=node.expression.this)
    return node


def _negations_as_not(tree: exp.Expression) -> None:
    """``a NOT LIKE b`` as ``NOT (a LIKE b)``: Trino stores the second form
    (sqlglot reads the first as LIKE with ``negate``)."""
    for node in list(tree.find_all(exp.Like, exp.ILike, exp.Is)):
        if node.args.get("negate"):
            node.set("negate", None)
            wrapper = exp.Not(this=exp.null())
            node.replace(wrapper)
            wrapper.set("this", node)


def _flat_joins(node: exp.Subquery) -> exp.Expression:
    """``((a JOIN b) JOIN c)`` as ``a JOIN b JOIN c``: joins associate left."""
    inner = node.this
    if isinstance(inner, exp.Subquery) and not inner.alias:
        inner = _flat_joins(inner)
    joins = [*(inner.args.get("joins") or []), *(node.args.get("joins") or [])] \
        if isinstance(inner, exp.Table) else []
    if not joins:
        return node
    inner.set("joins", joins)
    return inner


def _func_name(node: exp.Expression | None) -> str:
    if isinstance(node, exp.Anonymous):
        return node.name.upper()
    return node.sql_name() if isinstance(node, exp.Func) else ""


def _is_operator(node: exp.Expression) -> bool:
    if isinstance(node, (exp.Paren, exp.Alias)):
        return False
    return isinstance(node, (exp.Binary, exp.Unary, exp.Between, exp.In))


def _reparen(node: exp.Expression) -> None:
    """Parenthesise operator operands of operators, so structure shows in text."""
    if not _is_operator(node):
        return
    for key in ("this", "expression"):
        child = node.args.get(key)
        if isinstance(child, exp.Expression) and _is_operator(child):
            node.set(key, exp.Paren(this=child))


def _drop_self_alias(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Alias) and isinstance(node.this, exp.Column) \
            and node.this.name == node.alias:
        return node.this
    return node


def _output_name(node: exp.Expression, dialect: str) -> str:
    if isinstance(node, (exp.Alias, exp.Column)):
        return node.alias_or_name
    return render(node, dialect)  # an unnamed expression is named by its text
