"""Dashboards: canonical metadata, slugs, id <-> key translation, the handler's requests."""

from __future__ import annotations

import json
from urllib.parse import unquote

import pytest
from pydantic import ValidationError

from superset_iac.export.canonical import canonical
from superset_iac.kinds.dashboard import (
    DashboardHandler,
    dashboard_keys,
    metadata_from_server,
    metadata_to_server,
)
from superset_iac.kinds.rest import managed_uuid
from superset_iac.model import layout as spec_layout
from superset_iac.model import native_filters as spec_filters
from superset_iac.model.dashboard import Dashboard, canonical_metadata, normalised_slug
from superset_iac.plan.diff import compare
from superset_iac.plan.model import LiveObject
from tests.unit.kinds.conftest import API, body, paths

LAYOUT = [{"header": "Market"},
          {"tabs": [{"title": "Prices", "layout": [{"row": [{"chart": "Price", "width": 8},
                                                            {"chart": "Volume", "width": 4}]}]},
                    {"title": "Notes", "layout": [{"row": [{"markdown": "hello", "width": 12}]}]}]}]
FILTERS = [{"name": "Date range", "type": "time_range", "default": "No filter"},
           {"name": "Symbol", "dataset": "ticks", "column": "symbol", "charts": ["Price"]}]


def spec(**fields) -> Dashboard:
    values = {"title": "Lakehouse", "slug": "lakehouse", "published": True, "roles": ["Viewer"],
              "layout": LAYOUT, "filters": FILTERS, "metadata": {"color_scheme": "supersetColors"}}
    values.update(fields)
    return Dashboard.model_validate(values)


@pytest.fixture
def ids() -> dict:
    return {"dataset": {"ticks": 4}, "chart": {"Price": 10, "Volume": 11}, "role": {"Viewer": 5}}


@pytest.fixture
def ctx(ctx):
    ctx.cache.chart_names = {"Price": "Price", "Volume": "Volume"}  # as the chart read leaves them
    return ctx


def applied_detail(ctx, dashboard: Dashboard, id_: int = 8) -> dict:
    """What GET /dashboard/{id} answers after ``dashboard`` was PUT (as 6.1 stores it)."""
    payload = DashboardHandler().to_payload(ctx, dashboard)
    metadata = json.loads(payload["json_metadata"])
    position = metadata.pop("positions")
    for node in position.values():  # the server adds chart uuids
        if isinstance(node, dict) and node.get("type") == "CHART":
            node["meta"]["uuid"] = f"uuid-{node['meta']['chartId']}"
    metadata.update(color_scheme_domain=[], cross_filters_enabled=True, default_filters="{}",
                    expanded_slices={}, label_colors={}, map_label_colors={}, refresh_frequency=0,
                    shared_label_colors=[], timed_refresh_immune_slices=[])
    return {"id": id_, "uuid": managed_uuid("dashboard", dashboard.key),
            "dashboard_title": dashboard.title, "slug": dashboard.slug,
            "published": dashboard.published, "css": "", "certified_by": "",
            "certification_details": "", "owners": [], "is_managed_externally": True,
            "roles": [{"id": 5, "name": "Viewer"}],
            "json_metadata": json.dumps(metadata), "position_json": json.dumps(position)}


# -- model ----------------------------------------------------------------------------

def test_server_defaults_and_derived_metadata_are_not_compared() -> None:
    stored = {"color_scheme": "supersetColors", "color_scheme_domain": ["#1FA8C9"],
              "cross_filters_enabled": True, "default_filters": "{}", "expanded_slices": {},
              "label_colors": {}, "map_label_colors": {"AAPL": "#1FA8C9"}, "refresh_frequency": 0,
              "shared_label_colors": ["AAPL"], "timed_refresh_immune_slices": [],
              "chart_configuration": {"Price": {"id": 10, "crossFilters": {"scope": "global",
                                                                           "chartsInScope": [11]}}},
              "global_chart_configuration": {"scope": {"rootPath": ["ROOT_ID"], "excluded": []},
                                             "chartsInScope": [10, 11]},
              "positions": {}}
    assert canonical_metadata(stored) == {"color_scheme": "supersetColors"}
    assert canonical_metadata({"refresh_frequency": 300, "cross_filters_enabled": False}) == \
        {"refresh_frequency": 300, "cross_filters_enabled": False}


