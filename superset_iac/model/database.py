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

from typing import TYPE_CHECKING, Any, Mapping

from pydantic import Field

from superset_iac import secrets
from superset_iac.model.base import Model, Spec
from superset_iac.model.refs import fill, variables_in
from superset_iac.secrets import carries_password, masked_uri

if TYPE_CHECKING:
    from superset_iac.diagnostics import Diagnostics
    from superset_iac.model.environment import Environment

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
        return self.replaced(**override.model_dump(exclude_none=True))

    def resolved(self, env: Environment | None, environ: Mapping[str, str],
                 diags: Diagnostics) -> Spec:
        """The override applied and the URI filled, only from the variables
        the environment declares (``validate.uris`` reports any other); every
        value the URI takes from a variable is remembered as a secret."""
        db = self.for_environment(env.name) if env is not None else self
        override = self.environments.get(env.name) if env is not None else None
        where: tuple[str, ...] = ("uri",)
        if env is not None and override is not None and override.uri is not None:
            where = ("environments", env.name, "uri")
        names = _declared(env, db.uri)
        value = fill(db, where, db.uri, {k: v for k, v in environ.items() if k in names},
                     diags, unreported=set(variables_in(db.uri)) - names)
        _remember_uri_secrets(db.uri, env, environ)
        return db.replaced(uri=value)

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


def _declared(env: Environment | None, uri: str) -> set[str]:
    """The variables a URI may be filled from: those the environment declares
    (all of them for a tree without environments, see ``validate.uris``)."""
    if env is None:
        return set(variables_in(uri))
    return set(env.secrets) | set(env.path_variables)


def _remember_uri_secrets(uri: str, env: Environment | None, environ: Mapping[str, str]) -> None:
    """Every value a URI takes from a variable is a secret, but a declared path."""
    paths = set(env.path_variables) if env is not None else set()
    for slot in secrets.uri_slots(uri) or []:
        if slot.variable not in paths or slot.part != "database":
            secrets.remember(environ.get(slot.variable))
