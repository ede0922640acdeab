"""``--format markdown``: golden files for a plan and an apply summary.

The plans are built by hand (pure, no server). To refresh a golden file
after an intended layout change: ``SUPERSET_IAC_GOLDEN=write pytest`` this
file, and review the diff of tests/fixtures/markdown/ like any other change.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from superset_iac.model import Chart, Database, Dataset, View
from superset_iac.plan.diff import plan
from superset_iac.plan.markdown import (
    code,
    fenced,
    render_apply_markdown,
    render_markdown,
)
from superset_iac.plan.model import LiveObject
from superset_iac.warehouse.canonical import Target

GOLDEN = Path(__file__).resolve().parents[2] / "fixtures" / "markdown"
SECRET = "Sx-markdown-salt-77a9d0"


def _live(spec, managed: bool = True) -> LiveObject:
    return LiveObject(spec=spec, id=1, managed=managed)


def _dataset(sql: str) -> Dataset:
    return Dataset.model_validate({"name": "ticks", "database": "lake", "schema": "s",
                                   "sql": sql, "description": "Ticks | per symbol"})


def _view(salt: str) -> View:
    view = View.model_validate({"name": "hive.s.v_ticks", "source": "hive.s.ticks",
                                "columns": [{"name": "symbol"},
                                            {"name": "trader_id", "mask": "hash"}]})
    return view.for_target(Target(salt=salt))


def sample():
    old_sql = "SELECT symbol, volume\nFROM s.ticks\nWHERE volume > 0\n"
    new_sql = "SELECT symbol, volume, exchange\nFROM s.ticks\nWHERE volume > 0\n"
    desired = {
        "view": {"hive.s.v_ticks": _view(SECRET)},
        "database": {"lake": Database(name="lake", uri="postgresql://bi:pw@db:5432/lake",
                                      cache_timeout=600)},
        "dataset": {"ticks": _dataset(new_sql)},
        "chart": {"Price <by> `symbol` | day": Chart(
            name="Price <by> `symbol` | day", dataset="ticks", viz_type="table",
            params={"row_limit": 10, "groupby": ["symbol"]})},
    }
    live = {
        "view": {"hive.s.v_ticks": _live(_view("an older salt"))},
        "dataset": {"ticks": _live(_dataset(old_sql))},
        "chart": {"Old chart": _live(Chart(name="Old chart", dataset="ticks", viz_type="pie"))},
    }
    return plan(desired, live, prune=True)


def check(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("SUPERSET_IAC_GOLDEN") == "write":
        path.write_text(text)
    assert text == path.read_text()


def test_a_plan_renders_as_the_golden_comment() -> None:
    text = render_markdown(sample(), "prod")
    check("plan.md", text)
    assert text.splitlines()[0] == "<!-- superset-iac:plan env=prod -->"
    assert SECRET not in text and "(sensitive)" in text


def test_an_apply_summary_renders_as_the_golden_comment() -> None:
    result = sample()
    events = [{"ref": c.ref, "action": c.action.value, "outcome": outcome, "message": message,
               "seconds": 0.25}
              for c, (outcome, message) in zip(result.changes, [
                  ("updated", ""), ("created", ""), ("failed", ("PUT /api/v1/dataset/1 → 422: "
                                                    "column | exchange does not exist")),
                  ("skipped", "depends on dataset/ticks, which failed"), ("deleted", "")])]
    counts = {"created": 1, "updated": 1, "deleted": 1, "failed": 1, "skipped": 1, "unchanged": 0}
    text = render_apply_markdown(result, events, counts, "prod")
    check("apply.md", text)
    assert text.splitlines()[0] == "<!-- superset-iac:apply env=prod -->"


def test_no_changes_is_the_summary_alone() -> None:
    assert render_markdown(plan({}, {}), None).splitlines() == [
        "<!-- superset-iac:plan env=- -->", "### superset-iac plan", "",
        "**No changes. 0 objects up to date.**"]


@pytest.mark.parametrize("text, cell", [
    ("a|b", "<code>a&#124;b</code>"),
    ("<script>", "<code>&lt;script&gt;</code>"),
    ("x & y", "<code>x &amp; y</code>"),
])
def test_cells_cannot_break_a_table_or_open_a_tag(text: str, cell: str) -> None:
    assert code(text) == cell


def test_a_fence_is_longer_than_any_backticks_inside() -> None:
    assert fenced(["a ```` b"], "diff") == ["`````diff", "a ```` b", "`````"]
    assert fenced(["plain"], "yaml") == ["```yaml", "plain", "```"]


def test_a_plan_too_long_for_a_comment_keeps_its_tables_and_says_so(monkeypatch) -> None:
    from superset_iac.plan import markdown

    full = render_markdown(sample(), "prod")
    monkeypatch.setattr(markdown, "COMMENT_LIMIT", len(full) - 1)
    short = render_markdown(sample(), "prod", {"chart/Old chart": []})
    assert "<details>" not in short and len(short) < len(full)
    assert "| - | <code>Old chart</code> | delete |  |" in short
    assert "_Field-level details left out: with them this comment would be " in short
    assert short.rstrip().endswith("| <code>chart/Old chart</code> | nothing |")
