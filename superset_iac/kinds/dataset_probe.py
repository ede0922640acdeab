"""Run a virtual dataset's SQL through the database before anything is written.

``PUT /dataset/{id}`` stores any SQL; only the refresh that follows runs it,
and a failing refresh answers ``500 Fatal error`` with the database's reason
in Superset's log alone, leaving the new SQL stored. So the SQL is run first
through SQL Lab (``POST /sqllab/execute/``, synchronous), wrapped so that it
returns no row::

    SELECT * FROM (<the dataset's SQL>) AS superset_iac_probe WHERE 1 = 0

(``WHERE 1 = 0``, not ``LIMIT 0``: SQL Lab replaces the outer ``LIMIT`` with
its own row limit, and ``queryLimit: 0`` means its maximum.)
Superset renders the Jinja (with the dataset's ``template_params``) as it
does for the dataset, the database binds every name, and the answer carries
the result's columns or the database's own message. Nothing is stored but
the query history entry SQL Lab keeps for every query. A server that does
not offer SQL Lab to the account (403, 404) cannot be asked: the write goes
ahead and the handler's rollback covers a failure.
"""

from __future__ import annotations

import json
from typing import Any

from superset_iac.errors import IacError
from superset_iac.kinds.base import Context
from superset_iac.model.dataset import Dataset
from superset_iac.superset.errors import ApiError

EXECUTE = "sqllab/execute/"
_UNASKABLE = (401, 403, 404, 405)


class SqlRejected(IacError):
    """The database refused a dataset's SQL (its message, on one line)."""


def wrapped(sql: str) -> str:
    """``sql`` as a subquery that returns no row (a trailing ``;`` would end it early)."""
    body = sql.strip().rstrip(";").rstrip()
    # The newline before ")" ends a trailing "-- comment" of the SQL.
    return f"SELECT * FROM (\n{body}\n) AS superset_iac_probe WHERE 1 = 0"


def probe_columns(ctx: Context, spec: Dataset) -> list[str] | None:
    """The columns ``spec.sql`` returns on its database, or None when it cannot be asked.

    Raises ``SqlRejected`` with the database's message when the SQL fails.
    """
    assert spec.sql is not None
    body: dict[str, Any] = {
        "database_id": ctx.ids.id("database", spec.database), "sql": wrapped(spec.sql),
        "schema": spec.schema_, "runAsync": False, "queryLimit": 1, "select_as_cta": False,
        "expand_data": False}
    if spec.catalog is not None:
        body["catalog"] = spec.catalog
    if spec.template_params:
        body["templateParams"] = json.dumps(spec.template_params, sort_keys=True)
    try:
        answer = ctx.client.post(EXECUTE, body)
    except ApiError as err:
        if err.status in _UNASKABLE or err.status is None:
            return None
        raise SqlRejected(f"its SQL fails on database '{spec.database}': {err.message}") from None
    columns = answer.get("columns") if isinstance(answer, dict) else None
    if not isinstance(columns, list):
        return None
    return [str(c.get("column_name") or c.get("name")) for c in columns if isinstance(c, dict)]


def check_sql(ctx: Context, spec: Dataset) -> None:
    """Refuse SQL the database cannot run, or that lacks a declared physical column."""
    returned = probe_columns(ctx, spec)
    if returned is None:
        return
    have = {name.lower() for name in returned}
    missing = [c.name for c in spec.columns if not c.is_calculated and c.name.lower() not in have]
    if missing:
        raise SqlRejected(f"its SQL on database '{spec.database}' returns no column "
                          f"{', '.join(repr(m) for m in missing)} (it returns "
                          f"{', '.join(returned) or 'nothing'})")


def database_reason(ctx: Context, spec: Dataset) -> str | None:
    """Why the database refuses ``spec``'s SQL, asked after the server answered
    only ``500 Fatal error``; None when it runs (or cannot be asked)."""
    try:
        probe_columns(ctx, spec)
    except SqlRejected as err:
        return str(err)
    except ApiError:
        return None
    return None
