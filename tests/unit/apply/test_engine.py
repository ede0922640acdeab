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
