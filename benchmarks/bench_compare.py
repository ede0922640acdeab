"""superset-iac side by side with preset-cli: same Superset, same content, interleaved pairs.

    make bench-compare                                  # from a fresh clone
    .venv/bin/python benchmarks/bench_compare.py --pairs 7 --workers 2

The content is Superset's own examples (``superset load-examples``: the
devstack's ``examples`` template, 134 objects). Each tool exports them with
its own ``export`` (after one ``sync`` by preset-cli, whose import makes the
admin the owner of everything); then, as separate processes, the way CI
would run them:

1. **no-op diff**: ``superset-iac diff`` of its export against the examples
   Superset, beside ``superset-cli … sync native --overwrite`` of preset-cli's
   export to the same server (preset-cli has no diff: that is how it keeps a
   Superset in line with a directory);
2. **first apply into an empty Superset**: ``superset-iac apply`` beside
   ``superset-cli … sync native`` (its ZIP import), each into the same empty
   server, emptied again (outside the timing) before every run;
3. **a small tree on a large server**: ``superset-iac diff`` of one example
   dashboard (``--dashboard births``: the dashboard, its charts, datasets and
   database) against the examples Superset and against a second one that also
   holds 80 times as many objects made by hand (charts and dashboards written
   straight into its metadata database: the API would take an hour). The
   requests each diff sends are counted from the server's access log and must
   be the same on both.

Pairs alternate which tool goes first, so a drift in the machine's load
falls on both. Printed: per scenario the median seconds of each side, the
median of the per-pair ratios and their range (the machine's noise). Not a
test: the numbers depend on the machine; the request counts do not.

preset-cli is installed from PyPI into ``benchmarks/.work/preset-cli`` (a
virtualenv of its own; it is no dependency of the project), servers and
trees go to ``benchmarks/.work/`` (ignored by git) and stop with the script.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / ".work"
DEVSTACK = ROOT / "devstack" / "superset.py"
TOOL = ROOT / ".venv" / "bin" / "superset-iac"
PRESET_VERSION = "0.3.13"
PRESET = WORK / "preset-cli"
ENV_FILE = ("name: bench\nsuperset:\n  url: ${SUPERSET_URL}\n  username: ${SUPERSET_USERNAME}\n"
            "  password: ${SUPERSET_PASSWORD}\nallowed_hosts: []\n")
REQUEST = re.compile(r'"(GET|POST|PUT|DELETE|PATCH) (\S+) HTTP/1\.[01]" (\d{3})')
SCALE = 80  # the large server holds this many times the small one's objects


# -- servers ------------------------------------------------------------------------

@dataclass
class Server:
    url: str
    home: Path
    log: Path

    def access_lines(self) -> int:
        """Requests the server has logged so far (gunicorn writes each after answering)."""
        time.sleep(0.3)
        size, text = -1, ""
        while size != self.log.stat().st_size:
            size = self.log.stat().st_size
            time.sleep(0.2)
        text = self.log.read_text(errors="replace")
        return len(REQUEST.findall(text))


def start(name: str, template: str, workers: int) -> Server:
    home = WORK / "homes" / name
    if home.exists():
        subprocess.run([sys.executable, str(DEVSTACK), "stop", "--home", str(home)],
                       capture_output=True, check=False)
        shutil.rmtree(home)
    env = {**os.environ, "SUPERSET_WORKERS": str(workers),
           "SUPERSET_IAC_ALLOW_UNSAFE_DB_CONNECTIONS": "1"}  # the examples are SQLite
    done = subprocess.run([sys.executable, str(DEVSTACK), "start", "--port", str(_free_port()),
                           "--home", str(home), "--template", template, "--json",
                           "--owner-pid", str(os.getpid())],
                          capture_output=True, text=True, env=env, check=False)
    if done.returncode:
        raise SystemExit(f"Superset ({template}) did not start:\n{done.stderr[-3000:]}")
    info = json.loads(done.stdout.strip().splitlines()[-1])
    return Server(info["url"], home, Path(info["log"]))


def stop(server: Server) -> None:
    subprocess.run([sys.executable, str(DEVSTACK), "stop", "--home", str(server.home)],
                   capture_output=True, check=False)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def grow(server: Server, objects: int) -> tuple[int, int]:
    """Add ``SCALE - 1`` times ``objects`` charts and dashboards nobody manages,
    in the proportions of the examples (103 charts to 9 dashboards), as copies
    of its own rows with new names and uuids: in SQL, one transaction."""
    extra = (SCALE - 1) * objects
    dashboards = extra * 9 // 112
    charts = extra - dashboards
    db = sqlite3.connect(server.home / "superset.db", timeout=60)
    have = db.execute("SELECT count(*) FROM slices").fetchone()[0]
    with db:
        db.execute(f"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {charts})
            INSERT INTO slices (created_on, changed_on, slice_name, datasource_type,
                                datasource_id, viz_type, params, uuid, is_managed_externally,
                                perm, schema_perm)
            SELECT datetime('now'), datetime('now'), s.slice_name || ' (copy ' || n.i || ')',
                   s.datasource_type, s.datasource_id, s.viz_type, s.params, randomblob(16), 0,
                   s.perm, s.schema_perm
            FROM n JOIN (SELECT *, row_number() OVER (ORDER BY id) - 1 AS k FROM slices) s
                 ON s.k = n.i % {have}""")
        db.execute(f"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {dashboards})
            INSERT INTO dashboards (created_on, changed_on, dashboard_title, uuid, published,
                                    is_managed_externally, json_metadata, position_json)
            SELECT datetime('now'), datetime('now'), 'Board made by hand ' || n.i,
                   randomblob(16), 0, 0, '{{}}', '{{}}' FROM n""")
    db.close()
    return charts, dashboards


# -- the two tools ------------------------------------------------------------------

def preset_cli() -> Path:
    """preset-cli's ``superset-cli`` in a virtualenv of its own (installed once)."""
    exe = PRESET / "bin" / "superset-cli"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PRESET)], check=True)
        subprocess.run([str(PRESET / "bin" / "pip"), "install", "--quiet",
                        f"preset-cli=={PRESET_VERSION}"], check=True)
    return exe


