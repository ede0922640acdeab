"""Alerts and reports: list then detail, names <-> ids, recipients, the marker,
and the payloads Superset 6.1's report API takes."""

from __future__ import annotations

import json

import pytest
from responses import matchers

from superset_iac.errors import ConfigError
from superset_iac.kinds.markers import split_marker, with_marker
from superset_iac.kinds.report import ReportHandler, recipients_payload
from superset_iac.model.report import Recipients, Report
from superset_iac.plan.diff import compare
from tests.unit.kinds.conftest import API

REPORT = f"{API}/report/"
SPEC = {"name": "Morning market report", "description": "For Ops.",
        "chart": "Daily statistics", "crontab": "0 6 * * mon-fri", "timezone": "UTC",
        "format": "CSV", "email_subject": "Lakehouse: daily statistics",
        "recipients": {"email": ["ops@example.com", "desk@example.com"],
                       "cc": ["lead@example.com"], "slack": ["#ops-alerts"]}}
ALERT = {"name": "Volume spike", "dashboard": "lakehouse-analytics", "crontab": "*/15 * * * *",
         "recipients": {"email": ["ops@example.com"]},
         "alert": {"database": "lakehouse", "sql": "SELECT MAX(volume) FROM t\n",
                   "condition": {"op": ">", "threshold": 1000}}}
MARKED = with_marker("report", "For Ops.", SPEC["name"])


@pytest.fixture
def ids() -> dict:
    return {"chart": {"Daily statistics": 41}, "dashboard": {"lakehouse-analytics": 7},
            "database": {"lakehouse": 1}}


def list_row(rid: int, name: str, description: str | None, type_: str = "Report") -> dict:
    """A row as the 6.1 list answers with the columns the handler asks for."""
    return {"id": rid, "name": name, "type": type_, "description": description,
            "active": True, "crontab": "0 6 * * mon-fri", "timezone": "UTC",
            "chart_id": 41, "dashboard_id": None}


def detail(rid: int = 3, **changes) -> dict:
    """``GET report/<id>`` (show_columns): related objects nested, JSON as strings."""
    result = {
        "id": rid, "name": SPEC["name"], "type": "Report", "description": MARKED,
        "active": True, "crontab": "0 6 * * mon-fri", "timezone": "UTC",
        "chart": {"id": 41, "slice_name": "Daily statistics", "viz_type": "pivot_table_v2"},
        "dashboard": None, "database": None, "report_format": "CSV",
        "email_subject": "Lakehouse: daily statistics", "context_markdown": None,
        "creation_method": "alerts_reports", "custom_width": None, "extra": {},
        "force_screenshot": False, "grace_period": 14400, "working_timeout": 3600,
        "log_retention": 90, "last_state": "Not triggered", "last_eval_dttm": None,
        "last_value": None, "last_value_row_json": None, "sql": None,
        "validator_type": None, "validator_config_json": "{}",
        "owners": [{"id": 1, "first_name": "a", "last_name": "b", "email": "a@b.c"}],
        "recipients": [
            {"id": 8, "type": "Email", "recipient_config_json": json.dumps(
                {"target": "desk@example.com,ops@example.com", "ccTarget": "lead@example.com"})},
            {"id": 9, "type": "Slack", "recipient_config_json": json.dumps(
                {"target": "ops-alerts"})}]}
    result.update(changes)
    return {"id": rid, "result": result}


def test_marker_names_the_report():
    assert MARKED == "For Ops.\n\nsuperset-iac://report/Morning market report"
    assert split_marker("report", MARKED) == ("For Ops.", SPEC["name"])
    assert split_marker("rls", MARKED) == (MARKED, None)  # another kind's marker is no marker


