"""Export round trips against a real Superset, with objects made the way the UI makes them.

The objects are created through Superset's REST API exactly as the UI sends
them (ids in chart params, a dashboard linked by a PUT of its position, native
filters with their UI-generated ids, a role granted access to a dataset, an
RLS rule), so they are *unmanaged*: nobody here wrote their YAML. Then:

* export -> diff: no changes; apply: nothing written, nothing adopted;
* a UI edit -> export again: only that object's file changes;
* the objects deleted, the exported tree applied (they are created anew,
  with new ids) -> export again: the same files, byte for byte.
"""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.integration.trees import (Api, cli, diff_text, export_json, new_tree, relative,
                                     snapshot)


# -- objects as the UI makes them ------------------------------------------------


def position(charts: list[tuple[int, str, str, int, int]], markdown: str) -> dict[str, Any]:
    """A v2 position_json as the dashboard editor saves it."""
    nodes: dict[str, Any] = {
        "DASHBOARD_VERSION_KEY": "v2",
        "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
        "GRID_ID": {"type": "GRID", "id": "GRID_ID", "parents": ["ROOT_ID"],
                    "children": ["HEADER-k1", "ROW-a1", "ROW-b2"]},
        "HEADER-k1": {"type": "HEADER", "id": "HEADER-k1", "children": [],
                      "parents": ["ROOT_ID", "GRID_ID"],
                      "meta": {"text": "Market activity", "headerSize": "MEDIUM_HEADER",
                               "background": "BACKGROUND_TRANSPARENT"}},
        "ROW-a1": {"type": "ROW", "id": "ROW-a1", "parents": ["ROOT_ID", "GRID_ID"],
                   "meta": {"background": "BACKGROUND_TRANSPARENT"}, "children": []},
        "ROW-b2": {"type": "ROW", "id": "ROW-b2", "parents": ["ROOT_ID", "GRID_ID"],
                   "meta": {"background": "BACKGROUND_TRANSPARENT"}, "children": ["MARKDOWN-m1"]},
        "MARKDOWN-m1": {"type": "MARKDOWN", "id": "MARKDOWN-m1", "children": [],
                        "parents": ["ROOT_ID", "GRID_ID", "ROW-b2"],
                        "meta": {"width": 12, "height": 30, "code": markdown}},
    }
    for i, (chart_id, chart_uuid, name, width, height) in enumerate(charts):
        node_id = f"CHART-c{i}"
        nodes["ROW-a1"]["children"].append(node_id)
        nodes[node_id] = {"type": "CHART", "id": node_id, "children": [],
                          "parents": ["ROOT_ID", "GRID_ID", "ROW-a1"],
                          "meta": {"chartId": chart_id, "uuid": chart_uuid, "sliceName": name,
                                   "width": width, "height": height}}
    return nodes


def select_filter(filter_id: str, name: str, dataset_id: int, column: str,
                  chart_ids: list[int]) -> dict[str, Any]:
    return {
        "id": filter_id, "name": name, "filterType": "filter_select", "type": "NATIVE_FILTER",
        "targets": [{"datasetId": dataset_id, "column": {"name": column}}],
        "defaultDataMask": {"extraFormData": {}, "filterState": {}, "ownState": {}},
        "controlValues": {"enableEmptyFilter": False, "defaultToFirstItem": False,
                          "multiSelect": True, "searchAllOptions": False,
                          "inverseSelection": False},
        "cascadeParentIds": [], "scope": {"rootPath": ["ROOT_ID"], "excluded": []},
        "chartsInScope": chart_ids, "tabsInScope": [], "description": "",
    }


def grant_dataset_access(api: Api, role_id: int, database: str, dataset: str,
                         dataset_id: int) -> None:
    """What Security > List Roles does when a dataset is ticked for a role."""
    resource = f"[{database}].[{dataset}](id:{dataset_id})"
    view = api.first("security/resources/",
                     f"(filters:!((col:name,opr:eq,value:'{resource}')))")
    perm = api.first("security/permissions/",
                     "(filters:!((col:name,opr:eq,value:datasource_access)))")
    pvms = api.call("GET", "security/permissions-resources/",
                    q=f"(filters:!((col:view_menu,opr:rel_o_m,value:{view['id']})))")["result"]
    (pvm,) = [p for p in pvms if p["permission"]["name"] == perm["name"]]
    api.call("POST", f"security/roles/{role_id}/permissions",
             {"permission_view_menu_ids": [pvm["id"]]})


