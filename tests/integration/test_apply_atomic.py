"""A dataset change that fails never leaves a half-changed dataset (real Superset 6.1).

A new SQL the database refuses fails before any write, with the database's
own message on one line; a failure injected after the first write (the
refresh, the converging PUT) is undone by one PUT that restores the dataset
exactly as it was read, checked here against what the server then holds.
"""

from __future__ import annotations

from typing import Any

import pytest

from superset_iac.apply.engine import Outcome, apply_plan
from superset_iac.kinds.registry import HANDLERS
from superset_iac.superset.errors import ApiError
from tests.integration.test_apply_datasets import Tree, tree  # noqa: F401 (the fixture)
from tests.integration.trees import fields

pytestmark = pytest.mark.integration

NEW_SQL = """\
sql: |
  SELECT "timestamp", symbol, exchange, last_price, volume, trader_id
  FROM option_ticks_db.bronze_option_ticks"""
BAD_SQL = """\
sql: |
  SELECT "timestamp", symbol, exchange, last_price, volume, no_such_column
  FROM option_ticks_db.bronze_option_ticks"""


def stored(tree: Tree) -> dict[str, Any]:
    """What the server holds for the virtual dataset: SQL, columns, metrics."""
    dataset_id = tree.ctx.ids.id("dataset", tree.virtual)
    row = tree.api().get(tree.url(f"dataset/{dataset_id}")).json()["result"]
    return {"sql": row["sql"], "main_dttm_col": row["main_dttm_col"],
            "columns": sorted((c["column_name"], c["type"], c["expression"], c["verbose_name"],
                               c["is_dttm"]) for c in row["columns"]),
            "metrics": sorted((m["metric_name"], m["expression"], m["d3format"])
                              for m in row["metrics"])}


def with_sql(tree: Tree, sql_block: str) -> None:
    path = tree.root / f"datasets/{tree.virtual}.yaml"
    text = path.read_text()
    start, end = text.index("sql: |"), text.index("main_dttm_col:")
    path.write_text(text[:start] + sql_block + "\n" + text[end:])


def failing(tree: Tree, path_end: str, nth: int = 1) -> None:
    """Make the ``nth`` PUT whose path ends with ``path_end`` fail like Superset's 500."""
    client = tree.ctx.client
    real_put, seen = client.put, []

    def put(path: str, json: Any) -> Any:
        if path.endswith(path_end):
            seen.append(path)
            if len(seen) == nth:
                raise ApiError("PUT", f"/api/v1/{path}", 500, "Fatal error")
        return real_put(path, json)

    client.put = put


def run(tree: Tree):
    plan = tree.diff(targets=(f"dataset/{tree.virtual}",))
    tree.ctx.client.reset_log()
    (event,) = apply_plan(plan, tree.ctx, HANDLERS).events
    return plan, event


def test_sql_the_database_refuses_is_its_message_and_the_dataset_stays(tree):
    tree.apply(tree.diff())
    before = stored(tree)
    with_sql(tree, BAD_SQL)

    plan, event = run(tree)

    assert event.outcome is Outcome.FAILED
    assert event.message.startswith(
        f"dataset '{tree.virtual}' could not be updated: its SQL fails on database '{tree.db}': ")
    assert "Binder Error" in event.message and "no_such_column" in event.message, event.message
    assert event.message.endswith("; nothing was written") and "\n" not in event.message
    assert tree.writes() == [("POST", "/api/v1/sqllab/execute/")]
    assert stored(tree) == before
    assert fields(tree.diff()) == fields(plan)  # the same change is still to be made


def test_a_new_sql_the_database_runs_is_checked_written_and_synced(tree):
    tree.apply(tree.diff())
    with_sql(tree, NEW_SQL)
    dataset_id = tree.ctx.ids.id("dataset", tree.virtual)

    plan, event = run(tree)

    assert event.outcome is Outcome.UPDATED, event.message
    assert tree.writes()[:3] == [("POST", "/api/v1/sqllab/execute/"),
                                 ("PUT", f"/api/v1/dataset/{dataset_id}"),
                                 ("PUT", f"/api/v1/dataset/{dataset_id}/refresh")]
    assert "trader_id" in [c[0] for c in stored(tree)["columns"]]
    assert not tree.diff().has_changes


@pytest.mark.parametrize("fails, nth", [("/refresh", 1), ("", 2)], ids=["refresh", "converge"])
def test_a_failure_after_the_first_write_restores_the_dataset(tree, fails, nth):
    tree.apply(tree.diff())
    before = stored(tree)
    with_sql(tree, NEW_SQL)
    dataset_id = tree.ctx.ids.id("dataset", tree.virtual)
    failing(tree, fails or f"dataset/{dataset_id}", nth)

    plan, event = run(tree)

    assert event.outcome is Outcome.FAILED
    assert event.message.endswith("→ 500: Fatal error; its previous state was restored"), event.message
    steps = [p for _, p in tree.writes()]
    assert steps[0] == "/api/v1/sqllab/execute/" and steps[-1] == f"/api/v1/dataset/{dataset_id}"
    assert stored(tree) == before
    assert fields(tree.diff()) == fields(plan)
