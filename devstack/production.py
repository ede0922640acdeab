#!/usr/bin/env python3
"""Superset 6.1 as deploy/ runs it, on this machine: the production stand-in.

    python3 devstack/production.py packages                 # postgresql, redis-server
    python3 devstack/production.py init                     # template metadata cluster
    python3 devstack/production.py start [--port N] [--home DIR] [--json] [--owner-pid PID]
    python3 devstack/production.py status [--home DIR] [--json]
    python3 devstack/production.py stop [--home DIR]

One instance is, all on 127.0.0.1 and free ports:

* PostgreSQL (Debian's `postgresql`) as the metadata database, a cluster of
  its own in HOME/pgdata (run as the `postgres` user when started as root);
* Redis (Debian's `redis-server`) in HOME/redis, with a password: caches,
  SQL Lab results, Celery broker and Celery results, one database number each;
* gunicorn with SUPERSET_WORKERS (default 4) workers, one Celery worker and
  Celery beat;
* the real superset_config/superset_config.py, secrets from the environment
  exactly as deploy/docker-compose.yml passes them. What a laptop lacks is
  TLS, so SUPERSET_SESSION_COOKIE_SECURE=false — the deployment's documented
  plain-HTTP switch — and nothing else differs.

Secrets (Superset's key, the PostgreSQL and Redis passwords) are generated
once per home into HOME/secrets.json (mode 0600). The metadata database
starts from a template cluster (`db upgrade`, the admin, `superset init`)
built once under STATE_DIR/templates/production and copied, like the SQLite
templates of devstack/superset.py, whose venv and helpers this reuses.
Start, stop and status are idempotent.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path



def _sibling(name: str):
    """devstack/NAME.py (devstack is a folder of scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(
        f"devstack_{name}_core", Path(__file__).resolve().parent / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


core = _sibling("superset")
services = _sibling("services")
DevstackError = core.DevstackError
CONFIG = core.ROOT / "superset_config" / "superset_config.py"
# PostgreSQL (another user when root) must reach both: beside the other
# state where it can, else in a directory of their own under /tmp.
_TAG = core._sha256(str(core.STATE_DIR).encode())[:12]
DEFAULT_HOME = services.pg_place(core.STATE_DIR / "production", _TAG)
TEMPLATE = services.pg_place(core.TEMPLATES / "production", _TAG)
TEMPLATE_FORMAT = 1
PG_USER, PG_DB = "superset", "superset"
# Celery worker processes: enough for async SQL Lab beside reports on 2 cores.
WORKER_CONCURRENCY = "2"
REDIS_DBS = {"REDIS_CELERY_DB": 0, "REDIS_RESULTS_DB": 1, "REDIS_CACHE_DB": 2,
             "REDIS_RATELIMIT_DB": 3, "REDIS_CELERY_RESULTS_DB": 4}
# name -> (pid file, log file) of the processes this script starts itself.
PROCESSES = ("redis", "superset", "worker", "beat")


def log(msg: str) -> None:
    print(f"[production] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# the template cluster


def template_key() -> str:
    return core._sha256(str(TEMPLATE_FORMAT).encode(), core.venv_key().encode(),
                        core.admin_username().encode(), core.admin_password().encode())


def template_ok() -> bool:
    try:
        meta = json.loads((TEMPLATE / core.TEMPLATE_FILE).read_text())
    except (OSError, ValueError):
        return False
    return meta.get("key") == template_key() and (TEMPLATE / "pgdata" / "PG_VERSION").exists()


def init(force: bool = False) -> Path:
    """Build (once) a cluster with Superset's schema, roles and the admin."""
    services.packages()
    core.install(deep=False)
    if not force and template_ok():
        return TEMPLATE
    with core.state_lock("template-production"):
        if not force and template_ok():
            return TEMPLATE
        started = time.monotonic()
        work = TEMPLATE.parent / f".production.building-{os.getpid()}"
        shutil.rmtree(work, ignore_errors=True)
        _make_home(work)
        try:
            ports = {"pg_port": core.free_port()}
            sec = home_secrets(work)
            services.pg_initdb(work / "pgdata")
            services.pg_start(work / "pgdata", ports["pg_port"], work / "postgres.log")
            try:
                services.psql(work / "pgdata", ports["pg_port"],
                     f"CREATE ROLE {PG_USER} LOGIN PASSWORD {services.sql_literal(sec['database_password'])}")
                services.psql(work / "pgdata", ports["pg_port"], f"CREATE DATABASE {PG_DB} OWNER {PG_USER}")
                # Redis is not needed to build the schema: without REDIS_HOST the
                # configuration leaves Celery off, which `db upgrade` never uses.
                env = server_env(work, {**ports, "redis_port": 0}, redis=False)
                core._init_steps(work, work / "build.log", env)
            finally:
                services.pg_stop(work / "pgdata")
            (work / core.TEMPLATE_FILE).write_text(json.dumps({
                "key": template_key(), "seconds": round(time.monotonic() - started, 1),
                "database_password": sec["database_password"]}) + "\n")
            shutil.rmtree(TEMPLATE, ignore_errors=True)
            (work / "secrets.json").unlink()
            work.rename(TEMPLATE)
        except BaseException:
            services.pg_stop(work / "pgdata")
            shutil.rmtree(work, ignore_errors=True)
            raise
        log(f"template built in {time.monotonic() - started:.0f}s: {TEMPLATE}")
        return TEMPLATE


# --------------------------------------------------------------------------
# an instance's home


def _make_home(home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    # PostgreSQL (another user when root) must reach HOME/pgdata.
    home.chmod(0o711)


def home_secrets(home: Path) -> dict[str, str]:
    """This home's secrets, generated on first use; never printed."""
    path = home / "secrets.json"
    with contextlib.suppress(OSError, ValueError):
        return json.loads(path.read_text())
    values = {name: secrets.token_urlsafe(36)
              for name in ("secret_key", "database_password", "redis_password")}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(values, out)
    return values


def server_env(home: Path, ports: dict, redis: bool = True,
               extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment deploy/docker-comp.yml gives Superset, for this home."""
    sec = home_secrets(home)
    env = {
        "SUPERSET_SECRET_KEY": sec["secret_key"],
        "DATABASE_DIALECT": "postgresql+psycopg2", "DATABASE_HOST": "127.0.0.1",
        "DATABASE_PORT": str(ports["pg_port"]), "DATABASE_DB": PG_DB,
        "DATABASE_USER": PG_USER, "DATABASE_PASSWORD": sec["database_password"],
        # Plain HTTP on 127.0.0.1: the deployment's switch for it.
        "SUPERSET_SESSION_COOKIE_SECURE": "false",
        "SUPERSET_LOG_LEVEL": "INFO",
        # Test suites log in many times a second from 127.0.0.1; the limit
        # itself is tested on a second web server with the deployed default.
        "SUPERSET_AUTH_RATE_LIMIT": "1000 per second",
    }
    if ports.get("port"):  # a web server (the template build has none)
        # Reports read a chart's data and screenshots from the web server.
        env["SUPERSET_WEBDRIVER_BASEURL"] = f"http://127.0.0.1:{ports['port']}/"
    if redis:
        env.update({"REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(ports["redis_port"]),
                    "REDIS_PASSWORD": sec["redis_password"]})
        env.update({name: str(db) for name, db in REDIS_DBS.items()})
    for name in ("SUPERSET_METADATA_DB_URI", "SUPERSET_CONFIG_PROFILE", "SUPERSET_PREVIOUS_SECRET_KEY"):
        env[name] = ""  # nothing of the caller's shell decides for this instance
    env.update(extra or {})
    return core.superset_env(home, env, config=CONFIG)


def _pid_file(home: Path, name: str) -> Path:
    return home / f"{name}.pid"


def _spawn(home: Path, name: str, cmd: list[str], env: dict[str, str]) -> int:
    logfile = home / f"{name}.log"
    with open(logfile, "ab") as out:
        out.write(f"\n===== start {time.strftime('%Y-%m-%d %H:%M:%S')} =====\n".encode())
        out.flush()
        proc = subprocess.Popen(cmd, cwd=home, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    _pid_file(home, name).write_text(f"{proc.pid}\n")
    return proc.pid


def _alive(home: Path, name: str) -> int | None:
    try:
        pid = int(_pid_file(home, name).read_text())
    except (OSError, ValueError):
        return None
    return pid if core.pid_alive(pid) else None


def serve(home: Path, port: int, env: dict[str, str], workers: str = "4",
          name: str = "superset") -> int:
    """gunicorn on `port` with the stack's environment (as the image's run-server.sh).

    Also used by tests for a second web server on the same PostgreSQL and
    Redis with one setting changed (`name` keeps its pid and log apart).
    """
    return _spawn(home, name, core._server_command(port, workers=workers, timeout=150), env)


def _celery(*args: str) -> list[str]:
    return [str(core.venv_bin("celery")), "--app=superset.tasks.celery_app:app", *args]


# --------------------------------------------------------------------------
# start, stop, status


def _ports(home: Path, port: int) -> dict:
    """The web port asked for; PostgreSQL's and Redis's kept from the last start if free."""
    try:
        old = json.loads((home / core.INSTANCE_FILE).read_text())
    except (OSError, ValueError):
        old = {}
    ports = {"port": port}
    for name in ("pg_port", "redis_port"):
        kept = old.get(name)
        ports[name] = kept if kept and not core.port_in_use(kept) else core.free_port()
    return ports


def _wait_for_line(path: Path, needle: str, pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not core.pid_alive(pid):
            return False
        with contextlib.suppress(OSError):
            if needle in path.read_text(errors="replace"):
                return True
        time.sleep(0.5)
    return False


def start(port: int, home: Path, timeout: float = 300.0, owner_pid: int | None = None,
          extra_env: dict[str, str] | None = None) -> dict:
    """Start (or reuse) the whole stack of `home`; the web server on `port`."""
    home = home.resolve()
    current = status(home)
    if current["running"] and current["healthy"] and current["port"] == port \
            and all(current["processes"].values()):
        log(f"reusing healthy stack at {current['url']}")
        return current["instance"]
    stop(home)
    if core.port_in_use(port):
        raise DevstackError(f"port {port} is already in use by another process; choose another")
    started = time.monotonic()
    _make_home(home)
    if not (home / "pgdata" / "PG_VERSION").exists():
        init()
        log(f"new home {home}: copying the template cluster")
        core._run(["cp", "-a", str(TEMPLATE / "pgdata"), str(home / "pgdata")], what="cp")
        template_password = json.loads((TEMPLATE / core.TEMPLATE_FILE).read_text())["database_password"]
    else:
        services.packages()
        core.install(deep=False)
        template_password = None
    ports = _ports(home, port)
    sec = home_secrets(home)
    services.pg_start(home / "pgdata", ports["pg_port"], home / "postgres.log")
    if template_password is not None:
        # Each home has its own password, not the template's.
        services.psql(home / "pgdata", ports["pg_port"],
             f"ALTER ROLE {PG_USER} PASSWORD {services.sql_literal(sec['database_password'])}")
    redis_pid = _spawn(home, "redis", services.redis_command(home / "redis", ports["redis_port"],
                                                            sec["redis_password"]), core._clean_env())
    if not _wait_for_line(home / "redis.log", "Ready to accept connections", redis_pid, 30):
        raise DevstackError(f"Redis did not start:\n{core._tail(home / 'redis.log')}")
    env = server_env(home, ports, extra=extra_env)
    workers = os.environ.get("SUPERSET_WORKERS", "4")
    web = serve(home, port, env, workers=workers)
    worker = _spawn(home, "worker", _celery("worker", "--pool=prefork", "-O", "fair",
                                            f"--concurrency={WORKER_CONCURRENCY}",
                                            "--loglevel=INFO"), env)
    _spawn(home, "beat", _celery("beat", "--pidfile=", "--schedule",
                                 str(home / "celerybeat-schedule"), "--loglevel=INFO"), env)
    url = f"http://127.0.0.1:{port}"
    info = {"pid": web, "url": url, "home": str(home), "log": str(home / "superset.log"),
            "template": "production", "workers": int(workers), "started_at": time.time(),
            **ports}
    (home / core.INSTANCE_FILE).write_text(json.dumps(info, indent=2) + "\n")
    left = lambda: max(1.0, timeout - (time.monotonic() - started))  # noqa: E731
    if not core._wait_healthy(url, web, left()):
        stop(home)
        raise DevstackError(f"Superset did not start at {url}. Log {home / 'superset.log'}:\n"
                            f"{core._tail(home / 'superset.log')}")
    if not _wait_for_line(home / "worker.log", " ready.", worker, left()):
        stop(home)
        raise DevstackError(f"the Celery worker did not start:\n{core._tail(home / 'worker.log')}")
    info["seconds"] = round(time.monotonic() - started, 1)
    (home / core.INSTANCE_FILE).write_text(json.dumps(info, indent=2) + "\n")
    log(f"Superset {core.SUPERSET_VERSION} (PostgreSQL :{ports['pg_port']}, Redis "
        f":{ports['redis_port']}, {workers} web workers, Celery) up at {url} in {info['seconds']}s")
    if owner_pid:
        core._spawn_watchdog(owner_pid, home, Path(__file__).resolve())
    return info


def stop(home: Path, timeout: float = 20.0) -> bool:
    """Stop every process of `home`'s stack; True if any was running."""
    home = home.resolve()
    stopped = False
    for name in ("superset", "beat", "worker", "redis"):
        pid = _alive(home, name)
        _pid_file(home, name).unlink(missing_ok=True)
        if pid is None:
            continue
        stopped = True
        for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, sig)
            deadline = time.monotonic() + wait
            while core.pid_alive(pid) and time.monotonic() < deadline:
                with contextlib.suppress(ChildProcessError, OSError):
                    os.waitpid(pid, os.WNOHANG)
                time.sleep(0.2)
            if not core.pid_alive(pid):
                break
        log(f"stopped {name} (pid {pid})")
    if (home / "pgdata").exists() and services.pg_running(home / "pgdata"):
        stopped = services.pg_stop(home / "pgdata") or stopped
        log("stopped PostgreSQL")
    return stopped


def status(home: Path) -> dict:
    home = home.resolve()
    try:
        info = json.loads((home / core.INSTANCE_FILE).read_text())
    except (OSError, ValueError):
        info = {}
    processes = {name: _alive(home, name) is not None for name in PROCESSES}
    processes["postgres"] = (home / "pgdata").exists() and services.pg_running(home / "pgdata")
    running = processes["superset"]
    return {"home": str(home), "running": running, "processes": processes,
            "healthy": running and core.health(info.get("url", "")),
            "url": info.get("url"), "port": info.get("port"), "instance": info,
            "template_ok": template_ok(), "venv_ok": core.venv_ok(deep=False)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="devstack/production.py",
                                     description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("packages", help="apt-get install postgresql and redis-server if missing")
    p = sub.add_parser("init", help="build the template cluster (cached)")
    p.add_argument("--force", action="store_true")
    core.add_instance_parsers(sub, DEFAULT_HOME, timeout=300.0)
    args = parser.parse_args(argv)
    return core.guarded(lambda: _command(args), (services.ServiceError,))


def _command(args: argparse.Namespace) -> int | None:
    if args.command == "packages":
        services.packages()
    elif args.command == "init":
        init(force=args.force)
    elif args.command == "start":
        port = args.port if args.port is not None else core.default_port()
        info = start(port, args.home, timeout=args.timeout, owner_pid=args.owner_pid)
        print(json.dumps(info) if args.json else
              f"Superset (production profile): {info['url']}  (login {core.admin_username()})")
    elif args.command == "_watch":
        core.watch_owner(args.owner_pid, args.home.resolve(), core.read_instance, stop)
    elif args.command == "stop":
        if not stop(args.home):
            log(f"not running ({args.home.resolve()})")
    elif args.command == "status":
        info = status(args.home)
        if args.json:
            print(json.dumps(info, indent=2))
        else:
            print(f"stack: {'running' if info['running'] else 'stopped'}"
                  f"{', healthy' if info['healthy'] else ''} {info['url'] or ''}\n"
                  + "\n".join(f"{k}: {'up' if v else 'down'}" for k, v in info["processes"].items()))
        return 0 if info["running"] else 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