def test_read_is_the_list_then_the_detail_of_what_the_run_compares(rsps, ctx):
    ctx.desired = {"report": {SPEC["name"]: Report.model_validate(SPEC)}}
    rsps.add("GET", REPORT, json={"count": 2, "result": [
        list_row(3, SPEC["name"], MARKED), list_row(4, "By hand", "made in the UI")]})
    rsps.add("GET", f"{REPORT}3", json=detail())
    live = ReportHandler().read(ctx)
    assert len(rsps.calls) == 2  # the list, one detail; nothing for the report made by hand
    assert [k for k, v in live.items() if v.managed] == [SPEC["name"]]
    assert compare(Report.model_validate(SPEC), live[SPEC["name"]]) is None
    assert live["By hand"].spec.description == "made in the UI"


def test_drift_in_recipients_and_schedule_is_shown_field_by_field(rsps, ctx):
    ctx.desired = {"report": {SPEC["name"]: Report.model_validate(SPEC)}}
    rsps.add("GET", REPORT, json={"count": 1, "result": [list_row(3, SPEC["name"], MARKED)]})
    rsps.add("GET", f"{REPORT}3", json=detail(crontab="0 7 * * *", recipients=[
        {"id": 8, "type": "Email", "recipient_config_json": json.dumps(
            {"target": "ops@example.com,someone@elsewhere.example"})}]))
    change = compare(Report.model_validate(SPEC), ReportHandler().read(ctx)[SPEC["name"]])
    assert [f.path for f in change.fields] == [
        "crontab", "recipients.email", "recipients.cc", "recipients.slack"]
    assert change.fields[1].before == ["ops@example.com", "someone@elsewhere.example"]


def test_create_sends_names_as_ids_recipients_and_the_marker(rsps, csrf, ctx):
    body = {"type": "Report", "name": SPEC["name"], "description": MARKED,
            "crontab": "0 6 * * mon-fri", "timezone": "UTC", "report_format": "CSV",
            "active": True, "creation_method": "alerts_reports", "chart": 41,
            "dashboard": None, "email_subject": "Lakehouse: daily statistics",
            "recipients": [
                {"type": "Email", "recipient_config_json": {
                    "target": "ops@example.com,desk@example.com", "ccTarget": "lead@example.com"}},
                {"type": "Slack", "recipient_config_json": {"target": "ops-alerts"}}],
            "working_timeout": 3600, "grace_period": 14400, "log_retention": 90,
            "force_screenshot": False}
    rsps.add("POST", REPORT, json={"id": 3, "result": {}}, status=201,
             match=[matchers.json_params_matcher(body)])
    assert ReportHandler().create(ctx, Report.model_validate(SPEC)) == 3
    assert ctx.ids.id("report", SPEC["name"]) == 3


def test_an_alert_sends_its_database_sql_and_validator(ctx):
    payload = ReportHandler().to_payload(ctx, Report.model_validate(ALERT))
    assert payload["type"] == "Alert" and payload["dashboard"] == 7 and payload["chart"] is None
    assert payload["database"] == 1 and payload["sql"] == "SELECT MAX(volume) FROM t"
    assert payload["validator_type"] == "operator"
    assert payload["validator_config_json"] == {"op": ">", "threshold": 1000.0}
    not_null = {**ALERT, "alert": {**ALERT["alert"], "condition": "not null"}}
    payload = ReportHandler().to_payload(ctx, Report.model_validate(not_null))
    assert (payload["validator_type"], payload["validator_config_json"]) == ("not null", {})


def test_an_alert_reads_back_equal(rsps, ctx):
    ctx.desired = {"report": {ALERT["name"]: Report.model_validate(ALERT)}}
    marked = with_marker("report", None, ALERT["name"])
    rsps.add("GET", REPORT, json={"count": 1, "result": [
        list_row(5, ALERT["name"], marked, "Alert")]})
    rsps.add("GET", f"{REPORT}5", json=detail(
        5, name=ALERT["name"], type="Alert", description=marked, crontab="*/15 * * * *",
        chart=None, dashboard={"id": 7, "dashboard_title": "Lakehouse Analytics"},
        database={"id": 1, "database_name": "lakehouse"}, report_format="PNG",
        email_subject=None, sql="SELECT MAX(volume) FROM t", validator_type="operator",
        validator_config_json='{"op": ">", "threshold": 1000.0}',
        recipients=[{"id": 1, "type": "Email",
                     "recipient_config_json": '{"target": "ops@example.com"}'}]))
    live = ReportHandler().read(ctx)[ALERT["name"]]
    assert compare(Report.model_validate(ALERT), live) is None


