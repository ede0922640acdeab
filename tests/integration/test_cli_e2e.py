"""``superset-iac diff`` and ``apply`` end to end: the real command line, a real
Superset, the team's ``assets/`` tree (local environment) on a DuckDB lakehouse.

The commands run through ``superset_iac.cli.main`` with the connection in
environment variables, as CI runs them; the prompt tests run the installed
command in a subprocess on a real pseudo-terminal (and on /dev/null). What
the server received is read from its own access log (gunicorn writes one
line per request into ``superset.log``), so "nothing was sent" and "only
that chart's PUT" are what Superset saw, not what the client believes.

The Superset is this module's own: ``--prune`` without a target would
delete other tests' managed objects on the shared one, and the assets'
fixed names would meet theirs. Tests run in file order on one applied tree.
"""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from superset_iac import workflow
from superset_iac.cli import main
from superset_iac.superset.records import AUTH
from tests.integration import trees
from tests.integration import production_stack
from tests.integration.conftest import SupersetInstance

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
# Not on the dashboard, so it can leave the tree (and be pruned).
EXTRA_CHART = """\
name: Ticks by exchange
dataset: option_ticks
viz_type: pie
params: {metric: tick_count, groupby: [exchange], row_limit: 10}
"""
OBJECTS = 31  # 3 views, 1 database, 4 datasets, 2 annotation layers, 6 charts, 5 roles,
#              1 CSS template, 1 theme, 1 dashboard, 1 group, 1 RLS rule, 1 saved query,
#              3 tags, 1 report
REQUEST = re.compile(r'"(GET|POST|PUT|DELETE|PATCH) (\S+) HTTP/1\.[01]" (\d{3})')
AUTH_PATHS = ("/api/v1/security/login", "/api/v1/security/refresh", "/api/v1/security/csrf_token/")


@pytest.fixture(scope="module")
def server(request, tmp_path_factory) -> Iterator[SupersetInstance]:
    instance = production_stack.instance_for(request, tmp_path_factory, "cli-e2e")
    yield instance
    instance.stop()


@pytest.fixture(scope="module")
def environ(server, tmp_path_factory) -> dict[str, str]:
    return {**trees.own_lakehouse_env(server, tmp_path_factory, "cli-e2e"),
            "SUPERSET_ACCESS_TOKEN": "", "SUPERSET_IAC_ENV": "local", "NO_COLOR": "1"}


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    return trees.assets_copy(tmp_path_factory, "cli-e2e",
                             {"charts/ticks_by_exchange.yaml": EXTRA_CHART})


class AccessLog:
    """The requests Superset logged since ``mark()``: (method, path, status)."""

    def __init__(self, server: SupersetInstance) -> None:
        self.path = server.log_path
        self.mark()

    def mark(self) -> None:
        # A request made just before (an edit by hand) must not be counted as
        # one made after: let its line land first.
        self.offset = self._settled_size()

    def _settled_size(self) -> int:
        """The log's size once it has stopped growing.

        gunicorn writes a request's line after the response is sent, so the
        client can be done before the line exists; wait a moment, then until
        two reads in a row agree.
        """
        time.sleep(0.3)
        size, deadline = -1, time.monotonic() + 3
        while size != self.path.stat().st_size and time.monotonic() < deadline:
            size = self.path.stat().st_size
            time.sleep(0.3)
        return size

    def since(self) -> list[tuple[str, str, int]]:
        self._settled_size()
        with self.path.open("rb") as log:
            log.seek(self.offset)
            text = log.read().decode("utf-8", "replace")
        return [(m[1], m[2].split("?")[0], int(m[3])) for m in REQUEST.finditer(text)]

    def writes(self) -> list[tuple[str, str]]:
        return [(method, path) for method, path, _ in self.since()
                if method != "GET" and path not in AUTH_PATHS]


