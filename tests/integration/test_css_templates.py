"""CSS templates and a dashboard that copies one, against a real Superset 6.1.

apply -> a second diff is empty and its apply writes nothing -> the
dashboard's stored CSS is the template's then its own, the template's ends
with the marker -> drift by hand (the template's CSS, the dashboard's CSS)
shows as those fields -> apply restores -> export of the dashboard brings the
template, exporting into the applied tree changes no file, the exported tree
diffs empty -> --prune deletes the managed template, never one made by hand.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from superset_iac.kinds.rest import managed_uuid
from tests.integration.trees import Api, WrittenTree

pytestmark = pytest.mark.integration

BRAND = ".header-title { color: #1f4e79; }"
OWN = ".dashboard-markdown { font-size: 13px; }"


class Tree(WrittenTree):
    def __init__(self, root: Path, superset, u: str) -> None:
        super().__init__(root, superset, superset.env())
        self.template, self.slug = f"Brand {u}", f"branded-{u}"
        self.write(f"css_templates/{self.slug}.yaml", f"""\
            name: {self.template}
            css: |
              {BRAND}
            """)
        self.write(f"dashboards/{self.slug}.yaml", f"""\
            title: Branded {u}
            slug: {self.slug}
            css_template: {self.template}
            css: "{OWN}"
            layout:
              - row: [{{markdown: "### Notes", width: 12}}]
            """)


@pytest.fixture(scope="module")
def tree(superset, tmp_path_factory) -> Tree:
    made = Tree(tmp_path_factory.mktemp("css") / "assets", superset, uuid.uuid4().hex[:8])
    plan = made.diff()
    assert sorted(c.ref for c in plan.changes) == [f"css_template/{made.template}",
                                                   f"dashboard/{made.slug}"]
    made.apply(plan)
    return made


def template_row(api: Api, name: str) -> dict:
    return api.first("css_template/",
                     f"(filters:!((col:template_name,opr:eq,value:'{name}')))")


def dashboard_row(api: Api, slug: str) -> dict:
    return api.call("GET", f"dashboard/{managed_uuid('dashboard', slug)}")["result"]


def test_second_diff_is_empty_and_the_server_holds_the_copy(tree) -> None:
    plan = tree.diff()
    assert not plan.has_changes, [c.to_dict() for c in plan.changes]
    assert [p for p in tree.gets() if p.startswith("/api/v1/css_template/")] == [
        "/api/v1/css_template/"]  # one list, filtered by name
    tree.apply(plan)
    assert tree.writes() == []
    api = Api(tree.superset)
    assert template_row(api, tree.template)["css"] == (
        f"{BRAND}\n\n/* superset-iac://css_template/{tree.template} */")
    assert dashboard_row(api, tree.slug)["css"] == f"{BRAND}\n\n{OWN}"


def test_drift_by_hand_shows_those_fields_and_apply_restores_them(tree) -> None:
    api = Api(tree.superset)
    row = template_row(api, tree.template)
    api.put(f"css_template/{row['id']}", {"css": row["css"].replace("#1f4e79", "red")})
    dash = dashboard_row(api, tree.slug)
    api.put(f"dashboard/{dash['id']}", {"css": f"{BRAND}\n\nh1 {{ display: none; }}"})
    plan = tree.diff()
    assert sorted((c.ref, f.path) for c in plan.changes for f in c.fields) == [
        (f"css_template/{tree.template}", "css"), (f"dashboard/{tree.slug}", "css")]
    tree.apply(plan)
    assert sorted(p for _, p in tree.writes()) == [f"/api/v1/css_template/{row['id']}",
                                                   f"/api/v1/dashboard/{dash['id']}"]
    assert dashboard_row(api, tree.slug)["css"] == f"{BRAND}\n\n{OWN}"
    assert not tree.diff().has_changes


def test_export_brings_the_template_and_changes_nothing_in_the_applied_tree(tree) -> None:
    objects, fresh = tree.export_round_trip(tree.slug)
    assert f"css_template/{tree.template}" in objects
    (dash_file,) = (fresh / "dashboards").rglob("*.yaml")
    text = dash_file.read_text()
    assert f"css_template: {tree.template}" in text and "superset-iac://" not in text


def test_prune_deletes_the_managed_template_and_never_one_made_by_hand(tree) -> None:
    api = Api(tree.superset)
    hand = api.post("css_template/", {"template_name": f"{tree.template} by hand", "css": "h1 {}"})
    ours = template_row(api, tree.template)["id"]
    (tree.root / "css_templates" / f"{tree.slug}.yaml").unlink()
    dash_file = tree.root / "dashboards" / f"{tree.slug}.yaml"
    dash_file.write_text(dash_file.read_text().replace(f"css_template: {tree.template}\n", ""))
    plan = tree.diff(prune=True, targets=(f"css_template/{tree.template}",
                                          f"css_template/{tree.template} by hand",
                                          f"dashboard/{tree.slug}"))
    assert [(c.action.value, c.ref) for c in plan.changes] == [
        ("update", f"dashboard/{tree.slug}"), ("delete", f"css_template/{tree.template}")]
    assert plan.unmanaged["css_template"] == 1
    tree.apply(plan)
    assert tree.writes()[-1] == ("DELETE", f"/api/v1/css_template/{ours}")
    assert dashboard_row(api, tree.slug)["css"] == OWN
    assert tree.api().get(tree.url(f"css_template/{hand}")).status_code == 200
    assert tree.api().get(tree.url(f"css_template/{ours}")).status_code == 404
