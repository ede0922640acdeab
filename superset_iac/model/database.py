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

import re
from typing import Any, Callable
from urllib.parse import unquote

from pydantic import Field
from sqlalchemy.engine.url import URL, make_url
from sqlalchemy.exc import ArgumentError

from superset_iac.model.base import Model, Spec

# What Superset writes in place of a stored password (superset.constants.PASSWORD_MASK).
PASSWORD_MASK = "X" * 10
# How a plan names the password inside ``uri`` (a rotation's one field).
PASSWORD_PATH = "uri.password"
# Query parameters some drivers take a password in; masked too (Superset shows
# them as they are, but a plan must not).
_SECRET_PARAMS = frozenset({"password", "passwd", "pwd"})
# The same passwords found in the text, for rewriting a URI in its own
# spelling. scheme://user:password@host... with SQLAlchemy's own rule (the
# password runs to the first '@'), so it is the password Superset would see.
_USERINFO_PASSWORD = re.compile(r"^(?P<head>[\w+]+://[^:/]*:)(?P<pw>[^@]*)(?P<tail>@)")
_QUERY_PASSWORD = re.compile(
    rf"(?P<head>[?&](?:{'|'.join(sorted(_SECRET_PARAMS))})=)(?P<pw>[^&#]*)(?P<tail>)",
    re.IGNORECASE)


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

    def compared(self) -> dict[str, Any]:
        data = super().compared()
        data["uri"] = masked_uri(self.uri)
        data["extra"] = without_empty(self.extra)
        return data


def parse_uri(uri: str) -> URL | None:
    """The parsed URI, or None when SQLAlchemy cannot read it."""
    try:
        return make_url(uri)
    except (ArgumentError, ValueError):
        return None


def has_password(uri: str) -> bool:
    url = parse_uri(uri)
    return bool(url is not None and url.password)


def carries_password(uri: str) -> bool:
    """Whether ``uri`` sets a password, in its user info or as a query parameter."""
    url = parse_uri(uri)
    if url is None:
        return False
    return bool(url.password) or any(
        key.lower() in _SECRET_PARAMS and value for key, value in url.query.items())


def masked_uri(uri: str, *, query: bool = True) -> str:
    """``uri`` as Superset shows it: the password as ``XXXXXXXXXX``.

    Parsed and rendered by SQLAlchemy, as Superset does, so that two spellings
    of one URI (percent-encoding, query order) compare equal. ``query=False``
    leaves password query parameters alone: the form to send back to Superset,
    which masks only the URI's own password. An unparseable URI is returned
    as it is: it holds no password SQLAlchemy could find, and validation
    reports it.
    """
    url = parse_uri(uri)
    if url is None:
        return uri
    if url.password:
        url = url.set(password=PASSWORD_MASK)
    if query and any(key.lower() in _SECRET_PARAMS for key in url.query):
        url = url.set(query={key: PASSWORD_MASK if key.lower() in _SECRET_PARAMS else value
                             for key, value in url.query.items()})
    return url.render_as_string(hide_password=False)


def replace_passwords(uri: str, new: Callable[[str], str]) -> str:
    """``uri`` with each password (user info, password query parameters)
    replaced by ``new(password)``, and every other character as written.

    Text-level where ``masked_uri`` is not: for writing a URI back to a file.
    """
    def sub(match: re.Match[str]) -> str:
        if not match["pw"]:
            return match[0]
        return match["head"] + new(match["pw"]) + match["tail"]

    return _QUERY_PASSWORD.sub(sub, _USERINFO_PASSWORD.sub(sub, uri, count=1))


def uri_passwords(uri: str) -> tuple[str, ...]:
    """The passwords written in ``uri``, each also percent-decoded when that
    differs: the values an error message must never echo."""
    found = [m["pw"] for m in _USERINFO_PASSWORD.finditer(uri)]
    found += [m["pw"] for m in _QUERY_PASSWORD.finditer(uri)]
    out: list[str] = []
    for password in filter(None, found):
        out += [password] if unquote(password) == password else [password, unquote(password)]
    return tuple(out)


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
