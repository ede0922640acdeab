#!/usr/bin/env python3
"""PostgreSQL and Redis from Debian's packages, for devstack/production.py.

Standard library only. Installs the packages when missing (apt-get, as root),
and runs a PostgreSQL cluster or a Redis server in a directory of the
project's, on 127.0.0.1 only. PostgreSQL refuses to run as root: when this
runs as root, the cluster belongs to Debian's `postgres` user.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

PACKAGES = {"postgresql": "initdb", "redis-server": "redis-server"}


class ServiceError(Exception):
    """A failure explained in one message."""


def log(msg: str) -> None:
    print(f"[production] {msg}", file=sys.stderr, flush=True)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --------------------------------------------------------------------------
# Debian packages


def pg_bin(name: str) -> str:
    """A PostgreSQL server program: Debian keeps them out of PATH."""
    found = shutil.which(name)
    if found:
        return found
    for version in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (version / name).exists():
            return str(version / name)
    raise ServiceError(f"{name} not found: run `python3 devstack/production.py packages`")


def _installed(program: str) -> bool:
    try:
        return bool(pg_bin(program) if program == "initdb" else shutil.which(program))
    except ServiceError:
        return False


def packages() -> None:
    """apt-get install what is missing (as root; `apt-get update` first)."""
    missing = [pkg for pkg, program in PACKAGES.items() if not _installed(program)]
    if not missing:
        return
    if os.geteuid() != 0:
        raise ServiceError(f"missing Debian packages {', '.join(missing)}: "
                            f"sudo apt-get install {' '.join(missing)}")
    log(f"apt-get install {' '.join(missing)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"],
                ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing]):
        result = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise ServiceError(f"{' '.join(cmd[:2])} failed:\n{(result.stdout + result.stderr)[-3000:]}")


# --------------------------------------------------------------------------
# PostgreSQL


def _pg_owner() -> dict:
    """Run PostgreSQL as `postgres` when root (it refuses to run as root)."""
    if os.geteuid() != 0:
        return {}
    entry = pwd.getpwnam("postgres")
    return {"user": entry.pw_uid, "group": entry.pw_gid}


def pg_can_reach(path: Path) -> bool:
    """Whether the PostgreSQL user may traverse every directory above `path`."""
    if not _pg_owner():
        return True
    return all(parent.stat().st_mode & 0o001 for parent in path.resolve().parents)


def pg_place(path: Path, fallback_tag: str) -> Path:
    """`path`, or a directory under the system's temporary one if the cluster's
    user could not reach `path` (a checkout inside a private directory)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if pg_can_reach(path):
        return path
    import tempfile
    return Path(tempfile.gettempdir()) / f"superset-iac-{fallback_tag}" / path.name


def _pg_run(cmd: list[str], what: str, log_to: Path | None = None) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True, cwd="/", **_pg_owner())
    if log_to is not None:
        with open(log_to, "a") as out:
            out.write(result.stdout + result.stderr)
    if result.returncode != 0:
        raise ServiceError(f"{what} failed (exit {result.returncode}):\n"
                            f"{(result.stdout + result.stderr)[-3000:]}")


def _chown_pg(path: Path) -> None:
    owner = _pg_owner()
    if owner:
        for item in [path, *path.rglob("*")]:
            os.chown(item, owner["user"], owner["group"])


def pg_initdb(pgdata: Path) -> None:
    """A cluster listening on 127.0.0.1 only, passwords required over TCP."""
    pgdata.mkdir(parents=True)
    pgdata.chmod(0o700)
    _chown_pg(pgdata)
    _pg_run([pg_bin("initdb"), "-D", str(pgdata), "-U", "postgres", "--auth-local=peer",
             "--auth-host=scram-sha-256", "-E", "UTF8", "--no-instructions"], "initdb")


def pg_start(pgdata: Path, port: int, logfile: Path) -> None:
    logfile.touch()
    _chown_pg(logfile)
    # The socket sits in the cluster's own directory: the one local door
    # is for the `postgres` superuser (peer), the server's is TCP.
    options = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={pgdata}"
    _pg_run([pg_bin("pg_ctl"), "-D", str(pgdata), "-l", str(logfile), "-o", options,
             "-w", "-t", "60", "start"], f"PostgreSQL start (log {logfile})")


def pg_stop(pgdata: Path) -> bool:
    if not (pgdata / "postmaster.pid").exists():
        return False
    with contextlib.suppress(ServiceError):
        _pg_run([pg_bin("pg_ctl"), "-D", str(pgdata), "-m", "fast", "-w", "stop"], "pg_ctl stop")
    return True


def pg_running(pgdata: Path) -> bool:
    try:
        pid = int((pgdata / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return False
    return pid_alive(pid)


def psql(pgdata: Path, port: int, sql: str) -> None:
    _pg_run([pg_bin("psql") if shutil.which("psql") is None else "psql", "-h", str(pgdata),
             "-p", str(port), "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1",
             "-q", "-c", sql], "psql")


def sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def redis_command(directory: Path, port: int, password: str) -> list[str]:
    """redis-server on 127.0.0.1:port with a password, nothing saved to disk."""
    directory.mkdir(exist_ok=True)
    # The password on the command line would show in `ps`: it goes in a config file.
    conf = directory / "redis.conf"
    conf.touch(mode=0o600)
    conf.write_text(f"bind 127.0.0.1\nport {port}\nprotected-mode yes\ndir {directory}\n"
                    f"save \"\"\nappendonly no\ndatabases 16\nrequirepass {password}\n")
    return [shutil.which("redis-server") or "redis-server", str(conf)]
