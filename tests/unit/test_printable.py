"""Names and messages reach the terminal on one line, and JSON encodes them."""

from __future__ import annotations

import json

import pytest

from superset_iac.diagnostics import Diagnostics, Position, printable


@pytest.mark.parametrize("raw, shown", [
    ("plain/é.yaml", "plain/é.yaml"),
    ("a\nb", "a\\nb"), ("a\rb\tc", "a\\rb\\tc"), ("\x1b[31m", "\\x1b[31m"),
    ("\x00\x7f\x85", "\\x00\\x7f\\x85"), ("\u2028", "\\u2028"),
    ("caf\udce9", "caf\\xe9"),  # a byte of a file name that is not UTF-8
    ("\ud800", "\\ud800"),      # a lone surrogate that stands for no byte
])
def test_printable(raw: str, shown: str) -> None:
    assert printable(raw) == shown


def test_a_diagnostic_renders_on_one_line_and_as_json_that_encodes() -> None:
    diags = Diagnostics()
    diags.add(Position("x\nfake.yaml:1:1: Y001 caf\udcff.yaml", 2, 3), "Y002",
              "duplicate key 'a\nb'")
    [line] = diags.render_text().splitlines()
    assert line == "x\\nfake.yaml:1:1: Y001 caf\\xff.yaml:2:3: Y002 duplicate key 'a\\nb'"
    [data] = json.loads(diags.render_json().encode("utf-8"))
    assert data["pos"]["file"] == "x\\nfake.yaml:1:1: Y001 caf\\xff.yaml"
    assert data["message"] == "duplicate key 'a\nb'"  # JSON carries the newline itself

