"""A service account or test user (people using SSO are not managed here)."""

from __future__ import annotations

from pydantic import Field

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
    active: bool = True
    password: str | None = Field(None, description="${VAR} only; set on create")

    @property
    def key(self) -> str:
        return self.username

    def refs(self) -> list[Ref]:
        return [Ref("role", r, ("roles", i)) for i, r in enumerate(self.roles)]