def test_a_chart_scoped_cross_filter_is_kept() -> None:
    conf = {"Price": {"crossFilters": {"scope": {"rootPath": ["ROOT_ID"], "excluded": ["Volume"]},
                                       "chartsInScope": [10]}}}
    assert canonical_metadata({"chart_configuration": conf}) == {"chart_configuration": {
        "Price": {"crossFilters": {"scope": {"rootPath": ["ROOT_ID"], "excluded": ["Volume"]}}}}}


@pytest.mark.parametrize("slug, stored", [("My Slug!", "My-Slug"), (" a b ", "a-b"), ("ok_1-x", "ok_1-x")])
def test_slug_normalised_like_superset(slug: str, stored: str) -> None:
    assert normalised_slug(slug) == stored


def test_a_slug_the_server_would_rewrite_is_refused() -> None:
    with pytest.raises(ValidationError, match="would store this slug as 'My-Slug'"):
        spec(slug="My Slug")
    with pytest.raises(ValidationError, match="at least one"):
        spec(slug="!!")


def test_chart_references_include_layout_filters_and_full_positions() -> None:
    refs = {(r.kind, r.key) for r in spec().refs()}
    assert refs == {("chart", "Price"), ("chart", "Volume"), ("dataset", "ticks"), ("role", "Viewer")}
    full = spec(layout=[], position={"ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["C"]},
                                     "C": {"type": "CHART", "id": "C", "meta": {"chart": "X"}}})
    assert ("chart", "X", ("position", "C", "meta", "chart")) in {(r.kind, r.key, r.path) for r in full.refs()}


# -- ids <-> keys in metadata -----------------------------------------------------------

def test_metadata_chart_ids_become_keys_and_back() -> None:
    stored = {"chart_configuration": {"10": {"id": 10, "crossFilters": {
                  "scope": {"rootPath": ["ROOT_ID"], "excluded": [11]}, "chartsInScope": [10]}}},
              "expanded_slices": {"11": True}, "timed_refresh_immune_slices": [10],
              "default_filters": json.dumps({"10": {"symbol": ["A"]}}),
              "filter_scopes": {"10": {"symbol": {"scope": ["ROOT_ID"], "immune": [11]}}}}
    keys = {10: "Price", 11: "Volume"}
    named = metadata_from_server(stored, lambda i: keys[int(i)])
    assert named["chart_configuration"] == {"Price": {"crossFilters": {
        "scope": {"rootPath": ["ROOT_ID"], "excluded": ["Volume"]}}}}
    assert named["expanded_slices"] == {"Volume": True}
    assert named["timed_refresh_immune_slices"] == ["Price"]
    assert json.loads(named["default_filters"]) == {"Price": {"symbol": ["A"]}}
    assert named["filter_scopes"] == {"Price": {"symbol": {"scope": ["ROOT_ID"], "immune": ["Volume"]}}}
    back = metadata_to_server(named, {"Price": 10, "Volume": 11}.__getitem__)
    assert back["chart_configuration"] == {"10": {"id": 10, "crossFilters": {
        "scope": {"rootPath": ["ROOT_ID"], "excluded": [11]}}}}
    assert back["timed_refresh_immune_slices"] == [10]


# -- keys of list rows -----------------------------------------------------------------

def test_dashboard_keys() -> None:
    rows = [{"id": 1, "uuid": "u1", "slug": "sales", "dashboard_title": "Sales"},
            {"id": 2, "uuid": "aaaaaaaa-1", "slug": None, "dashboard_title": "Copy"},
            {"id": 3, "uuid": "bbbbbbbb-1", "slug": None, "dashboard_title": "Copy"},
            {"id": 4, "uuid": managed_uuid("dashboard", "lakehouse"), "slug": "renamed-in-ui",
             "dashboard_title": "Lakehouse"}]
    assert dashboard_keys(rows, ["lakehouse"]) == ["sales", "Copy [aaaaaaaa]", "Copy [bbbbbbbb]", "lakehouse"]


