"""What holds only on the production stand-in (devstack/production.py).

PostgreSQL, Redis, gunicorn with 4 workers, a Celery worker and beat, and the
real superset_config/superset_config.py: the start-up refuses what
production must refuse, async SQL Lab runs through Celery for a role's user
over a masking view (results in their own Redis database), logins are rate
limited on both login endpoints, the event log says who opened which
dashboard and queried what with no secret in it, and the server log has no
traceback for any of it.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import load_devstack_module
from tests.integration.governance_helpers import (RAW_TICKS, Governed, RoleSession, governed,
                                                  leaked, raw_pii, run_cli, sql_body, username)

pytestmark = pytest.mark.integration

CONFIG = Path(__file__).resolve().parents[2] / "superset_config"
MASKED_VIEW = "option_ticks_db.v_option_ticks_masked"


@pytest.fixture(scope="module")
def production():
    return load_devstack_module("production")


@pytest.fixture(scope="module", autouse=True)
def log_start(superset) -> int:
    """Where the server log stood before this module's first request: the other
    suites on the session's server make Superset fail on purpose."""
    return superset.log_path.stat().st_size


@pytest.fixture(scope="module")
def gov(superset, lakehouse_path, tmp_path_factory) -> Governed:
    return governed(superset, lakehouse_path, tmp_path_factory)


def _server_env(production, superset, **overrides: str) -> dict[str, str]:
    env = production.server_env(superset.home, superset.info)
    env.update(overrides)
    return env


def _second_server(production, superset, name: str, env: dict[str, str]):
    """Another gunicorn on the stack's PostgreSQL and Redis: (url, pid, log)."""
    from tests.integration.conftest import _free_port

    port = _free_port()
    pid = production.serve(superset.home, port, env, workers="2", name=name)
    return f"http://127.0.0.1:{port}", pid, superset.home / f"{name}.log"


def _kill(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


# -- start-up ---------------------------------------------------------------------

REFUSALS = {
    "no secret key": ({"SUPERSET_SECRET_KEY": ""}, "SUPERSET_SECRET_KEY is not set"),
    "Superset's default key": ({"SUPERSET_SECRET_KEY": "CHANGE_ME_TO_A_COMPLEX_RANDOM_SECRET"},
                               "publicly known placeholder"),
    "the local key, profile local": ({"SUPERSET_CONFIG_PROFILE": "local"}, "local development key"),
    "no metadata database": ({"DATABASE_HOST": "", "SUPERSET_METADATA_DB_URI": ""},
                             "No metadata database configured"),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_start_up_refuses_what_production_must_refuse(production, superset, case):
    overrides, message = REFUSALS[case]
    if case.startswith("the local key"):
        text = (CONFIG / "local.py").read_text()
        overrides = {**overrides,
                     "SUPERSET_SECRET_KEY": re.search(r'LOCAL_SECRET_KEY = "([^"]+)"', text)[1]}
    url, pid, log = _second_server(production, superset, "refused", _server_env(
        production, superset, **overrides))
    try:
        deadline = time.monotonic() + 300
        while production.core.pid_alive(pid) and time.monotonic() < deadline:
            assert not production.core.health(url), f"{case}: the server answers /health"
            time.sleep(1)
        assert not production.core.pid_alive(pid), f"{case}: still running"
        text = log.read_text(errors="replace")
        assert message in text, text[-3000:]
    finally:
        _kill(pid)
        log.unlink(missing_ok=True)
    # ... while the same configuration with its real secrets is up.
    assert production.core.health(superset.url)


def test_plain_http_keeps_its_session_cookie_and_the_page_loads_no_telemetry(superset):
    page = requests.get(f"{superset.url}/login/", timeout=60)
    assert page.status_code == 200
    cookie = page.headers["Set-Cookie"]
    assert cookie.startswith("session=") and "Secure" not in cookie, cookie
    policy = page.headers["Content-Security-Policy"]
    assert "img-src 'self' blob: data:;" in policy and "scarf" not in policy


# -- Celery -----------------------------------------------------------------------


def _redis_keys(superset, db: int) -> list[str]:
    secrets = json.loads((superset.home / "secrets.json").read_text())
    out = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(superset.info["redis_port"]),
                          "-n", str(db), "--no-auth-warning", "-a", secrets["redis_password"],
                          "--scan"], capture_output=True, text=True, timeout=30, check=True)
    return out.stdout.split()


