"""A row level security rule.

``Regular`` rules add ``clause`` to queries of users in ``roles``; ``Base``
rules add it for everyone except them. Rules sharing a ``group_key`` are ORed
together, groups are ANDed.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from superset_iac.model.base import Finding, Link, Lookup, Ref, Spec


class RlsRule(Spec):
    KIND = "rls"
    REFERS_TO = frozenset({"dataset", "role"})

    name: str
    filter_type: Literal["Regular", "Base"] = "Regular"
    datasets: list[str] = Field(min_length=1)
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

    def lineage(self) -> list[Link]:
        return ([Link(self.ref, f"dataset/{d}", "restricts") for d in self.datasets]
                + [Link(self.ref, f"role/{r}", "applies to") for r in self.roles])

    def findings(self, lookup: Lookup) -> list[Finding]:
        if self.filter_type == "Regular" and not self.roles:
            return [Finding(self.pos("filter_type"), "R005",
                            f"{self.ref}: a Regular rule filters the roles it lists, "
                            "and it lists none")]
        return []

    def canonical_form(self, data: dict[str, Any]) -> dict[str, Any]:
        """Datasets and roles are sets; an empty group key or description is none."""
        data["datasets"] = sorted(set(self.datasets))
        data["roles"] = sorted(set(self.roles))
        data["group_key"] = self.group_key or None
        data["description"] = self.description or None
        return data
