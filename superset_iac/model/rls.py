"""A row level security rule."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from superset_iac.model.base import Ref, Spec


class RlsRule(Spec):
    KIND = "rls"

    name: str
    filter_type: Literal["Regular", "Base"] = "Regular"
    datasets: list[str]
    roles: list[str] = Field(default_factory=list)
    group_key: str | None = None
    clause: str
    description: str | None = None

    @property
    def key(self) -> str:
        return self.name

    def refs(self) -> list[Ref]:
        return ([Ref("dataset", d, ("datasets", i)) for i, d in enumerate(self.datasets)]
                + [Ref("role", r, ("roles", i)) for i, r in enumerate(self.roles)])
