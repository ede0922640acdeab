"""The production stand-in for the integration tests, and which suites run on it.

``devstack/production.py`` starts Superset as ``deploy/`` runs it: PostgreSQL
metadata database, Redis caches/results/broker, gunicorn with 4 workers, a
Celery worker and beat, the real ``superset_config/superset_config.py``.

The suites in ``PRODUCTION_SUITES`` run on both stand-ins: their Superset
fixtures (``superset``, session scope, and a module's own ``server``) are
parametrised ``local`` / ``production``, so that test ids name the stand-in
(``test_x[production]``) and ``-k production`` selects exactly the tests
against this stack. A module's test picks its stand-in with
``instance_for(request, home)``; nothing is copied.

Homes of production instances live in /tmp directories of their own (not
pytest's, which only root may enter): PostgreSQL runs as the ``postgres``
user and must reach its data directory.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = ROOT / "devstack" / "production.py"
# A cold machine installs the packages and builds the template cluster
# (db upgrade on PostgreSQL) inside the first start.
START_TIMEOUT = 1800
STAND_INS = ("local", "production")
# Test modules (file stems) whose Superset fixtures run on both stand-ins.
# The governance suites (test_governance_*) run on it too, through their own
# `gov` parameter (duckdb, trino, production: governance_helpers.STAND_INS).
PRODUCTION_SUITES = frozenset({"test_cli_e2e", "test_export_roundtrip", "test_apply_resilience"})
# Modules that only run on the production stand-in.
PRODUCTION_ONLY = frozenset({"test_production", "test_reports"})
# Superset fixtures a module may ask for, with their scope.
FIXTURES = {"superset": "session", "server": "module"}


def parametrize(metafunc: pytest.Metafunc) -> None:
    """pytest_generate_tests: both stand-ins for the suites that run on both."""
    module = Path(str(metafunc.definition.fspath)).stem
    if module in PRODUCTION_SUITES:
        names = STAND_INS
    elif module in PRODUCTION_ONLY:
        names = ("production",)
    else:
        return
    for fixture, scope in FIXTURES.items():
        if fixture in metafunc.fixturenames:
            metafunc.parametrize(fixture, names, indirect=True, scope=scope, ids=list(names))
            return


def stand_in(request: pytest.FixtureRequest) -> str:
    """The stand-in a parametrised Superset fixture is asked for (local if not)."""
    return getattr(request, "param", "local")


def production_home(name: str) -> Path:
    home = Path(tempfile.mkdtemp(prefix=f"superset-{name}-"))
    home.chmod(0o711)
    return home


def start_production(home: Path, extra_env: dict[str, str] | None = None):
    """Start the production stack in `home` on a free port; pytest.fail if it cannot."""
    from tests.integration.conftest import SupersetInstance, _free_port

    from tests.integration.mail_sink import smtp_env

    # Reports send through the session's mail port (tests/integration/mail_sink.py).
    env = {**os.environ, **smtp_env(), **(extra_env or {})}
    port = _free_port()
    cmd = [sys.executable, str(PRODUCTION), "start", "--port", str(port), "--home", str(home),
           "--json", "--owner-pid", str(os.getpid())]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=START_TIMEOUT, env=env)
    except subprocess.TimeoutExpired as err:
        stop_production(home, env)
        pytest.fail(f"production stack did not start within {START_TIMEOUT}s:\n"
                    f"{(err.stderr or b'')[-4000:]!r}", pytrace=False)
    if proc.returncode != 0:
        pytest.fail(f"production stack failed to start:\n{proc.stderr[-6000:]}", pytrace=False)
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    instance = SupersetInstance(
        url=info["url"], username=env.get("SUPERSET_IAC_ADMIN_USERNAME", "admin"),
        password=env.get("SUPERSET_IAC_ADMIN_PASSWORD", "admin"), home=home, port=port,
        log_path=Path(info["log"]), template="production", _env=env)
    instance.stop = lambda: stop_production(home, env)  # type: ignore[method-assign]
    instance.info = info  # type: ignore[attr-defined]
    return instance


def stop_production(home: Path, env: dict[str, str] | None = None, remove: bool = True) -> None:
    subprocess.run([sys.executable, str(PRODUCTION), "stop", "--home", str(home)],
                   capture_output=True, text=True, timeout=120, env=env or dict(os.environ))
    if remove:
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def production_superset() -> Iterator[Any]:
    """The session's production stand-in, shared by every suite that runs on it
    (the session `superset` fixture's production parameter is this one)."""
    instance = start_production(production_home("superset"))
    yield instance
    instance.stop()


def instance_for(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                 name: str, template: str = "base"):
    """A started Superset of the stand-in `request` asks for; stopped by the caller."""
    from tests.integration.conftest import start_instance

    if stand_in(request) == "production":
        return start_production(production_home(name))
    return start_instance(tmp_path_factory.mktemp(f"{name}-home"), template)