def build_ui_objects(api: Api, lakehouse: Path, u: str) -> dict[str, Any]:
    names = {"database": f"ui_lake_{u}", "dataset": f"ui_ticks_{u}",
             "price": f"UI price {u}", "volume": f"UI volume {u}", "slug": f"ui-market-{u}",
             "title": f"UI Market {u}", "role": f"UI Desk {u}", "rls": f"ui_entitled_{u}"}
    db_id = api.call("POST", "database/", {
        "database_name": names["database"], "sqlalchemy_uri": f"duckdb:///{lakehouse}",
        "expose_in_sqllab": True,
        "extra": json.dumps({"allows_virtual_table_explore": True,
                             "engine_params": {"connect_args": {"read_only": True}}})})["id"]
    ds_id = api.call("POST", "dataset/", {
        "database": db_id, "schema": "option_ticks_db", "table_name": names["dataset"],
        "sql": ('SELECT "timestamp", symbol, exchange,\n'
                "       last_price, volume\n"
                "FROM option_ticks_db.bronze_option_ticks\n")})["id"]
    columns = api.call("GET", f"dataset/{ds_id}")["result"]["columns"]
    api.call("PUT", f"dataset/{ds_id}", {
        "description": "Ticks, as an analyst set them up in the UI.",
        "main_dttm_col": "timestamp",
        "columns": [{"id": c["id"], "column_name": c["column_name"],
                     "is_dttm": c["column_name"] == "timestamp",
                     "verbose_name": "Exchange" if c["column_name"] == "exchange" else None}
                    for c in columns],
        "metrics": [{"metric_name": "avg_price", "expression": "AVG(last_price)",
                     "d3format": ",.2f"},
                    {"metric_name": "volume_sum", "expression": "SUM(volume)"}]})
    datasource = f"{ds_id}__table"
    price = api.call("POST", "chart/", {
        "slice_name": names["price"], "viz_type": "echarts_timeseries_line",
        "datasource_id": ds_id, "datasource_type": "table",
        "params": json.dumps({"datasource": datasource, "viz_type": "echarts_timeseries_line",
                              "x_axis": "timestamp", "time_grain_sqla": "P1D",
                              "metrics": ["avg_price"], "groupby": ["symbol"],
                              "adhoc_filters": [], "row_limit": 1000,
                              "time_range": "No filter", "show_legend": True})})["id"]
    volume = api.call("POST", "chart/", {
        "slice_name": names["volume"], "viz_type": "table",
        "datasource_id": ds_id, "datasource_type": "table",
        "description": "Volume per exchange.",
        "params": json.dumps({"datasource": datasource, "viz_type": "table",
                              "metrics": ["volume_sum"], "groupby": ["exchange"],
                              "adhoc_filters": [], "row_limit": 100})})["id"]
    twin = api.call("POST", "chart/", {  # a second chart of the same name, as UIs allow
        "slice_name": names["price"], "viz_type": "big_number_total",
        "datasource_id": ds_id, "datasource_type": "table",
        "params": json.dumps({"datasource": datasource, "viz_type": "big_number_total",
                              "metric": "avg_price", "adhoc_filters": []})})["id"]
    role_id = api.call("POST", "security/roles/", {"name": names["role"]})["id"]
    grant_dataset_access(api, role_id, names["database"], names["dataset"], ds_id)
    dash_id = api.call("POST", "dashboard/", {"dashboard_title": names["title"],
                                              "slug": names["slug"], "published": True})["id"]
    uuids = {c: api.call("GET", f"chart/{c}")["result"].get("uuid") or str(uuid.uuid4())
             for c in (price, volume, twin)}
    layout = position([(price, uuids[price], names["price"], 6, 50),
                       (twin, uuids[twin], names["price"], 2, 50),
                       (volume, uuids[volume], names["volume"], 4, 50)],
                      "### About\nTicks from the **lakehouse**.  \nUpdated daily.\n")
    metadata = {"positions": layout, "color_scheme": "supersetColors", "refresh_frequency": 0,
                "cross_filters_enabled": True, "label_colors": {}, "shared_label_colors": [],
                "color_scheme_domain": [], "expanded_slices": {}, "timed_refresh_immune_slices": [],
                "native_filter_configuration": [
                    select_filter("NATIVE_FILTER-Ab3dE9xYz", "Symbol", ds_id, "symbol",
                                  [price, volume])]}
    api.call("PUT", f"dashboard/{dash_id}", {"json_metadata": json.dumps(metadata),
                                             "position_json": json.dumps(layout),
                                             "roles": [role_id]})
    rls_id = api.call("POST", "rowlevelsecurity/", {
        "name": names["rls"], "filter_type": "Regular", "tables": [ds_id], "roles": [role_id],
        "group_key": "symbol", "clause": "symbol IN ('AAPL', 'MSFT')",
        "description": "Desk entitlement"})["id"]
    ids = {"database": db_id, "dataset": ds_id, "price": price, "volume": volume, "twin": twin,
           "role": role_id, "dashboard": dash_id, "rls": rls_id}
    return {"names": names, "ids": ids}


