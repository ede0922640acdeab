"""The DuckDB executor's configuration and file-locking behaviour."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import duckdb
import pytest

from superset_iac.errors import ConfigError
from superset_iac.model.environment import Warehouse as WarehouseConfig
from superset_iac.warehouse import ViewDdl, connect_warehouse
from superset_iac.warehouse.duckdb import DuckDBWarehouse
from superset_iac.warehouse.errors import WarehouseError


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    path = tmp_path / "some_file.duckdb"  # not named after the catalog on purpose
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA raw; CREATE TABLE raw.t AS SELECT 1 AS a")
    return path


def config(path: Path, **extra) -> WarehouseConfig:
    return WarehouseConfig.model_validate({"type": "duckdb", "path": str(path),
                                           "catalogs": {"hive_prod": "lakehouse"}, **extra})


def holder(path: Path, read_only: bool, seconds: float) -> Iterator[subprocess.Popen]:
    """Another process (a Superset query, a second apply) holding the file."""
    code = (f"import duckdb, time; c = duckdb.connect({str(path)!r}, read_only={read_only}); "
            f"print('held', flush=True); time.sleep({seconds})")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    wh = DuckDBWarehouse(config(tmp_path / "nope.duckdb"), ["hive_prod.raw"])
    with pytest.raises(ConfigError, match="does not exist"):
        wh.list_views()
    assert not (tmp_path / "nope.duckdb").exists()  # never created by accident


def test_views_outside_the_mapped_catalog_are_refused(lake: Path) -> None:
    wh = DuckDBWarehouse(config(lake), ["hive_prod.raw"])
    with pytest.raises(ConfigError, match="catalog 'other' is not the DuckDB file's catalog"):
        wh.create_or_replace(ViewDdl("other.raw.v", "SELECT 1"))


def test_one_file_is_one_catalog(lake: Path) -> None:
    with pytest.raises(ConfigError, match="one catalog"):
        DuckDBWarehouse(config(lake, catalogs={"a": "x", "b": "y"}))


def test_connect_warehouse_picks_the_executor_and_scope(lake: Path) -> None:
    from superset_iac.model.environment import Environment
    from superset_iac.model.view import View

    env = Environment.model_validate({"name": "local", "superset": {"url": "http://x"},
                                      "warehouse": config(lake).model_dump()})
    view = View(name="hive_prod.raw.v", sql="SELECT a FROM hive_prod.raw.t")
    wh = connect_warehouse(env, [view])
    assert isinstance(wh, DuckDBWarehouse) and wh.scope == ["hive_prod.raw"]
    no_wh = Environment.model_validate({"name": "bare", "superset": {"url": "http://x"}})
    with pytest.raises(ConfigError, match="environment 'bare' has no warehouse"):
        connect_warehouse(no_wh, [view])


def test_a_writer_waits_for_a_reader_to_let_go(lake: Path) -> None:
    proc = holder(lake, read_only=True, seconds=1.0)  # Superset running one query
    try:
        started = time.monotonic()
        DuckDBWarehouse(config(lake), ["hive_prod.raw"]).create_or_replace(
            ViewDdl("hive_prod.raw.v", "SELECT a FROM hive_prod.raw.t"))
        waited = time.monotonic() - started
    finally:
        proc.wait(timeout=10)
    assert waited > 0.3
    with duckdb.connect(str(lake), read_only=True) as con:
        assert con.execute("SELECT a FROM raw.v").fetchall() == [(1,)]


def test_a_lock_held_too_long_is_one_clear_line(lake: Path) -> None:
    proc = holder(lake, read_only=False, seconds=30)
    try:
        wh = DuckDBWarehouse(config(lake), ["hive_prod.raw"], lock_wait=0.5)
        with pytest.raises(WarehouseError) as caught:
            wh.create_or_replace(ViewDdl("hive_prod.raw.v", "SELECT a FROM hive_prod.raw.t"))
    finally:
        proc.kill()
        proc.wait()
    message = str(caught.value)
    assert message.startswith(f"view hive_prod.raw.v: DuckDB file {lake} is locked by another "
                              f"process (held by ")
    assert f"PID {proc.pid})" in message and "\n" not in message


def test_reading_takes_no_write_lock(lake: Path) -> None:
    proc = holder(lake, read_only=True, seconds=30)  # readers share the file
    try:
        assert DuckDBWarehouse(config(lake), ["hive_prod.raw"], lock_wait=0).list_views() == {}
    finally:
        proc.kill()
        proc.wait()


def test_a_failing_statement_names_the_view_and_masks_the_salt(lake: Path) -> None:
    wh = DuckDBWarehouse(config(lake, mask_salt="s4lt-value"), ["hive_prod.raw"])
    with pytest.raises(WarehouseError) as caught:
        wh.create_or_replace(ViewDdl("hive_prod.raw.v", "SELECT no_such || 's4lt-value' "
                                                        "FROM hive_prod.raw.t"))
    message = str(caught.value)
    assert message.startswith("view hive_prod.raw.v: DuckDB: Binder Error")
    assert "s4lt-value" not in message and "\n" not in message
