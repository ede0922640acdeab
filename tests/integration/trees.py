"""What the apply and export integration tests share.

* ``WrittenTree``: an asset directory one test writes file by file, and its
  diff and apply runs, through ``workflow`` and ``apply_plan`` as the CLI
  does (subclasses write their kinds' files);
* ``Run``: one command's worth of state on a tree that exists already (the
  team's ``assets/`` copied), timed;
* ``Api``: requests made by hand, as the UI makes them;
* the CLI in-process (``cli``, ``export_json``, ``diff_text``) and trees
  for export (``new_tree``, ``snapshot``, ``relative``);
* ``fields``/``writes``: what a plan changes, what a run sent.
"""

from __future__ import annotations

import json
import shutil
import textwrap
import time
from pathlib import Path
from typing import Any

import requests
from click.testing import CliRunner, Result

from superset_iac import workflow
from superset_iac.apply.engine import ApplyReport, apply_plan
from superset_iac.cli import main
from superset_iac.cli.common import context
from superset_iac.kinds.base import Context
from superset_iac.kinds.registry import HANDLERS, handlers
from superset_iac.plan.model import Plan
from superset_iac.superset.records import AUTH, WRITE_METHODS

ENV_FILE = ("name: {name}\nsuperset:\n  url: ${{SUPERSET_URL}}\n"
            "  username: ${{SUPERSET_USERNAME}}\n  password: ${{SUPERSET_PASSWORD}}\n"
            "path_variables: [LAKEHOUSE_PATH]\nallowed_hosts: []\n"
            "recipient_domains: [example.com]\n")


# -- plans and runs ----------------------------------------------------------------


ASSETS = Path(__file__).resolve().parents[2] / "assets"


def own_lakehouse_env(server: Any, tmp_path_factory: Any, name: str) -> dict[str, str]:
    """The local environment's variables for ``server``, on a lakehouse built
    for one module and an audit log of its own.

    Not a copy of a shared file: that may already hold the views (a demo or
    another test applied them), and a first apply must create them.
    """
    from tests.conftest import load_devstack_module

    lakehouse = tmp_path_factory.mktemp(f"{name}-lakehouse") / "lakehouse.duckdb"
    load_devstack_module("lakehouse").build(lakehouse)
    audit = tmp_path_factory.mktemp(f"{name}-audit") / "audit.jsonl"
    return {**server.env(lakehouse), "SUPERSET_IAC_AUDIT_LOG": str(audit)}


def assets_copy(tmp_path_factory: Any, name: str, extra: dict[str, str]) -> Path:
    """A copy of the team's ``assets/`` with ``extra`` files (relative path -> text)."""
    root = tmp_path_factory.mktemp(name) / "assets"
    shutil.copytree(ASSETS, root)
    for relative_path, text in extra.items():
        (root / relative_path).write_text(text)
    return root


def fields(plan: Plan) -> list[tuple[str, str, object, object]]:
    """(ref, field path, before, after) of every field a plan changes."""
    return [(c.ref, f.path, f.before, f.after) for c in plan.changes for f in c.fields]


def writes(client: Any) -> list[tuple[str, str]]:
    """(method, path) of every write a client sent since its log was reset."""
    return [(r.method, r.path) for r in client.requests
            if r.method in WRITE_METHODS and r.kind != AUTH]


def apply_ok(plan: Plan, ctx: Context) -> ApplyReport:
    """Apply ``plan`` with a fresh request log; every change must succeed."""
    handlers()
    ctx.client.reset_log()
    report = apply_plan(plan, ctx, HANDLERS)
    assert report.ok, [e.to_dict() for e in report.failed]
    return report


class WrittenTree:
    """An asset directory for one test (the ``local`` environment written),
    and the runs that go with it; one client for all of them."""

    def __init__(self, root: Path, superset: Any, environ: dict[str, str]) -> None:
        self.root, self.superset, self.environ = root, superset, environ
        self.ctx: Context | None = None
        self.write("environments/local.yaml", ENV_FILE.format(name="local"))

    def write(self, relpath: str, text: str) -> None:
        """``text`` (dedented) into ``relpath`` under the root."""
        path = self.root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))

    def diff(self, *, prune: bool = False, targets: tuple[str, ...] = ()) -> Plan:
        loaded = workflow.load(self.root, "local", self.environ)
        assert not loaded.diagnostics.has_errors(), loaded.diagnostics.render_text()
        if self.ctx is None:
            client = workflow.connect(loaded.env, workflow.Connection())
            self.ctx = Context(client=client, env=loaded.env)
        self.ctx.client.reset_log()
        return workflow.diff(loaded, self.ctx, prune=prune, targets=targets)

    def apply(self, plan: Plan) -> ApplyReport:
        assert self.ctx is not None, "diff first"
        return apply_ok(plan, self.ctx)

    def writes(self) -> list[tuple[str, str]]:
        assert self.ctx is not None
        return writes(self.ctx.client)

    def gets(self) -> list[str]:
        assert self.ctx is not None
        return [r.path for r in self.ctx.client.requests if r.method == "GET" and r.kind != AUTH]

    def api(self) -> requests.Session:
        return self.superset.session()

    def url(self, path: str) -> str:
        return f"{self.superset.url}/api/v1/{path}"

    def export_round_trip(self, slug: str) -> tuple[set[str], Path]:
        """Export dashboard ``slug`` into this tree, which must change no file,
        then into a fresh tree, which must diff empty; (the objects exported,
        the fresh tree)."""
        before = snapshot(self.root)
        report = export_json(self.root, self.environ, "--dashboard", slug, env_name="local")
        assert report["summary"]["created"] == report["summary"]["changed"] == 0, report["files"]
        assert snapshot(self.root) == before
        fresh = new_tree(self.root.parent / "exported", "local")
        export_json(fresh, self.environ, "--dashboard", slug, env_name="local")
        result = diff_text(fresh, self.environ, env_name="local")
        assert result.exit_code == 0 and "No changes." in result.output, result.output
        return {o for f in report["files"] for o in f["objects"]}, fresh


