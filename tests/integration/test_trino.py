"""The production path on a real Trino 476: the team's ``assets/`` with the
``local-trino`` environment, a Superset of this module's own over it.

Trino (the session's ``trino_server``, devstack/trino.py) holds the sample
lakehouse in the Iceberg catalog ``hive_prod`` with file-based access
control: the tool's user ``superset_iac`` owns the views and reads the raw
tables, Superset's user ``superset`` may read the views only. The Superset is
this module's own (its database is the Trino one; the shared instance keeps
DuckDB). Tests run in file order on one applied tree.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Iterator

import duckdb
import pytest
import trino.exceptions
from click.testing import CliRunner, Result

from superset_iac import workflow
from superset_iac.apply.engine import apply_plan
from superset_iac.cli import main
from superset_iac.cli.common import context
from superset_iac.kinds.registry import HANDLERS, handlers
from tests.integration.conftest import SupersetInstance, start_instance
from tests.integration.test_chart_data import CHARTS, ChartApi, dimensions, metrics, raw_query
from tests.integration.test_cli_e2e import AccessLog
from tests.integration.trino_stack import SUPERSET_USER, TrinoInstance, trino_assets

pytestmark = pytest.mark.integration

ENV = "local-trino"
VIEWS = ("hive_prod.logs_db.v_app_logs", "hive_prod.option_ticks_db.mv_daily_stats",
         "hive_prod.option_ticks_db.v_option_ticks_masked")
MASKED = "views/option_ticks_masked.yaml"
DAILY = "views/daily_stats.yaml"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[SupersetInstance]:
    instance = start_instance(tmp_path_factory.mktemp("trino-superset-home"), "base")
    yield instance
    instance.stop()


@pytest.fixture(scope="module")
def environ(server: SupersetInstance, trino_server: TrinoInstance, tmp_path_factory) -> dict[str, str]:
    audit = tmp_path_factory.mktemp("trino-audit") / "audit.jsonl"
    return {**server.env(), **trino_server.env(), "SUPERSET_IAC_AUDIT_LOG": str(audit),
            "SUPERSET_ACCESS_TOKEN": "", "SUPERSET_IAC_ENV": "", "MASK_SALT": "trino-test-salt",
            "NO_COLOR": "1"}


@pytest.fixture(scope="module")
def tree(trino_server: TrinoInstance, tmp_path_factory) -> Path:
    return trino_assets(tmp_path_factory.mktemp("trino-tree") / "assets", trino_server)


def cli(environ: dict[str, str], *args: Any) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], env=environ)


def one_line_error(result: Result, code: int) -> str:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: ")
    return line


def managed_views(trino_server: TrinoInstance) -> dict[str, str]:
    """Every view and materialized view in the lakehouse's schemas: name -> kind."""
    found = {f"hive_prod.{s}.{n}": "materialized" for s, n in trino_server.query(
        "SELECT schema_name, name FROM system.metadata.materialized_views "
        "WHERE catalog_name = 'hive_prod'")}
    for schema, name in trino_server.query(
            "SELECT table_schema, table_name FROM hive_prod.information_schema.views "
            "WHERE table_schema IN ('option_ticks_db', 'logs_db', 'media_db')"):
        found.setdefault(f"hive_prod.{schema}.{name}", "view")
    return found


def drop_views(trino_server: TrinoInstance) -> None:
    """A lakehouse without views (other modules may have applied the team's)."""
    for name, kind in managed_views(trino_server).items():
        trino_server.query(f"DROP {'MATERIALIZED VIEW' if kind == 'materialized' else 'VIEW'} {name}")


# -- the lakehouse ---------------------------------------------------------------

def _digest(rows: list) -> list[tuple]:
    return [tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in rows]


DIGESTS = {
    "option_ticks_db.bronze_option_ticks":
        "SELECT count(*), count(DISTINCT account_id), count(DISTINCT trader_email), sum(volume), "
        "round(sum(last_price), 2), round(sum(strike), 2), min(\"timestamp\"), max(\"timestamp\"), "
        "min(expiry) FROM {t}",
    "logs_db.app_logs": "SELECT level, count(*), sum(length(payload)), max(event_time) "
                        "FROM {t} GROUP BY level ORDER BY level",
    "media_db.image_metadata": "SELECT count(*), sum(file_size), sum(width * height), "
                               "min(upload_time), max(checksum) FROM {t}",
}


def test_trino_holds_the_same_rows_as_the_duckdb_lakehouse(trino_server, lakehouse_path) -> None:
    with duckdb.connect(str(lakehouse_path), read_only=True) as con:
        for table, sql in DIGESTS.items():
            duck = con.execute(sql.format(t=table)).fetchall()
            assert _digest(trino_server.query(sql.format(t=f"hive_prod.{table}"))) == _digest(duck), table


# -- reaching Trino ------------------------------------------------------------------