def byte_compile() -> None:
    """Both tools' code compiled to bytecode before any timing.

    A machine with PYTHONDONTWRITEBYTECODE set (this one) never caches the
    compiled modules, so every run compiles each imported module again:
    0.5 s of superset-iac's own CPU on the examples, and preset-cli pays the
    same way. A user's machine caches them on the first run; the steady state
    is what is compared.
    """
    for path in (ROOT / "superset_iac", ROOT / ".venv" / "lib", PRESET / "lib"):
        subprocess.run([sys.executable, "-m", "compileall", "-q", "-j", "0", str(path)],
                       check=False, stdout=subprocess.DEVNULL)


def login_env(server: Server) -> dict[str, str]:
    return {**os.environ, "SUPERSET_URL": server.url, "SUPERSET_USERNAME": "admin",
            "SUPERSET_PASSWORD": os.environ.get("SUPERSET_IAC_ADMIN_PASSWORD", "admin")}


@dataclass
class Sample:
    """One command: wall seconds, its own CPU seconds, the requests the server logged."""

    seconds: float
    cpu: float
    requests: int = 0


def run(cmd: list[str], env: dict[str, str], ok: tuple[int, ...] = (0,)) -> Sample:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - started
    now = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in ok:
        raise SystemExit(f"{' '.join(map(str, cmd[:4]))}… exited {done.returncode}:\n"
                         f"{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    return Sample(seconds, now.ru_utime - used.ru_utime + now.ru_stime - used.ru_stime)


def tool(server: Server, command: str, tree: Path, *args: str,
         ok: tuple[int, ...] = (0,)) -> Sample:
    return counted(server, lambda: run([str(TOOL), command, "--assets", str(tree), "--env",
                                        "bench", *args], login_env(server), ok))


def preset(server: Server, *args: str) -> Sample:
    env = login_env(server)
    return counted(server, lambda: run([str(preset_cli()), "-u", env["SUPERSET_USERNAME"], "-p",
                                        env["SUPERSET_PASSWORD"], server.url, *args], env))


def counted(server: Server, fn) -> Sample:
    """``fn()``'s sample with the requests the server logged meanwhile (login included)."""
    before = server.access_lines()
    sample = fn()
    sample.requests = server.access_lines() - before
    return sample


def tree_of(name: str) -> Path:
    root = WORK / "trees" / name
    shutil.rmtree(root, ignore_errors=True)
    (root / "environments").mkdir(parents=True)
    (root / "environments" / "bench.yaml").write_text(ENV_FILE)
    return root


def empty(server: Server) -> None:
    """Delete every dashboard, chart, dataset and database (not timed)."""
    sys.path.insert(0, str(ROOT))
    from superset_iac.superset.client import SupersetClient

    env = login_env(server)
    with SupersetClient(server.url, username=env["SUPERSET_USERNAME"],
                        password=env["SUPERSET_PASSWORD"]) as client:
        for kind in ("dashboard", "chart", "dataset"):
            ids = [row["id"] for row in client.list(kind, columns=["id"])]
            for start_at in range(0, len(ids), 100):
                chunk = ",".join(map(str, ids[start_at:start_at + 100]))
                client.delete(f"{kind}/", params={"q": f"!({chunk})"})
        for row in client.list("database", columns=["id"]):
            client.delete(f"database/{row['id']}")


# -- measuring ------------------------------------------------------------------------

@dataclass
class Pairs:
    name: str
    ours: str
    theirs: str
    samples: list[tuple[Sample, Sample]] = field(default_factory=list)

    def line(self) -> str:
        ours = [a for a, _ in self.samples]
        theirs = [b for _, b in self.samples]
        ratios = sorted(a.seconds / b.seconds for a, b in self.samples)
        return (f"{self.name}: {self.ours} {_median(ours)}, {self.theirs} {_median(theirs)} "
                f"(medians of {len(self.samples)} pairs); ratio {statistics.median(ratios):.2f} "
                f"(range {ratios[0]:.2f}-{ratios[-1]:.2f})")


def _median(samples: list[Sample]) -> str:
    seconds = statistics.median(s.seconds for s in samples)
    requests = sorted({s.requests for s in samples})
    return (f"{seconds:.2f} s ({min(s.seconds for s in samples):.2f}-"
            f"{max(s.seconds for s in samples):.2f}; own CPU "
            f"{statistics.median(s.cpu for s in samples):.2f} s; requests {requests})")


def interleave(pairs: Pairs, n: int, ours, theirs) -> Pairs:
    for i in range(n):
        if i % 2 == 0:
            a, b = ours(), theirs()
        else:
            b, a = theirs(), ours()
        pairs.samples.append((a, b))
        print(f"  {pairs.name} pair {i + 1}: {a.seconds:.2f} s / {b.seconds:.2f} s",
              file=sys.stderr, flush=True)
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2,
                        help="gunicorn workers of each Superset (8 threads each)")
    parser.add_argument("--keep", action="store_true", help="leave the servers running")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    preset_cli()
    byte_compile()
    examples = start("examples", "examples", args.workers)
    blank = start("empty", "base", args.workers)
    large = start("large", "examples", args.workers)
    try:
        results = compare(examples, blank, large, args.pairs)
    finally:
        if not args.keep:
            for server in (examples, blank, large):
                stop(server)
    print(f"\nsuperset-iac vs preset-cli {PRESET_VERSION}, Superset 6.1 "
          f"(gunicorn {args.workers} worker(s) x 8 threads, SQLite), load average "
          f"{os.getloadavg()[0]:.1f} at the end")
    for line in results:
        print(line)