MASKED_SQL = {  # a role whose SQL Lab reaches the masking view, and nothing raw
    "datasets/masked_sql.yaml": """\
name: v_option_ticks_masked
description: The masking view itself, for SQL Lab.
database: lakehouse
schema: option_ticks_db
""",
    "roles/masked_sql.yaml": """\
name: MaskedSql
extends: [sql_lab]
data_access: {datasets: [v_option_ticks_masked]}
""",
    "users/gov_masked.yaml": """\
username: gov_masked
first_name: Governance
last_name: Masked
email: gov_masked@example.com
roles: [MaskedSql]
password: ${GOV_MASKED_PASSWORD}
""",
}


@pytest.fixture
def masked_sql_user(gov, tmp_path):
    """gov_masked, of a role with SQL Lab on the masking view.

    The dataset goes afterwards (the other suites on this server count what
    Admin sees); the user stays, as Superset keeps a user's queries and
    refuses to delete one who ran any, and its role with it."""
    root = tmp_path / "assets"
    for folder in ("environments", "databases"):
        shutil.copytree(gov.tree / folder, root / folder)
    for relpath, text in MASKED_SQL.items():
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_text(text)
    password = f"Masked-{secrets.token_hex(6)}"
    result = run_cli("apply", "--assets", root, "--env", "local", "--yes",
                     env={**gov.env, "GOV_MASKED_PASSWORD": password})
    assert result.exit_code == 0, result.output[-3000:]
    yield RoleSession(gov.url, "gov_masked", password)
    admin = gov.admin()
    for row in admin.get("dataset/", q="(page_size:100)").json()["result"]:
        if row["table_name"] == "v_option_ticks_masked":
            assert admin.http.delete(f"{gov.url}/api/v1/dataset/{row['id']}", timeout=60).ok


def test_async_sql_lab_runs_in_celery_for_a_roles_user_over_a_masking_view(
        gov, superset, masked_sql_user):
    admin, database_id = gov.admin(), gov.database_id()
    assert admin.put(f"database/{database_id}", {"allow_run_async": True}).status_code == 200
    try:
        sql = f"SELECT symbol, trader_email, account_id FROM {MASKED_VIEW} LIMIT 50"
        started = masked_sql_user.post("sqllab/execute/", {**sql_body(database_id, sql), "runAsync": True})
        assert started.status_code == 202, started.text[:500]
        query_id = started.json()["query"]["id"]
        query = _wait_for_query(masked_sql_user, query_id)
        assert query["state"] == "success", query
        results = masked_sql_user.get("sqllab/results/", q=f"(key:'{query['resultsKey']}')")
        assert results.status_code == 200, results.text[:300]
        rows = results.json()["data"]
        assert len(rows) == 50 and all(row["trader_email"] for row in rows)
        assert leaked(json.dumps(rows), raw_pii(gov.lakehouse)) == set()
        # The raw table stays out of reach for the same user, async or not.
        raw = masked_sql_user.post("sqllab/execute/", {**sql_body(
            database_id, f"SELECT trader_email FROM {RAW_TICKS}"), "runAsync": True})
        assert raw.status_code != 202 and "TABLE_SECURITY_ACCESS_ERROR" in raw.text
    finally:
        admin.put(f"database/{database_id}", {"allow_run_async": False})
    worker_log = (superset.home / "worker.log").read_text(errors="replace")
    assert re.search(r"Task sql_lab.get_sql_results\[[^]]+\] succeeded", worker_log)
    # Celery's task results in their database, SQL Lab's result sets in theirs;
    # the broker's database holds neither.
    assert any(k.startswith("celery-task-meta-") for k in _redis_keys(superset, 4))
    assert not any(k.startswith("celery-task-meta-") for k in _redis_keys(superset, 0))
    assert any(k.startswith("superset_results_") for k in _redis_keys(superset, 1))


