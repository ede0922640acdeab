import math

import pytest

from superset_iac.superset import rison


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "!n"),
        (True, "!t"),
        (False, "!f"),
        (0, "0"),
        (-3, "-3"),
        (2.5, "2.5"),
        (1.0, "1"),
        (1e20, "1e20"),
        (1.5e-7, "1.5e-07"),
        ("abc", "abc"),
        ("a.b/c_d~e", "a.b/c_d~e"),
        ("", "''"),
        ("x y", "'x y'"),
        ("-x", "'-x'"),
        ("1abc", "'1abc'"),
        ("it's", "'it!'s'"),
        ("wow!", "'wow!!'"),
        ("!'", "'!!!''"),
        ("a:b", "'a:b'"),
        ("(x)", "'(x)'"),
        ("a,b", "'a,b'"),
        ("x*", "'x*'"),
        ("@x", "'@x'"),
        ("$x", "'$x'"),
        ("ümlaut", "ümlaut"),
        ([], "!()"),
        ([1, "a b", None], "!(1,'a b',!n)"),
        ((1, 2), "!(1,2)"),
        ({}, "()"),
        ({"a": 1, "b": [True, False]}, "(a:1,b:!(!t,!f))"),
        ({"page size": 1}, "('page size':1)"),
        ({"k": {"n": []}}, "(k:(n:!()))"),
    ],
)
def test_encodes(value, expected):
    assert rison.dumps(value) == expected


def test_superset_list_query():
    query = {
        "filters": [{"col": "table_name", "opr": "eq", "value": "v_ticks"}],
        "columns": ["id", "uuid"],
        "page": 0,
        "page_size": 100,
    }
    assert rison.dumps(query) == (
        "(filters:!((col:table_name,opr:eq,value:v_ticks)),columns:!(id,uuid),page:0,page_size:100)"
    )


def test_dict_keys_keep_insertion_order():
    assert rison.dumps({"b": 1, "a": 2}) == "(b:1,a:2)"


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_rejects_non_finite_numbers(value):
    with pytest.raises(ValueError):
        rison.dumps(value)


@pytest.mark.parametrize("value", [object(), {1: "a"}, {"a": {1, 2}}, b"bytes"])
def test_rejects_unencodable_values(value):
    with pytest.raises(TypeError):
        rison.dumps(value)
