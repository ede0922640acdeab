"""devstack/lakehouse.py builds the same small lakehouse every time."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "devstack" / "lakehouse.py"
TABLES = ("option_ticks_db.bronze_option_ticks", "logs_db.app_logs", "media_db.image_metadata")


@pytest.fixture(scope="module")
def lakehouse():
    spec = importlib.util.spec_from_file_location("devstack_lakehouse_under_test", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def built(lakehouse, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("lh") / "lakehouse.duckdb"
    info = lakehouse.build(path)
    assert info.built
    return path


def _digest(path: Path, table: str) -> str:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(f"SELECT md5(string_agg(t::VARCHAR, '|' ORDER BY t::VARCHAR)) FROM {table} t").fetchone()[0]


def test_schema(built):
    with duckdb.connect(str(built), read_only=True) as con:
        assert con.execute("SELECT current_database()").fetchone()[0] == "lakehouse"
        cols = dict(con.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'option_ticks_db' AND table_name = 'bronze_option_ticks'").fetchall())
        assert cols["timestamp"] == "TIMESTAMP"
        assert cols["last_price"] == "DOUBLE"
        assert cols["volume"] == "BIGINT"
        for name in ("symbol", "exchange", "option_type", "strike", "expiry",
                     "account_id", "trader_id", "trader_email"):
            assert name in cols
        media = {r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'media_db'").fetchall()}
        assert media == {"image_id", "s3_path", "file_size", "mime_type", "upload_time", "tag",
                         "width", "height", "checksum"}
        logs = {r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'logs_db'").fetchall()}
        assert logs == {"event_time", "level", "service", "payload"}


def test_ticks_content(built):
    with duckdb.connect(str(built), read_only=True) as con:
        n, symbols, exchanges, first, last, days = con.execute(
            "SELECT count(*), count(DISTINCT symbol), count(DISTINCT exchange), min(\"timestamp\"), "
            "max(\"timestamp\"), count(DISTINCT CAST(\"timestamp\" AS DATE)) "
            "FROM option_ticks_db.bronze_option_ticks").fetchone()
        assert 2000 <= n <= 10000
        assert symbols >= 5 and exchanges >= 3 and days >= 3
        assert first >= datetime(2025, 6, 2) and last < datetime(2025, 6, 7)
        accounts = [r[0] for r in con.execute(
            "SELECT DISTINCT account_id FROM option_ticks_db.bronze_option_ticks").fetchall()]
        assert all(re.fullmatch(r"ACC-\d{8}", a) for a in accounts)
        emails = [r[0] for r in con.execute(
            "SELECT DISTINCT trader_email FROM option_ticks_db.bronze_option_ticks").fetchall()]
        assert all(e.endswith("@trading.example.com") for e in emails)
        # Raw Bronze data: a few exact duplicates for the Silver layer to remove.
        dupes = con.execute(
            "SELECT count(*) - (SELECT count(*) FROM (SELECT DISTINCT * FROM option_ticks_db.bronze_option_ticks)) "
            "FROM option_ticks_db.bronze_option_ticks").fetchone()[0]
        assert dupes > 0
        assert con.execute("SELECT min(expiry) FROM option_ticks_db.bronze_option_ticks").fetchone()[0] > date(2025, 6, 2)


def test_log_payloads_are_nested_json_with_pii(built):
    with duckdb.connect(str(built), read_only=True) as con:
        payload = json.loads(con.execute("SELECT payload FROM logs_db.app_logs LIMIT 1").fetchone()[0])
        assert "@" in payload["user_email"]
        assert isinstance(payload["http"], dict) and "status" in payload["http"]
        levels = {r[0] for r in con.execute("SELECT DISTINCT level FROM logs_db.app_logs").fetchall()}
        assert {"INFO", "ERROR"} <= levels


def test_deterministic(lakehouse, built, tmp_path):
    again = tmp_path / "lakehouse.duckdb"
    lakehouse.build(again)
    for table in TABLES:
        assert _digest(built, table) == _digest(again, table), table


def test_rebuilds_only_when_missing_or_changed(lakehouse, tmp_path):
    path = tmp_path / "lakehouse.duckdb"
    assert lakehouse.build(path).built
    assert not lakehouse.build(path).built
    info = json.loads(lakehouse.info_path(path).read_text())
    info["builder_hash"] = "an older builder"
    lakehouse.info_path(path).write_text(json.dumps(info))
    assert lakehouse.build(path).built
    path.unlink()
    assert lakehouse.build(path).built


def test_session_copy(lakehouse_path):
    # The shared fixture hands each session its own writable copy.
    assert lakehouse_path.is_absolute()
    with duckdb.connect(str(lakehouse_path)) as con:
        con.execute("CREATE OR REPLACE VIEW option_ticks_db.v_probe AS SELECT 1 AS x")
    assert ".lakehouse" not in str(lakehouse_path)
