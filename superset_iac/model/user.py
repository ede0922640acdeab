"""A service account or test user (people using SSO are not managed here).

The password is set when the user is created and never read back or
compared (Superset keeps only a hash): rotating it is done in Superset, or by
deleting the user and applying again. ``groups`` are FAB groups the user is a
member of, because a group grants its roles too: a group added by hand is
drift like a role added by hand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

from pydantic import Field, PrivateAttr

from superset_iac import secrets
from superset_iac.load.yaml_source import Path
from superset_iac.model.base import Link, Ref, Spec
from superset_iac.model.refs import interpolate

if TYPE_CHECKING:
    from superset_iac.diagnostics import Diagnostics
    from superset_iac.model.environment import Environment


class User(Spec):
    KIND = "user"
    NOT_COMPARED = frozenset({"password"})
    SECRET = frozenset({"password"})
    KEY_FIELDS = ("username",)
    REFERS_TO = frozenset({"role"})

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
        return [Ref("role", r, ("roles", i)) for i, r in enumerate(self.roles)]

    def lineage(self) -> list[Link]:
        """None: a user's roles change what the user may open, not what any
        object shows (``superset-iac access`` answers who reaches what)."""
        return []

    def resolved(self, env: Environment | None, environ: Mapping[str, str],
                 diags: Diagnostics) -> Spec:
        """The password filled; a missing variable is no error here but kept
        (``unset``): only a create needs it (``missing_for_create``)."""
        if self.password is None:
            return self
        value, missing = interpolate(self.password, environ)
        user = self.replaced(password=value)
        user._unset = tuple(missing)
        secrets.remember(value if not missing else None)
        return user

    def missing_for_create(self) -> list[tuple[Path, str]]:
        return [(("password",), name) for name in self.unset]

    def canonical_form(self, data: dict[str, Any]) -> dict[str, Any]:
        """Roles and groups are sets: their order never makes a change."""
        data["roles"] = sorted(set(self.roles))
        data["groups"] = sorted(set(self.groups))
        return data
