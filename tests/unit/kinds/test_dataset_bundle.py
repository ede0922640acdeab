"""Datasets read from export bundles (``kinds.dataset_bundle``) against ``responses``.

A bundle here is written as Superset 6.1's ``GET /dataset/export/`` writes
one: ``<root>/metadata.yaml``, ``<root>/datasets/<db>/<name>_<id>.yaml`` per
dataset (no ids of columns or metrics, ``extra`` parsed, ``database_uuid``),
``<root>/databases/<db>.yaml`` with the URI's password masked.
"""

import io
import zipfile
from urllib.parse import unquote

import yaml

from superset_iac.kinds import dataset_bundle
from superset_iac.kinds.dataset import DatasetHandler
from superset_iac.kinds.rest import managed_uuid
from superset_iac.plan.diff import compare
from tests.unit.kinds.conftest import API, body, paths
from tests.unit.kinds.test_dataset import SQL, converged, list_row, spec

DB_UUID = "a2dc77af-e654-49bb-b321-40f6b559a1ee"
ROOT = "dataset_export_20261201T120000"


def exported(detail: dict) -> dict:
    """``detail`` (a ``GET dataset/{id}`` answer) as its file in a bundle."""
    doc = {k: v for k, v in detail.items() if k not in ("id", "database", "owners")}
    doc["columns"] = [{k: v for k, v in c.items() if k != "id"} | {"extra": None}
                      for c in detail["columns"]]
    doc["metrics"] = [{k: v for k, v in m.items() if k != "id"} | {"extra": None}
                      for m in detail["metrics"]]
    return doc | {"database_uuid": DB_UUID, "version": "1.0.0", "params": None}


