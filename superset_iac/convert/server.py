"""A bundle as Superset's REST API would show it after importing it.

Convert does not have its own reader of the native format: it answers the
requests export's handlers make (the lists, ``database/{id}/connection``,
``dataset/{id}``, ``dashboard/{id}``) from the bundles, the way Superset 6.1
stores what ``POST /api/v1/assets/import/`` gives it. Export then runs
unchanged, so the same objects give the same bytes whether they were
converted offline or exported from a Superset that imported them.

What the import does, and this module after it (Superset's
``commands/*/importers/v1``): JSON fields (``extra``, ``params``,
``position``, ``metadata``) are stored as strings; the objects keep their
uuids and get new ids; the dashboard's chart ids (layout, chart and
cross-filter configuration, filter scopes, immune lists) and its native
filters' ``datasetUuid`` are rewritten to the new ids; a password in a URI is
masked the way the API masks it. What a bundle does not hold (owners, roles,
RLS) the server would not have either: nobody owns a converted object.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from superset_iac.convert.bundle import Bundle, BundleError, Member
from superset_iac.kinds.dashboard import _int  # chart ids as the dashboard handler reads them
from superset_iac.model.database import masked_uri

# Model defaults of Superset 6.1 for fields a bundle may leave out.
_DATABASE_FLAGS = {"expose_in_sqllab": True, "allow_run_async": False, "allow_dml": False,
                   "allow_ctas": False, "allow_cvas": False, "allow_file_upload": False,
                   "impersonate_user": False}
_DATASET_SETTINGS = {"description": None, "main_dttm_col": None,
                     "always_filter_main_dttm": False, "normalize_columns": False,
                     "filter_select_enabled": True, "cache_timeout": None}
_COLUMN_FIELDS = ("type", "is_dttm", "expression", "verbose_name", "description", "groupby",
                  "filterable", "python_date_format")
_METRIC_FIELDS = ("expression", "metric_type", "verbose_name", "description", "d3format",
                  "currency", "warning_text")


@dataclass
class Imported:
    """The server's rows, by resource, in import order (ids from 1)."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    details: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    requests: int = 0

    def add(self, resource: str, row: dict[str, Any], detail: dict[str, Any]) -> None:
        self.rows.setdefault(resource, []).append(row)
        self.details.setdefault(resource, {})[row["id"]] = detail


def import_bundles(bundles: Iterable[Bundle]) -> Imported:
    """Every object of ``bundles``; one uuid given twice is one object, the later copy."""
    by_kind: dict[str, dict[str, Member]] = {}
    for bundle in bundles:
        for member in bundle.members:
            uuid = member.data.get("uuid")
            if not isinstance(uuid, str) or not uuid:
                raise BundleError(f"{member.where}: no uuid (every object of a bundle has one)")
            by_kind.setdefault(member.kind, {})[uuid] = member
    server = Imported()
    databases = _databases(server, by_kind.get("database", {}))
    datasets = _datasets(server, by_kind.get("dataset", {}), databases)
    charts = _charts(server, by_kind.get("chart", {}), datasets)
    _dashboards(server, by_kind.get("dashboard", {}), charts, datasets)
    return server


def _string(member: Member, name: str) -> str:
    value = member.data.get(name)
    if not isinstance(value, str) or not value:
        raise BundleError(f"{member.where}: '{name}' must be a non-empty string")
    return value


def _json_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value)


