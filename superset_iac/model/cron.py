"""Cron expressions as Superset's scheduler reads them, checked offline.

Superset hands a report's ``crontab`` to croniter. The form accepted here is
the standard five fields (minute, hour, day of month, month, day of week),
each a ``,``-separated list of ``*``, ``N``, ``N-M``, optionally ``/STEP``,
with month and weekday names (``jan``, ``mon``) as cron has them, plus the
``@daily``-style macros. What croniter accepts beyond that (a sixth field of
seconds, ``L``, ``W``, ``#``) is refused: a schedule in git should read the
same in every cron reader, and a reviewer should not need croniter's manual.

``problem`` returns the first problem with its character offset in the
expression, so ``Report.findings`` can point at the field itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MACROS = frozenset({"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight",
                    "@hourly"})
_MONTHS = {m: i + 1 for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}
_DAYS = {d: i for i, d in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: dict[str, int]


FIELDS = (
    _Field("minute", 0, 59, {}),
    _Field("hour", 0, 23, {}),
    _Field("day of month", 1, 31, {}),
    _Field("month", 1, 12, _MONTHS),
    _Field("day of week", 0, 7, _DAYS),  # 0 and 7 are both Sunday
)
_ITEM = re.compile(r"^(?P<range>\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:/(?P<step>[0-9]+))?$")


@dataclass(frozen=True)
class CronProblem:
    offset: int  # character of the expression the problem starts at
    message: str


def problem(expression: str) -> CronProblem | None:
    """The first problem of ``expression``, or None when Superset will accept it."""
    text = expression.strip()
    lead = len(expression) - len(expression.lstrip())
    if text.startswith("@"):
        if text.lower() in MACROS:
            return None
        return CronProblem(lead, f"unknown cron macro '{text}' (one of "
                                 f"{', '.join(sorted(MACROS))})")
    parts = [(m.start(), m.group()) for m in re.finditer(r"\S+", expression)]
    if len(parts) != len(FIELDS):
        return CronProblem(lead, f"a cron expression has five fields (minute hour "
                                 f"day-of-month month day-of-week), this one has {len(parts)}")
    for field, (start, part) in zip(FIELDS, parts, strict=True):
        found = _field_problem(field, part)
        if found is not None:
            return CronProblem(start + found.offset, found.message)
    return None


def _field_problem(field: _Field, text: str) -> CronProblem | None:
    offset = 0
    for item in text.split(","):
        found = _item_problem(field, item)
        if found is not None:
            return CronProblem(offset + found.offset, found.message)
        offset += len(item) + 1
    return None


def _item_problem(field: _Field, item: str) -> CronProblem | None:
    match = _ITEM.match(item)
    if match is None:
        return CronProblem(0, f"'{item}' is not a {field.name} (N, N-M, *, with an optional "
                              "/STEP; a list with commas)")
    step = match.group("step")
    if step is not None and int(step) == 0:
        return CronProblem(match.start("step"), f"a step of 0 in the {field.name} field")
    if match.group("range") == "*":
        return None
    low_text, _, high_text = match.group("range").partition("-")
    low = _value(field, low_text)
    if isinstance(low, CronProblem):
        return low
    if not high_text:
        return None
    high = _value(field, high_text)
    if isinstance(high, CronProblem):
        return CronProblem(len(low_text) + 1, high.message)
    if high < low:
        return CronProblem(0, f"the {field.name} range {item} runs backwards")
    return None


def _value(field: _Field, text: str) -> int | CronProblem:
    if text.isdigit():
        value = int(text)
    elif text.lower() in field.names:
        return field.names[text.lower()]
    else:
        names = f" or a name ({', '.join(field.names)})" if field.names else ""
        return CronProblem(0, f"'{text}' is not a {field.name}: a number "
                              f"{field.low}-{field.high}{names}")
    if not field.low <= value <= field.high:
        return CronProblem(0, f"{field.name} {value} is outside {field.low}-{field.high}")
    return value
