"""A dataset update or create that fails half-way leaves the dataset as it was.

Failures are injected at each request of the sequence (``responses``):
the SQL probe, the PUT, the refresh, the converging PUT, the restore.
"""

import pytest

from superset_iac.kinds.dataset import DatasetHandler
from superset_iac.kinds.dataset_probe import wrapped
from superset_iac.kinds.rest import WriteFailed
from superset_iac.plan.diff import compare
from superset_iac.plan.model import LiveObject
from tests.unit.kinds.conftest import API, body, paths
from tests.unit.kinds.test_dataset import SQL, column, converged, spec

NEW_SQL = SQL + " WHERE volume > 0"
BINDER = 'duckdb error: Binder Error: Referenced column "x" not found in FROM clause!'


@pytest.fixture
def ids() -> dict:
    return {"database": {"lakehouse": 1}}


def probe_answer(*names: str) -> dict:
    return {"status": "success", "data": [], "columns": [
        {"column_name": n, "name": n, "type": "STRING", "is_dttm": False} for n in names]}


def new_sql_change(ctx, new=None):
    """The live dataset (``converged()`` with the old SQL) and the change to ``new``."""
    old = converged(sql="SELECT 1")
    live = LiveObject(DatasetHandler().to_spec(ctx, old), 5, True, old)
    return live, compare(new or spec(sql=NEW_SQL), live)


def writes(rsps) -> list[tuple[str, str]]:
    return [p for p in paths(rsps) if p[0] != "GET"]


def test_sql_the_database_refuses_is_its_message_and_nothing_is_written(rsps, csrf, ctx):
    rsps.add("POST", f"{API}/sqllab/execute/", status=400, json={"errors": [{
        "message": BINDER + "\nLINE 2: SELECT x FROM ...", "error_type": "GENERIC_DB_ENGINE_ERROR"}]})
    _, change = new_sql_change(ctx, spec(sql="SELECT x FROM option_ticks_db.ticks"))

    with pytest.raises(WriteFailed) as err:
        DatasetHandler().update(ctx, change)

    assert str(err.value) == (
        f"dataset 'ticks' could not be updated: its SQL fails on database 'lakehouse': {BINDER} "
        "LINE 2: SELECT x FROM ...; nothing was written")
    assert writes(rsps) == [("POST", "/api/v1/sqllab/execute/")]
    sent = body(rsps.calls[1])
    assert sent["sql"] == wrapped("SELECT x FROM option_ticks_db.ticks")
    assert (sent["database_id"], sent["schema"], sent["runAsync"]) == (1, "option_ticks_db", False)


def test_sql_without_a_declared_column_is_refused_before_writing(rsps, csrf, ctx):
    rsps.add("POST", f"{API}/sqllab/execute/", json=probe_answer("symbol", "last_price"))
    _, change = new_sql_change(ctx)

    with pytest.raises(WriteFailed, match=r"returns no column 'timestamp' \(it returns symbol, "
                                          r"last_price\); nothing was written$"):
        DatasetHandler().update(ctx, change)
    assert writes(rsps) == [("POST", "/api/v1/sqllab/execute/")]


def test_a_server_without_sql_lab_for_the_account_is_written_anyway(rsps, csrf, ctx):
    rsps.add("POST", f"{API}/sqllab/execute/", status=403, json={"message": "Forbidden"})
    rsps.add("PUT", f"{API}/dataset/5", json={"id": 5, "result": {}})
    rsps.add("PUT", f"{API}/dataset/5/refresh", json={"message": "OK"})
    rsps.add("GET", f"{API}/dataset/5", json={"id": 5, "result": converged(sql=NEW_SQL)})
    DatasetHandler().update(ctx, new_sql_change(ctx)[1])
    assert writes(rsps) == [("POST", "/api/v1/sqllab/execute/"), ("PUT", "/api/v1/dataset/5"),
                            ("PUT", "/api/v1/dataset/5/refresh")]


def test_a_failed_refresh_restores_the_dataset_as_it_was_read(rsps, csrf, ctx):
    rsps.add("POST", f"{API}/sqllab/execute/", json=probe_answer("timestamp", "symbol"))
    rsps.add("PUT", f"{API}/dataset/5", json={"id": 5, "result": {}})
    rsps.add("PUT", f"{API}/dataset/5/refresh", status=500, json={"message": "Fatal error"})
    # What the first PUT left: the new SQL, a column created under a new id.
    halfway = converged(sql=NEW_SQL)
    halfway["columns"] = [c for c in halfway["columns"] if c["column_name"] != "volume"]
    halfway["columns"].append(column(40, "extra_col"))
    rsps.add("GET", f"{API}/dataset/5", json={"id": 5, "result": halfway})
    live, change = new_sql_change(ctx)

    with pytest.raises(WriteFailed) as err:
        DatasetHandler().update(ctx, change)

    assert str(err.value) == ("dataset 'ticks' could not be updated: PUT /api/v1/dataset/5/refresh "
                              "→ 500: Fatal error; its previous state was restored")
    assert writes(rsps) == [("POST", "/api/v1/sqllab/execute/"), ("PUT", "/api/v1/dataset/5"),
                            ("PUT", "/api/v1/dataset/5/refresh"),
                            ("POST", "/api/v1/sqllab/execute/"), ("PUT", "/api/v1/dataset/5")]
    restore = body(rsps.calls[-1])
    assert restore["sql"] == "SELECT 1"
    # By name, as a dataset is read: extra_col goes, volume comes back.
    assert [(c.get("id"), c["column_name"], c["type"]) for c in restore["columns"]] == [
        (22, "last_price", "DOUBLE"), (24, "notional", "DOUBLE"), (21, "symbol", "VARCHAR"),
        (20, "timestamp", "TIMESTAMP"), (None, "volume", "BIGINT")]
    assert [(m["id"], m["metric_name"]) for m in restore["metrics"]] == [(31, "avg_price")]
    restored = converged(sql="SELECT 1")
    assert DatasetHandler().to_spec(ctx, restored).compared() == live.spec.compared()


