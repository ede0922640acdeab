"""Apply when things go wrong, through the CLI on a real Superset.

* a failure stops what depends on it, every failure is reported, the exit
  code is 1, and the run after the cause is fixed converges with no
  duplicates;
* a run killed outright (SIGKILL right after a create landed), a create
  whose answer was lost (``TransientWriteError`` after the POST landed) and
  a run limited with ``--target`` are all finished by the next apply, with
  every object on the server exactly once (counted by name);
* apply after one chart changed sends that chart's write and nothing else;
* two applies of the same tree started at the same moment leave every object
  on the server exactly once, and the next diff is empty.

Each test builds its own small tree with unique names (a database on the
session's lakehouse copy, two datasets, three charts, a dashboard, a role
and an RLS rule) on the session's shared Superset, and never prunes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner, Result

from superset_iac import workflow
from superset_iac.cli import main
from superset_iac.superset.client import SupersetClient
from superset_iac.superset.errors import TransientWriteError
from superset_iac.superset.records import AUTH, WRITE_METHODS

pytestmark = pytest.mark.integration

KILLER = """\
import os, signal, sys
from superset_iac.superset.client import SupersetClient
from superset_iac.cli import main

real = SupersetClient.post

def post(self, path, json=None, **kwargs):
    answer = real(self, path, json, **kwargs)
    if path == os.environ["KILL_AFTER_POST"]:  # the create landed; die before anything else
        os.kill(os.getpid(), signal.SIGKILL)
    return answer

SupersetClient.post = post
sys.exit(main())
"""

# Two processes meet here right before their first create: each touches a
# file named after itself and waits until the other's is there.
BARRIER = """\
import os, sys, time
from pathlib import Path
from superset_iac.superset.client import SupersetClient
from superset_iac.cli import main

real = SupersetClient.post
meeting = Path(os.environ["BARRIER_DIR"])

def post(self, path, json=None, **kwargs):
    if path == "database/" and not meeting.joinpath(str(os.getpid())).exists():
        meeting.joinpath(str(os.getpid())).touch()
        waited = time.monotonic()
        while len(list(meeting.iterdir())) < 2 and time.monotonic() - waited < 120:
            time.sleep(0.005)
    return real(self, path, json, **kwargs)

