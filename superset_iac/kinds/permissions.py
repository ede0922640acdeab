"""Superset's permission catalogue: (permission, resource) pairs and their ids.

A role's permissions are "permission view menus" (pvms): a permission name
(``can_read``) on a resource (``Dashboard``). Roles store pvm ids; specs name
pairs. ``GET /api/v1/security/permissions-resources/`` cannot be filtered by
name, but each row carries both names (``{"id", "permission": {"name"},
"view_menu": {"name"}}``), so the whole catalogue is one paged list ordered
by id, ``ceil(pvms / 100)`` requests (≈250 pvms on a fresh 6.1, plus one per
dataset and a few per database), read once per run and kept on the context.
The separate ``/security/permissions/`` and ``/security/resources/`` lists
would add requests without adding a name, so they are used only to create
the role markers below.

Data access pvms embed this environment's ids (Superset 6.1 formats, checked
against a live server):

* ``datasource_access`` on ``[<database>].[<table_name>](id:<dataset id>)``
* ``database_access``   on ``[<database>].(id:<database id>)``
* ``schema_access``     on ``[<database>].[<schema>]``, or
  ``[<database>].[<catalog>].[<schema>]`` where datasets carry a catalog

Dataset and database pvms are found by the id at their end, taken from
``ctx.ids`` (filled by the dataset and database handlers, which run first),
so a renamed database does not break resolution.

Managed-role marker: roles have nothing but a name, so a role the tool owns
carries one extra pvm, ``database_access`` on ``superset-iac://role/<name>``.
It grants nothing (no database's ``perm`` has that name) and ``superset init``
never hands it to a built-in role (it gives Admin, Alpha and Gamma every pvm
except the four object-access permissions). Naming the role in the marker
means a copy made in the UI ("Analyst copy") is not mistaken for a managed
role and never pruned. The role's permissions POST writes it atomically with
the rest of the set.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from superset_iac.errors import IacError
from superset_iac.kinds.base import Context, managed_url

PVM_PATH = "security/permissions-resources"
RESOURCES_PATH = "security/resources"
PERMISSIONS_PATH = "security/permissions"
MARKER_PERMISSION = "database_access"
_MARKER_PREFIX = managed_url("role", "")

DATASET_RESOURCE = re.compile(r"^\[(?P<database>.+)\]\.\[(?P<table>.+)\]\(id:(?P<id>\d+)\)$")
DATABASE_RESOURCE = re.compile(r"^\[(?P<database>.+)\]\.\(id:(?P<id>\d+)\)$")

Pair = tuple[str, str]  # (permission name, resource name)


class UnknownPermission(IacError):
    """A permission, resource or data access grant this Superset does not have."""


@dataclass
class Catalogue:
    """Every pvm of one Superset, indexed both ways and by object id."""

    pairs: dict[int, Pair] = field(default_factory=dict)
    ids: dict[Pair, int] = field(default_factory=dict)
    datasets: dict[int, int] = field(default_factory=dict)  # dataset id -> pvm id
    databases: dict[int, int] = field(default_factory=dict)  # database id -> pvm id

    @classmethod
    def from_rows(cls, rows: Iterable[dict[str, Any]]) -> "Catalogue":
        cat = cls()
        for row in rows:
            cat.add(row["id"], (row["permission"]["name"], row["view_menu"]["name"]))
        return cat

    def add(self, pvm_id: int, pair: Pair) -> None:
        self.pairs[pvm_id] = pair
        self.ids[pair] = pvm_id
        permission, resource = pair
        if permission == "datasource_access" and (m := DATASET_RESOURCE.match(resource)):
            self.datasets[int(m["id"])] = pvm_id
        elif permission == "database_access" and (m := DATABASE_RESOURCE.match(resource)):
            self.databases[int(m["id"])] = pvm_id

    def resources(self) -> set[str]:
        return {resource for _, resource in self.ids}

    def permissions_on(self, resource: str) -> list[str]:
        return sorted(perm for perm, res in self.ids if res == resource)


def catalogue(ctx: Context, *, refresh: bool = False) -> Catalogue:
    """The run's catalogue, read on first use (or again when ``refresh``)."""
    if ctx.cache.permissions is None or refresh:
        ctx.cache.permissions = Catalogue.from_rows(ctx.client.list(PVM_PATH, order_column="id"))
    return ctx.cache.permissions


