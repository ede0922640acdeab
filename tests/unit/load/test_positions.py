"""The loader remembers where every key, item and character came from."""

from __future__ import annotations

from pathlib import Path

import pytest

from superset_iac.diagnostics import Diagnostics, Position
from superset_iac.load.tree import load_tree
from superset_iac.load.yaml_source import parse_yaml


def _doc(text: str, index: int = 0):
    diags = Diagnostics()
    docs = parse_yaml(text, "f.yaml", diags)
    assert not len(diags), diags.render_text()
    return docs[index]


def _at(pos: Position) -> tuple[int, int]:
    return pos.line, pos.col


def test_nested_keys_and_list_items() -> None:
    doc = _doc("name: x\n"
               "columns:\n"
               "  - name: a\n"
               "    is_dttm: true\n"
               "  - {name: b, type: INT}\n")
    assert _at(doc.pos(("name",))) == (1, 1)
    assert _at(doc.pos(("columns", 0))) == (3, 5)
    assert _at(doc.pos(("columns", 0, "is_dttm"))) == (4, 5)
    assert _at(doc.pos(("columns", 1, "type"))) == (5, 15)
    assert _at(doc.pos(("columns", 1))) == (5, 5)


def test_missing_path_falls_back_to_nearest_ancestor() -> None:
    doc = _doc("a:\n  b: 1\n")
    assert _at(doc.pos(("a", "b", "c", 3))) == (2, 3)
    assert _at(doc.pos(("zzz",))) == (1, 1)


def test_multi_document_files_keep_their_own_lines() -> None:
    text = "name: one\n---\n# second\nname: two\nuri: x\n"
    assert _at(_doc(text, 0).pos(("name",))) == (1, 1)
    second = _doc(text, 1)
    assert second.data == {"name": "two", "uri": "x"}
    assert _at(second.pos(("uri",))) == (5, 1)


def test_anchors_and_merge_keys_point_at_the_text_that_holds_the_value() -> None:
    doc = _doc("base: &base\n"
               "  width: 4\n"
               "  height: 50\n"
               "cell:\n"
               "  <<: *base\n"
               "  height: 60\n"
               "alias: *base\n")
    assert doc.data["cell"] == {"width": 4, "height": 60}
    assert _at(doc.pos(("cell", "width"))) == (2, 3)  # merged: where it is written
    assert _at(doc.pos(("cell", "height"))) == (6, 3)  # explicit key wins
    assert doc.data["alias"] == {"width": 4, "height": 50}


def test_literal_block_scalar_lines_map_one_to_one() -> None:
    doc = _doc("name: x\n"
               "sql: |\n"
               "    SELECT a,\n"
               "      b\n"
               "\n"
               "    FROM t\n")
    assert doc.data["sql"] == "SELECT a,\n  b\n\nFROM t\n"
    assert _at(doc.text_pos(("sql",), 0, 0)) == (3, 5)
    assert _at(doc.text_pos(("sql",), 1, 2)) == (4, 7)
    assert _at(doc.text_pos(("sql",), 3, 5)) == (6, 10)


@pytest.mark.parametrize("text, col, expected", [
    ("sql: SELECT a FROM t\n", 9, (1, 15)),  # plain, one line
    ('sql: "SELECT a FROM t"\n', 9, (1, 16)),  # quoted: after the quote
    ("sql: SELECT a\n  FROM t\n", 9, (2, 3)),  # plain, folded onto two lines
    ("sql: >\n  SELECT a\n  FROM t\n", 9, (3, 3)),  # folded block
])
def test_folded_and_flow_scalars(text: str, col: int, expected: tuple[int, int]) -> None:
    assert _at(_doc(text).text_pos(("sql",), 0, col)) == expected


def test_text_pos_of_a_non_string_is_its_key() -> None:
    doc = _doc("a: 1\nb: [1, 2]\n")
    assert _at(doc.text_pos(("b",), 3, 3)) == (2, 1)


def test_syntax_error_is_a_diagnostic_at_its_line() -> None:
    diags = Diagnostics()
    assert parse_yaml("a: 1\nb: [1, 2\nc: 3\n", "f.yaml", diags) == []
    [diag] = list(diags)
    assert diag.code == "Y001" and diag.pos.line == 3


def test_deep_nesting_is_a_diagnostic_not_a_crash() -> None:
    diags = Diagnostics()
    parse_yaml("a: " + "[" * 5000 + "]" * 5000 + "\n", "f.yaml", diags)
    assert diags.codes() == ["Y001"]


def test_spec_positions_through_the_tree(tmp_path: Path) -> None:
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "d.yaml").write_text(
        "- name: first\n  database: db\n  sql: SELECT 1 AS one\n"
        "- name: second\n  database: db\n  sql: |\n    SELECT 1 AS one,\n      2 AS two\n")
    tree = load_tree(tmp_path)
    second = tree.get("dataset", "second")
    assert _at(second.pos()) == (4, 3)
    assert _at(second.pos("database")) == (5, 3)
    assert _at(second.text_pos(("sql",), 1, 2)) == (8, 7)
    assert tree.get("dataset", "first").pos("sql").line == 3


def test_documents_before_a_syntax_error_are_kept() -> None:
    diags = Diagnostics()
    docs = parse_yaml("name: one\n---\nname: [two\n", "f.yaml", diags)
    assert [d.data for d in docs] == [{"name": "one"}]
    assert diags.codes() == ["Y001"] and diags.items[0].pos.line == 4
