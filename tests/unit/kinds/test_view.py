"""The view handler against a recording fake warehouse."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

import pytest

from superset_iac.apply.engine import Outcome, apply_plan
from superset_iac.errors import ConfigError
from superset_iac.kinds.base import Context, Handler
from superset_iac.kinds.view import ViewHandler
from superset_iac.model.base import Ref
from superset_iac.model.dataset import Dataset
from superset_iac.model.view import View
from superset_iac.plan.diff import plan
from superset_iac.plan.model import Action, Change, LiveObject
from superset_iac.warehouse import LiveView, ViewDdl
from superset_iac.warehouse.canonical import Target
from superset_iac.warehouse.errors import WarehouseError
from superset_iac.warehouse.sqlgen import query_sql

TARGET = Target("trino", {}, "salt")


@dataclass
class FakeWarehouse:
    target: Target = TARGET
    views: dict[str, LiveView] = field(default_factory=dict)
    calls: list[tuple] = field(default_factory=list)
    fail: set[str] = field(default_factory=set)
    fresh_on_create: bool = False

    def list_views(self, schemas: Iterable[str] | None = None) -> dict[str, LiveView]:
        self.calls.append(("list", None if schemas is None else list(schemas)))
        return dict(self.views)

    def create_or_replace(self, view: ViewDdl) -> None:
        if view.name in self.fail:
            raise WarehouseError(f"view {view.name}: Trino TABLE_NOT_FOUND: no table")
        self.calls.append(("create", view.name, view.materialized))
        self.views[view.name] = LiveView(view.name, view.query, view.materialized, True)

    def drop(self, name: str, materialized: bool = False) -> None:
        self.calls.append(("drop", name, materialized))
        self.views.pop(name, None)

    def refresh(self, name: str) -> None:
        self.calls.append(("refresh", name))


def masked(name: str = "hive_prod.s.v", **extra) -> View:
    data = {"name": name, "source": "hive_prod.s.t",
            "columns": [{"name": "symbol"}, {"name": "trader_id", "mask": "hash"}]}
    return View.model_validate({**data, **extra}).for_target(TARGET)


def daily(**extra) -> View:
    return View.model_validate({"name": "hive_prod.s.mv", "materialized": True,
                                "sql": "SELECT symbol, count(*) AS n FROM hive_prod.s.t "
                                       "GROUP BY symbol", **extra}).for_target(TARGET)


def test_read_lists_the_schemas_of_the_desired_views_and_compares_equal() -> None:
    wh = FakeWarehouse()
    view = masked()
    wh.views[view.key] = LiveView(view.key, query_sql(view, "salt"), False, True)
    ctx = Context(client=None, warehouse=wh, desired={"view": {view.key: view}})
    live = ViewHandler().read(ctx)
    assert wh.calls == [("list", ["hive_prod.s"])]
    assert plan({"view": {view.key: view}}, {"view": live}).changes == []


def test_read_without_a_warehouse_reads_nothing() -> None:
    assert ViewHandler().read(Context(client=None)) == {}


def test_create_without_a_warehouse_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="no warehouse"):
        ViewHandler().create(Context(client=None), masked())


def test_create_sends_the_generated_trino_query() -> None:
    wh = FakeWarehouse()
    view = masked()
    assert ViewHandler().create(Context(client=None, warehouse=wh), view) == view.key
    assert wh.calls == [("create", view.key, False)]
    assert wh.views[view.key].sql == query_sql(view, "salt")


@pytest.mark.parametrize("refresh_on_apply, fresh_on_create, refreshed", [
    (True, False, True), (False, False, False), (True, True, False)])
def test_materialized_views_are_refreshed_after_create_when_asked(
        refresh_on_apply: bool, fresh_on_create: bool, refreshed: bool) -> None:
    wh = FakeWarehouse(fresh_on_create=fresh_on_create)
    ViewHandler().create(Context(client=None, warehouse=wh),
                         daily(refresh_on_apply=refresh_on_apply))
    assert (("refresh", "hive_prod.s.mv") in wh.calls) is refreshed


def test_a_view_becoming_materialized_is_dropped_first() -> None:
    wh = FakeWarehouse()
    before = View.from_warehouse("hive_prod.s.mv", "SELECT 1", False, TARGET)
    change = Change(Action.UPDATE, "view", "hive_prod.s.mv", desired=daily(),
                    live=LiveObject(spec=before, id="hive_prod.s.mv"))
    ViewHandler().update(Context(client=None, warehouse=wh), change)
    assert wh.calls == [("drop", "hive_prod.s.mv", False), ("create", "hive_prod.s.mv", True),
                        ("refresh", "hive_prod.s.mv")]


def test_delete_drops_with_the_live_kind() -> None:
    wh = FakeWarehouse()
    live = View.from_warehouse("hive_prod.s.mv", "SELECT 1", True, TARGET)
    ViewHandler().delete(Context(client=None, warehouse=wh), LiveObject(spec=live, id=live.key))
    assert wh.calls == [("drop", "hive_prod.s.mv", True)]


class _ReadsView(Dataset):
    """A dataset naming the view it reads (what validation derives from SQL)."""

    def refs(self) -> list[Ref]:
        return [*super().refs(), Ref("view", "hive_prod.s.v")]


class _NullHandler(Handler):
    spec_type = Dataset

    def read(self, ctx): return {}
    def create(self, ctx, spec): return 1
    def update(self, ctx, change): pass
    def delete(self, ctx, live): pass


def test_a_failed_view_stops_its_dependants_and_says_why_in_one_line() -> None:
    wh = FakeWarehouse(fail={"hive_prod.s.v"})
    dataset = _ReadsView(name="ticks", database="lakehouse", sql="SELECT 1")
    the_plan = plan({"view": {"hive_prod.s.v": masked()}, "dataset": {"ticks": dataset}}, {})
    report = apply_plan(the_plan, Context(client=None, warehouse=wh),
                        {"view": ViewHandler(), "dataset": _NullHandler()})
    assert [(e.change.ref, e.outcome) for e in report.events] == [
        ("view/hive_prod.s.v", Outcome.FAILED), ("dataset/ticks", Outcome.SKIPPED)]
    assert report.events[0].message == "view hive_prod.s.v: Trino TABLE_NOT_FOUND: no table"
    assert "view/hive_prod.s.v" in report.events[1].message


def test_the_cli_context_builds_a_warehouse_only_when_the_tree_has_views(tmp_path) -> None:
    from pathlib import Path

    from superset_iac import workflow
    from superset_iac.cli.common import _warehouse
    from superset_iac.warehouse.duckdb import DuckDBWarehouse

    root = Path(__file__).resolve().parents[3] / "assets"
    loaded = workflow.load(root, "local", {"LAKEHOUSE_PATH": str(tmp_path / "l.duckdb"),
                                           "SUPERSET_PASSWORD": "x"})
    wh = _warehouse(loaded)
    assert isinstance(wh, DuckDBWarehouse)  # built without touching the (missing) file
    assert wh.scope == ["hive_prod.logs_db", "hive_prod.option_ticks_db"]
    assert wh.target.salt == "local-demo-salt"  # ${MASK_SALT:-local-demo-salt}
    loaded.desired["view"] = {}
    assert _warehouse(loaded) is None
