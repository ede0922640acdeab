"""Tags: custom tags only, membership from one get_objects read, names <-> ids."""

from __future__ import annotations

from urllib.parse import unquote_plus

import pytest

from superset_iac.kinds.markers import with_marker
from superset_iac.kinds.rest import WriteFailed
from superset_iac.kinds.tag import TagHandler
from superset_iac.model.tag import Tag
from superset_iac.plan.diff import compare
from tests.unit.kinds.conftest import API, body, paths

TAGS = f"{API}/tag/"
OBJECTS = f"{API}/tag/get_objects/"
SPEC = {"name": "gold", "description": "Aggregates.", "dashboards": ["market"],
        "charts": ["Volume", "Price"], "saved_queries": ["Top symbols"]}


def tag_row(tid, name, description=None):
    return {"id": tid, "name": name, "type": 1, "description": description}


def tagged(type_, oid, *tags):
    """An object as get_objects answers: with *all* its tags, system ones included."""
    return {"type": type_, "id": oid, "name": f"{type_} {oid}",
            "tags": [{"id": 1, "name": "owner:1", "type": "TagType.owner"}]
            + [{"id": t, "name": f"t{t}", "type": "TagType.custom"} for t in tags]}


@pytest.fixture
def ids() -> dict:
    return {"dashboard": {"market": 7}, "chart": {"Price": 21, "Volume": 22, "Other": 23},
            "saved_query": {"Top symbols": 5}}


def read(rsps, ctx, rows, objects):
    rsps.add("GET", TAGS, json={"count": len(rows), "result": rows})
    if rows:
        rsps.add("GET", OBJECTS, json={"result": objects})
    return TagHandler().read(ctx)


def test_read_is_a_custom_tag_list_and_one_membership_read(rsps, ctx):
    live = read(rsps, ctx, [tag_row(10, "gold", with_marker("tag", "Aggregates.", "gold")),
                            tag_row(11, "by_hand", "made in the UI")],
                [tagged("dashboard", 7, 10), tagged("chart", 21, 10, 11), tagged("chart", 22, 10),
                 tagged("query", 5, 10), tagged("dataset", 3, 10), tagged("chart", 99, 11)])
    assert len(rsps.calls) == 2
    assert "(col:type,opr:custom_tag,value:!t)" in unquote_plus(rsps.calls[0].request.url)
    assert rsps.calls[1].request.params == {"tagIds": "10,11"}
    assert [k for k, v in live.items() if v.managed] == ["gold"]
    assert compare(Tag.model_validate(SPEC), live["gold"]) is None
    # a chart the run did not read is named by its id: a member to take off
    assert live["by_hand"].spec.charts == ["#99", "Price"]


def test_no_tags_means_no_membership_read(rsps, ctx):
    # get_objects without ids answers every tagged object of the server
    assert read(rsps, ctx, [], []) == {}
    assert len(rsps.calls) == 1


def test_a_member_tagged_by_hand_is_drift(rsps, ctx):
    live = read(rsps, ctx, [tag_row(10, "gold", with_marker("tag", "Aggregates.", "gold"))],
                [tagged("dashboard", 7, 10), tagged("chart", 21, 10), tagged("chart", 22, 10),
                 tagged("chart", 23, 10), tagged("query", 5, 10)])
    change = compare(Tag.model_validate(SPEC), live["gold"])
    assert [(f.path, f.before, f.after) for f in change.fields] == [
        ("charts", ["Other", "Price", "Volume"], ["Price", "Volume"])]


def test_a_filtered_read_asks_for_the_named_tags(rsps, ctx):
    ctx.desired = {"tag": {"gold": Tag.model_validate(SPEC)}}
    ctx.filtered = True
    rsps.add("GET", TAGS, json={"count": 0, "result": []})
    assert TagHandler().read(ctx) == {}
    url = unquote_plus(rsps.calls[0].request.url)
    assert "(col:type,opr:custom_tag,value:!t),(col:name,opr:in,value:!(gold))" in url


def test_create_posts_the_members_by_id_then_finds_the_new_id(rsps, ctx, csrf):
    rsps.add("POST", TAGS, json={}, status=201)
    rsps.add("GET", TAGS, json={"count": 1, "result": [{"id": 12, "name": "gold"}]})
    assert TagHandler().create(ctx, Tag.model_validate(SPEC)) == 12
    assert body(rsps.calls[1]) == {
        "name": "gold", "description": "Aggregates.\n\nsuperset-iac://tag/gold",
        "objects_to_tag": [["dashboard", 7], ["chart", 21], ["chart", 22], ["query", 5]]}
    assert "(col:name,opr:eq,value:gold)" in unquote_plus(rsps.calls[2].request.url)
    assert ctx.ids.id("tag", "gold") == 12


def test_a_create_that_lists_nothing_fails(rsps, ctx, csrf):
    rsps.add("POST", TAGS, json={}, status=201)
    rsps.add("GET", TAGS, json={"count": 0, "result": []})
    with pytest.raises(WriteFailed, match="no custom tag 'gold' is listed"):
        TagHandler().create(ctx, Tag.model_validate(SPEC))


def test_a_lost_create_answer_that_landed_is_adopted(rsps, ctx, csrf):
    rsps.add("POST", TAGS, status=503)
    rsps.add("GET", TAGS, json={"count": 1, "result": [{"id": 12, "name": "gold"}]})
    assert TagHandler().create(ctx, Tag.model_validate(SPEC)) == 12
    assert [m for m, _ in paths(rsps)].count("POST") == 1


def test_update_sends_the_whole_membership_and_keeps_dataset_members(rsps, ctx, csrf):
    live = read(rsps, ctx, [tag_row(10, "gold", "hand")],
                [tagged("chart", 23, 10), tagged("dataset", 3, 10)])["gold"]
    rsps.add("PUT", f"{TAGS}10", json={"id": 10})
    TagHandler().update(ctx, compare(Tag.model_validate({"name": "gold"}), live))
    assert body(rsps.calls[-1]) == {"name": "gold", "description": "superset-iac://tag/gold",
                                    "objects_to_tag": [["dataset", 3]]}


def test_delete_is_by_name_so_memberships_go_with_it(rsps, ctx, csrf):
    live = read(rsps, ctx, [tag_row(10, "gold", with_marker("tag", None, "gold"))], [])["gold"]
    rsps.add("DELETE", TAGS, json={"message": "Deleted 1 tags"})
    TagHandler().delete(ctx, live)
    assert unquote_plus(rsps.calls[-1].request.url).endswith("/api/v1/tag/?q=!(gold)")
