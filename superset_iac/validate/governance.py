"""PII governance: only ``raw_access_roles`` may reach a masked raw table.

A view with ``raw_access_roles`` masks the table it reads (its ``source``,
or the tables its SQL reads that are not views of the tree). Any other role
must see that data only through the view. A role reaches a dataset through

* ``data_access.datasets`` (datasource access),
* ``data_access.databases`` / ``schemas`` covering the dataset,
* ``extends: [Alpha]`` (or Admin): all datasource access,
* a dashboard whose ``roles`` include it (dashboard RBAC gives access to the
  datasets of the dashboard's charts).

So: a dataset reading a masked raw table, reached by a role outside the raw
roles, is G001; database or schema access that covers a raw table is G002
(SQL Lab reads it without any dataset); a dataset reading a raw table that no
role is given is G003 (a warning: only admins can use it, which may be the
intent); a view passing a masked column through unmasked is G004; a role
that may create datasets (``can_write`` on ``Dataset``) is G005: it could
define one on a raw table and read it as its owner. A virtual
dataset *named* like a masked raw table, granted to a role with SQL Lab, is
G001 too: SQL Lab grants a table to whoever may use a dataset of its name. The
built-in Admin role is left out: Superset gives it everything regardless.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from superset_iac.diagnostics import Diagnostics, Position
from superset_iac.load.tree import AssetTree
from superset_iac.model.chart import Chart
from superset_iac.model.dashboard import Dashboard
from superset_iac.model.database import Database
from superset_iac.model.dataset import Dataset
from superset_iac.model.role import Role, schema_database
from superset_iac.model.view import View
from superset_iac.validate.codes import add
from superset_iac.validate.index import Index, TableMap, index
from superset_iac.validate.masking import declared_pii
from superset_iac.validate.sqltext import TableRef

SUPERUSER = "Admin"
ALL_DATA = ("Admin", "Alpha")  # built-in roles holding all_datasource_access


@dataclass(frozen=True)
class Grant:
    role: str
    pos: Position
    how: str


def check(tree: AssetTree, diags: Diagnostics) -> None:
    idx = index(tree)
    raw: TableMap[View] = TableMap()
    for view in idx.views.values():
        if view.raw_access_roles:
            for ref in _masked_tables(idx, view):
                raw.add(ref, view)
    if not raw.refs():
        return
    grants = _grants(tree)
    for ds in tree.each(Dataset):
        _dataset(idx, ds, raw, grants, diags)
        _sql_lab_namesake(idx, ds, raw, grants, diags)
    for role in tree.each(Role):
        _wide_access(idx, role, raw, diags)
        _dataset_writer(role, raw, diags)
    for view in idx.views.values():
        _unmasked_columns(idx, view, raw, diags)


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


class Grants:
    """Who reaches what: grants by scope, so a dataset's are four lookups."""

    def __init__(self) -> None:
        self.by_scope: dict[tuple[str, ...], list[Grant]] = {}

    def add(self, scope: tuple[str, ...], grant: Grant) -> None:
        self.by_scope.setdefault(scope, []).append(grant)

    def reaching(self, ds: Dataset) -> list[Grant]:
        scopes = [("dataset", ds.name), ("database", ds.database),
                  ("schema", ds.database, (ds.schema_ or "").lower()), ("all",)]
        return [g for scope in scopes for g in self.by_scope.get(scope, [])]


def _grants(tree: AssetTree) -> Grants:
    grants = Grants()
    for role in tree.each(Role):
        for i, base in enumerate(role.extends):
            if base in ALL_DATA:
                grants.add(("all",), Grant(role.name, role.pos("extends", i), f"extends {base}"))
        access = role.data_access
        for i, name in enumerate(access.datasets):
            grants.add(("dataset", name), Grant(
                role.name, role.pos("data_access", "datasets", i), "datasource access"))
        for i, db in enumerate(access.databases):
            grants.add(("database", db), Grant(
                role.name, role.pos("data_access", "databases", i), f"database access to {db}"))
        for i, entry in enumerate(access.schemas):
            grants.add(("schema", schema_database(entry), _schema_of(entry)), Grant(
                role.name, role.pos("data_access", "schemas", i), f"schema access to {entry}"))
    for dash in tree.each(Dashboard):
        _dashboard_grants(tree, dash, grants)
    return grants


