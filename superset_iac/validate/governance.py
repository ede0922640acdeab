"""Governance: who reaches what, checked on the one effective-access computation.

Which role reaches which dataset, database, catalog, schema or SQL Lab table,
and through what, is ``access.compute`` (dataset grants, schema, catalog and
database access, ``extends: [Alpha]``/``[Admin]``, dashboard RBAC, SQL Lab by
dataset name): the checks here only judge its paths, so a path the ``access``
command shows is a path these checks see.

A view with ``raw_access_roles`` masks the table it reads (its ``source``,
or the tables its SQL reads that are not views of the tree). Any other role
must see that data only through the view. So: a dataset reading a masked raw
table, reached by a role outside the raw roles through any path, is G001;
database, catalog or schema access that covers a raw table (given directly
or by ``extends: [Alpha]``) is G002 (SQL Lab and new datasets read it without
any dataset of the tree); a dataset reading a raw table that no role reaches
is G003 (a warning: only admins can use it, which may be the intent); a view
passing a masked column through unmasked is G004; a role that may create
datasets (``can_write`` on ``Dataset``) is G005: it could define one on a raw
table and read it as its owner. A virtual dataset *named* like a masked raw
table, granted to a role with SQL Lab, is G001 too: SQL Lab grants a table to
whoever may use a dataset of its name. The built-in Admin role is left out:
Superset gives it everything regardless.

Not about PII: a dashboard that lists a role opens to it the data of every
chart and native filter on it; where that includes a dataset the role's own
grants do not, G006 warns at the dashboard's ``roles:`` entry, so that what
a role can read is what its file says.
"""

from __future__ import annotations

from collections import defaultdict

from sqlglot import exp

from superset_iac.access.compute import SUPERUSER, schema_of, sql_lab_table, tree_access
from superset_iac.access.model import AccessMap, Path, RoleAccess, Via
from superset_iac.diagnostics import Diagnostics, Position
from superset_iac.load.tree import AssetTree
from superset_iac.model.database import Database
from superset_iac.model.dataset import Dataset
from superset_iac.model.role import BUILTIN_ROLES, Role, schema_database
from superset_iac.model.view import View
from superset_iac.validate.codes import add
from superset_iac.validate.index import Index, TableMap, index
from superset_iac.validate.masking import declared_pii
from superset_iac.validate.sqltext import TableRef


def check(tree: AssetTree, diags: Diagnostics) -> None:
    idx, access = index(tree), tree_access(tree)
    for role in access:
        _dashboard_only(role, diags)
    raw: TableMap[View] = TableMap()
    for view in idx.views.values():
        if view.raw_access_roles:
            for ref in _masked_tables(idx, view):
                raw.add(ref, view)
    if not raw.refs():
        return
    for ds in tree.each(Dataset):
        _dataset(idx, ds, raw, access, diags)
        _sql_lab_namesake(idx, ds, raw, access, diags)
    for role in access:
        _wide_access(idx, role, raw, diags)
    for spec in tree.each(Role):
        _dataset_writer(spec, raw, diags)
    for view in idx.views.values():
        _unmasked_columns(idx, view, raw, diags)


def _dashboard_only(role: RoleAccess, diags: Diagnostics) -> None:
    """G006: datasets a role reads only because a dashboard lists it.

    Superset 6.1 answers chart data sent with a dashboard's id for any role
    listed on the (published) dashboard, whatever its dataset grants say. A
    role only named (neither declared nor built-in) has grants this tree
    does not know, so nothing is said about it.
    """
    if not role.declared and role.role not in BUILTIN_ROLES:
        return
    opened: dict[tuple[Position, str], list[tuple[str, Path]]] = defaultdict(list)
    for name, paths in role.datasets.items():
        if not role.granted(name):
            for path in paths:
                if path.via is Via.DASHBOARD and path.pos is not None and path.dashboard:
                    opened[(path.pos, path.dashboard)].append((name, path))
    for (pos, dashboard), found in sorted(opened.items()):
        found.sort(key=lambda item: item[0])
        when = "" if found[0][1].active else ", once it is published"
        what = "; ".join(f"{name} ({path.detail.split(': ', 1)[-1]})" for name, path in found)
        add(diags, pos, "G006",
            f"dashboard '{dashboard}' lets role '{role.role}' read {what}{when}, which its "
            f"grants do not include: dashboard RBAC answers chart data on the dashboard "
            f"whatever the dataset grants say; grant the dataset(s) to the role or take the "
            f"role off the dashboard")


def _dataset_writer(role: Role, raw: TableMap[View], diags: Diagnostics) -> None:
    """G005: whoever may create datasets owns them, and owners read their data.

    Checked on Superset 6.1: a role with ``can_write`` on ``Dataset`` created a
    physical dataset on a raw table and read its PII as the owner.
    """
    perms = role.permissions.get("Dataset", [])
    if "can_write" not in perms or role.name == SUPERUSER:
        return
    views = sorted({v.key for _, found in raw.items() for v in found
                    if role.name not in v.raw_access_roles})
    if views:
        add(diags, role.pos("permissions", "Dataset", perms.index("can_write")), "G005",
            f"role '{role.name}' may create datasets, and a dataset's owner reads its table: "
            f"it could read the raw tables masked by {', '.join(views)}")