def delete_ui_objects(api: Api, objects: dict[str, Any]) -> None:
    """Delete what build_ui_objects made (or apply recreated), dependants first."""
    names = objects["names"]
    for path, q in (
            ("rowlevelsecurity/", f"(filters:!((col:name,opr:eq,value:'{names['rls']}')))"),
            ("dashboard/", f"(filters:!((col:slug,opr:eq,value:'{names['slug']}')))"),
            ("chart/", f"(filters:!((col:slice_name,opr:ct,value:'{names['price'][-8:]}')))"),
            ("dataset/", f"(filters:!((col:table_name,opr:eq,value:'{names['dataset']}')))"),
            ("database/", f"(filters:!((col:database_name,opr:eq,value:'{names['database']}')))"),
            ("security/roles/", f"(filters:!((col:name,opr:eq,value:'{names['role']}')))")):
        for row in api.call("GET", path, q=q)["result"]:
            api.call("DELETE", f"{path}{row['id']}")


# -- the tests ------------------------------------------------------------------


@pytest.fixture(scope="module")
def ui(superset, lakehouse_path, tmp_path_factory) -> dict[str, Any]:
    api = Api(superset)
    u = uuid.uuid4().hex[:8]
    objects = build_ui_objects(api, lakehouse_path, u)
    return {**objects, "api": api, "env": superset.env(lakehouse_path),
            "dir": tmp_path_factory.mktemp("export-roundtrip")}


def export_dashboard(root: Path, ui: dict[str, Any]) -> dict[str, Any]:
    return export_json(root, ui["env"], "--dashboard", ui["names"]["slug"], "--rls")


def test_export_writes_the_ui_objects_by_name(ui) -> None:
    root = new_tree(ui["dir"] / "first", "test")
    report = export_dashboard(root, ui)
    names = ui["names"]
    files = {f["objects"][0]: f["path"] for f in report["files"]}
    for ref in (f"database/{names['database']}", f"dataset/{names['dataset']}",
                f"chart/{names['volume']}", f"dashboard/{names['slug']}",
                f"role/{names['role']}", f"rls/{names['rls']}"):
        assert ref in files, ref
    # two charts share a name: each gets a key of its own, written as `key:`
    twins = sorted(ref for ref in files if ref.startswith(f"chart/{names['price']} ["))
    assert len(twins) == 2
    for ref in twins:
        text = (root / relative(root, files[ref])).read_text()
        assert f"key: {ref[len('chart/'):]}\n" in text and f"name: {names['price']}\n" in text
    text = "\n".join(snapshot(root).values())
    for server_id in ("datasource", "chartId", "datasetId", "__table", "XXXXXXXXXX",
                      "superset-iac://"):
        assert server_id not in text
    dataset = (root / f"datasets/{names['database']}/{names['dataset']}.yaml").read_text()
    assert "sql: |\n  SELECT \"timestamp\", symbol, exchange,\n" in dataset
    assert f"database: {names['database']}\n" in dataset
    role = (root / f"roles/ui_desk_{names['role'][-8:]}.yaml").read_text()
    assert f"datasets: [{names['dataset']}]" in role


def test_every_exported_file_validates_against_the_json_schemas(ui) -> None:
    from tests.schema_check import tree_problems

    root = new_tree(ui["dir"] / "schema", "test")
    export_json(root, ui["env"], "--dashboard", ui["names"]["slug"], "--rls", "--roles")
    checked, found = tree_problems(root)
    assert checked >= 7 and found == {}


def test_diff_after_export_is_empty_and_apply_adopts_nothing(ui) -> None:
    root = new_tree(ui["dir"] / "adopt", "test")
    export_dashboard(root, ui)
    result = diff_text(root, ui["env"])
    assert result.exit_code == 0, result.output
    assert "No changes." in result.output
    applied = cli("apply", "--assets", root, "--env", "test", "--yes", "--format", "json",
                  env=ui["env"])
    assert applied.exit_code == 0, applied.output
    assert json.loads(applied.stdout)["events"] == []
    chart = ui["api"].call("GET", f"chart/{ui['ids']['price']}")["result"]
    assert not chart.get("is_managed_externally")


