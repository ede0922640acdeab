"""Many datasets' details in a few requests: ``GET /api/v1/dataset/export/``.

Why. A dataset's list row lacks its columns, metrics and settings, and
``GET dataset/{id}`` costs the server a fixed 35-45 ms whatever the dataset
(Superset 6.1, measured: 50 details one after another 2.2 s, the same 50 in
one export 0.34-0.51 s). Of the 282 requests of the 1,000-object
benchmark's diff, 202 were dataset details. The export bundle holds each
dataset's YAML with every field the spec compares, so ``BUNDLE_SIZE`` of
them are read in one request.

What the bundle lacks comes from elsewhere, so that the detail-shaped dict
built here goes through the one ``DatasetHandler.to_spec`` a detail does
(one notion of equal): the id and the owners from the list row (matched by
uuid), whether the database allows several catalogs from the database's
file in the same bundle (``extra.allow_multi_catalog``). The ids of columns
and metrics, which only a write needs, are not in it: an update reads the
detail first (``needs_detail``).

A read falls back to the per-dataset detail when the server refuses the
export (a login without ``can_export`` on datasets: 403; a dataset deleted
since the list: 404 for the whole bundle) or answers a bundle without a
dataset asked for, or its database.

Only virtual datasets go in bundles, and only three or more (``FEWEST``).
Superset writes a bundle as YAML, about 0.5 ms a column, where a detail's
JSON costs next to nothing a column (measured, one dataset: 4 columns,
detail 51 ms, bundle 40 ms; 141 columns 54 ms and 116 ms; 328 columns 57 ms
and 205 ms). A virtual dataset has the columns its SELECT names, a physical
one a table's, often hundreds (the examples' ``wb_health_population``: 328),
and a bundle of one or two saves nothing.
"""

from __future__ import annotations

from typing import Any, Callable

from superset_iac.convert.bundle import BundleError, read_bundle_bytes
from superset_iac.kinds.base import Context
from superset_iac.superset.errors import ApiError

BUNDLE_SIZE = 20
FEWEST = 3
# Statuses after which a chunk is read detail by detail instead.
_REFUSED = {400, 403, 404, 405}
# Marks a detail built from a bundle (it has no column or metric ids).
FROM_BUNDLE = "_from_bundle"
_FIELDS = ("table_name", "catalog", "schema", "sql", "extra", "template_params", "description",
           "main_dttm_col", "always_filter_main_dttm", "normalize_columns",
           "filter_select_enabled", "cache_timeout", "columns", "metrics")

Detail = dict[str, Any]
Row = dict[str, Any]


def details(ctx: Context, rows: list[Row], one: Callable[[Row], Detail]) -> list[Detail]:
    """The detail of each list row in ``rows`` (in order): the virtual datasets'
    from bundles of at most ``BUNDLE_SIZE`` side by side, ``one(row)`` for the
    rest and for what the bundles lack."""
    bundled = [row for row in rows if row.get("sql")]
    if len(bundled) < FEWEST:
        bundled = []
    read = ctx.client.concurrently(lambda chunk: _bundle(ctx, chunk),
                                   balanced(bundled, BUNDLE_SIZE))
    found = {row_id: detail for got in read for row_id, detail in got.items()}
    lacking = [row for row in rows if row["id"] not in found]
    for row, detail in zip(lacking, ctx.client.concurrently(one, lacking), strict=True):
        found[row["id"]] = detail
    return [found[row["id"]] for row in rows]


def needs_detail(raw: Detail) -> bool:
    """Whether ``raw`` came from a bundle, so a write must read the detail (ids)."""
    return bool(raw.get(FROM_BUNDLE))


def balanced(items: list[Row], most: int) -> list[list[Row]]:
    """``items`` in the fewest runs of at most ``most``, as even as can be
    (21 in two of 11 and 10, not 20 and 1: the runs go side by side)."""
    count = -(-len(items) // most)
    if not count:
        return []
    size, extra = divmod(len(items), count)
    runs, start = [], 0
    for n in range(count):
        end = start + size + (1 if n < extra else 0)
        runs.append(items[start:end])
        start = end
    return runs


def _bundle(ctx: Context, rows: list[Row]) -> dict[int, Detail]:
    """The rows' details that one export request answers ({} when refused)."""
    ids = sorted(row["id"] for row in rows)
    try:
        data = ctx.client.get_bytes("dataset/export/", params={"q": ids})
    except ApiError as err:
        if err.status in _REFUSED:
            return {}
        raise
    docs, databases = _read_bundle(data)
    out: dict[int, Detail] = {}
    for row in rows:
        doc = docs.get(str(row.get("uuid")))
        multi = databases.get(str(doc.get("database_uuid"))) if doc is not None else None
        if doc is not None and multi is not None:
            out[row["id"]] = _as_detail(doc, row, multi)
    return out


def _read_bundle(data: bytes) -> tuple[dict[str, Detail], dict[str, bool]]:
    """The bundle's datasets, and whether each database allows several
    catalogs, each by uuid (nothing if unreadable).

    Read as ``convert`` reads any bundle (capped inflation, names checked, a
    node budget for aliases). The database files hold the URI with its
    password masked; only the uuid and ``extra`` of each are read.
    """
    try:
        members = read_bundle_bytes("GET /api/v1/dataset/export/", data).members
    except BundleError:
        return {}, {}
    datasets = {str(m.data["uuid"]): m.data for m in members
                if m.kind == "dataset" and "uuid" in m.data}
    databases = {str(m.data["uuid"]): _multi_catalog(m.data) for m in members
                 if m.kind == "database" and "uuid" in m.data}
    return datasets, databases


def _multi_catalog(database: Detail) -> bool:
    """``Database.allow_multi_catalog``: a key of its ``extra``."""
    extra = database.get("extra")
    return isinstance(extra, dict) and bool(extra.get("allow_multi_catalog"))


def _as_detail(doc: Detail, row: Row, multi: bool) -> Detail:
    """A bundle's dataset file in the shape of ``GET dataset/{id}`` (``DETAIL_COLUMNS``)."""
    return {
        "id": row["id"], "uuid": row.get("uuid"),
        "database": {"database_name": row["database"]["database_name"],
                     "allow_multi_catalog": multi},
        "owners": row.get("owners") or [],
        **{name: doc.get(name) for name in _FIELDS},
        FROM_BUNDLE: True,
    }
