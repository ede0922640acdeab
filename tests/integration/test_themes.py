"""Themes and the dashboards naming them, on a real Superset 6.1.

apply -> the next diff is empty and writes nothing -> a theme and a
dashboard's theme changed by hand through the API show as exactly those
fields -> apply restores them -> export writes the same theme and dashboard
again, and its tree diffs empty; --prune deletes only the managed theme.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from superset_iac.kinds.rest import managed_uuid
from superset_iac.plan.model import Action
from tests.integration.trees import Api, WrittenTree, export_json, fields, new_tree, snapshot

pytestmark = pytest.mark.integration

THEME = """\
name: {name}
config:
  algorithm: [default, compact]
  token:
    colorPrimary: "#0f6e7a"
    borderRadius: 4
  components:
    Table:
      headerBg: "#eef5f6"
"""
DASHBOARD = "title: {title}\nslug: {slug}\ntheme: {theme}\n"


@pytest.fixture
def tree(tmp_path: Path, superset, unique: str) -> WrittenTree:
    written = WrittenTree(tmp_path / "assets", superset, superset.env())
    written.names = {"theme": f"Desk {unique}", "slug": f"desk-{unique}",  # type: ignore[attr-defined]
                     "dark": f"dark-{unique}"}
    names = written.names  # type: ignore[attr-defined]
    written.write("themes/desk.yaml", THEME.format(name=names["theme"]))
    written.write("dashboards/desk.yaml", DASHBOARD.format(
        title=f"Desk {unique}", slug=names["slug"], theme=names["theme"]))
    written.write("dashboards/dark.yaml", DASHBOARD.format(
        title=f"Dark {unique}", slug=names["dark"], theme="THEME_DARK"))
    return written


@pytest.fixture
def applied(tree: WrittenTree) -> WrittenTree:
    plan = tree.diff()
    names = tree.names  # type: ignore[attr-defined]
    assert [(c.action, c.kind, c.key) for c in plan.changes] == [
        (Action.CREATE, "theme", names["theme"]),
        (Action.CREATE, "dashboard", names["dark"]),
        (Action.CREATE, "dashboard", names["slug"])]
    tree.apply(plan)
    return tree


def theme_row(api: Api, name: str) -> dict:
    return api.find("theme", "theme_name", name)


def test_apply_then_diff_is_empty_with_zero_writes(applied: WrittenTree, superset) -> None:
    names = applied.names  # type: ignore[attr-defined]
    api = Api(superset)
    theme = theme_row(api, names["theme"])
    assert theme["uuid"] == managed_uuid("theme", names["theme"]) and not theme["is_system"]
    desk = api.call("GET", f"dashboard/{names['slug']}")["result"]
    assert desk["theme"]["id"] == theme["id"]
    dark = api.call("GET", f"dashboard/{names['dark']}")["result"]
    assert dark["theme"]["theme_name"] == "THEME_DARK"
    plan = applied.diff()
    assert plan.changes == []
    assert applied.writes() == []


def test_drift_by_hand_is_shown_and_apply_restores_it(applied: WrittenTree, superset) -> None:
    names = applied.names  # type: ignore[attr-defined]
    api = Api(superset)
    theme = theme_row(api, names["theme"])
    api.put(f"theme/{theme['id']}", {
        "theme_name": names["theme"],
        "json_data": '{"algorithm": "compact", "token": {"colorPrimary": "#ff0000", '
                     '"borderRadius": 4}, "components": {"Table": {"headerBg": "#eef5f6"}}}'})
    desk = api.call("GET", f"dashboard/{names['slug']}")["result"]
    api.put(f"dashboard/{desk['id']}", {"theme_id": None})

    plan = applied.diff()
    assert sorted(fields(plan)) == sorted([
        (f"dashboard/{names['slug']}", "theme", None, names["theme"]),
        (f"theme/{names['theme']}", "config.algorithm", "compact", ["default", "compact"]),
        (f"theme/{names['theme']}", "config.token.colorPrimary", "#ff0000", "#0f6e7a")])
    applied.apply(plan)
    assert sorted(applied.writes()) == sorted([("PUT", f"/api/v1/theme/{theme['id']}"),
                                               ("PUT", f"/api/v1/dashboard/{desk['id']}")])
    assert applied.diff().changes == []


def test_export_writes_the_same_theme_and_its_tree_diffs_empty(applied: WrittenTree,
                                                               tmp_path: Path) -> None:
    names = applied.names  # type: ignore[attr-defined]
    root = new_tree(tmp_path / "exported", "local")
    env = applied.environ
    report = export_json(root, env, "--dashboard", names["slug"], env_name="local")
    files = snapshot(root)
    assert sorted(files) == ["dashboards/" + names["slug"].replace("-", "_") + ".yaml",
                             "themes/" + names["theme"].lower().replace(" ", "_") + ".yaml"]
    theme_file = next(text for path, text in files.items() if path.startswith("themes/"))
    assert yaml.safe_load(theme_file) == yaml.safe_load(THEME.format(name=names["theme"]))
    dashboard_file = next(text for path, text in files.items() if path.startswith("dashboards/"))
    assert yaml.safe_load(dashboard_file)["theme"] == names["theme"]
    assert report["summary"]["created"] == 2
    again = export_json(root, env, "--dashboard", names["slug"], env_name="local")
    assert again["summary"]["unchanged"] == 2 and snapshot(root) == files
    exported = WrittenTree(root, applied.superset, env)
    assert exported.diff().changes == []


def test_prune_deletes_the_managed_theme_only(applied: WrittenTree, superset, unique) -> None:
    names = applied.names  # type: ignore[attr-defined]
    api = Api(superset)
    by_hand = api.post("theme/", {"theme_name": f"By hand {unique}", "json_data": "{}"})
    (applied.root / "themes" / "desk.yaml").unlink()
    applied.write("dashboards/desk.yaml", f"title: Desk {unique}\nslug: {names['slug']}\n")
    # Limited to themes: other modules' managed objects share the session's server.
    plan = applied.diff(prune=True, targets=("theme", f"dashboard/{names['slug']}"))
    # The earlier tests' managed themes (one server for the session) go too.
    themes = {(c.action, c.key) for c in plan.changes if c.kind == "theme"}
    assert (Action.DELETE, names["theme"]) in themes
    assert {action for action, _ in themes} == {Action.DELETE}
    assert f"By hand {unique}" not in {key for _, key in themes}
    applied.apply(plan)
    remaining = {r["theme_name"] for r in api.get("theme/")["result"]}
    assert f"By hand {unique}" in remaining and names["theme"] not in remaining
    assert {"THEME_DEFAULT", "THEME_DARK"} <= remaining
    api.call("DELETE", f"theme/{by_hand}")


def test_a_tree_naming_only_a_system_theme_applies_it(tmp_path: Path, superset, unique) -> None:
    """No theme in the tree, so no theme is read: the dashboard's write finds
    THEME_DARK's id itself (one list read), and reads the name back."""
    tree = WrittenTree(tmp_path / "only-dark", superset, superset.env())
    tree.write("dashboards/dark.yaml", DASHBOARD.format(
        title=f"Only dark {unique}", slug=f"only-dark-{unique}", theme="THEME_DARK"))
    plan = tree.diff()
    assert [(c.action, c.kind) for c in plan.changes] == [(Action.CREATE, "dashboard")]
    tree.apply(plan)
    assert "/api/v1/theme/" in {p.split("?")[0] for p in tree.gets()}
    api = Api(superset)
    dark = api.call("GET", f"dashboard/only-dark-{unique}")["result"]
    assert dark["theme"]["theme_name"] == "THEME_DARK"
    assert tree.diff().changes == [] and tree.writes() == []
