"""What a role reaches, and through what: the data of the effective-access computation.

A ``Path`` is one reason a role reaches an object (a dataset grant, a
dashboard listing the role, ``extends: [Alpha]`` ...), with the place in the
tree that gives it when the state came from the tree. A ``RoleAccess`` holds,
for one role, every object it reaches with all its paths; an ``AccessMap``
holds every role. Plain data: the validation checks, the ``access`` command's
text and its JSON all read the same objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Iterator, Literal

from superset_iac.diagnostics import Position


class Via(str, Enum):
    """The kinds of path, as Superset 6.1's security manager grants access."""

    DATASET = "dataset"        # datasource_access on the dataset (data_access.datasets)
    SCHEMA = "schema"          # schema_access (data_access.schemas)
    CATALOG = "catalog"        # catalog_access on [database].[catalog]
    DATABASE = "database"      # database_access (data_access.databases)
    ALL = "all"                # all_datasource_access / all_database_access (Admin, Alpha)
    DASHBOARD = "dashboard"    # dashboard RBAC: a chart or native filter of a dashboard listing it
    SQL_LAB = "sql_lab"        # SQL Lab reads the table named like a granted dataset
    ROLES = "roles"            # (dashboards) listed in the dashboard's roles
    DATA = "data"              # (dashboards without roles) reaches one of its datasets
    ADMIN = "admin"            # (dashboards) the Admin role opens every dashboard


# The paths that come from the role's own grants, as opposed to dashboards.
GRANTS = frozenset({Via.DATASET, Via.SCHEMA, Via.CATALOG, Via.DATABASE, Via.ALL})

Section = Literal["datasets", "databases", "catalogs", "schemas", "dashboards", "tables"]
SECTIONS: tuple[Section, ...] = ("datasets", "databases", "catalogs", "schemas", "dashboards",
                                 "tables")


@dataclass(frozen=True)
class Path:
    """One reason a role reaches an object.

    ``pos`` is where the tree gives it (None for live state or a built-in
    role the tree does not declare). ``active`` is False for a dashboard that
    is not published: Superset's dashboard RBAC opens it only once published,
    which any owner can do in the UI between two applies.
    """

    via: Via
    detail: str
    pos: Position | None = None
    active: bool = True
    dashboard: str | None = None  # the dashboard giving a DASHBOARD path


    @property
    def granted(self) -> bool:
        return self.via in GRANTS

    def where(self) -> str:
        return str(self.pos) if self.pos is not None else "not written in the tree"

    def to_dict(self) -> dict[str, Any]:
        return {"via": self.via.value, "detail": self.detail,
                "at": str(self.pos) if self.pos is not None else None, "active": self.active,
                **({"dashboard": self.dashboard} if self.dashboard is not None else {})}


Reached = dict[str, list[Path]]


@dataclass
class RoleAccess:
    """Everything one role reaches, by section then object name.

    ``tables`` are the tables SQL Lab lets the role query because a dataset of
    their name is granted (``database.schema.table``); database and schema
    access open whole databases and schemas to SQL Lab, and are listed under
    ``databases`` and ``schemas``. ``sql_lab`` says whether the role may run
    SQL at all. ``declared`` is False for a role only named (by a dashboard or
    a user) and not defined in the state: its own grants are unknown.
    """

    role: str
    declared: bool = True
    sql_lab: bool = False
    datasets: Reached = field(default_factory=dict)
    databases: Reached = field(default_factory=dict)
    catalogs: Reached = field(default_factory=dict)
    schemas: Reached = field(default_factory=dict)
    dashboards: Reached = field(default_factory=dict)
    tables: Reached = field(default_factory=dict)

    def section(self, name: Section) -> Reached:
        found: Reached = getattr(self, name)
        return found

    def add(self, section: Section, key: str, path: Path) -> None:
        paths = self.section(section).setdefault(key, [])
        if path not in paths:
            paths.append(path)

    def granted(self, dataset: str) -> bool:
        """Whether the role's own grants (not a dashboard) reach ``dataset``."""
        return any(p.granted for p in self.datasets.get(dataset, []))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"role": self.role, "declared": self.declared,
                               "sql_lab": self.sql_lab}
        for name in SECTIONS:
            out[name] = [{"name": key, "paths": [p.to_dict() for p in paths],
                          **({"granted": self.granted(key)} if name == "datasets" else {})}
                         for key, paths in sorted(self.section(name).items())]
        return out


@dataclass
class AccessMap:
    """Every role's access, by role name."""

    roles: dict[str, RoleAccess] = field(default_factory=dict)

    def __iter__(self) -> Iterator[RoleAccess]:
        return iter(self.roles[name] for name in sorted(self.roles))

    def reaching(self, section: Section, key: str) -> list[tuple[str, Path]]:
        """(role, path) for every path by which any role reaches ``key``."""
        return [(access.role, path) for access in self
                for path in access.section(section).get(key, [])]

    def to_dict(self) -> dict[str, Any]:
        return {"roles": [access.to_dict() for access in self]}
