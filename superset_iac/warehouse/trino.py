"""Views in Trino, through the ``trino`` client's DBAPI.

Each statement is POSTed to ``/v1/statement`` and followed through
``nextUri`` until it finishes (``cursor.fetchall()``). A failure becomes one
``WarehouseError`` line naming the view, Trino's ``errorName`` and message,
with the salt masked (a parse error may quote the SQL around it).

Live definitions come from the catalog's ``information_schema.views``
(``view_definition`` is the query text exactly as created) and, for
materialized views, ``system.metadata.materialized_views.definition``;
comments (the managed marker) from ``system.metadata.table_comments`` and the
materialized view's own ``comment``. Three small queries per catalog, whatever
the number of views; ``SHOW CREATE VIEW`` (one query per view, reformatted
by Trino) is not needed.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable, Iterable

import requests
import trino.auth
import trino.dbapi
import trino.exceptions

from superset_iac.errors import ConfigError
from superset_iac.model.environment import Warehouse as WarehouseConfig
from superset_iac.warehouse import LiveView, ViewDdl, sqlgen
from superset_iac.warehouse.canonical import Target
from superset_iac.warehouse.errors import WarehouseError, WarehouseUnreachable, one_line, without_secrets

Row = list[Any]


class TrinoWarehouse:
    def __init__(self, config: WarehouseConfig, scope: Iterable[str] = (),
                 connect: Callable[..., Any] = trino.dbapi.connect) -> None:
        if not config.host:
            raise ConfigError("warehouse: a trino warehouse needs a host")
        self.config = config
        self.scope = list(scope)
        self.target = Target.of(config)
        self._connect = connect
        self._conn: Any = None

    # -- the protocol ------------------------------------------------------------
    def list_views(self, schemas: Iterable[str] | None = None) -> dict[str, LiveView]:
        by_catalog: dict[str, list[str]] = defaultdict(list)
        for name in self.scope if schemas is None else schemas:
            catalog, schema = name.split(".")
            by_catalog[catalog].append(schema)
        views: dict[str, LiveView] = {}
        for catalog, names in sorted(by_catalog.items()):
            views.update(self._catalog_views(catalog, sorted(set(names))))
        return views

    def create_or_replace(self, view: ViewDdl) -> None:
        make = sqlgen.create_materialized_view if view.materialized else sqlgen.create_view
        self._run(make(view.name, view.query), f"view {view.name}")

    def drop(self, name: str, materialized: bool = False) -> None:
        self._run(sqlgen.drop_view(name, materialized), f"view {name}")

    def refresh(self, name: str) -> None:
        self._run(sqlgen.refresh_materialized_view(name), f"view {name} (refresh)")

    # -- reading -----------------------------------------------------------------
    def _catalog_views(self, catalog: str, schemas: list[str]) -> dict[str, LiveView]:
        what = f"reading views of {catalog}"
        wanted = ", ".join(sqlgen.string(s) for s in schemas)
        in_catalog = f"catalog_name = {sqlgen.string(catalog)} AND schema_name IN ({wanted})"
        materialized = self._run(
            "SELECT schema_name, name, comment, definition "
            f"FROM system.metadata.materialized_views WHERE {in_catalog}", what)
        plain = self._run(
            "SELECT table_schema, table_name, view_definition "
            f"FROM {sqlgen.table(f'{catalog}.information_schema.views').sql(dialect='trino')} "
            f"WHERE table_schema IN ({wanted})", what)
        comments = {(r[0], r[1]): r[2] or "" for r in self._run(
            "SELECT schema_name, table_name, comment "
            f"FROM system.metadata.table_comments WHERE {in_catalog}", what)}
        views: dict[str, LiveView] = {}
        for schema, name, comment, definition in materialized:
            full = f"{catalog}.{schema}.{name}"
            views[full] = LiveView(full, definition or "", True,
                                   sqlgen.is_managed_comment(comment, full))
        for schema, name, definition in plain:
            full = f"{catalog}.{schema}.{name}"
            if full not in views:  # some Trino versions list materialized views here too
                views[full] = LiveView(full, definition or "", False,
                                       sqlgen.is_managed_comment(comments.get((schema, name)), full))
        return views

    # -- running -----------------------------------------------------------------
    def _connection(self) -> Any:
        if self._conn is None:
            c = self.config
            try:
                self._conn = self._connect(
                    host=c.host, port=c.port, user=c.user or "superset-iac",
                    catalog=c.catalog, http_scheme=c.http_scheme, auth=self._auth(),
                    verify=c.verify_tls, max_attempts=3, source="superset-iac")
            except trino.exceptions.TrinoAuthError:
                raise ConfigError(f"warehouse: Trino authentication ({c.auth}) needs "
                                  "http_scheme: https") from None
        return self._conn

    def _auth(self) -> Any:
        c = self.config
        if c.auth == "basic":
            if not (c.user and c.password):
                raise ConfigError("warehouse: basic auth needs user and password")
            return trino.auth.BasicAuthentication(c.user, c.password)
        if c.auth == "jwt":
            if not c.jwt_token:
                raise ConfigError("warehouse: jwt auth needs jwt_token")
            return trino.auth.JWTAuthentication(c.jwt_token)
        return None

    def _run(self, sql: str, what: str) -> list[Row]:
        """One statement to completion; any failure is one line naming ``what``."""
        try:
            cursor = self._connection().cursor()
            cursor.execute(sql)
            return cursor.fetchall()
        except trino.exceptions.TrinoQueryError as err:
            raise WarehouseError(self._clean(
                f"{what}: Trino {err.error_name or 'error'}: {err.message}")) from None
        except (trino.exceptions.HttpError, trino.exceptions.OperationalError,
                requests.RequestException) as err:
            c = self.config
            raise WarehouseUnreachable(self._clean(
                f"{what}: Trino at {c.http_scheme}://{c.host}:{c.port} failed: "
                f"{one_line(err)}")) from None

    def _clean(self, message: str) -> str:
        return without_secrets(message, [self.target.salt, self.config.password,
                                         self.config.jwt_token])
