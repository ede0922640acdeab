"""User groups, through FAB's security API (``/api/v1/security/groups/``).

Reading is one paged list, ``ceil(groups / 100)`` requests: its default
columns carry ``roles`` (``{"id", "name"}``) and ``users`` (``{"id",
"username"}``), so no detail request is needed. The whole list is read even
without ``--prune`` (the list takes no ``in`` filter on names; groups are
few), and it also fills ``ctx.cache.user_groups``, the name -> id map the user
kind writes its users' groups with: one read of groups per run for both.
The user kind's marker group (``superset-iac``) is bookkeeping: never a
live group of this kind, so never exported, compared or pruned.

Writing: ``POST …/groups/`` and ``PUT …/groups/{id}`` take ``name``,
``label``, ``description``, ``roles`` (role ids) and ``users`` (user ids);
the lists replace the group's. Members are looked up by username in the
server's user directory (``owners.directory``: one paged read of the users,
shared with owners). A member that does not exist yet but is a user of the
tree is left out: that user's create puts it in the group (R007 makes both
sides say so). Any other unknown member fails the change, naming its line.

Managed marker: groups have neither uuid nor ``external_url``, so, as for RLS
rules, the stored description ends with a line ``superset-iac://group/<name>``
(shown in the UI's group editor). ``to_spec`` strips it; ``--prune`` deletes
only groups whose marker names them. Group names are unique in FAB, so a
create refused because another run made the group meanwhile finds it by name
and adopts it if it carries the marker.

Failure between requests: none. A create is one POST and an update one PUT
with the whole group, each one transaction on the server.
"""

from __future__ import annotations

from typing import Any

from superset_iac.errors import IacError
from superset_iac.kinds import owners
from superset_iac.kinds.base import Context, ExportFlag
from superset_iac.kinds.markers import MarkedHandler, split_marker, with_marker
from superset_iac.load.schema import did_you_mean
from superset_iac.model.base import Spec
from superset_iac.model.group import MARKER_GROUP, Group
from superset_iac.plan.model import LiveObject

GROUPS_PATH = "security/groups"


class GroupError(IacError):
    """A group spec that cannot be written as it stands."""


class GroupHandler(MarkedHandler):
    spec_type = Group
    export_flag = ExportFlag("--groups", "Export user groups (with their roles).")
    resource = GROUPS_PATH
    columns = ()  # the default list columns are the ones with roles and users
    name_column = "name"  # unique in FAB: a lost create is found by it and the marker

    def read_rows(self, ctx: Context) -> list[dict[str, Any]]:
        rows = ctx.client.list(self.resource)
        ctx.cache.user_groups = {row["name"]: row["id"] for row in rows}
        return [row for row in rows if row["name"] != MARKER_GROUP]

    def keys(self, ctx: Context, rows: list[dict[str, Any]]) -> list[str]:
        return [row["name"] for row in rows]  # unique in FAB

    def is_managed(self, row: dict[str, Any], key: str) -> bool:
        return split_marker("group", row.get("description"))[1] == key

    def to_spec(self, ctx: Context, row: dict[str, Any], key: str | None = None) -> Group:
        return Group.model_construct(
            name=row["name"], label=row.get("label") or None,
            description=split_marker("group", row.get("description"))[0],
            roles=sorted(r["name"] for r in row.get("roles") or []),
            members=sorted(u["username"] for u in row.get("users") or []))

    def to_payload(self, ctx: Context, spec: Spec, live: LiveObject | None = None) -> dict[str, Any]:
        assert isinstance(spec, Group)
        return {"name": spec.name, "label": spec.label or None,
                "description": with_marker("group", spec.description, spec.name),
                "roles": [ctx.ids.id("role", r) for r in sorted(set(spec.roles))],
                "users": member_ids(ctx, spec)}

    def register(self, ctx: Context, key: str, object_id: Any, spec: Spec) -> None:
        super().register(ctx, key, object_id, spec)
        if ctx.cache.user_groups is not None:  # a user written later in this run joins it
            ctx.cache.user_groups[key] = object_id



def member_ids(ctx: Context, spec: Group) -> list[int]:
    """User ids of the members; a user of the tree not created yet is left to its own create."""
    wanted = sorted(set(spec.members))
    if not wanted:
        return []  # no directory read for a group without members
    users = owners.directory(ctx)
    later = set(ctx.desired_keys("user"))
    unknown = [name for name in wanted if name not in users.ids and name not in later]
    if unknown:
        where = {name: spec.pos("members", spec.members.index(name)) for name in unknown}
        reason = users.partial_reason or "no Superset user has that username"
        raise GroupError("; ".join(f"{where[name]}: {spec.ref}: member '{name}' cannot be "
                                   f"found ({reason}){did_you_mean(name, users.ids)}"
                                   for name in unknown))
    return sorted(users.ids[name] for name in wanted if name in users.ids)


HANDLER = GroupHandler()
