"""``superset-iac export`` through click's runner, with a fake server.

The handlers are replaced by fakes that return hand-built live objects, and
``workflow.connect`` by a fake client: what is tested is the command's
options, its files, its output and its exit codes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from superset_iac import workflow
from superset_iac.cli import main
from superset_iac.export import run
from superset_iac.kinds.base import Context, Handler
from superset_iac.model import Tag
from superset_iac.plan.model import LiveObject
from tests.unit.export.conftest import chart, dashboard, database, dataset, live_state


class FakeHandler(Handler):
    def __init__(self, kind: str, objects: dict[str, LiveObject]) -> None:
        self._kind = kind
        self.objects = objects
        self.reads = 0

    @property
    def kind(self) -> str:  # type: ignore[override]
        return self._kind

    def read(self, ctx: Context) -> dict[str, LiveObject]:
        self.reads += 1
        return dict(self.objects)

    def create(self, ctx: Context, spec: Any) -> Any:
        raise AssertionError("export never writes to Superset")

    update = delete = create  # type: ignore[assignment]


class FakeClient:
    def count(self, *args: Any, **kwargs: Any) -> int:
        return 7


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> dict[str, FakeHandler]:
    state = live_state(
        database(), dataset(), chart(), chart("Volume"),
        dashboard(charts=("Price", "Volume")), dashboard("Other", "other", charts=("Price",)),
        Tag.model_validate({"name": "gold", "dashboards": ["other"]}))
    order = ("database", "dataset", "annotation_layer", "chart", "role", "css_template", "theme",
             "dashboard", "embedded", "group", "rls", "saved_query", "tag", "report")
    fakes = {kind: FakeHandler(kind, state.get(kind, {})) for kind in order}
    monkeypatch.setattr(run, "handlers", lambda: list(fakes.values()))
    seen: dict[str, Any] = {}
    monkeypatch.setattr(FakeClient, "seen", seen, raising=False)

    def connect(env: Any, given: workflow.Connection) -> FakeClient:
        seen["env"], seen["given"] = env, given
        return FakeClient()

    monkeypatch.setattr(workflow, "connect", connect)
    return fakes


def invoke(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, ["export", *args], env=env or {})


def test_export_a_dashboard_by_slug_writes_it_and_what_it_uses(tmp_path: Path, server) -> None:
    root = tmp_path / "assets"
    result = invoke("--assets", str(root), "--dashboard", "market", "--url", "http://ss")
    assert result.exit_code == 0, result.output
    written = sorted(str(p.relative_to(root)) for p in root.rglob("*.yaml"))
    assert written == ["charts/price.yaml", "charts/volume.yaml", "dashboards/market.yaml",
                       "databases/lakehouse.yaml", "datasets/lakehouse/ticks.yaml"]
    assert f"+ {root}/dashboards/market.yaml  (dashboard/market)" in result.output
    assert "Export: 5 objects; 5 files created, 0 changed, 0 unchanged." in result.output
    assert ("Set LAKEHOUSE_PASSWORD before diff/apply (used by database/lakehouse)."
            in result.output)
    assert FakeClient.seen["given"].url == "http://ss"


def test_a_second_run_reports_everything_unchanged(tmp_path: Path, server) -> None:
    root = tmp_path / "assets"
    invoke("--assets", str(root), "--dashboard", "Market")
    result = invoke("--assets", str(root), "--dashboard", "Market",
                    env={"LAKEHOUSE_PASSWORD": "XXXXXXXXXX"})
    assert result.exit_code == 0, result.output
    assert "Export: 5 objects; 0 files created, 0 changed, 5 unchanged." in result.output
    assert "note:" not in result.output
    assert "Set LAKEHOUSE_PASSWORD" not in result.output  # it is set: no false warning


def test_json_output_lists_files_variables_and_requests(tmp_path: Path, server) -> None:
    root = tmp_path / "assets"
    result = invoke("--assets", str(root), "--all", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["summary"] == {"created": 7, "changed": 0, "unchanged": 0, "objects": 7}
    assert data["variables"] == {"LAKEHOUSE_PASSWORD": ["database/lakehouse"]}
    assert data["requests"] == 7
    assert {f["action"] for f in data["files"]} == {"created"}
    assert data["missing"] == [] and data["unavailable"] == []


def test_a_changed_object_is_reported_with_the_note_about_comments(tmp_path: Path, server) -> None:
    root = tmp_path / "assets"
    invoke("--assets", str(root), "--dashboard", "market")
    path = root / "charts" / "volume.yaml"
    path.write_text("# hand comment\n" + path.read_text().replace("table", "pie"))
    result = invoke("--assets", str(root), "--dashboard", "market")
    assert f"~ {path}  (chart/Volume)" in result.output
    assert "comments inside them are not kept" in result.output
    assert path.read_text() == "# hand comment\nname: Volume\ndataset: ticks\nviz_type: table\n"


def test_export_by_tag_writes_the_tag_and_what_it_tags(tmp_path: Path, server) -> None:
    root = tmp_path / "assets"
    result = invoke("--assets", str(root), "--tag", "gold")
    assert result.exit_code == 0, result.output
    written = sorted(str(p.relative_to(root)) for p in root.rglob("*.yaml"))
    assert written == ["charts/price.yaml", "dashboards/other.yaml", "databases/lakehouse.yaml",
                       "datasets/lakehouse/ticks.yaml", "tags/gold.yaml"]
    assert (root / "tags" / "gold.yaml").read_text() == "name: gold\ndashboards: [other]\n"
    unknown = invoke("--assets", str(root), "--tag", "glod")
    assert unknown.exit_code == 2
    assert "no custom tag named 'glod'; did you mean 'gold'?" in unknown.output


def test_nothing_selected_is_a_usage_error(tmp_path: Path, server) -> None:
    result = invoke("--assets", str(tmp_path))
    assert result.exit_code == 2
    assert "say what to export" in result.output


def test_an_unknown_dashboard_is_a_usage_error_and_writes_nothing(tmp_path: Path, server) -> None:
    root = tmp_path / "assets"
    result = invoke("--assets", str(root), "--dashboard", "nope")
    assert result.exit_code == 2
    assert "error: no dashboard with id, slug or title 'nope'" in result.output
    assert not root.exists()


def test_a_broken_existing_file_stops_the_export(tmp_path: Path, server) -> None:
    root = tmp_path / "assets"
    (root / "charts").mkdir(parents=True)
    (root / "charts" / "bad.yaml").write_text("name: [unclosed\n")
    result = invoke("--assets", str(root), "--dashboard", "market")
    assert result.exit_code == 1
    assert "Y001" in result.output and "nothing was exported" in result.output
    assert sorted(p.name for p in root.rglob("*.yaml")) == ["bad.yaml"]


def test_an_unknown_environment_is_a_usage_error(tmp_path: Path, server) -> None:
    result = invoke("--assets", str(tmp_path), "--env", "prod", "--all")
    assert result.exit_code == 2
    assert "unknown environment 'prod'" in result.output


def test_the_environment_file_gives_the_connection(tmp_path: Path, server) -> None:
    root = tmp_path / "assets"
    (root / "environments").mkdir(parents=True)
    (root / "environments" / "local.yaml").write_text(
        "name: local\nsuperset:\n  url: ${SS_URL}\n  username: admin\n  password: ${SS_PW}\n")
    result = invoke("--assets", str(root), "--env", "local", "--dashboard", "other",
                    env={"SS_URL": "http://here", "SS_PW": "pw"})
    assert result.exit_code == 0, result.output
    env = FakeClient.seen["env"]
    assert env.superset.url == "http://here"
    assert "pw" not in result.output


def test_a_kind_this_build_cannot_read_is_named(tmp_path: Path, server, monkeypatch) -> None:
    monkeypatch.setattr(run, "handlers", lambda: [server["database"], server["dataset"],
                                                  server["chart"], server["dashboard"]])
    result = invoke("--assets", str(tmp_path / "a"), "--all")
    assert result.exit_code == 0, result.output
    assert "warning: this build cannot read role objects; none were exported" in result.output


def test_a_tree_with_environments_needs_env(tmp_path: Path, server) -> None:
    root = tmp_path / "assets"
    (root / "environments").mkdir(parents=True)
    (root / "environments" / "prod.yaml").write_text("name: prod\nsuperset:\n  url: http://x\n")
    result = invoke("--assets", str(root), "--all", "--url", "http://x")
    assert result.exit_code == 2
    assert "defines environments (prod): say which one this Superset is with --env" in result.output


def test_an_undeclared_uri_variable_is_named_with_where_to_declare_it() -> None:
    from superset_iac.cli.export_cmd import render
    from superset_iac.export.writer import ExportReport
    from superset_iac.model.environment import Environment

    report = ExportReport()
    report.variables = {"LAKEHOUSE_PASSWORD": ["database/lakehouse"],
                        "LAKEHOUSE_PATH": ["database/lakehouse"]}
    env = Environment.model_validate({"name": "local", "superset": {"url": "http://x"},
                                      "path_variables": ["LAKEHOUSE_PATH"]})
    text = render(report, {"LAKEHOUSE_PATH": "/l.duckdb"}, env)
    assert ("Declare LAKEHOUSE_PASSWORD under secrets: in environments/local.yaml "
            "(used by database/lakehouse).") in text
    assert "Set LAKEHOUSE_PASSWORD before diff/apply" in text
    assert "LAKEHOUSE_PATH" not in text  # declared and set: nothing to say
