"""SQL text -> sqlglot trees (Trino dialect), with problems located by line.

Pure functions, no tree or spec: ``validate.index`` caches what they return
per asset tree, so each piece of SQL is parsed once per run.

A problem is ``(line, col, message)`` with 0-based line and column inside the
text as written: Jinja is rendered by ``validate.jinja`` with newlines kept,
so the rendered text's lines are the source's lines.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError, SqlglotError, TokenError
from sqlglot.tokens import Token, TokenType

from superset_iac.validate import jinja

DIALECT = "trino"
# sqlglot logs "falling back to parsing as a Command" through the root
# logger's last-resort handler: the diagnostic says it better.
logging.getLogger("sqlglot").setLevel(logging.ERROR)

Problem = tuple[int, int, str]

# Nodes that write or change something; none belongs in a read-only query.
_WRITES: tuple[type[exp.Expression], ...] = (
    exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.Create, exp.Drop, exp.Alter,
    exp.TruncateTable, exp.Command, exp.Grant, exp.Set, exp.Use, exp.Comment)
# Expressions that are values, never conditions (``WHERE price`` or ``WHERE a + b``).
_NOT_PREDICATES: tuple[type, ...] = (
    exp.Column, exp.Literal, exp.Null, exp.Star, exp.Add, exp.Sub, exp.Mul, exp.Div,
    exp.Mod, exp.DPipe, exp.Neg, exp.BitwiseAnd, exp.BitwiseOr, exp.BitwiseXor,
    exp.AggFunc, exp.Identifier)


@dataclass
class Parsed:
    """One piece of SQL: its statements, or the first problem found."""

    text: str
    statements: list[exp.Expression] = field(default_factory=list)
    starts: list[tuple[int, int]] = field(default_factory=list)  # each statement's line, col
    problem: Problem | None = None
    templated: bool = False

    @property
    def single(self) -> exp.Expression | None:
        return self.statements[0] if self.problem is None and len(self.statements) == 1 else None


def _dialect() -> Dialect:
    return Dialect.get_or_raise(DIALECT)


def line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset)
    return line, offset - (text.rfind("\n", 0, offset) + 1)


def parse(text: str, templated: bool = True) -> Parsed:
    """Jinja placeholders rendered (Superset's SQL; not warehouse views, which
    Trino runs as written), then tokenized and parsed once."""
    rendered = jinja.render(text) if templated else jinja.Rendered(text)
    parsed = Parsed(rendered.text, templated=rendered.templated)
    tag = None if templated else jinja.first_tag(text)
    if tag is not None:
        # sqlglot would read ``{{ x }}`` as a struct literal; Trino refuses it.
        parsed.problem = (*line_col(text, tag), "Jinja is not rendered here: "
                          "the warehouse runs this SQL as written")
        return parsed
    if rendered.problems:
        line, message = rendered.problems[0]
        parsed.problem = (line, 0, f"Jinja: {message}")
        return parsed
    dialect = _dialect()
    try:
        tokens = dialect.tokenize(rendered.text)
        statements = dialect.parser().parse(tokens, rendered.text)
    except TokenError:
        parsed.problem = _tokenize_problem(rendered.text)
        return parsed
    except ParseError as err:
        parsed.problem = _parse_problem(rendered.text, err)
        return parsed
    except SqlglotError as err:  # any other refusal is still a syntax problem
        parsed.problem = (0, 0, _first_line(err))
        return parsed
    except RecursionError:
        parsed.problem = (0, 0, "nested too deeply to parse")
        return parsed
    except Exception as err:  # noqa: BLE001 - sqlglot failing on odd input is still bad input
        parsed.problem = (0, 0, f"cannot parse: {type(err).__name__}: {_first_line(err)}")
        return parsed
    parsed.starts = _statement_starts(rendered.text, tokens)
    parsed.statements = [s for s in statements if s is not None]  # type: ignore[misc]
    return parsed


def _statement_starts(text: str, tokens: list[Token]) -> list[tuple[int, int]]:
    """Position of the first token of each statement (after each ``;``)."""
    starts: list[tuple[int, int]] = []
    expect = True
    for token in tokens:
        if token.token_type == TokenType.SEMICOLON:
            expect = True
        elif expect:
            starts.append(line_col(text, token.start))
            expect = False
    return starts


def _parse_problem(text: str, err: ParseError) -> Problem:
    info = err.errors[0] if err.errors else {}
    description = str(info.get("description") or _first_line(err))
    description = description.split(". Line ")[0]
    if description.startswith("Required keyword"):  # sqlglot's internals: an operand is missing
        description = "incomplete expression"
    if "SENTINEL" in description or "but got <Token" in description:
        description = description.split(" but got ")[0] + " at the end"
    line = int(info.get("line") or 1) - 1
    col_end = int(info.get("col") or 1)
    highlight = str(info.get("highlight") or "")
    col = max(col_end - len(highlight), 0)
    near = f" near '{highlight}'" if highlight else ""
    return line, col, f"{description}{near}"


_UNCLOSED = {"'": "unterminated string", '"': "unterminated quoted identifier",
             "/*": "unterminated comment"}


def _tokenize_problem(text: str) -> Problem:
    """sqlglot's TokenError only quotes context; find the unclosed quote ourselves."""
    scanner = jinja.SqlScanner()
    scanner.feed(text)
    if scanner.state in _UNCLOSED:
        return (*line_col(text, scanner.opened), _UNCLOSED[scanner.state])
    return 0, 0, "cannot split the SQL into tokens"


def _first_line(err: Exception) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


# -- what a parsed statement is ---------------------------------------------------

_NODES = "superset_iac.nodes"