# -- the handler ---------------------------------------------------------------------------

def test_payload_compiles_layout_filters_and_metadata(ctx) -> None:
    payload = DashboardHandler().to_payload(ctx, spec())
    metadata = json.loads(payload["json_metadata"])
    position = json.loads(payload["position_json"])
    assert metadata["positions"] == position
    assert metadata["color_scheme"] == "supersetColors"
    charts = {n["meta"]["chartId"] for n in position.values() if isinstance(n, dict) and n["type"] == "CHART"}
    assert charts == {10, 11}
    symbol = metadata["native_filter_configuration"][1]
    assert symbol["targets"] == [{"datasetId": 4, "column": {"name": "symbol"}}]
    assert symbol["scope"] == {"rootPath": ["ROOT_ID"], "excluded": [11]}
    assert symbol["chartsInScope"] == [10] and symbol["tabsInScope"] == [spec_layout.derived_tab_id(["Prices"])]
    assert symbol["id"] == spec_filters.derived_filter_id("Symbol")
    assert (payload["roles"], payload["owners"], payload["slug"]) == ([5], [], "lakehouse")
    assert payload["external_url"] == "superset-iac://dashboard/lakehouse"


def test_read_gets_the_detail_of_tree_dashboards_only_and_matches(rsps, ctx) -> None:
    rsps.add("GET", f"{API}/dashboard/", json={"count": 2, "result": [
        {"id": 8, "uuid": managed_uuid("dashboard", "lakehouse"), "slug": "lakehouse",
         "dashboard_title": "Lakehouse"},
        {"id": 9, "uuid": "x", "slug": "other", "dashboard_title": "Other"}]})
    rsps.add("GET", f"{API}/dashboard/8", json={"result": applied_detail(ctx, spec())})
    ctx.desired = {"dashboard": {"lakehouse": spec()}}

    live = DashboardHandler().read(ctx)

    assert paths(rsps) == [("GET", "/api/v1/dashboard/"), ("GET", "/api/v1/dashboard/8")]
    assert "json_metadata" in unquote(rsps.calls[1].request.url)
    assert compare(spec(), live["lakehouse"]) is None
    assert live["lakehouse"].managed and not live["other"].managed
    assert live["lakehouse"].spec.layout == spec().layout  # compact again


def test_hand_edits_show_as_those_fields(rsps, ctx) -> None:
    detail = applied_detail(ctx, spec())
    metadata = json.loads(detail["json_metadata"])
    metadata["native_filter_configuration"][1]["controlValues"]["multiSelect"] = False
    detail.update(dashboard_title="Edited", json_metadata=json.dumps(metadata))
    live = LiveObject(DashboardHandler().to_spec(ctx, detail), 8, True, detail)
    change = compare(spec(), live)
    assert [(f.path, f.before, f.after) for f in change.fields] == [
        ("title", "Edited", "Lakehouse"), ("filters[Symbol].multiple", False, True)]


def test_create_posts_then_puts_the_complete_dashboard(rsps, csrf, ctx) -> None:
    rsps.add("POST", f"{API}/dashboard/", json={"id": 8, "result": {}})
    rsps.add("PUT", f"{API}/dashboard/8", json={"id": 8, "result": {}})
    assert DashboardHandler().create(ctx, spec()) == 8
    post = body(rsps.calls[1])
    assert post == {"dashboard_title": "Lakehouse", "slug": "lakehouse",
                    "uuid": managed_uuid("dashboard", "lakehouse"), "is_managed_externally": True,
                    "external_url": "superset-iac://dashboard/lakehouse"}
    put = body(rsps.calls[2])
    assert "positions" in json.loads(put["json_metadata"]) and put["owners"] == []