class Api(trees.Api):
    """Edits by hand, as someone in the UI would make them, and what the server holds."""

    def chart_id(self, name: str) -> int:
        return self.find("chart", "slice_name", name)["id"]

    def describe_chart(self, name: str, text: str) -> int:
        chart = self.chart_id(name)
        self.put(f"chart/{chart}", {"description": text})
        return chart

    def total(self, path: str) -> int:
        return self.call("GET", path, q="(page_size:1)")["count"]

    def count(self, resource: str, field: str, value: str) -> int:
        return sum(1 for r in self.get(f"{resource}/")["result"] if r[field] == value)


def cli(environ: dict[str, str], *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=environ, input=input)


# A tree's warnings (none in the team's own) are printed on stderr before
# anything else by diff and apply.
WARNING = re.compile(r"^\S+:\d+:\d+: [A-Z]\d{3} warning: ")


def progress(stderr: str) -> list[str]:
    """The lines of ``stderr`` after the tree's warnings."""
    return [line for line in stderr.splitlines() if not WARNING.match(line)]


def assert_one_line_error(result: Result, code: int) -> str:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output and result.stdout == ""
    (line,) = [line for line in progress(result.stderr) if line.strip()]
    assert line.startswith("error: ")
    return line


@pytest.fixture(scope="module")
def applied(server, environ, tree) -> Result:
    log = AccessLog(server)
    result = cli(environ, "apply", "--assets", str(tree), "--yes")
    assert result.exit_code == 0, result.output
    result.writes = log.writes()  # type: ignore[attr-defined]
    return result


@pytest.fixture
def api(server) -> Api:
    return Api(server)


def test_apply_creates_the_tree_with_progress_and_a_summary(applied, api):
    out, err = applied.stdout.splitlines(), progress(applied.stderr)
    assert "Plan: 30 to create, 0 to update, 0 to delete, 1 unchanged." in out
    assert re.fullmatch(r"Apply: 30 created, 1 unchanged \(\d+\.\ds\)\.", out[-1])
    assert err[0] == "Applying 30 changes."
    assert [line.split("] ", 1)[1].split(": ")[0] for line in err[1:]][:2] == [
        "+ view/hive_prod.logs_db.v_app_logs", "+ view/hive_prod.option_ticks_db.mv_daily_stats"]
    assert len(err) == 31 and all(": created (" in line for line in err[1:])
    assert api.count("chart", "slice_name", "Volume by symbol") == 1
    assert api.count("dashboard", "slug", "lakehouse-analytics") == 1
    assert ("POST", "/api/v1/chart/") in applied.writes


def test_second_diff_and_apply_change_nothing_and_send_no_write(applied, server, environ, tree):
    log = AccessLog(server)
    diff = cli(environ, "diff", "--assets", str(tree))
    assert diff.exit_code == 0, diff.output
    assert diff.stdout == f"No changes. {OBJECTS} objects up to date.\n"
    again = cli(environ, "apply", "--assets", str(tree), "--yes")
    assert again.exit_code == 0 and again.stdout == diff.stdout and progress(again.stderr) == []
    assert log.writes() == []


def test_a_diff_sends_the_documented_requests(applied, environ, tree, monkeypatch):
    """benchmarks/README.md: without --prune, one filtered list per kind (the
    tree's managed uuids: all found), plus a detail read per database, dashboard
    and report of the tree, and for datasets one export bundle of the three
    virtual ones and a detail of the physical one; roles, themes, the catalogue and the reports'
    list are read whole; the views are read from the warehouse; groups are one
    list; the tags' membership is one read."""
    sent = _diff_requests(environ, tree, monkeypatch)
    # annotation layers: one list by name, then per layer its annotations' list
    # and a detail per annotation (json_metadata is not in the list): 1 + 2 + (4 + 1)
    assert sent == {"database": 1 + 1, "dataset": 1 + 1 + 1, "annotation_layer": 1 + 2 + 5,
                    "chart": 1, "role": 1, "catalogue": 3, "css_template": 1, "theme": 1,
                    "dashboard": 1 + 1, "group": 1, "rls": 1, "saved_query": 1, "tag": 1 + 1,
                    "report": 1 + 1}
    assert sum(sent.values()) == 29  # on this Superset 6.1.0: 3 catalogue pages


