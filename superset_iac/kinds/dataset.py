"""Datasets, physical and virtual: ``/api/v1/dataset/``.

Reading. The list returns no columns, metrics or settings (and no managed
marker), so each dataset in the tree is read with ``GET /dataset/{id}``,
asking only for the fields compared. A diff costs

    ceil(datasets on the server / 100) list pages
    + 1 detail per dataset in the tree that exists on the server
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
ids (``_columns_payload``, ``_metrics_payload``); ``always_filter_main_dttm``
is always sent, since a PUT without it resets it. Creating is a POST (the
server reads the columns from the table or runs the SQL), then a read, then
the PUT that gives the declared attributes, all in the create step so the
next diff is empty. When the SQL or table changes, the columns are synced
from the source (``PUT /dataset/{id}/refresh``) and the attributes applied
again.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from superset_iac.kinds.base import Context
from superset_iac.kinds.database import read_cache_timeout
from superset_iac.kinds.owners import owner_ids, owner_names
from superset_iac.kinds.registry import register
from superset_iac.kinds.rest import (RestHandler, failing_as, json_object, managed_fields,
                                     managed_uuid)
from superset_iac.model.base import Spec
from superset_iac.model.dataset import Column, Dataset, Metric
from superset_iac.plan.model import Change, LiveObject
from superset_iac.superset.errors import ApiError

_COLUMN_FIELDS = ("type", "is_dttm", "expression", "verbose_name", "description", "groupby",
                  "filterable", "python_date_format")
_METRIC_FIELDS = ("expression", "metric_type", "verbose_name", "description", "d3format",
                  "currency", "warning_text")
_SETTINGS = ("description", "main_dttm_col", "always_filter_main_dttm", "normalize_columns",
             "filter_select_enabled", "cache_timeout")
DETAIL_COLUMNS = (
    "id", "uuid", "table_name", "database.database_name", "database.allow_multi_catalog",
    "catalog", "schema", "sql", "extra", "template_params", "owners.id", *_SETTINGS,
    "columns.id", "columns.column_name", *(f"columns.{f}" for f in _COLUMN_FIELDS),
    "metrics.id", "metrics.metric_name", *(f"metrics.{f}" for f in _METRIC_FIELDS),
)
_SOURCE = ("sql", "schema", "catalog", "database")  # what the server derives columns from


class DatasetHandler(RestHandler):
    spec_type = Dataset
    resource = "dataset"
    columns = ("id", "uuid", "table_name", "database.database_name", "catalog", "schema", "sql")
    detailed = True

    # -- reading ---------------------------------------------------------------
    def read(self, ctx: Context) -> dict[str, LiveObject]:
        """By name; of several datasets sharing one, the tree's (see ``_pick``)."""
        live: dict[str, LiveObject] = {}
        for key, rows in _by_name(self.rows(ctx)).items():
            row = self._pick(ctx, key, rows)
            for other in rows:
                if other is not row:  # named apart, so a chart on it shows as such
                    ctx.ids.set(self.kind, _located_name(other), other["id"])
            if row is not None:
                live[key] = self.live_object(ctx, key, row)
        return live

    def detail(self, ctx: Context, object_id: Any) -> dict[str, Any]:
        return ctx.client.get(f"dataset/{object_id}",
                              params={"q": {"columns": list(DETAIL_COLUMNS)}})["result"]

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
            # In creation order: the server lists them in the metadata
            # database's row order, which on PostgreSQL moves a row that
            # was updated to the end (SQLite keeps rowid order).
            "columns": [_column(c) for c in _by_id(row.get("columns"))],
            "metrics": [_metric(m) for m in _by_id(row.get("metrics"))],
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
            "columns": _columns_payload(spec.columns, detail.get("columns") or []),
            "metrics": _metrics_payload(spec.metrics, detail.get("metrics") or []),
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
        assert isinstance(spec, Dataset)
        with failing_as(f"dataset '{spec.name}' could not be created"):
            try:
                new_id = super().create(ctx, spec)
            except ApiError as err:
                if err.status == 500 and spec.is_virtual:
                    raise ApiError(err.method, err.path, err.status,
                                   _sql_failure(ctx, spec, err.message)) from None
                raise
        self._converge(ctx, spec, new_id, "created, but its columns and metrics could not be set")
        return new_id

    def update(self, ctx: Context, change: Change) -> None:
        assert change.live is not None and isinstance(change.desired, Dataset)
        spec, live = change.desired, change.live
        with failing_as(f"dataset '{spec.name}' could not be updated"):
            super().update(ctx, change)
            if not _source_changed(change):
                return
            ctx.client.put(f"dataset/{live.id}/refresh", {})
        self._converge(ctx, spec, live.id, "updated, but its columns could not be synced")

    def delete(self, ctx: Context, live: LiveObject) -> None:
        with failing_as(f"dataset '{live.key}' could not be deleted"):
            super().delete(ctx, live)

    def _converge(self, ctx: Context, spec: Dataset, dataset_id: int, what: str) -> None:
        """Read the dataset back; PUT the declared attributes if it differs from ``spec``.

        After a create or a column sync the server has derived the columns
        (and added a ``count`` metric); one PUT maps the declared ones onto them.
        """
        with failing_as(f"dataset '{spec.name}' was {what}"):
            detail = self.detail(ctx, dataset_id)
            read = LiveObject(self.to_spec(ctx, detail), dataset_id, True, detail)
            if read.spec.compared() != spec.compared():
                ctx.client.put(f"dataset/{dataset_id}", self.to_payload(ctx, spec, read))


