"""An RBAC role: built-in roles it extends, Superset permissions, data access.

The desired permission set of a role is

    (live permissions of every role in ``extends``)
    ∪ ``permissions``  (resource -> permission names, e.g. ``Dashboard: [can_read]``)
    ∪ ``data_access``  (datasets, databases and schemas by name).

Canonical form, which a role read from the server is always in and which
specs must be written in for a diff to converge: ``extends`` names every
built-in role whose whole permission set the role holds, except one that is
contained in another named one (Gamma inside Alpha); ``permissions`` never
repeats what ``extends`` already gives; data access grants are written under
``data_access`` (never as ``datasource_access`` and friends in
``permissions``, whose resource names carry environment-specific ids). What
can be checked offline is checked here; what needs the server's permission
sets (containment, overlap) is checked by the handler before it writes.

Built-in roles (Admin, Alpha, Gamma, sql_lab, Public) are owned by Superset:
``superset init`` rewrites them. A spec may name one only to restate it
(``name: Admin, extends: [Admin]``); the tool never writes or deletes them.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field, ValidationInfo, field_validator, model_validator

from superset_iac.model.base import Link, Model, Ref, Spec

# Roles ``superset init`` (sync_role_definitions) creates and rewrites.
BUILTIN_ROLES = ("Admin", "Alpha", "Gamma", "sql_lab", "Public")
# Roles whose permissions a custom role may start from. Public is left out: it
# is the anonymous role, empty unless PUBLIC_ROLE_LIKE copies another one.
EXTENDABLE_ROLES = ("Admin", "Alpha", "Gamma", "sql_lab")
# Permissions that grant data access; their resources embed server ids.
DATA_ACCESS_PERMISSIONS = frozenset({"datasource_access", "database_access", "schema_access"})

_BRACKETED_SCHEMA = re.compile(r"^\[(?P<db>[^\]]+)\]\.\[.+\]$")


def schema_resource(entry: str) -> str:
    """The ``schema_access`` resource an entry of ``data_access.schemas`` names.

    ``lakehouse.option_ticks_db`` -> ``[lakehouse].[option_ticks_db]`` (split at
    the first dot, so a schema may contain dots). A catalog-qualified
    permission is written as Superset names it: ``[lakehouse].[hive_prod].[option_ticks_db]``.
    """
    if entry.startswith("["):
        return entry
    database, schema = entry.split(".", 1)
    return f"[{database}].[{schema}]"


def schema_entry(resource: str) -> str:
    """Inverse of ``schema_resource``: the shortest entry naming ``resource``."""
    inner = resource[1:-1] if resource.startswith("[") and resource.endswith("]") else ""
    database, sep, schema = inner.partition("].[")
    if sep and "." not in database and "]" not in schema and "[" not in schema:
        return f"{database}.{schema}"
    return resource


def schema_database(entry: str) -> str:
    """The database an entry of ``data_access.schemas`` belongs to."""
    if entry.startswith("["):
        match = _BRACKETED_SCHEMA.match(entry)
        return match.group("db") if match else entry
    return entry.split(".", 1)[0]


class DataAccess(Model):
    """Data access by name; resolved to this environment's permission names."""

    datasets: list[str] = Field(default_factory=list)
    databases: list[str] = Field(default_factory=list)
    schemas: list[str] = Field(
        default_factory=list,
        description="database.schema, or [database].[catalog].[schema] with a catalog")

    @field_validator("schemas")
    @classmethod
    def _schema_entries(cls, value: list[str]) -> list[str]:
        for entry in value:
            if entry.startswith("[") and not _BRACKETED_SCHEMA.match(entry):
                raise ValueError(f"'{entry}' is not [database].[schema] or "
                                 "[database].[catalog].[schema]")
            if not entry.startswith("[") and "." not in entry:
                raise ValueError(f"'{entry}' must be database.schema")
        return value

    def is_empty(self) -> bool:
        return not (self.datasets or self.databases or self.schemas)


class Role(Spec):
    KIND = "role"
    REFERS_TO = frozenset({"dataset", "database"})
    # Superset roles have no description: it documents the YAML only.
    NOT_COMPARED = frozenset({"description"})
    BUILT_IN_KEYS = frozenset(BUILTIN_ROLES)  # on every server: never written, always there

    name: str
    description: str | None = None
    extends: list[str] = Field(
        default_factory=list,
        description="built-in roles whose permissions this role starts from")
    permissions: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Superset resource (view menu) -> permission names")
    data_access: DataAccess = Field(default_factory=DataAccess)

    @property
    def key(self) -> str:
        return self.name

    @property
    def builtin(self) -> bool:
        return self.name in BUILTIN_ROLES

    @field_validator("extends")
    @classmethod
    def _extendable(cls, value: list[str], info: ValidationInfo) -> list[str]:
        name = info.data.get("name")
        allowed = EXTENDABLE_ROLES + ((name,) if name in BUILTIN_ROLES else ())
        unknown = [role for role in value if role not in allowed]
        if unknown:
            raise ValueError(f"{', '.join(unknown)}: a role extends only built-in roles "
                             f"({', '.join(EXTENDABLE_ROLES)})")
        return value

    @field_validator("permissions")
    @classmethod
    def _no_data_access_in_permissions(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for resource, names in value.items():
            if "(id:" in resource:
                raise ValueError(f"'{resource}' embeds a server id, which differs per "
                                 "environment: grant it under data_access by name")
            misplaced = sorted(DATA_ACCESS_PERMISSIONS.intersection(names))
            if misplaced:
                raise ValueError(f"{resource}: {', '.join(misplaced)} is written under "
                                 "data_access (datasets, databases, schemas)")
        return value

    @model_validator(mode="after")
    def _builtin_restated_only(self) -> "Role":
        if not self.builtin:
            return self
        if self.extends != [self.name] or self.permissions or not self.data_access.is_empty():
            raise ValueError(f"'{self.name}' is a built-in role owned by Superset (superset "
                             f"init rewrites it): its spec may only restate it, as "
                             f"'extends: [{self.name}]' with no permissions or data_access")
        return self

    def refs(self) -> list[Ref]:
        access = self.data_access
        out = [Ref("dataset", d, ("data_access", "datasets", i))
               for i, d in enumerate(access.datasets)]
        out += [Ref("database", d, ("data_access", "databases", i))
                for i, d in enumerate(access.databases)]
        out += [Ref("database", schema_database(s), ("data_access", "schemas", i))
                for i, s in enumerate(access.schemas)]
        return out


    def lineage(self) -> list[Link]:
        """A role's grants reach the data it opens (downstream of the role)."""
        return [Link(self.ref, f"{r.kind}/{r.key}", "grants") for r in self.refs()]
    def canonical_form(self, data: dict[str, Any]) -> dict[str, Any]:
        """Order-free: names sorted and deduplicated, empty resources dropped."""
        data["extends"] = sorted(set(self.extends))
        data["permissions"] = {resource: sorted(set(names))
                               for resource, names in sorted(self.permissions.items()) if names}
        data["data_access"] = {field: sorted(set(values))
                               for field, values in data["data_access"].items()}
        return data
