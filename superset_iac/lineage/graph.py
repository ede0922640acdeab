"""Lineage of an asset tree, offline: what feeds what, and what a change reaches.

Nodes are the tree's objects (``kind/key``) plus the warehouse tables its
views and datasets read that are not views of the tree (``table/c.s.name``).
Every edge points downstream, from an object to one that a change of it
affects:

    table ──reads──> view ──reads──> dataset ──plots──> chart ──shows──> dashboard
    database ──connects──> dataset          dataset ──filters──> dashboard (native filter)
    rls ──restricts──> dataset              rls ──applies to──> role
    role ──grants──> dataset | database     role ──opens──> dashboard
    view ──reads──> saved query             database ──connects──> saved query

``impact`` follows edges transitively, except through the relations of
``STOP``: a role's change alters who may open a dashboard, not what its
charts show, so the dashboard is reached but not the charts' other
dashboards; an RLS rule applies to a role without changing the role's other
grants. An RLS rule's ``restricts`` is followed: it changes the dataset's
rows, so every chart and dashboard on it shows something else.

Which tables a dataset or view reads comes from the validator's index (SQL
parsed once per tree), so graph, validate and apply agree; every other edge
is a kind's own ``Spec.lineage`` (by default: what it names feeds it).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from superset_iac.load.tree import AssetTree
from superset_iac.model import Dataset, View
from superset_iac.plan.diff import KIND_ORDER
from superset_iac.validate.index import Index, index, table_ref
from superset_iac.validate.sqltext import TableRef

TABLE = "table"
ORDER = [TABLE, *KIND_ORDER]
# Reached, not gone through (see the module's docstring).
STOP = frozenset({"grants", "opens", "applies to"})


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    relation: str


@dataclass
class Graph:
    nodes: dict[str, str] = field(default_factory=dict)  # id -> kind
    edges: list[Edge] = field(default_factory=list)

    def add(self, source: str, target: str, relation: str) -> None:
        for ref in (source, target):
            self.nodes.setdefault(ref, ref.split("/", 1)[0])
        edge = Edge(source, target, relation)
        if edge not in self.edges:
            self.edges.append(edge)

    def downstream(self, ref: str) -> list[Edge]:
        return [e for e in self.edges if e.source == ref]

    def sorted_nodes(self) -> list[str]:
        return sorted(self.nodes, key=sort_key)


def sort_key(ref: str) -> tuple[int, str]:
    kind, _, name = ref.partition("/")
    return (ORDER.index(kind) if kind in ORDER else len(ORDER), name)


def build(tree: AssetTree) -> Graph:
    graph = Graph()
    for spec in tree:
        graph.nodes[spec.ref] = spec.KIND
    idx = index(tree)
    for view in tree.each(View):
        _reads(graph, idx.view_reads(view), view.ref, idx)
    for dataset in tree.each(Dataset):
        _reads(graph, idx.dataset_reads(dataset), dataset.ref, idx)
    for spec in tree:  # the queries a kind holds (``Spec.queries``: a saved query's)
        for held in spec.queries():
            reads = idx.sql_reads(held.text, idx.catalog_for(held.database, held.catalog),
                                  held.schema or "")
            _reads(graph, reads, spec.ref, idx)
    for spec in tree:  # what each kind says it feeds or is fed by (``Spec.lineage``)
        for link in spec.lineage():
            graph.add(link.source, link.target, link.relation)
    return graph


def _reads(graph: Graph, refs: list[TableRef], reader: str, idx: Index) -> None:
    for ref in refs:
        views = idx.views_read([ref])
        if views:
            for view in views:
                graph.add(view.ref, reader, "reads")
        else:
            graph.add(f"{TABLE}/{table_name(ref)}", reader, "reads")


def table_name(ref: TableRef) -> str:
    return ".".join(p for p in (ref.catalog, ref.schema, ref.name) if p)


def impact(graph: Graph, ref: str) -> dict[str, str]:
    """Everything downstream of ``ref``: node -> the node it is reached from
    (breadth first, so the nearest path), sorted in apply order."""
    via: dict[str, str] = {}
    queue = deque([ref])
    while queue:
        here = queue.popleft()
        for edge in graph.downstream(here):
            if edge.target == ref or edge.target in via:
                continue
            via[edge.target] = here
            if edge.relation not in STOP:
                queue.append(edge.target)
    return {node: via[node] for node in sorted(via, key=sort_key)}


def find(graph: Graph, ref: str) -> str | None:
    """``ref`` as a node of the graph (a table also by its partial name)."""
    if ref in graph.nodes:
        return ref
    kind, _, name = ref.partition("/")
    if kind == TABLE:
        wanted = table_ref(name)
        for node in graph.nodes:
            if node.startswith(f"{TABLE}/") and _same_table(table_ref(node[6:]), wanted):
                return node
    return None


def _same_table(a: TableRef, b: TableRef) -> bool:
    return all(x == y or not y for x, y in ((a.catalog, b.catalog), (a.schema, b.schema))) \
        and a.name == b.name


def subgraph(graph: Graph, refs: set[str]) -> Graph:
    """The nodes ``refs`` and the edges between them."""
    out = Graph({ref: kind for ref, kind in graph.nodes.items() if ref in refs})
    out.edges = [e for e in graph.edges if e.source in refs and e.target in refs]
    return out


def plan_impact(graph: Graph, refs: list[str]) -> dict[str, list[str]]:
    """For each changed object of the tree, what lies downstream of it (an
    object pruned from the tree has no node, so no entry)."""
    return {ref: list(impact(graph, ref)) for ref in refs if ref in graph.nodes}
