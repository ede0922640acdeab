"""Run a plan's changes through the handlers, in the plan's order.

A change whose object depends on one that failed (or was skipped) is skipped,
not attempted: a chart is not created against a dataset that does not exist.
Every other change still runs, so one run reports all failures. Nothing here
retries a create blindly: handlers check whether an interrupted create landed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import Enum
from typing import Callable

from superset_iac.errors import IacError
from superset_iac.kinds.base import Context, Handler
from superset_iac.plan.model import Action, Change, Plan


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

    @property
    def failed(self) -> list[Event]:
        return [e for e in self.events if e.outcome in (Outcome.FAILED, Outcome.SKIPPED)]

    @property
    def ok(self) -> bool:
        return not self.failed

    def counts(self) -> dict[str, int]:
        counts = {o.value: 0 for o in Outcome}
        for event in self.events:
            counts[event.outcome.value] += 1
        counts["unchanged"] = self.unchanged
        return counts

    def to_dict(self) -> dict:
        return {"events": [e.to_dict() for e in self.events], "summary": self.counts()}


def apply_plan(plan: Plan, ctx: Context, handlers: dict[str, Handler],
               on_event: Callable[[Event], None] = lambda e: None) -> ApplyReport:
    report = ApplyReport(unchanged=plan.counts()["unchanged"])
    broken: set[tuple[str, str]] = set()
    for change in plan.changes:
        event = _run(change, ctx, handlers[change.kind], broken)
        if event.outcome in (Outcome.FAILED, Outcome.SKIPPED):
            broken.add((change.kind, change.key))
        report.events.append(event)
        on_event(event)
    return report


def _run(change: Change, ctx: Context, handler: Handler,
         broken: set[tuple[str, str]]) -> Event:
    if change.desired is not None:
        blocked = [r for r in change.desired.refs() if (r.kind, r.key) in broken]
        if blocked:
            names = ", ".join(f"{r.kind}/{r.key}" for r in blocked)
            return Event(change, Outcome.SKIPPED, f"depends on {names}, which failed")
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
        return Event(change, Outcome.FAILED, str(err), time.monotonic() - started)
    return Event(change, _DONE[change.action], "", time.monotonic() - started)
