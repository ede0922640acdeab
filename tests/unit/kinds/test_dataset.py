"""The dataset handler against ``responses`` mocks, and ``Dataset.compared``.

Detail bodies copy Superset 6.1's ``GET /dataset/{id}`` (columns as the
server derives them, its automatic ``count`` metric, owners by id only).
"""

import re
from urllib.parse import unquote

import pytest

from superset_iac.kinds.dataset import DatasetHandler
from superset_iac.kinds.dataset_probe import wrapped
from superset_iac.kinds.rest import WriteFailed, managed_uuid
from superset_iac.model.dataset import Dataset
from superset_iac.plan.diff import compare
from superset_iac.plan.model import LiveObject
from tests.unit.kinds.conftest import API, body, paths

SQL = 'SELECT "timestamp", symbol, last_price, volume FROM option_ticks_db.ticks'


@pytest.fixture
def ids() -> dict:
    return {"database": {"lakehouse": 1}}


def spec(**fields) -> Dataset:
    values = {
        "name": "ticks", "database": "lakehouse", "schema": "option_ticks_db", "sql": SQL,
        "main_dttm_col": "timestamp",
        "columns": [{"name": "timestamp", "is_dttm": True, "verbose_name": "Tick time"},
                    {"name": "symbol"},
                    {"name": "notional", "expression": "last_price * volume", "type": "DOUBLE"}],
        "metrics": [{"name": "avg_price", "expression": "AVG(last_price)", "d3format": ",.2f"}],
    }
    values.update(fields)
    return Dataset.model_validate(values)


def column(id_, name, type_="VARCHAR", **fields):
    row = {"id": id_, "column_name": name, "type": type_, "is_dttm": False, "expression": None,
           "verbose_name": None, "description": None, "groupby": True, "filterable": True,
           "python_date_format": None}
    row.update(fields)
    return row


def metric(id_, name, expression, **fields):
    row = {"id": id_, "metric_name": name, "expression": expression, "metric_type": None,
           "verbose_name": None, "description": None, "d3format": None, "currency": None,
           "warning_text": None}
    row.update(fields)
    return row


def detail(id_=5, **fields):
    """A dataset as the server has it after creating ``spec()`` (before our PUT)."""
    row = {
        "id": id_, "uuid": managed_uuid("dataset", "ticks"), "table_name": "ticks",
        "database": {"database_name": "lakehouse", "allow_multi_catalog": False},
        "catalog": None, "schema": "option_ticks_db", "sql": SQL + "\n", "description": None,
        "main_dttm_col": "timestamp", "always_filter_main_dttm": False, "normalize_columns": False,
        "filter_select_enabled": True, "cache_timeout": None, "extra": None,
        "template_params": None, "owners": [],
        "columns": [column(20, "timestamp", "TIMESTAMP", is_dttm=True), column(21, "symbol"),
                    column(22, "last_price", "DOUBLE"), column(23, "volume", "BIGINT")],
        "metrics": [metric(30, "count", "COUNT(*)", metric_type="count", verbose_name="COUNT(*)")],
    }
    row.update(fields)
    return row


def converged(id_=5, **fields):
    """The same dataset once ``spec()`` has been applied."""
    return detail(id_, **fields, columns=[
        column(20, "timestamp", "TIMESTAMP", is_dttm=True, verbose_name="Tick time"),
        column(21, "symbol"), column(22, "last_price", "DOUBLE"), column(23, "volume", "BIGINT"),
        column(24, "notional", "DOUBLE", expression="last_price * volume")],
        metrics=[metric(31, "avg_price", "AVG(last_price)", d3format=",.2f")])


def list_row(id_, name="ticks", schema="option_ticks_db", uuid_=None, database="lakehouse"):
    return {"id": id_, "table_name": name, "schema": schema, "catalog": None, "sql": None,
            "uuid": uuid_ or managed_uuid("dataset", name), "database": {"database_name": database}}


# -- compared(): canonical equality ---------------------------------------------------

