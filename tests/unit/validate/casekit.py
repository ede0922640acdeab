"""Data-driven validation cases (like sqlfluff's YAML rule fixtures).

``tests/fixtures/validate/base/`` is a small valid tree. Each case in
``tests/fixtures/validate/cases/*.yaml`` writes or removes files on a copy of
it and lists the diagnostics it must produce, as ``CODE file:line`` (or
``file:line:col``), paths relative to the tree. Every *error* the run reports
must be expected: a case fails on noise as well as on a miss. Warnings need
listing only when the case is about them.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from superset_iac.diagnostics import Diagnostic, Severity
from superset_iac.load.tree import load_tree
from superset_iac.validate import validate_tree

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "validate"
BASE = FIXTURES / "base"
_EXPECT = re.compile(r"^(?P<code>[A-Z]\d{3}) (?P<file>\S+?):(?P<line>\d+)(?::(?P<col>\d+))?$")


@dataclass(frozen=True)
class Case:
    name: str
    files: dict[str, str | bytes]
    remove: list[str]
    expect: list[str]


def load_cases() -> list[Case]:
    cases = []
    for path in sorted((FIXTURES / "cases").glob("*.yaml")):
        for name, body in yaml.safe_load(path.read_text()).items():
            cases.append(Case(f"{path.stem}/{name}", body.get("files", {}),
                              body.get("remove", []), body["expect"]))
    return cases


def build(case: Case, root: Path) -> Path:
    shutil.copytree(BASE, root)
    for rel in case.remove:
        (root / rel).unlink()
    for rel, content in case.files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)
    return root


def where(diag: Diagnostic, root: Path) -> tuple[str, str, int, int]:
    return diag.code, os.path.relpath(diag.pos.file, root), diag.pos.line, diag.pos.col


def run(case: Case, root: Path) -> list[Diagnostic]:
    return list(validate_tree(load_tree(build(case, root))))


def mismatches(case: Case, diags: list[Diagnostic], root: Path) -> list[str]:
    """What is missing and what is unexpected; empty when the case passes."""
    found = [where(d, root) for d in diags]
    problems = []
    matched: set[int] = set()
    for text in case.expect:
        m = _EXPECT.match(text)
        assert m, f"bad expectation {text!r}"
        hit = [i for i, (code, file, line, col) in enumerate(found)
               if code == m["code"] and file == m["file"] and line == int(m["line"])
               and (m["col"] is None or col == int(m["col"]))]
        if not hit:
            problems.append(f"missing: {text}")
        matched.update(hit)
    for i, diag in enumerate(diags):
        if i not in matched and diag.severity is Severity.ERROR:
            problems.append(f"unexpected: {diag.render()}")
    return problems
