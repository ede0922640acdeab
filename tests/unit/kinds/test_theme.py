"""Themes: JSON compared as data, system themes, the import that gives a uuid,
and the dashboards naming a theme."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from responses import matchers

from superset_iac.kinds.dashboard import DashboardHandler
from superset_iac.kinds.rest import CREATED_MEANWHILE, managed_uuid, take_note
from superset_iac.kinds.theme import ThemeHandler, theme_keys
from superset_iac.model.dashboard import Dashboard
from superset_iac.model.theme import Theme
from superset_iac.plan.diff import compare
from superset_iac.plan.model import LiveObject
from tests.unit.kinds.conftest import API, paths

THEMES = f"{API}/theme/"
SPEC = {"name": "Lakehouse", "config": {
    "algorithm": ["default", "compact"],
    "token": {"colorPrimary": "#0f6e7a", "borderRadius": 4},
    "components": {"Table": {"headerBg": "#eef5f6"}}}}
UUID = managed_uuid("theme", "Lakehouse")


def row(id_: int, name: str, json_data: object, uuid: str = "u-other", system: bool = False):
    """A list row as Superset 6.1 answers with the handler's columns."""
    text = json_data if isinstance(json_data, str) else json.dumps(json_data)
    return {"id": id_, "uuid": uuid, "theme_name": name, "json_data": text, "is_system": system}


def system_rows():
    return [row(1, "THEME_DEFAULT", {"algorithm": "default"}, "u-1", True),
            row(2, "THEME_DARK", {"algorithm": "dark"}, "u-2", True)]


def test_json_is_compared_as_data_not_as_text(rsps, ctx) -> None:
    # Key order, 4 against 4.0 and spaces differ; a one-mode list is that mode.
    stored = ('{"token": {"borderRadius": 4.0, "colorPrimary": "#0f6e7a"}, '
              '"components": {"Table": {"headerBg": "#eef5f6"}}, '
              '"algorithm": ["default", "compact"]}')
    rsps.add("GET", THEMES, json={"count": 3, "result": [*system_rows(),
                                                         row(7, "Lakehouse", stored, UUID)]})
    live = ThemeHandler().read(ctx)
    assert len(rsps.calls) == 1
    assert list(live) == ["Lakehouse"] and live["Lakehouse"].managed
    assert compare(Theme.model_validate(SPEC), live["Lakehouse"]) is None
    single = Theme.model_validate({"name": "x", "config": {"algorithm": ["dark"], "components": {}}})
    assert single.compared() == Theme.model_validate(
        {"name": "x", "config": {"algorithm": "dark"}}).compared()


def test_system_themes_are_not_live_objects_but_can_be_named(rsps, ctx) -> None:
    rsps.add("GET", THEMES, json={"count": 3, "result": [
        *system_rows(), row(9, "THEME_DARK", {}, "u-9")]})
    live = ThemeHandler().read(ctx)
    assert list(live) == ["THEME_DARK [u-9]"] and not live["THEME_DARK [u-9]"].managed
    assert ctx.ids.id("theme", "THEME_DEFAULT") == 1 and ctx.ids.id("theme", "THEME_DARK") == 2


def test_keys_follow_the_managed_uuid_and_set_shared_names_apart() -> None:
    rows = [row(3, "Renamed in the UI", {}, UUID), row(4, "Desk", {}, "aaaaaaaa-1"),
            row(5, "Desk", {}, "bbbbbbbb-2")]
    assert theme_keys(rows, ["Lakehouse"], set()) == ["Lakehouse", "Desk [aaaaaaaa]",
                                                      "Desk [bbbbbbbb]"]


def test_a_hand_edit_is_that_token_only(rsps, ctx) -> None:
    edited = json.loads(json.dumps(SPEC["config"]))
    edited["token"]["colorPrimary"] = "#ff0000"
    rsps.add("GET", THEMES, json={"count": 1, "result": [row(7, "Lakehouse", edited, UUID)]})
    change = compare(Theme.model_validate(SPEC), ThemeHandler().read(ctx)["Lakehouse"])
    assert [f.path for f in change.fields] == ["config.token.colorPrimary"]


