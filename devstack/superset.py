#!/usr/bin/env python3
"""A real Apache Superset 6.1 on this machine, for the demo and the tests.

Standard library only: it runs with any python3 and manages Superset's own
virtual environment, which cannot be the tool's (Superset pins sqlalchemy<2
and sqlglot<29).

    python3 devstack/superset.py install            # .superset/venv
    python3 devstack/superset.py init               # template metadata DB
    python3 devstack/superset.py examples           # template with load-examples
    python3 devstack/superset.py start [--port N] [--home DIR] [--template base|examples]
    python3 devstack/superset.py status [--home DIR] [--json]
    python3 devstack/superset.py stop [--home DIR]

Layout under .superset/ (override with SUPERSET_IAC_STATE_DIR):

    venv/                     Superset's virtual environment
    templates/base/           superset.db after db upgrade + create-admin + init
    templates/examples/       the same plus `superset load-examples`
    home/                     the default instance: superset.db, superset.log,
                              superset.pid, instance.json

An instance's home is SUPERSET_HOME for the server; superset_config/local.py
puts the metadata database there. Starting an instance whose home has no
database copies a template into it, so each home is independent and a test
session can start from a known state in a temporary directory.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import fcntl
import hashlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEVSTACK = ROOT / "devstack"
STATE_DIR = Path(os.environ.get("SUPERSET_IAC_STATE_DIR") or ROOT / ".superset").resolve()
VENV = STATE_DIR / "venv"
TEMPLATES = STATE_DIR / "templates"
DEFAULT_HOME = STATE_DIR / "home"
CONFIG = ROOT / "superset_config" / "local.py"
REQUIREMENTS = DEVSTACK / "requirements-superset.txt"
CONSTRAINTS = DEVSTACK / "constraints-superset.txt"

SUPERSET_VERSION = "6.1.0"
# Bump when the way templates are built changes, to rebuild cached ones.
TEMPLATE_FORMAT = 1
TEMPLATE_KINDS = ("base", "examples")

DB_FILE = "superset.db"
EXAMPLES_FILE = "examples.db"
PID_FILE = "superset.pid"
LOG_FILE = "superset.log"
INSTANCE_FILE = "instance.json"
TEMPLATE_FILE = "template.json"

# Modules whose import proves the venv is usable (see requirements-superset.txt).
# Importing superset itself takes seconds; finding it is enough here, since
# every start imports it anyway (and fails with its log if it cannot).
VENV_PROBE = (
    "import importlib.util, sys; "
    "missing = [m for m in ('superset', 'gunicorn', 'duckdb_engine') if importlib.util.find_spec(m) is None]; "
    "import duckdb, trino, rich, cachetools, flask_caching, psycopg2, redis, celery; "
    "sys.exit('missing: ' + ', '.join(missing) if missing else 0)"
)


class DevstackError(Exception):
    """A failure explained in one message; the CLI prints it and exits 1."""


# --------------------------------------------------------------------------
# settings


def admin_username() -> str:
    return os.environ.get("SUPERSET_IAC_ADMIN_USERNAME", "admin")


def admin_password() -> str:
    return os.environ.get("SUPERSET_IAC_ADMIN_PASSWORD", "admin")


def default_port() -> int:
    return int(os.environ.get("SUPERSET_PORT", "8088"))


def log(msg: str) -> None:
    print(f"[superset] {msg}", file=sys.stderr, flush=True)


def _sha256(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


@contextlib.contextmanager
def state_lock(name: str, directory: Path | None = None):
    """Serialise one kind of build (the venv, a template) across processes.

    Two test sessions (or `make test` beside `make demo`) may start at once;
    both must not build the same thing in the same place. One lock per
    thing, so that a long examples build does not hold up a base start.
    """
    where = directory or STATE_DIR  # another devstack's state (trino.py) may share this
    where.mkdir(parents=True, exist_ok=True)
    with open(where / f".{name}.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --------------------------------------------------------------------------
# install


def venv_key() -> str:
    return _sha256(REQUIREMENTS.read_bytes(), CONSTRAINTS.read_bytes())


def venv_python() -> Path:
    return VENV / "bin" / "python"


def venv_bin(name: str) -> Path:
    return VENV / "bin" / name


def _stamp_path() -> Path:
    return VENV / ".devstack-installed"


def venv_ok(deep: bool = True) -> bool:
    """The venv exists, was installed from the current pins and (deep) imports.

    The deep check imports Superset (a few seconds); starting an instance
    only needs the shallow one, since a broken venv fails the start anyway.
    """
    stamp = _stamp_path()
    if not venv_python().exists() or not stamp.exists():
        return False
    if stamp.read_text().strip() != venv_key():
        return False
    if not deep:
        return True
    probe = subprocess.run(
        [str(venv_python()), "-c", VENV_PROBE],
        capture_output=True, text=True, env=_clean_env(),
    )
    return probe.returncode == 0


def _find_python() -> str:
    wanted = os.environ.get("SUPERSET_PYTHON")
    if wanted:
        return wanted
    for name in ("python3.11", "python3.12", "python3.10"):
        found = shutil.which(name)
        if found:
            return found
    if sys.version_info[:2] in ((3, 10), (3, 11), (3, 12)):
        return sys.executable
    raise DevstackError(
        "Superset 6.1 needs Python 3.10-3.12; none found (set SUPERSET_PYTHON)"
    )


def _clean_env() -> dict[str, str]:
    """The environment for Superset's own processes.

    Drops variables of an activated tool venv so that Superset's venv is the
    only one on the path.
    """
    env = dict(os.environ)
    env.pop("VIRTUAL_ENV", None)
    env.pop("PYTHONPATH", None)
    env.pop("PYTHONHOME", None)
    return env


_INSTALL_CHECKED = False


def install(force: bool = False, deep: bool = True) -> None:
    global _INSTALL_CHECKED
    if _INSTALL_CHECKED and not force:
        return
    with state_lock("venv"):
        if not force and venv_ok(deep=deep):
            log(f"venv ok: {VENV}")
            _INSTALL_CHECKED = True
            return
        started = time.monotonic()
        if VENV.exists():
            log(f"venv missing, stale or broken: recreating {VENV}")
            shutil.rmtree(VENV)
        python = _find_python()
        log(f"creating {VENV} with {python}")
        _run([python, "-m", "venv", str(VENV)])
        _run([str(venv_python()), "-m", "pip", "install", "--quiet",
              "-r", str(REQUIREMENTS), "-c", str(CONSTRAINTS)],
             what="pip install (Superset)")
        probe = subprocess.run([str(venv_python()), "-c", VENV_PROBE],
                               capture_output=True, text=True, env=_clean_env())
        if probe.returncode != 0:
            raise DevstackError(f"Superset venv does not import:\n{probe.stderr[-2000:]}")
        _stamp_path().write_text(venv_key() + "\n")
        _INSTALL_CHECKED = True
        log(f"installed Superset {SUPERSET_VERSION} in {time.monotonic() - started:.0f}s")


def _run(cmd: list[str], env: dict[str, str] | None = None, what: str | None = None,
         log_to: Path | None = None) -> None:
    """Run a command; on failure raise with the tail of its output."""
    if log_to is not None:
        with open(log_to, "ab") as out:
            result = subprocess.run(cmd, env=env or _clean_env(), stdout=out,
                                    stderr=subprocess.STDOUT)
        tail = _tail(log_to)
    else:
        result = subprocess.run(cmd, env=env or _clean_env(), capture_output=True, text=True)
        tail = (result.stdout + result.stderr)[-4000:]
    if result.returncode != 0:
        raise DevstackError(f"{what or cmd[0]} failed (exit {result.returncode}):\n{tail}")


def _tail(path: Path, lines: int = 60) -> str:
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


# --------------------------------------------------------------------------
# templates


def superset_env(home: Path, extra: dict[str, str] | None = None,
                 config: Path = CONFIG) -> dict[str, str]:
    env = _clean_env()
    env.update({
        "SUPERSET_CONFIG_PATH": str(config),
        "SUPERSET_HOME": str(home),
        "FLASK_APP": "superset.app:create_app()",
        "PYTHONUNBUFFERED": "1",
        # Superset's CLI prints with rich; keep logs plain.
        "NO_COLOR": "1",
        "TERM": "dumb",
    })
    if extra:
        env.update(extra)
    return env


def template_key(kind: str) -> str:
    parts = [
        str(TEMPLATE_FORMAT).encode(), kind.encode(), venv_key().encode(),
        admin_username().encode(), admin_password().encode(),
    ]
    if kind == "examples":
        parts.append(template_key("base").encode())
    return _sha256(*parts)


def template_dir(kind: str) -> Path:
    if kind not in TEMPLATE_KINDS:
        raise DevstackError(f"unknown template {kind!r} (one of {', '.join(TEMPLATE_KINDS)})")
    return TEMPLATES / kind


def template_ok(kind: str) -> bool:
    meta = template_dir(kind) / TEMPLATE_FILE
    if not meta.exists() or not (template_dir(kind) / DB_FILE).exists():
        return False
    try:
        return json.loads(meta.read_text()).get("key") == template_key(kind)
    except (OSError, ValueError):
        return False


def init(force: bool = False) -> Path:
    """Build (once) the base template: an upgraded, initialised metadata DB."""
    install(deep=False)
    if not force and template_ok("base"):
        return template_dir("base")
    with state_lock("template-base"):
        if not force and template_ok("base"):
            log(f"template ok: {template_dir('base')}")
            return template_dir("base")
        return _build_template("base", _init_steps)


def examples(force: bool = False) -> Path:
    """Build (once) the examples template: base + `superset load-examples`."""
    init()
    if not force and template_ok("examples"):
        return template_dir("examples")
    with state_lock("template-examples"):
        if not force and template_ok("examples"):
            log(f"template ok: {template_dir('examples')}")
            return template_dir("examples")
        return _build_template("examples", _examples_steps)


def _init_steps(home: Path, logfile: Path, env: dict[str, str] | None = None) -> None:
    env = env or superset_env(home)
    superset = str(venv_bin("superset"))
    _timed("superset db upgrade", [superset, "db", "upgrade"], env, logfile)
    _timed("superset fab create-admin", [
        superset, "fab", "create-admin",
        "--username", admin_username(), "--password", admin_password(),
        "--firstname", "Admin", "--lastname", "User",
        "--email", f"{admin_username()}@localhost.localdomain",
    ], env, logfile)
    _timed("superset init", [superset, "init"], env, logfile)


def _examples_steps(home: Path, logfile: Path) -> None:
    copy_template("base", home)
    env = superset_env(home)
    _timed("superset load-examples", [str(venv_bin("superset")), "load-examples"], env, logfile)


def _timed(what: str, cmd: list[str], env: dict[str, str], logfile: Path) -> None:
    started = time.monotonic()
    log(f"{what} ...")
    _run(cmd, env=env, what=what, log_to=logfile)
    log(f"{what}: {time.monotonic() - started:.1f}s")


def _build_template(kind: str, steps) -> Path:
    final = template_dir(kind)
    work = TEMPLATES / f".{kind}.building-{os.getpid()}"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    logfile = TEMPLATES / f"{kind}.build.log"
    logfile.write_text("")
    started = time.monotonic()
    try:
        steps(work, logfile)
        # The template is copied into other homes; record where it was built
        # so that copies can rewrite the paths stored in it.
        (work / TEMPLATE_FILE).write_text(json.dumps({
            "key": template_key(kind), "kind": kind, "built_in": str(work),
            "superset": SUPERSET_VERSION, "seconds": round(time.monotonic() - started, 1),
        }, indent=2) + "\n")
        # Nothing of a build's own runtime belongs in a template.
        for leftover in (PID_FILE, INSTANCE_FILE, LOG_FILE, "template"):
            (work / leftover).unlink(missing_ok=True)
        if final.exists():
            shutil.rmtree(final)
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    log(f"template {kind} built in {time.monotonic() - started:.0f}s: {final}")
    return final


def copy_template(kind: str, home: Path) -> None:
    """Give `home` its own copy of a template's databases.

    SQLite files in the template (the metadata DB and, for the examples
    template, the examples data) are copied; absolute paths to the template's
    build directory stored in the metadata DB (the examples database URI) are
    rewritten to point into `home`.
    """
    source = template_dir(kind)
    meta = json.loads((source / TEMPLATE_FILE).read_text())
    home.mkdir(parents=True, exist_ok=True)
    for item in source.iterdir():
        if item.suffix == ".db":
            shutil.copy2(item, home / item.name)
    built_in = meta["built_in"]
    with contextlib.closing(sqlite3.connect(home / DB_FILE)) as conn:
        conn.execute(
            "UPDATE dbs SET sqlalchemy_uri = replace(sqlalchemy_uri, ?, ?) "
            "WHERE instr(sqlalchemy_uri, ?) > 0",
            (built_in, str(home), built_in),
        )
        conn.commit()
    (home / "template").write_text(kind + "\n")


# --------------------------------------------------------------------------
# instances


def health(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=timeout) as resp:
            return resp.status == 200 and resp.read().strip() == b"OK"
    except (urllib.error.URLError, OSError, ValueError):
        return False


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError as err:
        return err.errno == errno.EPERM
    # A zombie (exited, not yet reaped) still answers kill(0).
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def read_instance(home: Path, pid_file: str = PID_FILE) -> dict | None:
    """The recorded instance of `home` if its process is still alive
    (`pid_file`: devstack/trino.py keeps its own)."""
    try:
        pid = int((home / pid_file).read_text().strip())
    except (OSError, ValueError):
        return None
    if not pid_alive(pid):
        return None
    try:
        info = json.loads((home / INSTANCE_FILE).read_text())
    except (OSError, ValueError):
        info = {}
    info["pid"] = pid
    return info


def start(port: int, home: Path, template: str = "base", timeout: float = 180.0,
          extra_env: dict[str, str] | None = None, owner_pid: int | None = None) -> dict:
    """Start (or reuse) the Superset instance of `home` on `port`.

    Reuses an instance that is alive, healthy and on the requested port;
    restarts one that crashed, hangs, or listens elsewhere.
    """
    home = home.resolve()
    url = f"http://127.0.0.1:{port}"
    current = read_instance(home)
    if current:
        if current.get("port") == port and health(url):
            log(f"reusing healthy Superset pid {current['pid']} at {url}")
            return current
        if current.get("port") == port and _wait_healthy(url, current["pid"], 30):
            log(f"reusing Superset pid {current['pid']} at {url} (was starting)")
            return current
        log(f"instance pid {current['pid']} is unhealthy or on another port: restarting")
        stop(home)
    else:
        (home / PID_FILE).unlink(missing_ok=True)

    if port_in_use(port):
        raise DevstackError(
            f"port {port} is already in use by another process (not the instance of "
            f"{home}); stop it or choose another port (--port / SUPERSET_PORT)"
        )

    if not (home / DB_FILE).exists():
        if template == "examples":
            examples()
        else:
            init()
        log(f"new home {home}: copying template {template}")
        copy_template(template, home)
    else:
        install(deep=False)

    logfile = home / LOG_FILE
    with open(logfile, "ab") as out:
        out.write(f"\n===== start {time.strftime('%Y-%m-%d %H:%M:%S')} port {port} =====\n".encode())
        out.flush()
        proc = subprocess.Popen(
            _server_command(port),
            cwd=home, env=superset_env(home, extra_env), stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
    info = {"pid": proc.pid, "port": port, "url": url, "home": str(home),
            "template": template, "log": str(logfile), "started_at": time.time()}
    (home / PID_FILE).write_text(f"{proc.pid}\n")
    (home / INSTANCE_FILE).write_text(json.dumps(info, indent=2) + "\n")

    started = time.monotonic()
    if not _wait_healthy(url, proc.pid, timeout, proc):
        code = proc.poll()
        if code is None:
            stop(home)
            why = f"no healthy /health after {timeout:.0f}s"
        else:
            (home / PID_FILE).unlink(missing_ok=True)
            why = f"the server exited with code {code}"
        raise DevstackError(f"Superset did not start at {url}: {why}. Log {logfile}:\n{_tail(logfile)}")
    log(f"Superset {SUPERSET_VERSION} up at {url} in {time.monotonic() - started:.1f}s "
        f"(pid {proc.pid}, log {logfile})")
    if owner_pid:
        _spawn_watchdog(owner_pid, home)
    return info


def watch_owner(owner_pid: int, home: Path, running=None, stopper=None) -> None:
    """Stop the instance of `home` once `owner_pid` has exited.

    Test sessions start instances and stop them at the end; a session that
    is killed outright cannot, and its Superset would linger. This runs as a
    detached process beside the server. `running` and `stopper` default to
    this module's read_instance and stop (devstack/production.py passes its own).
    """
    running, stopper = running or read_instance, stopper or stop
    while pid_alive(owner_pid):
        if running(home) is None:
            return
        time.sleep(2)
    stopper(home)


def _spawn_watchdog(owner_pid: int, home: Path, script: Path | None = None) -> None:
    """Run `script _watch` (this file unless given) detached beside the server."""
    subprocess.Popen(
        [sys.executable, str(script or Path(__file__).resolve()), "_watch",
         "--owner-pid", str(owner_pid), "--home", str(home)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True, env=_clean_env(),
    )


def _server_command(port: int, workers: str = "1", timeout: int = 120) -> list[str]:
    workers = os.environ.get("SUPERSET_WORKERS", workers)
    threads = os.environ.get("SUPERSET_THREADS", "8")
    return [
        str(venv_bin("gunicorn")),
        "--bind", f"127.0.0.1:{port}",
        "--workers", workers, "--worker-class", "gthread", "--threads", threads,
        "--timeout", str(timeout), "--graceful-timeout", "10",
        "--access-logfile", "-", "--error-logfile", "-",
        "superset.app:create_app()",
    ]


def _wait_healthy(url: str, pid: int, timeout: float, proc: subprocess.Popen | None = None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        if proc is None and not pid_alive(pid):
            return False
        if health(url):
            return True
        time.sleep(0.5)
    return False


def stop(home: Path, timeout: float = 20.0, pid_file: str = PID_FILE) -> bool:
    """Stop the instance of `home`; True if one was running."""
    home = home.resolve()
    current = read_instance(home, pid_file)
    (home / pid_file).unlink(missing_ok=True)
    if not current:
        return False
    pid = current["pid"]
    # gunicorn's master and workers share the session started for them.
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, sig)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not pid_alive(pid):
                with contextlib.suppress(ChildProcessError, OSError):
                    os.waitpid(pid, os.WNOHANG)
                log(f"stopped pid {pid}")
                return True
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(pid, os.WNOHANG)
            time.sleep(0.2)
    log(f"pid {pid} did not stop")
    return True


def status(home: Path) -> dict:
    home = home.resolve()
    current = read_instance(home)
    result = {
        "home": str(home),
        "venv": str(VENV), "venv_ok": venv_ok(deep=False),
        "templates": {kind: template_ok(kind) for kind in TEMPLATE_KINDS},
        "running": False,
    }
    if current:
        url = current.get("url") or f"http://127.0.0.1:{current.get('port')}"
        result.update(running=True, healthy=health(url), pid=current["pid"],
                      url=url, port=current.get("port"), log=current.get("log"))
        result["version"] = _server_version(url)
    return result


def _server_version(url: str) -> str | None:
    # The API version endpoint needs a login; the health check does not tell.
    try:
        data = json.dumps({"username": admin_username(), "password": admin_password(),
                           "provider": "db", "refresh": False}).encode()
        req = urllib.request.Request(f"{url}/api/v1/security/login", data=data,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=5) as resp:
            token = json.load(resp)["access_token"]
        req = urllib.request.Request(f"{url}/version", headers={
            "Authorization": f"Bearer {token}", "Accept": "application/json"})
        with urllib.request.urlopen(req, timeout=5) as resp:
            body = resp.read().decode()
        try:
            return json.loads(body).get("version_string") or body.strip()
        except ValueError:
            return body.strip()[:80]
    except (urllib.error.URLError, OSError, KeyError, ValueError):
        return None


# --------------------------------------------------------------------------
# CLI


def add_instance_parsers(sub, default_home: Path, timeout: float) -> argparse.ArgumentParser:
    """start, _watch, stop and status of an instance's home; returns start's parser."""
    start_parser = sub.add_parser("start", help="start or reuse the instance of a home")
    start_parser.add_argument("--port", type=int, default=None, help="default $SUPERSET_PORT or 8088")
    start_parser.add_argument("--home", type=Path, default=default_home)
    start_parser.add_argument("--timeout", type=float, default=timeout)
    start_parser.add_argument("--json", action="store_true", help="print the instance as JSON")
    start_parser.add_argument("--owner-pid", type=int, default=None,
                              help="stop the instance when this process exits (test sessions)")
    p = sub.add_parser("_watch")  # internal: the --owner-pid watchdog
    p.add_argument("--owner-pid", type=int, required=True)
    p.add_argument("--home", type=Path, required=True)
    for name in ("stop", "status"):
        p = sub.add_parser(name, help=f"{name} the instance of a home")
        p.add_argument("--home", type=Path, default=default_home)
        p.add_argument("--json", action="store_true")
    return start_parser


def guarded(action, errors: tuple[type[BaseException], ...] = ()) -> int:
    """Run a command's `action`: its exit code (0 for None); a DevstackError
    (or one of `errors`) is one line on stderr and exit 1, Ctrl-C exit 130."""
    try:
        return action() or 0
    except (DevstackError, *errors) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="devstack/superset.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("install", help="create or repair Superset's venv")
    p.add_argument("--force", action="store_true")
    p = sub.add_parser("init", help="build the base template metadata DB (cached)")
    p.add_argument("--force", action="store_true")
    p = sub.add_parser("examples", help="build the examples template (cached, ~4 min)")
    p.add_argument("--force", action="store_true")

    p = add_instance_parsers(sub, DEFAULT_HOME, timeout=180.0)
    p.add_argument("--template", choices=TEMPLATE_KINDS, default="base",
                   help="what a new home starts from")

    args = parser.parse_args(argv)
    return guarded(lambda: _command(args))


def _command(args: argparse.Namespace) -> int | None:
    if args.command == "install":
        install(force=args.force)
    elif args.command == "init":
        init(force=args.force)
    elif args.command == "examples":
        examples(force=args.force)
    elif args.command == "start":
        port = args.port if args.port is not None else default_port()
        info = start(port, args.home, template=args.template, timeout=args.timeout,
                     owner_pid=args.owner_pid)
        if args.json:
            print(json.dumps(info))
        else:
            print(f"Superset: {info['url']}  (login {admin_username()} / "
                  f"$SUPERSET_IAC_ADMIN_PASSWORD, default admin)")
    elif args.command == "_watch":
        watch_owner(args.owner_pid, args.home.resolve())
    elif args.command == "stop":
        if not stop(args.home):
            log(f"not running ({args.home.resolve()})")
    elif args.command == "status":
        info = status(args.home)
        if args.json:
            print(json.dumps(info, indent=2))
        else:
            state = ("running" if info["running"] else "stopped")
            if info["running"]:
                state += (f", {'healthy' if info['healthy'] else 'UNHEALTHY'}, "
                          f"{info['url']}, pid {info['pid']}, version {info.get('version')}")
            print(f"instance: {state}\nhome: {info['home']}\n"
                  f"venv: {info['venv']} ({'ok' if info['venv_ok'] else 'missing or stale'})\n"
                  + "\n".join(f"template {k}: {'ok' if v else 'not built'}"
                              for k, v in info["templates"].items()))
            return 0 if info["running"] else 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
