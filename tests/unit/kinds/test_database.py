"""The database handler against ``responses`` mocks, and ``Database.compared``.

Bodies copy what Superset 6.1 answers (``/database/{id}/connection`` with the
password masked, ``extra`` as a JSON string).
"""

import logging
from urllib.parse import unquote

import pytest

from superset_iac.kinds.database import DatabaseHandler
from superset_iac.kinds.rest import WriteFailed, managed_uuid
from superset_iac.model.database import Database
from superset_iac.secrets import masked_uri
from superset_iac.plan.diff import compare, plan
from superset_iac.plan.model import Action, LiveObject
from superset_iac.plan.render import plan_json, render_plan
from tests.unit.kinds.conftest import API, paths
from tests.unit.kinds.conftest import body as sent

SECRET = "s3cr3t-pw"
URI = f"postgresql://bi:{SECRET}@db.internal:5432/lake"
MASKED = "postgresql://bi:XXXXXXXXXX@db.internal:5432/lake"


def connection(id_=3, name="lake", uri=MASKED, **fields):
    body = {"id": id_, "database_name": name, "sqlalchemy_uri": uri, "cache_timeout": 600,
            "expose_in_sqllab": True, "allow_run_async": False, "allow_dml": False,
            "allow_ctas": False, "allow_cvas": False, "allow_file_upload": False,
            "impersonate_user": False, "is_managed_externally": True,
            "extra": '{"allows_virtual_table_explore": true, "metadata_params": {}}',
            "masked_encrypted_extra": "{}", "backend": "postgresql"}
    body.update(fields)
    return {"id": id_, "result": body}


def desired(**fields) -> Database:
    values = {"name": "lake", "uri": URI, "cache_timeout": 600,
              "extra": {"allows_virtual_table_explore": True}}
    values.update(fields)
    return Database.model_validate(values)


def _unquoted(call) -> str:
    return unquote(call.request.url)


# -- compared(): the one notion of equality ------------------------------------------

def test_compared_masks_the_password_as_superset_does():
    assert desired().compared()["uri"] == MASKED
    assert desired(uri=MASKED).compared() == desired().compared()


def test_compared_masks_password_query_parameters_too():
    uri = "bigquery://p?credentials_path=/k.json&password=zz"
    assert masked_uri(uri) == "bigquery://p?credentials_path=%2Fk.json&password=XXXXXXXXXX"
    assert masked_uri(uri, query=False) == "bigquery://p?credentials_path=%2Fk.json&password=zz"


def test_compared_uri_spellings_and_empty_extra_sections_are_equal():
    a = desired(uri="postgresql://b%69:pw@db.internal:5432/lake?b=1&a=2",
                extra={"allows_virtual_table_explore": True, "metadata_params": {},
                       "engine_params": {"connect_args": {}}, "schemas_allowed_for_file_upload": []})
    b = desired(uri="postgresql://bi:other@db.internal:5432/lake?a=2&b=1")
    assert a.compared() == b.compared()


def test_a_password_change_alone_is_no_change_but_a_host_change_shows_masked():
    live = LiveObject(desired(uri=MASKED), 3, True)
    assert compare(desired(uri=URI.replace(SECRET, "rotated")), live) is None
    result = plan({"database": {"lake": desired(uri=URI.replace("db.internal", "db2"))}},
                  {"database": {"lake": live}})
    text = render_plan(result) + plan_json(result)
    assert SECRET not in text
    assert 'postgresql://bi:XXXXXXXXXX@db.internal:5432/lake -> postgresql://bi:XXXXXXXXXX@db2:5432/lake' in text


def test_an_unparseable_uri_is_compared_as_written():
    assert Database(name="x", uri="not a uri").compared()["uri"] == "not a uri"


# -- read -------------------------------------------------------------------------

