"""Where an asset tree is applied: a Superset and, optionally, a warehouse."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from superset_iac.model.base import Model, Spec


class SupersetConnection(Model):
    url: str
    username: str | None = None
    password: str | None = None
    access_token: str | None = None
    provider: str = "db"
    verify_tls: bool = True
    ca_bundle: str | None = None


class Warehouse(Model):
    """Where views are created: Trino in production, DuckDB on a laptop."""

    type: Literal["trino", "duckdb"]
    host: str | None = None
    port: int = 8080
    user: str | None = None
    catalog: str | None = None
    http_scheme: Literal["http", "https"] = "https"
    auth: Literal["none", "basic", "jwt"] = "none"
    password: str | None = None
    jwt_token: str | None = None
    verify_tls: bool = True
    path: str | None = Field(default=None, description="duckdb: the database file")
    catalogs: dict[str, str] = Field(
        default_factory=dict, description="Trino catalog -> local catalog name")
    mask_salt: str | None = Field(default=None, description="salt for hash masking, as ${VAR}")


class Environment(Spec):
    KIND = "environment"
    SECRET = frozenset({"superset"})

    name: str
    description: str | None = None
    superset: SupersetConnection
    warehouse: Warehouse | None = None
    audit_log: str | None = None

    @property
    def key(self) -> str:
        return self.name
