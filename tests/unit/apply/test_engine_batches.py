"""Apply side by side: which changes form a batch, and that a batch reports,
skips and stops exactly as one change after another would."""

from __future__ import annotations

import threading
from typing import Any, Callable, Iterable

from superset_iac.apply.engine import Outcome, apply_plan, batches
from superset_iac.kinds.base import Context
from superset_iac.model import Chart, Dashboard, Dataset, Role
from superset_iac.plan.diff import plan
from superset_iac.superset.errors import ApiError
from tests.unit.apply.recorder import Recorder, dataset


class Independent(Recorder):
    independent_writes = True

    def create(self, ctx: Context, spec: Any) -> int:
        with LOCK:
            return super().create(ctx, spec)


LOCK = threading.Lock()


class Backwards:
    """A client whose pool runs the calls of a batch last first (answers come
    back in any order) and says how large each batch was."""

    concurrency = 4

    def __init__(self) -> None:
        self.batches: list[int] = []

    def concurrently(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
        todo = list(items)
        self.batches.append(len(todo))
        results = {i: fn(todo[i]) for i in reversed(range(len(todo)))}
        return [results[i] for i in range(len(todo))]


def chart(name: str, on: str) -> Chart:
    return Chart(name=name, dataset=on, viz_type="table")


def board(slug: str, *charts: str) -> Dashboard:
    return Dashboard.model_validate({"title": slug, "slug": slug,
                                     "layout": [{"row": [{"chart": c} for c in charts]}]})


def handlers(**fail: set[str]) -> dict[str, Recorder]:
    return {"dataset": Independent(Dataset, fail=fail.get("dataset", set())),
            "chart": Independent(Chart, fail=fail.get("chart", set())),
            "role": Recorder(Role), "dashboard": Independent(Dashboard)}


DESIRED = {"dataset": {"a": dataset("a"), "b": dataset("b")},
           "chart": {f"c{i}": chart(f"c{i}", "ab"[i % 2]) for i in range(4)},
           "role": {"r": Role(name="r", extends=["Gamma"])},
           "dashboard": {"d1": board("d1", "c0", "c1"), "d2": board("d2", "c2", "c3")}}


def test_a_batch_is_one_kind_in_plan_order_between_dependencies() -> None:
    the_plan = plan(DESIRED, {})
    runs = [[c.ref for c in run] for run in batches(the_plan.changes, handlers())]
    assert runs == [["dataset/a", "dataset/b"], ["chart/c0", "chart/c1", "chart/c2", "chart/c3"],
                    ["role/r"], ["dashboard/d1", "dashboard/d2"]]


def test_events_come_in_plan_order_and_dependants_of_a_failure_are_skipped() -> None:
    client, seen = Backwards(), []
    report = apply_plan(plan(DESIRED, {}), Context(client=client), handlers(dataset={"a"}),
                        on_event=lambda e: seen.append(e.change.ref))
    assert seen == [c.ref for c in plan(DESIRED, {}).changes]
    outcomes = {e.change.ref: e.outcome for e in report.events}
    assert [outcomes[f"chart/c{i}"] for i in range(4)] == [Outcome.SKIPPED, Outcome.CREATED] * 2
    assert outcomes["dashboard/d1"] is Outcome.SKIPPED  # names c0, skipped
    assert outcomes["dashboard/d2"] is Outcome.SKIPPED  # names c2, skipped
    assert client.batches == [2, 4, 2]


def test_a_batch_that_loses_the_server_is_reported_whole_and_stops_the_run() -> None:
    class Gone(Independent):
        def create(self, ctx: Context, spec: Any) -> int:
            if spec.key == "c1":
                raise ApiError("POST", "/api/v1/chart/", None, "cannot reach x: refused")
            return super().create(ctx, spec)

    kinds = handlers()
    kinds["chart"] = Gone(Chart)
    report = apply_plan(plan(DESIRED, {}), Context(client=Backwards()), kinds)
    assert [e.change.ref for e in report.events][-4:] == [f"chart/c{i}" for i in range(4)]
    assert [c.ref for c in report.not_attempted] == ["role/r", "dashboard/d1", "dashboard/d2"]
    assert report.stopped.startswith("stopped: chart/c1 got no answer from the server; "
                                     "5 of 9 changes applied, the 3 after it not attempted")
