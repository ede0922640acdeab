"""What diff and apply cost on a real Superset: time and HTTP requests.

    python benchmarks/plan_bench.py                    # trees of ~300 and ~1,000 objects
    python benchmarks/plan_bench.py --sizes 100 --port 18240 --keep

For each size: a generated tree (one database over the local DuckDB
lakehouse; per 100 objects 20 virtual datasets over its three tables, 60
charts of six viz types, 5 dashboards with native filters, 8 roles with data
access, 6 RLS rules) is applied by the tool's own code path to a Superset
started for it (``devstack/superset.py start`` on a fresh home, stopped at the
end unless ``--keep``), then:

1. **apply** to the empty server: seconds, requests by method;
2. **diff** against the unchanged server: seconds, requests by kind, checked
   against the documented formula (benchmarks/README.md); it must send no write;
3. **apply of one changed chart**: it must send that chart's PUT and nothing else.

With ``--repeat N`` the unchanged diff then runs N more times, alternating
``--concurrency 1`` and the default, for the medians of both (same server,
same moment: the ratio is concurrency's own gain on this machine), with the
median time a request took the server when sent one at a time.

The steps are ``workflow.diff`` and ``apply_plan`` on the client the CLI
builds, so the request log (``client.requests``) is exactly what
``superset-iac diff``/``apply`` send. Login and CSRF fetches (``kind=auth``)
are counted apart. Not a test: numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from superset_iac import workflow  # noqa: E402
from superset_iac.apply.engine import apply_plan  # noqa: E402
from superset_iac.cli.common import context  # noqa: E402
from superset_iac.kinds.registry import HANDLERS, handlers  # noqa: E402
from superset_iac.kinds.dataset_bundle import BUNDLE_SIZE, FEWEST  # noqa: E402
from superset_iac.kinds.rest import FILTER_CHUNK  # noqa: E402
from superset_iac.superset.records import AUTH, WRITE_METHODS  # noqa: E402
from superset_iac.superset.timeouts import DEFAULT_CONCURRENCY  # noqa: E402
from tests.conftest import load_devstack_module  # noqa: E402

MIX = {"dataset": 20, "chart": 60, "dashboard": 5, "role": 8, "rls": 6}  # per 100, + 1 database
DB = "bench_lake"
# The lakehouse's tables, as (schema.table, time column, columns, metrics, RLS clause).
FAMILIES = [
    ("option_ticks_db.bronze_option_ticks", "timestamp",
     ["symbol", "exchange", "option_type", "strike", "last_price", "volume"],
     {"avg_price": "AVG(last_price)", "total_volume": "SUM(volume)"}, "symbol IN ('AAPL', 'MSFT')"),
    ("logs_db.app_logs", "event_time", ["level", "service"],
     {"events": "COUNT(*)", "services": "COUNT(DISTINCT service)"}, "level <> 'DEBUG'"),
    ("media_db.image_metadata", "upload_time", ["mime_type", "tag", "file_size", "width"],
     {"images": "COUNT(*)", "bytes": "SUM(file_size)"}, "tag <> 'private'"),
]
VIZ = ["table", "echarts_timeseries_line", "echarts_timeseries_bar", "pie", "big_number_total",
       "pivot_table_v2"]


# -- the tree -------------------------------------------------------------------

def counts(total: int) -> dict[str, int]:
    scale = (total - 1) / sum(MIX.values())
    return {"database": 1, **{kind: max(1, round(n * scale)) for kind, n in MIX.items()}}


def _write(root: Path, kind: str, name: str, data: dict) -> None:
    path = root / kind / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False, width=120))


def _dataset(i: int) -> dict:
    table, time_col, cols, metrics, _ = FAMILIES[i % len(FAMILIES)]
    where = f"\nWHERE {cols[0]} IS NOT NULL" if i % 2 else ""
    return {"name": f"ds_{i:04d}", "database": DB, "schema": table.split(".")[0],
            "sql": f"SELECT {time_col}, {', '.join(cols)}\nFROM {table}{where}\n",
            "main_dttm_col": time_col,
            "columns": [{"name": time_col, "is_dttm": True}, {"name": cols[0],
                                                              "verbose_name": cols[0].title()}],
            "metrics": [{"name": m, "expression": e} for m, e in metrics.items()]}


def _chart(i: int, n_datasets: int) -> dict:
    d = i % n_datasets
    _, time_col, cols, metrics, _ = FAMILIES[d % len(FAMILIES)]
    metric, viz = min(metrics), VIZ[i % len(VIZ)]
    params: dict = {"metrics": [metric], "groupby": [cols[0]], "row_limit": 100}
    if viz.startswith("echarts"):
        params["x_axis"] = time_col
        params["time_grain_sqla"] = "P1D"
    elif viz == "table":
        params["query_mode"] = "aggregate"
    elif viz == "pie":
        params = {"metric": metric, "groupby": [cols[0]], "row_limit": 10}
    elif viz == "big_number_total":
        params = {"metric": metric}
    elif viz == "pivot_table_v2":
        params = {"groupbyRows": [cols[0]], "groupbyColumns": [], "metrics": [metric]}
    return {"name": f"Chart {i:04d}", "dataset": f"ds_{d:04d}", "viz_type": viz, "params": params}


def generate(root: Path, total: int) -> dict[str, int]:
    n = counts(total)
    _write(root, "environments", "local", {"name": "local", "superset": {
        "url": "${SUPERSET_URL}", "username": "${SUPERSET_USERNAME}",
        "password": "${SUPERSET_PASSWORD}"}, "path_variables": ["LAKEHOUSE_PATH"]})
    _write(root, "databases", DB, {"name": DB, "uri": "duckdb:///${LAKEHOUSE_PATH}", "extra": {
        "engine_params": {"connect_args": {"read_only": True}}}})
    datasets = [_dataset(i) for i in range(n["dataset"])]
    for ds in datasets:
        _write(root, "datasets", ds["name"], ds)
    charts = [_chart(i, n["dataset"]) for i in range(n["chart"])]
    for chart in charts:
        _write(root, "charts", chart["name"].replace(" ", "_"), chart)
    _roles(root, n["role"], n["dataset"])
    _dashboards(root, n["dashboard"], charts, n["role"])
    _rls(root, n["rls"], n["dataset"], n["role"])
    return n


def _roles(root: Path, n: int, n_datasets: int) -> None:
    for i in range(n):
        _write(root, "roles", f"role_{i:03d}", {
            "name": f"Bench role {i:03d}", "extends": ["Gamma"],
            "data_access": {"datasets": [f"ds_{d:04d}" for d in range(i % n_datasets,
                                                                     n_datasets, n)][:5]}})


def _dashboards(root: Path, n: int, charts: list[dict], roles: int) -> None:
    per = max(1, len(charts) // n)
    for i in range(n):
        mine = charts[i * per:(i + 1) * per]
        rows = [{"row": [{"chart": c["name"], "width": 4, "height": 50} for c in mine[j:j + 3]]}
                for j in range(0, len(mine), 3)]
        first = mine[0]["dataset"]
        column = FAMILIES[int(first[3:]) % len(FAMILIES)][2][0]
        _write(root, "dashboards", f"dash_{i:03d}", {
            "title": f"Bench dashboard {i:03d}", "slug": f"bench-{i:03d}",
            "roles": [f"Bench role {i % roles:03d}"],
            "layout": [{"header": "Overview"}, *rows],
            "filters": [{"name": "Period", "type": "time_range", "default": "No filter"},
                        {"name": column.title(), "type": "select", "dataset": first,
                         "column": column, "multiple": True}]})


def _rls(root: Path, n: int, n_datasets: int, roles: int) -> None:
    for i in range(n):
        family = i % len(FAMILIES)
        mine = [f"ds_{d:04d}" for d in range(family, n_datasets, len(FAMILIES))][i::n][:3] \
            or [f"ds_{family:04d}"]
        _write(root, "rls", f"rls_{i:03d}", {
            "name": f"bench_rls_{i:03d}", "datasets": mine,
            "roles": [f"Bench role {i % roles:03d}"], "clause": FAMILIES[family][4]})


# -- measuring ------------------------------------------------------------------

@dataclass
class Step:
    """One command's cost: wall seconds and the requests it sent (auth apart)."""

    name: str
    seconds: float
    methods: Counter = field(default_factory=Counter)
    by_kind: Counter = field(default_factory=Counter)
    writes: list[tuple[str, str]] = field(default_factory=list)
    auth: int = 0
    outcome: str = ""
    paths: Counter = field(default_factory=Counter)  # "METHOD /path/{id}" -> count
    waiting: float = 0.0  # seconds spent in HTTP round trips (the server's share)
    cpu: float = 0.0  # this process's CPU seconds (the tool's share)

    @property
    def requests(self) -> int:
        return sum(self.methods.values())


