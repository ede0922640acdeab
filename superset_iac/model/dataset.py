"""A Superset dataset, physical (a table or view) or virtual (``sql``)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from superset_iac.model.base import Model, Ref, Spec


class Column(Model):
    name: str
    type: str | None = None
    is_dttm: bool = False
    expression: str | None = None
    verbose_name: str | None = None
    description: str | None = None
    groupby: bool = True
    filterable: bool = True
    python_date_format: str | None = None


class Metric(Model):
    name: str
    expression: str
    metric_type: str | None = None
    verbose_name: str | None = None
    description: str | None = None
    d3format: str | None = None
    currency: dict[str, Any] | None = None
    warning_text: str | None = None


class Dataset(Spec):
    KIND = "dataset"

    name: str = Field(description="table_name: the table, or the virtual dataset's name")
    database: str
    catalog: str | None = None
    schema_: str | None = Field(None, alias="schema")
    sql: str | None = None
    description: str | None = None
    main_dttm_col: str | None = None
    always_filter_main_dttm: bool = False
    normalize_columns: bool = False
    filter_select_enabled: bool = True
    cache_timeout: int | None = None
    owners: list[str] = Field(default_factory=list)
    extra: dict[str, Any] = Field(default_factory=dict)
    template_params: dict[str, Any] = Field(default_factory=dict)
    columns: list[Column] = Field(default_factory=list)
    metrics: list[Metric] = Field(default_factory=list)

    @property
    def key(self) -> str:
        return self.name

    @property
    def is_virtual(self) -> bool:
        return self.sql is not None

    def refs(self) -> list[Ref]:
        return [Ref("database", self.database, ("database",))]
