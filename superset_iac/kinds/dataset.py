"""Datasets, physical and virtual: ``/api/v1/dataset/``.

Reading. The list returns no columns, metrics or settings (and no managed
marker), so the datasets in the tree are read from export bundles, or with
``GET /dataset/{id}`` asking only for the fields compared. A diff costs

    ceil(datasets the tree names / 50) lists filtered by managed uuid
    (+ as many by name, for those no uuid found; with --prune,
    ceil(datasets on the server / 100) whole-list pages instead)
    + the details of the tree's datasets that exist on the server: with
      three or more, ceil(n / 20) export bundles (``dataset_bundle``), else
      1 GET each; an update reads its dataset's detail first
    + 1 user-directory page per 100 users, once, if any owner is involved

Export, which has no tree, reads the detail of every dataset. Datasets
outside the tree keep a summary spec (name, database, schema, SQL).

Identity. A dataset is matched by name, but several datasets may share a
``table_name`` (other schemas or databases). For each name the one created
here (its uuid is ``managed_uuid("dataset", name)``) wins; otherwise the one
whose database and schema are those of the tree; a same-named dataset
elsewhere is a different object and is left alone.

Writing. ``PUT`` replaces the whole column and metric lists, so a payload
lists every column and metric the dataset keeps, existing ones with their
ids (``dataset_columns``); ``always_filter_main_dttm``
is always sent, since a PUT without it resets it. Creating is a POST (the
server reads the columns from the table or runs the SQL), then a read, then
the PUT that gives the declared attributes, all in the create step so the
next diff is empty; if the attributes cannot be set, the new dataset is
deleted again. When the SQL or table changes, a new SQL is first run through
the database (``dataset_probe``), the columns are synced from the source
(``PUT /dataset/{id}/refresh``) and the attributes applied again; a failure
after the first write restores the dataset as it was read (see ``update``).
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from superset_iac.errors import IacError
from superset_iac.kinds import dataset_bundle
from superset_iac.kinds.base import Context
from superset_iac.kinds.database import read_cache_timeout
from superset_iac.kinds.dataset_columns import (COLUMN_FIELDS, METRIC_FIELDS, column_fields,
                                                columns_payload, metric_fields, metrics_payload)
from superset_iac.kinds.dataset_probe import SqlRejected, check_sql, database_reason
from superset_iac.kinds.owners import owner_ids, owner_names
from superset_iac.kinds.rest import (RestHandler, WriteFailed, failing_as, json_object,
                                     managed_fields, managed_uuid)
from superset_iac.kinds.rollback import finish_or_remove
from superset_iac.model.base import Spec
from superset_iac.model.dataset import Dataset
from superset_iac.plan.model import Change, LiveObject
from superset_iac.superset.errors import ApiError, redact
from superset_iac.validate import sqltext

_SETTINGS = ("description", "main_dttm_col", "always_filter_main_dttm", "normalize_columns",
             "filter_select_enabled", "cache_timeout")
DETAIL_COLUMNS = (
    "id", "uuid", "table_name", "database.database_name", "database.allow_multi_catalog",
    "catalog", "schema", "sql", "extra", "template_params", "owners.id", *_SETTINGS,
    "columns.id", "columns.column_name", *(f"columns.{f}" for f in COLUMN_FIELDS),
    "metrics.id", "metrics.metric_name", *(f"metrics.{f}" for f in METRIC_FIELDS),
)
_SOURCE = ("sql", "schema", "catalog", "database")  # what the server derives columns from


class DatasetHandler(RestHandler):
    spec_type = Dataset
    resource = "dataset"
    # owners.id: a dataset read from an export bundle has no owners of its own
    columns = ("id", "uuid", "table_name", "database.database_name", "catalog", "schema", "sql",
               "owners.id")
    name_column = "table_name"
    detailed = True

    # -- reading ---------------------------------------------------------------
    def read(self, ctx: Context) -> dict[str, LiveObject]:
        """By name; of several datasets sharing one, the tree's (see ``_pick``)."""
        picked: list[tuple[str, dict[str, Any]]] = []
        for key, rows in _by_name(self.rows(ctx)).items():
            row = self._pick(ctx, key, rows)
            for other in rows:
                if other is not row:  # named apart, so a chart on it shows as such
                    ctx.ids.set(self.kind, _located_name(other), other["id"])
            if row is not None:
                picked.append((key, row))
        return self.live_objects(ctx, picked)

    def detail(self, ctx: Context, object_id: Any) -> dict[str, Any]:
        return ctx.client.get(f"dataset/{object_id}",
                              params={"q": {"columns": list(DETAIL_COLUMNS)}})["result"]

    def details(self, ctx: Context, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Three or more through export bundles (``dataset_bundle``), else one by one."""
        return dataset_bundle.details(ctx, rows, lambda row: self.detail(ctx, row["id"]))

    def summary(self, row: dict[str, Any]) -> Dataset:
        """What the list tells of a dataset outside the tree (enough to prune it)."""
        return Dataset.model_validate({"name": row["table_name"],
                                       "database": row["database"]["database_name"],
                                       "schema": row.get("schema") or None,
                                       "sql": row.get("sql") or None})

    def _pick(self, ctx: Context, key: str, rows: list[dict[str, Any]]) -> dict[str, Any] | None:
        """Which of the datasets named ``key`` is the tree's ``key`` (see module doc)."""
        mine = managed_uuid(self.kind, key)
        for row in rows:
            if row.get("uuid") == mine:
                return row
        wanted = (ctx.desired or {}).get(self.kind, {}).get(key)
        if wanted is None:
            return rows[0]
        assert isinstance(wanted, Dataset)
        for row in rows:
            if (row["database"]["database_name"], row.get("schema") or None) == \
                    (wanted.database, wanted.schema_):
                return row
        return None

    def to_spec(self, ctx: Context, row: dict[str, Any], key: str | None = None) -> Dataset:
        """A dataset from its detail; ids become names."""
        database = row["database"]
        return Dataset.model_validate({
            "name": row["table_name"],
            "database": database["database_name"],
            # Without multi-catalog the catalog is the database's default,
            # which the server fills in by itself: not a property of the dataset.
            "catalog": row.get("catalog") if database.get("allow_multi_catalog") else None,
            "schema": row.get("schema") or None,
            "sql": row.get("sql") or None,
            "description": row.get("description"),
            "main_dttm_col": row.get("main_dttm_col"),
            "always_filter_main_dttm": bool(row.get("always_filter_main_dttm")),
            "normalize_columns": bool(row.get("normalize_columns")),
            "filter_select_enabled": bool(row.get("filter_select_enabled")),
            "cache_timeout": _own_cache_timeout(ctx, row),
            "owners": owner_names(ctx, row.get("owners") or []),
            "extra": json_object(row.get("extra")),
            "template_params": json_object(row.get("template_params")),
            # By name, as they are compared: neither the server's row order
            # (PostgreSQL moves an updated row to the end) nor the creation
            # order says anything (a dataset created through the API gets
            # the columns in its database's order and Superset's own `count`
            # metric first; one imported from a bundle gets the bundle's).
            "columns": sorted((column_fields(c) for c in _by_id(row.get("columns"))),
                              key=lambda c: c["name"]),
            "metrics": sorted((metric_fields(m) for m in _by_id(row.get("metrics"))),
                              key=lambda m: m["name"]),
        })

    # -- writing ---------------------------------------------------------------
    def to_payload(self, ctx: Context, spec: Spec, live: LiveObject | None = None) -> dict[str, Any]:
        """The PUT body making the dataset ``live`` (its detail) equal ``spec``."""
        assert isinstance(spec, Dataset)
        detail = live.raw if live is not None else {}
        payload: dict[str, Any] = {
            "table_name": spec.name,
            "database_id": ctx.ids.id("database", spec.database),
            "sql": spec.sql,
            "schema": spec.schema_,
            **{name: getattr(spec, name) for name in _SETTINGS},
            "owners": owner_ids(ctx, spec.owners),
            "extra": json.dumps(spec.extra, sort_keys=True) if spec.extra else None,
            "template_params": (json.dumps(spec.template_params, sort_keys=True)
                                if spec.template_params else None),
            "columns": columns_payload(spec.columns, detail.get("columns") or []),
            "metrics": metrics_payload(spec.metrics, detail.get("metrics") or []),
        }
        if spec.catalog is not None:  # else the server's (default) catalog stays
            payload["catalog"] = spec.catalog
        return payload

    def create_payload(self, ctx: Context, spec: Spec) -> dict[str, Any]:
        """What a POST takes: the source (the server reads its columns), the
        settings a PUT would reset, identity."""
        assert isinstance(spec, Dataset)
        payload = {
            "database": ctx.ids.id("database", spec.database),
            "table_name": spec.name,
            "schema": spec.schema_,
            "sql": spec.sql,
            "owners": owner_ids(ctx, spec.owners),
            "normalize_columns": spec.normalize_columns,
            "always_filter_main_dttm": spec.always_filter_main_dttm,
            "uuid": managed_uuid(self.kind, spec.key),
            **managed_fields(self.kind, spec.key),
        }
        if spec.catalog is not None:
            payload["catalog"] = spec.catalog
        return payload

    def create(self, ctx: Context, spec: Spec) -> Any:
        """POST (nothing is created when it fails), then the declared attributes;
        if those fail, the new dataset is deleted again (``rollback``)."""
        assert isinstance(spec, Dataset)
        with failing_as(f"dataset '{spec.name}' could not be created"):
            try:
                new_id = super().create(ctx, spec)
            except ApiError as err:
                if err.status == 500 and spec.is_virtual:
                    why = database_reason(ctx, spec) or \
                        f"{err.message} (the server could not read the columns of its SQL)"
                    raise ApiError(err.method, err.path, err.status, why) from None
                raise
        finish_or_remove(ctx, self, spec, new_id, lambda: self._converge(ctx, spec, new_id),
                         f"dataset '{spec.name}' was created, but its columns and metrics "
                         "could not be set")
        return new_id

    def update(self, ctx: Context, change: Change) -> None:
        """Check, write, sync, converge; restore the previous state on a failure after the write.

        Each request is one transaction on the server. Before any of them, a
        new SQL is run through the database (``dataset_probe.check_sql``):
        one it refuses fails here with the database's message and nothing
        written. Then:

        1. ``PUT /dataset/{id}``: fails whole, nothing changed;
        2. (source changed) ``PUT /dataset/{id}/refresh`` syncs the columns;
           failing here would leave the new SQL stored with the old columns;
        3. read back and ``PUT`` the declared attributes onto the synced
           columns; failing here would leave the new SQL without them.

        After a failure in 2 or 3 one ``PUT`` writes the dataset as it was
        read (source, settings, the exact column and metric lists), so the
        dataset is either as declared or as before.
        """
        spec, live = change.desired, change.live
        assert live is not None and isinstance(spec, Dataset)
        if dataset_bundle.needs_detail(live.raw):  # the PUT names columns by id
            live = replace(live, raw=self.detail(ctx, live.id))
            change = replace(change, live=live)
        source = _source_changed(change)
        if source and spec.is_virtual:
            try:
                check_sql(ctx, spec)
            except SqlRejected as err:
                raise WriteFailed(f"dataset '{spec.name}' could not be updated: {err}; "
                                  "nothing was written") from None
        written = False
        try:
            super().update(ctx, change)
            written = True
            if source:
                ctx.client.put(f"dataset/{live.id}/refresh", {})
                self._converge(ctx, spec, live.id)
        except IacError as err:  # the server's refusal, or a name that no longer resolves
            reason = redact(str(err))
            refused = isinstance(err, ApiError) and err.status == 500
            why = database_reason(ctx, spec) if written and spec.is_virtual and refused else None
            reason = f"{reason} ({why})" if why else reason
            undone = self._restore(ctx, live) if written else ""
            raise WriteFailed(f"dataset '{spec.name}' could not be updated: {reason}{undone}") from None

    def delete(self, ctx: Context, live: LiveObject) -> None:
        with failing_as(f"dataset '{live.key}' could not be deleted"):
            super().delete(ctx, live)

    def _converge(self, ctx: Context, spec: Dataset, dataset_id: int) -> None:
        """Read the dataset back; PUT the declared attributes if it differs from ``spec``.

        After a create or a column sync the server has derived the columns
        (and added a ``count`` metric); one PUT maps the declared ones onto them.
        """
        detail = self.detail(ctx, dataset_id)
        read = LiveObject(self.to_spec(ctx, detail), dataset_id, True, detail)
        if read.spec.compared() != spec.compared():
            ctx.client.put(f"dataset/{dataset_id}", self.to_payload(ctx, spec, read))

    def _restore(self, ctx: Context, live: LiveObject) -> str:
        """Write ``live`` back as it was read; says how that went, for the error line."""
        try:
            current = self.detail(ctx, live.id)
            ctx.client.put(f"dataset/{live.id}", self.restore_payload(ctx, live, current))
        except IacError as err:
            return f"; restoring its previous state failed too ({redact(str(err))}): run apply again"
        return "; its previous state was restored"

    def restore_payload(self, ctx: Context, live: LiveObject, current: dict[str, Any]) -> dict[str, Any]:
        """The PUT that makes the dataset (now ``current``) what ``live`` was:
        its columns exactly, each with its type, mapped by name onto the current ids."""
        assert isinstance(live.spec, Dataset)
        payload = self.to_payload(ctx, live.spec, LiveObject(live.spec, live.id, True, current))
        payload["columns"] = columns_payload(live.spec.columns, current.get("columns") or [],
                                              exact=True)
        return payload


# -- columns and metrics: names <-> the server's rows ----------------------------

    def export_form(self, spec: Spec) -> Spec:
        """Only the columns equality sees; a physical column's type is the database's.

        A virtual dataset whose columns validation cannot name from its SQL
        (``SELECT *``, ``t.*``, an unaliased ``COUNT(*)``) keeps every column it
        has: they are what its charts are checked against, so the exported tree
        validates.
        """
        assert isinstance(spec, Dataset)
        keep_all = spec.sql is not None and _projection_unknown(spec.sql)
        columns = [c if c.is_calculated else c.model_copy(update={"type": None})
                   for c in spec.columns if keep_all or c.compared() is not None]
        return spec.model_copy(update={"columns": columns})


def _projection_unknown(sql: str) -> bool:
    query = sqltext.parse(sql, True).single
    names = sqltext.projection(query) if query is not None else None
    return names is None or sqltext.STAR in names


def _by_id(rows: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    return sorted(rows or [], key=lambda row: row.get("id") or 0)


# -- helpers --------------------------------------------------------------------

def _by_name(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row["table_name"], []).append(row)
    return grouped


def _located_name(row: dict[str, Any]) -> str:
    """A name for a dataset that shares its name with the tree's: ``name [db.schema]``."""
    where = ".".join(p for p in (row["database"]["database_name"], row.get("schema")) if p)
    return f"{row['table_name']} [{where}]"


def _own_cache_timeout(ctx: Context, row: dict[str, Any]) -> int | None:
    """The dataset's own cache timeout, None when it inherits its database's.

    The server answers the database's timeout for a dataset that has none,
    so a value equal to the database's is ambiguous: it counts as inherited,
    unless the tree sets exactly that value on this dataset.
    """
    value = row.get("cache_timeout")
    known, inherited = read_cache_timeout(ctx, row["database"]["database_name"])
    if value is None or not known or value != inherited:
        return value
    wanted = (ctx.desired or {}).get("dataset", {}).get(row["table_name"])
    return value if isinstance(wanted, Dataset) and wanted.cache_timeout == value else None


def _source_changed(change: Change) -> bool:
    return any(f.path in _SOURCE for f in change.fields)


HANDLER = DatasetHandler()