SupersetClient.post = post
sys.exit(main())
"""


class Tree:
    """A small asset tree with names of its own, and the CLI run on it."""

    def __init__(self, root: Path, superset, lakehouse: Path, suffix: str) -> None:
        self.root, self.superset, self.u = root, superset, suffix
        self.environ = {**superset.env(lakehouse), "SUPERSET_IAC_ENV": "local",
                        "SUPERSET_IAC_AUDIT_LOG": str(root.parent / "audit.jsonl"),
                        "NO_COLOR": "1"}
        self.charts = [f"Price {suffix}", f"Volume {suffix}", f"Images {suffix}"]
        self.clients: list[SupersetClient] = []
        self._write()

    def write(self, relpath: str, text: str) -> None:
        path = self.root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))

    def _write(self) -> None:
        u = self.u
        self.write("environments/local.yaml", """\
            name: local
            superset: {url: "${SUPERSET_URL}", username: "${SUPERSET_USERNAME}",
                       password: "${SUPERSET_PASSWORD}"}
            audit_log: ${SUPERSET_IAC_AUDIT_LOG}
            path_variables: [LAKEHOUSE_PATH]
            """)
        self.write("databases/lake.yaml", f"""\
            name: lake_{u}
            uri: duckdb:///${{LAKEHOUSE_PATH}}
            extra: {{engine_params: {{connect_args: {{read_only: true}}}}}}
            """)
        self.write("datasets/ticks.yaml", f"""\
            name: ticks_{u}
            database: lake_{u}
            schema: option_ticks_db
            sql: SELECT symbol, exchange, last_price, volume FROM option_ticks_db.bronze_option_ticks
            metrics:
              - {{name: avg_price, expression: AVG(last_price)}}
              - {{name: total_volume, expression: SUM(volume)}}
            """)
        # Reads a view that does not exist until a test makes it: a failure
        # only the server can find.
        self.write("datasets/media.yaml", f"""\
            name: media_{u}
            database: lake_{u}
            schema: media_db
            sql: SELECT tag, file_size FROM media_db.images_{u}
            metrics: [{{name: images, expression: COUNT(*)}}]
            """)
        self.chart("price", f"Price {u}", f"ticks_{u}", "[symbol]", "[avg_price]")
        self.chart("volume", f"Volume {u}", f"ticks_{u}", "[exchange]", "[total_volume]")
        self.chart("images", f"Images {u}", f"media_{u}", "[tag]", "[images]")
        self.write("dashboards/res.yaml", f"""\
            title: Resilience {u}
            slug: res-{u}
            layout:
              - row:
                  - {{chart: Price {u}, width: 4, height: 50}}
                  - {{chart: Volume {u}, width: 4, height: 50}}
                  - {{chart: Images {u}, width: 4, height: 50}}
            """)
        self.write("roles/res.yaml", f"""\
            name: Res_{u}
            data_access: {{datasets: [ticks_{u}]}}
            """)
        self.write("rls/res.yaml", f"""\
            name: rls_{u}
            datasets: [ticks_{u}]
            roles: [Res_{u}]
            clause: symbol = 'AAPL'
            """)

    def chart(self, file: str, name: str, dataset: str, groupby: str, metrics: str,
              extra: str = "") -> None:
        self.write(f"charts/{file}.yaml", f"""\
            name: {name}
            dataset: {dataset}
            viz_type: table
            params: {{query_mode: aggregate, groupby: {groupby}, metrics: {metrics}, row_limit: 10}}
            """ + extra)

    # -- running the command ---------------------------------------------------
    def cli(self, *args: str, monkeypatch: pytest.MonkeyPatch | None = None) -> Result:
        """``superset-iac ARGS --assets ROOT``, keeping the client it made."""
        mp = monkeypatch or pytest.MonkeyPatch()
        real = workflow.connect

        def connect(env: Any, given: Any) -> SupersetClient:
            self.clients.append(real(env, given))
            return self.clients[-1]

        mp.setattr(workflow, "connect", connect)
        try:
            return CliRunner().invoke(main, [*args, "--assets", str(self.root)], env=self.environ)
        finally:
            if monkeypatch is None:
                mp.undo()

    def killed(self, after_post: str, concurrency: str = "4") -> subprocess.CompletedProcess:
        """``apply`` in a process of its own, SIGKILLed right after POST ``after_post`` landed."""
        env = {**os.environ, **self.environ, "KILL_AFTER_POST": after_post,
               "SUPERSET_IAC_CONCURRENCY": concurrency}
        return subprocess.run([sys.executable, "-c", KILLER, "apply", "--assets", str(self.root)],
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              env=env, timeout=300, check=False)

    def together(self, meeting: Path) -> list[subprocess.CompletedProcess]:
        """Two ``apply`` processes of this tree whose first creates go out together."""
        meeting.mkdir()
        env = {**os.environ, **self.environ, "BARRIER_DIR": str(meeting)}
        runs = [subprocess.Popen([sys.executable, "-c", BARRIER, "apply", "--assets",
                                  str(self.root)], stdin=subprocess.DEVNULL, text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
                for _ in range(2)]
        done = []
        for run in runs:
            out, err = run.communicate(timeout=300)
            done.append(subprocess.CompletedProcess(run.args, run.returncode, out, err))
        return done

    def writes(self) -> list[tuple[str, str]]:
        return [(r.method, r.path) for r in self.clients[-1].requests
                if r.method in WRITE_METHODS and r.kind != AUTH]

    # -- what the server holds -------------------------------------------------
    def session(self) -> requests.Session:
        return self.superset.session()

    def count(self, resource: str, field: str, value: str) -> int:
        """How many objects named ``value`` the server has (every page)."""
        sess, url, page, found = self.session(), f"{self.superset.url}/api/v1/{resource}/", 0, 0
        while True:
            rows = sess.get(url, params={"q": f"(page:{page},page_size:100)"}).json()["result"]
            found += sum(1 for r in rows if r.get(field) == value)
            if len(rows) < 100:
                return found
            page += 1

    def counts(self) -> dict[str, int]:
        u, role_names = self.u, self._role_names()
        found = {f"chart/{name}": self.count("chart", "slice_name", name) for name in self.charts}
        found.update({
            f"database/lake_{u}": self.count("database", "database_name", f"lake_{u}"),
            f"dataset/ticks_{u}": self.count("dataset", "table_name", f"ticks_{u}"),
            f"dataset/media_{u}": self.count("dataset", "table_name", f"media_{u}"),
            f"dashboard/res-{u}": self.count("dashboard", "slug", f"res-{u}"),
            f"role/Res_{u}": role_names.count(f"Res_{u}"),
            f"rls/rls_{u}": self.count("rowlevelsecurity", "name", f"rls_{u}"),
        })
        return found

    def _role_names(self) -> list[str]:
        rows = self.session().get(f"{self.superset.url}/api/v1/security/roles/",
                                  params={"q": "(page_size:100)"}).json()["result"]
        return [r["name"] for r in rows]

    def all_once(self, context: object = None) -> None:
        counts = self.counts()
        assert counts == dict.fromkeys(counts, 1), (counts, context)

    def never_twice(self, context: object = None) -> None:
        """No object doubled (a race may leave one absent for the next apply)."""
        counts = self.counts()
        assert max(counts.values()) <= 1, (counts, context)

    def converged(self) -> None:
        """A diff finds nothing left to do, and every object is there once."""
        diff = self.cli("diff")
        assert diff.exit_code == 0, diff.output
        self.all_once()


@pytest.fixture
def tree(tmp_path, superset, lakehouse_path, unique) -> Tree:
    return Tree(tmp_path / "assets", superset, lakehouse_path, unique)


@pytest.fixture
def media_view(tree, lakehouse_path, lakehouse_writer):
    """Makes the view the media dataset reads: the fix for its failure."""
    def make() -> None:
        with lakehouse_writer(lakehouse_path) as con:
            con.execute(f"CREATE VIEW media_db.images_{tree.u} AS "
                        "SELECT * FROM media_db.image_metadata")
    return make


def test_failures_stop_their_dependants_all_are_reported_and_a_rerun_converges(tree, media_view):
    u = tree.u
    tree.chart("volume", f"Volume {u}", f"ticks_{u}", "[exchange]", "[total_volume]",
               extra=f"owners: [ghost_{u}]\n")
    failed = tree.cli("apply", "--yes")
    assert failed.exit_code == 1, failed.output
    recap = failed.stderr[failed.stderr.index("error: 2 change(s) failed, 2 skipped"):]
    lines = recap.splitlines()[1:]
    assert [line.split(": ")[0] for line in lines] == [
        f"  ! dataset/media_{u}", f"  ! chart/Volume {u}", f"  ? chart/Images {u}",
        f"  ? dashboard/res-{u}"]
    assert f"images_{u}" in lines[0] and f"ghost_{u}" in lines[1]
    assert lines[3].endswith(f"depends on chart/Volume {u}, chart/Images {u}, which failed")
    assert "Apply: 5 created, 2 failed, 2 skipped" in failed.stdout
    assert tree.count("chart", "slice_name", f"Images {u}") == 0
    assert tree.count("dashboard", "slug", f"res-{u}") == 0

    media_view()  # the causes, fixed
    tree.chart("volume", f"Volume {u}", f"ticks_{u}", "[exchange]", "[total_volume]")
    fixed = tree.cli("apply", "--yes")
    assert fixed.exit_code == 0, fixed.output
    assert "Apply: 4 created, 5 unchanged" in fixed.stdout
    tree.converged()


@pytest.mark.parametrize("concurrency", ["1", "4"])
def test_a_run_killed_after_a_create_landed_is_finished_by_the_next(tree, media_view, concurrency):
    """One request at a time, the kill leaves one chart; side by side, the
    charts in flight with it may have landed too, each once."""
    media_view()
    killed = tree.killed(after_post="chart/", concurrency=concurrency)
    assert killed.returncode == -9, killed.stderr
    last = killed.stderr.splitlines()[-1]  # progress got out, line by line, up to the kill
    assert last.startswith("[3/9] + dataset/"), killed.stderr
    landed = [tree.counts()[f"chart/{name}"] for name in tree.charts]
    assert max(landed) == 1
    assert sum(landed) == 1 if concurrency == "1" else 1 <= sum(landed) <= len(tree.charts)
    assert tree.count("dashboard", "slug", f"res-{tree.u}") == 0

    again = tree.cli("apply")
    assert again.exit_code == 0, again.output
    tree.converged()


def test_a_dashboard_killed_between_its_post_and_its_layout_converges(tree, media_view):
    media_view()
    killed = tree.killed(after_post="dashboard/")
    assert killed.returncode == -9, killed.stderr
    assert tree.count("dashboard", "slug", f"res-{tree.u}") == 1
    again = tree.cli("apply")
    assert again.exit_code == 0, again.output
    assert f"[1/2] ~ dashboard/res-{tree.u}: updated" in again.stderr  # adopted, not re-created
    tree.converged()


def test_a_lost_create_answer_is_looked_up_never_repeated(tree, media_view, monkeypatch):
    media_view()
    real, lost = SupersetClient.post, []

    def post(self: SupersetClient, path: str, json: Any = None, **kwargs: Any) -> Any:
        answer = real(self, path, json, **kwargs)
        if path in ("chart/", "security/roles/") and path not in lost:
            lost.append(path)  # the first of each landed, but its answer never arrived
            raise TransientWriteError("POST", f"/api/v1/{path}", 504,
                                      "Gateway Timeout; it may or may not have been applied")
        return answer

    monkeypatch.setattr(SupersetClient, "post", post)
    result = tree.cli("apply", monkeypatch=monkeypatch)
    assert lost == ["chart/", "security/roles/"]
    # The chart is found by its managed uuid, the role by its name (free when
    # the plan was made): both carry on, and neither POST is sent again.
    assert result.exit_code == 0, result.output
    assert "Apply: 9 created" in result.stdout, result.output
    writes = tree.writes()
    assert writes.count(("POST", "/api/v1/security/roles/")) == 1, writes
    assert writes.count(("POST", "/api/v1/chart/")) == len(tree.charts), writes
    monkeypatch.undo()
    tree.converged()


def test_a_targeted_subset_then_the_whole_tree_converges(tree, media_view):
    media_view()
    u = tree.u
    subset = tree.cli("apply", "--target", "database", "--target", f"dataset/ticks_{u}",
                      "--target", f"chart/Price {u}")
    assert subset.exit_code == 0, subset.output
    assert "Apply: 3 created" in subset.stdout
    rest = tree.cli("apply")
    assert rest.exit_code == 0, rest.output
    assert "Apply: 6 created, 3 unchanged" in rest.stdout
    tree.converged()


def test_one_changed_chart_sends_only_that_charts_write(tree, media_view):
    media_view()
    assert tree.cli("apply").exit_code == 0
    tree.chart("price", f"Price {tree.u}", f"ticks_{tree.u}", "[symbol]", "[avg_price]",
               extra="description: Changed in git.\n")
    diff = tree.cli("diff")
    assert diff.exit_code == 3
    assert diff.stdout.splitlines()[:2] == [f"~ chart/Price {tree.u}",
                                            '    description: (none) -> Changed in git.']
    assert tree.writes() == []
    applied = tree.cli("apply")
    assert applied.exit_code == 0, applied.output
    chart_id = next(r.path for r in tree.clients[-1].requests if r.method == "PUT").split("/")[-1]
    assert tree.writes() == [("PUT", f"/api/v1/chart/{chart_id}")]
    tree.converged()


def test_two_applies_at_once_create_every_object_once_and_converge(tree, media_view, tmp_path):
    media_view()
    first, second = tree.together(tmp_path / "meeting")
    outputs = first.stderr + second.stderr
    assert "Traceback" not in outputs, outputs
    # Whichever run lost a race adopted the object the other made (roles by
    # name), or (RLS rules: no key Superset keeps unique) reported the refusal; none failed
    # with a bare "could not be created" and nothing else.
    assert "created meanwhile by another run, adopted; re-run converges" in outputs, outputs
    assert {first.returncode, second.returncode} <= {0, 1}, outputs
    # Each run may lose a different race (its follow-up request beside the
    # other run's, an RLS rule's name) and report it, on SQLite as on
    # PostgreSQL: what holds is that nothing is doubled and the next apply
    # finishes whatever either run reported.
    tree.never_twice(outputs)
    again = tree.cli("apply", "--yes")
    assert again.exit_code == 0, (again.output, outputs)
    tree.converged()