def test_a_ui_edit_changes_only_that_file_and_a_second_export_changes_nothing(ui) -> None:
    root = new_tree(ui["dir"] / "edit", "test")
    export_dashboard(root, ui)
    before = snapshot(root)
    again = export_dashboard(root, ui)
    assert again["summary"]["created"] == again["summary"]["changed"] == 0
    assert snapshot(root) == before

    api, chart_id = ui["api"], ui["ids"]["volume"]
    params = json.loads(api.call("GET", f"chart/{chart_id}")["result"]["params"])
    api.call("PUT", f"chart/{chart_id}", {"params": json.dumps({**params, "row_limit": 250})})
    try:
        report = export_dashboard(root, ui)
        changed = [f for f in report["files"] if f["action"] != "unchanged"]
        assert [(f["action"], f["objects"]) for f in changed] == [
            ("changed", [f"chart/{ui['names']['volume']}"])]
        after = snapshot(root)
        path = relative(root, changed[0]["path"])
        assert [p for p in after if after[p] != before[p]] == [path]
        assert "row_limit: 250" in after[path]
        assert diff_text(root, ui["env"]).exit_code == 0
    finally:
        api.call("PUT", f"chart/{chart_id}", {"params": json.dumps(params)})


def test_apply_to_a_fresh_server_then_export_gives_the_same_files(ui) -> None:
    """The objects deleted and re-created from the export: a fresh server for them."""
    first = new_tree(ui["dir"] / "before-fresh", "test")
    export_dashboard(first, ui)
    delete_ui_objects(ui["api"], ui)
    result = cli("apply", "--assets", first, "--env", "test", "--yes", env=ui["env"])
    assert result.exit_code == 0, result.output
    assert f"+ dashboard/{ui['names']['slug']}: created" in result.output
    second = new_tree(ui["dir"] / "after-fresh", "test")
    export_dashboard(second, ui)
    assert snapshot(second) == snapshot(first)
    assert diff_text(first, ui["env"]).exit_code == 0
    shutil.rmtree(second)


def test_exporting_into_the_teams_own_tree_after_apply_changes_no_file(
        superset, lakehouse_path, repo_root, tmp_path) -> None:
    """Hand-written files (comments, ${VAR}, per-environment overrides) are recognised."""
    root = tmp_path / "assets"
    shutil.copytree(repo_root / "assets", root)
    env = superset.env(lakehouse_path)
    applied = cli("apply", "--assets", root, "--env", "local", "--yes", env=env)
    assert applied.exit_code == 0, applied.output[-4000:]
    before = snapshot(root)
    report = export_json(root, env, "--dashboard", "lakehouse-analytics", "--rls", "--roles",
                         "--reports", env_name="local")
    # Other tests' roles and rules on this shared server come out as new files;
    # every one of the team's objects is found where it is, unchanged.
    assert report["summary"]["changed"] == 0
    unchanged = {ref for f in report["files"] if f["action"] == "unchanged" for ref in f["objects"]}
    assert {"dashboard/lakehouse-analytics", "database/lakehouse", "rls/analyst_symbol_entitlement",
            "role/Analyst", "chart/Volume by symbol", "dataset/option_ticks",
            "report/Morning market report"} <= unchanged
    after = snapshot(root)
    assert {p: after[p] for p in before} == before
    assert report["variables"]["LAKEHOUSE_PATH"] == ["database/lakehouse"]
    for created in (p for p in after if p not in before):
        (root / created).unlink()  # keep the tree to the team's own files

    api = Api(superset)
    (row,) = api.call("GET", "chart/",
                      q="(filters:!((col:slice_name,opr:eq,value:'Volume by symbol')))")["result"]
    params = json.loads(api.call("GET", f"chart/{row['id']}")["result"]["params"])
    api.call("PUT", f"chart/{row['id']}", {"params": json.dumps({**params, "row_limit": 7})})
    try:
        export_json(root, env, "--dashboard", "lakehouse-analytics", env_name="local")
        after = snapshot(root)
        assert [p for p in after if after[p] != before[p]] == ["charts/volume_by_symbol.yaml"]
        old, new = before["charts/volume_by_symbol.yaml"], after["charts/volume_by_symbol.yaml"]
        changed = [(a, b) for a, b in zip(old.splitlines(), new.splitlines()) if a != b]
        assert len(old.splitlines()) == len(new.splitlines())
        assert [b.strip() for _, b in changed] == ["row_limit: 7"]
    finally:
        api.call("PUT", f"chart/{row['id']}", {"params": json.dumps(params)})