def test_a_diff_costs_the_same_requests_on_a_server_holding_much_more(
        applied, environ, tree, api, monkeypatch):
    """More than a list page of charts and dashboards made in the UI: the tree's
    diff reads none of them (its lists are filtered by uuid)."""
    before = _diff_requests(environ, tree, monkeypatch)
    dataset = api.first("chart/", "(columns:!(datasource_id),page_size:1)")["datasource_id"]
    charts = [api.post("chart/", {"slice_name": f"Someone else's chart {i}", "viz_type": "table",
                                  "datasource_id": dataset, "datasource_type": "table"})
              for i in range(120)]
    dashboards = [api.post("dashboard/", {"dashboard_title": f"Someone else's board {i}"})
                  for i in range(120)]
    try:
        assert api.total("chart/") > 100 and api.total("dashboard/") > 100
        assert _diff_requests(environ, tree, monkeypatch) == before
    finally:
        api.call("DELETE", "chart/", q=f"!({','.join(map(str, charts))})")
        api.call("DELETE", "dashboard/", q=f"!({','.join(map(str, dashboards))})")


def test_a_diff_sends_the_same_requests_one_at_a_time_and_side_by_side(
        applied, environ, tree, monkeypatch):
    """--concurrency changes when requests are sent, not which: the same ones
    as one after another, logged in the same order on every run."""
    side_by_side = _diff_log(environ, tree, monkeypatch, "--concurrency", "4")
    assert _diff_log(environ, tree, monkeypatch, "--concurrency", "4") == side_by_side
    assert sorted(_diff_log(environ, tree, monkeypatch, "--concurrency", "1")) == \
        sorted(side_by_side)


def _diff_requests(environ: dict[str, str], tree: Path, monkeypatch) -> Counter[str]:
    """A no-change diff's requests by kind (no write, no login or CSRF fetch)."""
    return Counter(_kind(path) for _, path in _diff_log(environ, tree, monkeypatch))


def _diff_log(environ: dict[str, str], tree: Path, monkeypatch,
              *options: str) -> list[tuple[str, str]]:
    """A no-change diff's requests in the order logged (no write, no login or CSRF fetch)."""
    made, real = [], workflow.connect

    def connect(env, given):  # keep the command's client, to read its request log
        made.append(real(env, given))
        return made[-1]

    monkeypatch.setattr(workflow, "connect", connect)
    result = cli(environ, "diff", "--assets", str(tree), *options)
    monkeypatch.setattr(workflow, "connect", real)
    assert result.exit_code == 0, result.output
    (client,) = made
    assert client.count(("POST", "PUT", "PATCH", "DELETE")) == 0
    return [(r.method, r.path) for r in client.requests if r.kind != AUTH]


def _kind(path: str) -> str:
    for prefix, kind in [("database/", "database"), ("dataset/", "dataset"), ("chart/", "chart"),
                         ("dashboard/", "dashboard"), ("security/roles", "role"),
                         ("security/permissions-resources", "catalogue"),
                         ("security/groups", "group"), ("rowlevelsecurity", "rls"),
                         ("saved_query/", "saved_query"), ("tag/", "tag"),
                         ("annotation_layer", "annotation_layer"), ("css_template", "css_template"),
                         ("report/", "report"), ("theme/", "theme")]:
        if path.startswith(f"/api/v1/{prefix}"):
            return kind
    return path


