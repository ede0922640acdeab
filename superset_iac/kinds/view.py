"""Warehouse views (kind ``view``): read, created and dropped in Trino or DuckDB.

Not a Superset resource: this handler talks to ``ctx.warehouse``. Views come
first in ``model.KINDS``, so apply creates them before any database, dataset or
chart, and a dataset whose ``refs()`` name a failed view is skipped.

* ``read`` lists the views in the schemas the tree's views live in (nothing
  else is read, and so nothing else can be pruned) and turns each stored
  definition into a ``View`` whose ``compared()`` canonicalises it with the
  same code as the desired one (``warehouse.canonical``).
* ``create``/``update`` run ``CREATE OR REPLACE [MATERIALIZED] VIEW``; a view
  that turns into a materialized one (or back) is dropped first.
* Refresh: a materialized view with ``refresh_on_apply`` is refreshed right
  after apply creates or replaces it. A refresh alone is never a change in
  the plan (data freshness is not configuration, and a plan that always
  refreshes could never be empty), so an apply with nothing to change
  refreshes nothing; refreshing on a schedule is the warehouse's job.
"""

from __future__ import annotations

from typing import Any

from superset_iac.errors import ConfigError
from superset_iac.kinds.base import Context, Handler
from superset_iac.model.base import Spec
from superset_iac.model.view import View
from superset_iac.plan.model import Change, LiveObject
from superset_iac.warehouse import ViewDdl, schemas_of
from superset_iac.warehouse.canonical import Target
from superset_iac.warehouse.sqlgen import query_sql


class ViewHandler(Handler):
    spec_type = View
    not_exported = "a warehouse view is defined in the tree only; Superset does not hold it"

    def read(self, ctx: Context) -> dict[str, LiveObject]:
        warehouse = ctx.warehouse
        if warehouse is None:
            return {}  # no views in the tree (context() builds one when there are)
        # diff: the schemas of the tree's views; export (desired None): the
        # warehouse's own scope.
        schemas = None if ctx.desired is None else \
            schemas_of(ctx.desired.get(self.kind, {}).values())
        live: dict[str, LiveObject] = {}
        for name, view in warehouse.list_views(schemas).items():
            spec = View.from_warehouse(name, view.sql, view.materialized, warehouse.target)
            live[name] = LiveObject(spec=spec, id=name, managed=view.managed)
            ctx.ids.set(self.kind, name, name)
        return live

    def create(self, ctx: Context, spec: Spec) -> Any:
        assert isinstance(spec, View)
        self._put(ctx, spec)
        ctx.ids.set(self.kind, spec.key, spec.key)
        return spec.key

    def update(self, ctx: Context, change: Change) -> None:
        desired, live = change.desired, change.live
        assert isinstance(desired, View) and live is not None and isinstance(live.spec, View)
        was = live.spec.materialized
        if was != desired.materialized:
            # CREATE OR REPLACE cannot turn a view into a materialized one.
            self._warehouse(ctx).drop(desired.name, materialized=was)
        self._put(ctx, desired)

    def delete(self, ctx: Context, live: LiveObject) -> None:
        assert isinstance(live.spec, View)
        self._warehouse(ctx).drop(live.key, materialized=live.spec.materialized)
        ctx.ids.forget(self.kind, live.key)

    def _put(self, ctx: Context, view: View) -> None:
        warehouse = self._warehouse(ctx)
        target: Target = warehouse.target
        query = query_sql(view, target.salt)
        warehouse.create_or_replace(ViewDdl(view.name, query, view.materialized))
        # DuckDB's stand-in is a CTAS table: fresh as created, no second pass.
        fresh = getattr(warehouse, "fresh_on_create", False)
        if view.materialized and view.refresh_on_apply and not fresh:
            warehouse.refresh(view.name)

    @staticmethod
    def _warehouse(ctx: Context) -> Any:
        if ctx.warehouse is None:
            env = ctx.env.name if ctx.env else "(none)"
            raise ConfigError(f"environment '{env}' has no warehouse to create views in")
        return ctx.warehouse


HANDLER = ViewHandler()
