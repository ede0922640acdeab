"""Charts: ``/api/v1/chart/``.

Reading. The chart list returns everything compared (``params`` included),
so a diff or an export costs

    ceil(charts the tree names / 50) lists filtered by managed uuid
    (+ as many by name, for those no uuid found; with --prune,
    ceil(charts on the server / 100) whole-list pages instead)
    + 1 user-directory page per 100 users, once, if any chart has owners

and no detail reads. (``GET chart/_info`` cannot say which columns a list
may return, its keys are add/edit columns, filters and permissions; the list
columns are ``ChartRestApi.list_columns``: ``params`` yes, ``external_url``
and ``query_context`` no.) ``query_context`` is not in the list, and need not be:
it is derived from ``params`` and the dataset (``query_context.py``), never
compared, and written with every create and update.

Identity. Superset never returns ``external_url`` (not in the list, not in
``GET /chart/{id}``, not in its export), so the key of a chart cannot live
there. A chart created here gets

* the uuid ``managed_uuid("chart", key)``: what marks it as managed, the only
  thing ``--prune`` deletes, and a uuid that survives any edit in the UI;
* its key in ``params["superset_iac_key"]``: the explore UI saves the form
  data it loaded, unknown keys included, so the key survives a rename there.

A row's key is, in this order: its ``superset_iac_key`` if the chart is the
one created with that key (matching uuid) or was adopted by an apply
(``is_managed_externally``; a copy saved in the UI is neither); the key of the
tree whose managed uuid it has (a chart renamed in the UI whose params lost
the key); its ``slice_name``. Charts nobody keyed are named by ``slice_name``,
or ``"<slice_name> [<first 8 of uuid>]"`` when several share that name, so
export can write that as the chart's ``key:`` and the next diff matches it.

Writing. A create is one POST (uuid, key marker, managed marker, the query
context), an update one PUT of the whole chart, a delete one DELETE.
``owners`` is exactly who owns the chart; Superset makes the creator an owner
when a POST names nobody, so a chart without owners is created with a POST
and a PUT that clears them (the next diff is empty).

The time filter (``model/chart.py``). A write adds the ``TEMPORAL_RANGE``
filter explore would add, on the time column of the chart's dataset as this
run knows it: the tree's dataset's, else the one read from the server. A read
takes that same filter out again and says ``time_filter: true``; a chart
whose dataset has a time column but that carries no temporal filter reads
as ``time_filter: false``, so a chart created before is updated once and
then compares equal.

Annotation layers (``chart_annotations.py``): the layers a chart names are
written as native entries of ``params.annotation_layers`` with their ids,
and read back to names; the layer handler reads before this one.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from superset_iac.kinds.base import Context
from superset_iac.kinds.chart_annotations import split_layers, with_layers
from superset_iac.kinds.owners import owner_ids, owner_names
from superset_iac.kinds.query_context import build_query_context
from superset_iac.kinds.rest import (RestHandler, id_of, json_object, key_names, managed_fields,
                                     managed_uuid)
from superset_iac.model.base import Spec
from superset_iac.model.chart import (KEY_PARAM, Chart, canonical_params, default_time_column,
                                      split_time_filter, time_subject, with_time_filter)
from superset_iac.model.dataset import Dataset
from superset_iac.model.chart_params import expand
from superset_iac.plan.model import Change, LiveObject

class ChartHandler(RestHandler):
    spec_type = Chart
    resource = "chart"
    # Not side by side: with TAGGING_SYSTEM on, Superset's own insert listeners
    # add the shared `type:`/`owner:` tags, and two creates at once on
    # PostgreSQL race on them (422 "could not be created"); SQLite hides it.
    independent_writes = False
    columns = ("id", "uuid", "slice_name", "viz_type", "params", "datasource_id",
               "datasource_type", "table.table_name", "description", "cache_timeout",
               "certified_by", "certification_details", "owners.id", "is_managed_externally")

    # -- reading ---------------------------------------------------------------
    name_column = "slice_name"

    def lookups(self, missing: dict[str, Spec | None]) -> list[tuple[str, list[str]]]:
        """By ``slice_name``: a declared chart's name (its key may differ)."""
        names = {n for key, spec in missing.items()
                 for n in ({spec.name} if isinstance(spec, Chart) else key_names(key))}
        return [("slice_name", sorted(names))]

    def keys(self, ctx: Context, rows: list[dict[str, Any]]) -> list[str]:
        return chart_keys(rows, ctx.desired_keys(self.kind))

    def to_spec(self, ctx: Context, row: dict[str, Any], key: str | None = None) -> Chart:
        name = row.get("slice_name") or ""
        key = key or name
        dataset = _dataset_key(ctx, row)
        params, layers = split_layers(
            ctx, canonical_params(json_object(row.get("params")), row.get("viz_type")))
        params, time_filter = split_time_filter(params, time_subject(params, time_column(ctx, dataset)))
        if time_filter is None:  # no time column: the flag means nothing, take the tree's
            wanted = (ctx.desired or {}).get(self.kind, {}).get(key)
            time_filter = wanted.time_filter if isinstance(wanted, Chart) else True
        return Chart.model_validate({
            "name": name,
            "key": key if key != name else None,
            "dataset": dataset,
            "viz_type": row.get("viz_type") or "",
            "params": params,
            "time_filter": time_filter,
            "annotation_layers": layers,
            "description": row.get("description") or None,
            "owners": owner_names(ctx, row.get("owners") or []),
            "cache_timeout": row.get("cache_timeout"),
            "certified_by": row.get("certified_by") or None,
            "certification_details": row.get("certification_details") or None,
        })

    def register(self, ctx: Context, key: str, object_id: Any, spec: Spec) -> None:
        """Dashboards name a chart in their layout by its id and its name."""
        assert isinstance(spec, Chart)
        ctx.ids.set(self.kind, key, object_id)
        ctx.cache.chart_names[key] = spec.name

    # -- writing ---------------------------------------------------------------
    def to_payload(self, ctx: Context, spec: Spec, live: LiveObject | None = None) -> dict[str, Any]:
        assert isinstance(spec, Chart)
        dataset_id = id_of(ctx, "dataset", spec.dataset)
        params = expand(canonical_params(spec.params, spec.viz_type))
        if spec.time_filter:
            params = with_time_filter(params, time_subject(params, time_column(ctx, spec.dataset)))
        params = with_layers(ctx, params, spec.annotation_layers)
        params[KEY_PARAM] = spec.key
        context = build_query_context(params, spec.viz_type, dataset_id,
                                      live.id if live is not None else None)
        return {
            "slice_name": spec.name,
            "viz_type": spec.viz_type,
            "datasource_id": dataset_id,
            "datasource_type": "table",
            "params": json.dumps(params, sort_keys=True),
            "query_context": json.dumps(context, sort_keys=True),
            "description": spec.description,
            "cache_timeout": spec.cache_timeout,
            "certified_by": spec.certified_by,
            "certification_details": spec.certification_details,
            "owners": owner_ids(ctx, spec.owners),
            # On every write: an update adopts a chart the tree names (see
            # ``_claimed_key``), so its key marker is trusted from then on.
            **managed_fields(self.kind, spec.key),
        }

    def create(self, ctx: Context, spec: Spec) -> Any:
        assert isinstance(spec, Chart)
        new_id = super().create(ctx, spec)
        if not spec.owners:  # the server made the creator an owner
            ctx.client.put(f"chart/{new_id}", {"owners": []})
        return new_id

    def update(self, ctx: Context, change: Change) -> None:
        super().update(ctx, change)
        assert change.live is not None and change.desired is not None
        self.register(ctx, change.key, change.live.id, change.desired)


