"""A chart's annotation layers: names in the tree, ids on the server, names again on read."""

from __future__ import annotations

import json

import pytest

from superset_iac.kinds.chart import ChartHandler
from superset_iac.model.chart import KEY_PARAM
from superset_iac.plan.diff import compare
from superset_iac.plan.model import LiveObject
from tests.unit.kinds.conftest import API, body
from tests.unit.kinds.test_chart import PARAMS, row, spec

LAYERS = [{"layer": "US market calendar", "name": "Market closed", "type": "INTERVAL",
           "opacity": "low"},
          {"layer": "Lakehouse releases", "style": "dashed", "width": 2, "show_label": True}]
FORMULA = {"name": "Target", "annotationType": "FORMULA", "sourceType": "", "value": "200",
           "show": True, "style": "solid", "width": 1}
# What explore saves for a native layer (6.1), editor state for other sources included.
SAVED_IN_UI = {"name": "Lakehouse releases", "annotationType": "EVENT", "sourceType": "NATIVE",
               "value": 12, "show": True, "showLabel": True, "style": "dashed", "width": 2,
               "color": None, "opacity": "", "overrides": {"time_range": None},
               "hideLine": False, "showMarkers": False, "titleColumn": "",
               "descriptionColumns": [], "timeColumn": "", "intervalEndColumn": ""}


@pytest.fixture
def ids() -> dict:
    return {"dataset": {"option_ticks": 4},
            "annotation_layer": {"US market calendar": 11, "Lakehouse releases": 12}}


def test_a_write_names_each_layer_by_its_id_and_the_query_context_carries_them(
        rsps, csrf, ctx) -> None:
    rsps.add("PUT", f"{API}/chart/3", json={"id": 3, "result": {}})
    wanted = spec(annotation_layers=LAYERS, params={**PARAMS, "annotation_layers": [FORMULA]})
    ChartHandler().update(ctx, compare(wanted, LiveObject(spec(), 3, True)))
    sent = body(rsps.calls[1])
    entries = json.loads(sent["params"])["annotation_layers"]
    assert entries == [
        FORMULA,
        {"name": "Market closed", "annotationType": "INTERVAL", "sourceType": "NATIVE",
         "value": 11, "show": True, "showLabel": False, "style": "solid", "width": 1,
         "opacity": "opacityLow", "showMarkers": False, "hideLine": False},
        {"name": "Lakehouse releases", "annotationType": "EVENT", "sourceType": "NATIVE",
         "value": 12, "show": True, "showLabel": True, "style": "dashed", "width": 2,
         "opacity": "", "showMarkers": False, "hideLine": False}]
    # What the chart data API reads to answer annotation_data.
    query = json.loads(sent["query_context"])["queries"][0]
    assert query["annotation_layers"] == entries


def test_a_read_gives_names_back_and_keeps_other_sources_in_params(rsps, ctx) -> None:
    stored = {**PARAMS, "annotation_layers": [FORMULA, SAVED_IN_UI,
                                              {**SAVED_IN_UI, "value": 99, "name": "Gone"}]}
    rsps.add("GET", f"{API}/chart/", json={"count": 1, "result": [row(params=stored)]})
    live = ChartHandler().read(ctx)["Price"].spec
    assert live.params["annotation_layers"] == [FORMULA]
    assert [a.model_dump(exclude_defaults=True) for a in live.annotation_layers] == [
        {"layer": "Lakehouse releases", "style": "dashed", "width": 2, "show_label": True},
        # a layer this run does not know: its id
        {"layer": "#99", "name": "Gone", "style": "dashed", "width": 2, "show_label": True}]


def test_what_was_written_reads_back_equal(rsps, csrf, ctx) -> None:
    rsps.add("PUT", f"{API}/chart/3", json={"id": 3, "result": {}})
    wanted = spec(annotation_layers=LAYERS)
    ChartHandler().update(ctx, compare(wanted, LiveObject(spec(), 3, True)))
    written = json.loads(body(rsps.calls[1])["params"])
    rsps.add("GET", f"{API}/chart/", json={"count": 1, "result": [
        row(params={k: v for k, v in written.items() if k != KEY_PARAM})]})
    assert compare(wanted, ChartHandler().read(ctx)["Price"]) is None


def test_a_label_equal_to_the_layer_name_is_the_default() -> None:
    named = spec(annotation_layers=[{"layer": "Lakehouse releases", "name": "Lakehouse releases"}])
    assert named.compared() == spec(annotation_layers=[{"layer": "Lakehouse releases"}]).compared()
    assert [r.kind for r in named.refs()] == ["dataset", "annotation_layer"]
    assert named.refs()[1].path == ("annotation_layers", 0, "layer")