def test_a_refresh_the_database_refuses_names_its_reason(rsps, csrf, ctx):
    rsps.add("POST", f"{API}/sqllab/execute/", status=403, json={"message": "Forbidden"})
    rsps.add("PUT", f"{API}/dataset/5", json={"id": 5, "result": {}})
    rsps.add("PUT", f"{API}/dataset/5/refresh", status=500, json={"message": "Fatal error"})
    rsps.add("GET", f"{API}/dataset/5", json={"id": 5, "result": converged(sql=NEW_SQL)})
    rsps.add("POST", f"{API}/sqllab/execute/", status=400, json={"errors": [{"message": BINDER}]})
    with pytest.raises(WriteFailed, match=r"refresh → 500: Fatal error \(its SQL fails on database "
                                          r"'lakehouse': duckdb error: Binder Error: .*\); its "
                                          r"previous state was restored$"):
        DatasetHandler().update(ctx, new_sql_change(ctx)[1])


def test_a_failed_converging_put_restores_too(rsps, csrf, ctx):
    rsps.add("POST", f"{API}/sqllab/execute/", json=probe_answer("timestamp", "symbol"))
    rsps.add("PUT", f"{API}/dataset/5", json={"id": 5, "result": {}})
    rsps.add("PUT", f"{API}/dataset/5/refresh", json={"message": "OK"})
    synced = converged(sql=NEW_SQL)
    synced["metrics"] = []
    rsps.add("GET", f"{API}/dataset/5", json={"id": 5, "result": synced})
    rsps.add("PUT", f"{API}/dataset/5", status=422, json={"message": {"metrics": ["bad"]}})
    rsps.add("PUT", f"{API}/dataset/5", json={"id": 5, "result": {}})

    with pytest.raises(WriteFailed, match=r"PUT /api/v1/dataset/5 → 422: metrics: bad; its "
                                          r"previous state was restored$"):
        DatasetHandler().update(ctx, new_sql_change(ctx)[1])
    restore = body(rsps.calls[-1])
    assert restore["sql"] == "SELECT 1"
    assert [m["metric_name"] for m in restore["metrics"]] == ["avg_price"]
    assert "id" not in restore["metrics"][0]  # deleted by the sync: created again by name


def test_a_restore_that_fails_says_so(rsps, csrf, ctx):
    rsps.add("POST", f"{API}/sqllab/execute/", json=probe_answer("timestamp", "symbol"))
    rsps.add("PUT", f"{API}/dataset/5", json={"id": 5, "result": {}})
    rsps.add("PUT", f"{API}/dataset/5/refresh", status=500, json={"message": "Fatal error"})
    rsps.add("GET", f"{API}/dataset/5", status=502, body="Bad gateway")
    with pytest.raises(WriteFailed, match=r"Fatal error; restoring its previous state failed too "
                                          r"\(GET /api/v1/dataset/5 → 502: .*\): run apply again$"):
        DatasetHandler().update(ctx, new_sql_change(ctx)[1])


def test_a_failed_put_writes_nothing_and_restores_nothing(rsps, csrf, ctx):
    rsps.add("POST", f"{API}/sqllab/execute/", json=probe_answer("timestamp", "symbol"))
    rsps.add("PUT", f"{API}/dataset/5", status=422, json={"message": {"owners": ["bad"]}})
    with pytest.raises(WriteFailed, match=r"PUT /api/v1/dataset/5 → 422: owners: bad$"):
        DatasetHandler().update(ctx, new_sql_change(ctx)[1])
    assert writes(rsps)[-1] == ("PUT", "/api/v1/dataset/5")


def test_a_create_whose_attributes_fail_is_removed_again(rsps, csrf, ctx):
    rsps.add("POST", f"{API}/dataset/", json={"id": 5, "result": {}})
    bare = converged()
    bare["metrics"] = []
    rsps.add("GET", f"{API}/dataset/5", json={"id": 5, "result": bare})
    rsps.add("PUT", f"{API}/dataset/5", status=422, json={"message": {"metrics": ["bad"]}})
    rsps.add("DELETE", f"{API}/dataset/5", json={"message": "OK"})
    ctx.ids.set("dataset", "ticks", 5)

    with pytest.raises(WriteFailed) as err:
        DatasetHandler().create(ctx, spec())

    assert str(err.value) == (
        "dataset 'ticks' was created, but its columns and metrics could not be set: "
        "PUT /api/v1/dataset/5 → 422: metrics: bad; it was removed again, nothing is left")
    assert writes(rsps)[-1] == ("DELETE", "/api/v1/dataset/5")
    assert ctx.ids.key("dataset", 5) is None
