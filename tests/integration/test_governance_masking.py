"""No raw PII reaches a non-privileged role, whichever way it asks.

Each test runs on both warehouses (``[duckdb]``, ``[trino]``). The raw values
are read from the warehouse itself (the DuckDB file read-only; Trino as the
tool's user):
every account id, trader id and e-mail of the raw ticks and every user
e-mail of the raw logs. Then, as a user of each role: every chart of the
dashboard (full data, samples, the query), every dataset the role can list
(detail, all its columns, samples, the filter values of each column),
crafted chart queries, and SQL Lab queries aimed at the raw tables — no
answer contains any of those values. Admin, who may, does see them through
the raw control dataset: proof that the probes would catch a leak.

SQL Lab grants a table to whoever may use a dataset *of its name*, whatever
that dataset reads: a log dataset named ``app_logs`` (over the masking view)
once let Developer, who has SQL Lab, read the raw ``logs_db.app_logs``.
Validate reports that (G001); the dataset is now ``app_log_events``, granted
to every role the dashboard shows it to.

Last, validation refuses (exit 1, file and line) a copy of ``assets/`` changed
in one place so that it would expose a raw table.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest

from tests.integration.governance_helpers import (STAND_INS, RAW_DASHBOARD, RAW_TICKS, ROOT, Governed,
                                                   RoleSession, governed_on, leaked,
                                                   query_lakehouse, raw_pii, run_cli,
                                                   sql_body)

NON_ADMIN = ("Analyst", "Developer", "Ops", "Viewer")
SQL_LAB_ROLES = ("Analyst", "Developer")
SUBQUERY = f"(SELECT max(trader_email) FROM {RAW_TICKS})"
CRAFTED = {  # chart data queries on the masked option_ticks dataset, aimed at the raw table
    "raw column": {"columns": ["account_id", "trader_email"]},
    "adhoc column subquery": {"columns": [
        {"expressionType": "SQL", "sqlExpression": SUBQUERY, "label": "x"}]},
    "adhoc metric subquery": {"columns": ["symbol"], "metrics": [
        {"expressionType": "SQL", "sqlExpression": f"max({SUBQUERY})", "label": "m"}]},
    "where subquery": {"columns": ["symbol"], "extras": {"where": f"symbol <> {SUBQUERY}"}},
    "having subquery": {"columns": ["symbol"], "metrics": ["tick_count"],
                        "extras": {"having": f"max(symbol) <> {SUBQUERY}"}},
}
RAW_SQL = [
    f"SELECT account_id, trader_id, trader_email FROM {RAW_TICKS}",
    'SELECT * FROM "option_ticks_db"."bronze_option_ticks"',
    (f"WITH mv_daily_stats AS (SELECT trader_email AS symbol FROM {RAW_TICKS}) "
     "SELECT * FROM mv_daily_stats"),
    f"SELECT symbol FROM option_ticks_db.mv_daily_stats UNION ALL SELECT trader_email FROM {RAW_TICKS}",
    f"SELECT symbol, {SUBQUERY} AS x FROM option_ticks_db.mv_daily_stats",
    "SELECT payload FROM logs_db.app_logs",
]
RAW_SQL_OF = {  # each warehouse's own ways to name the raw table
    "duckdb": [f"SELECT * FROM lakehouse.{RAW_TICKS}",
               f"SELECT * FROM query('SELECT account_id FROM {RAW_TICKS}')",
               f"FROM {RAW_TICKS} SELECT trader_email"],
    "trino": [f"SELECT * FROM hive_prod.{RAW_TICKS}",
              f"SELECT trader_email FROM (SELECT * FROM {RAW_TICKS}) AS t"],
}


@pytest.fixture(scope="module", params=STAND_INS)
def gov(request, tmp_path_factory) -> Governed:
    return governed_on(request, tmp_path_factory)


@pytest.fixture(scope="module")
def pii(gov) -> set[str]:
    values = raw_pii(gov.lakehouse)
    assert len(values) > 30 and any("@" in v for v in values)
    return values


class Probe:
    """Collects every answer a user got, to search them all at once."""

    def __init__(self, user: RoleSession) -> None:
        self.user = user
        self.answers: list[tuple[str, int, str]] = []

    def post(self, what: str, path: str, body: dict) -> int:
        answer = self.user.post(path, body)
        self.answers.append((what, answer.status_code, answer.text))
        return answer.status_code

    def get(self, what: str, path: str, **params: str) -> int:
        answer = self.user.get(path, **params)
        self.answers.append((what, answer.status_code, answer.text))
        return answer.status_code

    def leaks(self, values: set[str]) -> dict[str, set[str]]:
        return {what: found for what, _, text in self.answers if (found := leaked(text, values))}

    def answered(self) -> list[str]:
        """What came back with rows (so the search above searched something)."""
        return [what for what, status, text in self.answers
                if status == 200 and re.search(r'"(data|result)": ?\[\{', text)]


@pytest.mark.parametrize("role", NON_ADMIN)
def test_no_chart_answers_a_non_privileged_role_with_raw_pii(gov, pii, role):
    probe = Probe(gov.as_role(role))
    dashboard_id, charts = gov.dashboard("lakehouse-analytics")
    for chart in charts:
        for kind in ("full", "samples", "query"):
            probe.post(f"{chart.name} {kind}", "chart/data",
                       chart.request(dashboard_id, result_type=kind))
    raw_id, (raw_chart,) = gov.dashboard(RAW_DASHBOARD)
    assert probe.post("raw control chart", "chart/data", raw_chart.request(raw_id)) == 403
    assert probe.leaks(pii) == {}
    assert len(probe.answered()) >= len(charts) * 2, probe.answered()


@pytest.mark.parametrize("role", NON_ADMIN)
def test_no_dataset_answers_a_non_privileged_role_with_raw_pii(gov, pii, role):
    user = gov.as_role(role)
    probe = Probe(user)
    ids = gov.dataset_ids()
    visible = user.listed("dataset", "table_name")
    assert visible == set(gov.role(role).data_access.datasets)
    for name in sorted(visible):
        dataset_id = ids[name]
        assert probe.get(f"{name} detail", f"dataset/{dataset_id}") == 200
        columns = [c["column_name"] for c in user.get(f"dataset/{dataset_id}").json()
                   ["result"]["columns"]]
        datasource = {"id": dataset_id, "type": "table"}
        for kind in ("full", "samples"):
            probe.post(f"{name} all columns {kind}", "chart/data", {
                "datasource": datasource, "result_type": kind, "result_format": "json",
                "queries": [{"columns": columns, "row_limit": 100000}]})
        probe.post(f"{name} samples", f"/datasource/samples?datasource_id={dataset_id}"
                   "&datasource_type=table", {})
        for column in columns:
            probe.get(f"{name}.{column} values",
                      f"datasource/table/{dataset_id}/column/{column}/values/")
    assert probe.leaks(pii) == {}
    assert len(probe.answered()) >= 2 * len(visible), probe.answered()


@pytest.mark.parametrize("probe_name", sorted(CRAFTED))
def test_crafted_chart_queries_on_a_masked_dataset_never_reach_the_raw_table(gov, pii, probe_name):
    probe = Probe(gov.as_role("Analyst"))
    status = probe.post(probe_name, "chart/data", {
        "datasource": {"id": gov.dataset_ids()["option_ticks"], "type": "table"},
        "result_type": "full", "result_format": "json",
        "queries": [{**CRAFTED[probe_name], "row_limit": 1000}]})
    assert status in (400, 403), probe.answers[-1][2][:300]
    assert probe.leaks(pii) == {}


@pytest.mark.parametrize("role", SQL_LAB_ROLES)
def test_sql_lab_never_answers_raw_pii_to_a_role_with_sql_lab(gov, pii, role):
    assert "sql_lab" in gov.role(role).extends
    probe = Probe(gov.as_role(role))
    database_id = gov.database_id()
    statuses = {sql: probe.post(sql, "sqllab/execute/", sql_body(database_id, sql))
                for sql in RAW_SQL + RAW_SQL_OF[gov.warehouse]}
    if gov.warehouse == "duckdb":  # another connection to the same file
        attach = (f"ATTACH '{gov.lakehouse}' AS copy; "
                  f"SELECT trader_email FROM copy.{RAW_TICKS}")
        statuses[attach] = probe.post("attach", "sqllab/execute/", sql_body(database_id, attach))
    assert {sql: s for sql, s in statuses.items() if s == 200} == {}
    assert all("TABLE_SECURITY_ACCESS_ERROR" in text for _, _, text in probe.answers), [
        (what, text[:200]) for what, _, text in probe.answers
        if "TABLE_SECURITY_ACCESS_ERROR" not in text]
    allowed = probe.post("control", "sqllab/execute/",
                         sql_body(database_id, "SELECT * FROM option_ticks_db.mv_daily_stats"))
    assert allowed == 200 and probe.answered() == ["control"]
    assert probe.leaks(pii) == {}


def test_admin_does_see_raw_values_through_the_raw_dataset(gov, pii):
    """The control: the same probes find raw values where a role may read them."""
    ticks = {v for row in query_lakehouse(
        gov.lakehouse, f"SELECT DISTINCT account_id, trader_id, trader_email FROM {RAW_TICKS}")
        for v in row}
    probe = Probe(gov.as_role("Admin"))
    raw_id, (raw_chart,) = gov.dashboard(RAW_DASHBOARD)
    assert probe.post("raw control chart", "chart/data", raw_chart.request(raw_id)) == 200
    assert probe.leaks(pii)["raw control chart"] == ticks
    sql = f"SELECT DISTINCT trader_email FROM {RAW_TICKS}"
    assert probe.post("sql lab", "sqllab/execute/",
                      sql_body(gov.database_id(gov.raw_database), sql)) == 200
    assert probe.leaks(pii)["sql lab"] == {v for v in ticks if "@" in v}


# -- validation, offline --------------------------------------------------------------

DATASETS_LINE = "  datasets: [option_ticks, volume_stats, mv_daily_stats, app_log_events]\n"
EXPOSURES = {  # one change to assets/ (everywhere in the files the glob matches)
    #            -> (code, file reported, its line holding, roles named)
    "a dataset moved onto the raw table": (
        ("datasets/option_ticks.yaml", "FROM option_ticks_db.v_option_ticks_masked",
         f"FROM {RAW_TICKS}"),
        ("G001", "datasets/option_ticks.yaml", "sql:", {"Analyst", "Developer", "Ops", "Viewer"})),
    "schema access covering the raw table": (
        ("roles/analyst.yaml", DATASETS_LINE,
         DATASETS_LINE + "  schemas: [lakehouse.option_ticks_db]\n"),
        ("G002", "roles/analyst.yaml", "schemas:", set())),
    "SQL Lab and a dataset named like the raw logs table": (
        ("*/*.yaml", "app_log_events", "app_logs"),  # the dataset, its chart, its grants
        ("G001", "datasets/app_log_events.yaml", "name:", {"Analyst", "Developer"})),
}


@pytest.mark.parametrize("case", sorted(EXPOSURES))
def test_validate_refuses_a_tree_exposing_a_raw_table_naming_file_and_line(tmp_path, case):
    (pattern, old, new), (code, reported, holding, roles) = EXPOSURES[case]
    tree = tmp_path / "assets"
    shutil.copytree(ROOT / "assets", tree)
    changed = [path for path in tree.glob(pattern) if old in path.read_text()]
    assert changed
    for path in changed:
        path.write_text(path.read_text().replace(old, new))
    result = run_cli("validate", "--assets", tree, "--format", "json", env={})
    assert result.exit_code == 1, result.output
    found = [d for d in json.loads(result.stdout)["diagnostics"] if d["severity"] == "error"]
    line = next(i for i, row in enumerate((tree / reported).read_text().splitlines(), 1)
                if holding in row)
    assert {(d["code"], d["pos"]["file"], d["pos"]["line"]) for d in found} == {
        (code, f"{tree}/{reported}", line)}
    assert {m.group(1) for d in found if (m := re.search(r"role '(\w+)'", d["message"]))} == roles
    text_run = run_cli("validate", "--assets", tree, env={})
    assert text_run.exit_code == 1 and f"{tree}/{reported}:{line}:" in text_run.stdout
