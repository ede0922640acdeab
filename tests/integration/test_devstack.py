"""The local Superset and the DuckDB lakehouse work together as the tool needs."""

from __future__ import annotations

import json

import pytest
import requests

pytestmark = pytest.mark.integration


def _lakehouse_database(superset, sess: requests.Session, path, name: str,
                        allow_dml: bool = False) -> int:
    resp = sess.post(f"{superset.url}/api/v1/database/", json={
        "database_name": name,
        "sqlalchemy_uri": f"duckdb:///{path}",
        "expose_in_sqllab": True,
        "allow_dml": allow_dml,
        # Superset only reads; the tool is the writer (views).
        "extra": json.dumps({"engine_params": {"connect_args": {"read_only": True}}}),
    })
    assert resp.status_code == 201, resp.text
    return resp.json()["id"]


def test_health_and_version(superset):
    assert requests.get(f"{superset.url}/health", timeout=10).text == "OK"
    # /version answers without a login.
    version = requests.get(f"{superset.url}/version", headers={"Accept": "application/json"},
                           timeout=10).json()
    assert version["version_string"] == "6.1.0"


def test_login_and_csrf(superset):
    sess = superset.session()
    me = sess.get(f"{superset.url}/api/v1/me/")
    assert me.status_code == 200, me.text
    assert me.json()["result"]["username"] == superset.username
    assert "session" in sess.cookies

    # CSRF protection is on locally as in production: a write without the
    # token is refused.
    bare = requests.Session()
    bare.headers.update({"Accept": "application/json",
                         "Authorization": sess.headers["Authorization"]})
    resp = bare.post(f"{superset.url}/api/v1/dataset/", json={"database": 1, "table_name": "x"})
    assert resp.status_code == 400
    assert "CSRF" in resp.text


def test_isolated_metadata(superset, repo_root):
    # The instance runs on its own copy of the base template, in a temporary
    # home: nothing of `make superset`'s instance or of an earlier run.
    assert (superset.home / "superset.db").is_file()
    assert (superset.home / "template").read_text().strip() == "base"
    assert repo_root not in superset.home.parents
    assert superset.log_path.parent == superset.home
    sess = superset.session()
    users = sess.get(f"{superset.url}/api/v1/security/users/").json()["result"]
    assert superset.username in [u["username"] for u in users]


def test_lakehouse_read_only_database_dataset_chart_data(superset, lakehouse_path, lakehouse_writer, unique):
    sess = superset.session()
    db_id = _lakehouse_database(superset, sess, lakehouse_path, f"lakehouse_{unique}")

    # A virtual dataset over the raw ticks; Superset runs its SQL to read columns.
    resp = sess.post(f"{superset.url}/api/v1/dataset/", json={
        "database": db_id, "schema": "option_ticks_db", "table_name": f"v_ticks_{unique}",
        "sql": 'SELECT "timestamp", symbol, exchange, last_price, volume '
               "FROM option_ticks_db.bronze_option_ticks",
    })
    assert resp.status_code == 201, resp.text
    dataset_id = resp.json()["id"]

    resp = sess.post(f"{superset.url}/api/v1/chart/data", json={
        "datasource": {"id": dataset_id, "type": "table"},
        "queries": [{
            "columns": ["symbol"],
            "metrics": [{"expressionType": "SQL", "sqlExpression": "SUM(volume)", "label": "volume"}],
            "orderby": [["symbol", True]], "row_limit": 100,
        }],
        "result_format": "json", "result_type": "full",
    })
    assert resp.status_code == 200, resp.text
    rows = resp.json()["result"][0]["data"]
    assert [row["symbol"] for row in rows] == ["AAPL", "MSFT", "NVDA", "SPY", "TSLA"]
    assert all(row["volume"] > 0 for row in rows)

    # The tool writes views into the file while Superset has it registered.
    with lakehouse_writer(lakehouse_path) as con:
        con.execute(
            "CREATE OR REPLACE VIEW option_ticks_db.v_masked_probe AS "
            "SELECT symbol, 'ACC-****' || right(account_id, 4) AS account_id "
            "FROM option_ticks_db.bronze_option_ticks")

    resp = sess.post(f"{superset.url}/api/v1/sqllab/execute/", json={
        "database_id": db_id, "runAsync": False, "schema": "option_ticks_db",
        "sql": "SELECT count(*) AS n, min(account_id) AS sample FROM option_ticks_db.v_masked_probe",
    })
    assert resp.status_code == 200, resp.text
    data = resp.json()["data"]
    assert data[0]["n"] > 1000
    assert data[0]["sample"].startswith("ACC-****")