def test_an_alert_turned_report_clears_what_only_alerts_have(rsps, ctx):
    rsps.add("GET", REPORT, json={"count": 1, "result": [list_row(3, SPEC["name"], MARKED)]})
    ctx.desired = {"report": {SPEC["name"]: Report.model_validate(SPEC)}}
    rsps.add("GET", f"{REPORT}3", json=detail())
    live = ReportHandler().read(ctx)[SPEC["name"]]
    payload = ReportHandler().to_payload(ctx, Report.model_validate(SPEC), live)
    assert (payload["database"], payload["sql"], payload["validator_type"]) == (None, None, None)
    assert "database" not in ReportHandler().create_payload(ctx, Report.model_validate(SPEC))


def test_a_server_without_alert_reports_is_a_clear_error_only_when_the_tree_has_reports(rsps, ctx):
    rsps.add("GET", REPORT, status=404, json={"message": "Not found"})
    assert ReportHandler().read(ctx) == {}  # export --all, prune: nothing to read there
    ctx.desired = {"report": {SPEC["name"]: Report.model_validate(SPEC)}}
    with pytest.raises(ConfigError, match="ALERT_REPORTS feature flag is off"):
        ReportHandler().read(ctx)


def test_a_lost_create_is_found_by_its_marker(rsps, ctx):
    rsps.add("GET", REPORT, json={"count": 2, "result": [
        list_row(4, SPEC["name"], "same name, made by hand"), list_row(9, SPEC["name"], MARKED)]})
    assert ReportHandler().landed(ctx, SPEC["name"]) == 9


def test_an_alert_and_a_report_of_one_name_get_distinct_keys(ctx):
    rows = [list_row(1, "Daily", None), list_row(2, "Daily", None, "Alert")]
    assert ReportHandler().keys(ctx, rows) == ["Daily", "Daily [Alert]"]


def test_recipients_payload_has_one_recipient_per_type():
    assert recipients_payload(Recipients(slack=["#a", "b"])) == [
        {"type": "Slack", "recipient_config_json": {"target": "a,b"}}]
    assert recipients_payload(Recipients(email=["x@example.com"])) == [
        {"type": "Email", "recipient_config_json": {"target": "x@example.com"}}]


def test_prune_deletes_only_the_managed_report(rsps, ctx):
    from superset_iac.plan.diff import plan

    rsps.add("GET", REPORT, json={"count": 3, "result": [
        list_row(3, SPEC["name"], MARKED), list_row(4, "By hand", "made in the UI"),
        list_row(5, "Renamed", with_marker("report", None, "Old name"))]})
    ctx.desired = {"report": {}}  # the tree has none: nothing compared, no detail read
    live = {"report": ReportHandler().read(ctx)}
    assert len(rsps.calls) == 1
    changes = plan({"report": {}}, live, prune=True).changes
    assert [(c.action.value, c.ref) for c in changes] == [("delete", f"report/{SPEC['name']}")]


def test_export_writes_what_was_read_without_defaults(rsps, ctx):
    from superset_iac.export.content import fresh

    ctx.desired = None  # export: every detail
    rsps.add("GET", REPORT, json={"count": 1, "result": [list_row(3, SPEC["name"], MARKED)]})
    rsps.add("GET", f"{REPORT}3", json=detail())
    live = ReportHandler().read(ctx)[SPEC["name"]]
    written = fresh(live.spec).data
    assert written == {
        "name": SPEC["name"], "description": "For Ops.", "chart": "Daily statistics",
        "crontab": "0 6 * * mon-fri", "format": "CSV",
        "recipients": {"email": ["desk@example.com", "ops@example.com"],
                       "cc": ["lead@example.com"], "slack": ["ops-alerts"]},
        "email_subject": "Lakehouse: daily statistics"}
    assert compare(Report.model_validate(written), live) is None
