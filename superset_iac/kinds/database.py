"""Database connections: ``/api/v1/database/``.

Reading. The list returns neither the URI nor ``cache_timeout``,
``impersonate_user`` or the managed marker, so each database in the tree is
read with ``GET /database/{id}/connection``, the one endpoint that returns
the URI (password masked) together with every compared field. A diff costs

    1 list request + 1 per database in the tree that exists on the server

(the database list is not capped at 100 rows). Export, which has no tree,
reads the connection of every database. Databases outside the tree keep a
summary spec (name only): the plan needs nothing else of them.

Ownership. Lists return ``uuid`` but never ``external_url``, so a database
created here gets the uuid ``managed_uuid("database", name)``; a row whose
uuid matches its name is managed, and only those are ever pruned. The usual
``is_managed_externally``/``external_url`` are written too, for the UI.

Passwords. The desired URI carries the real password (from ``${VAR}``);
``Database.compared`` masks it as Superset does. A create sends the real URI.
An update sends the URI with the password masked, which keeps the stored
password, unless the server holds none yet; so changing only a password in
the environment is not applied (Superset cannot tell us it differs).

Rotation. ``--rotate-passwords`` plans an update of every database whose URI
carries a password (``Change.rotate``, the field ``uri.password`` shown as
``(sensitive)``), and that update sends the real URI. Superset tests the
connection before it saves (``UpdateDatabaseCommand``), so a wrong password
fails as one ``WriteFailed`` line naming the database, with the password
redacted, and the stored one stays.

Export. A file never holds a password: the URI's becomes
``${<DATABASE>_PASSWORD}`` (``export.secrets``), and a changed value that the
environment exported from overrides goes into that override.
"""

from __future__ import annotations

import json
from typing import Any

from superset_iac.export.secrets import template_uri, variable_for
from superset_iac.kinds.base import Context, Rewrite
from superset_iac.kinds.rest import RestHandler, failing_as, json_object, managed_uuid
from superset_iac.model.base import Spec
from superset_iac.model.database import Database
from superset_iac.model.refs import variables_in
from superset_iac.secrets import has_password, masked_uri, uri_passwords
from superset_iac.plan.model import Change, LiveObject

_FLAGS = ("expose_in_sqllab", "allow_run_async", "allow_dml", "allow_ctas", "allow_cvas",
          "allow_file_upload", "impersonate_user")


def read_cache_timeout(ctx: Context, database: str) -> tuple[bool, int | None]:
    """(known, value): the cache timeout ``read`` saw on ``database``.

    Datasets report their database's timeout as their own when they have
    none; the dataset handler needs it to tell the two apart.
    """
    timeouts = ctx.cache.database_timeouts
    return database in timeouts, timeouts.get(database)