def test_plain_derived_columns_and_type_of_physical_columns_are_ignored():
    live = spec(columns=[
        {"name": "timestamp", "type": "TIMESTAMP", "is_dttm": True, "verbose_name": "Tick time"},
        {"name": "symbol", "type": "VARCHAR"}, {"name": "volume", "type": "BIGINT"},
        {"name": "notional", "expression": "last_price * volume", "type": "DOUBLE"}])
    assert live.compared() == spec().compared()
    assert [c["name"] for c in spec().compared()["columns"]] == ["notional", "timestamp"]


def test_type_is_compared_for_calculated_columns():
    other = spec(columns=[{"name": "timestamp", "is_dttm": True, "verbose_name": "Tick time"},
                          {"name": "notional", "expression": "last_price * volume", "type": "FLOAT"}])
    change = compare(spec(), LiveObject(other, 5))
    assert [(f.path, f.before, f.after) for f in change.fields] == [
        ("columns[notional].type", "FLOAT", "DOUBLE")]


def test_a_server_column_edited_by_hand_is_a_change_back_to_plain():
    edited = spec(columns=[*spec().model_dump()["columns"],
                           {"name": "volume", "type": "BIGINT", "verbose_name": "Vol"}])
    change = compare(spec(), LiveObject(edited, 5))
    assert [(f.path, f.after) for f in change.fields] == [("columns[volume]", None)]


def test_order_blank_strings_and_sql_whitespace_make_no_change():
    shuffled = spec(sql="\n  " + SQL + "\n\n", description="",
                    columns=list(reversed(spec().model_dump()["columns"])),
                    metrics=[{"name": "avg_price", "expression": "AVG(last_price)", "d3format": ",.2f",
                              "verbose_name": "", "warning_text": ""}],
                    owners=[])
    assert shuffled.compared() == spec().compared()
    assert spec(owners=["b", "a"]).compared()["owners"] == ["a", "b"]


def test_metrics_are_exactly_the_declared_ones():
    extra = spec(metrics=[*spec().model_dump()["metrics"],
                          {"name": "count", "expression": "COUNT(*)", "metric_type": "count"}])
    change = compare(spec(), LiveObject(extra, 5))
    assert [(f.path, f.after) for f in change.fields] == [("metrics[count]", None)]


# -- read ---------------------------------------------------------------------------

def test_read_fetches_details_only_for_the_tree(rsps, ctx):
    rsps.add("GET", f"{API}/dataset/", json={"count": 2, "result": [
        list_row(5), list_row(6, "by_hand", uuid_="2d6f1c0e-0000-4000-8000-000000000000")]})
    rsps.add("GET", f"{API}/dataset/5", json={"id": 5, "result": converged()})
    ctx.desired = {"dataset": {"ticks": spec()}}

    live = DatasetHandler().read(ctx)

    assert paths(rsps) == [("GET", "/api/v1/dataset/"), ("GET", "/api/v1/dataset/5")]
    assert compare(spec(), live["ticks"]) is None
    assert live["ticks"].managed and not live["by_hand"].managed
    assert live["by_hand"].spec.columns == []  # summary only
    assert "metrics.metric_name" in unquote(rsps.calls[1].request.url)


def test_a_same_named_dataset_elsewhere_is_another_object(rsps, ctx):
    rsps.add("GET", f"{API}/dataset/", json={"count": 1, "result": [
        list_row(7, schema="scratch", uuid_="3e6f1c0e-0000-4000-8000-000000000000")]})
    ctx.desired = {"dataset": {"ticks": spec()}}

    live = DatasetHandler().read(ctx)

    assert live == {}  # so the plan creates ours
    assert ctx.ids.key("dataset", 7) == "ticks [lakehouse.scratch]"


def test_owners_become_usernames_and_inherited_cache_timeout_is_none(rsps, ctx):
    rsps.add("GET", f"{API}/security/users/", json={"count": 2, "result": [
        {"id": 1, "username": "admin"}, {"id": 4, "username": "ana"}]})
    ctx.cache.database_timeouts = {"lakehouse": 600}
    handler = DatasetHandler()

    inherited = handler.to_spec(ctx, {**converged(), "cache_timeout": 600,
                                      "owners": [{"id": 4}, {"id": 1}]})
    assert inherited.owners == ["admin", "ana"] and inherited.cache_timeout is None

    ctx.desired = {"dataset": {"ticks": spec(cache_timeout=600)}}
    assert handler.to_spec(ctx, {**converged(), "cache_timeout": 600}).cache_timeout == 600
    assert len(rsps.calls) == 1