def test_a_hand_edit_is_exit_3_showing_that_field_and_json_says_the_same(
        applied, server, environ, tree, api):
    chart = api.describe_chart("Volume by symbol", "Edited in the UI")
    text = cli(environ, "diff", "--assets", str(tree))
    assert text.exit_code == 3
    assert text.stdout.splitlines() == [
        "~ chart/Volume by symbol",
        '    description: Edited in the UI -> Total traded volume per symbol.',
        f"Plan: 0 to create, 1 to update, 0 to delete, {OBJECTS - 1} unchanged."]
    as_json = cli(environ, "diff", "--assets", str(tree), "--format", "json")
    assert as_json.exit_code == 3
    data = json.loads(as_json.stdout)
    assert data["changes"] == [{"action": "update", "kind": "chart", "key": "Volume by symbol",
                                "fields": [{"path": "description", "before": "Edited in the UI",
                                            "after": "Total traded volume per symbol."}]}]
    assert data["summary"] == {"create": 0, "update": 1, "delete": 0, "unchanged": OBJECTS - 1}

    log = AccessLog(server)
    restored = cli(environ, "apply", "--assets", str(tree), "--yes")
    assert restored.exit_code == 0, restored.output
    assert log.writes() == [("PUT", f"/api/v1/chart/{chart}")]  # that chart's write alone
    assert cli(environ, "diff", "--assets", str(tree)).exit_code == 0


def test_target_limits_diff_and_apply_to_that_chart(applied, server, environ, tree, api):
    price = api.describe_chart("Option price over time", "Edited A")
    api.describe_chart("Daily statistics", "Edited B")
    only = cli(environ, "diff", "--assets", str(tree), "--target", "chart/Option price over time")
    assert only.exit_code == 3
    assert only.stdout.splitlines()[0] == "~ chart/Option price over time"
    assert "Daily statistics" not in only.stdout and "Plan: 0 to create, 1 to update" in only.stdout

    log = AccessLog(server)
    applied_one = cli(environ, "apply", "--assets", str(tree), "--yes",
                      "--target", "chart/Option price over time")
    assert applied_one.exit_code == 0, applied_one.output
    assert log.writes() == [("PUT", f"/api/v1/chart/{price}")]
    rest = cli(environ, "diff", "--assets", str(tree))
    assert rest.exit_code == 3 and rest.stdout.splitlines()[0] == "~ chart/Daily statistics"
    assert "Plan: 0 to create, 1 to update" in rest.stdout
    assert cli(environ, "apply", "--assets", str(tree), "--yes").exit_code == 0
    typo = cli(environ, "diff", "--assets", str(tree), "--target", "chart/Daily statistic")
    assert "did you mean chart/Daily statistics?" in assert_one_line_error(typo, 2)


def test_prune_deletes_the_managed_chart_gone_from_the_tree_never_a_hand_made_one(
        applied, server, environ, tree, api, tmp_path):
    volume_stats = api.find("dataset", "table_name", "volume_stats")["id"]
    api.post("chart/", {"slice_name": "Made by hand", "viz_type": "table", "params": "{}",
                        "datasource_id": volume_stats, "datasource_type": "table"})
    smaller = tmp_path / "assets"
    shutil.copytree(tree, smaller)
    (smaller / "charts" / "ticks_by_exchange.yaml").unlink()
    extra = api.chart_id("Ticks by exchange")

    assert cli(environ, "diff", "--assets", str(smaller)).exit_code == 0  # no --prune: kept
    shown = cli(environ, "diff", "--assets", str(smaller), "--prune")
    assert shown.exit_code == 3
    assert shown.stdout.splitlines() == [
        "- chart/Ticks by exchange", f"Plan: 0 to create, 0 to update, 1 to delete, {OBJECTS - 1} unchanged."]
    log = AccessLog(server)
    pruned = cli(environ, "apply", "--assets", str(smaller), "--yes", "--prune")
    assert pruned.exit_code == 0, pruned.output
    assert log.writes() == [("DELETE", f"/api/v1/chart/{extra}")]
    assert api.count("chart", "slice_name", "Ticks by exchange") == 0
    assert api.count("chart", "slice_name", "Made by hand") == 1
    assert cli(environ, "diff", "--assets", str(smaller), "--prune").exit_code == 0
    assert cli(environ, "apply", "--assets", str(tree), "--yes").exit_code == 0  # put it back


