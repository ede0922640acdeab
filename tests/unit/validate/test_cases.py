"""Every bad input in tests/fixtures/validate/cases gives its code at its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.validate.casekit import load_cases, mismatches, run

CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case, tmp_path: Path) -> None:
    root = tmp_path / "assets"
    diags = run(case, root)
    problems = mismatches(case, diags, root)
    assert not problems, "\n".join(problems + ["-- all diagnostics:"] + [d.render() for d in diags])


def test_there_are_enough_distinct_cases() -> None:
    codes = {e.split()[0] for c in CASES for e in c.expect}
    assert len(CASES) >= 30 and len(codes) >= 30
