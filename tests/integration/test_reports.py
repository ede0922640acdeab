"""Alerts and reports against the production stand-in: the round trip, and a
report and an alert that Superset really runs and delivers.

The production stand-in runs Celery beat (``reports.scheduler`` every
minute) and a worker, with ``ALERT_REPORTS`` on, and relays mail to
127.0.0.1 (``mail_sink.smtp_env``): the ``MailSink`` here receives what the
worker sends. The report is a CSV of a table chart, which needs no browser:
the worker reads the chart's data from the web server as the report's owner
and attaches it; the alert first runs its SQL on the database, and sends
because the value meets its condition. The mail is waited for by polling (every second, at most
``DELIVERY_TIMEOUT``): a ``* * * * *`` schedule fires at the first minute
after it is created, so about a minute of the module's time is the wait.

The tree's names carry a suffix: the session's production Superset is shared.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from superset_iac.apply.engine import Outcome
from superset_iac.load.tree import load_tree
from superset_iac.model.report import Report
from superset_iac.validate import validate_tree
from tests.integration import trees
from tests.integration.mail_sink import Delivered, MailSink
from tests.integration.trees import Api, WrittenTree, fields

pytestmark = pytest.mark.integration

# A minute for the scheduler's tick, plus the worker's run, with room for a busy machine.
DELIVERY_TIMEOUT = 180.0
RECIPIENT = "ops@example.com"


@pytest.fixture(scope="module")
def sink() -> Iterator[MailSink]:
    with MailSink() as server:
        yield server


@pytest.fixture(scope="module")
def server(request, production_superset):
    """The session's production stand-in (this module is in PRODUCTION_ONLY: ids end
    in ``[production]``); only it runs Celery beat."""
    return production_superset


@pytest.fixture(scope="module")
def lakehouse(server, tmp_path_factory) -> Path:
    return Path(trees.own_lakehouse_env(server, tmp_path_factory, "reports")["LAKEHOUSE_PATH"])


class Tree(WrittenTree):
    """A database, a dataset of ticks, a table chart of volume per symbol, its report,
    and an alert on it whose condition holds (the day's volume is above 0)."""

    def __init__(self, root: Path, superset, lakehouse: Path, suffix: str) -> None:
        super().__init__(root, superset, superset.env(lakehouse))
        self.suffix = suffix
        self.chart, self.report = f"Volume per symbol {suffix}", f"Morning volumes {suffix}"
        self.alert = f"Volume traded {suffix}"
        self.write("databases/lake.yaml", f"""\
            name: lake_rp_{suffix}
            uri: duckdb:///${{LAKEHOUSE_PATH}}
            extra: {{engine_params: {{connect_args: {{read_only: true}}}}}}
            """)
        self.write("datasets/ticks.yaml", f"""\
            name: ticks_rp_{suffix}
            database: lake_rp_{suffix}
            schema: option_ticks_db
            sql: SELECT symbol, volume FROM option_ticks_db.bronze_option_ticks
            columns: [{{name: symbol}}, {{name: volume}}]
            metrics: [{{name: total_volume, expression: SUM(volume)}}]
            """)
        self.write("charts/volume.yaml", f"""\
            name: {self.chart}
            dataset: ticks_rp_{suffix}
            viz_type: table
            params:
              query_mode: aggregate
              groupby: [symbol]
              metrics: [total_volume]
              row_limit: 100
              order_desc: true
            time_filter: false
            """)
        self.write_report("* * * * *", [RECIPIENT])
        self.write("reports/alert.yaml", f"""\
            name: {self.alert}
            chart: {self.chart}
            crontab: "* * * * *"
            format: CSV
            email_subject: {self.alert}
            recipients: {{email: [{RECIPIENT}]}}
            alert:
              database: lake_rp_{suffix}
              sql: SELECT SUM(volume) FROM option_ticks_db.bronze_option_ticks
              condition: {{op: ">", threshold: 0}}
            """)

    def write_report(self, crontab: str, email: list[str]) -> None:
        self.write("reports/volumes.yaml", f"""\
            name: {self.report}
            description: Volumes per symbol, for Ops.
            chart: {self.chart}
            crontab: "{crontab}"
            timezone: Europe/Zurich
            format: CSV
            email_subject: {self.report}
            recipients:
              email: [{", ".join(email)}]
            """)


@pytest.fixture(scope="module")
def tree(server, lakehouse, tmp_path_factory) -> Iterator[Tree]:
    tree = Tree(tmp_path_factory.mktemp("reports") / "assets", server, lakehouse,
                uuid.uuid4().hex[:8])
    yield tree
    # The schedule fires every minute: remove it from the shared Superset.
    api = Api(server)
    for row in api.get("report/")["result"]:
        if row["name"] in (tree.report, tree.alert):
            api.call("DELETE", f"report/{row['id']}")


@pytest.fixture(scope="module")
def applied(tree: Tree, sink: MailSink) -> Tree:
    plan = tree.diff()
    assert [(c.action.value, c.kind) for c in plan.changes] == [
        ("create", "database"), ("create", "dataset"), ("create", "chart"), ("create", "report"),
        ("create", "report")]
    report = tree.apply(plan)
    assert [e.outcome for e in report.events] == [Outcome.CREATED] * 5
    return tree


def report_row(tree: Tree, name: str = "") -> dict:
    return next(r for r in Api(tree.superset).get("report/")["result"]
                if r["name"] == (name or tree.report))


def test_the_report_is_stored_as_written(applied: Tree) -> None:
    api = Api(applied.superset)
    stored = api.call("GET", f"report/{report_row(applied)['id']}")["result"]
    assert (stored["type"], stored["crontab"], stored["timezone"], stored["report_format"]) == (
        "Report", "* * * * *", "Europe/Zurich", "CSV")
    assert stored["chart"]["slice_name"] == applied.chart
    assert stored["description"].endswith(f"\n\nsuperset-iac://report/{applied.report}")
    (recipient,) = stored["recipients"]
    assert recipient["type"] == "Email" and RECIPIENT in recipient["recipient_config_json"]
    # Superset's defaults, as the spec's.
    assert (stored["working_timeout"], stored["grace_period"], stored["log_retention"]) == (
        3600, 14400, 90)
    alert = api.call("GET", f"report/{report_row(applied, applied.alert)['id']}")["result"]
    assert (alert["type"], alert["validator_type"], alert["database"]["database_name"]) == (
        "Alert", "operator", f"lake_rp_{applied.suffix}")
    assert alert["sql"] == "SELECT SUM(volume) FROM option_ticks_db.bronze_option_ticks"


def test_second_diff_is_empty_and_apply_writes_nothing(applied: Tree) -> None:
    again = applied.diff()
    assert not again.has_changes, fields(again)
    assert again.unchanged["report"] == 2
    applied.apply(again)
    assert applied.writes() == []


def delivered_rows(sink: MailSink, tree: Tree, name: str) -> list[tuple[str, float]]:
    """The CSV rows of the mail ``name`` sent (waited for), with its envelope checked."""
    api = Api(tree.superset)
    report_id = report_row(tree, name)["id"]

    def log() -> str:
        rows = api.call("GET", f"report/{report_id}/log/", q="(page_size:5)")["result"]
        return f"{name}: execution log: " + "; ".join(
            f"{r['state']} {r.get('error_message') or ''}".strip() for r in rows)

    mail: Delivered = sink.wait_for(lambda m: m.subject.endswith(name), DELIVERY_TIMEOUT, log)
    assert mail.rcpt_tos == [RECIPIENT]
    (file_name, data), = mail.attachments().items()
    assert file_name.endswith(".csv")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["symbol", "total_volume"]
    return sorted((symbol, float(total)) for symbol, total in rows[1:])


def test_the_report_and_the_alert_are_delivered_with_the_charts_rows(
        applied: Tree, sink: MailSink, lakehouse: Path) -> None:
    with duckdb.connect(str(lakehouse), read_only=True) as con:
        expected = con.execute("SELECT symbol, SUM(volume) FROM option_ticks_db.bronze_option_ticks "
                               "GROUP BY symbol").fetchall()
    rows = sorted((symbol, float(total)) for symbol, total in expected)
    assert len(rows) >= 2
    # Both run at the same minute: the second wait is short.
    assert delivered_rows(sink, applied, applied.report) == rows
    assert delivered_rows(sink, applied, applied.alert) == rows


def test_drift_by_hand_is_shown_and_apply_restores_it(applied: Tree) -> None:
    api = Api(applied.superset)
    report_id = report_row(applied)["id"]
    # As an Admin would in the UI: another schedule, one more reader.
    api.put(f"report/{report_id}", {"crontab": "0 7 * * *", "recipients": [
        {"type": "Email", "recipient_config_json": {
            "target": f"{RECIPIENT},someone@elsewhere.example"}}]})
    plan = applied.diff()
    assert fields(plan) == [
        (f"report/{applied.report}", "crontab", "0 7 * * *", "* * * * *"),
        (f"report/{applied.report}", "recipients.email",
         [RECIPIENT, "someone@elsewhere.example"], [RECIPIENT])]
    applied.apply(plan)
    assert applied.writes() == [("PUT", f"/api/v1/report/{report_id}")]
    assert not applied.diff().has_changes


def test_export_writes_the_report_as_the_tree_has_it(applied: Tree, tmp_path: Path) -> None:
    root = trees.new_tree(tmp_path / "exported", "test")
    env = applied.environ
    first = trees.export_json(root, env, "--reports")
    written = {f["path"] for f in first["files"]}
    assert any("reports/" in p for p in written), written
    exported = load_tree(root)
    assert not validate_tree(exported).has_errors(), validate_tree(exported).render_text()
    for name in (applied.report, applied.alert):
        ours, theirs = load_tree(applied.root).get("report", name), exported.get("report", name)
        assert isinstance(ours, Report) and isinstance(theirs, Report)
        assert theirs.compared() == ours.compared()
    before = trees.snapshot(root)
    again = trees.export_json(root, env, "--reports")
    assert {f["action"] for f in again["files"]} == {"unchanged"}
    assert trees.snapshot(root) == before