def _masked_tables(idx: Index, view: View) -> list[TableRef]:
    reads = idx.view_reads(view)
    return reads if view.source else [r for r in reads if not idx.view_map.find(r)]


def _allowed(views: list[View]) -> set[str]:
    return {r for v in views for r in v.raw_access_roles} | {SUPERUSER}


def _table(ref: TableRef) -> str:
    return ".".join(p for p in (ref.catalog, ref.schema, ref.name) if p)


def _dataset(idx: Index, ds: Dataset, raw: TableMap[View], access: AccessMap,
             diags: Diagnostics) -> None:
    pos = ds.pos("sql") if ds.sql is not None else ds.pos("name")
    reached = access.reaching("datasets", ds.name)
    for ref in idx.dataset_reads(ds):
        views = raw.find(ref)
        if not views:
            continue
        allowed = _allowed(views)
        masked = f"raw table {_table(ref)} (masked by view {views[0].name})"
        if not reached:
            add(diags, pos, "G003", f"{ds.ref}: reads {masked}; read the view instead")
        for role, path in reached:
            if role not in allowed:
                add(diags, pos, "G001",
                    f"{ds.ref}: reads {masked}, and role '{role}' reaches it through "
                    f"{path.detail} ({path.where()}); only {', '.join(sorted(allowed))} may read it")


def _sql_lab_namesake(idx: Index, ds: Dataset, raw: TableMap[View], access: AccessMap,
                      diags: Diagnostics) -> None:
    """A virtual dataset named like a masked raw table opens that table to SQL Lab.

    Superset lets a SQL Lab query read table T for anyone granted any dataset
    whose name is T in T's schema (any schema when the query's has none):
    ``security_manager.raise_for_access``; the access map lists that table
    under the role's ``tables``. What the dataset's SQL reads does not
    matter, so such a role reads the raw table unmasked. (Physical datasets
    are what they read: ``_dataset``.)
    """
    if ds.sql is None:
        return
    catalog, schema, name = idx.catalog_of(ds), (ds.schema_ or "").lower(), ds.name.lower()
    for ref, views in raw.items():
        if ref.name != name or (schema and ref.schema != schema) or (
                catalog and ref.catalog and ref.catalog != catalog):
            continue
        allowed = _allowed(views)
        for role, path in access.reaching("tables", sql_lab_table(ds)):
            if role not in allowed:
                add(diags, ds.pos("name"), "G001",
                    f"{ds.ref}: is named like raw table {_table(ref)} (masked by view "
                    f"{views[0].name}), and role '{role}' has SQL Lab and datasource access to "
                    f"it ({path.where()}): Superset lets it query that table unmasked; "
                    f"rename the dataset")


def _wide_access(idx: Index, role: RoleAccess, raw: TableMap[View], diags: Diagnostics) -> None:
    """G002: database, catalog or schema access (any path the map gives) covering a raw table."""
    if role.role == SUPERUSER:
        return
    covered: list[tuple[Path, str, str | None]] = []  # (path, catalog, schema or None: all)
    for db, paths in role.databases.items():
        covered += [(p, _catalog(idx, db), None) for p in paths]
    for resource, paths in role.catalogs.items():
        catalog = resource.rstrip("]").rsplit("[", 1)[-1].lower()
        covered += [(p, catalog, None) for p in paths]
    for entry, paths in role.schemas.items():
        covered += [(p, _catalog(idx, schema_database(entry)), schema_of(entry)) for p in paths]
    for path, catalog, schema in covered:
        if path.pos is None:
            continue
        for ref, views in raw.items():
            if catalog == ref.catalog and schema in (None, ref.schema) \
                    and role.role not in _allowed(views):
                add(diags, path.pos, "G002",
                    f"role/{role.role}: {path.detail} covers raw table {_table(ref)}, masked by "
                    f"view {views[0].name}: SQL Lab and new datasets read it unmasked; grant "
                    f"the view's datasets instead")


def _catalog(idx: Index, database: str) -> str:
    db = idx.tree.get("database", database)
    return idx.database_catalog(db) if isinstance(db, Database) else ""


def _unmasked_columns(idx: Index, view: View, raw: TableMap[View], diags: Diagnostics) -> None:
    query = idx.query(view.sql, templated=False) if view.sql is not None else None
    if not isinstance(query, exp.Select):
        return
    for ref in idx.view_reads(view):
        maskers = [v for v in raw.find(ref) if v is not view]
        masked = {c.source_column.lower() for v in maskers for c in v.columns if c.mask}
        pii = declared_pii(idx.tree).get(ref, set())  # these are errors (validate.masking)
        masked |= pii
        if not masked:
            continue
        for item in query.expressions:
            column = item.this if isinstance(item, exp.Alias) else item
            if isinstance(column, exp.Star) or (isinstance(column, exp.Column) and column.is_star):
                exposed = ", ".join(sorted(masked))
            elif isinstance(column, exp.Column) and column.name.lower() in masked:
                exposed = column.name
            else:
                continue
            star = not (isinstance(column, exp.Column) and not column.is_star)
            declared = bool(pii) and (star or exposed.lower() in pii)
            why = "declared pii" if declared else f"view {maskers[0].name} masks it"
            add(diags, view.pos("sql"), "G010" if declared else "G004",
                f"{view.ref}: passes {exposed} of {ref.name} through unmasked ({why})")
