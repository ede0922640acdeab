"""Time ``validate`` (load + every check) on generated asset trees.

    python benchmarks/validate_bench.py                 # 250, 500, 1000, 2000 objects
    python benchmarks/validate_bench.py --sizes 1000 --profile

The last line times the largest tree again with every chart broken, for the
cost of reporting thousands of problems.

Each tree is written to a temporary directory, one file per object, in the
proportions of a real deployment: per 100 objects about 1 database, 8 views
(masking views over raw tables, and SQL views over those), 25 datasets
(virtual ones with Jinja in some SQL, metrics and calculated columns,
physical ones over the views), 40 charts of several types, 5 dashboards
with filters, 5 roles, 3 RLS rules, 10 users and a few environments. The
tree is valid: the run must report no error, so every check does its full
work. The best of ``--repeat`` runs is reported.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from superset_iac.load.tree import load_tree  # noqa: E402
from superset_iac.validate import validate_tree  # noqa: E402

MIX = {"database": 1, "view": 8, "dataset": 25, "chart": 40, "dashboard": 5, "role": 5,
       "rls": 3, "user": 10}
VIZ = ["echarts_timeseries_line", "echarts_timeseries_bar", "table", "pivot_table_v2",
       "big_number_total", "pie"]


def _counts(total: int) -> dict[str, int]:
    scale = total / sum(MIX.values())
    return {kind: max(1, round(n * scale)) for kind, n in MIX.items()}


def _write(root: Path, kind_dir: str, name: str, data: dict) -> None:
    path = root / kind_dir / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False, width=100))


def _view(i: int, n_db: int) -> tuple[str, dict]:
    catalog, schema = "hive", f"s{i % n_db}"
    if i % 2 == 0:
        return f"{catalog}.{schema}.v_ticks_{i}", {
            "name": f"{catalog}.{schema}.v_ticks_{i}", "source": f"{catalog}.{schema}.raw_{i}",
            "columns": [{"name": "ts"}, {"name": "symbol"}, {"name": "price"}, {"name": "qty"},
                        {"name": "account_id", "mask": "partial", "keep_last": 4},
                        {"name": "trader", "mask": "hash"}],
            "raw_access_roles": ["Admin"]}
    base = f"{catalog}.{schema}.v_ticks_{i - 1}"
    return f"{catalog}.{schema}.daily_{i}", {
        "name": f"{catalog}.{schema}.daily_{i}",
        "sql": f"SELECT CAST(ts AS DATE) AS day, symbol, SUM(qty) AS qty, AVG(price) AS price\n"
               f"FROM {base}\nGROUP BY CAST(ts AS DATE), symbol\n"}


def _dataset(i: int, views: list[tuple[str, dict]], n_db: int) -> dict:
    """Physical over each SQL view once (its name is the table), else virtual
    over a masking view."""
    view_name, view = views[i % len(views)]
    if "sql" in view and i >= len(views):
        view_name, view = views[(i - 1) % len(views)]
    _, schema, table = view_name.split(".")
    common = {"name": f"ds_{i}", "database": f"db_{i % n_db}", "schema": schema}
    if "sql" in view:
        return {**common, "name": table, "sql": None,
                "columns": [{"name": "day", "is_dttm": True}, {"name": "symbol"}],
                "metrics": [{"name": "total_qty", "expression": "SUM(qty)"},
                            {"name": "avg_price", "expression": "AVG(price)"}]}
    where = "\nWHERE symbol IN {{ filter_values('symbol') | where_in }}" if i % 3 == 0 else ""
    return {**common,
            "sql": f"SELECT ts, symbol, price, qty, price * qty AS notional\n"
                   f"FROM {schema}.{table}{where}\n",
            "main_dttm_col": "ts",
            "columns": [{"name": "ts", "is_dttm": True}, {"name": "symbol"},
                        {"name": "band", "expression": "CASE WHEN price > 100 THEN 'high' "
                                                       "ELSE 'low' END"}],
            "metrics": [{"name": "total_qty", "expression": "SUM(qty)"},
                        {"name": "avg_price", "expression": "AVG(price)"},
                        {"name": f"turnover_{i}", "expression": f"SUM(notional) / {i + 1}"}]}


def _chart(i: int, dataset: dict) -> dict:
    virtual = dataset.get("sql") is not None
    time_col, group = ("ts", "symbol") if virtual else ("day", "symbol")
    viz = VIZ[i % len(VIZ)]
    params: dict = {"metrics": ["total_qty", "avg_price"], "groupby": [group],
                    "adhoc_filters": [{"expressionType": "SIMPLE", "subject": group,
                                       "operator": "IN", "comparator": ["A"],
                                       "clause": "WHERE"}]}
    if viz.startswith("echarts"):
        params["x_axis"] = time_col
    if viz == "pivot_table_v2":
        params = {"groupbyRows": [time_col], "groupbyColumns": [group],
                  "metrics": ["total_qty"]}
    if viz == "table" and virtual:
        params["metrics"].append({"expressionType": "SQL", "label": "n",
                                  "sqlExpression": "COUNT(DISTINCT symbol)"})
    return {"name": f"Chart {i}", "dataset": dataset["name"], "viz_type": viz, "params": params}


def generate(root: Path, total: int) -> None:
    counts = _counts(total)
    n_db = counts["database"]
    for i in range(n_db):
        _write(root, "databases", f"db_{i}", {
            "name": f"db_{i}", "uri": "trino://superset@trino:8080/hive",
            "environments": {"local": {"uri": "duckdb:///${LAKEHOUSE_PATH}"}}})
    for env in ("local", "prod"):
        connection = {"url": "http://127.0.0.1:8088", "username": "admin",
                      "password": "${SUPERSET_PASSWORD}"}
        _write(root, "environments", env, {"name": env, "superset": connection,
                                           "path_variables": ["LAKEHOUSE_PATH"]})
    views = [_view(i, n_db) for i in range(counts["view"])]
    for name, data in views:
        _write(root, "views", name.split(".")[-1], data)
    datasets = [_dataset(i, views, n_db) for i in range(counts["dataset"])]
    for ds in datasets:
        ds = {k: v for k, v in ds.items() if v is not None}
        _write(root, "datasets", ds["name"], ds)
    charts = [_chart(i, datasets[i % len(datasets)]) for i in range(counts["chart"])]
    for i, chart in enumerate(charts):
        _write(root, "charts", f"chart_{i}", chart)
    _roles(root, counts["role"], datasets)
    _dashboards(root, counts["dashboard"], charts, datasets, counts["role"])
    for i in range(counts["rls"]):
        _write(root, "rls", f"rls_{i}", {
            "name": f"rls_{i}", "datasets": [d["name"] for d in datasets[i::counts["rls"]]][:20],
            "roles": [f"Role {i % counts['role']}"], "group_key": "symbol",
            "clause": "symbol IN (SELECT symbol FROM entitlements "
                      "WHERE username = '{{ current_username() }}')"})
    for i in range(counts["user"]):
        _write(root, "users", f"user_{i}", {
            "username": f"user_{i}", "first_name": "U", "last_name": str(i),
            "email": f"u{i}@example.com", "roles": [f"Role {i % counts['role']}"]})


def _roles(root: Path, n: int, datasets: list[dict]) -> None:
    for i in range(n):
        _write(root, "roles", f"role_{i}", {
            "name": f"Role {i}", "extends": ["Gamma"],
            "permissions": {"Dashboard": ["can_read"], "Chart": ["can_read"]},
            "data_access": {"datasets": [d["name"] for d in datasets[i::n]]}})


def _dashboards(root: Path, n: int, charts: list[dict], datasets: list[dict], roles: int) -> None:
    per = max(1, len(charts) // n)
    for i in range(n):
        mine = charts[i * per:(i + 1) * per]
        rows = [{"row": [{"chart": c["name"], "width": 6} for c in mine[j:j + 2]]}
                for j in range(0, len(mine), 2)]
        ds = next(d for d in datasets if d.get("sql"))
        _write(root, "dashboards", f"dash_{i}", {
            "title": f"Dashboard {i}", "slug": f"dash-{i}", "roles": [f"Role {i % roles}"],
            "layout": [{"header": "Overview"}, *rows],
            "filters": [{"name": "Symbol", "dataset": ds["name"], "column": "symbol"},
                        {"name": "Period", "type": "time_range", "default": "Last week"}]})


def run_once(root: Path) -> tuple[float, float, float, int]:
    """(load s, checks s, CPU s of both, objects): wall clock, and CPU time,
    which other processes on a shared machine do not inflate."""
    cpu, start = time.process_time(), time.perf_counter()
    tree = load_tree(root)
    loaded = time.perf_counter()
    diags = validate_tree(tree)
    done, cpu = time.perf_counter(), time.process_time() - cpu
    if diags.has_errors():
        raise SystemExit("generated tree is invalid:\n" + diags.render_text()[:3000])
    return loaded - start, done - loaded, cpu, tree.count() + len(tree.environments)


def time_broken(root: Path) -> None:
    """The same tree with every chart broken twice (removed viz type, unknown
    column): reporting thousands of problems must stay linear too."""
    for path in (root / "charts").glob("*.yaml"):
        data = yaml.safe_load(path.read_text())
        data["viz_type"] = "dist_bar"
        data["params"]["groupby"] = ["no_such_column"]
        path.write_text(yaml.safe_dump(data, sort_keys=False))
    start = time.perf_counter()
    diags = validate_tree(load_tree(root))
    print(f"\nbroken charts: {len(diags.errors)} errors reported in "
          f"{time.perf_counter() - start:.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="250,500,1000,2000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile the largest size")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{'objects':>8} {'load s':>8} {'checks s':>9} {'total s':>8} {'cpu s':>7} "
          f"{'ms/object':>10}")
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp) / "warm-up", 50)  # imports and sqlglot's lazy set-up, untimed
        run_once(Path(tmp) / "warm-up")
        for size in sizes:
            root = Path(tmp) / str(size)
            generate(root, size)
            runs = [run_once(root) for _ in range(args.repeat)]
            load_s, check_s, cpu, objects = min(runs, key=lambda r: r[0] + r[1])
            total = load_s + check_s
            print(f"{objects:>8} {load_s:>8.3f} {check_s:>9.3f} {total:>8.3f} {cpu:>7.3f} "
                  f"{1000 * total / objects:>10.2f}")
        if args.profile:
            profiler = cProfile.Profile()
            profiler.runcall(run_once, Path(tmp) / str(sizes[-1]))
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        time_broken(Path(tmp) / str(sizes[-1]))


if __name__ == "__main__":
    main()
