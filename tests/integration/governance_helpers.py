"""What the governance tests share: the team's tree with test users, and Superset as a user meets it.

The tree is a copy of ``assets/`` plus a test-only overlay: one user per role
(``gov_<role>``, passwords generated here and passed as ``${GOV_<ROLE>_PASSWORD}``,
so CI sets nothing) and an Admin-only control — a physical dataset on the raw
ticks table, a chart and a dashboard on it — which proves that the PII probes
do see raw values where a role is allowed to. The overlay never enters
``assets/``: test accounts and a raw-table dashboard have no place in production.

On Trino (``governed(..., trino_server)``, environment ``local-trino``) the
lakehouse is the session's Trino, where Superset's database user may read
the views only; the Admin control then reads the raw table through a second
database, ``lakehouse_raw``, connected as Trino's ``admin`` (raw access is
Trino's to give, not Superset's).

The tree is applied once per session through the real CLI; each test module
calls ``governed()`` again, which re-applies (a no-op unless an earlier module
changed something) and checks that the next diff is empty, so every module
starts from the declared state on the shared Superset.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import requests
from click.testing import Result

from superset_iac.load.tree import AssetTree, load_tree
from superset_iac.model.chart import Chart
from superset_iac.model.dashboard import Dashboard
from superset_iac.model.dataset import Dataset
from superset_iac.model.role import Role
from tests.integration.trees import cli
from tests.integration.trino_stack import WAREHOUSES, TrinoInstance, trino_assets

ROOT = Path(__file__).resolve().parents[2]
ROLES = ("Admin", "Analyst", "Developer", "Ops", "Viewer")
RAW_TICKS = "option_ticks_db.bronze_option_ticks"
RAW_DASHBOARD = "raw-ticks-control"
Lakehouse = Path | TrinoInstance  # the DuckDB file, or the Trino holding hive_prod
RAW_DATABASE = """\
name: lakehouse_raw
description: Test only; the raw tables as Trino's admin reads them (Admin's control).
uri: trino://admin@127.0.0.1:{port}/hive_prod
expose_in_sqllab: true
"""
# Variables that would redirect a CLI run if the caller's shell had them.
_UNSET = ("SUPERSET_ACCESS_TOKEN", "SUPERSET_IAC_ENV", "SUPERSET_IAC_ASSETS", "MASK_SALT")

USER = """\
username: {username}
first_name: Governance
last_name: {role}
email: {username}@example.com
roles: [{role}]
password: ${{{variable}}}
"""
CONTROL = {
    "datasets/raw_ticks_control.yaml": """\
# Admin only: the raw table, to prove the PII probes see raw values where allowed.
name: bronze_option_ticks
description: Raw option ticks with PII (test control, Admin only).
database: lakehouse
schema: option_ticks_db
""",
    "charts/raw_ticks_control.yaml": """\
name: Raw ticks (admin control)
dataset: bronze_option_ticks
viz_type: table
params:
  query_mode: raw
  all_columns: [symbol, account_id, trader_id, trader_email]
  adhoc_filters: []
  row_limit: 10000
""",
    "dashboards/raw_ticks_control.yaml": """\
title: Raw ticks (admin control)
slug: raw-ticks-control
published: true
roles: [Admin]
layout:
  - row:
      - chart: Raw ticks (admin control)
        width: 12
        height: 50
