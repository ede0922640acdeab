"""Views in the embedded DuckDB lakehouse: the local stand-in for Trino.

The same Trino SQL is transpiled with sqlglot (``canonical.to_dialect``) and
its catalogs renamed through ``warehouse.catalogs`` (``hive_prod`` ->
``lakehouse``). The file is ATTACHed under that local catalog name, whatever
the file is called; DuckDB stores a view's table names without its own
catalog, so Superset opening the file directly reads the same views.

Locking: Superset opens the file read-only; a DuckDB file has either one
writer or any number of readers. Reading (diff) attaches it read-only;
writing (apply) attaches it read-write for one statement batch and closes it
at once. A lock held elsewhere is retried for a few seconds, then reported in
one line naming the process DuckDB says holds it.

Materialized views: DuckDB has none. The stand-in is a *table* filled with
``CREATE OR REPLACE TABLE … AS <query>`` (CTAS), whose comment holds the
managed marker and the query, so diff reads the definition back from the
comment. It is recreated (so refreshed) whenever apply creates or updates it,
and on every ``refresh``; its data is a snapshot taken then, and an edit to the
table's rows is not drift that diff can see.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import duckdb

from superset_iac.errors import ConfigError
from superset_iac.model.environment import Warehouse as WarehouseConfig
from superset_iac.warehouse import LiveView, ViewDdl, sqlgen
from superset_iac.warehouse.canonical import Target, to_dialect
from superset_iac.warehouse.errors import WarehouseError, one_line, without_secrets

DIALECT = "duckdb"
LOCK_RETRY_SECONDS = 5.0
_LOCK_MESSAGE = "Could not set lock on file"


class DuckDBWarehouse:
    # A stand-in table is filled by the CTAS that creates it.
    fresh_on_create = True

    def __init__(self, config: WarehouseConfig, scope: Iterable[str] = (), *,
                 lock_wait: float = LOCK_RETRY_SECONDS,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if not config.path:
            raise ConfigError("warehouse: a duckdb warehouse needs path (the lakehouse file)")
        self.path = Path(config.path)
        self.scope = list(scope)
        self.target = Target.of(config)
        targets = sorted(set(config.catalogs.values()))
        if len(targets) > 1:
            raise ConfigError("warehouse: a duckdb file is one catalog; catalogs maps to "
                              f"{', '.join(targets)}")
        self.catalog = targets[0] if targets else (config.catalog or "lakehouse")
        self._lock_wait = lock_wait
        self._sleep = sleep

    # -- the protocol ------------------------------------------------------------
    def list_views(self, schemas: Iterable[str] | None = None) -> dict[str, LiveView]:
        wanted = {self._local(schema) for schema in (self.scope if schemas is None else schemas)}
        if not wanted:
            return {}
        views: dict[str, LiveView] = {}
        with self._open(read_only=True, what="reading views") as con:
            for db, schema, name, sql, comment in con.execute(
                    "SELECT database_name, schema_name, view_name, sql, comment "
                    "FROM duckdb_views() WHERE NOT internal AND database_name = ?",
                    [self.catalog]).fetchall():
                if f"{db}.{schema}" in wanted:
                    full = self._trino(f"{db}.{schema}.{name}")
                    views[full] = LiveView(full, sql, False,
                                           sqlgen.is_managed_comment(comment, full))
            for db, schema, name, comment in con.execute(
                    "SELECT database_name, schema_name, table_name, comment "
                    "FROM duckdb_tables() WHERE database_name = ?", [self.catalog]).fetchall():
                full = self._trino(f"{db}.{schema}.{name}")
                if f"{db}.{schema}" in wanted and sqlgen.is_managed_comment(comment, full):
                    views[full] = LiveView(full, _stand_in_query(comment), True, True)
        return views

    def create_or_replace(self, view: ViewDdl) -> None:
        local = self._quoted(view.name)
        query = to_dialect(view.query, self.target)
        marker = sqlgen.managed_comment(view.name)
        if view.materialized:
            statements = [f"CREATE OR REPLACE TABLE {local} AS {query}",
                          f"COMMENT ON TABLE {local} IS {_string(marker + chr(10) + query)}"]
        else:
            statements = [f"CREATE OR REPLACE VIEW {local} AS {query}",
                          f"COMMENT ON VIEW {local} IS {_string(marker)}"]
        self._write(statements, f"view {view.name}")

    def drop(self, name: str, materialized: bool = False) -> None:
        local = self._quoted(name)
        if not materialized:
            self._write([f"DROP VIEW IF EXISTS {local}"], f"view {name}")
            return
        # Only ever drop a table that is our stand-in, never a raw table.
        stand_ins = self.list_views([name.rsplit(".", 1)[0]])
        if name in stand_ins and stand_ins[name].materialized:
            self._write([f"DROP TABLE IF EXISTS {local}"], f"view {name}")

    def refresh(self, name: str) -> None:
        """Recreate the stand-in table from the query kept in its comment."""
        live = self.list_views([name.rsplit(".", 1)[0]]).get(name)
        if live is None or not live.materialized:
            raise WarehouseError(f"view {name} (refresh): no materialized stand-in table")
        local = self._quoted(name)
        comment = sqlgen.managed_comment(name) + "\n" + live.sql
        self._write([f"CREATE OR REPLACE TABLE {local} AS {live.sql}",
                     f"COMMENT ON TABLE {local} IS {_string(comment)}"], f"view {name} (refresh)")

    # -- names -------------------------------------------------------------------
    def _local(self, name: str) -> str:
        """``hive_prod.s[.v]`` -> ``lakehouse.s[.v]``; other catalogs are refused."""
        catalog, rest = name.split(".", 1)
        local = self.target.local_catalog(catalog)
        if local != self.catalog:
            raise ConfigError(f"{name}: catalog '{catalog}' is not the DuckDB file's "
                              f"catalog '{self.catalog}' (see warehouse.catalogs)")
        return f"{local}.{rest}"

    def _trino(self, local: str) -> str:
        catalog, rest = local.split(".", 1)
        return f"{self.target.trino_catalog(catalog)}.{rest}"

    def _quoted(self, name: str) -> str:
        return sqlgen.table(self._local(name)).sql(dialect=DIALECT)

    # -- connections ---------------------------------------------------------------
    def _write(self, statements: list[str], what: str) -> None:
        with self._open(read_only=False, what=what) as con:
            try:
                con.execute("BEGIN TRANSACTION")
                for statement in statements:
                    con.execute(statement)
                con.execute("COMMIT")
            except duckdb.Error as err:
                raise WarehouseError(without_secrets(f"{what}: DuckDB: {err}",
                                                     [self.target.salt])) from None

    @contextmanager
    def _open(self, read_only: bool, what: str) -> Iterator[Any]:
        if not self.path.is_file():
            raise ConfigError(f"warehouse: DuckDB file {self.path} does not exist "
                              "(build it: make lakehouse)")
        con = duckdb.connect(":memory:")
        try:
            self._attach(con, read_only, what)
            yield con
        finally:
            con.close()

    def _attach(self, con: Any, read_only: bool, what: str) -> None:
        mode = " (READ_ONLY)" if read_only else ""
        statement = f"ATTACH {_string(str(self.path))} AS {_ident(self.catalog)}{mode}"
        deadline = time.monotonic() + self._lock_wait
        while True:
            try:
                con.execute(statement)
                return
            except duckdb.Error as err:
                if _LOCK_MESSAGE not in str(err):
                    raise WarehouseError(f"{what}: DuckDB {self.path}: {one_line(err)}") from None
                if time.monotonic() >= deadline:
                    raise WarehouseError(
                        f"{what}: DuckDB file {self.path} is locked by another process "
                        f"({_holder(err)}); a DuckDB file has one writer or many readers: "
                        "stop the writer (or a Superset holding it read-write) and retry") from None
                self._sleep(0.25)


def _stand_in_query(comment: str) -> str:
    return comment.split("\n", 1)[1] if "\n" in comment else ""


def _string(value: str) -> str:
    return sqlgen.string(value, DIALECT)


def _ident(name: str) -> str:
    from sqlglot import exp

    return exp.to_identifier(name, quoted=True).sql(dialect=DIALECT)


def _holder(err: Exception) -> str:
    text = str(err)
    start = text.find("Conflicting lock is held in ")
    if start < 0:
        return "holder unknown"
    detail = text[start + len("Conflicting lock is held in "):]
    return f"held by {detail.split(')', 1)[0].strip()})"
