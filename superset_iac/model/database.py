"""A database connection in Superset (``databases/*.yaml``).

Superset never returns a stored password: ``GET /database/{id}/connection``
answers the URI with the password replaced by ``XXXXXXXXXX``. So the desired
URI is compared in that same masked form (``masked_uri``): a plan never
shows a password and never depends on one, and the URI's other parts (host,
port, database) stay visible, which is why ``uri`` is not in ``SECRET``.
The flip side: a password changed only in the environment variable is not a
change that diff can see. ``--rotate-passwords`` makes it one on request:
``write_only_secrets`` names the password (``uri.password``) of a URI that
carries one, and ``plan(rotate=True)`` adds it to the database's update as a
``(sensitive)`` field, which tells the handler to send the real URI.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from superset_iac.model.base import Model, Spec
from superset_iac.secrets import carries_password, masked_uri

# How a plan names the password inside ``uri`` (a rotation's one field).
PASSWORD_PATH = "uri.password"


class DatabaseOverride(Model):
    """Values that differ per environment (``environments: {prod: {...}}``)."""

    uri: str | None = None
    extra: dict[str, Any] | None = None
    allow_run_async: bool | None = None
    cache_timeout: int | None = None


class Database(Spec):
    KIND = "database"
    NOT_COMPARED = frozenset({"environments", "description"})
    # ``uri`` holds the password, but only in its masked form reaches a plan.
    SECRET = frozenset()

    name: str = Field(description="database_name in Superset; the natural key")
    uri: str = Field(description="SQLAlchemy URI; the password only as ${VAR}")
    description: str | None = None
    expose_in_sqllab: bool = True
    allow_run_async: bool = False
    allow_dml: bool = False
    allow_ctas: bool = False
    allow_cvas: bool = False
    allow_file_upload: bool = False
    impersonate_user: bool = False
    cache_timeout: int | None = None
    extra: dict[str, Any] = Field(default_factory=dict)
    environments: dict[str, DatabaseOverride] = Field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.name

    def for_environment(self, env: str) -> "Database":
        """This database with the ``env`` overrides applied (source kept)."""
        override = self.environments.get(env)
        if override is None:
            return self
        changes = override.model_dump(exclude_none=True)
        copy = self.model_copy(update=changes)
        copy._doc, copy._path = self._doc, self._path
        return copy

    def write_only_secrets(self) -> tuple[str, ...]:
        """``uri.password`` when the URI carries a password (user info or a
        password query parameter): Superset never returns it."""
        return (PASSWORD_PATH,) if carries_password(self.uri) else ()

    def canonical_form(self, data: dict[str, Any]) -> dict[str, Any]:
        data["uri"] = masked_uri(self.uri)
        data["extra"] = without_empty(self.extra)
        return data


def without_empty(value: Any) -> Any:
    """``value`` without empty mappings, lists and nulls, at any depth.

    Superset's UI writes ``extra`` with every section present
    (``"metadata_params": {}``, ``"schemas_allowed_for_file_upload": []``);
    an empty section means the same as a missing one.
    """
    if isinstance(value, dict):
        pruned = {k: without_empty(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in (None, {}, [])}
    if isinstance(value, list):
        return [without_empty(v) for v in value]
    return value
