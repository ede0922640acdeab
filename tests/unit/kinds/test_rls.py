"""Row level security: list-only read, names <-> ids, the description marker."""

import pytest
from responses import matchers

from superset_iac.kinds.rls import RlsHandler, split_marker, with_marker
from superset_iac.model.rls import RlsRule
from superset_iac.plan.diff import compare
from tests.unit.kinds.conftest import API

RLS = f"{API}/rowlevelsecurity/"
SPEC = {"name": "analyst_symbol_entitlement", "description": "Analysts see AAPL only.",
        "datasets": ["volume_stats", "option_ticks"], "roles": ["Analyst"], "group_key": "symbol",
        "clause": "symbol IN ('AAPL')"}


def row(rid, name, description, clause="symbol IN ('AAPL')", roles=((6, "Analyst"),)):
    """As the 6.1 list answers without ``columns`` (RLSListSchema)."""
    return {"id": rid, "name": name, "filter_type": "Regular", "clause": clause,
            "group_key": "symbol", "description": description,
            "tables": [{"id": 11, "schema": "option_ticks_db", "table_name": "option_ticks"},
                       {"id": 12, "schema": "option_ticks_db", "table_name": "volume_stats"}],
            "roles": [{"id": i, "name": n} for i, n in roles],
            "changed_by": {"first_name": "a", "id": 1, "last_name": "b"},
            "changed_on_delta_humanized": "now"}


@pytest.fixture
def ids() -> dict:
    return {"dataset": {"option_ticks": 11, "volume_stats": 12},
            "role": {"Analyst": 6, "Viewer": 8}}


def test_marker_round_trip():
    assert with_marker(None, "r") == "superset-iac://rls/r"
    assert with_marker("Text.\n", "r") == "Text.\n\nsuperset-iac://rls/r"
    assert split_marker("Text.\n\nsuperset-iac://rls/r") == ("Text.", "r")
    assert split_marker("superset-iac://rls/r") == (None, "r")
    assert split_marker("plain") == ("plain", None)
    assert split_marker(None) == (None, None)


def test_read_is_one_request_without_columns(rsps, ctx):
    marked = with_marker(SPEC["description"], SPEC["name"])
    rsps.add("GET", RLS, json={"count": 3, "result": [
        row(1, SPEC["name"], marked), row(2, "by_hand", "made in the UI"),
        row(3, "renamed", with_marker("x", "old_name"))]})
    live = RlsHandler().read(ctx)
    assert len(rsps.calls) == 1
    assert "columns" not in rsps.calls[0].request.url  # columns would drop description
    assert [k for k, v in live.items() if v.managed] == [SPEC["name"]]
    assert compare(RlsRule.model_validate(SPEC), live[SPEC["name"]]) is None
    assert live["renamed"].spec.description == "x"


def test_clause_changed_by_hand_is_the_only_drift(rsps, ctx):
    rsps.add("GET", RLS, json={"count": 1, "result": [
        row(1, SPEC["name"], with_marker(SPEC["description"], SPEC["name"]), clause="1 = 1")]})
    change = compare(RlsRule.model_validate(SPEC), RlsHandler().read(ctx)[SPEC["name"]])
    assert [f.to_dict() for f in change.fields] == [
        {"path": "clause", "before": "1 = 1", "after": "symbol IN ('AAPL')"}]


def test_create_and_update_send_ids_and_the_marker(rsps, csrf, ctx):
    body = {"name": SPEC["name"], "filter_type": "Regular", "tables": [11, 12], "roles": [6],
            "group_key": "symbol", "clause": "symbol IN ('AAPL')",
            "description": "Analysts see AAPL only.\n\nsuperset-iac://rls/analyst_symbol_entitlement"}
    rsps.add("POST", RLS, json={"id": 5, "result": {}}, status=201,
             match=[matchers.json_params_matcher(body)])
    handler = RlsHandler()
    spec = RlsRule.model_validate(SPEC)
    assert handler.create(ctx, spec) == 5
    assert ctx.ids.id("rls", SPEC["name"]) == 5

    rsps.add("GET", RLS, json={"count": 1, "result": [row(5, SPEC["name"], body["description"],
                                                          roles=((6, "Analyst"), (8, "Viewer")))]})
    change = compare(spec, handler.read(ctx)[SPEC["name"]])
    assert [f.path for f in change.fields] == ["roles"]
    rsps.add("PUT", f"{RLS}5", json={"result": {}}, match=[matchers.json_params_matcher(body)])
    handler.update(ctx, change)


def test_unknown_dataset_id_falls_back_to_its_table_name(rsps, ctx):
    other = row(1, "x", None)
    other["tables"] = [{"id": 99, "schema": "s", "table_name": "elsewhere"}]
    rsps.add("GET", RLS, json={"count": 1, "result": [other]})
    assert RlsHandler().read(ctx)["x"].spec.datasets == ["elsewhere"]


def test_rule_needs_a_dataset():
    with pytest.raises(Exception, match="at least 1 item"):
        RlsRule.model_validate({**SPEC, "datasets": []})
