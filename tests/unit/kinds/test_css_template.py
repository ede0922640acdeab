"""CSS templates, and dashboards that copy one by name."""

from __future__ import annotations

import json

from responses import matchers

from superset_iac.kinds.css_template import CssTemplateHandler
from superset_iac.kinds.dashboard import DashboardHandler
from superset_iac.kinds.dashboard_css import split_css, stored_css
from superset_iac.model.css_template import CssTemplate
from superset_iac.model.dashboard import Dashboard
from superset_iac.plan.diff import compare
from superset_iac.plan.model import LiveObject
from tests.unit.kinds.conftest import API, body

TEMPLATES = f"{API}/css_template/"
BRAND = ".header-title { color: #1f4e79; }\n"
MARKED = ".header-title { color: #1f4e79; }\n\n/* superset-iac://css_template/Lakehouse */"


def template(name: str = "Lakehouse", css: str = BRAND) -> CssTemplate:
    return CssTemplate.model_validate({"name": name, "css": css})


def test_read_strips_the_marker_and_only_the_marked_template_is_managed(rsps, ctx) -> None:
    rsps.add("GET", TEMPLATES, json={"count": 3, "result": [
        {"id": 1, "template_name": "Lakehouse", "css": MARKED},
        {"id": 2, "template_name": "Made in the UI", "css": "h1 {}"},
        {"id": 3, "template_name": "Lakehouse", "css": "h2 {}"}]})
    live = CssTemplateHandler().read(ctx)
    assert len(rsps.calls) == 1
    assert {k: v.managed for k, v in live.items()} == {
        "Lakehouse": True, "Made in the UI": False, "Lakehouse [#3]": False}
    assert compare(template(), live["Lakehouse"]) is None  # a trailing newline is no change


def test_create_and_update_send_the_css_with_its_marker(rsps, csrf, ctx) -> None:
    sent = {"template_name": "Lakehouse", "css": MARKED}
    rsps.add("POST", TEMPLATES, json={"id": 4, "result": {}}, status=201,
             match=[matchers.json_params_matcher(sent)])
    assert CssTemplateHandler().create(ctx, template()) == 4
    live = LiveObject(template(css="h1 {}"), 4, True)
    rsps.add("PUT", f"{TEMPLATES}4", json={"id": 4, "result": {}},
             match=[matchers.json_params_matcher(sent)])
    CssTemplateHandler().update(ctx, compare(template(), live))


def dashboard(**fields) -> Dashboard:
    return Dashboard.model_validate({"title": "Market", "slug": "market", **fields})


def known(ctx, *specs: CssTemplate, live: tuple[CssTemplate, ...] = (), dash=None) -> None:
    ctx.desired = {"css_template": {s.name: s for s in specs},
                   "dashboard": {dash.key: dash} if dash else {}}
    ctx.live = {"css_template": {s.name: LiveObject(s, 1, True) for s in live}}


def test_a_dashboard_is_written_with_its_template_first_and_read_back_by_name(ctx) -> None:
    wanted = dashboard(css_template="Lakehouse", css=".own { margin: 0; }\n")
    known(ctx, template(), dash=wanted)
    css = stored_css(ctx, wanted)
    assert css == ".header-title { color: #1f4e79; }\n\n.own { margin: 0; }"
    assert split_css(ctx, "market", css) == ("Lakehouse", ".own { margin: 0; }")
    assert split_css(ctx, "market", BRAND) == ("Lakehouse", None)
    assert split_css(ctx, "market", ".other {}") == (None, ".other {}")


def test_the_tree_s_version_of_a_template_wins_so_an_edit_shows_on_its_dashboards(ctx) -> None:
    old, new = template(css="h1 { color: red; }"), template(css="h1 { color: blue; }")
    known(ctx, new, live=(old,))
    # the dashboard still holds the old copy: it reads without a template, a change
    assert split_css(ctx, "market", "h1 { color: red; }") == (None, "h1 { color: red; }")
    known(ctx, live=(old,))  # a template only the server has (an export)
    assert split_css(ctx, "market", "h1 { color: red; }") == ("Lakehouse", None)


def test_the_dashboard_put_carries_the_copy(rsps, csrf, ctx) -> None:
    wanted = dashboard(css_template="Lakehouse")
    known(ctx, template(), dash=wanted)
    rsps.add("PUT", f"{API}/dashboard/9", json={"id": 9, "result": {}})
    live = LiveObject(dashboard(), 9, True, {"json_metadata": "{}"})
    DashboardHandler().update(ctx, compare(wanted, live))
    assert body(rsps.calls[1])["css"] == BRAND.rstrip()
    assert json.loads(body(rsps.calls[1])["json_metadata"])["positions"]


def test_a_dashboard_names_its_template_as_a_reference() -> None:
    refs = dashboard(css_template="Lakehouse").refs()
    assert [(r.kind, r.key, r.path) for r in refs] == [("css_template", "Lakehouse",
                                                        ("css_template",))]


def test_a_tree_dashboard_without_a_template_never_reads_as_having_one(ctx) -> None:
    plain = dashboard(css=f"{BRAND}\n\n.own {{}}")
    known(ctx, live=(template(),), dash=plain)
    assert split_css(ctx, "market", f"{BRAND}\n\n.own {{}}") == (None, f"{BRAND}\n\n.own {{}}")