def chart_keys(rows: list[dict[str, Any]], wanted: list[str]) -> list[str]:
    """The key of each list row (see the module docstring), unique among them."""
    by_uuid = {managed_uuid("chart", key): key for key in wanted}
    claimed: list[str | None] = [_claimed_key(row, by_uuid) for row in rows]
    # Two rows claiming one key (a copy imported with the marker): the one
    # created with that key keeps it, the other is named like any chart.
    counts = Counter(k for k in claimed if k is not None)
    for i, key in enumerate(claimed):
        if key is not None and counts[key] > 1 and rows[i].get("uuid") != managed_uuid("chart", key):
            claimed[i] = None
            counts[key] -= 1
    taken = {k for k in claimed if k is not None}
    names = Counter(row.get("slice_name") or "" for row, k in zip(rows, claimed) if k is None)
    out = []
    for row, key in zip(rows, claimed):
        if key is None:
            name = row.get("slice_name") or ""
            shared = names[name] > 1 or name in taken
            key = f"{name} [{str(row.get('uuid') or row['id'])[:8]}]" if shared else name
        out.append(key)
    return out


def _claimed_key(row: dict[str, Any], by_uuid: dict[str, str]) -> str | None:
    uuid = row.get("uuid")
    marker = json_object(row.get("params")).get(KEY_PARAM)
    if isinstance(marker, str) and marker and (
            uuid == managed_uuid("chart", marker) or row.get("is_managed_externally")):
        return marker
    name = row.get("slice_name") or ""
    if uuid == managed_uuid("chart", name):
        return name
    return by_uuid.get(uuid or "")


def time_column(ctx: Context, dataset: str) -> str | None:
    """The default time column of ``dataset``: the tree's if it says one, else the
    server's (Superset marks DATE and TIMESTAMP columns ``is_dttm`` by itself, so
    a tree need not declare them)."""
    live = ctx.live.get("dataset", {}).get(dataset)
    for spec in ((ctx.desired or {}).get("dataset", {}).get(dataset), live.spec if live else None):
        column = default_time_column(spec) if isinstance(spec, Dataset) else None
        if column is not None:
            return column
    return None


def _dataset_key(ctx: Context, row: dict[str, Any]) -> str:
    key = ctx.ids.key("dataset", row.get("datasource_id"))
    if key is not None:
        return key
    table = row.get("table") or {}
    return table.get("table_name") or f"#{row.get('datasource_id')}"


HANDLER = ChartHandler()
