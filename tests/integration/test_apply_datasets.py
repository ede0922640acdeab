"""Databases and datasets through diff and apply, against a real Superset 6.1.

Each test builds its own small tree (a DuckDB database on the session's
lakehouse copy, a virtual and a physical dataset, names made unique) and runs
it through ``workflow`` and ``apply_plan`` exactly as the CLI does.

The Superset is shared by the whole session, so applies that prune name
their targets: an untargeted prune would also delete what other tests'
trees created. The untargeted prune *plan* is still checked.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from superset_iac.apply.engine import Outcome, apply_plan
from superset_iac.kinds.registry import HANDLERS
from superset_iac.plan.model import Action
from tests.integration.trees import WrittenTree, fields

pytestmark = pytest.mark.integration


class Tree(WrittenTree):
    """A database on the lakehouse, a virtual and a physical dataset."""

    def __init__(self, root: Path, superset, lakehouse: Path, suffix: str) -> None:
        super().__init__(root, superset, superset.env(lakehouse))
        self.suffix = suffix
        self.db = f"lake_{suffix}"
        self.virtual = f"ticks_{suffix}"
        self.physical = f"images_{suffix}"  # a view made for this test (see fixture)
        self._write_base()

    def _write_base(self) -> None:
        self.write(f"databases/{self.db}.yaml", f"""\
            name: {self.db}
            uri: duckdb:///${{LAKEHOUSE_PATH}}
            cache_timeout: 600
            extra:
              allows_virtual_table_explore: true
              engine_params:
                connect_args:
                  read_only: true
            """)
        self.write(f"datasets/{self.virtual}.yaml", f"""\
            name: {self.virtual}
            database: {self.db}
            schema: option_ticks_db
            sql: |
              SELECT "timestamp", symbol, exchange, last_price, volume
              FROM option_ticks_db.bronze_option_ticks
            main_dttm_col: timestamp
            cache_timeout: 300
            columns:
              - name: timestamp
                is_dttm: true
                verbose_name: Tick time
              - name: symbol
              - name: notional
                expression: last_price * volume
                type: DOUBLE
                verbose_name: Notional
            metrics:
              - name: avg_price
                expression: AVG(last_price)
                d3format: ",.2f"
              - name: total_volume
                expression: SUM(volume)
            """)
        self.write(f"datasets/{self.physical}.yaml", f"""\
            name: {self.physical}
            database: {self.db}
            schema: media_db
            main_dttm_col: upload_time
            columns:
              - name: upload_time
                is_dttm: true
              - name: file_size
                description: Bytes
            metrics:
              - name: images
                expression: COUNT(*)
            """)


@pytest.fixture
def tree(tmp_path, superset, lakehouse_path, lakehouse_writer, unique) -> Tree:
    # A physical dataset's table_name is unique on a SQLite metadata database,
    # whatever its schema: each test gets its own view to point at.
    with lakehouse_writer(lakehouse_path) as con:
        con.execute(f"CREATE VIEW media_db.images_{unique} AS SELECT * FROM media_db.image_metadata")
    return Tree(tmp_path / "assets", superset, lakehouse_path, unique)


def test_apply_creates_everything_then_nothing_changes(tree):
    plan = tree.diff()
    assert [(c.action, c.ref) for c in plan.changes] == [
        (Action.CREATE, f"database/{tree.db}"),
        (Action.CREATE, f"dataset/{tree.physical}"),
        (Action.CREATE, f"dataset/{tree.virtual}")]
    report = tree.apply(plan)
    assert [e.outcome for e in report.events] == [Outcome.CREATED] * 3

    again = tree.diff()
    assert not again.has_changes, fields(again)
    assert again.unchanged == {"database": 1, "dataset": 2}
    # The documented cost: database list + 1 connection per database in the
    # tree, dataset list page(s) + 1 detail per dataset in the tree; no owner
    # is involved (the create cleared Superset's default owner), so no user read.
    gets = [r.path for r in tree.ctx.client.requests if r.kind != "auth"]
    dataset_pages = gets.count("/api/v1/dataset/")
    assert len(gets) == 1 + 1 + dataset_pages + 2, gets
    assert tree.writes() == []

    tree.ctx.client.reset_log()
    tree.apply(again)  # an empty plan sends nothing
    assert tree.ctx.client.requests == []


def test_drift_by_hand_is_shown_field_by_field_and_apply_restores_it(tree):
    tree.apply(tree.diff())
    virtual_id = tree.ctx.ids.id("dataset", tree.virtual)
    api = tree.api()
    current = api.get(f"{tree.superset.url}/api/v1/dataset/{virtual_id}").json()["result"]
    columns = [{"id": c["id"], "column_name": c["column_name"]} for c in current["columns"]]
    for column in columns:
        if column["column_name"] == "timestamp":
            column["verbose_name"] = "When"
    metrics = [{"id": m["id"], "metric_name": m["metric_name"], "expression": m["expression"]}
               for m in current["metrics"]]
    for metric in metrics:
        if metric["metric_name"] == "avg_price":
            metric["expression"] = "AVG(volume)"
    edit = api.put(f"{tree.superset.url}/api/v1/dataset/{virtual_id}",
                   json={"columns": columns, "metrics": metrics, "always_filter_main_dttm": False})
    assert edit.status_code == 200, edit.text

    drift = tree.diff()
    assert fields(drift) == [
        (f"dataset/{tree.virtual}", "columns[timestamp].verbose_name", "When", "Tick time"),
        (f"dataset/{tree.virtual}", "metrics[avg_price].expression", "AVG(volume)", "AVG(last_price)")]

    tree.apply(drift)
    assert tree.writes() == [("PUT", f"/api/v1/dataset/{virtual_id}")]
    assert not tree.diff().has_changes


def test_prune_deletes_a_removed_dataset_but_never_one_made_by_hand(tree):
    tree.apply(tree.diff())
    db_id = tree.ctx.ids.id("database", tree.db)
    by_hand = f"by_hand_{tree.suffix}"
    made = tree.api().post(f"{tree.superset.url}/api/v1/dataset/", json={
        "database": db_id, "schema": "logs_db", "table_name": by_hand,
        "sql": "SELECT level, service FROM logs_db.app_logs"})
    assert made.status_code == 201, made.text
    (tree.root / f"datasets/{tree.physical}.yaml").unlink()

    kept = tree.diff()
    # Without --prune nothing is deleted; and only what the tree names is read
    # (README, Cost), so an object gone from the tree is named only with --prune.
    assert not kept.has_changes
    assert f"dataset/{by_hand}" not in kept.not_in_tree  # not managed: never prunable
    everything = tree.diff(prune=True)
    ours = [(c.action, c.ref) for c in everything.changes if c.key.endswith(tree.suffix)]
    assert ours == [(Action.DELETE, f"dataset/{tree.physical}")]
    assert everything.unmanaged["dataset"] >= 1

    targeted = tree.diff(prune=True, targets=(f"dataset/{tree.physical}", f"dataset/{by_hand}"))
    report = tree.apply(targeted)
    assert [(e.change.ref, e.outcome) for e in report.events] == [
        (f"dataset/{tree.physical}", Outcome.DELETED)]
    assert tree.ctx.client.count(("POST", "PUT", "DELETE")) == 1
    still = tree.api().get(f"{tree.superset.url}/api/v1/dataset/{made.json()['id']}")
    assert still.status_code == 200


def test_a_failing_virtual_sql_is_one_clear_line_and_creates_nothing(tree):
    tree.apply(tree.diff(targets=(f"database/{tree.db}",)))
    tree.write(f"datasets/{tree.virtual}.yaml", f"""\
        name: {tree.virtual}
        database: {tree.db}
        schema: option_ticks_db
        sql: SELECT symbol FROM option_ticks_db.no_such_table
        """)
    plan = tree.diff(targets=(f"dataset/{tree.virtual}",))
    report = apply_plan(plan, tree.ctx, HANDLERS)

    (event,) = report.events
    assert event.outcome is Outcome.FAILED
    assert event.message.startswith(
        f"dataset '{tree.virtual}' could not be created: POST /api/v1/dataset/ → 500: "
        f"its SQL fails on database '{tree.db}': ")
    assert "no_such_table" in event.message and "\n" not in event.message
    assert tree.diff(targets=(f"dataset/{tree.virtual}",)).changes[0].action is Action.CREATE
