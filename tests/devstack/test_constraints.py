"""Superset's environment: every requirement pinned, DuckDB shared with the tool."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

DEVSTACK = Path(__file__).resolve().parents[2] / "devstack"


def _pins() -> dict[str, str]:
    pins = {}
    for line in (DEVSTACK / "constraints-superset.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"not an exact pin: {line}"
            key = re.sub(r"[-_.]+", "-", name).lower()
            assert key not in pins or pins[key] == version, f"{name} pinned twice"
            pins[key] = version
    return pins


def _requirements() -> list[str]:
    names = []
    for line in (DEVSTACK / "requirements-superset.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.append(re.sub(r"[-_.]+", "-", re.split(r"[=<>!~\[ ]", line)[0]).lower())
    return names


def test_every_requirement_is_pinned():
    pins = _pins()
    for name in _requirements():
        assert name in pins, f"{name} is not pinned in constraints-superset.txt"


def test_known_fixes_are_pinned():
    pins = _pins()
    assert pins["apache-superset"] == "6.1.0"
    assert pins["flask-caching"] == "2.3.1"
    for name in ("rich", "cachetools", "duckdb-engine", "trino"):
        assert name in _requirements()


def test_duckdb_is_the_same_as_the_tools():
    # The tool writes the lakehouse file, Superset reads it.
    assert _pins()["duckdb"] == duckdb.__version__