def test_an_unreachable_trino_exits_2_before_superset_is_touched(server, environ, tree) -> None:
    closed = dict(environ)
    broken = tree.parent / "unreachable"
    shutil.copytree(tree, broken)
    env_file = broken / "environments" / f"{ENV}.yaml"
    env_file.write_text(env_file.read_text().replace(f"port: {environ['TRINO_PORT']}", "port: 9"))
    log = AccessLog(server)
    result = cli(closed, "apply", "--assets", broken, "--env", ENV, "--yes")
    line = one_line_error(result, 2)
    assert "127.0.0.1:9" in line and "reading views of hive_prod" in line, line
    assert log.writes() == []  # Superset received no change


# -- apply, and what it leaves --------------------------------------------------------

@pytest.fixture(scope="module")
def applied(server, environ, tree, trino_server) -> list[tuple[str, str]]:
    """The first apply of the tree (views dropped first): (kind, action) per event."""
    drop_views(trino_server)
    loaded = workflow.load(tree, ENV, environ)
    workflow.require_valid(loaded)
    ctx = context(loaded, None, None, None, None, False)
    plan = workflow.diff(loaded, ctx)
    handlers()
    report = apply_plan(plan, ctx, HANDLERS)
    assert report.ok, [e.to_dict() for e in report.failed]
    return [(e.change.kind, e.change.action.value) for e in report.events]


def test_apply_creates_the_views_before_anything_in_superset(applied, trino_server) -> None:
    kinds = [kind for kind, _ in applied]
    assert kinds[:3] == ["view"] * 3 and "view" not in kinds[3:], kinds
    assert {action for _, action in applied} == {"create"}
    assert managed_views(trino_server) == {VIEWS[0]: "view", VIEWS[1]: "materialized",
                                           VIEWS[2]: "view"}
    (freshness,) = trino_server.query(
        "SELECT freshness FROM system.metadata.materialized_views WHERE name = 'mv_daily_stats'")[0]
    assert freshness == "FRESH"  # refreshed by the apply


def test_the_second_diff_is_empty(applied, environ, tree) -> None:
    result = cli(environ, "diff", "--assets", tree, "--env", ENV)
    assert result.exit_code == 0, result.output


def test_the_views_are_security_definer_and_superset_reads_only_them(applied, trino_server) -> None:
    for name in (VIEWS[0], VIEWS[2]):
        (ddl,), = trino_server.query(f"SHOW CREATE VIEW {name}")
        assert "SECURITY DEFINER" in ddl, ddl
    for raw in ("option_ticks_db.bronze_option_ticks", "logs_db.app_logs", "media_db.image_metadata"):
        with pytest.raises(trino.exceptions.TrinoUserError) as refused:
            trino_server.query(f"SELECT * FROM hive_prod.{raw} LIMIT 1", user=SUPERSET_USER)
        assert refused.value.error_name == "PERMISSION_DENIED", raw
    masked = trino_server.query("SELECT DISTINCT trader_email FROM hive_prod.option_ticks_db."
                                "v_option_ticks_masked", user=SUPERSET_USER)
    assert masked == [["***@trading.example.com"]]
    assert trino_server.query("SELECT count(*) FROM hive_prod.option_ticks_db.mv_daily_stats",
                              user=SUPERSET_USER) == [[25]]


@pytest.fixture(scope="module")
def chart_api(applied, server) -> ChartApi:
    return ChartApi(server)


@pytest.mark.parametrize("chart", CHARTS, ids=lambda c: c.key)
def test_each_chart_returns_rows_from_trino_through_the_chart_data_api(chart_api, chart) -> None:
    (result,) = raw_query(chart_api, chart)
    assert result["rowcount"] > 0 and result["data"], result
    assert sorted(result["colnames"]) == sorted(dimensions(chart.params) + metrics(chart.params))
    saved = chart_api.saved_data(chart_api.chart(chart.key)["id"])
    assert saved[0]["rowcount"] > 0


def test_superset_sees_no_raw_pii_in_sql_lab(applied, server) -> None:
    session = server.session()
    (database,) = [d for d in session.get(f"{server.url}/api/v1/database/").json()["result"]
                   if d["database_name"] == "lakehouse"]
    answer = session.post(f"{server.url}/api/v1/sqllab/execute/", json={
        "database_id": database["id"], "sql": "SELECT trader_email FROM "
        "option_ticks_db.bronze_option_ticks LIMIT 5", "runAsync": False, "schema": "option_ticks_db"})
    assert answer.status_code >= 400 and "Access Denied" in answer.text, answer.text[:500]
    answer = session.post(f"{server.url}/api/v1/sqllab/execute/", json={
        "database_id": database["id"], "sql": "SELECT DISTINCT trader_email FROM "
        "option_ticks_db.v_option_ticks_masked", "runAsync": False, "schema": "option_ticks_db"})
    assert answer.status_code == 200, answer.text[:500]
    assert [row["trader_email"] for row in answer.json()["data"]] == ["***@trading.example.com"]