def _wait_for_query(session, query_id: int, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        answer = session.get("query/updated_since", q="(last_updated_ms:0)")
        assert answer.status_code == 200, answer.text[:300]
        found = [q for q in answer.json()["result"] if q["id"] == query_id]
        if found and found[0]["state"] in ("success", "failed", "stopped", "timed_out"):
            return found[0]
        assert time.monotonic() < deadline, found
        time.sleep(0.5)


# -- login rate limit ------------------------------------------------------------


def test_logins_are_rate_limited_on_the_api_and_the_form_across_workers(production, superset):
    """The deployment's default limit, on a second server of the same stack."""
    env = _server_env(production, superset, SUPERSET_AUTH_RATE_LIMIT="")
    url, pid, log = _second_server(production, superset, "ratelimited", env)
    try:
        assert production.core._wait_healthy(url, pid, 300), log.read_text()[-3000:]
        api = [requests.post(f"{url}/api/v1/security/login", timeout=60, json={
            "username": superset.username, "password": "wrong", "provider": "db"}).status_code
            for _ in range(12)]
        assert api[:10] == [401] * 10 and api[10:] == [429, 429], api
        form = requests.Session()
        statuses = []
        for _ in range(12):
            page = form.get(f"{url}/login/", timeout=60).text
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
            statuses.append(form.post(f"{url}/login/", allow_redirects=False, timeout=60, data={
                "username": superset.username, "password": "wrong", "csrf_token": token}).status_code)
        assert statuses[:10] == [302] * 10 and statuses[10:] == [429, 429], statuses
    finally:
        _kill(pid)


# -- the event log: who queried which data ------------------------------------------------


def test_the_event_log_says_who_opened_which_dashboard_and_queried_what(gov, superset):
    slug = sorted(gov.dashboards_for("Analyst"))[0]
    dashboard_id, charts = gov.dashboard(slug)
    analyst = gov.as_role("Analyst")
    since = _latest_log_time(gov)
    # Opening the dashboard as the browser does: the login form, then the page.
    browser = requests.Session()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                      browser.get(f"{gov.url}/login/", timeout=60).text)[1]
    browser.post(f"{gov.url}/login/", timeout=60, data={
        "username": username("Analyst"), "password": gov.passwords["Analyst"], "csrf_token": token})
    page = browser.get(f"{gov.url}/superset/dashboard/{slug}/", timeout=60)
    assert page.status_code == 200 and "/login/" not in page.url, page.url
    for chart in charts:
        assert analyst.post("chart/data", chart.request(dashboard_id)).status_code == 200
    sql = "SELECT symbol, SUM(total_volume) AS volume FROM option_ticks_db.mv_daily_stats GROUP BY symbol"
    assert analyst.post("sqllab/execute/", sql_body(gov.database_id(), sql)).status_code == 200

    rows = [r for r in _log_since(gov, since) if (r["user"] or {}).get("username") == username("Analyst")]
    ran = {(r["dashboard_id"], r["slice_id"]) for r in rows if r["action"] == "ChartDataRestApi.data"}
    assert ran == {(dashboard_id, chart.id) for chart in charts}
    assert any(r["dashboard_id"] == dashboard_id and r["action"] != "ChartDataRestApi.data"
               for r in rows), [r["action"] for r in rows]
    queries = [json.loads(r["json"]).get("sql") for r in rows if r["action"].startswith("SqlLab")]
    assert sql in queries, queries
    assert all(r["dttm"] for r in rows)
    secrets = [*gov.passwords.values(), *json.loads((superset.home / "secrets.json").read_text()).values()]
    assert leaked(json.dumps(rows), secrets) == set()


def _latest_log_time(gov) -> str:
    rows = gov.admin().get("log/", q="(order_column:dttm,order_direction:desc,page_size:1)")
    return rows.json()["result"][0]["dttm"]