def test_read_fetches_connections_only_for_databases_in_the_tree(rsps, ctx):
    rsps.add("GET", f"{API}/database/", json={"count": 2, "result": [
        {"id": 3, "database_name": "lake", "uuid": managed_uuid("database", "lake")},
        {"id": 4, "database_name": "by-hand", "uuid": "0d4b7f0a-0000-4000-8000-000000000000"}]})
    rsps.add("GET", f"{API}/database/3/connection", json=connection())
    ctx.desired = {"database": {"lake": desired()}}

    live = DatabaseHandler().read(ctx)

    assert paths(rsps) == [("GET", "/api/v1/database/"), ("GET", "/api/v1/database/3/connection")]
    assert compare(desired(), live["lake"]) is None
    assert live["lake"].managed and not live["by-hand"].managed
    assert live["by-hand"].spec.uri == ""  # a summary: only key and marker matter
    assert ctx.ids.id("database", "by-hand") == 4
    assert "columns:!(id,uuid,database_name)" in _unquoted(rsps.calls[0])


def test_read_without_a_tree_reads_every_connection(rsps, ctx):
    rsps.add("GET", f"{API}/database/", json={"count": 2, "result": [
        {"id": 3, "database_name": "lake", "uuid": "x"}, {"id": 4, "database_name": "b", "uuid": "y"}]})
    rsps.add("GET", f"{API}/database/3/connection", json=connection())
    rsps.add("GET", f"{API}/database/4/connection", json=connection(4, "b", "duckdb:////d.db"))
    live = DatabaseHandler().read(ctx)
    assert live["b"].spec.uri == "duckdb:////d.db"
    assert live["lake"].spec.extra == {"allows_virtual_table_explore": True, "metadata_params": {}}


# -- writes -----------------------------------------------------------------------

def test_create_sends_the_real_uri_once_with_the_managed_marker(rsps, csrf, ctx):
    rsps.add("POST", f"{API}/database/", json={"id": 9, "result": {}})

    assert DatabaseHandler().create(ctx, desired()) == 9

    assert sent(rsps.calls[1]) == {
        "database_name": "lake", "sqlalchemy_uri": URI, "cache_timeout": 600,
        "extra": '{"allows_virtual_table_explore": true}',
        "expose_in_sqllab": True, "allow_run_async": False, "allow_dml": False,
        "allow_ctas": False, "allow_cvas": False, "allow_file_upload": False,
        "impersonate_user": False, "is_managed_externally": True,
        "external_url": "superset-iac://database/lake", "uuid": managed_uuid("database", "lake")}
    assert ctx.ids.id("database", "lake") == 9


def test_failed_connection_test_is_one_line_naming_the_database(rsps, csrf, ctx, caplog):
    # A server message that echoes the password must not carry it further.
    rsps.add("POST", f"{API}/database/", status=422, json={"errors": [{
        "message": f"Connection failed for {URI}: password {SECRET} rejected",
        "error_type": "CONNECTION_ACCESS_DENIED_ERROR"}]})
    rsps.add("GET", f"{API}/database/", json={"count": 0, "result": []})  # not made meanwhile
    caplog.set_level(logging.DEBUG)

    with pytest.raises(WriteFailed) as err:
        DatabaseHandler().create(ctx, desired())

    message = str(err.value)
    assert message.startswith("database 'lake' could not be created: POST /api/v1/database/ → 422: ")
    assert "\n" not in message
    assert SECRET not in message and SECRET not in caplog.text


@pytest.mark.parametrize("uri, echoed", [
    ("postgresql://bi:p%40ss-w0rd@db/lake", "p@ss-w0rd"),  # the server may echo it decoded
    ("mssql+pyodbc://db/lake?user=bi&password=q-s3cret", "q-s3cret"),
])
def test_a_refused_create_never_echoes_the_password_in_any_spelling(rsps, csrf, ctx, uri, echoed):
    rsps.add("POST", f"{API}/database/", status=422,
             json={"message": f"could not connect as bi with password {echoed}"})
    rsps.add("GET", f"{API}/database/", json={"count": 0, "result": []})
    with pytest.raises(WriteFailed) as err:
        DatabaseHandler().create(ctx, desired(uri=uri))
    assert echoed not in str(err.value) and "***" in str(err.value)


def test_update_sends_the_masked_uri_to_keep_the_stored_password(rsps, csrf, ctx):
    rsps.add("PUT", f"{API}/database/3", json={"id": 3, "result": {}})
    live = LiveObject(desired(uri=MASKED, cache_timeout=60), 3, True, connection()["result"])
    change = compare(desired(), live)
    assert [f.path for f in change.fields] == ["cache_timeout"]

    DatabaseHandler().update(ctx, change)

    body = sent(rsps.calls[1])
    assert body["sqlalchemy_uri"] == MASKED and body["cache_timeout"] == 600
    assert SECRET not in rsps.calls[1].request.body.decode()
    assert "is_managed_externally" not in body  # an update never changes ownership


