"""Embedded dashboards: one GET per dashboard looked at, writes on the dashboard's id."""

from __future__ import annotations

import pytest
from responses import matchers

from superset_iac.kinds.embedded import EmbeddedHandler
from superset_iac.kinds.rest import take_note
from superset_iac.model.dashboard import Dashboard
from superset_iac.model.embedded import Embedded
from superset_iac.plan.diff import compare
from superset_iac.plan.model import Action, LiveObject
from tests.unit.kinds.conftest import API

UUID = "6f1b8e0c-2a59-4c43-9d4e-8a6f0b7f3f21"
SPEC = {"dashboard": "sales", "allowed_domains": ["https://portal.example.com",
                                                  "http://localhost:3000"]}


def board(key: str, id_: int, managed: bool = True) -> LiveObject:
    return LiveObject(Dashboard.model_construct(title=key, slug=key), id_, managed, {})


@pytest.fixture
def dashboards(ctx) -> dict[str, LiveObject]:
    ctx.live["dashboard"] = {"sales": board("sales", 3), "ops": board("ops", 4),
                             "by-hand": board("by-hand", 5, managed=False)}
    for key, obj in ctx.live["dashboard"].items():
        ctx.ids.set("dashboard", key, obj.id)
    return ctx.live["dashboard"]


def embedded(id_: int, domains: list[str]) -> dict:
    return {"result": {"uuid": UUID, "allowed_domains": domains, "dashboard_id": str(id_),
                       "changed_on": "2026-12-01T10:00:00", "changed_by": None}}


def test_a_diff_reads_only_the_dashboards_the_tree_embeds(rsps, ctx, dashboards):
    ctx.desired, ctx.filtered = {"embedded": {"sales": Embedded.model_validate(SPEC)}}, True
    rsps.add("GET", f"{API}/dashboard/3/embedded",
             json=embedded(3, ["https://portal.example.com", "http://localhost:3000"]))
    live = EmbeddedHandler().read(ctx)
    assert len(rsps.calls) == 1
    assert compare(Embedded.model_validate(SPEC), live["sales"]) is None  # order-free, no uuid
    assert live["sales"].raw["uuid"] == UUID and live["sales"].managed


def test_a_tree_that_embeds_nothing_costs_no_request(rsps, ctx, dashboards):
    ctx.desired, ctx.filtered = {"dashboard": {}}, True
    assert EmbeddedHandler().read(ctx) == {}
    assert len(rsps.calls) == 0


def test_prune_looks_at_every_managed_dashboard_and_a_404_is_not_embedded(rsps, ctx, dashboards):
    ctx.desired, ctx.filtered = {}, False
    rsps.add("GET", f"{API}/dashboard/4/embedded", json=embedded(4, []))
    rsps.add("GET", f"{API}/dashboard/3/embedded", status=404, json={"message": "Not found"})
    live = EmbeddedHandler().read(ctx)
    assert list(live) == ["ops"]  # by-hand is not the tool's: never looked at
    assert len(rsps.calls) == 2


def test_export_looks_at_every_dashboard(rsps, ctx, dashboards):
    ctx.desired = None
    for id_ in (3, 4, 5):
        rsps.add("GET", f"{API}/dashboard/{id_}/embedded", status=404, json={"message": "Not found"})
    assert EmbeddedHandler().read(ctx) == {}


def test_create_posts_the_domains_and_notes_the_uuid(rsps, csrf, ctx, dashboards):
    rsps.add("POST", f"{API}/dashboard/3/embedded", json=embedded(3, []),
             match=[matchers.json_params_matcher({"allowed_domains": [
                 "http://localhost:3000", "https://portal.example.com"]})])
    spec = Embedded.model_validate(SPEC)
    assert EmbeddedHandler().create(ctx, spec) == 3
    assert UUID in take_note(ctx, "embedded/sales")


def test_update_puts_and_delete_deletes_on_the_dashboard(rsps, csrf, ctx, dashboards):
    rsps.add("GET", f"{API}/dashboard/3/embedded", json=embedded(3, ["https://old.example.com"]))
    rsps.add("PUT", f"{API}/dashboard/3/embedded", json=embedded(3, []),
             match=[matchers.json_params_matcher({"allowed_domains": [
                 "http://localhost:3000", "https://portal.example.com"]})])
    rsps.add("DELETE", f"{API}/dashboard/3/embedded", json={"message": "OK"})
    ctx.desired, ctx.filtered = {"embedded": {"sales": Embedded.model_validate(SPEC)}}, True
    handler = EmbeddedHandler()
    live = handler.read(ctx)["sales"]
    change = compare(Embedded.model_validate(SPEC), live)
    assert change is not None and change.action is Action.UPDATE
    assert [f.path for f in change.fields] == ["allowed_domains"]
    handler.update(ctx, change)
    handler.delete(ctx, live)


@pytest.mark.parametrize("domain", ["portal.example.com", "https://portal.example.com/",
                                    "https://Portal.example.com", "ftp://x.example.com",
                                    "https://a.example.com,https://b.example.com"])
def test_a_domain_must_be_an_origin(domain):
    with pytest.raises(ValueError, match="write an origin"):
        Embedded.model_validate({"dashboard": "sales", "allowed_domains": [domain]})