def _log_since(gov, since: str) -> list[dict]:
    """Every event-log record after `since` (the API filters by dttm, not by id)."""
    rows: list[dict] = []
    for page in range(50):
        answer = gov.admin().get("log/", q=f"(filters:!((col:dttm,opr:gt,value:'{since}')),"
                                           f"order_column:dttm,order_direction:asc,page:{page},page_size:100)")
        assert answer.status_code == 200, answer.text[:300]
        rows += answer.json()["result"]
        if len(answer.json()["result"]) < 100:
            return rows
    return rows


def test_database_secrets_never_reach_the_event_log(gov, superset, lakehouse_path, unique):
    admin = gov.admin()
    since = _latest_log_time(gov)
    uri_secret, extra_secret = f"uri-{unique}-s3cret", f"extra-{unique}-s3cret"
    body = {"database_name": f"secret_probe_{unique}",
            "sqlalchemy_uri": f"duckdb:///{lakehouse_path}?password={uri_secret}",
            "extra": json.dumps({"engine_params": {"connect_args": {
                "read_only": True, "password": extra_secret}}})}
    answer = admin.post("database/", body)
    rows = _log_since(gov, since)
    logged = [r for r in rows if "secret_probe_" in (r["json"] or "")]
    assert logged, (answer.status_code, [r["action"] for r in rows])
    assert leaked(json.dumps(rows), {uri_secret, extra_secret}) == set()
    if answer.status_code == 201:
        admin.http.delete(f"{superset.url}/api/v1/database/{answer.json()['id']}", timeout=60)


def test_no_traceback_in_the_server_log_but_superset_s_own_for_4xx_answers(superset, log_start):
    """After every request above (the same workers), before the concurrent
    applies, whose refused duplicate creates Superset logs with a traceback.

    Superset logs each error it answers (404, 405, 429, its own error
    payloads) as a warning with its traceback
    (superset/views/error_handling.py); anything else —
    a failed statsd send, a broken configuration hook — is a defect.
    """
    with superset.log_path.open("rb") as log:
        log.seek(log_start)
        lines = log.read().decode("utf-8", "replace").splitlines()
    unexplained = [lines[i - 1:i + 3] for i, line in enumerate(lines)
                   if line.startswith("Traceback") and i > 0 and not re.search(
                       r"WARNING:superset\.views\.error_handling:\w+$", lines[i - 1])]
    assert unexplained == []
    assert not any(re.search(r"statsd|:8125", line, re.I) for line in lines)


# -- two applies at once ------------------------------------------------------------


def test_two_applies_of_one_tree_at_the_same_moment_end_with_each_object_once(
        superset, lakehouse_path, lakehouse_writer, tmp_path, unique):
    """Against 4 workers, both runs plan to create everything and race.

    No lock is needed: every object the tool creates carries a key Superset
    keeps unique (a chart's or dataset's managed uuid, a dashboard's slug, a
    database's, role's or rule's name), so the loser's create is refused,
    looked up, and never doubled. An object one run adopted is never removed
    by it when its own follow-up request fails (the other run is writing it);
    the run that created it may still remove it when its follow-up loses to
    the other's, so right after the race an object is there at most once; the
    next apply repairs whatever either run reported, and the diff after it is
    empty.
    """
    from tests.integration.test_apply_resilience import Tree

    tree = Tree(tmp_path / "assets", superset, lakehouse_path, unique)
    with lakehouse_writer(lakehouse_path) as con:
        con.execute(f"CREATE VIEW media_db.images_{unique} AS SELECT * FROM media_db.image_metadata")
    cli = Path(os.environ.get("VIRTUAL_ENV", Path(__file__).resolve().parents[2] / ".venv")) \
        / "bin" / "superset-iac"
    env = {**os.environ, **tree.environ}
    runs = [subprocess.Popen([str(cli), "apply", "--assets", str(tree.root), "--yes"], env=env,
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outcomes = [(run.wait(timeout=600), *run.communicate()) for run in runs]
    assert all(code in (0, 1) for code, _, _ in outcomes), outcomes
    assert all("Traceback" not in out + err for _, out, err in outcomes), outcomes
    tree.never_twice(outcomes)
    again = tree.cli("apply", "--yes")
    assert again.exit_code == 0, (again.output, outcomes)
    tree.converged()
