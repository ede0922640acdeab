"""``Dashboard.filters`` <-> ``json_metadata.native_filter_configuration``.

Two steps each way. ``filter_body`` writes a filter as Superset's entry in
*spec form*: datasets and charts by name, ``targets[].dataset`` instead of
``datasetId``, ``scope.excluded`` as chart keys: the model's canonical form.
``kinds/native_filters.py`` swaps names and one environment's ids and adds
what Superset derives from the scope and the layout (``chartsInScope``,
``tabsInScope``).

Reading (``decompile_filter``) takes the modelled fields out of an entry,
compiles them back, and keeps in ``extra`` whatever the compiled entry does not
say the same way, so ``filter_body(decompile_filter(e)) == e`` (up to the
derived keys and keys Superset treats as absent when they hold their default):
export loses nothing and a filter built in the UI is read back exactly.

A filter's id is its given ``id`` or ``NATIVE_FILTER-`` + a digest of its
name: stable across applies, which matters because reports and permalinks
name filters by id and Superset deactivates reports whose filter id vanishes.
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any, Literal

from pydantic import Field

from superset_iac.model.base import Model

FilterType = Literal["select", "time_range", "range", "time_column", "time_grain"]


class NativeFilter(Model):
    name: str
    type: FilterType = "select"
    id: str | None = Field(default=None, description="NATIVE_FILTER-… id; derived from name if absent")
    dataset: str | None = None
    column: str | None = None
    description: str | None = None
    multiple: bool = True
    required: bool = False
    default: Any = None
    search_all_options: bool = False
    charts: list[str] | None = Field(default=None, description="charts in scope; all if absent")
    extra: dict[str, Any] = Field(
        default_factory=dict, description="other filter settings, kept as Superset writes them")

ROOT = "ROOT_ID"
FILTER_TYPES = {"select": "filter_select", "time_range": "filter_time", "range": "filter_range",
                "time_column": "filter_timecolumn", "time_grain": "filter_timegrain"}
SPEC_TYPES = {v: k for k, v in FILTER_TYPES.items()}
# Derived by Superset's frontend from the scope and the layout; recomputed on write.
DERIVED = frozenset({"chartsInScope", "tabsInScope"})
# ``extra`` holding one key, ``raw``, is an entry the model cannot describe at
# all (a filter divider, a filter plugin's own type): written back as it is.
RAW = "raw"


def derived_filter_id(name: str) -> str:
    return f"NATIVE_FILTER-{hashlib.sha1(name.encode()).hexdigest()[:20]}"


def filter_id(f: NativeFilter) -> str:
    return f.id or derived_filter_id(f.name)


# -- spec form ----------------------------------------------------------------


def filter_body(f: NativeFilter, dashboard_charts: list[str]) -> dict[str, Any]:
    """The filter as Superset's entry, in spec form (names, no derived keys)."""
    if set(f.extra) == {RAW}:
        return copy.deepcopy(f.extra[RAW])
    body: dict[str, Any] = {
        "id": filter_id(f),
        "name": f.name,
        "filterType": FILTER_TYPES[f.type],
        "type": "NATIVE_FILTER",
        "targets": _targets(f),
        "controlValues": _control_values(f),
        "defaultDataMask": _default_mask(f),
        "cascadeParentIds": [],
        "scope": _scope(f.charts, dashboard_charts),
        "description": f.description or "",
    }
    for name, value in f.extra.items():
        if name == "controlValues" and isinstance(value, dict):
            body[name] = {**body[name], **value}
        else:
            body[name] = copy.deepcopy(value)
    return body


def _targets(f: NativeFilter) -> list[dict[str, Any]]:
    target: dict[str, Any] = {}
    if f.dataset is not None:
        target["dataset"] = f.dataset
    if f.column is not None:
        target["column"] = {"name": f.column}
    return [target]


def _control_values(f: NativeFilter) -> dict[str, Any]:
    if f.type != "select":
        return {"enableEmptyFilter": f.required}
    return {"enableEmptyFilter": f.required, "defaultToFirstItem": False,
            "multiSelect": f.multiple, "searchAllOptions": f.search_all_options,
            "inverseSelection": False}


def _default_mask(f: NativeFilter) -> dict[str, Any]:
    """``defaultDataMask``: what applying the default value does to the charts."""
    mask: dict[str, Any] = {"extraFormData": {}, "filterState": {}, "ownState": {}}
    value = _default_value(f)
    if value is None:
        return mask
    mask["filterState"] = {"value": value}
    if f.type == "select":
        mask["extraFormData"] = {"filters": [{"col": f.column, "op": "IN", "val": value}]}
    elif f.type == "time_range":
        mask["extraFormData"] = {"time_range": value}
    elif f.type == "range":
        low, high = value
        bounds = [{"col": f.column, "op": ">=", "val": low}] if low is not None else []
        bounds += [{"col": f.column, "op": "<=", "val": high}] if high is not None else []
        mask["extraFormData"] = {"filters": bounds}
    elif f.type == "time_grain":
        mask["extraFormData"] = {"time_grain_sqla": value[0]}
    else:
        mask["extraFormData"] = {"granularity_sqla": value[0]}
    return mask


def _default_value(f: NativeFilter) -> Any:
    """The default as the filter state holds it: a list for list-valued filters."""
    value = f.default
    if value is None:
        return None
    if f.type in ("select", "time_grain", "time_column") and not isinstance(value, list):
        return [value]
    return value


