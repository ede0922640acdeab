"""The YAML emitter: readable, stable, and verified to read back exactly."""

from __future__ import annotations

import pytest

from superset_iac.export.yamlout import LosslessnessError, check_roundtrip, dump


def test_multiline_strings_are_block_scalars() -> None:
    text = dump({"sql": "SELECT a,\n       b\nFROM t\n", "md": "# Title\n\ntext"})
    assert text == "sql: |\n  SELECT a,\n         b\n  FROM t\nmd: |-\n  # Title\n\n  text\n"


def test_key_order_is_kept_and_lists_are_indented_under_their_key() -> None:
    text = dump({"z": 1, "a": [{"name": "x", "b": 2}], "m": {"y": 1, "b": 2}})
    assert text == "z: 1\na:\n  - name: x\n    b: 2\nm:\n  y: 1\n  b: 2\n"


def test_short_scalar_lists_stay_on_one_line_long_ones_do_not() -> None:
    assert dump({"groupby": ["symbol", "exchange"]}) == "groupby: [symbol, exchange]\n"
    long = ["column_number_%02d" % i for i in range(6)]
    assert dump({"columns": long}).count("\n") == 7


def test_strings_that_look_like_other_types_are_quoted() -> None:
    data = {"a": "yes", "b": "2024-01-01", "c": "1.0", "d": "null", "e": "", "f": "a, b"}
    text = dump(data)
    assert "a: 'yes'" in text and "b: '2024-01-01'" in text and "c: '1.0'" in text


def test_awkward_strings_survive() -> None:
    # trailing spaces, leading indentation, control characters, CRLF, unicode
    data = {"s": ["line  \nnext", "  indented\nx\n", "tab\there", "crlf\r\nx",
                  "über ✓", "ends\n\n\n", "#not a comment", "- not a list", "{x}"]}
    dump(data)  # raises if anything would not read back as written


def test_long_strings_are_not_folded() -> None:
    text = dump({"clause": "word " * 60})
    assert text.count("\n") == 1


def test_shared_sub_objects_are_written_out_not_aliased() -> None:
    shared = {"a": 1}
    assert "&" not in dump({"x": shared, "y": shared})


def test_check_roundtrip_rejects_text_that_reads_back_differently() -> None:
    with pytest.raises(LosslessnessError):
        check_roundtrip("a: 1\n", {"a": 1.0})
    with pytest.raises(LosslessnessError):
        check_roundtrip("a: true\n", {"a": "true"})
    check_roundtrip("a: yes\n", {"a": "yes"})  # YAML 1.2: only true/false are booleans


def test_markdown_with_trailing_spaces_stays_a_block_scalar() -> None:
    text = dump({"md": "# Title  \nline break  \nend\n"})
    assert text == "md: |\n  # Title  \n  line break  \n  end\n"


def test_text_a_block_cannot_hold_falls_back_to_quoted() -> None:
    assert dump({"t": "tab\there\nx"}) == 't: "tab\\there\\nx"\n'
