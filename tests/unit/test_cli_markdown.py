"""``diff`` and ``apply`` with ``--format markdown`` through click's runner
(the server faked as in test_cli_diff_apply: four creates)."""

from __future__ import annotations

import pytest

from tests.unit.test_cli_diff_apply import Fake, run


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Fake:
    return Fake(monkeypatch)


def test_diff_markdown_is_the_comment_on_stdout_with_the_diff_exit_codes(fake: Fake) -> None:
    result = run("diff", "--format", "markdown")
    assert result.exit_code == 3, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "<!-- superset-iac:plan env=- -->"
    assert "**Plan: 4 to create, 0 to update, 0 to delete, 0 unchanged.**" in lines
    assert "#### dataset (2)" in lines and "#### chart (2)" in lines
    assert result.stdout.count("<details>") == 4 and result.stderr == ""
    fake.desired = {}
    none = run("diff", "--format", "markdown")
    assert none.exit_code == 0 and "**No changes. 0 objects up to date.**" in none.stdout


def test_apply_markdown_is_one_comment_with_outcomes_then_the_plan(fake: Fake) -> None:
    fake.datasets.fail = {"logs"}
    result = run("apply", "--format", "markdown")
    assert result.exit_code == 1
    out = result.stdout
    assert out.startswith("<!-- superset-iac:apply env=- -->\n### superset-iac apply\n")
    assert "**Apply: 2 created, 1 failed, 1 skipped.**" in out
    assert "| ! | <code>dataset/logs</code> | failed | <code>POST /api/v1/dataset/ → 422: " \
           "bad logs</code> |" in out
    assert out.index("| ? | <code>chart/Errors</code> | skipped") < out.index("**Plan: 4 to create")
    assert "[1/4]" in result.stderr and "[1/4]" not in out  # progress stays on stderr


def test_apply_markdown_on_a_terminal_confirms_the_text_plan_on_stderr(fake: Fake) -> None:
    fake.terminal = True
    declined = run("apply", "--format", "markdown", input="n\n")
    assert declined.exit_code == 1 and fake.calls == []
    assert "+ dataset/ticks" in declined.stderr and declined.stdout == ""


def test_validate_and_export_do_not_offer_markdown(fake: Fake) -> None:
    result = run("validate", "--format", "markdown")
    assert result.exit_code == 2 and "'markdown' is not one of 'text', 'json'" in result.stderr
