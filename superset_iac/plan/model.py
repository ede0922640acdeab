"""Plan data: changes with field-level deltas, serialisable to JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from superset_iac.model.base import Spec
from superset_iac.model.refs import MASK
from superset_iac.secrets import mask_data


class Action(str, Enum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


SYMBOL = {Action.CREATE: "+", Action.UPDATE: "~", Action.DELETE: "-"}


@dataclass
class LiveObject:
    """An object read from the server, expressed as a spec (names, not ids).

    ``id`` is the server's identifier in this environment; ``raw`` keeps what
    the server returned so an update can carry ids of nested parts (dataset
    columns and metrics) without reading them again.
    """

    spec: Spec
    id: Any
    managed: bool = False
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.spec.key


@dataclass(frozen=True)
class FieldChange:
    path: str
    before: Any
    after: Any
    sensitive: bool = False

    def to_dict(self) -> dict[str, Any]:
        if self.sensitive:
            return {"path": self.path, "before": MASK, "after": MASK, "sensitive": True}
        # JSON plans and the audit log: no remembered secret, in any field.
        return {"path": self.path, "before": mask_data(self.before, MASK),
                "after": mask_data(self.after, MASK)}


@dataclass
class Change:
    """One object to create, update or delete.

    ``rotate``: the update rewrites the object's write-only secrets (asked
    for with ``--rotate-passwords``; they are among ``fields``, sensitive),
    so the handler sends their real values instead of keeping the stored ones.
    """

    action: Action
    kind: str
    key: str
    fields: list[FieldChange] = field(default_factory=list)
    desired: Spec | None = None
    live: LiveObject | None = None
    rotate: bool = False

    @property
    def ref(self) -> str:
        return f"{self.kind}/{self.key}"

    def to_dict(self) -> dict[str, Any]:
        data = {"action": self.action.value, "kind": self.kind, "key": self.key,
                "fields": [f.to_dict() for f in self.fields]}
        return {**data, "rotate": True} if self.rotate else data


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    unchanged: dict[str, int] = field(default_factory=dict)
    unmanaged: dict[str, int] = field(default_factory=dict)
    # Managed objects no longer in the tree, kept because the plan was made
    # without --prune ("kind/key"): what --prune would delete.
    not_in_tree: list[str] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    def counts(self) -> dict[str, int]:
        counts = {a.value: 0 for a in Action}
        for change in self.changes:
            counts[change.action.value] += 1
        counts["unchanged"] = sum(self.unchanged.values())
        return counts

    def to_dict(self) -> dict[str, Any]:
        return {"changes": [c.to_dict() for c in self.changes],
                "summary": self.counts(),
                "unchanged": dict(self.unchanged),
                "unmanaged": dict(self.unmanaged),
                "not_in_tree": list(self.not_in_tree)}
