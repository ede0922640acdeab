"""Effective access: what each role reaches, from specs alone (pure).

The input is specs by kind and key: the tree's (``AssetTree.specs``) or the
live state's, as the handlers read it (``access.live``); the same function
serves validation and the ``access`` command. It follows Superset 6.1's
security manager (``superset/security/manager.py``, ``raise_for_access``):

* a dataset is reached through ``datasource_access`` on it, ``schema_access``
  or ``catalog_access`` covering it, ``database_access`` on its database,
  ``all_datasource_access``/``all_database_access`` (``extends: [Admin]`` or
  ``[Alpha]``, or the permission itself), or — dashboard RBAC — a published
  dashboard listing the role whose charts or native filters use it: chart data
  sent with that dashboard's id is answered whatever the dataset grants say;
* a dashboard with roles opens to those roles once published; one without
  roles to any role reaching one of its datasets (or to all, if it has none);
  the role named Admin opens all;
* SQL Lab (``sql_lab``, Admin, or ``SQLLab: can_execute_sql_query``) queries
  any table of a database or schema the role has access to, and a table named
  like a dataset granted by ``datasource_access`` (not through a dashboard).

Owning a dataset also grants its data; owners are users, not roles, so that
path is not a role's. Built-in roles named but not declared get their
built-in grants; other undeclared roles only the dashboards that name them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping

from superset_iac.access.model import AccessMap, Path, RoleAccess, Section, Via
from superset_iac.diagnostics import Position
from superset_iac.load.tree import AssetTree
from superset_iac.model.base import Spec
from superset_iac.model.chart import Chart
from superset_iac.model.dashboard import Dashboard
from superset_iac.model.database import Database
from superset_iac.model.dataset import Dataset
from superset_iac.model.role import BUILTIN_ROLES, DataAccess, Role, schema_database
from superset_iac.model.user import User
from superset_iac.validate.index import Index

Specs = Mapping[str, Mapping[str, Spec]]

SUPERUSER = "Admin"
ALL_DATA = ("Admin", "Alpha")  # built-in roles holding all_datasource_access
SQL_LAB = ("Admin", "sql_lab")  # built-in roles that may run SQL Lab queries
# Permissions (on the resource of the same name) that open every dataset and database.
ALL_PERMISSIONS = ("all_datasource_access", "all_database_access")
_CATALOG = re.compile(r"^\[(?P<db>[^\]]+)\]\.\[(?P<catalog>[^\]]+)\]$")


@dataclass
class State:
    """The specs the computation reads, typed."""

    roles: dict[str, Role] = field(default_factory=dict)
    datasets: list[Dataset] = field(default_factory=list)
    databases: dict[str, Database] = field(default_factory=dict)
    charts: dict[str, Chart] = field(default_factory=dict)
    dashboards: list[Dashboard] = field(default_factory=list)
    named: list[str] = field(default_factory=list)  # roles named by dashboards and users
    _uses: dict[str, dict[str, list[str]]] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, specs: Specs) -> "State":
        def each(kind: str, spec_type: type[Spec]) -> list:
            return [s for s in specs.get(kind, {}).values() if isinstance(s, spec_type)]

        dashboards: list[Dashboard] = each("dashboard", Dashboard)
        users: list[User] = each("user", User)
        return cls(roles={r.name: r for r in each("role", Role)}, datasets=each("dataset", Dataset),
                   databases={d.name: d for d in each("database", Database)},
                   charts={c.key: c for c in each("chart", Chart)}, dashboards=dashboards,
                   named=[r for d in dashboards for r in d.roles] + [r for u in users for r in u.roles])

    def dashboard_datasets(self, dash: Dashboard) -> dict[str, list[str]]:
        """Dataset -> what of ``dash`` uses it (its charts, its native filters); once each."""
        found = self._uses.get(dash.key)
        if found is None:
            found = self._uses[dash.key] = self._dashboard_datasets(dash)
        return found

    def _dashboard_datasets(self, dash: Dashboard) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for ref in dash.chart_refs():
            chart = self.charts.get(ref.key)
            if chart is not None and f"chart '{chart.name}'" not in out.get(chart.dataset, []):
                out.setdefault(chart.dataset, []).append(f"chart '{chart.name}'")
        for f in dash.filters:
            if f.dataset:
                out.setdefault(f.dataset, []).append(f"filter '{f.name}'")
        return out


def effective_access(specs: Specs) -> AccessMap:
    """Every role's access: the declared roles and the roles the state names."""
    state = State.of(specs)
    names = list(state.roles) + [n for n in dict.fromkeys(state.named) if n not in state.roles]
    return AccessMap({name: _role_access(state, name) for name in names})


def at(spec: Spec, *path: str | int) -> Position | None:
    """Where ``path`` of ``spec`` is written; None for a spec read from a server."""
    pos = spec.pos(*path)
    return None if pos.file == "<generated>" else pos


def _role_access(state: State, name: str) -> RoleAccess:
    role = state.roles.get(name)
    access = RoleAccess(name, declared=role is not None)
    if role is None and name in BUILTIN_ROLES:
        role = Role.model_construct(name=name, extends=[name], permissions={},
                                    data_access=DataAccess())
    if role is not None:
        access.sql_lab = _has_sql_lab(role)
        _own_grants(state, role, access)
        covering = _covering(role)
        for ds in state.datasets:
            _dataset_grants(state, role, ds, access, covering)
    for dash in state.dashboards:
        _dashboard(state, dash, access)
    return access


def _has_sql_lab(role: Role) -> bool:
    return any(base in SQL_LAB for base in role.extends) or \
        "can_execute_sql_query" in role.permissions.get("SQLLab", [])


