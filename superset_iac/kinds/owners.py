"""Owners by username: the user directory one run needs, read once, lazily.

Specs name owners by username (stable across environments); Superset stores
user ids. None of Superset's own endpoints return usernames for owners: the
chart, dataset and dashboard lists and details give ``owners.id``,
``owners.first_name`` and ``owners.last_name`` only, and ``related/owners``
answers ``{"value": id, "text": "First Last", "extra": {"email", "active"}}``.
So the directory comes from FAB's security API, ``GET /api/v1/security/users/``
with ``columns:!(id,username)``: one paged read (one request per 100 users),
made the first time a run needs an owner and never again in that run.

That API needs ``FAB_ADD_SECURITY_API`` (on by default from 6.1) and a user
allowed to read users (Admin). Without it (404/403) the directory falls back
to ``GET /api/v1/me/``, which knows only the user the tool logs in as, the
usual owner of what CI creates; any other username is then reported with the
reason it cannot be resolved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from superset_iac.errors import IacError
from superset_iac.kinds.base import Context
from superset_iac.superset.errors import ApiError

USERS_PATH = "security/users"
ME_PATH = "/api/v1/me/"


class UnknownOwner(IacError):
    """A username that no Superset user has (or that cannot be looked up)."""


@dataclass
class Directory:
    """Usernames <-> user ids for one Superset; ``partial`` when only ``/me`` was readable."""

    ids: dict[str, int] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    partial_reason: str | None = None

    def add(self, user_id: int, username: str) -> None:
        self.ids[username] = user_id
        self.names[user_id] = username


def directory(ctx: Context) -> Directory:
    """The run's user directory, read on first use and kept on ``ctx.cache``."""
    with ctx.cache.lock:
        if ctx.cache.owners is None:
            ctx.cache.owners = _read(ctx.client)
        return ctx.cache.owners


def owner_ids(ctx: Context, usernames: Iterable[str]) -> list[int]:
    """User ids for ``usernames``, in the given order; unknown names raise ``UnknownOwner``."""
    wanted = list(usernames)
    if not wanted:
        return []  # no directory read for objects without owners
    users = directory(ctx)
    missing = [name for name in wanted if name not in users.ids]
    if missing:
        raise UnknownOwner(_unknown_message(missing, users))
    return [users.ids[name] for name in wanted]


def owner_names(ctx: Context, owner_rows: Iterable[dict[str, Any]]) -> list[str]:
    """Sorted usernames for ``owners`` rows as the server returns them (``{"id": …}``).

    An id the directory does not know (only possible with the ``/me``
    fallback) becomes ``#<id>``, so the difference still shows in a plan.
    """
    rows = list(owner_rows)
    if not rows:
        return []
    users = directory(ctx)
    return sorted(users.names.get(row["id"], f"#{row['id']}") for row in rows)


def _read(client: Any) -> Directory:
    users = Directory()
    try:
        rows = client.list(USERS_PATH, columns=["id", "username"])
    except ApiError as err:
        if err.status not in (403, 404):
            raise
        me = client.get(ME_PATH)["result"]
        users.add(me["id"], me["username"])
        users.partial_reason = (f"the security API is not available to this user ({err.status}); "
                                "set FAB_ADD_SECURITY_API = True and log in as a user who can read users")
        return users
    for row in rows:
        users.add(row["id"], row["username"])
    return users


def _unknown_message(missing: list[str], users: Directory) -> str:
    names = ", ".join(f"'{name}'" for name in missing)
    if users.partial_reason:
        return f"cannot resolve owner(s) {names}: {users.partial_reason}"
    return f"unknown owner(s) {names}: no Superset user has that username"
