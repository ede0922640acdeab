"""A chart: a visualisation of one dataset."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from superset_iac.model.base import Ref, Spec


class Chart(Spec):
    KIND = "chart"

    name: str = Field(description="slice_name shown in Superset")
    key_: str | None = Field(
        None, alias="key",
        description="stable identity when several charts share a name; defaults to name")
    dataset: str
    viz_type: str
    params: dict[str, Any] = Field(
        default_factory=dict,
        description="form data; columns and metrics named as in the dataset")
    description: str | None = None
    owners: list[str] = Field(default_factory=list)
    cache_timeout: int | None = None
    certified_by: str | None = None
    certification_details: str | None = None

    @property
    def key(self) -> str:
        return self.key_ or self.name

    def refs(self) -> list[Ref]:
        return [Ref("dataset", self.dataset, ("dataset",))]
