"""Apply progress lines: numbered, one per event, plain unless colour is asked."""

from __future__ import annotations

import click

from superset_iac.apply.engine import ApplyReport, Event, Outcome
from superset_iac.apply.progress import Progress, failure_lines, summary_line
from superset_iac.plan.model import Action, Change


def event(outcome: Outcome, key: str = "Price", message: str = "", seconds: float = 0.0) -> Event:
    return Event(Change(Action.CREATE, "chart", key), outcome, message, seconds)


def test_lines_are_numbered_as_they_happen_and_aligned() -> None:
    lines: list[str] = []
    progress = Progress(12, write=lines.append)
    progress.start()
    progress(event(Outcome.CREATED, seconds=0.4242))
    progress(event(Outcome.FAILED, "Volume", "POST /api/v1/chart/ → 422: bad"))
    assert lines == ["Applying 12 changes.",
                     "[ 1/12] + chart/Price: created (0.42s)",
                     "[ 2/12] ! chart/Volume: failed: POST /api/v1/chart/ → 422: bad"]
    assert progress.done == 2


def test_colour_only_when_asked() -> None:
    lines: list[str] = []
    Progress(1, colour=True, write=lines.append)(event(Outcome.DELETED))
    assert "\x1b[" in lines[0] and click.unstyle(lines[0]).startswith("[1/1] - chart/Price: deleted")


def test_summary_and_recap() -> None:
    report = ApplyReport(events=[event(Outcome.CREATED), event(Outcome.FAILED, "A", "boom"),
                                 event(Outcome.SKIPPED, "B", "depends on chart/A, which failed")],
                         unchanged=7)
    assert summary_line(report, 3.14159) == "Apply: 1 created, 1 failed, 1 skipped, 7 unchanged (3.1s)."
    assert failure_lines(report) == [
        ("1 change(s) failed, 1 skipped because they depend on a failed one; fix the cause and "
         "run apply again (it continues where this run stopped):"),
        "  ! chart/A: boom", "  ? chart/B: depends on chart/A, which failed"]
    assert failure_lines(ApplyReport(events=[event(Outcome.CREATED)])) == []
    assert summary_line(ApplyReport(), 0) == "Apply: nothing to do (0.0s)."
