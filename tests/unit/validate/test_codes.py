"""The code table is complete, and every code has a test that produces it."""

from __future__ import annotations

import re
from pathlib import Path

from superset_iac.load.tree import load_tree
from superset_iac.validate.codes import CODES, markdown_table
from tests.unit.validate.casekit import load_cases

ROOT = Path(__file__).resolve().parents[3]
SOURCES = [*(ROOT / "superset_iac" / "load").glob("*.py"),
           *(ROOT / "superset_iac" / "validate").glob("*.py"),
           *(ROOT / "superset_iac" / "model").glob("*.py"),  # ``Spec.findings``
           ROOT / "superset_iac" / "workflow.py", ROOT / "superset_iac" / "convert" / "run.py"]
# Produced outside the fixture cases: by tests named here.
ELSEWHERE = {"L001": "test_missing_directory_is_l001",
             "E001": "test_cli_validate.test_missing_connection_variable_is_only_a_warning",
             "E002": "test_cli_validate.test_unknown_environment_is_reported",
             "S009": "any other pydantic error; none is known to reach it",
             # Diagnostics of convert, about bundles rather than trees.
             "B001": "convert/test_convert.test_a_legacy_chart_type_is_kept_with_a_warning_"
                     "naming_the_command",
             "B002": "convert/test_convert.test_a_legacy_chart_convert_cannot_migrate_is_kept",
             # Links and sizes cannot be written by a case's files.
             "L006": "load/test_walk.test_a_link_that_leaves_the_tree_is_reported_and_not_read",
             "L007": "load/test_walk.test_dangling_and_looping_links_are_reported_once_each",
             "L008": "load/test_walk.test_a_file_past_the_bound_is_refused_before_it_is_read",
             "L009": "load/test_walk.test_a_tree_past_its_bound_stops_loading"}


def _emitted() -> set[str]:
    """Codes the checks and the loader write (the table itself left out)."""
    return {code for path in SOURCES if path.name != "codes.py"
            for code in re.findall(r'"([A-Z]\d{3})"', path.read_text())}


def test_every_code_reported_is_in_the_table_and_back() -> None:
    assert _emitted() == set(CODES)


def test_every_code_has_a_case() -> None:
    covered = {e.split()[0] for case in load_cases() for e in case.expect} | set(ELSEWHERE)
    assert set(CODES) - covered == set()


def test_markdown_table_lists_every_code_once() -> None:
    rows = markdown_table().splitlines()[2:]
    assert [row.split(" | ")[0].strip("| ") for row in rows] == list(CODES)


def test_readme_holds_the_table_as_rendered() -> None:
    assert markdown_table() in (ROOT / "README.md").read_text()


def test_missing_directory_is_l001(tmp_path: Path) -> None:
    tree = load_tree(tmp_path / "nowhere")
    assert tree.diagnostics.codes() == ["L001"] and tree.count() == 0