class DatabaseHandler(RestHandler):
    spec_type = Database
    resource = "database"
    columns = ("id", "uuid", "database_name")
    name_column = "database_name"
    detailed = True

    def keys(self, ctx: Context, rows: list[dict[str, Any]]) -> list[str]:
        return [row["database_name"] for row in rows]  # unique in Superset

    def detail(self, ctx: Context, object_id: Any) -> dict[str, Any]:
        """The one endpoint with the URI (password masked) and every compared field."""
        found = ctx.client.get(f"database/{object_id}/connection")["result"]
        ctx.cache.database_timeouts[found["database_name"]] = found.get("cache_timeout")
        return found

    def summary(self, row: dict[str, Any]) -> Database:
        return Database(name=row["database_name"], uri="")

    def to_spec(self, ctx: Context, row: dict[str, Any], key: str | None = None) -> Database:
        """A database from its ``/connection`` answer (URI already masked)."""
        return Database.model_validate({
            "name": row["database_name"],
            "uri": row.get("sqlalchemy_uri") or "",
            "cache_timeout": row.get("cache_timeout"),
            "extra": json_object(row.get("extra")),
            **{flag: bool(row.get(flag)) for flag in _FLAGS},
        })

    def to_payload(self, ctx: Context, spec: Spec, live: LiveObject | None = None) -> dict[str, Any]:
        assert isinstance(spec, Database)
        return {
            "database_name": spec.name,
            "sqlalchemy_uri": spec.uri if live is None else _uri_for_update(spec, live),
            "cache_timeout": spec.cache_timeout,
            "extra": json.dumps(spec.extra, sort_keys=True),
            **{flag: getattr(spec, flag) for flag in _FLAGS},
        }

    def create(self, ctx: Context, spec: Spec) -> Any:
        assert isinstance(spec, Database)
        with failing_as(f"database '{spec.name}' could not be created", uri_passwords(spec.uri)):
            return super().create(ctx, spec)

    def update(self, ctx: Context, change: Change) -> None:
        """PUT the database; a rotation sends the real URI, any other update
        keeps the stored password (``_uri_for_update``)."""
        assert isinstance(change.desired, Database) and change.live is not None
        payload = self.to_payload(ctx, change.desired, change.live)
        if change.rotate:
            payload["sqlalchemy_uri"] = change.desired.uri
        with failing_as(f"database '{change.key}' could not be updated",
                        uri_passwords(change.desired.uri)):
            ctx.client.put(f"{self.resource}/{change.live.id}", payload)

    def delete(self, ctx: Context, live: LiveObject) -> None:
        with failing_as(f"database '{live.key}' could not be deleted"):
            super().delete(ctx, live)

    def landed(self, ctx: Context, key: str) -> int | None:
        """Databases are read by numeric id only: look the managed uuid up in the list."""
        rows = ctx.client.list("database", filters=[("uuid", "eq", managed_uuid(self.kind, key))],
                               columns=["id"])
        return rows[0]["id"] if rows else None


    def export_fresh(self, spec: Spec, data: dict[str, Any]) -> dict[str, Any]:
        assert isinstance(spec, Database)
        data["uri"] = _templated(spec.name, spec.uri)
        return data

    def export_merged(self, live: Spec, data: dict[str, Any], rewrite: Rewrite) -> dict[str, Any]:
        assert isinstance(live, Database) and isinstance(rewrite.written, Database)
        if "uri" not in rewrite.keep:
            data["uri"] = _templated(live.name, live.uri)
        _keep_override(data, live, rewrite.written, rewrite)
        return data

    def export_variables(self, spec: Spec) -> list[str]:
        """The variables of every URI the file holds, its overrides' too."""
        assert isinstance(spec, Database)
        uris = [spec.uri] + [o.uri for o in spec.environments.values() if o.uri]
        return sorted({v for uri in uris for v in variables_in(uri.replace("$${", ""))})


def _keep_override(data: dict[str, Any], live: Database, written: Database,
                   rewrite: Rewrite) -> None:
    """Changed values that ``env`` overrides go into the override, not the base.

    Otherwise the override would still win and the next diff would show the
    change again.
    """
    env = rewrite.env
    override = written.environments.get(env) if env else None
    if override is None or env is None:
        return
    block = data["environments"][env]
    for name in override.model_dump(exclude_none=True):
        if name in rewrite.keep:
            continue
        value = live.model_dump(mode="json")[name]
        block[name] = _templated(live.name, value) if name == "uri" else value
        if name in rewrite.before:
            data[name] = rewrite.before[name]
        else:
            data.pop(name, None)


def _templated(database: str, uri: str) -> str:
    text, _ = template_uri(uri, variable_for(database))
    return text


def _uri_for_update(spec: Database, live: LiveObject) -> str:
    """Masked, the URI keeps the password Superset stores; the real one only
    goes out when there is none stored to keep."""
    stored = live.raw.get("sqlalchemy_uri") or ""
    return masked_uri(spec.uri, query=False) if has_password(stored) else spec.uri


HANDLER = DatabaseHandler()
