"""Cron expressions: five fields within their ranges, names, steps, macros."""

from __future__ import annotations

import pytest

from superset_iac.model.cron import problem


@pytest.mark.parametrize("text", [
    "* * * * *", "0 6 * * mon-fri", "*/15 8-18 * * 1-5", "0 0 1,15 * *", "30 2 * jan-mar sun",
    "0 0 * * 7", "5-55/10 * * * *", "0 12 31 dec SAT", "@daily", "@Hourly", " 0 6 * * 1 "])
def test_what_superset_runs_is_accepted(text: str) -> None:
    assert problem(text) is None


@pytest.mark.parametrize("text, offset, words", [
    ("0 6 * *", 0, "this one has 4"),
    ("0 6 * * * *", 0, "has 6"),  # croniter's seconds field: not cron's
    ("60 * * * *", 0, "minute 60 is outside 0-59"),
    ("0 7,24 * * *", 4, "hour 24 is outside 0-23"),
    ("0 0 0 * *", 4, "day of month 0 is outside 1-31"),
    ("0 0 * 13 *", 6, "month 13"),
    ("0 0 * * mon-fry", 12, "'fry' is not a day of week"),
    ("*/0 * * * *", 2, "a step of 0"),
    ("0 0 * * 5-1", 8, "runs backwards"),
    ("0 0 L * *", 4, "'L' is not a day of month"),
    ("0 0 * * 5#3", 8, "'5#3' is not a day of week"),
    ("@sometimes", 0, "unknown cron macro"),
])
def test_problems_name_the_field_and_where_it_is(text: str, offset: int, words: str) -> None:
    found = problem(text)
    assert found is not None and words in found.message, found
    assert found.offset == offset
