"""Files that attack the runner, through the real command: an answer, a
position, one line per problem, valid JSON, never a traceback or a hang."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from superset_iac.cli import main
from superset_iac.load.tree import load_tree

LINE = re.compile(r"^(?P<file>\S+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]\d{3}) ")
LAUGHS = ('a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
          + "".join(f"{c}: &{c} [" + ",".join([f"*{p}"] * 9) + "]\n"
                    for p, c in zip("abcdefgh", "bcdefghi")))


# The valid fixture tree as ./assets in a fresh working directory.
from tests.unit.test_cli_validate import tree  # noqa: E402,F401  (a fixture)


def _validate(*args: str):
    return CliRunner().invoke(main, ["validate", *args])


def test_a_billion_laughs_file_is_one_positioned_error(tree: Path) -> None:
    assert len(LAUGHS) < 400
    (tree / "charts" / "lol.yaml").write_text(LAUGHS)
    result = _validate()
    assert result.exit_code == 1 and result.exception is None or \
        isinstance(result.exception, SystemExit)
    assert result.stdout.splitlines() == [
        "assets/charts/lol.yaml:5:8: L004 alias *d expands the document's aliases beyond "
        "10,000 nodes or 1 MiB of text"]


def test_a_merge_key_override_keeps_working(tree: Path) -> None:
    (tree / "charts" / "merged.yaml").write_text(
        "- &base {name: Base, dataset: trades, viz_type: table, params: {row_limit: 10}}\n"
        "- <<: *base\n  name: Bigger\n  params: {row_limit: 20}\n")
    result = _validate("--format", "json")
    assert result.exit_code == 0, result.output
    bigger = load_tree(tree).get("chart", "Bigger")
    assert bigger is not None and bigger.params == {"row_limit": 20}


@pytest.mark.parametrize("name", ["new\nx.yaml:1:1: Y001 forged.yaml",
                                  "esc\x1b[31mred.yaml", "tab\tand\rcr.yaml"])
def test_file_names_never_forge_an_output_line(tree: Path, name: str) -> None:
    (tree / "charts" / name).write_text("name: [unclosed\n")
    result = _validate()
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and LINE.match(lines[0])
    assert "\x1b" not in result.stdout and "\r" not in result.stdout
    assert lines[0].startswith("assets/charts/" + name.translate(
        {ord("\n"): "\\n", ord("\t"): "\\t", ord("\r"): "\\r", 0x1b: "\\x1b"}) + ":2:1: Y001")


def test_a_name_that_is_not_utf8_is_escaped_in_text_and_json(tree: Path) -> None:
    raw = os.fsencode(tree / "charts") + b"/caf\xe9\xff.yaml"
    with open(raw, "wb") as fh:
        fh.write(b"name: [unclosed\n")
    text = _validate()
    assert "assets/charts/caf\\xe9\\xff.yaml:2:1: Y001" in text.stdout
    result = _validate("--format", "json")
    data = json.loads(result.stdout.encode("utf-8"))  # encodable: no lone surrogates
    [diag] = data["diagnostics"]
    assert diag["pos"]["file"] == "assets/charts/caf\\xe9\\xff.yaml"


def test_a_key_with_a_newline_stays_on_its_line(tree: Path) -> None:
    (tree / "roles" / "dup.yaml").write_text(
        'name: Ops\n"a\\nassets/fake.yaml:1:1: X": 1\n"a\\nassets/fake.yaml:1:1: X": 2\n')
    result = _validate()
    errors = [line for line in result.stdout.splitlines() if not line.startswith("assets/roles")]
    assert errors == [] and "Y002 duplicate key 'a\\nassets/fake.yaml" in result.stdout


def test_a_link_out_of_the_tree_fails_validate_and_stops_export(tree: Path,
                                                                tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("name: Stolen\n")
    (tree / "roles" / "stolen.yaml").symlink_to(secret)
    result = _validate()
    assert result.exit_code == 1
    assert "assets/roles/stolen.yaml:1:1: L006 symbolic link leads outside the asset tree" \
        in result.stdout
    exported = CliRunner().invoke(main, ["export", "--assets", "assets", "--env", "dev",
                                         "--url", "http://127.0.0.1:9", "--username", "u",
                                         "--password", "p", "--all"])
    assert exported.exit_code == 1, exported.output
    assert "nothing was exported" in exported.output
    assert secret.read_text() == "name: Stolen\n"


def test_an_oversized_file_is_refused_with_the_bound(tree: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPERSET_IAC_MAX_FILE_MB", "0.01")
    (tree / "charts" / "big.yaml").write_text("name: x\n# " + "pad " * 5000 + "\n")
    result = _validate()
    assert result.exit_code == 1
    assert "assets/charts/big.yaml:1:1: L008 file larger than 0.01 MiB; it was not loaded" \
        in result.stdout