def _with_refresh(ctx: Context, lookup: Any) -> Any:
    """``lookup(catalogue)``; if it finds nothing, once more on a fresh catalogue.

    Objects created earlier in the same run (a dataset, so its
    ``datasource_access``) are missing from a catalogue read before them.
    """
    found = lookup(catalogue(ctx))
    return found if found is not None else lookup(catalogue(ctx, refresh=True))


def resolve(ctx: Context, pairs: Iterable[Pair]) -> dict[Pair, int]:
    """pvm ids for ``pairs``; every pair that does not exist is named in one error."""
    wanted = sorted(set(pairs))
    missing = [p for p in wanted if p not in catalogue(ctx).ids]
    if missing:
        cat = catalogue(ctx, refresh=True)
        still = [p for p in missing if p not in cat.ids]
        if still:
            raise UnknownPermission("; ".join(_explain(p, cat) for p in still))
    cat = catalogue(ctx)
    return {p: cat.ids[p] for p in wanted}


def _explain(pair: Pair, cat: Catalogue) -> str:
    permission, resource = pair
    resources = cat.resources()
    if resource not in resources:
        hint = difflib.get_close_matches(resource, sorted(resources), n=1)
        return (f"resource '{resource}' does not exist in this Superset"
                + (f" (did you mean '{hint[0]}'?)" if hint else ""))
    known = cat.permissions_on(resource)
    return f"permission '{permission}' on '{resource}' does not exist (it has: {', '.join(known)})"


_ACCESS = {"dataset": ("datasource_access", "datasets"), "database": ("database_access", "databases")}


def object_pvm(ctx: Context, kind: str, name: str) -> int:
    """The access pvm of dataset or database ``name`` in this environment, found by its id."""
    permission, index = _ACCESS[kind]
    object_id = int(ctx.ids.id(kind, name))
    pvm = _with_refresh(ctx, lambda cat: getattr(cat, index).get(object_id))
    if pvm is None:
        raise UnknownPermission(f"{kind} '{name}' (id {object_id}) has no {permission} "
                                "permission in Superset")
    return pvm


# -- managed-role markers ------------------------------------------------------

def marker_pair(role: str) -> Pair:
    return (MARKER_PERMISSION, managed_url("role", role))


def marked_role(pair: Pair | None) -> str | None:
    """The role a marker pvm names, or None if ``pair`` is not a marker."""
    if pair is None or pair[0] != MARKER_PERMISSION or not pair[1].startswith(_MARKER_PREFIX):
        return None
    return pair[1][len(_MARKER_PREFIX):]


def ensure_marker(ctx: Context, role: str) -> int:
    """The marker pvm of ``role``, created (resource, then pvm) if missing.

    Each step looks before it creates, so a run interrupted half-way
    converges on the next one without duplicates.
    """
    pair = marker_pair(role)
    cat = catalogue(ctx)
    if pair in cat.ids:
        return cat.ids[pair]
    resource_id = _resource_id(ctx, pair[1])
    if resource_id is None:
        resource_id = ctx.client.post(f"{RESOURCES_PATH}/", {"name": pair[1]})["id"]
    body = {"permission_id": _permission_id(ctx, MARKER_PERMISSION), "view_menu_id": resource_id}
    pvm_id = ctx.client.post(f"{PVM_PATH}/", body)["id"]
    cat.add(pvm_id, pair)
    return pvm_id


def drop_marker(ctx: Context, role: str) -> None:
    """Delete the marker pvm and its resource after the role itself is gone."""
    pair = marker_pair(role)
    cat = catalogue(ctx)
    pvm_id = cat.ids.pop(pair, None)
    if pvm_id is not None:
        cat.pairs.pop(pvm_id, None)
        ctx.client.delete(f"{PVM_PATH}/{pvm_id}")
    resource_id = _resource_id(ctx, pair[1])
    if resource_id is not None:
        ctx.client.delete(f"{RESOURCES_PATH}/{resource_id}")


def _resource_id(ctx: Context, name: str) -> int | None:
    rows = ctx.client.list(RESOURCES_PATH, filters=[("name", "eq", name)])
    return rows[0]["id"] if rows else None


def _permission_id(ctx: Context, name: str) -> int:
    ids = ctx.cache.permission_ids
    if name not in ids:
        rows = ctx.client.list(PERMISSIONS_PATH, filters=[("name", "eq", name)])
        if not rows:
            raise UnknownPermission(f"permission '{name}' does not exist in this Superset")
        ids[name] = rows[0]["id"]
    return ids[name]
