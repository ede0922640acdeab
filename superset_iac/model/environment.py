"""Where an asset tree is applied: a Superset and, optionally, a warehouse."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

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
    """An environment file.

    ``secrets``, ``path_variables`` and ``allowed_hosts`` bound what database
    URIs may do in this environment (``validate.uris``): a ``${VAR}`` in a
    URI must be declared here, a secret only in a password slot, and a URI
    only names hosts listed here. ``recipient_domains`` and ``slack_channels``
    bound where reports send data (``validate.reports``). They are the
    environment's, not the databases' or reports', so a change to those files
    alone cannot widen them.
    """

    KIND = "environment"
    SECRET = frozenset({"superset"})

    name: str
    description: str | None = None
    superset: SupersetConnection
    warehouse: Warehouse | None = None
    audit_log: str | None = None
    secrets: list[str] = Field(
        default_factory=list,
        description="variables a database URI may carry as a password (masked everywhere)")
    path_variables: list[str] = Field(
        default_factory=list,
        description="non-secret variables a URI may use in its database part (shown as is)")
    allowed_hosts: list[str] | None = Field(
        default=None,
        description="hosts database URIs may name; required once a URI carries a secret")
    recipient_domains: list[str] | None = Field(
        default=None,
        description="domains report e-mail may go to (example.com, *.corp.example); "
                    "required once a report names an address")
    slack_channels: list[str] | None = Field(
        default=None, description="Slack channels reports may post to; required for Slack")

    @model_validator(mode="after")
    def _allowed_hosts_not_null(self) -> "Environment":
        # Absent means "no list yet" (a secret-carrying URI is then refused);
        # a null written there would read as the same thing: say so instead.
        for name in ("allowed_hosts", "recipient_domains", "slack_channels"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} is empty (YAML null): list them, or [] for none")
        return self

    @property
    def key(self) -> str:
        return self.name
