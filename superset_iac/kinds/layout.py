"""A dashboard's spec tree <-> one environment's ``position_json``.

The spec tree (``model/layout.py``) names charts by key; the server's tree
names them by this environment's ids and adds the header and version nodes
Superset derives from the title.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from superset_iac.model.layout import HEADER_ID, VERSION_KEY, Tree, with_parents


@dataclass(frozen=True)
class ChartInfo:
    id: int
    name: str


def to_server(tree: Tree, title: str, chart: Callable[[str], ChartInfo]) -> Tree:
    """The ``position_json`` for one environment: chart keys become chart ids.

    The server fills ``meta.uuid`` itself when the PUT links charts.
    """
    out: Tree = {}
    for node_id, node in with_parents(tree).items():
        if isinstance(node, dict) and node.get("type") == "CHART" and "chart" in (node.get("meta") or {}):
            meta = dict(node["meta"])
            info = chart(meta.pop("chart"))
            node = {**node, "meta": {**meta, "chartId": info.id, "sliceName": info.name}}
        out[node_id] = node
    out[HEADER_ID] = {"id": HEADER_ID, "type": "HEADER", "meta": {"text": title}}
    out[VERSION_KEY] = "v2"
    return out


def from_server(position: Tree | None, chart_key: Callable[[Any], str | None]) -> Tree | None:
    """A live ``position_json`` as a spec tree: chart ids become chart keys.

    A chart id no live chart has (a deleted chart) stays ``chartId``, so the
    tree is kept whole rather than silently dropping the cell.
    """
    if not position:
        return None
    out: Tree = {}
    for node_id, node in position.items():
        if node_id in (HEADER_ID, VERSION_KEY):
            continue
        if isinstance(node, dict) and node.get("type") == "CHART" and isinstance(node.get("meta"), dict):
            meta = {k: v for k, v in node["meta"].items() if k not in ("uuid", "sliceName")}
            key = chart_key(meta.get("chartId"))
            if key is not None:
                meta.pop("chartId")
                meta = {"chart": key, **meta}
            node = {**node, "meta": meta}
        out[node_id] = node
    return out
