"""What handlers of Superset REST resources share.

Subclasses name their ``resource`` (``chart``), say which list ``columns``
they need, and convert in both directions with ``to_spec`` (server JSON ->
spec, ids resolved to names through ``ctx.ids``) and ``to_payload`` (spec ->
request body, names resolved to ids). Reading uses the list endpoint only,
paged, so a diff costs one request per 100 objects; kinds whose compared
fields are missing from the list read details where needed and say so.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from superset_iac.kinds.base import MANAGED_URL_PREFIX, Context, Handler, managed_url
from superset_iac.model.base import Spec
from superset_iac.plan.model import Change, LiveObject
from superset_iac.superset.errors import ApiError, TransientWriteError


def is_managed(row: dict[str, Any], kind: str) -> bool:
    url = row.get("external_url") or ""
    return bool(row.get("is_managed_externally")) and url.startswith(f"{MANAGED_URL_PREFIX}{kind}/")


def managed_key(row: dict[str, Any], kind: str) -> str | None:
    """The natural key recorded in a managed object's ``external_url``."""
    if not is_managed(row, kind):
        return None
    return row["external_url"][len(f"{MANAGED_URL_PREFIX}{kind}/"):]


def managed_uuid(kind: str, key: str) -> str:
    """The uuid superset-iac gives the object ``kind/key`` when it creates it.

    Derived from the managed URL, hence the same in every environment. List
    endpoints return ``uuid`` but never ``external_url`` (databases and
    datasets not even ``is_managed_externally``), so a uuid that matches the
    row's own key is how a list row shows it was created here.
    """
    return str(uuid.uuid5(uuid.NAMESPACE_URL, managed_url(kind, key)))


def managed_fields(kind: str, key: str) -> dict[str, Any]:
    """Payload fields that mark an object as created and owned by superset-iac."""
    return {"is_managed_externally": True, "external_url": managed_url(kind, key)}


class RestHandler(Handler):
    resource: ClassVar[str]
    columns: ClassVar[tuple[str, ...]] = ()

    # -- conversion, per kind ------------------------------------------------
    def to_spec(self, ctx: Context, row: dict[str, Any]) -> Spec:
        raise NotImplementedError

    def to_payload(self, ctx: Context, spec: Spec) -> dict[str, Any]:
        raise NotImplementedError

    # Kinds whose list lacks compared fields read each object of the tree in
    # full (``detail``) and keep a ``summary`` spec of the others.
    def detail(self, ctx: Context, object_id: Any) -> dict[str, Any]:
        raise NotImplementedError

    def summary(self, row: dict[str, Any]) -> Spec:
        raise NotImplementedError

    # -- shared plumbing -----------------------------------------------------
    def rows(self, ctx: Context) -> list[dict[str, Any]]:
        return ctx.client.list(self.resource, columns=list(self.columns))

    def live_object(self, ctx: Context, key: str, row: dict[str, Any]) -> LiveObject:
        """``row`` as the live object ``key``, registered in ``ctx.ids``.

        Managed when its uuid is ``managed_uuid(kind, key)``; read in full
        only when this run compares it (``ctx.wants_detail``).
        """
        ctx.ids.set(self.kind, key, row["id"])
        managed = row.get("uuid") == managed_uuid(self.kind, key)
        if not ctx.wants_detail(self.kind, key):
            return LiveObject(self.summary(row), row["id"], managed, row)
        full = self.detail(ctx, row["id"])
        return LiveObject(self.to_spec(ctx, full), row["id"], managed, full)

    def post_once(self, ctx: Context, key: str, payload: dict[str, Any]) -> Any:
        """POST a create and return the new id, without ever creating twice.

        When the answer is lost (``TransientWriteError``) the object may exist:
        it is looked up by its managed uuid before the error is let through.
        """
        try:
            return ctx.client.post(f"{self.resource}/", payload)["id"]
        except TransientWriteError:
            landed = self.landed(ctx, key)
            if landed is None:
                raise
            return landed

    def landed(self, ctx: Context, key: str) -> Any:
        """The id of the object created here as ``key``, or None."""
        try:
            return ctx.client.get_by_id(self.resource, managed_uuid(self.kind, key))["id"]
        except ApiError as err:
            if err.status == 404:
                return None
            raise

    def read(self, ctx: Context) -> dict[str, LiveObject]:
        live: dict[str, LiveObject] = {}
        for row in self.rows(ctx):
            spec = self.to_spec(ctx, row)
            obj = LiveObject(spec=spec, id=row["id"], managed=is_managed(row, self.kind), raw=row)
            live[spec.key] = obj
            ctx.ids.set(self.kind, spec.key, row["id"])
        return live

    def create(self, ctx: Context, spec: Spec) -> Any:
        payload = {**self.to_payload(ctx, spec), **managed_fields(self.kind, spec.key)}
        result = ctx.client.post(f"{self.resource}/", payload)
        new_id = result["id"]
        ctx.ids.set(self.kind, spec.key, new_id)
        return new_id

    def update(self, ctx: Context, change: Change) -> None:
        assert change.live is not None and change.desired is not None
        payload = {**self.to_payload(ctx, change.desired),
                   **managed_fields(self.kind, change.desired.key)}
        ctx.client.put(f"{self.resource}/{change.live.id}", payload)

    def delete(self, ctx: Context, live: LiveObject) -> None:
        ctx.client.delete(f"{self.resource}/{live.id}")
        ctx.ids.forget(self.kind, live.key)
