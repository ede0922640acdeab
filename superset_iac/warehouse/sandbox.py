"""What free SQL may not do inside a warehouse process, as rules on sqlglot's AST.

``validate.sandbox`` reports them with file:line (``FUNCTION`` as Q010,
``TABLE`` as Q011), and
``warehouse.sqlgen`` refuses them again when it builds a view, so no path to
the warehouse skips them. The reasons, per warehouse, are in
``validate.sandbox``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlglot import exp

FUNCTION, TABLE = "function", "table"

_READERS = frozenset({
    "getenv", "current_setting", "getvariable", "read_text", "read_blob", "glob", "sniff_csv",
    "query", "query_table", "raw_query", "st_read", "load_aws_credentials", "which_secret",
    "http_get", "http_post"})
_READER_PREFIXES = ("read_", "parquet_", "duckdb_", "sqlite_", "postgres_", "mysql_",
                    "iceberg_", "delta_", "json_execute_serialized", "pragma_")
# What makes DuckDB read a table name it does not know as a file or URL
# (replacement scans): an extension, a path, a scheme, a glob.
_PATHLIKE = re.compile(r"[./\\:~*?]")


def problems(root: exp.Expression) -> Iterator[tuple[str, str]]:
    """(message, FUNCTION or TABLE) for each thing in ``root`` that could read
    the process's environment or files."""
    reported: set[int] = set()  # a table function is one problem, not two
    for node in root.walk():
        if id(node) in reported:
            continue
        if isinstance(node, exp.Func) and _reads_process(function_name(node)):
            yield (f"{function_name(node)}() reads the warehouse process's environment, "
                   "settings or files; it is refused in free SQL"), FUNCTION
        elif isinstance(node, exp.Table):
            reason = _not_a_table(node)
            if reason:
                reported.update(id(n) for n in node.walk())
                yield reason, TABLE


def function_name(node: exp.Func) -> str:
    """The function's name as written (lower case), for typed and unknown ones."""
    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    return node.sql_name().lower()


def _reads_process(name: str) -> bool:
    return name in _READERS or name.startswith(_READER_PREFIXES)


def _not_a_table(table: exp.Table) -> str | None:
    if isinstance(table.this, exp.Func):
        return (f"table function {function_name(table.this)}() in FROM: free SQL reads "
                "tables only (a table function can read files or pass raw SQL on)")
    parts = [p for p in (table.args.get("catalog"), table.args.get("db"), table.this)
             if isinstance(p, exp.Identifier)]
    for part in parts:
        if _PATHLIKE.search(str(part.this)):
            return (f"table name {str(part.this)!r} is not an identifier: DuckDB would open it "
                    "as a file")
    names = [str(p.this).lower() for p in parts]
    if len(names) == 3 and names[0] == "system":
        return "Trino's system catalog (running queries, view definitions) is refused"
    return None