""",
}


def username(role: str) -> str:
    return f"gov_{role.lower()}"


def password_variable(role: str) -> str:
    return f"GOV_{role.upper()}_PASSWORD"


def write_tree(root: Path, trino: TrinoInstance | None = None) -> Path:
    """``assets/`` and the test overlay (users of each role, the Admin control) under
    ``root``; on ``trino``, the control reads through its own raw database."""
    if trino is None:
        shutil.copytree(ROOT / "assets", root)
    else:
        trino_assets(root, trino)
    (root / "users").mkdir(exist_ok=True)
    for role in ROLES:
        (root / "users" / f"{username(role)}.yaml").write_text(USER.format(
            username=username(role), role=role, variable=password_variable(role)))
    for path, text in CONTROL.items():
        (root / path).write_text(text)
    if trino is not None:
        (root / "databases" / "lakehouse_raw.yaml").write_text(RAW_DATABASE.format(port=trino.port))
        for env_file in (root / "environments").glob("*.yaml"):  # a URI names only allowed hosts
            text = env_file.read_text()
            if "allowed_hosts: [127.0.0.1" not in text:
                env_file.write_text(text.replace("allowed_hosts: [", "allowed_hosts: [127.0.0.1, ", 1))
        control = root / "datasets" / "raw_ticks_control.yaml"
        control.write_text(control.read_text().replace("database: lakehouse\n",
                                                       "database: lakehouse_raw\n"))
    return root


def run_cli(*args: Any, env: dict[str, str | None]) -> Result:
    """``superset-iac ARGS`` in-process, with exactly these variables for the connection
    (None unsets one)."""
    environ: dict[str, str | None] = {name: None for name in _UNSET}
    environ.update(env)
    return cli(*args, env=environ)  # type: ignore[arg-type]


class RoleSession:
    """Superset's API as one user meets it: signed in with their own password.

    A user whose role may not read ``/api/v1/security/csrf_token/`` (Viewer,
    Ops) takes the token of the login page instead, as the web UI does.
    """

    def __init__(self, url: str, user: str, password: str) -> None:
        self.url, self.user = url, user
        self.http = requests.Session()
        self.http.headers.update({"Accept": "application/json", "Referer": url})
        answer = self.http.post(f"{url}/api/v1/security/login", timeout=60, json={
            "username": user, "password": password, "provider": "db", "refresh": True})
        assert answer.status_code == 200, f"{user} cannot log in: {answer.text[:200]}"
        self.http.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
        self.http.headers["X-CSRFToken"] = self._csrf_token()

    def _csrf_token(self) -> str:
        """From the API if the role may read it, else from the login page, as the UI has it.

        Flask-WTF checks the token against the ``session`` cookie, not the
        user, so the login form's token (fetched without the bearer token)
        lets a Viewer's refused POST be refused for its permissions, not for CSRF.
        """
        answer = self.http.get(f"{self.url}/api/v1/security/csrf_token/", timeout=60)
        if answer.status_code == 200:
            return answer.json()["result"]
        page = self.http.get(f"{self.url}/login/", headers={"Authorization": None}, timeout=60)
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
        assert found, f"no CSRF token for {self.user}: {answer.status_code}, {page.status_code}"
        return found.group(1)

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.http.get(self._abs(path), params=params or None, timeout=120)

    def post(self, path: str, body: Any) -> requests.Response:
        return self.http.post(self._abs(path), json=body, timeout=120)

    def put(self, path: str, body: Any) -> requests.Response:
        return self.http.put(self._abs(path), json=body, timeout=120)

    def listed(self, resource: str, name_field: str) -> set[str]:
        """Every name a list endpoint shows this user (all pages); empty if refused."""
        names: set[str] = set()
        page = 0
        while True:
            answer = self.get(f"{resource}/", q=f"(page:{page},page_size:100)")
            if answer.status_code != 200:
                return names
            rows = answer.json()["result"]
            names |= {row[name_field] for row in rows}
            if not rows or len(rows) < 100:
                return names
            page += 1

    def _abs(self, path: str) -> str:
        """Relative to /api/v1/ unless it starts with / (as the tool's client does)."""
        return f"{self.url}{path}" if path.startswith("/") else f"{self.url}/api/v1/{path}"


@dataclass(frozen=True)
class ChartRef:
    """A chart of a dashboard as the dashboard runs it: saved query_context, dashboard context."""

    id: int
    name: str
    dataset: str
    query_context: dict[str, Any]

    def request(self, dashboard_id: int | None, **overrides: Any) -> dict[str, Any]:
        body = json.loads(json.dumps(self.query_context))
        form_data = dict(body.get("form_data") or {}, slice_id=self.id)
        if dashboard_id is not None:
            form_data["dashboardId"] = dashboard_id
        body["form_data"] = form_data
        body.update(overrides)
        return body


@dataclass
class Governed:
    """The applied governance tree on the shared Superset, and how to reach it."""

    tree: Path
    env: dict[str, str | None] = field(repr=False)
    passwords: dict[str, str] = field(repr=False)
    url: str
    lakehouse: Lakehouse
    admin_login: tuple[str, str]
    specs: AssetTree = field(init=False)
    _admin: tuple[float, RoleSession] | None = field(default=None, init=False, repr=False)
    _dashboards: dict[str, tuple[int, list[ChartRef]]] = field(
        default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.specs = load_tree(self.tree)

    @property
    def warehouse(self) -> str:
        return "trino" if isinstance(self.lakehouse, TrinoInstance) else "duckdb"

    @property
    def env_name(self) -> str:
        return "local-trino" if self.warehouse == "trino" else "local"

    @property
    def raw_database(self) -> str:
        """The database through which Admin's control reads raw values."""
        return "lakehouse_raw" if self.warehouse == "trino" else "lakehouse"

    def apply(self, tree: Path | None = None, *extra: str) -> Result:
        result = run_cli("apply", "--assets", tree or self.tree, "--env", self.env_name, "--yes",
                         *extra, env=self.env)
        assert result.exit_code == 0, result.output[-3000:]
        return result

    def diff(self, tree: Path | None = None, *extra: str) -> tuple[int, dict[str, Any]]:
        """(exit code, the JSON plan) of ``diff --format json``."""
        result = run_cli("diff", "--assets", tree or self.tree, "--env", self.env_name,
                         "--format", "json", *extra, env=self.env)
        assert result.exit_code in (0, 3), result.output[-3000:]
        return result.exit_code, json.loads(result.stdout)

    def converge(self) -> None:
        self.apply()
        code, plan = self.diff()
        assert code == 0 and plan["changes"] == [], plan["changes"]

    def as_role(self, role: str) -> RoleSession:
        return RoleSession(self.url, username(role), self.passwords[role])

    def admin(self) -> RoleSession:
        """The server's own administrator (the fixture's login), for reading what exists.

        One session, renewed after 10 minutes (its token lasts 15).
        """
        if self._admin is None or time.monotonic() - self._admin[0] > 600:
            self._admin = (time.monotonic(), RoleSession(self.url, *self.admin_login))
        return self._admin[1]

    def role(self, name: str) -> Role:
        spec = self.specs.get("role", name)
        assert isinstance(spec, Role)
        return spec

    def dashboards_for(self, role: str) -> set[str]:
        """Keys (slugs) of the tree's published dashboards that name ``role``."""
        return {d.key for d in self.specs.each(Dashboard) if d.published and role in d.roles}

    def charts_on(self, datasets: Iterable[str]) -> set[str]:
        wanted = set(datasets)
        return {c.name for c in self.specs.each(Chart) if c.dataset in wanted}

    def dashboard(self, slug: str) -> tuple[int, list[ChartRef]]:
        """The dashboard's id and its charts with their saved query_context (read as admin once)."""
        if slug not in self._dashboards:
            self._dashboards[slug] = self._read_dashboard(slug)
        return self._dashboards[slug]

    def _read_dashboard(self, slug: str) -> tuple[int, list[ChartRef]]:
        admin = self.admin()
        dashboard_id = admin.get(f"dashboard/{slug}").json()["result"]["id"]
        refs = []
        for row in admin.get(f"dashboard/{dashboard_id}/charts").json()["result"]:
            chart = admin.get(f"chart/{row['id']}").json()["result"]
            spec = self.specs.get("chart", chart["slice_name"])
            assert isinstance(spec, Chart), chart["slice_name"]
            refs.append(ChartRef(row["id"], chart["slice_name"], spec.dataset,
                                 json.loads(chart["query_context"])))
        return dashboard_id, sorted(refs, key=lambda r: r.name)

    def database_id(self, name: str = "lakehouse") -> int:
        rows = self.admin().get(
            "database/", q=f"(filters:!((col:database_name,opr:eq,value:{name})))")
        return rows.json()["result"][0]["id"]

    def dataset_ids(self) -> dict[str, int]:
        admin = self.admin()
        rows = admin.get("dataset/", q="(page_size:100,columns:!(id,table_name))").json()["result"]
        names = {d.name for d in self.specs.each(Dataset)}
        return {r["table_name"]: r["id"] for r in rows if r["table_name"] in names}


def sql_body(database_id: int, sql: str) -> dict[str, Any]:
    """A SQL Lab run as the UI sends it (synchronous)."""
    return {"database_id": database_id, "sql": sql, "runAsync": False, "schema": None,
            "tab": "governance", "select_as_cta": False, "queryLimit": 10000}


_SESSION: dict[str, Governed] = {}


def governed(superset: Any, lakehouse: Lakehouse, tmp_path_factory: Any) -> Governed:
    """The governance tree applied to ``superset`` (once per session), converged again now;
    ``lakehouse`` is the DuckDB file or the Trino the tree's views go to."""
    state = _SESSION.get(superset.url)
    if state is None:
        trino = lakehouse if isinstance(lakehouse, TrinoInstance) else None
        root = write_tree(tmp_path_factory.mktemp("governance") / "assets", trino)
        passwords = {role: f"Gov-{role}-{secrets.token_hex(6)}" for role in ROLES}
        audit = tmp_path_factory.mktemp("governance-audit") / "audit.jsonl"
        env: dict[str, str | None] = {
            **(superset.env() | trino.env() if trino else superset.env(lakehouse)),
            "SUPERSET_IAC_AUDIT_LOG": str(audit)}
        env.update({password_variable(r): pw for r, pw in passwords.items()})
        state = Governed(root, env, passwords, superset.url, lakehouse,
                         (superset.username, superset.password))
        _SESSION[superset.url] = state
    state.converge()
    return state


# Where a governance suite runs, one parameter of its `gov` fixture (so test ids
# say `[duckdb-…]`, `[trino-…]`, `[production-…]` and `-k` selects either):
# the local Superset over the DuckDB file, a Superset over the local Trino, and
# the production stand-in (PostgreSQL, Redis, 4 workers) over the DuckDB file.
STAND_INS = (*WAREHOUSES, "production")


def governed_on(request: Any, tmp_path_factory: Any) -> Governed:
    """``governed`` on the stand-in of a module fixture parametrised with
    ``STAND_INS`` (its own Superset for Trino: the shared one keeps the DuckDB
    database)."""
    if request.param == "trino":
        return governed(request.getfixturevalue("trino_superset"),
                        request.getfixturevalue("trino_server"), tmp_path_factory)
    superset = "production_superset" if request.param == "production" else "superset"
    return governed(request.getfixturevalue(superset),
                    request.getfixturevalue("lakehouse_path"), tmp_path_factory)


# -- the lakehouse, read directly -------------------------------------------------


def query_lakehouse(path: Lakehouse, sql: str) -> list[tuple]:
    """Rows of ``sql`` on the DuckDB file, read-only (Superset may be reading it
    too), or on Trino as the tool's user (which reads the raw tables)."""
    if isinstance(path, TrinoInstance):
        return [tuple(row) for row in path.query(sql)]
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def raw_pii(path: Lakehouse) -> set[str]:
    """Every raw PII value in the lakehouse: ticks' account, trader, e-mail; logs' user e-mail."""
    values = {v for row in query_lakehouse(
        path, f"SELECT DISTINCT account_id, trader_id, trader_email FROM {RAW_TICKS}")
        for v in row}
    values |= {row[0] for row in query_lakehouse(
        path, f"SELECT DISTINCT {_json_text(path)}(payload, '$.user_email') FROM logs_db.app_logs")
        if row[0]}
    return values


def _json_text(path: Lakehouse) -> str:
    return "json_extract_scalar" if isinstance(path, TrinoInstance) else "json_extract_string"


def symbols_where(path: Lakehouse, clause: str | None = None) -> set[str]:
    """Symbols of the raw ticks satisfying ``clause`` (an RLS clause, evaluated by the
    warehouse itself)."""
    where = f" WHERE {clause}" if clause else ""
    return {row[0] for row in query_lakehouse(path, f"SELECT DISTINCT symbol FROM {RAW_TICKS}{where}")}


def leaked(text: str, values: Iterable[str]) -> set[str]:
    return {value for value in values if value in text}


def symbols_in(body: dict[str, Any], known: set[str]) -> set[str]:
    """Symbols a chart data answer shows: as row values or, once pivoted, as column names."""
    found: set[str] = set()
    for result in body.get("result", []):
        found |= known & set(result.get("colnames") or [])
        for row in result.get("data") or []:
            found |= known & {str(v) for v in row.values()} | known & set(row)
    return found