def _all_data(role: Role) -> list[Path]:
    """Paths to every dataset and database: Admin/Alpha bases, or the permissions."""
    out = [Path(Via.ALL, f"extends {base}", at(role, "extends", i))
           for i, base in enumerate(role.extends) if base in ALL_DATA]
    for perm in ALL_PERMISSIONS:
        names = role.permissions.get(perm, [])
        if perm in names:
            out.append(Path(Via.ALL, f"{perm} permission", at(role, "permissions", perm,
                                                                 names.index(perm))))
    return out


def _own_grants(state: State, role: Role, access: RoleAccess) -> None:
    """Databases, catalogs and schemas, as the role's grants name them."""
    everything = _all_data(role)
    for db in state.databases:
        for path in everything:
            access.add("databases", db, path)
    grants = role.data_access
    for i, db in enumerate(grants.databases):
        access.add("databases", db, Path(Via.DATABASE, f"database access to {db}",
                                         at(role, "data_access", "databases", i)))
    for resource, (db, catalog, pos) in _catalog_grants(role).items():
        access.add("catalogs", resource, Path(Via.CATALOG, f"catalog access to {catalog} of {db}",
                                              pos))
    for i, entry in enumerate(grants.schemas):
        access.add("schemas", entry, Path(Via.SCHEMA, f"schema access to {entry}",
                                          at(role, "data_access", "schemas", i)))


def _catalog_grants(role: Role) -> dict[str, tuple[str, str, Position | None]]:
    """``catalog_access`` permissions: resource -> (database, catalog, where)."""
    out = {}
    for resource, names in role.permissions.items():
        match = _CATALOG.match(resource)
        if match and "catalog_access" in names:
            out[resource] = (match["db"], match["catalog"].lower(),
                             at(role, "permissions", resource, names.index("catalog_access")))
    return out


def schema_of(entry: str) -> str:
    """The schema a ``data_access.schemas`` entry names (the last bracket, or after the dot)."""
    if entry.startswith("["):
        return entry.rstrip("]").rsplit("[", 1)[-1].lower()
    return entry.split(".", 1)[1].lower()


def dataset_catalog(state: State, ds: Dataset) -> str:
    if ds.catalog:
        return ds.catalog.lower()
    db = state.databases.get(ds.database)
    return Index.database_catalog(db) if db is not None and db.uri else ""


Covering = dict[tuple[str, str, str], list[tuple[Section, str]]]


def _covering(role: Role) -> Covering:
    """Catalog and schema grants by what they cover: ("catalog"|"schema", database,
    name) -> [(section, key)] of the role's access they are listed under."""
    out: Covering = {}
    for resource, (db, catalog, _) in _catalog_grants(role).items():
        out.setdefault(("catalog", db, catalog), []).append(("catalogs", resource))
    for entry in role.data_access.schemas:
        out.setdefault(("schema", schema_database(entry), schema_of(entry)), []).append(
            ("schemas", entry))
    return out


def _dataset_grants(state: State, role: Role, ds: Dataset, access: RoleAccess,
                    covering: Covering) -> None:
    grants = role.data_access
    if ds.name in grants.datasets:
        path = Path(Via.DATASET, "dataset grant (datasource access)",
                    at(role, "data_access", "datasets", grants.datasets.index(ds.name)))
        access.add("datasets", ds.name, path)
        if access.sql_lab:
            access.add("tables", sql_lab_table(ds), Path(
                Via.SQL_LAB, f"SQL Lab queries the table named like granted dataset '{ds.name}'",
                path.pos))
    for path in access.databases.get(ds.database, []):
        access.add("datasets", ds.name, path)
    if not covering:
        return
    scopes = [("catalog", ds.database, dataset_catalog(state, ds)),
              ("schema", ds.database, (ds.schema_ or "").lower())]
    for scope in scopes:
        for section, key in covering.get(scope, []):
            for path in access.section(section)[key]:
                access.add("datasets", ds.name, path)


def sql_lab_table(ds: Dataset) -> str:
    """The table SQL Lab opens to whoever holds datasource access to ``ds``: its name,
    in its schema, in its database (``security_manager.raise_for_access``)."""
    return ".".join(p for p in (ds.database, ds.schema_, ds.name) if p)


def _dashboard(state: State, dash: Dashboard, access: RoleAccess) -> None:
    uses = state.dashboard_datasets(dash)
    if access.role == SUPERUSER:
        access.add("dashboards", dash.key, Path(Via.ADMIN, "the Admin role opens every dashboard"))
    if not dash.roles:
        granted = [ds for ds in uses if access.granted(ds)]
        if granted or not uses:
            detail = f"reaches its dataset '{granted[0]}'" if granted else "it shows no data"
            access.add("dashboards", dash.key, Path(Via.DATA, detail))
        return
    for i, name in enumerate(dash.roles):
        if name != access.role:
            continue
        pos, state_note = at(dash, "roles", i), "" if dash.published else " (unpublished)"
        access.add("dashboards", dash.key, Path(Via.ROLES, f"listed in its roles{state_note}",
                                                pos, dash.published))
        for ds, what in uses.items():
            access.add("datasets", ds, Path(
                Via.DASHBOARD, f"dashboard '{dash.key}'{state_note}: {', '.join(what)}", pos,
                dash.published, dash.key))


_MEMO = "access.effective"


def tree_access(tree: AssetTree) -> AccessMap:
    """The tree's effective access, computed once per tree (validation and the
    ``access`` command read the same map)."""
    found = tree.memo.get(_MEMO)
    if found is None:
        found = tree.memo[_MEMO] = effective_access(tree.specs)
    return found
