"""Plans as Markdown, for a pull-request comment (``--format markdown``).

Layout, stable so that a bot can find and update its one comment:

* a hidden marker line first, ``<!-- superset-iac:plan env=NAME -->`` (or
  ``superset-iac:apply`` for apply's summary), then a heading and the summary
  line that the text format prints;
* per kind, in apply order, a table of its changes (symbol, name, action,
  number of fields), followed by one collapsed ``<details>`` per object
  with its field-level changes: a table of the fields whose values fit on one
  line, and a fenced ``diff`` block per multi-line value (SQL, a layout), the
  same unified diff the text format shows (``plan.render``).

Secret fields are ``(sensitive)``, as everywhere. Names and values are
HTML-escaped inside ``<code>``, and ``|`` is written as an entity, so a name
or a value can never break a table or open a tag. Nothing is cut short,
except that a comment that would exceed what GitHub accepts (``COMMENT_LIMIT``)
keeps its tables and leaves the per-object details out, saying so.
"""

from __future__ import annotations

import html
import re
from typing import Any

from superset_iac.model.refs import MASK
from superset_iac.plan.diff import KIND_ORDER
from superset_iac.plan.model import SYMBOL, Action, Change, FieldChange, Plan
from superset_iac.plan.render import (
    block_diff,
    block_lines,
    inline,
    is_block,
    summary_line,
    without_empty,
)

# GitHub refuses a comment longer than 65,536 characters (GitLab allows
# 1,000,000); kept a little below so a bot may add a line of its own.
COMMENT_LIMIT = 65_000


def marker(what: str, environment: str | None) -> str:
    """The hidden first line a bot looks for to update its comment in place."""
    return f"<!-- superset-iac:{what} env={environment or '-'} -->"


def render_markdown(plan: Plan, environment: str | None = None,
                    impact: dict[str, list[str]] | None = None) -> str:
    """The plan's comment; ``impact`` (``diff --impact``) adds its table at the end."""
    head = [marker("plan", environment), heading("plan", environment), "",
            f"**{summary_line(plan)}**"]
    return _fitted(head, plan, impact_markdown(impact) if impact is not None else [])


def _fitted(head: list[str], plan: Plan, tail: list[str]) -> str:
    """The comment with every object's details, or, when that would not fit in
    a pull-request comment, with the change tables alone and a note saying so
    (a bot's post would otherwise be refused outright)."""
    full = "\n".join(head + changes_markdown(plan) + tail) + "\n"
    if len(full) <= COMMENT_LIMIT:
        return full
    note = ["", f"_Field-level details left out: with them this comment would be {len(full):,} "
                f"characters, more than a pull-request comment holds. `superset-iac diff` "
                "shows them all._"]
    return "\n".join(head + changes_markdown(plan, details=False) + note + tail) + "\n"


def heading(what: str, environment: str | None) -> str:
    where = f" for `{environment}`" if environment else ""
    return f"### superset-iac {what}{where}"


def changes_markdown(plan: Plan, *, details: bool = True) -> list[str]:
    lines: list[str] = []
    for kind in KIND_ORDER:
        changes = [c for c in plan.changes if c.kind == kind]
        if not changes:
            continue
        lines += ["", f"#### {kind} ({len(changes)})", "",
                  "| | name | action | fields |", "|:-:|---|---|--:|"]
        lines += [f"| {SYMBOL[c.action]} | {code(c.key)} | {c.action.value} | "
                  f"{'' if c.action is Action.DELETE else len(_shown(c))} |" for c in changes]
        for change in changes if details else ():
            lines += [""] + object_details(change)
    return lines


def object_details(change: Change) -> list[str]:
    fields = _shown(change)
    what = change.action.value
    if change.action is not Action.DELETE:
        what += f", {len(fields)} field{'s' if len(fields) != 1 else ''}"
    summary = f"{code(f'{SYMBOL[change.action]} {change.ref}')} {what}"
    lines = [f"<details><summary>{summary}</summary>"]
    if change.action is Action.DELETE:
        parts = [["Deleted: a managed object that is no longer in the tree."]]
    else:
        parts = [_field_table(change, fields), *_field_blocks(change, fields)]
    for part in parts:
        if part:
            lines += ["", *part]
    return lines + ["", "</details>"]


