"""The apply engine: order, failure isolation, dependants skipped."""

from __future__ import annotations

from superset_iac.apply.engine import Outcome, apply_plan
from superset_iac.kinds.base import Context
from superset_iac.model import Chart, Dataset
from superset_iac.plan.diff import plan
from tests.unit.apply.recorder import Recorder, dataset


def test_failure_skips_dependants_and_runs_the_rest() -> None:
    datasets, charts = Recorder(Dataset, fail={"bad"}), Recorder(Chart)
    desired = {"dataset": {"bad": dataset("bad"), "good": dataset("good")},
               "chart": {"on-bad": Chart(name="on-bad", dataset="bad", viz_type="table"),
                         "on-good": Chart(name="on-good", dataset="good", viz_type="table")}}
    report = apply_plan(plan(desired, {}), Context(client=None),
                        {"dataset": datasets, "chart": charts})
    outcomes = {e.change.ref: e.outcome for e in report.events}
    assert outcomes == {"dataset/bad": Outcome.FAILED, "dataset/good": Outcome.CREATED,
                        "chart/on-bad": Outcome.SKIPPED, "chart/on-good": Outcome.CREATED}
    assert charts.calls == ["create on-good"]
    assert not report.ok
    assert report.counts()["failed"] == 1 and report.counts()["skipped"] == 1
    assert "422" in report.events[0].message


def test_success_report() -> None:
    datasets = Recorder(Dataset)
    report = apply_plan(plan({"dataset": {"a": dataset("a")}}, {}), Context(client=None),
                        {"dataset": datasets})
    assert report.ok and report.counts()["created"] == 1
    assert datasets.calls == ["create a"]


def test_a_change_that_gets_no_answer_stops_the_run() -> None:
    from superset_iac.superset.errors import ApiError

    class Gone(Recorder):
        def create(self, ctx: Context, spec: Dataset) -> int:
            self.calls.append(f"create {spec.key}")
            if spec.key == "b":
                raise ApiError("POST", "/api/v1/dataset/", None, "cannot reach x: refused")
            return 1

    datasets, charts = Gone(Dataset), Recorder(Chart)
    desired = {"dataset": {k: dataset(k) for k in ("a", "b", "c")},
               "chart": {"on-a": Chart(name="on-a", dataset="a", viz_type="table")}}
    report = apply_plan(plan(desired, {}), Context(client=None),
                        {"dataset": datasets, "chart": charts})
    assert datasets.calls == ["create a", "create b"] and charts.calls == []
    assert [c.ref for c in report.not_attempted] == ["dataset/c", "chart/on-a"]
    assert report.counts()["not_attempted"] == 2 and not report.ok
    assert report.stopped.startswith("stopped: dataset/b got no answer from the server; "
                                     "1 of 4 changes applied, the 2 after it not attempted")
    assert report.to_dict()["not_attempted"] == ["dataset/c", "chart/on-a"]


def test_an_answered_failure_does_not_stop_the_run() -> None:
    datasets = Recorder(Dataset, fail={"a"})
    report = apply_plan(plan({"dataset": {k: dataset(k) for k in ("a", "b")}}, {}),
                        Context(client=None), {"dataset": datasets})
    assert datasets.calls == ["create a", "create b"] and not report.stopped
