"""Saved plans against a real Superset 6.1: ``diff --out`` then ``apply PLAN``.

A tree of its own (unique names on the session's Superset): a DuckDB
database, a dataset and a chart, applied first. Then the chart changes in
the tree and the plan is saved; the same chart is edited by hand through the
REST API, as in the UI, and ``apply plan.json`` must refuse (exit 4) naming
it, with nothing written. A plan saved after that edit applies, and ``diff``
is then empty.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from tests.integration.trees import ENV_FILE, Api, cli

pytestmark = pytest.mark.integration


def _write(root: Path, files: dict[str, str]) -> None:
    for relpath, text in files.items():
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_text(text)


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, str]:
    u = uuid.uuid4().hex[:8]
    root = tmp_path / "assets"
    _write(root, {
        "environments/local.yaml": ENV_FILE.format(name="local"),
        "databases/lake.yaml": f"name: lake_sp_{u}\nuri: duckdb:///${{LAKEHOUSE_PATH}}\n",
        "datasets/ticks.yaml": (f"name: ticks_sp_{u}\ndatabase: lake_sp_{u}\n"
                                "schema: option_ticks_db\n"
                                "sql: SELECT symbol, volume FROM option_ticks_db.bronze_option_ticks\n"
                                "metrics:\n  - name: total_volume\n    expression: SUM(volume)\n"),
        "charts/volume.yaml": chart(u, 10),
    })
    return root, u


def chart(u: str, row_limit: int) -> str:
    return (f"name: Volume sp {u}\ndataset: ticks_sp_{u}\nviz_type: table\n"
            f"params: {{query_mode: aggregate, groupby: [symbol], metrics: [total_volume], "
            f"row_limit: {row_limit}}}\n")


def test_a_saved_plan_is_refused_after_a_hand_edit_and_applies_when_unchanged(
        superset, lakehouse_path, tree, tmp_path) -> None:
    root, u = tree
    env = {**superset.env(lakehouse_path), "SUPERSET_IAC_AUDIT_LOG": str(tmp_path / "audit")}
    plan = tmp_path / "plan.json"

    def run(*args: object):
        return cli(*args, env=env)

    first = run("apply", "--assets", root, "--env", "local", "--yes")
    assert first.exit_code == 0, first.output[-2000:]
    (root / "charts" / "volume.yaml").write_text(chart(u, 25))
    saved = run("diff", "--assets", root, "--env", "local", "--out", plan)
    assert saved.exit_code == 3, saved.output[-2000:]
    data = json.loads(plan.read_text())
    assert [(c["kind"], c["key"]) for c in data["changes"]] == [("chart", f"Volume sp {u}")]
    assert data["origin"]["superset_url"] == superset.url
    assert superset.password not in plan.read_text()

    api = Api(superset)
    row = api.find("chart", "slice_name", f"Volume sp {u}")
    detail = api.call("GET", f"chart/{row['id']}")["result"]
    params = {**json.loads(detail["params"]), "row_limit": 500}
    api.put(f"chart/{row['id']}", {"params": json.dumps(params)})  # by hand, as in the UI

    refused = run("apply", plan, "--yes")
    assert refused.exit_code == 4, refused.output[-2000:]
    assert f"  - chart/Volume sp {u} changed on the server since the plan was made" \
        in refused.stderr
    after = json.loads(api.call("GET", f"chart/{row['id']}")["result"]["params"])
    assert after["row_limit"] == 500  # nothing was written

    again = run("diff", "--assets", root, "--env", "local", "--out", plan)
    assert again.exit_code == 3 and "500 -> 25" in again.stdout, again.output[-2000:]
    applied = run("apply", plan)
    assert applied.exit_code == 0, applied.output[-2000:]
    assert "Apply: 1 updated" in applied.stdout
    empty = run("diff", "--assets", root, "--env", "local")
    assert empty.exit_code == 0, empty.output[-2000:]
    assert empty.stdout.startswith("No changes.")


# The secrets module's world: its own Admin, database password, masking salt and
# service-account password, all distinctive, and every text the commands produced.
from tests.integration.test_secrets import world  # noqa: F401


def test_no_secret_in_a_saved_plan_or_a_markdown_comment(world, tmp_path) -> None:
    plans = [tmp_path / "create.json", tmp_path / "rotate.json"]
    args = ("--assets", world.tree, "--env", "secrets")
    created = world.run("diff --out", "diff", *args, "--out", plans[0])
    assert created.exit_code == 3, created.output[-2000:]
    comment = world.run("diff markdown", "diff", *args, "--format", "markdown", "--impact")
    assert comment.exit_code == 3 and "(sensitive)" in comment.stdout
    applied = world.run("apply plan markdown", "apply", plans[0], "--format", "markdown")
    assert applied.exit_code == 0, applied.output[-2000:]
    assert applied.stdout.startswith("<!-- superset-iac:apply env=secrets -->")
    rotate = world.run("diff --rotate --out", "diff", *args, "--rotate-passwords",
                       "--out", plans[1])
    assert rotate.exit_code == 3 and "uri.password" in rotate.stdout
    again = world.run("apply rotation plan", "apply", plans[1])
    assert again.exit_code == 0, again.output[-2000:]
    texts = [(f"plan file {p.name}", p.read_text()) for p in plans]
    assert '"sensitive": true' in texts[1][1]
    world.outputs += texts
    world.assert_clean("diff --out", "diff markdown", "apply plan markdown",
                       "diff --rotate --out", "apply rotation plan", *(t for t, _ in texts))
