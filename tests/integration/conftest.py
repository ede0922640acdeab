"""A real Superset 6.1 for the integration tests.

`superset` and `superset_examples` are session fixtures, each its own
Superset server (gunicorn, 127.0.0.1, a free port) whose home — metadata
database, log, pid file — is a temporary directory holding a fresh copy of a
template built by devstack/superset.py (`init` and `examples`). No test sees
what an earlier run left behind; tests in one session share the instance, so
name what you create uniquely (the `unique` fixture helps).

If the server cannot start, the fixture fails with the tail of its log:
integration tests never skip.

Everything under tests/integration/ is marked `integration`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pytest
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

# The Trino fixtures (trino_server, warehouse) live in their own module.
from tests.integration.trino_stack import trino_server, trino_superset, warehouse  # noqa: F401
from tests.integration import production_stack
from tests.integration.production_stack import production_superset  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
DEVSTACK = ROOT / "devstack" / "superset.py"
# A cold machine installs Superset (~2 min) and builds the templates
# (~40 s, and ~4 min more for the examples) inside the first start.
START_TIMEOUT = 1800


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.integration)


@dataclass
class SupersetInstance:
    """A running local Superset and how to talk to it."""

    url: str
    username: str
    password: str
    home: Path
    port: int
    log_path: Path
    template: str
    _env: dict[str, str] = field(default_factory=dict, repr=False)

    def login(self) -> dict:
        """POST /api/v1/security/login: {"access_token", "refresh_token"}."""
        resp = _patient_session().post(
            f"{self.url}/api/v1/security/login",
            json={"username": self.username, "password": self.password,
                  "provider": "db", "refresh": True},
            headers={"Accept": "application/json"}, timeout=30,
        )
        resp.raise_for_status()
        return resp.json()

    def session(self) -> requests.Session:
        """A requests.Session logged in as the admin.

        It carries `Authorization: Bearer …` (valid 15 minutes: call again
        for a long test), `X-CSRFToken` with the `session` cookie it belongs
        to, `Accept: application/json`, and `Referer` (Superset checks it
        over HTTPS only, but it costs nothing).
        """
        sess = _patient_session()
        sess.headers.update({"Accept": "application/json", "Referer": self.url})
        tokens = self.login()
        sess.headers["Authorization"] = f"Bearer {tokens['access_token']}"
        resp = sess.get(f"{self.url}/api/v1/security/csrf_token/", timeout=30)
        resp.raise_for_status()
        sess.headers["X-CSRFToken"] = resp.json()["result"]
        return sess

    def env(self, lakehouse_path: Path | str | None = None) -> dict[str, str]:
        """Variables for running `superset-iac … --env local` against this instance."""
        env = {"SUPERSET_URL": self.url, "SUPERSET_USERNAME": self.username,
               "SUPERSET_PASSWORD": self.password}
        if lakehouse_path is not None:
            env["LAKEHOUSE_PATH"] = str(Path(lakehouse_path).resolve())
        return env

    def log_tail(self, lines: int = 80) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"

    def stop(self) -> None:
        subprocess.run([sys.executable, str(DEVSTACK), "stop", "--home", str(self.home)],
                       capture_output=True, text=True, timeout=60, env=self._env)


def _patient_session() -> requests.Session:
    """A session that waits out a 429: the production stand-in limits every
    client to 50 requests a second (Superset's RATELIMIT_APPLICATION), which a
    test creating objects by hand in a loop reaches. A 429 never ran, so any
    method may be repeated."""
    sess = requests.Session()
    retry = Retry(total=8, status_forcelist=[429], allowed_methods=None, backoff_factor=0.2,
                  respect_retry_after_header=True, raise_on_status=False)
    sess.mount("http://", HTTPAdapter(max_retries=retry))
    return sess


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_instance(home: Path, template: str, extra_env: dict[str, str] | None = None) -> SupersetInstance:
    """Start a Superset on a free port from `template`; pytest.fail if it cannot."""
    env = dict(os.environ)
    env.update(extra_env or {})
    username = env.get("SUPERSET_IAC_ADMIN_USERNAME", "admin")
    password = env.get("SUPERSET_IAC_ADMIN_PASSWORD", "admin")
    last_error = ""
    for _attempt in range(2):  # a second try only if another process took the port
        port = _free_port()
        cmd = [sys.executable, str(DEVSTACK), "start", "--port", str(port), "--home", str(home),
               "--template", template, "--json",
               # If this session dies without its finalizers, the server follows.
               "--owner-pid", str(os.getpid())]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=START_TIMEOUT, env=env)
        except subprocess.TimeoutExpired as err:
            subprocess.run([sys.executable, str(DEVSTACK), "stop", "--home", str(home)],
                           capture_output=True, timeout=60, env=env)
            pytest.fail(f"Superset ({template}) did not start within {START_TIMEOUT}s:\n"
                        f"{(err.stderr or b'')[-4000:]!r}\n{_log_tail(home)}", pytrace=False)
        if proc.returncode == 0:
            info = json.loads(proc.stdout.strip().splitlines()[-1])
            return SupersetInstance(url=info["url"], username=username, password=password,
                                    home=home, port=port, log_path=Path(info["log"]),
                                    template=template, _env=env)
        last_error = proc.stderr[-6000:]
        if "already in use" not in last_error:
            break
    pytest.fail(f"Superset ({template}) failed to start:\n{last_error}\n"
                f"--- log tail ---\n{_log_tail(home)}", pytrace=False)


def _log_tail(home: Path, lines: int = 80) -> str:
    log = home / "superset.log"
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    production_stack.parametrize(metafunc)


@pytest.fixture(scope="session")
def superset(request: pytest.FixtureRequest,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[SupersetInstance]:
    """A fresh Superset 6.1: only the admin user and Superset's default roles.

    The local stand-in unless the module runs on the production one too
    (tests/integration/production_stack.py).
    """
    if production_stack.stand_in(request) == "production":
        yield request.getfixturevalue("production_superset")
        return
    instance = production_stack.instance_for(request, tmp_path_factory, "superset")
    yield instance
    instance.stop()


@pytest.fixture(scope="session")
def superset_examples(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SupersetInstance]:
    """A fresh Superset 6.1 with `superset load-examples` loaded.

    The examples' data is SQLite, so this instance allows SQLite databases
    (PREVENT_UNSAFE_DB_CONNECTIONS off) for round trips through export and
    import. Builds the examples template on first use (~4 min).
    """
    instance = start_instance(tmp_path_factory.mktemp("superset-examples-home"), "examples",
                              {"SUPERSET_IAC_ALLOW_UNSAFE_DB_CONNECTIONS": "1"})
    yield instance
    instance.stop()


@pytest.fixture
def unique() -> str:
    """A short suffix that keeps names created by one test apart from another's."""
    return uuid.uuid4().hex[:8]
