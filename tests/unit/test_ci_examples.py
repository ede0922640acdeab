"""The CI examples (docs/ci/) and the pre-commit hooks use only the tool's
documented commands, options and exit codes: every ``superset-iac ...``
invocation in them is parsed with the real click command, and every exit
code they test is one of ``ExitCode``."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest
import yaml

from superset_iac.cli import main
from superset_iac.exitcodes import ExitCode

ROOT = Path(__file__).resolve().parents[2]
FILES = [ROOT / "docs" / "ci" / "github-actions.yml", ROOT / "docs" / "ci" / "gitlab-ci.yml",
         ROOT / ".pre-commit-hooks.yaml"]
CALL = re.compile(r"superset-iac ((?:[a-z]+)(?: [^|>;&#\n]*)?)")


def invocations(text: str) -> list[list[str]]:
    out = []
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        for match in CALL.finditer(line):
            words = shlex.split(match.group(1).replace("||", ""))
            out.append([w for w in words if w not in ("code=$?",)])
    return out


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_invocation_parses_with_the_real_command(path: Path) -> None:
    text = path.read_text()
    yaml.safe_load(text)  # the file itself is valid YAML
    calls = invocations(text)
    assert calls, path
    for words in calls:
        command = main.get_command(None, words[0])
        assert isinstance(command, click.Command), words
        ctx = command.make_context(words[0], [w for w in words[1:] if "$" not in w],
                                   resilient_parsing=False)
        assert ctx.params is not None, words


@pytest.mark.parametrize("path", FILES[:2], ids=lambda p: p.name)
def test_every_exit_code_tested_is_documented(path: Path) -> None:
    codes = {int(c) for c in re.findall(r'-eq (\d+)', path.read_text())}
    assert codes and codes <= {int(c) for c in ExitCode}


def test_the_examples_cover_the_flow() -> None:
    for path in FILES[:2]:
        text = path.read_text()
        for step in ("superset-iac validate", "--format markdown", "--out plan.json",
                     "superset-iac apply plan.json", "superset-iac:plan"[:12]):
            assert step in text, (path.name, step)


def test_the_hooks_run_validate_and_schema_check_on_the_whole_tree() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load(FILES[2].read_text())}
    assert hooks["superset-iac-validate"]["entry"] == "superset-iac validate"
    assert hooks["superset-iac-validate"]["pass_filenames"] is False
    assert hooks["superset-iac-schema"]["entry"] == "superset-iac schema --check"