def _shown(change: Change) -> list[FieldChange]:
    """The fields the text format shows too: a create leaves out its defaults."""
    if change.action is not Action.CREATE:
        return list(change.fields)
    return [f for f in change.fields if f.sensitive or f.after not in (None, [], {}, False)]


def _value(f: FieldChange, side: str) -> Any:
    value = getattr(f, side)
    return without_empty(value) if side == "after" and f.before is None else value


def _field_table(change: Change, fields: list[FieldChange]) -> list[str]:
    flat = [f for f in fields if f.sensitive or not _is_block(f)]
    if not flat:
        return []
    if change.action is Action.CREATE:
        rows = [f"| {code(f.path)} | {_cell(f, 'after')} |" for f in flat]
        return ["| field | value |", "|---|---|", *rows]
    rows = [f"| {code(f.path)} | {_cell(f, 'before')} | {_cell(f, 'after')} |" for f in flat]
    return ["| field | before | after |", "|---|---|---|", *rows]


def _field_blocks(change: Change, fields: list[FieldChange]) -> list[list[str]]:
    """One part per multi-line value: its path, then a fenced block (a create's
    value as YAML, an update's unified diff)."""
    parts = []
    for f in fields:
        if f.sensitive or not _is_block(f):
            continue
        if change.action is Action.CREATE:
            body = fenced(block_lines(_value(f, "after")), "yaml")
        else:
            body = fenced(block_diff(f.before, f.after), "diff")
        parts.append([f"{code(f.path)}:", "", *body])
    return parts


def _is_block(f: FieldChange) -> bool:
    return is_block(f.before) or is_block(_value(f, "after"))


def _cell(f: FieldChange, side: str) -> str:
    if f.sensitive:
        return code(MASK)
    return code(inline(_value(f, side)))


def code(text: str) -> str:
    """``text`` as inline code that survives any content inside a table cell."""
    return "<code>" + html.escape(text, quote=False).replace("|", "&#124;") + "</code>"


def fenced(lines: list[str], lang: str) -> list[str]:
    """A fenced block whose fence is longer than any run of backticks inside."""
    longest = max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{lang}", *lines, fence]


_OUTCOME = {"created": "+", "updated": "~", "deleted": "-", "failed": "!", "skipped": "?"}


def render_apply_markdown(plan: Plan, events: list[dict[str, Any]], counts: dict[str, int],
                          environment: str | None = None) -> str:
    """Apply's summary: the outcome of each change, then the plan it carried out.

    ``events`` and ``counts`` are ``ApplyReport.to_dict()``'s (plain data, so
    the plan layer does not import the apply layer); durations are left out
    so that the same outcome renders the same comment.
    """
    done = [f"{n} {k}" for k, n in counts.items() if n] or ["nothing to do"]
    lines = [marker("apply", environment), heading("apply", environment), "",
             f"**Apply: {', '.join(done)}.**"]
    if events:
        lines += ["", "| | object | outcome | message |", "|:-:|---|---|---|"]
        lines += [f"| {_OUTCOME.get(e['outcome'], ' ')} | {code(e['ref'])} | {e['outcome']} | "
                  f"{code(e['message']) if e['message'] else ''} |" for e in events]
    return _fitted(lines + ["", f"**{summary_line(plan)}**"], plan, [])


def impact_markdown(reach: dict[str, list[str]]) -> list[str]:
    """``diff --impact``'s section: each changed object and what lies downstream."""
    lines = ["", "#### Impact", "", "| change | reaches |", "|---|---|"]
    return lines + [f"| {code(ref)} | {', '.join(code(r) for r in downstream) or 'nothing'} |"
                    for ref, downstream in reach.items()]