def test_update_carries_over_what_the_frontend_derives(rsps, csrf, ctx) -> None:
    rsps.add("PUT", f"{API}/dashboard/8", json={"id": 8, "result": {}})
    detail = applied_detail(ctx, spec())
    metadata = json.loads(detail["json_metadata"])
    metadata.update(map_label_colors={"AAPL": "#111"}, shared_label_colors=["AAPL"])
    detail.update(dashboard_title="Edited", json_metadata=json.dumps(metadata))
    live = LiveObject(DashboardHandler().to_spec(ctx, detail), 8, True, detail)
    DashboardHandler().update(ctx, compare(spec(), live))
    sent = json.loads(body(rsps.calls[1])["json_metadata"])
    assert sent["map_label_colors"] == {"AAPL": "#111"} and sent["shared_label_colors"] == ["AAPL"]


def test_roles_fall_back_to_related_roles_once(rsps, ctx) -> None:
    rsps.add("GET", f"{API}/dashboard/related/roles",
             json={"count": 2, "result": [{"value": 3, "text": "Gamma"}, {"value": 4, "text": "Alpha"}]})
    handler = DashboardHandler()
    assert handler.role_ids(ctx, ["Viewer", "Gamma", "Alpha"]) == [5, 3, 4]
    assert len(rsps.calls) == 1


def test_full_position_when_the_compact_form_cannot_say_it(ctx) -> None:
    detail = applied_detail(ctx, spec())
    position = json.loads(detail["position_json"])
    row = next(k for k, n in position.items() if isinstance(n, dict) and n.get("type") == "ROW")
    position[row]["meta"]["0"] = "ROOT_ID"
    detail["position_json"] = json.dumps(position)
    read = DashboardHandler().to_spec(ctx, detail)
    assert read.layout == [] and read.position[row]["meta"]["0"] == "ROOT_ID"
    chart = next(n for n in read.position.values() if n.get("type") == "CHART")
    assert "chart" in chart["meta"] and "chartId" not in chart["meta"]
    again = json.loads(DashboardHandler().to_payload(ctx, read)["position_json"])
    assert again[row]["meta"]["0"] == "ROOT_ID"
    assert {n["meta"]["chartId"] for n in again.values() if isinstance(n, dict) and n.get("type") == "CHART"} == {10, 11}


def test_a_full_position_is_read_with_parents_that_follow_children(ctx) -> None:
    """The frontend leaves stale ``parents`` behind; read (hence export) never shows them."""
    detail = applied_detail(ctx, spec())
    position = json.loads(detail["position_json"])
    row = next(k for k, n in position.items() if isinstance(n, dict) and n.get("type") == "ROW")
    position[row]["meta"]["0"] = "ROOT_ID"  # something only the full tree can say
    chart = position[row]["children"][0]
    true_parents = position[chart]["parents"]
    position[chart]["parents"] = ["ROOT_ID", "GRID_ID", "ROW-stale"]
    detail["position_json"] = json.dumps(position)
    read = DashboardHandler().to_spec(ctx, detail)
    assert read.position is not None and read.position[chart]["parents"] == true_parents
    assert canonical(read).position == read.position  # export writes it as read


def test_chart_customizations_are_named_and_renumbered(ctx) -> None:
    entry = {"id": "CHART_CUSTOMIZATION-1", "type": "CHART_CUSTOMIZATION", "name": "Group by",
             "filterType": "chart_customization_dynamic_groupby", "chartsInScope": [10],
             "targets": [{"datasetId": 4, "column": {"name": "symbol"}}],
             "scope": {"rootPath": ["ROOT_ID"], "excluded": [11]}}
    detail = applied_detail(ctx, spec())
    metadata = json.loads(detail["json_metadata"])
    metadata["chart_customization_config"] = [entry]
    detail["json_metadata"] = json.dumps(metadata)
    read = DashboardHandler().to_spec(ctx, detail)
    assert read.metadata["chart_customization_config"] == [{
        **entry, "chartsInScope": ["Price"], "targets": [{"dataset": "ticks", "column": {"name": "symbol"}}],
        "scope": {"rootPath": ["ROOT_ID"], "excluded": ["Volume"]}}]
    sent = json.loads(DashboardHandler().to_payload(ctx, read)["json_metadata"])
    assert sent["chart_customization_config"] == [entry]