def _scope(charts: list[str] | None, dashboard_charts: list[str]) -> dict[str, Any]:
    wanted = set(charts) if charts is not None else set(dashboard_charts)
    return {"rootPath": [ROOT], "excluded": [c for c in dashboard_charts if c not in wanted]}


# -- reading ------------------------------------------------------------------


def decompile_filter(body: dict[str, Any], dashboard_charts: list[str]) -> NativeFilter:
    """A spec-form entry as a ``NativeFilter``; what the fields cannot say goes to ``extra``."""
    body = {k: v for k, v in body.items() if k not in DERIVED}
    filter_type = body.get("filterType")
    spec_type = SPEC_TYPES.get(filter_type) if isinstance(filter_type, str) else None
    if body.get("type") != "NATIVE_FILTER" or spec_type is None or not isinstance(body.get("name"), str):
        name = body.get("name") or body.get("title") or body.get("id") or "filter"
        return NativeFilter(name=str(name), id=body.get("id"), extra={RAW: body})
    f = _fields(body, spec_type, dashboard_charts)
    base = filter_body(f, dashboard_charts)
    extra: dict[str, Any] = {}
    for name, value in body.items():
        if name == "controlValues" and isinstance(value, dict):
            changed = {k: v for k, v in value.items() if base[name].get(k) != v}
            if changed:
                extra[name] = changed
        elif name not in base or not _same(name, base[name], value):
            extra[name] = value
    return f.model_copy(update={"extra": extra})


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _fields(body: dict[str, Any], spec_type: str, dashboard_charts: list[str]) -> NativeFilter:
    targets = body.get("targets") or [{}]
    target = targets[0] if isinstance(targets[0], dict) else {}
    column = target.get("column", {}).get("name") if isinstance(target.get("column"), dict) else None
    controls = _mapping(body.get("controlValues"))
    state = _mapping(_mapping(body.get("defaultDataMask")).get("filterState"))
    fid = body.get("id")
    return NativeFilter(
        name=body["name"], type=spec_type,  # type: ignore[arg-type]
        id=None if fid == derived_filter_id(body["name"]) else fid,
        dataset=target.get("dataset"), column=column,
        description=body.get("description") or None,
        multiple=bool(controls.get("multiSelect", True)) if spec_type == "select" else True,
        required=bool(controls.get("enableEmptyFilter", False)),
        default=_read_default(spec_type, state.get("value")),
        search_all_options=bool(controls.get("searchAllOptions", False)) if spec_type == "select" else False,
        charts=_charts(body.get("scope"), dashboard_charts))


def _read_default(spec_type: str, value: Any) -> Any:
    if spec_type in ("time_grain", "time_column") and isinstance(value, list) and len(value) == 1:
        return value[0]
    if spec_type == "range" and not (isinstance(value, list) and len(value) == 2):
        return None
    return value


def _charts(scope: Any, dashboard_charts: list[str]) -> list[str] | None:
    """Charts in scope for a dashboard-wide scope; None (all) when nothing is excluded.

    A scope rooted elsewhere (tabs) cannot be said with ``charts`` and stays
    in ``extra`` as Superset wrote it.
    """
    if not isinstance(scope, dict) or scope.get("rootPath") != [ROOT]:
        return None
    excluded = set(scope.get("excluded") or [])
    if not excluded & set(dashboard_charts):
        return None
    return [c for c in dashboard_charts if c not in excluded]


def _same(name: str, base: Any, live: Any) -> bool:
    if name == "scope":
        return _scope_charts(base) == _scope_charts(live)
    if name == "defaultDataMask":
        return _mask(base) == _mask(live)
    if name == "description":
        return (base or "") == (live or "")
    return base == live


def _scope_charts(scope: Any) -> Any:
    if isinstance(scope, dict) and scope.get("rootPath") == [ROOT]:
        return ("root", frozenset(scope.get("excluded") or []))
    return scope


def _mask(mask: Any) -> Any:
    """A data mask with absent and empty parts made alike (``value: null`` is no value)."""
    if not isinstance(mask, dict):
        return mask
    state = {k: v for k, v in (mask.get("filterState") or {}).items() if v is not None}
    return {**mask, "extraFormData": mask.get("extraFormData") or {}, "filterState": state,
            "ownState": mask.get("ownState") or {}}


def canonical_filter(f: NativeFilter, dashboard_charts: list[str] | None = None) -> dict[str, Any]:
    """What ``Dashboard.compared`` compares for a filter (every chart in scope == all)."""
    if set(f.extra) == {RAW}:
        return {"name": f.name, "id": f.id, "raw": f.extra[RAW]}
    select = f.type == "select"
    return {
        "name": f.name, "type": f.type, "id": filter_id(f),
        "dataset": f.dataset, "column": f.column, "description": f.description or None,
        "multiple": f.multiple if select else True, "required": f.required,
        "default": _default_value(f),
        "search_all_options": f.search_all_options if select else False,
        "charts": _canonical_charts(f.charts, dashboard_charts),
        "extra": {k: v for k, v in f.extra.items() if k not in DERIVED},
    }


def _canonical_charts(charts: list[str] | None, dashboard_charts: list[str] | None) -> list[str] | None:
    if charts is None or (dashboard_charts is not None and set(charts) >= set(dashboard_charts)):
        return None
    return sorted(charts)
