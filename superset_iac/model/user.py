"""A service account or test user (people using SSO are not managed here).

The password is set when the user is created and never read back or
compared (Superset keeps only a hash): rotating it is done in Superset, or by
deleting the user and applying again. ``groups`` are FAB groups the user is a
member of, because a group grants its roles too: a group added by hand is
drift like a role added by hand.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, PrivateAttr

from superset_iac.model.base import Ref, Spec


class User(Spec):
    KIND = "user"
    NOT_COMPARED = frozenset({"password"})
    SECRET = frozenset({"password"})

    username: str
    first_name: str
    last_name: str
    email: str
    roles: list[str] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list, description="FAB groups by name")
    active: bool = True
    password: str | None = Field(default=None, description="${VAR} only; set on create")

    # Variables of ``password`` that were not set when the tree was resolved:
    # only a create needs them (``workflow.diff`` refuses that create).
    _unset: tuple[str, ...] = PrivateAttr(default=())

    @property
    def unset(self) -> tuple[str, ...]:
        return self._unset

    @property
    def key(self) -> str:
        return self.username

    def refs(self) -> list[Ref]:
        return ([Ref("role", r, ("roles", i)) for i, r in enumerate(self.roles)]
                + [Ref("group", g, ("groups", i)) for i, g in enumerate(self.groups)])

    def canonical_form(self, data: dict[str, Any]) -> dict[str, Any]:
        """Roles and groups are sets: their order never makes a change."""
        data["roles"] = sorted(set(self.roles))
        data["groups"] = sorted(set(self.groups))
        return data