class _ByType(dict):
    """Nodes of one tree by class. A copy of the tree (sqlglot copies before
    generating SQL) starts without it: the nodes listed are the original's."""

    def __deepcopy__(self, memo: dict) -> "_ByType":
        return _ByType()


def nodes(root: exp.Expression, *types: type) -> list[Any]:
    """Every node of ``root`` that is one of ``types``.

    Several checks ask one tree for its tables, CTEs, columns and writes:
    walking it once and keeping the nodes by class in the root's ``meta``
    (sqlglot's slot for caller data) makes each later question a lookup.
    """
    by_type = root.meta.get(_NODES)
    if not by_type:
        by_type = _ByType()
        for node in root.walk():
            by_type.setdefault(type(node), []).append(node)
        root.meta[_NODES] = by_type
    return [n for cls, found in by_type.items() if issubclass(cls, types) for n in found]


def query_problem(node: exp.Expression) -> str | None:
    """Why ``node`` is not exactly one read-only query, or None."""
    if not isinstance(node, exp.Query):
        return f"not a read-only query: {_kind(node)}"
    if isinstance(node, exp.Select) and node.args.get("into"):
        return "not a read-only query: SELECT ... INTO creates a table"
    writes = nodes(node, *_WRITES)
    if writes:
        return f"not a read-only query: contains {_kind(writes[0])}"
    return None


def _kind(node: exp.Expression) -> str:
    if isinstance(node, exp.Alias) and isinstance(node.this, exp.Column):
        return f"'{node.sql(dialect=DIALECT)}' (a misspelt keyword?)"
    if isinstance(node, exp.Command):
        return f"{str(node.this).upper()} statement"
    words = {exp.Create: "CREATE", exp.Drop: "DROP", exp.Insert: "INSERT", exp.Update: "UPDATE",
             exp.Delete: "DELETE", exp.Merge: "MERGE", exp.Alter: "ALTER",
             exp.TruncateTable: "TRUNCATE", exp.Grant: "GRANT", exp.Set: "SET", exp.Use: "USE"}
    for cls, word in words.items():
        if isinstance(node, cls):
            return f"{word} statement"
    return f"an expression ({node.sql(dialect=DIALECT)[:40]})"


def expression_problem(parsed: Parsed) -> Problem | None:
    """Why ``parsed`` is not exactly one plain expression, or None."""
    if parsed.problem:
        return parsed.problem
    if not parsed.statements:
        return 0, 0, "empty expression"
    if len(parsed.statements) > 1:
        line, col = parsed.starts[1] if len(parsed.starts) > 1 else (0, 0)
        return line, col, "more than one statement; expected one expression"
    node = parsed.statements[0]
    if isinstance(node, exp.Alias):
        return 0, 0, f"unexpected alias '{node.alias}': give the name in `name`, not AS"
    if isinstance(node, (exp.Query, *_WRITES)) or nodes(node, *_WRITES):
        return 0, 0, "expected an expression, got a statement"
    return None


def predicate_problem(node: exp.Expression) -> str | None:
    """Why ``node`` cannot be a WHERE condition, or None.

    Only what certainly yields no boolean is refused: a column, a literal, an
    arithmetic or an aggregate. A function call might return a boolean.
    """
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Boolean):
        return None
    if isinstance(node, _NOT_PREDICATES):
        return f"not a boolean condition: {node.sql(dialect=DIALECT)[:60]}"
    return None


# -- what a query reads and returns -------------------------------------------------

@dataclass(frozen=True)
class TableRef:
    """A table as written: parts lowercased (Trino folds unquoted names), '' if absent."""

    catalog: str
    schema: str
    name: str


def tables_read(query: exp.Expression) -> list[TableRef]:
    """Tables a query reads (none if it is not a query), CTE names and Jinja
    placeholders left out."""
    if not isinstance(query, exp.Query):
        return []
    ctes = {cte.alias_or_name.lower() for cte in nodes(query, exp.CTE)}
    out: list[TableRef] = []
    for table in nodes(query, exp.Table):
        ref = TableRef(table.catalog.lower(), table.db.lower(), table.name.lower())
        if not ref.name or ref.name == jinja.PLACEHOLDER or (not ref.schema and ref.name in ctes):
            continue
        if ref not in out:
            out.append(ref)
    return out


STAR = "*"


def projection(query: exp.Expression) -> list[str] | None:
    """Output column names (lowercase) of a query; ``["*"]`` if it selects every
    column of its one table; None if they cannot be known offline.

    Unknown: ``t.*`` or ``*`` over a join (which tables' columns, in which
    order, only the database knows), and an unaliased expression such as
    ``COUNT(*)``, whose name is the database's choice (``count`` on
    PostgreSQL, ``_col0`` on Trino, the SQL text on SQLite).
    """
    node: Any = query
    while isinstance(node, (exp.SetOperation, exp.Subquery)):
        node = node.this if isinstance(node, exp.Subquery) else node.left
    if not isinstance(node, exp.Select):
        return None
    names: list[str] = []
    for item in node.expressions:
        if isinstance(item, exp.Star):
            return None if node.args.get("joins") else [STAR]
        if isinstance(item, exp.Column) and item.is_star:
            return None
        name = item.alias if isinstance(item, exp.Alias) else \
            item.name if isinstance(item, exp.Column) else ""
        if not name:
            return None
        if name != jinja.PLACEHOLDER:
            names.append(name.lower())
    return names


def column_refs(node: exp.Expression) -> list[str]:
    """Unqualified columns an expression names (lowercase), not inside subqueries."""
    out: list[str] = []
    for column in nodes(node, exp.Column):
        if column.table or column.is_star or column.find_ancestor(exp.Select):
            continue
        name = column.name.lower()
        if name and name != jinja.PLACEHOLDER and name not in out:
            out.append(name)
    return out
