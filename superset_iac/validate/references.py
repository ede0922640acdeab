"""References by name: they resolve, nothing is placed twice, views do not
read each other in a cycle, filters scope charts their dashboard shows, and a
dataset reading a schema the tree's views live in reads something known
there (a typo in a view's name would otherwise turn off its column checks)."""

from __future__ import annotations

from superset_iac.diagnostics import Diagnostics
from superset_iac.load.schema import did_you_mean
from superset_iac.load.tree import AssetTree
from superset_iac.model import SPEC_BY_KIND
from superset_iac.model.base import Ref, Spec
from superset_iac.model.dataset import Dataset
from superset_iac.validate.codes import add
from superset_iac.validate.index import index, table_ref


def check(tree: AssetTree, diags: Diagnostics) -> None:
    for spec in tree:
        for ref in spec.checked_refs():
            _resolve(tree, spec, ref, diags)
        for found in spec.findings(tree.get):  # what a kind checks of itself (R002, R004, R005)
            add(diags, found.pos, found.code, found.message)
    _view_cycles(tree, diags)
    _unknown_tables(tree, diags)


def _resolve(tree: AssetTree, spec: Spec, ref: Ref, diags: Diagnostics) -> None:
    if tree.get(ref.kind, ref.key) is not None or ref.key in tree.invalid.get(ref.kind, ()):
        return
    named = SPEC_BY_KIND.get(ref.kind)
    if named is not None and ref.key in named.BUILT_IN_KEYS:
        return  # exists on every server (Superset's own roles)
    known = list(tree.of(ref.kind))
    add(diags, spec.pos(*ref.path), "R001",
        f"{spec.ref}: {ref.kind} '{ref.key}' is not defined{did_you_mean(ref.key, known)}")


def _view_cycles(tree: AssetTree, diags: Diagnostics) -> None:
    """Depth-first over view -> views it reads; a back edge closes a cycle."""
    idx = index(tree)
    reads = {name: idx.views_read(idx.view_reads(view)) for name, view in idx.views.items()}
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        path.append(name)
        for dep in reads[name]:
            if state.get(dep.name) == 1:
                cycle = path[path.index(dep.name):] + [dep.name]
                view = idx.views[dep.name]
                field = "sql" if view.sql is not None else "source"
                add(diags, view.pos(field), "R003",
                    f"{view.ref}: views read each other in a cycle: {' -> '.join(cycle)}")
            elif dep.name not in state:
                visit(dep.name)
        path.pop()
        state[name] = 2

    for name in sorted(reads):
        if name not in state:
            visit(name)


def _unknown_tables(tree: AssetTree, diags: Diagnostics) -> None:
    """A table read in a schema holding views of the tree must be one of those
    views or a table they read (a raw source); anything else is likely a typo."""
    idx = index(tree)
    views = [table_ref(name) for name in idx.views]
    known = set(views) | {r for v in idx.views.values() for r in idx.view_reads(v)}
    schemas = {(v.catalog, v.schema) for v in views} | {("", v.schema) for v in views}
    for ds in tree.each(Dataset):
        for ref in idx.dataset_reads(ds):
            if (ref.catalog, ref.schema) not in schemas or ref in known \
                    or any(k.schema == ref.schema and k.name == ref.name for k in known
                           if not ref.catalog):
                continue
            here = [v.name for v in views if v.schema == ref.schema]
            pos = ds.pos("sql") if ds.sql is not None else ds.pos("name")
            add(diags, pos, "R006",
                f"{ds.ref}: reads {ref.schema}.{ref.name}, which is neither a view of the "
                f"tree nor a table one reads{did_you_mean(ref.name, here)}")