def test_superset_opens_the_lakehouse_read_only(superset, lakehouse_path, unique):
    # Even with DML allowed in Superset, DuckDB itself refuses the write.
    sess = superset.session()
    db_id = _lakehouse_database(superset, sess, lakehouse_path, f"lakehouse_dml_{unique}",
                                allow_dml=True)
    resp = sess.post(f"{superset.url}/api/v1/sqllab/execute/", json={
        "database_id": db_id, "runAsync": False,
        "sql": "CREATE TABLE main.should_fail AS SELECT 1 AS x",
    })
    assert resp.status_code >= 400
    assert "read-only" in resp.text


def test_json_logs_and_media_tables(superset, lakehouse_path, unique):
    sess = superset.session()
    db_id = _lakehouse_database(superset, sess, lakehouse_path, f"lakehouse_logs_{unique}")
    resp = sess.post(f"{superset.url}/api/v1/sqllab/execute/", json={
        "database_id": db_id, "runAsync": False,
        "sql": "SELECT json_extract_string(payload, '$.http.method') AS method, count(*) AS n "
               "FROM logs_db.app_logs GROUP BY 1 ORDER BY 1",
    })
    assert resp.status_code == 200, resp.text
    methods = {row["method"] for row in resp.json()["data"]}
    assert methods == {"DELETE", "GET", "POST"}

    resp = sess.post(f"{superset.url}/api/v1/sqllab/execute/", json={
        "database_id": db_id, "runAsync": False,
        "sql": "SELECT count(*) AS n FROM media_db.image_metadata WHERE s3_path LIKE 's3://lakehouse/%'",
    })
    assert resp.status_code == 200, resp.text
    assert resp.json()["data"][0]["n"] > 100


def test_examples_instance(superset_examples):
    sess = superset_examples.session()
    url = superset_examples.url
    dashboards = sess.get(f"{url}/api/v1/dashboard/", params={"q": "(page_size:100)"}).json()
    assert dashboards["count"] >= 5
    charts = sess.get(f"{url}/api/v1/chart/", params={"q": "(page_size:1)"}).json()
    assert charts["count"] >= 50

    # The examples data was copied into this instance's own home, and the
    # examples database points there (not at the template).
    databases = sess.get(f"{url}/api/v1/database/").json()["result"]
    examples_db = next(db for db in databases if db["database_name"] == "examples")
    conn = sess.get(f"{url}/api/v1/database/{examples_db['id']}/connection").json()["result"]
    assert conn["sqlalchemy_uri"].startswith(f"sqlite:///{superset_examples.home}/examples.db")
    resp = sess.post(f"{url}/api/v1/sqllab/execute/", json={
        "database_id": examples_db["id"], "runAsync": False,
        "sql": "SELECT count(*) AS n FROM birth_names",
    })
    assert resp.status_code == 200, resp.text
    assert resp.json()["data"][0]["n"] > 1000

    # A whole-instance export works (the round-trip tests start from it).
    resp = sess.get(f"{url}/api/v1/assets/export/")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("application/zip")


def test_audit_trail(superset, unique):
    """Changes land in Superset's Action Log, without secrets, and as JSON lines."""
    sess = superset.session()
    name = f"trino_audit_{unique}"
    # The connection test fails (a password over plain HTTP), the attempt is logged.
    resp = sess.post(f"{superset.url}/api/v1/database/", json={
        "database_name": name,
        "sqlalchemy_uri": "trino://superset:not-for-the-log@127.0.0.1:1/hive_prod",
    })
    assert resp.status_code in (400, 422), resp.text

    logs = sess.get(f"{superset.url}/api/v1/log/", params={
        "q": "(filters:!((col:action,opr:eq,value:DatabaseRestApi.post)),"
             "order_column:dttm,order_direction:desc,page_size:20)"}).json()["result"]
    entry = next(log for log in logs if name in (log["json"] or ""))
    assert entry["user"]["username"] == superset.username
    assert "not-for-the-log" not in entry["json"]
    assert "trino://superset:XXXXXXXXXX@127.0.0.1:1/hive_prod" in entry["json"]

    log_text = superset.log_path.read_text()
    assert any("superset.audit" in line and "DatabaseRestApi.post" in line
               for line in log_text.splitlines())
    assert "not-for-the-log" not in log_text