# Which kind's handler a path belongs to. The permission catalogue (pvms, and
# the permissions/resources a role's marker is made of) is the role handler's;
# the user directory is read for owners by whichever kind needs it first.
_PREFIXES = [("database/", "database"), ("dataset/", "dataset"), ("chart/", "chart"),
             ("dashboard/", "dashboard"), ("security/roles", "role"),
             ("security/permissions", "catalogue"), ("security/resources", "catalogue"),
             ("rowlevelsecurity", "rls"),
             ("security/users", "owners"), ("me/", "owners")]


_ID = re.compile(r"/\d+(?=/|$)")


def kind_of(path: str) -> str:
    rest = path.removeprefix("/api/v1/")
    return next((kind for prefix, kind in _PREFIXES if rest.startswith(prefix)), rest)


def record(name: str, client, seconds: float, cpu: float, outcome: str = "") -> Step:
    api = [r for r in client.requests if r.kind != AUTH]
    return Step(name, seconds, Counter(r.method for r in api), Counter(kind_of(r.path) for r in api),
                [(r.method, r.path) for r in api if r.method in WRITE_METHODS],
                len(client.requests) - len(api), outcome,
                Counter(f"{r.method} {_ID.sub('/{id}', r.path)}" for r in api),
                sum(r.elapsed_s for r in client.requests), cpu)