# -- writes -----------------------------------------------------------------------

def test_update_maps_names_to_ids_and_sends_every_kept_column(rsps, csrf, ctx):
    rsps.add("PUT", f"{API}/dataset/5", json={"id": 5, "result": {}})
    handler = DatasetHandler()
    drifted = converged()
    drifted["columns"][1] = column(21, "symbol", verbose_name="Ticker")  # by hand
    drifted["columns"].append(column(25, "hand_calc", "INT", expression="1"))  # by hand
    drifted["metrics"][0] = metric(31, "avg_price", "AVG(volume)", d3format=",.2f")
    live = LiveObject(handler.to_spec(ctx, drifted), 5, True, drifted)
    change = compare(spec(), live)
    assert sorted(f.path for f in change.fields) == [
        "columns[hand_calc]", "columns[symbol]", "metrics[avg_price].expression"]

    handler.update(ctx, change)

    payload = body(rsps.calls[1])
    plain = {"is_dttm": False, "expression": None, "verbose_name": None, "description": None,
             "groupby": True, "filterable": True, "python_date_format": None}
    assert payload["columns"] == [
        {"id": 20, "column_name": "timestamp", **plain, "is_dttm": True, "verbose_name": "Tick time"},
        {"id": 21, "column_name": "symbol", **plain},
        {"id": 24, "column_name": "notional", **plain, "expression": "last_price * volume",
         "type": "DOUBLE"},
        {"id": 22, "column_name": "last_price", **plain},
        {"id": 23, "column_name": "volume", **plain},
    ]
    assert payload["metrics"] == [
        {"id": 31, "metric_name": "avg_price", "expression": "AVG(last_price)", "metric_type": None,
         "verbose_name": None, "description": None, "d3format": ",.2f", "currency": None,
         "warning_text": None}]
    assert payload["always_filter_main_dttm"] is False
    typed = spec(columns=[{"name": "volume", "type": "INTEGER"}, {"name": "new", "type": "INT"}])
    assert [c.get("type") for c in handler.to_payload(ctx, typed, live)["columns"]][:2] == [
        None, "INT"]  # the database's type stays; a column not derived yet gets the declared one
    assert {k: payload[k] for k in ("table_name", "database_id", "schema", "owners", "extra")} == {
        "table_name": "ticks", "database_id": 1, "schema": "option_ticks_db", "owners": [],
        "extra": None}
    assert "catalog" not in payload and "uuid" not in payload
    assert len(rsps.calls) == 2  # no refresh: the source did not change


def test_create_posts_reads_back_and_puts_the_declared_attributes(rsps, csrf, ctx):
    rsps.add("POST", f"{API}/dataset/", json={"id": 5, "result": {}})
    rsps.add("GET", f"{API}/dataset/5", json={"id": 5, "result": detail()})
    rsps.add("PUT", f"{API}/dataset/5", json={"id": 5, "result": {}})

    assert DatasetHandler().create(ctx, spec()) == 5

    assert paths(rsps)[1:] == [("POST", "/api/v1/dataset/"), ("GET", "/api/v1/dataset/5"),
                               ("PUT", "/api/v1/dataset/5")]
    assert body(rsps.calls[1]) == {
        "database": 1, "table_name": "ticks", "schema": "option_ticks_db", "sql": SQL,
        "owners": [], "normalize_columns": False, "always_filter_main_dttm": False,
        "uuid": managed_uuid("dataset", "ticks"), "is_managed_externally": True,
        "external_url": "superset-iac://dataset/ticks"}
    put = body(rsps.calls[3])
    assert [(c.get("id"), c["column_name"]) for c in put["columns"]] == [
        (20, "timestamp"), (21, "symbol"), (None, "notional"), (22, "last_price"), (23, "volume")]
    assert [(m.get("id"), m["metric_name"]) for m in put["metrics"]] == [(None, "avg_price")]
    assert ctx.ids.id("dataset", "ticks") == 5