def test_create_imports_a_bundle_with_the_managed_uuid_then_finds_its_id(rsps, csrf, ctx) -> None:
    rsps.add("POST", f"{THEMES}import/", json={"message": "Theme imported successfully"})
    rsps.add("GET", THEMES, json={"count": 2, "result": [
        {"id": 1, "uuid": "u-1"}, {"id": 7, "uuid": UUID}]})
    assert ThemeHandler().create(ctx, Theme.model_validate(SPEC)) == 7
    assert ctx.ids.id("theme", "Lakehouse") == 7
    assert paths(rsps) == [("GET", "/api/v1/security/csrf_token/"),
                           ("POST", "/api/v1/theme/import/"), ("GET", "/api/v1/theme/")]
    request = rsps.calls[1].request
    assert b'name="overwrite"' in request.body and b"false" in request.body
    start = request.body.index(b"PK\x03\x04")
    files = zipfile.ZipFile(io.BytesIO(request.body[start:]))
    assert json.loads(files.read("theme_export/metadata.yaml")) == {"version": "1.0.0",
                                                                    "type": "Theme"}
    theme = json.loads(files.read("theme_export/themes/theme.yaml"))
    assert theme["uuid"] == UUID and theme["theme_name"] == "Lakehouse"
    assert json.loads(theme["json_data"]) == {"algorithm": ["default", "compact"],
                                              "components": {"Table": {"headerBg": "#eef5f6"}},
                                              "token": {"borderRadius": 4, "colorPrimary": "#0f6e7a"}}


def test_an_import_refused_because_another_run_made_it_adopts_that_theme(rsps, csrf, ctx) -> None:
    rsps.add("POST", f"{THEMES}import/", status=422,
             json={"message": "Error importing theme: themes/theme.yaml: Theme already exists"})
    rsps.add("GET", THEMES, json={"count": 1, "result": [{"id": 7, "uuid": UUID}]})
    assert ThemeHandler().create(ctx, Theme.model_validate(SPEC)) == 7
    assert take_note(ctx, "theme/Lakehouse") == CREATED_MEANWHILE


def test_update_puts_name_and_json_and_delete_deletes(rsps, csrf, ctx) -> None:
    spec = Theme.model_validate(SPEC)
    live = LiveObject(Theme.model_validate({"name": "Lakehouse"}), 7, True, {})
    rsps.add("PUT", f"{THEMES}7", json={"id": 7, "result": {}}, match=[
        matchers.json_params_matcher({"theme_name": "Lakehouse",
                                      "json_data": json.dumps(spec.config.canonical(),
                                                              sort_keys=True)})])
    rsps.add("DELETE", f"{THEMES}7", json={"message": "Deleted 1 theme"})
    handler = ThemeHandler()
    handler.update(ctx, compare(spec, live))
    ctx.ids.set("theme", "Lakehouse", 7)
    handler.delete(ctx, live)
    assert ctx.ids.key("theme", 7) is None


# -- dashboards naming a theme ----------------------------------------------------------

@pytest.fixture
def ids() -> dict:
    return {"theme": {"Lakehouse": 7, "THEME_DARK": 2}}


def test_a_dashboard_sends_its_themes_id_and_reads_the_name_back(ctx) -> None:
    dashboard = Dashboard.model_validate({"title": "Desk", "slug": "desk", "theme": "Lakehouse"})
    payload = DashboardHandler().to_payload(ctx, dashboard)
    assert payload["theme_id"] == 7
    detail = {"id": 8, "dashboard_title": "Desk", "slug": "desk", "json_metadata": "{}",
              "position_json": "{}", "theme": {"id": 7, "theme_name": "Renamed", "json_data": "{}"}}
    assert DashboardHandler().to_spec(ctx, detail).theme == "Lakehouse"  # by id, not its name
    assert DashboardHandler().to_spec(ctx, {**detail, "theme": None}).theme is None
    plain = Dashboard.model_validate({"title": "Desk", "slug": "desk"})
    assert DashboardHandler().to_payload(ctx, plain)["theme_id"] is None


def test_a_system_theme_is_named_but_is_no_dependency(ctx) -> None:
    dark = Dashboard.model_validate({"title": "Desk", "slug": "desk", "theme": "THEME_DARK"})
    assert [r.kind for r in dark.refs()] == []
    assert DashboardHandler().to_payload(ctx, dark)["theme_id"] == 2
    own = Dashboard.model_validate({"title": "Desk", "slug": "desk", "theme": "Lakehouse"})
    assert [(r.kind, r.key, r.path) for r in own.refs()] == [("theme", "Lakehouse", ("theme",))]


def test_a_system_theme_is_found_once_when_the_themes_were_not_read(rsps, client) -> None:
    """A tree naming only THEME_DARK reads no theme kind (no dependency): the
    dashboard's write looks the system themes up itself, once per run."""
    from superset_iac.kinds.base import Context

    ctx = Context(client=client)
    rsps.add("GET", THEMES, json={"count": 3, "result": [*system_rows(),
                                                         row(9, "Mine", {}, "u-9")]})
    dark = Dashboard.model_validate({"title": "Desk", "slug": "desk", "theme": "THEME_DARK"})
    assert DashboardHandler().to_payload(ctx, dark)["theme_id"] == 2
    assert DashboardHandler().to_payload(ctx, dark)["theme_id"] == 2
    assert len(rsps.calls) == 1
