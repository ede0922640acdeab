"""Plans as text, Terraform-style: ``+`` create, ``~`` update, ``-`` delete."""

from __future__ import annotations

import json
from typing import Any

import click

from superset_iac.model.refs import MASK
from superset_iac.plan.model import SYMBOL, Action, Change, Plan

_COLOUR = {Action.CREATE: "green", Action.UPDATE: "yellow", Action.DELETE: "red"}
_LONG = 120


def render_plan(plan: Plan, colour: bool = False) -> str:
    lines: list[str] = []
    for change in plan.changes:
        lines.extend(render_change(change, colour))
    lines.append(summary_line(plan))
    return "\n".join(lines)


def render_change(change: Change, colour: bool = False) -> list[str]:
    head = f"{SYMBOL[change.action]} {change.ref}"
    if colour:
        head = click.style(head, fg=_COLOUR[change.action], bold=True)
    lines = [head]
    if change.action is Action.UPDATE:
        for f in change.fields:
            before, after = (MASK, MASK) if f.sensitive else (_fmt(f.before), _fmt(f.after))
            lines.append(f"    {f.path}: {before} -> {after}")
    elif change.action is Action.CREATE:
        for f in change.fields:
            if f.after in (None, [], {}, False):
                continue  # defaults add nothing to a create's description
            lines.append(f"    {f.path}: {MASK if f.sensitive else _fmt(f.after)}")
    return lines


def summary_line(plan: Plan) -> str:
    c = plan.counts()
    if not plan.has_changes:
        return f"No changes. {c['unchanged']} objects up to date."
    return (f"Plan: {c['create']} to create, {c['update']} to update, "
            f"{c['delete']} to delete, {c['unchanged']} unchanged.")


def _fmt(value: Any) -> str:
    if value is None:
        return "(none)"
    text = json.dumps(value, sort_keys=False, default=str) if not isinstance(value, str) \
        else json.dumps(value)
    return text if len(text) <= _LONG else text[: _LONG - 1] + "…"


def plan_json(plan: Plan) -> str:
    return json.dumps(plan.to_dict(), indent=2, default=str)
