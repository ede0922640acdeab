"""Every module of the package stays short enough to read in one sitting."""

from __future__ import annotations

from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "superset_iac"
MAX_LINES = 400
MODULES = sorted(PACKAGE.rglob("*.py"))


def test_the_package_is_found():
    assert len(MODULES) > 50


@pytest.mark.parametrize("module", MODULES, ids=[str(m.relative_to(PACKAGE)) for m in MODULES])
def test_module_is_under_the_limit(module: Path):
    lines = len(module.read_text(encoding="utf-8").splitlines())
    assert lines < MAX_LINES, f"{module.relative_to(PACKAGE)} has {lines} lines"
