"""Users: service accounts and test users, through FAB's security API.

Reading is one paged ``GET /api/v1/security/users/`` (``ceil(users / 100)``
requests): its default columns carry ``roles`` and ``groups`` as
``{"id", "name"}`` objects, so no detail request is needed.

``POST /api/v1/security/users/`` creates with the password (interpolated
from ``${VAR}`` before this point); ``PUT …/{id}`` sends the compared fields,
never the password, and replaces ``roles`` and ``groups``. The password is
never read (Superset keeps a hash) nor compared, nor shown.

Managed marker: users have no ``external_url``, so users the tool creates are
put in the FAB group ``superset-iac``, which holds no role and so grants
nothing. ``--prune`` deletes only members of that group; people who log in
through SSO, or anyone created by hand, are never touched. The group shows in
the UI on the user, like ``external_url`` does on charts.
"""

from __future__ import annotations

from typing import Any

from superset_iac.errors import IacError
from superset_iac.kinds.base import Context, Handler
from superset_iac.model.base import Spec
from superset_iac.model.user import User
from superset_iac.plan.model import Change, LiveObject

USERS_PATH = "security/users"
GROUPS_PATH = "security/groups"
MARKER_GROUP = "superset-iac"


class UserError(IacError):
    """A user spec that cannot be written as it stands."""


def group_ids(ctx: Context) -> dict[str, int]:
    """FAB group name -> id, read once per run (only when a user is written)."""
    if ctx.cache.user_groups is None:
        rows = ctx.client.list(GROUPS_PATH, columns=["id", "name"])
        ctx.cache.user_groups = {row["name"]: row["id"] for row in rows}
    return ctx.cache.user_groups


def marker_group_id(ctx: Context) -> int:
    groups = group_ids(ctx)
    if MARKER_GROUP not in groups:
        body = {"name": MARKER_GROUP, "label": "Managed by superset-iac",
                "description": "Users created by superset-iac from the asset tree. "
                               "Grants no role; members may be deleted by `apply --prune`."}
        groups[MARKER_GROUP] = ctx.client.post(f"{GROUPS_PATH}/", body)["id"]
    return groups[MARKER_GROUP]


class UserHandler(Handler):
    spec_type = User
    not_exported = "a user's password is write-only; accounts come from the tree"

    def prefetch(self, ctx: Context) -> None:
        ctx.cache.fetched[self.kind] = ctx.client.list(USERS_PATH)

    def read(self, ctx: Context) -> dict[str, LiveObject]:
        live: dict[str, LiveObject] = {}
        ahead = ctx.cache.fetched.pop(self.kind, None)
        for row in ctx.client.list(USERS_PATH) if ahead is None else ahead:
            groups = {g["name"] for g in row.get("groups") or []}
            spec = self.to_spec(row)
            live[spec.key] = LiveObject(spec=spec, id=row["id"], managed=MARKER_GROUP in groups,
                                        raw=row)
            ctx.ids.set(self.kind, spec.key, row["id"])
        return live

    def to_spec(self, row: dict[str, Any]) -> User:
        return User.model_construct(
            username=row["username"], first_name=row.get("first_name") or "",
            last_name=row.get("last_name") or "", email=row.get("email") or "",
            roles=sorted(r["name"] for r in row.get("roles") or []),
            groups=sorted(g["name"] for g in row.get("groups") or [] if g["name"] != MARKER_GROUP),
            active=bool(row.get("active")), password=None)

    def payload(self, ctx: Context, spec: User) -> dict[str, Any]:
        groups = group_ids(ctx)
        unknown = sorted(set(spec.groups) - groups.keys())
        if unknown:
            raise UserError(f"user '{spec.username}': group(s) {', '.join(unknown)} do not exist")
        return {"first_name": spec.first_name, "last_name": spec.last_name,
                "email": spec.email, "active": spec.active,
                "roles": [ctx.ids.id("role", name) for name in sorted(set(spec.roles))],
                "groups": sorted({groups[g] for g in spec.groups} | {marker_group_id(ctx)})}

    def create(self, ctx: Context, spec: Spec) -> Any:
        assert isinstance(spec, User)
        if not spec.password:
            raise UserError(f"user '{spec.username}': a password (password: ${{VAR}}) is "
                            "needed to create it")
        body = {**self.payload(ctx, spec), "username": spec.username, "password": spec.password}
        user_id = ctx.client.post(f"{USERS_PATH}/", body)["id"]
        ctx.ids.set(self.kind, spec.username, user_id)
        return user_id

    def update(self, ctx: Context, change: Change) -> None:
        assert isinstance(change.desired, User) and change.live is not None
        ctx.client.put(f"{USERS_PATH}/{change.live.id}", self.payload(ctx, change.desired))

    def delete(self, ctx: Context, live: LiveObject) -> None:
        ctx.client.delete(f"{USERS_PATH}/{live.id}")
        ctx.ids.forget(self.kind, live.key)


HANDLER = UserHandler()
