"""Saved queries of SQL Lab: ``/api/v1/saved_query/``.

Reading is the list endpoint only: its rows carry every compared field
(``label``, ``description``, ``sql``, ``schema``, ``catalog``, the database
as ``{"id", "database_name"}``) and ``extra``. Cost:
``ceil(saved queries the tree names / 50)`` lists filtered by label, or with
``--prune`` and for export ``ceil(saved queries on the server / 100)`` pages.
The list shows only the queries the logged-in user saved (Superset's
``SavedQueryFilter``), so the tool manages the saved queries of its own
Superset account: the ones the tree gives the analysts.

Managed marker. Saved queries take no ``uuid`` and have no ``external_url``;
their ``extra_json`` (returned as ``extra``, never shown in the UI, kept by
SQL Lab's own saves, which do not send it) carries
``{"superset_iac": "superset-iac://saved_query/<label>"}``. A query whose
marker names its own label is managed; one renamed in the UI keeps a marker
naming another label, so it is not managed any more and ``--prune`` leaves it.

Labels are not unique in Superset: when several rows share one, the managed
row keeps the plain label as its key and the others are
``"<label> [#<id>]"`` (never compared with the tree's, which names no ids).
Nothing on the server keeps two applies at the same moment from both creating
a query: the second managed copy reads as ``"<label> [#<id>]"``, still
managed, so ``diff`` names it and ``apply --prune`` deletes it.

Writing: a create is one POST, an update one PUT of the whole query, a
delete one DELETE. A POST whose answer was lost is looked up by label and
marker before it is reported, so it is never sent twice.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from superset_iac.kinds.base import Context, ExportFlag, managed_url
from superset_iac.kinds.rest import RestHandler, id_of, json_object
from superset_iac.model.base import Spec
from superset_iac.model.saved_query import SavedQuery
from superset_iac.plan.model import LiveObject

MARKER_KEY = "superset_iac"


def marker_of(row: dict[str, Any]) -> str | None:
    """The label the row's managed marker names, or None."""
    value = json_object(row.get("extra") or row.get("extra_json")).get(MARKER_KEY)
    prefix = managed_url(SavedQuery.KIND, "")
    return value[len(prefix):] if isinstance(value, str) and value.startswith(prefix) else None


class SavedQueryHandler(RestHandler):
    spec_type = SavedQuery
    export_flag = ExportFlag("--saved-queries", "Export the saved queries of SQL Lab (the "
                                                "login's own, with their databases).")
    resource = "saved_query"
    name_column = "label"
    columns = ("id", "label", "description", "sql", "schema", "catalog",
               "database.id", "database.database_name", "extra")

    def keys(self, ctx: Context, rows: list[dict[str, Any]]) -> list[str]:
        counts = Counter(row.get("label") or "" for row in rows)
        keys = []
        for row in rows:
            label = row.get("label") or ""
            plain = counts[label] == 1 or marker_of(row) == label
            keys.append(label if plain else f"{label} [#{row['id']}]")
        return _unique(keys, rows)

    def is_managed(self, row: dict[str, Any], key: str) -> bool:
        """Its marker names its own label (a second copy ``"<label> [#<id>]"`` too,
        so ``--prune`` removes it)."""
        return marker_of(row) == (row.get("label") or "")

    def to_spec(self, ctx: Context, row: dict[str, Any], key: str | None = None) -> SavedQuery:
        database = row.get("database") or {}
        db_name = ctx.ids.key("database", database.get("id")) or database.get("database_name") \
            or f"#{database.get('id')}"
        return SavedQuery.model_construct(
            label=row.get("label") or "", database=db_name,
            catalog=row.get("catalog") or None, schema_=row.get("schema") or None,
            description=row.get("description") or None, sql=row.get("sql") or "")

    def to_payload(self, ctx: Context, spec: Spec, live: LiveObject | None = None) -> dict[str, Any]:
        assert isinstance(spec, SavedQuery)
        extra = json_object(live.raw.get("extra")) if live is not None else {}
        extra[MARKER_KEY] = managed_url(self.kind, spec.label)
        return {"db_id": id_of(ctx, "database", spec.database), "label": spec.label,
                "description": spec.description or "", "catalog": spec.catalog or None,
                "schema": spec.schema_ or None, "sql": spec.sql,
                "extra_json": json.dumps(extra, sort_keys=True)}

    def create_payload(self, ctx: Context, spec: Spec) -> dict[str, Any]:
        """The query with its marker: saved queries take no uuid."""
        return self.to_payload(ctx, spec)

    def landed(self, ctx: Context, key: str) -> Any:
        """The id of the managed query labelled ``key``, or None."""
        rows = ctx.client.list(self.resource, filters=[("label", "eq", key)],
                               columns=["id", "label", "extra"])
        found = [row["id"] for row in rows if marker_of(row) == key]
        return found[0] if found else None


def _unique(keys: list[str], rows: list[dict[str, Any]]) -> list[str]:
    """Two managed rows of one label (two applies at once): the later is keyed by id."""
    seen: set[str] = set()
    out = []
    for key, row in zip(keys, rows, strict=True):
        out.append(key if key not in seen else f"{row.get('label') or ''} [#{row['id']}]")
        seen.add(key)
    return out


HANDLER = SavedQueryHandler()
