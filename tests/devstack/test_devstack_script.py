"""devstack/superset.py without starting Superset: templates, pid files, ports."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "devstack" / "superset.py"


@pytest.fixture
def devstack(tmp_path, monkeypatch):
    monkeypatch.setenv("SUPERSET_IAC_STATE_DIR", str(tmp_path / "state"))
    spec = importlib.util.spec_from_file_location("devstack_superset_under_test", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _fake_template(devstack, kind: str, built_in: str) -> Path:
    """A template as _build_template leaves it, without running Superset."""
    tdir = devstack.template_dir(kind)
    tdir.mkdir(parents=True)
    with contextlib.closing(sqlite3.connect(tdir / "superset.db")) as conn:
        conn.execute("CREATE TABLE dbs (id INTEGER PRIMARY KEY, database_name TEXT, sqlalchemy_uri TEXT)")
        conn.executemany("INSERT INTO dbs (database_name, sqlalchemy_uri) VALUES (?, ?)", [
            ("examples", f"sqlite:///{built_in}/examples.db?check_same_thread=false"),
            ("other", "duckdb:////data/lakehouse.duckdb"),
        ])
        conn.commit()
    (tdir / "examples.db").write_bytes(b"examples data")
    (tdir / "template.json").write_text(json.dumps({"key": "k", "built_in": built_in}))
    return tdir


def test_copy_template_rewrites_paths_into_the_new_home(devstack, tmp_path):
    _fake_template(devstack, "examples", "/somewhere/.examples.building-1")
    home = tmp_path / "home"
    devstack.copy_template("examples", home)
    assert (home / "examples.db").read_bytes() == b"examples data"
    assert not (home / "template.json").exists()
    with contextlib.closing(sqlite3.connect(home / "superset.db")) as conn:
        uris = dict(conn.execute("SELECT database_name, sqlalchemy_uri FROM dbs"))
    assert uris["examples"] == f"sqlite:///{home}/examples.db?check_same_thread=false"
    assert uris["other"] == "duckdb:////data/lakehouse.duckdb"
    # The template itself is untouched.
    with contextlib.closing(sqlite3.connect(devstack.template_dir("examples") / "superset.db")) as conn:
        assert "/somewhere/" in conn.execute("SELECT sqlalchemy_uri FROM dbs WHERE id = 1").fetchone()[0]


def test_template_key_depends_on_pins_and_admin(devstack, monkeypatch):
    base = devstack.template_key("base")
    assert devstack.template_key("examples") != base
    monkeypatch.setenv("SUPERSET_IAC_ADMIN_PASSWORD", "other")
    assert devstack.template_key("base") != base


def test_template_ok_needs_matching_key(devstack):
    tdir = _fake_template(devstack, "base", "/x")
    assert not devstack.template_ok("base")
    (tdir / "template.json").write_text(json.dumps({"key": devstack.template_key("base")}))
    assert devstack.template_ok("base")


def test_stale_pid_file_is_not_an_instance(devstack, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (home / "superset.pid").write_text(f"{dead.pid}\n")
    assert devstack.read_instance(home) is None
    assert devstack.stop(home) is False
    assert not (home / "superset.pid").exists()


def test_live_pid_is_read_and_stopped(devstack, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    try:
        (home / "superset.pid").write_text(f"{proc.pid}\n")
        (home / "instance.json").write_text(json.dumps({"port": 1, "url": "http://127.0.0.1:1"}))
        assert devstack.read_instance(home)["pid"] == proc.pid
        assert devstack.stop(home, timeout=5) is True
        assert proc.wait(timeout=5) is not None
    finally:
        if proc.poll() is None:
            proc.kill()


def test_port_in_use_refuses_to_start(devstack, tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert devstack.port_in_use(port)
        with pytest.raises(devstack.DevstackError, match="already in use"):
            devstack.start(port, tmp_path / "home")


def test_health_of_nothing_is_false(devstack):
    assert devstack.health(f"http://127.0.0.1:{devstack.free_port()}", timeout=0.5) is False


def test_status_of_a_stopped_home(devstack, tmp_path):
    info = devstack.status(tmp_path / "home")
    assert info["running"] is False
    assert info["venv_ok"] is False
    assert info["templates"] == {"base": False, "examples": False}


def test_cli_runs_with_a_bare_python(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "SUPERSET_IAC_STATE_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-I", str(SCRIPT), "status", "--home", str(tmp_path / "h"), "--json"],
                         capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["running"] is False


def test_watchdog_stops_the_instance_when_its_owner_dies(devstack, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    server = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    owner = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.5)"])
    try:
        (home / "superset.pid").write_text(f"{server.pid}\n")
        devstack.watch_owner(owner.pid, home)  # returns once the owner is gone
        assert server.wait(timeout=10) is not None
        assert not (home / "superset.pid").exists()
    finally:
        for proc in (server, owner):
            if proc.poll() is None:
                proc.kill()
