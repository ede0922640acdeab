"""A database connection in Superset (``databases/*.yaml``)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from superset_iac.model.base import Model, Spec


class DatabaseOverride(Model):
    """Values that differ per environment (``environments: {prod: {...}}``)."""

    uri: str | None = None
    extra: dict[str, Any] | None = None
    allow_run_async: bool | None = None
    cache_timeout: int | None = None


class Database(Spec):
    KIND = "database"
    NOT_COMPARED = frozenset({"environments", "description"})
    SECRET = frozenset({"uri"})

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
