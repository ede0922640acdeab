"""An RBAC role: Superset permissions plus data access by reference."""

from __future__ import annotations

from pydantic import Field

from superset_iac.model.base import Model, Ref, Spec


class DataAccess(Model):
    """Data access by name; resolved to this environment's permission names."""

    datasets: list[str] = Field(default_factory=list)
    databases: list[str] = Field(default_factory=list)
    schemas: list[str] = Field(default_factory=list, description="database.schema")


class Role(Spec):
    KIND = "role"
    NOT_COMPARED = frozenset({"description"})

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

    def refs(self) -> list[Ref]:
        access = self.data_access
        out = [Ref("dataset", d, ("data_access", "datasets", i))
               for i, d in enumerate(access.datasets)]
        out += [Ref("database", d, ("data_access", "databases", i))
                for i, d in enumerate(access.databases)]
        out += [Ref("database", s.split(".", 1)[0], ("data_access", "schemas", i))
                for i, s in enumerate(access.schemas)]
        return out