def _databases(server: Imported, members: dict[str, Member]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for id_, (uuid, m) in enumerate(members.items(), start=1):
        data = dict(m.data)
        if "allow_csv_upload" in data:  # renamed in Superset 3.0
            data.setdefault("allow_file_upload", data.pop("allow_csv_upload"))
        given = data.get("extra")
        extra: dict[str, Any] = given if isinstance(given, dict) else {}
        name = _string(m, "database_name")
        detail = {"id": id_, "uuid": uuid, "database_name": name,
                  "sqlalchemy_uri": masked_uri(_string(m, "sqlalchemy_uri")),
                  "cache_timeout": data.get("cache_timeout"), "extra": json.dumps(extra),
                  **{flag: bool(data.get(flag, default)) for flag, default in
                     _DATABASE_FLAGS.items()}}
        server.add("database", {"id": id_, "uuid": uuid, "database_name": name}, detail)
        out[uuid] = {**detail, "allow_multi_catalog": bool(extra.get("allow_multi_catalog"))}
    return out


def _datasets(server: Imported, members: dict[str, Member],
              databases: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for id_, (uuid, m) in enumerate(members.items(), start=1):
        database = databases.get(str(m.data.get("database_uuid")))
        if database is None:
            raise BundleError(f"{m.where}: database_uuid names no database of the bundles")
        data = m.data
        row = {"id": id_, "uuid": uuid, "table_name": _string(m, "table_name"),
               "database": {"database_name": database["database_name"],
                            "allow_multi_catalog": database["allow_multi_catalog"]},
               "catalog": data.get("catalog"), "schema": data.get("schema"),
               "sql": data.get("sql")}
        settings = {k: data.get(k, d) for k, d in _DATASET_SETTINGS.items()}
        if settings["cache_timeout"] is None:  # the API answers the database's
            settings["cache_timeout"] = database["cache_timeout"]
        detail = {**row, **settings, "owners": [],
                  "extra": _json_text(data.get("extra")),
                  "template_params": _json_text(data.get("template_params")),
                  "columns": [{"id": i, "column_name": c.get("column_name"),
                               **{f: c.get(f) for f in _COLUMN_FIELDS}}
                              for i, c in enumerate(_items(m, "columns", "column_name"), 1)],
                  "metrics": [{"id": i, "metric_name": x.get("metric_name"),
                               **{f: x.get(f) for f in _METRIC_FIELDS}}
                              for i, x in enumerate(_items(m, "metrics", "metric_name"), 1)]}
        server.add("dataset", row, detail)
        out[uuid] = {"id": id_, "table_name": row["table_name"]}
    return out


def _items(member: Member, name: str, key: str) -> list[dict[str, Any]]:
    items = member.data.get(name) or []
    if not isinstance(items, list) or not all(isinstance(i, dict) and isinstance(i.get(key), str)
                                              for i in items):
        raise BundleError(f"{member.where}: '{name}' must be a list of mappings with '{key}'")
    return items


def _charts(server: Imported, members: dict[str, Member],
            datasets: dict[str, dict[str, Any]]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for id_, (uuid, m) in enumerate(members.items(), start=1):
        dataset = datasets.get(str(m.data.get("dataset_uuid")))
        if dataset is None:
            raise BundleError(f"{m.where}: dataset_uuid names no dataset of the bundles")
        params = m.data.get("params") or {}
        if isinstance(params, str):
            params = json.loads(params or "{}")
        # The import keeps only annotation layers that are not stored in the
        # source Superset (filter_chart_annotations), and always writes the key.
        params["annotation_layers"] = [a for a in params.get("annotation_layers") or []
                                       if isinstance(a, dict) and a.get("sourceType") != "NATIVE"]
        row = {"id": id_, "uuid": uuid, "slice_name": _string(m, "slice_name"),
               "viz_type": m.data.get("viz_type") or params.get("viz_type") or "",
               "params": json.dumps({**params, "datasource": f"{dataset['id']}__table"}),
               "datasource_id": dataset["id"], "datasource_type": "table",
               "table": {"table_name": dataset["table_name"]},
               "description": m.data.get("description"),
               "cache_timeout": m.data.get("cache_timeout"),
               "certified_by": m.data.get("certified_by"),
               "certification_details": m.data.get("certification_details"),
               "owners": [], "is_managed_externally": bool(m.data.get("is_managed_externally"))}
        server.add("chart", row, row)
        ids[uuid] = id_
    return ids


def _dashboards(server: Imported, members: dict[str, Member], charts: dict[str, int],
                datasets: dict[str, dict[str, Any]]) -> None:
    for id_, (uuid, m) in enumerate(members.items(), start=1):
        position = json.loads(json.dumps(m.data.get("position") or {}))
        metadata = json.loads(json.dumps(m.data.get("metadata") or {}))
        if not isinstance(position, dict) or not isinstance(metadata, dict):
            raise BundleError(f"{m.where}: 'position' and 'metadata' must be mappings")
        metadata.pop("show_native_filters", None)  # removed in Superset 3.0
        _new_ids(m, position, metadata, charts, datasets)
        row: dict[str, Any] = {"id": id_, "uuid": uuid, "dashboard_title": _string(m, "dashboard_title"),
               "slug": m.data.get("slug"), "published": bool(m.data.get("published")),
               "certified_by": m.data.get("certified_by"),
               "certification_details": m.data.get("certification_details"),
               "owners": [], "roles": [],
               "is_managed_externally": bool(m.data.get("is_managed_externally"))}
        detail = {**row, "css": m.data.get("css"), "json_metadata": json.dumps(metadata),
                  "position_json": json.dumps(position)}
        server.add("dashboard", row, detail)


def _new_ids(member: Member, position: dict[str, Any], metadata: dict[str, Any],
             charts: dict[str, int], datasets: dict[str, dict[str, Any]]) -> None:
    """Chart and dataset references rewritten to the new ids, as the import does."""
    old = {c["meta"]["uuid"]: c["meta"].get("chartId") for c in position.values()
           if isinstance(c, dict) and c.get("type") == "CHART"
           and isinstance(c.get("meta"), dict) and "uuid" in c["meta"]}
    id_map = {old_id: charts[u] for u, old_id in old.items() if u in charts}
    for child in position.values():
        if isinstance(child, dict) and child.get("type") == "CHART" \
                and isinstance(child.get("meta"), dict) and child["meta"].get("uuid") in charts:
            child["meta"]["chartId"] = charts[child["meta"]["uuid"]]
    remap = _Remap(id_map)
    for name in ("timed_refresh_immune_slices",):
        if isinstance(metadata.get(name), list):
            metadata[name] = remap.ids(metadata[name])
    for name in ("filter_scopes", "expanded_slices"):
        if isinstance(metadata.get(name), dict):
            metadata[name] = remap.keyed(metadata[name], immune=name == "filter_scopes")
    if isinstance(metadata.get("default_filters"), str):
        metadata["default_filters"] = json.dumps(remap.keyed(json.loads(metadata["default_filters"])))
    for entry in metadata.get("native_filter_configuration") or []:
        for target in entry.get("targets") or []:
            dataset_uuid = target.pop("datasetUuid", None)
            if dataset_uuid:
                if dataset_uuid not in datasets:
                    raise BundleError(f"{member.where}: native filter '{entry.get('name')}' "
                                      f"targets dataset {dataset_uuid}, not in the bundles")
                target["datasetId"] = datasets[dataset_uuid]["id"]
        remap.excluded(entry)
    remap.excluded(metadata.get("global_chart_configuration"))
    if isinstance(metadata.get("chart_configuration"), dict):
        metadata["chart_configuration"] = remap.chart_configuration(metadata["chart_configuration"])


@dataclass
class _Remap:
    id_map: Mapping[Any, int]

    def ids(self, values: list[Any]) -> list[int]:
        return [self.id_map[v] for v in values if v in self.id_map]

    def keyed(self, mapping: dict[str, Any], immune: bool = False) -> dict[str, Any]:
        out = {str(self.id_map[_int(k)]): v for k, v in mapping.items() if _int(k) in self.id_map}
        for columns in out.values() if immune else ():
            for attributes in columns.values():
                attributes["immune"] = self.ids(attributes.get("immune") or [])
        return out

    def excluded(self, holder: Any) -> None:
        scope = holder.get("scope") if isinstance(holder, dict) else None
        if isinstance(scope, dict) and scope.get("excluded"):
            scope["excluded"] = self.ids(scope["excluded"])

    def chart_configuration(self, conf: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in conf.items():
            new = self.id_map.get(_int(key))
            if new is None:  # not an id of a chart in the layout: the import drops it
                continue
            if isinstance(value, dict):
                value["id"] = new
                self.excluded(value.get("crossFilters"))
            out[str(new)] = value
        return out