class Bench:
    """One tree on one Superset: each step is a new command (a new client)."""

    def __init__(self, root: Path, environ: dict[str, str]) -> None:
        self.root, self.environ = root, environ
        self.concurrency: int | None = None  # None: the CLI's default

    def diff(self):
        """Load (validation included) and diff, as ``superset-iac diff`` does; timed
        from the start, so the seconds are the command's own."""
        started, cpu = time.perf_counter(), time.process_time()
        loaded = workflow.load(self.root, "local", self.environ)
        workflow.require_valid(loaded)
        ctx = context(loaded, None, None, None, None, False, concurrency=self.concurrency)
        plan = workflow.diff(loaded, ctx)
        return ctx, plan, time.perf_counter() - started, time.process_time() - cpu

    def step_diff(self, name: str) -> tuple[Step, object]:
        ctx, plan, seconds, cpu = self.diff()
        c = plan.counts()
        return record(name, ctx.client, seconds, cpu, f"{c['create']} create, "
                      f"{c['update']} update, {c['unchanged']} unchanged"), plan

    def step_apply(self, name: str) -> Step:
        ctx, plan, seconds, cpu = self.diff()
        handlers()
        started, cpu_started = time.perf_counter(), time.process_time()
        report = apply_plan(plan, ctx, HANDLERS)
        seconds += time.perf_counter() - started
        cpu += time.process_time() - cpu_started
        if not report.ok:
            raise SystemExit(f"{name}: " + "; ".join(f"{e.change.ref}: {e.message}"
                                                     for e in report.failed[:5]))
        summary = ", ".join(f"{n} {k}" for k, n in report.counts().items() if n)
        return record(name, ctx.client, seconds, cpu, summary)


# -- the documented formula (benchmarks/README.md) ---------------------------------

def pages(n: int) -> int:
    return math.ceil(n / 100)


def chunks(n: int) -> int:
    """Filtered list requests for ``n`` named objects (``FILTER_CHUNK`` a request)."""
    return math.ceil(n / FILTER_CHUNK)


def bundles(n: int) -> int:
    """Detail reads of ``n`` virtual datasets: export bundles from ``FEWEST`` on."""
    return math.ceil(n / BUNDLE_SIZE) if n >= FEWEST else n


def diff_formula(tree: dict[str, int], server: dict[str, int]) -> Counter:
    """Requests of a diff (no --prune) against an unchanged server the tree was
    applied to, per kind, as the handlers' docstrings state them: every tree
    object is found by its managed uuid (RLS rules by name), whatever else the
    server holds (no owners anywhere, so no user directory read)."""
    return Counter({
        "database": chunks(tree["database"]) + tree["database"],  # by uuid + connection each
        "dataset": chunks(tree["dataset"]) + bundles(tree["dataset"]),  # by uuid + bundles
        "chart": chunks(tree["chart"]),                           # by uuid only
        "role": pages(server["role"]),                            # roles/search pages
        "catalogue": pages(server["pvm"]),                        # permission catalogue pages
        "dashboard": chunks(tree["dashboard"]) + tree["dashboard"],  # by uuid + detail each
        "rls": chunks(tree["rls"]),                               # by name only
    })