def compare(examples: Server, blank: Server, large: Server, n: int) -> list[str]:
    ours, theirs = tree_of("examples"), WORK / "trees" / "examples-preset"
    shutil.rmtree(theirs, ignore_errors=True)
    theirs.mkdir(parents=True)
    preset(examples, "export", str(theirs))
    # preset-cli's import makes its user the owner of all it imports, so its
    # first sync changes the examples: both tools start from what it leaves.
    for server in (examples, large):
        preset(server, "sync", "native", str(theirs), "--overwrite")
    tool(examples, "export", ours, "--all")
    objects = sum(1 for p in ours.rglob("*.yaml") if "environments" not in p.parts)

    noop = interleave(Pairs("no-op diff", "superset-iac diff", "sync native --overwrite"), n,
                      lambda: tool(examples, "diff", ours),
                      lambda: preset(examples, "sync", "native", str(theirs), "--overwrite"))

    def into_empty(fn):
        empty(blank)
        return fn()

    first = interleave(Pairs("first apply into an empty Superset", "superset-iac apply",
                             "sync native (import)"), n,
                       lambda: into_empty(lambda: tool(blank, "apply", ours, "--yes")),
                       lambda: into_empty(lambda: preset(blank, "sync", "native", str(theirs))))

    small = tree_of("births")
    tool(examples, "export", small, "--dashboard", "births")
    small_objects = sum(1 for p in small.rglob("*.yaml") if "environments" not in p.parts)
    charts, dashboards = grow(large, objects)
    scale = interleave(Pairs(f"{small_objects}-object diff, large vs small server",
                             f"on {objects + charts + dashboards} objects",
                             f"on {objects} objects"), n,
                       lambda: tool(large, "diff", small), lambda: tool(examples, "diff", small))
    return [f"content: {objects} objects (Superset's examples); small tree: {small_objects}; "
            "requests as the server logged them, login included",
            noop.line(), first.line(), scale.line()]


if __name__ == "__main__":
    main()
