"""The Makefile's CLI targets: exit 3 is "changes pending", not a make failure.

A stand-in CLI (a shell script exiting with the code under test) replaces
``.venv/bin/superset-iac``; ``-o venv`` keeps make from building the venv.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def make(tmp_path: Path, target: str, code: int) -> subprocess.CompletedProcess[str]:
    cli = tmp_path / "superset-iac"
    cli.write_text(f'#!/bin/sh\necho "ran: $*"\nexit {code}\n')
    cli.chmod(0o755)
    return subprocess.run(["make", "-s", "--no-print-directory", "-C", str(ROOT), "-o", "venv",
                           target, f"CLI={cli}", "ARGS=--format json"],
                          capture_output=True, text=True, timeout=60, check=False)


def test_diff_with_changes_succeeds_and_says_so(tmp_path):
    done = make(tmp_path, "diff", 3)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "ran: diff --env local --format json",
        "make diff: changes pending (superset-iac exit 3; make apply writes them)"]
    assert "Error" not in done.stderr


def test_no_changes_is_silent_success(tmp_path):
    done = make(tmp_path, "diff", 0)
    assert (done.returncode, done.stdout, done.stderr) == (0, "ran: diff --env local --format json\n", "")


@pytest.mark.parametrize("code, meaning", [(1, "invalid assets or a failed change"),
                                           (2, "usage, configuration or connection")])
def test_a_failed_apply_fails_make(tmp_path, code, meaning):
    done = make(tmp_path, "apply", code)
    assert done.returncode != 0
    assert done.stdout == "ran: apply --yes --env local --format json\n"
    assert f"make apply: failed (superset-iac exit {code}: {meaning})" in done.stderr


def test_validate_and_export_go_through_the_same_rule(tmp_path):
    assert make(tmp_path, "validate", 1).returncode != 0
    assert make(tmp_path, "export", 0).stdout == "ran: export --env local --format json\n"
