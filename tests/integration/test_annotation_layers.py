"""Annotation layers and a chart that draws one, against a real Superset 6.1.

apply -> a second diff is empty and its apply writes nothing -> the chart
data API answers the layer's annotations for the chart -> drift made by hand
(an annotation edited, one added, the chart's layer removed from its params)
shows as exactly those fields -> apply restores it, writing only those ->
export of the dashboard brings the layer along, and exporting into the tree
that was applied changes no file; the exported tree diffs empty -> --prune
deletes the managed layer (annotations first) and never one made by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from superset_iac.kinds.rest import managed_uuid
from tests.integration.trees import Api, WrittenTree

pytestmark = pytest.mark.integration


class Tree(WrittenTree):
    """A database, a dataset of ticks, a layer with two annotations, a chart drawing it."""

    def __init__(self, root: Path, superset, lakehouse: Path, u: str) -> None:
        super().__init__(root, superset, superset.env(lakehouse))
        self.db, self.dataset, self.layer = f"lake_an_{u}", f"ticks_an_{u}", f"Releases {u}"
        self.chart, self.slug = f"Volume with releases {u}", f"releases-{u}"
        self.write(f"databases/{self.db}.yaml", f"""\
            name: {self.db}
            uri: duckdb:///${{LAKEHOUSE_PATH}}
            extra: {{engine_params: {{connect_args: {{read_only: true}}}}}}
            """)
        self.write(f"datasets/{self.dataset}.yaml", f"""\
            name: {self.dataset}
            database: {self.db}
            schema: option_ticks_db
            sql: |
              SELECT "timestamp", symbol, volume FROM option_ticks_db.bronze_option_ticks
            main_dttm_col: timestamp
            metrics:
              - {{name: total_volume, expression: SUM(volume)}}
            """)
        self.write_layer()
        self.write(f"charts/{self.slug}.yaml", f"""\
            name: {self.chart}
            dataset: {self.dataset}
            viz_type: echarts_timeseries_bar
            params:
              x_axis: timestamp
              time_grain_sqla: P1D
              metrics: [total_volume]
              time_range: No filter
            annotation_layers:
              - {{layer: {self.layer}, name: Releases, style: dashed, show_label: true}}
            """)
        self.write(f"dashboards/{self.slug}.yaml", f"""\
            title: Releases {u}
            slug: {self.slug}
            layout:
              - row: [{{chart: {self.chart}, width: 12, height: 50}}]
            """)

    def write_layer(self, extra: str = "") -> None:
        self.write(f"annotation_layers/{self.slug}.yaml", f"""\
            name: {self.layer}
            description: Deployments of the tick pipeline.
            annotations:
              - name: Dedup v2
                start: 2025-06-04T14:00:00
                description: Ticks deduplicated on their natural key.
                metadata: {{ticket: DATA-142}}
              - name: Backfill
                start: 2025-06-03
                end: 2025-06-03T06:00:00
            {extra}""")


@pytest.fixture(scope="module")
def tree(superset, lakehouse_path, tmp_path_factory) -> Tree:
    import uuid

    u = uuid.uuid4().hex[:8]
    made = Tree(tmp_path_factory.mktemp("annotations") / "assets", superset, lakehouse_path, u)
    plan = made.diff()
    created = sorted(c.ref for c in plan.changes)
    assert created == [f"annotation_layer/{made.layer}", f"chart/{made.chart}",
                       f"dashboard/{made.slug}", f"database/{made.db}",
                       f"dataset/{made.dataset}"]
    made.apply(plan)
    return made


def layer_row(api: Api, name: str) -> dict:
    return api.first("annotation_layer/", f"(filters:!((col:name,opr:eq,value:'{name}')))")


def test_second_diff_is_empty_and_its_apply_writes_nothing(tree) -> None:
    plan = tree.diff()
    assert not plan.has_changes, [c.to_dict() for c in plan.changes]
    # the layer: one list (by name), its annotations' list, one read per annotation
    layer_reads = [p for p in tree.gets() if p.startswith("/api/v1/annotation_layer/")]
    assert len(layer_reads) == 1 + 1 + 2, layer_reads
    tree.apply(plan)
    assert tree.writes() == []


def test_the_chart_data_api_answers_the_layer_s_annotations(tree) -> None:
    api = Api(tree.superset)
    chart = api.call("GET", f"chart/{managed_uuid('chart', tree.chart)}")["result"]
    layer_id = layer_row(api, tree.layer)["id"]
    (entry,) = json.loads(chart["params"])["annotation_layers"]
    assert (entry["sourceType"], entry["value"], entry["name"]) == ("NATIVE", layer_id, "Releases")
    (result,) = api.call("GET", f"chart/{chart['id']}/data/")["result"]
    data = result["annotation_data"]["Releases"]
    records = {r["short_descr"]: r for r in data["records"]}
    assert set(records) == {"Dedup v2", "Backfill"}
    assert json.loads(records["Dedup v2"]["json_metadata"]) == {"ticket": "DATA-142"}
    assert result["rowcount"] > 0


def test_drift_by_hand_shows_those_fields_and_apply_restores_them(tree) -> None:
    api = Api(tree.superset)
    layer_id = layer_row(api, tree.layer)["id"]
    notes = api.get(f"annotation_layer/{layer_id}/annotation/")["result"]
    backfill = next(n for n in notes if n["short_descr"] == "Backfill")
    api.put(f"annotation_layer/{layer_id}/annotation/{backfill['id']}",
            {"long_descr": "Edited in the UI"})
    api.post(f"annotation_layer/{layer_id}/annotation/",
             {"short_descr": "Added in the UI", "start_dttm": "2025-06-05T10:00:00",
              "end_dttm": "2025-06-05T10:00:00"})
    chart = api.call("GET", f"chart/{managed_uuid('chart', tree.chart)}")["result"]
    params = json.loads(chart["params"])
    api.put(f"chart/{chart['id']}", {"params": json.dumps({**params, "annotation_layers": []})})

    plan = tree.diff()
    changed = sorted((c.ref, f.path) for c in plan.changes for f in c.fields)
    assert changed == [(f"annotation_layer/{tree.layer}", "annotations[Added in the UI]"),
                       (f"annotation_layer/{tree.layer}", "annotations[Backfill].description"),
                       (f"chart/{tree.chart}", "annotation_layers[Releases]")]
    tree.apply(plan)
    notes_path = f"/api/v1/annotation_layer/{layer_id}/annotation/"
    assert sorted(m for m, p in tree.writes() if p.startswith(notes_path)) == ["DELETE", "PUT"]
    assert [p for m, p in tree.writes() if not p.startswith(notes_path)] == [
        f"/api/v1/chart/{chart['id']}"]  # no PUT of the layer itself
    assert not tree.diff().has_changes


def test_export_brings_the_layer_and_changes_nothing_in_the_applied_tree(tree) -> None:
    objects, fresh = tree.export_round_trip(tree.slug)
    assert f"annotation_layer/{tree.layer}" in objects
    (layer_file,) = (fresh / "annotation_layers").rglob("*.yaml")
    text = layer_file.read_text()
    assert "superset-iac://" not in text and "2025-06-03T00:00:00" in text


def test_prune_deletes_the_managed_layer_and_never_one_made_by_hand(tree) -> None:
    api = Api(tree.superset)
    hand = api.post("annotation_layer/", {"name": f"{tree.layer} by hand", "descr": "UI"})
    api.post(f"annotation_layer/{hand}/annotation/",
             {"short_descr": "Kept", "start_dttm": "2025-06-05T00:00:00",
              "end_dttm": "2025-06-05T00:00:00"})
    layer_id = layer_row(api, tree.layer)["id"]
    (tree.root / "annotation_layers" / f"{tree.slug}.yaml").unlink()
    (tree.root / "charts" / f"{tree.slug}.yaml").write_text(
        (tree.root / "charts" / f"{tree.slug}.yaml").read_text().split("annotation_layers:")[0])
    plan = tree.diff(prune=True, targets=(f"annotation_layer/{tree.layer}",
                                          f"annotation_layer/{tree.layer} by hand",
                                          f"chart/{tree.chart}"))
    assert [(c.action.value, c.ref) for c in plan.changes] == [
        ("update", f"chart/{tree.chart}"), ("delete", f"annotation_layer/{tree.layer}")]
    assert plan.unmanaged["annotation_layer"] == 1
    tree.apply(plan)
    assert tree.writes()[-2:] == [("DELETE", f"/api/v1/annotation_layer/{layer_id}/annotation/"),
                                  ("DELETE", f"/api/v1/annotation_layer/{layer_id}")]
    assert tree.api().get(tree.url(f"annotation_layer/{hand}")).status_code == 200
    assert tree.api().get(tree.url(f"annotation_layer/{layer_id}")).status_code == 404
