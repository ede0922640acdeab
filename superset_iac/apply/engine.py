"""Run a plan's changes through the handlers, in the plan's order.

A change whose object depends on one that failed (or was skipped) is skipped,
not attempted: a chart is not created against a dataset that does not exist.
Every other change still runs, so one run reports all failures. Nothing here
retries a create blindly: handlers check whether an interrupted create landed.

Except when the server itself is gone: a change that got no answer at all
(connection refused or reset, a timeout) stops the run. Every remaining change
would meet the same fate after its own retries and backoff; the report says
how far the run got and which changes were not attempted.

Side by side. Consecutive creates and updates of one kind whose handler says
its writes are independent (``Handler.independent_writes``; no kind says
so today: charts and dashboards created at once race in Superset's tagging
listeners on PostgreSQL) and none of which names another of them run as one batch through the
client's pool (``client.concurrently``). What decides skipping is known
before the batch starts, so it skips exactly what one after another would;
the events are reported, and the requests logged, in the plan's order. A
batch in which the server stopped answering is reported whole (its changes
ran), and what follows it is not attempted.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum

from superset_iac.errors import IacError
from superset_iac.kinds.base import Context, Handler
from superset_iac.kinds.rest import take_note
from superset_iac.plan.model import Action, Change, Plan
from superset_iac.superset.transport import server_unreachable


class Outcome(str, Enum):
    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"
    FAILED = "failed"
    SKIPPED = "skipped"


_DONE = {Action.CREATE: Outcome.CREATED, Action.UPDATE: Outcome.UPDATED,
         Action.DELETE: Outcome.DELETED}


@dataclass
class Event:
    change: Change
    outcome: Outcome
    message: str = ""
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {"ref": self.change.ref, "action": self.change.action.value,
                "outcome": self.outcome.value, "message": self.message,
                "seconds": round(self.seconds, 3)}


@dataclass
class ApplyReport:
    events: list[Event] = field(default_factory=list)
    unchanged: int = 0
    # Set when the server stopped answering: why, and what was never tried.
    stopped: str = ""
    not_attempted: list[Change] = field(default_factory=list)

    @property
    def failed(self) -> list[Event]:
        return [e for e in self.events if e.outcome in (Outcome.FAILED, Outcome.SKIPPED)]

    @property
    def ok(self) -> bool:
        return not self.failed and not self.not_attempted

    def applied(self) -> int:
        return sum(1 for e in self.events if e.outcome in _DONE.values())

    def counts(self) -> dict[str, int]:
        counts = {o.value: 0 for o in Outcome}
        for event in self.events:
            counts[event.outcome.value] += 1
        counts["not_attempted"] = len(self.not_attempted)
        counts["unchanged"] = self.unchanged
        return counts

    def to_dict(self) -> dict:
        data: dict = {"events": [e.to_dict() for e in self.events], "summary": self.counts()}
        if self.stopped:
            data["stopped"] = self.stopped
            data["not_attempted"] = [c.ref for c in self.not_attempted]
        return data


def apply_plan(plan: Plan, ctx: Context, handlers: Mapping[str, Handler],
               on_event: Callable[[Event], None] = lambda e: None) -> ApplyReport:
    report = ApplyReport(unchanged=plan.counts()["unchanged"])
    broken: set[tuple[str, str]] = set()
    done = 0
    for batch in batches(plan.changes, handlers):
        def run(change: Change) -> tuple[Event, IacError | None]:
            return _run(change, ctx, handlers[change.kind], broken)

        results = [run(batch[0])] if len(batch) == 1 else ctx.client.concurrently(run, batch)
        gone: Change | None = None
        for change, (event, error) in zip(batch, results, strict=True):
            if event.outcome in (Outcome.FAILED, Outcome.SKIPPED):
                broken.add((change.kind, change.key))
            report.events.append(event)
            on_event(event)
            if gone is None and error is not None and server_unreachable(error):
                gone = change
        done += len(batch)
        if gone is not None:
            report.not_attempted = plan.changes[done:]
            report.stopped = _stopped(report, len(plan.changes), gone)
            break
    return report


def batches(changes: list[Change], handlers: Mapping[str, Handler]) -> list[list[Change]]:
    """``changes`` in order, in runs that may go side by side (see the module
    docstring); every other change is a run of its own."""
    out: list[list[Change]] = []
    keys: set[tuple[str, str]] = set()
    for change in changes:
        last = out[-1] if out else []
        if last and _independent(change, handlers) and _independent(last[0], handlers) \
                and last[0].kind == change.kind and not _names_any(change, keys):
            last.append(change)
        else:
            out.append([change])
            keys = set()
        keys.add((change.kind, change.key))
    return out


def _names_any(change: Change, keys: set[tuple[str, str]]) -> bool:
    refs = change.desired.refs() if change.desired is not None else []
    return any((r.kind, r.key) in keys for r in refs)


def _independent(change: Change, handlers: Mapping[str, Handler]) -> bool:
    return (change.action is not Action.DELETE and change.desired is not None
            and handlers[change.kind].independent_writes)


def _stopped(report: ApplyReport, total: int, last: Change) -> str:
    rest = len(report.not_attempted)
    return (f"stopped: {last.ref} got no answer from the server; {report.applied()} of "
            f"{total} changes applied, the {rest} after it not attempted; run apply again "
            "when the server answers (it continues where this run stopped)")


def _run(change: Change, ctx: Context, handler: Handler,
         broken: set[tuple[str, str]]) -> tuple[Event, IacError | None]:
    """The change's event, and the error that failed it (if one did)."""
    if change.desired is not None:
        blocked = [r for r in change.desired.refs() if (r.kind, r.key) in broken]
        if blocked:
            names = ", ".join(f"{r.kind}/{r.key}" for r in blocked)
            return Event(change, Outcome.SKIPPED, f"depends on {names}, which failed"), None
    started = time.monotonic()
    try:
        if change.action is Action.CREATE:
            assert change.desired is not None
            handler.create(ctx, change.desired)
        elif change.action is Action.UPDATE:
            handler.update(ctx, change)
        else:
            assert change.live is not None
            handler.delete(ctx, change.live)
    except IacError as err:
        return Event(change, Outcome.FAILED, str(err), time.monotonic() - started), err
    return Event(change, _DONE[change.action], take_note(ctx, change.ref),
                 time.monotonic() - started), None