def test_create_without_anything_to_declare_stops_after_the_read(rsps, csrf, ctx):
    rsps.add("POST", f"{API}/dataset/", json={"id": 5, "result": {}})
    rsps.add("GET", f"{API}/dataset/5", json={"id": 5, "result": converged()})
    DatasetHandler().create(ctx, spec())
    assert [m for m, _ in paths(rsps)] == ["GET", "POST", "GET"]


def test_failing_sql_is_explained_with_the_database_message(rsps, csrf, ctx):
    rsps.add("POST", f"{API}/dataset/", status=500, json={"message": "Fatal error"})
    rsps.add("GET", re.compile(rf"{API}/dataset/[0-9a-f-]{{36}}$"), status=404,
             json={"message": "Not found"})  # a 500 may be another run's duplicate: looked up
    rsps.add("POST", f"{API}/sqllab/execute/", status=500, json={"errors": [{
        "message": "duckdb error: Catalog Error: Table with name ticks does not exist!\nLINE 1"}]})

    with pytest.raises(WriteFailed) as err:
        DatasetHandler().create(ctx, spec())

    assert str(err.value) == (
        "dataset 'ticks' could not be created: POST /api/v1/dataset/ → 500: its SQL fails on "
        "database 'lakehouse': duckdb error: Catalog Error: Table with name ticks does not exist! LINE 1")
    assert body(rsps.calls[3])["sql"] == wrapped(SQL)


def test_a_missing_table_is_one_line(rsps, csrf, ctx):
    rsps.add("POST", f"{API}/dataset/", status=422, json={"message": {"table": [
        "Table [option_ticks_db.ticks] could not be found"]}})
    rsps.add("GET", re.compile(rf"{API}/dataset/[0-9a-f-]{{36}}$"), status=404,
             json={"message": "Not found"})  # not created meanwhile by another run either
    with pytest.raises(WriteFailed, match=r"^dataset 'ticks' could not be created: POST .* 422: "
                                          r"table: Table \[option_ticks_db.ticks\] could not be found$"):
        DatasetHandler().create(ctx, spec(sql=None))


def test_a_new_sql_syncs_columns_then_applies_attributes(rsps, csrf, ctx):
    rsps.add("POST", f"{API}/sqllab/execute/", json={"status": "success", "data": [], "columns": [
        {"column_name": n, "name": n, "type": "STRING"} for n in ("timestamp", "symbol", "x")]})
    rsps.add("PUT", f"{API}/dataset/5", json={"id": 5, "result": {}})
    rsps.add("PUT", f"{API}/dataset/5/refresh", json={"message": "OK"})
    rsps.add("GET", f"{API}/dataset/5", json={"id": 5, "result": converged()})
    handler = DatasetHandler()
    old = converged(sql="SELECT 1")
    new_sql = spec(sql=SQL + " WHERE volume > 0")
    refreshed = converged(sql=new_sql.sql)
    rsps.replace("GET", f"{API}/dataset/5", json={"id": 5, "result": refreshed})

    handler.update(ctx, compare(new_sql, LiveObject(handler.to_spec(ctx, old), 5, True, old)))

    assert paths(rsps)[1:] == [("POST", "/api/v1/sqllab/execute/"), ("PUT", "/api/v1/dataset/5"),
                               ("PUT", "/api/v1/dataset/5/refresh"), ("GET", "/api/v1/dataset/5")]


def test_columns_and_metrics_are_read_by_name_whatever_order_the_server_made_them_in(ctx):
    # Created through the API, a dataset gets its database's column order and
    # Superset's own `count` metric first; imported from a bundle, the bundle's
    # order: export writes one order for both (the corpus' fresh apply found it).
    ctx.cache.database_timeouts = {"lakehouse": None}
    row = {**converged(), "metrics": [metric(32, "count", "COUNT(*)"),
                                      metric(31, "avg_price", "AVG(x)")]}
    read = DatasetHandler().to_spec(ctx, row)
    assert [c.name for c in read.columns] == ["last_price", "notional", "symbol", "timestamp",
                                               "volume"]
    assert [m.name for m in read.metrics] == ["avg_price", "count"]
