"""The lineage graph as DOT (Graphviz), Mermaid or JSON, optionally marked.

``marks`` maps a node to what a plan does to it (``create``, ``update``,
``delete``): marked nodes are filled (DOT), classed (Mermaid) or carry a
``change`` (JSON). Output is sorted (nodes in apply order, then by name;
edges by their ends), so the same tree renders the same text, fit for a diff.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from superset_iac.lineage.graph import Edge, Graph, sort_key

_SHAPE = {"table": "cylinder", "view": "cylinder", "database": "cylinder", "dataset": "box",
          "chart": "box", "dashboard": "box3d", "role": "ellipse", "rls": "hexagon",
          "user": "ellipse"}
_FILL = {"create": "palegreen", "update": "khaki", "delete": "lightpink"}
_SYMBOL = {"create": "+", "update": "~", "delete": "-"}


def edges(graph: Graph) -> list[Edge]:
    return sorted(graph.edges, key=lambda e: (sort_key(e.source), sort_key(e.target), e.relation))


def to_json(graph: Graph, marks: Mapping[str, str] | None = None) -> str:
    marks = marks or {}
    nodes: list[dict[str, Any]] = []
    for ref in graph.sorted_nodes():
        node = {"id": ref, "kind": graph.nodes[ref], "name": ref.split("/", 1)[1]}
        nodes.append({**node, "change": marks[ref]} if ref in marks else node)
    return json.dumps({"nodes": nodes, "edges": [
        {"from": e.source, "to": e.target, "relation": e.relation} for e in edges(graph)]},
        indent=2, ensure_ascii=False)


def to_dot(graph: Graph, marks: Mapping[str, str] | None = None) -> str:
    marks = marks or {}
    lines = ["digraph lineage {", "  rankdir=LR;", '  node [fontname="Helvetica"];']
    for ref in graph.sorted_nodes():
        kind, name = graph.nodes[ref], ref.split("/", 1)[1]
        label = f"{kind}\\n{_dot(name)}"
        attrs = [f'label="{label}"', f"shape={_SHAPE.get(kind, 'box')}"]
        if ref in marks:
            label = f"{_SYMBOL[marks[ref]]} {label}"
            attrs = [f'label="{label}"', attrs[1], "style=filled", f"fillcolor={_FILL[marks[ref]]}"]
        lines.append(f'  "{_dot(ref)}" [{", ".join(attrs)}];')
    for e in edges(graph):
        lines.append(f'  "{_dot(e.source)}" -> "{_dot(e.target)}" [label="{e.relation}"];')
    return "\n".join(lines + ["}"])


def to_mermaid(graph: Graph, marks: Mapping[str, str] | None = None) -> str:
    """``flowchart LR``; node ids are ``n0``, ``n1``… (names may hold anything)."""
    marks = marks or {}
    ids = {ref: f"n{i}" for i, ref in enumerate(graph.sorted_nodes())}
    lines = ["flowchart LR"]
    for ref, nid in ids.items():
        kind, name = graph.nodes[ref], ref.split("/", 1)[1]
        mark = f"{_SYMBOL[marks[ref]]} " if ref in marks else ""
        lines.append(f'  {nid}["{mark}{kind}: {_mermaid(name)}"]')
    for e in edges(graph):
        lines.append(f"  {ids[e.source]} -->|{e.relation}| {ids[e.target]}")
    for change, fill in _FILL.items():
        marked = [ids[r] for r in ids if marks.get(r) == change]
        if marked:
            lines.append(f"  classDef {change} fill:{fill}")
            lines.append(f"  class {','.join(marked)} {change}")
    return "\n".join(lines)


def _dot(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _mermaid(text: str) -> str:
    """Mermaid labels take HTML entities; quotes and brackets would end the label."""
    for char, entity in (("&", "#amp;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"),
                         ("[", "#91;"), ("]", "#93;"), ("|", "#124;")):
        text = text.replace(char, entity)
    return text


RENDER = {"json": to_json, "dot": to_dot, "mermaid": to_mermaid}
