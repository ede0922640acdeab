"""Embedded dashboards (``/api/v1/dashboard/<id>/embedded``): the allowed domains.

Superset has no list of embeddings: each dashboard's is one ``GET
…/dashboard/<id>/embedded`` (404 when it is not embedded). So reading costs
one request per dashboard looked at, and only these are looked at: without
``--prune``, the dashboards the tree's embeddings name (none for a tree that
embeds nothing); with ``--prune``, also every managed dashboard (whose
embedding the tool may remove); for export, every dashboard read. The
dashboard handler reads first, so their ids are known (``ctx.live``).

Writing: ``POST`` creates (Superset generates the embedding's uuid), ``PUT``
replaces ``allowed_domains`` (the uuid stays: Superset upserts), ``DELETE``
removes it. The endpoints answer whether or not ``EMBEDDED_SUPERSET`` is on;
without it the embedded page (``/embedded/<uuid>``) is a 404.

The uuid is what a host page passes to the Embedded SDK. It differs per
environment and is never compared; ``apply`` prints it with the create (and
``GET /api/v1/dashboard/<slug>/embedded`` shows it any time).

Managed: an embedding is the tool's to prune when its dashboard is (the
dashboard's managed uuid): the setting belongs to the dashboard, and has no
marker of its own to carry.
"""

from __future__ import annotations

from typing import Any

from superset_iac.kinds.base import Context, ExportFlag, Handler
from superset_iac.kinds.rest import note
from superset_iac.model.base import Spec
from superset_iac.model.embedded import Embedded
from superset_iac.plan.model import Change, LiveObject
from superset_iac.superset.errors import ApiError


def embedded_path(dashboard_id: Any) -> str:
    return f"dashboard/{dashboard_id}/embedded"


class EmbeddedHandler(Handler):
    spec_type = Embedded
    export_flag = ExportFlag("--embedded",
                             "Export dashboards' embedding settings (with their dashboards).")

    def read(self, ctx: Context) -> dict[str, LiveObject]:
        dashboards = ctx.live.get("dashboard", {})
        look = set(ctx.desired_keys(self.kind)) if ctx.desired is not None else set(dashboards)
        if ctx.desired is not None and not ctx.filtered:  # --prune: what the tool may remove
            look |= {key for key, obj in dashboards.items() if obj.managed}
        live: dict[str, LiveObject] = {}
        for key in sorted(look & set(dashboards)):
            board = dashboards[key]
            found = self._get(ctx, board.id)
            if found is not None:
                spec = Embedded.model_construct(
                    dashboard=key, allowed_domains=sorted(found.get("allowed_domains") or []))
                live[key] = LiveObject(spec, board.id, board.managed, found)
        return live

    def _get(self, ctx: Context, dashboard_id: Any) -> dict[str, Any] | None:
        try:
            return ctx.client.get(embedded_path(dashboard_id))["result"]
        except ApiError as err:
            if err.status == 404:
                return None
            raise

    def create(self, ctx: Context, spec: Spec) -> Any:
        assert isinstance(spec, Embedded)
        dashboard_id = ctx.ids.id("dashboard", spec.dashboard)
        result = self._write(ctx, "post", dashboard_id, spec)
        note(ctx, spec.ref, f"uuid {result.get('uuid')} (pass it to the Embedded SDK)")
        return dashboard_id

    def update(self, ctx: Context, change: Change) -> None:
        assert isinstance(change.desired, Embedded) and change.live is not None
        self._write(ctx, "put", change.live.id, change.desired)

    def _write(self, ctx: Context, method: str, dashboard_id: Any, spec: Embedded) -> dict[str, Any]:
        body = {"allowed_domains": sorted(set(spec.allowed_domains))}
        send = ctx.client.post if method == "post" else ctx.client.put
        return send(embedded_path(dashboard_id), body).get("result") or {}

    def delete(self, ctx: Context, live: LiveObject) -> None:
        ctx.client.delete(embedded_path(live.id))


HANDLER = EmbeddedHandler()