def _dashboard_grants(tree: AssetTree, dash: Dashboard, grants: Grants) -> None:
    datasets = {c.dataset for ref in dash.chart_refs()
                if isinstance(c := tree.get("chart", ref.key), Chart)}
    for i, role in enumerate(dash.roles):
        for name in sorted(datasets):
            grants.add(("dataset", name),
                       Grant(role, dash.pos("roles", i), f"dashboard '{dash.key}'"))


def _schema_of(entry: str) -> str:
    """The schema a ``data_access.schemas`` entry names (the last bracket, or after the dot)."""
    if entry.startswith("["):
        return entry.rstrip("]").rsplit("[", 1)[-1].lower()
    return entry.split(".", 1)[1].lower()


def _dataset(idx: Index, ds: Dataset, raw: TableMap[View], grants: Grants,
             diags: Diagnostics) -> None:
    pos = ds.pos("sql") if ds.sql is not None else ds.pos("name")
    reached = grants.reaching(ds)
    for ref in idx.dataset_reads(ds):
        views = raw.find(ref)
        if not views:
            continue
        allowed = {r for v in views for r in v.raw_access_roles} | {SUPERUSER}
        table = ".".join(p for p in (ref.catalog, ref.schema, ref.name) if p)
        masked = f"raw table {table} (masked by view {views[0].name})"
        if not reached:
            add(diags, pos, "G003", f"{ds.ref}: reads {masked}; read the view instead")
        for grant in reached:
            if grant.role not in allowed:
                add(diags, pos, "G001",
                    f"{ds.ref}: reads {masked}, and role '{grant.role}' reaches it through "
                    f"{grant.how} ({grant.pos}); only {', '.join(sorted(allowed))} may read it")


def _sql_lab_namesake(idx: Index, ds: Dataset, raw: TableMap[View], grants: Grants,
                      diags: Diagnostics) -> None:
    """A virtual dataset named like a masked raw table opens that table to SQL Lab.

    Superset lets a SQL Lab query read table T for anyone granted any dataset
    whose name is T in T's schema (any schema when the query's has none):
    ``security_manager.raise_for_access``. What the dataset's SQL reads does
    not matter, so a role holding SQL Lab and datasource access to it reads
    the raw table unmasked. (Physical datasets are what they read: ``_dataset``.)
    """
    if ds.sql is None:
        return
    catalog, schema, name = idx.catalog_of(ds), (ds.schema_ or "").lower(), ds.name.lower()
    for ref, views in raw.items():
        if ref.name != name or (schema and ref.schema != schema) or (
                catalog and ref.catalog and ref.catalog != catalog):
            continue
        allowed = {r for v in views for r in v.raw_access_roles} | {SUPERUSER}
        for grant in grants.by_scope.get(("dataset", ds.name), []):
            role = idx.tree.get("role", grant.role)
            if grant.how == "datasource access" and grant.role not in allowed \
                    and isinstance(role, Role) and _has_sql_lab(role):
                add(diags, ds.pos("name"), "G001",
                    f"{ds.ref}: is named like raw table {ref.catalog}.{ref.schema}.{ref.name} "
                    f"(masked by view {views[0].name}), and role '{grant.role}' has SQL Lab and "
                    f"datasource access to it ({grant.pos}): Superset lets it query that "
                    f"table unmasked; rename the dataset")


def _has_sql_lab(role: Role) -> bool:
    return "sql_lab" in role.extends or "can_execute_sql_query" in role.permissions.get("SQLLab", [])


def _wide_access(idx: Index, role: Role, raw: TableMap[View], diags: Diagnostics) -> None:
    if role.name == SUPERUSER:
        return
    access = role.data_access
    entries: list[tuple[tuple[str, int], str, str | None]] = [
        (("databases", i), db, None) for i, db in enumerate(access.databases)]
    entries += [(("schemas", i), schema_database(s), _schema_of(s))
                for i, s in enumerate(access.schemas)]
    for path, db_name, schema in entries:
        db = idx.tree.get("database", db_name)
        catalog = idx.database_catalog(db) if isinstance(db, Database) else ""
        for ref, views in raw.items():
            allowed = {r for v in views for r in v.raw_access_roles}
            if catalog == ref.catalog and schema in (None, ref.schema) and role.name not in allowed:
                add(diags, role.pos("data_access", *path), "G002",
                    f"{role.ref}: this access covers raw table {ref.catalog}.{ref.schema}."
                    f"{ref.name}, masked by view {views[0].name}: SQL Lab and new datasets "
                    f"read it unmasked; grant the view's datasets instead")


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
