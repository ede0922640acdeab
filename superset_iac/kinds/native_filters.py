"""A dashboard's filters in spec form <-> one environment's entries.

``model/native_filters.py`` writes a filter as Superset's entry in spec form
(datasets and charts by name); here names become this environment's ids and
back, and the scope keys Superset derives (``chartsInScope``,
``tabsInScope``) are added on write and dropped on read.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Callable

from superset_iac.model.native_filters import DERIVED, ROOT


@dataclass
class Resolver:
    """Name <-> id lookups for one dashboard in one environment."""

    dataset_id: Callable[[str], Any]
    dataset_key: Callable[[Any], str | None]
    chart_id: Callable[[str], Any]
    chart_key: Callable[[Any], str | None]
    chart_tabs: dict[str, list[str]] = field(default_factory=dict)  # chart key -> tab ids


def to_server(body: dict[str, Any], dashboard_charts: list[str], r: Resolver) -> dict[str, Any]:
    """A spec-form entry with this environment's ids and the derived scope keys."""
    out = copy.deepcopy(body)
    if isinstance(out.get("targets"), list):
        out["targets"] = [_target_ids(t, r) for t in out["targets"]]
    scope = out.get("scope")
    if isinstance(scope, dict):
        out["scope"] = {**scope, "excluded": [r.chart_id(c) for c in scope.get("excluded") or []]}
    if out.get("type") == "NATIVE_FILTER":
        in_scope = _in_scope(scope, dashboard_charts, r)
        out["chartsInScope"] = [r.chart_id(c) for c in in_scope]
        out["tabsInScope"] = _tabs_of(in_scope, r)
    elif isinstance(out.get("chartsInScope"), list):
        out["chartsInScope"] = [r.chart_id(c) for c in out["chartsInScope"]]
    return out


def _target_ids(target: Any, r: Resolver) -> Any:
    if not isinstance(target, dict) or "dataset" not in target:
        return target
    rest = {k: v for k, v in target.items() if k != "dataset"}
    return {"datasetId": r.dataset_id(target["dataset"]), **rest}


def _in_scope(scope: Any, dashboard_charts: list[str], r: Resolver) -> list[str]:
    if not isinstance(scope, dict):
        return list(dashboard_charts)
    excluded = set(scope.get("excluded") or [])
    roots = set(scope.get("rootPath") or [ROOT])
    under = [c for c in dashboard_charts
             if ROOT in roots or roots & set(r.chart_tabs.get(c, []))]
    return [c for c in under if c not in excluded]


def _tabs_of(charts: list[str], r: Resolver) -> list[str]:
    out: list[str] = []
    for chart in charts:
        for tab in r.chart_tabs.get(chart, []):
            if tab not in out:
                out.append(tab)
    return out


def from_server(entry: dict[str, Any], r: Resolver) -> dict[str, Any]:
    """A live entry in spec form: dataset and chart ids become names, derived keys go.

    Only a native filter's scope keys are derived; other entries (chart
    customizations, dividers) keep theirs, with chart ids named.
    """
    derived = DERIVED if entry.get("type") == "NATIVE_FILTER" else frozenset()
    out = {k: copy.deepcopy(v) for k, v in entry.items() if k not in derived}
    if isinstance(out.get("chartsInScope"), list):
        out["chartsInScope"] = [_name(r.chart_key, c, "chart") for c in out["chartsInScope"]]
    if isinstance(out.get("targets"), list):
        out["targets"] = [_target_names(t, r) for t in out["targets"]]
    scope = out.get("scope")
    if isinstance(scope, dict) and isinstance(scope.get("excluded"), list):
        out["scope"] = {**scope, "excluded": [_name(r.chart_key, c, "chart") for c in scope["excluded"]]}
    return out


def _target_names(target: Any, r: Resolver) -> Any:
    if not isinstance(target, dict) or "datasetId" not in target:
        return target
    rest = {k: v for k, v in target.items() if k not in ("datasetId", "datasetUuid")}
    return {"dataset": _name(r.dataset_key, target["datasetId"], "dataset"), **rest}


def _name(lookup: Callable[[Any], str | None], id_: Any, kind: str) -> str:
    """The key of ``id_``; ``#<id>`` for an object that no longer exists, so it shows."""
    key = lookup(id_)
    return key if key is not None else f"#{id_}"
