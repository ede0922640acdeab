"""Annotation layers: the descr marker, annotations read in detail, minimal writes."""

import json

import pytest
from pydantic import ValidationError
from responses import matchers

from superset_iac.kinds.annotation_layer import AnnotationLayerHandler
from superset_iac.kinds.base import Context
from superset_iac.kinds.markers import with_marker
from superset_iac.model.annotation_layer import AnnotationLayer
from superset_iac.plan.diff import compare
from superset_iac.plan.model import Action
from tests.unit.kinds.conftest import API

LAYERS = f"{API}/annotation_layer/"
NOTES = f"{API}/annotation_layer/4/annotation/"
SPEC = {"name": "US market calendar", "description": "Exchange holidays.",
        "annotations": [
            {"name": "Juneteenth", "start": "2025-06-19", "end": "2025-06-19T23:59:59",
             "description": "Closed."},
            {"name": "Release", "start": "2025-06-04T14:00:00Z", "metadata": {"ticket": "D-1"}}]}
MARKED = with_marker("annotation_layer", "Exchange holidays.", "US market calendar")


def layer_row(lid=4, name="US market calendar", descr=MARKED):
    return {"id": lid, "name": name, "descr": descr}


def note(aid, name, start, end, long=None, meta=None):
    """As ``GET …/annotation/<id>`` answers (AnnotationRestApi.show_columns)."""
    return {"id": aid, "short_descr": name, "long_descr": long, "start_dttm": start,
            "end_dttm": end, "json_metadata": meta, "layer": {"id": 4, "name": "x"}}


LIVE_NOTES = [note(7, "Juneteenth", "2025-06-19T00:00:00", "2025-06-19T23:59:59", "Closed."),
              note(8, "Release", "2025-06-04T14:00:00", "2025-06-04T14:00:00",
                   meta='{"ticket": "D-1"}')]


def mock_read(rsps, notes=LIVE_NOTES, descr=MARKED):
    rsps.add("GET", LAYERS, json={"count": 1, "result": [layer_row(descr=descr)]})
    rsps.add("GET", NOTES, json={"count": len(notes), "result": [{"id": n["id"]} for n in notes]})
    for n in notes:
        rsps.add("GET", f"{NOTES}{n['id']}", json={"id": n["id"], "result": n})


def compared_ctx(ctx: Context, spec: AnnotationLayer) -> Context:
    ctx.desired = {"annotation_layer": {spec.key: spec}}
    return ctx


def test_times_take_one_form_and_end_defaults_to_start():
    spec = AnnotationLayer.model_validate(SPEC)
    assert [(a.start, a.until) for a in spec.annotations] == [
        ("2025-06-19T00:00:00", "2025-06-19T23:59:59"),
        ("2025-06-04T14:00:00", "2025-06-04T14:00:00")]


@pytest.mark.parametrize(("start", "end", "says"), [
    ("2025-06-04T14:00:00+02:00", None, "time zone offset"),
    ("June 4th", None, "not an ISO 8601"),
    ("2025-06-05", "2025-06-04", "ends (2025-06-04T00:00:00) before it starts"),
])
def test_bad_times_are_refused_at_their_field(start, end, says):
    item = {"name": "x", "start": start, **({"end": end} if end else {})}
    with pytest.raises(ValidationError) as err:
        AnnotationLayer.model_validate({"name": "L", "annotations": [item]})
    (error,) = err.value.errors()
    assert error["loc"] == ("annotations", 0, "end" if end else "start")
    assert says in error["msg"]


def test_read_of_a_compared_layer_lists_then_reads_each_annotation(rsps, ctx):
    spec = AnnotationLayer.model_validate(SPEC)
    mock_read(rsps)
    live = AnnotationLayerHandler().read(compared_ctx(ctx, spec))["US market calendar"]
    # one layer list, one annotation list, one detail per annotation (json_metadata)
    assert len(rsps.calls) == 4
    assert live.managed and live.id == 4 and ctx.ids.id("annotation_layer", spec.name) == 4
    assert live.spec.description == "Exchange holidays."  # the marker line stripped
    assert compare(spec, live) is None


def test_a_layer_not_compared_is_read_from_the_list_alone(rsps, ctx):
    rsps.add("GET", LAYERS, json={"count": 2, "result": [
        layer_row(), layer_row(5, "By hand", "made in the UI")]})
    ctx.desired = {"annotation_layer": {}}
    live = AnnotationLayerHandler().read(ctx)
    assert len(rsps.calls) == 1
    assert {k: v.managed for k, v in live.items()} == {"US market calendar": True,
                                                       "By hand": False}


