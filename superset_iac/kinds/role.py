"""Roles: read as specs relative to the built-in roles, written as one set.

Reading costs ``ceil(roles / 100)`` requests to Superset's
``GET /api/v1/security/roles/search/`` (every role with its
``permission_ids``; added in Superset 5, with a per-role fallback for older
servers) plus the permission catalogue (``permissions.py``). No per-role
request.

Live -> spec: the built-in roles whose whole permission set the role holds
become ``extends`` (one contained in another named one is dropped, so
Gamma disappears behind Alpha), what they give is subtracted, data access
pvms become ``data_access`` names, the rest is ``permissions``. So a spec in
canonical form (see ``model/role.py``) reads back equal to itself, and a
permission added by hand in the UI shows up as one more name.

Spec -> server: the union of the extended roles' live permissions, the
declared pairs and the data access pvms, plus the role's marker, sent in one
``POST /api/v1/security/roles/{id}/permissions`` which replaces the set.
Everything is resolved before the first write, so an unknown permission
fails the role without creating it.

Built-in roles are never written or deleted; only roles carrying their
marker (see ``permissions.py``) are managed, hence prunable.

Failure between requests. An update is the marker (looked up, created
only if missing: resource, then pvm, each converging on a rerun) and one
permissions POST that replaces the set in one transaction: a failure
leaves the role's permissions as they were. A create is the role's POST,
the marker, the permissions POST: when a step after the first fails, the
new role (no permission, so no marker) is deleted again.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from superset_iac.errors import IacError
from superset_iac.kinds import permissions as perms
from superset_iac.kinds.base import Context, ExportFlag, Handler
from superset_iac.kinds.rest import create_once
from superset_iac.kinds.rollback import finish_or_remove
from superset_iac.model.base import Spec
from superset_iac.model.role import (BUILTIN_ROLES, EXTENDABLE_ROLES, DataAccess, Role,
                                     schema_entry, schema_resource)
from superset_iac.plan.model import Change, LiveObject
from superset_iac.superset.errors import ApiError

ROLES_PATH = "security/roles"
SEARCH_PATH = "security/roles/search"


class RoleError(IacError):
    """A role spec that cannot be written as it stands."""


# -- pure: built-in sets, inference, expression --------------------------------

def infer_extends(held: set[int], builtins: Mapping[str, set[int]]) -> list[str]:
    """The built-in roles ``held`` contains whole, minus those inside another one.

    Empty built-ins are skipped (every set contains them). Of two equal sets
    the one earlier in ``EXTENDABLE_ROLES`` is kept, so the answer is unique.
    """
    contained = [name for name in EXTENDABLE_ROLES
                 if builtins.get(name) and builtins[name] <= held]

    def inside_another(name: str) -> bool:
        mine = builtins[name]
        return any(other != name and (mine < builtins[other] or (
            mine == builtins[other] and EXTENDABLE_ROLES.index(other) < EXTENDABLE_ROLES.index(name)))
            for other in contained)

    return sorted(name for name in contained if not inside_another(name))


def given_by(extends: Iterable[str], builtins: Mapping[str, set[int]]) -> set[int]:
    out: set[int] = set()
    for name in extends:
        out |= builtins.get(name, set())
    return out


def express(ctx: Context, pvm_ids: Iterable[int],
            cat: perms.Catalogue) -> tuple[dict[str, list[str]], DataAccess]:
    """pvms as a spec writes them: data access by name, the rest by resource."""
    permissions: dict[str, list[str]] = {}
    datasets: list[str] = []
    databases: list[str] = []
    schemas: list[str] = []
    for pvm_id in pvm_ids:
        permission, resource = cat.pairs.get(pvm_id, ("?", f"(unknown permission id {pvm_id})"))
        if permission == "datasource_access" and (key := _object_key(ctx, "dataset", resource)):
            datasets.append(key)
        elif permission == "database_access" and (key := _object_key(ctx, "database", resource)):
            databases.append(key)
        elif permission == "schema_access":
            schemas.append(schema_entry(resource))
        else:
            permissions.setdefault(resource, []).append(permission)
    access = DataAccess.model_construct(datasets=sorted(datasets), databases=sorted(databases),
                                        schemas=sorted(schemas))
    return {res: sorted(names) for res, names in sorted(permissions.items())}, access


def _object_key(ctx: Context, kind: str, resource: str) -> str | None:
    """The key of the dataset/database a data access resource names by id, if known."""
    pattern = perms.DATASET_RESOURCE if kind == "dataset" else perms.DATABASE_RESOURCE
    match = pattern.match(resource)
    return ctx.ids.key(kind, int(match["id"])) if match else None


# -- reading ------------------------------------------------------------------

def role_rows(ctx: Context, *, refresh: bool = False) -> list[dict[str, Any]]:
    """Every role as ``{"id", "name", "permission_ids"}``, cached for the run."""
    if ctx.cache.role_rows is None or refresh:
        ctx.cache.role_rows = _read_rows(ctx.client)
    return ctx.cache.role_rows


def _read_rows(client: Any) -> list[dict[str, Any]]:
    try:
        return client.list(SEARCH_PATH, order_column="id")
    except ApiError as err:
        if err.status != 404:
            raise
    # Before Superset 5 there is no search endpoint: one request per role.
    rows = client.list(ROLES_PATH, columns=["id", "name"])
    for row in rows:
        listed = client.get(f"{ROLES_PATH}/{row['id']}/permissions/")["result"]
        row["permission_ids"] = [p["id"] for p in listed]
    return rows


def builtin_sets(rows: Iterable[dict[str, Any]], cat: perms.Catalogue) -> dict[str, set[int]]:
    """The live permission sets of the built-in roles, markers left out."""
    return {row["name"]: _without_markers(row["permission_ids"], cat)
            for row in rows if row["name"] in BUILTIN_ROLES}


def _without_markers(ids: Iterable[int], cat: perms.Catalogue) -> set[int]:
    return {i for i in ids if perms.marked_role(cat.pairs.get(i)) is None}


class RoleHandler(Handler):
    spec_type = Role
    export_flag = ExportFlag("--roles", "Export roles (with the data they grant access to).")

    def prefetch(self, ctx: Context) -> None:
        """The roles and the catalogue, side by side (``read`` checks they agree)."""
        ctx.client.concurrently(lambda read: read(), [lambda: role_rows(ctx, refresh=True),
                                                      lambda: perms.catalogue(ctx, refresh=True)])
        ctx.cache.fetched[self.kind] = True

    def read(self, ctx: Context) -> dict[str, LiveObject]:
        stale = not ctx.cache.fetched.pop(self.kind, False)
        rows = role_rows(ctx, refresh=stale)
        cat = perms.catalogue(ctx, refresh=stale)
        known = {i for row in rows for i in row["permission_ids"]}
        if not known <= cat.pairs.keys():  # a pvm created between the two reads
            cat = perms.catalogue(ctx, refresh=True)
        builtins = builtin_sets(rows, cat)
        live: dict[str, LiveObject] = {}
        for row in rows:
            name = row["name"]
            held = set(row["permission_ids"])
            managed = name not in BUILTIN_ROLES and cat.ids.get(perms.marker_pair(name)) in held
            live[name] = LiveObject(spec=self.to_spec(ctx, name, held, builtins, cat),
                                    id=row["id"], managed=managed, raw=row)
            ctx.ids.set(self.kind, name, row["id"])
        return live

    def to_spec(self, ctx: Context, name: str, held: set[int],
                builtins: Mapping[str, set[int]], cat: perms.Catalogue) -> Role:
        if name in BUILTIN_ROLES:
            return Role.model_construct(name=name, extends=[name])
        held = _without_markers(held, cat)
        extends = infer_extends(held, builtins)
        permissions, access = express(ctx, held - given_by(extends, builtins), cat)
        # Constructed, not validated: a live role may hold what a spec may not
        # write (a datasource_access on a dataset this run does not know).
        return Role.model_construct(name=name, extends=extends, permissions=permissions,
                                    data_access=access)

    # -- writing ----------------------------------------------------------------
    def desired_ids(self, ctx: Context, spec: Role) -> set[int]:
        """The pvm ids ``spec`` stands for (marker excluded); checks canonical form."""
        cat = perms.catalogue(ctx)
        builtins = builtin_sets(role_rows(ctx), cat)
        empty = [name for name in spec.extends if not builtins.get(name)]
        if empty:
            raise RoleError(f"role '{spec.name}': built-in role(s) {', '.join(empty)} have no "
                            "permissions on this server (run `superset init`)")
        given = given_by(spec.extends, builtins)
        declared = set(perms.resolve(ctx, [(p, res) for res, names in spec.permissions.items()
                                           for p in names]).values())
        total = given | declared | self._data_access_ids(ctx, spec.data_access)
        _check_canonical(spec, declared & given, infer_extends(total, builtins), perms.catalogue(ctx))
        return total

    def _data_access_ids(self, ctx: Context, access: DataAccess) -> set[int]:
        ids = {perms.object_pvm(ctx, "dataset", name) for name in access.datasets}
        ids |= {perms.object_pvm(ctx, "database", name) for name in access.databases}
        schemas = [("schema_access", schema_resource(entry)) for entry in access.schemas]
        return ids | set(perms.resolve(ctx, schemas).values())

    def create(self, ctx: Context, spec: Spec) -> Any:
        assert isinstance(spec, Role)
        if spec.builtin:
            raise RoleError(f"built-in role '{spec.name}' does not exist on this server: "
                            "run `superset init`")
        ids = self.desired_ids(ctx, spec)
        role_id = self._post(ctx, spec.name)
        ctx.ids.set(self.kind, spec.name, role_id)
        finish_or_remove(ctx, self, spec, role_id, lambda: self._write(ctx, role_id, spec.name, ids),
                         f"role '{spec.name}' was created, but its permissions could not be set")
        return role_id

    def _post(self, ctx: Context, name: str) -> Any:
        """POST the role; one another run created meanwhile (two applies at
        once) is adopted by its name, and both runs write the same permissions."""
        return create_once(ctx, f"{self.kind}/{name}",
                           lambda: ctx.client.post(f"{ROLES_PATH}/", {"name": name})["id"],
                           lambda: self._id_of(ctx, name))

    def _id_of(self, ctx: Context, name: str) -> Any:
        """The id of the role named ``name`` on the server now, or None."""
        return next((row["id"] for row in ctx.client.list(ROLES_PATH, columns=["id", "name"])
                     if row["name"] == name), None)

    def update(self, ctx: Context, change: Change) -> None:
        spec, live = change.desired, change.live
        assert isinstance(spec, Role) and live is not None
        if spec.builtin:
            raise RoleError(f"built-in role '{spec.name}' is owned by Superset; "
                            "superset-iac never rewrites it")
        self._write(ctx, live.id, spec.name, self.desired_ids(ctx, spec))

    def _write(self, ctx: Context, role_id: Any, name: str, ids: set[int]) -> None:
        ids = ids | {perms.ensure_marker(ctx, name)}
        ctx.client.post(f"{ROLES_PATH}/{role_id}/permissions",
                        {"permission_view_menu_ids": sorted(ids)})

    def delete(self, ctx: Context, live: LiveObject) -> None:
        if live.key in BUILTIN_ROLES:
            raise RoleError(f"built-in role '{live.key}' is never deleted")
        ctx.client.delete(f"{ROLES_PATH}/{live.id}")
        ctx.ids.forget(self.kind, live.key)
        perms.drop_marker(ctx, live.key)


def _check_canonical(spec: Role, overlap: set[int], inferred: list[str],
                     cat: perms.Catalogue) -> None:
    """Refuse a spec that would not read back as written (the diff would never end)."""
    if overlap:
        names = ", ".join(sorted(f"{res}.{p}" for p, res in (cat.pairs[i] for i in overlap)))
        raise RoleError(f"role '{spec.name}': {names} already come from extends "
                        f"{sorted(spec.extends)}; remove them from permissions")
    if inferred != sorted(set(spec.extends)):
        raise RoleError(
            f"role '{spec.name}' holds the whole of the built-in role(s) {inferred} and would "
            f"read back as 'extends: [{', '.join(inferred)}]', not {sorted(spec.extends)} "
            "(a built-in named inside another one, or permissions adding up to a whole "
            "built-in role): write it that way")


HANDLER = RoleHandler()