# -- columns and metrics: names <-> the server's rows ----------------------------

def _by_id(rows: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    return sorted(rows or [], key=lambda row: row.get("id") or 0)


def _columns_payload(declared: Iterable[Column], existing: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every column the dataset keeps, with ids: declared ones as declared,
    undeclared physical ones reset to plain, undeclared calculated ones dropped."""
    by_name = {c["column_name"]: c for c in existing}
    out = []
    for column in declared:
        row = by_name.get(column.name)
        item = {"column_name": column.name,
                **{f: getattr(column, f) for f in _COLUMN_FIELDS if f != "type"}}
        # A physical column's type is the database's; a declared one only
        # seeds a column the server has not derived (yet).
        if column.is_calculated or (row is None and column.type is not None):
            item["type"] = column.type
        out.append(_with_id(item, row))
    names = {c.name for c in declared}
    for row in existing:
        if row["column_name"] not in names and not row.get("expression"):
            plain = {f: getattr(Column(name=row["column_name"]), f) for f in _COLUMN_FIELDS if f != "type"}
            out.append({"id": row["id"], "column_name": row["column_name"], **plain})
    return out


def _metrics_payload(declared: Iterable[Metric], existing: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Exactly the declared metrics; one whose name exists keeps its id
    (re-sending an existing name without its id is a 422)."""
    by_name = {m["metric_name"]: m for m in existing}
    return [_with_id({"metric_name": m.name, **{f: getattr(m, f) for f in _METRIC_FIELDS}},
                     by_name.get(m.name))
            for m in declared]


def _with_id(item: dict[str, Any], row: dict[str, Any] | None) -> dict[str, Any]:
    return {"id": row["id"], **item} if row else item


def _column(row: dict[str, Any]) -> dict[str, Any]:
    return {"name": row["column_name"], "type": row.get("type"),
            "is_dttm": bool(row.get("is_dttm")), "expression": row.get("expression") or None,
            "verbose_name": row.get("verbose_name"), "description": row.get("description"),
            "groupby": bool(row.get("groupby")), "filterable": bool(row.get("filterable")),
            "python_date_format": row.get("python_date_format")}


def _metric(row: dict[str, Any]) -> dict[str, Any]:
    currency = row.get("currency")
    if isinstance(currency, str):  # older servers answer a JSON string
        currency = json_object(currency) or None
    return {"name": row["metric_name"], "expression": row.get("expression") or "",
            **{f: row.get(f) for f in _METRIC_FIELDS if f not in ("expression", "currency")},
            "currency": currency or None}


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


def _sql_failure(ctx: Context, spec: Dataset, answer: str) -> str:
    """Why the server could not run a virtual dataset's SQL.

    A failing SQL makes ``POST /dataset/`` answer 500 "Fatal error" with no
    detail; running the same SQL through SQL Lab (one row) returns the
    database's own message.
    """
    try:
        ctx.client.post("sqllab/execute/", {
            "database_id": ctx.ids.id("database", spec.database), "sql": spec.sql, "schema": spec.schema_,
            "runAsync": False, "queryLimit": 1, "select_as_cta": False, "expand_data": False})
    except ApiError as err:
        return f"its SQL fails on database '{spec.database}': {err.message}"
    return f"{answer} (the server could not read the columns of its SQL)"


register(DatasetHandler())
