"""Plans as text, Terraform-style: ``+`` create, ``~`` update, ``-`` delete.

Nothing is ever cut short. A scalar, a one-line string and a short list or
mapping are shown on the field's line as the files write them, YAML's flow
style (``path: 50 -> 10``, ``sql: SELECT 1 -> SELECT 2``), unset entries of
mappings left out (a ``null`` says nothing).
Multi-line text (SQL, markdown) and a list or mapping longer than ``WIDTH``
(a layout, a JSON document) are shown as an indented block below the path:
for an update as a unified diff of before and after (``-``/``+`` lines and
``@@`` hunk headers, three lines of context), so a one-line edit to a
40-line query reads as that line in its context. Structured values are
written as the YAML of the asset files first (``export.yamlout``), a key per
line, so their diff is line by line too and reads like the file.
Secret fields are ``(sensitive)`` whatever their size.
"""

from __future__ import annotations

import difflib
import json
from typing import Any

import click
import yaml

from superset_iac.diagnostics import printable
from superset_iac.export import yamlout
from superset_iac.model.refs import MASK
from superset_iac.plan.model import SYMBOL, Action, Change, FieldChange, Plan
from superset_iac.secrets import mask_values

_COLOUR = {Action.CREATE: "green", Action.UPDATE: "yellow", Action.DELETE: "red"}
_LINE_COLOUR = {"+": "green", "-": "red", "@": "cyan"}
# A value whose one-line form is longer than this is shown as a block.
WIDTH = 100
CONTEXT = 3
_FIELD = " " * 4
_BLOCK = " " * 8


def render_plan(plan: Plan, colour: bool = False) -> str:
    lines: list[str] = []
    for change in plan.changes:
        lines.extend(render_change(change, colour))
    lines.append(summary_line(plan))
    if plan.not_in_tree:
        lines.append(not_in_tree_line(plan.not_in_tree))
    return "\n".join(lines)


_NAMED = 5  # objects a not-in-tree line names before it counts the rest


def not_in_tree_line(refs: list[str]) -> str:
    """``3 managed objects are no longer in the tree (a, b, c); --prune deletes them.``"""
    more = f", and {len(refs) - _NAMED} more" if len(refs) > _NAMED else ""
    named = ", ".join(printable(r) for r in refs[:_NAMED]) + more
    what = "1 managed object is" if len(refs) == 1 else f"{len(refs)} managed objects are"
    return f"{what} no longer in the tree ({named}); --prune deletes {'it' if len(refs) == 1 else 'them'}."


def render_change(change: Change, colour: bool = False) -> list[str]:
    # A name is the tree's or the server's: escaped, it cannot forge a line.
    head = f"{SYMBOL[change.action]} {printable(change.ref)}"
    if colour:
        head = click.style(head, fg=_COLOUR[change.action], bold=True)
    lines = [head]
    if change.action is Action.UPDATE:
        for f in change.fields:
            lines.extend(_update_lines(f, colour))
    elif change.action is Action.CREATE:
        for f in change.fields:
            if f.after in (None, [], {}, False):
                continue  # defaults add nothing to a create's description
            lines.extend(_create_lines(f))
    # No remembered secret is shown, whatever field it ended up in.
    return [mask_values(line, MASK) for line in lines]


def summary_line(plan: Plan) -> str:
    c = plan.counts()
    if not plan.has_changes:
        return f"No changes. {c['unchanged']} objects up to date."
    return (f"Plan: {c['create']} to create, {c['update']} to update, "
            f"{c['delete']} to delete, {c['unchanged']} unchanged.")


def plan_json(plan: Plan) -> str:
    return json.dumps(plan.to_dict(), indent=2, default=str)


# -- one field ------------------------------------------------------------------

def _update_lines(f: FieldChange, colour: bool) -> list[str]:
    if f.sensitive:
        return [f"{_FIELD}{f.path}: {MASK} -> {MASK}"]
    if not (is_block(f.before) or is_block(f.after)):
        return [f"{_FIELD}{f.path}: {inline(f.before)} -> {inline(f.after)}"]
    return [f"{_FIELD}{f.path}:"] + [_BLOCK + _paint(line, colour)
                                     for line in block_diff(f.before, f.after)]


def _create_lines(f: FieldChange) -> list[str]:
    if f.sensitive:
        return [f"{_FIELD}{f.path}: {MASK}"]
    after = without_empty(f.after)
    if not is_block(after):
        return [f"{_FIELD}{f.path}: {inline(after)}"]
    return [f"{_FIELD}{f.path}:"] + [_BLOCK + line for line in block_lines(after)]


# -- values -----------------------------------------------------------------------

def without_empty(value: Any) -> Any:
    """``value`` without the unset (None, empty) entries of its mappings: what a
    create leaves at Superset's default says nothing about the new object.
    Updates are diffed whole, so a field that becomes unset still shows."""
    if isinstance(value, dict):
        kept = {k: without_empty(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in (None, [], {})}
    if isinstance(value, list):
        return [without_empty(v) for v in value]
    return value


def inline(value: Any) -> str:
    """A value on one line as the asset files write it (YAML's flow style:
    ``SELECT 1``, ``[symbol, ts]``, ``{a: 1}``), or ``(none)`` for an absent one.

    One notation throughout: the blocks below a field are the files' YAML too.
    """
    if value is None:
        return "(none)"
    if isinstance(value, str) and ("\n" in value or value != value.strip()):
        return json.dumps(value, ensure_ascii=False)  # where its line breaks are matters here
    try:
        text = yaml.safe_dump(without_empty(value), default_flow_style=True, sort_keys=False,
                              allow_unicode=True, width=1 << 30)
    except yaml.YAMLError:
        return json.dumps(value, default=str, ensure_ascii=False)
    text = text[: -len("...\n")] if text.endswith("...\n") else text
    return text.strip()


def is_block(value: Any) -> bool:
    """Whether ``value`` reads better as lines of its own than on the field's line."""
    if isinstance(value, str):
        return "\n" in value.rstrip("\n")
    return isinstance(value, (dict, list)) and len(inline(value)) > WIDTH


def block_lines(value: Any) -> list[str]:
    """Text as its own lines; a list or mapping as the YAML the asset files hold
    (multi-line strings as ``|`` blocks, a key per line), or as indented JSON
    should YAML be unable to hold it exactly."""
    if value is None:
        return []
    if isinstance(value, str):
        return value.splitlines() or [""]
    try:
        return yamlout.dump(without_empty(value)).splitlines()
    except Exception:  # noqa: BLE001 - any value still renders, as JSON
        return json.dumps(value, indent=2, default=str, ensure_ascii=False).splitlines()


def block_diff(before: Any, after: Any) -> list[str]:
    """Unified diff lines (hunk headers included, file headers left out)."""
    lines = list(difflib.unified_diff(block_lines(before), block_lines(after),
                                      lineterm="", n=CONTEXT))
    if not lines:  # the same lines: only line endings or a final newline differ
        return [f"-{inline(before)}", f"+{inline(after)}"]
    return lines[2:]  # the ---/+++ file headers name no file here


def _paint(line: str, colour: bool) -> str:
    fg = _LINE_COLOUR.get(line[:1]) if colour else None
    return click.style(line, fg=fg) if fg else line
