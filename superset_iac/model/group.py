"""A user group (Superset 6.x, Flask-AppBuilder groups): roles given to its members.

A member of a group holds the group's roles as if they were its own: FAB's
``get_user_roles`` is ``user.roles`` plus every role of every group of the
user, and Superset 6.1 asks it for permissions, dashboard RBAC and row level
security alike. So a group is how the team gives the analysts the Analyst
role without naming the role on each person.

``roles`` names roles (of the tree, or Superset's built-in ones); ``members``
names users by username. Members are usually people whose accounts come from
SSO or were made by hand, so they are looked up on the server when the group
is written (an unknown name fails that change, with a did-you-mean from the
server's users). A user of the tree states its groups itself (``users/``:
``groups``): where both the user and the group are in the tree, both must
say so (R007), because each side's write replaces the whole membership.

What Superset 6.1 does not offer: an RLS rule or a dashboard names roles,
never groups (``RLSFilterRoles``, ``dashboard_roles``); a group reaches them
through its roles. ``PUT /security/roles/{id}/groups`` sets the same
group-role link as a group's ``roles``, so it is kept on the group alone.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from superset_iac.model.base import Finding, Link, Lookup, Ref, Spec, managed_url

# The FAB group the user kind puts every user it creates in (its managed
# marker, see kinds/user.py): bookkeeping, never a group of the tree.
MARKER_GROUP = "superset-iac"
# FAB's column sizes (GroupPostSchema); the description also holds the
# managed marker line (kinds/group.py), which takes some of its 512.
NAME_MAX, LABEL_MAX, DESCRIPTION_MAX = 100, 150, 512


def marker_line(name: str) -> str:
    """The last line of the stored description of a group the tool manages."""
    return managed_url("group", name)


class Group(Spec):
    KIND = "group"
    REFERS_TO = frozenset({"role"})

    name: str = Field(min_length=1, max_length=NAME_MAX)
    label: str | None = Field(default=None, max_length=LABEL_MAX)
    description: str | None = None
    roles: list[str] = Field(default_factory=list, description="roles by name")
    members: list[str] = Field(default_factory=list, description="users by username")

    @field_validator("name")
    @classmethod
    def _not_the_marker(cls, name: str) -> str:
        if name == MARKER_GROUP:
            raise ValueError(f"'{MARKER_GROUP}' is the group superset-iac marks the users it "
                             "created with; name the group otherwise")
        return name

    @field_validator("description")
    @classmethod
    def _room_for_the_marker(cls, text: str | None) -> str | None:
        # the stored text is the description, a blank line and the marker
        room = DESCRIPTION_MAX - 2 - len(marker_line("")) - NAME_MAX
        if text is not None and len(text) > room:
            raise ValueError(f"at most {room} characters (Superset keeps 512, with the "
                             "managed marker line)")
        return text

    @property
    def key(self) -> str:
        return self.name

    def refs(self) -> list[Ref]:
        return [Ref("role", r, ("roles", i)) for i, r in enumerate(self.roles)]

    def findings(self, lookup: Lookup) -> list[Finding]:
        return one_sided_memberships(self, lookup)

    def lineage(self) -> list[Link]:
        """A member holds the group's roles: a change of the group reaches them."""
        return [Link(self.ref, f"role/{r}", "holds") for r in self.roles]

    def canonical_form(self, data: dict[str, Any]) -> dict[str, Any]:
        """Roles and members are sets; an empty label or description is none."""
        data["roles"] = sorted(set(self.roles))
        data["members"] = sorted(set(self.members))
        data["label"] = self.label or None
        data["description"] = self.description or None
        return data


def one_sided_memberships(spec: Spec, lookup: Lookup) -> list[Finding]:
    """R007: memberships between a group and a user of the tree that only one of
    them states (a group's ``members``, a user's ``groups``), at the line that
    states it. Each side's write replaces the whole membership, so the apply of
    the other would undo it, and the next diff show it again."""
    out: list[Finding] = []
    if isinstance(spec, Group):
        for i, username in enumerate(spec.members):
            user = lookup("user", username)
            if user is not None and spec.name not in getattr(user, "groups", []):
                out.append(Finding(spec.pos("members", i), "R007",
                                   f"{spec.ref}: member '{username}' is a user of the tree whose "
                                   f"groups do not list '{spec.name}' (at {user.pos()}): add it "
                                   "there too"))
        return out
    for i, name in enumerate(getattr(spec, "groups", [])):
        group = lookup("group", name)
        if isinstance(group, Group) and spec.key not in group.members:
            out.append(Finding(spec.pos("groups", i), "R007",
                               f"{spec.ref}: group '{name}' does not list '{spec.key}' among its "
                               f"members (at {group.pos('name')}): add it there too"))
    return out