# -- changes -----------------------------------------------------------------------

def test_a_changed_mask_is_one_replace_and_a_changed_materialized_view_is_refreshed(
        applied, environ, tree, trino_server) -> None:
    masked, daily = (tree / MASKED).read_text(), (tree / DAILY).read_text()
    try:
        (tree / MASKED).write_text(masked.replace("    mask: email_domain", "    mask: redact"))
        (tree / DAILY).write_text(daily.replace("    COUNT(*) AS tick_count\n",
                                                "    COUNT(*) AS tick_count,\n    MAX(volume) AS max_volume\n"))
        loaded = workflow.load(tree, ENV, environ)
        ctx = context(loaded, None, None, None, None, False)
        plan = workflow.diff(loaded, ctx)
        assert [(c.action.value, c.ref, [f.path for f in c.fields]) for c in plan.changes] == [
            ("update", "view/hive_prod.option_ticks_db.mv_daily_stats",
             ["definition.columns[max_volume]"]),
            ("update", "view/hive_prod.option_ticks_db.v_option_ticks_masked",
             ["definition.columns[trader_email].sql"]),
        ]
        assert apply_plan(plan, ctx, HANDLERS).ok
        assert trino_server.query("SELECT DISTINCT trader_email FROM hive_prod.option_ticks_db."
                                  "v_option_ticks_masked", user=SUPERSET_USER) == [["***"]]
        assert trino_server.query(
            "SELECT freshness FROM system.metadata.materialized_views WHERE name = 'mv_daily_stats'"
        ) == [["FRESH"]]
        assert trino_server.query("SELECT max(max_volume) > 0 FROM hive_prod.option_ticks_db."
                                  "mv_daily_stats", user=SUPERSET_USER) == [[True]]
    finally:
        (tree / MASKED).write_text(masked)
        (tree / DAILY).write_text(daily)
    assert cli(environ, "apply", "--assets", tree, "--env", ENV, "--yes").exit_code == 0
    assert cli(environ, "diff", "--assets", tree, "--env", ENV).exit_code == 0


# In a schema the tree's other views use: the views listed (and so pruned)
# are those of the tree's schemas.
EXTRA_VIEW = """\
name: hive_prod.option_ticks_db.v_ticks_by_exchange
sql: SELECT exchange, count(*) AS ticks FROM hive_prod.option_ticks_db.bronze_option_ticks GROUP BY exchange
"""
EXTRA = "hive_prod.option_ticks_db.v_ticks_by_exchange"
HAND_MADE = "hive_prod.option_ticks_db.v_hand_made"


def test_prune_drops_only_managed_views(applied, environ, tree, trino_server) -> None:
    trino_server.query(f"CREATE OR REPLACE VIEW {HAND_MADE} AS "
                       "SELECT symbol FROM hive_prod.option_ticks_db.bronze_option_ticks")
    (tree / "views" / "extra.yaml").write_text(EXTRA_VIEW)
    assert cli(environ, "apply", "--assets", tree, "--env", ENV, "--yes").exit_code == 0
    assert EXTRA in managed_views(trino_server)
    (tree / "views" / "extra.yaml").unlink()
    shown = cli(environ, "diff", "--assets", tree, "--env", ENV, "--prune")
    assert shown.exit_code == 3, shown.output
    assert f"- view/{EXTRA}" in shown.stdout
    assert "v_hand_made" not in shown.stdout
    pruned = cli(environ, "apply", "--assets", tree, "--env", ENV, "--yes", "--prune")
    assert pruned.exit_code == 0, pruned.output
    left = managed_views(trino_server)
    assert EXTRA not in left and left[HAND_MADE] == "view"
    trino_server.query(f"DROP VIEW {HAND_MADE}")


BAD_VIEW = """\
name: hive_prod.media_db.v_bad
sql: SELECT no_such_column FROM hive_prod.media_db.image_metadata
"""


def test_a_bad_view_is_one_line_naming_the_view_and_trinos_message(applied, environ, tree) -> None:
    (tree / "views" / "bad.yaml").write_text(BAD_VIEW)
    try:
        result = cli(environ, "apply", "--assets", tree, "--env", ENV, "--yes")
    finally:
        (tree / "views" / "bad.yaml").unlink()
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    # the failed change's line (and the summary's) name the view and give Trino's message
    lines = [line for line in result.output.splitlines() if "Trino" in line]
    assert lines and all("view hive_prod.media_db.v_bad: Trino COLUMN_NOT_FOUND: " in line and
                         "Column 'no_such_column' cannot be resolved" in line for line in lines), \
        result.output
    assert "[1/1] ! view/hive_prod.media_db.v_bad: failed: " in result.output
