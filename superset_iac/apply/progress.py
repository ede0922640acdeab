"""How an apply reports itself while it runs and when it ends.

Every line goes out as soon as its event happens, complete and on its own
(click flushes each one), so a CI log shows how far a long run got even if
the job is killed. Progress goes to **stderr** for every outcome and both
output formats: stdout carries the result only (the plan and the summary
line, or the JSON document), so ``--format json > plan.json`` stays
parseable while the log still shows the run. Colour only on a terminal.

    Applying 19 changes.
    [ 1/19] + view/hive_prod.logs_db.v_app_logs: created (0.12s)
    [ 4/19] ! dataset/app_log_events: failed: POST /api/v1/dataset/ → 422: …
    [ 9/19] ? chart/Log events by service: skipped: depends on dataset/app_log_events, which failed
"""

from __future__ import annotations

from collections.abc import Callable

import click

from superset_iac.apply.engine import ApplyReport, Event, Outcome

MARK = {Outcome.CREATED: "+", Outcome.UPDATED: "~", Outcome.DELETED: "-",
        Outcome.FAILED: "!", Outcome.SKIPPED: "?"}
_COLOUR = {Outcome.CREATED: "green", Outcome.UPDATED: "yellow", Outcome.DELETED: "red",
           Outcome.FAILED: "red", Outcome.SKIPPED: "magenta"}


class Progress:
    """``on_event`` for ``apply_plan``: one numbered line per change."""

    def __init__(self, total: int, colour: bool = False,
                 write: Callable[[str], None] | None = None) -> None:
        self.total = total
        self.done = 0
        self.colour = colour
        self.write = write or (lambda line: click.echo(line, err=True))

    def start(self) -> None:
        self.write(f"Applying {self.total} change{'s' if self.total != 1 else ''}.")

    def __call__(self, event: Event) -> None:
        self.done += 1
        self.write(f"[{self.done:>{len(str(self.total))}}/{self.total}] {event_line(event, self.colour)}")


def event_line(event: Event, colour: bool = False) -> str:
    head = f"{MARK[event.outcome]} {event.change.ref}"
    if colour:
        head = click.style(head, fg=_COLOUR[event.outcome], bold=True)
    line = f"{head}: {event.outcome.value}"
    if event.message:
        line += f": {event.message}"
    elif event.outcome not in (Outcome.FAILED, Outcome.SKIPPED):
        line += f" ({event.seconds:.2f}s)"
    return line


def summary_line(report: ApplyReport, seconds: float) -> str:
    """``Apply: 3 created, 1 updated, 1 failed, 2 skipped, 12 unchanged (4.2s).``"""
    counts = report.counts()
    parts = [f"{n} {k.replace('_', ' ')}" for k, n in counts.items() if n] or ["nothing to do"]
    return f"Apply: {', '.join(parts)} ({seconds:.1f}s)."


def failure_lines(report: ApplyReport) -> list[str]:
    """Every failed and skipped change again, after the run: in a long log the
    first failure may be hundreds of lines up."""
    failed = [e for e in report.events if e.outcome is Outcome.FAILED]
    skipped = [e for e in report.events if e.outcome is Outcome.SKIPPED]
    if report.stopped:  # the server went away: say so first, then what failed
        return [report.stopped] + [f"  {MARK[e.outcome]} {e.change.ref}: {e.message}"
                                   for e in failed + skipped]
    if not failed and not skipped:
        return []
    head = f"{len(failed)} change(s) failed"
    if skipped:
        head += f", {len(skipped)} skipped because they depend on a failed one"
    lines = [head + "; fix the cause and run apply again (it continues where this run stopped):"]
    lines += [f"  {MARK[e.outcome]} {e.change.ref}: {e.message}" for e in failed + skipped]
    return lines
