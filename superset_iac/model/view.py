"""A warehouse view (Trino SQL) that datasets read, usually to mask PII."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from superset_iac.model.base import Model, Spec

MaskPolicy = Literal["hash", "redact", "partial", "email_domain", "null", "custom"]


class ViewColumn(Model):
    name: str
    source: str | None = Field(None, description="source column; defaults to name")
    mask: MaskPolicy | None = None
    keep_last: int = Field(4, description="partial: characters kept at the end")
    expression: str | None = Field(None, description="custom: a Trino SQL expression")


class View(Spec):
    KIND = "view"
    NOT_COMPARED = frozenset({"description", "raw_access_roles"})

    name: str = Field(description="catalog.schema.view as Trino names it")
    description: str | None = None
    source: str | None = Field(None, description="catalog.schema.table read by the view")
    columns: list[ViewColumn] = Field(default_factory=list)
    where: str | None = None
    sql: str | None = Field(None, description="full SELECT, instead of source+columns")
    materialized: bool = False
    refresh_on_apply: bool = True
    raw_access_roles: list[str] = Field(
        default_factory=list,
        description="roles allowed to read the raw source; all others must use this view")

    @property
    def key(self) -> str:
        return self.name
