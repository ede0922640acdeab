"""Saved queries: list-only read, database names <-> ids, the marker in ``extra_json``."""

from __future__ import annotations

import json
from urllib.parse import unquote_plus as unquote

import pytest

from superset_iac.kinds.saved_query import SavedQueryHandler, marker_of
from superset_iac.model.saved_query import SavedQuery
from superset_iac.plan.diff import compare
from superset_iac.superset.errors import TransientWriteError
from tests.unit.kinds.conftest import API, body, paths

SQ = f"{API}/saved_query/"
SPEC = {"label": "Top symbols", "database": "lakehouse", "schema": "option_ticks_db",
        "description": "For analysts.", "sql": "SELECT symbol FROM v_ticks\n"}
MARK = "superset-iac://saved_query/"


def row(qid, label, marker=None, **fields):
    """A row as the 6.1 list answers with the handler's columns."""
    extra = {"superset_iac": MARK + marker} if marker else {}
    return {"id": qid, "label": label, "description": "For analysts.",
            "sql": "SELECT symbol FROM v_ticks", "schema": "option_ticks_db", "catalog": None,
            "database": {"id": 3, "database_name": "lakehouse"}, "extra": extra, **fields}


@pytest.fixture
def ids() -> dict:
    return {"database": {"lakehouse": 3, "other": 4}}


def test_read_is_one_list_with_the_compared_columns(rsps, ctx):
    rsps.add("GET", SQ, json={"count": 3, "result": [
        row(1, "Top symbols", "Top symbols"), row(2, "By hand"),
        row(3, "Renamed", "Old label")]})
    live = SavedQueryHandler().read(ctx)
    assert len(rsps.calls) == 1
    assert "extra" in rsps.calls[0].request.url and "database.database_name" in rsps.calls[0].request.url
    assert [k for k, v in live.items() if v.managed] == ["Top symbols"]
    assert compare(SavedQuery.model_validate(SPEC), live["Top symbols"]) is None  # SQL stripped
    assert ctx.ids.id("saved_query", "Renamed") == 3


def test_a_shared_label_keeps_the_managed_one_plain(rsps, ctx):
    rsps.add("GET", SQ, json={"count": 3, "result": [
        row(5, "Top symbols"), row(6, "Top symbols", "Top symbols"), row(7, "Top symbols")]})
    live = SavedQueryHandler().read(ctx)
    assert sorted(live) == ["Top symbols", "Top symbols [#5]", "Top symbols [#7]"]
    assert live["Top symbols"].id == 6
    assert [k for k, v in live.items() if v.managed] == ["Top symbols"]


def test_a_second_managed_copy_from_two_applies_at_once_is_managed(rsps, ctx):
    rsps.add("GET", SQ, json={"count": 2, "result": [
        row(5, "Top symbols", "Top symbols"), row(6, "Top symbols", "Top symbols")]})
    live = SavedQueryHandler().read(ctx)
    assert {k: v.managed for k, v in live.items()} == {"Top symbols": True,
                                                       "Top symbols [#6]": True}


def test_a_filtered_read_asks_for_the_named_labels_only(rsps, ctx):
    ctx.desired = {"saved_query": {"Top symbols": SavedQuery.model_validate(SPEC)}}
    ctx.filtered = True
    rsps.add("GET", SQ, json={"count": 0, "result": []})
    assert SavedQueryHandler().read(ctx) == {}
    assert "(col:label,opr:in,value:!('Top symbols'))" in unquote(rsps.calls[0].request.url)


def test_drift_is_field_by_field(rsps, ctx):
    rsps.add("GET", SQ, json={"count": 1, "result": [
        row(1, "Top symbols", "Top symbols", sql="SELECT 1", schema="", description="")]})
    change = compare(SavedQuery.model_validate(SPEC), SavedQueryHandler().read(ctx)["Top symbols"])
    assert {f.path: (f.before, f.after) for f in change.fields} == {
        "description": (None, "For analysts."), "schema": (None, "option_ticks_db"),
        "sql": ("SELECT 1", "SELECT symbol FROM v_ticks")}


def test_create_posts_the_database_id_and_the_marker(rsps, ctx, csrf):
    rsps.add("POST", SQ, json={"id": 9, "result": {}}, status=201)
    assert SavedQueryHandler().create(ctx, SavedQuery.model_validate(SPEC)) == 9
    sent = body(rsps.calls[-1])
    assert sent == {"db_id": 3, "label": "Top symbols", "description": "For analysts.",
                    "catalog": None, "schema": "option_ticks_db",
                    "sql": "SELECT symbol FROM v_ticks\n",
                    "extra_json": json.dumps({"superset_iac": MARK + "Top symbols"})}
    assert marker_of({"extra_json": sent["extra_json"]}) == "Top symbols"
    assert ctx.ids.id("saved_query", "Top symbols") == 9


def test_a_lost_create_answer_is_looked_up_not_posted_again(rsps, ctx, csrf):
    rsps.add("POST", SQ, status=504)
    rsps.add("GET", SQ, json={"count": 2, "result": [
        {"id": 4, "label": "Top symbols", "extra": {}},
        {"id": 8, "label": "Top symbols", "extra": {"superset_iac": MARK + "Top symbols"}}]})
    assert SavedQueryHandler().create(ctx, SavedQuery.model_validate(SPEC)) == 8
    assert "(col:label,opr:eq,value:'Top symbols')" in unquote(rsps.calls[-1].request.url)
    assert [m for m, _ in paths(rsps)].count("POST") == 1


def test_a_lost_create_that_did_not_land_fails(rsps, ctx, csrf):
    rsps.add("POST", SQ, status=504)
    rsps.add("GET", SQ, json={"count": 0, "result": []})
    with pytest.raises(TransientWriteError):
        SavedQueryHandler().create(ctx, SavedQuery.model_validate(SPEC))


def test_update_keeps_other_extra_keys_and_delete_is_by_id(rsps, ctx, csrf):
    rsps.add("GET", SQ, json={"count": 1, "result": [
        row(1, "Top symbols", "Top symbols", sql="SELECT 1") | {
            "extra": {"superset_iac": MARK + "Top symbols", "ui": 1}}]})
    live = SavedQueryHandler().read(ctx)["Top symbols"]
    desired = SavedQuery.model_validate({**SPEC, "database": "other"})
    rsps.add("PUT", f"{SQ}1", json={"id": 1})
    rsps.add("DELETE", f"{SQ}1", json={"message": "OK"})
    handler = SavedQueryHandler()
    handler.update(ctx, compare(desired, live))
    sent = body(rsps.calls[-1])
    assert sent["db_id"] == 4
    assert json.loads(sent["extra_json"]) == {"superset_iac": MARK + "Top symbols", "ui": 1}
    handler.delete(ctx, live)
    assert paths(rsps)[-1] == ("DELETE", "/api/v1/saved_query/1")


def test_the_sql_is_a_query_the_validators_and_lineage_read():
    held = SavedQuery.model_validate({**SPEC, "catalog": "hive_prod"}).queries()
    assert [(q.path, q.text, q.database, q.schema, q.catalog) for q in held] == [
        (("sql",), SPEC["sql"], "lakehouse", "option_ticks_db", "hive_prod")]
