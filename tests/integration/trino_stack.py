"""A real Trino 476 for the integration tests (devstack/trino.py).

``trino`` is a session fixture: one single-node Trino on a free port of
127.0.0.1, its home (configuration, Iceberg files, file metastore) in a
temporary directory, loaded with the sample lakehouse by
devstack/lakehouse.py (the same rows as the DuckDB file). Tests in a session
share it: name what you create uniquely, or drop it again.

If Trino cannot be fetched or started, the fixture fails with the reason in
CI (``CI=true``); on a laptop without Java 24+ or Maven it skips with a
one-line reason.

``warehouse`` is the parameter that names the warehouse in test ids
(``...[duckdb]``, ``...[trino]``): ``pytest -k trino tests/integration`` runs
exactly the Trino-backed tests.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest
import trino.dbapi

ROOT = Path(__file__).resolve().parents[2]
DEVSTACK = ROOT / "devstack" / "trino.py"
# A cold machine downloads ~540 MB from Maven Central before the first start.
START_TIMEOUT = 1200
TOOL_USER, SUPERSET_USER, RAW_USER = "superset_iac", "superset", "admin"
WAREHOUSES = ("duckdb", "trino")


@dataclass
class TrinoInstance:
    """A running local Trino and how to talk to it."""

    host: str
    port: int
    home: Path
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def query(self, sql: str, user: str = TOOL_USER) -> list[list[Any]]:
        """One statement, as ``user``; its rows (raises TrinoQueryError)."""
        cursor = trino.dbapi.connect(host=self.host, port=self.port, user=user,
                                     catalog="hive_prod").cursor()
        cursor.execute(sql)
        return cursor.fetchall()

    def warehouse(self, **extra: Any) -> dict[str, Any]:
        """The ``warehouse:`` mapping of an environment on this Trino."""
        return {"type": "trino", "host": self.host, "port": self.port, "http_scheme": "http",
                "user": TOOL_USER, "catalog": "hive_prod", "auth": "none", **extra}

    def env(self) -> dict[str, str]:
        """Variables of assets/environments/local-trino.yaml for this Trino."""
        return {"TRINO_HOST": self.host, "TRINO_PORT": str(self.port)}

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"


def _unavailable(reason: str) -> None:
    """Fail in CI, skip elsewhere: a laptop may lack Java 24+ or Maven."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"Trino unavailable: {reason}", pytrace=False)
    pytest.skip(f"Trino unavailable: {reason.splitlines()[0] if reason else '?'}")


def start_trino(home: Path) -> TrinoInstance:
    from tests.integration.conftest import _free_port  # conftest imports this module

    port = _free_port()
    cmd = [sys.executable, str(DEVSTACK), "start", "--port", str(port), "--home", str(home),
           "--json", "--owner-pid", str(os.getpid())]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=START_TIMEOUT)
    except subprocess.TimeoutExpired:
        stop_trino(home)
        _unavailable(f"no answer within {START_TIMEOUT}s")
    if proc.returncode != 0:
        error = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
        _unavailable((error[0][len("error: "):] if error else "") + "\n" + proc.stderr[-4000:])
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    return TrinoInstance("127.0.0.1", port, home, Path(info["log"]))


def stop_trino(home: Path) -> None:
    subprocess.run([sys.executable, str(DEVSTACK), "stop", "--home", str(home)],
                   capture_output=True, text=True, timeout=90)


def _template(lakehouse: Any) -> Path:
    """Where a loaded warehouse (Iceberg files and file metastore, every
    location relative to its root) is kept for the next session."""
    state = Path(os.environ.get("SUPERSET_IAC_TRINO_DIR") or ROOT / ".trino")
    return state / "templates" / f"lakehouse-{lakehouse.builder_hash()[:16]}"


def _load(lakehouse: Any, instance: TrinoInstance) -> Any:
    """The sample data, once more after a few seconds if Trino had not yet
    scheduled its own node (NO_NODES_AVAILABLE just after start on a busy machine)."""
    for attempt in range(3):
        try:
            return lakehouse.build_trino(instance.host, instance.port)
        except Exception as err:
            if "NO_NODES_AVAILABLE" not in str(err) or attempt == 2:
                raise
            time.sleep(5)
    raise AssertionError("unreachable")


@pytest.fixture(scope="session")
def trino_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrinoInstance]:
    """A fresh Trino with the sample lakehouse in ``hive_prod``: loaded by
    devstack/lakehouse.py once, then copied from the template it leaves."""
    from tests.conftest import load_devstack_module

    lakehouse = load_devstack_module("lakehouse")
    home, template = tmp_path_factory.mktemp("trino-home"), _template(lakehouse)
    if template.is_dir():
        shutil.copytree(template, home / "warehouse")
    instance = start_trino(home)
    try:
        loaded = _load(lakehouse, instance)
    except Exception as err:  # the load is part of getting the server
        stop_trino(instance.home)
        _unavailable(f"loading the lakehouse failed: {err}")
    if loaded.built:  # nothing else has written yet: a consistent copy
        scratch = template.with_name(f".{template.name}.{os.getpid()}")
        shutil.copytree(home / "warehouse", scratch)
        shutil.rmtree(template, ignore_errors=True)
        scratch.rename(template)
    yield instance
    stop_trino(instance.home)


@pytest.fixture(params=WAREHOUSES)
def warehouse(request: pytest.FixtureRequest) -> str:
    """The warehouse a test runs on; ``trino`` starts the session's Trino."""
    if request.param == "trino":
        request.getfixturevalue("trino_server")
    return str(request.param)


def trino_assets(root: Path, server: TrinoInstance) -> Path:
    """A copy of the team's ``assets/`` at ``root`` whose ``local-trino``
    environment and Trino database point at ``server`` (the files fix port
    8080, the demo's)."""
    shutil.copytree(ROOT / "assets", root)
    for relpath, old, new in (
            ("environments/local-trino.yaml", "port: 8080", f"port: {server.port}"),
            ("databases/lakehouse.yaml", ":8080/hive_prod", f":{server.port}/hive_prod")):
        path = root / relpath
        text = path.read_text()
        assert old in text, (relpath, old)
        path.write_text(text.replace(old, new))
    return root


@pytest.fixture(scope="session")
def trino_superset(tmp_path_factory: pytest.TempPathFactory, trino_server: TrinoInstance) -> Iterator[Any]:
    """A Superset of its own for trees applied with ``local-trino``: the shared
    ``superset`` keeps its DuckDB database of the same name."""
    from tests.integration.conftest import start_instance

    instance = start_instance(tmp_path_factory.mktemp("trino-superset-home"), "base")
    yield instance
    instance.stop()
