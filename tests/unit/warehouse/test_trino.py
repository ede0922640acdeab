"""The Trino executor at the HTTP level: what is POSTed to /v1/statement,
paging through nextUri, and Trino errors turned into one line."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest
import requests
import responses

from superset_iac.errors import ConfigError
from superset_iac.kinds.base import Context
from superset_iac.kinds.view import ViewHandler
from superset_iac.model.environment import Warehouse as WarehouseConfig
from superset_iac.model.view import View
from superset_iac.warehouse import LiveView, ViewDdl
from superset_iac.warehouse.errors import WarehouseError
from superset_iac.warehouse.trino import TrinoWarehouse

BASE = "https://trino.example:8443"
STATEMENT = f"{BASE}/v1/statement"
SALT = "pepper-123"


class FakeTrino:
    """Answers each POSTed statement from a script: pages of rows, or an error.

    Every query is queued first, then served one page per ``nextUri`` GET, the
    way a coordinator answers.
    """

    def __init__(self, rsps: responses.RequestsMock) -> None:
        self.script: list[tuple[str, Any]] = []  # (statement prefix, pages | error)
        self.statements: list[str] = []
        self.headers: list[dict[str, str]] = []
        self.fetched: list[str] = []  # nextUri GETs, in order
        self._queries: dict[str, list[Any]] = {}
        rsps.add_callback(responses.POST, STATEMENT, callback=self._post)
        rsps.add_callback(responses.GET, re.compile(rf"{re.escape(BASE)}/v1/statement/executing/.*"),
                          callback=self._get)

    def answer(self, prefix: str, pages: list[list[list[Any]]] | None = None,
               error: dict | None = None) -> None:
        self.script.append((prefix, error if error else (pages or [[]])))

    def _post(self, request: requests.PreparedRequest) -> tuple[int, dict, str]:
        sql = request.body.decode() if isinstance(request.body, bytes) else request.body
        self.statements.append(sql)
        self.headers.append(dict(request.headers))
        qid = f"q{len(self.statements)}"
        for prefix, outcome in self.script:
            if sql.startswith(prefix):
                self._queries[qid] = [outcome] if isinstance(outcome, dict) else list(outcome)
                break
        else:
            raise AssertionError(f"unexpected statement: {sql}")
        return 200, {}, json.dumps(self._status(qid, next_page=0, rows=None))

    def _get(self, request: requests.PreparedRequest) -> tuple[int, dict, str]:
        qid, page = request.url.rsplit("/", 2)[-2:]
        self.fetched.append(f"{qid}/{page}")
        pages = self._queries[qid]
        item = pages[int(page)]
        if isinstance(item, dict):  # an error
            body = {"id": qid, "infoUri": f"{BASE}/ui/{qid}", "stats": {"state": "FAILED"},
                    "error": item}
            return 200, {}, json.dumps(body)
        more = int(page) + 1 < len(pages)
        return 200, {}, json.dumps(self._status(qid, int(page) + 1 if more else None, item))

    @staticmethod
    def _status(qid: str, next_page: int | None, rows: list | None) -> dict:
        body: dict[str, Any] = {"id": qid, "infoUri": f"{BASE}/ui/{qid}",
                                "stats": {"state": "RUNNING" if next_page is not None else "FINISHED"}}
        if next_page is not None:
            body["nextUri"] = f"{BASE}/v1/statement/executing/{qid}/{next_page}"
        if rows is not None:
            varchar = {"rawType": "varchar", "arguments": []}
            body["columns"] = [{"name": f"c{i}", "type": "varchar", "typeSignature": varchar}
                               for i in range(len(rows[0]))] if rows else []
            body["data"] = rows
        return body


@pytest.fixture
def trino():
    with responses.RequestsMock() as rsps:
        yield FakeTrino(rsps)


def config(**overrides: Any) -> WarehouseConfig:
    data = {"type": "trino", "host": "trino.example", "port": 8443, "user": "iac",
            "catalog": "hive_prod", "http_scheme": "https", "auth": "basic",
            "password": "trino-pw", "mask_salt": SALT}
    return WarehouseConfig.model_validate({**data, **overrides})


def warehouse(**overrides: Any) -> TrinoWarehouse:
    return TrinoWarehouse(config(**overrides), ["hive_prod.option_ticks_db"])


def test_create_view_posts_the_ddl_with_user_catalog_and_basic_auth(trino: FakeTrino) -> None:
    trino.answer("CREATE OR REPLACE VIEW", [[], []])  # two pages: nextUri followed to the end
    warehouse().create_or_replace(ViewDdl("hive_prod.s.v", 'SELECT "a" FROM "hive_prod"."s"."t"'))
    assert trino.statements == [
        'CREATE OR REPLACE VIEW "hive_prod"."s"."v" COMMENT \'superset-iac://view/hive_prod.s.v\' '
        'SECURITY DEFINER AS\nSELECT "a" FROM "hive_prod"."s"."t"']
    assert trino.fetched == ["q1/0", "q1/1"]
    headers = trino.headers[0]
    assert headers["X-Trino-User"] == "iac"
    assert headers["X-Trino-Catalog"] == "hive_prod"
    assert headers["X-Trino-Source"] == "superset-iac"
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"iac:trino-pw").decode()


def test_jwt_auth_sends_a_bearer_token(trino: FakeTrino) -> None:
    trino.answer("DROP VIEW")
    warehouse(auth="jwt", password=None, jwt_token="eyJ.token").drop("hive_prod.s.v")
    assert trino.statements == ['DROP VIEW IF EXISTS "hive_prod"."s"."v"']
    assert trino.headers[0]["Authorization"] == "Bearer eyJ.token"


def test_no_auth_over_http_sends_no_authorization() -> None:
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, "http://trino:8080/v1/statement",
                 json={"id": "q", "infoUri": "http://trino:8080/ui/q", "stats": {"state": "FINISHED"}})
        TrinoWarehouse(config(host="trino", port=8080, http_scheme="http", auth="none",
                              password=None)).drop("hive_prod.s.v", materialized=True)
        request = rsps.calls[0].request
    assert request.body in (b'DROP MATERIALIZED VIEW IF EXISTS "hive_prod"."s"."v"',
                            'DROP MATERIALIZED VIEW IF EXISTS "hive_prod"."s"."v"')
    assert "Authorization" not in request.headers


def test_authentication_over_plain_http_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="needs http_scheme: https"):
        warehouse(http_scheme="http").drop("hive_prod.s.v")


def test_list_views_reads_three_catalog_tables_and_pages_through_next_uri(trino: FakeTrino) -> None:
    mv_sql = "SELECT symbol, count(*) AS n FROM hive_prod.option_ticks_db.t GROUP BY symbol"
    trino.answer("SELECT schema_name, name, comment, definition", [[
        ["option_ticks_db", "mv_daily", "superset-iac://view/hive_prod.option_ticks_db.mv_daily",
         mv_sql]]])
    trino.answer("SELECT table_schema, table_name, view_definition", [
        [["option_ticks_db", "v_masked", "SELECT a FROM t"]],
        [["option_ticks_db", "v_other", "SELECT b FROM t"],
         ["option_ticks_db", "mv_daily", mv_sql]],  # some versions list MVs here too
    ])
    trino.answer("SELECT schema_name, table_name, comment", [[
        ["option_ticks_db", "v_masked", "superset-iac://view/hive_prod.option_ticks_db.v_masked"],
        ["option_ticks_db", "v_other", None]]])
    views = warehouse().list_views()
    assert trino.statements == [
        "SELECT schema_name, name, comment, definition FROM system.metadata.materialized_views "
        "WHERE catalog_name = 'hive_prod' AND schema_name IN ('option_ticks_db')",
        'SELECT table_schema, table_name, view_definition FROM "hive_prod"."information_schema".'
        "\"views\" WHERE table_schema IN ('option_ticks_db')",
        "SELECT schema_name, table_name, comment FROM system.metadata.table_comments "
        "WHERE catalog_name = 'hive_prod' AND schema_name IN ('option_ticks_db')",
    ]
    assert views == {
        "hive_prod.option_ticks_db.mv_daily": LiveView(
            "hive_prod.option_ticks_db.mv_daily", mv_sql, True, True),
        "hive_prod.option_ticks_db.v_masked": LiveView(
            "hive_prod.option_ticks_db.v_masked", "SELECT a FROM t", False, True),
        "hive_prod.option_ticks_db.v_other": LiveView(
            "hive_prod.option_ticks_db.v_other", "SELECT b FROM t", False, False),
    }


def test_schema_names_are_escaped_literals(trino: FakeTrino) -> None:
    trino.answer("SELECT")
    warehouse().list_views(["hive_prod.it's"])
    assert "schema_name IN ('it''s')" in trino.statements[0]


def test_a_trino_error_is_one_line_naming_the_view_without_the_salt(trino: FakeTrino) -> None:
    trino.answer("CREATE OR REPLACE VIEW", error={
        "message": f"line 2:40: Column 'x' cannot be resolved near '{SALT}'\n  more detail",
        "errorCode": 47, "errorName": "COLUMN_NOT_FOUND", "errorType": "USER_ERROR"})
    with pytest.raises(WarehouseError) as caught:
        warehouse().create_or_replace(ViewDdl("hive_prod.s.v", "SELECT x FROM t"))
    message = str(caught.value)
    assert message == ("view hive_prod.s.v: Trino COLUMN_NOT_FOUND: line 2:40: Column 'x' "
                       "cannot be resolved near '(sensitive)' more detail")
    assert "\n" not in message and SALT not in message


def test_an_unreachable_trino_is_one_line_without_the_password() -> None:
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, STATEMENT, body=requests.ConnectionError("connection refused"))
        with pytest.raises(WarehouseError) as caught:
            warehouse().refresh("hive_prod.s.mv")
    message = str(caught.value)
    assert message.startswith("view hive_prod.s.mv (refresh): Trino at "
                              "https://trino.example:8443 failed: ")
    assert "trino-pw" not in message and "\n" not in message
    assert getattr(caught.value, "exit_code") == 2  # configuration, like an unreachable Superset


def test_an_http_error_status_is_one_line() -> None:
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, STATEMENT, status=401, body="Unauthorized")
        with pytest.raises(WarehouseError, match=r"^view hive_prod.s.v: Trino at .* error 401"):
            warehouse().drop("hive_prod.s.v")


def test_the_handler_creates_then_refreshes_a_materialized_view(trino: FakeTrino) -> None:
    trino.answer("CREATE OR REPLACE MATERIALIZED VIEW")
    trino.answer("REFRESH MATERIALIZED VIEW", [[[12]]])
    wh = warehouse()
    spec = View(name="hive_prod.s.mv", sql="SELECT symbol, count(*) AS n FROM hive_prod.s.t "
                "GROUP BY symbol", materialized=True)
    ViewHandler().create(Context(client=None, warehouse=wh), spec.for_target(wh.target))
    assert trino.statements == [
        'CREATE OR REPLACE MATERIALIZED VIEW "hive_prod"."s"."mv" COMMENT '
        "'superset-iac://view/hive_prod.s.mv' AS\n"
        "SELECT symbol, count(*) AS n FROM hive_prod.s.t GROUP BY symbol",
        'REFRESH MATERIALIZED VIEW "hive_prod"."s"."mv"']


def test_the_handler_reads_live_views_equal_to_the_desired_ones(trino: FakeTrino) -> None:
    wh = warehouse()
    desired = View.model_validate({
        "name": "hive_prod.option_ticks_db.v_masked", "source": "hive_prod.option_ticks_db.t",
        "columns": [{"name": "symbol"}, {"name": "trader_id", "mask": "hash"}]}).for_target(wh.target)
    # what Trino keeps: the query text as it was created
    from superset_iac.warehouse.sqlgen import query_sql

    stored = query_sql(desired, SALT)
    trino.answer("SELECT schema_name, name, comment, definition")
    trino.answer("SELECT table_schema, table_name, view_definition",
                 [[["option_ticks_db", "v_masked", stored]]])
    trino.answer("SELECT schema_name, table_name, comment", [[
        ["option_ticks_db", "v_masked", "superset-iac://view/hive_prod.option_ticks_db.v_masked"]]])
    ctx = Context(client=None, warehouse=wh, desired={"view": {desired.key: desired}})
    live = ViewHandler().read(ctx)
    assert list(live) == [desired.key] and live[desired.key].managed
    assert live[desired.key].spec.compared() == desired.compared()
    assert ctx.ids.id("view", desired.key) == desired.key
