"""Two applies at once: a create refused because the other run just made the
object is adopted, and the apply's event says what happened."""

from __future__ import annotations

import pytest

from superset_iac.apply.engine import Outcome, apply_plan
from superset_iac.kinds.chart import ChartHandler
from superset_iac.kinds.rest import CREATED_MEANWHILE, WriteFailed, managed_uuid
from superset_iac.model.chart import Chart
from superset_iac.plan.diff import plan
from superset_iac.superset.errors import ApiError
from tests.unit.kinds.conftest import API, paths

UUID = managed_uuid("chart", "Price")
REFUSED = {"message": "Chart could not be created."}


@pytest.fixture
def ids() -> dict:
    return {"dataset": {"option_ticks": 4}}


def spec() -> Chart:
    return Chart.model_validate({"name": "Price", "dataset": "option_ticks",
                                 "viz_type": "table"})


def test_a_create_refused_because_another_run_made_it_is_adopted(rsps, csrf, ctx) -> None:
    rsps.add("POST", f"{API}/chart/", status=422, json=REFUSED)
    rsps.add("GET", f"{API}/chart/{UUID}", json={"id": 21, "result": {"id": 21}})
    rsps.add("PUT", f"{API}/chart/21", json={"id": 21, "result": {}})  # the create's own follow-up
    report = apply_plan(plan({"chart": {"Price": spec()}}, {}), ctx, {"chart": ChartHandler()})
    [event] = report.events
    assert (event.outcome, event.message) == (Outcome.CREATED, CREATED_MEANWHILE)
    assert CREATED_MEANWHILE == "created meanwhile by another run, adopted; re-run converges"
    assert ctx.ids.id("chart", "Price") == 21
    assert [m for m, _ in paths(rsps)] == ["GET", "POST", "GET", "PUT"]  # one POST, never two
    assert report.ok


def test_a_refusal_with_nothing_made_meanwhile_is_reported_as_it_came(rsps, csrf, ctx) -> None:
    rsps.add("POST", f"{API}/chart/", status=422, json=REFUSED)
    rsps.add("GET", f"{API}/chart/{UUID}", status=404, json={"message": "Not found"})
    with pytest.raises(ApiError) as info:
        ChartHandler().create(ctx, spec())
    assert str(info.value) == "POST /api/v1/chart/ → 422: Chart could not be created."
    assert not isinstance(info.value, WriteFailed)


def test_a_refusal_for_another_reason_is_not_looked_up(rsps, csrf, ctx) -> None:
    rsps.add("POST", f"{API}/chart/", status=403, json={"message": "Forbidden"})
    with pytest.raises(ApiError, match="403"):
        ChartHandler().create(ctx, spec())
    assert [m for m, _ in paths(rsps)] == ["GET", "POST"]