def test_update_sends_the_real_password_when_none_is_stored(rsps, csrf, ctx):
    rsps.add("PUT", f"{API}/database/3", json={"id": 3, "result": {}})
    stored = "postgresql://bi@db.internal:5432/lake"
    live = LiveObject(desired(uri=stored), 3, False, connection(uri=stored)["result"])
    DatabaseHandler().update(ctx, compare(desired(), live))
    assert sent(rsps.calls[1])["sqlalchemy_uri"] == URI


def test_a_create_whose_answer_was_lost_is_found_by_its_uuid(rsps, csrf, ctx):
    rsps.add("POST", f"{API}/database/", status=504, body="gateway timeout")
    rsps.add("GET", f"{API}/database/", json={"count": 1, "result": [{"id": 12}]})
    assert DatabaseHandler().create(ctx, desired()) == 12
    assert managed_uuid("database", "lake") in _unquoted(rsps.calls[2])


def test_delete_names_the_database_when_refused(rsps, csrf, ctx):
    rsps.add("DELETE", f"{API}/database/3", status=422,
             json={"message": "There are associated datasets: 1"})
    with pytest.raises(WriteFailed, match="^database 'lake' could not be deleted: DELETE .* 422: There are"):
        DatabaseHandler().delete(ctx, LiveObject(desired(), 3, True))


def test_create_of_a_plan_renders_the_uri_masked():
    result = plan({"database": {"lake": desired()}}, {})
    (change,) = result.changes
    assert change.action is Action.CREATE
    assert f'uri: {MASKED}\n' in render_plan(result)
    assert SECRET not in plan_json(result)


# -- --rotate-passwords ---------------------------------------------------------------

ROTATED = "r0tated-pw"


def _rotation(**fields):
    live = LiveObject(desired(uri=MASKED, **fields), 3, True, connection()["result"])
    return compare(desired(uri=URI.replace(SECRET, ROTATED), **fields), live, rotate=True)


def test_a_rotation_sends_the_real_uri(rsps, csrf, ctx, caplog):
    rsps.add("PUT", f"{API}/database/3", json={"id": 3, "result": {}})
    caplog.set_level(logging.DEBUG)
    change = _rotation()
    assert change.rotate and [f.path for f in change.fields] == ["uri.password"]

    DatabaseHandler().update(ctx, change)

    assert paths(rsps)[1] == ("PUT", "/api/v1/database/3")
    assert sent(rsps.calls[1])["sqlalchemy_uri"] == URI.replace(SECRET, ROTATED)
    assert ROTATED not in caplog.text
    assert ROTATED not in " ".join(f"{r.method} {r.path}" for r in ctx.client.requests)


def test_without_rotation_the_same_update_keeps_the_stored_password(rsps, csrf, ctx):
    rsps.add("PUT", f"{API}/database/3", json={"id": 3, "result": {}})
    live = LiveObject(desired(uri=MASKED, cache_timeout=60), 3, True, connection()["result"])
    change = compare(desired(uri=URI.replace(SECRET, ROTATED)), live)
    assert not change.rotate
    DatabaseHandler().update(ctx, change)
    assert sent(rsps.calls[1])["sqlalchemy_uri"] == MASKED
    assert ROTATED not in rsps.calls[1].request.body.decode()


def test_a_refused_rotation_is_one_line_naming_the_database_without_the_password(
        rsps, csrf, ctx, caplog):
    # Superset tests the connection before saving; the old password stays.
    rsps.add("PUT", f"{API}/database/3", status=422, json={"errors": [{
        "message": f"Connection failed for {URI.replace(SECRET, ROTATED)}: "
                   f"password {ROTATED} rejected",
        "error_type": "CONNECTION_ACCESS_DENIED_ERROR"}]})
    caplog.set_level(logging.DEBUG)

    with pytest.raises(WriteFailed) as err:
        DatabaseHandler().update(ctx, _rotation())

    message = str(err.value)
    assert message.startswith("database 'lake' could not be updated: PUT /api/v1/database/3 → 422: ")
    assert "\n" not in message
    assert ROTATED not in message and ROTATED not in caplog.text
