"""Passwords become ${VAR}; nothing else in a URI changes."""

from __future__ import annotations

import pytest

from superset_iac.export.secrets import template_uri, variable_for


@pytest.mark.parametrize("name, var", [
    ("lakehouse", "LAKEHOUSE_PASSWORD"), ("examples db", "EXAMPLES_DB_PASSWORD"),
    ("my-lake.prod", "MY_LAKE_PROD_PASSWORD"), ("2024 lake", "DB_2024_LAKE_PASSWORD"),
    ("ünï", "N_PASSWORD"), ("", "DATABASE_PASSWORD")])
def test_variable_names_derive_from_the_database_name(name: str, var: str) -> None:
    assert variable_for(name) == var


@pytest.mark.parametrize("uri, expected", [
    ("postgresql://bi:XXXXXXXXXX@db:5432/lake", "postgresql://bi:${V}@db:5432/lake"),
    ("postgresql://bi:real-secret@db/lake", "postgresql://bi:${V}@db/lake"),
    ("mysql://u:p%40ss@h/db?charset=utf8", "mysql://u:${V}@h/db?charset=utf8"),
    ("mssql+pyodbc://h/db?user=a&password=s3&x=1", "mssql+pyodbc://h/db?user=a&password=${V}&x=1"),
])
def test_passwords_become_a_variable(uri: str, expected: str) -> None:
    assert template_uri(uri, "V") == (expected, True)


@pytest.mark.parametrize("uri", ["trino://superset@trino:8080/hive_prod",
                                 "sqlite:////tmp/examples.db", "postgresql://bi:@db/lake",
                                 "duckdb:///:memory:"])
def test_uris_without_password_are_kept(uri: str) -> None:
    assert template_uri(uri, "V") == (uri, False)


def test_a_literal_dollar_brace_is_escaped_so_interpolation_gives_it_back() -> None:
    from superset_iac.model.refs import interpolate

    text, _ = template_uri("duckdb:////data/${weird}.db", "V")
    assert text == "duckdb:////data/$${weird}.db"
    assert interpolate(text, {})[0] == "duckdb:////data/${weird}.db"