def test_wrong_password_is_exit_2_in_one_line(applied, environ, tree):
    result = cli({**environ, "SUPERSET_PASSWORD": "not-the-password"}, "diff", "--assets", str(tree))
    line = assert_one_line_error(result, 2)
    assert line.startswith("error: POST /api/v1/security/login → 401:")
    assert "not-the-password" not in result.output


def test_unreachable_superset_is_exit_2_in_one_line(applied, environ, tree):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = cli({**environ, "SUPERSET_URL": f"http://127.0.0.1:{port}"}, "apply",
                 "--assets", str(tree), "--yes")
    line = assert_one_line_error(result, 2)
    assert "no response" in line and f"127.0.0.1:{port}" in line


def test_invalid_assets_are_exit_1_with_positions_and_nothing_reaches_the_server(
        applied, server, environ, tree, tmp_path):
    broken = tmp_path / "assets"
    shutil.copytree(tree, broken)
    dashboard = broken / "dashboards" / "lakehouse_analytics.yaml"
    dashboard.write_text(dashboard.read_text().replace("chart: Volume by symbol", "chart: Volume"))
    log = AccessLog(server)
    result = cli(environ, "apply", "--assets", str(broken), "--yes")
    assert result.exit_code == 1
    assert re.search(rf"^{re.escape(str(dashboard))}:\d+:\d+: R\d{{3}} ", result.stderr, re.MULTILINE)
    # The layout's reference, and the two native filters whose scope names the chart.
    errors = [line for line in result.stderr.splitlines() if re.search(r":\d+:\d+: [A-Z]\d{3} ", line)
              and " warning: " not in line]
    assert len(errors) == 3, result.stderr
    assert result.stderr.strip().endswith("error: 3 problem(s) in the assets; nothing was changed")
    assert log.since() == []  # not even a login


def _installed(environ: dict[str, str], tree: Path, stdin: int, answer: bytes = b"",
               master: int | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, **environ}
    proc = subprocess.Popen([sys.executable, "-m", "superset_iac", "apply", "--assets", str(tree)],
                            stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    if master is not None:
        os.write(master, answer)  # the terminal holds the line until the prompt reads it
    out, err = proc.communicate(timeout=300)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out.decode(), err.decode())


def test_on_a_terminal_apply_asks_and_no_changes_nothing(applied, server, environ, tree, api):
    api.describe_chart("Log events by service", "Edited by hand")
    master, slave = pty.openpty()
    log = AccessLog(server)
    try:
        declined = _installed(environ, tree, slave, b"n\n", master)
    finally:
        os.close(slave)
        os.close(master)
    assert declined.returncode == 1, declined.stderr
    assert "Apply these changes? [y/N]" in declined.stderr
    assert "error: apply cancelled: nothing was changed" in declined.stderr
    assert "~ chart/Log events by service" in declined.stdout
    assert log.writes() == []
    assert cli(environ, "diff", "--assets", str(tree)).exit_code == 3  # still drifted


def test_without_a_terminal_apply_does_not_ask(applied, server, environ, tree, api):
    """CI: stdin is not a terminal; apply proceeds without --yes (as the README says)."""
    chart = api.describe_chart("Log events by service", "Edited by hand again")
    log = AccessLog(server)
    result = _installed(environ, tree, subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    assert "Apply these changes?" not in result.stdout + result.stderr
    assert progress(result.stderr)[1].startswith("[1/1] ~ chart/Log events by service: updated")
    assert log.writes() == [("PUT", f"/api/v1/chart/{chart}")]
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert "asks for confirmation on a terminal unless `--yes`" in readme
    assert "without a terminal (CI) it does not ask" in readme
