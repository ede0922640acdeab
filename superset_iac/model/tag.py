"""A custom tag of Superset's tagging system (feature flag ``TAGGING_SYSTEM``).

A tag has a ``name`` (unique in Superset), a ``description`` and the objects
it tags, each list by the name the tree gives them: ``dashboards`` (slug, or
title for a dashboard without one), ``charts`` and ``saved_queries``
(labels). The tag owns its membership: an object tagged by hand in the UI
with a managed tag is drift, and apply takes the tag off it again.

Superset's own tags (``owner:<id>``, ``type:<kind>``, ``favorited_by:<id>``)
are written by the server itself and never managed: a name with one of those
prefixes is refused (S010).

``Tag.compared`` (through ``canonical_form``): each list is a set (order and
repeats make no change), an empty description is none.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from superset_iac.model.base import Link, Ref, Spec

# Prefixes of the tags Superset writes itself (``superset/tags/models.py``).
SYSTEM_PREFIXES = ("owner:", "type:", "favorited_by:")
# Spec list -> the kind its names refer to.
MEMBER_KINDS = {"dashboards": "dashboard", "charts": "chart", "saved_queries": "saved_query"}


class Tag(Spec):
    KIND = "tag"
    REFERS_TO = frozenset(MEMBER_KINDS.values())

    name: str = Field(min_length=1)
    description: str | None = None
    dashboards: list[str] = Field(default_factory=list, description="dashboard slugs (or titles)")
    charts: list[str] = Field(default_factory=list, description="chart names")
    saved_queries: list[str] = Field(default_factory=list, description="saved query labels")

    @field_validator("name")
    @classmethod
    def _custom_name(cls, name: str) -> str:
        if name != name.strip():
            raise ValueError("a tag name has no surrounding spaces (Superset strips them)")
        if name.startswith(SYSTEM_PREFIXES):
            raise ValueError(f"'{name}' is a name Superset gives its own tags "
                             f"({', '.join(p + '...' for p in SYSTEM_PREFIXES)}); "
                             "choose another")
        return name

    @property
    def key(self) -> str:
        return self.name

    def members(self) -> dict[str, list[str]]:
        """Kind -> the keys of the objects this tag names."""
        return {kind: list(getattr(self, field)) for field, kind in MEMBER_KINDS.items()}

    def refs(self) -> list[Ref]:
        return [Ref(kind, key, (field, i)) for field, kind in MEMBER_KINDS.items()
                for i, key in enumerate(getattr(self, field))]

    def lineage(self) -> list[Link]:
        """None: a tag groups what it names, a change of a member changes no tag
        (and ``--impact`` would otherwise list every tag of every chart reached)."""
        return []

    def canonical_form(self, data: dict[str, Any]) -> dict[str, Any]:
        for field in MEMBER_KINDS:
            data[field] = sorted(set(getattr(self, field)))
        data["description"] = self.description or None
        return data