def inventory(environ: dict[str, str]) -> dict[str, int]:
    """What the server holds (read with a client of its own, not measured)."""
    from superset_iac.superset.client import SupersetClient

    client = SupersetClient(environ["SUPERSET_URL"], username=environ["SUPERSET_USERNAME"],
                            password=environ["SUPERSET_PASSWORD"])
    total = {}
    for key, path in [("dataset", "dataset/"), ("chart", "chart/"), ("dashboard", "dashboard/"),
                      ("rls", "rowlevelsecurity/"), ("role", "security/roles/"),
                      ("pvm", "security/permissions-resources/")]:
        total[key] = client.get(path, params={"q": {"page_size": 1}})["count"]
    return total


# -- one size ---------------------------------------------------------------------

DEVSTACK = ROOT / "devstack" / "superset.py"


def start_superset(port: int, home: Path, keep: bool) -> str:
    """Start (or reuse, if it is running there) a Superset on ``home``; unless
    ``keep``, it stops when this process ends, however it ends."""
    cmd = [sys.executable, str(DEVSTACK), "start", "--port", str(port), "--home", str(home),
           "--json"] + ([] if keep else ["--owner-pid", str(os.getpid())])
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, check=False)
    if done.returncode:
        raise SystemExit(f"Superset did not start:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])["url"]


def stop_superset(home: Path) -> None:
    subprocess.run([sys.executable, str(DEVSTACK), "stop", "--home", str(home)],
                   capture_output=True, timeout=120, check=False)


def repeat_diffs(bench: Bench, times: int) -> list[Step]:
    """The unchanged diff ``times`` more times, one at a time and side by side in turn."""
    steps = []
    for i in range(times):
        for concurrency in ((1, DEFAULT_CONCURRENCY) if i % 2 == 0 else (DEFAULT_CONCURRENCY, 1)):
            bench.concurrency = concurrency
            step, plan = bench.step_diff(f"diff, concurrency {concurrency}")
            assert not plan.has_changes and step.writes == [], step.writes
            steps.append(step)
    bench.concurrency = None
    return steps


def repeats_summary(steps: list[Step]) -> str:
    """Medians per concurrency, the ratio, and the server's own time per request."""
    by: dict[str, list[Step]] = {}
    for step in steps:
        by.setdefault(step.name, []).append(step)
    one, many = by["diff, concurrency 1"], by[f"diff, concurrency {DEFAULT_CONCURRENCY}"]
    a = statistics.median(s.seconds for s in one)
    b = statistics.median(s.seconds for s in many)
    ratios = sorted(y.seconds / x.seconds for x, y in zip(one, many))
    per_request = statistics.median(s.waiting / (s.requests + s.auth) for s in one)
    return (f"unchanged diff, {len(one)} runs each: concurrency 1 {a:.2f} s (range "
            f"{min(s.seconds for s in one):.2f}-{max(s.seconds for s in one):.2f}), "
            f"concurrency {DEFAULT_CONCURRENCY} {b:.2f} s (range "
            f"{min(s.seconds for s in many):.2f}-{max(s.seconds for s in many):.2f}); "
            f"ratio {statistics.median(ratios):.2f} (range {ratios[0]:.2f}-{ratios[-1]:.2f}); "
            f"{one[0].requests} requests; one at a time the server took "
            f"{per_request * 1000:.0f} ms a request (median over the runs)")


def run_size(size: int, port: int, work: Path, keep: bool,
             repeat: int = 0) -> tuple[dict, list[Step], Counter]:
    root, home = work / f"assets-{size}", work / f"home-{size}"
    tree = generate(root, size)
    lakehouse = load_devstack_module("lakehouse").build(work / "lakehouse.duckdb").path
    url = start_superset(port, home, keep)
    environ = {"SUPERSET_URL": url, "SUPERSET_USERNAME": "admin",
               "SUPERSET_PASSWORD": os.environ.get("SUPERSET_IAC_ADMIN_PASSWORD", "admin"),
               "LAKEHOUSE_PATH": str(Path(lakehouse).resolve())}
    bench = Bench(root, environ)
    try:
        steps = [bench.step_apply("apply (all new)")]
        unchanged, plan = bench.step_diff("diff (unchanged)")
        assert not plan.has_changes and unchanged.writes == [], unchanged.writes
        steps.append(unchanged)
        expected = diff_formula(tree, inventory(environ))
        chart = root / "charts" / "Chart_0000.yaml"
        chart.write_text(chart.read_text() + "description: changed for the benchmark\n")
        one = bench.step_apply("apply (1 chart changed)")
        assert len(one.writes) == 1 and one.writes[0][0] == "PUT" \
            and one.writes[0][1].startswith("/api/v1/chart/"), one.writes
        steps.append(one)
        steps += repeat_diffs(bench, repeat)
    finally:
        if not keep:
            stop_superset(home)
    return tree, steps, expected


# -- report -------------------------------------------------------------------------

def table(results: list[tuple[int, dict, list[Step], Counter]]) -> str:
    head = (f"{'objects':>7}  {'step':<24} {'seconds':>8} {'in HTTP':>8} {'tool CPU':>8} "
            f"{'GET':>5} {'POST':>5} {'PUT':>5} {'DELETE':>6} {'total':>6} {'auth':>5}  outcome")
    lines = [head, "-" * len(head)]
    for _, tree, steps, _ in results:
        objects = sum(tree.values())
        for s in steps:
            m = s.methods
            lines.append(f"{objects:>7}  {s.name:<24} {s.seconds:>8.2f} {s.waiting:>8.2f} "
                         f"{s.cpu:>8.2f} {m['GET']:>5} "
                         f"{m['POST']:>5} {m['PUT']:>5} {m['DELETE']:>6} {s.requests:>6} "
                         f"{s.auth:>5}  {s.outcome}")
    return "\n".join(lines)


def formula_check(results: list[tuple[int, dict, list[Step], Counter]]) -> tuple[str, bool]:
    lines, ok = ["", "diff (unchanged), requests per kind: documented formula vs measured"], True
    for _, tree, steps, expected in results:
        measured = next(s for s in steps if s.name.startswith("diff")).by_kind
        kinds = sorted(set(expected) | set(measured))
        row = ", ".join(f"{k} {expected[k]}/{measured[k]}" for k in kinds)
        same = all(expected[k] == measured[k] for k in kinds)
        ok &= same
        lines.append(f"  {sum(tree.values())} objects: {row}  "
                     f"=> {sum(expected.values())}/{sum(measured.values())} "
                     f"{'OK' if same else 'MISMATCH'}")
    return "\n".join(lines), ok


def writes_per_object(results: list[tuple[int, dict, list[Step], Counter]]) -> str:
    lines = ["", "apply (all new): requests per created object, by kind (reads included)"]
    for _, tree, steps, _ in results:
        by_kind = steps[0].by_kind
        parts = [f"{k} {by_kind[k] / tree[k]:.2f}" for k in tree if k in by_kind]
        lines.append(f"  {sum(tree.values())} objects: " + ", ".join(parts)
                     + f"; catalogue {by_kind['catalogue']}, owners {by_kind['owners']}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 1000])
    parser.add_argument("--port", type=int, default=18240)
    parser.add_argument("--work", type=Path, default=None,
                        help="where trees and Superset homes go (default: a temporary directory)")
    parser.add_argument("--keep", action="store_true", help="leave the Superset(s) running")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument("--repeat", type=int, default=0, metavar="N",
                        help="then N unchanged diffs with concurrency 1 and the default each")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="plan-bench-"))
    results = []
    for size in args.sizes:
        tree, steps, expected = run_size(size, args.port, work, args.keep, args.repeat)
        results.append((size, tree, steps, expected))
        print(f"{size}: done ({sum(tree.values())} objects)", file=sys.stderr, flush=True)
    print(table(results))
    text, ok = formula_check(results)
    print(text)
    print(writes_per_object(results))
    for _, tree, steps, _ in results:
        repeats = [s for s in steps if s.name.startswith("diff, concurrency")]
        if repeats:
            print(f"\n{sum(tree.values())} objects: {repeats_summary(repeats)}")
    if args.json:
        args.json.write_text(json.dumps([{"size": size, "tree": tree, "expected": dict(exp),
                                          "steps": [{**vars(s), "methods": dict(s.methods),
                                                     "by_kind": dict(s.by_kind),
                                                     "paths": dict(s.paths)} for s in steps]}
                                         for size, tree, steps, exp in results], indent=2))
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
