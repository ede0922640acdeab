"""The compact dashboard layout <-> Superset's ``position_json`` tree.

Three forms of a layout:

* **compact**: ``Dashboard.layout``, a list of ``LayoutItem`` (rows of cells,
  headers, dividers, tabs; a cell is a chart, a markdown block or a column);
* **spec tree**: Superset's tree keyed by node id, but a ``CHART`` node names
  its chart by key (``meta.chart``) instead of ``chartId``/``uuid``/
  ``sliceName``, and without ``HEADER_ID``/``DASHBOARD_VERSION_KEY`` (derived
  from the title). ``Dashboard.position`` holds this form when the compact
  form cannot say everything;
* **server tree**: what ``position_json`` holds in one environment
  (``kinds/layout.py`` converts the spec tree to it and back).

``compile_layout`` gives every node an id derived from where it is (and a
chart's from its key, a tab's from its title path), so compiling the same
layout twice gives the same tree and a re-apply changes nothing. A tab's id
can be pinned (``Tab.id``): reports and filter scopes name tabs by id, and
Superset deactivates the reports of a tab whose id disappears.

``decompile_layout`` turns a spec tree back into the compact form only when
compiling that form gives the same dashboard (the same nodes, kinds, order,
sizes and texts; node ids other than tabs' are not part of a dashboard's
meaning), otherwise None, and the tree is kept whole. Hence
``decompile(compile(x)) == x`` for every compact ``x``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import AbstractSet, Any

from superset_iac.model.layout_items import TRANSPARENT, Cell, LayoutItem, Tab

Tree = dict[str, Any]

ROOT, GRID, HEADER_ID, VERSION_KEY = "ROOT_ID", "GRID_ID", "HEADER_ID", "DASHBOARD_VERSION_KEY"
# Hints the tab editor stores beside the title; they never show once a title is set.
_TAB_HINTS = frozenset({"defaultText", "placeholder"})
_NODE_KEYS = frozenset({"type", "id", "children", "parents", "meta"})


def _digest(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:10]


def derived_tab_id(titles: list[str]) -> str:
    """The id of a tab reached through tabs titled ``titles`` (outermost first)."""
    return f"TAB-{_digest('tab', *titles)}"


# -- compile ------------------------------------------------------------------


@dataclass
class _TabIds:
    """Derived tab ids, made unique in document order.

    Two tabs reached through the same titles (twin tabs, or tab sets side by
    side) get ``#1``, ``#2``… in the order both the compiler and the
    decompiler meet them, so each derives the other's ids.
    """

    used: dict[str, int] = field(default_factory=dict)

    def next(self, titles: list[str]) -> str:
        seed = "\x1f".join(titles)
        n = self.used[seed] = self.used.get(seed, -1) + 1
        return derived_tab_id(titles if n == 0 else titles + [f"#{n}"])


@dataclass
class _Compiler:
    tree: Tree
    tab_ids: _TabIds = field(default_factory=_TabIds)

    def add(self, node_id: str, kind: str, parents: list[str], meta: dict | None,
            children: list[str] | None = None) -> str:
        node: dict[str, Any] = {"type": kind, "id": node_id, "children": children or [],
                                "parents": list(parents)}
        if meta is not None:
            node["meta"] = meta
        self.tree[node_id] = node
        return node_id

    def items(self, items: list[Any], parents: list[str], path: str, tabs: list[str]) -> list[str]:
        return [self.item(item, parents, f"{path}/{i}", tabs) for i, item in enumerate(items)]

    def item(self, item: Any, parents: list[str], path: str, tabs: list[str]) -> str:
        if isinstance(item, Cell):
            return self.cell(item, parents, path, tabs)
        if item.row is not None:
            node_id = f"ROW-{_digest('row', path)}"
            self.add(node_id, "ROW", parents, {"background": item.background or TRANSPARENT})
            kids = [self.cell(c, parents + [node_id], f"{path}/{j}", tabs)
                    for j, c in enumerate(item.row)]
            self.tree[node_id]["children"] = kids
            return node_id
        if item.header is not None:
            meta: dict[str, Any] = {"text": item.header}
            if item.size is not None:
                meta["headerSize"] = item.size
            if item.background is not None:
                meta["background"] = item.background
            return self.add(f"HEADER-{_digest('header', path)}", "HEADER", parents, meta)
        if item.divider:
            return self.add(f"DIVIDER-{_digest('divider', path)}", "DIVIDER", parents, {})
        return self.tabs(item.tabs or [], parents, path, tabs)

    def tabs(self, tabs: list[Tab], parents: list[str], path: str, titles: list[str]) -> str:
        node_id = self.add(f"TABS-{_digest('tabs', path)}", "TABS", parents, {})
        kids = []
        for j, tab in enumerate(tabs):
            own = titles + [tab.title]
            derived = self.tab_ids.next(own)
            tab_id = tab.id or derived
            self.add(tab_id, "TAB", parents + [node_id], {"text": tab.title})
            self.tree[tab_id]["children"] = self.items(
                tab.layout, parents + [node_id, tab_id], f"{path}/{j}", own)
            kids.append(tab_id)
        self.tree[node_id]["children"] = kids
        return node_id

    def cell(self, cell: Cell, parents: list[str], path: str, tabs: list[str]) -> str:
        if cell.chart is not None:
            meta: dict[str, Any] = {"chart": cell.chart, "width": cell.width, "height": cell.height}
            if cell.title is not None:
                meta["sliceNameOverride"] = cell.title
            node_id = f"CHART-{_digest('chart', cell.chart)}"
            if node_id in self.tree:  # the same chart twice: keep ids apart
                node_id = f"CHART-{_digest('chart', cell.chart, path)}"
            return self.add(node_id, "CHART", parents, meta)
        if cell.markdown is not None:
            meta = {"width": cell.width, "height": cell.height, "code": cell.markdown}
            return self.add(f"MARKDOWN-{_digest('markdown', path)}", "MARKDOWN", parents, meta)
        node_id = f"COLUMN-{_digest('column', path)}"
        self.add(node_id, "COLUMN", parents,
                 {"width": cell.width, "background": cell.background or TRANSPARENT})
        self.tree[node_id]["children"] = self.items(cell.column or [], parents + [node_id], path, tabs)
        return node_id


def compile_layout(items: list[LayoutItem]) -> Tree:
    """The spec tree of a compact layout.

    A layout of one ``tabs`` item gives top-level tabs (under ROOT_ID, drawn
    as the dashboard's own tabs), unless it says ``nested: true``.
    """
    comp = _Compiler({})
    comp.add(ROOT, "ROOT", [], None)
    del comp.tree[ROOT]["parents"]
    if len(items) == 1 and items[0].tabs is not None and not items[0].nested:
        comp.add(GRID, "GRID", [ROOT], None)
        comp.tree[ROOT]["children"] = [comp.tabs(items[0].tabs, [ROOT], "/0", [])]
    else:
        comp.add(GRID, "GRID", [ROOT], None)
        comp.tree[ROOT]["children"] = [GRID]
        comp.tree[GRID]["children"] = comp.items(items, [ROOT, GRID], "", [])
    return comp.tree


# -- decompile ----------------------------------------------------------------


class _Inexpressible(Exception):
    """The tree says something the compact layout cannot."""


@dataclass
class _Decompiler:
    tree: Tree
    seen: set[str]
    tab_ids: _TabIds = field(default_factory=_TabIds)

    def node(self, node_id: str, kinds: set[str]) -> dict[str, Any]:
        node = self.tree.get(node_id)
        if not isinstance(node, dict) or node.get("id") != node_id or node_id in self.seen:
            raise _Inexpressible(node_id)
        if node.get("type") not in kinds or set(node) - _NODE_KEYS:
            raise _Inexpressible(node_id)
        self.seen.add(node_id)
        return node

    def items(self, ids: list[str], kinds: set[str], titles: list[str]) -> list[Any]:
        return [self.item(i, kinds, titles) for i in ids]

    def item(self, node_id: str, kinds: set[str], titles: list[str]) -> Any:
        node = self.node(node_id, kinds)
        kind, meta, kids = node["type"], _meta(node), _children(node)
        if kind in ("CHART", "MARKDOWN", "COLUMN"):
            return self.cell(node, titles)
        if kind == "ROW":
            _only(meta, {"background"})
            cells = [self.cell(self.node(k, {"CHART", "MARKDOWN", "COLUMN"}), titles) for k in kids]
            return LayoutItem(row=cells, background=_background(meta))
        if kind == "HEADER":
            _only(meta, {"text", "headerSize", "background"}, required={"text"})
            _no_children(kids)
            return LayoutItem(header=meta["text"], size=meta.get("headerSize"),
                              background=_background(meta))
        if kind == "DIVIDER":
            _only(meta, set())
            _no_children(kids)
            return LayoutItem(divider=True)
        return LayoutItem(tabs=self.tabs(node, titles))

    def tabs(self, node: dict[str, Any], titles: list[str]) -> list[Tab]:
        _only(_meta(node), set())
        out = []
        for tab_id in _children(node):
            tab = self.node(tab_id, {"TAB"})
            meta = _meta(tab)
            _only(meta, {"text"} | _TAB_HINTS, required={"text"})
            own = titles + [meta["text"]]
            pinned = None if tab_id == self.tab_ids.next(own) else tab_id
            layout = self.items(_children(tab), {"ROW", "HEADER", "DIVIDER", "TABS"}, own)
            out.append(Tab(title=meta["text"], id=pinned, layout=layout))
        return out

    def cell(self, node: dict[str, Any], titles: list[str]) -> Cell:
        kind, meta, kids = node["type"], _meta(node), _children(node)
        if kind == "CHART":
            _only(meta, {"chart", "width", "height", "sliceNameOverride"},
                  required={"chart", "width", "height"})
            _no_children(kids)
            return Cell(chart=meta["chart"], width=meta["width"], height=meta["height"],
                        title=meta.get("sliceNameOverride"))
        if kind == "MARKDOWN":
            _only(meta, {"width", "height", "code"}, required={"width", "height", "code"})
            _no_children(kids)
            return Cell(markdown=meta["code"], width=meta["width"], height=meta["height"])
        _only(meta, {"width", "background"}, required={"width"})
        stack = self.items(kids, {"CHART", "MARKDOWN", "ROW", "HEADER", "DIVIDER"}, titles)
        return Cell(column=stack, width=meta["width"], background=_background(meta))


def _meta(node: dict[str, Any]) -> dict[str, Any]:
    meta = node.get("meta", {})
    if not isinstance(meta, dict):
        raise _Inexpressible(node.get("id"))
    return meta


def _children(node: dict[str, Any]) -> list[str]:
    kids = node.get("children", [])
    if not isinstance(kids, list) or not all(isinstance(k, str) for k in kids):
        raise _Inexpressible(node.get("id"))
    return kids


def _no_children(kids: list[str]) -> None:
    if kids:
        raise _Inexpressible(kids[0])


def _only(meta: dict[str, Any], allowed: AbstractSet[str],
          required: AbstractSet[str] = frozenset()) -> None:
    if set(meta) - allowed or required - set(meta):
        raise _Inexpressible(meta)
    for name in ("width", "height"):
        if name in meta and (not isinstance(meta[name], int) or isinstance(meta[name], bool)):
            raise _Inexpressible(meta)
    for name in ("text", "code", "chart", "sliceNameOverride"):
        if name in meta and not isinstance(meta[name], str):
            raise _Inexpressible(meta)
    if meta.get("headerSize") not in (None, "SMALL_HEADER", "MEDIUM_HEADER", "LARGE_HEADER"):
        raise _Inexpressible(meta)


def _background(meta: dict[str, Any]) -> str | None:
    value = meta.get("background")
    if value is not None and not isinstance(value, str):
        raise _Inexpressible(meta)
    return None if value in (None, TRANSPARENT) else value


def decompile_layout(tree: Tree | None) -> list[LayoutItem] | None:
    """The compact layout of a spec tree, or None when it cannot say all of it."""
    if not tree:
        return []
    dec = _Decompiler(tree, set())
    try:
        root = dec.node(ROOT, {"ROOT"})
        kids = _children(root)
        grid = tree.get(GRID)
        if kids == [GRID]:
            grid = dec.node(GRID, {"GRID"})
            items = dec.items(_children(grid), {"ROW", "HEADER", "DIVIDER", "TABS"}, [])
            if len(items) == 1 and items[0].tabs is not None:
                items[0].nested = True  # alone in the grid, yet not the top-level tabs
        elif len(kids) == 1 and isinstance(tree.get(kids[0]), dict) and tree[kids[0]].get("type") == "TABS":
            if grid is not None:
                dec.node(GRID, {"GRID"})
                _no_children(_children(grid))
            items = [dec.item(kids[0], {"TABS"}, [])]
        elif not kids and (grid is None or not grid.get("children")):
            if grid is not None:
                dec.node(GRID, {"GRID"})
            items = []
        else:
            raise _Inexpressible(ROOT)
    except _Inexpressible:
        return None
    if set(tree) - dec.seen:  # nodes nothing reaches: keep the whole tree
        return None
    return items


def canonical_layout(layout: list[LayoutItem], position: Tree | None) -> tuple[list[LayoutItem], Tree | None]:
    """One form per dashboard: compact when it can be, else the tree with parents recomputed."""
    if position is None:
        return layout, None
    compact = decompile_layout(position)
    if compact is not None:
        return compact, None
    return [], with_parents(position)


def with_parents(tree: Tree) -> Tree:
    """A copy of ``tree`` whose ``parents`` lists follow its ``children``.

    ``parents`` are derived; Superset's frontend rewrites them freely, so they
    are recomputed rather than compared.
    """
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in tree.items()}

    def walk(node_id: str, parents: list[str]) -> None:
        node = out.get(node_id)
        if not isinstance(node, dict) or "_walked" in node:
            return
        node["_walked"] = True
        if node_id != ROOT:
            node["parents"] = list(parents)
        for kid in node.get("children", []) if isinstance(node.get("children"), list) else []:
            walk(kid, parents + [node_id])

    walk(ROOT, [])
    for node in out.values():
        if isinstance(node, dict):
            node.pop("_walked", None)
    return out


# -- what filters need to know about a layout ---------------------------------


def charts_in(tree: Tree) -> list[str]:
    """Chart keys in reading order (depth first from ROOT_ID)."""
    out: list[str] = []
    for node_id, _tabs in _walk(tree):
        meta = _meta_or_empty(tree[node_id])
        if tree[node_id].get("type") == "CHART" and isinstance(meta.get("chart"), str):
            out.append(meta["chart"])
    return out


def chart_tabs(tree: Tree) -> dict[str, list[str]]:
    """Chart key -> the ids of the tabs it sits in, outermost first."""
    out: dict[str, list[str]] = {}
    for node_id, tabs in _walk(tree):
        meta = _meta_or_empty(tree[node_id])
        if tree[node_id].get("type") == "CHART" and isinstance(meta.get("chart"), str):
            out[meta["chart"]] = tabs
    return out


def _meta_or_empty(node: dict[str, Any]) -> dict[str, Any]:
    meta = node.get("meta")
    return meta if isinstance(meta, dict) else {}


def _walk(tree: Tree) -> list[tuple[str, list[str]]]:
    """(node id, enclosing tab ids) for every node reachable from ROOT_ID."""
    out: list[tuple[str, list[str]]] = []
    seen: set[str] = set()

    def walk(node_id: str, tabs: list[str]) -> None:
        node = tree.get(node_id)
        if not isinstance(node, dict) or node_id in seen:
            return
        seen.add(node_id)
        out.append((node_id, tabs))
        inner = tabs + [node_id] if node.get("type") == "TAB" else tabs
        for kid in node.get("children", []) if isinstance(node.get("children"), list) else []:
            walk(kid, inner)

    walk(ROOT, [])
    return out