def bundle(*details: dict, multi_catalog: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(f"{ROOT}/metadata.yaml", "version: 1.0.0\ntype: SqlaTable\n")
        for d in details:
            zf.writestr(f"{ROOT}/datasets/lakehouse/{d['table_name']}_{d['id']}.yaml",
                        yaml.safe_dump(exported(d), sort_keys=False))
        zf.writestr(f"{ROOT}/databases/lakehouse.yaml", yaml.safe_dump({
            "database_name": "lakehouse", "uuid": DB_UUID,
            "sqlalchemy_uri": "trino://svc:XXXXXXXXXX@trino:8080/lakehouse",
            "extra": {"allow_multi_catalog": multi_catalog}}))
    return out.getvalue()


def virtual(n: int) -> tuple[list[dict], list[dict]]:
    """``n`` virtual datasets ``ds0``…: their list rows (owners included) and details."""
    rows, details = [], []
    for i in range(n):
        name = f"ds{i}"
        rows.append({**list_row(10 + i, name), "sql": SQL, "owners": [{"id": 1}]})
        details.append(converged(10 + i, table_name=name, uuid=managed_uuid("dataset", name),
                                 owners=[{"id": 1}]))
    return rows, details


def users(rsps) -> None:
    rsps.add("GET", f"{API}/security/users/", json={"count": 1, "result": [
        {"id": 1, "username": "admin"}]})


def test_three_virtual_datasets_are_one_request_and_equal_their_details(rsps, ctx):
    rows, details = virtual(3)
    rsps.add("GET", f"{API}/dataset/export/", body=bundle(*details),
             content_type="application/zip")
    users(rsps)

    got = dataset_bundle.details(ctx, rows, lambda row: {})

    assert paths(rsps)[0] == ("GET", "/api/v1/dataset/export/")
    assert unquote(rsps.calls[0].request.url).endswith("q=!(10,11,12)")
    handler = DatasetHandler()
    for from_bundle, detail in zip(got, details, strict=True):
        assert dataset_bundle.needs_detail(from_bundle)
        assert handler.to_spec(ctx, from_bundle).model_dump() == \
            handler.to_spec(ctx, detail).model_dump()
        assert compare(spec(name=detail["table_name"], owners=["admin"]),
                       _live(handler, ctx, from_bundle)) is None


def test_physical_datasets_and_fewer_than_three_are_read_one_by_one(rsps, ctx):
    rows, details = virtual(2)
    physical = {**list_row(20, "table"), "owners": []}
    asked = []

    got = dataset_bundle.details(ctx, [*rows, physical],
                                 lambda row: asked.append(row["id"]) or {"id": row["id"]})

    assert asked == [10, 11, 20] and [d["id"] for d in got] == [10, 11, 20]
    assert len(rsps.calls) == 0


def test_a_refused_export_falls_back_to_the_details(rsps, ctx):
    rows, details = virtual(4)
    rsps.add("GET", f"{API}/dataset/export/", status=403, json={"message": "Forbidden"})

    got = dataset_bundle.details(ctx, rows, lambda row: {"id": row["id"], "detail": True})

    assert [d["id"] for d in got] == [10, 11, 12, 13] and all(d["detail"] for d in got)
    assert len(rsps.calls) == 1


def test_what_a_bundle_lacks_is_read_as_a_detail(rsps, ctx):
    rows, details = virtual(3)
    rsps.add("GET", f"{API}/dataset/export/", body=bundle(details[0], details[2]),
             content_type="application/zip")
    asked = []

    got = dataset_bundle.details(ctx, rows, lambda row: asked.append(row["id"]) or {"id": row["id"]})

    assert asked == [11]
    assert [dataset_bundle.needs_detail(d) for d in got] == [True, False, True]


def test_a_multi_catalog_database_keeps_the_catalog(rsps, ctx):
    rows, details = virtual(3)
    for d in details:
        d["catalog"] = "iceberg"
    rsps.add("GET", f"{API}/dataset/export/", body=bundle(*details, multi_catalog=True),
             content_type="application/zip")
    users(rsps)

    got = dataset_bundle.details(ctx, rows, lambda row: {})

    assert [d["database"] for d in got] == [
        {"database_name": "lakehouse", "allow_multi_catalog": True}] * 3
    assert DatasetHandler().to_spec(ctx, got[0]).catalog == "iceberg"


def test_an_unreadable_bundle_falls_back_to_the_details(rsps, ctx):
    rows, details = virtual(3)
    rsps.add("GET", f"{API}/dataset/export/", body=b"not a zip", content_type="application/zip")

    got = dataset_bundle.details(ctx, rows, lambda row: {"id": row["id"]})

    assert [dataset_bundle.needs_detail(d) for d in got] == [False, False, False]


def test_chunks_are_even_and_at_most_twenty():
    sizes = [len(run) for run in dataset_bundle.balanced(list(range(41)), 20)]
    assert sizes == [14, 14, 13]
    assert [len(run) for run in dataset_bundle.balanced(list(range(20)), 20)] == [20]
    assert dataset_bundle.balanced([], 20) == []


def test_an_update_of_a_dataset_read_from_a_bundle_reads_its_column_ids_first(rsps, csrf, ctx):
    rows, details = virtual(3)
    rsps.add("GET", f"{API}/dataset/export/", body=bundle(*details),
             content_type="application/zip")
    users(rsps)
    handler = DatasetHandler()
    ctx.ids.set("database", "lakehouse", 1)
    live = _live(handler, ctx, dataset_bundle.details(ctx, rows, lambda row: {})[0])
    change = compare(spec(name="ds0", owners=["admin"], description="now described"), live)
    assert change is not None and [f.path for f in change.fields] == ["description"]
    rsps.add("GET", f"{API}/dataset/10", json={"id": 10, "result": details[0]})
    rsps.add("PUT", f"{API}/dataset/10", json={"id": 10, "result": {}})

    handler.update(ctx, change)

    assert paths(rsps)[-3:] == [("GET", "/api/v1/dataset/10"), ("GET", "/api/v1/security/csrf_token/"),
                                ("PUT", "/api/v1/dataset/10")]
    sent = body(rsps.calls[-1])
    assert [c.get("id") for c in sent["columns"]] == [20, 21, 24, 22, 23]
    assert sent["description"] == "now described"


def _live(handler, ctx, detail):
    from superset_iac.plan.model import LiveObject

    return LiveObject(handler.to_spec(ctx, detail), detail["id"], True, detail)