def test_drift_by_hand_is_shown_by_annotation_name(rsps, ctx):
    spec = AnnotationLayer.model_validate(SPEC)
    changed = [note(7, "Juneteenth", "2025-06-19T00:00:00", "2025-06-19T12:00:00", "Closed."),
               note(9, "Added in the UI", "2025-06-20T00:00:00", "2025-06-20T00:00:00")]
    mock_read(rsps, changed)
    change = compare(spec, AnnotationLayerHandler().read(compared_ctx(ctx, spec))[spec.name])
    assert change is not None and change.action is Action.UPDATE
    paths = {f.path for f in change.fields}
    assert paths == {"annotations[Juneteenth].end", "annotations[Added in the UI]",
                     "annotations[Release]"}


def test_update_writes_only_what_differs(rsps, csrf, ctx):
    spec = AnnotationLayer.model_validate(SPEC)
    changed = [note(7, "Juneteenth", "2025-06-19T00:00:00", "2025-06-19T12:00:00", "Closed."),
               note(8, "Release", "2025-06-04T14:00:00", "2025-06-04T14:00:00",
                    meta='{"ticket": "D-1"}'),
               note(9, "Added in the UI", "2025-06-20T00:00:00", "2025-06-20T00:00:00")]
    mock_read(rsps, changed)
    handler = AnnotationLayerHandler()
    change = compare(spec, handler.read(compared_ctx(ctx, spec))[spec.name])
    reads = len(rsps.calls)
    rsps.add("DELETE", NOTES, json={"message": "Deleted 1"},
             match=[matchers.query_param_matcher({"q": "!(9)"})])
    rsps.add("PUT", f"{NOTES}7", json={"id": 7, "result": {}}, match=[matchers.json_params_matcher(
        {"short_descr": "Juneteenth", "long_descr": "Closed.", "start_dttm": "2025-06-19T00:00:00",
         "end_dttm": "2025-06-19T23:59:59", "json_metadata": None})])
    handler.update(ctx, change)
    writes = [(c.request.method, c.request.url) for c in rsps.calls[reads:]
              if c.request.method != "GET"]
    # no PUT of the layer (name and description agree), nothing for the unchanged annotation
    assert [m for m, _ in writes] == ["DELETE", "PUT"]


def test_create_posts_the_layer_with_its_marker_then_each_annotation(rsps, csrf, ctx):
    spec = AnnotationLayer.model_validate(SPEC)
    rsps.add("POST", LAYERS, json={"id": 4, "result": {}}, status=201,
             match=[matchers.json_params_matcher({"name": spec.name, "descr": MARKED})])
    rsps.add("GET", NOTES, json={"count": 0, "result": []})
    rsps.add("POST", NOTES, json={"id": 7, "result": {}}, status=201, match=[
        matchers.json_params_matcher({
            "short_descr": "Juneteenth", "long_descr": "Closed.",
            "start_dttm": "2025-06-19T00:00:00", "end_dttm": "2025-06-19T23:59:59",
            "json_metadata": None})])
    rsps.add("POST", NOTES, json={"id": 8, "result": {}}, status=201, match=[
        matchers.json_params_matcher({
            "short_descr": "Release", "long_descr": None, "start_dttm": "2025-06-04T14:00:00",
            "end_dttm": "2025-06-04T14:00:00", "json_metadata": json.dumps({"ticket": "D-1"})})])
    assert AnnotationLayerHandler().create(ctx, spec) == 4
    assert ctx.ids.id("annotation_layer", spec.name) == 4


def test_a_refused_annotation_removes_the_new_layer(rsps, csrf, ctx):
    spec = AnnotationLayer.model_validate({**SPEC, "annotations": SPEC["annotations"][:1]})
    rsps.add("POST", LAYERS, json={"id": 4, "result": {}}, status=201)
    rsps.add("GET", NOTES, json={"count": 0, "result": []})
    rsps.add("POST", NOTES, status=422, json={"message": {"end_dttm": ["Not a valid datetime."]}})
    rsps.add("GET", NOTES, json={"count": 0, "result": []})  # the delete looks for annotations
    rsps.add("DELETE", f"{LAYERS}4", json={"message": "OK"})
    with pytest.raises(Exception, match="was removed again, nothing is left"):
        AnnotationLayerHandler().create(ctx, spec)


def test_delete_removes_the_annotations_first(rsps, csrf, ctx):
    mock_read(rsps, [])
    rsps.replace("GET", NOTES, json={"count": 2, "result": [{"id": 7}, {"id": 8}]})
    handler = AnnotationLayerHandler()
    ctx.desired = {"annotation_layer": {}}
    live = handler.read(ctx)["US market calendar"]
    rsps.add("DELETE", NOTES, json={"message": "Deleted 2"},
             match=[matchers.query_param_matcher({"q": "!(7,8)"})])
    rsps.add("DELETE", f"{LAYERS}4", json={"message": "OK"})
    handler.delete(ctx, live)
    assert [c.request.method for c in rsps.calls][-3:] == ["GET", "DELETE", "DELETE"]