class Run:
    """One command on an existing tree: load, connect, diff (timed); apply on demand."""

    def __init__(self, tree: Path, environ: dict[str, str], *, prune: bool = False,
                 targets: tuple[str, ...] = ()) -> None:
        self.loaded = workflow.load(tree, "local", environ)
        workflow.require_valid(self.loaded)
        self.ctx: Context = context(self.loaded, None, None, None, None, False)
        started = time.monotonic()
        self.plan: Plan = workflow.diff(self.loaded, self.ctx, prune=prune, targets=targets)
        self.diff_seconds = time.monotonic() - started
        self.diff_requests = self.ctx.client.count()
        self.apply_seconds = 0.0

    def apply(self) -> ApplyReport:
        started = time.monotonic()
        report = apply_ok(self.plan, self.ctx)
        self.apply_seconds = time.monotonic() - started
        return report

    def fields(self) -> list[tuple[str, str, object, object]]:
        return fields(self.plan)

    def changes(self) -> list[tuple[str, str, str, list[str]]]:
        """(action, kind, key, field paths) of every change."""
        return [(c.action.value, c.kind, c.key, [f.path for f in c.fields])
                for c in self.plan.changes]

    def writes(self) -> list[tuple[str, str]]:
        return writes(self.ctx.client)


# -- by hand, as the UI does it ------------------------------------------------------


class Api:
    """The fixture's logged-in session; every request must succeed."""

    def __init__(self, superset: Any) -> None:
        self.url = f"{superset.url}/api/v1"
        self.session: requests.Session = superset.session()

    def call(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        resp = self.session.request(method, f"{self.url}/{path}", json=body,
                                    params=params or None, timeout=60)
        assert resp.ok, f"{method} {path}: {resp.status_code} {resp.text[:500]}"
        return resp.json() if resp.content else None

    def first(self, path: str, q: str) -> dict[str, Any]:
        """The one row the list ``path`` has for the rison query ``q``."""
        (row,) = self.call("GET", path, q=q)["result"]
        return row

    def get(self, path: str) -> dict[str, Any]:
        return self.call("GET", path, q="(page_size:100)")

    def put(self, path: str, body: dict[str, Any]) -> None:
        self.call("PUT", path, body)

    def post(self, path: str, body: dict[str, Any]) -> int:
        """Create; the new object's id."""
        return self.call("POST", path, body)["id"]

    def find(self, resource: str, field: str, value: str) -> dict[str, Any]:
        return next(r for r in self.get(f"{resource}/")["result"] if r[field] == value)


# -- the CLI, and trees for export ---------------------------------------------------


def cli(*args: Any, env: dict[str, str]) -> Result:
    """Run ``superset-iac`` in-process, as a user would from a shell."""
    return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)


def new_tree(root: Path, env_name: str) -> Path:
    """An asset directory holding only an environment file for ``env_name``."""
    (root / "environments").mkdir(parents=True)
    (root / "environments" / f"{env_name}.yaml").write_text(ENV_FILE.format(name=env_name))
    return root


def snapshot(root: Path) -> dict[str, str]:
    """Every exported file's text, by path relative to ``root`` (environments aside)."""
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(root.rglob("*.yaml")) if "environments" not in p.parts}


def relative(root: Path, shown: str) -> str:
    """A path as the export prints it, relative to ``root``."""
    return Path(shown).resolve().relative_to(root.resolve()).as_posix()


def export_json(root: Path, env: dict[str, str], *selection: str,
                env_name: str = "test") -> dict[str, Any]:
    result = cli("export", "--assets", root, "--env", env_name, "--format", "json",
                 *selection, env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def diff_text(root: Path, env: dict[str, str], env_name: str = "test") -> Result:
    return cli("diff", "--assets", root, "--env", env_name, env=env)


def assert_export_unchanged(root: Path, env: dict[str, str], *selection: str,
                            env_name: str = "local") -> None:
    """``export SELECTION`` into the tree it was applied from writes no byte."""
    before = snapshot(root)
    result = cli("export", "--assets", root, "--env", env_name, *selection, env=env)
    assert result.exit_code == 0, result.output
    assert " 0 files created, 0 changed," in result.output, result.output
    assert snapshot(root) == before
